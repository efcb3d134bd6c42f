// Kubernetes resource.Quantity, parsed exactly.
//
// Grammar (k8s.io/apimachinery/pkg/api/resource): an optionally signed decimal number followed by
// a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m "" k M G T P E) or a decimal exponent
// (e3, E-2). Only lowercase `k` means kilo. The value is kept as an exact fraction (BigInt numerator
// over a power of ten) so that comparisons never suffer from floating point.

export interface Quantity {
    /** The text as written (numbers from YAML are rendered with String()). */
    readonly text: string;
    /** Exact value = numerator / denominator. */
    readonly numerator: bigint;
    readonly denominator: bigint;
    /** The suffix as written ("" when none), e.g. "Mi", "m", "e3". */
    readonly suffix: string;
}

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

const FORMAT = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Largest quantity Kubernetes represents (2^63 - 1 in the base unit); larger values are clamped. */
export const MAX_QUANTITY = 2n ** 63n - 1n;
const MAX_TEXT = 64;
const MAX_EXPONENT = 64;

export function parseQuantity(input: unknown): QuantityResult {
    let text: string;
    if (typeof input === "string") {
        text = input;
    } else if (typeof input === "number" && Number.isFinite(input)) {
        text = String(input);
    } else {
        return { ok: false, error: `expected a quantity string, found ${typeof input === "number" ? String(input) : typeof input}` };
    }
    if (text.length === 0) {
        return { ok: false, error: "the quantity is an empty string" };
    }
    if (text.length > MAX_TEXT) {
        return { ok: false, error: "the quantity is too long to be a valid Kubernetes quantity" };
    }
    const m = FORMAT.exec(text);
    if (!m) {
        if (/^[+-]?[0-9.]+K$/.test(text)) {
            return { ok: false, error: `"${text}" uses "K"; Kubernetes only knows lowercase "k" (kilo) or "Ki" (kibi)` };
        }
        return { ok: false, error: `"${text}" is not a Kubernetes quantity (a number with an optional suffix such as Mi, Gi, m or k)` };
    }
    const [, sign, number, suffix = ""] = m;
    const [whole, fraction = ""] = number.split(".");
    let numerator = BigInt((whole || "0") + fraction);
    let denominator = 10n ** BigInt(fraction.length);
    if (suffix in BINARY) {
        numerator <<= BINARY[suffix];
    } else {
        const exponent = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
        if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) {
            return { ok: false, error: `"${text}" has an exponent out of range` };
        }
        if (exponent >= 0) {
            numerator *= 10n ** BigInt(exponent);
        } else {
            denominator *= 10n ** BigInt(-exponent);
        }
    }
    if (sign === "-" && numerator !== 0n) {
        numerator = -numerator;
    }
    return { ok: true, quantity: { text, numerator, denominator, suffix } };
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const left = a.numerator * b.denominator;
    const right = b.numerator * a.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether the quantity is negative. */
export function isNegative(q: Quantity): boolean {
    return q.numerator < 0n;
}

/** Whether the value exceeds what Kubernetes can represent (it would be silently clamped). */
export function exceedsMaximum(q: Quantity): boolean {
    return q.numerator > MAX_QUANTITY * q.denominator;
}

/** The value rounded up to a whole number of base units (bytes, cores), as Kubernetes' Value() does. */
export function ceilValue(q: Quantity): bigint {
    const quotient = q.numerator / q.denominator;
    return q.numerator % q.denominator > 0n ? quotient + 1n : quotient;
}

/** The value as a floating point number (for ratios and display only). */
export function toNumber(q: Quantity): number {
    return Number(q.numerator) / Number(q.denominator);
}

/** Human rendering of a byte count, e.g. 536870912 -> "512Mi". */
export function formatBytes(bytes: bigint): string {
    const units: Array<[string, bigint]> = [["Ei", 60n], ["Pi", 50n], ["Ti", 40n], ["Gi", 30n], ["Mi", 20n], ["Ki", 10n]];
    for (const [unit, shift] of units) {
        const size = 1n << shift;
        if (bytes >= size && bytes % size === 0n) {
            return `${bytes / size}${unit}`;
        }
    }
    return `${bytes} bytes`;
}
