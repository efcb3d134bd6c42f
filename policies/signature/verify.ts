// Finds and verifies the cosign signatures of one image digest: Sigstore bundles attached as OCI
// referrers (cosign v3), then legacy `sha256-<hex>.sig` signatures. Each (digest, requirement) is
// verified once per process; lookups run with a small concurrency bound.
import { createHash } from "crypto";
import type { ImageRef } from "../model/image-ref";
import { loadPublicKeys, loadTimestampAuthorities, verifyBundle, verifyLegacyLayer } from "./cosign";
import { Limiter } from "./limit";
import { RegistryClient } from "./registry";
import { RegistryError, RegistryOptions, SignatureConfigError, SignatureVerdict } from "./types";

export interface Requirement {
    /** Position in the config, part of the cache key. */
    readonly index: number;
    /** PEM public keys. */
    readonly keys: readonly string[];
    readonly rekorKeys: readonly string[];
    /** PEM certificate chains (TSA signing certificate first) of the trusted RFC 3161 timestamp authorities. */
    readonly timestampAuthorities?: readonly string[];
    readonly allowOtherRepository: boolean;
}

const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
const BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
const BUNDLE_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(\.v[0-9.]+)?\+json/;

const results = new Map<string, Promise<SignatureVerdict>>();
const clients = new Map<string, RegistryClient>();
const limiter = new Limiter(4);

/** The registry client for one set of options (shared, so its token cache and request count are too). */
export function registryClient(options: RegistryOptions): RegistryClient {
    const key = JSON.stringify([options.insecureRegistries, options.timeoutSeconds, options.dockerConfig ?? ""]);
    let client = clients.get(key);
    if (!client) {
        client = new RegistryClient(options);
        clients.set(key, client);
    }
    return client;
}

export function verifyImage(ref: ImageRef, requirement: Requirement, options: RegistryOptions): Promise<SignatureVerdict> {
    const keyHash = createHash("sha256")
        .update(JSON.stringify([requirement.keys, requirement.rekorKeys, requirement.timestampAuthorities ?? [], requirement.allowOtherRepository]))
        .digest("hex");
    const cacheKey = `${ref.name}@${ref.digest}|${requirement.index}|${keyHash}`;
    let result = results.get(cacheKey);
    if (!result) {
        result = limiter.run(() => lookUp(ref, requirement, registryClient(options)));
        results.set(cacheKey, result);
    }
    return result;
}

async function lookUp(ref: ImageRef, requirement: Requirement, client: RegistryClient): Promise<SignatureVerdict> {
    const digest = ref.digest as string;
    const keys = configuredKeys(requirement.keys, `requirements[${requirement.index}].keys`);
    const rekorKeys = configuredKeys(requirement.rekorKeys, "rekorKeys");
    const timestampAuthorities = configuredTimestampAuthorities(requirement.timestampAuthorities ?? []);
    const details: string[] = [];

    const referrers = await client.referrers(ref.registry, ref.repository, digest);
    for (const referrer of referrers.manifests) {
        if (!BUNDLE_TYPE.test(referrer.artifactType ?? "")) {
            continue;
        }
        const manifest = await client.getManifest(ref.registry, ref.repository, referrer.digest);
        const layer = firstLayer(manifest.json);
        if (!layer) {
            details.push(`bundle ${short(referrer.digest)} has no layer`);
            continue;
        }
        let bundle: unknown;
        try {
            bundle = JSON.parse((await client.getBlob(ref.registry, ref.repository, layer.digest)).toString("utf8"));
        } catch (e) {
            if (e instanceof RegistryError) {
                throw e;
            }
            details.push(`bundle ${short(referrer.digest)} is not JSON`);
            continue;
        }
        const verdict = verifyBundle(bundle, { digest }, keys, rekorKeys, timestampAuthorities);
        if (verdict.ok) {
            return { kind: "verified", format: "bundle", keyIndex: verdict.keyIndex, time: verdict.time };
        }
        details.push(`bundle ${short(referrer.digest)}: ${verdict.reason}`);
    }

    const tag = `${digest.replace(":", "-")}.sig`;
    let signatures;
    try {
        signatures = await client.getManifest(ref.registry, ref.repository, tag);
    } catch (e) {
        if (!(e instanceof RegistryError) || e.status !== 404) {
            throw e;
        }
    }
    if (signatures) {
        for (const layer of layers(signatures.json)) {
            if (layer.mediaType !== SIMPLE_SIGNING) {
                continue;
            }
            const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
            if (!signature) {
                details.push(`a ${tag} layer has no signature annotation`);
                continue;
            }
            const payload = await client.getBlob(ref.registry, ref.repository, layer.digest);
            const verdict = verifyLegacyLayer(
                { payload, signatureB64: signature, bundleAnnotation: layer.annotations?.[BUNDLE_ANNOTATION] },
                { digest, repository: ref.name, allowOtherRepository: requirement.allowOtherRepository },
                keys,
                rekorKeys,
            );
            if (verdict.ok) {
                return { kind: "verified", format: "legacy", keyIndex: verdict.keyIndex, time: verdict.time };
            }
            details.push(`${tag}: ${verdict.reason}`);
        }
    }
    if (details.length === 0) {
        details.push(`no signature found (looked for ${referrers.source === "api" ? "referrers" : `the ${digest.replace(":", "-")} referrers tag`} and ${tag})`);
    }
    return { kind: "unsigned", details };
}

function configuredKeys(pems: readonly string[], field: string) {
    try {
        return loadPublicKeys([...pems]);
    } catch (e) {
        throw new SignatureConfigError(`${field}: ${e instanceof Error ? e.message : String(e)}`);
    }
}

function configuredTimestampAuthorities(pems: readonly string[]) {
    try {
        return loadTimestampAuthorities([...pems]);
    } catch (e) {
        throw new SignatureConfigError(`timestampAuthorities: ${e instanceof Error ? e.message : String(e)}`);
    }
}

interface Layer {
    mediaType: string;
    digest: string;
    annotations?: Record<string, string>;
}

function layers(manifest: Record<string, unknown>): Layer[] {
    const list = Array.isArray(manifest.layers) ? manifest.layers : [];
    return list.filter((l): l is Layer => typeof l === "object" && l !== null && typeof (l as Layer).digest === "string");
}

function firstLayer(manifest: Record<string, unknown>): Layer | undefined {
    return layers(manifest)[0];
}

function short(digest: string): string {
    return digest.slice(0, 19);
}
