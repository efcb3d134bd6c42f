// Offline verification of cosign image signatures in both formats cosign writes:
// - legacy simple-signing layers of a `sha256-<hex>.sig` manifest, with the optional Rekor receipt
//   (`dev.sigstore.cosign/bundle`: a SignedEntryTimestamp over the entry);
// - Sigstore bundles (v0.3, DSSE envelope over an in-toto statement), verified with @sigstore/verify
//   against a trust root built only from the configured Rekor keys and timestamp authorities.
// Nothing here talks to a network: the caller fetches the bytes, this module judges them.
import { createHash, createPublicKey, KeyObject, verify as cryptoVerify, X509Certificate } from "crypto";
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import type { SignedEntity, TrustMaterial } from "@sigstore/verify";

/** The public-good Rekor log key (rekor.sigstore.dev; log ID c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d). */
export const PUBLIC_GOOD_REKOR_KEY = [
    "-----BEGIN PUBLIC KEY-----",
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr",
    "kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==",
    "-----END PUBLIC KEY-----",
    "",
].join("\n");

/** The `critical.type` of every cosign simple-signing payload. */
export const COSIGN_SIGNATURE_TYPE = "cosign container image signature";
/** The in-toto predicate type of `cosign sign` (v3) bundles. */
export const COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";
/** The annotation (`cosign sign -a signed-at=<RFC 3339>`) read as the signer's own claim of the signing time. */
export const SIGNED_AT_ANNOTATION = "signed-at";

const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
const IN_TOTO_STATEMENT_TYPES = ["https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"];

/** A signing time and what vouches for it (the same shape as SignatureVerdict's `time`). */
export interface SignatureTime {
    readonly date: Date;
    readonly source: "rekor" | "timestamp-authority" | "signer";
}

/** A signature that verifies under one of the keys, for the expected digest (and repository). */
export interface VerifiedSignature {
    readonly ok: true;
    /** Index into the `keys` passed in. */
    readonly keyIndex: number;
    /** The best time available: the verified one when there is one, otherwise the signer's claim. */
    readonly time?: SignatureTime;
    /** A time vouched for by a configured Rekor key or timestamp authority (the earliest); never the signer's claim. */
    readonly trustedTime?: SignatureTime;
    /** The signed `signed-at` annotation, when present and a valid RFC 3339 time. */
    readonly signerTime?: Date;
    /** Why a time source that was present did not count (an entry that does not verify, a malformed signed-at…). */
    readonly notes: readonly string[];
}

/** Why a candidate is not an acceptable signature. */
export interface RejectedSignature {
    readonly ok: false;
    readonly reason: string;
}

export type LegacyResult = VerifiedSignature | RejectedSignature;
export type BundleResult = VerifiedSignature | RejectedSignature;

/** One layer of a legacy `.sig` manifest: the payload blob and its annotations. */
export interface LegacyLayer {
    /** The exact payload bytes (the layer blob). */
    readonly payload: Buffer;
    /** The `dev.cosignproject.cosign/signature` annotation: base64 of the DER signature. */
    readonly signatureB64: string;
    /** The `dev.sigstore.cosign/bundle` annotation (Rekor receipt JSON), when present. */
    readonly bundleAnnotation?: string;
}

export interface LegacyExpectation {
    /** The image digest the signature must be for, `sha256:<hex>`. */
    readonly digest: string;
    /** The image's repository, fully qualified (`registry/path`), without tag or digest. */
    readonly repository: string;
    /** Accept a payload whose docker-reference names another repository. */
    readonly allowOtherRepository?: boolean;
}

export interface BundleExpectation {
    /** The image digest the statement's subject must name, `sha256:<hex>`. */
    readonly digest: string;
}

// ---------------------------------------------------------------------------------------------
// Keys

/**
 * Parses PEM public keys (`-----BEGIN PUBLIC KEY-----`, SPKI), one key per entry. Anything else
 * (a private key, a certificate, an `EC PUBLIC KEY` block, several blocks) is an error that says
 * what was found, without repeating the text.
 */
export function loadPublicKeys(pems: readonly string[]): KeyObject[] {
    return pems.map((pem, i) => loadPublicKey(pem, `key ${i + 1}`));
}

