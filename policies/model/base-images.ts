// What the pack knows about common base images. Anything not listed is "unknown", and rules do
// not guess about unknown images.
import type { Base } from "./dockerfile";

export type Tri = "yes" | "no" | "unknown";
export type Libc = "none" | "musl" | "glibc" | "unknown";

function name(base: Base): string {
    return base.kind === "image" ? base.ref.name : base.kind === "scratch" ? "scratch" : "";
}

function tag(base: Base): string {
    return base.kind === "image" ? base.ref.tag ?? "" : "";
}

const DISTROLESS = /^(gcr\.io|[a-z0-9.-]+\.pkg\.dev\/[^/]+)\/distroless\//;
const CHAINGUARD = /^cgr\.dev\/chainguard\//;

function isDistroless(base: Base): boolean {
    return DISTROLESS.test(name(base));
}

function isChainguard(base: Base): boolean {
    return CHAINGUARD.test(name(base));
}

function distrolessFlavour(base: Base): string {
    return name(base).replace(DISTROLESS, "").replace(/-debian[0-9]+$/, "");
}

/** Chainguard's -dev tags carry a shell and apk and run as root. */
function chainguardDev(base: Base): boolean {
    return /(^|-)dev$/.test(tag(base)) || /-dev(-|$)/.test(tag(base));
}

/** No C library: a cgo binary cannot run. */
export function libcOf(base: Base): Libc {
    if (base.kind === "scratch") {
        return "none";
    }
    if (base.kind !== "image") {
        return "unknown";
    }
    const n = name(base);
    if (isDistroless(base)) {
        return distrolessFlavour(base) === "static" ? "none" : "glibc";
    }
    if (isChainguard(base)) {
        const image = n.replace(CHAINGUARD, "");
        return image === "static" ? "none" : image === "glibc-dynamic" ? "glibc" : "unknown";
    }
    if (/(^|\/)alpine$/.test(n) || tag(base).includes("alpine") || /(^|\/)busybox$/.test(n) && tag(base).includes("musl")) {
        return "musl";
    }
    if (/^docker\.io\/library\/(debian|ubuntu|buildpack-deps)$/.test(n)) {
        return "glibc";
    }
    if (/^docker\.io\/library\/golang$/.test(n)) {
        return tag(base).includes("windowsservercore") || tag(base).includes("nanoserver") ? "unknown" : "glibc";
    }
    return "unknown";
}

export function isLibcFree(base: Base): boolean {
    return libcOf(base) === "none";
}

/** Whether the image has /bin/sh. */
export function hasShell(base: Base): Tri {
    if (base.kind === "scratch") {
        return "no";
    }
    if (isDistroless(base)) {
        return tag(base).includes("debug") ? "yes" : "no";
    }
    if (isChainguard(base)) {
        return chainguardDev(base) ? "yes" : name(base).endsWith("/static") || name(base).endsWith("/glibc-dynamic") ? "no" : "unknown";
    }
    if (libcOf(base) === "musl" || libcOf(base) === "glibc") {
        return "yes";
    }
    return "unknown";
}

/** Whether the image ships /usr/share/zoneinfo. */
export function shipsTzdata(base: Base): Tri {
    if (base.kind === "scratch") {
        return "no";
    }
    if (isDistroless(base) || isChainguard(base)) {
        return "yes";
    }
    const n = name(base);
    if (/^docker\.io\/library\/(alpine|busybox|ubuntu)$/.test(n) || (n === "docker.io/library/golang" && tag(base).includes("alpine"))) {
        return "no";
    }
    return "unknown";
}

/** Whether the image runs as a non-root user when the Dockerfile sets no USER. */
export function defaultsToNonRoot(base: Base): boolean {
    if (isDistroless(base)) {
        return /^(debug-)?nonroot(-(amd64|arm64|arm|s390x|ppc64le|riscv64))?$/.test(tag(base));
    }
    return isChainguard(base) && !chainguardDev(base);
}

/** Locales an image provides without installing anything: "c-only" (C, POSIX, C.UTF-8), "none", or unknown. */
export function builtInLocales(base: Base): "c-only" | "none" | "any" | "unknown" {
    if (base.kind === "scratch" || isDistroless(base)) {
        return "none";
    }
    const libc = libcOf(base);
    if (libc === "musl") {
        return "any";
    }
    if (libc === "glibc") {
        return "c-only";
    }
    return "unknown";
}

export function describeBase(base: Base): string {
    switch (base.kind) {
        case "scratch":
            return "scratch";
        case "image":
            return base.ref.text;
        case "context":
            return `named context ${base.name}`;
        default:
            return base.text;
    }
}

/** The distribution of a glibc image whose locale tooling differs (Debian's locale-gen ignores names). */
export function distroOf(base: Base): "debian" | "ubuntu" | "unknown" {
    const n = name(base);
    if (n === "docker.io/library/ubuntu") {
        return "ubuntu";
    }
    if (/^docker\.io\/library\/(debian|buildpack-deps)$/.test(n) || (n === "docker.io/library/golang" && libcOf(base) === "glibc")) {
        return "debian";
    }
    return "unknown";
}
