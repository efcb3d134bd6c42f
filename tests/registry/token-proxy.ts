// A loopback HTTP server in front of a registry that demands authentication, the way hosted
// registries do: "bearer" mode answers 401 with a Bearer challenge pointing at its own /token
// endpoint (which wants basic credentials and returns {token}); "basic" mode wants basic
// credentials on every request. Authorised requests are forwarded to the registry.
import * as crypto from "crypto";
import * as http from "http";
import * as net from "net";

export interface AuthProxyOptions {
    /** The registry behind the proxy, `host:port` (plain HTTP). */
    readonly upstream: string;
    readonly username: string;
    readonly password: string;
    readonly mode: "bearer" | "basic";
    /** Field the token endpoint puts the token in. */
    readonly tokenField?: "token" | "access_token";
    /** `expires_in` sent with the token, if any. */
    readonly expiresIn?: number;
}

export interface AuthProxy {
    /** `127.0.0.1:<port>` */
    readonly host: string;
    readonly url: string;
    /** Every token handed out so far. */
    readonly tokens: string[];
    /** Requests the proxy received, per kind. */
    readonly counts: { token: number; unauthorized: number; forwarded: number };
    /** The Authorization headers the token endpoint received. */
    readonly tokenAuthorizations: Array<string | undefined>;
    /** The query strings the token endpoint received. */
    readonly tokenQueries: string[];
    /** Makes every token handed out so far invalid. */
    revokeTokens(): void;
    stop(): Promise<void>;
}

function listen(server: net.Server): Promise<string> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as net.AddressInfo).port}`));
    });
}

/** Closes `server` and destroys its open connections. */
export function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
    return new Promise((resolve) => {
        for (const s of sockets) {
            s.destroy();
        }
        server.close(() => resolve());
    });
}

function track(server: net.Server): Set<net.Socket> {
    const sockets = new Set<net.Socket>();
    server.on("connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    return sockets;
}

function repositoryOf(url: string): string | undefined {
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(url);
    return m?.[1];
}

export async function startAuthProxy(options: AuthProxyOptions): Promise<AuthProxy> {
    const valid = new Set<string>();
    const tokens: string[] = [];
    const counts = { token: 0, unauthorized: 0, forwarded: 0 };
    const tokenAuthorizations: Array<string | undefined> = [];
    const tokenQueries: string[] = [];
    const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    let host = "";

    const server = http.createServer((req, res) => {
        const url = req.url ?? "/";
        if (options.mode === "bearer" && url.startsWith("/token")) {
            counts.token++;
            tokenAuthorizations.push(req.headers.authorization);
            tokenQueries.push(url.slice("/token".length));
            if (req.headers.authorization !== basic) {
                res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="token"' });
                res.end(JSON.stringify({ details: "incorrect username or password" }));
                return;
            }
            const token = crypto.randomBytes(24).toString("hex");
            valid.add(token);
            tokens.push(token);
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ [options.tokenField ?? "token"]: token, ...(options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {}) }));
            return;
        }
        const authorization = req.headers.authorization ?? "";
        const ok = options.mode === "basic" ? authorization === basic : authorization.startsWith("Bearer ") && valid.has(authorization.slice("Bearer ".length));
        if (!ok) {
            counts.unauthorized++;
            const repo = repositoryOf(url);
            const challenge =
                options.mode === "basic"
                    ? 'Basic realm="registry"'
                    : `Bearer realm="http://${host}/token",service="token-proxy"${repo ? `,scope="repository:${repo}:pull"` : ""}`;
            res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": challenge });
            res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] }));
            return;
        }
        counts.forwarded++;
        const headers = { ...req.headers, host: options.upstream };
        delete headers.authorization;
        const [upstreamHost, upstreamPort] = options.upstream.split(":");
        const forward = http.request({ host: upstreamHost, port: Number(upstreamPort), method: req.method, path: url, headers }, (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
        });
        forward.on("error", (e) => {
            res.writeHead(502, { "Content-Type": "text/plain" });
            res.end(`upstream: ${e.message}`);
        });
        req.pipe(forward);
    });
    const sockets = track(server);
    host = await listen(server);
    return {
        host,
        url: `http://${host}`,
        tokens,
        counts,
        tokenAuthorizations,
        tokenQueries,
        revokeTokens: () => valid.clear(),
        stop: () => closeServer(server, sockets),
    };
}

export interface TestServer {
    /** `127.0.0.1:<port>` */
    readonly host: string;
    /** Connections accepted (or requests answered, for HTTP servers) so far. */
    readonly hits: () => number;
    stop(): Promise<void>;
}

/** A "registry" that accepts connections and never answers. */
export async function startSilentServer(): Promise<TestServer> {
    let hits = 0;
    const server = net.createServer(() => {
        hits++;
    });
    const sockets = track(server);
    const host = await listen(server);
    return { host, hits: () => hits, stop: () => closeServer(server, sockets) };
}

/** An HTTP server that answers every request with `handler`. */
export async function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
    let hits = 0;
    const server = http.createServer((req, res) => {
        hits++;
        handler(req, res);
    });
    const sockets = track(server);
    const host = await listen(server);
    return { host, hits: () => hits, stop: () => closeServer(server, sockets) };
}

/** A "registry" that answers every request with `status` and a distribution-style JSON error body. */
export function startErrorServer(status = 500, code = "UNKNOWN", message = "internal server error"): Promise<TestServer> {
    return startHttpServer((_req, res) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
    });
}
