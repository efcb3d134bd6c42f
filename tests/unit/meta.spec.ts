import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { rules } from "../../policies";
import { toResourcePolicy, toStackPolicy } from "../../policies/pulumi/adapter";
import { ConfigProperty, isStackRule } from "../../policies/pulumi/rule";
import { DOCS_FILE, renderPolicyDocs } from "../../scripts/lib/docs";
import { sourcePath } from "../paths";

function specSources(dir: string): string {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? specSources(path.join(dir, e.name)) : e.name.endsWith(".spec.ts") ? fs.readFileSync(path.join(dir, e.name), "utf8") : ""))
        .join("\n");
}

describe("policy metadata", () => {
    it("names are unique kebab-case and not reserved", () => {
        const names = rules.map((r) => r.name);
        assert.deepStrictEqual([...new Set(names)], names);
        for (const name of names) {
            assert.match(name, /^[a-z]+(-[a-z0-9]+)+$/);
            assert.notStrictEqual(name, "all");
        }
    });

    for (const rule of rules) {
        describe(rule.name, () => {
            it("declares display name, description, severity and remediation as sentences", () => {
                assert.ok(rule.displayName.length > 10);
                assert.match(rule.description, /^[A-Z].*\.$/s);
                assert.match(rule.remediationSteps, /^[A-Z].*\.$/s);
                assert.ok(["low", "medium", "high", "critical"].includes(rule.severity));
            });

            it("gives every config property a description and a default its own schema accepts", () => {
                const properties = rule.configSchema.properties as Record<string, ConfigProperty>;
                assert.ok(!("enforcementLevel" in properties), "enforcementLevel is reserved by the engine");
                const ajv = new Ajv({ strict: false });
                for (const [key, schema] of Object.entries(properties)) {
                    assert.ok("default" in schema, `${key} has no default`);
                    assert.ok(schema.description.length > 0, `${key} has no description`);
                    assert.ok(ajv.validate(schema, schema.default), `${key}: default does not validate: ${ajv.errorsText()}`);
                }
            });

            it("becomes a mandatory policy linking to its own doc anchor", () => {
                const policy = isStackRule(rule) ? toStackPolicy(rule) : toResourcePolicy(rule);
                assert.strictEqual(policy.enforcementLevel, "mandatory");
                assert.ok(policy.url?.endsWith(`/docs/policies.md#${rule.name}`));
                assert.strictEqual(policy.severity, rule.severity);
            });

            it("has a unit spec", () => {
                assert.ok(specSources(sourcePath("tests", "unit")).includes(`describe("${rule.name}"`), `no describe("${rule.name}") under tests/unit`);
            });
        });
    }

    it(`${DOCS_FILE} is generated from the current metadata (run npm run docs)`, () => {
        assert.strictEqual(fs.readFileSync(sourcePath(DOCS_FILE), "utf8"), renderPolicyDocs());
    });
});
