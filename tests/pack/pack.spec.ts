// The pack as the Pulumi CLI runs it: one run-policy-pack process, configured through the Configure RPC from a
// --policy-pack-config style file, judged through Analyze requests over gRPC.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rules } from "../../policies";
import {
    AnalyzeResult,
    AnalyzerInfo,
    Diagnostic,
    Level,
    PackProcess,
    PolicyConfigEntry,
    PolicyInfo,
    readConfigFile,
    reconcileConfig,
    UNKNOWN,
} from "../../scripts/lib/analyzer";
import { deploymentWith, goPodSpec, IMAGE, KINDS, Props, workload } from "../fixtures/workloads";
import { ALL_POLICIES, DOCKERFILE_POLICIES, RESOURCE_POLICIES, SIGNATURE_POLICIES, WORKLOAD_POLICIES } from "../fixtures/policy-names";
import { PACK_DIR } from "../paths";

/** Every policy, in the order GetAnalyzerInfo lists them: workload, Dockerfile, image signature, then the stack policy. */
const POLICIES = ALL_POLICIES;

/** What the Dockerfile policies apply to, as their not-applicable reasons say it. */
const IMAGE_BUILDS = "image builds";

type NotApplicable = { policyName: string; reason: string };

/** Each Dockerfile policy, in order, legitimately not applicable to a resource of `type` that builds no image. */
function dockerfileNotApplicable(type: string): NotApplicable[] {
    return DOCKERFILE_POLICIES.map((policyName) => ({ policyName, reason: `applies to ${IMAGE_BUILDS}, not to ${type}` }));
}

/** What image-signature applies to, as its not-applicable reason says it. */
const SIGNED_IMAGES = "container images";
/** Why image-signature checks nothing under the default config, on a resource it applies to. */
const NO_REQUIREMENTS = "no signature requirements are configured (requirements is empty)";

/** image-signature on a workload under the default config: it applies, but no requirement asks for anything. */
const SIGNATURE_UNCONFIGURED: NotApplicable = { policyName: "image-signature", reason: NO_REQUIREMENTS };

