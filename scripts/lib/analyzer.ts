// Drives a policy pack the way the Pulumi engine does: starts it with @pulumi/pulumi's
// run-policy-pack (cwd = pack directory, port on the first stdout line), reconciles a
// --policy-pack-config file against the pack's schemas, and talks the Analyzer gRPC protocol.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import * as grpc from "@grpc/grpc-js";
import Ajv from "ajv";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

/** The engine's marker for a value that is not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: Level[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = ["unspecified", "low", "medium", "high", "critical"];

export interface PolicyInfo {
    name: string;
    displayName: string;
    description: string;
    enforcementLevel: Level;
    severity: string;
    remediationSteps: string;
    url: string;
    configSchema: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: Level;
    severity: string;
    /** The resource a stack policy attributed the diagnostic to; "" when it names none (Analyze never sets it). */
    urn: string;
}

export interface AnalyzeResult {
    diagnostics: Diagnostic[];
    notApplicable: Array<{ policyName: string; reason: string }>;
}

export interface ResourceToAnalyze {
    type: string;
    name: string;
    props: Record<string, unknown>;
    urn?: string;
}

/** One resource of the stack as the engine sends it in AnalyzeStack (outputs, after the step ran). */
export interface StackResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** Defaults to urn:pulumi:test::go-service-guard-test::<type>::<name>. */
    urn?: string;
    parent?: string;
    dependencies?: string[];
    /** Property name to the URNs it depends on. */
    propertyDependencies?: Record<string, string[]>;
    provider?: { type: string; name: string; urn: string; props?: Record<string, unknown> };
}

export interface PolicyConfigEntry {
    enforcementLevel: Level;
    properties: Record<string, unknown>;
}

export class PackProcess {
    private constructor(
        readonly port: number,
        private readonly child: ChildProcess,
        private readonly client: grpc.Client & Record<string, Function>,
        private readonly stderrChunks: string[],
    ) {}

    /** Starts the pack in `packDir` exactly as the CLI's Node.js language host does. */
    static async start(packDir: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<PackProcess> {
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
            cwd: packDir,
            env: {
                ...process.env,
                PULUMI_NODEJS_PROJECT: "go-service-guard-test",
                PULUMI_NODEJS_STACK: "test",
                PULUMI_NODEJS_ORGANIZATION: "organization",
                PULUMI_NODEJS_DRY_RUN: "true",
                ...env,
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const stderrChunks: string[] = [];
        child.stderr?.setEncoding("utf8").on("data", (d: string) => stderrChunks.push(d));
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => {
                child.kill();
                reject(new Error(`pack did not print its port within ${timeoutMs} ms: ${stderrChunks.join("")}`));
            }, timeoutMs);
            const lines = readline.createInterface({ input: child.stdout! });
            lines.once("line", (line) => {
                clearTimeout(timer);
                const n = Number(line.trim());
                if (Number.isInteger(n) && n > 0) {
                    resolve(n);
                } else {
                    reject(new Error(`first stdout line is not a port: ${JSON.stringify(line)}`));
                }
            });
            child.once("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`pack exited with ${code} before printing its port: ${stderrChunks.join("")}`));
            });
        });
        child.removeAllListeners("exit");
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 64 * 1024 * 1024,
        });
        return new PackProcess(port, child, client, stderrChunks);
    }

    get stderr(): string {
        return this.stderrChunks.join("");
    }

    private call<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response)));
        });
    }

    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        const info = await this.call<any>("getAnalyzerInfo", new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            policies: info.getPoliciesList().map((p: any) => {
                const schema = p.getConfigschema();
                return {
                    name: p.getName(),
                    displayName: p.getDisplayname(),
                    description: p.getDescription(),
                    enforcementLevel: LEVELS[p.getEnforcementlevel()],
                    severity: SEVERITIES[p.getSeverity()],
                    remediationSteps: p.getRemediationSteps(),
                    url: p.getUrl(),
                    configSchema: {
                        properties: (schema?.getProperties()?.toJavaScript() ?? {}) as PolicyInfo["configSchema"]["properties"],
                        required: schema?.getRequiredList() ?? [],
                    },
                };
            }),
        };
    }

    /** Sends the Configure RPC; every entry carries its properties, as the engine sends them. */
    async configure(config: Record<string, PolicyConfigEntry>): Promise<void> {
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [name, entry] of Object.entries(config)) {
            const pc = new analyzerProto.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(entry.enforcementLevel));
            pc.setProperties(Struct.fromJavaScript(entry.properties as any));
            map.set(name, pc);
        }
        await this.call("configure", request);
    }

    async configureStack(stack = "test", project = "go-service-guard-test", dryRun = true): Promise<void> {
        const request = new analyzerProto.AnalyzerStackConfigureRequest();
        request.setStack(stack);
        request.setProject(project);
        request.setOrganization("organization");
        request.setDryRun(dryRun);
        await this.call("configureStack", request);
    }

    async analyze(resource: ResourceToAnalyze): Promise<AnalyzeResult> {
        const request = new analyzerProto.AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(resource.urn ?? defaultUrn(resource.type, resource.name));
        request.setProperties(Struct.fromJavaScript(resource.props as any));
        request.setOptions(new analyzerProto.AnalyzerResourceOptions());
        return analyzeResult(await this.call<any>("analyze", request));
    }

    /**
     * Sends the AnalyzeStack RPC with every resource of the stack, as the engine does once after the
     * steps ran; each diagnostic carries the urn its stack policy attributed it to.
     */
    async analyzeStack(resources: StackResource[]): Promise<AnalyzeResult> {
        const request = new analyzerProto.AnalyzeStackRequest();
        for (const resource of resources) {
            const r = new analyzerProto.AnalyzerResource();
            r.setType(resource.type);
            r.setName(resource.name);
            r.setUrn(resource.urn ?? defaultUrn(resource.type, resource.name));
            r.setProperties(Struct.fromJavaScript(resource.props as any));
            const options = new analyzerProto.AnalyzerResourceOptions();
            if (resource.parent) {
                options.setParent(resource.parent);
                r.setParent(resource.parent);
            }
            r.setOptions(options);
            if (resource.provider) {
                const provider = new analyzerProto.AnalyzerProviderResource();
                provider.setType(resource.provider.type);
                provider.setName(resource.provider.name);
                provider.setUrn(resource.provider.urn);
                provider.setProperties(Struct.fromJavaScript((resource.provider.props ?? {}) as any));
                r.setProvider(provider);
            }
            r.setDependenciesList(resource.dependencies ?? []);
            const map = r.getPropertydependenciesMap();
            for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
                const deps = new analyzerProto.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                map.set(property, deps);
            }
            request.addResources(r);
        }
        return analyzeResult(await this.call<any>("analyzeStack", request));
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill();
            await exited;
        }
    }
}

