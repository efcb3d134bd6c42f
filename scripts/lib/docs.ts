// Renders docs/policies.md from the policies' own metadata.
import { rules } from "../../policies";
import { DOCS_URL } from "../../policies/pulumi/adapter";
import { SKIP_ANNOTATION, SKIP_REASON_ANNOTATION } from "../../policies/pulumi/exemptions";
import { ConfigProperty, isStackRule, PackRule } from "../../policies/pulumi/rule";

export const DOCS_FILE = "docs/policies.md";

export function renderPolicyDocs(list: readonly PackRule[] = rules): string {
    const out: string[] = [];
    out.push("# go-service-guard policies", "");
    out.push("<!-- Generated from each policy's metadata by `npm run docs`. Do not edit by hand. -->", "");
    out.push(
        "Every policy is `mandatory` by default: a violation fails `pulumi preview` and `pulumi up`. Relax or tune policies " +
            "with a `--policy-pack-config` file, for example `{\"all\": \"advisory\"}` or " +
            "`{\"workload-probes\": {\"required\": [\"readiness\"]}}`.",
        "",
    );
    out.push("| Policy | Checks | Severity |", "| --- | --- | --- |");
    for (const rule of list) {
        out.push(`| [${rule.name}](#${rule.name}) | ${escape(rule.displayName)} | ${rule.severity} |`);
    }
    out.push("");
    for (const rule of list) {
        out.push(`## ${rule.name}`, "");
        out.push(`**${rule.displayName}.** ${rule.description}`, "");
        const appliesTo = isStackRule(rule) ? `${rule.appliesTo} (a stack policy: it runs once over all resources)` : rule.target.description;
        out.push(`- Severity: ${rule.severity}`, "- Enforcement level: mandatory", `- Applies to: ${appliesTo}`, "");
        const properties = Object.entries(rule.configSchema.properties as Record<string, ConfigProperty>);
        if (properties.length > 0) {
            out.push("| Config property | Type | Default | Meaning |", "| --- | --- | --- | --- |");
            for (const [key, schema] of properties) {
                out.push(`| \`${key}\` | ${typeOf(schema)} | \`${JSON.stringify(schema.default)}\` | ${escape(schema.description)} |`);
            }
            out.push("");
        } else {
            out.push("No configuration beyond the enforcement level.", "");
        }
        out.push(`**Fix.** ${rule.remediationSteps}`, "");
    }
    out.push("## Exemptions", "");
    out.push(
        "A Kubernetes resource can opt out of named policies with two annotations on its own metadata: " +
            `\`${SKIP_ANNOTATION}: "<policy>[,<policy>…]"\` and \`${SKIP_REASON_ANNOTATION}: "<why>"\`. ` +
            "The named policies then report the resource as not applicable, with the reason. An exemption without a " +
            "non-empty reason is ignored, and the violation says so.",
        "",
    );
    out.push(
        "A Dockerfile opts out with a comment at its top, before any instruction: " +
            "`# go-service-guard: skip=<policy>[,<policy>…] reason=\"<why>\"`. Without a reason it is ignored, and the " +
            "violation says so.",
        "",
    );
    out.push(`Policy links point to ${DOCS_URL}.`, "");
    return out.join("\n");
}

function typeOf(schema: ConfigProperty): string {
    const t = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type ?? "any";
    const items = schema.items && !Array.isArray(schema.items) && typeof schema.items === "object" ? (schema.items as ConfigProperty).type : undefined;
    return t === "array" && items ? `array of ${items}` : String(t);
}

function escape(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
