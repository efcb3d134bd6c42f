import * as assert from "assert";
import rule from "../../../policies/dockerfile/nonroot";
import { GO_DOCKERFILE, RUNTIME, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileSummaries } from "../dockerfile-helpers";

const DIGEST = `sha256:${"a".repeat(64)}`;
const at = (line: number) => `inline Dockerfile line ${line}`;

function check(dockerfile: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra, config);
}

/** GO_DOCKERFILE without its USER (line 14), the final stage built on `image`. */
function noUserOn(image: string): string {
    return withLine(14).replace(`FROM ${RUNTIME}`, `FROM ${image}`);
}

const noUserFinding = (image: string) =>
    `${at(11)}: the final stage sets no USER, so it runs as the base image's user, and ${image} is not known to default to a non-root user`;

/** GO_DOCKERFILE with USER (line 14) replaced. */
const user = (...lines: string[]) => withLine(14, ...lines);

/** The runtime as a named parent stage (lines 11-13: FROM … AS runtime, `parentLine`), and the final stage FROM runtime (line 14). */
function withParentStage(parentLine: string, finalUser?: string): string {
    const lines = GO_DOCKERFILE.split("\n");
    lines.splice(10, 1, `FROM ${RUNTIME} AS runtime`, parentLine, "ENV UID=65532", "FROM runtime");
    const text = lines.join("\n");
    const withoutUser = text.replace("USER 65532:65532\n", "");
    return finalUser ? withoutUser.replace('ENTRYPOINT ["/api"]', `${finalUser}\nENTRYPOINT ["/api"]`) : withoutUser;
}

