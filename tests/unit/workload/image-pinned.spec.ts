import * as assert from "assert";
import rule from "../../../policies/workload/image-pinned";
import { deploymentWith, DIGEST, Props, workload } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";
const API = 'container "api"';

/** A server-side-apply patch of the Deployment that sets only the given pod spec fields. */
function deploymentPatch(podSpec: Props): Props {
    return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { template: { spec: podSpec } } };
}

/** The compliant Deployment with its container's image replaced. */
function withImage(image: unknown): Props {
    return deploymentWith((_spec, container) => (container.image = image));
}

function check(props: Props, config: Record<string, unknown> = {}): Promise<string[]> {
    return summaries(rule, DEPLOYMENT, props, config);
}

describe("workload-image-pinned", () => {
    it("passes the compliant Go-service Deployment (tag and digest)", async () => {
        assert.deepStrictEqual(await check(workload()), []);
    });

    describe("requireDigest (default true)", () => {
        it("passes an image pinned by digest without a tag", async () => {
            assert.deepStrictEqual(await check(withImage(`ghcr.io/acme/api@${DIGEST}`)), []);
        });

        it("reports an image with a tag only", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api:1.4.2")), [
                `${API}: image "ghcr.io/acme/api:1.4.2" is not pinned by digest`,
            ]);
        });

        it("reports an image without tag or digest", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api")), [`${API}: image "ghcr.io/acme/api" is not pinned by digest`]);
        });

        it("reports an image with the latest tag", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api:latest")), [
                `${API}: image "ghcr.io/acme/api:latest" is not pinned by digest`,
            ]);
        });

        it("reports a tagged image on a registry with a port", async () => {
            assert.deepStrictEqual(await check(withImage("registry.internal:5000/acme/api:1.4.2")), [
                `${API}: image "registry.internal:5000/acme/api:1.4.2" is not pinned by digest`,
            ]);
        });

        it("passes a docker.io short name pinned by digest", async () => {
            assert.deepStrictEqual(await check(withImage(`nginx@${DIGEST}`)), []);
        });
    });

    describe("requireDigest false", () => {
        const config = { requireDigest: false };

        it("passes an explicit tag", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api:1.4.2"), config), []);
        });

        it("passes a digest without a tag", async () => {
            assert.deepStrictEqual(await check(withImage(`ghcr.io/acme/api@${DIGEST}`), config), []);
        });

        it("reports the latest tag", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api:latest"), config), [
                `${API}: image "ghcr.io/acme/api:latest" uses the latest tag`,
            ]);
        });

        it("reports an untagged image", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/acme/api"), config), [`${API}: image "ghcr.io/acme/api" has no tag`]);
        });

        it("reports an untagged image on a registry with a port (the port is not a tag)", async () => {
            assert.deepStrictEqual(await check(withImage("localhost:5000/api"), config), [`${API}: image "localhost:5000/api" has no tag`]);
        });
    });

    describe("invalid and missing images", () => {
        it("reports an image reference with uppercase letters", async () => {
            assert.deepStrictEqual(await check(withImage("ghcr.io/Acme/API:1.4.2")), [
                `${API}: image "ghcr.io/Acme/API:1.4.2" is not a valid image reference (invalid reference format: repository name must be lowercase)`,
            ]);
        });

        it("reports a container without an image", async () => {
            assert.deepStrictEqual(await check(deploymentWith((_spec, container) => delete container.image)), [`${API}: image is not set`]);
        });

        it("reports a container whose image is an empty string", async () => {
            assert.deepStrictEqual(await check(withImage("")), [`${API}: image is not set`]);
        });
    });

    describe("init containers", () => {
        it("reports an init container image that is not pinned", async () => {
            const props = deploymentWith((spec) => (spec.initContainers = [{ name: "migrate", image: "ghcr.io/acme/migrate:1.0" }]));
            assert.deepStrictEqual(await check(props), ['init container "migrate": image "ghcr.io/acme/migrate:1.0" is not pinned by digest']);
        });

        it("reports a native sidecar image that is not pinned", async () => {
            const props = deploymentWith((spec) => (spec.initContainers = [{ name: "proxy", image: "envoyproxy/envoy:v1.31", restartPolicy: "Always" }]));
            assert.deepStrictEqual(await check(props), ['sidecar container "proxy": image "envoyproxy/envoy:v1.31" is not pinned by digest']);
        });

        it("passes an init container pinned by digest", async () => {
            const props = deploymentWith((spec) => (spec.initContainers = [{ name: "migrate", image: `ghcr.io/acme/migrate@${DIGEST}` }]));
            assert.deepStrictEqual(await check(props), []);
        });
    });

    describe("allowedRegistries", () => {
        it("passes an image whose registry host matches", async () => {
            assert.deepStrictEqual(await check(workload(), { allowedRegistries: ["ghcr.io"] }), []);
        });

        it("reports an image from a registry that is not listed", async () => {
            const props = withImage("ghcr.io/acme/api:1.4.2");
            assert.deepStrictEqual(await check(props, { requireDigest: false, allowedRegistries: ["registry.acme.dev", "quay.io"] }), [
                `${API}: image "ghcr.io/acme/api:1.4.2" comes from ghcr.io, which is not in allowedRegistries`,
            ]);
        });

        it("passes a host glob such as *.dkr.ecr.*.amazonaws.com", async () => {
            const props = withImage(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@${DIGEST}`);
            assert.deepStrictEqual(await check(props, { allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"] }), []);
        });

        it("passes a registry/repository glob with **", async () => {
            const props = withImage(`ghcr.io/acme/team/api@${DIGEST}`);
            assert.deepStrictEqual(await check(props, { allowedRegistries: ["ghcr.io/acme/**"] }), []);
        });

        it("reports an image outside a registry/repository glob", async () => {
            const props = withImage("ghcr.io/other/api:1.4.2");
            assert.deepStrictEqual(await check(props, { requireDigest: false, allowedRegistries: ["ghcr.io/acme/**"] }), [
                `${API}: image "ghcr.io/other/api:1.4.2" comes from ghcr.io, which is not in allowedRegistries`,
            ]);
        });

        it("does not let a single * cross a path segment", async () => {
            const props = withImage("ghcr.io/acme/team/api:1.4.2");
            assert.deepStrictEqual(await check(props, { requireDigest: false, allowedRegistries: ["ghcr.io/acme/*"] }), [
                `${API}: image "ghcr.io/acme/team/api:1.4.2" comes from ghcr.io, which is not in allowedRegistries`,
            ]);
        });

        it("treats a short name such as nginx@sha256:... as docker.io", async () => {
            assert.deepStrictEqual(await check(withImage(`nginx@${DIGEST}`), { allowedRegistries: ["docker.io"] }), []);
        });

        it("matches a short name against docker.io/library/**", async () => {
            assert.deepStrictEqual(await check(withImage(`nginx@${DIGEST}`), { allowedRegistries: ["docker.io/library/**"] }), []);
        });

        it("reports a short name when docker.io is not allowed", async () => {
            assert.deepStrictEqual(await check(withImage(`nginx@${DIGEST}`), { allowedRegistries: ["ghcr.io"] }), [
                `${API}: image "nginx@${DIGEST}" comes from docker.io, which is not in allowedRegistries`,
            ]);
        });

        it("passes a registry with a port", async () => {
            assert.deepStrictEqual(await check(withImage(`localhost:5000/api@${DIGEST}`), { allowedRegistries: ["localhost:5000"] }), []);
        });

        it("reports both an unpinned image and its registry", async () => {
            assert.deepStrictEqual(await check(withImage("quay.io/acme/api:1.4.2"), { allowedRegistries: ["ghcr.io"] }), [
                `${API}: image "quay.io/acme/api:1.4.2" is not pinned by digest`,
                `${API}: image "quay.io/acme/api:1.4.2" comes from quay.io, which is not in allowedRegistries`,
            ]);
        });
    });

    describe("values unknown during preview and patches", () => {
        it("cannot run when the image is unknown: nothing reported, and the SDK's advisory can't-run follows", async () => {
            const outcome = await run(rule, DEPLOYMENT, withImage(UNKNOWN));
            assert.strictEqual(outcome.kind, "violations");
            assert.deepStrictEqual((outcome as { summaries: string[] }).summaries, []);
            assert.match((outcome as { incomplete?: string }).incomplete ?? "", /can't be known during preview/);
        });

        it("passes a DeploymentPatch that does not set an image", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", env: [{ name: "GOGC", value: "100" }] }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), []);
        });

        it("reports a DeploymentPatch that sets an unpinned image", async () => {
            const props = deploymentPatch({ containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.3" }] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT_PATCH, props), [`${API}: image "ghcr.io/acme/api:1.4.3" is not pinned by digest`]);
        });
    });

    it("reports the full message for a tag-only image through the policy", async () => {
        const { messages, notApplicable } = await runPolicy(rule, DEPLOYMENT, withImage("ghcr.io/acme/api:1.4.2"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'Deployment "api", container "api": image "ghcr.io/acme/api:1.4.2" is not pinned by digest. ' +
                "The tag 1.4.2 can be moved to another image at any time, so nodes may run different code than was reviewed, and a rollback may not restore the old binary. " +
                "Fix: reference the image as ghcr.io/acme/api:1.4.2@sha256:<digest>.",
        ]);
    });

    it("suggests a version tag, not latest, in the fix", async () => {
        const { messages } = await runPolicy(rule, "kubernetes:apps/v1:Deployment", deploymentWith((_s, c) => (c.image = "ghcr.io/acme/api:latest")));
        assert.strictEqual(messages.length, 1);
        assert.ok(messages[0].endsWith("Fix: reference the image as ghcr.io/acme/api:<version>@sha256:<digest>."), messages[0]);
    });

    it("still reports a known image when another container's image is unknown during preview", async () => {
        const props = deploymentWith((spec, c) => {
            c.image = "ghcr.io/acme/api:latest";
            spec.initContainers = [{ name: "migrate", image: UNKNOWN }];
        });
        const outcome = await run(rule, "kubernetes:apps/v1:Deployment", props);
        assert.strictEqual(outcome.kind, "violations");
        assert.deepStrictEqual((outcome as { summaries: string[] }).summaries, ['container "api": image "ghcr.io/acme/api:latest" is not pinned by digest']);
        assert.match((outcome as { incomplete?: string }).incomplete ?? "", /can't be known during preview/);
    });

    it("rejects an upper-case sha256 digest as an invalid reference", async () => {
        const [summary] = await summaries(rule, "kubernetes:apps/v1:Deployment", deploymentWith((_s, c) => (c.image = `ghcr.io/acme/api@sha256:${"A".repeat(64)}`)));
        assert.match(summary, /is not a valid image reference \(invalid reference format: invalid digest format: a sha256 digest is 64 lowercase hex characters\)$/);
    });
});
