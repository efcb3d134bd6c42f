import * as assert from "assert";
import rule from "../../../policies/dockerfile/exec-form";
import { GO_DOCKERFILE, RUNTIME, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileSummaries } from "../dockerfile-helpers";

const DIGEST = `sha256:${"a".repeat(64)}`;
const at = (line: number) => `inline Dockerfile line ${line}`;
const SCRATCH = "scratch";
const CHAINGUARD = `cgr.dev/chainguard/static@${DIGEST}`;
const DEBUG = `gcr.io/distroless/static-debian12:debug@${DIGEST}`;
const DEBUG_NONROOT = `gcr.io/distroless/static-debian12:debug-nonroot@${DIGEST}`;
const ALPINE = `alpine:3.20@${DIGEST}`;
const HEALTHZ = "http://localhost:8080/healthz";

function check(dockerfile: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile, extra);
}

/** GO_DOCKERFILE with the ENTRYPOINT (line 15) replaced by `lines`. */
const start = (...lines: string[]) => withLine(15, ...lines);
/** …keeping ENTRYPOINT ["/api"] on line 15 and adding `lines` from line 16. */
const after = (...lines: string[]) => withLine(15, 'ENTRYPOINT ["/api"]', ...lines);
const onBase = (text: string, image: string) => text.replace(`FROM ${RUNTIME}`, `FROM ${image}`);