function loadPublicKey(pem: string, what: string): KeyObject {
    if (typeof pem !== "string") {
        throw new Error(`${what}: expected a PEM "PUBLIC KEY" block, got ${pem === null ? "null" : typeof pem}`);
    }
    const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
    if (labels.length === 0) {
        throw new Error(`${what}: expected a PEM "PUBLIC KEY" block (-----BEGIN PUBLIC KEY-----), found no PEM block`);
    }
    if (labels.length > 1) {
        throw new Error(`${what}: expected one PEM "PUBLIC KEY" block, found ${labels.length} blocks (${labels.join(", ")}); give one key per entry`);
    }
    if (labels[0] !== "PUBLIC KEY") {
        const hint = /PRIVATE KEY/.test(labels[0]) ? " (a private key: configure the public key instead)" : "";
        throw new Error(`${what}: expected a PEM "PUBLIC KEY" block (SPKI), found "${labels[0]}"${hint}`);
    }
    const block = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pem);
    if (!block) {
        throw new Error(`${what}: the PEM "PUBLIC KEY" block has no END line`);
    }
    const body = block[1].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
        throw new Error(`${what}: the PEM "PUBLIC KEY" block is not valid base64`);
    }
    let key: KeyObject;
    try {
        key = createPublicKey({ key: Buffer.from(body, "base64"), format: "der", type: "spki" });
    } catch (e) {
        throw new Error(`${what}: the PEM "PUBLIC KEY" block is not a readable SPKI public key (${e instanceof Error ? e.message : String(e)})`);
    }
    const type = key.asymmetricKeyType;
    if (type !== "ec" && type !== "rsa" && type !== "ed25519") {
        throw new Error(`${what}: unsupported key type ${type ?? "unknown"} (cosign keys are ECDSA; RSA and Ed25519 are accepted too)`);
    }
    return key;
}

/** cosign's key hint: base64(sha256(SPKI DER)), as in a bundle's `verificationMaterial.publicKey.hint`. */
export function keyHint(key: KeyObject): string {
    return createHash("sha256").update(spki(key)).digest("base64");
}

/** A Rekor v1 log ID: hex sha256 of the log key's SPKI DER. */
export function logId(key: KeyObject): string {
    return createHash("sha256").update(spki(key)).digest("hex");
}

function spki(key: KeyObject): Buffer {
    return key.export({ format: "der", type: "spki" });
}

/** Verifies `signature` over `data` the way cosign's verifiers do: SHA-256 for ECDSA and RSA, pure Ed25519. */
function verifyWith(key: KeyObject, data: Buffer, signature: Buffer): boolean {
    try {
        return cryptoVerify(key.asymmetricKeyType === "ed25519" ? null : "sha256", data, key, signature);
    } catch {
        return false;
    }
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
    return spki(a).equals(spki(b));
}

// ---------------------------------------------------------------------------------------------
// Timestamp authorities

/** A trusted RFC 3161 timestamp authority: its certificate chain, the TSA's signing certificate first. */
export interface TimestampAuthority {
    /** DER certificates: the TSA's signing certificate, then each issuer up to a self-signed root. */
    readonly certChain: readonly Buffer[];
    /** When the signing certificate is valid; a timestamp dated outside it does not count. */
    readonly validFor?: { readonly start: Date; readonly end: Date };
}

const EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";

/**
 * Parses PEM certificate chains of timestamp authorities, one chain per entry: the TSA's signing
 * certificate (extended key usage timeStamping) first, then its issuers, ending in a self-signed root,
 * each certificate issued by the next. Anything else is an error that says what is wrong.
 */
export function loadTimestampAuthorities(pems: readonly string[]): TimestampAuthority[] {
    return pems.map((pem, i) => loadTimestampAuthority(pem, `timestamp authority ${i + 1}`));
}

