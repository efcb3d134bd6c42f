// Turns rules into @pulumi/policy policies: config, exemptions, not-applicable, unknown values,
// message formatting, and never letting a bug in a rule take down the user's preview.
import type {
    ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { Finding, isNotApplicable } from "../model/finding";
import { resolveConfig } from "./config";
import type { AnyRule, AnyStackRule, Exemption, ResourceInput, RuleMetadata, StackFinding, StackResourceInput, Subject } from "./rule";

/** Where each policy is documented. */
export const DOCS_URL = "https://github.com/go-service-guard/go-service-guard/blob/main/docs/policies.md";

export function docsUrl(policyName: string): string {
    return `${DOCS_URL}#${policyName}`;
}

// The SDK exports UnknownValueError at run time, but its published typings omit it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy") as { UnknownValueError: new (...args: unknown[]) => Error };

/** The preview-time "value not known yet" error; it must reach the SDK so it reports an advisory can't-run. */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueError;
}

export type Evaluation =
    | {
          readonly kind: "violations";
          readonly findings: readonly Finding[];
          readonly messages: readonly string[];
          /** A preview-unknown value stopped part of the check: report the messages, then rethrow it. */
          readonly incomplete?: Error;
      }
    | { readonly kind: "notApplicable"; readonly reason: string };

/**
 * Runs one rule on one resource. Unknown preview values propagate (the SDK turns them into an
 * advisory); any other error becomes a violation that says the resource could not be checked.
 */
export async function evaluate(rule: AnyRule, resource: ResourceInput, givenConfig: unknown): Promise<Evaluation> {
    let label = `${resource.type} "${resource.name}"`;
    try {
        const model: Subject | undefined = await rule.target.load(resource);
        if (model === undefined) {
            return { kind: "notApplicable", reason: `applies to ${rule.target.kinds}, not to ${resource.type}` };
        }
        label = model.label;
        const exemption: Exemption | undefined = rule.target.exemption(model);
        const named = exemption !== undefined && exemption.policies.includes(rule.name);
        const reason = named ? exemption.reason() : undefined;
        if (named && reason) {
            return { kind: "notApplicable", reason: `exempted by ${exemption.source}: ${reason}` };
        }
        const result = await rule.check(model, resolveConfig(rule.configSchema.properties, givenConfig));
        if (isNotApplicable(result)) {
            return { kind: "notApplicable", reason: result.notApplicable };
        }
        const unchecked = rule.target.unchecked?.(model);
        const findings: Finding[] = unchecked
            ? [
                  {
                      where: "",
                      what: `${rule.name} cannot check this resource: ${unchecked}`,
                      why: "the API server rejects such an object, and a check that cannot run must not pass silently",
                      fix: "fix the resource's shape",
                  },
                  ...result,
              ]
            : result;
        const note = named ? ` (${exemption.source} names ${rule.name} but is ignored: ${exemption.missingReasonHint}.)` : "";
        const incomplete = (model as { unknown?: Error }).unknown;
        return { kind: "violations", findings, messages: findings.map((f) => formatFinding(label, f) + note), incomplete };
    } catch (e) {
        if (isUnknownValueError(e)) {
            throw e;
        }
        const finding = internalError(rule.name, "this resource", e);
        return { kind: "violations", findings: [finding], messages: [formatFinding(label, finding)] };
    }
}

/** `<resource>, <where>: <what>. <why>. Fix: <fix>.` */
export function formatFinding(label: string, f: Finding): string {
    const subject = f.where ? `${label}, ${f.where}` : label;
    return `${subject}: ${sentence(f.what)} ${capitalize(sentence(f.why))} Fix: ${sentence(f.fix)}`;
}

function sentence(text: string): string {
    const t = text.trim();
    return /[.!?]$/.test(t) ? t : `${t}.`;
}

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** What every policy of the pack declares about itself, at level mandatory. */
function policyMetadata(rule: RuleMetadata<unknown>) {
    return {
        name: rule.name,
        displayName: rule.displayName,
        description: rule.description,
        severity: rule.severity,
        remediationSteps: rule.remediationSteps,
        url: docsUrl(rule.name),
        enforcementLevel: "mandatory" as const,
        configSchema: rule.configSchema as ResourceValidationPolicy["configSchema"],
    };
}

/** A check that could not run, as a finding (never a silent pass). */
function internalError(ruleName: string, what: string, e: unknown): Finding {
    return {
        where: "",
        what: `${ruleName} could not evaluate ${what} (${errorText(e)})`,
        why: "a check that cannot run must not pass silently",
        fix: `${what === "this resource" ? "correct the resource's properties if they are malformed, or " : ""}report the problem to the go-service-guard maintainers with this message`,
    };
}

/** The @pulumi/policy resource policy for a rule, at level mandatory. */
export function toResourcePolicy(rule: AnyRule): ResourceValidationPolicy {
    return {
        ...policyMetadata(rule),
        validateResource: async (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const evaluation = await evaluate(rule, { type: args.type, props: args.props, name: args.name }, args.getConfig());
            if (evaluation.kind === "notApplicable") {
                // Most policies are not applicable to most resources: skip the stack trace of the SDK's signal.
                const limit = Error.stackTraceLimit;
                Error.stackTraceLimit = 0;
                try {
                    args.notApplicable(evaluation.reason);
                } finally {
                    Error.stackTraceLimit = limit;
                }
            } else {
                for (const message of evaluation.messages) {
                    reportViolation(message);
                }
                if (evaluation.incomplete) {
                    throw evaluation.incomplete; // the SDK adds its advisory "can't run … during preview"
                }
            }
        },
    };
}

export interface StackEvaluation {
    readonly findings: readonly StackFinding[];
    readonly violations: ReadonlyArray<{ readonly urn: string; readonly message: string }>;
    /** A preview-unknown value stopped part of the check: report the violations, then rethrow it. */
    readonly incomplete?: Error;
}

/**
 * Runs a stack rule. A value unknown during preview is rethrown (the SDK reports an advisory
 * can't-run); any other error becomes one violation that says the stack could not be checked.
 */
export async function evaluateStack(rule: AnyStackRule, resources: readonly StackResourceInput[], givenConfig: unknown): Promise<StackEvaluation> {
    try {
        const model = await rule.stack(resources);
        const findings = await rule.check(model, resolveConfig(rule.configSchema.properties, givenConfig));
        const incomplete = (model as { unknown?: Error } | undefined)?.unknown;
        return { findings, violations: findings.map((f) => ({ urn: f.urn, message: formatFinding(f.label, f.finding) })), incomplete };
    } catch (e) {
        if (isUnknownValueError(e)) {
            throw e;
        }
        const finding = internalError(rule.name, "the stack", e);
        return { findings: [{ urn: "", label: "stack", finding }], violations: [{ urn: "", message: formatFinding("stack", finding) }] };
    }
}

/** The @pulumi/policy stack policy for a stack rule, at level mandatory. */
export function toStackPolicy(rule: AnyStackRule): StackValidationPolicy {
    return {
        ...policyMetadata(rule),
        validateStack: async (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const resources = args.resources.map((r) => ({ type: r.type, props: r.props, name: r.name, urn: r.urn }));
            const evaluation = await evaluateStack(rule, resources, args.getConfig());
            for (const v of evaluation.violations) {
                reportViolation(v.message, v.urn || undefined);
            }
            if (evaluation.incomplete) {
                throw evaluation.incomplete; // the SDK adds its advisory "can't run … during preview"
            }
        },
    };
}