describe("dockerfile-exec-form", () => {
    it("passes the compliant multi-stage Go Dockerfile", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("shell form in an image without a shell", () => {
        it("reports a shell-form ENTRYPOINT on distroless static", async () => {
            assert.deepStrictEqual(await check(start("ENTRYPOINT /api")), [`${at(15)}: ENTRYPOINT is in shell form (/api), and ${RUNTIME} has no shell`]);
        });

        for (const image of [SCRATCH, CHAINGUARD, `gcr.io/distroless/base-debian12:nonroot@${DIGEST}`]) {
            it(`reports it on ${image.replace(DIGEST, "<digest>")}`, async () => {
                assert.deepStrictEqual(await check(onBase(start("ENTRYPOINT /api"), image)), [`${at(15)}: ENTRYPOINT is in shell form (/api), and ${image} has no shell`]);
            });
        }

        it("reports a shell-form CMD", async () => {
            assert.deepStrictEqual(await check(after("CMD --addr :8080")), [`${at(16)}: CMD is in shell form (--addr :8080), and ${RUNTIME} has no shell`]);
        });

        it("passes an exec-form CMD", async () => {
            assert.deepStrictEqual(await check(after('CMD ["--addr", ":8080"]')), []);
        });

        it("reports a shell-form HEALTHCHECK CMD", async () => {
            assert.deepStrictEqual(await check(after(`HEALTHCHECK --interval=30s CMD wget -q -O- ${HEALTHZ}`)), [
                `${at(16)}: HEALTHCHECK CMD is in shell form (wget -q -O- ${HEALTHZ}), and ${RUNTIME} has no shell`,
            ]);
        });

        it("reports a HEALTHCHECK continued over lines at its first line", async () => {
            assert.deepStrictEqual(await check(after("HEALTHCHECK --interval=30s \\", `    CMD wget -q ${HEALTHZ}`, "EXPOSE 8080")), [
                `${at(16)}: HEALTHCHECK CMD is in shell form (wget -q ${HEALTHZ}), and ${RUNTIME} has no shell`,
            ]);
        });

        it("treats an array that is not valid JSON as shell form", async () => {
            assert.deepStrictEqual(await check(start("ENTRYPOINT ['/api']")), [`${at(15)}: ENTRYPOINT is in shell form (['/api']), and ${RUNTIME} has no shell`]);
            assert.deepStrictEqual(await check(start('ENTRYPOINT ["/api",]')), [`${at(15)}: ENTRYPOINT is in shell form (["/api",]), and ${RUNTIME} has no shell`]);
        });
    });

    describe("images with a shell", () => {
        for (const image of [DEBUG, DEBUG_NONROOT, ALPINE]) {
            it(`passes shell form on ${image.replace(DIGEST, "<digest>")}`, async () => {
                assert.deepStrictEqual(await check(onBase(after("CMD --addr :8080", `HEALTHCHECK CMD wget -q ${HEALTHZ} || exit 1`).replace('ENTRYPOINT ["/api"]', "ENTRYPOINT /api"), image)), []);
            });
        }

        it("passes exec form calling sh or wget on distroless :debug (busybox)", async () => {
            assert.deepStrictEqual(await check(onBase(start('ENTRYPOINT ["sh", "-c", "exec /api"]', `HEALTHCHECK CMD ["wget", "-q", "${HEALTHZ}"]`), DEBUG)), []);
        });

        it("passes invalid JSON (shell form) on distroless :debug", async () => {
            assert.deepStrictEqual(await check(onBase(start("ENTRYPOINT ['/api']"), DEBUG)), []);
        });
    });

    describe("exec form calling a program the image does not have", () => {
        it("reports ENTRYPOINT [\"sh\", …]", async () => {
            assert.deepStrictEqual(await check(start('ENTRYPOINT ["sh", "-c", "/api"]')), [
                `${at(15)}: ENTRYPOINT runs sh (["sh", "-c", "/api"]), and ${RUNTIME} has no sh`,
            ]);
        });

        it("reports ENTRYPOINT [\"/bin/bash\", …] on scratch", async () => {
            assert.deepStrictEqual(await check(onBase(start('ENTRYPOINT ["/bin/bash", "-c", "/api"]'), SCRATCH)), [
                `${at(15)}: ENTRYPOINT runs bash (["/bin/bash", "-c", "/api"]), and scratch has no bash`,
            ]);
        });

        it("reports HEALTHCHECK CMD [\"wget\", …] on Chainguard static", async () => {
            assert.deepStrictEqual(await check(onBase(after(`HEALTHCHECK --interval=30s CMD ["wget", "-q", "-O-", "${HEALTHZ}"]`), CHAINGUARD)), [
                `${at(16)}: HEALTHCHECK CMD runs wget (["wget", "-q", "-O-", "${HEALTHZ}"]), and ${CHAINGUARD} has no wget`,
            ]);
        });

        it("reports HEALTHCHECK CMD [\"/usr/bin/curl\", …]", async () => {
            assert.deepStrictEqual(await check(after(`HEALTHCHECK CMD ["/usr/bin/curl", "-f", "${HEALTHZ}"]`)), [
                `${at(16)}: HEALTHCHECK CMD runs curl (["/usr/bin/curl", "-f", "${HEALTHZ}"]), and ${RUNTIME} has no curl`,
            ]);
        });

        it("passes a health check by the Go binary itself", async () => {
            assert.deepStrictEqual(await check(after('HEALTHCHECK --interval=30s CMD ["/api", "healthcheck"]')), []);
        });

        it("passes HEALTHCHECK NONE", async () => {
            assert.deepStrictEqual(await check(after("HEALTHCHECK NONE")), []);
        });
    });

    describe("shell operators as exec-form arguments (any image)", () => {
        for (const op of ["||", "&&", "|", ";", ">"]) {
            it(`reports ${JSON.stringify(op)} in ENTRYPOINT on alpine`, async () => {
                assert.deepStrictEqual(await check(onBase(start(`ENTRYPOINT ["/api", "${op}", "true"]`), ALPINE)), [
                    `${at(15)}: ENTRYPOINT passes the shell operator ${JSON.stringify(op)} as an argument in exec form`,
                ]);
            });
        }

        it("reports \"||\" in HEALTHCHECK CMD on distroless :debug", async () => {
            assert.deepStrictEqual(await check(onBase(after(`HEALTHCHECK CMD ["wget", "-q", "${HEALTHZ}", "||", "exit", "1"]`), DEBUG)), [
                `${at(16)}: HEALTHCHECK CMD passes the shell operator "||" as an argument in exec form`,
            ]);
        });

        it("reports both the missing wget and the operator on distroless static", async () => {
            assert.deepStrictEqual(await check(after(`HEALTHCHECK CMD ["wget", "-q", "${HEALTHZ}", "||", "exit", "1"]`)), [
                `${at(16)}: HEALTHCHECK CMD runs wget (["wget", "-q", "${HEALTHZ}", "||", "exit", "1"]), and ${RUNTIME} has no wget`,
                `${at(16)}: HEALTHCHECK CMD passes the shell operator "||" as an argument in exec form`,
            ]);
        });

        it("names every operator of one array", async () => {
            assert.deepStrictEqual(await check(onBase(after('CMD ["serve", "&&", "echo", "done", ">", "/tmp/log"]'), ALPINE)), [
                `${at(16)}: CMD passes the shell operators "&&", ">" as arguments in exec form`,
            ]);
        });

        it("does not report operators inside a shell's -c string", async () => {
            assert.deepStrictEqual(await check(onBase(start('ENTRYPOINT ["sh", "-c", "/api || exit 1"]'), ALPINE)), []);
        });
    });

    describe("the effective instruction", () => {
        it("judges only the last CMD", async () => {
            assert.deepStrictEqual(await check(after("CMD serve", 'CMD ["serve"]')), []);
            assert.deepStrictEqual(await check(after('CMD ["serve"]', "CMD serve")), [`${at(17)}: CMD is in shell form (serve), and ${RUNTIME} has no shell`]);
        });

        it("judges only the last HEALTHCHECK", async () => {
            assert.deepStrictEqual(await check(after(`HEALTHCHECK CMD wget -q ${HEALTHZ}`, 'HEALTHCHECK CMD ["/api", "healthcheck"]')), []);
            assert.deepStrictEqual(await check(after(`HEALTHCHECK CMD wget -q ${HEALTHZ}`, "HEALTHCHECK NONE")), []);
        });

        /** The runtime as a parent stage "runtime" (line 11) with `parentLines` from line 12, the final stage FROM runtime after them. */
        function parent(parentLines: string[], final: (text: string) => string = (t) => t): string {
            const lines = GO_DOCKERFILE.split("\n");
            lines.splice(10, 1, `FROM ${RUNTIME} AS runtime`, ...parentLines, "FROM runtime");
            return final(lines.join("\n"));
        }

        it("judges a CMD inherited from a parent stage, at the parent's line", async () => {
            // The final stage keeps no ENTRYPOINT of its own, so it inherits both from the parent.
            const text = parent(['ENTRYPOINT ["/api"]', "CMD serve"], (t) => t.slice(0, t.lastIndexOf('ENTRYPOINT ["/api"]')));
            assert.deepStrictEqual(await check(text), [`${at(13)}: CMD is in shell form (serve), and ${RUNTIME} has no shell`]);
        });

        it("lets the final stage's own CMD win over the parent's", async () => {
            assert.deepStrictEqual(await check(parent(["CMD serve"], (t) => t.replace('ENTRYPOINT ["/api"]', 'ENTRYPOINT ["/api"]\nCMD ["serve"]'))), []);
        });

        // Docker resets an inherited CMD when the stage sets ENTRYPOINT, so the parent's shell-form CMD never runs.
        it("ignores a parent's CMD once the final stage sets ENTRYPOINT", async () => {
            assert.deepStrictEqual(await check(parent(["CMD serve"])), []);
        });

        it("judges the stage a target selects", async () => {
            assert.deepStrictEqual(await check(GO_DOCKERFILE.replace("RUN go mod download", "CMD go run ./cmd/api"), { target: "build" }), []);
            const onScratch = GO_DOCKERFILE.replace("FROM ${GO_IMAGE} AS build", "FROM scratch AS build\nCMD /api");
            assert.deepStrictEqual(await check(onScratch, { target: "build" }), [`${at(4)}: CMD is in shell form (/api), and scratch has no shell`]);
        });
    });

    it("reports the full message through the policy", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, start("ENTRYPOINT /api --addr :8080"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            `docker-build.Image "api-image", inline Dockerfile line 15: ENTRYPOINT is in shell form (/api --addr :8080), and ${RUNTIME} has no shell. ` +
                "Docker runs shell form through /bin/sh -c, which does not exist in this image, so the container (or its health check) fails to start. " +
                'Fix: write it in exec form, e.g. ENTRYPOINT ["/api","--addr",":8080"].',
        ]);
    });
});
