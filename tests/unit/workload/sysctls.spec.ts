import * as assert from "assert";
import rule from "../../../policies/workload/sysctls";
import { deploymentWith, IMAGE, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";
const WHERE = "pod securityContext.sysctls";

/** The compliant Deployment with one more sysctl in its pod securityContext. */
function withSysctl(name: unknown, value: unknown = "1"): Props {
    return deploymentWith((spec) => spec.securityContext.sysctls.push({ name, value }));
}

/** The compliant Deployment whose only sysctl is the given one. */
function onlySysctl(name: unknown, value: unknown = "1"): Props {
    return deploymentWith((spec) => {
        spec.securityContext.sysctls = [{ name, value }];
    });
}

/** A server-side-apply patch of the Deployment that sets only the given pod spec fields. */
function deploymentPatch(podSpec: Props): Props {
    return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { template: { spec: podSpec } } };
}

function check(props: Props, config: Record<string, unknown> = {}): Promise<string[]> {
    return summaries(rule, DEPLOYMENT, props, config);
}

describe("workload-sysctls", () => {
    it("passes the compliant Go-service Deployment", async () => {
        assert.deepStrictEqual(await check(workload()), []);
    });

    it("passes a pod without any sysctls", async () => {
        assert.deepStrictEqual(await check(deploymentWith((spec) => delete spec.securityContext.sysctls)), []);
    });

    describe("node-level sysctls", () => {
        for (const name of ["vm.swappiness", "fs.file-max", "kernel.pid_max"]) {
            it(`reports ${name} as node-level`, async () => {
                assert.deepStrictEqual(await check(withSysctl(name, "10")), [
                    `${WHERE}: ${name} is a node-level sysctl, not namespaced per pod`,
                ]);
            });
        }

        it("reports a node-level sysctl even when allowedUnsafeSysctls names it (the kubelet cannot allow it)", async () => {
            assert.deepStrictEqual(await check(withSysctl("vm.swappiness", "10"), { allowedUnsafeSysctls: ["vm.*", "vm.swappiness"] }), [
                `${WHERE}: vm.swappiness is a node-level sysctl, not namespaced per pod`,
            ]);
        });

        it("reports a node-level sysctl written with slashes under its written form", async () => {
            assert.deepStrictEqual(await check(withSysctl("vm/swappiness", "10")), [
                `${WHERE}: vm.swappiness (written vm/swappiness) is a node-level sysctl, not namespaced per pod`,
            ]);
        });
    });

    describe("slash-separated names", () => {
        it("normalises net/ipv4/ip_local_port_range to a safe sysctl", async () => {
            assert.deepStrictEqual(await check(onlySysctl("net/ipv4/ip_local_port_range", "1024 65535")), []);
        });

        it("reports net/ipv4/ip_local_port_range with its written form when it fails (hostNetwork)", async () => {
            const props = deploymentWith((spec) => {
                spec.hostNetwork = true;
                spec.securityContext.sysctls = [{ name: "net/ipv4/ip_local_port_range", value: "1024 65535" }];
            });
            assert.deepStrictEqual(await check(props), [
                `${WHERE}: net.ipv4.ip_local_port_range (written net/ipv4/ip_local_port_range) is set while hostNetwork is true`,
            ]);
        });

        it("reports an unsafe sysctl written with slashes under its written form", async () => {
            assert.deepStrictEqual(await check(withSysctl("net/core/somaxconn", "4096")), [
                `${WHERE}: net.core.somaxconn (written net/core/somaxconn) is not in the kubelet's safe set for Kubernetes 1.32 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("matches a slash-form name against a dotted allowedUnsafeSysctls entry", async () => {
            assert.deepStrictEqual(await check(withSysctl("net/core/somaxconn", "4096"), { allowedUnsafeSysctls: ["net.core.somaxconn"] }), []);
        });
    });

    describe("unsafe namespaced sysctls", () => {
        it("reports net.core.somaxconn when allowedUnsafeSysctls is empty", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.core.somaxconn", "4096")), [
                `${WHERE}: net.core.somaxconn is not in the kubelet's safe set for Kubernetes 1.32 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("passes net.core.somaxconn when allowedUnsafeSysctls names it exactly", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.core.somaxconn", "4096"), { allowedUnsafeSysctls: ["net.core.somaxconn"] }), []);
        });

        it("passes net.core.somaxconn when allowedUnsafeSysctls has the pattern net.core.*", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.core.somaxconn", "4096"), { allowedUnsafeSysctls: ["net.core.*"] }), []);
        });

        it("reports net.core.somaxconn when allowedUnsafeSysctls only covers another prefix", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.core.somaxconn", "4096"), { allowedUnsafeSysctls: ["net.ipv4.*", "net.core.somaxconn_extra"] }), [
                `${WHERE}: net.core.somaxconn is not in the kubelet's safe set for Kubernetes 1.32 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("reports an unsafe IPC sysctl (kernel.msgmax)", async () => {
            assert.deepStrictEqual(await check(withSysctl("kernel.msgmax", "65536")), [
                `${WHERE}: kernel.msgmax is not in the kubelet's safe set for Kubernetes 1.32 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("passes the safe IPC sysctl kernel.shm_rmid_forced", async () => {
            assert.deepStrictEqual(await check(withSysctl("kernel.shm_rmid_forced", "1")), []);
        });
    });

    describe("safe sets per Kubernetes version", () => {
        it("reports net.ipv4.tcp_rmem at kubernetesVersion 1.31", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_rmem", "4096 87380 6291456"), { kubernetesVersion: "1.31" }), [
                `${WHERE}: net.ipv4.tcp_rmem is not in the kubelet's safe set for Kubernetes 1.31 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("passes net.ipv4.tcp_rmem at kubernetesVersion 1.32", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_rmem", "4096 87380 6291456"), { kubernetesVersion: "1.32" }), []);
        });

        it("passes net.ipv4.tcp_rmem at the default kubernetesVersion", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_rmem", "4096 87380 6291456")), []);
        });

        it("reports the fixture's net.ipv4.tcp_keepalive_time at kubernetesVersion 1.28", async () => {
            assert.deepStrictEqual(await check(workload(), { kubernetesVersion: "1.28" }), [
                `${WHERE}: net.ipv4.tcp_keepalive_time is not in the kubelet's safe set for Kubernetes 1.28 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("passes net.ipv4.tcp_keepalive_time at kubernetesVersion v1.29.3", async () => {
            assert.deepStrictEqual(await check(workload(), { kubernetesVersion: "v1.29.3" }), []);
        });

        it("reports net.ipv4.tcp_notsent_lowat at kubernetesVersion 1.32", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_notsent_lowat", "16384"), { kubernetesVersion: "1.32" }), [
                `${WHERE}: net.ipv4.tcp_notsent_lowat is not in the kubelet's safe set for Kubernetes 1.32 and not in allowedUnsafeSysctls`,
            ]);
        });

        it("passes net.ipv4.tcp_notsent_lowat at kubernetesVersion 1.37", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_notsent_lowat", "16384"), { kubernetesVersion: "1.37" }), []);
        });
    });

    describe("host namespaces", () => {
        it("reports a net.* sysctl when hostNetwork is true", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.hostNetwork = true))), [
                `${WHERE}: net.ipv4.tcp_keepalive_time is set while hostNetwork is true`,
            ]);
        });

        it("passes net.* sysctls when hostNetwork is false", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.hostNetwork = false))), []);
        });

        it("passes the fixture's net.* sysctl when hostIPC is true", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.hostIPC = true))), []);
        });

        const ipc = ["kernel.shm_rmid_forced", "kernel.shmmax", "kernel.sem", "fs.mqueue.msg_max"];
        for (const name of ipc) {
            it(`reports the IPC sysctl ${name} when hostIPC is true`, async () => {
                const props = deploymentWith((spec) => {
                    spec.hostIPC = true;
                    spec.securityContext.sysctls.push({ name, value: "1" });
                });
                assert.deepStrictEqual(await check(props, { allowedUnsafeSysctls: ["kernel.shm*", "kernel.sem", "fs.mqueue.*"] }), [
                    `${WHERE}: ${name} is set while hostIPC is true`,
                ]);
            });
        }

        it("passes an IPC sysctl when hostNetwork is true", async () => {
            const props = deploymentWith((spec) => {
                spec.hostNetwork = true;
                spec.securityContext.sysctls = [{ name: "kernel.shm_rmid_forced", value: "1" }];
            });
            assert.deepStrictEqual(await check(props), []);
        });
    });

    describe("duplicates and invalid names", () => {
        it("reports a sysctl set twice", async () => {
            assert.deepStrictEqual(await check(withSysctl("net.ipv4.tcp_keepalive_time", "120")), [
                `${WHERE}: net.ipv4.tcp_keepalive_time is set more than once`,
            ]);
        });

        it("reports a duplicate written with slashes", async () => {
            assert.deepStrictEqual(await check(withSysctl("net/ipv4/tcp_keepalive_time", "120")), [
                `${WHERE}: net.ipv4.tcp_keepalive_time (written net/ipv4/tcp_keepalive_time) is set more than once`,
            ]);
        });

        const invalid: Array<[string, unknown, string]> = [
            ["an uppercase name", "Net.Core.Somaxconn", `"Net.Core.Somaxconn" is not a valid sysctl name`],
            ["an empty segment", "net..core.somaxconn", `"net..core.somaxconn" is not a valid sysctl name`],
            ["a trailing dot", "net.core.", `"net.core." is not a valid sysctl name`],
            ["an empty name", "", `"" is not a valid sysctl name`],
            ["a number as name", 42, "42 is not a valid sysctl name"],
            ["a name longer than 253 characters", `net.${"a".repeat(250)}`, `"net.${"a".repeat(192)}... is not a valid sysctl name`],
        ];
        for (const [label, name, what] of invalid) {
            it(`reports ${label}`, async () => {
                assert.deepStrictEqual(await check(withSysctl(name)), [`${WHERE}: ${what}`]);
            });
        }
    });

    describe("requiredSysctls", () => {
        it("reports a required sysctl that is not set", async () => {
            assert.deepStrictEqual(await check(workload(), { requiredSysctls: { "net.core.somaxconn": ">=4096" } }), [
                `${WHERE}: required sysctl net.core.somaxconn is not set (required: >=4096)`,
            ]);
        });

        it("reports a required sysctl that is not set on a pod without sysctls", async () => {
            const props = deploymentWith((spec) => delete spec.securityContext.sysctls);
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.tcp_keepalive_time": "60" } }), [
                `${WHERE}: required sysctl net.ipv4.tcp_keepalive_time is not set (required: 60)`,
            ]);
        });

        const comparisons: Array<[string, boolean]> = [
            [">=60", true],
            [">=30", true],
            [">=120", false],
            ["<=60", true],
            ["<=300", true],
            ["<=30", false],
            ["=60", true],
            ["=120", false],
            ["60", true],
            ["120", false],
        ];
        for (const [requirement, passes] of comparisons) {
            it(`${passes ? "passes" : "reports"} tcp_keepalive_time "60" against ${JSON.stringify(requirement)}`, async () => {
                const expected = passes
                    ? []
                    : [`${WHERE}: net.ipv4.tcp_keepalive_time is "60", which does not satisfy the required ${JSON.stringify(requirement)}`];
                assert.deepStrictEqual(await check(workload(), { requiredSysctls: { "net.ipv4.tcp_keepalive_time": requirement } }), expected);
            });
        }

        it("compares \"4096\" with \">=4096\" as numbers (equal passes)", async () => {
            const props = withSysctl("net.core.somaxconn", "4096");
            assert.deepStrictEqual(await check(props, { allowedUnsafeSysctls: ["net.core.somaxconn"], requiredSysctls: { "net.core.somaxconn": ">=4096" } }), []);
        });

        it("compares \"10000\" with \">=4096\" as numbers, not as text", async () => {
            const props = withSysctl("net.core.somaxconn", "10000");
            assert.deepStrictEqual(await check(props, { allowedUnsafeSysctls: ["net.core.somaxconn"], requiredSysctls: { "net.core.somaxconn": ">=4096" } }), []);
        });

        it("reports \"512\" against \">=4096\"", async () => {
            const props = withSysctl("net.core.somaxconn", "512");
            assert.deepStrictEqual(await check(props, { allowedUnsafeSysctls: ["net.core.somaxconn"], requiredSysctls: { "net.core.somaxconn": ">=4096" } }), [
                `${WHERE}: net.core.somaxconn is "512", which does not satisfy the required ">=4096"`,
            ]);
        });

        it("compares a plain numeric value as a number (\"0060\" equals \"60\")", async () => {
            const props = onlySysctl("net.ipv4.tcp_keepalive_time", "0060");
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.tcp_keepalive_time": "60" } }), []);
        });

        it("passes a multi-value sysctl equal to the required \"1024 65535\"", async () => {
            const props = withSysctl("net.ipv4.ip_local_port_range", "1024 65535");
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.ip_local_port_range": "1024 65535" } }), []);
        });

        it("passes a multi-value sysctl that separates its values with a tab", async () => {
            const props = withSysctl("net.ipv4.ip_local_port_range", "1024\t65535");
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.ip_local_port_range": "1024 65535" } }), []);
        });

        it("reports a multi-value sysctl that differs from the required \"1024 65535\"", async () => {
            const props = withSysctl("net.ipv4.ip_local_port_range", "32768 60999");
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.ip_local_port_range": "1024 65535" } }), [
                `${WHERE}: net.ipv4.ip_local_port_range is "32768 60999", which does not satisfy the required "1024 65535"`,
            ]);
        });

        it("finds a required sysctl that the pod writes with slashes", async () => {
            const props = onlySysctl("net/ipv4/tcp_keepalive_time", "60");
            assert.deepStrictEqual(await check(props, { requiredSysctls: { "net.ipv4.tcp_keepalive_time": ">=60" } }), []);
        });

        it("accepts a requiredSysctls key written with slashes", async () => {
            assert.deepStrictEqual(await check(workload(), { requiredSysctls: { "net/ipv4/tcp_keepalive_time": "60" } }), []);
        });

        it("does not report a missing required sysctl on a DeploymentPatch that sets no sysctls", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", image: IMAGE }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props, { requiredSysctls: { "net.core.somaxconn": ">=4096" } }), []);
        });

        it("reports a DeploymentPatch that sets a required sysctl to a failing value", async () => {
            const props = deploymentPatch({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }] } });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props, { requiredSysctls: { "net.ipv4.tcp_keepalive_time": "<=300" } }), [
                `${WHERE}: net.ipv4.tcp_keepalive_time is "600", which does not satisfy the required "<=300"`,
            ]);
        });
    });

    describe("values unknown during preview", () => {
        it("passes a sysctl whose value is unknown when no requirement needs that value", async () => {
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, onlySysctl("net.ipv4.tcp_keepalive_time", UNKNOWN)), {
                kind: "violations",
                summaries: [],
                messages: [],
            });
        });

        it("passes an unknown value when requiredSysctls needs a different sysctl that is set", async () => {
            const props = withSysctl("net.ipv4.tcp_fin_timeout", UNKNOWN);
            const outcome = await run(rule, DEPLOYMENT, props, { requiredSysctls: { "net.ipv4.tcp_keepalive_time": "60" } });
            assert.deepStrictEqual(outcome, { kind: "violations", summaries: [], messages: [] });
        });

        it("cannot run when requiredSysctls needs the unknown value", async () => {
            const outcome = await run(rule, DEPLOYMENT, onlySysctl("net.ipv4.tcp_keepalive_time", UNKNOWN), {
                requiredSysctls: { "net.ipv4.tcp_keepalive_time": ">=60" },
            });
            assert.strictEqual(outcome.kind, "unknown");
        });

        it("is not stopped by an unknown container image", async () => {
            const props = deploymentWith((_spec, container) => (container.image = UNKNOWN));
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, props), { kind: "violations", summaries: [], messages: [] });
        });
    });

    it("reports the full message for a node-level sysctl through the policy", async () => {
        const { messages, notApplicable } = await runPolicy(rule, DEPLOYMENT, withSysctl("vm.swappiness", "10"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'Deployment "api", pod securityContext.sysctls: vm.swappiness is a node-level sysctl, not namespaced per pod. ' +
                "The kubelet refuses the pod (SysctlForbidden) and no kubelet setting can allow it, so the pods fail and are recreated forever. " +
                "Fix: remove it from the pod and tune vm.swappiness on the nodes (node image, machine config or a privileged node DaemonSet).",
        ]);
    });

    describe("malformed lists", () => {
        it("reports sysctls that are not a list, and entries that are not objects", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.securityContext.sysctls = { name: "vm.swappiness", value: "10" }))), [
                'pod securityContext.sysctls: the field is {"name":"vm.swappiness","value":"10"}, not a list of {name, value}',
            ]);
            assert.deepStrictEqual(await check(deploymentWith((spec) => spec.securityContext.sysctls.push(null, "net.core.somaxconn"))), [
                "pod securityContext.sysctls: entry 1 is null, not {name, value}",
                'pod securityContext.sysctls: entry 2 is "net.core.somaxconn", not {name, value}',
            ]);
        });
    });
});
