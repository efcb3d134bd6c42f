// Image build resources of @pulumi/docker and @pulumi/docker-build: where their Dockerfile is, its
// text, and the build inputs (args, target, named contexts, platform). Type tokens are matched as
// strings; the provider SDKs are never loaded at run time.
import * as fs from "fs";
import * as path from "path";
import { Build, BuildOptions, dockerfileParseCount, parseDockerfile, ParsedDockerfile, resolveBuild } from "../model/dockerfile";
import { asArray, asObject, asString, has, Obj, show } from "../model/values";
import { isUnknownValueError } from "./adapter";
import { programDir, PROGRAM_DIR_VARIABLE } from "./program-dir";
import type { Exemption, ResourceInput, Subject, Target } from "./rule";

export const IMAGE_TYPES: Record<string, string> = {
    "docker:index/image:Image": "docker.Image",
    "docker-build:index:Image": "docker-build.Image",
    "docker:index/remoteImage:RemoteImage": "docker.RemoteImage",
};

const MAX_DOCKERFILE_BYTES = 1024 * 1024;
/** GO_SERVICE_GUARD_DEBUG=parse logs every Dockerfile parse (not cache hit) to stderr. */
const DEBUG_PARSES = (process.env.GO_SERVICE_GUARD_DEBUG ?? "").split(",").includes("parse");
const REMOTE = /^(https?:\/\/|git:\/\/|git@|ssh:\/\/|github\.com\/)/;

export type Loaded =
    | { readonly kind: "ok"; readonly parsed: ParsedDockerfile; readonly build: Build; readonly options: BuildOptions }
    /** Not found, unreadable, not parseable, or no such target: reported by dockerfile-readable. */
    | { readonly kind: "unreadable"; readonly problem: string; readonly tried: readonly string[]; readonly how?: string }
    /** Nothing local to read (remote context or Dockerfile URL, or a pull without a build). */
    | { readonly kind: "remote"; readonly reason: string };

export interface ImageBuild extends Subject {
    readonly resourceType: string;
    readonly resourceName: string;
    /** How the Dockerfile is shown in messages: a path relative to the program, or "inline Dockerfile". */
    readonly display: string;
    readonly loaded: Loaded;
    /** Where a finding at `line` is: `Dockerfile app/Dockerfile line 12`. */
    at(line: number): string;
}

interface Located {
    readonly display: string;
    readonly file?: string;
    readonly inline?: string;
    readonly remote?: string;
    readonly how?: string;
}

export const imageBuildTarget: Target<ImageBuild> = {
    description: "image builds (docker.Image, docker-build.Image, docker.RemoteImage with build) and their Dockerfile",
    kinds: "image builds",
    async load(resource: ResourceInput): Promise<ImageBuild | undefined> {
        const kind = IMAGE_TYPES[resource.type];
        if (!kind) {
            return undefined;
        }
        const props = asObject(resource.props) ?? {};
        const located = locate(resource.type, props);
        const loaded = await load(located, resource.type, props);
        const display = located.display;
        return {
            label: `${kind} "${resource.name}"`,
            resourceType: resource.type,
            resourceName: resource.name,
            display,
            loaded,
            at: (line: number) => `${display === "inline Dockerfile" ? display : `Dockerfile ${display}`} line ${line}`,
        };
    },
    exemption(model: ImageBuild) {
        return model.loaded.kind === "ok" ? directiveExemption(model.loaded.parsed) : undefined;
    },
};

