// `npm run bench`: the pack's cost over an empty pack on the same @pulumi/policy and @pulumi/pulumi.
//
//  1. Cold start: spawn → port line, as the CLI starts a pack (@pulumi/pulumi/cmd/run-policy-pack,
//     cwd = pack directory), for this pack and for an empty one, interleaved.
//  2. Analyze over gRPC: per-resource time for the same 1,000 Deployments (compliant and failing),
//     one request at a time and with 8 in flight (the engine analyzes resources in parallel).
//
// Targets (issue 2): cold start ≤ 1.2× the empty pack, per-resource time ≤ 1.5× the empty pack.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PackProcess, reconcileConfig, ResourceToAnalyze } from "./lib/analyzer";
import { checkPackBuilt, findPackDir } from "./preview";
import { pushBlob, pushImage, pushManifest, startLocalRegistry } from "../tests/registry/local-registry";
import { generateKeyPair, legacySignatureManifest, legacySignatureTag, signLegacy, simpleSigningPayload } from "../tests/signature-fixtures/sign";

const USAGE = `Usage: npm run bench [-- --cold-runs <n>] [--resources <n>]

Measures cold start (spawn → port line; default 10 runs per pack) and per-resource Analyze time
over gRPC (default 1,000 Deployments, sequential and 8 in flight) for go-service-guard and for an
empty pack on the same @pulumi/policy, and checks the targets: cold start ≤ 1.2× and per-resource
time ≤ 1.5× the empty pack's. Uses the compiled pack in bin/ (npm run build).`;

const COLD_START_TARGET = 1.2;
const ANALYZE_TARGET = 1.5;
const CONCURRENCY = 8;
/** Analyze measurements per pack and mode; the median round is reported. */
const ROUNDS = 3;
const WARMUP_REQUESTS = 200;

type Props = Record<string, any>;

interface Options {
    coldRuns: number;
    resources: number;
}

function parseArgs(argv: string[]): Options | "help" {
    const options: Options = { coldRuns: 10, resources: 1000 };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            return "help";
        }
        const key = arg === "--cold-runs" ? "coldRuns" : arg === "--resources" ? "resources" : undefined;
        const value = Number(argv[i + 1]);
        if (key === undefined || !Number.isInteger(value) || value < 1) {
            throw new Error(`bad argument ${arg}${key ? ` ${argv[i + 1] ?? ""}` : ""}\n\n${USAGE}`);
        }
        options[key] = value;
        i++;
    }
    return options;
}

