// `npm run example [-- <program dir>] [--policy-pack-config <file>]`
//
// What `pulumi preview --policy-pack . [--policy-pack-config <file>]` does for this pack, without a
// Pulumi CLI: runs a Pulumi program under Pulumi's mock runtime (preview mode), starts the pack as
// the CLI does (@pulumi/pulumi/cmd/run-policy-pack), configures it like the engine, sends every
// registered resource through the Analyzer gRPC protocol and prints the verdicts as the CLI does.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as pulumiTypes from "@pulumi/pulumi";
import { PACK_DIR } from "./lib/paths";
import {
    AnalyzerInfo, Diagnostic, PackProcess, PolicyConfigEntry, readConfigFile, reconcileConfig, ResourceToAnalyze, UNKNOWN,
} from "./lib/analyzer";

const USAGE = `Usage: npm run example [-- <program dir>] [--policy-pack-config <file>]
       node build/scripts/preview.js [<program dir>] [--policy-pack-config <file>]

Runs a Pulumi program under Pulumi's mock runtime (preview mode, no Pulumi CLI, no cluster),
analyzes every resource it registers with the go-service-guard pack over the Analyzer gRPC
protocol, and prints the policy results the way \`pulumi preview\` prints them.

  <program dir>                 Directory of the Pulumi program. Default: examples/go-service/compliant.
                                Supported programs:
                                  - the bundled examples (examples/<...>): their compiled JavaScript
                                    under build/examples/<...> is run (npm run example builds it);
                                  - a directory with compiled JavaScript: Pulumi.yaml \`main\`, else
                                    package.json \`main\`, else index.js;
                                  - a directory with index.ts (or a .ts \`main\`): transpiled on load
                                    with this repository's TypeScript, without type checking.
                                Packages the program imports are resolved from its own directory
                                first, then from this repository's node_modules.
                                Stack config (Pulumi.<stack>.yaml) is not loaded.
  --policy-pack-config <file>   A --policy-pack-config JSON file, e.g. {"all": "advisory"}.
                                Default: the schema defaults of every policy.
  -h, --help                    Show this help.

The pack itself runs from its compiled JavaScript (bin/, built by \`npm run build\`).
Kubernetes resources get what the provider's Check adds before policies see them: an
auto-generated metadata.name when none is given. Values a mocked resource does not return are
unknown, as in a real preview, and reach the pack as unknowns. Resources that the Kubernetes
provider renders itself (helm.v3/v4 Chart, yaml.v2.ConfigFile/ConfigGroup, kustomize) are not
expanded under the mock runtime: their workloads are not analyzed, and a warning says so.
yaml.ConfigFile and yaml.ConfigGroup are expanded (their YAML is decoded here).

Exit status: 0 when no mandatory policy was violated, 1 when one was, 2 when this tool failed
(bad arguments, missing build, program or pack errors).`;

const STACK = "dev";
const ORGANIZATION = "organization";

/** An error of this tool (exit 2), as opposed to a policy verdict. */
export class UsageError extends Error {}

/** A command-line mistake: reported with a pointer to --help. */
class ArgumentError extends UsageError {}

/** The pack's directory: the repository root, found from wherever the compiled script runs. */
export function findPackDir(): string {
    return PACK_DIR;
}

/** Checks that the pack's compiled entry point exists, with a hint when it does not. */
export function checkPackBuilt(packDir: string): void {
    const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { main?: string };
    const main = path.join(packDir, pkg.main ?? "index.js");
    if (!fs.existsSync(main)) {
        throw new UsageError(`the pack's entry point ${shortPath(main)} does not exist; run \`npm run build\` first`);
    }
}

interface Options {
    programDir: string;
    configFile?: string;
}

