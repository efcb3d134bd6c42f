// Per-request cost inside @pulumi/policy's server.
//
// The server converts a resource's properties from protobuf into JavaScript once per policy
// (deserializeProperties inside its per-policy loop): fourteen identical conversions of every
// resource for this pack. Every policy here only reads the properties, so the conversion of one
// request's Struct is shared by all of them. The Struct instance is the cache key (the request
// holds one per call), so nothing is shared across requests and the memory goes with the request.

interface DeserializeModule {
    deserializeProperties: ((struct: unknown, proxySecrets: boolean) => unknown) & { shared?: boolean };
}

export function shareDeserialization(): boolean {
    let mod: DeserializeModule;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require("@pulumi/policy/deserialize") as DeserializeModule;
    } catch {
        return false;
    }
    const original = mod.deserializeProperties;
    if (typeof original !== "function" || original.shared) {
        return false;
    }
    const cache = new WeakMap<object, unknown>();
    const shared = Object.assign(
        (struct: unknown, proxySecrets: boolean): unknown => {
            // Remediation asks for secret wrappers and may change what it gets: never share that.
            if (proxySecrets || struct === null || typeof struct !== "object") {
                return original(struct, proxySecrets);
            }
            if (!cache.has(struct)) {
                cache.set(struct, original(struct, false));
            }
            return cache.get(struct);
        },
        { shared: true },
    );
    mod.deserializeProperties = shared;
    return true;
}