/** An empty pack beside this one: same SDKs (through a node_modules link), same tsconfig.json. */
function createEmptyPack(packDir: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-empty-pack-"));
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "description: An empty policy pack, the baseline for go-service-guard's bench.\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty-pack", version: "0.0.1", main: "index.js" }, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "index.js"), 'new (require("@pulumi/policy").PolicyPack)("empty", { policies: [] });\n');
    fs.copyFileSync(path.join(packDir, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.symlinkSync(path.join(packDir, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

const DIGEST = "sha256:3f1c2b9a7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a";

function goContainer(i: number): Props {
    const limitMi = [256, 512, 1024][i % 3];
    return {
        name: "api",
        image: `ghcr.io/acme/service-${i % 37}:1.${i % 9}.${i % 5}@${DIGEST}`,
        ports: [{ name: "http", containerPort: 8080 }, { name: "grpc", containerPort: 9090 }],
        env: [
            { name: "GOMEMLIMIT", value: `${Math.floor(limitMi * 0.9)}MiB` },
            { name: "GOGC", value: "100" },
            { name: "LOG_LEVEL", value: "info" },
        ],
        resources: { requests: { cpu: `${100 + (i % 4) * 100}m`, memory: `${limitMi / 2}Mi` }, limits: { memory: `${limitMi}Mi` } },
        livenessProbe: { httpGet: { path: "/livez", port: "http" } },
        readinessProbe: i % 2 === 0 ? { grpc: { port: 9090 } } : { httpGet: { path: "/readyz", port: "http" } },
        startupProbe: { httpGet: { path: "/livez", port: "http" }, failureThreshold: 30, periodSeconds: 2 },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    };
}

function podSpec(i: number): Props {
    const spec: Props = {
        securityContext: { runAsNonRoot: true, runAsUser: 65532, sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }] },
        containers: [goContainer(i)],
    };
    if (i % 3 === 0) {
        spec.initContainers = [{
            name: "migrate",
            image: `ghcr.io/acme/migrate:2.0.0@${DIGEST}`,
            env: [{ name: "GOMEMLIMIT", value: "115MiB" }],
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        }];
    }
    return spec;
}

/** The mistakes of the noncompliant example, one or several per failing Deployment. */
const MISTAKES: Array<(spec: Props, c: Props) => void> = [
    (_, c) => (c.env[0].value = "400Mi"),
    (_, c) => (c.resources.limits.memory = "512m"),
    (s) => s.securityContext.sysctls.push({ name: "vm.swappiness", value: "10" }),
    (_, c) => (c.readinessProbe = { httpGet: { path: "/livez", port: "http" } }),
    (_, c) => (c.image = "ghcr.io/acme/api:latest"),
    (s) => delete s.securityContext,
    (s, c) => {
        delete s.securityContext;
        delete c.startupProbe;
        c.env = [];
        c.image = "ghcr.io/acme/api";
    },
];

/** Deployment i: 60 % compliant, 40 % with mistakes, as the engine hands them over (Checked inputs). */
export function deployment(i: number): { type: string; name: string; props: Props } {
    const spec = podSpec(i);
    const failing = i % 10 >= 6;
    if (failing) {
        MISTAKES[Math.floor(i / 10) % MISTAKES.length](spec, spec.containers[0]);
    }
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: `api-${i}`,
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `api-${i}-${(i * 2654435761 >>> 0).toString(16).padStart(8, "0")}`, namespace: "shop", labels: { app: `api-${i}` } },
            spec: {
                replicas: 1 + (i % 3),
                selector: { matchLabels: { app: `api-${i}` } },
                template: { metadata: { labels: { app: `api-${i}` } }, spec },
            },
        },
    };
}

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

function now(): number {
    return Number(process.hrtime.bigint()) / 1e6;
}

async function coldStart(dir: string): Promise<number> {
    const start = now();
    const pack = await PackProcess.start(dir);
    const elapsed = now() - start;
    await pack.stop();
    return elapsed;
}

interface AnalyzeFigures {
    /** Mean µs per resource, one request at a time (median of the rounds). */
    sequential: number;
    /** Mean µs per resource with CONCURRENCY requests in flight (median of the rounds). */
    concurrent: number;
    diagnostics: number;
    failingResources: number;
}

async function startConfigured(dir: string): Promise<PackProcess> {
    const pack = await PackProcess.start(dir);
    const info = await pack.getAnalyzerInfo();
    await pack.configureStack();
    await pack.configure(reconcileConfig(info, {}));
    return pack;
}

async function timeSequential(pack: PackProcess, resources: ResourceToAnalyze[]): Promise<number> {
    const start = now();
    for (const r of resources) {
        await pack.analyze(r);
    }
    return ((now() - start) * 1000) / resources.length;
}

async function timeConcurrent(pack: PackProcess, resources: ReturnType<typeof deployment>[]): Promise<number> {
    let next = 0;
    const start = now();
    await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
            while (next < resources.length) {
                await pack.analyze(resources[next++]);
            }
        }),
    );
    return ((now() - start) * 1000) / resources.length;
}

