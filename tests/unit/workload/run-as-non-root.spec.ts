import * as assert from "assert";
import rule from "../../../policies/workload/run-as-non-root";
import { deploymentWith, IMAGE, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";
const API = 'container "api"';

/** A server-side-apply patch of the Deployment that sets only the given pod spec fields. */
function deploymentPatch(podSpec: Props): Props {
    return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { template: { spec: podSpec } } };
}

function check(props: Props, config: Record<string, unknown> = {}): Promise<string[]> {
    return summaries(rule, DEPLOYMENT, props, config);
}

describe("workload-run-as-non-root", () => {
    it("passes the compliant Go-service Deployment (pod runAsNonRoot true, runAsUser 65532)", async () => {
        assert.deepStrictEqual(await check(workload()), []);
    });

    describe("pod level", () => {
        it("passes pod-level runAsNonRoot true without a runAsUser", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => delete spec.securityContext.runAsUser)), []);
        });

        it("passes a pod-level runAsUser above 0 without runAsNonRoot", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => delete spec.securityContext.runAsNonRoot)), []);
        });

        it("reports a pod without any user settings", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => delete spec.securityContext)), [
                `${API}: neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)`,
            ]);
        });

        it("reports pod-level runAsNonRoot false without a runAsUser", async () => {
            const props = deploymentWith((spec) => (spec.securityContext = { runAsNonRoot: false }));
            assert.deepStrictEqual(await check(props), [`${API}: runAsNonRoot is false (from the pod) and runAsUser is not set`]);
        });

        it("reports a pod-level runAsUser 0 even with pod-level runAsNonRoot true", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.securityContext.runAsUser = 0))), [
                `${API}: runAsUser is 0 (root), inherited from the pod's securityContext while runAsNonRoot is true`,
            ]);
        });
    });

    describe("container level wins over pod level", () => {
        it("reports container runAsNonRoot false over pod runAsNonRoot true", async () => {
            const props = deploymentWith((spec, container) => {
                spec.securityContext = { runAsNonRoot: true };
                container.securityContext = { runAsNonRoot: false };
            });
            assert.deepStrictEqual(await check(props), [`${API}: runAsNonRoot is false and runAsUser is not set`]);
        });

        it("passes container runAsNonRoot false when the pod's runAsUser is above 0", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_spec, container) => (container.securityContext = { runAsNonRoot: false }))), []);
        });

        it("passes container runAsUser 1000 over pod runAsUser 0", async () => {
            const props = deploymentWith((spec, container) => {
                spec.securityContext.runAsUser = 0;
                container.securityContext = { runAsUser: 1000 };
            });
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports container runAsUser 0 with runAsNonRoot true", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_spec, container) => (container.securityContext = { runAsUser: 0 }))), [
                `${API}: runAsUser is 0 (root) while runAsNonRoot is true`,
            ]);
        });

        it("reports container runAsUser 0 and runAsNonRoot true set on the container", async () => {
            const props = deploymentWith((_spec, container) => (container.securityContext = { runAsNonRoot: true, runAsUser: 0 }));
            assert.deepStrictEqual(await check(props), [`${API}: runAsUser is 0 (root) while runAsNonRoot is true`]);
        });

        it("passes container runAsNonRoot true on a pod without user settings", async () => {
            const props = deploymentWith((spec, container) => {
                delete spec.securityContext;
                container.securityContext = { runAsNonRoot: true };
            });
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports container runAsUser 0 on a pod without user settings", async () => {
            const props = deploymentWith((spec, container) => {
                delete spec.securityContext;
                container.securityContext = { runAsUser: 0 };
            });
            assert.deepStrictEqual(await check(props), [`${API}: runAsUser is 0 (root)`]);
        });
    });

    describe("init containers", () => {
        it("passes an init container without settings that inherits the pod's", async () => {
            const props = deploymentWith((spec) => (spec.initContainers = [{ name: "migrate", image: IMAGE }]));
            assert.deepStrictEqual(await check(props), []);
        });

        it("reports an init container with runAsUser 0", async () => {
            const props = deploymentWith((spec) => (spec.initContainers = [{ name: "migrate", image: IMAGE, securityContext: { runAsUser: 0 } }]));
            assert.deepStrictEqual(await check(props), ['init container "migrate": runAsUser is 0 (root) while runAsNonRoot is true']);
        });

        it("reports both app and init containers when the pod has no user settings", async () => {
            const props = deploymentWith((spec) => {
                delete spec.securityContext;
                spec.initContainers = [{ name: "migrate", image: IMAGE }];
            });
            assert.deepStrictEqual(await check(props), [
                `${API}: neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)`,
                'init container "migrate": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
            ]);
        });

        it("reports a native sidecar with runAsNonRoot false over the pod's runAsNonRoot", async () => {
            const props = deploymentWith((spec) => {
                spec.securityContext = { runAsNonRoot: true };
                spec.initContainers = [{ name: "proxy", image: IMAGE, restartPolicy: "Always", securityContext: { runAsNonRoot: false } }];
            });
            assert.deepStrictEqual(await check(props), ['sidecar container "proxy": runAsNonRoot is false and runAsUser is not set']);
        });
    });

    describe("kinds", () => {
        it("does not apply to a Windows pod", async () => {
            const props = deploymentWith((spec) => (spec.os = { name: "windows" }));
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, props), {
                kind: "notApplicable",
                reason: "Windows pods run as a user name (windowsOptions.runAsUserName), not a numeric user",
            });
        });

        it("checks a pod whose os is linux", async () => {
            const props = deploymentWith((spec, container) => {
                spec.os = { name: "linux" };
                container.securityContext = { runAsUser: 0 };
            });
            assert.deepStrictEqual(await check(props), [`${API}: runAsUser is 0 (root) while runAsNonRoot is true`]);
        });

        it("checks a Job", async () => {
            const props = workload("Job", { containers: [{ name: "api", image: IMAGE }] });
            assert.deepStrictEqual(await summaries(rule, "kubernetes:batch/v1:Job", props), [
                `${API}: neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)`,
            ]);
        });
    });

    describe("DeploymentPatch", () => {
        it("passes a patch that sets no user settings", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", image: IMAGE }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), []);
        });

        it("reports a patch that sets container runAsUser 0", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", securityContext: { runAsUser: 0 } }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), [`${API}: runAsUser is 0 (root)`]);
        });

        it("reports a patch that sets pod runAsUser 0", async () => {
            const props = deploymentPatch({ securityContext: { runAsUser: 0 }, containers: [{ name: "api" }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), [`${API}: runAsUser is 0 (root), inherited from the pod's securityContext`]);
        });
    });

    describe("values unknown during preview", () => {
        it("is not stopped by an unknown image", async () => {
            const props = deploymentWith((_spec, container) => (container.image = UNKNOWN));
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, props), { kind: "violations", summaries: [], messages: [] });
        });

        // Skipped: the rule reads runAsNonRoot before it knows it needs it, so an unknown value stops it even with runAsUser 65532.
        it("passes an unknown pod runAsNonRoot when the runAsUser above 0 already decides", async () => {
            const props = deploymentWith((spec) => (spec.securityContext.runAsNonRoot = UNKNOWN));
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, props), { kind: "violations", summaries: [], messages: [] });
        });

        it("passes an unknown pod runAsUser when the container's runAsUser decides", async () => {
            const props = deploymentWith((spec, container) => {
                spec.securityContext.runAsUser = UNKNOWN;
                container.securityContext = { runAsUser: 1000 };
            });
            assert.deepStrictEqual(await run(rule, DEPLOYMENT, props), { kind: "violations", summaries: [], messages: [] });
        });

        it("cannot run when the effective runAsUser is unknown", async () => {
            const outcome = await run(rule, DEPLOYMENT, deploymentWith((spec) => (spec.securityContext.runAsUser = UNKNOWN)));
            assert.strictEqual(outcome.kind, "unknown");
        });
    });

    it("reports the full message for runAsUser 0 under runAsNonRoot through the policy", async () => {
        const props = deploymentWith((_spec, container) => (container.securityContext = { runAsUser: 0 }));
        const { messages, notApplicable } = await runPolicy(rule, DEPLOYMENT, props);
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'Deployment "api", container "api": runAsUser is 0 (root) while runAsNonRoot is true. ' +
                "The kubelet refuses to start a container whose user is root under runAsNonRoot (CreateContainerConfigError). " +
                "Fix: set runAsUser to a non-zero UID that the image supports (e.g. 65532) and runAsNonRoot: true.",
        ]);
    });

    describe("invalid values", () => {
        it("reports a negative or fractional runAsUser even with runAsNonRoot", async () => {
            assert.deepStrictEqual(await check(deploymentWith((spec) => (spec.securityContext.runAsUser = -1))), [
                'container "api": runAsUser is -1, inherited from the pod\'s securityContext, not a valid UID',
            ]);
            assert.deepStrictEqual(await check(deploymentWith((_spec, c) => (c.securityContext = { runAsUser: "1000" }))), [
                'container "api": runAsUser is "1000", not a valid UID',
            ]);
        });
    });
});
