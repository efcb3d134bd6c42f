import * as assert from "assert";
import {
    Build, BuildOptions, dockerfileParseCount, imagesPulled, parseDockerfile, ParsedDockerfile, resolveBuild, Stage, variableAt,
} from "../../../policies/model/dockerfile";

const DIGEST = `sha256:${"a".repeat(64)}`;

interface Inputs {
    args?: Record<string, string>;
    target?: string;
    named?: Record<string, string>;
    platform?: string;
}

function options(inputs: Inputs = {}): BuildOptions {
    const named = inputs.named;
    return {
        buildArg: (name) => inputs.args?.[name],
        target: inputs.target,
        namedContext: named ? (name) => named[name] : undefined,
        platform: inputs.platform,
    };
}

/** Parses and resolves, failing the test when the Dockerfile does not resolve. */
function build(text: string, inputs: Inputs = {}): Build {
    const parsed = parseDockerfile(text);
    assert.deepStrictEqual(parsed.errors, []);
    const result = resolveBuild(parsed, options(inputs));
    if (!result.ok) {
        assert.fail(`expected the build to resolve, got: ${result.error}`);
    }
    return result.build;
}

/** `[keyword, line, text]` of every instruction of every stage. */
function instructions(parsed: ParsedDockerfile): Array<[string, number, string]> {
    return parsed.stages.flatMap((s) => s.instructions.map((i): [string, number, string] => [i.keyword, i.line, i.text]));
}

/** Whitespace runs folded to one space, for texts whose joins keep the original indentation. */
function folded(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}

/** What a base is, in one string: `image <text>`, `scratch`, `unresolved <vars>`, `context <value>`, `invalid <text>`. */
function baseText(stage: Stage): string {
    if (stage.from.stage) {
        return `stage ${stage.from.stage.index}`;
    }
    const base = stage.from.base;
    switch (base?.kind) {
        case "image":
            return `image ${base.ref.text}`;
        case "scratch":
            return "scratch";
        case "unresolved":
            return `unresolved ${base.variables.join(",")}`;
        case "context":
            return `context ${base.value}`;
        case "invalid":
            return `invalid ${base.text}`;
        default:
            return "none";
    }
}

function pulls(b: Build, stage: Stage, inputs: Inputs = {}): string[] {
    return imagesPulled(b, stage, options(inputs)).map((p) => `line ${p.line} ${p.via}: ${p.base.kind === "image" ? p.base.ref.text : p.base.kind}`);
}