/** Warms both packs up, then alternates them round by round so that drift hits both alike. */
async function analyzeBoth(dirs: { guard: string; empty: string }, count: number): Promise<{ guard: AnalyzeFigures; empty: AnalyzeFigures }> {
    const resources = Array.from({ length: count }, (_, i) => deployment(i));
    const packs = { guard: await startConfigured(dirs.guard), empty: await startConfigured(dirs.empty) };
    try {
        const figures = {} as { guard: AnalyzeFigures; empty: AnalyzeFigures };
        for (const key of ["guard", "empty"] as const) {
            let diagnostics = 0;
            let failingResources = 0;
            for (const r of resources) {
                const result = await packs[key].analyze(r);
                diagnostics += result.diagnostics.length;
                failingResources += result.diagnostics.length > 0 ? 1 : 0;
            }
            for (let i = 0; i < WARMUP_REQUESTS; i++) {
                await packs[key].analyze(resources[i % resources.length]);
            }
            figures[key] = { sequential: 0, concurrent: 0, diagnostics, failingResources };
        }
        const rounds = { guard: { seq: [] as number[], conc: [] as number[] }, empty: { seq: [] as number[], conc: [] as number[] } };
        for (let round = 0; round < ROUNDS; round++) {
            for (const key of ["guard", "empty"] as const) {
                rounds[key].seq.push(await timeSequential(packs[key], resources));
                rounds[key].conc.push(await timeConcurrent(packs[key], resources));
            }
        }
        for (const key of ["guard", "empty"] as const) {
            figures[key].sequential = median(rounds[key].seq);
            figures[key].concurrent = median(rounds[key].conc);
        }
        return figures;
    } finally {
        await packs.guard.stop();
        await packs.empty.stop();
    }
}

/** Ten distinct Go Dockerfiles under `dir`/svc-<n>/, shared by 100 docker.Image resources. */
function imageResources(dir: string, count = 100, distinct = 10): ResourceToAnalyze[] {
    for (let n = 0; n < distinct; n++) {
        fs.mkdirSync(path.join(dir, `svc-${n}`), { recursive: true });
        fs.writeFileSync(
            path.join(dir, `svc-${n}`, "Dockerfile"),
            [
                "# syntax=docker/dockerfile:1",
                `ARG GO_VERSION=1.23.${n}`,
                `FROM golang:\${GO_VERSION}-bookworm@${DIGEST} AS build`,
                "WORKDIR /src",
                "ENV CGO_ENABLED=0",
                "COPY . .",
                `RUN go build -trimpath -o /out/svc-${n} ./cmd/svc-${n}`,
                `FROM gcr.io/distroless/static-debian12:nonroot@${DIGEST}`,
                n % 2 === 0 ? "ENV TZ=Europe/Berlin" : "ENV TZ=Asia/Tokyo",
                `COPY --from=build /out/svc-${n} /svc`,
                n % 5 === 4 ? "USER root" : "USER 65532:65532",
                'ENTRYPOINT ["/svc"]',
                "",
            ].join("\n"),
        );
    }
    return Array.from({ length: count }, (_, i) => ({
        type: "docker:index/image:Image",
        name: `svc-${i}`,
        props: {
            imageName: `ghcr.io/acme/svc-${i}:1.0.${i}`,
            build: { context: `svc-${i % distinct}`, dockerfile: `svc-${i % distinct}/Dockerfile`, platform: "linux/amd64", args: { GO_VERSION: "1.23.4" } },
            buildOnPreview: false,
            skipPush: false,
        },
    }));
}

interface ImageFigures {
    guard: number;
    empty: number;
    parses: number;
    violations: number;
}

/** 100 image resources over 10 distinct Dockerfiles: per-resource time, and how often each file is parsed. */
async function imageBench(dirs: { guard: string; empty: string }): Promise<ImageFigures> {
    const program = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-guard-bench-program-"));
    try {
        const resources = imageResources(program);
        const env = { GO_SERVICE_GUARD_PROGRAM_DIR: program, GO_SERVICE_GUARD_DEBUG: "parse" };
        const start = async (dir: string) => {
            const pack = await PackProcess.start(dir, env);
            const info = await pack.getAnalyzerInfo();
            await pack.configureStack();
            await pack.configure(reconcileConfig(info, {}));
            return pack;
        };
        const packs = { guard: await start(dirs.guard), empty: await start(dirs.empty) };
        try {
            let violations = 0;
            for (const r of resources) {
                violations += (await packs.guard.analyze(r)).diagnostics.length;
            }
            const rounds = { guard: [] as number[], empty: [] as number[] };
            for (let round = 0; round < ROUNDS; round++) {
                for (const key of ["guard", "empty"] as const) {
                    rounds[key].push(await timeSequential(packs[key], resources));
                }
            }
            const parses = packs.guard.stderr.split("\n").filter((l) => l.includes("go-service-guard: parsed")).length;
            return { guard: median(rounds.guard), empty: median(rounds.empty), parses, violations };
        } finally {
            await packs.guard.stop();
            await packs.empty.stop();
        }
    } finally {
        fs.rmSync(program, { recursive: true, force: true });
    }
}

