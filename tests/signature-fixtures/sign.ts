// Test-only signing in cosign's exact formats, with Node's crypto: keys (cosign's encrypted
// private-key PEM), legacy simple-signing payloads and `.sig` manifests with Rekor receipts, and
// v3 Sigstore bundles attached as OCI 1.1 referrers, with RFC 3161 timestamps from a test timestamp
// authority run with `openssl ts`. The "Rekor" here is a test log key, so tests can make receipts
// with any integratedTime.
import { execFileSync } from "child_process";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, scryptSync, sign } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import nacl from "tweetnacl";

export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
export const REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** The checkpoint signer name of the test log. */
export const TEST_LOG_NAME = "rekor.test.invalid";

export interface KeyPair {
    readonly privateKey: KeyObject;
    readonly publicKey: KeyObject;
    /** The public key as cosign writes cosign.pub: PEM "PUBLIC KEY" (SPKI). */
    readonly publicPem: string;
}

/** A content-addressed blob or manifest: exact bytes, their digest and size. */
export interface Blob {
    readonly bytes: Buffer;
    readonly digest: string;
    readonly size: number;
}

/** A manifest with the blobs it references (push the blobs first, then the manifest). */
export interface OciManifest extends Blob {
    readonly mediaType: string;
    readonly json: Record<string, unknown>;
    readonly blobs: readonly Blob[];
}

export function blob(bytes: Buffer | string): Blob {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
    return { bytes: b, digest: sha256Digest(b), size: b.length };
}

export function sha256Digest(bytes: Buffer): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function b64(bytes: Buffer | Uint8Array): string {
    return Buffer.from(bytes).toString("base64");
}

function spki(key: KeyObject): Buffer {
    return key.export({ format: "der", type: "spki" });
}

function publicOf(key: KeyObject): KeyObject {
    return key.type === "public" ? key : createPublicKey(key);
}

function publicPem(key: KeyObject): string {
    return publicOf(key).export({ format: "pem", type: "spki" }).toString();
}

// ---------------------------------------------------------------------------------------------
// Keys

/** An ECDSA P-256 key pair, as `cosign generate-key-pair` makes. */
export function generateKeyPair(): KeyPair {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return { privateKey, publicKey, publicPem: publicPem(publicKey) };
}

const ENCRYPTED_LABELS = ["ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"];
const SCRYPT_N = [32768, 65536, 131072];

