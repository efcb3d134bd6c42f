// Policy config: schema defaults first, then what the engine (or a test) passes in.
import type { ConfigProperty } from "./rule";

/** Defaults from the schema, overlaid with given values whose JSON type matches the schema. */
export function resolveConfig<C>(properties: { readonly [K in keyof C]: ConfigProperty }, given: unknown): C {
    const input = given !== null && typeof given === "object" ? (given as Record<string, unknown>) : {};
    const result: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(properties) as Array<[string, ConfigProperty]>) {
        const value = input[key];
        result[key] = value !== undefined && matchesType(schema, value) ? value : schema.default;
    }
    return result as C;
}

function matchesType(schema: ConfigProperty, value: unknown): boolean {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length === 0) {
        return true;
    }
    return types.some((t: string) => {
        switch (t) {
            case "array":
                return Array.isArray(value);
            case "object":
                return value !== null && typeof value === "object" && !Array.isArray(value);
            case "integer":
                return Number.isInteger(value);
            case "null":
                return value === null;
            default:
                return typeof value === t;
        }
    });
}

/** The defaults alone, e.g. for docs and for harnesses that mimic the engine. */
export function configDefaults(properties: Record<string, ConfigProperty>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.default]));
}