interface SignatureFigures {
    wallMs: number;
    requests: number;
    violations: number;
}

/** 200 workloads sharing 20 signed digests on a local registry: wall time, and registry requests made. */
async function signatureBench(packDir: string): Promise<SignatureFigures | string> {
    if (!fs.existsSync("/usr/bin/docker-registry")) {
        return "skipped: Debian's docker-registry is not installed (.ci/run installs it)";
    }
    const registry = await startLocalRegistry();
    try {
        const signer = generateKeyPair();
        const digests: string[] = [];
        for (let i = 0; i < 20; i++) {
            const repo = `bench/svc-${i}`;
            const image = await pushImage(registry.host, repo);
            const payload = simpleSigningPayload(`${registry.host}/${repo}`, image.digest);
            const manifest = legacySignatureManifest([{ payload, signatureB64: signLegacy(payload, signer.privateKey) }]);
            for (const b of manifest.blobs) {
                await pushBlob(registry.host, repo, b.bytes);
            }
            await pushManifest(registry.host, repo, legacySignatureTag(image.digest), manifest.bytes, manifest.mediaType);
            digests.push(`${registry.host}/${repo}@${image.digest}`);
        }
        const pack = await PackProcess.start(packDir, { GO_SERVICE_GUARD_DEBUG: "registry" });
        try {
            const info = await pack.getAnalyzerInfo();
            await pack.configureStack();
            await pack.configure(
                reconcileConfig(info, {
                    "image-signature": {
                        requirements: [{ images: [`${registry.host}/**`], keys: [signer.publicPem] }],
                        insecureRegistries: [registry.host],
                    },
                }),
            );
            const resources = Array.from({ length: 200 }, (_, i) => {
                const r = deployment(i);
                const spec = (r.props as Props).spec.template.spec as Props;
                spec.containers[0].image = digests[i % digests.length];
                return r;
            });
            let next = 0;
            let violations = 0;
            const start = now();
            await Promise.all(
                Array.from({ length: CONCURRENCY }, async () => {
                    while (next < resources.length) {
                        const result = await pack.analyze(resources[next++]);
                        violations += result.diagnostics.filter((d) => d.policyName === "image-signature").length;
                    }
                }),
            );
            const wallMs = now() - start;
            const requests = pack.stderr.split("\n").filter((l) => l.includes("go-service-guard: registry request")).length;
            return { wallMs, requests, violations };
        } finally {
            await pack.stop();
        }
    } finally {
        await registry.stop();
    }
}

function verdict(ratio: number, target: number): string {
    return `target ≤ ${target}×: ${ratio <= target ? "met" : "NOT met"}`;
}

