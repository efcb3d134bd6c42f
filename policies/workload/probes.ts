import { Finding, notApplicable } from "../model/finding";
import { asArray, asObject, asString, has, Obj, show } from "../model/values";
import { Container, Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

type ProbeKind = "liveness" | "readiness" | "startup";

interface Config {
    required: ProbeKind[];
    minStartupSeconds: number;
}

const PROBE_FIELD: Record<ProbeKind, string> = { liveness: "livenessProbe", readiness: "readinessProbe", startup: "startupProbe" };
const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;
const KINDS: ProbeKind[] = ["liveness", "readiness", "startup"];

export default defineRule<Workload, Config>({
    name: "workload-probes",
    displayName: "Long-running containers have correct liveness, readiness and startup probes",
    description:
        "Every app container of a long-running workload has the required probes, liveness differs from readiness, probe " +
        "ports exist, thresholds are valid, and the startup budget covers a slow start.",
    severity: "high",
    remediationSteps:
        "Give each app container a readiness probe (is it ready for traffic?), a cheaper liveness probe on a different " +
        "handler (is the process stuck?) and a startup probe whose initialDelaySeconds + failureThreshold × periodSeconds " +
        "covers the slowest start. Use declared containerPort names or numbers; gRPC probes need a number.",
    configSchema: {
        properties: {
            required: {
                type: "array",
                items: { type: "string", enum: KINDS },
                uniqueItems: true,
                default: KINDS,
                description: "Probes every app container must define.",
            },
            minStartupSeconds: {
                type: "number",
                minimum: 0,
                default: 30,
                description:
                    "Least time a container gets to start: initialDelaySeconds + failureThreshold × periodSeconds of the " +
                    "startup probe (or of the liveness probe when there is no startup probe), with Kubernetes defaults.",
            },
        },
    },
    target: workloadTarget,
    check(workload, config) {
        if (!workload.longRunning) {
            return notApplicable(`${workload.kind} pods run to completion; probes are only required for long-running workloads`);
        }
        const findings: Finding[] = [];
        for (const container of workload.appContainers) {
            findings.push(...checkContainer(container, workload.partial ? [] : config.required, config, workload.partial));
        }
        for (const container of workload.initContainers.filter((c) => c.role === "sidecar container")) {
            findings.push(...checkContainer(container, [], config, workload.partial));
        }
        return findings;
    },
});

function checkContainer(container: Container, required: ProbeKind[], config: Config, partial: boolean): Finding[] {
    const where = container.label;
    const probes = new Map<ProbeKind, Obj>();
    const findings: Finding[] = [];
    const malformed = new Set<ProbeKind>();
    for (const kind of KINDS) {
        if (has(container.raw, PROBE_FIELD[kind])) {
            const value = container.raw[PROBE_FIELD[kind]];
            const probe = asObject(value);
            if (probe) {
                probes.set(kind, probe);
            } else if (value !== null && value !== undefined) {
                findings.push({
                    where,
                    what: `${PROBE_FIELD[kind]} is ${show(value)}, not a probe`,
                    why: "the API server rejects the pod spec",
                    fix: `write ${PROBE_FIELD[kind]} as an object with one handler, e.g. {httpGet: {path: "/livez", port: "http"}}`,
                });
                malformed.add(kind);
            }
        }
    }
    for (const kind of KINDS) {
        if (required.includes(kind) && !probes.has(kind) && !malformed.has(kind)) {
            findings.push({ where, ...MISSING[kind] });
        }
    }
    const ports = declaredPorts(container.raw);
    const identities = new Map<ProbeKind, string>();
    for (const [kind, probe] of probes) {
        const field = PROBE_FIELD[kind];
        const handlers = HANDLERS.filter((h) => has(probe, h) && probe[h] !== null && probe[h] !== undefined);
        if (handlers.length !== 1) {
            findings.push({
                where,
                what: handlers.length === 0 ? `${field} has no handler` : `${field} has ${handlers.length} handlers (${handlers.join(", ")})`,
                why: "the API server rejects a probe without exactly one of exec, httpGet, tcpSocket or grpc",
                fix: `give ${field} exactly one handler`,
            });
        } else if (probe[handlers[0]] !== undefined && asObject(probe[handlers[0]]) === undefined) {
            findings.push({
                where,
                what: `${field}.${handlers[0]} is ${show(probe[handlers[0]])}, not an object`,
                why: "the API server rejects the pod spec",
                fix: `write ${field}.${handlers[0]} as an object`,
            });
        } else {
            const handler = handlers[0];
            const spec = asObject(probe[handler]) ?? {};
            findings.push(...checkPort(where, field, handler, spec, ports));
            identities.set(kind, identity(handler, spec, ports));
        }
        if ((kind === "liveness" || kind === "startup") && probe.successThreshold !== undefined && probe.successThreshold !== null && probe.successThreshold !== 0 && probe.successThreshold !== 1) {
            findings.push({
                where,
                what: `${field}.successThreshold is ${show(probe.successThreshold)}`,
                why: "Kubernetes requires 1 for liveness and startup probes and rejects the pod spec otherwise",
                fix: `remove ${field}.successThreshold or set it to 1`,
            });
        }
    }
    const live = identities.get("liveness");
    if (live !== undefined && live === identities.get("readiness")) {
        findings.push({
            where,
            what: `livenessProbe and readinessProbe use the same handler (${live})`,
            why: "when the service is merely busy or a dependency is slow, readiness should take it out of rotation; an identical liveness probe fails at the same moment and restarts every replica, turning a slowdown into an outage",
            fix: "point liveness at a cheap endpoint that only proves the process is not stuck (e.g. /livez) and keep dependency checks in readiness (e.g. /readyz)",
        });
    }
    // The startup probe guards the start; without one, liveness does. A patch may leave a startup
    // probe in place, and a required-but-missing startup probe is already reported.
    const livenessGuardsStart = !partial && !required.includes("startup");
    const budgetKind: ProbeKind | undefined = probes.has("startup") ? "startup" : probes.has("liveness") && livenessGuardsStart ? "liveness" : undefined;
    if (budgetKind) {
        const probe = probes.get(budgetKind) as Obj;
        const initial = seconds(probe.initialDelaySeconds, 0);
        const failures = seconds(probe.failureThreshold, 3);
        const period = seconds(probe.periodSeconds, 10);
        const budget = initial + failures * period;
        if (budget < config.minStartupSeconds) {
            const field = PROBE_FIELD[budgetKind];
            findings.push({
                where,
                what: `${field} allows ${budget}s to start (initialDelaySeconds ${initial} + failureThreshold ${failures} × periodSeconds ${period}), less than ${config.minStartupSeconds}s`,
                why: "a start slowed by a cold cache, migrations or a busy node exceeds the budget and the kubelet kills the container before it is up, in a restart loop",
                fix: `raise ${field}.failureThreshold or periodSeconds so the budget is at least ${config.minStartupSeconds}s${budgetKind === "liveness" ? ", or add a startupProbe" : ""}`,
            });
        }
    }
    return findings;
}

const MISSING: Record<ProbeKind, Omit<Finding, "where">> = {
    liveness: {
        what: "livenessProbe is not set",
        why: "a deadlocked or wedged Go process keeps its pod Running forever and keeps receiving traffic",
        fix: "add a livenessProbe on a cheap endpoint that only proves the process is responsive (e.g. httpGet /livez)",
    },
    readiness: {
        what: "readinessProbe is not set",
        why: "the pod receives traffic as soon as the process starts, before it can serve, and keeps receiving it while overloaded or shutting down",
        fix: "add a readinessProbe that checks the service can serve (e.g. httpGet /readyz)",
    },
    startup: {
        what: "startupProbe is not set",
        why: "without it the liveness probe runs from the first second, so a slow start is killed and restarted in a loop, or liveness must be made too lax for the steady state",
        fix: "add a startupProbe on the liveness endpoint with failureThreshold × periodSeconds covering the slowest start",
    },
};

function declaredPorts(container: Obj): Map<string, number> {
    const ports = new Map<string, number>();
    for (const item of asArray(container.ports)) {
        const port = asObject(item);
        const name = asString(port?.name);
        if (name && typeof port?.containerPort === "number") {
            ports.set(name, port.containerPort);
        }
    }
    return ports;
}

function checkPort(where: string, field: string, handler: string, spec: Obj, ports: Map<string, number>): Finding[] {
    if (handler === "exec") {
        return [];
    }
    const port = spec.port;
    if (handler === "grpc") {
        if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
            return [{
                where,
                what: `${field}.grpc.port is ${show(port)}`,
                why: "gRPC probes take only a port number (1-65535), not a name; the API server rejects the pod spec",
                fix: `set ${field}.grpc.port to the numeric containerPort of the gRPC server`,
            }];
        }
        return [];
    }
    if (typeof port === "string" && !ports.has(port)) {
        const declared = [...ports.keys()];
        return [{
            where,
            what: `${field}.${handler}.port is the name ${show(port)}, which no containerPort declares`,
            why: "the kubelet cannot resolve the port, so the probe fails every time and the container is never ready (or is restarted forever)",
            fix: declared.length > 0 ? `use one of the declared port names (${declared.join(", ")}) or a port number` : "declare the port under ports with that name, or use a port number",
        }];
    }
    return [];
}

/** What a probe checks, for comparing liveness with readiness: handler type and target. */
function identity(handler: string, spec: Obj, ports: Map<string, number>): string {
    const port = (p: unknown) => (typeof p === "string" && ports.has(p) ? String(ports.get(p)) : show(p));
    switch (handler) {
        case "httpGet":
            return `httpGet ${(asString(spec.scheme) ?? "HTTP").toLowerCase()}://${asString(spec.host) || "<pod IP>"}:${port(spec.port)}${asString(spec.path) || "/"}`;
        case "tcpSocket":
            return `tcpSocket ${asString(spec.host) || "<pod IP>"}:${port(spec.port)}`;
        case "grpc":
            return `grpc port ${port(spec.port)}${asString(spec.service) ? ` service ${asString(spec.service)}` : ""}`;
        default:
            return `exec ${show(spec.command)}`;
    }
}

/** A probe field as the API server defaults it: unset or 0 takes the default (0 is kept where the default is 0). */
function seconds(value: unknown, fallback: number): number {
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
}
