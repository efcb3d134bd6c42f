// A small read-only client for the OCI distribution API: manifests, blobs and referrers, over
// Node's global fetch.
//
// Transport: HTTPS with certificate verification. A registry is reached over plain HTTP only when
// it is listed in `insecureRegistries`: an entry `host:port` matches exactly that host and port, an
// entry without a port matches the host on any port (hosts compare case-insensitively). A listed
// registry is reached over plain HTTP only; HTTPS is not tried first.
//
// Authentication: every request goes out anonymously first (or with a token or basic credentials
// already learned for the same registry and scope). On 401 the client follows the registry's
// `WWW-Authenticate` challenge: `Bearer` fetches a token from the realm (with basic credentials
// when the Docker config has some), `Basic` resends with basic credentials. Tokens are cached per
// (registry, scope) until they expire, or for the life of the process when the token service
// gives no lifetime; a cached token that is refused is replaced once.
//
// Credentials come from the Docker config: `options.dockerConfig`, else `$DOCKER_CONFIG/config.json`,
// else `~/.docker/config.json`, read only when a registry asks for authentication. Within its
// `auths`, the entry for a registry is looked up in this order: the host as written
// (`127.0.0.1:5000`), `https://<host>`, `http://<host>`, for docker.io the keys Docker itself uses
// (`https://index.docker.io/v1/`, `index.docker.io`, `registry-1.docker.io`, `docker.io`), and finally
// any key whose host, after stripping a scheme and a path, is the registry's host. An entry gives
// `auth` (base64 of `user:password`) or `username` and `password`. Credential helpers
// (`credsStore`, `credHelpers`) and identity tokens are not supported.
//
// No credential or token ever appears in an error message: messages are built from fixed text,
// and whatever the registry sends back is scrubbed of every secret the client knows before use.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FetchedManifest, RegistryError, RegistryOptions } from "./types";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(", ");

/** Largest manifest (or referrers index) read into memory. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest blob read into memory. */
export const MAX_BLOB_BYTES = 16 * 1024 * 1024;
/** Largest token-service answer or error body read into memory. */
const MAX_SMALL_BYTES = 64 * 1024;
const MAX_REDIRECTS = 5;
const MAX_REFERRER_PAGES = 10;

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const DOCKER_HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io", "docker.io"];

export interface Referrer {
    readonly digest: string;
    readonly artifactType?: string;
    readonly mediaType: string;
    readonly annotations?: Record<string, string>;
}

export interface Referrers {
    /** "api": the OCI 1.1 referrers API answered; "tag": the `sha256-<hex>` index tag; "none": neither exists. */
    readonly source: "api" | "tag" | "none";
    readonly manifests: Referrer[];
}

interface Credentials {
    readonly username: string;
    readonly password: string;
}

interface Challenge {
    readonly scheme: string;
    readonly params: Record<string, string>;
}

interface CachedToken {
    readonly token: string;
    /** Milliseconds since the epoch; undefined: valid for the life of the process. */
    readonly expires?: number;
}

interface Answer {
    readonly status: number;
    readonly headers: Headers;
    readonly body: Buffer;
    /** The URL that finally answered (after redirects). */
    readonly url: URL;
}

/** Splits `host[:port]` (IPv6 in brackets) into a lower-case host and an optional port. */
function splitHost(hostPort: string): { host: string; port?: string } {
    const text = hostPort.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/\/.*$/, "");
    const m = /^(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/.exec(text);
    if (!m) {
        return { host: text };
    }
    return { host: m[1], port: m[2] || undefined };
}

/**
 * Whether `registry` (`host` or `host:port`) may be reached over plain HTTP: an entry with a port
 * matches exactly that host and port, an entry without a port matches the host on any port.
 */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[]): boolean {
    const target = splitHost(registry);
    return insecureRegistries.some((entry) => {
        const e = splitHost(entry);
        return e.host === target.host && (e.port === undefined || e.port === target.port);
    });
}

/** The host the API is served from: Docker Hub's API lives on registry-1.docker.io. */
export function apiHost(registry: string): string {
    return DOCKER_HUB.has(registry.toLowerCase()) ? "registry-1.docker.io" : registry;
}

