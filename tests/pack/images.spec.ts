// Image build resources as the Pulumi CLI hands them to the pack: the props each provider's Check produces,
// Dockerfiles found on disk through the program-directory resolution order (each rule gets its own pack process
// with its own environment), inline Dockerfiles, Dockerfiles that cannot be checked, values unknown during preview,
// the skip directive, config, and the workload-timezone stack policy over AnalyzeStack.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AnalyzeResult, AnalyzerInfo, Level, PackProcess, reconcileConfig, StackResource, UNKNOWN } from "../../scripts/lib/analyzer";
import { BUILDER, dockerImage, GO_DOCKERFILE, inlineImage, RUNTIME, TYPES, withLine } from "../fixtures/dockerfiles";
import { DOCKERFILE_POLICIES, WORKLOAD_POLICIES } from "../fixtures/policy-names";
import { DIGEST, deploymentWith, Props } from "../fixtures/workloads";
import { PACK_DIR } from "../paths";

/** The Pulumi resource name of every image resource here. */
const NAME = "api-image";
const PROJECT = "go-service-guard-test";
const IMAGE_NAME = "ghcr.io/acme/api:1.4.2";

const WORKLOADS = "Kubernetes workloads";

type NotApplicable = { policyName: string; reason: string };
/** One expected diagnostic: policy, level, and the message body (after the policy description) it starts with. */
type Expected = [policy: string, level: Level, body: string];

/** The workload policies never apply to an image resource; each says so. */
function workloadsNotApplicable(type: string): NotApplicable[] {
    return WORKLOAD_POLICIES.map((policyName) => ({ policyName, reason: `applies to ${WORKLOADS}, not to ${type}` }));
}

/** What image-signature applies to, as its not-applicable reason says it. */
const SIGNED_IMAGES = "container images";

/**
 * image-signature under the default config: a docker.RemoteImage pulls an image it would check, but no requirement
 * is configured; the build-only resources run or pull nothing it checks.
 */
function signatureNotApplicable(type: string): NotApplicable {
    const reason = type === TYPES.remoteImage
        ? "no signature requirements are configured (requirements is empty)"
        : `applies to ${SIGNED_IMAGES}, not to ${type}`;
    return { policyName: "image-signature", reason };
}

/** Every Dockerfile policy not applicable for the same reason. */
function everyDockerfilePolicy(reason: string): NotApplicable[] {
    return DOCKERFILE_POLICIES.map((policyName) => ({ policyName, reason }));
}

/** The seven Dockerfile policies after dockerfile-readable, pointing at it for `problem`. */
function pointingAtReadable(problem: string): NotApplicable[] {
    return DOCKERFILE_POLICIES.filter((p) => p !== "dockerfile-readable").map((policyName) => ({
        policyName,
        reason: `the Dockerfile could not be read or resolved (${problem}); dockerfile-readable reports it`,
    }));
}

/** Dockerfile `text` with line `n` (1-based) replaced by `replacement` lines (none to delete it). */
function edit(text: string, n: number, ...replacement: string[]): string {
    const lines = text.split("\n");
    lines.splice(n - 1, 1, ...replacement);
    return lines.join("\n");
}

/** The compliant Dockerfile running as root on line 14. */
const AS_ROOT = withLine(14, "USER 0");
/** The builder image comes from an unpinned ARG default, so a build arg must pin it. */
const ARG_DEFAULT = "golang:1.23.4-bookworm";
const WITH_ARG = withLine(2, `ARG GO_IMAGE=${ARG_DEFAULT}`);
/** A named runtime stage and a root debug stage after it (lines 16-17): the build target decides which is final. */
const WITH_DEBUG_STAGE = edit(withLine(11, `FROM ${RUNTIME} AS runtime`), 16, "FROM runtime AS debug", "USER 0", "");
/** The runtime tag follows the target platform. */
const PER_PLATFORM = withLine(11, "FROM gcr.io/distroless/static-debian12:nonroot-${TARGETARCH}");
/** The builder is a name that only a named build context turns into an image. */
const NAMED_BUILDER = withLine(3, "FROM builder AS build");
/** The final stage is scratch without zoneinfo and without TZ of its own (line 12 removed). */
const SCRATCH = edit(withLine(11, "FROM scratch"), 12);
/** The same with Go's embedded zone database. */
const SCRATCH_TIMETZDATA = edit(SCRATCH, 9, "RUN go build -tags timetzdata -trimpath -ldflags='-s -w' -o /out/api ./cmd/api");
/** A Dockerfile with no FROM at all. */
const NO_FROM = ["# syntax=docker/dockerfile:1", `ARG GO_IMAGE=${BUILDER}`, ""].join("\n");
/** A Dockerfile with an instruction Docker does not know. */
const UNKNOWN_INSTRUCTION = withLine(9, "RUNN go build -o /out/api ./cmd/api");

/** The skip directive sits right after the syntax directive (line 2), so every later line moves down by one. */
function withDirective(directive: string, dockerfile = AS_ROOT): string {
    return edit(dockerfile, 1, "# syntax=docker/dockerfile:1", directive);
}

