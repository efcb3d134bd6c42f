import * as assert from "assert";
import rule from "../../../policies/dockerfile/go-env";
import { GO_DOCKERFILE, RUNTIME, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileOutcome, dockerfileSummaries } from "../dockerfile-helpers";

const at = (line: number) => `inline Dockerfile line ${line}`;
const FINAL = "stage 1 (line 11)";
const BUILD = 'stage "build" (line 3)';

function check(dockerfile: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra);
}

/** GO_DOCKERFILE with `lines` added to the final stage after ENV TZ (from line 13). */
const finalEnv = (...lines: string[]) => withLine(12, "ENV TZ=Europe/Berlin", ...lines);

const memLimit = (line: number, value: string, reason: string, stage = FINAL) =>
    `${at(line)}: ENV GOMEMLIMIT=${value} in ${stage} is not a value the Go runtime accepts: ${reason}`;
const goGc = (line: number, value: string, stage = FINAL) =>
    `${at(line)}: ENV GOGC=${value} in ${stage} is not a value the Go runtime understands (it is not an integer or "off")`;

const KUBERNETES_SUFFIX = (v: string) => `Kubernetes-style suffixes are not understood; write ${v}B`;
const DECIMAL = "decimal units (K, M, G, KB, MB, ...) are not understood; use B, KiB, MiB, GiB or TiB";
const FRACTION = "fractions are not understood; use a whole number of bytes, KiB, MiB, GiB or TiB";

describe("dockerfile-go-env", () => {
    it("passes the compliant multi-stage Go Dockerfile", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("GOMEMLIMIT", () => {
        const malformed: Array<[string, string]> = [
            ["400Mi", KUBERNETES_SUFFIX("400Mi")],
            ["1G", DECIMAL],
            ["0.5GiB", FRACTION],
            ["-1", "the value must be a whole number optionally followed by B, KiB, MiB, GiB or TiB"],
        ];
        for (const [value, reason] of malformed) {
            it(`reports ENV GOMEMLIMIT=${value}`, async () => {
                assert.deepStrictEqual(await check(finalEnv(`ENV GOMEMLIMIT=${value}`)), [memLimit(13, value, reason)]);
            });
        }

        for (const value of ["460MiB", "1GiB", "536870912", "off"]) {
            it(`passes ENV GOMEMLIMIT=${value}`, async () => {
                assert.deepStrictEqual(await check(finalEnv(`ENV GOMEMLIMIT=${value}`)), []);
            });
        }

        it("passes a quoted valid value", async () => {
            assert.deepStrictEqual(await check(finalEnv('ENV GOMEMLIMIT="460MiB"')), []);
        });

        it("reports the legacy ENV GOMEMLIMIT 400Mi form", async () => {
            assert.deepStrictEqual(await check(finalEnv("ENV GOMEMLIMIT 400Mi")), [memLimit(13, "400Mi", KUBERNETES_SUFFIX("400Mi"))]);
        });

        it("reports it among other pairs of one ENV", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=Europe/Berlin GOMEMLIMIT=1G GOGC=50")), [memLimit(12, "1G", DECIMAL)]);
        });

        it("ignores ARG GOMEMLIMIT (not in the image's environment)", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG GOMEMLIMIT=400Mi")), []);
        });
    });

    describe("GOGC", () => {
        for (const value of ["abc", "1.5", "100%"]) {
            it(`reports ENV GOGC=${value}`, async () => {
                assert.deepStrictEqual(await check(finalEnv(`ENV GOGC=${value}`)), [goGc(13, value)]);
            });
        }

        for (const value of ["off", "200", "-1"]) {
            it(`passes ENV GOGC=${value}`, async () => {
                assert.deepStrictEqual(await check(finalEnv(`ENV GOGC=${value}`)), []);
            });
        }
    });

    describe("values from ARG expansion", () => {
        it("reports a malformed ARG default expanded into ENV, showing the value", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG MEMORY_LIMIT=400Mi", "ENV GOMEMLIMIT=$MEMORY_LIMIT")), [
                memLimit(14, "400Mi", KUBERNETES_SUFFIX("400Mi")),
            ]);
        });

        it("passes a valid ARG default expanded into ENV", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG MEMORY_LIMIT=460MiB", "ENV GOMEMLIMIT=${MEMORY_LIMIT}")), []);
        });

        it("judges the build arg over the ARG default", async () => {
            const text = finalEnv("ARG MEMORY_LIMIT=460MiB", "ENV GOMEMLIMIT=${MEMORY_LIMIT}");
            assert.deepStrictEqual(await check(text, { buildArgs: { MEMORY_LIMIT: "1G" } }), [memLimit(14, "1G", DECIMAL)]);
        });

        it("reports GOGC from an ARG", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG GC=abc", "ENV GOGC=$GC")), [goGc(14, "abc")]);
        });

        it("expands a default word when the ARG is unset", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG MEMORY_LIMIT", "ENV GOMEMLIMIT=${MEMORY_LIMIT:-400Mi}")), [memLimit(14, "400Mi", KUBERNETES_SUFFIX("400Mi"))]);
        });

        // Docker expands an ARG with no value to "", and Go reads GOMEMLIMIT="" as no limit: nothing aborts.
        it("passes ENV GOMEMLIMIT=${X} when ARG X has no value (it expands to the empty string)", async () => {
            assert.deepStrictEqual(await check(finalEnv("ARG MEMORY_LIMIT", "ENV GOMEMLIMIT=${MEMORY_LIMIT}")), []);
        });
    });

    describe("stages", () => {
        it("reports values in a builder stage too", async () => {
            assert.deepStrictEqual(await check(withLine(5, "ENV CGO_ENABLED=0 GOMEMLIMIT=1G")), [memLimit(5, "1G", DECIMAL, BUILD)]);
            assert.deepStrictEqual(await check(withLine(5, "ENV CGO_ENABLED=0 GOGC=abc")), [goGc(5, "abc", BUILD)]);
        });

        it("reports a value inherited from a parent stage once, at the parent's line", async () => {
            const text = GO_DOCKERFILE.replace(`FROM ${RUNTIME}`, `FROM ${RUNTIME} AS runtime\nENV GOMEMLIMIT=400Mi\nFROM runtime`);
            assert.deepStrictEqual(await check(text), [memLimit(12, "400Mi", KUBERNETES_SUFFIX("400Mi"), 'stage "runtime" (line 11)')]);
        });

        it("ignores a stage that does not feed the final stage", async () => {
            const text = GO_DOCKERFILE.replace("\nFROM gcr", "\nFROM ${GO_IMAGE} AS tools\nENV GOGC=abc\nFROM gcr");
            assert.deepStrictEqual(await check(text), []);
        });
    });

    it("reports the full message through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, finalEnv("ENV GOMEMLIMIT=400Mi"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            `docker-build.Image "api-image", inline Dockerfile line 13: ENV GOMEMLIMIT=400Mi in ${FINAL} is not a value the Go runtime accepts: Kubernetes-style suffixes are not understood; write 400MiB. ` +
                'Every Go program started in the image aborts with "malformed GOMEMLIMIT". ' +
                "Fix: write it as a whole number with B, KiB, MiB, GiB or TiB, e.g. 460MiB.",
        ]);
    });

    it("does not read unrelated ENV values (a build arg unknown during preview stays unread)", async () => {
        const text = withLine(5, "ENV CGO_ENABLED=0", "ARG VERSION", "ENV VERSION=$VERSION");
        const outcome = await dockerfileOutcome(rule, text, { buildArgs: { VERSION: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } });
        assert.deepStrictEqual(outcome, { kind: "violations", summaries: [], messages: [] });
    });
});