function locate(type: string, props: Obj): Located {
    const base = programDir();
    const fromProgram = (p: string, how = base.how) => {
        const file = path.resolve(base.dir, p);
        return { file, display: displayPath(base.dir, file, p), how };
    };
    if (type === "docker-build:index:Image") {
        const dockerfile = asObject(props.dockerfile);
        if (dockerfile && has(dockerfile, "inline") && dockerfile.inline !== null && dockerfile.inline !== undefined) {
            return { inline: String(dockerfile.inline), display: "inline Dockerfile" };
        }
        const location = dockerfile && has(dockerfile, "location") ? asString(dockerfile.location) : undefined;
        if (location !== undefined) {
            return REMOTE.test(location) ? { remote: `the Dockerfile is a URL (${location})`, display: location } : fromProgram(location);
        }
        const context = asString(asObject(props.context)?.location) ?? ".";
        if (REMOTE.test(context)) {
            return { remote: `the build context is remote (${context})`, display: context };
        }
        return fromProgram(path.join(context, "Dockerfile"));
    }
    const build = asObject(props.build);
    if (type === "docker:index/remoteImage:RemoteImage") {
        if (!build) {
            return { remote: `it pulls ${show(props.name)} and builds nothing`, display: String(props.name) };
        }
        const context = asString(build.context) ?? ".";
        if (REMOTE.test(context)) {
            return { remote: `the build context is remote (${context})`, display: context };
        }
        const dockerfile = asString(build.dockerfile) ?? "Dockerfile";
        // RemoteImage (v5) resolves the Dockerfile against the build context unless it is absolute.
        return fromProgram(path.isAbsolute(dockerfile) ? dockerfile : path.join(context, dockerfile));
    }
    // docker.Image resolves build.dockerfile against the program directory, not the context; the
    // context is read only when it decides where the Dockerfile is.
    const dockerfile = build && has(build, "dockerfile") ? asString(build.dockerfile) : undefined;
    if (dockerfile !== undefined) {
        const context = knownOrUndefined(() => asString(build?.context));
        if (context !== undefined && REMOTE.test(context)) {
            return { remote: `the build context is remote (${context})`, display: context };
        }
        return fromProgram(dockerfile);
    }
    const context = asString(build?.context) ?? ".";
    if (REMOTE.test(context)) {
        return { remote: `the build context is remote (${context})`, display: context };
    }
    return fromProgram(path.join(context, "Dockerfile"));
}

/** A value that only refines the answer: when it is unknown during preview, go on without it. */
function knownOrUndefined<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (isUnknownValueError(e)) {
            return undefined;
        }
        throw e;
    }
}

function displayPath(dir: string, file: string, written: string): string {
    const relative = path.relative(dir, file);
    return !relative.startsWith("..") && !path.isAbsolute(relative) ? relative || written : file;
}

const contentCache = new Map<string, { mtimeMs: number; size: number; text: string }>();

async function readText(file: string): Promise<string> {
    const stat = await fs.promises.stat(file);
    if (stat.isDirectory()) {
        throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
    }
    if (!stat.isFile()) {
        throw new Error("it is not a regular file (a pipe, socket or device)");
    }
    if (stat.size > MAX_DOCKERFILE_BYTES) {
        throw new Error(`it is ${stat.size} bytes, larger than any Dockerfile this pack reads (${MAX_DOCKERFILE_BYTES})`);
    }
    const cached = contentCache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
        return cached.text;
    }
    const text = await readCapped(file);
    if (text.includes("\u0000")) {
        throw new Error("it is a binary file, not a Dockerfile");
    }
    contentCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, text });
    return text;
}

/** Reads at most MAX_DOCKERFILE_BYTES, whatever the file claims its size is. */
async function readCapped(file: string): Promise<string> {
    const handle = await fs.promises.open(file, "r");
    try {
        const buffer = Buffer.alloc(MAX_DOCKERFILE_BYTES + 1);
        let length = 0;
        for (;;) {
            const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
            if (bytesRead === 0) {
                break;
            }
            length += bytesRead;
            if (length > MAX_DOCKERFILE_BYTES) {
                throw new Error(`it is larger than any Dockerfile this pack reads (${MAX_DOCKERFILE_BYTES} bytes)`);
            }
        }
        return buffer.subarray(0, length).toString("utf8");
    } finally {
        await handle.close();
    }
}