function loadTimestampAuthority(pem: string, what: string): TimestampAuthority {
    if (typeof pem !== "string") {
        throw new Error(`${what}: expected PEM "CERTIFICATE" blocks, got ${pem === null ? "null" : typeof pem}`);
    }
    const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
    const other = labels.find((l) => l !== "CERTIFICATE");
    if (labels.length === 0 || other !== undefined) {
        throw new Error(`${what}: expected a certificate chain of PEM "CERTIFICATE" blocks, found ${other === undefined ? "no PEM block" : `"${other}"`}`);
    }
    const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1].replace(/\s+/g, ""));
    if (blocks.length !== labels.length) {
        throw new Error(`${what}: a PEM "CERTIFICATE" block has no END line`);
    }
    const certs = blocks.map((body, i) => {
        try {
            if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
                throw new Error("not valid base64");
            }
            return new X509Certificate(Buffer.from(body, "base64"));
        } catch (e) {
            throw new Error(`${what}: certificate ${i + 1} is not a readable X.509 certificate (${errorText(e)})`);
        }
    });
    if (certs.length < 2) {
        throw new Error(`${what}: give the whole chain, the TSA's signing certificate first and its issuers up to the root; found one certificate`);
    }
    if (!(certs[0].keyUsage ?? []).includes(EKU_TIME_STAMPING)) {
        throw new Error(`${what}: the first certificate (${certs[0].subject.replace(/\n/g, ", ")}) is not a timestamping certificate (no timeStamping extended key usage); put the TSA's signing certificate first`);
    }
    for (let i = 0; i + 1 < certs.length; i++) {
        if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey)) {
            throw new Error(`${what}: certificate ${i + 1} is not issued by certificate ${i + 2}; order the chain from the TSA's certificate to the root`);
        }
        if (!certs[i + 1].ca) {
            throw new Error(`${what}: certificate ${i + 2} is not a CA certificate`);
        }
    }
    const root = certs[certs.length - 1];
    if (!root.checkIssued(root) || !root.verify(root.publicKey)) {
        throw new Error(`${what}: the chain does not end in a self-signed root certificate`);
    }
    const start = new Date(certs[0].validFrom);
    const end = new Date(certs[0].validTo);
    return {
        certChain: certs.map((c) => c.raw),
        validFor: Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) ? undefined : { start, end },
    };
}

// ---------------------------------------------------------------------------------------------
// Repository names and times

/**
 * A repository name in one normalised form: registry and path, no tag or digest, Docker Hub as
 * `docker.io` with `library/` for official images (`x` ≡ `docker.io/library/x` ≡ `index.docker.io/library/x`).
 */
export function normaliseRepository(name: string): string {
    let rest = name.trim();
    const at = rest.indexOf("@");
    if (at >= 0) {
        rest = rest.slice(0, at);
    }
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > slash) {
        rest = rest.slice(0, colon);
    }
    const parts = rest.split("/");
    let registry = "docker.io";
    if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
        registry = parts.shift() as string;
    }
    registry = registry.toLowerCase();
    if (registry === "index.docker.io" || registry === "registry-1.docker.io") {
        registry = "docker.io";
    }
    if (registry === "docker.io" && parts.length === 1) {
        parts.unshift("library");
    }
    return `${registry}/${parts.join("/")}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time; undefined when it is not one. */
export function parseRfc3339(text: unknown): Date | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    const m = RFC3339.exec(text);
    if (!m) {
        return undefined;
    }
    const [, y, mo, d, h, mi, s] = m.map(Number);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return undefined;
    }
    const date = new Date(text.replace(" ", "T"));
    if (Number.isNaN(date.getTime()) || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) {
        return undefined;
    }
    return date;
}

/** The signer's `signed-at` claim from a string map of annotations, with a note when it is malformed. */
function signerTimeFrom(annotations: unknown, notes: string[]): Date | undefined {
    if (typeof annotations !== "object" || annotations === null || !(SIGNED_AT_ANNOTATION in annotations)) {
        return undefined;
    }
    const value = (annotations as Record<string, unknown>)[SIGNED_AT_ANNOTATION];
    const date = parseRfc3339(value);
    if (!date) {
        notes.push(`the signed ${SIGNED_AT_ANNOTATION} annotation ${JSON.stringify(String(value)).slice(0, 80)} is not an RFC 3339 time`);
    }
    return date;
}

function bestTime(trustedTime: SignatureTime | undefined, signerTime: Date | undefined): SignatureTime | undefined {
    return trustedTime ?? (signerTime ? { date: signerTime, source: "signer" } : undefined);
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON (RFC 8785) for the values a Rekor SET covers: objects, arrays, strings, integers.

export function canonicalJson(value: unknown): string {
    if (value === null || typeof value !== "object") {
        if (typeof value === "number" && !Number.isFinite(value)) {
            throw new Error("canonical JSON cannot hold a non-finite number");
        }
        return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
        .join(",")}}`;
}

// ---------------------------------------------------------------------------------------------
// Legacy `.sig` layers

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Verifies one simple-signing layer of a legacy `.sig` manifest. Checked in this order, the first
 * failure being the reason: the payload is JSON; the signature verifies under one of `keys`
 * (ECDSA/SHA-256 over the exact payload bytes); `critical.type` is cosign's; the payload names the
 * expected digest; its docker-reference names the expected repository (unless allowed otherwise).
 * A Rekor receipt gives a trusted time only when its SET verifies under one of `rekorKeys` and its
 * entry binds this payload, this signature and this key; otherwise the signature still verifies,
 * without that time, and `notes` says why.
 */
