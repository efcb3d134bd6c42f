// Glob lists over names such as image references: `*` stays within a path segment, `**` crosses them.
import picomatch from "picomatch";

export type Matcher = (candidates: readonly string[]) => boolean;

const cache = new Map<string, Matcher>();

/** Patterns that match everything need no input at all (so an unknown value need not be read). */
export function matchesEverything(patterns: readonly string[]): boolean {
    return patterns.some((p) => p === "**");
}

/** A matcher that is true when any candidate matches any pattern. Compiled once per pattern list. */
export function globMatcher(patterns: readonly string[]): Matcher {
    const key = JSON.stringify(patterns);
    let matcher = cache.get(key);
    if (!matcher) {
        const valid = patterns.filter((p) => typeof p === "string" && p.length > 0);
        const test = valid.length === 0 ? () => false : picomatch(valid, { dot: true, nobrace: false });
        matcher = (candidates) => candidates.some((c) => test(c));
        cache.set(key, matcher);
    }
    return matcher;
}

const looseCache = new Map<string, Matcher>();

/**
 * Globs where `*` matches any run of characters, `/` included (as image allow and deny lists are
 * usually written: `*alpine-glibc*` matches `frolvlad/alpine-glibc:3.17`), and `?` one character.
 */
export function looseGlobMatcher(patterns: readonly string[]): Matcher {
    const key = JSON.stringify(patterns);
    let matcher = looseCache.get(key);
    if (!matcher) {
        const regexes = patterns
            .filter((p) => typeof p === "string" && p.length > 0)
            .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*+/g, ".*").replace(/\?/g, ".")}$`, "s"));
        matcher = (candidates) => candidates.some((c) => regexes.some((r) => r.test(c)));
        looseCache.set(key, matcher);
    }
    return matcher;
}
