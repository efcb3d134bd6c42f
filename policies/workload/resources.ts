import { Finding } from "../model/finding";
import { compareQuantities, exceedsMaximum, isNegative, parseQuantity, Quantity } from "../model/quantity";
import { asObject, has, show } from "../model/values";
import { Container, Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

interface Config {
    requireCpuLimit: boolean;
}

const ONE_MI = parseQuantityOrThrow("1Mi");
const FRACTIONAL_SUFFIXES = new Set(["m", "u", "n"]);

export default defineRule<Workload, Config>({
    name: "workload-resources",
    displayName: "Containers declare CPU and memory requests and a memory limit",
    description:
        "Every container and init container sets requests.cpu, requests.memory and limits.memory with valid quantities, " +
        "each request at most its limit, and no memory amount that is a unit mistake.",
    severity: "high",
    remediationSteps:
        "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container and init " +
        "container. Write memory with binary suffixes (256Mi, 1Gi), never with the milli suffix m. Keep each request at or " +
        "below its limit.",
    configSchema: {
        properties: {
            requireCpuLimit: {
                type: "boolean",
                default: false,
                description: "Also require limits.cpu. Off by default: CPU limits throttle Go services in 100 ms CFS periods.",
            },
        },
    },
    target: workloadTarget,
    check(workload, config) {
        const findings: Finding[] = [];
        for (const container of workload.allContainers) {
            findings.push(...checkContainer(workload, container, config));
        }
        return findings;
    },
});

type Field = { section: "requests" | "limits"; resource: "cpu" | "memory" };

function checkContainer(workload: Workload, container: Container, config: Config): Finding[] {
    const findings: Finding[] = [];
    const resources = asObject(container.raw.resources);
    const required: Field[] = [
        { section: "requests", resource: "cpu" },
        { section: "requests", resource: "memory" },
        { section: "limits", resource: "memory" },
    ];
    if (config.requireCpuLimit) {
        required.push({ section: "limits", resource: "cpu" });
    }
    const all: Field[] = [...required, ...(config.requireCpuLimit ? [] : [{ section: "limits", resource: "cpu" } as Field])];
    const parsed = new Map<string, Quantity>();
    const missing: string[] = [];
    for (const field of all) {
        const key = `${field.section}.${field.resource}`;
        const section = asObject(resources?.[field.section]);
        if (!section || !has(section, field.resource) || section[field.resource] === null) {
            if (required.includes(field)) {
                missing.push(`resources.${key}`);
            }
            continue;
        }
        const raw = section[field.resource];
        const result = parseQuantity(raw);
        if (!result.ok) {
            findings.push({
                where: container.label,
                what: `resources.${key} is ${show(raw)}, which is not a valid quantity: ${result.error}`,
                why: "the API server rejects the object, so nothing is rolled out",
                fix: field.resource === "memory" ? "write the amount as 256Mi, 1Gi or a plain byte count" : "write CPU as millicores (250m) or cores (1, 0.5)",
            });
            continue;
        }
        const q = result.quantity;
        if (isNegative(q) || exceedsMaximum(q)) {
            findings.push({
                where: container.label,
                what: `resources.${key} is ${show(raw)}, which is ${isNegative(q) ? "negative" : "larger than Kubernetes can represent"}`,
                why: isNegative(q) ? "the API server rejects negative resource amounts" : "Kubernetes silently clamps it to 2^63-1, which is not what was meant",
                fix: "write a positive amount in the intended unit",
            });
            continue;
        }
        if (field.resource === "memory" && FRACTIONAL_SUFFIXES.has(q.suffix)) {
            findings.push({
                where: container.label,
                what: `resources.${key} is ${show(raw)}: the "${q.suffix}" suffix means ${q.suffix === "m" ? "milli" : q.suffix === "u" ? "micro" : "nano"}, so this is a fraction of a byte`,
                why: "a memory amount below one byte is a unit mistake; the container cannot be scheduled sensibly and is OOM-killed at once",
                fix: `write ${show(q.text.slice(0, -q.suffix.length) + "Mi")} (mebibytes) or ${show(q.text.slice(0, -q.suffix.length) + "M")} (megabytes)`,
            });
            continue;
        }
        if (field.resource === "memory" && compareQuantities(q, ONE_MI) < 0) {
            findings.push({
                where: container.label,
                what: `resources.${key} is ${show(raw)}, which is less than 1Mi`,
                why: "no Go process runs in under a mebibyte: this is a unit mistake and the container is OOM-killed at start",
                fix: "give the amount with a binary suffix, e.g. 256Mi",
            });
            continue;
        }
        parsed.set(key, q);
    }
    if (missing.length > 0 && !workload.partial) {
        findings.push({
            where: container.label,
            what: `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`,
            why: missingWhy(missing, resources),
            fix: `set ${missing.join(", ")} (for example requests {cpu: "250m", memory: "256Mi"} and limits {memory: "512Mi"})`,
        });
    }
    for (const resource of ["cpu", "memory"] as const) {
        const request = parsed.get(`requests.${resource}`);
        const limit = parsed.get(`limits.${resource}`);
        if (request && limit && compareQuantities(request, limit) > 0) {
            findings.push({
                where: container.label,
                what: `resources.requests.${resource} (${request.text}) is above resources.limits.${resource} (${limit.text})`,
                why: "the API server rejects a container whose request exceeds its limit, so no pod is created",
                fix: `lower requests.${resource} to at most ${limit.text} or raise the limit`,
            });
        }
    }
    return findings;
}

/** Why the missing fields matter, for exactly the fields that are missing. */
function missingWhy(missing: string[], resources: Record<string, unknown> | undefined): string {
    const reasons: string[] = [];
    const requests = missing.filter((m) => m.startsWith("resources.requests."));
    const limits = asObject(resources?.limits);
    const copied = requests.filter((m) => limits !== undefined && has(limits, m.split(".")[2]));
    const blind = requests.filter((m) => !copied.includes(m));
    if (blind.length > 0) {
        reasons.push("without requests the scheduler places the pod blind and evicts it first under node pressure");
    }
    if (copied.length > 0) {
        reasons.push(`without ${copied.map((m) => m.replace("resources.", "")).join(" and ")} Kubernetes copies the limit into the request, so the pod reserves its whole limit on every node and the real need is nowhere written down`);
    }
    if (missing.includes("resources.limits.memory")) {
        reasons.push("without a memory limit a leak or GC spike grows until the node OOM-kills its neighbours, and GOMEMLIMIT has nothing to be sized against");
    }
    if (missing.includes("resources.limits.cpu")) {
        reasons.push("without a CPU limit (required by this policy's config) one busy pod can starve the others on its node");
    }
    return reasons.join("; ");
}

function parseQuantityOrThrow(text: string): Quantity {
    const r = parseQuantity(text);
    if (!r.ok) {
        throw new Error(r.error);
    }
    return r.quantity;
}