export function verifyLegacyLayer(layer: LegacyLayer, expected: LegacyExpectation, keys: readonly KeyObject[], rekorKeys: readonly KeyObject[]): LegacyResult {
    let payload: unknown;
    try {
        payload = JSON.parse(layer.payload.toString("utf8"));
    } catch {
        return reject("tampered payload: not valid JSON");
    }
    const signatureB64 = (layer.signatureB64 ?? "").trim();
    if (signatureB64.length === 0) {
        return reject("no signature: the layer has no dev.cosignproject.cosign/signature annotation");
    }
    if (!BASE64.test(signatureB64)) {
        return reject("malformed signature: the dev.cosignproject.cosign/signature annotation is not base64");
    }
    const signature = Buffer.from(signatureB64, "base64");
    const keyIndex = keys.findIndex((key) => verifyWith(key, layer.payload, signature));
    if (keyIndex < 0) {
        return reject(signedByAnotherKey(keys.length));
    }

    const critical = field(payload, "critical");
    const type = field(critical, "type");
    if (type !== COSIGN_SIGNATURE_TYPE) {
        return reject(`not a cosign image signature: critical.type is ${quote(type)}, not "${COSIGN_SIGNATURE_TYPE}"`);
    }
    const digest = field(field(critical, "image"), "docker-manifest-digest");
    if (typeof digest !== "string" || digest.length === 0) {
        return reject("malformed payload: critical.image.docker-manifest-digest is missing");
    }
    if (digest !== expected.digest) {
        return reject(`replayed from ${digest}: the signed payload names that digest, not ${expected.digest}`);
    }
    const reference = field(field(critical, "identity"), "docker-reference");
    if (!expected.allowOtherRepository) {
        if (typeof reference !== "string" || reference.length === 0) {
            return reject("malformed payload: critical.identity.docker-reference is missing");
        }
        if (normaliseRepository(reference) !== normaliseRepository(expected.repository)) {
            return reject(`signed for another repository: the payload names ${reference}, not ${expected.repository}`);
        }
    }

    const notes: string[] = [];
    let trustedTime: SignatureTime | undefined;
    if (layer.bundleAnnotation !== undefined) {
        const rekor = verifyRekorReceipt(layer.bundleAnnotation, layer.payload, signature, keys[keyIndex], rekorKeys);
        if (rekor.ok) {
            trustedTime = { date: rekor.integratedTime, source: "rekor" };
        } else {
            notes.push(`Rekor entry not used as the signing time: ${rekor.reason}`);
        }
    }
    const signerTime = signerTimeFrom(field(payload, "optional"), notes);
    return { ok: true, keyIndex, time: bestTime(trustedTime, signerTime), trustedTime, signerTime, notes };
}

export type RekorReceiptResult = { ok: true; integratedTime: Date; logIndex: number } | { ok: false; reason: string };

/**
 * Checks a legacy Rekor receipt (`{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`):
 * the log is one of `rekorKeys` (by log ID), the SET is that key's signature over the RFC 8785 JSON
 * of Payload, and the entry body (hashedrekord v0.0.1) binds sha256(payload), the signature and the
 * signing key.
 */
