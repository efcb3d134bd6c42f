import * as assert from "assert";
import rule from "../../../policies/dockerfile/static-go-build";
import { GO_DOCKERFILE, RUNTIME, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileSummaries } from "../dockerfile-helpers";

const DIGEST = `sha256:${"a".repeat(64)}`;
const at = (line: number) => `inline Dockerfile line ${line}`;
const BUILD_STAGE = 'stage "build" (line 3)';
const GO_BUILD = "RUN go build -trimpath -ldflags='-s -w' -o /out/api ./cmd/api";

function check(dockerfile: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra);
}

/** GO_DOCKERFILE with line 5 (ENV CGO_ENABLED=0) replaced; the go build stays on line 9 when one line replaces it. */
const cgoLine = (...lines: string[]) => withLine(5, ...lines);
/** GO_DOCKERFILE without ENV CGO_ENABLED=0 (go build moves to line 8) and with the go build command replaced. */
const noCgoEnv = (command = GO_BUILD) => withLine(5).replace(GO_BUILD, command);
const onBase = (text: string, image: string) => text.replace(`FROM ${RUNTIME}`, `FROM ${image}`);

const without = (line: number, base = RUNTIME, verb = "build", stage = BUILD_STAGE) =>
    `${at(line)}: go ${verb} in ${stage} runs without CGO_ENABLED=0, and the final image builds on ${base}, which has no C library`;
const withOne = (line: number, base = RUNTIME) =>
    `${at(line)}: go build in ${BUILD_STAGE} runs with CGO_ENABLED=1, and the final image builds on ${base}, which has no C library`;

