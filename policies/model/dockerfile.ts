// A Dockerfile parsed once (cached by content) into stages and instructions, then resolved per
// build: build args over ARG defaults, the final stage (`target` or the last one), named contexts,
// and the stages that feed the final one through `FROM <stage>`, `COPY --from` and `RUN --mount from=`.
import { createHash } from "crypto";
import type { Instruction as AstInstruction } from "dockerfile-ast";
import { ImageRef, parseImageRef } from "./image-ref";
import { expandVariables } from "./shell-vars";

export interface Flag {
    readonly name: string;
    readonly value: string | null;
}

export interface Instruction {
    readonly keyword: string;
    /** 1-based line of the keyword. */
    readonly line: number;
    /** Arguments with line continuations joined and heredoc bodies included, flags excluded. */
    readonly text: string;
    readonly flags: readonly Flag[];
    /** ENV, ARG and LABEL key/value pairs (value null for `ARG NAME`). */
    readonly properties: ReadonlyArray<{ readonly name: string; readonly value: string | null }>;
}

export interface StageSource {
    readonly index: number;
    /** Lowercased `AS` name. */
    readonly name?: string;
    readonly line: number;
    /** The image argument of FROM as written. */
    readonly image: string;
    readonly platform?: string;
    /** Instructions after FROM, up to the next FROM. */
    readonly instructions: readonly Instruction[];
}

export interface ParsedDockerfile {
    readonly hash: string;
    readonly escape: string;
    /** ARG instructions before the first FROM. */
    readonly globalArgs: readonly Instruction[];
    readonly stages: readonly StageSource[];
    /** Comment lines at the top of the file, before any instruction (1-based line, text after `#`). */
    readonly header: ReadonlyArray<{ readonly line: number; readonly text: string }>;
    /** Why the file cannot be built, if it cannot. */
    readonly errors: readonly string[];
}

const KEYWORDS = new Set([
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]);

const parseCache = new Map<string, ParsedDockerfile>();
const PARSE_CACHE_LIMIT = 256;
let parseCount = 0;

/** How many Dockerfiles this process has actually parsed (cache misses). */
export function dockerfileParseCount(): number {
    return parseCount;
}

/** Parses Dockerfile text; identical text is parsed once per process. */
export function parseDockerfile(content: string): ParsedDockerfile {
    const hash = createHash("sha256").update(content).digest("hex");
    const cached = parseCache.get(hash);
    if (cached) {
        return cached;
    }
    const parsed = parse(content, hash);
    if (parseCache.size >= PARSE_CACHE_LIMIT) {
        parseCache.delete(parseCache.keys().next().value as string);
    }
    parseCache.set(hash, parsed);
    return parsed;
}

function parse(content: string, hash: string): ParsedDockerfile {
    parseCount++;
    // Loaded on first use: workload-only stacks never pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DockerfileParser } = require("dockerfile-ast") as typeof import("dockerfile-ast");
    const ast = DockerfileParser.parse(content);
    const errors: string[] = [];
    const globalArgs: Instruction[] = [];
    const stages: Array<{ index: number; name?: string; line: number; image: string; platform?: string; instructions: Instruction[] }> = [];
    for (const node of ast.getInstructions()) {
        const instruction = toInstruction(node);
        if (!KEYWORDS.has(instruction.keyword)) {
            errors.push(`line ${instruction.line}: unknown instruction ${instruction.keyword}`);
            continue;
        }
        if (instruction.keyword === "FROM") {
            const args = node.getArguments().map((a) => a.getValue());
            const image = args[0] ?? "";
            let name: string | undefined;
            if (args.length === 3 && args[1].toUpperCase() === "AS") {
                name = args[2].toLowerCase();
                if (stages.some((s) => s.name === name)) {
                    errors.push(`line ${instruction.line}: the stage name "${args[2]}" is already used`);
                }
            } else if (args.length !== 1) {
                errors.push(`line ${instruction.line}: FROM takes an image and an optional "AS <name>"`);
            }
            if (image === "") {
                errors.push(`line ${instruction.line}: FROM names no image`);
            }
            const platform = instruction.flags.find((f) => f.name === "platform")?.value ?? undefined;
            stages.push({ index: stages.length, name, line: instruction.line, image, platform, instructions: [] });
        } else if (stages.length === 0) {
            if (instruction.keyword === "ARG") {
                globalArgs.push(instruction);
            } else {
                errors.push(`line ${instruction.line}: ${instruction.keyword} before the first FROM (only ARG may come first)`);
            }
        } else {
            stages[stages.length - 1].instructions.push(instruction);
        }
    }
    if (stages.length === 0 && errors.length === 0) {
        errors.push("no FROM instruction: there is nothing to build");
    }
    return { hash, escape: ast.getEscapeCharacter(), globalArgs, stages, header: headerComments(content), errors };
}

