// Stand-in for the `kubernetes` resource plugin (pulumi-resource-kubernetes) in the end-to-end
// tests. Its check does to a resource's inputs what the real provider's Check does before the
// engine hands them to policy packs:
//   - autonaming: a resource without metadata.name gets `<resource name>-<8 hex>` (the name it
//     already had on an update); a given or unknown name is kept; `…List` and `…Patch` kinds are
//     never autonamed;
//   - the `app.kubernetes.io/managed-by: pulumi` label, which the real provider adds to new
//     resources only under Client-Side Apply (enableServerSideApply false, here from
//     PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY=false); the v4 default, Server-Side Apply, adds none.
// Nothing else (OpenAPI validation, default namespaces, cluster access) is reproduced, and nothing
// is ever contacted: diff, create and update only echo the checked inputs.
import * as crypto from "crypto";
import type { Provider } from "@pulumi/pulumi/provider";
import { inert, isObject, isUnknown, parseUrn, Props, requestedVersion, serve } from "./common";

export const MANAGED_BY = "app.kubernetes.io/managed-by";

function serverSideApply(env: NodeJS.ProcessEnv): boolean {
    return (env.PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY ?? "true").toLowerCase() !== "false";
}

export function check(urn: string, olds: Props, news: Props, env: NodeJS.ProcessEnv = process.env): Props {
    const { type, name } = parseUrn(urn);
    if (!type.startsWith("kubernetes:") || /(List|Patch)$/.test(type) || !isObject(news.metadata) && news.metadata !== undefined) {
        return news;
    }
    const inputs: Props = { ...news, metadata: { ...((news.metadata as Props | undefined) ?? {}) } };
    const metadata = inputs.metadata as Props;
    const hadState = isObject(olds) && Object.keys(olds).length > 0;
    const oldMetadata = hadState && isObject(olds.metadata) ? olds.metadata : undefined;
    if (metadata.name === undefined || metadata.name === null || metadata.name === "") {
        if (oldMetadata && typeof oldMetadata.name === "string" && oldMetadata.name !== "" && !isUnknown(oldMetadata.name)) {
            metadata.name = oldMetadata.name;
        } else if (!hadState) {
            metadata.name = `${name}-${crypto.randomBytes(4).toString("hex")}`;
        }
    }
    const hadLabel = isObject(oldMetadata?.labels) && (oldMetadata.labels as Props)[MANAGED_BY] !== undefined;
    if (hadState ? hadLabel : !serverSideApply(env)) {
        if (metadata.labels === undefined || isObject(metadata.labels)) {
            metadata.labels = { ...((metadata.labels as Props | undefined) ?? {}), [MANAGED_BY]: "pulumi" };
        }
    }
    return inputs;
}

export const provider: Provider = {
    version: requestedVersion("@pulumi/kubernetes"),
    async check(urn, olds, news) {
        return { inputs: check(urn, olds ?? {}, news ?? {}) };
    },
    ...inert((inputs) => {
        const metadata = isObject(inputs.metadata) ? inputs.metadata : {};
        return [metadata.namespace, metadata.name].filter((p) => typeof p === "string").join("/") || "standin";
    }),
};

if (require.main === module) {
    serve(provider);
}