/** Creates `files` (relative path → content) under `root`. */
function writeTree(root: string, files: Record<string, string>): void {
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
    }
}

/** A fresh temp directory (real path, so it matches what the pack resolves). */
function tempDir(prefix: string): string {
    return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `go-service-guard-${prefix}-`)));
}

interface Pack {
    process: PackProcess;
    info: AnalyzerInfo;
}

/**
 * Starts a pack for the enclosing describe block with the environment `env()` returns (called once the block's
 * outer before hooks have built the trees), configures it from `config` like a --policy-pack-config file, and
 * stops it afterwards. A variable set to undefined is removed from the environment the pack inherits.
 */
function packFor(env: () => NodeJS.ProcessEnv, config: unknown = {}): Pack {
    const pack = {} as Pack;
    before(async function () {
        pack.process = await PackProcess.start(PACK_DIR, env());
        pack.info = await pack.process.getAnalyzerInfo();
        await pack.process.configure(reconcileConfig(pack.info, config));
    });
    after(async function () {
        await pack.process?.stop();
    });
    return pack;
}

function render(result: AnalyzeResult): string {
    const lines = [
        ...result.diagnostics.map((d) => `  [${d.enforcementLevel}] ${d.policyName}${d.urn ? ` (${d.urn})` : ""}: ${d.message.replace(/\n/g, " | ")}`),
        ...result.notApplicable.map((n) => `  not applicable ${n.policyName}: ${n.reason}`),
    ];
    return lines.join("\n") || "  (nothing)";
}

/** The exact diagnostics (policy, level, message body) of a result; can't-run advisories are compared whole. */
function assertDiagnostics(pack: Pack, result: AnalyzeResult, expected: Expected[]): void {
    assert.deepStrictEqual(
        result.diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
        expected.map(([policy, level]) => [policy, level]),
        `diagnostics differ; got:\n${render(result)}`,
    );
    result.diagnostics.forEach((d, i) => {
        const policy = pack.info.policies.find((p) => p.name === d.policyName);
        assert.ok(policy, `GetAnalyzerInfo does not list ${d.policyName}`);
        assert.strictEqual(d.policyPackName, pack.info.name);
        assert.strictEqual(d.policyPackVersion, pack.info.version);
        assert.strictEqual(d.severity, policy.severity, `${d.policyName}: severity`);
        const want = expected[i][2];
        if (want.startsWith("can't run policy")) {
            assert.strictEqual(d.message, want, `diagnostic ${i} (${d.policyName})`);
            return;
        }
        const prefix = `${policy.description}\n`;
        assert.ok(d.message.startsWith(prefix), `${d.policyName}: message does not start with the policy description: ${JSON.stringify(d.message)}`);
        const body = d.message.slice(prefix.length);
        assert.ok(body.startsWith(want), `diagnostic ${i} (${d.policyName}):\n  expected to start with ${JSON.stringify(want)}\n  got ${JSON.stringify(body)}`);
        assert.match(body, / Fix: \S/, `diagnostic ${i} (${d.policyName}) names no fix: ${JSON.stringify(body)}`);
    });
}

/**
 * The whole verdict on one image resource: exactly these diagnostics, and exactly the workload policies,
 * `dockerfileNotApplicable` and image-signature reported not applicable.
 */
function assertVerdict(pack: Pack, result: AnalyzeResult, type: string, expected: Expected[], dockerfileNotApplicable: NotApplicable[] = []): void {
    assertDiagnostics(pack, result, expected);
    assert.deepStrictEqual(
        result.notApplicable,
        [...workloadsNotApplicable(type), ...dockerfileNotApplicable, signatureNotApplicable(type)],
        `not-applicable differs; got:\n${render(result)}`,
    );
}

function analyze(pack: Pack, type: string, props: Props, name = NAME): Promise<AnalyzeResult> {
    return pack.process.analyze({ type, name, props });
}

/** The advisory the SDK reports for a policy that reads a value unknown during preview. */
function cantRun(pack: Pack, policy: string, property: string): Expected {
    return [
        policy,
        "advisory",
        `can't run policy '${policy}' from policy pack '${pack.info.name}@v${pack.info.version}' during preview: string value at ${property} can't be known during preview`,
    ];
}

/** docker:index/remoteImage:RemoteImage after the bridged provider's Check: the Dockerfile is relative to build.context. */
function remoteImage(build: Record<string, unknown> | undefined): Props {
    return { name: IMAGE_NAME, keepLocally: false, ...(build ? { build: { context: "app", dockerfile: "Dockerfile", ...build } } : {}) };
}

/** docker-build:index:Image after Check: context.location and dockerfile.location (program-relative) filled in. */
function buildImage(location: string, extra: Record<string, unknown> = {}, context: Record<string, unknown> = {}): Props {
    return {
        push: true,
        tags: [IMAGE_NAME],
        context: { location: "app", ...context },
        dockerfile: { location },
        buildOnPreview: true,
        network: "default",
        ...extra,
    };
}

const rootAt = (label: string, at: string): Expected => ["dockerfile-nonroot", "mandatory", `${label}, ${at}: USER 0 runs the image as root.`];

