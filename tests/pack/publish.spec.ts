// What `pulumi policy publish` uploads is the `npm pack` tarball: it must hold PulumiPolicy.yaml, a versioned
// package.json and the compiled pack, and must start from an empty directory with production dependencies only.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PackProcess, reconcileConfig } from "../../scripts/lib/analyzer";
import { GO_DOCKERFILE, inlineImage, TYPES, withLine } from "../fixtures/dockerfiles";
import { ALL_POLICIES, DOCKERFILE_POLICIES, SIGNATURE_POLICIES, STACK_POLICIES, WORKLOAD_POLICIES } from "../fixtures/policy-names";
import { deploymentWith } from "../fixtures/workloads";
import { PACK_DIR, sourcePath } from "../paths";

const POLICIES = ALL_POLICIES;

/** The compiled file each policy lives in, by its family's folder. */
const POLICY_FILES: Record<string, string> = Object.fromEntries([
    ...WORKLOAD_POLICIES.map((name) => [name, `package/bin/policies/workload/${name.replace(/^workload-/, "")}.js`]),
    ...DOCKERFILE_POLICIES.map((name) => [name, `package/bin/policies/dockerfile/${name.replace(/^dockerfile-/, "")}.js`]),
    ...SIGNATURE_POLICIES.map((name) => [name, `package/bin/policies/signature/${name}.js`]),
    ...STACK_POLICIES.map((name) => [name, `package/bin/policies/stack/${name}.js`]),
]);

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
    const env = { ...process.env };
    // When the tests themselves run under an npm script, these would point the child npm at the outer project.
    for (const key of Object.keys(env)) {
        if (/^npm_config_(local_)?prefix$/i.test(key)) {
            delete env[key];
        }
    }
    return new Promise((resolve, reject) => {
        execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) {
                reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
            } else {
                resolve({ stdout, stderr });
            }
        });
    });
}

