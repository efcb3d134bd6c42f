import * as assert from "assert";
import rule from "../../../policies/workload/resources";
import { deploymentWith, KINDS, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = KINDS.Deployment.token;
const C = 'container "api"';

function check(change: (spec: Props, c: Props) => void, config: Record<string, unknown> = {}) {
    return summaries(rule, DEPLOYMENT, deploymentWith(change), config);
}

describe("workload-resources", () => {
    it("passes the compliant Go service", async () => {
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, workload()), []);
    });

    it("reports every missing field of a container in one violation", async () => {
        assert.deepStrictEqual(await check((_, c) => delete c.resources), [
            `${C}: resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set`,
        ]);
    });

    it("reports a single missing field", async () => {
        assert.deepStrictEqual(await check((_, c) => delete c.resources.requests.cpu), [`${C}: resources.requests.cpu is not set`]);
        assert.deepStrictEqual(await check((_, c) => delete c.resources.limits), [`${C}: resources.limits.memory is not set`]);
    });

    it("treats null as not set", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = null)), [`${C}: resources.requests.memory is not set`]);
    });

    it("does not require limits.cpu unless requireCpuLimit is on", async () => {
        assert.deepStrictEqual(await check(() => undefined, { requireCpuLimit: true }), [`${C}: resources.limits.cpu is not set`]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.limits.cpu = "1"), { requireCpuLimit: true }), []);
    });

    it("checks init containers and native sidecars too", async () => {
        assert.deepStrictEqual(
            await check((spec) => {
                spec.initContainers = [
                    { name: "migrate", image: "x", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "64Mi" } } },
                    { name: "proxy", image: "y", restartPolicy: "Always" },
                ];
            }),
            ['sidecar container "proxy": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set'],
        );
    });

    it("reports the milli suffix on memory as a unit mistake", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.limits.memory = "512m")), [
            `${C}: resources.limits.memory is "512m": the "m" suffix means milli, so this is a fraction of a byte`,
        ]);
    });

    it("reports memory below 1Mi as a unit mistake", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = "512")), [
            `${C}: resources.requests.memory is "512", which is less than 1Mi`,
        ]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = 1048576)), []);
    });

    it("reports quantities Kubernetes cannot parse", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.limits.memory = "512MB")), [
            `${C}: resources.limits.memory is "512MB", which is not a valid quantity: "512MB" is not a Kubernetes quantity (a number with an optional suffix such as Mi, Gi, m or k)`,
        ]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.cpu = "2K")), [
            `${C}: resources.requests.cpu is "2K", which is not a valid quantity: "2K" uses "K"; Kubernetes only knows lowercase "k" (kilo) or "Ki" (kibi)`,
        ]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.cpu = "")), [
            `${C}: resources.requests.cpu is "", which is not a valid quantity: the quantity is an empty string`,
        ]);
    });

    it("reports negative and out-of-range quantities", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.cpu = "-1")), [`${C}: resources.requests.cpu is "-1", which is negative`]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.limits.memory = "16Ei")), [
            `${C}: resources.limits.memory is "16Ei", which is larger than Kubernetes can represent`,
        ]);
    });

    it("reports a request above its limit, comparing across units", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = "1Gi")), [
            `${C}: resources.requests.memory (1Gi) is above resources.limits.memory (512Mi)`,
        ]);
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = "512Mi")), []);
        assert.deepStrictEqual(await check((_, c) => (c.resources.requests.memory = "536870912")), []);
        assert.deepStrictEqual(
            await check((_, c) => {
                c.resources.requests.cpu = "1.5";
                c.resources.limits.cpu = "1000m";
            }),
            [`${C}: resources.requests.cpu (1.5) is above resources.limits.cpu (1000m)`],
        );
    });

    it("accepts quantities written as numbers, as YAML renders them", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.resources = { requests: { cpu: 0.25, memory: 268435456 }, limits: { memory: 536870912 } })), []);
    });

    it("judges only what a Patch sets", async () => {
        const patch = { spec: { template: { spec: { containers: [{ name: "api", resources: { limits: { memory: "512m" } } }, { name: "side" }] } } } };
        assert.deepStrictEqual(await summaries(rule, "kubernetes:apps/v1:DeploymentPatch", patch), [
            `${C}: resources.limits.memory is "512m": the "m" suffix means milli, so this is a fraction of a byte`,
        ]);
    });

    it("is not stopped by an unknown image", async () => {
        assert.deepStrictEqual(await check((_, c) => (c.image = UNKNOWN)), []);
    });

    it("waits (advisory can't-run) when a needed quantity is unknown during preview", async () => {
        const outcome = await run(rule, DEPLOYMENT, deploymentWith((_, c) => (c.resources.limits.memory = UNKNOWN)));
        assert.strictEqual(outcome.kind, "unknown");
    });

    it("survives hostile shapes without throwing", async () => {
        for (const change of [
            (_: Props, c: Props) => (c.resources = "lots"),
            (_: Props, c: Props) => (c.resources = { requests: [1, 2], limits: 5 }),
            (spec: Props) => (spec.containers = "api"),
            (spec: Props) => (spec.containers = [null, 7, "x"]),
            (_: Props, c: Props) => (c.resources.limits.memory = { value: "1Gi" }),
        ]) {
            const outcome = await run(rule, DEPLOYMENT, deploymentWith(change));
            assert.strictEqual(outcome.kind, "violations");
        }
    });

    it("formats the whole message: resource, container, value, why and fix", async () => {
        const { messages } = await runPolicy(rule, DEPLOYMENT, deploymentWith((_, c) => (c.resources.limits.memory = "512m")));
        assert.deepStrictEqual(messages, [
            'Deployment "api", container "api": resources.limits.memory is "512m": the "m" suffix means milli, so this is a fraction of a byte. ' +
                "A memory amount below one byte is a unit mistake; the container cannot be scheduled sensibly and is OOM-killed at once. " +
                'Fix: write "512Mi" (mebibytes) or "512M" (megabytes).',
        ]);
    });
});