describe("image resources over the Analyzer protocol", function () {
    /** The program directory of most blocks: GO_SERVICE_GUARD_PROGRAM_DIR names it. */
    let program: string;

    before(function () {
        program = tempDir("program");
        writeTree(program, {
            "Pulumi.yaml": `name: ${PROJECT}\nruntime: nodejs\n`,
            "app/Dockerfile": GO_DOCKERFILE,
            // Where the Dockerfile would be if build.dockerfile of docker.Image / docker-build were read against the context.
            "app/app/Dockerfile": AS_ROOT,
            // Where RemoteImage's Dockerfile would be if it were read against the program instead of the context.
            Dockerfile: AS_ROOT,
            "app/root.Dockerfile": AS_ROOT,
            "app/args.Dockerfile": WITH_ARG,
            "app/target.Dockerfile": WITH_DEBUG_STAGE,
            "app/platform.Dockerfile": PER_PLATFORM,
            "app/named.Dockerfile": NAMED_BUILDER,
            "app/no-from.Dockerfile": NO_FROM,
            "app/unknown-instruction.Dockerfile": UNKNOWN_INSTRUCTION,
            "app/skip.Dockerfile": withDirective('# go-service-guard: skip=dockerfile-nonroot reason="debug image, runs as root on purpose"'),
            "app/skip-no-reason.Dockerfile": withDirective("# go-service-guard: skip=dockerfile-nonroot"),
            "app/scratch.Dockerfile": SCRATCH,
            "app/scratch-timetzdata.Dockerfile": SCRATCH_TIMETZDATA,
        });
    });

    after(function () {
        if (program) {
            fs.rmSync(program, { recursive: true, force: true });
        }
    });

    /** The environment of a pack that finds the program through GO_SERVICE_GUARD_PROGRAM_DIR. */
    const programEnv = (): NodeJS.ProcessEnv => ({ GO_SERVICE_GUARD_PROGRAM_DIR: program, PWD: os.tmpdir() });
    const viaVariable = () => `relative paths are resolved against GO_SERVICE_GUARD_PROGRAM_DIR=${program}`;

    describe("docker:index/image:Image (build.dockerfile relative to the program directory)", function () {
        const pack = packFor(programEnv);
        const type = TYPES.dockerImage;
        const label = `docker.Image "${NAME}"`;

        it("the compliant Dockerfile at build.dockerfile (not build.context + build.dockerfile) passes every policy", async function () {
            const props = dockerImage("app/Dockerfile", "app");
            assert.strictEqual((props.build as Props).contextDigest, "d".repeat(64), "the fixture carries Check's contextDigest");
            assertVerdict(pack, await analyze(pack, type, props), type, []);
        });

        it("the Dockerfile Check defaulted to <context>/Dockerfile is read from the program directory", async function () {
            // Check turns {context: "./app"} into dockerfile "app/Dockerfile".
            const props = dockerImage("app/Dockerfile", "./app");
            assertVerdict(pack, await analyze(pack, type, props), type, []);
        });

        it("a noncompliant Dockerfile is reported at its program-relative path and line", async function () {
            assertVerdict(pack, await analyze(pack, type, dockerImage("app/root.Dockerfile")), type, [rootAt(label, "Dockerfile app/root.Dockerfile line 14")]);
        });

        it("build.args override the ARG default that FROM uses", async function () {
            const unpinned = await analyze(pack, type, dockerImage("app/args.Dockerfile"));
            assertVerdict(pack, unpinned, type, [
                ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/args.Dockerfile line 3: FROM in stage "build" (line 3) pulls ${ARG_DEFAULT}, which is not pinned by digest.`],
            ]);
            const pinned = await analyze(pack, type, dockerImage("app/args.Dockerfile", "app", { args: { GO_IMAGE: BUILDER } }));
            assertVerdict(pack, pinned, type, []);
        });

        it("build.target picks the final stage; without it the last stage is final", async function () {
            assertVerdict(pack, await analyze(pack, type, dockerImage("app/target.Dockerfile")), type, [rootAt(label, "Dockerfile app/target.Dockerfile line 17")]);
            assertVerdict(pack, await analyze(pack, type, dockerImage("app/target.Dockerfile", "app", { target: "runtime" })), type, []);
        });

        it("build.platform (filled in by Check) sets TARGETARCH for FROM", async function () {
            for (const [platform, arch] of [["linux/arm64", "arm64"], ["linux/amd64", "amd64"]]) {
                const result = await analyze(pack, type, dockerImage("app/platform.Dockerfile", "app", { platform }));
                const image = `gcr.io/distroless/static-debian12:nonroot-${arch}`;
                assertVerdict(pack, result, type, [
                    ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/platform.Dockerfile line 11: FROM in stage 1 (line 11) pulls ${image}, which is not pinned by digest.`],
                ]);
            }
        });

        it("an absolute build.dockerfile is read as is", async function () {
            const result = await analyze(pack, type, dockerImage(path.join(program, "app", "root.Dockerfile")));
            assertVerdict(pack, result, type, [rootAt(label, "Dockerfile app/root.Dockerfile line 14")]);
        });
    });

    describe("docker-build:index:Image (dockerfile.location relative to the program directory, or dockerfile.inline)", function () {
        const pack = packFor(programEnv);
        const type = TYPES.dockerBuild;
        const label = `docker-build.Image "${NAME}"`;

        it("the compliant Dockerfile at dockerfile.location (not context.location + dockerfile.location) passes every policy", async function () {
            assertVerdict(pack, await analyze(pack, type, buildImage("app/Dockerfile")), type, []);
        });

        it("a noncompliant Dockerfile is reported at its program-relative path and line", async function () {
            assertVerdict(pack, await analyze(pack, type, buildImage("app/root.Dockerfile")), type, [rootAt(label, "Dockerfile app/root.Dockerfile line 14")]);
        });

        it("an inline Dockerfile is judged as written, lines counted from its first line", async function () {
            assertVerdict(pack, await analyze(pack, type, inlineImage(GO_DOCKERFILE)), type, []);
            assertVerdict(pack, await analyze(pack, type, inlineImage(AS_ROOT)), type, [rootAt(label, "inline Dockerfile line 14")]);
        });

        it("buildArgs override the ARG default that FROM uses", async function () {
            assertVerdict(pack, await analyze(pack, type, buildImage("app/args.Dockerfile")), type, [
                ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/args.Dockerfile line 3: FROM in stage "build" (line 3) pulls ${ARG_DEFAULT}, which is not pinned by digest.`],
            ]);
            assertVerdict(pack, await analyze(pack, type, buildImage("app/args.Dockerfile", { buildArgs: { GO_IMAGE: BUILDER } })), type, []);
        });

        it("target picks the final stage; without it the last stage is final", async function () {
            assertVerdict(pack, await analyze(pack, type, buildImage("app/target.Dockerfile")), type, [rootAt(label, "Dockerfile app/target.Dockerfile line 17")]);
            assertVerdict(pack, await analyze(pack, type, buildImage("app/target.Dockerfile", { target: "runtime" })), type, []);
        });

        it("context.named replaces FROM <name> with the image it names", async function () {
            assertVerdict(pack, await analyze(pack, type, buildImage("app/named.Dockerfile")), type, [
                ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/named.Dockerfile line 3: FROM in stage "build" (line 3) pulls builder, with no tag and no digest.`],
            ]);
            const named = buildImage("app/named.Dockerfile", {}, { named: { builder: { location: `docker-image://${BUILDER}` } } });
            assertVerdict(pack, await analyze(pack, type, named), type, []);
            const unpinned = buildImage("app/named.Dockerfile", {}, { named: { builder: { location: `docker-image://${ARG_DEFAULT}` } } });
            assertVerdict(pack, await analyze(pack, type, unpinned), type, [
                ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/named.Dockerfile line 3: FROM in stage "build" (line 3) pulls ${ARG_DEFAULT}, which is not pinned by digest.`],
            ]);
        });
    });

    describe("docker:index/remoteImage:RemoteImage (build.dockerfile relative to build.context)", function () {
        const pack = packFor(programEnv);
        const type = TYPES.remoteImage;
        const label = `docker.RemoteImage "${NAME}"`;

        it("the compliant Dockerfile in the context (not in the program directory) passes every policy", async function () {
            assertVerdict(pack, await analyze(pack, type, remoteImage({ buildArgs: {} })), type, []);
        });

        it("a noncompliant Dockerfile is reported at its path and line", async function () {
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: "root.Dockerfile" })), type, [rootAt(label, "Dockerfile app/root.Dockerfile line 14")]);
        });

        it("build.buildArgs override the ARG default that FROM uses", async function () {
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: "args.Dockerfile" })), type, [
                ["dockerfile-base-image", "mandatory", `${label}, Dockerfile app/args.Dockerfile line 3: FROM in stage "build" (line 3) pulls ${ARG_DEFAULT}, which is not pinned by digest.`],
            ]);
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: "args.Dockerfile", buildArgs: { GO_IMAGE: BUILDER } })), type, []);
        });

        it("build.target picks the final stage", async function () {
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: "target.Dockerfile" })), type, [rootAt(label, "Dockerfile app/target.Dockerfile line 17")]);
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: "target.Dockerfile", target: "runtime" })), type, []);
        });

        it("without build it only pulls: every Dockerfile policy is not applicable and says why", async function () {
            const result = await analyze(pack, type, remoteImage(undefined));
            assertVerdict(pack, result, type, [], everyDockerfilePolicy(`nothing local to read: it pulls "${IMAGE_NAME}" and builds nothing`));
        });
    });

    describe("Dockerfiles that cannot be checked", function () {
        const pack = packFor(programEnv);
        const fix = "use an absolute Dockerfile path in the resource";

        it("a missing Dockerfile: one mandatory dockerfile-readable violation naming the absolute path and how the program directory was found", async function () {
            const type = TYPES.dockerImage;
            const result = await analyze(pack, type, dockerImage("app/missing.Dockerfile"));
            const tried = path.join(program, "app", "missing.Dockerfile");
            assertVerdict(
                pack,
                result,
                type,
                [["dockerfile-readable", "mandatory", `docker.Image "${NAME}", Dockerfile app/missing.Dockerfile: the Dockerfile was not found; tried ${tried} (${viaVariable()}).`]],
                pointingAtReadable("the Dockerfile was not found"),
            );
            assert.ok(result.diagnostics[0].message.includes(`Fix: ${fix}`), result.diagnostics[0].message);
            assert.ok(result.diagnostics[0].message.includes("GO_SERVICE_GUARD_PROGRAM_DIR to the program directory"), result.diagnostics[0].message);
        });

        it("a missing Dockerfile of each resource type is reported the same way", async function () {
            const cases: Array<[string, Props, string, string]> = [
                [TYPES.dockerBuild, buildImage("app/missing.Dockerfile"), `docker-build.Image "${NAME}"`, "app/missing.Dockerfile"],
                [TYPES.remoteImage, remoteImage({ dockerfile: "missing.Dockerfile" }), `docker.RemoteImage "${NAME}"`, "app/missing.Dockerfile"],
                [TYPES.dockerImage, dockerImage("app/missing/Dockerfile", "app/missing"), `docker.Image "${NAME}"`, "app/missing/Dockerfile"],
            ];
            for (const [type, props, label, display] of cases) {
                const tried = path.join(program, display);
                assertVerdict(
                    pack,
                    await analyze(pack, type, props),
                    type,
                    [["dockerfile-readable", "mandatory", `${label}, Dockerfile ${display}: the Dockerfile was not found; tried ${tried} (${viaVariable()}).`]],
                    pointingAtReadable("the Dockerfile was not found"),
                );
            }
        });

        it("a Dockerfile with no FROM", async function () {
            const type = TYPES.dockerImage;
            const problem = "the Dockerfile does not parse: no FROM instruction: there is nothing to build";
            const tried = path.join(program, "app", "no-from.Dockerfile");
            assertVerdict(
                pack,
                await analyze(pack, type, dockerImage("app/no-from.Dockerfile")),
                type,
                [["dockerfile-readable", "mandatory", `docker.Image "${NAME}", Dockerfile app/no-from.Dockerfile: ${problem}; tried ${tried}.`]],
                pointingAtReadable(problem),
            );
        });

        it("a Dockerfile with an unknown instruction", async function () {
            const type = TYPES.dockerImage;
            const problem = "the Dockerfile does not parse: line 9: unknown instruction RUNN";
            const tried = path.join(program, "app", "unknown-instruction.Dockerfile");
            assertVerdict(
                pack,
                await analyze(pack, type, dockerImage("app/unknown-instruction.Dockerfile")),
                type,
                [["dockerfile-readable", "mandatory", `docker.Image "${NAME}", Dockerfile app/unknown-instruction.Dockerfile: ${problem}; tried ${tried}.`]],
                pointingAtReadable(problem),
            );
        });

        it("an inline Dockerfile that does not parse", async function () {
            const type = TYPES.dockerBuild;
            const problem = "the Dockerfile does not parse: line 9: unknown instruction RUNN";
            assertVerdict(
                pack,
                await analyze(pack, type, inlineImage(UNKNOWN_INSTRUCTION)),
                type,
                [["dockerfile-readable", "mandatory", `docker-build.Image "${NAME}", inline Dockerfile: ${problem}. None of the Dockerfile policies can check this image, and the build itself will fail.`]],
                pointingAtReadable(problem),
            );
        });

        it("a build target that is not a stage of the Dockerfile", async function () {
            const type = TYPES.dockerImage;
            const problem = 'target stage "release" is not defined (stages: build, 1)';
            const tried = path.join(program, "app", "Dockerfile");
            assertVerdict(
                pack,
                await analyze(pack, type, dockerImage("app/Dockerfile", "app", { target: "release" })),
                type,
                [["dockerfile-readable", "mandatory", `docker.Image "${NAME}", Dockerfile app/Dockerfile: ${problem}; tried ${tried}.`]],
                pointingAtReadable(problem),
            );
        });

        it("a remote build context or Dockerfile URL: every Dockerfile policy not applicable, saying so", async function () {
            const git = "https://github.com/acme/api.git#main";
            const url = "https://raw.githubusercontent.com/acme/api/main/Dockerfile";
            const cases: Array<[string, Props, string]> = [
                [TYPES.dockerImage, dockerImage("Dockerfile", git), `the build context is remote (${git})`],
                // With a remote context Check sets no dockerfile.location.
                [TYPES.dockerBuild, { push: true, tags: [IMAGE_NAME], context: { location: git } }, `the build context is remote (${git})`],
                [TYPES.dockerBuild, buildImage(url), `the Dockerfile is a URL (${url})`],
                [TYPES.remoteImage, remoteImage({ context: git }), `the build context is remote (${git})`],
            ];
            for (const [type, props, reason] of cases) {
                assertVerdict(pack, await analyze(pack, type, props), type, [], everyDockerfilePolicy(`nothing local to read: ${reason}`));
            }
        });
    });

    describe("values unknown during preview", function () {
        const pack = packFor(programEnv);
        const canRunNone = (property: string) => DOCKERFILE_POLICIES.map((p) => cantRun(pack, p, property));

        it("docker.Image build.dockerfile unknown: an advisory can't-run for each Dockerfile policy, nothing mandatory", async function () {
            const type = TYPES.dockerImage;
            assertVerdict(pack, await analyze(pack, type, dockerImage(UNKNOWN)), type, canRunNone(".build.dockerfile"));
        });

        it("docker-build dockerfile.location unknown: an advisory can't-run for each Dockerfile policy, nothing mandatory", async function () {
            const type = TYPES.dockerBuild;
            assertVerdict(pack, await analyze(pack, type, buildImage(UNKNOWN)), type, canRunNone(".dockerfile.location"));
        });

        it("RemoteImage build.dockerfile unknown: an advisory can't-run for each Dockerfile policy, nothing mandatory", async function () {
            const type = TYPES.remoteImage;
            assertVerdict(pack, await analyze(pack, type, remoteImage({ dockerfile: UNKNOWN })), type, canRunNone(".build.dockerfile"));
        });

        it("a build arg that FROM needs is unknown: advisory can't-runs, nothing mandatory", async function () {
            const type = TYPES.dockerImage;
            const props = dockerImage("app/args.Dockerfile", "app", { args: { GO_IMAGE: UNKNOWN } });
            assertVerdict(pack, await analyze(pack, type, props), type, canRunNone(".build.args.GO_IMAGE"));
        });
    });

    describe("the # go-service-guard: skip= directive", function () {
        const pack = packFor(programEnv);
        const type = TYPES.dockerImage;

        it("with a reason: the named policy is not applicable with that reason, the others still pass", async function () {
            assertVerdict(pack, await analyze(pack, type, dockerImage("app/skip.Dockerfile")), type, [], [
                {
                    policyName: "dockerfile-nonroot",
                    reason: 'exempted by the "# go-service-guard: skip=" directive on Dockerfile line 2: debug image, runs as root on purpose',
                },
            ]);
        });

        it("without a reason: ignored, and the violation says so", async function () {
            const result = await analyze(pack, type, dockerImage("app/skip-no-reason.Dockerfile"));
            assertVerdict(pack, result, type, [rootAt(`docker.Image "${NAME}"`, "Dockerfile app/skip-no-reason.Dockerfile line 15")]);
            assert.ok(
                result.diagnostics[0].message.endsWith(
                    ' (the "# go-service-guard: skip=" directive on Dockerfile line 2 names dockerfile-nonroot but is ignored: add reason="<why>" to the directive.)',
                ),
                result.diagnostics[0].message,
            );
        });

        it("in an inline Dockerfile too", async function () {
            const inline = withDirective('# go-service-guard: skip=dockerfile-nonroot,dockerfile-base-image reason="debug image"', edit(AS_ROOT, 11, "FROM gcr.io/distroless/static-debian12:nonroot"));
            const result = await analyze(pack, TYPES.dockerBuild, inlineImage(inline));
            const exempted = 'exempted by the "# go-service-guard: skip=" directive on Dockerfile line 2: debug image';
            assertVerdict(pack, result, TYPES.dockerBuild, [], [
                { policyName: "dockerfile-base-image", reason: exempted },
                { policyName: "dockerfile-nonroot", reason: exempted },
            ]);
        });
    });

    describe('{"all": "advisory"} config', function () {
        const pack = packFor(programEnv, { all: "advisory" });
        const type = TYPES.dockerImage;

        it("reports Dockerfile violations at advisory", async function () {
            assertVerdict(pack, await analyze(pack, type, dockerImage("app/root.Dockerfile")), type, [
                ["dockerfile-nonroot", "advisory", `docker.Image "${NAME}", Dockerfile app/root.Dockerfile line 14: USER 0 runs the image as root.`],
            ]);
        });

        it("reports a missing Dockerfile at advisory", async function () {
            const tried = path.join(program, "app", "missing.Dockerfile");
            assertVerdict(
                pack,
                await analyze(pack, type, dockerImage("app/missing.Dockerfile")),
                type,
                [["dockerfile-readable", "advisory", `docker.Image "${NAME}", Dockerfile app/missing.Dockerfile: the Dockerfile was not found; tried ${tried} (${viaVariable()}).`]],
                pointingAtReadable("the Dockerfile was not found"),
            );
        });
    });

    describe("resolving a relative Dockerfile path: the program directory", function () {
        /**
         * One rule of the resolution order: a tree with the compliant Dockerfile and a noncompliant one where the
         * program directory is, noncompliant decoys where a wrong rule would look, and the pack started with `env`.
         */
        function resolutionRule(
            title: string,
            tree: Record<string, string>,
            programAt: string,
            env: (root: string) => NodeJS.ProcessEnv,
            how: (root: string) => string,
        ): void {
            describe(title, function () {
                let root: string;
                before(function () {
                    root = tempDir("resolve");
                    writeTree(root, {
                        ...tree,
                        [path.join(programAt, "app/Dockerfile")]: GO_DOCKERFILE,
                        [path.join(programAt, "app/root.Dockerfile")]: AS_ROOT,
                    });
                });
                after(function () {
                    if (root) {
                        fs.rmSync(root, { recursive: true, force: true });
                    }
                });
                const pack = packFor(() => env(root));
                const type = TYPES.dockerImage;

                it("the compliant Dockerfile there passes", async function () {
                    assertVerdict(pack, await analyze(pack, type, dockerImage("app/Dockerfile")), type, []);
                });

                it("the noncompliant Dockerfile there is reported at its path relative to the program directory", async function () {
                    assertVerdict(pack, await analyze(pack, type, dockerImage("app/root.Dockerfile")), type, [rootAt(`docker.Image "${NAME}"`, "Dockerfile app/root.Dockerfile line 14")]);
                });

                it("a missing Dockerfile names the absolute path tried there and how the directory was found", async function () {
                    const tried = path.join(root, programAt, "app", "missing.Dockerfile");
                    assertVerdict(
                        pack,
                        await analyze(pack, type, dockerImage("app/missing.Dockerfile")),
                        type,
                        [
                            [
                                "dockerfile-readable",
                                "mandatory",
                                `docker.Image "${NAME}", Dockerfile app/missing.Dockerfile: the Dockerfile was not found; tried ${tried} (relative paths are resolved against ${how(root)}).`,
                            ],
                        ],
                        pointingAtReadable("the Dockerfile was not found"),
                    );
                });
            });
        }

        const project = (name: string, main?: string) => `name: ${name}\nruntime: nodejs\n${main ? `main: ${main}\n` : ""}description: a test project\n`;
        const noVariable = { GO_SERVICE_GUARD_PROGRAM_DIR: undefined };

        resolutionRule(
            "1. GO_SERVICE_GUARD_PROGRAM_DIR wins over a project at PWD",
            {
                "pwd/Pulumi.yaml": project(PROJECT),
                "pwd/app/Dockerfile": AS_ROOT,
            },
            "program",
            (root) => ({ GO_SERVICE_GUARD_PROGRAM_DIR: path.join(root, "program"), PWD: path.join(root, "pwd") }),
            (root) => `GO_SERVICE_GUARD_PROGRAM_DIR=${path.join(root, "program")}`,
        );

        resolutionRule(
            "2. the directory of the current project's Pulumi.yaml at PWD",
            { "Pulumi.yaml": project(PROJECT) },
            ".",
            (root) => ({ ...noVariable, PWD: root }),
            (root) => `the directory of ${path.join(root, "Pulumi.yaml")} (project ${PROJECT})`,
        );

        resolutionRule(
            "2. the directory of the current project's Pulumi.yaml above PWD (pulumi run from a subdirectory)",
            {
                "Pulumi.yaml": project(PROJECT),
                "services/api/app/Dockerfile": AS_ROOT,
                "services/api/app/root.Dockerfile": GO_DOCKERFILE,
            },
            ".",
            (root) => ({ ...noVariable, PWD: path.join(root, "services", "api") }),
            (root) => `the directory of ${path.join(root, "Pulumi.yaml")} (project ${PROJECT})`,
        );

        resolutionRule(
            "2. the main: directory of the current project's Pulumi.yaml",
            {
                "Pulumi.yaml": project(PROJECT, "src/"),
                "app/Dockerfile": AS_ROOT,
                "app/root.Dockerfile": GO_DOCKERFILE,
            },
            "src",
            (root) => ({ ...noVariable, PWD: root }),
            (root) => `the main: directory of ${path.join(root, "Pulumi.yaml")} (project ${PROJECT})`,
        );

        resolutionRule(
            "2. a main: that names a file keeps the project directory",
            {
                "Pulumi.yaml": project(PROJECT, "src/index.ts"),
                "src/index.ts": "export {};\n",
                "src/app/Dockerfile": AS_ROOT,
            },
            ".",
            (root) => ({ ...noVariable, PWD: path.join(root, "src") }),
            (root) => `the directory of ${path.join(root, "Pulumi.yaml")} (project ${PROJECT})`,
        );

        resolutionRule(
            "2. a Pulumi.yaml of another project nearer to PWD is skipped",
            {
                "Pulumi.yaml": project(PROJECT),
                "tools/Pulumi.yaml": project("other-project"),
                "tools/app/Dockerfile": AS_ROOT,
                "tools/sub/app/Dockerfile": AS_ROOT,
                "tools/sub/app/root.Dockerfile": GO_DOCKERFILE,
            },
            ".",
            (root) => ({ ...noVariable, PWD: path.join(root, "tools", "sub") }),
            (root) => `the directory of ${path.join(root, "Pulumi.yaml")} (project ${PROJECT})`,
        );

        resolutionRule(
            "3. PWD itself when no Pulumi.yaml at or above it names the current project",
            {
                "Pulumi.yaml": project("other-project"),
                "app/Dockerfile": AS_ROOT,
                "app/root.Dockerfile": GO_DOCKERFILE,
            },
            "work",
            (root) => ({ ...noVariable, PWD: path.join(root, "work") }),
            () => `the directory pulumi runs in (no Pulumi.yaml for project ${PROJECT} at or above it; set GO_SERVICE_GUARD_PROGRAM_DIR to the program directory)`,
        );

        resolutionRule(
            "the project name comes from PULUMI_NODEJS_PROJECT",
            {
                "Pulumi.yaml": project(PROJECT),
                "billing/Pulumi.yaml": project("billing"),
                "billing/app/Dockerfile": GO_DOCKERFILE,
                "billing/app/root.Dockerfile": AS_ROOT,
                "app/Dockerfile": AS_ROOT,
            },
            "billing",
            (root) => ({ ...noVariable, PULUMI_NODEJS_PROJECT: "billing", PWD: path.join(root, "billing") }),
            (root) => `the directory of ${path.join(root, "billing", "Pulumi.yaml")} (project billing)`,
        );
    });

    describe("workload-timezone over AnalyzeStack", function () {
        const pack = packFor(programEnv);
        const deploymentUrn = `urn:pulumi:test::${PROJECT}::kubernetes:apps/v1:Deployment::checkout`;
        const imageUrn = `urn:pulumi:test::${PROJECT}::docker:index/image:Image::${NAME}`;
        const pinnedByDigest = `ghcr.io/acme/api@${DIGEST}`;

        /** The Deployment (as the Kubernetes provider returns it) and the docker.Image that builds its image. */
        function stack(tz: string, dockerfile: string, image = pinnedByDigest): StackResource[] {
            const deployment = deploymentWith((_spec, c) => {
                c.image = image;
                c.env.push({ name: "TZ", value: tz });
            });
            return [
                { type: "kubernetes:apps/v1:Deployment", name: "checkout", urn: deploymentUrn, props: deployment, dependencies: [imageUrn] },
                { type: TYPES.dockerImage, name: NAME, urn: imageUrn, props: { ...dockerImage(dockerfile), repoDigest: UNKNOWN } },
            ];
        }

        function assertStack(result: AnalyzeResult, expected: Array<[urn: string, body: string]>): void {
            assertDiagnostics(pack, result, expected.map(([, body]): Expected => ["workload-timezone", "mandatory", body]));
            assert.deepStrictEqual(result.diagnostics.map((d) => d.urn), expected.map(([urn]) => urn), `urns differ; got:\n${render(result)}`);
            assert.deepStrictEqual(result.notApplicable, []);
        }

        it("TZ=Asia/Tokyo on an image built FROM scratch without zoneinfo: one violation on the Deployment, naming the image resource", async function () {
            const result = await pack.process.analyzeStack(stack("Asia/Tokyo", "app/scratch.Dockerfile"));
            assertStack(result, [
                [
                    deploymentUrn,
                    `Deployment "checkout", container "api": TZ is "Asia/Tokyo" but its image ghcr.io/acme/api is built by docker.Image "${NAME}" ` +
                        "(app/scratch.Dockerfile) with no zoneinfo in the final stage (scratch ships none).",
                ],
            ]);
            assert.match(result.diagnostics[0].message, new RegExp(`Fix: add zoneinfo to docker\\.Image "${NAME}"`));
        });

        it("the same image built with go build -tags timetzdata: no violation", async function () {
            assertStack(await pack.process.analyzeStack(stack("Asia/Tokyo", "app/scratch-timetzdata.Dockerfile")), []);
        });

        it("the compliant Dockerfile (distroless ships zoneinfo): no violation", async function () {
            assertStack(await pack.process.analyzeStack(stack("Asia/Tokyo", "app/Dockerfile")), []);
        });

        it("TZ=UTC needs no zoneinfo: no violation", async function () {
            assertStack(await pack.process.analyzeStack(stack("UTC", "app/scratch.Dockerfile")), []);
        });

        it("an image the stack does not build is not judged", async function () {
            assertStack(await pack.process.analyzeStack(stack("Asia/Tokyo", "app/scratch.Dockerfile", `ghcr.io/acme/other@${DIGEST}`)), []);
        });

        it("TZ=Asia/Jakaarta: a violation for the misspelt zone", async function () {
            const result = await pack.process.analyzeStack(stack("Asia/Jakaarta", "app/scratch-timetzdata.Dockerfile"));
            assertStack(result, [[deploymentUrn, `Deployment "checkout", container "api": TZ is "Asia/Jakaarta", which is not a time zone name Go can find.`]]);
        });

        it("a docker-build.Image with the same repository in its tags is matched too", async function () {
            const resources = stack("Asia/Tokyo", "app/scratch.Dockerfile");
            const buildUrn = `urn:pulumi:test::${PROJECT}::docker-build:index:Image::${NAME}`;
            resources[1] = { type: TYPES.dockerBuild, name: NAME, urn: buildUrn, props: buildImage("app/scratch.Dockerfile", { tags: [IMAGE_NAME] }) };
            assertStack(await pack.process.analyzeStack(resources), [
                [
                    deploymentUrn,
                    `Deployment "checkout", container "api": TZ is "Asia/Tokyo" but its image ghcr.io/acme/api is built by docker-build.Image "${NAME}" ` +
                        "(app/scratch.Dockerfile) with no zoneinfo in the final stage (scratch ships none).",
                ],
            ]);
        });
    });
});
