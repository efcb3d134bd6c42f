import * as assert from "assert";
import { createPublicKey } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import rule from "../../../policies/signature/image-signature";
import { registryClient } from "../../../policies/signature/verify";
import { sourcePath } from "../../paths";
import { freePort, LocalRegistry, pushBlob, pushImage, pushManifest, startLocalRegistry } from "../../registry/local-registry";
import { AuthProxy, startAuthProxy, startErrorServer, startHttpServer, startSilentServer, TestServer } from "../../registry/token-proxy";
import {
    bundleReferrerManifest, generateKeyPair, KeyPair, legacySignatureManifest, legacySignatureTag, loadCosignEncryptedKey, OciManifest, referrersIndex, referrersTag, rekorSet, signBundle, SignBundleOptions, signLegacy, simpleSigningPayload, testTsas,
} from "../../signature-fixtures/sign";
import { deploymentWith, KINDS } from "../../fixtures/workloads";
import { run, runPolicy, summaries, UNKNOWN } from "../helpers";

const DEPLOYMENT = KINDS.Deployment.token;
const C = 'container "api"';
const DAY = 24 * 60 * 60 * 1000;

describe("image-signature", function () {
    this.timeout(60_000);
    let registry: LocalRegistry;
    let signer: KeyPair;
    let stranger: KeyPair;
    let log: KeyPair;

    before(async () => {
        registry = await startLocalRegistry();
        signer = generateKeyPair();
        stranger = generateKeyPair();
        log = generateKeyPair();
    });
    after(async () => {
        await registry?.stop();
    });

    function config(requirement: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
        return {
            requirements: [{ images: [`${registry.host}/**`], keys: [signer.publicPem], ...requirement }],
            rekorKeys: [log.publicPem],
            insecureRegistries: [registry.host],
            timeoutSeconds: 2,
            ...extra,
        };
    }

    async function push(host: string, repo: string, manifest: OciManifest, reference: string): Promise<void> {
        for (const b of manifest.blobs) {
            await pushBlob(host, repo, b.bytes);
        }
        await pushManifest(host, repo, reference, manifest.bytes, manifest.mediaType);
    }

    /** A fresh image in `repo`, returning its reference by digest. */
    async function image(repo: string): Promise<{ ref: string; digest: string; size: number }> {
        const pushed = await pushImage(registry.host, repo);
        return { ref: `${registry.host}/${repo}@${pushed.digest}`, digest: pushed.digest, size: pushed.bytes.length };
    }

    async function signLegacyImage(repo: string, digest: string, options: { key?: KeyPair; payload?: Buffer; time?: Date; forDigest?: string; optional?: Record<string, string> } = {}) {
        const payload = options.payload ?? simpleSigningPayload(`${registry.host}/${repo}`, options.forDigest ?? digest, options.optional);
        const signatureB64 = signLegacy(payload, (options.key ?? signer).privateKey);
        const bundleAnnotation = options.time
            ? rekorSet({ payload, signatureB64, signerKey: (options.key ?? signer).publicKey, rekorKey: log.privateKey, integratedTime: options.time })
            : undefined;
        await push(registry.host, repo, legacySignatureManifest([{ payload, signatureB64, bundleAnnotation }]), legacySignatureTag(digest));
    }

    const withImage = (ref: string) => deploymentWith((_s, c) => (c.image = ref));

    it("passes an image with a valid legacy .sig signature", async () => {
        const img = await image("acme/legacy");
        await signLegacyImage("acme/legacy", img.digest);
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config()), []);
    });

    it("passes an image with a valid Sigstore bundle attached through the referrers tag", async () => {
        const img = await image("acme/bundle");
        const bundle = Buffer.from(JSON.stringify(signBundle(img.digest, signer.privateKey)));
        const referrer = bundleReferrerManifest(img.digest, img.size, bundle);
        await push(registry.host, "acme/bundle", referrer, referrer.digest);
        await push(registry.host, "acme/bundle", referrersIndex([referrer]), referrersTag(img.digest));
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config()), []);
    });

    it("reports an unsigned image", async () => {
        const img = await image("acme/unsigned");
        const hex = img.digest.replace(":", "-");
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config()), [
            `${C}: image "${img.ref}" has no signature for its digest that verifies under the configured key (no signature found (looked for the ${hex} referrers tag and ${hex}.sig))`,
        ]);
    });

    it("reports a signature made by another key", async () => {
        const img = await image("acme/stranger");
        await signLegacyImage("acme/stranger", img.digest, { key: stranger });
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config()), [
            `${C}: image "${img.ref}" has no signature for its digest that verifies under the configured key (${img.digest.replace(":", "-")}.sig: signed by another key: the signature does not verify under the configured key)`,
        ]);
    });

    it("reports a signature replayed from another digest", async () => {
        const signed = await image("acme/replay");
        const target = await image("acme/replay");
        await signLegacyImage("acme/replay", target.digest, { forDigest: signed.digest });
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(target.ref), config()), [
            `${C}: image "${target.ref}" has no signature for its digest that verifies under the configured key (${target.digest.replace(":", "-")}.sig: replayed from ${signed.digest}: the signed payload names that digest, not ${target.digest})`,
        ]);
    });

    it("reports a tampered payload", async () => {
        const img = await image("acme/tampered");
        const payload = simpleSigningPayload(`${registry.host}/acme/tampered`, img.digest);
        const signatureB64 = signLegacy(payload, signer.privateKey);
        const tampered = Buffer.from(payload.toString("utf8").replace("cosign container image signature", "cosign container image signaturf"));
        await push(registry.host, "acme/tampered", legacySignatureManifest([{ payload: tampered, signatureB64 }]), legacySignatureTag(img.digest));
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config()), [
            `${C}: image "${img.ref}" has no signature for its digest that verifies under the configured key (${img.digest.replace(":", "-")}.sig: signed by another key: the signature does not verify under the configured key)`,
        ]);
    });

    it("reports a tag instead of a digest without contacting the registry", async () => {
        const ref = `${registry.host}/acme/tagged:1.0`;
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(ref), config()), [`${C}: image "${ref}" must be signed but is not pinned by digest`]);
    });

    it("reports a signature older than maxAgeDays by its Rekor time, with the age in days", async () => {
        const img = await image("acme/expired");
        const signedAt = new Date(Date.now() - 40 * DAY - 1000);
        await signLegacyImage("acme/expired", img.digest, { time: signedAt });
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 })), [
            `${C}: the signature of "${img.ref}" is 40 days old (signed ${new Date(Math.floor(signedAt.getTime() / 1000) * 1000).toISOString()}, by its Rekor entry), older than the 30 days allowed`,
        ]);
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 45 })), []);
    });

    it("reports a signature without a trustworthy time when maxAgeDays is set; signed-at counts only with trustSignerTime", async () => {
        const img = await image("acme/notime");
        await signLegacyImage("acme/notime", img.digest, { optional: { "signed-at": new Date(Date.now() - DAY).toISOString() } });
        const noTime = `${C}: the signature of "${img.ref}" verifies, but carries no trustworthy signing time, so its age (at most 30 days) cannot be established`;
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 })), [noTime]);
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30, trustSignerTime: true })), []);
    });

    describe("RFC 3161 timestamps in bundles (the only time of a Rekor v2 setup)", () => {
        const tsas = testTsas();

        /** A fresh image in `repo` with a bundle signature (no tlog entry) attached through the referrers tag. */
        async function bundleSignedImage(repo: string, options: SignBundleOptions) {
            const img = await image(repo);
            const from = new Date(Math.floor(Date.now() / 1000) * 1000);
            const bundle = Buffer.from(JSON.stringify(signBundle(img.digest, signer.privateKey, options)));
            const to = new Date();
            const referrer = bundleReferrerManifest(img.digest, img.size, bundle);
            await push(registry.host, repo, referrer, referrer.digest);
            await push(registry.host, repo, referrersIndex([referrer]), referrersTag(img.digest));
            return { ...img, from, to };
        }

        /** Runs `check` with the clock `days` ahead, as a later preview would see the same signature. */
        async function later<T>(days: number, check: () => Promise<T>): Promise<T> {
            const now = Date.now;
            Date.now = () => now() + days * DAY;
            try {
                return await check();
            } finally {
                Date.now = now;
            }
        }

        const noTime = (ref: string) => `${C}: the signature of "${ref}" verifies, but carries no trustworthy signing time, so its age (at most 30 days) cannot be established`;

        it("dates a bundle by a timestamp from a configured authority: young enough passes, 40 days later it is too old", async () => {
            const img = await bundleSignedImage("acme/tsa", { timestamps: (sig) => [tsas.tsa.stamp(sig)] });
            const cfg = config({ maxAgeDays: 30 }, { timestampAuthorities: [tsas.tsa.chainPem] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), cfg), []);
            const [summary, ...more] = await later(40, () => summaries(rule, DEPLOYMENT, withImage(img.ref), cfg));
            assert.deepStrictEqual(more, []);
            const m = /^(.*) is 40 days old \(signed (\S+), by its timestamp\), older than the 30 days allowed$/.exec(summary);
            assert.ok(m, summary);
            assert.strictEqual(m[1], `${C}: the signature of "${img.ref}"`);
            assert.ok(new Date(m[2]) >= img.from && new Date(m[2]) <= img.to, `${m[2]} is the time of the stamp`);
            assert.deepStrictEqual(await later(40, () => summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 45 }, { timestampAuthorities: [tsas.tsa.chainPem] }))), []);
        });

        it("does not count a timestamp when no authority is configured", async () => {
            const img = await bundleSignedImage("acme/tsa-unconfigured", { timestamps: (sig) => [tsas.tsa.stamp(sig)] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 })), [noTime(img.ref)]);
        });

        it("does not count a timestamp from an authority that is not configured", async () => {
            const img = await bundleSignedImage("acme/tsa-other", { timestamps: (sig) => [tsas.other.stamp(sig)] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 }, { timestampAuthorities: [tsas.tsa.chainPem] })), [noTime(img.ref)]);
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 }, { timestampAuthorities: [tsas.tsa.chainPem, tsas.other.chainPem] })), []);
        });

        it("does not count a timestamp over other data than the signature", async () => {
            const img = await bundleSignedImage("acme/tsa-other-data", { timestamps: () => [tsas.tsa.stamp(Buffer.from("some other signature"))] });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 }, { timestampAuthorities: [tsas.tsa.chainPem] })), [noTime(img.ref)]);
        });

        it("reads authorities from files, and blames an unusable one on the policy config", async () => {
            const img = await bundleSignedImage("acme/tsa-file", { timestamps: (sig) => [tsas.tsa.stamp(sig)] });
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-tsa-config-"));
            try {
                fs.writeFileSync(path.join(dir, "tsa-chain.pem"), tsas.tsa.chainPem);
                assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 }, { timestampAuthorities: [path.join(dir, "tsa-chain.pem")] })), []);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ maxAgeDays: 30 }, { timestampAuthorities: [tsas.tsa.certPem] })), [
                `${C}: the image-signature policy config cannot be used to check "${img.ref}": timestampAuthorities: timestamp authority 1: give the whole chain, the TSA's signing certificate first and its issuers up to the root; found one certificate`,
            ]);
        });
    });

    it("verifies each (digest, requirement) once per process", async () => {
        const img = await image("acme/cached");
        await signLegacyImage("acme/cached", img.digest);
        const cfg = config();
        await summaries(rule, DEPLOYMENT, withImage(img.ref), cfg);
        const client = registryClient({ insecureRegistries: cfg.insecureRegistries, timeoutSeconds: cfg.timeoutSeconds, dockerConfig: undefined });
        const before = client.requestCount();
        for (let i = 0; i < 5; i++) {
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), cfg), []);
        }
        assert.strictEqual(client.requestCount(), before);
    });

    it("judges two containers independently: one signed, one not", async () => {
        const signed = await image("acme/two");
        const unsigned = await image("acme/two");
        await signLegacyImage("acme/two", signed.digest);
        const props = deploymentWith((spec, c) => {
            c.image = signed.ref;
            spec.containers.push({ ...c, name: "sidecar", image: unsigned.ref });
        });
        const result = await summaries(rule, DEPLOYMENT, props, config());
        assert.deepStrictEqual(result.map((s) => s.split(":")[0]), ['container "sidecar"']);
    });

    it("checks what it can when another image is unknown during preview, then reports it could not run fully", async () => {
        const unsigned = await image("acme/partial");
        const props = deploymentWith((spec, c) => {
            c.image = UNKNOWN;
            spec.containers.push({ ...c, name: "sidecar", image: unsigned.ref });
        });
        const outcome = await run(rule, DEPLOYMENT, props, config());
        assert.strictEqual(outcome.kind, "violations");
        assert.deepStrictEqual((outcome as { summaries: string[] }).summaries.map((s) => s.split(":")[0]), ['container "sidecar"']);
        assert.match((outcome as { incomplete?: string }).incomplete ?? "", /can't be known during preview/);
    });

    it("is not applicable without requirements, or when no image matches one", async () => {
        assert.deepStrictEqual(await run(rule, DEPLOYMENT, withImage(`${registry.host}/acme/x@sha256:${"a".repeat(64)}`), {}), {
            kind: "notApplicable",
            reason: "no signature requirements are configured (requirements is empty)",
        });
        assert.deepStrictEqual(await run(rule, DEPLOYMENT, withImage(`ghcr.io/acme/x@sha256:${"a".repeat(64)}`), config()), {
            kind: "notApplicable",
            reason: "no image of this resource matches a signature requirement",
        });
    });

    it("reports a workload whose containers cannot be read instead of passing it", async () => {
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, deploymentWith((spec) => (spec.containers = "api")), config()), [
            'image-signature cannot check this resource: spec.template.spec.containers is "api", not a list of containers',
        ]);
    });

    it("leaves a docker.RemoteImage that builds its image to the Dockerfile policies", async () => {
        const props = { name: `${registry.host}/acme/built:1.0`, build: { context: "app" } };
        assert.deepStrictEqual(await run(rule, "docker:index/remoteImage:RemoteImage", props, config()), {
            kind: "notApplicable",
            reason: "it builds the image (the Dockerfile policies judge builds); it pulls nothing to verify",
        });
        const pulled = await image("acme/pulled");
        assert.strictEqual((await summaries(rule, "docker:index/remoteImage:RemoteImage", { name: pulled.ref }, config())).length, 1);
    });

    it("blames an unusable key on the policy config, not on the resource", async () => {
        const img = await image("acme/badkey");
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ keys: ["no-such-dir/cosign.pub"] })), [
            `${C}: the image-signature policy config cannot be used to check "${img.ref}": the key file ${path.resolve(process.env.PWD ?? process.cwd(), "no-such-dir/cosign.pub")} cannot be read (ENOENT)`,
        ]);
        const [summary] = await summaries(rule, DEPLOYMENT, withImage(img.ref), config({ keys: ["-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n"] }));
        assert.match(summary, /the image-signature policy config cannot be used to check .*: requirements\[0\]\.keys: /);
    });

    describe("registry failures", () => {
        const servers: TestServer[] = [];
        after(async () => {
            for (const s of servers) {
                await s.stop();
            }
        });
        const ref = (host: string) => `${host}/acme/api@sha256:${"a".repeat(64)}`;
        const cfg = (host: string, extra: Record<string, unknown> = {}) =>
            ({ requirements: [{ images: [`${host}/**`], keys: [signer.publicPem] }], insecureRegistries: [host], timeoutSeconds: 1, ...extra });

        it("reports a registry that refuses connections, naming the address", async () => {
            const host = `127.0.0.1:${await freePort()}`;
            const [summary] = await summaries(rule, DEPLOYMENT, withImage(ref(host)), cfg(host));
            assert.match(summary, new RegExp(`^${C}: the signature of "${ref(host).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" could not be checked: registry ${host}: .*connection refused at ${host}`));
        });

        it("reports a registry answering 500", async () => {
            const failing = await startErrorServer(500, "UNKNOWN", "internal server error");
            servers.push(failing);
            const [summary] = await summaries(rule, DEPLOYMENT, withImage(ref(failing.host)), cfg(failing.host));
            assert.match(summary, /could not be checked: registry 127\.0\.0\.1:\d+: .*500/);
        });

        it("bounds a registry that never answers by timeoutSeconds", async () => {
            const silent = await startSilentServer();
            servers.push(silent);
            const started = Date.now();
            const [summary] = await summaries(rule, DEPLOYMENT, withImage(ref(silent.host)), cfg(silent.host));
            assert.match(summary, /could not be checked: registry 127\.0\.0\.1:\d+: .*no answer within 1 s/);
            assert.ok(Date.now() - started < 10_000);
        });

        it("reports a malformed signature manifest", async () => {
            const liar = await startHttpServer((req, res) => {
                if ((req.url ?? "").includes(".sig")) {
                    res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
                    res.end('{"schemaVersion": 2, "layers": [');
                } else {
                    res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found");
                }
            });
            servers.push(liar);
            const [summary] = await summaries(rule, DEPLOYMENT, withImage(ref(liar.host)), cfg(liar.host));
            assert.match(summary, /could not be checked: registry 127\.0\.0\.1:\d+: .*malformed JSON/);
        });

        it("passes with a logged note when onRegistryError is \"pass\"", async () => {
            const host = `127.0.0.1:${await freePort()}`;
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(ref(host)), cfg(host, { onRegistryError: "pass" })), []);
        });
    });

    describe("a registry behind a bearer-token server", () => {
        let proxy: AuthProxy;
        let dockerConfigDir: string;
        before(async () => {
            proxy = await startAuthProxy({ upstream: registry.host, username: "ci", password: "s3cret-pass", mode: "bearer" });
            dockerConfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-docker-config-"));
            fs.writeFileSync(path.join(dockerConfigDir, "config.json"), JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from("ci:s3cret-pass").toString("base64") } } }));
        });
        after(async () => {
            await proxy?.stop();
            fs.rmSync(dockerConfigDir, { recursive: true, force: true });
        });

        it("verifies through the token flow with Docker config credentials, and never shows them", async () => {
            const img = await image("acme/private");
            await signLegacyImage("acme/private", img.digest);
            const viaProxy = img.ref.replace(registry.host, proxy.host);
            const cfg = {
                requirements: [{ images: [`${proxy.host}/**`], keys: [signer.publicPem], allowOtherRepository: true }],
                insecureRegistries: [proxy.host],
                timeoutSeconds: 2,
                dockerConfig: path.join(dockerConfigDir, "config.json"),
            };
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(viaProxy), cfg), []);
            assert.ok(proxy.counts.token >= 1);
            const unsigned = (await image("acme/private")).ref.replace(registry.host, proxy.host);
            const { messages } = await runPolicy(rule, DEPLOYMENT, withImage(unsigned), cfg);
            assert.strictEqual(messages.length, 1);
            for (const secret of ["s3cret-pass", Buffer.from("ci:s3cret-pass").toString("base64"), ...proxy.tokens]) {
                assert.ok(!messages[0].includes(secret), "a credential leaked into the message");
            }
        });
    });

    it("verifies a signature made with cosign's encrypted private key format", async () => {
        const pem = fs.readFileSync(sourcePath("tests", "fixtures", "cosign", "cosign_pemsigstorekey.pem"), "utf8");
        const privateKey = loadCosignEncryptedKey(pem, "hello");
        const publicPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
        const img = await image("acme/cosign-key");
        const payload = simpleSigningPayload(`${registry.host}/acme/cosign-key`, img.digest);
        await push(registry.host, "acme/cosign-key", legacySignatureManifest([{ payload, signatureB64: signLegacy(payload, privateKey) }]), legacySignatureTag(img.digest));
        const cfg = { ...config(), requirements: [{ images: [`${registry.host}/**`], keys: [publicPem] }] };
        assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(img.ref), cfg), []);
        assert.strictEqual((await summaries(rule, DEPLOYMENT, withImage(img.ref), config())).length, 1);
    });

    describe("real cosign signatures", () => {
        const fixture = (name: string) => sourcePath("tests", "fixtures", "cosign", name);
        const DIGEST = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

        /** Pushes cosign's own signature (payload and signature as cosign wrote them) to the .sig tag of its digest. */
        async function pushFixture(dir: string, repo: string): Promise<string> {
            const raw = fs.readFileSync(fixture(path.join(dir, "signature-1")));
            const json = JSON.parse(raw.subarray(raw.indexOf("{")).toString("utf8"));
            const payload = Buffer.from(json.payload, "base64");
            const digest = JSON.parse(payload.toString("utf8")).critical.image["docker-manifest-digest"];
            const manifest = legacySignatureManifest([
                { payload, signatureB64: json.annotations["dev.cosignproject.cosign/signature"], bundleAnnotation: json.annotations["dev.sigstore.cosign/bundle"] },
            ]);
            await push(registry.host, repo, manifest, legacySignatureTag(digest));
            return `${registry.host}/${repo}@${digest}`;
        }

        it("verifies cosign's signature with cosign.pub and rejects cosign2.pub", async () => {
            const ref = await pushFixture("dir-img-cosign-valid", "fixtures/valid");
            const cfg = (key: string) => ({
                requirements: [{ images: [`${registry.host}/**`], keys: [fs.readFileSync(fixture(key), "utf8")], allowOtherRepository: true }],
                insecureRegistries: [registry.host],
            });
            assert.strictEqual(ref.endsWith(DIGEST), true);
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(ref), cfg("cosign.pub")), []);
            assert.deepStrictEqual((await summaries(rule, DEPLOYMENT, withImage(ref), cfg("cosign2.pub"))).length, 1);
        });

        it("dates a cosign signature by its public-good Rekor receipt", async () => {
            const ref = await pushFixture("dir-img-cosign-key-rekor-valid", "fixtures/rekor");
            const cfg = (maxAgeDays: number) => ({
                requirements: [{ images: [`${registry.host}/**`], keys: [fs.readFileSync(fixture("cosign2.pub"), "utf8")], allowOtherRepository: true, maxAgeDays }],
                insecureRegistries: [registry.host],
            });
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(ref), cfg(100_000)), []);
            const age = Math.floor((Date.now() - Date.parse("2023-01-20T21:57:39Z")) / DAY);
            assert.deepStrictEqual(await summaries(rule, DEPLOYMENT, withImage(ref), cfg(30)), [
                `${C}: the signature of "${ref}" is ${age} days old (signed 2023-01-20T21:57:39.000Z, by its Rekor entry), older than the 30 days allowed`,
            ]);
        });
    });
});