/** `npm pack --json` prints a JSON array; lifecycle script output, if any, comes before it. */
function parsePackReport(stdout: string): Array<{ filename: string; name: string; version: string }> {
    const start = stdout.search(/^\[/m);
    assert.ok(start >= 0, `npm pack --json printed no JSON array:\n${stdout}`);
    return JSON.parse(stdout.slice(start));
}

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(full) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

describe("published package (npm pack)", function () {
    this.timeout(10 * 60_000);

    let work: string;
    let tarball: string;
    let entries: string[];
    let pkg: Record<string, any>;

    before(async function () {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-publish-"));
        const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], PACK_DIR);
        const report = parsePackReport(stdout);
        assert.strictEqual(report.length, 1, stdout);
        tarball = path.join(work, report[0].filename);
        assert.ok(fs.existsSync(tarball), `npm pack reported ${report[0].filename} but ${tarball} does not exist`);
        entries = (await run("tar", ["-tzf", tarball], work)).stdout.split("\n").filter((l) => l.length > 0);
        pkg = JSON.parse((await run("tar", ["-xzOf", tarball, "package/package.json"], work)).stdout);
    });

    after(function () {
        if (work) {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("contains PulumiPolicy.yaml with the nodejs runtime", async function () {
        assert.ok(entries.includes("package/PulumiPolicy.yaml"), entries.join("\n"));
        const yaml = (await run("tar", ["-xzOf", tarball, "package/PulumiPolicy.yaml"], work)).stdout;
        assert.match(yaml, /^runtime:\s*nodejs\s*$/m);
        assert.doesNotMatch(yaml, /^name:/m, "PulumiPolicy.yaml has no name field; the name comes from new PolicyPack(...)");
    });

    it("contains package.json with a name, a publishable version and a main that is in the tarball", function () {
        assert.ok(entries.includes("package/package.json"));
        const own = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
        assert.strictEqual(pkg.name, own.name);
        assert.strictEqual(pkg.version, own.version);
        assert.match(String(pkg.version), /^[a-zA-Z0-9-_.]{1,100}$/);
        assert.match(String(pkg.version), /^\d+\.\d+\.\d+/);
        const main = path.posix.normalize(String(pkg.main ?? "index.js"));
        assert.ok(entries.includes(`package/${main}`), `main ${main} is not in the tarball`);
        assert.ok(pkg.dependencies?.["@pulumi/policy"], "@pulumi/policy must be a production dependency");
        assert.ok(pkg.dependencies?.["@pulumi/pulumi"], "@pulumi/pulumi (run-policy-pack) must be a production dependency");
    });

    it("contains the compiled entry point and a compiled file for every policy source", function () {
        assert.ok(entries.includes("package/bin/index.js"), entries.join("\n"));
        const expected = sourceFiles(sourcePath("policies")).map(
            (f) => `package/bin/${path.relative(PACK_DIR, f).split(path.sep).join("/").replace(/\.ts$/, ".js")}`,
        );
        assert.ok(expected.length >= 7, `found only ${expected.length} policy sources`);
        const missing = expected.filter((e) => !entries.includes(e));
        assert.deepStrictEqual(missing, [], "compiled policies missing from the tarball");
        assert.deepStrictEqual(Object.keys(POLICY_FILES), POLICIES);
        for (const name of POLICIES) {
            const file = POLICY_FILES[name];
            assert.ok(entries.includes(file), `${name}: ${file} is not in the tarball`);
        }
    });

    it("contains no tests, build output, scripts, dependencies or TypeScript sources", function () {
        const unwanted = entries.filter(
            (e) =>
                /^package\/(tests|build|scripts|node_modules|policies|examples)\//.test(e) ||
                (e.endsWith(".ts") && !e.endsWith(".d.ts")) ||
                e.endsWith(".tgz") ||
                e.endsWith(".spec.js"),
        );
        assert.deepStrictEqual(unwanted, []);
    });

    describe("installed with production dependencies into an empty directory", function () {
        let dir: string;
        let pack: PackProcess | undefined;

        before(async function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-installed-"));
            await run("tar", ["-xzf", tarball, "-C", dir], dir);
            const packageDir = path.join(dir, "package");
            await run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts"], packageDir);
            for (const devOnly of ["@pulumi/kubernetes", "mocha"]) {
                assert.ok(!fs.existsSync(path.join(packageDir, "node_modules", devOnly, "package.json")), `dev dependency ${devOnly} was installed`);
            }
            pack = await PackProcess.start(packageDir);
        });

        after(async function () {
            await pack?.stop();
            if (dir) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("starts and answers GetAnalyzerInfo with the sixteen policies", async function () {
            assert.ok(pack);
            const info = await pack.getAnalyzerInfo();
            assert.strictEqual(info.name, "go-service-guard");
            assert.strictEqual(info.version, pkg.version);
            assert.deepStrictEqual(info.policies.map((p) => p.name), POLICIES);
            assert.deepStrictEqual(info.policies.map((p) => p.enforcementLevel), POLICIES.map(() => "mandatory"));
        });

        it("blocks a failing Deployment with a mandatory violation", async function () {
            assert.ok(pack);
            const info = await pack.getAnalyzerInfo();
            await pack.configure(reconcileConfig(info, {}));
            const props = deploymentWith((_spec, c) => delete c.resources.requests.cpu);
            const result = await pack.analyze({ type: "kubernetes:apps/v1:Deployment", name: "checkout", props });
            assert.deepStrictEqual(
                result.diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
                [["workload-resources", "mandatory"]],
                result.diagnostics.map((d) => d.message).join("\n"),
            );
            assert.match(result.diagnostics[0].message, /\nDeployment "checkout", container "api": resources\.requests\.cpu is not set\./);
            assert.deepStrictEqual(
                result.notApplicable.map((n) => n.policyName),
                [...DOCKERFILE_POLICIES, "image-signature"],
                "every Dockerfile policy, and image-signature without requirements, is not applicable to a Deployment",
            );
        });

        it("reads a Dockerfile with production dependencies only (dockerfile-ast is a dependency)", async function () {
            assert.ok(pack);
            const info = await pack.getAnalyzerInfo();
            await pack.configure(reconcileConfig(info, {}));
            const compliant = await pack.analyze({ type: TYPES.dockerBuild, name: "api-image", props: inlineImage(GO_DOCKERFILE) });
            assert.deepStrictEqual(compliant.diagnostics, [], compliant.diagnostics.map((d) => d.message).join("\n"));
            assert.deepStrictEqual(
                compliant.notApplicable.map((n) => n.policyName),
                [...WORKLOAD_POLICIES, "image-signature"],
                "only the workload policies and image-signature are not applicable to an image build",
            );
            const root = await pack.analyze({ type: TYPES.dockerBuild, name: "api-image", props: inlineImage(withLine(14, "USER 0")) });
            assert.deepStrictEqual(
                root.diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
                [["dockerfile-nonroot", "mandatory"]],
                root.diagnostics.map((d) => d.message).join("\n"),
            );
            assert.match(root.diagnostics[0].message, /\ndocker-build\.Image "api-image", inline Dockerfile line 14: USER 0 runs the image as root\./);
            assert.deepStrictEqual(root.notApplicable.map((n) => n.policyName), [...WORKLOAD_POLICIES, "image-signature"]);
        });
    });
});