function scryptKey(password: string, salt: Buffer, N: number, r: number, p: number): Buffer {
    return scryptSync(Buffer.from(password, "utf8"), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

/**
 * Decrypts a cosign private key (`ENCRYPTED SIGSTORE PRIVATE KEY` or the older
 * `ENCRYPTED COSIGN PRIVATE KEY`): JSON with scrypt parameters and a nacl/secretbox ciphertext of
 * PKCS#8 DER. Throws on a wrong password.
 */
export function loadCosignEncryptedKey(pem: string, password: string): KeyObject {
    const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
    if (!m || !ENCRYPTED_LABELS.includes(m[1])) {
        throw new Error(`not a cosign encrypted private key (expected ${ENCRYPTED_LABELS.join(" or ")})`);
    }
    const doc = JSON.parse(Buffer.from(m[2].replace(/\s+/g, ""), "base64").toString("utf8")) as {
        kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
        cipher: { name: string; nonce: string };
        ciphertext: string;
    };
    if (doc.kdf?.name !== "scrypt" || doc.cipher?.name !== "nacl/secretbox") {
        throw new Error(`unsupported key encryption ${doc.kdf?.name}/${doc.cipher?.name}`);
    }
    const { N, r, p } = doc.kdf.params;
    if (!SCRYPT_N.includes(N) || r !== 8 || p !== 1) {
        throw new Error(`unsupported scrypt parameters N=${N} r=${r} p=${p}`);
    }
    const key = scryptKey(password, Buffer.from(doc.kdf.salt, "base64"), N, r, p);
    const plain = nacl.secretbox.open(Buffer.from(doc.ciphertext, "base64"), Buffer.from(doc.cipher.nonce, "base64"), key);
    if (!plain) {
        throw new Error("decryption failed: wrong password");
    }
    return createPrivateKey({ key: Buffer.from(plain), format: "der", type: "pkcs8" });
}

/** Encrypts a private key as `cosign generate-key-pair` writes cosign.key (scrypt N=65536, nacl/secretbox). */
export function encryptCosignKey(privateKey: KeyObject, password: string): string {
    const salt = randomBytes(32);
    const nonce = randomBytes(24);
    const N = 65536;
    const key = scryptKey(password, salt, N, 8, 1);
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const ciphertext = nacl.secretbox(der, nonce, key);
    const doc = {
        kdf: { name: "scrypt", params: { N, r: 8, p: 1 }, salt: b64(salt) },
        cipher: { name: "nacl/secretbox", nonce: b64(nonce) },
        ciphertext: b64(ciphertext),
    };
    const body = b64(Buffer.from(JSON.stringify(doc), "utf8")).replace(/.{1,64}/g, "$&\n");
    return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

// ---------------------------------------------------------------------------------------------
// Legacy `.sig` signatures

/** JSON as Go's encoding/json writes it: map keys sorted, <, > and & escaped. */
function goJson(value: unknown): string {
    const text =
        value !== null && typeof value === "object" && !Array.isArray(value)
            ? `{${Object.keys(value as object)
                  .sort()
                  .map((k) => `${JSON.stringify(k)}:${goJson((value as Record<string, unknown>)[k])}`)
                  .join(",")}}`
            : Array.isArray(value)
              ? `[${value.map(goJson).join(",")}]`
              : JSON.stringify(value);
    return text.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** The simple-signing payload `cosign sign` writes (`-a k=v` annotations go to `optional`). */
export function simpleSigningPayload(repository: string, digest: string, optional?: Record<string, string>): Buffer {
    const critical = `{"identity":{"docker-reference":${goJson(repository)}},"image":{"docker-manifest-digest":${goJson(digest)}},"type":"cosign container image signature"}`;
    return Buffer.from(`{"critical":${critical},"optional":${optional ? goJson(optional) : "null"}}`, "utf8");
}

/** cosign's legacy signature: ECDSA/SHA-256 over the payload bytes, DER, base64. */
export function signLegacy(payload: Buffer, privateKey: KeyObject): string {
    return b64(sign("sha256", payload, privateKey));
}

export interface LegacySignatureLayer {
    readonly payload: Buffer;
    readonly signatureB64: string;
    /** The `dev.sigstore.cosign/bundle` annotation (from `rekorSet`). */
    readonly bundleAnnotation?: string;
}

/** The OCI manifest cosign pushes to `sha256-<hex>.sig`: one simple-signing layer per signature. */
export function legacySignatureManifest(signatures: readonly LegacySignatureLayer[]): OciManifest {
    const payloads = signatures.map((s) => blob(s.payload));
    const config = blob(
        JSON.stringify({
            architecture: "",
            created: "0001-01-01T00:00:00Z",
            history: [{ created: "0001-01-01T00:00:00Z" }],
            os: "",
            rootfs: { type: "layers", diff_ids: payloads.map((p) => p.digest) },
            config: {},
        }),
    );
    const json = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, size: config.size, digest: config.digest },
        layers: signatures.map((s, i) => ({
            mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
            size: payloads[i].size,
            digest: payloads[i].digest,
            annotations: {
                [SIGNATURE_ANNOTATION]: s.signatureB64,
                ...(s.bundleAnnotation !== undefined ? { [REKOR_BUNDLE_ANNOTATION]: s.bundleAnnotation } : {}),
            },
        })),
    };
    return manifest(json, OCI_MANIFEST, [config, ...payloads]);
}

function manifest(json: Record<string, unknown>, mediaType: string, blobs: Blob[]): OciManifest {
    const m = blob(JSON.stringify(json));
    return { ...m, mediaType, json, blobs };
}

// ---------------------------------------------------------------------------------------------
// The test transparency log

function logIdOf(rekorKey: KeyObject): Buffer {
    return createHash("sha256").update(spki(publicOf(rekorKey))).digest();
}

function unixSeconds(time: Date | number): number {
    return typeof time === "number" ? time : Math.floor(time.getTime() / 1000);
}

/** The SignedEntryTimestamp: the log key's ECDSA signature over the RFC 8785 JSON of the entry payload. */
function signEntryTimestamp(rekorKey: KeyObject, body: string, integratedTime: number, logIndex: number): string {
    const logID = logIdOf(rekorKey).toString("hex");
    // RFC 8785 order of the four keys: body, integratedTime, logID, logIndex.
    const canonical = `{"body":${JSON.stringify(body)},"integratedTime":${integratedTime},"logID":${JSON.stringify(logID)},"logIndex":${logIndex}}`;
    return b64(sign("sha256", Buffer.from(canonical, "utf8"), rekorKey));
}

export interface RekorSetOptions {
    readonly payload: Buffer;
    readonly signatureB64: string;
    /** The key that made the signature (recorded in the entry). */
    readonly signerKey: KeyObject;
    /** The test log's private key. */
    readonly rekorKey: KeyObject;
    readonly integratedTime: Date | number;
    readonly logIndex?: number;
}

/**
 * A legacy Rekor receipt (`dev.sigstore.cosign/bundle` annotation) as cosign writes it: a
 * hashedrekord 0.0.1 entry binding sha256(payload), the signature and the key, with a SET from the
 * test log key.
 */
export function rekorSet(options: RekorSetOptions): string {
    const entry = {
        apiVersion: "0.0.1",
        kind: "hashedrekord",
        spec: {
            data: { hash: { algorithm: "sha256", value: createHash("sha256").update(options.payload).digest("hex") } },
            signature: { content: options.signatureB64, publicKey: { content: b64(Buffer.from(publicPem(options.signerKey), "utf8")) } },
        },
    };
    const body = b64(Buffer.from(JSON.stringify(entry), "utf8"));
    const integratedTime = unixSeconds(options.integratedTime);
    const logIndex = options.logIndex ?? 1000;
    return JSON.stringify({
        SignedEntryTimestamp: signEntryTimestamp(options.rekorKey, body, integratedTime, logIndex),
        Payload: { body, integratedTime, logIndex, logID: logIdOf(options.rekorKey).toString("hex") },
    });
}

// ---------------------------------------------------------------------------------------------
// Sigstore bundles (cosign v3)

function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
    const type = Buffer.from(payloadType, "utf8");
    return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export interface SignBundleOptions {
    /** The test log's private key: add a tlog entry (dsse 0.0.1) with inclusion promise and proof. */
    readonly tlog?: KeyObject;
    /** The entry's integratedTime (default now). */
    readonly integratedTime?: Date | number;
    /** Subject annotations (`cosign sign -a k=v`), e.g. `{"signed-at": "2026-01-01T00:00:00Z"}`. */
    readonly annotations?: Record<string, string>;
    /** The statement's predicateType (default cosign's signing predicate). */
    readonly predicateType?: string;
    /** The subject name (default the empty string). */
    readonly subjectName?: string;
    /** The key hint to write (default the signing key's). */
    readonly hint?: string;
    /**
     * RFC 3161 TimeStampResponses (DER) for `timestampVerificationData.rfc3161Timestamps`, made from
     * the DSSE signature bytes (what a TSA is asked to stamp), e.g. `(sig) => [tsa.stamp(sig)]`.
     */
    readonly timestamps?: (signature: Buffer) => readonly Buffer[];
}

/**
 * A Sigstore bundle v0.3 as `cosign sign --key` (v3) makes: a DSSE envelope over an in-toto
 * statement whose subject is the digest, `verificationMaterial.publicKey.hint` =
 * base64(sha256(SPKI DER)), and optionally a tlog entry from the test log.
 */
export function signBundle(digest: string, privateKey: KeyObject, options: SignBundleOptions = {}): Record<string, unknown> {
    const hex = digest.replace(/^sha256:/, "");
    const statement = {
        _type: "https://in-toto.io/Statement/v1",
        subject: [{ name: options.subjectName ?? "", digest: { sha256: hex }, ...(options.annotations ? { annotations: options.annotations } : {}) }],
        predicateType: options.predicateType ?? COSIGN_SIGN_PREDICATE,
        predicate: {},
    };
    const payload = Buffer.from(JSON.stringify(statement), "utf8");
    const sig = sign("sha256", preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), privateKey);
    const envelope = { payload: b64(payload), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: b64(sig), keyid: "" }] };
    const publicKey = publicOf(privateKey);
    const tlogEntries = options.tlog ? [tlogEntry(options.tlog, envelope, payload, sig, publicKey, unixSeconds(options.integratedTime ?? new Date()))] : [];
    const timestamps = options.timestamps?.(sig) ?? [];
    return {
        mediaType: BUNDLE_MEDIA_TYPE,
        verificationMaterial: {
            publicKey: { hint: options.hint ?? createHash("sha256").update(spki(publicKey)).digest("base64") },
            tlogEntries,
            ...(timestamps.length > 0 ? { timestampVerificationData: { rfc3161Timestamps: timestamps.map((t) => ({ signedTimestamp: b64(t) })) } } : {}),
        },
        dsseEnvelope: envelope,
    };
}

