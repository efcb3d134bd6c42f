import * as assert from "assert";
import rule from "../../../policies/workload/gomemlimit";
import { deploymentWith, KINDS, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = KINDS.Deployment.token;
const C = 'container "api"';

function setEnv(c: Props, name: string, entry: Props | undefined) {
    c.env = c.env.filter((e: Props) => e.name !== name);
    if (entry) {
        c.env.push({ name, ...entry });
    }
}

function check(change: (spec: Props, c: Props) => void, config: Record<string, unknown> = {}) {
    return summaries(rule, DEPLOYMENT, deploymentWith(change), config);
}

const limitRef = (divisor?: string) => ({ valueFrom: { resourceFieldRef: { resource: "limits.memory", ...(divisor ? { divisor } : {}) } } });

describe("workload-gomemlimit", () => {
    it("passes the compliant Go service (460MiB of 512Mi)", async () => {
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, workload()), []);
    });

    it("requires GOMEMLIMIT", async () => {
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", undefined)), [`${C}: GOMEMLIMIT is not set`]);
    });

    for (const [value, reason] of [
        ["400Mi", "Kubernetes-style suffixes are not understood; write 400MiB"],
        ["400M", "decimal units (K, M, G, KB, MB, ...) are not understood; use B, KiB, MiB, GiB or TiB"],
        ["0.4GiB", "fractions are not understood; use a whole number of bytes, KiB, MiB, GiB or TiB"],
    ]) {
        it(`reports ${value}, which crashes the Go runtime at start`, async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value })), [
                `${C}: GOMEMLIMIT is "${value}", which the Go runtime cannot parse: ${reason}`,
            ]);
        });
    }

    it("reports off and empty values as no limit", async () => {
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "off" })), [`${C}: GOMEMLIMIT is "off", which sets no limit`]);
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "" })), [`${C}: GOMEMLIMIT is "", which sets no limit`]);
    });

    it("uses the last GOMEMLIMIT entry, as the kubelet does", async () => {
        assert.deepStrictEqual(await check((_, c) => c.env.unshift({ name: "GOMEMLIMIT", value: "400Mi" })), []);
        assert.deepStrictEqual(await check((_, c) => c.env.push({ name: "GOMEMLIMIT", value: "1GiB" })), [
            `${C}: GOMEMLIMIT (set to "1GiB", 1Gi) is above resources.limits.memory (512Mi)`,
        ]);
    });

    it("keeps GOMEMLIMIT between minRatio and maxRatio of limits.memory", async () => {
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "500MiB" })), [
            `${C}: GOMEMLIMIT (set to "500MiB") is 97.7% of resources.limits.memory (512Mi), above the 95% maximum`,
        ]);
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "256MiB" })), [
            `${C}: GOMEMLIMIT (set to "256MiB") is only 50% of resources.limits.memory (512Mi), below the 70% minimum`,
        ]);
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "1GiB" })), [
            `${C}: GOMEMLIMIT (set to "1GiB", 1Gi) is above resources.limits.memory (512Mi)`,
        ]);
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "256MiB" }), { minRatio: 0.5 }), []);
        assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { value: "512MiB" }), { maxRatio: 1 }), []);
    });

    it("compares plain byte counts and decimal limits exactly", async () => {
        assert.deepStrictEqual(
            await check((_, c) => {
                c.resources.limits.memory = "1G";
                setEnv(c, "GOMEMLIMIT", { value: "900000000" });
            }),
            [],
        );
    });

    it("leaves a memory limit below 1Mi to workload-resources (no ratio can be met)", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.limits.memory = "512m")), []);
    });

    it("needs a memory limit to be soft against", async () => {
        assert.deepStrictEqual(await check((_, c) => delete c.resources.limits), [
            `${C}: GOMEMLIMIT is set to "460MiB" but resources.limits.memory is not set`,
        ]);
    });

    describe("downward API", () => {
        it("reports divisor 1 as no headroom unless allowDownwardApi", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", limitRef("1"))), [
                `${C}: GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1}, i.e. 100% of the memory limit`,
            ]);
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", limitRef())), [
                `${C}: GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1}, i.e. 100% of the memory limit`,
            ]);
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", limitRef("1")), { allowDownwardApi: true }), []);
        });

        it("reports any other divisor: Go reads the number as bytes", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", limitRef("1Mi")), { allowDownwardApi: true }), [
                `${C}: GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1Mi}: the kubelet writes the amount in units of 1Mi, and Go reads that number as bytes`,
            ]);
        });

        it("reports a downward API value without the resource set (node allocatable)", async () => {
            assert.deepStrictEqual(
                await check((_, c) => {
                    delete c.resources.limits;
                    setEnv(c, "GOMEMLIMIT", limitRef("1"));
                }),
                [`${C}: GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1} but the container does not set limits.memory`],
            );
        });

        it("judges requests.memory through the downward API by its ratio", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { valueFrom: { resourceFieldRef: { resource: "requests.memory" } } })), [
                `${C}: GOMEMLIMIT (taken from valueFrom.resourceFieldRef {resource: requests.memory, divisor: 1} (268435456 bytes)) is only 50% of resources.limits.memory (512Mi), below the 70% minimum`,
            ]);
        });

        it("expands $(VAR) from earlier entries, including a 1Mi downward API value followed by MiB", async () => {
            assert.deepStrictEqual(
                await check((_, c) => {
                    setEnv(c, "GOMEMLIMIT", undefined);
                    c.env.unshift({ name: "MEM_MI", ...limitRef("1Mi") });
                    c.env.push({ name: "GOMEMLIMIT", value: "$(MEM_MI)MiB" });
                }, { allowDownwardApi: true }),
                [],
            );
            assert.deepStrictEqual(
                await check((_, c) => {
                    setEnv(c, "GOMEMLIMIT", undefined);
                    c.env.unshift({ name: "MEM_MI", ...limitRef("1Mi") });
                    c.env.push({ name: "GOMEMLIMIT", value: "$(MEM_MI)MiB" });
                }),
                [`${C}: GOMEMLIMIT (set to "$(MEM_MI)MiB" (expands to "512MiB")) is 100% of resources.limits.memory (512Mi), above the 95% maximum`],
            );
            assert.deepStrictEqual(
                await check((_, c) => {
                    setEnv(c, "GOMEMLIMIT", undefined);
                    c.env.push({ name: "GOMEMLIMIT", value: "$(LIMIT)MiB" });
                    c.env.push({ name: "LIMIT", value: "460" });
                }),
                [`${C}: GOMEMLIMIT is "$(LIMIT)MiB", which the Go runtime cannot parse: the value must be a whole number optionally followed by B, KiB, MiB, GiB or TiB`],
            );
        });
    });

    describe("values the policy cannot see", () => {
        it("reports envFrom and ConfigMap/Secret references unless allowIndirect", async () => {
            const fromEnvFrom = (_: Props, c: Props) => {
                setEnv(c, "GOMEMLIMIT", undefined);
                c.envFrom = [{ configMapRef: { name: "go-runtime" } }];
            };
            assert.deepStrictEqual(await check(fromEnvFrom), [
                `${C}: GOMEMLIMIT is not in env; it may be set through envFrom, which this policy cannot read`,
            ]);
            assert.deepStrictEqual(await check(fromEnvFrom, { allowIndirect: true }), []);
            const fromConfigMap = (_: Props, c: Props) => setEnv(c, "GOMEMLIMIT", { valueFrom: { configMapKeyRef: { name: "go-runtime", key: "memlimit" } } });
            assert.deepStrictEqual(await check(fromConfigMap), [
                `${C}: GOMEMLIMIT comes from valueFrom.configMapKeyRef ("go-runtime", key "memlimit"), which this policy cannot read`,
            ]);
            assert.deepStrictEqual(await check(fromConfigMap, { allowIndirect: true }), []);
        });

        it("reports a fieldRef, which is never a byte count", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOMEMLIMIT", { valueFrom: { fieldRef: { fieldPath: "metadata.name" } } })), [
                `${C}: GOMEMLIMIT comes from valueFrom fieldRef, which is not a byte count`,
            ]);
        });
    });

    describe("GOGC", () => {
        it("allows off with a finite GOMEMLIMIT", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOGC", { value: "off" })), []);
        });

        it("reports off (or negative) without a finite GOMEMLIMIT", async () => {
            assert.deepStrictEqual(
                await check((_, c) => {
                    setEnv(c, "GOMEMLIMIT", undefined);
                    setEnv(c, "GOGC", { value: "off" });
                }),
                [`${C}: GOMEMLIMIT is not set`, `${C}: GOGC is "off" (garbage collection disabled) and no finite GOMEMLIMIT is set`],
            );
            assert.deepStrictEqual(
                await check((_, c) => {
                    setEnv(c, "GOMEMLIMIT", { value: "400Mi" });
                    setEnv(c, "GOGC", { value: "-1" });
                }),
                [
                    `${C}: GOMEMLIMIT is "400Mi", which the Go runtime cannot parse: Kubernetes-style suffixes are not understood; write 400MiB`,
                    `${C}: GOGC is "-1" (garbage collection disabled) and no finite GOMEMLIMIT is set`,
                ],
            );
        });

        it("reports a non-numeric value, which Go silently ignores", async () => {
            assert.deepStrictEqual(await check((_, c) => setEnv(c, "GOGC", { value: "50%" })), [
                `${C}: GOGC is "50%", which the Go runtime does not understand (it is not an integer or "off")`,
            ]);
        });
    });

    describe("which containers", () => {
        it("covers native sidecars but not ordinary init containers", async () => {
            assert.deepStrictEqual(
                await check((spec) => {
                    spec.initContainers = [
                        { name: "migrate", image: "ghcr.io/acme/migrate:1" },
                        { name: "proxy", image: "ghcr.io/acme/proxy:1", restartPolicy: "Always", resources: { limits: { memory: "64Mi" } } },
                    ];
                }),
                ['sidecar container "proxy": GOMEMLIMIT is not set'],
            );
        });

        it("selects containers by image globs, reading the image only when needed", async () => {
            const sidecar = (spec: Props) => spec.containers.push({ name: "envoy", image: "docker.io/envoyproxy/envoy:v1.30@sha256:" + "b".repeat(64) });
            assert.deepStrictEqual(await check(sidecar), ['container "envoy": GOMEMLIMIT is not set']);
            assert.deepStrictEqual(await check(sidecar, { images: ["ghcr.io/acme/**"] }), []);
            assert.deepStrictEqual(await check((_, c) => (c.image = UNKNOWN)), []);
            assert.strictEqual((await run(rule, DEPLOYMENT, deploymentWith((_, c) => (c.image = UNKNOWN)), { images: ["ghcr.io/acme/**"] })).kind, "unknown");
        });

        it("judges only what a Patch sets", async () => {
            const patch = { spec: { template: { spec: { containers: [{ name: "api" }, { name: "bad", env: [{ name: "GOMEMLIMIT", value: "1G" }] }] } } } };
            assert.deepStrictEqual(await summaries(rule, "kubernetes:apps/v1:DeploymentPatch", patch), [
                'container "bad": GOMEMLIMIT is "1G", which the Go runtime cannot parse: decimal units (K, M, G, KB, MB, ...) are not understood; use B, KiB, MiB, GiB or TiB',
            ]);
        });
    });

    it("reports a config whose minRatio is above its maxRatio once, not per container", async () => {
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, workload(), { minRatio: 0.9, maxRatio: 0.8 }), [
            "the policy config sets minRatio 0.9 above maxRatio 0.8",
        ]);
    });

    it("survives hostile env shapes", async () => {
        for (const change of [
            (_: Props, c: Props) => (c.env = 5),
            (_: Props, c: Props) => (c.env = [null, "GOMEMLIMIT", { name: "GOMEMLIMIT", value: 460 }]),
            (_: Props, c: Props) => (c.env = [{ name: "GOMEMLIMIT", valueFrom: "x" }]),
            (_: Props, c: Props) => (c.env = [{ name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: { x: 1 } } } }]),
            (_: Props, c: Props) => (c.env = [{ name: "A", value: "$(B)" }, { name: "B", value: "$(A)" }, { name: "GOMEMLIMIT", value: "$(A)$(B)" }]),
        ]) {
            assert.strictEqual((await run(rule, DEPLOYMENT, deploymentWith(change))).kind, "violations");
        }
    });

    it("formats the whole message with a suggested value", async () => {
        const { messages } = await runPolicy(rule, DEPLOYMENT, deploymentWith((_, c) => setEnv(c, "GOMEMLIMIT", { value: "400Mi" })));
        assert.deepStrictEqual(messages, [
            'Deployment "api", container "api": GOMEMLIMIT is "400Mi", which the Go runtime cannot parse: Kubernetes-style suffixes are not understood; write 400MiB. ' +
                'The Go runtime aborts at start with "malformed GOMEMLIMIT", so the container crash-loops. ' +
                "Fix: write a whole number with B, KiB, MiB, GiB or TiB (here: 400MiB).",
        ]);
    });

    it("expands chained $(VAR) references once each, in bounded time", async () => {
        const env = [{ name: "V0", value: "1" }];
        for (let i = 1; i <= 9; i++) {
            env.push({ name: `V${i}`, value: `$(V${i - 1})`.repeat(8) });
        }
        env.push({ name: "GOMEMLIMIT", value: "$(V9)".repeat(8) });
        const started = Date.now();
        const [summary] = await check((_, c) => (c.env = env));
        assert.match(summary, /GOMEMLIMIT .* which the Go runtime cannot parse: the number overflows a 64-bit integer/);
        assert.ok(Date.now() - started < 5000);
    });
});
