// Container image references, parsed with a port of distribution/reference.
import { parseFamiliarName } from "@swimlane/docker-reference";

export interface ImageRef {
    /** As written. */
    readonly text: string;
    /** Registry host, e.g. "docker.io", "ghcr.io", "localhost:5000". */
    readonly registry: string;
    /** Path inside the registry, e.g. "library/alpine". */
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
    /** registry/repository, the fully qualified name without tag or digest. */
    readonly name: string;
}

export type ImageRefResult = { ok: true; ref: ImageRef } | { ok: false; error: string };

const SHA256 = /^sha256:[a-f0-9]{64}$/;

// The reference grammar of distribution/reference, checked component by component with patterns
// that cannot backtrack badly. The parser library's single large regular expression takes seconds
// to minutes to reject some malformed references (for example a truncated digest), which would
// stall a preview, so only references that pass this check reach it.
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PORT = /^[0-9]{1,5}$/;

/** Why the reference is malformed, or undefined when it is well formed. */
function precheck(text: string): string | undefined {
    const at = text.indexOf("@");
    let rest = text;
    if (at >= 0) {
        const digest = text.slice(at + 1);
        if (!DIGEST.test(digest)) {
            return "invalid digest format";
        }
        if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
            return "invalid digest format: a sha256 digest is 64 lowercase hex characters";
        }
        rest = text.slice(0, at);
    }
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    let name = rest;
    if (colon > lastSlash) {
        if (!TAG.test(rest.slice(colon + 1))) {
            return "invalid tag format";
        }
        name = rest.slice(0, colon);
    }
    if (name.length === 0 || name.length > 255) {
        return name.length === 0 ? "repository name is empty" : "repository name must not be more than 255 characters";
    }
    const parts = name.split("/");
    const first = parts[0];
    if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
        const [host, port, extra] = first.split(":");
        if (extra !== undefined || (port !== undefined && !PORT.test(port)) || !host.split(".").every((l) => DOMAIN_LABEL.test(l))) {
            return "invalid registry host";
        }
        parts.shift();
    }
    for (const part of parts) {
        if (!PATH_COMPONENT.test(part)) {
            return /[A-Z]/.test(part) ? "repository name must be lowercase" : "invalid repository name";
        }
    }
    return undefined;
}

export function parseImageRef(text: unknown): ImageRefResult {
    if (typeof text !== "string" || text.length === 0) {
        return { ok: false, error: "no image reference" };
    }
    if (text.length > 1024) {
        return { ok: false, error: "the image reference is longer than any registry accepts" };
    }
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(text);
    if (scheme) {
        return { ok: false, error: `invalid reference format: ${scheme[1]}:// is a build tool's placeholder (ko, skaffold), not an image reference; the real reference is substituted before deploy` };
    }
    const problem = precheck(text);
    if (problem) {
        return { ok: false, error: `invalid reference format: ${problem}` };
    }
    try {
        const parsed = parseFamiliarName(text);
        const registry = parsed.domain ?? "docker.io";
        const repository = parsed.repository ?? "";
        return {
            ok: true,
            ref: { text, registry, repository, tag: parsed.tag, digest: parsed.digest, name: `${registry}/${repository}` },
        };
    } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
}

/** Whether the reference names an immutable sha256 content digest. */
export function isPinnedByDigest(ref: ImageRef): boolean {
    return ref.digest !== undefined && SHA256.test(ref.digest);
}

/** The normalised forms a user pattern may be written against: as written, and fully qualified. */
export function imageMatchForms(ref: ImageRef): string[] {
    const suffix = `${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
    const forms = [ref.text, `${ref.name}${suffix}`, ref.name];
    if (ref.registry === "docker.io" && ref.repository.startsWith("library/")) {
        const short = ref.repository.slice("library/".length);
        forms.push(`${short}${suffix}`, short);
    }
    return forms;
}