/** image-signature on a resource of `type` that runs or pulls no image. */
function signatureNotApplicable(type: string): NotApplicable {
    return { policyName: "image-signature", reason: `applies to ${SIGNED_IMAGES}, not to ${type}` };
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
/** The Pulumi resource name; it differs from the container name so labels can be told apart. */
const NAME = "checkout";
const LABEL = `Deployment "${NAME}"`;
const TAGGED = "ghcr.io/acme/api:1.4.2";

/** One expected diagnostic: policy, level, and how the message (after the policy description) starts or reads. */
type Expected = [policy: string, level: Level, body: string | RegExp];

/** One failing change per policy on the compliant Deployment, with the start of the message it must produce. */
const FAILURES: Array<{ policy: string; change: (spec: Props, container: Props) => void; body: string }> = [
    {
        policy: "workload-resources",
        change: (_spec, c) => delete c.resources.requests.cpu,
        body: `${LABEL}, container "api": resources.requests.cpu is not set.`,
    },
    {
        policy: "workload-gomemlimit",
        change: (_spec, c) => (c.env[0].value = "400Mi"),
        body: `${LABEL}, container "api": GOMEMLIMIT is "400Mi", which the Go runtime cannot parse`,
    },
    {
        policy: "workload-sysctls",
        change: (spec) => (spec.securityContext.sysctls = [{ name: "vm.swappiness", value: "10" }]),
        body: `${LABEL}, pod securityContext.sysctls: vm.swappiness is a node-level sysctl`,
    },
    {
        policy: "workload-probes",
        change: (_spec, c) => delete c.readinessProbe,
        body: `${LABEL}, container "api": readinessProbe is not set.`,
    },
    {
        policy: "workload-image-pinned",
        change: (_spec, c) => (c.image = TAGGED),
        body: `${LABEL}, container "api": image "${TAGGED}" is not pinned by digest.`,
    },
    {
        policy: "workload-run-as-non-root",
        change: (_spec, c) => (c.securityContext = { runAsUser: 0 }),
        body: `${LABEL}, container "api": runAsUser is 0 (root) while runAsNonRoot is true.`,
    },
];

function podSpecWith(change: (spec: Props, container: Props) => void): Props {
    const spec = goPodSpec();
    change(spec, spec.containers[0]);
    return spec;
}

describe("policy pack over the Analyzer protocol", function () {
    let pack: PackProcess;
    let info: AnalyzerInfo;
    let tmp: string;
    let files = 0;

    before(async function () {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-pack-"));
        pack = await PackProcess.start(PACK_DIR);
        info = await pack.getAnalyzerInfo();
    });

    after(async function () {
        await pack?.stop();
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    beforeEach(async function () {
        await configureFrom({});
    });

    function policy(name: string): PolicyInfo {
        const p = info.policies.find((x) => x.name === name);
        assert.ok(p, `GetAnalyzerInfo does not list ${name}`);
        return p;
    }

    /** Writes `content` as a --policy-pack-config file, reads it back, reconciles it and sends it through Configure. */
    async function configureFrom(content: unknown): Promise<Record<string, PolicyConfigEntry>> {
        const entries = reconcile(content);
        await pack.configure(entries);
        return entries;
    }

    function reconcile(content: unknown): Record<string, PolicyConfigEntry> {
        const file = path.join(tmp, `policy-pack-config-${++files}.json`);
        fs.writeFileSync(file, JSON.stringify(content, null, 2));
        return reconcileConfig(info, readConfigFile(file));
    }

    function analyze(type: string, props: Props, name = NAME): Promise<AnalyzeResult> {
        return pack.analyze({ type, name, props });
    }

    /** The message without the SDK's "<policy description>\n" prefix; can't-run advisories have no prefix. */
    function bodyOf(d: Diagnostic): string {
        if (d.message.startsWith(`can't run policy '${d.policyName}'`)) {
            return d.message;
        }
        const prefix = `${policy(d.policyName).description}\n`;
        assert.ok(d.message.startsWith(prefix), `${d.policyName}: message does not start with the policy description: ${JSON.stringify(d.message)}`);
        return d.message.slice(prefix.length);
    }

    function render(result: AnalyzeResult): string {
        return result.diagnostics.map((d) => `  [${d.enforcementLevel}] ${d.policyName}: ${d.message.replace(/\n/g, " | ")}`).join("\n") || "  (none)";
    }

    /** Asserts the exact list of (policy, level) pairs, then each message's essentials. */
    function assertDiagnostics(result: AnalyzeResult, expected: Expected[]): void {
        assert.deepStrictEqual(
            result.diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
            expected.map(([p, level]) => [p, level]),
            `diagnostics differ; got:\n${render(result)}`,
        );
        result.diagnostics.forEach((d, i) => {
            const p = policy(d.policyName);
            assert.strictEqual(d.policyPackName, info.name);
            assert.strictEqual(d.policyPackVersion, info.version);
            assert.strictEqual(d.severity, p.severity, `${d.policyName}: diagnostic severity`);
            const body = bodyOf(d);
            const want = expected[i][2];
            if (typeof want === "string") {
                assert.ok(body.startsWith(want), `diagnostic ${i} (${d.policyName}):\n  expected to start with ${JSON.stringify(want)}\n  got ${JSON.stringify(body)}`);
            } else {
                assert.match(body, want, `diagnostic ${i} (${d.policyName})`);
            }
            if (!body.startsWith("can't run policy")) {
                assert.match(body, / Fix: \S/, `diagnostic ${i} (${d.policyName}) names no fix: ${JSON.stringify(body)}`);
            }
        });
    }

    /**
     * Asserts the exact not-applicable list of a workload: `workloadEntries` (none unless a case says so), then every
     * Dockerfile policy with its reason, then image-signature with no requirements configured (the default config).
     * Analyze never runs the stack policy, so it is never listed.
     */
    function assertNotApplicable(result: AnalyzeResult, type = DEPLOYMENT, workloadEntries: NotApplicable[] = []): void {
        assert.deepStrictEqual(
            result.notApplicable,
            [...workloadEntries, ...dockerfileNotApplicable(type), SIGNATURE_UNCONFIGURED],
            "only the listed workload policies, the Dockerfile policies and the unconfigured image-signature may report not-applicable",
        );
    }

    describe("GetAnalyzerInfo", function () {
        it("names the pack and its version and accepts config", function () {
            const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
            assert.strictEqual(info.name, "go-service-guard");
            assert.strictEqual(info.version, pkg.version);
            assert.strictEqual(info.supportsConfig, true);
        });

        it("lists exactly the sixteen policies (workload, Dockerfile, image signature, stack), in order, each mandatory", function () {
            assert.strictEqual(POLICIES.length, 16);
            assert.deepStrictEqual(SIGNATURE_POLICIES, ["image-signature"]);
            assert.deepStrictEqual(POLICIES, [...WORKLOAD_POLICIES, ...DOCKERFILE_POLICIES, "image-signature", "workload-timezone"]);
            assert.deepStrictEqual(info.policies.map((p) => p.name), POLICIES);
            assert.deepStrictEqual(info.policies.map((p) => p.enforcementLevel), POLICIES.map(() => "mandatory"));
        });

        it("carries each policy's declared description, severity, remediation steps and docs url", function () {
            for (const p of info.policies) {
                const rule = rules.find((r) => r.name === p.name);
                assert.ok(rule, `${p.name} is not declared in policies/`);
                assert.strictEqual(p.displayName, rule.displayName, `${p.name}.displayName`);
                assert.strictEqual(p.description, rule.description, `${p.name}.description`);
                assert.ok(p.description.trim().length > 0, `${p.name}.description is empty`);
                assert.ok(["low", "medium", "high", "critical"].includes(p.severity), `${p.name}.severity is ${p.severity}`);
                assert.strictEqual(p.severity, rule.severity, `${p.name}.severity`);
                assert.strictEqual(p.remediationSteps, rule.remediationSteps, `${p.name}.remediationSteps`);
                assert.ok(p.remediationSteps.trim().length > 0, `${p.name}.remediationSteps is empty`);
                assert.match(p.url, /^https:\/\/\S+$/, `${p.name}.url`);
                assert.ok(p.url.endsWith(`#${p.name}`), `${p.name}.url ${p.url} does not end with #${p.name}`);
            }
        });

        it("sends each policy's config schema with a default for every property", function () {
            for (const p of info.policies) {
                const rule = rules.find((r) => r.name === p.name);
                assert.ok(rule);
                assert.deepStrictEqual(p.configSchema.properties, JSON.parse(JSON.stringify(rule.configSchema.properties)), `${p.name}.configSchema`);
                assert.deepStrictEqual(p.configSchema.required, [], `${p.name}: a property with a default must not be required`);
                for (const [key, schema] of Object.entries(p.configSchema.properties)) {
                    assert.ok("default" in schema, `${p.name}.${key} has no default`);
                }
            }
        });
    });

    describe("config from a --policy-pack-config file", function () {
        it("an empty file reconciles to every schema default at the declared level", async function () {
            const entries = await configureFrom({});
            assert.deepStrictEqual(Object.keys(entries), POLICIES);
            for (const p of info.policies) {
                const defaults = Object.fromEntries(Object.entries(p.configSchema.properties).map(([k, s]) => [k, s.default]));
                assert.deepStrictEqual(entries[p.name], { enforcementLevel: "mandatory", properties: defaults }, p.name);
            }
        });

        it("with the defaults the compliant Deployment gets no diagnostics", async function () {
            const result = await analyze(DEPLOYMENT, workload());
            assertDiagnostics(result, []);
            assertNotApplicable(result);
        });

        for (const failure of FAILURES) {
            it(`${failure.policy}: one failing field gives exactly one mandatory diagnostic`, async function () {
                const result = await analyze(DEPLOYMENT, deploymentWith(failure.change));
                assertDiagnostics(result, [[failure.policy, "mandatory", failure.body]]);
                assertNotApplicable(result);
            });
        }

        it(`{"all": "advisory"} reports the same diagnostics at advisory`, async function () {
            const entries = await configureFrom({ all: "advisory" });
            assert.deepStrictEqual(Object.values(entries).map((e) => e.enforcementLevel), POLICIES.map(() => "advisory"));
            for (const failure of FAILURES) {
                const result = await analyze(DEPLOYMENT, deploymentWith(failure.change));
                assertDiagnostics(result, [[failure.policy, "advisory", failure.body]]);
            }
            assertDiagnostics(await analyze(DEPLOYMENT, workload()), []);
        });

        it("a per-policy level overrides \"all\"", async function () {
            await configureFrom({ all: "advisory", "workload-probes": "mandatory", "workload-image-pinned": { enforcementLevel: "mandatory" } });
            const result = await analyze(
                DEPLOYMENT,
                deploymentWith((spec, c) => {
                    delete c.resources.requests.cpu;
                    delete c.readinessProbe;
                    c.image = TAGGED;
                }),
            );
            assertDiagnostics(result, [
                ["workload-resources", "advisory", `${LABEL}, container "api": resources.requests.cpu is not set.`],
                ["workload-probes", "mandatory", `${LABEL}, container "api": readinessProbe is not set.`],
                ["workload-image-pinned", "mandatory", `${LABEL}, container "api": image "${TAGGED}" is not pinned by digest.`],
            ]);
        });

        it("a per-policy property tightens the verdict on the compliant Deployment", async function () {
            const entries = await configureFrom({ "workload-probes": { minStartupSeconds: 120 } });
            assert.deepStrictEqual(entries["workload-probes"], {
                enforcementLevel: "mandatory",
                properties: { required: ["liveness", "readiness", "startup"], minStartupSeconds: 120 },
            });
            assertDiagnostics(await analyze(DEPLOYMENT, workload()), [
                [
                    "workload-probes",
                    "mandatory",
                    `${LABEL}, container "api": startupProbe allows 60s to start (initialDelaySeconds 0 + failureThreshold 30 × periodSeconds 2), less than 120s.`,
                ],
            ]);
        });

        it("a per-policy property relaxes the verdict", async function () {
            const tagged = deploymentWith((_spec, c) => (c.image = TAGGED));
            assertDiagnostics(await analyze(DEPLOYMENT, tagged), [
                ["workload-image-pinned", "mandatory", `${LABEL}, container "api": image "${TAGGED}" is not pinned by digest.`],
            ]);
            await configureFrom({ "workload-image-pinned": { requireDigest: false } });
            assertDiagnostics(await analyze(DEPLOYMENT, tagged), []);
            const latest = deploymentWith((_spec, c) => (c.image = "ghcr.io/acme/api:latest"));
            assertDiagnostics(await analyze(DEPLOYMENT, latest), [
                ["workload-image-pinned", "mandatory", `${LABEL}, container "api": image "ghcr.io/acme/api:latest" uses the latest tag.`],
            ]);
        });

        it("a property the schema forbids is rejected before Configure, naming the policy and property", function () {
            const cases: Array<[unknown, RegExp]> = [
                [{ "workload-gomemlimit": { maxRatio: 2 } }, /workload-gomemlimit\.maxRatio: must be <= 1/],
                [{ "workload-gomemlimit": { minRatio: "0.8" } }, /workload-gomemlimit\.minRatio: must be number/],
                [{ "workload-probes": { required: ["liveness", "sometimes"] } }, /workload-probes\.required\.1: must be equal to one of the allowed values/],
                [{ "workload-sysctls": { kubernetesVersion: "2.0" } }, /workload-sysctls\.kubernetesVersion: must match pattern/],
                [{ "workload-resources": { requireCpuLimit: "yes" } }, /workload-resources\.requireCpuLimit: must be boolean/],
                [{ "workload-probes": "blocking" }, /workload-probes: "blocking" is not a valid enforcement level/],
                [{ "workload-probez": "advisory" }, /workload-probez: no such policy in go-service-guard/],
            ];
            for (const [content, error] of cases) {
                assert.throws(() => reconcile(content), error, JSON.stringify(content));
            }
        });

        it("\"disabled\" for one policy removes its diagnostics and leaves the others", async function () {
            const noLimit = deploymentWith((_spec, c) => delete c.resources.limits.memory);
            assertDiagnostics(await analyze(DEPLOYMENT, noLimit), [
                ["workload-resources", "mandatory", `${LABEL}, container "api": resources.limits.memory is not set.`],
                ["workload-gomemlimit", "mandatory", `${LABEL}, container "api": GOMEMLIMIT is set to "460MiB" but resources.limits.memory is not set.`],
            ]);
            await configureFrom({ "workload-gomemlimit": "disabled" });
            const result = await analyze(DEPLOYMENT, noLimit);
            assertDiagnostics(result, [["workload-resources", "mandatory", `${LABEL}, container "api": resources.limits.memory is not set.`]]);
            assertNotApplicable(result);
        });
    });

    describe("values unknown during preview", function () {
        it("an unknown image gives an advisory can't-run for workload-image-pinned while the other policies still judge the workload", async function () {
            const props = deploymentWith((_spec, c) => {
                c.image = UNKNOWN;
                delete c.resources.limits.memory;
            });
            const result = await analyze(DEPLOYMENT, props);
            assertDiagnostics(result, [
                ["workload-resources", "mandatory", `${LABEL}, container "api": resources.limits.memory is not set.`],
                ["workload-gomemlimit", "mandatory", `${LABEL}, container "api": GOMEMLIMIT is set to "460MiB" but resources.limits.memory is not set.`],
                [
                    "workload-image-pinned",
                    "advisory",
                    `can't run policy 'workload-image-pinned' from policy pack '${info.name}@v${info.version}' during preview: ` +
                        "string value at .spec.template.spec.containers.0.image can't be known during preview",
                ],
            ]);
            assertNotApplicable(result);
        });

        it("the can't-run stays advisory while every policy is mandatory", async function () {
            const result = await analyze(DEPLOYMENT, deploymentWith((_spec, c) => (c.image = UNKNOWN)));
            assertDiagnostics(result, [["workload-image-pinned", "advisory", /^can't run policy 'workload-image-pinned' .* during preview/]]);
        });

        it("an unknown GOMEMLIMIT stops only workload-gomemlimit; the image check still blocks", async function () {
            const props = deploymentWith((_spec, c) => {
                c.env[0].value = UNKNOWN;
                c.image = TAGGED;
            });
            assertDiagnostics(await analyze(DEPLOYMENT, props), [
                ["workload-gomemlimit", "advisory", /^can't run policy 'workload-gomemlimit' .*: string value at \.spec\.template\.spec\.containers\.0\.env\.0\.value can't be known during preview$/],
                ["workload-image-pinned", "mandatory", `${LABEL}, container "api": image "${TAGGED}" is not pinned by digest.`],
            ]);
        });
    });

    describe("resources the policies do not apply to", function () {
        for (const type of ["kubernetes:core/v1:Service", "aws:s3/bucket:Bucket", "kubernetes:apps/v1:DeploymentList", "kubernetes:core/v1:ConfigMap"]) {
            it(`${type}: no diagnostics, not applicable for every policy`, async function () {
                const props = { ...workload(), apiVersion: "v1", kind: type.split(":").pop() };
                const result = await analyze(type, props);
                assertDiagnostics(result, []);
                assert.deepStrictEqual(result.notApplicable.map((n) => n.policyName), RESOURCE_POLICIES);
                const workloads = result.notApplicable.slice(0, WORKLOAD_POLICIES.length);
                for (const n of workloads) {
                    assert.ok(n.reason.startsWith("applies to Kubernetes workloads, "), `${n.policyName}: ${n.reason}`);
                    assert.ok(n.reason.endsWith(`, not to ${type}`), `${n.policyName}: ${n.reason}`);
                }
                assert.deepStrictEqual(result.notApplicable.slice(WORKLOAD_POLICIES.length), [...dockerfileNotApplicable(type), signatureNotApplicable(type)]);
            });
        }

        it("a compliant Job: workload-probes not applicable with its reason, nothing else", async function () {
            const result = await analyze(KINDS.Job.token, workload("Job"));
            assertDiagnostics(result, []);
            assertNotApplicable(result, KINDS.Job.token, [
                { policyName: "workload-probes", reason: "Job pods run to completion; probes are only required for long-running workloads" },
            ]);
        });
    });

    describe("every workload kind", function () {
        const failing = () =>
            podSpecWith((_spec, c) => {
                delete c.readinessProbe;
                c.image = TAGGED;
            });
        const cases: Array<{ token: string; kind: string }> = [
            ...Object.entries(KINDS).map(([kind, k]) => ({ token: k.token, kind })),
            { token: "kubernetes:apps/v1beta1:Deployment", kind: "Deployment" },
            { token: "kubernetes:apps/v1beta2:Deployment", kind: "Deployment" },
            { token: "kubernetes:extensions/v1beta1:Deployment", kind: "Deployment" },
            { token: "kubernetes:apps/v1beta1:StatefulSet", kind: "StatefulSet" },
            { token: "kubernetes:apps/v1beta2:StatefulSet", kind: "StatefulSet" },
            { token: "kubernetes:extensions/v1beta1:DaemonSet", kind: "DaemonSet" },
            { token: "kubernetes:apps/v1beta2:DaemonSet", kind: "DaemonSet" },
            { token: "kubernetes:extensions/v1beta1:ReplicaSet", kind: "ReplicaSet" },
            { token: "kubernetes:apps/v1beta2:ReplicaSet", kind: "ReplicaSet" },
            { token: "kubernetes:batch/v1beta1:CronJob", kind: "CronJob" },
        ];
        for (const { token, kind } of cases) {
            it(`${token}: a failing pod spec is reported`, async function () {
                const props = workload(kind, failing());
                props.apiVersion = token.split(":")[1].replace(/^core\//, "");
                const result = await analyze(token, props);
                const label = `${kind} "${NAME}", container "api"`;
                const image: Expected = ["workload-image-pinned", "mandatory", `${label}: image "${TAGGED}" is not pinned by digest.`];
                if (kind === "Job" || kind === "CronJob") {
                    assertDiagnostics(result, [image]);
                    assertNotApplicable(result, token, [
                        { policyName: "workload-probes", reason: `${kind} pods run to completion; probes are only required for long-running workloads` },
                    ]);
                } else {
                    assertDiagnostics(result, [["workload-probes", "mandatory", `${label}: readinessProbe is not set.`], image]);
                    assertNotApplicable(result, token);
                }
            });
        }

        it("the compliant pod spec passes in every kind", async function () {
            for (const [kind, k] of Object.entries(KINDS)) {
                const result = await analyze(k.token, workload(kind));
                assert.deepStrictEqual(result.diagnostics, [], `${kind}:\n${render(result)}`);
                const probes = kind === "Job" || kind === "CronJob"
                    ? [{ policyName: "workload-probes", reason: `${kind} pods run to completion; probes are only required for long-running workloads` }]
                    : [];
                assertNotApplicable(result, k.token, probes);
            }
        });
    });

    describe("…Patch kinds", function () {
        const patches: Array<{ token: string; kind: string; props: Props }> = [
            {
                token: "kubernetes:apps/v1:DeploymentPatch",
                kind: "DeploymentPatch",
                props: {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata: { name: "checkout" },
                    spec: { template: { spec: { containers: [{ name: "api", image: TAGGED }] } } },
                },
            },
            {
                token: "kubernetes:core/v1:PodPatch",
                kind: "PodPatch",
                props: { apiVersion: "v1", kind: "Pod", metadata: { name: "checkout" }, spec: { containers: [{ name: "api", image: TAGGED }] } },
            },
            {
                token: "kubernetes:batch/v1:CronJobPatch",
                kind: "CronJobPatch",
                props: {
                    apiVersion: "batch/v1",
                    kind: "CronJob",
                    metadata: { name: "checkout" },
                    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "api", image: TAGGED }] } } } } },
                },
            },
        ];
        for (const patch of patches) {
            it(`${patch.token} that sets only a tagged image: only workload-image-pinned fires, nothing is called missing`, async function () {
                const result = await analyze(patch.token, patch.props);
                assertDiagnostics(result, [["workload-image-pinned", "mandatory", `${patch.kind} "${NAME}", container "api": image "${TAGGED}" is not pinned by digest.`]]);
                for (const d of result.diagnostics) {
                    assert.doesNotMatch(d.message, /not set|missing/, d.message);
                }
                const runsToCompletion = patch.kind === "CronJobPatch"
                    ? [{ policyName: "workload-probes", reason: "CronJob pods run to completion; probes are only required for long-running workloads" }]
                    : [];
                assertNotApplicable(result, patch.token, runsToCompletion);
            });
        }

        it("a DeploymentPatch that sets only a pinned image passes", async function () {
            const props = { spec: { template: { spec: { containers: [{ name: "api", image: IMAGE }] } } } };
            const result = await analyze("kubernetes:apps/v1:DeploymentPatch", props);
            assertDiagnostics(result, []);
            assertNotApplicable(result, "kubernetes:apps/v1:DeploymentPatch");
        });

        it("a DeploymentPatch still reports what it sets wrongly", async function () {
            const props = {
                spec: {
                    template: {
                        spec: {
                            securityContext: { sysctls: [{ name: "vm.swappiness", value: "10" }] },
                            containers: [{ name: "api", image: IMAGE, resources: { limits: { memory: "512m" } }, securityContext: { runAsUser: 0 } }],
                        },
                    },
                },
            };
            assertDiagnostics(await analyze("kubernetes:apps/v1:DeploymentPatch", props), [
                ["workload-resources", "mandatory", `DeploymentPatch "${NAME}", container "api": resources.limits.memory is "512m": the "m" suffix means milli`],
                ["workload-sysctls", "mandatory", `DeploymentPatch "${NAME}", pod securityContext.sysctls: vm.swappiness is a node-level sysctl`],
                ["workload-run-as-non-root", "mandatory", `DeploymentPatch "${NAME}", container "api": runAsUser is 0 (root).`],
            ]);
        });
    });

    describe("exemptions", function () {
        const noProbes = () =>
            podSpecWith((_spec, c) => {
                delete c.livenessProbe;
                delete c.readinessProbe;
                delete c.startupProbe;
            });

        it("skip with a reason: workload-probes not applicable with that reason, the other policies still run", async function () {
            const spec = noProbes();
            spec.containers[0].image = TAGGED;
            const props = workload("Deployment", spec, {
                "go-service-guard.dev/skip": "workload-probes",
                "go-service-guard.dev/skip-reason": "batch worker without HTTP",
            });
            const result = await analyze(DEPLOYMENT, props);
            assertDiagnostics(result, [["workload-image-pinned", "mandatory", `${LABEL}, container "api": image "${TAGGED}" is not pinned by digest.`]]);
            assertNotApplicable(result, DEPLOYMENT, [
                { policyName: "workload-probes", reason: "exempted by annotation go-service-guard.dev/skip: batch worker without HTTP" },
            ]);
        });

        it("skip naming several policies exempts each of them", async function () {
            const spec = noProbes();
            spec.containers[0].image = TAGGED;
            const props = workload("Deployment", spec, {
                "go-service-guard.dev/skip": "workload-image-pinned, workload-probes",
                "go-service-guard.dev/skip-reason": "batch worker without HTTP",
            });
            const result = await analyze(DEPLOYMENT, props);
            assertDiagnostics(result, []);
            assertNotApplicable(result, DEPLOYMENT, [
                { policyName: "workload-probes", reason: "exempted by annotation go-service-guard.dev/skip: batch worker without HTTP" },
                { policyName: "workload-image-pinned", reason: "exempted by annotation go-service-guard.dev/skip: batch worker without HTTP" },
            ]);
        });

        for (const [title, annotations] of [
            ["without a reason", { "go-service-guard.dev/skip": "workload-probes" }],
            ["with a blank reason", { "go-service-guard.dev/skip": "workload-probes", "go-service-guard.dev/skip-reason": "   " }],
        ] as const) {
            it(`skip ${title}: the probe violations are reported and say the exemption is ignored`, async function () {
                const result = await analyze(DEPLOYMENT, workload("Deployment", noProbes(), { ...annotations }));
                assertDiagnostics(
                    result,
                    ["livenessProbe", "readinessProbe", "startupProbe"].map((field): Expected => ["workload-probes", "mandatory", `${LABEL}, container "api": ${field} is not set.`]),
                );
                for (const d of result.diagnostics) {
                    assert.match(d.message, /go-service-guard\.dev\/skip names workload-probes but is ignored/, d.message);
                    assert.match(d.message, /go-service-guard\.dev\/skip-reason/, d.message);
                }
                assertNotApplicable(result);
            });
        }
    });

    describe("hostile input never crashes the pack", function () {
        const crashReport = /could not evaluate/;

        async function analyzeHostile(props: Props): Promise<AnalyzeResult> {
            const result = await analyze(DEPLOYMENT, props);
            for (const d of result.diagnostics) {
                assert.doesNotMatch(d.message, crashReport, `a rule failed instead of judging the input: ${d.message}`);
            }
            assertNotApplicable(result);
            return result;
        }

        it("containers is a string (beside a sysctls entry that is null)", async function () {
            const spec = goPodSpec();
            spec.containers = "api";
            spec.securityContext.sysctls.push(null);
            const result = await analyzeHostile(workload("Deployment", spec));
            const cannot = (policy: string) =>
                [policy, "mandatory", `${LABEL}: ${policy} cannot check this resource: spec.template.spec.containers is "api", not a list of containers.`] as Expected;
            assertDiagnostics(result, [
                cannot("workload-resources"),
                cannot("workload-gomemlimit"),
                cannot("workload-sysctls"),
                ["workload-sysctls", "mandatory", `${LABEL}, pod securityContext.sysctls: entry 1 is null, not {name, value}.`],
                cannot("workload-probes"),
                cannot("workload-image-pinned"),
                cannot("workload-run-as-non-root"),
            ]);
        });

        it("env is a number", async function () {
            const result = await analyzeHostile(deploymentWith((_spec, c) => (c.env = 460)));
            assertDiagnostics(result, [["workload-gomemlimit", "mandatory", `${LABEL}, container "api": GOMEMLIMIT is not set.`]]);
        });

        it("resources.limits.memory is an object", async function () {
            const result = await analyzeHostile(deploymentWith((_spec, c) => (c.resources.limits.memory = { value: "512Mi" })));
            assertDiagnostics(result, [
                ["workload-resources", "mandatory", `${LABEL}, container "api": resources.limits.memory is {"value":"512Mi"}, which is not a valid quantity`],
            ]);
        });

        it("sysctls contains null", async function () {
            const result = await analyzeHostile(deploymentWith((spec) => spec.securityContext.sysctls.push(null)));
            assertDiagnostics(result, [["workload-sysctls", "mandatory", `${LABEL}, pod securityContext.sysctls: entry 1 is null, not {name, value}.`]]);
        });

        it("all of them at once, plus junk in other fields", async function () {
            const spec = goPodSpec();
            spec.securityContext.sysctls = [null, { name: 7, value: [] }];
            spec.initContainers = [
                null,
                42,
                {
                    name: "migrate",
                    image: 5,
                    env: 460,
                    resources: { requests: { cpu: [], memory: "64Mi" }, limits: { memory: { value: "512Mi" } } },
                    securityContext: "root",
                },
            ];
            spec.containers[0].livenessProbe = "yes";
            spec.containers[0].ports = "http";
            const result = await analyzeHostile(workload("Deployment", spec, { "go-service-guard.dev/skip": 5 as unknown as string }));
            const init = `${LABEL}, init container "migrate"`;
            const cannot = (policy: string) =>
                [
                    policy,
                    "mandatory",
                    `${LABEL}: ${policy} cannot check this resource: spec.template.spec.initContainers[0] is null, not a container; spec.template.spec.initContainers[1] is 42, not a container.`,
                ] as Expected;
            assertDiagnostics(result, [
                cannot("workload-resources"),
                ["workload-resources", "mandatory", `${init}: resources.requests.cpu is [], which is not a valid quantity`],
                ["workload-resources", "mandatory", `${init}: resources.limits.memory is {"value":"512Mi"}, which is not a valid quantity`],
                cannot("workload-gomemlimit"),
                cannot("workload-sysctls"),
                ["workload-sysctls", "mandatory", `${LABEL}, pod securityContext.sysctls: entry 0 is null, not {name, value}.`],
                ["workload-sysctls", "mandatory", `${LABEL}, pod securityContext.sysctls: 7 is not a valid sysctl name.`],
                cannot("workload-probes"),
                ["workload-probes", "mandatory", `${LABEL}, container "api": livenessProbe is "yes", not a probe.`],
                ["workload-probes", "mandatory", `${LABEL}, container "api": readinessProbe.httpGet.port is the name "http", which no containerPort declares.`],
                ["workload-probes", "mandatory", `${LABEL}, container "api": startupProbe.httpGet.port is the name "http", which no containerPort declares.`],
                cannot("workload-image-pinned"),
                ["workload-image-pinned", "mandatory", `${init}: image 5 is not a valid image reference`],
                cannot("workload-run-as-non-root"),
            ]);
        });

        it("the pack still answers normally afterwards", async function () {
            assertDiagnostics(await analyze(DEPLOYMENT, workload()), []);
            assert.deepStrictEqual((await pack.getAnalyzerInfo()).policies.map((p) => p.name), POLICIES);
        });
    });
});
