import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { apiHost, isInsecureRegistry, parseChallenges, RegistryClient } from "../../../policies/signature/registry";
import { RegistryError, RegistryOptions } from "../../../policies/signature/types";
import {
    freePort,
    LocalRegistry,
    OCI_EMPTY,
    OCI_INDEX,
    OCI_MANIFEST,
    pushBlob,
    pushDescriptor,
    pushImage,
    pushManifest,
    sha256,
    startLocalRegistry,
} from "../../registry/local-registry";
import { AuthProxy, startAuthProxy, startErrorServer, startHttpServer, startSilentServer, TestServer } from "../../registry/token-proxy";

const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** The RegistryError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
async function failure(promise: Promise<unknown>): Promise<RegistryError> {
    try {
        await promise;
    } catch (e) {
        if (e instanceof RegistryError) {
            return e;
        }
        throw e;
    }
    assert.fail("expected a RegistryError");
}

/** Writes a Docker config with `auths` into a fresh temporary directory and returns the directory. */
function dockerConfigDir(auths: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gsg-docker-config-"));
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ auths, ...extra }));
    return dir;
}

function basicAuth(user: string, password: string): string {
    return Buffer.from(`${user}:${password}`).toString("base64");
}

/** Asserts that none of `secrets` appears in `text`. */
function assertNoSecret(text: string, secrets: string[]): void {
    for (const s of secrets) {
        assert.ok(!text.includes(s), `"${text}" contains a secret`);
    }
}