describe("Dockerfile model", () => {
    describe("parsing", () => {
        it("keeps a RUN heredoc in one instruction, body included, and does not read the body as instructions", () => {
            const parsed = parseDockerfile(["FROM alpine:3.20", "RUN <<EOT", "USER root", "FROM busybox", "set -e", "EOT", "USER 65532"].join("\n"));
            assert.deepStrictEqual(parsed.errors, []);
            assert.strictEqual(parsed.stages.length, 1);
            assert.deepStrictEqual(instructions(parsed), [
                ["RUN", 2, "<<EOT\nUSER root\nFROM busybox\nset -e\nEOT"],
                ["USER", 7, "65532"],
            ]);
        });

        it("keeps a COPY heredoc and a <<- heredoc with its command in the instruction text", () => {
            const parsed = parseDockerfile(["FROM alpine:3.20", "COPY <<EOF /etc/app.conf", "level=info", "EOF", "RUN <<-EOT sh", "\techo hi", "\tEOT", "USER 1"].join("\n"));
            assert.deepStrictEqual(instructions(parsed), [
                ["COPY", 2, "<<EOF /etc/app.conf\nlevel=info\nEOF"],
                ["RUN", 5, "<<-EOT sh\n\techo hi\n\tEOT"],
                ["USER", 8, "1"],
            ]);
        });

        it("joins backslash line continuations, keeping the keyword's line and the following lines' numbers", () => {
            const parsed = parseDockerfile(["FROM alpine:3.20", "RUN apk add --no-cache \\", "    curl \\", "    tzdata", "USER 65532"].join("\n"));
            const [[keyword, line, text], next] = instructions(parsed);
            assert.deepStrictEqual([keyword, line, folded(text)], ["RUN", 2, "apk add --no-cache curl tzdata"]);
            assert.ok(!text.includes("\\"), text);
            assert.deepStrictEqual(next, ["USER", 5, "65532"]);
        });

        it("drops a comment line that opens a continuation", () => {
            const parsed = parseDockerfile(["FROM alpine:3.20", "RUN \\", "  # build the service", "  go build -o /out/api .", "USER 65532"].join("\n"));
            const [[keyword, line, text], next] = instructions(parsed);
            assert.deepStrictEqual([keyword, line, folded(text)], ["RUN", 2, "go build -o /out/api ."]);
            assert.deepStrictEqual(next, ["USER", 5, "65532"]);
        });

        // Docker removes comment lines inside a continuation; the model keeps them (and their newline) in the text.
        it("drops a comment line in the middle of a continuation, as Docker does", () => {
            const parsed = parseDockerfile(
                ["FROM alpine:3.20", "RUN go mod verify && \\", "  # CGO_ENABLED=0 is not needed here", "  go build -o /out/api .", "USER 65532"].join("\n"),
            );
            const [[keyword, line, text], next] = instructions(parsed);
            assert.deepStrictEqual([keyword, line, folded(text)], ["RUN", 2, "go mod verify && go build -o /out/api ."]);
            assert.deepStrictEqual(next, ["USER", 5, "65532"]);
        });

        it("honours the escape directive: backtick continuations, backslashes kept literally", () => {
            const parsed = parseDockerfile(["# escape=`", "FROM alpine:3.20", "RUN dir c:\\windows `", "  && echo ok", "RUN echo a\\", "USER 65532"].join("\n"));
            assert.strictEqual(parsed.escape, "`");
            assert.deepStrictEqual(parsed.header, [{ line: 1, text: "escape=`" }]);
            const found = instructions(parsed).map(([k, l, t]) => [k, l, folded(t)]);
            assert.deepStrictEqual(found, [
                ["RUN", 3, "dir c:\\windows && echo ok"],
                ["RUN", 5, "echo a\\"],
                ["USER", 6, "65532"],
            ]);
        });

        it("uses backslash as the escape character without a directive", () => {
            assert.strictEqual(parseDockerfile("FROM alpine:3.20\n").escape, "\\");
        });

        it("reads ENV pairs, quoted values and the legacy `ENV NAME value` form", () => {
            const parsed = parseDockerfile(['FROM alpine:3.20', 'ENV A=1 B="two words" C=$A', "ENV D 4"].join("\n"));
            assert.deepStrictEqual(
                parsed.stages[0].instructions.map((i) => i.properties),
                [
                    [{ name: "A", value: "1" }, { name: "B", value: "two words" }, { name: "C", value: "$A" }],
                    [{ name: "D", value: "4" }],
                ],
            );
        });

        // Docker accepts several names in one ARG (ARG <name>[=<default>] [<name>[=<default>]...]); the model reads `D E=5` as D's default.
        it("reads several names in one ARG instruction", () => {
            const parsed = parseDockerfile("FROM alpine:3.20\nARG D E=5\n");
            assert.deepStrictEqual(parsed.stages[0].instructions[0].properties, [{ name: "D", value: null }, { name: "E", value: "5" }]);
        });

        it("records FROM --platform as written and still reads image and stage name", () => {
            const parsed = parseDockerfile(`FROM --platform=$BUILDPLATFORM golang:1.23@${DIGEST} AS build\nFROM scratch\n`);
            assert.deepStrictEqual(
                parsed.stages.map((s) => ({ index: s.index, name: s.name, line: s.line, image: s.image, platform: s.platform })),
                [
                    { index: 0, name: "build", line: 1, image: `golang:1.23@${DIGEST}`, platform: "$BUILDPLATFORM" },
                    { index: 1, name: undefined, line: 2, image: "scratch", platform: undefined },
                ],
            );
        });

        it("lowercases stage names", () => {
            const parsed = parseDockerfile("FROM golang:1.23 AS Build\nFROM scratch as RUNTIME\n");
            assert.deepStrictEqual(parsed.stages.map((s) => s.name), ["build", "runtime"]);
        });

        it("keeps ARGs before the first FROM as global args", () => {
            const parsed = parseDockerfile("ARG GO_VERSION=1.23\nARG RUNTIME\nFROM golang:${GO_VERSION}\n");
            assert.deepStrictEqual(parsed.globalArgs.map((a) => [a.line, a.properties]), [
                [1, [{ name: "GO_VERSION", value: "1.23" }]],
                [2, [{ name: "RUNTIME", value: null }]],
            ]);
        });

        describe("errors", () => {
            it("reports a Dockerfile without FROM", () => {
                assert.deepStrictEqual(parseDockerfile("").errors, ["no FROM instruction: there is nothing to build"]);
                assert.deepStrictEqual(parseDockerfile("# just a comment\nARG X=1\n").errors, ["no FROM instruction: there is nothing to build"]);
            });

            it("reports an unknown instruction with its line", () => {
                assert.deepStrictEqual(parseDockerfile("FROM alpine:3.20\nRUN true\nFOO bar\n").errors, ["line 3: unknown instruction FOO"]);
            });

            it("reports an instruction other than ARG before the first FROM", () => {
                assert.deepStrictEqual(parseDockerfile("ARG X=1\nRUN echo $X\nFROM alpine:3.20\n").errors, [
                    "line 2: RUN before the first FROM (only ARG may come first)",
                ]);
            });

            it("refuses to resolve a Dockerfile without stages", () => {
                const result = resolveBuild(parseDockerfile("ARG X=1\n"), options());
                assert.deepStrictEqual(result, { ok: false, error: "no FROM instruction: there is nothing to build" });
            });
        });

        it("parses identical text once (cache by content)", () => {
            const text = `# cache probe ${Date.now()}-${Math.random()}\nFROM alpine:3.20\nUSER 65532\n`;
            const before = dockerfileParseCount();
            const first = parseDockerfile(text);
            assert.strictEqual(dockerfileParseCount(), before + 1);
            const second = parseDockerfile(text);
            assert.strictEqual(dockerfileParseCount(), before + 1);
            assert.strictEqual(second, first);
            parseDockerfile(`${text}EXPOSE 8080\n`);
            assert.strictEqual(dockerfileParseCount(), before + 2);
        });
    });

    describe("resolving a build", () => {
        const ARG_IN_FROM = ["ARG GO_IMAGE=golang:1.23", "ARG RUNTIME=scratch", "FROM ${GO_IMAGE} AS build", "FROM ${RUNTIME}", "COPY --from=build /out/api /api"].join("\n");

        it("substitutes global ARG defaults in FROM", () => {
            const b = build(ARG_IN_FROM);
            assert.deepStrictEqual(b.stages.map(baseText), ["image golang:1.23", "scratch"]);
            assert.strictEqual(b.stages[0].from.written, "${GO_IMAGE}");
            assert.strictEqual(b.stages[0].from.expanded, "golang:1.23");
        });

        it("lets build args override global ARG defaults", () => {
            const b = build(ARG_IN_FROM, { args: { GO_IMAGE: `golang:1.24@${DIGEST}`, RUNTIME: "gcr.io/distroless/static-debian12:nonroot" } });
            assert.deepStrictEqual(b.stages.map(baseText), [`image golang:1.24@${DIGEST}`, "image gcr.io/distroless/static-debian12:nonroot"]);
            assert.deepStrictEqual(b.finalBase.kind === "image" && b.finalBase.ref.tag, "nonroot");
        });

        it("leaves a global ARG without default unresolved, naming the variable", () => {
            const b = build("ARG RUNTIME\nFROM golang:1.23 AS build\nFROM ${RUNTIME}\n");
            assert.deepStrictEqual(b.stages.map(baseText), ["image golang:1.23", "unresolved RUNTIME"]);
            assert.deepStrictEqual(b.finalBase, { kind: "unresolved", text: "${RUNTIME}", variables: ["RUNTIME"] });
        });

        it("resolves a global ARG without default from a build arg", () => {
            const b = build("ARG RUNTIME\nFROM ${RUNTIME}\n", { args: { RUNTIME: "scratch" } });
            assert.deepStrictEqual(b.finalBase, { kind: "scratch" });
        });

        it("does not let a build arg with no ARG reach FROM", () => {
            const b = build("FROM ${RUNTIME}\n", { args: { RUNTIME: "scratch" } });
            assert.deepStrictEqual(baseText(b.final), "unresolved RUNTIME");
        });

        it("gives a stage ARG its default, a re-declared global its global value, a bare ARG no value, and a build arg precedence", () => {
            const text = ["ARG VERSION=1.2.3", "FROM alpine:3.20", "ARG VERSION", "ARG MODE=release", "ARG TOKEN", "ARG FLAVOUR=slim"].join("\n");
            const defs = (b: Build) => b.final.definitions.map((d) => [d.name, d.value, d.kind, d.line]);
            assert.deepStrictEqual(defs(build(text)), [
                ["VERSION", "1.2.3", "ARG", 3],
                ["MODE", "release", "ARG", 4],
                ["TOKEN", undefined, "ARG", 5],
                ["FLAVOUR", "slim", "ARG", 6],
            ]);
            assert.deepStrictEqual(defs(build(text, { args: { VERSION: "2.0.0", FLAVOUR: "full" } })), [
                ["VERSION", "2.0.0", "ARG", 3],
                ["MODE", "release", "ARG", 4],
                ["TOKEN", undefined, "ARG", 5],
                ["FLAVOUR", "full", "ARG", 6],
            ]);
        });

        it("does not put a global ARG in a stage that does not re-declare it", () => {
            const b = build("ARG VERSION=1.2.3\nFROM alpine:3.20\nRUN echo $VERSION\n");
            assert.deepStrictEqual(b.final.definitions, []);
            assert.strictEqual(variableAt(b.final, "VERSION"), undefined);
        });

        describe("FROM --platform=$BUILDPLATFORM", () => {
            const text = [
                "ARG TAG=nonroot",
                `FROM --platform=$BUILDPLATFORM golang:1.23@${DIGEST} AS build`,
                "ARG TARGETARCH",
                "RUN GOARCH=$TARGETARCH go build -o /out/api .",
                "FROM gcr.io/distroless/static-debian12:${TAG}-${TARGETARCH}",
                "COPY --from=build /out/api /api",
            ].join("\n");

            it("resolves the stage's image and the target platform args (default linux/amd64)", () => {
                const b = build(text);
                assert.deepStrictEqual(b.stages.map(baseText), [`image golang:1.23@${DIGEST}`, "image gcr.io/distroless/static-debian12:nonroot-amd64"]);
                assert.deepStrictEqual(variableAt(b.stages[0], "TARGETARCH")?.value, "amd64");
            });

            it("takes TARGETARCH from the build's platform", () => {
                const b = build(text, { platform: "linux/arm64" });
                assert.deepStrictEqual(baseText(b.final), "image gcr.io/distroless/static-debian12:nonroot-arm64");
                assert.deepStrictEqual(variableAt(b.stages[0], "TARGETARCH")?.value, "arm64");
            });
        });

        describe("stages referenced by name and by index", () => {
            it("treats COPY --from=0 as the first stage: it feeds the final stage and is not an image", () => {
                const b = build([`FROM golang:1.23@${DIGEST} AS build`, "RUN go build -o /out/api .", "FROM scratch", "COPY --from=0 /out/api /api"].join("\n"));
                assert.deepStrictEqual(b.feeders.map((s) => s.index), [0, 1]);
                assert.deepStrictEqual(pulls(b, b.final), []);
            });

            it("matches stage names case-insensitively in FROM, COPY --from and target", () => {
                const text = [`FROM golang:1.23@${DIGEST} AS Build`, "FROM BUILD AS Test", "FROM scratch", "COPY --from=bUiLd /out/api /api"].join("\n");
                const b = build(text);
                assert.strictEqual(b.stages[0].name, "build");
                assert.strictEqual(b.stages[1].from.stage, b.stages[0]);
                assert.deepStrictEqual(b.feeders.map((s) => s.index), [0, 2]);
                assert.deepStrictEqual(pulls(b, b.final), []);
                assert.strictEqual(build(text, { target: "TEST" }).final.index, 1);
            });

            it("resolves a FROM variable to a stage name", () => {
                const text = ["ARG BASE=build", `FROM golang:1.23@${DIGEST} AS build`, "ENV CGO_ENABLED=0", "FROM alpine:3.20 AS other", "FROM ${BASE}"].join("\n");
                const b = build(text);
                assert.strictEqual(b.final.from.stage, b.stages[0]);
                assert.deepStrictEqual(b.feeders.map((s) => s.index), [0, 2]);
                assert.deepStrictEqual(variableAt(b.final, "CGO_ENABLED")?.value, "0");
                const other = build(text, { args: { BASE: "other" } });
                assert.strictEqual(other.final.from.stage, other.stages[1]);
                assert.deepStrictEqual(other.finalBase.kind === "image" && other.finalBase.ref.text, "alpine:3.20");
            });

            it("follows FROM <stage> chains to the final base", () => {
                const b = build([`FROM gcr.io/distroless/static-debian12:nonroot@${DIGEST} AS base`, "FROM base AS mid", "FROM mid"].join("\n"));
                assert.deepStrictEqual(b.stages.map(baseText), [`image gcr.io/distroless/static-debian12:nonroot@${DIGEST}`, "stage 0", "stage 1"]);
                assert.deepStrictEqual(b.finalBase.kind === "image" && b.finalBase.ref.text, `gcr.io/distroless/static-debian12:nonroot@${DIGEST}`);
                assert.deepStrictEqual(b.feeders.map((s) => s.index), [0, 1, 2]);
            });
        });

        describe("images pulled besides FROM", () => {
            const text = [
                `FROM golang:1.23@${DIGEST} AS build`,
                "RUN --mount=type=bind,from=ghcr.io/acme/tools:1.0,target=/tools /tools/gen",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/api .",
                "FROM scratch",
                "COPY --from=build /out/api /api",
                "COPY --from=0 /etc/passwd /etc/passwd",
                "COPY --from=busybox:1.36 /bin/busybox /busybox",
                "RUN --mount=type=bind,from=build,target=/b true",
            ].join("\n");

            it("counts COPY --from=<image> and RUN --mount from=<image>, not stages, caches or scratch", () => {
                const b = build(text);
                assert.deepStrictEqual(pulls(b, b.stages[0]), [`line 1 FROM: golang:1.23@${DIGEST}`, "line 2 RUN --mount: ghcr.io/acme/tools:1.0"]);
                assert.deepStrictEqual(pulls(b, b.final), ["line 7 COPY --from: busybox:1.36"]);
            });

            it("does not count a FROM <stage> as a pull", () => {
                const b = build(`FROM alpine:3.20@${DIGEST} AS base\nFROM base\n`);
                assert.deepStrictEqual(pulls(b, b.final), []);
                assert.deepStrictEqual(pulls(b, b.stages[0]), [`line 1 FROM: alpine:3.20@${DIGEST}`]);
            });

            it("expands variables in COPY --from, leaving an unset one unresolved", () => {
                const b = build(["FROM scratch", "ARG TOOLS=busybox:1.36", "ARG OTHER", "COPY --from=$TOOLS /bin/busybox /busybox", "COPY --from=$OTHER /x /x"].join("\n"));
                assert.deepStrictEqual(pulls(b, b.final), ["line 4 COPY --from: busybox:1.36", "line 5 COPY --from: unresolved"]);
            });
        });

        describe("ENV inherited from a parent stage", () => {
            const text = [
                `FROM golang:1.23@${DIGEST} AS build`,
                "ENV CGO_ENABLED=0 GOFLAGS=-trimpath",
                "ARG VERSION=1.0",
                "FROM build AS test",
                "ENV GOFLAGS=$GOFLAGS\\ -mod=readonly",
                "RUN go test ./...",
            ].join("\n");

            it("starts the child's definitions with the parent's ENV (not its ARG), marked inherited", () => {
                const b = build(text);
                assert.deepStrictEqual(
                    b.final.definitions.map((d) => [d.name, d.value, d.kind, d.line, d.inherited]),
                    [
                        ["CGO_ENABLED", "0", "ENV", 2, true],
                        ["GOFLAGS", "-trimpath", "ENV", 2, true],
                        ["GOFLAGS", "-trimpath -mod=readonly", "ENV", 5, false],
                    ],
                );
                assert.strictEqual(variableAt(b.final, "VERSION"), undefined);
            });

            it("answers variableAt for a line, the inherited value before the stage's own ENV", () => {
                const b = build(text);
                assert.strictEqual(variableAt(b.final, "GOFLAGS", 5)?.value, "-trimpath");
                assert.strictEqual(variableAt(b.final, "GOFLAGS", 6)?.value, "-trimpath -mod=readonly");
                assert.strictEqual(variableAt(b.final, "CGO_ENABLED", 1)?.value, "0");
            });
        });

        describe("target", () => {
            const text = [
                `FROM golang:1.23@${DIGEST} AS build`,
                "RUN go build -o /out/api .",
                `FROM golang:1.23@${DIGEST} AS lint`,
                "RUN go vet ./...",
                "FROM build AS test",
                "RUN go test ./...",
                "FROM scratch AS release",
                "COPY --from=build /out/api /api",
            ].join("\n");

            it("is the last stage without a target", () => {
                const b = build(text);
                assert.strictEqual(b.final.name, "release");
                assert.deepStrictEqual(b.feeders.map((s) => s.name), ["build", "release"]);
            });

            it("selects a non-last stage and its feeders", () => {
                const b = build(text, { target: "test" });
                assert.strictEqual(b.final.name, "test");
                assert.deepStrictEqual(b.feeders.map((s) => s.name), ["build", "test"]);
                assert.deepStrictEqual(b.finalBase.kind === "image" && b.finalBase.ref.text, `golang:1.23@${DIGEST}`);
            });

            it("fails on a target that is not a stage, listing the stages", () => {
                const result = resolveBuild(parseDockerfile(text), options({ target: "prod" }));
                assert.deepStrictEqual(result, { ok: false, error: 'target stage "prod" is not defined (stages: build, lint, test, release)' });
            });

            it("lists unnamed stages by index in the unknown-target error", () => {
                const result = resolveBuild(parseDockerfile("FROM alpine:3.20 AS one\nFROM scratch\n"), options({ target: "two" }));
                assert.deepStrictEqual(result, { ok: false, error: 'target stage "two" is not defined (stages: one, 1)' });
            });
        });

        describe("feeders", () => {
            it("leaves out a stage the final stage does not reach", () => {
                const b = build(
                    [
                        `FROM golang:1.23@${DIGEST} AS build`,
                        `FROM golang:1.23@${DIGEST} AS tools`,
                        `FROM alpine:3.20@${DIGEST} AS certs`,
                        "FROM scratch",
                        "COPY --from=build /out/api /api",
                        "RUN --mount=type=bind,from=certs,target=/c true",
                    ].join("\n"),
                );
                assert.deepStrictEqual(b.feeders.map((s) => s.name ?? s.index), ["build", "certs", 3]);
            });

            it("follows references transitively through intermediate stages", () => {
                const b = build(
                    [
                        `FROM golang:1.23@${DIGEST} AS deps`,
                        `FROM golang:1.23@${DIGEST} AS build`,
                        "COPY --from=deps /go/pkg /go/pkg",
                        `FROM golang:1.23@${DIGEST} AS unused`,
                        "COPY --from=deps /go/pkg /go/pkg",
                        "FROM scratch",
                        "COPY --from=build /out/api /api",
                    ].join("\n"),
                );
                assert.deepStrictEqual(b.feeders.map((s) => s.name ?? s.index), ["deps", "build", 3]);
            });
        });

        describe("named contexts", () => {
            const text = `FROM golang:1.23@${DIGEST} AS build\nFROM base\nCOPY --from=build /out/api /api\n`;

            it("replace a FROM <name> with a docker-image:// context", () => {
                const b = build(text, { named: { base: `docker-image://gcr.io/distroless/static-debian12:nonroot@${DIGEST}` } });
                assert.deepStrictEqual(baseText(b.final), `image gcr.io/distroless/static-debian12:nonroot@${DIGEST}`);
            });

            it("make a FROM that names a local context a context, not an image", () => {
                const b = build(text, { named: { base: "./runtime" } });
                assert.deepStrictEqual(b.finalBase, { kind: "context", name: "base", value: "./runtime" });
            });

            it("leave FROM <name> an image reference when no context has that name", () => {
                const b = build(text, { named: { other: "docker-image://alpine:3.20" } });
                assert.deepStrictEqual(baseText(b.final), "image base");
            });
        });

        it("reports an image reference that does not parse as invalid", () => {
            const b = build("ARG IMAGE=Golang:1.23\nFROM ${IMAGE}\n");
            assert.deepStrictEqual(baseText(b.final), "invalid Golang:1.23");
        });

        it("labels stages by name or index with their FROM line", () => {
            const b = build(`FROM golang:1.23@${DIGEST} AS build\n\nFROM scratch\n`);
            assert.deepStrictEqual(b.stages.map((s) => s.label), ['stage "build" (line 1)', "stage 1 (line 3)"]);
        });
    });

    describe("build args read only when needed", () => {
        it("does not read a build arg that no FROM, USER or ENV needs until a rule asks for it", () => {
            const parsed = parseDockerfile("ARG BASE=scratch\nFROM $BASE\nARG VERSION\nRUN echo $VERSION\nUSER 65532\n");
            const read: string[] = [];
            const result = resolveBuild(parsed, {
                buildArg: (name) => {
                    read.push(name);
                    if (name === "VERSION") {
                        throw new Error("unknown during preview");
                    }
                    return undefined;
                },
            });
            assert.ok(result.ok);
            assert.deepStrictEqual(read, ["BASE"]);
            assert.throws(() => variableAt(result.build.final, "VERSION")?.value, /unknown during preview/);
        });
    });
});
