import * as assert from "assert";
import { createHash, KeyObject } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    BundleResult,
    canonicalJson,
    keyHint,
    LegacyResult,
    loadPublicKeys,
    loadTimestampAuthorities,
    normaliseRepository,
    parseRfc3339,
    PUBLIC_GOOD_REKOR_KEY,
    verifyBundle,
    verifyLegacyLayer,
    VerifiedSignature,
} from "../../../policies/signature/cosign";
import {
    bundleReferrerManifest, encryptCosignKey, generateKeyPair, KeyPair, legacySignatureManifest, loadCosignEncryptedKey, referrersIndex, rekorSet, sha256Digest, signBundle, signLegacy, simpleSigningPayload, testTsas,
} from "../../signature-fixtures/sign";
import { PACK_DIR } from "../../paths";

/** The real cosign artifacts: in the repository when copied there, else the shared fixtures next to it. */
const FIXTURES = [path.join(PACK_DIR, "tests", "fixtures", "cosign"), path.resolve(PACK_DIR, "..", "shared", "fixtures", "cosign")].find((d) =>
    fs.existsSync(path.join(d, "cosign.pub")),
) as string;

function fixture(...parts: string[]): Buffer {
    return fs.readFileSync(path.join(FIXTURES, ...parts));
}

/** A containers/image signature file: "\0sigstore-json\n" then JSON {mimeType, payload, annotations}. */
function realSignature(dir: string): { digest: string; payload: Buffer; signatureB64: string; bundleAnnotation?: string } {
    const header = Buffer.from("\0sigstore-json\n", "utf8");
    const raw = fixture(dir, "signature-1");
    assert.ok(raw.subarray(0, header.length).equals(header), "signature-1 starts with the sigstore-json header");
    const json = JSON.parse(raw.subarray(header.length).toString("utf8")) as { payload: string; annotations: Record<string, string> };
    return {
        digest: sha256Digest(fixture(dir, "manifest.json")),
        payload: Buffer.from(json.payload, "base64"),
        signatureB64: json.annotations["dev.cosignproject.cosign/signature"],
        bundleAnnotation: json.annotations["dev.sigstore.cosign/bundle"],
    };
}

function verified(result: LegacyResult | BundleResult): VerifiedSignature {
    if (!result.ok) {
        assert.fail(`expected a verified signature, got: ${result.reason}`);
    }
    return result;
}

function reason(result: LegacyResult | BundleResult): string {
    if (result.ok) {
        assert.fail(`expected a rejection, got a signature verified under key ${result.keyIndex}`);
    }
    return result.reason;
}

const DAY = 86_400_000;
const REPO = "registry.test:5000/team/api";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const OTHER_DIGEST = `sha256:${"cd".repeat(32)}`;

