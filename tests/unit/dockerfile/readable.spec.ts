import * as assert from "assert";
import rule from "../../../policies/dockerfile/readable";
import nonroot from "../../../policies/dockerfile/nonroot";
import { GO_DOCKERFILE, TYPES, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileOutcome, dockerfileSummaries } from "../dockerfile-helpers";
import { run } from "../helpers";

const WHERE = "inline Dockerfile";

function check(dockerfile: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra);
}

describe("dockerfile-readable", () => {
    it("passes the compliant multi-stage Go Dockerfile", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    it("passes a target that names a stage (any case)", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE, { target: "BUILD" }), []);
    });

    it("passes heredocs, continuations and the escape directive", async () => {
        const text = ["# escape=`", "FROM alpine:3.20", "RUN <<EOT", "FROM nothing", "EOT", "RUN apk add `", "    tzdata", "USER 65532"].join("\n");
        assert.deepStrictEqual(await check(text), []);
    });

    it("reports a Dockerfile with no FROM", async () => {
        assert.deepStrictEqual(await check("ARG GO_VERSION=1.23\n"), [
            `${WHERE}: the Dockerfile does not parse: no FROM instruction: there is nothing to build`,
        ]);
    });

    it("reports an empty Dockerfile", async () => {
        assert.deepStrictEqual(await check(""), [`${WHERE}: the Dockerfile does not parse: no FROM instruction: there is nothing to build`]);
    });

    it("reports an unknown instruction with its line", async () => {
        assert.deepStrictEqual(await check(withLine(7, "RUNN go mod download")), [`${WHERE}: the Dockerfile does not parse: line 7: unknown instruction RUNN`]);
    });

    it("reports an instruction before the first FROM", async () => {
        assert.deepStrictEqual(await check(withLine(1, "ENV CGO_ENABLED=0")), [
            `${WHERE}: the Dockerfile does not parse: line 1: ENV before the first FROM (only ARG may come first)`,
        ]);
    });

    it("reports a target that is not a stage", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE, { target: "release" }), [`${WHERE}: target stage "release" is not defined (stages: build, 1)`]);
    });

    it("is not applicable to a RemoteImage that builds nothing", async () => {
        const outcome = await run(rule, TYPES.remoteImage, { name: "ghcr.io/acme/api:1.4.2", keepLocally: true });
        assert.deepStrictEqual(outcome, { kind: "notApplicable", reason: 'nothing local to read: it pulls "ghcr.io/acme/api:1.4.2" and builds nothing' });
    });

    it("is not applicable to resources that are not image builds", async () => {
        const outcome = await run(rule, "kubernetes:apps/v1:Deployment", { metadata: { name: "api" } });
        assert.strictEqual(outcome.kind, "notApplicable");
    });

    it("leaves the other Dockerfile policies not applicable, pointing here", async () => {
        assert.deepStrictEqual(await dockerfileOutcome(nonroot, withLine(7, "RUNN go mod download")), {
            kind: "notApplicable",
            reason: "the Dockerfile could not be read or resolved (the Dockerfile does not parse: line 7: unknown instruction RUNN); dockerfile-readable reports it",
        });
    });

    it("reports the full message through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, withLine(7, "RUNN go mod download"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'docker-build.Image "api-image", inline Dockerfile: the Dockerfile does not parse: line 7: unknown instruction RUNN. ' +
                "None of the Dockerfile policies can check this image, and the build itself will fail. " +
                "Fix: correct the inline Dockerfile text (or the build target).",
        ]);
    });
});
