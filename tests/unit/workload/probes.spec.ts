import * as assert from "assert";
import rule from "../../../policies/workload/probes";
import { deploymentWith, goContainer, goPodSpec, IMAGE, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";
const API = 'container "api"';

/** A server-side-apply patch of the Deployment that sets only the given pod spec fields. */
function deploymentPatch(podSpec: Props): Props {
    return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { template: { spec: podSpec } } };
}

/** The compliant Deployment with a native sidecar (restartPolicy Always) built from `sidecar`. */
function withSidecar(sidecar: Props): Props {
    return deploymentWith((spec) => {
        spec.initContainers = [{ name: "proxy", image: IMAGE, restartPolicy: "Always", ...sidecar }];
    });
}

function check(props: Props, config: Record<string, unknown> = {}): Promise<string[]> {
    return summaries(rule, DEPLOYMENT, props, config);
}

describe("workload-probes", () => {
    it("passes the compliant Go-service Deployment", async () => {
        assert.deepStrictEqual(await check(workload()), []);
    });

    describe("which workloads", () => {
        for (const kind of ["StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod", "PodTemplate"]) {
            it(`checks a ${kind}`, async () => {
                const spec = goPodSpec();
                delete spec.containers[0].readinessProbe;
                const token = { Pod: "kubernetes:core/v1:Pod", PodTemplate: "kubernetes:core/v1:PodTemplate", ReplicationController: "kubernetes:core/v1:ReplicationController" }[kind] ?? `kubernetes:apps/v1:${kind}`;
                assert.deepStrictEqual(await summaries(rule, token, workload(kind, spec)), [`${API}: readinessProbe is not set`]);
            });
        }

        it("does not apply to a Job", async () => {
            const spec = goPodSpec();
            delete spec.containers[0].livenessProbe;
            assert.deepStrictEqual(await run(rule, "kubernetes:batch/v1:Job", workload("Job", spec)), {
                kind: "notApplicable",
                reason: "Job pods run to completion; probes are only required for long-running workloads",
            });
        });

        it("does not apply to a CronJob", async () => {
            const spec = goPodSpec();
            delete spec.containers[0].livenessProbe;
            assert.deepStrictEqual(await run(rule, "kubernetes:batch/v1:CronJob", workload("CronJob", spec)), {
                kind: "notApplicable",
                reason: "CronJob pods run to completion; probes are only required for long-running workloads",
            });
        });
    });

    describe("required probes", () => {
        it("reports a missing livenessProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => delete c.livenessProbe)), [`${API}: livenessProbe is not set`]);
        });

        it("reports a missing readinessProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => delete c.readinessProbe)), [`${API}: readinessProbe is not set`]);
        });

        it("reports a missing startupProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => delete c.startupProbe)), [`${API}: startupProbe is not set`]);
        });

        it("reports a null probe as missing", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = null))), [`${API}: readinessProbe is not set`]);
        });

        it("reports every missing probe of a container without probes, in order", async () => {
            const props = deploymentWith((_s, c) => {
                delete c.livenessProbe;
                delete c.readinessProbe;
                delete c.startupProbe;
            });
            assert.deepStrictEqual(await check(props), [
                `${API}: livenessProbe is not set`,
                `${API}: readinessProbe is not set`,
                `${API}: startupProbe is not set`,
            ]);
        });

        it("reports each app container separately", async () => {
            const props = deploymentWith((spec) => {
                const second = goContainer();
                second.name = "worker";
                delete second.readinessProbe;
                spec.containers.push(second);
            });
            assert.deepStrictEqual(await check(props), ['container "worker": readinessProbe is not set']);
        });

        it("requires only the probes listed in `required`", async () => {
            const props = deploymentWith((_s, c) => {
                delete c.livenessProbe;
                delete c.startupProbe;
            });
            assert.deepStrictEqual(await check(props, { required: ["readiness"] }), []);
        });

        it("reports a probe listed in `required` when it is missing", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => delete c.readinessProbe), { required: ["readiness"] }), [
                `${API}: readinessProbe is not set`,
            ]);
        });

        it("requires nothing when `required` is empty", async () => {
            const props = deploymentWith((_s, c) => {
                delete c.livenessProbe;
                delete c.readinessProbe;
                delete c.startupProbe;
            });
            assert.deepStrictEqual(await check(props, { required: [] }), []);
        });
    });

    describe("liveness identical to readiness", () => {
        it("reports httpGet probes on the same path and port", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/livez", port: "http" } }))), [
                `${API}: livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:8080/livez)`,
            ]);
        });

        it("reports a named port and a numeric port that resolve to the same containerPort", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/livez", port: 8080 } }))), [
                `${API}: livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:8080/livez)`,
            ]);
        });

        it("ignores timing when comparing handlers", async () => {
            const props = deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/livez", port: "http" }, periodSeconds: 3, timeoutSeconds: 2 }));
            assert.deepStrictEqual(await check(props), [
                `${API}: livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:8080/livez)`,
            ]);
        });

        it("passes httpGet probes on different paths", async () => {
            assert.deepStrictEqual(await check(workload()), []);
        });

        it("passes httpGet probes on the same path but different ports", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/livez", port: 9090 } }))), []);
        });

        it("reports tcpSocket probes on the same port (named and numeric)", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { tcpSocket: { port: "http" } };
                c.readinessProbe = { tcpSocket: { port: 8080 } };
            });
            assert.deepStrictEqual(await check(props), [`${API}: livenessProbe and readinessProbe use the same handler (tcpSocket <pod IP>:8080)`]);
        });

        it("passes tcpSocket probes on different ports", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { tcpSocket: { port: "http" } };
                c.readinessProbe = { tcpSocket: { port: "grpc" } };
            });
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports exec probes with the same command", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { exec: { command: ["/healthcheck", "-live"] } };
                c.readinessProbe = { exec: { command: ["/healthcheck", "-live"] } };
            });
            assert.deepStrictEqual(await check(props), [
                `${API}: livenessProbe and readinessProbe use the same handler (exec ["/healthcheck","-live"])`,
            ]);
        });

        it("passes exec probes with different commands", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { exec: { command: ["/healthcheck", "-live"] } };
                c.readinessProbe = { exec: { command: ["/healthcheck", "-ready"] } };
            });
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports grpc probes on the same port and service", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { grpc: { port: 9090, service: "api" } };
                c.readinessProbe = { grpc: { port: 9090, service: "api" } };
            });
            assert.deepStrictEqual(await check(props), [
                `${API}: livenessProbe and readinessProbe use the same handler (grpc port 9090 service api)`,
            ]);
        });

        it("reports grpc probes on the same port without a service", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { grpc: { port: 9090 } };
                c.readinessProbe = { grpc: { port: 9090 } };
            });
            assert.deepStrictEqual(await check(props), [`${API}: livenessProbe and readinessProbe use the same handler (grpc port 9090)`]);
        });

        it("passes grpc probes on the same port with different services", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { grpc: { port: 9090, service: "liveness" } };
                c.readinessProbe = { grpc: { port: 9090, service: "readiness" } };
            });
            assert.deepStrictEqual(await check(props), []);
        });

        it("passes different handler types on the same port", async () => {
            const props = deploymentWith((_s, c) => {
                c.livenessProbe = { tcpSocket: { port: "http" } };
                c.readinessProbe = { httpGet: { path: "/", port: "http" } };
            });
            assert.deepStrictEqual(await check(props), []);
        });
    });

    describe("probe ports", () => {
        it("reports an httpGet port name that no containerPort declares", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe = { httpGet: { path: "/livez", port: "metrics" } }))), [
                `${API}: livenessProbe.httpGet.port is the name "metrics", which no containerPort declares`,
            ]);
        });

        it("reports a tcpSocket port name that no containerPort declares", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { tcpSocket: { port: "admin" } }))), [
                `${API}: readinessProbe.tcpSocket.port is the name "admin", which no containerPort declares`,
            ]);
        });

        it("reports a named port on a container that declares no ports", async () => {
            const props = deploymentWith((_s, c) => delete c.ports);
            assert.deepStrictEqual(await check(props), [
                `${API}: livenessProbe.httpGet.port is the name "http", which no containerPort declares`,
                `${API}: readinessProbe.httpGet.port is the name "http", which no containerPort declares`,
                `${API}: startupProbe.httpGet.port is the name "http", which no containerPort declares`,
            ]);
        });

        it("passes a numeric probe port", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/readyz", port: 8080 } }))), []);
        });

        it("reports a grpc probe whose port is a string", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe = { grpc: { port: "grpc" } }))), [
                `${API}: livenessProbe.grpc.port is "grpc"`,
            ]);
        });

        it("reports a grpc probe whose port is a numeric string", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { grpc: { port: "9090" } }))), [
                `${API}: readinessProbe.grpc.port is "9090"`,
            ]);
        });

        it("passes a grpc probe with a numeric port", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { grpc: { port: 9090 } }))), []);
        });
    });

    describe("successThreshold", () => {
        it("reports successThreshold 2 on the livenessProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe.successThreshold = 2))), [
                `${API}: livenessProbe.successThreshold is 2`,
            ]);
        });

        it("reports successThreshold 2 on the startupProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.startupProbe.successThreshold = 2))), [
                `${API}: startupProbe.successThreshold is 2`,
            ]);
        });

        it("passes successThreshold 2 on the readinessProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe.successThreshold = 2))), []);
        });

        // Skipped: Kubernetes defaults successThreshold 0 to 1 (SetDefaults_Probe), but the rule reports the 0.
        it("passes successThreshold 0 on the livenessProbe (Kubernetes defaults it to 1)", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe.successThreshold = 0))), []);
        });

        it("passes an explicit successThreshold 1 on the livenessProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe.successThreshold = 1))), []);
        });
    });

    describe("startup budget", () => {
        it("passes a startupProbe with Kubernetes defaults (0 + 3 × 10 = 30s) at the default minStartupSeconds", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.startupProbe = { httpGet: { path: "/livez", port: "http" } }))), []);
        });

        it("reports a startupProbe with failureThreshold 2 (0 + 2 × 10 = 20s)", async () => {
            const props = deploymentWith((_s, c) => (c.startupProbe = { httpGet: { path: "/livez", port: "http" }, failureThreshold: 2 }));
            assert.deepStrictEqual(await check(props), [
                `${API}: startupProbe allows 20s to start (initialDelaySeconds 0 + failureThreshold 2 × periodSeconds 10), less than 30s`,
            ]);
        });

        // Skipped: Kubernetes defaults failureThreshold 0 to 3 and periodSeconds 0 to 10 (SetDefaults_Probe); the rule counts them as 0.
        it("applies Kubernetes defaults to failureThreshold 0 and periodSeconds 0 (0 + 3 × 10 = 30s)", async () => {
            const props = deploymentWith((_s, c) => (c.startupProbe = { httpGet: { path: "/livez", port: "http" }, failureThreshold: 0, periodSeconds: 0 }));
            assert.deepStrictEqual(await check(props), []);
        });

        it("counts initialDelaySeconds in the budget", async () => {
            const props = deploymentWith((_s, c) => (c.startupProbe = { httpGet: { path: "/livez", port: "http" }, failureThreshold: 2, initialDelaySeconds: 10 }));
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports the compliant startupProbe (60s) against minStartupSeconds 120", async () => {
            assert.deepStrictEqual(await check(workload(), { minStartupSeconds: 120 }), [
                `${API}: startupProbe allows 60s to start (initialDelaySeconds 0 + failureThreshold 30 × periodSeconds 2), less than 120s`,
            ]);
        });

        it("passes a liveness budget of 30s when startup is not required and there is no startupProbe", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => delete c.startupProbe), { required: ["liveness", "readiness"] }), []);
        });

        it("uses the liveness budget when startup is not required and there is no startupProbe", async () => {
            const props = deploymentWith((_s, c) => {
                delete c.startupProbe;
                c.livenessProbe.failureThreshold = 2;
            });
            assert.deepStrictEqual(await check(props, { required: ["liveness", "readiness"] }), [
                `${API}: livenessProbe allows 20s to start (initialDelaySeconds 0 + failureThreshold 2 × periodSeconds 10), less than 30s`,
            ]);
        });

        it("judges the startupProbe, not the livenessProbe, when both are set", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe.failureThreshold = 1))), []);
        });
    });

    describe("handlers", () => {
        it("reports a probe with no handler", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe = { periodSeconds: 5 }))), [
                `${API}: livenessProbe has no handler`,
            ]);
        });

        it("reports a probe with two handlers", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: { path: "/readyz", port: "http" }, tcpSocket: { port: "http" } }))), [
                `${API}: readinessProbe has 2 handlers (httpGet, tcpSocket)`,
            ]);
        });
    });

    describe("init containers", () => {
        it("does not require probes on a native sidecar", async () => {
            assert.deepStrictEqual(await check(withSidecar({})), []);
        });

        it("reports a native sidecar's wrong probe", async () => {
            assert.deepStrictEqual(await check(withSidecar({ livenessProbe: { tcpSocket: { port: 15000 }, successThreshold: 2 } })), [
                'sidecar container "proxy": livenessProbe.successThreshold is 2',
            ]);
        });

        it("reports a native sidecar whose liveness and readiness are identical", async () => {
            const probe = { httpGet: { path: "/healthz", port: 15021 } };
            assert.deepStrictEqual(await check(withSidecar({ livenessProbe: probe, readinessProbe: probe })), [
                'sidecar container "proxy": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:15021/healthz)',
            ]);
        });

        it("ignores an ordinary init container, even with wrong probes", async () => {
            const props = deploymentWith((spec) => {
                spec.initContainers = [{ name: "migrate", image: IMAGE, livenessProbe: { grpc: { port: "grpc" }, successThreshold: 2 } }];
            });
            assert.deepStrictEqual(await check(props), []);
        });
    });

    describe("DeploymentPatch", () => {
        it("never reports a missing probe", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", image: IMAGE }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), []);
        });

        it("reports a startupProbe budget that the patch sets too short", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", startupProbe: { httpGet: { path: "/livez", port: 8080 }, failureThreshold: 2 } }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), [
                `${API}: startupProbe allows 20s to start (initialDelaySeconds 0 + failureThreshold 2 × periodSeconds 10), less than 30s`,
            ]);
        });

        // Skipped: the rule takes the startupProbe a patch does not set as absent and judges the liveness budget instead.
        it("does not judge the liveness budget of a patch that does not set a startupProbe", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", livenessProbe: { httpGet: { path: "/livez", port: 8080 }, failureThreshold: 1 } }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), []);
        });

        it("reports a wrong probe that the patch sets", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", readinessProbe: { grpc: { port: "grpc" } } }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), [`${API}: readinessProbe.grpc.port is "grpc"`]);
        });
    });

    describe("values unknown during preview", () => {
        it("is not stopped by an unknown image", async () => {
            const props = deploymentWith((_s, c) => {
                c.image = UNKNOWN;
                delete c.readinessProbe;
            });
            const outcome = await run(rule, DEPLOYMENT, props);
            assert.strictEqual(outcome.kind, "violations");
            assert.deepStrictEqual(outcome.kind === "violations" && outcome.summaries, [`${API}: readinessProbe is not set`]);
        });

        it("cannot run when a probe path it compares is unknown", async () => {
            const outcome = await run(rule, DEPLOYMENT, deploymentWith((_s, c) => (c.readinessProbe.httpGet.path = UNKNOWN)));
            assert.strictEqual(outcome.kind, "unknown");
        });
    });

    it("reports the full message for an undeclared probe port through the policy", async () => {
        const props = deploymentWith((_s, c) => (c.livenessProbe = { httpGet: { path: "/livez", port: "metrics" } }));
        const { messages, notApplicable } = await runPolicy(rule, DEPLOYMENT, props);
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'Deployment "api", container "api": livenessProbe.httpGet.port is the name "metrics", which no containerPort declares. ' +
                "The kubelet cannot resolve the port, so the probe fails every time and the container is never ready (or is restarted forever). " +
                "Fix: use one of the declared port names (http, grpc) or a port number.",
        ]);
    });

    describe("malformed probes", () => {
        it("reports a probe that is not an object, and does not also call it missing", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.livenessProbe = "yes"))), ['container "api": livenessProbe is "yes", not a probe']);
        });

        it("reports a handler that is not an object", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_s, c) => (c.readinessProbe = { httpGet: "y" }))), ['container "api": readinessProbe.httpGet is "y", not an object']);
        });
    });
});