/** Parses a `WWW-Authenticate` header into its challenges (RFC 7235 syntax). */
export function parseChallenges(header: string): Challenge[] {
    const challenges: Challenge[] = [];
    let i = 0;
    const n = header.length;
    const skip = (chars: string) => {
        while (i < n && chars.includes(header[i])) {
            i++;
        }
    };
    const token = () => {
        const start = i;
        while (i < n && !" \t,=\"".includes(header[i])) {
            i++;
        }
        return header.slice(start, i);
    };
    let current: { scheme: string; params: Record<string, string> } | undefined;
    while (i < n) {
        skip(" \t,");
        if (i >= n) {
            break;
        }
        const word = token();
        if (word === "") {
            i++;
            continue;
        }
        skip(" \t");
        if (header[i] === "=" && current) {
            i++;
            skip(" \t");
            let value: string;
            if (header[i] === "\"") {
                i++;
                let v = "";
                while (i < n && header[i] !== "\"") {
                    if (header[i] === "\\" && i + 1 < n) {
                        i++;
                    }
                    v += header[i];
                    i++;
                }
                i++;
                value = v;
            } else {
                value = token();
            }
            current.params[word.toLowerCase()] = value;
        } else if (header[i] === "=") {
            // A token68 or a parameter without a scheme: skip it.
            i++;
            token();
        } else {
            current = { scheme: word.toLowerCase(), params: {} };
            challenges.push(current);
        }
    }
    return challenges;
}

/** The JSON object in `bytes`, or undefined when it is not a JSON object. */
function parseObject(bytes: Buffer): Record<string, unknown> | undefined {
    try {
        const value: unknown = JSON.parse(bytes.toString("utf8"));
        return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

function digestOf(algorithm: "sha256" | "sha512", bytes: Buffer): string {
    return `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest("hex")}`;
}

function mediaTypeOf(contentType: string | null): string | undefined {
    const value = contentType?.split(";")[0].trim();
    return value ? value : undefined;
}

function mib(bytes: number): string {
    return `${bytes / (1024 * 1024)} MiB`;
}

function isStringRecord(value: unknown): value is Record<string, string> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value as object).every((v) => typeof v === "string");
}

function referrerList(index: Record<string, unknown>): Referrer[] {
    const manifests = Array.isArray(index.manifests) ? index.manifests : [];
    const out: Referrer[] = [];
    for (const m of manifests) {
        if (m === null || typeof m !== "object") {
            continue;
        }
        const d = m as Record<string, unknown>;
        if (typeof d.digest !== "string" || !DIGEST.test(d.digest) || typeof d.mediaType !== "string") {
            continue;
        }
        out.push({
            digest: d.digest,
            mediaType: d.mediaType,
            ...(typeof d.artifactType === "string" ? { artifactType: d.artifactType } : {}),
            ...(isStringRecord(d.annotations) ? { annotations: { ...d.annotations } } : {}),
        });
    }
    return out;
}