function tlogEntry(rekorKey: KeyObject, envelope: object, payload: Buffer, sig: Buffer, signer: KeyObject, integratedTime: number): Record<string, unknown> {
    const body = {
        apiVersion: "0.0.1",
        kind: "dsse",
        spec: {
            envelopeHash: { algorithm: "sha256", value: createHash("sha256").update(JSON.stringify(envelope)).digest("hex") },
            payloadHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
            signatures: [{ signature: b64(sig), verifier: b64(Buffer.from(publicPem(signer), "utf8")) }],
        },
    };
    const canonicalizedBody = Buffer.from(JSON.stringify(body), "utf8");
    const logIndex = 1000;
    // A one-leaf tree: the root is the leaf hash and the proof has no hashes.
    const rootHash = createHash("sha256").update(Buffer.from([0])).update(canonicalizedBody).digest();
    const logID = logIdOf(rekorKey);
    const note = `${TEST_LOG_NAME} - 1\n1\n${b64(rootHash)}\n`;
    const noteSig = sign("sha256", Buffer.from(note, "utf8"), rekorKey);
    const checkpoint = `${note}\n\u2014 ${TEST_LOG_NAME} ${b64(Buffer.concat([logID.subarray(0, 4), noteSig]))}\n`;
    return {
        logIndex: String(logIndex),
        logId: { keyId: b64(logID) },
        kindVersion: { kind: "dsse", version: "0.0.1" },
        integratedTime: String(integratedTime),
        inclusionPromise: { signedEntryTimestamp: signEntryTimestamp(rekorKey, b64(canonicalizedBody), integratedTime, logIndex) },
        inclusionProof: { logIndex: "0", rootHash: b64(rootHash), treeSize: "1", hashes: [], checkpoint: { envelope: checkpoint } },
        canonicalizedBody: b64(canonicalizedBody),
    };
}