export function verifyRekorReceipt(annotation: string, payload: Buffer, signature: Buffer, signingKey: KeyObject, rekorKeys: readonly KeyObject[]): RekorReceiptResult {
    const fail = (reason: string): RekorReceiptResult => ({ ok: false, reason });
    let receipt: unknown;
    try {
        receipt = JSON.parse(annotation);
    } catch {
        return fail("the dev.sigstore.cosign/bundle annotation is not JSON");
    }
    const set = field(receipt, "SignedEntryTimestamp");
    const p = field(receipt, "Payload");
    const body = field(p, "body");
    const integratedTime = field(p, "integratedTime");
    const logIndex = field(p, "logIndex");
    const logID = field(p, "logID");
    if (typeof set !== "string" || !BASE64.test(set) || typeof body !== "string" || !Number.isSafeInteger(integratedTime) || !Number.isSafeInteger(logIndex) || typeof logID !== "string") {
        return fail("the Rekor receipt lacks SignedEntryTimestamp or Payload {body, integratedTime, logIndex, logID}");
    }
    const candidates = rekorKeys.filter((k) => logId(k) === logID.toLowerCase());
    if (candidates.length === 0) {
        return fail(`the entry is in log ${logID.slice(0, 16)}…, which is not a configured Rekor key`);
    }
    const signed = Buffer.from(canonicalJson({ body, integratedTime, logIndex, logID }), "utf8");
    if (!candidates.some((k) => verifyWith(k, signed, Buffer.from(set, "base64")))) {
        return fail("the SignedEntryTimestamp does not verify under the configured Rekor key (the entry or its integratedTime was altered)");
    }
    let entry: unknown;
    try {
        entry = JSON.parse(Buffer.from(body, "base64").toString("utf8"));
    } catch {
        return fail("the Rekor entry body is not base64 JSON");
    }
    if (field(entry, "kind") !== "hashedrekord" || field(entry, "apiVersion") !== "0.0.1") {
        return fail(`unsupported Rekor entry kind ${quote(field(entry, "kind"))} version ${quote(field(entry, "apiVersion"))} (hashedrekord 0.0.1 expected)`);
    }
    const spec = field(entry, "spec");
    const hash = field(field(spec, "data"), "hash");
    const payloadHash = createHash("sha256").update(payload).digest("hex");
    if (field(hash, "algorithm") !== "sha256" || String(field(hash, "value")).toLowerCase() !== payloadHash) {
        return fail("the Rekor entry records another payload hash");
    }
    const content = field(field(spec, "signature"), "content");
    if (typeof content !== "string" || !Buffer.from(content, "base64").equals(signature)) {
        return fail("the Rekor entry records another signature");
    }
    const entryKey = field(field(field(spec, "signature"), "publicKey"), "content");
    if (typeof entryKey === "string") {
        let key: KeyObject | undefined;
        try {
            key = createPublicKey(Buffer.from(entryKey, "base64").toString("utf8"));
        } catch {
            key = undefined;
        }
        if (!key || !sameKey(key, signingKey)) {
            return fail("the Rekor entry records another public key");
        }
    }
    return { ok: true, integratedTime: new Date((integratedTime as number) * 1000), logIndex: logIndex as number };
}

// ---------------------------------------------------------------------------------------------
// Sigstore bundles (cosign v3)

type TrustedRoot = Parameters<typeof toTrustMaterial>[0];
type TLogInstance = TrustedRoot["tlogs"][number];
type CertificateAuthority = TrustedRoot["timestampAuthorities"][number];
type Timestamp = SignedEntity["timestamps"][number];
type TsaTimestamp = Extract<Timestamp, { $case: "timestamp-authority" }>["timestamp"];
type CertAuthority = TrustMaterial["timestampAuthorities"][number];
type KeyDetails = NonNullable<TLogInstance["publicKey"]>["keyDetails"];

// PublicKeyDetails.PKIX_ECDSA_P256_SHA_256. @sigstore/verify reads keyDetails only to choose between
// PKCS#1 and SPKI decoding of rawBytes; every configured key is given as SPKI DER.
const SPKI_KEY_DETAILS = 5 as KeyDetails;
// HashAlgorithm.SHA2_256, the Merkle tree hash of Rekor v1.
const SHA2_256 = 1 as TLogInstance["hashAlgorithm"];

/**
 * A trusted root holding only the configured Rekor keys and timestamp authorities. The keys come
 * without log URLs, while @sigstore/verify looks up a checkpoint signer by matching its name against
 * the log's base URL; the names the bundle's checkpoints use are therefore put into the base URL.
 * That lookup is no security property: a checkpoint counts only with a signature under the key whose
 * ID it names.
 */
function offlineTrustedRoot(rekorKeys: readonly KeyObject[], checkpointNames: readonly string[], timestampAuthorities: readonly TimestampAuthority[] = []): TrustedRoot {
    const baseUrl = ["https://rekor.sigstore.dev", ...checkpointNames.map((n) => `https://${n}`)].join(" ");
    return {
        mediaType: "application/vnd.dev.sigstore.trustedroot.v0.2+json",
        tlogs: rekorKeys.map(
            (key): TLogInstance => ({
                baseUrl,
                hashAlgorithm: SHA2_256,
                publicKey: { rawBytes: spki(key), keyDetails: SPKI_KEY_DETAILS, validFor: undefined },
                logId: { keyId: createHash("sha256").update(spki(key)).digest() },
                checkpointKeyId: undefined,
                operator: "",
            }),
        ),
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: timestampAuthorities.map(
            (tsa): CertificateAuthority => ({
                subject: undefined,
                uri: "",
                certChain: { certificates: tsa.certChain.map((der) => ({ rawBytes: Buffer.from(der) })) },
                validFor: tsa.validFor ? { start: tsa.validFor.start, end: tsa.validFor.end } : undefined,
                operator: "",
            }),
        ),
    } as TrustedRoot;
}