function parseArgs(argv: string[], packDir: string): Options | "help" {
    let programDir: string | undefined;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            return "help";
        } else if (arg === "--policy-pack-config") {
            if (i + 1 >= argv.length) {
                throw new ArgumentError("--policy-pack-config needs a file");
            }
            configFile = argv[++i];
        } else if (arg.startsWith("--policy-pack-config=")) {
            configFile = arg.slice("--policy-pack-config=".length);
        } else if (arg.startsWith("-")) {
            throw new ArgumentError(`unknown option ${arg}`);
        } else if (programDir === undefined) {
            programDir = arg;
        } else {
            throw new ArgumentError(`unexpected argument ${arg}: only one program directory can be given`);
        }
    }
    return {
        programDir: programDir === undefined ? path.join(packDir, "examples", "go-service", "compliant") : path.resolve(programDir),
        configFile,
    };
}

export interface Program {
    /** Where Pulumi.yaml is (the directory the user named, or the source of a compiled example). */
    projectDir: string;
    /** The module to load. */
    entry: string;
    project: string;
    typescript: boolean;
}

/** Finds what to run for a program directory; bundled examples run from their build output. */
export function resolveProgram(dir: string, packDir: string): Program {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UsageError(`program directory ${dir} does not exist`);
    }
    const examples = path.join(packDir, "examples");
    const built = path.join(packDir, "build", "examples");
    let projectDir = dir;
    let runDir = dir;
    if (isInside(dir, examples)) {
        const compiled = path.join(built, path.relative(examples, dir));
        if (fs.existsSync(compiled)) {
            runDir = compiled;
        }
    } else if (isInside(dir, built)) {
        projectDir = path.join(examples, path.relative(built, dir));
    }
    const manifest = readPulumiYaml(projectDir);
    const project = manifest.name ?? path.basename(projectDir);
    if (manifest.runtime !== undefined && manifest.runtime !== "nodejs") {
        throw new UsageError(`${path.join(projectDir, "Pulumi.yaml")} has runtime ${manifest.runtime}; only nodejs programs can run here`);
    }
    const entry = findEntry(runDir, runDir === dir ? manifest.main : undefined);
    return { projectDir, entry, project, typescript: entry.endsWith(".ts") };
}

function isInside(dir: string, parent: string): boolean {
    const rel = path.relative(parent, dir);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** The top-level scalars of Pulumi.yaml that matter here (name, runtime, main). */
function readPulumiYaml(dir: string): { name?: string; runtime?: string; main?: string } {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) {
        return {};
    }
    const result: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
        const m = /^(name|runtime|main):\s*(.*?)\s*$/.exec(line);
        if (m && m[2] !== "") {
            result[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
        }
    }
    return result;
}

function findEntry(dir: string, main: string | undefined): string {
    if (main !== undefined) {
        const target = path.resolve(dir, main);
        if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
            return findEntry(target, undefined);
        }
        const file = [target, `${target}.js`, `${target}.ts`].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
        if (!file) {
            throw new UsageError(`Pulumi.yaml main ${main} does not exist in ${dir}`);
        }
        return file;
    }
    const pkgFile = path.join(dir, "package.json");
    if (fs.existsSync(pkgFile)) {
        const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: string };
        if (pkg.main) {
            const target = path.resolve(dir, pkg.main);
            const file = [target, `${target}.js`, path.join(target, "index.js")].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
            if (!file) {
                throw new UsageError(`package.json main ${pkg.main} does not exist in ${dir}; build the program first`);
            }
            return file;
        }
    }
    for (const name of ["index.js", "index.ts"]) {
        if (fs.existsSync(path.join(dir, name))) {
            return path.join(dir, name);
        }
    }
    throw new UsageError(`no program in ${dir}: expected index.js, index.ts, or a main in Pulumi.yaml or package.json`);
}

/** js-yaml's loadAll, when it is installed (it decodes YAML for yaml.ConfigFile/ConfigGroup). */
const yamlLoadAll: ((text: string) => unknown[]) | undefined = (() => {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return (require("js-yaml") as { loadAll(text: string): unknown[] }).loadAll;
    } catch {
        return undefined;
    }
})();