function isIndex(json: Record<string, unknown> | undefined, contentType: string | undefined): json is Record<string, unknown> {
    if (!json || !Array.isArray(json.manifests)) {
        return false;
    }
    const mediaType = typeof json.mediaType === "string" ? json.mediaType : contentType;
    return mediaType === undefined || mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** GO_SERVICE_GUARD_DEBUG=registry logs every registry request (host and path only) to stderr. */
const DEBUG_REQUESTS = (process.env.GO_SERVICE_GUARD_DEBUG ?? "").split(",").includes("registry");

export class RegistryClient {
    private readonly options: RegistryOptions;
    private readonly env: NodeJS.ProcessEnv;
    private requests = 0;
    /** Tokens per `<registry> <scope>`, as promises so that concurrent requests share one token fetch. */
    private readonly tokens = new Map<string, Promise<CachedToken>>();
    /** Registries that answered with a Basic challenge: credentials are sent to them up front. */
    private readonly basicRegistries = new Set<string>();
    /** Registries known to have no referrers API. */
    private readonly noReferrersApi = new Set<string>();
    /** Every credential and token this client has handled, to scrub from anything shown. */
    private readonly secrets = new Set<string>();
    private config?: { path: string; auths?: Record<string, unknown>; helpers: boolean; error?: string };

    constructor(options: RegistryOptions, env: NodeJS.ProcessEnv = process.env) {
        this.options = options;
        this.env = env;
    }

    /** HTTP requests sent so far, token requests and redirects included. */
    requestCount(): number {
        return this.requests;
    }

    /** The manifest at `reference` (a tag or a digest); fetched by digest, its bytes are checked against it. */
    async getManifest(registry: string, repository: string, reference: string): Promise<FetchedManifest> {
        const repo = this.checkName(registry, repository);
        const byDigest = reference.includes(":");
        if (byDigest ? !DIGEST.test(reference) : !TAG.test(reference)) {
            throw new RegistryError(registry, `invalid manifest reference "${reference.slice(0, 200)}" (a tag or a sha256 digest)`);
        }
        const what = byDigest ? `manifest ${repository}@${reference}` : `manifest ${repository}:${reference}`;
        const answer = await this.get(registry, repo, `/v2/${repo}/manifests/${reference}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, what);
        const json = parseObject(answer.body);
        if (!json) {
            throw new RegistryError(registry, `${what}: malformed JSON (${answer.body.length} bytes that do not parse as a JSON object)`);
        }
        const digest = digestOf("sha256", answer.body);
        if (byDigest) {
            const actual = reference.startsWith("sha512:") ? digestOf("sha512", answer.body) : digest;
            if (actual !== reference) {
                throw new RegistryError(registry, `${what}: the registry sent a manifest whose digest is ${actual}, not the requested digest`);
            }
        }
        const mediaType = typeof json.mediaType === "string" ? json.mediaType : (mediaTypeOf(answer.headers.get("content-type")) ?? "application/octet-stream");
        return { digest: byDigest ? reference : digest, mediaType, bytes: answer.body, json };
    }

    /** The blob `digest`, its bytes checked against the digest. */
    async getBlob(registry: string, repository: string, digest: string): Promise<Buffer> {
        const repo = this.checkName(registry, repository);
        if (!DIGEST.test(digest)) {
            throw new RegistryError(registry, `invalid blob digest "${digest.slice(0, 200)}"`);
        }
        const what = `blob ${repository}@${digest}`;
        const answer = await this.get(registry, repo, `/v2/${repo}/blobs/${digest}`, "*/*", MAX_BLOB_BYTES, what);
        const actual = digestOf(digest.startsWith("sha512:") ? "sha512" : "sha256", answer.body);
        if (actual !== digest) {
            throw new RegistryError(registry, `${what}: the registry sent ${answer.body.length} bytes whose digest is ${actual}, not the requested digest`);
        }
        return answer.body;
    }

    /**
     * The manifests that refer to `digest` (their `subject`): from the OCI 1.1 referrers API, or,
     * when the registry has none (404, 400, 406 or an answer that is not an index), from the index
     * at the referrers tag `sha256-<hex>`.
     */
    async referrers(registry: string, repository: string, digest: string): Promise<Referrers> {
        const repo = this.checkName(registry, repository);
        if (!DIGEST.test(digest)) {
            throw new RegistryError(registry, `invalid digest "${digest.slice(0, 200)}"`);
        }
        const fromApi = await this.referrersApi(registry, repo, repository, digest);
        if (fromApi) {
            return { source: "api", manifests: fromApi };
        }
        // The referrers tag schema: `<alg>-<hex>`, algorithm and hex cut to 32 and 64 characters.
        const [algorithm, hex] = digest.split(":");
        const tag = `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
        let index: FetchedManifest;
        try {
            index = await this.getManifest(registry, repository, tag);
        } catch (e) {
            if (e instanceof RegistryError && e.status === 404) {
                return { source: "none", manifests: [] };
            }
            throw e;
        }
        if (!isIndex(index.json, index.mediaType)) {
            return { source: "none", manifests: [] };
        }
        return { source: "tag", manifests: referrerList(index.json) };
    }

    /** The referrers from the API, or undefined when the registry has no referrers API. */
    private async referrersApi(registry: string, repo: string, repository: string, digest: string): Promise<Referrer[] | undefined> {
        if (this.noReferrersApi.has(registry)) {
            return undefined;
        }
        const what = `referrers of ${repository}@${digest}`;
        const manifests: Referrer[] = [];
        let next: string | undefined = `/v2/${repo}/referrers/${digest}`;
        for (let page = 0; next !== undefined && page < MAX_REFERRER_PAGES; page++) {
            const answer: Answer = await this.get(registry, repo, next, OCI_INDEX, MAX_MANIFEST_BYTES, what, page === 0 ? [404, 400, 406] : []);
            const json = answer.status === 200 ? parseObject(answer.body) : undefined;
            if (answer.status !== 200) {
                // A 404 without a distribution error code comes from the router, not from the
                // referrers API (distribution 2.8 answers "404 page not found"): the registry has no
                // such API, for this repository and every other. Remember that to save a request.
                if (answer.status !== 404 || !Array.isArray(parseObject(answer.body)?.errors)) {
                    this.noReferrersApi.add(registry);
                }
                return undefined;
            }
            if (!isIndex(json, mediaTypeOf(answer.headers.get("content-type")))) {
                if (page === 0) {
                    return undefined;
                }
                throw new RegistryError(registry, `${what}: page ${page + 1} is not an OCI index`);
            }
            manifests.push(...referrerList(json));
            next = this.nextPage(answer);
        }
        return manifests;
    }

    /** The path of the next page from a `Link: <…>; rel="next"` header, on the same host only. */
    private nextPage(answer: Answer): string | undefined {
        const link = answer.headers.get("link");
        const m = link ? /<([^>]*)>\s*;\s*rel="?next"?/.exec(link) : null;
        if (!m) {
            return undefined;
        }
        const url = new URL(m[1], answer.url);
        if (url.host !== answer.url.host) {
            return undefined;
        }
        return url.pathname + url.search;
    }

    private checkName(registry: string, repository: string): string {
        if (!HOST.test(registry)) {
            throw new RegistryError(registry, `invalid registry host "${registry.slice(0, 200)}"`);
        }
        if (repository.length > 255 || !REPOSITORY.test(repository)) {
            throw new RegistryError(registry, `invalid repository name "${repository.slice(0, 200)}"`);
        }
        return DOCKER_HUB.has(registry.toLowerCase()) && !repository.includes("/") ? `library/${repository}` : repository;
    }

    private baseUrl(registry: string): string {
        const scheme = isInsecureRegistry(registry, this.options.insecureRegistries) ? "http" : "https";
        return `${scheme}://${apiHost(registry)}`;
    }

    /** Replaces every known secret in `text`; used on anything that came from outside. */
    private scrub(text: string): string {
        let out = text;
        for (const secret of this.secrets) {
            if (secret.length >= 3) {
                out = out.split(secret).join("***");
            }
        }
        return out;
    }

    private remember(...secrets: string[]): void {
        for (const s of secrets) {
            if (s) {
                this.secrets.add(s);
                this.secrets.add(encodeURIComponent(s));
            }
        }
    }

    /** A GET with authentication handled; any answer but 200 becomes a RegistryError. */
    private async get(registry: string, repo: string, pathAndQuery: string, accept: string, limit: number, what: string, alsoAccept: readonly number[] = []): Promise<Answer> {
        const url = this.baseUrl(registry) + pathAndQuery;
        const scope = `repository:${repo}:pull`;
        let authorization = await this.knownAuthorization(registry, scope);
        let answer = await this.send(registry, url, { accept, authorization }, limit, what);
        if (answer.status === 401) {
            const header = answer.headers.get("www-authenticate") ?? "";
            authorization = await this.answerChallenge(registry, header, scope, authorization, what);
            if (authorization) {
                answer = await this.send(registry, url, { accept, authorization }, limit, what);
                if (answer.status === 401) {
                    const refused = !authorization.startsWith("Bearer ")
                        ? `the credentials for ${registry} from ${this.configPath()}`
                        : this.credentials(registry)
                          ? "the token from its token service"
                          : `the anonymous token from its token service, and ${this.noCredentials(registry)}`;
                    throw new RegistryError(registry, `${this.statusError(registry, answer, what).message}: the registry refused ${refused}`, 401);
                }
            }
        }
        if (answer.status !== 200 && !alsoAccept.includes(answer.status)) {
            throw this.statusError(registry, answer, what);
        }
        return answer;
    }

    /** The Authorization header already known to work for this registry and scope, if any. */
    private async knownAuthorization(registry: string, scope: string): Promise<string | undefined> {
        const cached = this.tokens.get(`${registry} ${scope}`);
        if (cached) {
            try {
                const token = await cached;
                if (token.expires === undefined || token.expires > Date.now()) {
                    return `Bearer ${token.token}`;
                }
            } catch {
                // A failed token fetch is retried on the next challenge.
            }
            this.tokens.delete(`${registry} ${scope}`);
        }
        if (this.basicRegistries.has(registry)) {
            const credentials = this.credentials(registry);
            if (credentials) {
                return this.basic(credentials);
            }
        }
        return undefined;
    }

    /** The Authorization header that answers the challenge, or an error saying why there is none. */
    private async answerChallenge(registry: string, header: string, defaultScope: string, sent: string | undefined, what: string): Promise<string | undefined> {
        const challenges = parseChallenges(header);
        const bearer = challenges.find((c) => c.scheme === "bearer");
        const basic = challenges.find((c) => c.scheme === "basic");
        if (bearer) {
            const scope = bearer.params.scope || defaultScope;
            const key = `${registry} ${scope}`;
            const cached = this.tokens.get(key);
            if (cached && sent !== undefined) {
                // The token we sent was refused (expired or revoked): fetch a new one once.
                this.tokens.delete(key);
            } else if (cached) {
                return `Bearer ${(await cached).token}`;
            }
            const pending = this.fetchToken(registry, bearer.params, scope, what);
            this.tokens.set(key, pending);
            pending.catch(() => {
                if (this.tokens.get(key) === pending) {
                    this.tokens.delete(key);
                }
            });
            const token = await pending;
            // Also cache under the scope the client asks for, so the next request sends it up front.
            if (scope !== defaultScope && !this.tokens.has(`${registry} ${defaultScope}`)) {
                this.tokens.set(`${registry} ${defaultScope}`, pending);
            }
            return `Bearer ${token.token}`;
        }
        if (basic) {
            const credentials = this.credentials(registry);
            if (!credentials) {
                throw new RegistryError(registry, `${what}: HTTP 401: the registry requires basic authentication and ${this.noCredentials(registry)}`, 401);
            }
            if (sent !== undefined && sent === this.basic(credentials)) {
                throw new RegistryError(registry, `${what}: HTTP 401: the registry refused the credentials for ${registry} from ${this.configPath()}`, 401);
            }
            this.basicRegistries.add(registry);
            return this.basic(credentials);
        }
        const schemes = challenges.map((c) => c.scheme).join(", ");
        throw new RegistryError(registry, `${what}: HTTP 401: ${schemes ? `unsupported authentication scheme (${this.scrub(schemes).slice(0, 100)})` : "no WWW-Authenticate challenge to follow"}`, 401);
    }

    private async fetchToken(registry: string, params: Record<string, string>, scope: string, what: string): Promise<CachedToken> {
        const realmText = params.realm;
        let realm: URL;
        try {
            realm = new URL(realmText ?? "");
        } catch {
            throw new RegistryError(registry, `${what}: HTTP 401 with a Bearer challenge whose realm is not a URL`, 401);
        }
        if (realm.protocol !== "https:" && !(realm.protocol === "http:" && isInsecureRegistry(realm.host, this.options.insecureRegistries))) {
            throw new RegistryError(registry, `${what}: the token service ${realm.protocol}//${realm.host} is neither HTTPS nor listed in insecureRegistries`, 401);
        }
        realm.username = "";
        realm.password = "";
        if (params.service) {
            realm.searchParams.set("service", params.service);
        }
        if (scope) {
            realm.searchParams.set("scope", scope);
        }
        const credentials = this.credentials(registry);
        const tokenWhat = `token service ${realm.origin}${realm.pathname}`;
        const answer = await this.send(registry, realm.toString(), { accept: "application/json", authorization: credentials ? this.basic(credentials) : undefined }, MAX_SMALL_BYTES, tokenWhat);
        if (answer.status === 401 || answer.status === 403) {
            const why = credentials ? `refused the credentials for ${registry} from ${this.configPath()}` : `requires credentials, and ${this.noCredentials(registry)}`;
            throw new RegistryError(registry, `${what}: the ${tokenWhat} ${why} (HTTP ${answer.status})`, 401);
        }
        if (answer.status !== 200) {
            const e = this.statusError(registry, answer, tokenWhat);
            throw new RegistryError(registry, `${what}: ${e.message}`, 401);
        }
        const json = parseObject(answer.body);
        const token = json && (typeof json.token === "string" && json.token ? json.token : typeof json.access_token === "string" ? json.access_token : undefined);
        if (!json || !token) {
            throw new RegistryError(registry, `${what}: the ${tokenWhat} answered without a token (${json ? "no token or access_token field" : "malformed JSON"})`, 401);
        }
        this.remember(token);
        const lifetime = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : undefined;
        // Refresh a little early so that a token does not expire between the check and the request.
        return { token, expires: lifetime === undefined ? undefined : Date.now() + Math.max(lifetime - 10, lifetime / 2) * 1000 };
    }

    private basic(credentials: Credentials): string {
        const value = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
        this.remember(value);
        return `Basic ${value}`;
    }

    private configPath(): string {
        if (this.options.dockerConfig) {
            return this.options.dockerConfig;
        }
        if (this.env.DOCKER_CONFIG) {
            return path.join(this.env.DOCKER_CONFIG, "config.json");
        }
        return path.join(this.env.HOME || os.homedir(), ".docker", "config.json");
    }

    private loadConfig(registry: string): { path: string; auths?: Record<string, unknown>; helpers: boolean } {
        if (!this.config) {
            const file = this.configPath();
            let text: string | undefined;
            try {
                text = fs.readFileSync(file, "utf8");
            } catch (e) {
                const code = (e as NodeJS.ErrnoException).code;
                // The standard location may well not exist; a configured path must.
                this.config = code === "ENOENT" && !this.options.dockerConfig ? { path: file, helpers: false } : { path: file, helpers: false, error: `cannot read the Docker config ${file} (${code ?? "error"})` };
            }
            if (text !== undefined) {
                let json: unknown;
                try {
                    json = JSON.parse(text);
                } catch {
                    // The parser's message quotes the text, which holds credentials: never show it.
                    json = undefined;
                }
                if (json === null || typeof json !== "object" || Array.isArray(json)) {
                    this.config = { path: file, helpers: false, error: `the Docker config ${file} is not a JSON object` };
                } else {
                    const c = json as Record<string, unknown>;
                    const auths = c.auths !== null && typeof c.auths === "object" ? (c.auths as Record<string, unknown>) : undefined;
                    this.config = { path: file, auths, helpers: c.credsStore !== undefined || c.credHelpers !== undefined };
                }
            }
        }
        if (this.config!.error) {
            throw new RegistryError(registry, this.config!.error);
        }
        return this.config!;
    }

    /** The credentials for `registry` from the Docker config, if it has any. */
    private credentials(registry: string): Credentials | undefined {
        const config = this.loadConfig(registry);
        const auths = config.auths;
        if (!auths) {
            return undefined;
        }
        const host = registry.toLowerCase();
        const keys = [registry, host, `https://${host}`, `http://${host}`];
        if (DOCKER_HUB.has(host)) {
            keys.push(...DOCKER_HUB_KEYS);
        }
        let entry: unknown;
        for (const key of keys) {
            if (Object.prototype.hasOwnProperty.call(auths, key)) {
                entry = auths[key];
                break;
            }
        }
        if (entry === undefined) {
            const wanted = DOCKER_HUB.has(host) ? [...DOCKER_HUB] : [host];
            const key = Object.keys(auths).find((k) => {
                const h = splitHost(k);
                return wanted.includes(h.port ? `${h.host}:${h.port}` : h.host);
            });
            entry = key === undefined ? undefined : auths[key];
        }
        if (entry === null || typeof entry !== "object") {
            return undefined;
        }
        const e = entry as Record<string, unknown>;
        if (typeof e.auth === "string" && e.auth) {
            const decoded = Buffer.from(e.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            this.remember(e.auth);
            if (colon > 0) {
                const credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
                this.remember(credentials.password);
                return credentials;
            }
            this.remember(decoded);
            return undefined;
        }
        if (typeof e.username === "string" && typeof e.password === "string" && e.username) {
            this.remember(e.password);
            return { username: e.username, password: e.password };
        }
        return undefined;
    }

    private noCredentials(registry: string): string {
        const config = this.config;
        const helpers = config?.helpers ? " (credential helpers, credsStore/credHelpers, are not supported)" : "";
        return `the Docker config ${this.configPath()} has no credentials for ${registry}${helpers}`;
    }

    /** The error for an answer other than 200, with the registry's own error code and message. */
    private statusError(registry: string, answer: Answer, what: string): RegistryError {
        const text = answer.status === 404 ? "not found" : answer.status === 401 ? "unauthorized" : answer.status === 403 ? "forbidden" : answer.status === 429 ? "too many requests" : answer.status >= 500 ? "registry error" : "unexpected status";
        let detail = "";
        const json = parseObject(answer.body);
        if (json && Array.isArray(json.errors)) {
            detail = json.errors
                .filter((e): e is Record<string, unknown> => e !== null && typeof e === "object")
                .map((e) => [e.code, e.message].filter((x) => typeof x === "string" && x).join(": "))
                .filter((s) => s)
                .join("; ");
        } else if (json && (typeof json.message === "string" || typeof json.error === "string")) {
            detail = String(json.message ?? json.error);
        } else if (!json && answer.body.length > 0 && !/^\s*</.test(answer.body.toString("utf8", 0, 16))) {
            detail = answer.body.toString("utf8", 0, 512);
        }
        detail = this.scrub(detail).replace(/\s+/g, " ").trim().slice(0, 300);
        return new RegistryError(registry, `${what}: HTTP ${answer.status} ${text}${detail ? ` (${detail})` : ""}`, answer.status);
    }

    /** One request and its redirects, bounded by the timeout, its body bounded by `limit`. */
    private async send(registry: string, url: string, headers: { accept: string; authorization?: string }, limit: number, what: string): Promise<Answer> {
        const seconds = this.options.timeoutSeconds;
        const signal = AbortSignal.timeout(Math.max(1, Math.round(seconds * 1000)));
        let current = new URL(url);
        let authorization = headers.authorization;
        for (let hop = 0; ; hop++) {
            this.requests++;
            if (DEBUG_REQUESTS) {
                console.error(`go-service-guard: registry request ${this.requests}: GET ${current.host}${current.pathname}`);
            }
            let response: Response;
            try {
                response = await fetch(current, {
                    method: "GET",
                    headers: { Accept: headers.accept, ...(authorization ? { Authorization: authorization } : {}) },
                    redirect: "manual",
                    signal,
                });
            } catch (e) {
                throw this.transportError(registry, current, e, what);
            }
            if ([301, 302, 303, 307, 308].includes(response.status)) {
                await response.body?.cancel().catch(() => undefined);
                const location = response.headers.get("location");
                if (!location || hop >= MAX_REDIRECTS) {
                    throw new RegistryError(registry, `${what}: ${location ? "too many redirects" : `HTTP ${response.status} redirect without a Location`}`, response.status);
                }
                const target = new URL(location, current);
                if (target.protocol !== "https:" && !(target.protocol === "http:" && isInsecureRegistry(target.host, this.options.insecureRegistries))) {
                    throw new RegistryError(registry, `${what}: redirected to ${target.protocol}//${target.host}, which is neither HTTPS nor listed in insecureRegistries`, response.status);
                }
                if (target.origin !== current.origin) {
                    // Credentials belong to the registry; a redirect elsewhere (a CDN for blobs) goes without them.
                    authorization = undefined;
                }
                current = target;
                continue;
            }
            const body = await this.readBody(registry, response, response.status === 200 ? limit : MAX_SMALL_BYTES, response.status === 200, current, what);
            return { status: response.status, headers: response.headers, body, url: current };
        }
    }

    private async readBody(registry: string, response: Response, limit: number, strict: boolean, url: URL, what: string): Promise<Buffer> {
        const declared = Number(response.headers.get("content-length"));
        if (strict && Number.isFinite(declared) && declared > limit) {
            await response.body?.cancel().catch(() => undefined);
            throw new RegistryError(registry, `${what}: ${declared} bytes exceed the limit of ${mib(limit)}`);
        }
        if (!response.body) {
            return Buffer.alloc(0);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const reader = response.body.getReader();
        try {
            for (;;) {
                const { done, value } = await reader.read();
                if (done) {
                    break;
                }
                size += value.byteLength;
                if (size > limit) {
                    await reader.cancel().catch(() => undefined);
                    if (strict) {
                        throw new RegistryError(registry, `${what}: more than the limit of ${mib(limit)}`);
                    }
                    chunks.push(Buffer.from(value.subarray(0, Math.max(0, value.byteLength - (size - limit)))));
                    break;
                }
                chunks.push(Buffer.from(value));
            }
        } catch (e) {
            if (e instanceof RegistryError) {
                throw e;
            }
            throw this.transportError(registry, url, e, what);
        }
        return Buffer.concat(chunks);
    }

    /** A RegistryError for a request that got no (complete) answer. */
    private transportError(registry: string, url: URL, error: unknown, what: string): RegistryError {
        const e = error as { name?: string; message?: string; cause?: unknown };
        const seconds = this.options.timeoutSeconds;
        if (e?.name === "TimeoutError" || e?.name === "AbortError") {
            return new RegistryError(registry, `${what}: no answer within ${seconds} s from ${url.host}`);
        }
        const cause = (e?.cause ?? e) as { code?: string; message?: string; address?: string; port?: number; errors?: Array<{ code?: string; address?: string; port?: number }> };
        const code = cause?.code ?? cause?.errors?.find((x) => x.code)?.code;
        const addresses = (cause?.errors ?? [cause])
            .filter((x) => x?.address)
            .map((x) => (x.address!.includes(":") ? `[${x.address}]` : x.address!) + (x.port !== undefined ? `:${x.port}` : ""));
        const address = addresses.length > 0 ? addresses.join(", ") : url.host;
        let text: string;
        switch (code) {
            case "ECONNREFUSED":
                text = `connection refused at ${address}`;
                break;
            case "ENOTFOUND":
            case "EAI_AGAIN":
                text = `cannot resolve host ${url.hostname} (${code})`;
                break;
            case "ECONNRESET":
            case "UND_ERR_SOCKET":
            case "EPIPE":
                text = `connection to ${address} closed before the answer was complete (${code})`;
                break;
            case "ETIMEDOUT":
            case "UND_ERR_CONNECT_TIMEOUT":
                text = `cannot connect to ${address}: timed out (${code})`;
                break;
            case "EHOSTUNREACH":
            case "ENETUNREACH":
                text = `${address} is unreachable (${code})`;
                break;
            case "ERR_SSL_WRONG_VERSION_NUMBER":
            case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
            case "EPROTO":
                text = `TLS handshake with ${address} failed (${code}): it may speak plain HTTP, which is used only for registries listed in insecureRegistries`;
                break;
            default:
                if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code)) {
                    text = `the TLS certificate of ${address} is not trusted (${code})`;
                } else {
                    const message = cause?.message ?? e?.message ?? String(error);
                    text = `request to ${url.host} failed (${code ? `${code}: ` : ""}${this.scrub(message).replace(/\s+/g, " ").slice(0, 200)})`;
                }
        }
        return new RegistryError(registry, `${what}: ${text}`);
    }
}