function toInstruction(node: AstInstruction): Instruction {
    const keyword = node.getKeyword().toUpperCase();
    const anyNode = node as unknown as {
        getFlags?: () => Array<{ getName(): string; getValue(): string | null }>;
        getProperties?: () => Array<{ getName(): string; getValue(): string | null }>;
    };
    const flags = typeof anyNode.getFlags === "function" ? anyNode.getFlags().map((f) => ({ name: f.getName(), value: f.getValue() })) : [];
    const raw = (node as unknown as { getRawArgumentsContent(): string | null }).getRawArgumentsContent() ?? "";
    const text = raw.includes("<<") ? node.getArgumentsContent() ?? "" : joinContinuations(raw, escapeOf(node));
    let properties: Array<{ name: string; value: string | null }> = [];
    if (keyword === "ARG") {
        // `ARG A B=2` declares two names; each word is `name[=default]` (quotes and escapes kept as written).
        properties = words(text).map((word) => {
            const eq = word.indexOf("=");
            return eq < 0 ? { name: word, value: null } : { name: word.slice(0, eq), value: unquote(word.slice(eq + 1)) };
        });
    } else if ((keyword === "ENV" || keyword === "LABEL") && typeof anyNode.getProperties === "function") {
        properties = anyNode.getProperties().map((p) => ({ name: p.getName(), value: p.getValue() }));
    }
    return { keyword, line: node.getRange().start.line + 1, text, flags, properties };
}

function escapeOf(node: AstInstruction): string {
    return (node as unknown as { escapeChar?: string }).escapeChar ?? "\\";
}

