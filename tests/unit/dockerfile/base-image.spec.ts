import * as assert from "assert";
import rule from "../../../policies/dockerfile/base-image";
import { BUILDER, GO_DOCKERFILE, RUNTIME, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileOutcome, dockerfileSummaries } from "../dockerfile-helpers";

const DIGEST = `sha256:${"a".repeat(64)}`;
const at = (line: number) => `inline Dockerfile line ${line}`;
const BUILD_FROM = 'FROM in stage "build" (line 3)';
const FINAL_FROM = "FROM in stage 1 (line 11)";

function check(dockerfile: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra, config);
}

/** GO_DOCKERFILE with the final stage's FROM (line 11) replaced. */
const finalFrom = (image: string) => withLine(11, `FROM ${image}`);
/** GO_DOCKERFILE with the builder image (the ARG default on line 2) replaced. */
const builder = (image: string) => withLine(2, `ARG GO_IMAGE=${image}`);

describe("dockerfile-base-image", () => {
    it("passes the compliant multi-stage Go Dockerfile", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("allowedBaseImages (final stage)", () => {
        it("reports a final stage on alpine, even pinned", async () => {
            assert.deepStrictEqual(await check(finalFrom(`alpine:3.20@${DIGEST}`)), [
                `${at(11)}: the final stage builds on alpine:3.20@${DIGEST}, which is not in allowedBaseImages`,
            ]);
        });

        it("reports a final stage on the builder image (golang)", async () => {
            assert.deepStrictEqual(await check(finalFrom(BUILDER)), [`${at(11)}: the final stage builds on ${BUILDER}, which is not in allowedBaseImages`]);
        });

        const allowed = [
            "scratch",
            `gcr.io/distroless/static-debian12@${DIGEST}`,
            `gcr.io/distroless/static-debian12:debug-nonroot@${DIGEST}`,
            `gcr.io/distroless/base-debian12:nonroot@${DIGEST}`,
            `cgr.dev/chainguard/static@${DIGEST}`,
            `cgr.dev/chainguard/static:latest@${DIGEST}`,
            `cgr.dev/chainguard/glibc-dynamic:latest@${DIGEST}`,
        ];
        for (const image of allowed) {
            it(`passes ${image.replace(DIGEST, "<digest>")} as the final base`, async () => {
                assert.deepStrictEqual(await check(finalFrom(image)), []);
            });
        }

        it("reports a distroless flavour outside the default globs (cc)", async () => {
            assert.deepStrictEqual(await check(finalFrom(`gcr.io/distroless/cc-debian12:nonroot@${DIGEST}`)), [
                `${at(11)}: the final stage builds on gcr.io/distroless/cc-debian12:nonroot@${DIGEST}, which is not in allowedBaseImages`,
            ]);
        });

        it("uses a configured list instead of the defaults", async () => {
            const config = { allowedBaseImages: ["ghcr.io/acme/*"] };
            assert.deepStrictEqual(await check(finalFrom(`ghcr.io/acme/runtime:1.0@${DIGEST}`), {}, config), []);
            assert.deepStrictEqual(await check(finalFrom("scratch"), {}, config), [`${at(11)}: the final stage builds on scratch, which is not in allowedBaseImages`]);
        });

        it("judges the stage a target selects, not the last one", async () => {
            assert.deepStrictEqual(await check(GO_DOCKERFILE, { target: "build" }), [
                `${at(3)}: the final stage builds on ${BUILDER}, which is not in allowedBaseImages`,
            ]);
        });

        it("judges the base a named context puts behind FROM <name>", async () => {
            const named = { context: { location: ".", named: { base: { location: `docker-image://alpine@${DIGEST}` } } } };
            assert.deepStrictEqual(await check(finalFrom("base"), named), [
                `${at(11)}: the final stage builds on alpine@${DIGEST}, which is not in allowedBaseImages`,
            ]);
        });

        it("passes an allowed image supplied through a named context", async () => {
            const named = { context: { location: ".", named: { base: { location: `docker-image://${RUNTIME}` } } } };
            assert.deepStrictEqual(await check(finalFrom("base"), named), []);
        });

        it("follows FROM <stage> to the image at the root of the final stage", async () => {
            const text = GO_DOCKERFILE.replace(`FROM ${RUNTIME}`, `FROM alpine:3.20@${DIGEST} AS runtime\nFROM runtime`);
            assert.deepStrictEqual(await check(text), [`${at(11)}: the final stage builds on alpine:3.20@${DIGEST}, which is not in allowedBaseImages`]);
        });
    });

    describe("requireDigest (final stage, default true)", () => {
        it("reports a tag without digest", async () => {
            assert.deepStrictEqual(await check(finalFrom("gcr.io/distroless/static-debian12:nonroot")), [
                `${at(11)}: ${FINAL_FROM} pulls gcr.io/distroless/static-debian12:nonroot, which is not pinned by digest`,
            ]);
        });

        it("passes a tag without digest when off", async () => {
            assert.deepStrictEqual(await check(finalFrom("gcr.io/distroless/static-debian12:nonroot"), {}, { requireDigest: false }), []);
        });

        it("still reports the latest tag when off", async () => {
            assert.deepStrictEqual(await check(finalFrom("gcr.io/distroless/static-debian12:latest"), {}, { requireDigest: false }), [
                `${at(11)}: ${FINAL_FROM} pulls gcr.io/distroless/static-debian12:latest, the latest tag and no digest`,
            ]);
        });

        it("still reports an untagged image when off", async () => {
            assert.deepStrictEqual(await check(finalFrom("gcr.io/distroless/static-debian12"), {}, { requireDigest: false }), [
                `${at(11)}: ${FINAL_FROM} pulls gcr.io/distroless/static-debian12, with no tag and no digest`,
            ]);
        });

        it("passes latest when a digest pins it", async () => {
            assert.deepStrictEqual(await check(finalFrom(`cgr.dev/chainguard/static:latest@${DIGEST}`)), []);
        });

        it("reports both an unapproved and an unpinned final base", async () => {
            assert.deepStrictEqual(await check(finalFrom("alpine:3.20")), [
                `${at(11)}: the final stage builds on alpine:3.20, which is not in allowedBaseImages`,
                `${at(11)}: ${FINAL_FROM} pulls alpine:3.20, which is not pinned by digest`,
            ]);
        });

        it("is not governed by requireDigestForBuilders", async () => {
            assert.deepStrictEqual(await check(finalFrom("gcr.io/distroless/static-debian12:nonroot"), {}, { requireDigestForBuilders: false }), [
                `${at(11)}: ${FINAL_FROM} pulls gcr.io/distroless/static-debian12:nonroot, which is not pinned by digest`,
            ]);
        });
    });

    describe("requireDigestForBuilders (default true)", () => {
        it("reports a builder tag without digest", async () => {
            assert.deepStrictEqual(await check(builder("golang:1.23.4-bookworm")), [
                `${at(3)}: ${BUILD_FROM} pulls golang:1.23.4-bookworm, which is not pinned by digest`,
            ]);
        });

        it("passes a builder tag without digest when off", async () => {
            assert.deepStrictEqual(await check(builder("golang:1.23.4-bookworm"), {}, { requireDigestForBuilders: false }), []);
        });

        it("is not governed by requireDigest", async () => {
            assert.deepStrictEqual(await check(builder("golang:1.23.4-bookworm"), {}, { requireDigest: false }), [
                `${at(3)}: ${BUILD_FROM} pulls golang:1.23.4-bookworm, which is not pinned by digest`,
            ]);
        });

        it("still reports a latest builder when off", async () => {
            assert.deepStrictEqual(await check(builder("golang:latest"), {}, { requireDigest: false, requireDigestForBuilders: false }), [
                `${at(3)}: ${BUILD_FROM} pulls golang:latest, the latest tag and no digest`,
            ]);
        });

        it("still reports an untagged builder when off", async () => {
            assert.deepStrictEqual(await check(builder("golang"), {}, { requireDigest: false, requireDigestForBuilders: false }), [
                `${at(3)}: ${BUILD_FROM} pulls golang, with no tag and no digest`,
            ]);
        });

        it("reports the latest tag once, not also as unpinned", async () => {
            assert.deepStrictEqual(await check(builder("golang:latest")), [`${at(3)}: ${BUILD_FROM} pulls golang:latest, the latest tag and no digest`]);
        });

        it("judges the image a build arg puts in FROM", async () => {
            assert.deepStrictEqual(await check(GO_DOCKERFILE, { buildArgs: { GO_IMAGE: "golang:1.24" } }), [
                `${at(3)}: ${BUILD_FROM} pulls golang:1.24, which is not pinned by digest`,
            ]);
        });

        it("passes when a build arg pins what the default did not", async () => {
            assert.deepStrictEqual(await check(builder("golang:1.23.4-bookworm"), { buildArgs: { GO_IMAGE: BUILDER } }), []);
        });

        it("ignores a stage that does not feed the final stage", async () => {
            const text = GO_DOCKERFILE.replace("\nFROM gcr", "\nFROM golang:latest AS scratchpad\nRUN go version\nFROM gcr");
            assert.deepStrictEqual(await check(text), []);
        });

        it("ignores unpinned builder stages the target does not reach", async () => {
            const text = withLine(3, "FROM ${GO_IMAGE} AS build", "FROM debian:12 AS extra");
            assert.deepStrictEqual(await check(text, { target: "build" }), [`${at(3)}: the final stage builds on ${BUILDER}, which is not in allowedBaseImages`]);
        });

        it("judges the image a named context puts behind a builder FROM", async () => {
            const named = { context: { location: ".", named: { [BUILDER]: { location: "docker-image://golang:1.23" } } } };
            assert.deepStrictEqual(await check(GO_DOCKERFILE, named), [`${at(3)}: ${BUILD_FROM} pulls golang:1.23, which is not pinned by digest`]);
        });
    });

    describe("images pulled by COPY --from and RUN --mount (requireDigest covers every pull)", () => {
        it("reports COPY --from=<image> without digest", async () => {
            const text = withLine(13, "COPY --from=build /out/api /api", "COPY --from=busybox:1.36 /bin/busybox /busybox");
            assert.deepStrictEqual(await check(text), [`${at(14)}: COPY --from in stage 1 (line 11) pulls busybox:1.36, which is not pinned by digest`]);
        });

        it("passes COPY --from=<image> pinned by digest", async () => {
            const text = withLine(13, "COPY --from=build /out/api /api", `COPY --from=busybox:1.36@${DIGEST} /bin/busybox /busybox`);
            assert.deepStrictEqual(await check(text), []);
        });

        it("reports an untagged COPY --from=<image> even with digests off", async () => {
            const text = withLine(13, "COPY --from=build /out/api /api", "COPY --from=busybox /bin/busybox /busybox");
            assert.deepStrictEqual(await check(text, {}, { requireDigest: false, requireDigestForBuilders: false }), [
                `${at(14)}: COPY --from in stage 1 (line 11) pulls busybox, with no tag and no digest`,
            ]);
        });

        it("reports RUN --mount from=<image> without digest", async () => {
            const text = withLine(7, "RUN --mount=type=bind,from=ghcr.io/acme/tools:1.0,target=/tools go mod download");
            assert.deepStrictEqual(await check(text), [`${at(7)}: RUN --mount in stage "build" (line 3) pulls ghcr.io/acme/tools:1.0, which is not pinned by digest`]);
        });

        it("passes RUN --mount without from= (a cache mount)", async () => {
            assert.deepStrictEqual(await check(withLine(7, "RUN --mount=type=cache,target=/root/.cache/go-build go mod download")), []);
        });

        it("does not treat a stage name (any case) or index as an image", async () => {
            const text = withLine(13, "COPY --from=BUILD /out/api /api", "COPY --from=0 /etc/ssl/certs /etc/ssl/certs");
            assert.deepStrictEqual(await check(text), []);
        });

        it("does not treat RUN --mount from=<stage> as an image", async () => {
            assert.deepStrictEqual(await check(withLine(13, "COPY --from=build /out/api /api", "RUN --mount=type=bind,from=build,target=/b [\"/b/out/api\", \"selftest\"]")), []);
        });
    });

    describe("deniedBaseImages (default *alpine-glibc*, sgerrand/*)", () => {
        // The default glob `*alpine-glibc*` cannot match across the `/` of frolvlad/alpine-glibc, so the canonical image passes.
        it("reports frolvlad/alpine-glibc in a builder stage, even pinned", async () => {
            assert.deepStrictEqual(await check(builder(`frolvlad/alpine-glibc:alpine-3.17@${DIGEST}`)), [
                `${at(3)}: ${BUILD_FROM} pulls frolvlad/alpine-glibc:alpine-3.17@${DIGEST}, which matches deniedBaseImages`,
            ]);
        });

        // Same cause: only the allow-list finding appears for frolvlad/alpine-glibc as the final base.
        it("reports frolvlad/alpine-glibc as the final base as both unapproved and denied", async () => {
            assert.deepStrictEqual(await check(finalFrom(`frolvlad/alpine-glibc:alpine-3.17@${DIGEST}`)), [
                `${at(11)}: the final stage builds on frolvlad/alpine-glibc:alpine-3.17@${DIGEST}, which is not in allowedBaseImages`,
                `${at(11)}: ${FINAL_FROM} pulls frolvlad/alpine-glibc:alpine-3.17@${DIGEST}, which matches deniedBaseImages`,
            ]);
        });

        it("reports an sgerrand/ image in a builder stage, even pinned", async () => {
            assert.deepStrictEqual(await check(builder(`sgerrand/glibc:2.35@${DIGEST}`)), [
                `${at(3)}: ${BUILD_FROM} pulls sgerrand/glibc:2.35@${DIGEST}, which matches deniedBaseImages`,
            ]);
        });

        it("reports a denied image pulled by COPY --from", async () => {
            const text = withLine(13, "COPY --from=build /out/api /api", `COPY --from=sgerrand/glibc:2.35@${DIGEST} /usr/glibc-compat /usr/glibc-compat`);
            assert.deepStrictEqual(await check(text), [`${at(14)}: COPY --from in stage 1 (line 11) pulls sgerrand/glibc:2.35@${DIGEST}, which matches deniedBaseImages`]);
        });

        it("uses a configured list that crosses path segments", async () => {
            assert.deepStrictEqual(await check(builder(`frolvlad/alpine-glibc:alpine-3.17@${DIGEST}`), {}, { deniedBaseImages: ["**/*alpine-glibc*"] }), [
                `${at(3)}: ${BUILD_FROM} pulls frolvlad/alpine-glibc:alpine-3.17@${DIGEST}, which matches deniedBaseImages`,
            ]);
        });
    });

    describe("references that cannot be judged", () => {
        it("reports a FROM variable without value after build args", async () => {
            assert.deepStrictEqual(await check(withLine(2, "ARG GO_IMAGE")), [`${at(3)}: ${BUILD_FROM} names \${GO_IMAGE}, and $GO_IMAGE has no value after build args`]);
        });

        it("passes once a build arg gives the variable a pinned image", async () => {
            assert.deepStrictEqual(await check(withLine(2, "ARG GO_IMAGE"), { buildArgs: { GO_IMAGE: BUILDER } }), []);
        });

        it("reports a final FROM on a variable no ARG declares, even when a build arg has that name", async () => {
            assert.deepStrictEqual(await check(finalFrom("${RUNTIME}"), { buildArgs: { RUNTIME: RUNTIME } }), [
                `${at(11)}: ${FINAL_FROM} names \${RUNTIME}, and $RUNTIME has no value after build args`,
            ]);
        });

        it("reports an image reference that is not valid", async () => {
            assert.deepStrictEqual(await check(builder("Golang:1.23")), [
                `${at(3)}: ${BUILD_FROM} names "Golang:1.23", which is not a valid image reference (invalid reference format: repository name must be lowercase)`,
            ]);
        });
    });

    it("is not applicable when the Dockerfile does not parse, pointing at dockerfile-readable", async () => {
        assert.deepStrictEqual(await dockerfileOutcome(rule, "FROM alpine:3.20\nFOO bar\n"), {
            kind: "notApplicable",
            reason: "the Dockerfile could not be read or resolved (the Dockerfile does not parse: line 2: unknown instruction FOO); dockerfile-readable reports it",
        });
    });

    it("reports the full message for an unpinned builder through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, builder("golang:1.23.4-bookworm"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            `docker-build.Image "api-image", inline Dockerfile line 3: ${BUILD_FROM} pulls golang:1.23.4-bookworm, which is not pinned by digest. ` +
                "The tag 1.23.4-bookworm can be moved to another image at any time, so rebuilds are not reproducible and an unreviewed base can reach production. " +
                "Fix: pin it as docker.io/library/golang:1.23.4-bookworm@sha256:<digest> (and let a bot such as Renovate update the digest).",
        ]);
    });
});
