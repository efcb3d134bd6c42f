import * as assert from "assert";
import { Finding, notApplicable } from "../../policies/model/finding";
import { evaluate, formatFinding } from "../../policies/pulumi/adapter";
import { defineRule, Subject } from "../../policies/pulumi/rule";
import { workloadKindOf, workloadTarget } from "../../policies/pulumi/workload-target";
import probes from "../../policies/workload/probes";
import { Workload } from "../../policies/model/workload";
import { goPodSpec, KINDS, workload } from "../fixtures/workloads";
import { run, runPolicy, UNKNOWN } from "./helpers";

const SKIP = "go-service-guard.dev/skip";
const REASON = "go-service-guard.dev/skip-reason";

function withoutProbes() {
    const spec = goPodSpec();
    delete spec.containers[0].livenessProbe;
    delete spec.containers[0].readinessProbe;
    delete spec.containers[0].startupProbe;
    return spec;
}

describe("adapter", () => {
    describe("type tokens", () => {
        const cases: Array<[string, string | undefined]> = [
            ["kubernetes:apps/v1:Deployment", "Deployment"],
            ["kubernetes:apps/v1beta1:Deployment", "Deployment"],
            ["kubernetes:apps/v1beta2:StatefulSet", "StatefulSet"],
            ["kubernetes:extensions/v1beta1:DaemonSet", "DaemonSet"],
            ["kubernetes:batch/v1beta1:CronJob", "CronJob"],
            ["kubernetes:batch/v2alpha1:CronJob", "CronJob"],
            ["kubernetes:core/v1:Pod", "Pod"],
            ["kubernetes:core/v1:PodTemplate", "PodTemplate"],
            ["kubernetes:core/v1:ReplicationController", "ReplicationController"],
            ["kubernetes:apps/v1:DeploymentPatch", "Deployment"],
            ["kubernetes:core/v1:Service", undefined],
            ["kubernetes:core/v1:ConfigMap", undefined],
            ["kubernetes:helm.sh/v4:Chart", undefined],
            ["kubernetes:yaml/v2:ConfigGroup", undefined],
            ["kubernetes:apps/v1:Deployments", undefined],
            ["kubernetes:example.com/v1:Deployment", undefined],
            ["aws:s3/bucket:Bucket", undefined],
            ["", undefined],
        ];
        for (const [token, kind] of cases) {
            it(`${token || "(empty)"} → ${kind ?? "not a workload"}`, () => assert.strictEqual(workloadKindOf(token)?.kind, kind));
        }
        it("marks …Patch kinds as partial", () => assert.strictEqual(workloadKindOf("kubernetes:core/v1:PodPatch")?.partial, true));
    });

    it("reports other resource types as not applicable, naming what the policy covers", async () => {
        const outcome = await run(probes, "kubernetes:core/v1:Service", { spec: { ports: [] } });
        assert.strictEqual(outcome.kind, "notApplicable");
        assert.strictEqual((outcome as { reason: string }).reason, "applies to Kubernetes workloads, not to kubernetes:core/v1:Service");
    });

    describe("exemptions", () => {
        it("turns a named policy with a reason into not applicable", async () => {
            const props = workload("Deployment", withoutProbes(), { [SKIP]: "workload-resources, workload-probes", [REASON]: "queue consumer, no HTTP" });
            assert.deepStrictEqual(await run(probes, KINDS.Deployment.token, props), {
                kind: "notApplicable",
                reason: "exempted by annotation go-service-guard.dev/skip: queue consumer, no HTTP",
            });
        });

        it("ignores an exemption without a reason and says why in every violation", async () => {
            for (const reason of [undefined, "", "   "]) {
                const annotations: Record<string, string> = { [SKIP]: "workload-probes" };
                if (reason !== undefined) {
                    annotations[REASON] = reason;
                }
                const { messages } = await runPolicy(probes, KINDS.Deployment.token, workload("Deployment", withoutProbes(), annotations));
                assert.strictEqual(messages.length, 3);
                for (const m of messages) {
                    assert.ok(
                        m.endsWith(" (annotation go-service-guard.dev/skip names workload-probes but is ignored: add a non-empty go-service-guard.dev/skip-reason annotation that says why.)"),
                        m,
                    );
                }
            }
        });

        it("does not touch policies the annotation does not name", async () => {
            const props = workload("Deployment", withoutProbes(), { [SKIP]: "workload-resources", [REASON]: "sized by VPA" });
            const outcome = await run(probes, KINDS.Deployment.token, props);
            assert.strictEqual(outcome.kind, "violations");
            assert.strictEqual((outcome as { messages: string[] }).messages.length, 3);
            assert.ok((outcome as { messages: string[] }).messages.every((m) => !m.includes("ignored")));
        });
    });

    describe("errors", () => {
        const broken = defineRule<Workload, Record<string, never>>({
            name: "test-broken",
            displayName: "A rule that throws",
            description: "Throws.",
            severity: "low",
            remediationSteps: "None.",
            configSchema: { properties: {} },
            target: workloadTarget,
            check(w) {
                if (w.podSpec?.hostname === "unknown-please") {
                    return w.appContainers.map((c) => ({ where: c.label, what: String(c.raw.image), why: "x", fix: "y" }) as Finding);
                }
                if (w.podSpec?.hostname === "na") {
                    return notApplicable("nothing to do");
                }
                throw new TypeError("boom");
            },
        });

        it("turns an unexpected error into a violation instead of failing the preview", async () => {
            const outcome = await run(broken, KINDS.Deployment.token, workload());
            assert.deepStrictEqual(outcome, {
                kind: "violations",
                summaries: ["test-broken could not evaluate this resource (boom)"],
                messages: [
                    'Deployment "api": test-broken could not evaluate this resource (boom). A check that cannot run must not pass silently. ' +
                        "Fix: correct the resource's properties if they are malformed, or report the problem to the go-service-guard maintainers with this message.",
                ],
            });
        });

        it("lets a preview-unknown value through to the SDK (advisory can't-run)", async () => {
            const spec = goPodSpec();
            spec.hostname = "unknown-please";
            spec.containers[0].image = UNKNOWN;
            assert.strictEqual((await run(broken, KINDS.Deployment.token, workload("Deployment", spec))).kind, "unknown");
        });

        it("passes a rule's not-applicable answer on", async () => {
            const spec = goPodSpec();
            spec.hostname = "na";
            assert.deepStrictEqual(await evaluate(broken, { type: KINDS.Deployment.token, props: workload("Deployment", spec), name: "api" }, {}), {
                kind: "notApplicable",
                reason: "nothing to do",
            });
        });
    });

    describe("workload shape", () => {
        const cases: Array<[string, unknown, string[]]> = [
            ["no pod spec", { spec: { replicas: 1 } }, ["workload-probes cannot check this resource: spec.template.spec is missing"]],
            ["a pod spec that is a string", { spec: { template: { spec: "x" } } }, ['workload-probes cannot check this resource: spec.template.spec is "x", not a pod spec']],
            ["containers that is not a list", { spec: { template: { spec: { containers: { name: "api" } } } } }, ['workload-probes cannot check this resource: spec.template.spec.containers is {"name":"api"}, not a list of containers']],
            ["no containers", { spec: { template: { spec: { containers: [] } } } }, ["workload-probes cannot check this resource: spec.template.spec.containers is empty"]],
        ];
        for (const [label, props, expected] of cases) {
            it(`reports ${label} instead of passing silently`, async () => {
                const outcome = await run(probes, KINDS.Deployment.token, props);
                assert.deepStrictEqual(outcome.kind === "violations" ? outcome.summaries : outcome, expected);
            });
        }

        it("accepts a patch without a pod spec or containers", async () => {
            assert.deepStrictEqual(await run(probes, "kubernetes:apps/v1:DeploymentPatch", { metadata: { name: "x" } }), { kind: "violations", summaries: [], messages: [] });
        });

        it("reads only the skip list until it names the policy (an unknown reason stays unread)", async () => {
            const props = workload("Deployment", goPodSpec(), { [SKIP]: "workload-resources", [REASON]: UNKNOWN });
            assert.deepStrictEqual(await run(probes, KINDS.Deployment.token, props), { kind: "violations", summaries: [], messages: [] });
        });
    });

    it("formats findings as sentences: subject, what, why, fix", () => {
        const f: Finding = { where: 'container "api"', what: "x is 1", why: "it breaks.", fix: "set x to 2" };
        assert.strictEqual(formatFinding('Deployment "api"', f), 'Deployment "api", container "api": x is 1. It breaks. Fix: set x to 2.');
        const subject: Subject = { label: 'Pod "p"' };
        assert.strictEqual(formatFinding(subject.label, { ...f, where: "" }), 'Pod "p": x is 1. It breaks. Fix: set x to 2.');
    });
});
