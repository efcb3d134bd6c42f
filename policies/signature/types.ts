// Shared shapes of the image-signature machinery: the registry client, the signature verifiers
// and the policy agree on these.

/** Options for talking to registries; from the policy config. */
export interface RegistryOptions {
    /** Hosts (host or host:port) that may be reached over plain HTTP. */
    readonly insecureRegistries: readonly string[];
    /** Bound on every single request, in seconds. */
    readonly timeoutSeconds: number;
    /** Path of a Docker config.json with credentials, or undefined for the standard location. */
    readonly dockerConfig?: string;
}

/** A manifest as fetched: the exact bytes (their sha256 is the digest) and the parsed JSON. */
export interface FetchedManifest {
    readonly digest: string;
    readonly mediaType: string;
    readonly bytes: Buffer;
    readonly json: Record<string, unknown>;
}

/** A registry failure: refused, timeout, HTTP status, malformed answer. Never carries credentials. */
export class RegistryError extends Error {
    constructor(
        readonly registry: string,
        message: string,
        /** HTTP status when the registry answered. */
        readonly status?: number,
    ) {
        super(message);
    }
}

/** Why an image has no acceptable signature, or what verified it. */
export type SignatureVerdict =
    | {
          readonly kind: "verified";
          /** Which format verified: "legacy" (.sig tag) or "bundle" (Sigstore bundle). */
          readonly format: "legacy" | "bundle";
          /** Index into the requirement's keys. */
          readonly keyIndex: number;
          /** A signing time, when one was found and verified, with its source. */
          readonly time?: { readonly date: Date; readonly source: "rekor" | "timestamp-authority" | "signer" };
      }
    | {
          readonly kind: "unsigned";
          /** What was looked at and what was wrong with each candidate (replayed digest, wrong key, tampered payload…). */
          readonly details: readonly string[];
      };

/** The policy's own configuration is unusable (a key that cannot be read or parsed). */
export class SignatureConfigError extends Error {}
