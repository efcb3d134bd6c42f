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

export function parseImageRef(text: unknown): ImageRefResult {
    if (typeof text !== "string" || text.length === 0) {
        return { ok: false, error: "no image reference" };
    }
    if (text.length > 1024) {
        return { ok: false, error: "the image reference is longer than any registry accepts" };
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