function version(packDir: string, pkg: string): string {
    return (JSON.parse(fs.readFileSync(path.join(packDir, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
    const options = parseArgs(argv);
    if (options === "help") {
        console.log(USAGE);
        return 0;
    }
    const packDir = findPackDir();
    checkPackBuilt(packDir);
    const emptyDir = createEmptyPack(packDir);
    process.once("SIGINT", () => {
        fs.rmSync(emptyDir, { recursive: true, force: true });
        process.exit(130);
    });
    const began = now();
    try {
        console.log(
            `go-service-guard bench: node ${process.version}, ${os.cpus().length} CPUs, @pulumi/policy ${version(packDir, "@pulumi/policy").replace(/^v/, "")}, ` +
                `@pulumi/pulumi ${version(packDir, "@pulumi/pulumi")}`,
        );
        console.log(`empty pack: ${emptyDir}\n`);

        // Cold start: one discarded start each (file cache), then interleaved runs.
        await coldStart(packDir);
        await coldStart(emptyDir);
        const cold = { guard: [] as number[], empty: [] as number[] };
        for (let i = 0; i < options.coldRuns; i++) {
            cold.guard.push(await coldStart(packDir));
            cold.empty.push(await coldStart(emptyDir));
        }
        const coldRatio = median(cold.guard) / median(cold.empty);
        const coldP90Ratio = percentile(cold.guard, 90) / percentile(cold.empty, 90);

        const analyze = await analyzeBoth({ guard: packDir, empty: emptyDir }, options.resources);
        const seqRatio = analyze.guard.sequential / analyze.empty.sequential;
        const concRatio = analyze.guard.concurrent / analyze.empty.concurrent;

        const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(8);
        const us = (v: number) => `${v.toFixed(0)} µs`.padStart(9);
        const x = (v: number) => `${v.toFixed(2)}×`;
        console.log(`Cold start, spawn → port line (N=${options.coldRuns} each)`);
        console.log(`                      median       p90`);
        console.log(`  go-service-guard  ${ms(median(cold.guard))}  ${ms(percentile(cold.guard, 90))}`);
        console.log(`  empty pack        ${ms(median(cold.empty))}  ${ms(percentile(cold.empty, 90))}`);
        console.log(`  ratio             ${x(coldRatio).padStart(8)}  ${x(coldP90Ratio).padStart(8)}   ${verdict(coldRatio, COLD_START_TARGET)} (median)`);
        console.log("");
        const failing = Array.from({ length: options.resources }, (_, i) => i % 10 >= 6).filter(Boolean).length;
        console.log(
            `Analyze over gRPC, ${options.resources.toLocaleString("en-US")} Deployments (${options.resources - failing} compliant, ${failing} failing), ` +
                `mean per resource, median of ${ROUNDS} rounds`,
        );
        console.log(`                    sequential  concurrency ${CONCURRENCY}`);
        console.log(`  go-service-guard   ${us(analyze.guard.sequential)}    ${us(analyze.guard.concurrent)}`);
        console.log(`  empty pack         ${us(analyze.empty.sequential)}    ${us(analyze.empty.concurrent)}`);
        console.log(`  ratio              ${x(seqRatio).padStart(9)}    ${x(concRatio).padStart(9)}   ${verdict(Math.max(seqRatio, concRatio), ANALYZE_TARGET)} (both modes)`);
        console.log(
            `  (go-service-guard reported ${analyze.guard.diagnostics} violations on ${analyze.guard.failingResources} Deployments; ` +
                `the empty pack ${analyze.empty.diagnostics})`,
        );
        console.log("");
        const images = await imageBench({ guard: packDir, empty: emptyDir });
        console.log(`Analyze over gRPC, 100 docker.Image resources over 10 distinct Dockerfiles, mean per resource, median of ${ROUNDS} rounds`);
        console.log(`  go-service-guard   ${us(images.guard)}`);
        console.log(`  empty pack         ${us(images.empty)}`);
        console.log(`  ratio              ${x(images.guard / images.empty).padStart(9)}`);
        console.log(
            `  Dockerfile parses: ${images.parses} for ${(ROUNDS + 1) * 100} analyses of 100 resources over 10 files ` +
                `(each distinct file parsed once); ${images.violations} violations`,
        );
        console.log("");
        const signatures = await signatureBench(packDir);
        console.log("image-signature: 200 Deployments sharing 20 signed digests on a local registry (8 concurrent Analyze calls)");
        if (typeof signatures === "string") {
            console.log(`  ${signatures}`);
        } else {
            console.log(`  wall time ${signatures.wallMs.toFixed(0)} ms, ${signatures.requests} registry requests (${(signatures.requests / 20).toFixed(1)} per digest: each digest verified once), ${signatures.violations} violations`);
        }
        console.log("");
        const metText = (ok: boolean) => (ok ? "met" : "NOT met");
        console.log(
            `Targets: cold start ${metText(coldRatio <= COLD_START_TARGET)}, per-resource ${metText(Math.max(seqRatio, concRatio) <= ANALYZE_TARGET)}. ` +
                `Bench took ${((now() - began) / 1000).toFixed(1)} s.`,
        );
        return 0;
    } finally {
        fs.rmSync(emptyDir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(2);
        },
    );
}