describe("signature registry client", function () {
    this.timeout(60000);
    let registry: LocalRegistry;
    const temps: string[] = [];
    const servers: Array<{ stop(): Promise<void> }> = [];

    before(async () => {
        registry = await startLocalRegistry();
    });

    after(async () => {
        await Promise.all(servers.map((s) => s.stop()));
        await registry?.stop();
        for (const dir of temps) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    function client(extra: Partial<RegistryOptions> = {}, env: NodeJS.ProcessEnv = { HOME: "/nonexistent" }): RegistryClient {
        return new RegistryClient({ insecureRegistries: [registry.host], timeoutSeconds: 5, ...extra }, env);
    }

    async function server<T extends { stop(): Promise<void> }>(started: Promise<T>): Promise<T> {
        const s = await started;
        servers.push(s);
        return s;
    }

    function configDir(auths: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
        const dir = dockerConfigDir(auths, extra);
        temps.push(dir);
        return dir;
    }

    describe("manifests and blobs", () => {
        it("fetches a manifest by tag: exact bytes, digest and media type", async () => {
            const image = await pushImage(registry.host, "demo/app", "v1");
            const c = client();
            const m = await c.getManifest(registry.host, "demo/app", "v1");
            assert.strictEqual(m.digest, image.digest);
            assert.ok(m.bytes.equals(image.bytes));
            assert.strictEqual(m.mediaType, OCI_MANIFEST);
            assert.deepStrictEqual(m.json, image.manifest);
            assert.strictEqual(c.requestCount(), 1);
        });

        it("fetches a manifest by digest and checks the bytes against it", async () => {
            const image = await pushImage(registry.host, "demo/app");
            const m = await client().getManifest(registry.host, "demo/app", image.digest);
            assert.strictEqual(m.digest, image.digest);
            assert.ok(m.bytes.equals(image.bytes));
        });

        it("fetches a blob and checks it against its digest", async () => {
            const bytes = crypto.randomBytes(1000);
            const digest = await pushBlob(registry.host, "demo/blobs", bytes);
            const c = client();
            assert.ok((await c.getBlob(registry.host, "demo/blobs", digest)).equals(bytes));
            assert.strictEqual(c.requestCount(), 1);
        });

        it("reports an unknown tag as HTTP 404 with the registry's error code", async () => {
            const e = await failure(client().getManifest(registry.host, "demo/app", "no-such-tag"));
            assert.strictEqual(e.status, 404);
            assert.strictEqual(e.registry, registry.host);
            assert.match(e.message, /^manifest demo\/app:no-such-tag: HTTP 404 not found \(MANIFEST_UNKNOWN: manifest unknown\)$/);
        });

        it("reports an unknown blob as HTTP 404", async () => {
            const e = await failure(client().getBlob(registry.host, "demo/app", sha256("nothing")));
            assert.strictEqual(e.status, 404);
            assert.match(e.message, /blob demo\/app@sha256:[0-9a-f]{64}: HTTP 404 not found \(BLOB_UNKNOWN: blob unknown to registry\)/);
        });

        it("rejects malformed names and references without a request", async () => {
            const c = client();
            assert.match((await failure(c.getManifest(registry.host, "../etc", "v1"))).message, /invalid repository name/);
            assert.match((await failure(c.getManifest(registry.host, "demo/app", "sha256:abc"))).message, /invalid manifest reference/);
            assert.match((await failure(c.getBlob(registry.host, "demo/app", "v1"))).message, /invalid blob digest/);
            assert.match((await failure(c.getManifest("bad host/x", "demo/app", "v1"))).message, /invalid registry host/);
            assert.strictEqual(c.requestCount(), 0);
        });
    });

    describe("referrers", () => {
        it("falls back to the referrers tag schema (distribution 2.8 has no referrers API)", async () => {
            const image = await pushImage(registry.host, "demo/signed", "v1");
            const empty = await pushDescriptor(registry.host, "demo/signed", "{}", OCI_EMPTY);
            const layer = await pushDescriptor(registry.host, "demo/signed", JSON.stringify({ mediaType: BUNDLE }), BUNDLE);
            const annotations = { "dev.sigstore.bundle.content": "dsse-envelope", "org.opencontainers.image.created": "2026-01-01T00:00:00Z" };
            const referrer = {
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                artifactType: BUNDLE,
                config: empty,
                layers: [layer],
                subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length },
                annotations,
            };
            const referrerBytes = Buffer.from(JSON.stringify(referrer));
            const referrerDigest = await pushManifest(registry.host, "demo/signed", sha256(referrerBytes), referrerBytes, OCI_MANIFEST);
            const index = {
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: [{ mediaType: OCI_MANIFEST, digest: referrerDigest, size: referrerBytes.length, artifactType: BUNDLE, annotations }],
            };
            await pushManifest(registry.host, "demo/signed", image.digest.replace(":", "-"), index, OCI_INDEX);

            const c = client();
            const found = await c.referrers(registry.host, "demo/signed", image.digest);
            assert.deepStrictEqual(found, {
                source: "tag",
                manifests: [{ digest: referrerDigest, mediaType: OCI_MANIFEST, artifactType: BUNDLE, annotations }],
            });
            // The referrers API answered "404 page not found", then the tag was read.
            assert.strictEqual(c.requestCount(), 2);
            const m = await c.getManifest(registry.host, "demo/signed", referrerDigest);
            assert.deepStrictEqual((m.json.subject as { digest: string }).digest, image.digest);

            // The registry is known to lack the API now: the next lookup reads only the tag.
            const again = await c.referrers(registry.host, "demo/signed", image.digest);
            assert.strictEqual(again.source, "tag");
            assert.strictEqual(c.requestCount(), 4);
        });

        it('answers "none" when there is no referrers tag', async () => {
            const image = await pushImage(registry.host, "demo/unsigned", "v1");
            assert.deepStrictEqual(await client().referrers(registry.host, "demo/unsigned", image.digest), { source: "none", manifests: [] });
        });

        it('answers "none" for a repository the registry does not know', async () => {
            assert.deepStrictEqual(await client().referrers(registry.host, "demo/never-pushed", sha256("x")), { source: "none", manifests: [] });
        });

        it("uses the referrers API when the registry has one", async () => {
            const subject = sha256("subject");
            const referrer = { mediaType: OCI_MANIFEST, digest: sha256("referrer"), size: 10, artifactType: BUNDLE };
            const api = await server(
                startHttpServer((req, res) => {
                    if (req.url === `/v2/demo/app/referrers/${subject}`) {
                        res.writeHead(200, { "Content-Type": OCI_INDEX });
                        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [referrer, { bogus: true }] }));
                    } else {
                        res.writeHead(404).end();
                    }
                }),
            );
            const c = new RegistryClient({ insecureRegistries: [api.host], timeoutSeconds: 5 }, {});
            assert.deepStrictEqual(await c.referrers(api.host, "demo/app", subject), {
                source: "api",
                manifests: [{ mediaType: OCI_MANIFEST, digest: referrer.digest, artifactType: BUNDLE }],
            });
            assert.strictEqual(c.requestCount(), 1);
        });
    });

    describe("registry failures", () => {
        it("connection refused names the address tried", async () => {
            const port = await freePort();
            const host = `127.0.0.1:${port}`;
            const e = await failure(new RegistryClient({ insecureRegistries: [host], timeoutSeconds: 5 }, {}).getManifest(host, "demo/app", "v1"));
            assert.strictEqual(e.registry, host);
            assert.strictEqual(e.status, undefined);
            assert.strictEqual(e.message, `manifest demo/app:v1: connection refused at 127.0.0.1:${port}`);
        });

        it("a registry that never answers is bounded by timeoutSeconds", async () => {
            const silent = await server(startSilentServer());
            const c = new RegistryClient({ insecureRegistries: [silent.host], timeoutSeconds: 1 }, {});
            const started = Date.now();
            const e = await failure(c.getManifest(silent.host, "demo/app", "v1"));
            const elapsed = Date.now() - started;
            assert.ok(elapsed >= 900 && elapsed < 3000, `took ${elapsed} ms`);
            assert.strictEqual(e.message, `manifest demo/app:v1: no answer within 1 s from ${silent.host}`);
            assert.strictEqual(silent.hits(), 1);
        });

        it("a registry that stops sending in the middle of a body is bounded too", async () => {
            const slow = await server(
                startHttpServer((_req, res) => {
                    res.writeHead(200, { "Content-Type": OCI_MANIFEST, "Content-Length": "1000" });
                    res.write('{"schemaVersion":');
                }),
            );
            const c = new RegistryClient({ insecureRegistries: [slow.host], timeoutSeconds: 1 }, {});
            const started = Date.now();
            const e = await failure(c.getManifest(slow.host, "demo/app", "v1"));
            assert.ok(Date.now() - started < 3000);
            assert.match(e.message, /no answer within 1 s/);
        });

        it("HTTP 500 carries the status and the registry's error message", async () => {
            const failing = await server(startErrorServer(500, "UNKNOWN", "storage backend unavailable"));
            const c = new RegistryClient({ insecureRegistries: [failing.host], timeoutSeconds: 5 }, {});
            const e = await failure(c.getManifest(failing.host, "demo/app", "v1"));
            assert.strictEqual(e.status, 500);
            assert.strictEqual(e.registry, failing.host);
            assert.strictEqual(e.message, "manifest demo/app:v1: HTTP 500 registry error (UNKNOWN: storage backend unavailable)");
            const r = await failure(c.referrers(failing.host, "demo/app", sha256("x")));
            assert.strictEqual(r.status, 500);
        });

        it("HTTP 503 with a plain-text body shows the text", async () => {
            const failing = await server(
                startHttpServer((_req, res) => {
                    res.writeHead(503, { "Content-Type": "text/plain" });
                    res.end("upstream connect error\n");
                }),
            );
            const e = await failure(new RegistryClient({ insecureRegistries: [failing.host], timeoutSeconds: 5 }, {}).getBlob(failing.host, "demo/app", sha256("x")));
            assert.strictEqual(e.status, 503);
            assert.match(e.message, /HTTP 503 registry error \(upstream connect error\)$/);
        });

        describe("a registry that lies", () => {
            const good = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }));
            const other = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [{}] }));
            let liar: TestServer;
            let c: RegistryClient;

            before(async () => {
                liar = await server(
                    startHttpServer((req, res) => {
                        const url = req.url ?? "";
                        if (url.endsWith("/manifests/broken")) {
                            res.writeHead(200, { "Content-Type": OCI_MANIFEST });
                            res.end('{"schemaVersion": 2, "layers": [');
                        } else if (url.endsWith("/manifests/array")) {
                            res.writeHead(200, { "Content-Type": OCI_MANIFEST });
                            res.end("[1, 2]");
                        } else if (url.includes("/manifests/sha256:")) {
                            res.writeHead(200, { "Content-Type": OCI_MANIFEST });
                            res.end(other);
                        } else if (url.includes("/blobs/")) {
                            res.writeHead(200, { "Content-Type": "application/octet-stream" });
                            res.end("not the blob you asked for");
                        } else if (url.endsWith("/manifests/huge")) {
                            res.writeHead(200, { "Content-Type": OCI_MANIFEST, "Content-Length": String(5 * 1024 * 1024) });
                            res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
                        } else if (url.endsWith("/manifests/endless")) {
                            res.writeHead(200, { "Content-Type": OCI_MANIFEST });
                            const chunk = Buffer.alloc(1024 * 1024, 0x20);
                            const write = () => {
                                while (res.write(chunk)) {
                                    // keep the buffer full
                                }
                            };
                            res.on("drain", write);
                            res.on("close", () => res.removeListener("drain", write));
                            write();
                        } else {
                            res.writeHead(404).end();
                        }
                    }),
                );
                c = new RegistryClient({ insecureRegistries: [liar.host], timeoutSeconds: 5 }, {});
            });

            it("malformed manifest JSON", async () => {
                const e = await failure(c.getManifest(liar.host, "demo/app", "broken"));
                assert.strictEqual(e.message, "manifest demo/app:broken: malformed JSON (32 bytes that do not parse as a JSON object)");
                assert.match((await failure(c.getManifest(liar.host, "demo/app", "array"))).message, /malformed JSON/);
            });

            it("a manifest whose sha256 is not the requested digest", async () => {
                const wanted = sha256(good);
                const e = await failure(c.getManifest(liar.host, "demo/app", wanted));
                assert.strictEqual(e.message, `manifest demo/app@${wanted}: the registry sent a manifest whose digest is ${sha256(other)}, not the requested digest`);
            });

            it("a blob whose digest does not match", async () => {
                const wanted = sha256("the blob");
                const e = await failure(c.getBlob(liar.host, "demo/app", wanted));
                assert.strictEqual(e.message, `blob demo/app@${wanted}: the registry sent 26 bytes whose digest is ${sha256("not the blob you asked for")}, not the requested digest`);
            });

            it("a manifest larger than 4 MiB, declared or not", async () => {
                assert.match((await failure(c.getManifest(liar.host, "demo/app", "huge"))).message, /manifest demo\/app:huge: 5242880 bytes exceed the limit of 4 MiB/);
                assert.match((await failure(c.getManifest(liar.host, "demo/app", "endless"))).message, /manifest demo\/app:endless: more than the limit of 4 MiB/);
            });
        });

        it("HTTPS to a plain-HTTP registry not in insecureRegistries fails clearly", async () => {
            const e = await failure(new RegistryClient({ insecureRegistries: [], timeoutSeconds: 5 }, {}).getManifest(registry.host, "demo/app", "v1"));
            assert.strictEqual(e.registry, registry.host);
            assert.match(e.message, /TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_WRONG_VERSION_NUMBER\): it may speak plain HTTP, which is used only for registries listed in insecureRegistries/);
        });
    });

    describe("authentication", () => {
        const USER = "ci-reader";
        const PASSWORD = "s3cret-Pa55word";
        let image: { digest: string; layer: { digest: string } };

        before(async () => {
            image = await pushImage(registry.host, "private/app", "v1");
        });

        function secretsOf(proxy: AuthProxy): string[] {
            return [PASSWORD, basicAuth(USER, PASSWORD), ...proxy.tokens];
        }

        it("basic auth with `auth` from the Docker config", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "basic" }));
            const dir = configDir({ [proxy.host]: { auth: basicAuth(USER, PASSWORD) } });
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5, dockerConfig: path.join(dir, "config.json") }, {});
            const m = await c.getManifest(proxy.host, "private/app", "v1");
            assert.strictEqual(m.digest, image.digest);
            assert.strictEqual(c.requestCount(), 2);
            // Once a registry asked for basic credentials, they go with the first request.
            await c.getBlob(proxy.host, "private/app", image.layer.digest);
            assert.strictEqual(c.requestCount(), 3);
            assert.strictEqual(proxy.counts.unauthorized, 1);
        });

        it("basic auth refused: says so, without the password", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "basic" }));
            const wrong = "wrong-Pa55word";
            const file = path.join(configDir({ [`https://${proxy.host}`]: { username: USER, password: wrong } }), "config.json");
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5, dockerConfig: file }, {});
            const e = await failure(c.getManifest(proxy.host, "private/app", "v1"));
            assert.strictEqual(e.status, 401);
            assert.strictEqual(
                e.message,
                `manifest private/app:v1: HTTP 401 unauthorized (UNAUTHORIZED: authentication required): the registry refused the credentials for ${proxy.host} from ${file}`,
            );
            assertNoSecret(e.message, [wrong, basicAuth(USER, wrong), PASSWORD]);
        });

        it("no credentials: a clear 401", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "basic" }));
            const dir = configDir({ "other.example": { auth: basicAuth(USER, PASSWORD) } });
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { DOCKER_CONFIG: dir });
            const e = await failure(c.getManifest(proxy.host, "private/app", "v1"));
            assert.strictEqual(e.status, 401);
            assert.strictEqual(
                e.message,
                `manifest private/app:v1: HTTP 401: the registry requires basic authentication and the Docker config ${path.join(dir, "config.json")} has no credentials for ${proxy.host}`,
            );
        });

        it("bearer token through the challenge, with credentials from $DOCKER_CONFIG; the token is cached", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "bearer" }));
            const dir = configDir({ [proxy.host]: { username: USER, password: PASSWORD } });
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { DOCKER_CONFIG: dir });
            const m = await c.getManifest(proxy.host, "private/app", "v1");
            assert.strictEqual(m.digest, image.digest);
            assert.ok((await c.getBlob(proxy.host, "private/app", image.layer.digest)).length > 0);
            assert.strictEqual((await c.referrers(proxy.host, "private/app", image.digest)).source, "none");
            assert.strictEqual(proxy.counts.token, 1);
            assert.strictEqual(proxy.counts.unauthorized, 1);
            assert.deepStrictEqual(proxy.tokenAuthorizations, [`Basic ${basicAuth(USER, PASSWORD)}`]);
            assert.deepStrictEqual(proxy.tokenQueries, ["?service=token-proxy&scope=repository%3Aprivate%2Fapp%3Apull"]);
            // challenge + token + retry, blob, referrers API + referrers tag
            assert.strictEqual(c.requestCount(), 6);
        });

        it("concurrent requests share one token fetch", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "bearer" }));
            const dir = configDir({ [proxy.host]: { auth: basicAuth(USER, PASSWORD) } });
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { DOCKER_CONFIG: dir });
            const results = await Promise.all(Array.from({ length: 10 }, () => c.getManifest(proxy.host, "private/app", image.digest)));
            assert.ok(results.every((m) => m.digest === image.digest));
            assert.strictEqual(proxy.counts.token, 1);
        });

        it("a revoked token is replaced once; `access_token` is accepted", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "bearer", tokenField: "access_token", expiresIn: 300 }));
            const dir = configDir({ [`https://${proxy.host}`]: { auth: basicAuth(USER, PASSWORD) } });
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5, dockerConfig: path.join(dir, "config.json") }, {});
            await c.getManifest(proxy.host, "private/app", "v1");
            proxy.revokeTokens();
            await c.getManifest(proxy.host, "private/app", image.digest);
            assert.strictEqual(proxy.counts.token, 2);
        });

        it("bearer token refused credentials: a clear message with no password or token in it", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "bearer" }));
            const wrong = "Wr0ng-pa55";
            const file = path.join(configDir({ [proxy.host]: { auth: basicAuth(USER, wrong) } }), "config.json");
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5, dockerConfig: file }, {});
            const e = await failure(c.getManifest(proxy.host, "private/app", "v1"));
            assert.strictEqual(e.status, 401);
            assert.strictEqual(
                e.message,
                `manifest private/app:v1: the token service http://${proxy.host}/token refused the credentials for ${proxy.host} from ${file} (HTTP 401)`,
            );
            assertNoSecret(e.message, [wrong, basicAuth(USER, wrong), ...secretsOf(proxy)]);
        });

        it("bearer token without credentials: says which config has none", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "bearer" }));
            const dir = configDir({});
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { DOCKER_CONFIG: dir });
            const e = await failure(c.referrers(proxy.host, "private/app", image.digest));
            assert.strictEqual(e.status, 401);
            assert.strictEqual(
                e.message,
                `referrers of private/app@${image.digest}: the token service http://${proxy.host}/token requires credentials, and the Docker config ${path.join(dir, "config.json")} has no credentials for ${proxy.host} (HTTP 401)`,
            );
            assert.deepStrictEqual(proxy.tokenAuthorizations, [undefined]);
        });

        it("no secret in the message even when the registry echoes it back", async () => {
            const token = "tok-" + crypto.randomBytes(8).toString("hex");
            const echo = await server(
                startHttpServer((req, res) => {
                    if (req.url?.startsWith("/token")) {
                        res.writeHead(200, { "Content-Type": "application/json" });
                        res.end(JSON.stringify({ token }));
                    } else if (!req.headers.authorization) {
                        res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${req.headers.host}/token",service="echo"` });
                        res.end();
                    } else {
                        res.writeHead(500, { "Content-Type": "application/json" });
                        res.end(JSON.stringify({ errors: [{ code: "UNKNOWN", message: `bad header ${req.headers.authorization}; you sent ${PASSWORD}` }] }));
                    }
                }),
            );
            const file = path.join(configDir({ [echo.host]: { auth: basicAuth(USER, PASSWORD) } }), "config.json");
            const c = new RegistryClient({ insecureRegistries: [echo.host], timeoutSeconds: 5, dockerConfig: file }, {});
            const e = await failure(c.getManifest(echo.host, "private/app", "v1"));
            assert.strictEqual(e.message, "manifest private/app:v1: HTTP 500 registry error (UNKNOWN: bad header Bearer ***; you sent ***)");
            assertNoSecret(e.message, [token, PASSWORD, basicAuth(USER, PASSWORD)]);
        });

        it("a malformed Docker config is reported without its contents", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "basic" }));
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gsg-docker-config-"));
            temps.push(dir);
            fs.writeFileSync(path.join(dir, "config.json"), `{"auths": {"${proxy.host}": {"auth": "${basicAuth(USER, PASSWORD)}"`);
            const c = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { DOCKER_CONFIG: dir });
            const e = await failure(c.getManifest(proxy.host, "private/app", "v1"));
            assert.strictEqual(e.message, `the Docker config ${path.join(dir, "config.json")} is not a JSON object`);
            assertNoSecret(e.message, [PASSWORD, basicAuth(USER, PASSWORD)]);
        });

        it("a configured Docker config that does not exist is an error; the default location may be absent", async () => {
            const proxy = await server(startAuthProxy({ upstream: registry.host, username: USER, password: PASSWORD, mode: "basic" }));
            const missing = path.join(os.tmpdir(), `gsg-missing-${crypto.randomBytes(4).toString("hex")}`, "config.json");
            const e = await failure(new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5, dockerConfig: missing }, {}).getManifest(proxy.host, "private/app", "v1"));
            assert.strictEqual(e.message, `cannot read the Docker config ${missing} (ENOENT)`);
            // Anonymous registries never need the config at all.
            const anonymous = new RegistryClient({ insecureRegistries: [registry.host], timeoutSeconds: 5, dockerConfig: missing }, {});
            assert.strictEqual((await anonymous.getManifest(registry.host, "private/app", "v1")).digest, image.digest);
            const home = new RegistryClient({ insecureRegistries: [proxy.host], timeoutSeconds: 5 }, { HOME: path.dirname(missing) });
            assert.match((await failure(home.getManifest(proxy.host, "private/app", "v1"))).message, /has no credentials for/);
        });
    });

    describe("redirects", () => {
        it("follows a blob redirect to another host without the registry's credentials", async () => {
            const bytes = Buffer.from("blob behind a CDN");
            const seen: Array<string | undefined> = [];
            const cdn = await server(
                startHttpServer((req, res) => {
                    seen.push(req.headers.authorization);
                    res.writeHead(200, { "Content-Type": "application/octet-stream" });
                    res.end(bytes);
                }),
            );
            const origin = await server(
                startHttpServer((req, res) => {
                    if (req.headers.authorization !== `Basic ${basicAuth("u", "p4ssword")}`) {
                        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"' }).end();
                    } else {
                        res.writeHead(307, { Location: `http://${cdn.host}/cdn${req.url}` }).end();
                    }
                }),
            );
            const file = path.join(configDir({ [origin.host]: { auth: basicAuth("u", "p4ssword") } }), "config.json");
            const c = new RegistryClient({ insecureRegistries: [origin.host, cdn.host], timeoutSeconds: 5, dockerConfig: file }, {});
            assert.ok((await c.getBlob(origin.host, "demo/app", sha256(bytes))).equals(bytes));
            assert.deepStrictEqual(seen, [undefined]);
            assert.strictEqual(c.requestCount(), 3);
        });

        it("refuses a redirect to plain HTTP on a host not in insecureRegistries", async () => {
            const origin = await server(
                startHttpServer((req, res) => {
                    res.writeHead(302, { Location: `http://localhost:9/${req.url}` }).end();
                }),
            );
            const c = new RegistryClient({ insecureRegistries: [origin.host], timeoutSeconds: 5 }, {});
            const e = await failure(c.getBlob(origin.host, "demo/app", sha256("x")));
            assert.strictEqual(e.message, `blob demo/app@${sha256("x")}: redirected to http://localhost:9, which is neither HTTPS nor listed in insecureRegistries`);
        });
    });

    describe("helpers", () => {
        it("insecureRegistries: host:port exactly, a bare host on any port", () => {
            assert.ok(isInsecureRegistry("127.0.0.1:5000", ["127.0.0.1:5000"]));
            assert.ok(!isInsecureRegistry("127.0.0.1:5001", ["127.0.0.1:5000"]));
            assert.ok(!isInsecureRegistry("127.0.0.1", ["127.0.0.1:5000"]));
            assert.ok(isInsecureRegistry("127.0.0.1:5001", ["127.0.0.1"]));
            assert.ok(isInsecureRegistry("Registry.Local", ["registry.local"]));
            assert.ok(isInsecureRegistry("[::1]:5000", ["[::1]"]));
            assert.ok(!isInsecureRegistry("registry.local.evil", ["registry.local"]));
            assert.ok(!isInsecureRegistry("ghcr.io", []));
        });

        it("a bare host in insecureRegistries reaches the registry over plain HTTP", async () => {
            const image = await pushImage(registry.host, "demo/bare", "v1");
            const c = new RegistryClient({ insecureRegistries: ["127.0.0.1"], timeoutSeconds: 5 }, {});
            assert.strictEqual((await c.getManifest(registry.host, "demo/bare", "v1")).digest, image.digest);
        });

        it("docker.io is served from registry-1.docker.io", () => {
            assert.strictEqual(apiHost("docker.io"), "registry-1.docker.io");
            assert.strictEqual(apiHost("index.docker.io"), "registry-1.docker.io");
            assert.strictEqual(apiHost("ghcr.io"), "ghcr.io");
        });

        it("parses WWW-Authenticate challenges", () => {
            assert.deepStrictEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'), [
                { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/alpine:pull" } },
            ]);
            assert.deepStrictEqual(parseChallenges('Basic realm="Registry Realm", Bearer realm="https://a/t", error="invalid_token"'), [
                { scheme: "basic", params: { realm: "Registry Realm" } },
                { scheme: "bearer", params: { realm: "https://a/t", error: "invalid_token" } },
            ]);
            assert.deepStrictEqual(parseChallenges("Basic"), [{ scheme: "basic", params: {} }]);
            assert.deepStrictEqual(parseChallenges('Bearer realm="a \\"q\\" b",scope=x'), [{ scheme: "bearer", params: { realm: 'a "q" b', scope: "x" } }]);
        });
    });
});