/** Splits on whitespace outside single or double quotes. */
function words(text: string): string[] {
    return text.match(/(?:[^\s"']+|"(?:[^"\\]|\\.)*"?|'[^']*'?)+/g) ?? [];
}

function unquote(value: string): string {
    return /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}

/**
 * The instruction's arguments as one logical line: continuation lines joined, and comment lines
 * inside the continuation dropped, as Docker does.
 */
function joinContinuations(raw: string, escape: string): string {
    const lines = raw.split(/\r?\n/).filter((line) => !/^\s*#/.test(line));
    let out = "";
    for (const line of lines) {
        const trimmed = line.replace(/\s+$/, "");
        if (trimmed.endsWith(escape) && !trimmed.endsWith(escape + escape)) {
            out += trimmed.slice(0, -escape.length) + " ";
        } else {
            out += trimmed + "\n";
        }
    }
    return out.replace(/\n$/, "").replace(/[ \t]+/g, " ").trim();
}

/** Comment lines before the first instruction (parser directives and our own directive live there). */
function headerComments(content: string): Array<{ line: number; text: string }> {
    const header: Array<{ line: number; text: string }> = [];
    const lines = content.split(/\r?\n/);
    for (let i = 0; i < lines.length && i < 200; i++) {
        const trimmed = lines[i].trim();
        if (trimmed === "") {
            continue;
        }
        if (!trimmed.startsWith("#")) {
            break;
        }
        header.push({ line: i + 1, text: trimmed.slice(1).trim() });
    }
    return header;
}

/** The exec-form argument list when the text is a JSON array of strings; undefined for shell form. */
export function execForm(text: string): string[] | undefined {
    const t = text.trim();
    if (!t.startsWith("[")) {
        return undefined;
    }
    try {
        const value: unknown = JSON.parse(t);
        return Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
    } catch {
        return undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution for one build

export interface BuildOptions {
    /** A build arg given by the resource (may throw when the value is unknown during preview). */
    buildArg(name: string): string | undefined;
    target?: string;
    /** A named build context (docker-build context.named) by name. */
    namedContext?(name: string): string | undefined;
    /** Target platform, e.g. linux/arm64 (defaults to linux/amd64). */
    platform?: string;
}

export type Base =
    | { readonly kind: "scratch" }
    | { readonly kind: "image"; readonly ref: ImageRef }
    /** An image reference that does not parse. */
    | { readonly kind: "invalid"; readonly text: string; readonly error: string }
    /** Variables left unresolved after build args. */
    | { readonly kind: "unresolved"; readonly text: string; readonly variables: readonly string[] }
    /** A named context that is not an image (a local directory, a git URL, …). */
    | { readonly kind: "context"; readonly name: string; readonly value: string };

export interface FromRef {
    readonly line: number;
    readonly written: string;
    readonly expanded: string;
    /** The earlier stage this FROM builds on, if any. */
    readonly stage?: Stage;
    /** Otherwise what it pulls. */
    readonly base?: Base;
}

export interface Definition {
    readonly name: string;
    readonly value: string | undefined;
    readonly kind: "ARG" | "ENV";
    readonly line: number;
    /** Inherited from a parent stage's image config. */
    readonly inherited: boolean;
}

export interface Stage {
    readonly index: number;
    readonly name?: string;
    readonly line: number;
    readonly from: FromRef;
    readonly instructions: readonly Instruction[];
    /** ARG and ENV definitions in order, starting with the ENV inherited from a parent stage. */
    readonly definitions: readonly Definition[];
    /** `stage "build" (line 3)` or `stage 0 (line 1)`. */
    readonly label: string;
}

export interface ImagePull {
    readonly line: number;
    readonly via: "FROM" | "COPY --from" | "RUN --mount";
    readonly stage: Stage;
    readonly base: Base;
}

export interface Build {
    readonly file: ParsedDockerfile;
    readonly stages: readonly Stage[];
    readonly final: Stage;
    /** The final stage and every stage it needs, in file order. */
    readonly feeders: readonly Stage[];
    /** The image the final stage ultimately builds on (following FROM <stage>). */
    readonly finalBase: Base;
}

export type BuildResult = { ok: true; build: Build } | { ok: false; error: string };

/** The predefined platform ARGs (TARGETARCH, BUILDPLATFORM, …), computed on first use. */
interface PlatformArgs {
    get(name: string): string | undefined;
}

const PLATFORM_ARGS = ["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"];

function platformArgs(platform: string | undefined): Map<string, string> {
    const p = platform && /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(platform) ? platform : "linux/amd64";
    const [os, arch, variant = ""] = p.split("/");
    return new Map([
        ["TARGETPLATFORM", p], ["TARGETOS", os], ["TARGETARCH", arch], ["TARGETVARIANT", variant],
        ["BUILDPLATFORM", "linux/amd64"], ["BUILDOS", "linux"], ["BUILDARCH", "amd64"], ["BUILDVARIANT", ""],
    ]);
}

/** A value computed on first read (a build arg may be unknown during preview: read it only if needed). */
function lazy(compute: () => string | undefined): () => string | undefined {
    let done = false;
    let value: string | undefined;
    return () => {
        if (!done) {
            value = compute();
            done = true;
        }
        return value;
    };
}

export function resolveBuild(file: ParsedDockerfile, options: BuildOptions): BuildResult {
    if (file.stages.length === 0) {
        return { ok: false, error: file.errors.join("; ") || "no FROM instruction" };
    }
    let platformCache: Map<string, string> | undefined;
    const platform: PlatformArgs = { get: (name) => (platformCache ??= platformArgs(options.platform)).get(name) };
    // Global scope: ARGs before the first FROM, overridden by build args (read only when used).
    const globals = new Map<string, () => string | undefined>();
    const globalLookup = (name: string) => (globals.has(name) ? globals.get(name)!() : PLATFORM_ARGS.includes(name) ? platform.get(name) : undefined);
    for (const arg of file.globalArgs) {
        for (const p of arg.properties) {
            const before = new Map(globals);
            const lookupBefore = (name: string) => (before.has(name) ? before.get(name)!() : PLATFORM_ARGS.includes(name) ? platform.get(name) : undefined);
            globals.set(p.name, lazy(() => options.buildArg(p.name) ?? (p.value === null ? undefined : expandVariables(p.value, lookupBefore, file.escape).value)));
        }
    }
    const stages: Stage[] = [];
    const byName = new Map<string, Stage>();
    for (const source of file.stages) {
        const expansion = expandVariables(source.image, globalLookup, file.escape);
        const expanded = expansion.value;
        let from: FromRef;
        const parentStage = byName.get(expanded.toLowerCase());
        if (expansion.unresolved.length > 0) {
            from = { line: source.line, written: source.image, expanded, base: { kind: "unresolved", text: source.image, variables: [...new Set(expansion.unresolved)] } };
        } else if (parentStage) {
            from = { line: source.line, written: source.image, expanded, stage: parentStage };
        } else {
            from = { line: source.line, written: source.image, expanded, base: baseOf(expanded, options) };
        }
        const definitions = stageDefinitions(source, from.stage, options, globals, platform, file.escape);
        const stage: Stage = {
            index: source.index,
            name: source.name,
            line: source.line,
            from,
            instructions: source.instructions,
            definitions,
            label: source.name ? `stage "${source.name}" (line ${source.line})` : `stage ${source.index} (line ${source.line})`,
        };
        stages.push(stage);
        if (source.name) {
            byName.set(source.name, stage);
        }
    }
    let final = stages[stages.length - 1];
    if (options.target !== undefined && options.target !== "") {
        const t = byName.get(options.target.toLowerCase());
        if (!t) {
            return { ok: false, error: `target stage "${options.target}" is not defined (stages: ${stages.map((s) => s.name ?? s.index).join(", ")})` };
        }
        final = t;
    }
    const feeders = feedingStages(final, stages, byName, file.escape);
    return { ok: true, build: { file, stages, final, feeders, finalBase: rootBase(final) } };
}

function baseOf(reference: string, options: BuildOptions): Base {
    if (reference.toLowerCase() === "scratch") {
        return { kind: "scratch" };
    }
    const named = options.namedContext?.(reference);
    if (named !== undefined) {
        const image = /^docker-image:\/\/(.+)$/.exec(named);
        if (!image) {
            return { kind: "context", name: reference, value: named };
        }
        reference = image[1];
    }
    const parsed = parseImageRef(reference);
    return parsed.ok ? { kind: "image", ref: parsed.ref } : { kind: "invalid", text: reference, error: parsed.error };
}

/** The base image at the root of a stage's FROM chain. */
export function rootBase(stage: Stage): Base {
    let current: Stage = stage;
    for (let guard = 0; current.from.stage && guard < 1000; guard++) {
        current = current.from.stage;
    }
    return current.from.base as Base;
}

/** The stage and its ancestors through FROM <stage>, the stage itself first. */
export function stageChain(stage: Stage): Stage[] {
    const chain: Stage[] = [];
    for (let current: Stage | undefined = stage; current && chain.length < 1000; current = current.from.stage) {
        chain.push(current);
    }
    return chain;
}

function stageDefinitions(
    source: StageSource,
    parent: Stage | undefined,
    options: BuildOptions,
    globals: Map<string, () => string | undefined>,
    platform: PlatformArgs,
    escape: string,
): Definition[] {
    const definitions: Definition[] = [];
    const scope = new Map<string, Definition>();
    if (parent) {
        // A stage built on another inherits its image config: ENV, not ARG.
        const inherited = new Map<string, Definition>();
        for (const d of parent.definitions) {
            if (d.kind === "ENV") {
                inherited.set(d.name, d);
            }
        }
        for (const d of inherited.values()) {
            const copy = definition(d.name, "ENV", d.line, true, () => d.value);
            definitions.push(copy);
            scope.set(d.name, copy);
        }
    }
    for (const instruction of source.instructions) {
        if (instruction.keyword !== "ARG" && instruction.keyword !== "ENV") {
            continue;
        }
        for (const p of instruction.properties) {
            const visible = new Map(scope);
            // Docker substitutes an empty string for a variable that is not set.
            const lookup = (name: string) => (visible.has(name) ? visible.get(name)!.value ?? "" : "");
            let compute: () => string | undefined;
            if (instruction.keyword === "ARG") {
                compute = () =>
                    options.buildArg(p.name) ??
                    (p.value !== null
                        ? expandVariables(p.value, lookup, escape).value
                        : globals.has(p.name)
                          ? globals.get(p.name)!()
                          : platform.get(p.name));
            } else {
                compute = () => expandVariables(p.value ?? "", lookup, escape).value;
            }
            const d = definition(p.name, instruction.keyword, instruction.line, false, compute);
            scope.set(p.name, d);
            definitions.push(d);
        }
    }
    return definitions;
}

function definition(name: string, kind: "ARG" | "ENV", line: number, inherited: boolean, compute: () => string | undefined): Definition {
    const read = lazy(compute);
    return {
        name,
        kind,
        line,
        inherited,
        get value() {
            return read();
        },
    };
}

/** The value of a variable in a stage just before `line` (ENV or ARG, including inherited ENV). */
export function variableAt(stage: Stage, name: string, line = Number.MAX_SAFE_INTEGER): Definition | undefined {
    let found: Definition | undefined;
    for (const d of stage.definitions) {
        if (d.name === name && (d.inherited || d.line < line)) {
            found = d;
        }
    }
    return found;
}

/** Expands variables in text as the stage sees them before `line`. */
export function expandInStage(stage: Stage, text: string, line: number, escape = "\\") {
    return expandVariables(text, (name) => variableAt(stage, name, line)?.value, escape);
}

/** The `from=` value of a `--mount` flag, if any. */
export function mountFrom(flag: Flag): string | undefined {
    if (flag.name !== "mount" || !flag.value) {
        return undefined;
    }
    for (const part of flag.value.split(",")) {
        const [key, ...rest] = part.split("=");
        if (key.trim() === "from") {
            return rest.join("=").trim();
        }
    }
    return undefined;
}

/** Resolves a `--from` / mount `from=` value to a stage (by name or index), or undefined for an image. */
function stageByReference(reference: string, stages: readonly Stage[], byName: Map<string, Stage>, before: number): Stage | undefined {
    const named = byName.get(reference.toLowerCase());
    if (named && named.index < before) {
        return named;
    }
    if (/^[0-9]+$/.test(reference)) {
        const index = Number(reference);
        return index < before ? stages[index] : undefined;
    }
    return undefined;
}

function feedingStages(final: Stage, stages: readonly Stage[], byName: Map<string, Stage>, escape: string): Stage[] {
    const seen = new Set<number>();
    const queue: Stage[] = [final];
    while (queue.length > 0) {
        const stage = queue.pop() as Stage;
        if (seen.has(stage.index)) {
            continue;
        }
        seen.add(stage.index);
        if (stage.from.stage) {
            queue.push(stage.from.stage);
        }
        for (const instruction of stage.instructions) {
            for (const reference of stageReferences(stage, instruction, escape)) {
                const target = stageByReference(reference, stages, byName, stage.index);
                if (target) {
                    queue.push(target);
                }
            }
        }
    }
    return stages.filter((s) => seen.has(s.index));
}

function stageReferences(stage: Stage, instruction: Instruction, escape: string): string[] {
    const refs: string[] = [];
    for (const flag of instruction.flags) {
        const raw = (instruction.keyword === "COPY" || instruction.keyword === "ADD") && flag.name === "from" ? flag.value : mountFrom(flag);
        if (raw) {
            refs.push(expandInStage(stage, raw, instruction.line, escape).value);
        }
    }
    return refs;
}

/** Every image a stage pulls: its FROM (when not a stage) and images named by COPY --from or RUN --mount from=. */
export function imagesPulled(build: Build, stage: Stage, options: BuildOptions): ImagePull[] {
    const pulls: ImagePull[] = [];
    if (!stage.from.stage && stage.from.base && stage.from.base.kind !== "scratch") {
        pulls.push({ line: stage.from.line, via: "FROM", stage, base: stage.from.base });
    }
    const byName = new Map(build.stages.filter((s) => s.name).map((s) => [s.name as string, s]));
    for (const instruction of stage.instructions) {
        for (const flag of instruction.flags) {
            const isCopyFrom = (instruction.keyword === "COPY" || instruction.keyword === "ADD") && flag.name === "from";
            const raw = isCopyFrom ? flag.value : mountFrom(flag);
            if (!raw) {
                continue;
            }
            const expansion = expandInStage(stage, raw, instruction.line, build.file.escape);
            if (stageByReference(expansion.value, build.stages, byName, stage.index)) {
                continue;
            }
            const base: Base =
                expansion.unresolved.length > 0
                    ? { kind: "unresolved", text: raw, variables: expansion.unresolved }
                    : baseOf(expansion.value, options);
            if (base.kind !== "scratch" && base.kind !== "context") {
                pulls.push({ line: instruction.line, via: isCopyFrom ? "COPY --from" : "RUN --mount", stage, base });
            }
        }
    }
    return pulls;
}
