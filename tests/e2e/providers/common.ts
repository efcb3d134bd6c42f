// What the two stand-in provider plugins share: the engine's unknown-value sentinel, the preview
// behaviour of diff/create/update, and how a plugin process starts.
import type { Provider } from "@pulumi/pulumi/provider";

/** How the engine marshals an unknown value into a Struct (keepUnknowns). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export function isObject(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** The resource name (last URN part) and type token of a URN. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    return { type: qualified.split("$").pop() ?? qualified, name: parts.slice(3).join("::") };
}

/**
 * The lifecycle methods of a stand-in: nothing is ever contacted. `diff` reports a change when the
 * checked inputs differ; `create` and `update` return the inputs as outputs (which is what a
 * preview shows for a new resource), `read` returns what it is given.
 */
export function inert(idOf: (inputs: Props) => string): Required<Pick<Provider, "diff" | "create" | "update" | "read" | "delete">> {
    return {
        async diff(_id, _urn, olds, news) {
            return { changes: JSON.stringify(olds) !== JSON.stringify(news) };
        },
        async create(_urn, inputs) {
            return { id: idOf(inputs), outs: inputs };
        },
        async update(_id, _urn, _olds, news) {
            return { outs: news };
        },
        async read(id, _urn, props) {
            return { id, props };
        },
        async delete() {
            return;
        },
    };
}

/** The version of the provider plugin an SDK package asks the engine for (its package.json `pulumi.version`). */
export function requestedVersion(sdkPackage: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require(`${sdkPackage}/package.json`) as { pulumi?: { version?: string } };
    const version = pkg.pulumi?.version;
    if (!version) {
        throw new Error(`${sdkPackage}/package.json names no plugin version (pulumi.version)`);
    }
    return version;
}

/** Serves a provider over gRPC as a resource plugin: prints its port, runs until the engine stops it. */
export function serve(provider: Provider): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { main } = require("@pulumi/pulumi/provider") as typeof import("@pulumi/pulumi/provider");
    main(provider, process.argv.slice(2)).catch((e: unknown) => {
        console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        process.exit(1);
    });
}