function checkpointNames(bundleJson: unknown): string[] {
    const entries = field(field(bundleJson, "verificationMaterial"), "tlogEntries");
    const names = new Set<string>();
    for (const entry of Array.isArray(entries) ? entries : []) {
        const envelope = field(field(field(entry, "inclusionProof"), "checkpoint"), "envelope");
        if (typeof envelope === "string") {
            for (const m of envelope.matchAll(/\u2014 (\S+) \S+\n/g)) {
                names.add(m[1]);
            }
        }
    }
    return [...names];
}

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

function errorCode(e: unknown): string | undefined {
    const code = (e as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : undefined;
}

/**
 * Verifies a Sigstore bundle as cosign v3 attaches it to an image: a DSSE envelope over an in-toto
 * statement, signed with a key (`verificationMaterial.publicKey`).
 *
 * - The signature is checked by @sigstore/verify under each configured key (the one the bundle's
 *   hint names first; like cosign, a key is not refused because the hint differs).
 * - Thresholds are 0, so a key-only bundle without a transparency-log entry verifies. When the
 *   bundle carries tlog entries they are verified too (inclusion promise and checkpoint under a
 *   configured Rekor key, and the entry must record this envelope); the earliest `integratedTime`
 *   of an entry with a verified inclusion promise is the trusted time. An entry that does not
 *   verify leaves the signature valid but gives no time (see `notes`).
 * - RFC 3161 timestamps (`timestampVerificationData.rfc3161Timestamps`, each a DER TimeStampResponse)
 *   are verified by @sigstore/verify against the configured `timestampAuthorities`, one at a time (it
 *   refuses the whole entity when any one fails): the token's signer (issuer and serial) must be a
 *   configured TSA's signing certificate, its chain must verify at the token's genTime within the
 *   TSA's validity, the token's signature must verify under that certificate, and its message imprint
 *   must be the hash of this envelope's DSSE signature. The genTime of a token that verifies is a
 *   trusted time; one that does not gives no time (see `notes`), and the signature still verifies.
 * - The trusted time is the earliest of the verified tlog and TSA times.
 * - The statement must name the expected digest among its subjects (a bundle copied from another
 *   digest is a replay) and have cosign's signing predicate type `https://sigstore.dev/cosign/sign/v1`:
 *   an attestation (SBOM, provenance…) made with the same key says nothing about approving the image.
 * - The signer time is the `signed-at` annotation of the matching subject.
 */
export function verifyBundle(
    bundleJson: unknown,
    expected: BundleExpectation,
    keys: readonly KeyObject[],
    rekorKeys: readonly KeyObject[],
    timestampAuthorities: readonly TimestampAuthority[] = [],
): BundleResult {
    let bundle: ReturnType<typeof bundleFromJSON>;
    try {
        bundle = bundleFromJSON(bundleJson);
    } catch (e) {
        const fields = (e as { fields?: unknown }).fields;
        return reject(`malformed bundle: ${errorText(e)}${Array.isArray(fields) && fields.length > 0 ? ` (${fields.join(", ")})` : ""}`);
    }
    if (bundle.content.$case !== "dsseEnvelope") {
        return reject("not a cosign image signature: the bundle holds a message signature, not a DSSE envelope");
    }
    if (bundle.verificationMaterial.content.$case !== "publicKey") {
        return reject("signed with a certificate (keyless signing), not with a key; only keys are configured");
    }
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        return reject(`not a cosign image signature: the DSSE payload type is ${quote(envelope.payloadType)}, not "${IN_TOTO_PAYLOAD_TYPE}"`);
    }
    let statement: unknown;
    try {
        statement = JSON.parse(Buffer.from(envelope.payload).toString("utf8"));
    } catch {
        return reject("tampered payload: the in-toto statement is not valid JSON");
    }

    // The entity without its RFC 3161 timestamps: an unreadable timestamp must not cost the signature.
    const material = bundle.verificationMaterial;
    const rfc3161Timestamps = material.timestampVerificationData?.rfc3161Timestamps ?? [];
    let entity: SignedEntity;
    try {
        entity = toSignedEntity({ ...bundle, verificationMaterial: { ...material, timestampVerificationData: undefined } });
    } catch (e) {
        return reject(`malformed bundle: ${errorText(e)}`);
    }
    const root = offlineTrustedRoot(rekorKeys, checkpointNames(bundleJson));
    const verifierFor = (key: KeyObject) =>
        new Verifier(toTrustMaterial(root, () => ({ publicKey: key, validFor: () => true })), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

    // The signature alone, under each key in turn (the hinted key first).
    const hint = bundle.verificationMaterial.content.publicKey.hint;
    const order = keys.map((_, i) => i).sort((a, b) => Number(keyHint(keys[b]) === hint) - Number(keyHint(keys[a]) === hint));
    const signatureOnly: SignedEntity = { ...entity, tlogEntries: [], timestamps: [] };
    let keyIndex = -1;
    for (const i of order) {
        try {
            verifierFor(keys[i]).verify(signatureOnly);
            keyIndex = i;
            break;
        } catch (e) {
            if (errorCode(e) !== "SIGNATURE_ERROR") {
                return reject(`bundle does not verify: ${errorText(e)}`);
            }
        }
    }
    if (keyIndex < 0) {
        return reject(signedByAnotherKey(keys.length));
    }

    const type = field(statement, "_type");
    if (typeof type !== "string" || !IN_TOTO_STATEMENT_TYPES.includes(type)) {
        return reject(`not a cosign image signature: the statement _type is ${quote(type)}`);
    }
    const predicateType = field(statement, "predicateType");
    if (predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
        return reject(`not a cosign image signature: an attestation with predicateType ${quote(predicateType)}, not "${COSIGN_SIGN_PREDICATE_TYPE}"`);
    }
    const subjects = field(statement, "subject");
    const named = (Array.isArray(subjects) ? subjects : [])
        .map((s) => ({ subject: s, sha256: field(field(s, "digest"), "sha256") }))
        .filter((s): s is { subject: unknown; sha256: string } => typeof s.sha256 === "string");
    const match = named.find((s) => `sha256:${s.sha256.toLowerCase()}` === expected.digest);
    if (!match) {
        if (named.length === 0) {
            return reject("malformed statement: no subject with a sha256 digest");
        }
        return reject(`replayed from ${named.map((s) => `sha256:${s.sha256}`).join(", ")}: the signed statement names that digest, not ${expected.digest}`);
    }

    // The times: tlog entries and RFC 3161 timestamps, each verified in full.
    const notes: string[] = [];
    const times: SignatureTime[] = [];
    const configuredLogs = new Set(rekorKeys.map(logId));
    const unknownLog = entity.tlogEntries.map((t) => t.logId.keyId.toString("hex")).find((id) => !configuredLogs.has(id));
    if (unknownLog !== undefined) {
        notes.push(`transparency-log entry not used as the signing time: the entry is in log ${unknownLog.slice(0, 16)}…, which is not a configured Rekor key`);
    } else if (entity.tlogEntries.length > 0) {
        const withLog: SignedEntity = { ...entity, timestamps: entity.timestamps.filter((t) => t.$case === "transparency-log") };
        try {
            verifierFor(keys[keyIndex]).verify(withLog);
            const logTimes = entity.tlogEntries
                .filter((t) => t.inclusionPromise !== undefined && t.integratedTime !== "0" && t.integratedTime !== "")
                .map((t) => new Date(Number(t.integratedTime) * 1000))
                .filter((d) => !Number.isNaN(d.getTime()));
            if (logTimes.length > 0) {
                times.push(...logTimes.map((date): SignatureTime => ({ date, source: "rekor" })));
            } else {
                notes.push("the transparency-log entry has no inclusion promise, so no integratedTime is vouched for");
            }
        } catch (e) {
            notes.push(`transparency-log entry not used as the signing time: ${errorText(e)}`);
        }
    }
    if (rfc3161Timestamps.length > 0) {
        times.push(...verifiedTimestampTimes(bundle, entity, keys[keyIndex], timestampAuthorities, notes));
    }
    const trustedTime = times.sort((a, b) => a.date.getTime() - b.date.getTime())[0];
    const signerTime = signerTimeFrom(field(match.subject, "annotations"), notes);
    return { ok: true, keyIndex, time: bestTime(trustedTime, signerTime), trustedTime, signerTime, notes };
}

type Bundle = ReturnType<typeof bundleFromJSON>;

/**
 * The genTimes of the bundle's RFC 3161 timestamps that verify under the configured timestamp
 * authorities, each verified on its own with @sigstore/verify (signature, signer certificate chain
 * at genTime, message imprint over the DSSE signature). Each one that does not count adds a note.
 */
function verifiedTimestampTimes(bundle: Bundle, entity: SignedEntity, key: KeyObject, authorities: readonly TimestampAuthority[], notes: string[]): SignatureTime[] {
    const tokens = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
    const label = (i: number) => `RFC 3161 timestamp${tokens.length > 1 ? ` ${i + 1}` : ""} not used as the signing time`;
    if (authorities.length === 0) {
        notes.push(`the bundle's RFC 3161 timestamp${tokens.length > 1 ? "s were" : " was"} not used: no timestamp authority is configured`);
        return [];
    }
    let trust: TrustMaterial;
    try {
        trust = toTrustMaterial(offlineTrustedRoot([], [], authorities), () => ({ publicKey: key, validFor: () => true }));
    } catch (e) {
        notes.push(`the bundle's RFC 3161 timestamps were not used: the configured timestamp authorities cannot be read (${errorText(e)})`);
        return [];
    }
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 });
    const times: SignatureTime[] = [];
    tokens.forEach((token, i) => {
        let timestamp: Timestamp | undefined;
        try {
            const single = { ...bundle, verificationMaterial: { ...bundle.verificationMaterial, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [token] } } };
            timestamp = toSignedEntity(single).timestamps.find((t) => t.$case === "timestamp-authority");
        } catch (e) {
            notes.push(`${label(i)}: it is not a readable RFC 3161 TimeStampResponse (${errorText(e)})`);
            return;
        }
        if (timestamp?.$case !== "timestamp-authority") {
            notes.push(`${label(i)}: it is empty`);
            return;
        }
        try {
            verifier.verify({ ...entity, tlogEntries: [], timestamps: [timestamp] });
            const date = timestamp.timestamp.signingTime;
            if (Number.isNaN(date.getTime())) {
                notes.push(`${label(i)}: its genTime is not a time`);
                return;
            }
            times.push({ date, source: "timestamp-authority" });
        } catch (e) {
            notes.push(`${label(i)}: ${timestampFailure(timestamp.timestamp, entity.signature.signature, trust.timestampAuthorities, e)}`);
        }
    });
    return times;
}