/** The OCI 1.1 referrer manifest cosign v3 pushes for a bundle: empty config, one layer, `subject` the image. */
export function bundleReferrerManifest(subjectDigest: string, subjectSize: number, bundleBytes: Buffer, subjectMediaType: string = OCI_MANIFEST): OciManifest {
    const empty = blob("{}");
    const layer = blob(bundleBytes);
    const json = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BUNDLE_MEDIA_TYPE,
        config: { mediaType: OCI_EMPTY, size: empty.size, digest: empty.digest },
        layers: [{ mediaType: BUNDLE_MEDIA_TYPE, size: layer.size, digest: layer.digest }],
        subject: { mediaType: subjectMediaType, size: subjectSize, digest: subjectDigest },
        annotations: {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": COSIGN_SIGN_PREDICATE,
            "org.opencontainers.image.created": new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        },
    };
    return manifest(json, OCI_MANIFEST, [empty, layer]);
}

/**
 * The referrers index of the OCI 1.1 tag-schema fallback (tag `sha256-<hex>` of the subject), or
 * the body of a referrers API answer: one descriptor per referrer manifest.
 */
export function referrersIndex(referrers: readonly OciManifest[]): OciManifest {
    const json = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: referrers.map((r) => ({
            mediaType: r.mediaType,
            digest: r.digest,
            size: r.size,
            ...(typeof r.json.artifactType === "string" ? { artifactType: r.json.artifactType } : {}),
            ...(r.json.annotations ? { annotations: r.json.annotations } : {}),
        })),
    };
    return manifest(json, OCI_INDEX, []);
}

/** The tag of the referrers tag-schema fallback for a digest: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
    return digest.replace(":", "-");
}

/** The legacy signature tag for a digest: `sha256-<hex>.sig`. */
export function legacySignatureTag(digest: string): string {
    return `${digest.replace(":", "-")}.sig`;
}

// ---------------------------------------------------------------------------------------------
// A test RFC 3161 timestamp authority (`openssl ts`)

