// The stand-in provider plugins of the end-to-end tests: their check must do what the real
// providers' Check does to the inputs the pack reads (README, "End-to-end tests").
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkImage, CheckError, defaultPlatform, provider as dockerProvider } from "../e2e/providers/docker";
import { check as checkK8s, MANAGED_BY, provider as k8sProvider } from "../e2e/providers/kubernetes";
import { UNKNOWN } from "../e2e/providers/common";

const DEPLOYMENT = "urn:pulumi:dev::proj::kubernetes:apps/v1:Deployment::api";

describe("end-to-end stand-in providers", function () {
    it("report the plugin versions the SDKs request", function () {
        assert.strictEqual(k8sProvider.version, "4.34.2");
        assert.strictEqual(dockerProvider.version, "5.2.0");
    });

    describe("kubernetes check", function () {
        it("autonames <name>-<8 hex> and keeps given, unknown and earlier names", function () {
            const named = checkK8s(DEPLOYMENT, {}, { spec: {} }, {});
            assert.match((named.metadata as { name: string }).name, /^api-[0-9a-f]{8}$/);
            assert.deepStrictEqual(checkK8s(DEPLOYMENT, {}, { metadata: { name: "x" } }, {}).metadata, { name: "x" });
            assert.deepStrictEqual(checkK8s(DEPLOYMENT, {}, { metadata: { name: UNKNOWN } }, {}).metadata, { name: UNKNOWN });
            const olds = { metadata: { name: "api-0123abcd" } };
            assert.deepStrictEqual(checkK8s(DEPLOYMENT, olds, { metadata: {} }, {}).metadata, { name: "api-0123abcd" });
            const patch = "urn:pulumi:dev::proj::kubernetes:apps/v1:DeploymentPatch::api";
            assert.deepStrictEqual(checkK8s(patch, {}, { metadata: {} }, {}), { metadata: {} });
        });

        it("adds the managed-by label only under Client-Side Apply", function () {
            const ssa = checkK8s(DEPLOYMENT, {}, { metadata: { name: "x", labels: { a: "b" } } }, {});
            assert.deepStrictEqual((ssa.metadata as { labels: unknown }).labels, { a: "b" });
            const csa = checkK8s(DEPLOYMENT, {}, { metadata: { name: "x", labels: { a: "b" } } }, { PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY: "false" });
            assert.deepStrictEqual((csa.metadata as { labels: unknown }).labels, { a: "b", [MANAGED_BY]: "pulumi" });
        });
    });

    describe("docker.Image check", function () {
        let dir: string;
        before(function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-standin-"));
            fs.mkdirSync(path.join(dir, "app"));
            fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM scratch\n");
            fs.writeFileSync(path.join(dir, "app", "main.go"), "package main\n");
            fs.writeFileSync(path.join(dir, "Dockerfile.other"), "FROM scratch\n");
        });
        after(function () {
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("defaults the Dockerfile to the cleaned join of the context, platform and buildOnPreview", function () {
            const out = checkImage({ imageName: "r/x:1", build: { context: "./app" } }, dir, "arm64");
            const build = out.build as Record<string, unknown>;
            assert.strictEqual(build.context, "./app");
            assert.strictEqual(build.dockerfile, "app/Dockerfile");
            assert.strictEqual(build.platform, "linux/arm64");
            assert.match(String(build.contextDigest), /^[0-9a-f]{64}$/);
            assert.strictEqual(out.buildOnPreview, false);
            assert.strictEqual(defaultPlatform("x64"), "linux/amd64");
        });

        it("keeps a set Dockerfile verbatim, relative to the program directory, and fails Check when it is missing", function () {
            const out = checkImage({ build: { context: "app", dockerfile: "./Dockerfile.other", platform: "linux/amd64" } }, dir);
            assert.strictEqual((out.build as Record<string, unknown>).dockerfile, "./Dockerfile.other");
            assert.strictEqual((out.build as Record<string, unknown>).platform, "linux/amd64");
            assert.throws(() => checkImage({ build: { context: "app", dockerfile: "Dockerfile" } }, dir), (e: unknown) =>
                e instanceof CheckError && /Try setting dockerfile to "app\/Dockerfile"/.test(e.message));
        });

        it("gives no build the default context and Dockerfile, and unknown values no defaults", function () {
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
            const out = checkImage({ imageName: "r/x:1" }, dir, "x64");
            assert.deepStrictEqual({ ...(out.build as object), contextDigest: undefined }, { dockerfile: "Dockerfile", context: ".", platform: "linux/amd64", contextDigest: undefined });
            const unknown = checkImage({ build: { context: UNKNOWN } }, dir, "x64");
            assert.strictEqual((unknown.build as Record<string, unknown>).dockerfile, undefined);
            assert.strictEqual((unknown.build as Record<string, unknown>).contextDigest, undefined);
        });
    });
});