function defaultUrn(type: string, name: string): string {
    return `urn:pulumi:test::go-service-guard-test::${type}::${name}`;
}

/** An AnalyzeResponse (from Analyze or AnalyzeStack) as plain objects. */
function analyzeResult(response: any): AnalyzeResult {
    return {
        diagnostics: response.getDiagnosticsList().map((d: any) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()],
            severity: SEVERITIES[d.getSeverity()],
            urn: d.getUrn(),
        })),
        notApplicable: response.getNotApplicableList().map((n: any) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
}

/**
 * What the engine sends through Configure for a --policy-pack-config file: schema defaults, then
 * the file ("all" and per-policy levels, per-policy properties), validated against each schema.
 * Throws with the engine-style list of errors when the file does not validate.
 */
export function reconcileConfig(info: AnalyzerInfo, file: unknown = {}): Record<string, PolicyConfigEntry> {
    if (file === null || typeof file !== "object" || Array.isArray(file)) {
        throw new Error("policy pack configuration must be a JSON object");
    }
    const given = file as Record<string, unknown>;
    const errors: string[] = [];
    const all = given.all;
    if (all !== undefined && !LEVELS.includes(all as Level)) {
        errors.push(`all: ${JSON.stringify(all)} is not a valid enforcement level`);
    }
    const known = new Set(info.policies.map((p) => p.name));
    for (const key of Object.keys(given)) {
        if (key !== "all" && !known.has(key)) {
            errors.push(`${key}: no such policy in ${info.name}`);
        }
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    const result: Record<string, PolicyConfigEntry> = {};
    for (const policy of info.policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema.properties)) {
            if ("default" in schema) {
                properties[key] = schema.default;
            }
        }
        let level: Level = (all as Level) ?? policy.enforcementLevel;
        const entry = given[policy.name];
        if (typeof entry === "string") {
            if (!LEVELS.includes(entry as Level)) {
                errors.push(`${policy.name}: ${JSON.stringify(entry)} is not a valid enforcement level`);
            }
            level = entry as Level;
        } else if (entry !== undefined && entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
            for (const [key, value] of Object.entries(entry)) {
                if (key === "enforcementLevel") {
                    if (!LEVELS.includes(value as Level)) {
                        errors.push(`${policy.name}: ${JSON.stringify(value)} is not a valid enforcement level`);
                    }
                    level = value as Level;
                } else {
                    properties[key] = value;
                }
            }
        } else if (entry !== undefined) {
            errors.push(`${policy.name}: expected an enforcement level or an object`);
        }
        const validate = ajv.compile({ type: "object", ...policy.configSchema });
        if (!validate(properties)) {
            for (const e of validate.errors ?? []) {
                errors.push(`${policy.name}${e.instancePath.replace(/\//g, ".")}: ${e.message}`);
            }
        }
        result[policy.name] = { enforcementLevel: level, properties };
    }
    if (errors.length > 0) {
        throw new Error(`validating policy config: ${errors.join("; ")}`);
    }
    return result;
}

/** Reads a --policy-pack-config style file. */
export function readConfigFile(file: string): unknown {
    return JSON.parse(fs.readFileSync(path.resolve(file), "utf8"));
}