/** Why @sigstore/verify refused a timestamp (it says only "timestamp could not be verified"). */
function timestampFailure(timestamp: TsaTimestamp, signature: Buffer, authorities: readonly CertAuthority[], error: unknown): string {
    try {
        const status = Number(timestamp.status);
        if (status !== 0 && status !== 1) {
            return `the timestamp authority did not grant it (PKI status ${status})`;
        }
        const genTime = timestamp.signingTime;
        const serial = timestamp.signerSerialNumber;
        const issuer = timestamp.signerIssuer;
        const signers = authorities.filter((ca) => ca.certChain.length > 0 && ca.certChain[0].serialNumber.equals(serial) && ca.certChain[0].issuer.equals(issuer));
        if (signers.length === 0) {
            return `it was issued by a timestamp authority that is not configured (signing certificate serial ${serial.toString("hex")})`;
        }
        const current = signers.filter((ca) => ca.validFor.start <= genTime && genTime <= ca.validFor.end);
        if (current.length === 0) {
            return `its time ${genTime.toISOString()} is outside the validity of the timestamp authority's certificate`;
        }
        let reason: string | undefined;
        for (const ca of current) {
            try {
                timestamp.verify(signature, createPublicKey({ key: ca.certChain[0].publicKey, format: "der", type: "spki" }));
                return `the timestamp authority's certificate chain does not verify at ${genTime.toISOString()}`;
            } catch (e) {
                reason = errorText(e);
            }
        }
        return /message imprint/.test(reason ?? "")
            ? "it is over other data than this signature (its message imprint does not match the DSSE signature)"
            : `it does not verify (${reason ?? errorText(error)})`;
    } catch (e) {
        return `it is not a well-formed RFC 3161 TimeStampResponse (${errorText(e)})`;
    }
}

// ---------------------------------------------------------------------------------------------

function reject(reason: string): RejectedSignature {
    return { ok: false, reason };
}

function signedByAnotherKey(count: number): string {
    return count === 1
        ? "signed by another key: the signature does not verify under the configured key"
        : `signed by another key: the signature verifies under none of the ${count} configured keys`;
}

function field(value: unknown, name: string): unknown {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function quote(value: unknown): string {
    if (value === undefined) {
        return "missing";
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
