// image-signature over the Analyzer protocol, against a real registry on 127.0.0.1.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PackProcess, readConfigFile, reconcileConfig, UNKNOWN } from "../../scripts/lib/analyzer";
import { deploymentWith } from "../fixtures/workloads";
import { PACK_DIR } from "../paths";
import { LocalRegistry, pushBlob, pushImage, pushManifest, startLocalRegistry } from "../registry/local-registry";
import { generateKeyPair, KeyPair, legacySignatureManifest, legacySignatureTag, signLegacy, simpleSigningPayload } from "../signature-fixtures/sign";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("image-signature over the Analyzer protocol", function () {
    this.timeout(120_000);
    let registry: LocalRegistry;
    let pack: PackProcess;
    let signer: KeyPair;
    let dir: string;
    let signed: string;
    let unsigned: string;

    before(async () => {
        registry = await startLocalRegistry();
        signer = generateKeyPair();
        const a = await pushImage(registry.host, "shop/api");
        const b = await pushImage(registry.host, "shop/worker");
        const payload = simpleSigningPayload(`${registry.host}/shop/api`, a.digest);
        const manifest = legacySignatureManifest([{ payload, signatureB64: signLegacy(payload, signer.privateKey) }]);
        for (const blob of manifest.blobs) {
            await pushBlob(registry.host, "shop/api", blob.bytes);
        }
        await pushManifest(registry.host, "shop/api", legacySignatureTag(a.digest), manifest.bytes, manifest.mediaType);
        signed = `${registry.host}/shop/api@${a.digest}`;
        unsigned = `${registry.host}/shop/worker@${b.digest}`;

        dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-signature-pack-"));
        fs.writeFileSync(path.join(dir, "cosign.pub"), signer.publicPem);
        pack = await PackProcess.start(PACK_DIR, { GO_SERVICE_GUARD_PROGRAM_DIR: dir });
    });

    after(async () => {
        await pack?.stop();
        await registry?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function configure(file: unknown): Promise<void> {
        const configPath = path.join(dir, "policy-config.json");
        fs.writeFileSync(configPath, JSON.stringify(file));
        await pack.configure(reconcileConfig(await pack.getAnalyzerInfo(), readConfigFile(configPath)));
    }

    const requirementConfig = (level?: string) => ({
        ...(level ? { all: level } : {}),
        "image-signature": {
            // A key file, relative to the program directory.
            requirements: [{ images: [`${registry.host}/shop/**`], keys: ["cosign.pub"] }],
            insecureRegistries: [registry.host],
            timeoutSeconds: 5,
        },
    });

    function twoContainers(first: string, second: string) {
        return deploymentWith((spec, c) => {
            c.image = first;
            spec.containers.push({ ...c, name: "worker", image: second });
        });
    }

    it("reports the unsigned container of a Deployment with one signed and one unsigned container, mandatory", async () => {
        await configure(requirementConfig());
        const result = await pack.analyze({ type: DEPLOYMENT, name: "checkout", props: twoContainers(signed, unsigned) });
        const signatures = result.diagnostics.filter((d) => d.policyName === "image-signature");
        assert.deepStrictEqual(signatures.map((d) => d.enforcementLevel), ["mandatory"]);
        assert.ok(
            signatures[0].message.includes(`Deployment "checkout", container "worker": image "${unsigned}" has no signature for its digest that verifies under the configured key`),
            signatures[0].message,
        );
        assert.ok(!result.notApplicable.some((n) => n.policyName === "image-signature"));
    });

    it("is advisory under {\"all\": \"advisory\"}", async () => {
        await configure(requirementConfig("advisory"));
        const result = await pack.analyze({ type: DEPLOYMENT, name: "checkout", props: twoContainers(signed, unsigned) });
        assert.deepStrictEqual(result.diagnostics.filter((d) => d.policyName === "image-signature").map((d) => d.enforcementLevel), ["advisory"]);
    });

    it("gives the advisory can't-run for an image unknown during preview, after judging the known one", async () => {
        await configure(requirementConfig());
        const result = await pack.analyze({ type: DEPLOYMENT, name: "checkout", props: twoContainers(UNKNOWN, unsigned) });
        const signatures = result.diagnostics.filter((d) => d.policyName === "image-signature");
        assert.deepStrictEqual(signatures.map((d) => d.enforcementLevel), ["mandatory", "advisory"]);
        assert.match(signatures[0].message, /container "worker": image .* has no signature/);
        assert.match(signatures[1].message, /^can't run policy 'image-signature' from policy pack 'go-service-guard@v[0-9.]+' during preview: /);
    });

    it("passes two signed containers, and is not applicable without requirements", async () => {
        await configure(requirementConfig());
        const ok = await pack.analyze({ type: DEPLOYMENT, name: "checkout", props: twoContainers(signed, signed) });
        assert.deepStrictEqual(ok.diagnostics.filter((d) => d.policyName === "image-signature"), []);
        await configure({});
        const none = await pack.analyze({ type: DEPLOYMENT, name: "checkout", props: twoContainers(signed, unsigned) });
        assert.deepStrictEqual(none.notApplicable.filter((n) => n.policyName === "image-signature"), [
            { policyName: "image-signature", reason: "no signature requirements are configured (requirements is empty)" },
        ]);
    });
});
