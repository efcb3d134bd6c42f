// GOMEMLIMIT and GOGC exactly as the Go runtime reads them at process start
// (runtime.readGOMEMLIMIT / parseByteCount and runtime.readGOGC).

const INT64_MAX = 2n ** 63n - 1n;
const BYTE_COUNT = /^([0-9]+)((?:[KMGT]i)?B)?$/;
const UNIT_SHIFT: Record<string, bigint> = { B: 0n, KiB: 10n, MiB: 20n, GiB: 30n, TiB: 40n };

export type GoMemLimit =
    | { kind: "limit"; bytes: bigint }
    /** "" or "off": no limit at all. */
    | { kind: "off" }
    /** The runtime aborts with "malformed GOMEMLIMIT". */
    | { kind: "malformed"; reason: string };

export function parseGoMemLimit(value: unknown): GoMemLimit {
    if (typeof value !== "string") {
        return { kind: "malformed", reason: `an environment value must be a string, found ${typeof value}` };
    }
    if (value === "" || value === "off") {
        return { kind: "off" };
    }
    const m = BYTE_COUNT.exec(value);
    if (!m) {
        return { kind: "malformed", reason: explainMalformed(value) };
    }
    const [, digits, unit = "B"] = m;
    if (digits.length > 20) {
        return { kind: "malformed", reason: "the number overflows a 64-bit integer" };
    }
    const bytes = BigInt(digits) << UNIT_SHIFT[unit];
    if (bytes > INT64_MAX) {
        return { kind: "malformed", reason: "the value overflows a 64-bit integer" };
    }
    return { kind: "limit", bytes };
}

function explainMalformed(value: string): string {
    if (/^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(value)) {
        return `Kubernetes-style suffixes are not understood; write ${value}B`;
    }
    if (/^[0-9]+[kKMGT]B?$/.test(value)) {
        return "decimal units (K, M, G, KB, MB, ...) are not understood; use B, KiB, MiB, GiB or TiB";
    }
    if (/[.]/.test(value)) {
        return "fractions are not understood; use a whole number of bytes, KiB, MiB, GiB or TiB";
    }
    return "the value must be a whole number optionally followed by B, KiB, MiB, GiB or TiB";
}

export type GoGc =
    | { kind: "percent"; value: number }
    /** "off" or a negative number: the collector is disabled. */
    | { kind: "off" }
    /** Anything else: the runtime silently uses 100. */
    | { kind: "ignored"; reason: string };

export function parseGoGc(value: unknown): GoGc {
    if (typeof value !== "string") {
        return { kind: "ignored", reason: `an environment value must be a string, found ${typeof value}` };
    }
    if (value === "" ) {
        return { kind: "percent", value: 100 };
    }
    if (value === "off") {
        return { kind: "off" };
    }
    if (/^-?[0-9]+$/.test(value)) {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) {
            return { kind: "ignored", reason: "the number overflows a 32-bit integer" };
        }
        return n < 0 ? { kind: "off" } : { kind: "percent", value: n };
    }
    return { kind: "ignored", reason: "it is not an integer or \"off\"" };
}
