import { downwardApiValue, EnvValue, hasEnvFrom, resolveEnv } from "../model/env";
import { Finding } from "../model/finding";
import { globMatcher, matchesEverything } from "../model/glob";
import { parseGoGc, parseGoMemLimit } from "../model/go-runtime";
import { imageMatchForms, parseImageRef } from "../model/image-ref";
import { ceilValue, formatBytes, parseQuantity } from "../model/quantity";
import { dig, show } from "../model/values";
import { Container, Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

interface Config {
    images: string[];
    minRatio: number;
    maxRatio: number;
    allowDownwardApi: boolean;
    allowIndirect: boolean;
}

const MI = 1n << 20n;

export default defineRule<Workload, Config>({
    name: "workload-gomemlimit",
    displayName: "Go containers set a valid GOMEMLIMIT below their memory limit",
    description:
        "Go service containers set GOMEMLIMIT to a value the Go runtime accepts, between minRatio and maxRatio of " +
        "limits.memory, and do not disable the garbage collector without it.",
    severity: "high",
    remediationSteps:
        "Set env GOMEMLIMIT to about 90% of the container's limits.memory, written in Go's syntax (for example 460MiB for " +
        "a 512Mi limit; Kubernetes suffixes such as Mi or M crash the Go runtime). Keep GOGC numeric or unset.",
    configSchema: {
        properties: {
            images: {
                type: "array",
                items: { type: "string" },
                default: ["**"],
                description: "Globs over image references selecting the Go containers (`*` within a path segment, `**` across).",
            },
            minRatio: {
                type: "number",
                minimum: 0,
                maximum: 1,
                default: 0.7,
                description: "Smallest allowed GOMEMLIMIT / limits.memory.",
            },
            maxRatio: {
                type: "number",
                minimum: 0,
                maximum: 1,
                default: 0.95,
                description: "Largest allowed GOMEMLIMIT / limits.memory.",
            },
            allowDownwardApi: {
                type: "boolean",
                default: false,
                description: "Accept GOMEMLIMIT taken from limits.memory through the downward API (divisor 1), which leaves no headroom.",
            },
            allowIndirect: {
                type: "boolean",
                default: false,
                description: "Accept GOMEMLIMIT set through envFrom or a ConfigMap/Secret reference, which the policy cannot see.",
            },
        },
    },
    target: workloadTarget,
    check(workload, config) {
        if (config.minRatio > config.maxRatio) {
            return [{
                where: "",
                what: `the policy config sets minRatio ${config.minRatio} above maxRatio ${config.maxRatio}`,
                why: "no GOMEMLIMIT can satisfy both bounds, so every Go container would be reported",
                fix: "set minRatio at or below maxRatio in the policy pack config",
            }];
        }
        const containers = [...workload.appContainers, ...workload.initContainers.filter((c) => c.role === "sidecar container")];
        const selectAll = matchesEverything(config.images);
        const findings: Finding[] = [];
        for (const container of containers) {
            if (!selectAll && !selected(container, config.images)) {
                continue;
            }
            findings.push(...checkContainer(workload, container, config));
        }
        return findings;
    },
});

function selected(container: Container, images: string[]): boolean {
    const parsed = parseImageRef(container.raw.image);
    const forms = parsed.ok ? imageMatchForms(parsed.ref) : typeof container.raw.image === "string" ? [container.raw.image] : [];
    return globMatcher(images)(forms);
}

/** What GOMEMLIMIT amounts to, for the ratio and GOGC checks. */
type Effective = { bytes: bigint; via: string; downwardApi: boolean } | "none" | "unknown";

function checkContainer(workload: Workload, container: Container, config: Config): Finding[] {
    const findings: Finding[] = [];
    const where = container.label;
    const limitRaw = dig(container.raw.resources, "limits", "memory");
    const limitParsed = limitRaw === undefined || limitRaw === null ? undefined : parseQuantity(limitRaw);
    const limitBytes = limitParsed?.ok ? ceilValue(limitParsed.quantity) : undefined;
    const suggestion = suggest(limitBytes, config);

    const effective = effectiveLimit(workload, container, config, resolveEnv(container.raw, "GOMEMLIMIT"), suggestion, findings);

    if (typeof effective === "object") {
        if (limitParsed === undefined) {
            findings.push({
                where,
                what: `GOMEMLIMIT is ${effective.via} but resources.limits.memory is not set`,
                why: "a soft limit needs a hard limit to stay below; without one the container can still grow until the node OOM-kills it, and the two drift apart unnoticed",
                fix: "set resources.limits.memory and size GOMEMLIMIT at about 90% of it",
            });
        } else if (limitBytes !== undefined && limitBytes >= MI && !(effective.downwardApi && config.allowDownwardApi)) {
            // (A limit below 1Mi is a unit mistake that workload-resources reports; no ratio would help.)
            findings.push(...ratioFindings(where, effective, limitBytes, String(limitRaw), config, suggestion));
        }
    }

    const gogc = resolveEnv(container.raw, "GOGC");
    if (gogc.kind === "literal") {
        const parsed = parseGoGc(gogc.value);
        if (parsed.kind === "off" && effective === "none") {
            findings.push({
                where,
                what: `GOGC is ${show(gogc.value)} (garbage collection disabled) and no finite GOMEMLIMIT is set`,
                why: "the heap then grows without bound until the kernel OOM-kills the container",
                fix: `remove GOGC or set GOMEMLIMIT${suggestion ? ` (e.g. ${suggestion})` : ""} so the collector runs when the heap nears the limit`,
            });
        } else if (parsed.kind === "ignored") {
            findings.push({
                where,
                what: `GOGC is ${show(gogc.value)}, which the Go runtime does not understand (${parsed.reason})`,
                why: "Go silently falls back to GOGC=100, so the tuning you intended never takes effect",
                fix: "set GOGC to a whole number (percent, e.g. 100) or \"off\" together with GOMEMLIMIT",
            });
        }
    }
    return findings;
}

function effectiveLimit(
    workload: Workload,
    container: Container,
    config: Config,
    value: EnvValue,
    suggestion: string | undefined,
    findings: Finding[],
): Effective {
    const where = container.label;
    const example = suggestion ? ` (e.g. ${suggestion})` : "";
    switch (value.kind) {
        case "unset":
            if (hasEnvFrom(container.raw)) {
                if (!config.allowIndirect) {
                    findings.push({
                        where,
                        what: "GOMEMLIMIT is not in env; it may be set through envFrom, which this policy cannot read",
                        why: "an unverified GOMEMLIMIT may be missing, malformed (crashing the Go runtime at start) or above the memory limit",
                        fix: `set GOMEMLIMIT in env${example}, or set allowIndirect: true for this policy if the ConfigMap/Secret is checked elsewhere`,
                    });
                }
                return "unknown";
            }
            if (!workload.partial) {
                findings.push({
                    where,
                    what: "GOMEMLIMIT is not set",
                    why: "the Go garbage collector then only reacts to heap growth (GOGC) and ignores the container's memory limit, so under load the heap overshoots limits.memory and the kernel OOM-kills the pod",
                    fix: `set env GOMEMLIMIT to about 90% of limits.memory${example}`,
                });
            }
            return "none";
        case "indirect":
            if (!config.allowIndirect) {
                findings.push({
                    where,
                    what: `GOMEMLIMIT comes from ${value.description}, which this policy cannot read`,
                    why: "an unverified GOMEMLIMIT may be missing, malformed (crashing the Go runtime at start) or above the memory limit",
                    fix: `set GOMEMLIMIT as a literal value in env${example}, or set allowIndirect: true for this policy if the source is checked elsewhere`,
                });
            }
            return "unknown";
        case "other":
            findings.push({
                where,
                what: `GOMEMLIMIT comes from ${value.description}, which is not a byte count`,
                why: "the Go runtime aborts at start with \"malformed GOMEMLIMIT\", so the container crash-loops",
                fix: `set GOMEMLIMIT to a literal value${example}`,
            });
            return "none";
        case "resource":
            return downwardApi(container, config, value, example, findings);
        case "literal": {
            const parsed = parseGoMemLimit(value.value);
            const shown = value.value === value.raw ? show(value.raw) : `${show(value.raw)} (expands to ${show(value.value)})`;
            if (parsed.kind === "malformed") {
                findings.push({
                    where,
                    what: `GOMEMLIMIT is ${shown}, which the Go runtime cannot parse: ${parsed.reason}`,
                    why: "the Go runtime aborts at start with \"malformed GOMEMLIMIT\", so the container crash-loops",
                    fix: `write a whole number with B, KiB, MiB, GiB or TiB${correction(value.value) ?? example}`,
                });
                return "none";
            }
            if (parsed.kind === "off") {
                findings.push({
                    where,
                    what: `GOMEMLIMIT is ${shown}, which sets no limit`,
                    why: "the Go garbage collector then ignores the container's memory limit, so under load the heap overshoots limits.memory and the kernel OOM-kills the pod",
                    fix: `set GOMEMLIMIT to about 90% of limits.memory${example}`,
                });
                return "none";
            }
            return { bytes: parsed.bytes, via: `set to ${shown}`, downwardApi: value.downwardApi };
        }
    }
}

function downwardApi(
    container: Container,
    config: Config,
    value: Extract<EnvValue, { kind: "resource" }>,
    example: string,
    findings: Finding[],
): Effective {
    const where = container.label;
    if (value.resource !== "limits.memory" && value.resource !== "requests.memory") {
        findings.push({
            where,
            what: `GOMEMLIMIT comes from ${value.description}, which is not a memory amount`,
            why: "the number the kubelet writes is not a byte count, so the Go runtime gets a meaningless limit",
            fix: `use resource limits.memory with divisor 1, or a literal value${example}`,
        });
        return "none";
    }
    if (!value.divisorValue || value.divisorValue.numerator !== value.divisorValue.denominator) {
        findings.push({
            where,
            what: `GOMEMLIMIT comes from ${value.description}: the kubelet writes the amount in units of ${value.divisor}, and Go reads that number as bytes`,
            why: "a 512Mi limit with divisor 1Mi becomes GOMEMLIMIT=512, i.e. 512 bytes: the garbage collector runs continuously and the service crawls",
            fix: `set divisor: "1", or a literal GOMEMLIMIT${example}`,
        });
        return "none";
    }
    const bytes = downwardApiValue(container.raw, value);
    if (bytes === undefined) {
        findings.push({
            where,
            what: `GOMEMLIMIT comes from ${value.description} but the container does not set ${value.resource}`,
            why: "the kubelet then writes the node's allocatable memory, which is far above what the container may use",
            fix: `set resources.${value.resource}, and prefer a literal GOMEMLIMIT with headroom${example}`,
        });
        return "none";
    }
    if (value.resource === "limits.memory" && !config.allowDownwardApi) {
        findings.push({
            where,
            what: `GOMEMLIMIT comes from ${value.description}, i.e. 100% of the memory limit`,
            why: "memory the Go runtime does not count (goroutine stacks in flight, cgo, mmap'd files, the binary) lies on top, so the kernel OOM-kills the container before the soft limit makes the collector work",
            fix: `set a literal GOMEMLIMIT at about 90% of the limit${example}, or set allowDownwardApi: true if the application lowers it itself`,
        });
        return "unknown";
    }
    return { bytes, via: `taken from ${value.description} (${bytes} bytes)`, downwardApi: true };
}

function ratioFindings(
    where: string,
    effective: { bytes: bigint; via: string },
    limitBytes: bigint,
    limitText: string,
    config: Config,
    suggestion: string | undefined,
): Finding[] {
    const ratio = Number(effective.bytes) / Number(limitBytes);
    const percent = `${(ratio * 100).toFixed(1).replace(/\.0$/, "")}%`;
    const bounds = `${Math.round(config.minRatio * 100)}%–${Math.round(config.maxRatio * 100)}%`;
    const fix = `set GOMEMLIMIT within ${bounds} of limits.memory${suggestion ? `, e.g. ${suggestion}` : ""}`;
    if (ratio > 1) {
        return [{
            where,
            what: `GOMEMLIMIT (${effective.via}, ${formatBytes(effective.bytes)}) is above resources.limits.memory (${limitText})`,
            why: "the kernel OOM-kills the container before the Go collector ever feels the soft limit",
            fix,
        }];
    }
    if (ratio > config.maxRatio) {
        return [{
            where,
            what: `GOMEMLIMIT (${effective.via}) is ${percent} of resources.limits.memory (${limitText}), above the ${Math.round(config.maxRatio * 100)}% maximum`,
            why: "memory outside the Go heap (goroutine stacks, cgo, mmap'd files, the binary) needs headroom; without it the kernel OOM-kills the container before the collector reacts",
            fix,
        }];
    }
    if (ratio < config.minRatio) {
        return [{
            where,
            what: `GOMEMLIMIT (${effective.via}) is only ${percent} of resources.limits.memory (${limitText}), below the ${Math.round(config.minRatio * 100)}% minimum`,
            why: "the collector runs far more often than needed, burning CPU and raising latency, while the memory you pay for stays unused",
            fix,
        }];
    }
    return [];
}

/** A GOMEMLIMIT at ~90% of the limit (kept within the configured bounds), in MiB. */
function suggest(limitBytes: bigint | undefined, config: Config): string | undefined {
    if (limitBytes === undefined || limitBytes < MI) {
        return undefined;
    }
    const ratio = Math.min(Math.max(0.9, config.minRatio), config.maxRatio);
    const mib = Math.floor((Number(limitBytes) * ratio) / Number(MI));
    return mib > 0 ? `GOMEMLIMIT=${mib}MiB` : undefined;
}

/** The Go spelling of a value written in Kubernetes or decimal units, when it is obvious. */
function correction(value: string): string | undefined {
    const m = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(value);
    return m ? ` (here: ${m[1]}${m[2]}B)` : undefined;
}