/** Compiles .ts modules on load with this repository's TypeScript (no type checking). */
function registerTypeScript(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const extensions = (require as unknown as { extensions: Record<string, (m: NodeModule, f: string) => void> }).extensions;
    extensions[".ts"] = (module: NodeModule, filename: string) => {
        const source = fs.readFileSync(filename, "utf8");
        const output = ts.transpileModule(source, {
            fileName: filename,
            compilerOptions: {
                module: ts.ModuleKind.CommonJS,
                target: ts.ScriptTarget.ES2022,
                esModuleInterop: true,
                inlineSourceMap: true,
            },
        });
        (module as unknown as { _compile(code: string, file: string): void })._compile(output.outputText, filename);
    };
}

/** Lets a program outside this repository find @pulumi/* in this repository's node_modules. */
function addFallbackModulePath(packDir: string): void {
    const fallback = path.join(packDir, "node_modules");
    const current = process.env.NODE_PATH ? process.env.NODE_PATH.split(path.delimiter) : [];
    if (!current.includes(fallback)) {
        process.env.NODE_PATH = [...current, fallback].join(path.delimiter);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("module") as { Module: { _initPaths(): void } }).Module._initPaths();
    }
}

export interface RegisteredResource extends ResourceToAnalyze {
    urn: string;
    custom: boolean;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** What the mock runtime could not do for this program. */
    warnings: string[];
}

/** Components whose children the Kubernetes provider creates (multi-language components). */
const PROVIDER_RENDERED = /^kubernetes:(helm\.sh\/v4:Chart|yaml\/v2:Config(File|Group)|kustomize\/v2:Directory)$/;

/**
 * Runs the program under the mock runtime of the @pulumi/pulumi it imports, in preview mode, and
 * returns every resource it registered (type, name, inputs as the engine would hand them to a policy).
 */
