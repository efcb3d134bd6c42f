// End-to-end: the pack under a real `pulumi preview --policy-pack`, as users run it. The Pulumi CLI
// comes from tests/e2e/pulumi-cli.sh (PATH, or v3.68.0 built once from the Go module proxy); the
// kubernetes and docker providers are the stand-ins in tests/e2e/providers (see README,
// "End-to-end tests"). Stacks live on the local file backend; nothing leaves the machine.
// Run with `npm run test:e2e` (not part of `npm test`).
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACK_DIR, sourcePath } from "../paths";

/** Bounds for one CLI build and one command. */
const CLI_BUILD_TIMEOUT_MS = 25 * 60_000;
const COMMAND_TIMEOUT_MS = 5 * 60_000;
const PACK_NAME = "go-service-guard v0.1.0";

interface Result {
    code: number | null;
    output: string;
}

interface Violation {
    level: "mandatory" | "advisory";
    policy: string;
    resource: string;
    message: string;
}

/** The noncompliant example's findings: policy, resource, and a phrase of our message. */
const NONCOMPLIANT: Array<[string, string, string]> = [
    ["dockerfile-base-image", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 2: FROM in stage "build" (line 2) pulls golang:1.23, which is not pinned by digest.'],
    ["dockerfile-exec-form", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 20: CMD is in shell form (/orders-api serve), and scratch has no shell.'],
    ["dockerfile-exec-form", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 19: HEALTHCHECK CMD is in shell form'],
    ["dockerfile-go-env", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 14: ENV GOMEMLIMIT=512Mi in stage 1 (line 10) is not a value the Go runtime accepts'],
    ["dockerfile-locale", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 4: ENV LANG=en_US.UTF-8 in stage "build" (line 2), but the locale is never generated'],
    ["dockerfile-nonroot", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 17: USER nonroot names the user "nonroot" instead of a numeric UID.'],
    ["dockerfile-static-go-build", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 8: go build in stage "build" (line 2) runs without CGO_ENABLED=0'],
    ["dockerfile-timezone", "docker:index/image:Image: orders-api", 'docker.Image "orders-api", Dockerfile app/Dockerfile line 12: TZ is "Asia/Shanghai" but the final image has no zoneinfo'],
    ["workload-gomemlimit", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": GOMEMLIMIT is "400Mi", which the Go runtime cannot parse'],
    ["workload-gomemlimit", "kubernetes:batch/v1:CronJob: reconcile", 'CronJob "reconcile", container "reconcile": GOMEMLIMIT is not set.'],
    ["workload-image-pinned", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": image "ghcr.io/acme/orders-api:latest" is not pinned by digest.'],
    ["workload-image-pinned", "kubernetes:batch/v1:CronJob: reconcile", 'CronJob "reconcile", container "reconcile": image "ghcr.io/acme/orders-reconcile:1.8.3" is not pinned by digest.'],
    ["workload-probes", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": startupProbe is not set.'],
    ["workload-probes", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": livenessProbe and readinessProbe use the same handler'],
    ["workload-resources", "kubernetes:batch/v1:CronJob: reconcile", 'CronJob "reconcile", container "reconcile": resources.limits.memory is "512m"'],
    ["workload-run-as-non-root", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": neither runAsNonRoot: true nor a runAsUser above 0 is set'],
    ["workload-run-as-non-root", "kubernetes:batch/v1:CronJob: reconcile", 'CronJob "reconcile", container "reconcile": neither runAsNonRoot: true nor a runAsUser above 0 is set'],
    ["workload-sysctls", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", pod securityContext.sysctls: vm.swappiness is a node-level sysctl'],
    ["workload-timezone", "kubernetes:apps/v1:Deployment: api", 'Deployment "api", container "api": TZ is "Asia/Shanghai" but its image ghcr.io/acme/orders-api is built by docker.Image "orders-api" (app/Dockerfile)'],
];

const DOCKERFILE_FINDINGS = NONCOMPLIANT.filter(([policy]) => policy.startsWith("dockerfile-") || policy === "workload-timezone");

/**
 * The "Policy Violations:" section as CLI 3.68 prints it: a header line per violation
 * (`[level]  <pack> v<version>  <policy> (<type>: <name>)`), the policy's description, then our
 * message up to a blank line.
 */
export function parseViolations(output: string): Violation[] {
    const lines = output.split("\n");
    const violations: Violation[] = [];
    const header = /^\s*\[(mandatory|advisory)\]\s+(.+?)\s{2,}(\S+) \((.+)\)\s*$/;
    for (let i = 0; i < lines.length; i++) {
        const m = header.exec(lines[i]);
        if (!m) {
            continue;
        }
        const body: string[] = [];
        for (let j = i + 2; j < lines.length && lines[j].trim() !== "" && !header.test(lines[j]); j++) {
            body.push(lines[j].trim());
        }
        assert.strictEqual(m[2], PACK_NAME, `violation from an unexpected pack: ${lines[i]}`);
        violations.push({ level: m[1] as Violation["level"], policy: m[3], resource: m[4], message: body.join("\n") });
    }
    return violations;
}

function key(v: { policy: string; resource: string }): string {
    return `${v.policy} (${v.resource})`;
}

/** Asserts the exact findings of the noncompliant example, all at one enforcement level. */
function assertFindings(result: Result, level: Violation["level"], expected = NONCOMPLIANT): void {
    const found = parseViolations(result.output);
    assert.deepStrictEqual(
        found.map((v) => `${v.level} ${key(v)}`).sort(),
        expected.map(([policy, resource]) => `${level} ${key({ policy, resource })}`).sort(),
        result.output,
    );
    for (const [policy, resource, phrase] of expected) {
        assert.ok(
            found.some((v) => v.policy === policy && v.resource === resource && v.message.includes(phrase)),
            `no ${level} ${policy} on ${resource} with our message "${phrase}":\n${result.output}`,
        );
    }
}

describe("end-to-end: pulumi preview --policy-pack (real CLI, stand-in providers)", function () {
    this.timeout(CLI_BUILD_TIMEOUT_MS + 10 * 60_000);

    let root: string;
    let env: NodeJS.ProcessEnv;
    const programs: Record<"compliant" | "noncompliant", string> = { compliant: "", noncompliant: "" };

    /** Runs a command as a shell in `cwd` would (PWD = cwd), bounded, with stdout and stderr interleaved. */
    function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Result> {
        return new Promise((resolve, reject) => {
            const child = execFile(
                command,
                args,
                { cwd, env: { ...env, PWD: cwd, ...extra }, timeout: COMMAND_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
                (error, stdout, stderr) => {
                    if (error && typeof (error as NodeJS.ErrnoException).code === "string") {
                        reject(new Error(`${command} ${args.join(" ")}: ${error.message}`));
                        return;
                    }
                    if (error?.killed) {
                        reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) was stopped after ${COMMAND_TIMEOUT_MS / 1000}s:\n${stdout}\n${stderr}`));
                        return;
                    }
                    resolve({ code: child.exitCode, output: `${stdout}\n${stderr}` });
                },
            );
        });
    }

    async function pulumi(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Result> {
        return run("pulumi", args, cwd, extra);
    }

    async function mustPulumi(args: string[], cwd: string): Promise<string> {
        const result = await pulumi(args, cwd);
        assert.strictEqual(result.code, 0, `pulumi ${args.join(" ")} failed:\n${result.output}`);
        return result.output;
    }

    function preview(pack: string, ...more: string[]): string[] {
        return ["preview", "--non-interactive", "--color", "never", "--policy-pack", pack, ...more];
    }

    before(async function () {
        for (const compiled of ["bin/index.js", "build/tests/e2e/providers/kubernetes.js", "build/tests/e2e/providers/docker.js"]) {
            assert.ok(fs.existsSync(path.join(PACK_DIR, compiled)), `${compiled} is missing: run npm run test:e2e (it builds first)`);
        }
        const cliDir = execFileSync("bash", [sourcePath("tests", "e2e", "pulumi-cli.sh")], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
            timeout: CLI_BUILD_TIMEOUT_MS,
        }).trim();
        assert.ok(fs.existsSync(path.join(cliDir, "pulumi")), `pulumi-cli.sh printed ${cliDir}, which holds no pulumi`);

        root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-e2e-")));
        env = { ...process.env };
        for (const name of Object.keys(env)) {
            if (/^(npm_|PULUMI_|GO_SERVICE_GUARD_)/i.test(name)) {
                delete env[name];
            }
        }
        Object.assign(env, {
            PATH: [cliDir, sourcePath("tests", "e2e", "plugins"), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(root, "pulumi-home"),
            PULUMI_CONFIG_PASSPHRASE: "go-service-guard-e2e",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
        });
        fs.mkdirSync(path.join(root, "state"));
        await mustPulumi(["login", `file://${path.join(root, "state")}`], root);

        // The example programs, as a user has them: their sources next to the shared module, with
        // this repository's node_modules (the SDKs the stand-in providers answer for).
        const examples = path.join(root, "go-service");
        fs.mkdirSync(examples);
        fs.copyFileSync(sourcePath("examples", "go-service", "shared.ts"), path.join(examples, "shared.ts"));
        fs.symlinkSync(path.join(PACK_DIR, "node_modules"), path.join(examples, "node_modules"), "dir");
        for (const variant of ["compliant", "noncompliant"] as const) {
            const dir = path.join(examples, variant);
            fs.cpSync(sourcePath("examples", "go-service", variant), dir, { recursive: true });
            fs.symlinkSync(path.join(PACK_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
            await mustPulumi(["stack", "init", "dev", "--non-interactive"], dir);
            programs[variant] = dir;
        }
        fs.writeFileSync(path.join(root, "all-advisory.json"), fs.readFileSync(sourcePath("examples", "config", "all-advisory.json")));
        fs.writeFileSync(path.join(root, "forbidden.json"), JSON.stringify({ "workload-image-pinned": { requireDigest: "yes" } }));
    });

    after(function () {
        if (root && !process.env.GO_SERVICE_GUARD_E2E_KEEP) {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    // No GO_SERVICE_GUARD_PROGRAM_DIR anywhere: the pack finds the program from the directory the
    // `pulumi` process runs in (CLI 3.68 starts packs through a /bin/sh shim that resets PWD to the pack).

    it("compliant example: exit 0 and no mandatory violation", async function () {
        const result = await pulumi(preview(PACK_DIR), programs.compliant);
        assert.strictEqual(result.code, 0, result.output);
        assert.doesNotMatch(result.output, /\[mandatory\]/, result.output);
        assert.deepStrictEqual(parseViolations(result.output), [], result.output);
        // The stand-in's Check autonamed the Namespace, and the program saw that name.
        assert.match(result.output, /namespace\s*:\s*"shop-[0-9a-f]{8}"/, result.output);
    });

    it("noncompliant example: non-zero exit and every expected policy as [mandatory] with our message", async function () {
        const result = await pulumi(preview(PACK_DIR), programs.noncompliant);
        assert.notStrictEqual(result.code, 0, result.output);
        assertFindings(result, "mandatory");
    });

    it('--policy-pack-config {"all": "advisory"}: exit 0 with the same violations as [advisory]', async function () {
        const result = await pulumi(
            preview(PACK_DIR, "--policy-pack-config", path.join(root, "all-advisory.json")),
            programs.noncompliant,
        );
        assert.strictEqual(result.code, 0, result.output);
        assert.doesNotMatch(result.output, /\[mandatory\]/);
        assertFindings(result, "advisory");
    });

    it("a config value our schema forbids: the CLI's own validation error and a non-zero exit", async function () {
        const result = await pulumi(
            preview(PACK_DIR, "--policy-pack-config", path.join(root, "forbidden.json")),
            programs.noncompliant,
        );
        assert.notStrictEqual(result.code, 0, result.output);
        assert.match(result.output, /validating policy config: go-service-guard 0\.1\.0\s+workload-image-pinned: requireDigest: Invalid type\. Expected: boolean, given: string/);
        assert.deepStrictEqual(parseViolations(result.output), [], "no policy runs with an invalid config");
    });

    describe("relative Dockerfile path of docker.Image (app/Dockerfile, relative to the program directory)", function () {
        /** The single dockerfile-readable finding, and no finding of a policy that needs the Dockerfile. */
        function assertNotFound(result: Result, tried: string, how: RegExp): void {
            assert.notStrictEqual(result.code, 0, result.output);
            const found = parseViolations(result.output);
            const readable = found.filter((v) => v.policy === "dockerfile-readable");
            assert.strictEqual(readable.length, 1, result.output);
            assert.strictEqual(readable[0].level, "mandatory");
            assert.strictEqual(readable[0].resource, "docker:index/image:Image: orders-api");
            assert.ok(readable[0].message.includes(`tried ${tried} `), readable[0].message);
            assert.match(readable[0].message, how);
            const needFile = new Set(DOCKERFILE_FINDINGS.map(([policy]) => policy));
            assert.deepStrictEqual(found.filter((v) => needFile.has(v.policy)), [], result.output);
            // The workload findings are unaffected.
            const workload = NONCOMPLIANT.filter(([policy]) => !needFile.has(policy));
            assert.deepStrictEqual(
                found.filter((v) => v.policy !== "dockerfile-readable").map(key).sort(),
                workload.map(([policy, resource]) => key({ policy, resource })).sort(),
            );
        }

        it("run in the program directory, without GO_SERVICE_GUARD_PROGRAM_DIR: every Dockerfile finding", async function () {
            const result = await pulumi(preview(PACK_DIR), programs.noncompliant);
            assert.notStrictEqual(result.code, 0, result.output);
            assertFindings(result, "mandatory");
        });

        it("pulumi -C <dir> from elsewhere, without GO_SERVICE_GUARD_PROGRAM_DIR: every Dockerfile finding", async function () {
            const result = await pulumi(["-C", programs.noncompliant, ...preview(PACK_DIR)], root);
            assert.notStrictEqual(result.code, 0, result.output);
            assertFindings(result, "mandatory");
        });

        it("a GO_SERVICE_GUARD_PROGRAM_DIR that names the wrong directory wins, and the message says what was tried", async function () {
            const result = await pulumi(preview(PACK_DIR), programs.noncompliant, { GO_SERVICE_GUARD_PROGRAM_DIR: root });
            assertNotFound(result, path.join(root, "app", "Dockerfile"), /GO_SERVICE_GUARD_PROGRAM_DIR=/);
        });

        it("pulumi -C <dir> from elsewhere with an absolute GO_SERVICE_GUARD_PROGRAM_DIR: every Dockerfile finding", async function () {
            const result = await pulumi(["-C", programs.noncompliant, ...preview(PACK_DIR)], root, { GO_SERVICE_GUARD_PROGRAM_DIR: programs.noncompliant });
            assert.notStrictEqual(result.code, 0, result.output);
            assertFindings(result, "mandatory");
        });

        it("pulumi -C .. from a subdirectory: every Dockerfile finding", async function () {
            const app = path.join(programs.noncompliant, "app");
            const result = await pulumi(["-C", "..", ...preview(PACK_DIR)], app);
            assert.notStrictEqual(result.code, 0, result.output);
            assertFindings(result, "mandatory");
        });
    });

    describe("the published shape: npm pack, installed with production dependencies only", function () {
        let packageDir: string;

        before(async function () {
            const out = path.join(root, "published");
            fs.mkdirSync(out);
            const npmEnv = { npm_config_cache: process.env.npm_config_cache, npm_config_registry: process.env.npm_config_registry };
            const packed = await run("npm", ["pack", "--json", "--pack-destination", out], PACK_DIR, npmEnv);
            assert.strictEqual(packed.code, 0, packed.output);
            const tarball = fs.readdirSync(out).find((f) => f.endsWith(".tgz"));
            assert.ok(tarball, packed.output);
            const untar = await run("tar", ["-xzf", path.join(out, tarball), "-C", out], out);
            assert.strictEqual(untar.code, 0, untar.output);
            packageDir = path.join(out, "package");
            const install = await run("npm", ["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], packageDir, npmEnv);
            assert.strictEqual(install.code, 0, install.output);
            assert.ok(!fs.existsSync(path.join(packageDir, "node_modules", "@pulumi", "kubernetes")), "a dev dependency was installed");
        });

        it("pulumi preview --policy-pack <installed package> blocks the noncompliant example", async function () {
            const result = await pulumi(preview(packageDir), programs.noncompliant);
            assert.notStrictEqual(result.code, 0, result.output);
            assertFindings(result, "mandatory");
        });
    });
});