describe("dockerfile-nonroot", () => {
    it("passes the compliant multi-stage Go Dockerfile", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("no USER: only bases known to run as non-root pass", () => {
        const nonRoot = [
            `gcr.io/distroless/static-debian12:nonroot@${DIGEST}`,
            `gcr.io/distroless/static-debian12:debug-nonroot@${DIGEST}`,
            `gcr.io/distroless/static-debian12:nonroot-amd64@${DIGEST}`,
            `gcr.io/distroless/static-debian12:debug-nonroot-arm64@${DIGEST}`,
            `gcr.io/distroless/base-debian12:nonroot@${DIGEST}`,
            `cgr.dev/chainguard/static@${DIGEST}`,
            `cgr.dev/chainguard/static:latest@${DIGEST}`,
        ];
        for (const image of nonRoot) {
            it(`passes ${image.replace(DIGEST, "<digest>")}`, async () => {
                assert.deepStrictEqual(await check(noUserOn(image)), []);
            });
        }

        const root = [
            `gcr.io/distroless/static-debian12:latest@${DIGEST}`,
            `gcr.io/distroless/static-debian12@${DIGEST}`,
            `gcr.io/distroless/static-debian12:debug@${DIGEST}`,
            "scratch",
            `alpine:3.20@${DIGEST}`,
        ];
        for (const image of root) {
            it(`reports ${image.replace(DIGEST, "<digest>")}`, async () => {
                assert.deepStrictEqual(await check(noUserOn(image)), [noUserFinding(image)]);
            });
        }

        it("judges the base a named context supplies", async () => {
            const text = noUserOn("base");
            const named = (image: string) => ({ context: { location: ".", named: { base: { location: `docker-image://${image}` } } } });
            assert.deepStrictEqual(await check(text, named(`gcr.io/distroless/static-debian12:nonroot@${DIGEST}`)), []);
            assert.deepStrictEqual(await check(text, named(`gcr.io/distroless/static-debian12:latest@${DIGEST}`)), [
                noUserFinding(`gcr.io/distroless/static-debian12:latest@${DIGEST}`),
            ]);
        });
    });

    describe("USER root, any group", () => {
        for (const value of ["root", "0", "0:0", "root:root", "0:65532"]) {
            it(`reports USER ${value}`, async () => {
                assert.deepStrictEqual(await check(user(`USER ${value}`)), [`${at(14)}: USER ${value} runs the image as root`]);
            });
        }

        it("reports USER root even with requireNumericUser off", async () => {
            assert.deepStrictEqual(await check(user("USER root"), {}, { requireNumericUser: false }), [`${at(14)}: USER root runs the image as root`]);
        });

        it("judges only the last USER of the stage", async () => {
            assert.deepStrictEqual(await check(user("USER 0", "USER 65532:65532")), []);
            assert.deepStrictEqual(await check(user("USER 65532:65532", "USER root")), [`${at(15)}: USER root runs the image as root`]);
        });

        it("reports USER root on a base that defaults to non-root", async () => {
            assert.deepStrictEqual(await check(user("USER root").replace(`FROM ${RUNTIME}`, `FROM cgr.dev/chainguard/static@${DIGEST}`)), [
                `${at(14)}: USER root runs the image as root`,
            ]);
        });
    });

    describe("requireNumericUser (default true)", () => {
        it("reports USER nonroot", async () => {
            assert.deepStrictEqual(await check(user("USER nonroot")), [`${at(14)}: USER nonroot names the user "nonroot" instead of a numeric UID`]);
        });

        it("reports USER nonroot:nonroot", async () => {
            assert.deepStrictEqual(await check(user("USER nonroot:nonroot")), [`${at(14)}: USER nonroot:nonroot names the user "nonroot" instead of a numeric UID`]);
        });

        it("passes USER nonroot when off", async () => {
            assert.deepStrictEqual(await check(user("USER nonroot"), {}, { requireNumericUser: false }), []);
        });

        it("passes a numeric UID without group", async () => {
            assert.deepStrictEqual(await check(user("USER 65532")), []);
        });
    });

    describe("variables", () => {
        it("passes USER $UID with ENV UID=65532 earlier in the stage", async () => {
            assert.deepStrictEqual(await check(user("ENV UID=65532", "USER $UID")), []);
        });

        it("passes USER ${UID}:${GID} from ENV", async () => {
            assert.deepStrictEqual(await check(user("ENV UID=65532 GID=65532", "USER ${UID}:${GID}")), []);
        });

        it("reports USER $UID with ENV UID=0, showing the value", async () => {
            assert.deepStrictEqual(await check(user("ENV UID=0", "USER $UID")), [`${at(15)}: USER $UID (0) runs the image as root`]);
        });

        it("passes USER $UID from an ARG default", async () => {
            assert.deepStrictEqual(await check(user("ARG UID=65532", "USER $UID")), []);
        });

        it("reports USER $UID when a build arg sets it to 0", async () => {
            assert.deepStrictEqual(await check(user("ARG UID=65532", "USER $UID"), { buildArgs: { UID: "0" } }), [`${at(15)}: USER $UID (0) runs the image as root`]);
        });

        it("passes USER $UID with the UID from a parent stage's ENV", async () => {
            assert.deepStrictEqual(await check(withParentStage("USER 0", "USER $UID")), []);
        });

        it("reports a USER variable nobody defines", async () => {
            assert.deepStrictEqual(await check(user("USER $UID")), [`${at(14)}: USER $UID uses $UID, which has no value`]);
        });

        it("reports a USER variable defined only after the USER", async () => {
            assert.deepStrictEqual(await check(user("USER $UID", "ENV UID=65532")), [`${at(14)}: USER $UID uses $UID, which has no value`]);
        });
    });

    describe("USER inherited from a parent stage", () => {
        it("passes a non-root USER set in the parent stage", async () => {
            assert.deepStrictEqual(await check(withParentStage("USER 65532")), []);
        });

        it("reports USER root set in the parent stage, at the parent's line", async () => {
            assert.deepStrictEqual(await check(withParentStage("USER root")), [`${at(12)}: USER root runs the image as root`]);
        });

        it("lets the final stage's own USER win over the parent's", async () => {
            assert.deepStrictEqual(await check(withParentStage("USER root", "USER 65532")), []);
        });

        it("judges the root base when neither stage sets USER", async () => {
            assert.deepStrictEqual(await check(withParentStage("WORKDIR /app")), []);
            const onLatest = withParentStage("WORKDIR /app").replace(RUNTIME, `gcr.io/distroless/static-debian12:latest@${DIGEST}`);
            assert.deepStrictEqual(await check(onLatest), [
                `${at(14)}: the final stage sets no USER, so it runs as the base image's user, and gcr.io/distroless/static-debian12:latest@${DIGEST} is not known to default to a non-root user`,
            ]);
        });
    });

    it("judges the stage a target selects", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE, { target: "build" }), [
            `${at(3)}: the final stage sets no USER, so it runs as the base image's user, and golang:1.23.4-bookworm@sha256:${"b".repeat(64)} is not known to default to a non-root user`,
        ]);
    });

    it("reports the full message for a named user through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, user("USER nonroot"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'docker-build.Image "api-image", inline Dockerfile line 14: USER nonroot names the user "nonroot" instead of a numeric UID. ' +
                "Kubernetes runAsNonRoot cannot verify a user name and refuses to start the container (CreateContainerConfigError). " +
                "Fix: use the UID, e.g. USER 65532:65532.",
        ]);
    });
});