describe("cosign signatures (offline verification)", function () {
    this.timeout(60_000);

    const cosignPub = () => loadPublicKeys([fixture("cosign.pub").toString("utf8")]);
    const cosign2Pub = () => loadPublicKeys([fixture("cosign2.pub").toString("utf8")]);
    const rekorPub = () => loadPublicKeys([fixture("rekor.pub").toString("utf8")]);

    let signer: KeyPair;
    let other: KeyPair;
    let testLog: KeyPair;
    let keys: KeyObject[];
    let testLogKeys: KeyObject[];
    before(() => {
        signer = generateKeyPair();
        other = generateKeyPair();
        testLog = generateKeyPair();
        keys = loadPublicKeys([signer.publicPem]);
        testLogKeys = loadPublicKeys([testLog.publicPem]);
    });

    describe("keys", () => {
        it("loads PEM SPKI public keys and computes cosign's key hint", () => {
            const [key] = cosignPub();
            const der = key.export({ format: "der", type: "spki" });
            assert.strictEqual(keyHint(key), createHash("sha256").update(der).digest("base64"));
        });

        it("refuses anything that is not one PEM PUBLIC KEY block, without echoing it", () => {
            const privatePem = fixture("cosign_pemsigstorekey.pem").toString("utf8");
            assert.throws(() => loadPublicKeys([fixture("cosign.pub").toString("utf8"), privatePem]), {
                message: 'key 2: expected a PEM "PUBLIC KEY" block (SPKI), found "ENCRYPTED SIGSTORE PRIVATE KEY" (a private key: configure the public key instead)',
            });
            assert.throws(() => loadPublicKeys(["not a key"]), { message: 'key 1: expected a PEM "PUBLIC KEY" block (-----BEGIN PUBLIC KEY-----), found no PEM block' });
            assert.throws(() => loadPublicKeys([signer.publicPem + signer.publicPem]), {
                message: 'key 1: expected one PEM "PUBLIC KEY" block, found 2 blocks (PUBLIC KEY, PUBLIC KEY); give one key per entry',
            });
            assert.throws(() => loadPublicKeys(["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]), /key 1: the PEM "PUBLIC KEY" block is not a readable SPKI public key/);
        });

        it("the built-in public-good Rekor key is the one in rekor.pub", () => {
            assert.strictEqual(keyHint(loadPublicKeys([PUBLIC_GOOD_REKOR_KEY])[0]), keyHint(rekorPub()[0]));
        });

        it("decrypts cosign's own encrypted key (ENCRYPTED SIGSTORE PRIVATE KEY, scrypt N=32768) with its password", function () {
            const pem = fixture("cosign_pemsigstorekey.pem").toString("utf8");
            const key = loadCosignEncryptedKey(pem, "hello");
            assert.strictEqual(key.type, "private");
            assert.strictEqual(key.asymmetricKeyType, "ec");
            assert.throws(() => loadCosignEncryptedKey(pem, "wrong"), { message: "decryption failed: wrong password" });
        });

        it("a key encrypted in cosign's format round-trips and signs what the public key verifies", () => {
            const pem = encryptCosignKey(signer.privateKey, "s3cret");
            assert.match(pem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
            const doc = JSON.parse(Buffer.from(pem.split("\n").slice(1, -2).join(""), "base64").toString("utf8"));
            assert.deepStrictEqual(doc.kdf.params, { N: 65536, r: 8, p: 1 });
            assert.strictEqual(doc.cipher.name, "nacl/secretbox");
            const key = loadCosignEncryptedKey(pem, "s3cret");
            const payload = simpleSigningPayload(REPO, DIGEST);
            const result = verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, key) }, { digest: DIGEST, repository: REPO }, keys, []);
            assert.strictEqual(verified(result).keyIndex, 0);
            assert.throws(() => loadCosignEncryptedKey(pem, ""), { message: "decryption failed: wrong password" });
        });

        it("an empty password is allowed, as with COSIGN_PASSWORD=\"\"", () => {
            const pem = encryptCosignKey(signer.privateKey, "");
            assert.strictEqual(loadCosignEncryptedKey(pem, "").asymmetricKeyType, "ec");
        });
    });

    describe("real cosign signatures (containers/image fixtures)", () => {
        it("dir-img-cosign-valid verifies under cosign.pub, with no time (signed with --tlog-upload=false)", () => {
            const s = realSignature("dir-img-cosign-valid");
            assert.strictEqual(s.bundleAnnotation, undefined);
            const result = verified(verifyLegacyLayer(s, { digest: s.digest, repository: "192.168.64.2:5000/cosign-signed-single-sample" }, cosignPub(), rekorPub()));
            assert.deepStrictEqual(result, { ok: true, keyIndex: 0, time: undefined, trustedTime: undefined, signerTime: undefined, notes: [] });
        });

        it("dir-img-cosign-key-rekor-valid verifies under cosign2.pub, and its Rekor receipt under rekor.pub gives 2023-01-20T21:57:39Z", () => {
            const s = realSignature("dir-img-cosign-key-rekor-valid");
            const result = verified(verifyLegacyLayer(s, { digest: s.digest, repository: "192.168.64.2:5000/cosign-signed/key-1" }, cosign2Pub(), rekorPub()));
            assert.strictEqual(result.keyIndex, 0);
            assert.deepStrictEqual(result.trustedTime, { date: new Date("2023-01-20T21:57:39Z"), source: "rekor" });
            assert.deepStrictEqual(result.time, result.trustedTime);
            assert.deepStrictEqual(result.notes, []);
        });

        it("the built-in public-good key verifies the same receipt; the second configured key is reported", () => {
            const s = realSignature("dir-img-cosign-key-rekor-valid");
            const keysBoth = loadPublicKeys([fixture("cosign.pub").toString("utf8"), fixture("cosign2.pub").toString("utf8")]);
            const result = verified(verifyLegacyLayer(s, { digest: s.digest, repository: "192.168.64.2:5000/cosign-signed/key-1" }, keysBoth, loadPublicKeys([PUBLIC_GOOD_REKOR_KEY])));
            assert.strictEqual(result.keyIndex, 1);
            assert.strictEqual(result.trustedTime?.date.toISOString(), "2023-01-20T21:57:39.000Z");
        });

        it("each is signed by another key as far as the other fixture key is concerned", () => {
            const valid = realSignature("dir-img-cosign-valid");
            const rekor = realSignature("dir-img-cosign-key-rekor-valid");
            assert.strictEqual(
                reason(verifyLegacyLayer(valid, { digest: valid.digest, repository: "192.168.64.2:5000/cosign-signed-single-sample" }, cosign2Pub(), rekorPub())),
                "signed by another key: the signature does not verify under the configured key",
            );
            assert.strictEqual(
                reason(verifyLegacyLayer(rekor, { digest: rekor.digest, repository: "192.168.64.2:5000/cosign-signed/key-1" }, cosignPub(), rekorPub())),
                "signed by another key: the signature does not verify under the configured key",
            );
        });

        it("a real signature presented for another image is a replay", () => {
            const s = realSignature("dir-img-cosign-valid");
            assert.strictEqual(
                reason(verifyLegacyLayer(s, { digest: OTHER_DIGEST, repository: "192.168.64.2:5000/cosign-signed-single-sample" }, cosignPub(), [])),
                `replayed from ${s.digest}: the signed payload names that digest, not ${OTHER_DIGEST}`,
            );
        });

        it("the real receipt with integratedTime shifted by one second no longer gives a time", () => {
            const s = realSignature("dir-img-cosign-key-rekor-valid");
            const receipt = JSON.parse(s.bundleAnnotation as string);
            receipt.Payload.integratedTime += 1;
            const result = verified(
                verifyLegacyLayer({ ...s, bundleAnnotation: JSON.stringify(receipt) }, { digest: s.digest, repository: "192.168.64.2:5000/cosign-signed/key-1" }, cosign2Pub(), rekorPub()),
            );
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, [
                "Rekor entry not used as the signing time: the SignedEntryTimestamp does not verify under the configured Rekor key (the entry or its integratedTime was altered)",
            ]);
        });

        it("the real receipt is not trusted when rekor.pub is not configured", () => {
            const s = realSignature("dir-img-cosign-key-rekor-valid");
            const result = verified(verifyLegacyLayer(s, { digest: s.digest, repository: "192.168.64.2:5000/cosign-signed/key-1" }, cosign2Pub(), testLogKeys));
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, ["Rekor entry not used as the signing time: the entry is in log c0d23d6ad406973f…, which is not a configured Rekor key"]);
        });
    });

    describe("legacy signatures made here", () => {
        const expected = { digest: DIGEST, repository: REPO };

        it("the payload is byte for byte cosign's simple-signing layout", () => {
            assert.strictEqual(
                simpleSigningPayload(REPO, DIGEST).toString("utf8"),
                `{"critical":{"identity":{"docker-reference":"${REPO}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
            );
            assert.strictEqual(
                simpleSigningPayload(REPO, DIGEST, { z: "1", "signed-at": "2026-01-01T00:00:00Z" }).toString("utf8").split('"optional":')[1],
                '{"signed-at":"2026-01-01T00:00:00Z","z":"1"}}',
            );
        });

        it("a valid signature verifies, under the right one of several keys", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            const result = verified(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, signer.privateKey) }, expected, loadPublicKeys([other.publicPem, signer.publicPem]), []));
            assert.deepStrictEqual(result, { ok: true, keyIndex: 1, time: undefined, trustedTime: undefined, signerTime: undefined, notes: [] });
        });

        it("signed by another key", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            assert.strictEqual(
                reason(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, other.privateKey) }, expected, keys, [])),
                "signed by another key: the signature does not verify under the configured key",
            );
            assert.strictEqual(
                reason(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, other.privateKey) }, expected, loadPublicKeys([signer.publicPem, testLog.publicPem]), [])),
                "signed by another key: the signature verifies under none of the 2 configured keys",
            );
        });

        it("replayed from another digest", () => {
            const payload = simpleSigningPayload(REPO, OTHER_DIGEST);
            assert.strictEqual(
                reason(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, signer.privateKey) }, expected, keys, [])),
                `replayed from ${OTHER_DIGEST}: the signed payload names that digest, not ${DIGEST}`,
            );
        });

        it("a tampered payload: not JSON any more, or edited JSON that the signature no longer covers", () => {
            const payload = simpleSigningPayload(REPO, OTHER_DIGEST);
            const signatureB64 = signLegacy(payload, signer.privateKey);
            const broken = Buffer.concat([payload.subarray(0, payload.length - 1), Buffer.from("!")]);
            assert.strictEqual(reason(verifyLegacyLayer({ payload: broken, signatureB64 }, expected, keys, [])), "tampered payload: not valid JSON");
            const edited = Buffer.from(payload.toString("utf8").replace(OTHER_DIGEST, DIGEST), "utf8");
            assert.strictEqual(reason(verifyLegacyLayer({ payload: edited, signatureB64 }, expected, keys, [])), "signed by another key: the signature does not verify under the configured key");
        });

        it("signed for another repository, unless the requirement allows it", () => {
            const payload = simpleSigningPayload("registry.test:5000/team/other", DIGEST);
            const layer = { payload, signatureB64: signLegacy(payload, signer.privateKey) };
            assert.strictEqual(
                reason(verifyLegacyLayer(layer, expected, keys, [])),
                `signed for another repository: the payload names registry.test:5000/team/other, not ${REPO}`,
            );
            assert.strictEqual(verified(verifyLegacyLayer(layer, { ...expected, allowOtherRepository: true }, keys, [])).keyIndex, 0);
        });

        it("compares repository names normalised: x ≡ docker.io/library/x; a tag in docker-reference is ignored", () => {
            for (const [written, repository] of [
                ["nginx", "docker.io/library/nginx"],
                ["docker.io/library/nginx", "docker.io/library/nginx"],
                ["index.docker.io/library/nginx:1.27", "docker.io/library/nginx"],
                ["team/api", "docker.io/team/api"],
                ["localhost:5000/api", "localhost:5000/api"],
            ]) {
                const payload = simpleSigningPayload(written, DIGEST);
                assert.strictEqual(verified(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, signer.privateKey) }, { digest: DIGEST, repository }, keys, [])).keyIndex, 0, written);
            }
            assert.strictEqual(normaliseRepository("Registry.Test:5000/a/b@sha256:00"), "registry.test:5000/a/b");
        });

        it("a payload that is not a cosign signature", () => {
            const payload = Buffer.from(simpleSigningPayload(REPO, DIGEST).toString("utf8").replace("cosign container image signature", "atomic container signature"));
            assert.strictEqual(
                reason(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, signer.privateKey) }, expected, keys, [])),
                'not a cosign image signature: critical.type is "atomic container signature", not "cosign container image signature"',
            );
        });

        it("a layer without a signature, or with one that is not base64", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            assert.strictEqual(reason(verifyLegacyLayer({ payload, signatureB64: "" }, expected, keys, [])), "no signature: the layer has no dev.cosignproject.cosign/signature annotation");
            assert.strictEqual(reason(verifyLegacyLayer({ payload, signatureB64: "not*base64" }, expected, keys, [])), "malformed signature: the dev.cosignproject.cosign/signature annotation is not base64");
        });

        it("a Rekor receipt from a configured log gives its integratedTime", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            const signatureB64 = signLegacy(payload, signer.privateKey);
            const time = new Date(Date.now() - 40 * DAY);
            time.setMilliseconds(0);
            const bundleAnnotation = rekorSet({ payload, signatureB64, signerKey: signer.privateKey, rekorKey: testLog.privateKey, integratedTime: time });
            const result = verified(verifyLegacyLayer({ payload, signatureB64, bundleAnnotation }, expected, keys, testLogKeys));
            assert.deepStrictEqual(result.trustedTime, { date: time, source: "rekor" });
            assert.deepStrictEqual(result.notes, []);
        });

        it("a receipt with a shifted integratedTime, another payload, another signature or another key gives no time", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            const signatureB64 = signLegacy(payload, signer.privateKey);
            const base = { payload, signatureB64, signerKey: signer.privateKey, rekorKey: testLog.privateKey, integratedTime: new Date() };
            const shifted = JSON.parse(rekorSet(base));
            shifted.Payload.integratedTime -= 3600;
            const cases: [string, string][] = [
                [JSON.stringify(shifted), "the SignedEntryTimestamp does not verify under the configured Rekor key (the entry or its integratedTime was altered)"],
                [rekorSet({ ...base, payload: simpleSigningPayload(REPO, OTHER_DIGEST) }), "the Rekor entry records another payload hash"],
                [rekorSet({ ...base, signatureB64: signLegacy(payload, signer.privateKey) }), "the Rekor entry records another signature"],
                [rekorSet({ ...base, signerKey: other.privateKey }), "the Rekor entry records another public key"],
                [rekorSet({ ...base, rekorKey: other.privateKey }), `the entry is in log ${createHash("sha256").update(other.publicKey.export({ format: "der", type: "spki" })).digest("hex").slice(0, 16)}…, which is not a configured Rekor key`],
                ["{", "the dev.sigstore.cosign/bundle annotation is not JSON"],
            ];
            for (const [bundleAnnotation, why] of cases) {
                const result = verified(verifyLegacyLayer({ payload, signatureB64, bundleAnnotation }, expected, keys, testLogKeys));
                assert.strictEqual(result.trustedTime, undefined, why);
                assert.deepStrictEqual(result.notes, [`Rekor entry not used as the signing time: ${why}`]);
            }
        });

        it("a signed-at annotation is the signer's time; a malformed one is noted", () => {
            const payload = simpleSigningPayload(REPO, DIGEST, { "signed-at": "2026-03-01T10:00:00+02:00" });
            const result = verified(verifyLegacyLayer({ payload, signatureB64: signLegacy(payload, signer.privateKey) }, expected, keys, []));
            assert.deepStrictEqual(result.signerTime, new Date("2026-03-01T08:00:00Z"));
            assert.deepStrictEqual(result.time, { date: new Date("2026-03-01T08:00:00Z"), source: "signer" });
            assert.strictEqual(result.trustedTime, undefined);

            const bad = simpleSigningPayload(REPO, DIGEST, { "signed-at": "yesterday" });
            const badResult = verified(verifyLegacyLayer({ payload: bad, signatureB64: signLegacy(bad, signer.privateKey) }, expected, keys, []));
            assert.strictEqual(badResult.time, undefined);
            assert.deepStrictEqual(badResult.notes, ['the signed signed-at annotation "yesterday" is not an RFC 3339 time']);
        });

        it("a Rekor time wins over the signer's claim, and both are reported", () => {
            const payload = simpleSigningPayload(REPO, DIGEST, { "signed-at": "2030-01-01T00:00:00Z" });
            const signatureB64 = signLegacy(payload, signer.privateKey);
            const bundleAnnotation = rekorSet({ payload, signatureB64, signerKey: signer.publicKey, rekorKey: testLog.privateKey, integratedTime: 1_700_000_000 });
            const result = verified(verifyLegacyLayer({ payload, signatureB64, bundleAnnotation }, expected, keys, testLogKeys));
            assert.deepStrictEqual(result.time, { date: new Date(1_700_000_000_000), source: "rekor" });
            assert.deepStrictEqual(result.signerTime, new Date("2030-01-01T00:00:00Z"));
        });

        it("legacySignatureManifest writes cosign's .sig manifest", () => {
            const payload = simpleSigningPayload(REPO, DIGEST);
            const signatureB64 = signLegacy(payload, signer.privateKey);
            const m = legacySignatureManifest([{ payload, signatureB64, bundleAnnotation: "{}" }]);
            const json = JSON.parse(m.bytes.toString("utf8"));
            assert.strictEqual(m.digest, sha256Digest(m.bytes));
            assert.strictEqual(json.mediaType, "application/vnd.oci.image.manifest.v1+json");
            assert.deepStrictEqual(json.layers, [
                {
                    mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
                    size: payload.length,
                    digest: sha256Digest(payload),
                    annotations: { "dev.cosignproject.cosign/signature": signatureB64, "dev.sigstore.cosign/bundle": "{}" },
                },
            ]);
            assert.deepStrictEqual(
                m.blobs.map((b) => b.digest),
                [json.config.digest, sha256Digest(payload)],
            );
        });
    });

    describe("Sigstore bundles (cosign v3) made here", () => {
        it("a key-only bundle without a tlog entry verifies, with no time", () => {
            const result = verified(verifyBundle(signBundle(DIGEST, signer.privateKey), { digest: DIGEST }, keys, []));
            assert.deepStrictEqual(result, { ok: true, keyIndex: 0, time: undefined, trustedTime: undefined, signerTime: undefined, notes: [] });
        });

        it("the bundle survives serialisation as the referrer layer", () => {
            const bytes = Buffer.from(JSON.stringify(signBundle(DIGEST, signer.privateKey)));
            assert.strictEqual(verified(verifyBundle(JSON.parse(bytes.toString("utf8")), { digest: DIGEST }, keys, [])).keyIndex, 0);
        });

        it("finds the signing key by its hint among several, and also when the hint names no configured key", () => {
            const several = loadPublicKeys([other.publicPem, testLog.publicPem, signer.publicPem]);
            assert.strictEqual(verified(verifyBundle(signBundle(DIGEST, signer.privateKey), { digest: DIGEST }, several, [])).keyIndex, 2);
            assert.strictEqual(verified(verifyBundle(signBundle(DIGEST, signer.privateKey, { hint: "bm8gc3VjaCBrZXk=" }), { digest: DIGEST }, several, [])).keyIndex, 2);
        });

        it("signed by another key", () => {
            assert.strictEqual(
                reason(verifyBundle(signBundle(DIGEST, other.privateKey), { digest: DIGEST }, keys, [])),
                "signed by another key: the signature does not verify under the configured key",
            );
        });

        it("a bundle for another digest is a replay", () => {
            assert.strictEqual(
                reason(verifyBundle(signBundle(OTHER_DIGEST, signer.privateKey), { digest: DIGEST }, keys, [])),
                `replayed from ${OTHER_DIGEST}: the signed statement names that digest, not ${DIGEST}`,
            );
        });

        it("a tampered statement no longer verifies; a statement that is not JSON is reported as such", () => {
            const bundle = signBundle(OTHER_DIGEST, signer.privateKey) as { dsseEnvelope: { payload: string } };
            const statement = Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8");
            const edited = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(statement.replace("cd".repeat(32), "ab".repeat(32))).toString("base64") } };
            assert.strictEqual(reason(verifyBundle(edited, { digest: DIGEST }, keys, [])), "signed by another key: the signature does not verify under the configured key");
            const broken = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(statement.slice(0, -1)).toString("base64") } };
            assert.strictEqual(reason(verifyBundle(broken, { digest: DIGEST }, keys, [])), "tampered payload: the in-toto statement is not valid JSON");
        });

        it("an attestation made with the same key is not a signature", () => {
            assert.strictEqual(
                reason(verifyBundle(signBundle(DIGEST, signer.privateKey, { predicateType: "https://spdx.dev/Document" }), { digest: DIGEST }, keys, [])),
                'not a cosign image signature: an attestation with predicateType "https://spdx.dev/Document", not "https://sigstore.dev/cosign/sign/v1"',
            );
        });

        it("a malformed bundle", () => {
            assert.strictEqual(reason(verifyBundle({ mediaType: "application/json" }, { digest: DIGEST }, keys, [])), "malformed bundle: invalid bundle (mediaType, content, verificationMaterial)");
        });

        it("a tlog entry from a configured Rekor key gives its integratedTime", () => {
            const time = new Date(Date.now() - 3 * DAY);
            time.setMilliseconds(0);
            const bundle = signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey, integratedTime: time });
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, testLogKeys));
            assert.deepStrictEqual(result.trustedTime, { date: time, source: "rekor" });
            assert.deepStrictEqual(result.notes, []);
        });

        it("an old tlog time is reported as it is (the age is the policy's decision)", () => {
            const bundle = signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey, integratedTime: 1_600_000_000 });
            assert.deepStrictEqual(verified(verifyBundle(bundle, { digest: DIGEST }, keys, testLogKeys)).time, { date: new Date(1_600_000_000_000), source: "rekor" });
        });

        it("a tlog entry with a shifted integratedTime, or from an unconfigured log, gives no time; the signature still verifies", () => {
            const bundle = signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey, integratedTime: 1_700_000_000 }) as {
                verificationMaterial: { tlogEntries: { integratedTime: string }[] };
            };
            bundle.verificationMaterial.tlogEntries[0].integratedTime = "1700086400";
            const shifted = verified(verifyBundle(bundle, { digest: DIGEST }, keys, testLogKeys));
            assert.strictEqual(shifted.trustedTime, undefined);
            assert.deepStrictEqual(shifted.notes, ["transparency-log entry not used as the signing time: inclusion promise could not be verified"]);

            const foreign = verified(verifyBundle(signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey }), { digest: DIGEST }, keys, rekorPub()));
            assert.strictEqual(foreign.trustedTime, undefined);
            assert.deepStrictEqual(foreign.notes, [
                `transparency-log entry not used as the signing time: the entry is in log ${createHash("sha256").update(testLog.publicKey.export({ format: "der", type: "spki" })).digest("hex").slice(0, 16)}…, which is not a configured Rekor key`,
            ]);
        });

        it("a tlog entry whose checkpoint was altered gives no time", () => {
            const bundle = signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey }) as {
                verificationMaterial: { tlogEntries: { inclusionProof: { checkpoint: { envelope: string } } }[] };
            };
            const checkpoint = bundle.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint;
            checkpoint.envelope = checkpoint.envelope.replace("\n1\n", "\n2\n");
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, testLogKeys));
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, ["transparency-log entry not used as the signing time: invalid checkpoint signature"]);
        });

        it("a tlog entry for another envelope gives no time", () => {
            const mine = signBundle(DIGEST, signer.privateKey) as { verificationMaterial: Record<string, unknown> };
            const theirs = signBundle(DIGEST, signer.privateKey, { tlog: testLog.privateKey, annotations: { x: "y" } }) as { verificationMaterial: { tlogEntries: unknown[] } };
            mine.verificationMaterial.tlogEntries = theirs.verificationMaterial.tlogEntries;
            const result = verified(verifyBundle(mine, { digest: DIGEST }, keys, testLogKeys));
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, ["transparency-log entry not used as the signing time: tlog entry signature mismatch"]);
        });

        it("the subject's signed-at annotation is the signer's time", () => {
            const bundle = signBundle(DIGEST, signer.privateKey, { annotations: { "signed-at": "2026-02-03T04:05:06Z" } });
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, []));
            assert.deepStrictEqual(result.time, { date: new Date("2026-02-03T04:05:06Z"), source: "signer" });
            assert.strictEqual(result.trustedTime, undefined);
        });

        it("referrer manifest and tag-schema index as cosign v3 pushes them", () => {
            const bytes = Buffer.from(JSON.stringify(signBundle(DIGEST, signer.privateKey)));
            const referrer = bundleReferrerManifest(DIGEST, 1234, bytes);
            const json = referrer.json as Record<string, any>;
            assert.strictEqual(json.artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
            assert.deepStrictEqual(json.config, { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" });
            assert.deepStrictEqual(json.layers, [{ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", size: bytes.length, digest: sha256Digest(bytes) }]);
            assert.deepStrictEqual(json.subject, { mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1234, digest: DIGEST });
            const index = referrersIndex([referrer]).json as Record<string, any>;
            assert.strictEqual(index.mediaType, "application/vnd.oci.image.index.v1+json");
            assert.deepStrictEqual(index.manifests[0].digest, referrer.digest);
            assert.deepStrictEqual(index.manifests[0].artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
        });
    });

    describe("RFC 3161 timestamps in bundles (tokens made by openssl ts)", () => {
        const tsas = testTsas();

        const authorities = () => loadTimestampAuthorities([tsas.tsa.chainPem]);
        /** A bundle stamped now, with the window its genTime must fall in (whole seconds). */
        function stamped(timestamps: (sig: Buffer) => readonly Buffer[], options: Parameters<typeof signBundle>[2] = {}) {
            const from = new Date(Math.floor(Date.now() / 1000) * 1000);
            const bundle = signBundle(DIGEST, signer.privateKey, { ...options, timestamps });
            return { bundle, from, to: new Date() };
        }
        function assertWithin(date: Date | undefined, from: Date, to: Date): void {
            assert.ok(date && date >= from && date <= to, `${date?.toISOString()} is not between ${from.toISOString()} and ${to.toISOString()}`);
        }

        it("a timestamp over the DSSE signature from a configured authority gives its genTime", () => {
            const { bundle, from, to } = stamped((sig) => [tsas.tsa.stamp(sig)]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.trustedTime?.source, "timestamp-authority");
            assertWithin(result.trustedTime?.date, from, to);
            assert.deepStrictEqual(result.time, result.trustedTime);
            assert.deepStrictEqual(result.notes, []);
        });

        it("is not used when no timestamp authority is configured", () => {
            const { bundle } = stamped((sig) => [tsas.tsa.stamp(sig)]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, []));
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, ["the bundle's RFC 3161 timestamp was not used: no timestamp authority is configured"]);
        });

        it("a timestamp from an authority that is not configured gives no time; the signature still verifies", () => {
            const { bundle } = stamped((sig) => [tsas.other.stamp(sig)]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.trustedTime, undefined);
            assert.strictEqual(result.notes.length, 1);
            assert.match(result.notes[0], /^RFC 3161 timestamp not used as the signing time: it was issued by a timestamp authority that is not configured \(signing certificate serial [0-9a-f]+\)$/);
        });

        it("a timestamp over other data than the signature gives no time", () => {
            const { bundle } = stamped((sig) => [tsas.tsa.stamp(Buffer.concat([sig, Buffer.from("x")]))]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.trustedTime, undefined);
            assert.deepStrictEqual(result.notes, [
                "RFC 3161 timestamp not used as the signing time: it is over other data than this signature (its message imprint does not match the DSSE signature)",
            ]);
        });

        it("a timestamp copied from another bundle (over another signature) gives no time", () => {
            const theirs = stamped((sig) => [tsas.tsa.stamp(sig)], { annotations: { x: "y" } }).bundle as { verificationMaterial: Record<string, unknown> };
            const mine = signBundle(DIGEST, signer.privateKey) as { verificationMaterial: Record<string, unknown> };
            mine.verificationMaterial.timestampVerificationData = theirs.verificationMaterial.timestampVerificationData;
            const result = verified(verifyBundle(mine, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.trustedTime, undefined);
            assert.match(result.notes.join("\n"), /over other data than this signature/);
        });

        it("an unreadable timestamp gives no time and does not cost the signature", () => {
            const { bundle } = stamped(() => [Buffer.from("not a timestamp response")]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.trustedTime, undefined);
            assert.strictEqual(result.notes.length, 1);
            assert.match(result.notes[0], /^RFC 3161 timestamp not used as the signing time: it is not a (readable|well-formed) RFC 3161 TimeStampResponse/);
        });

        it("each timestamp is judged on its own: a good one counts next to a bad one", () => {
            const { bundle, from, to } = stamped((sig) => [tsas.other.stamp(sig), tsas.tsa.stamp(sig)]);
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], loadTimestampAuthorities([tsas.tsa.chainPem])));
            assertWithin(result.trustedTime?.date, from, to);
            assert.strictEqual(result.notes.length, 1);
            assert.match(result.notes[0], /^RFC 3161 timestamp 1 not used as the signing time: it was issued by a timestamp authority that is not configured/);
            const both = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], loadTimestampAuthorities([tsas.other.chainPem, tsas.tsa.chainPem])));
            assert.deepStrictEqual(both.notes, []);
        });

        it("the earliest verified time counts, whether from Rekor or from the timestamp authority", () => {
            const old = stamped((sig) => [tsas.tsa.stamp(sig)], { tlog: testLog.privateKey, integratedTime: 1_600_000_000 }).bundle;
            assert.deepStrictEqual(verified(verifyBundle(old, { digest: DIGEST }, keys, testLogKeys, authorities())).trustedTime, { date: new Date(1_600_000_000_000), source: "rekor" });
            const { bundle, from, to } = stamped((sig) => [tsas.tsa.stamp(sig)], { tlog: testLog.privateKey, integratedTime: new Date(Date.now() + DAY) });
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, testLogKeys, authorities()));
            assert.strictEqual(result.trustedTime?.source, "timestamp-authority");
            assertWithin(result.trustedTime?.date, from, to);
        });

        it("a timestamp authority's time wins over the signer's claim", () => {
            const { bundle } = stamped((sig) => [tsas.tsa.stamp(sig)], { annotations: { "signed-at": "2020-01-01T00:00:00Z" } });
            const result = verified(verifyBundle(bundle, { digest: DIGEST }, keys, [], authorities()));
            assert.strictEqual(result.time?.source, "timestamp-authority");
            assert.deepStrictEqual(result.signerTime, new Date("2020-01-01T00:00:00Z"));
        });

        it("loads certificate chains: the TSA's certificate first, up to a self-signed root", () => {
            const [loaded] = authorities();
            assert.strictEqual(loaded.certChain.length, 2);
            assert.ok(loaded.validFor && loaded.validFor.start <= new Date() && new Date() <= loaded.validFor.end);
            const root = tsas.tsa.chainPem.slice(tsas.tsa.certPem.length);
            assert.throws(() => loadTimestampAuthorities([tsas.tsa.certPem]), {
                message: "timestamp authority 1: give the whole chain, the TSA's signing certificate first and its issuers up to the root; found one certificate",
            });
            assert.throws(() => loadTimestampAuthorities([root + tsas.tsa.certPem]), /^Error: timestamp authority 1: the first certificate \(.*Test TSA root\) is not a timestamping certificate/);
            assert.throws(() => loadTimestampAuthorities([tsas.tsa.chainPem, tsas.other.certPem + root]), {
                message: "timestamp authority 2: certificate 1 is not issued by certificate 2; order the chain from the TSA's certificate to the root",
            });
            assert.throws(() => loadTimestampAuthorities([signer.publicPem]), { message: 'timestamp authority 1: expected a certificate chain of PEM "CERTIFICATE" blocks, found "PUBLIC KEY"' });
            assert.throws(() => loadTimestampAuthorities(["tsas.tsa.pem"]), { message: 'timestamp authority 1: expected a certificate chain of PEM "CERTIFICATE" blocks, found no PEM block' });
        });
    });

    describe("helpers", () => {
        it("canonical JSON sorts keys and keeps integers", () => {
            assert.strictEqual(canonicalJson({ logIndex: 2, body: "b", logID: "x", integratedTime: 1 }), '{"body":"b","integratedTime":1,"logID":"x","logIndex":2}');
        });

        it("RFC 3339 times", () => {
            assert.deepStrictEqual(parseRfc3339("2026-02-03T04:05:06.5Z"), new Date("2026-02-03T04:05:06.500Z"));
            for (const bad of ["2026-02-30T00:00:00Z", "2026-02-03", "2026-02-03T04:05:06", 1700000000]) {
                assert.strictEqual(parseRfc3339(bad), undefined, String(bad));
            }
        });
    });
});