export async function runProgram(program: Program, packDir: string): Promise<ProgramRun> {
    addFallbackModulePath(packDir);
    if (program.typescript) {
        registerTypeScript();
    }
    let pulumiPath: string;
    try {
        pulumiPath = require.resolve("@pulumi/pulumi", { paths: [path.dirname(program.entry)] });
    } catch {
        throw new UsageError(`@pulumi/pulumi cannot be resolved from ${path.dirname(program.entry)}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require(pulumiPath) as typeof pulumiTypes;
    const resources: RegisteredResource[] = [];
    const pending: Array<Promise<void>> = [];
    const warnings = new Set<string>();
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumiTypes.runtime.MockResourceArgs): pulumiTypes.runtime.MockResourceResult {
                const inputs = providerCheck(args.type, args.name, args.custom === true, args.inputs ?? {});
                const urn = `urn:pulumi:${STACK}::${program.project}::${qualifiedType(args.type)}::${args.name}`;
                const resource: RegisteredResource = { type: args.type, name: args.name, urn, custom: args.custom === true, props: {} };
                if (PROVIDER_RENDERED.test(args.type)) {
                    warnings.add(`${args.type} "${args.name}" is rendered by the Kubernetes provider, which does not run here; its resources are not analyzed`);
                }
                resources.push(resource);
                pending.push(
                    toWire(pulumi, inputs).then((props) => {
                        resource.props = props as Record<string, unknown>;
                    }),
                );
                return { id: args.custom ? `${args.name}-id` : undefined, state: inputs };
            },
            call(args: pulumiTypes.runtime.MockCallArgs): pulumiTypes.runtime.MockCallResult {
                if (args.token === "kubernetes:yaml:decode" && yamlLoadAll && typeof args.inputs?.text === "string") {
                    // What the provider does for yaml.ConfigFile/ConfigGroup: split and parse the documents.
                    return { result: yamlLoadAll(args.inputs.text).filter((o) => o !== null && o !== undefined) };
                }
                warnings.add(
                    `function ${args.token} was called; under the mock runtime it returns nothing, so resources built from ` +
                        "its result (e.g. YAML or Helm output decoded or rendered by the provider) are not analyzed",
                );
                return {};
            },
        },
        program.project,
        STACK,
        true,
        ORGANIZATION,
    );
    let stackOutputs: Record<string, unknown> | undefined;
    const declared = new Map<string, number>();
    try {
        stackOutputs = await pulumi.runtime.runInPulumiStack(async () => {
            // Registrations complete in whatever order their inputs resolve; list resources in the
            // order the program declares them instead, so that output is reproducible.
            pulumi.runtime.registerStackTransformation((args) => {
                declared.set(`${args.type}::${args.name}`, declared.size);
                return undefined;
            });
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const exported = require(program.entry);
            return exported instanceof Function ? await exported() : exported;
        });
        await pulumi.runtime.disconnect();
        await Promise.all(pending);
    } catch (e) {
        throw new UsageError(`the program ${shortPath(program.entry)} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
    const position = (r: RegisteredResource) => (r.type === "pulumi:pulumi:Stack" ? -1 : declared.get(`${r.type}::${r.name}`) ?? declared.size);
    const ordered = resources.map((r, i) => ({ r, i })).sort((a, b) => position(a.r) - position(b.r) || a.i - b.i).map((x) => x.r);
    return { resources: ordered, outputs: stackOutputs ?? {}, warnings: [...warnings] };
}

/** The URN's type part; resources inside components are shown under the stack, not their component. */
function qualifiedType(type: string): string {
    return type === "pulumi:pulumi:Stack" ? type : `pulumi:pulumi:Stack$${type}`;
}

/**
 * What the Docker provider's Check adds to docker.Image inputs: a default build, a Dockerfile path
 * (context/Dockerfile, relative to the program directory) and the platform.
 */
function dockerImageCheck(inputs: Record<string, unknown>): Record<string, unknown> {
    const build = (typeof inputs.build === "object" && inputs.build !== null ? inputs.build : {}) as Record<string, unknown>;
    const context = typeof build.context === "string" ? build.context : ".";
    const dockerfile = build.dockerfile ?? path.posix.join(context, "Dockerfile");
    return { ...inputs, build: { ...build, context, dockerfile, platform: build.platform ?? "linux/amd64" }, buildOnPreview: inputs.buildOnPreview ?? false };
}

/**
 * What the Kubernetes provider's Check adds to the inputs before the engine hands them to policies:
 * a generated metadata.name (`<resource name>-<8 hex>`) when the program gives none. The suffix is
 * derived from the resource name so that runs are reproducible.
 */
function providerCheck(type: string, name: string, custom: boolean, inputs: Record<string, unknown>): Record<string, unknown> {
    if (custom && type === "docker:index/image:Image") {
        return dockerImageCheck(inputs);
    }
    if (!custom || !type.startsWith("kubernetes:") || /List$|Patch$/.test(type)) {
        return inputs;
    }
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || metadata.name !== undefined) {
        return inputs;
    }
    const suffix = crypto.createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 8);
    return { ...inputs, metadata: { ...metadata, name: `${name}-${suffix}` } };
}

/**
 * The inputs as the engine marshals them for an analyzer: unknowns become the unknown sentinel,
 * secrets their plain value, outputs and promises their value, resource references their id (custom
 * resources) or URN, and undefined values are dropped.
 */
async function toWire(pulumi: typeof pulumiTypes, value: unknown): Promise<unknown> {
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return value;
    }
    if (value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
        return undefined;
    }
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
    }
    if (pulumi.Output.isInstance(value)) {
        const output = value as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
        return (await output.isKnown) ? toWire(pulumi, await output.promise()) : UNKNOWN;
    }
    if (pulumi.Resource.isInstance(value)) {
        return toWire(pulumi, pulumi.CustomResource.isInstance(value) ? value.id : value.urn);
    }
    if (value instanceof Promise) {
        return toWire(pulumi, await value);
    }
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map((v) => toWire(pulumi, v)));
        return items.map((v) => (v === undefined ? null : v));
    }
    const obj = value as Record<string, unknown>;
    if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
        return toWire(pulumi, obj.value);
    }
    const result: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(obj)) {
        const wire = await toWire(pulumi, v);
        if (wire !== undefined) {
            result[key] = wire;
        }
    }
    return result;
}

