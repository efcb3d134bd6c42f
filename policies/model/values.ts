// Defensive readers for untrusted property bags.
//
// Resource properties arrive from user programs, YAML and Helm charts: any field may hold a value of
// the wrong type. These helpers never throw on bad shapes; they only let the preview-time
// "unknown value" error of @pulumi/policy's proxy escape, which is what a rule wants.

export type Obj = Record<string, unknown>;

/** The value as a plain object, or undefined for null, arrays and primitives. */
export function asObject(value: unknown): Obj | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** The value as an array, or an empty array when it is anything else. */
export function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The value when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** Reads a nested field, returning undefined as soon as a step is not an object. */
export function dig(value: unknown, ...path: string[]): unknown {
    let current: unknown = value;
    for (const key of path) {
        const o = asObject(current);
        if (o === undefined) {
            return undefined;
        }
        current = o[key];
    }
    return current;
}

/** Whether a key is present without reading its value (reading could hit an unknown). */
export function has(value: unknown, key: string): boolean {
    const o = asObject(value);
    return o !== undefined && key in o;
}

/** A short, bounded rendering of a value for messages. */
export function show(value: unknown): string {
    let text: string;
    if (typeof value === "string") {
        text = JSON.stringify(value);
    } else if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
        text = String(value);
    } else {
        try {
            text = JSON.stringify(value) ?? String(value);
        } catch {
            text = Object.prototype.toString.call(value);
        }
    }
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
