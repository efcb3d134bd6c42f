// A container's environment as the kubelet builds it: `env` entries in order (the last entry of a
// name wins), `$(VAR)` references expanded from entries defined earlier, and `envFrom` as an opaque
// source. Only the entries a caller asks about are read.
import { ceilValue, parseQuantity, Quantity } from "./quantity";
import { asArray, asObject, asString, dig, has, show } from "./values";

export type EnvValue =
    /** A literal value, after `$(VAR)` expansion; `downwardApi` when a resourceFieldRef fed the expansion. */
    | { kind: "literal"; value: string; raw: string; downwardApi: boolean }
    /** valueFrom.resourceFieldRef. */
    | { kind: "resource"; resource: string; divisor: string; divisorValue?: Quantity; description: string }
    /** configMapKeyRef, secretKeyRef, or a `$(VAR)` only envFrom could define: not visible to a policy. */
    | { kind: "indirect"; description: string }
    /** valueFrom.fieldRef and anything else that is not a plain value. */
    | { kind: "other"; description: string }
    | { kind: "unset" };

/** Whether the container imports variables wholesale (envFrom), so any name may be set there. */
export function hasEnvFrom(container: Record<string, unknown>): boolean {
    return asArray(container.envFrom).length > 0;
}

/** The value the container will see for `name`, judged from `env` alone. */
export function resolveEnv(container: Record<string, unknown>, name: string): EnvValue {
    const entries = asArray(container.env);
    const index = lastIndexOf(entries, name, entries.length);
    return index < 0 ? { kind: "unset" } : resolveEntry({ container, entries, memo: new Map() }, index, 0);
}

/** One resolution: each entry is expanded at most once, as the kubelet expands each entry once. */
interface Resolution {
    readonly container: Record<string, unknown>;
    readonly entries: unknown[];
    readonly memo: Map<number, EnvValue>;
}

/** Longest value an expansion may produce; beyond it the value is reported as it stands. */
const MAX_EXPANDED = 4096;

function lastIndexOf(entries: unknown[], name: string, before: number): number {
    for (let i = before - 1; i >= 0; i--) {
        if (asString(asObject(entries[i])?.name) === name) {
            return i;
        }
    }
    return -1;
}

function resolveEntry(r: Resolution, index: number, depth: number): EnvValue {
    let value = r.memo.get(index);
    if (!value) {
        value = computeEntry(r, index, depth);
        r.memo.set(index, value);
    }
    return value;
}

function computeEntry(r: Resolution, index: number, depth: number): EnvValue {
    const { container, entries } = r;
    const entry = asObject(entries[index]) ?? {};
    if (has(entry, "valueFrom") && entry.valueFrom !== null && entry.valueFrom !== undefined) {
        const from = asObject(entry.valueFrom) ?? {};
        const field = asObject(from.resourceFieldRef);
        if (field) {
            const resource = asString(field.resource) ?? show(field.resource);
            const divisorRaw = has(field, "divisor") && field.divisor !== null && field.divisor !== undefined ? field.divisor : "1";
            const divisor = typeof divisorRaw === "number" ? String(divisorRaw) : asString(divisorRaw) ?? show(divisorRaw);
            const parsed = parseQuantity(divisor);
            return {
                kind: "resource",
                resource,
                divisor,
                divisorValue: parsed.ok ? parsed.quantity : undefined,
                description: `valueFrom.resourceFieldRef {resource: ${resource}, divisor: ${divisor}}`,
            };
        }
        for (const key of ["configMapKeyRef", "secretKeyRef"]) {
            const ref = asObject(from[key]);
            if (ref) {
                return { kind: "indirect", description: `valueFrom.${key} (${show(ref.name)}, key ${show(ref.key)})` };
            }
        }
        return { kind: "other", description: `valueFrom ${Object.keys(from).join(", ") || "{}"}` };
    }
    const value = entry.value === undefined || entry.value === null ? "" : entry.value;
    if (typeof value !== "string") {
        return { kind: "other", description: `a ${typeof value} value (${show(value)}) where a string is required` };
    }
    if (depth > 64 || !value.includes("$(")) {
        return { kind: "literal", value, raw: value, downwardApi: false };
    }
    return expand(r, index, value, depth);
}

/**
 * Expands `$(NAME)` from entries before `index`, as the kubelet does; `$$` is an escaped `$`.
 * A reference to a resourceFieldRef is replaced by the number the kubelet writes. A reference that
 * cannot be resolved stays as written, exactly like the kubelet leaves it.
 */
function expand(r: Resolution, index: number, raw: string, depth: number): EnvValue {
    const { container, entries } = r;
    let indirect: string | undefined;
    let downwardApi = false;
    const value = raw.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
        if (name === undefined) {
            return "$";
        }
        const source = lastIndexOf(entries, name, index);
        if (source < 0) {
            if (hasEnvFrom(container)) {
                indirect ??= `$(${name}) which only envFrom could define`;
            }
            return match;
        }
        const resolved = resolveEntry(r, source, depth + 1);
        switch (resolved.kind) {
            case "literal":
                downwardApi ||= resolved.downwardApi;
                return resolved.value;
            case "resource": {
                const written = downwardApiValue(container, resolved);
                if (written === undefined) {
                    indirect ??= `$(${name}) from ${resolved.description}, whose value depends on the node`;
                    return match;
                }
                downwardApi = true;
                return written.toString();
            }
            case "indirect":
            case "other":
                indirect ??= `$(${name}) from ${resolved.description}`;
                return match;
            default:
                return match;
        }
    });
    if (indirect) {
        return { kind: "indirect", description: indirect };
    }
    return { kind: "literal", value: value.length > MAX_EXPANDED ? value.slice(0, MAX_EXPANDED) : value, raw, downwardApi };
}

/**
 * The decimal integer the kubelet writes for a resourceFieldRef, or undefined when the container
 * does not set that resource (the kubelet then uses node allocatable) or the divisor is invalid.
 */
export function downwardApiValue(container: Record<string, unknown>, ref: Extract<EnvValue, { kind: "resource" }>): bigint | undefined {
    const [section, resource] = ref.resource.split(".");
    const declared = parseQuantity(dig(container.resources, section, resource));
    if (!declared.ok || !ref.divisorValue || ref.divisorValue.numerator <= 0n) {
        return undefined;
    }
    const q = declared.quantity;
    const d = ref.divisorValue;
    return ceilValue({ text: "", suffix: "", numerator: q.numerator * d.denominator, denominator: q.denominator * d.numerator });
}
