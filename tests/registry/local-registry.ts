// A real OCI registry for the tests: Debian's docker-registry (distribution 2.8.2) on 127.0.0.1 at
// a free port, with its storage in a temporary directory, plus helpers that push blobs, manifests
// and small images to it with plain HTTP API calls.
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

const REGISTRY_BINARY = "/usr/bin/docker-registry";
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface LocalRegistry {
    /** `127.0.0.1:<port>` */
    readonly host: string;
    /** `http://127.0.0.1:<port>` */
    readonly url: string;
    /** The registry's storage root. */
    readonly storage: string;
    stop(): Promise<void>;
}

export interface Descriptor {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
}

export interface PushedImage {
    /** Digest of the image manifest. */
    readonly digest: string;
    /** The manifest bytes as pushed. */
    readonly bytes: Buffer;
    readonly manifest: Record<string, unknown>;
    readonly config: Descriptor;
    readonly layer: Descriptor;
}

export function sha256(bytes: Buffer | string): string {
    return `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

function registryBinary(): string {
    if (fs.existsSync(REGISTRY_BINARY)) {
        return REGISTRY_BINARY;
    }
    throw new Error(
        `${REGISTRY_BINARY} is missing: the registry tests need Debian's docker-registry package, which .ci/run installs ` +
            "(apt-get install -y --no-install-recommends docker-registry)",
    );
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve(true);
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

/** Starts docker-registry on 127.0.0.1 at a free port and waits until `GET /v2/` answers. */
export async function startLocalRegistry(): Promise<LocalRegistry> {
    const binary = registryBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gsg-registry-"));
    const storage = path.join(dir, "storage");
    fs.mkdirSync(storage);
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    const configFile = path.join(dir, "config.yml");
    fs.writeFileSync(
        configFile,
        [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${JSON.stringify(storage)}`,
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            `  addr: ${host}`,
            `  secret: ${crypto.randomBytes(16).toString("hex")}`,
            "",
        ].join("\n"),
    );

    const child = spawn(binary, ["serve", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000);
    });
    let spawnError: Error | undefined;
    child.on("error", (e) => {
        spawnError = e;
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);

    const stop = async () => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
                child.kill("SIGKILL");
                await waitForExit(child, STOP_TIMEOUT_MS);
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
        if (spawnError || child.exitCode !== null || child.signalCode !== null) {
            await stop();
            throw new Error(`docker-registry exited before it answered on ${host}: ${spawnError?.message ?? ""}${stderr.trim()}`);
        }
        try {
            const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
            await res.arrayBuffer();
            if (res.status === 200) {
                break;
            }
        } catch {
            // Not listening yet.
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`docker-registry did not answer GET ${url}/v2/ within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`);
        }
        await sleep(50);
    }
    return { host, url, storage, stop };
}

async function expectStatus(res: Response, expected: number, what: string): Promise<void> {
    if (res.status !== expected) {
        const text = await res.text().catch(() => "");
        throw new Error(`${what}: HTTP ${res.status} (expected ${expected}): ${text.slice(0, 500)}`);
    }
}

/** Pushes `bytes` as a blob of `repo` (monolithic upload) and returns its digest. */
export async function pushBlob(host: string, repo: string, bytes: Buffer | string): Promise<string> {
    const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const digest = sha256(body);
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await expectStatus(start, 202, `start upload to ${repo}`);
    await start.arrayBuffer();
    const location = new URL(start.headers.get("location") ?? "", `http://${host}/`);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(body.length) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await expectStatus(put, 201, `upload blob ${digest} to ${repo}`);
    await put.arrayBuffer();
    return digest;
}

/** Pushes a manifest (an object, serialised as JSON, or exact bytes) at `reference` and returns its digest. */
export async function pushManifest(host: string, repo: string, reference: string, manifest: object | string | Buffer, mediaType: string): Promise<string> {
    const body = Buffer.isBuffer(manifest) ? manifest : Buffer.from(typeof manifest === "string" ? manifest : JSON.stringify(manifest));
    const digest = sha256(body);
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
        method: "PUT",
        headers: { "Content-Type": mediaType },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await expectStatus(res, 201, `push manifest ${repo}:${reference}`);
    await res.arrayBuffer();
    const echoed = res.headers.get("docker-content-digest");
    if (echoed && echoed !== digest) {
        throw new Error(`push manifest ${repo}:${reference}: the registry computed ${echoed}, not ${digest}`);
    }
    return digest;
}

/** Pushes a blob and returns its descriptor. */
export async function pushDescriptor(host: string, repo: string, bytes: Buffer | string, mediaType: string): Promise<Descriptor> {
    const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    return { mediaType, digest: await pushBlob(host, repo, body), size: body.length };
}

/**
 * Pushes a small random OCI image (a config and one layer) at `tag` (or by digest only when `tag`
 * is undefined) and returns its manifest digest and bytes.
 */
export async function pushImage(host: string, repo: string, tag?: string): Promise<PushedImage> {
    const layerBytes = crypto.randomBytes(256);
    const layer = await pushDescriptor(host, repo, layerBytes, OCI_LAYER);
    const configJson = {
        architecture: "amd64",
        os: "linux",
        config: { Env: [`NONCE=${crypto.randomBytes(8).toString("hex")}`] },
        rootfs: { type: "layers", diff_ids: [layer.digest] },
    };
    const config = await pushDescriptor(host, repo, JSON.stringify(configJson), OCI_CONFIG);
    const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256(bytes);
    await pushManifest(host, repo, tag ?? digest, bytes, OCI_MANIFEST);
    return { digest, bytes, manifest, config, layer };
}