export interface Verdict {
    resource: RegisteredResource;
    diagnostics: Diagnostic[];
}

/** Starts, configures and queries the pack for every resource. */
export async function analyzeAll(
    packDir: string,
    project: string,
    resources: RegisteredResource[],
    configFile: string | undefined,
    pack?: Promise<PackProcess>,
): Promise<{ info: AnalyzerInfo; config: Record<string, PolicyConfigEntry>; verdicts: Verdict[] }> {
    let file: unknown = {};
    if (configFile !== undefined) {
        try {
            file = readConfigFile(configFile);
        } catch (e) {
            throw new UsageError(`cannot read policy pack config ${configFile}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    let started: PackProcess;
    try {
        started = await (pack ?? PackProcess.start(packDir));
    } catch (e) {
        throw new UsageError(`the policy pack in ${packDir} did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
        const info = await started.getAnalyzerInfo();
        let config: Record<string, PolicyConfigEntry>;
        try {
            config = reconcileConfig(info, file);
        } catch (e) {
            throw new UsageError(`${configFile}: ${e instanceof Error ? e.message : String(e)}`);
        }
        await started.configureStack(STACK, project, true);
        await started.configure(config);
        const verdicts: Verdict[] = [];
        for (const resource of resources) {
            const result = await started.analyze(resource);
            verdicts.push({ resource, diagnostics: result.diagnostics });
        }
        // Stack policies run once over every resource, after the per-resource analysis, as in the engine.
        const stack = await started.analyzeStack(resources.map((r) => ({ type: r.type, name: r.name, props: r.props, urn: r.urn })));
        for (const d of stack.diagnostics) {
            const owner = verdicts.find((v) => v.resource.urn === d.urn) ?? verdicts.find((v) => v.resource.type === "pulumi:pulumi:Stack") ?? verdicts[0];
            owner?.diagnostics.push(d);
        }
        return { info, config, verdicts };
    } catch (e) {
        if (e instanceof UsageError) {
            throw e;
        }
        const stderr = started.stderr.trim();
        throw new UsageError(`the policy pack failed: ${e instanceof Error ? e.message : String(e)}${stderr ? `\npack stderr:\n${stderr}` : ""}`);
    } finally {
        await started.stop();
    }
}

interface Report {
    text: string;
    mandatory: number;
    advisory: number;
}

/** The preview's output: resources, then the Policies section as the CLI prints it, outputs, summary. */
export function render(
    program: Program,
    packLabel: string,
    info: AnalyzerInfo,
    run: ProgramRun,
    verdicts: Verdict[],
    configFile: string | undefined,
): Report {
    const out: string[] = [];
    const relProgram = shortPath(program.projectDir);
    out.push(`Previewing update (${STACK}) of ${program.project} (${relProgram}) under Pulumi's mock runtime`);
    out.push(`Policy pack: ${info.name}@v${info.version} (local: ${packLabel}), config: ${configFile ?? "schema defaults"}`);
    out.push("");
    const typeWidth = Math.max(4, ...run.resources.map((r) => r.type.length + (r.type === "pulumi:pulumi:Stack" ? 0 : 3)));
    const nameWidth = Math.max(4, ...run.resources.map((r) => r.name.length));
    out.push(`     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan`);
    const children = run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    for (const r of run.resources) {
        const tree = r.type === "pulumi:pulumi:Stack" ? "" : r === children[children.length - 1] ? "└─ " : "├─ ";
        out.push(` +   ${(tree + r.type).padEnd(typeWidth)}  ${r.name.padEnd(nameWidth)}  create`);
    }
    out.push("");

    const events = verdicts.flatMap((v) => v.diagnostics.map((d) => ({ resource: v.resource, d })));
    events.sort((a, b) =>
        cmp(a.d.enforcementLevel, b.d.enforcementLevel) || cmp(a.d.policyName, b.d.policyName) || cmp(a.resource.urn, b.resource.urn),
    );
    const mandatory = events.filter((e) => e.d.enforcementLevel === "mandatory").length;
    const advisory = events.filter((e) => e.d.enforcementLevel === "advisory").length;
    out.push("Policies:");
    out.push(`    ${mandatory > 0 ? "❌" : advisory > 0 ? "⚠️" : "✅"} ${info.name}@v${info.version} (local: ${packLabel})`);
    for (const { resource, d } of events) {
        out.push(`        - [${d.enforcementLevel}]  ${d.policyName}  (${resource.type}: ${resource.name})`);
        for (const line of d.message.replace(/\n+$/, "").split("\n")) {
            out.push(`          ${line}`.trimEnd());
        }
    }
    out.push("");

    if (run.warnings.length > 0) {
        out.push("Diagnostics:");
        out.push(`  pulumi:pulumi:Stack (${program.project}-${STACK}):`);
        for (const w of run.warnings) {
            out.push(`    warning: ${w}`);
        }
        out.push("");
    }

    const outputs = Object.entries(run.outputs);
    if (outputs.length > 0) {
        out.push("Outputs:");
        const width = Math.max(...outputs.map(([k]) => k.length));
        for (const [key, value] of outputs) {
            out.push(`    ${`${key}:`.padEnd(width + 1)} ${value === undefined ? "output<string>" : JSON.stringify(value)}`);
        }
        out.push("");
    }
    if (mandatory === 0) {
        out.push("Resources:");
        out.push(`    + ${run.resources.length} to create`);
        out.push("");
    }
    const withMandatory = new Set(events.filter((e) => e.d.enforcementLevel === "mandatory").map((e) => e.resource.urn)).size;
    const counts = `${plural(mandatory, "mandatory violation")}${mandatory > 0 ? ` in ${plural(withMandatory, "resource")}` : ""}, ${plural(advisory, "advisory violation")}`;
    out.push(
        `Summary: ${plural(run.resources.length, "resource")} analyzed by ${info.name}@v${info.version}: ${counts}. ` +
            (mandatory > 0 ? "The preview fails." : "The preview passes.") +
            (run.warnings.length > 0 ? ` Not everything was analyzed: see ${plural(run.warnings.length, "warning")} above.` : ""),
    );
    return { text: out.join("\n"), mandatory, advisory };
}

/** A path relative to the working directory when it lies below it, else absolute. */
export function shortPath(p: string): string {
    const rel = path.relative(process.cwd(), p);
    return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

function cmp(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function main(argv: string[]): Promise<number> {
    const packDir = findPackDir();
    const options = parseArgs(argv, packDir);
    if (options === "help") {
        console.log(USAGE);
        return 0;
    }
    checkPackBuilt(packDir);
    const program = resolveProgram(options.programDir, packDir);
    // The pack starts while the program runs, as the CLI loads policy packs before the program.
    // The pack resolves relative Dockerfile paths against the program directory; the CLI runs it
    // from where `pulumi` was started, which for this tool is the program directory.
    const pack = PackProcess.start(packDir, { PWD: program.projectDir, PULUMI_NODEJS_PROJECT: program.project });
    pack.catch(() => undefined);
    let run: ProgramRun;
    try {
        run = await runProgram(program, packDir);
    } catch (e) {
        await pack.then((p) => p.stop(), () => undefined);
        throw e;
    }
    const { info, verdicts } = await analyzeAll(packDir, program.project, run.resources, options.configFile, pack);
    const packLabel = shortPath(packDir);
    const report = render(program, packLabel, info, run, verdicts, options.configFile);
    console.log(report.text);
    return report.mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
    // A program's stray rejection must not turn into a policy verdict.
    process.on("unhandledRejection", (e) => {
        console.error(`error: the program failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        process.exit(2);
    });
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`error: ${e instanceof UsageError ? e.message : e instanceof Error ? e.stack ?? e.message : String(e)}`);
            if (e instanceof ArgumentError) {
                console.error("Run with --help for usage.");
            }
            process.exit(2);
        },
    );
}