export interface TestTsa {
    /** What the policy is configured with: the TSA certificate, then the root that issued it (PEM). */
    readonly chainPem: string;
    /** The TSA certificate alone (PEM). */
    readonly certPem: string;
    /**
     * The TSA's DER TimeStampResponse for `data` (SHA-256 message imprint, the TSA certificate
     * included, no nonce), as `openssl ts -query` / `-reply` make it; its genTime is now. A bundle's
     * `signedTimestamp` is the whole response, not the bare token that `-token_out` writes.
     */
    stamp(data: Buffer): Buffer;
    /** Deletes the TSA's directory. */
    remove(): void;
}

/** Whether `openssl ts` can be run here. */
export function opensslTsAvailable(): boolean {
    try {
        execFileSync("openssl", ["ts", "-help"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/**
 * A timestamp authority in a temporary directory: an ECDSA P-256 root CA and a TSA certificate it
 * issued (extendedKeyUsage critical,timeStamping), made with `openssl`; tokens come from `openssl ts`.
 */
export function createTestTsa(name: string): TestTsa {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-tsa-"));
    const file = (f: string) => path.join(dir, f);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    fs.writeFileSync(file("serial"), "01\n");
    fs.writeFileSync(
        file("tsa.cnf"),
        [
            "[ tsa ]",
            "default_tsa = tsa_config",
            "[ tsa_config ]",
            `serial = ${file("serial")}`,
            "crypto_device = builtin",
            `signer_cert = ${file("tsa.crt")}`,
            `certs = ${file("ca.crt")}`,
            `signer_key = ${file("tsa.key")}`,
            "signer_digest = sha256",
            "default_policy = 1.3.6.1.4.1.57264.2",
            "other_policies = 1.3.6.1.4.1.57264.3",
            "digests = sha256, sha384, sha512",
            "accuracy = secs:1",
            "ordering = no",
            "tsa_name = no",
            "ess_cert_id_chain = no",
            "ess_cert_id_alg = sha256",
            "[ ca_ext ]",
            "basicConstraints = critical,CA:true",
            "keyUsage = critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier = hash",
            "[ tsa_ext ]",
            "basicConstraints = critical,CA:false",
            "keyUsage = critical,digitalSignature",
            "extendedKeyUsage = critical,timeStamping",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
            "",
        ].join("\n"),
    );
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key");
    openssl("req", "-new", "-x509", "-key", "ca.key", "-subj", `/O=go-service-guard tests/CN=${name} root`, "-days", "3650", "-config", "tsa.cnf", "-extensions", "ca_ext", "-out", "ca.crt");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tsa.key");
    openssl("req", "-new", "-key", "tsa.key", "-subj", `/O=go-service-guard tests/CN=${name}`, "-config", "tsa.cnf", "-out", "tsa.csr");
    openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "3650", "-extfile", "tsa.cnf", "-extensions", "tsa_ext", "-out", "tsa.crt");
    const certPem = fs.readFileSync(file("tsa.crt"), "utf8");
    const chainPem = certPem + fs.readFileSync(file("ca.crt"), "utf8");
    let count = 0;
    return {
        chainPem,
        certPem,
        stamp(data: Buffer): Buffer {
            const n = ++count;
            fs.writeFileSync(file(`data-${n}.bin`), data);
            openssl("ts", "-query", "-data", `data-${n}.bin`, "-sha256", "-cert", "-no_nonce", "-out", `req-${n}.tsq`);
            openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", `req-${n}.tsq`, "-inkey", "tsa.key", "-signer", "tsa.crt", "-chain", "ca.crt", "-out", `resp-${n}.tsr`);
            return fs.readFileSync(file(`resp-${n}.tsr`));
        },
        remove(): void {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/**
 * Two test timestamp authorities for the enclosing mocha suite (created before it, removed after):
 * `tsa` is the one a test configures, `other` one it does not.
 */
export function testTsas(): { readonly tsa: TestTsa; readonly other: TestTsa } {
    const made: { tsa?: TestTsa; other?: TestTsa } = {};
    before(function () {
        if (!opensslTsAvailable()) {
            throw new Error("these tests need the openssl command with its ts subcommand (Debian package openssl)");
        }
        made.tsa = createTestTsa("Test TSA");
        made.other = createTestTsa("Other TSA");
    });
    after(() => {
        made.tsa?.remove();
        made.other?.remove();
    });
    return {
        get tsa() {
            return made.tsa as TestTsa;
        },
        get other() {
            return made.other as TestTsa;
        },
    };
}