async function load(located: Located, type: string, props: Obj): Promise<Loaded> {
    if (located.remote) {
        return { kind: "remote", reason: located.remote };
    }
    let text: string;
    if (located.inline !== undefined) {
        text = located.inline;
    } else {
        const file = located.file as string;
        try {
            text = await readText(file);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            const problem =
                code === "ENOENT" ? "the Dockerfile was not found" : code === "EACCES" ? "the Dockerfile is not readable (permission denied)" : `the Dockerfile cannot be read: ${(e as Error).message}`;
            return { kind: "unreadable", problem, tried: [file], how: located.how };
        }
    }
    const before = dockerfileParseCount();
    const parsed = parseDockerfile(text);
    if (DEBUG_PARSES && dockerfileParseCount() > before) {
        console.error(`go-service-guard: parsed ${located.display} (sha256 ${parsed.hash.slice(0, 12)}); ${dockerfileParseCount()} parse(s) so far`);
    }
    if (parsed.errors.length > 0) {
        return { kind: "unreadable", problem: `the Dockerfile does not parse: ${parsed.errors.slice(0, 3).join("; ")}`, tried: located.file ? [located.file] : [] };
    }
    const options = buildOptions(type, props);
    const result = resolveBuild(parsed, options);
    if (!result.ok) {
        return { kind: "unreadable", problem: result.error, tried: located.file ? [located.file] : [] };
    }
    return { kind: "ok", parsed, build: result.build, options };
}

/** Build args, target, named contexts and platform, each read only when a rule needs it. */
function buildOptions(type: string, props: Obj): BuildOptions {
    const build = () => asObject(props.build);
    const fields =
        type === "docker-build:index:Image"
            ? { args: () => props.buildArgs, target: () => props.target, platform: () => asArray(props.platforms)[0] }
            : type === "docker:index/remoteImage:RemoteImage"
              ? { args: () => build()?.buildArgs, target: () => build()?.target, platform: () => build()?.platform }
              : { args: () => build()?.args, target: () => build()?.target, platform: () => build()?.platform };
    const named = () => (type === "docker-build:index:Image" ? asObject(asObject(props.context)?.named) : undefined);
    return {
        buildArg: (name) => {
            const args = asObject(fields.args());
            return args && has(args, name) ? stringOf(args[name]) : undefined;
        },
        get target() {
            return asString(fields.target());
        },
        namedContext: (name) => {
            const contexts = named();
            return contexts && has(contexts, name) ? asString(asObject(contexts[name])?.location) : undefined;
        },
        get platform() {
            return asString(fields.platform());
        },
    };
}

function stringOf(value: unknown): string | undefined {
    return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

const DIRECTIVE = /^go-service-guard:\s*skip=([A-Za-z0-9_,.-]+)(?:\s+reason=(?:"([^"]*)"|'([^']*)'|(\S+)))?\s*$/;

/** `# go-service-guard: skip=<policy>[,<policy>] reason="<why>"` at the top of the Dockerfile. */
export function directiveExemption(parsed: ParsedDockerfile): Exemption | undefined {
    for (const comment of parsed.header) {
        const m = DIRECTIVE.exec(comment.text);
        if (m) {
            const reason = (m[2] ?? m[3] ?? m[4] ?? "").trim();
            return {
                policies: m[1].split(",").map((p) => p.trim()).filter((p) => p.length > 0),
                reason: () => reason || undefined,
                source: `the "# go-service-guard: skip=" directive on Dockerfile line ${comment.line}`,
                missingReasonHint: 'add reason="<why>" to the directive',
            };
        }
    }
    return undefined;
}

export function triedText(tried: readonly string[], how?: string): string {
    return `${tried.length > 0 ? `tried ${tried.join(", ")}` : "no path to try"}${how ? ` (relative paths are resolved against ${how})` : ""}`;
}

export { PROGRAM_DIR_VARIABLE };