describe("dockerfile-static-go-build", () => {
    it("passes the compliant multi-stage Go Dockerfile (ENV CGO_ENABLED=0)", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("libc-free final bases", () => {
        it("reports go build without CGO_ENABLED=0 for distroless static, at the RUN line", async () => {
            assert.deepStrictEqual(await check(noCgoEnv()), [without(8)]);
        });

        it("reports it for scratch", async () => {
            assert.deepStrictEqual(await check(onBase(noCgoEnv(), "scratch")), [without(8, "scratch")]);
        });

        it("reports it for Chainguard static", async () => {
            const image = `cgr.dev/chainguard/static@${DIGEST}`;
            assert.deepStrictEqual(await check(onBase(noCgoEnv(), image)), [without(8, image)]);
        });
    });

    describe("bases with a C library", () => {
        for (const image of [`gcr.io/distroless/base-debian12:nonroot@${DIGEST}`, `cgr.dev/chainguard/glibc-dynamic@${DIGEST}`]) {
            it(`passes a cgo build for ${image.replace(DIGEST, "<digest>")}`, async () => {
                assert.deepStrictEqual(await check(onBase(noCgoEnv(), image)), []);
            });
        }

        it("passes when a target selects the builder stage (golang has libc)", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(), { target: "build" }), []);
        });
    });

    describe("where CGO_ENABLED=0 comes from", () => {
        it("passes ARG CGO_ENABLED=0", async () => {
            assert.deepStrictEqual(await check(cgoLine("ARG CGO_ENABLED=0")), []);
        });

        it("passes the legacy ENV CGO_ENABLED 0", async () => {
            assert.deepStrictEqual(await check(cgoLine("ENV CGO_ENABLED 0")), []);
        });

        it("reports ARG CGO_ENABLED without a default", async () => {
            assert.deepStrictEqual(await check(cgoLine("ARG CGO_ENABLED")), [without(9)]);
        });

        it("passes ARG CGO_ENABLED set to 0 by a build arg", async () => {
            assert.deepStrictEqual(await check(cgoLine("ARG CGO_ENABLED"), { buildArgs: { CGO_ENABLED: "0" } }), []);
        });

        it("reports ARG CGO_ENABLED=0 overridden to 1 by a build arg", async () => {
            assert.deepStrictEqual(await check(cgoLine("ARG CGO_ENABLED=0"), { buildArgs: { CGO_ENABLED: "1" } }), [withOne(9)]);
        });

        it("does not let a build arg override ENV", async () => {
            assert.deepStrictEqual(await check(GO_DOCKERFILE, { buildArgs: { CGO_ENABLED: "1" } }), []);
        });

        it("passes an inline CGO_ENABLED=0 go build", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN CGO_ENABLED=0 go build"))), []);
        });

        it("passes env CGO_ENABLED=0 go build", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN env CGO_ENABLED=0 go build"))), []);
        });

        it("passes an inline assignment continued onto the next line", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN CGO_ENABLED=0 \\\n    go build"))), []);
        });

        it("passes export CGO_ENABLED=0 earlier in the same RUN", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN export CGO_ENABLED=0 && go build"))), []);
        });

        it("passes go env -w CGO_ENABLED=0 in an earlier RUN", async () => {
            assert.deepStrictEqual(await check(withLine(5, "RUN go env -w CGO_ENABLED=0")), []);
        });

        it("passes an inline CGO_ENABLED=0 inside a RUN heredoc", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(["RUN <<EOT", "set -e", "CGO_ENABLED=0 go build -o /out/api ./cmd/api", "EOT"].join("\n"))), []);
        });

        it("reports a RUN heredoc whose go build lacks it", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(["RUN <<EOT", "set -e", "go build -o /out/api ./cmd/api", "EOT"].join("\n"))), [without(8)]);
        });

        it("lets an inline CGO_ENABLED=0 win over ENV CGO_ENABLED=1", async () => {
            assert.deepStrictEqual(await check(cgoLine("ENV CGO_ENABLED=1").replace("RUN go build", "RUN CGO_ENABLED=0 go build")), []);
        });

        // `A=x cmd1 && cmd2` sets A for cmd1 only: the go build runs without CGO_ENABLED=0.
        it("does not count an inline assignment on another command of the same RUN", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN CGO_ENABLED=0 go vet ./... && go build"))), [without(8)]);
        });

        // Docker drops comment lines inside a continuation; the model keeps the comment, whose text then counts as an assignment.
        it("does not count CGO_ENABLED=0 written in a comment line inside a continuation", async () => {
            const command = ["RUN go mod verify && \\", "    # CGO_ENABLED=0 is set elsewhere", "    go build -o /out/api ./cmd/api"].join("\n");
            assert.deepStrictEqual(await check(noCgoEnv(command)), [without(8)]);
        });
    });

    describe("CGO_ENABLED=1", () => {
        it("reports ENV CGO_ENABLED=1", async () => {
            assert.deepStrictEqual(await check(cgoLine("ENV CGO_ENABLED=1")), [withOne(9)]);
        });

        it("reports an inline CGO_ENABLED=1 over ENV CGO_ENABLED=0", async () => {
            assert.deepStrictEqual(await check(GO_DOCKERFILE.replace("RUN go build", "RUN CGO_ENABLED=1 go build")), [withOne(9)]);
        });
    });

    describe("stages", () => {
        /** ENV moved into a parent stage "base" (lines 3-4); the build stage FROM base (line 5) runs go build on line 10. */
        function parentStage(definition: string): string {
            return GO_DOCKERFILE.replace("FROM ${GO_IMAGE} AS build", `FROM \${GO_IMAGE} AS base\n${definition}\nFROM base AS build`).replace(
                "ENV CGO_ENABLED=0\nCOPY go.mod",
                "COPY go.mod",
            );
        }

        it("passes ENV CGO_ENABLED=0 inherited from a parent stage", async () => {
            assert.deepStrictEqual(await check(parentStage("ENV CGO_ENABLED=0")), []);
        });

        it("does not inherit ARG from a parent stage", async () => {
            assert.deepStrictEqual(await check(parentStage("ARG CGO_ENABLED=0")), [without(10, RUNTIME, "build", 'stage "build" (line 5)')]);
        });

        it("reports go install", async () => {
            assert.deepStrictEqual(await check(noCgoEnv(GO_BUILD.replace("RUN go build", "RUN go install"))), [without(8, RUNTIME, "install")]);
        });

        it("ignores a builder stage that does not feed the final stage", async () => {
            const text = GO_DOCKERFILE.replace("\nFROM gcr", "\nFROM ${GO_IMAGE} AS tools\nRUN go build -o /out/tool ./cmd/tool\nFROM gcr");
            assert.deepStrictEqual(await check(text), []);
        });

        it("reports that builder stage once the final stage copies from it", async () => {
            const text = GO_DOCKERFILE.replace("\nFROM gcr", "\nFROM ${GO_IMAGE} AS tools\nRUN go build -o /out/tool ./cmd/tool\nFROM gcr").replace(
                "COPY --from=build /out/api /api",
                "COPY --from=build /out/api /api\nCOPY --from=tools /out/tool /tool",
            );
            assert.deepStrictEqual(await check(text), [without(12, RUNTIME, "build", 'stage "tools" (line 11)')]);
        });

        it("reports each go build in every feeding stage", async () => {
            const text = noCgoEnv().replace("RUN go mod download", "RUN go install golang.org/x/tools/cmd/stringer@v0.28.0");
            assert.deepStrictEqual(await check(text), [without(6, RUNTIME, "install"), without(8)]);
        });
    });

    it("reports the full message through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, noCgoEnv());
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            `docker-build.Image "api-image", inline Dockerfile line 8: go build in ${BUILD_STAGE} runs without CGO_ENABLED=0, and the final image builds on ${RUNTIME}, which has no C library. ` +
                'A cgo binary (the default wherever a C compiler is installed, e.g. golang:<version>-bookworm) links libc dynamically and fails at start with "no such file or directory" because the loader is missing. ' +
                `Fix: set ENV CGO_ENABLED=0 in ${BUILD_STAGE} or run CGO_ENABLED=0 go build ….`,
        ]);
    });

    it("checks every go build of a RUN, not only the first", async () => {
        assert.deepStrictEqual(await dockerfileSummaries(rule, withLine(9, "RUN CGO_ENABLED=0 go build -o /out/a ./a && go build -o /out/api ./cmd/api").replace("ENV CGO_ENABLED=0", "ENV GOFLAGS=-trimpath")), [
            `inline Dockerfile line 9: go build in stage "build" (line 3) runs without CGO_ENABLED=0, and the final image builds on ${RUNTIME}, which has no C library`,
        ]);
    });
});
