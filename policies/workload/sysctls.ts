import { Finding } from "../model/finding";
import {
    isValidSysctlName, kubernetesMinor, matchesSysctlPattern, normalizeSysctlName, safeSysctls, sysctlNamespace,
} from "../model/sysctl";
import { asArray, asObject, asString, dig, show } from "../model/values";
import { Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

interface Config {
    kubernetesVersion: string;
    allowedUnsafeSysctls: string[];
    requiredSysctls: Record<string, string>;
}

const DEFAULT_VERSION = "1.32";
const WHERE = "pod securityContext.sysctls";

export default defineRule<Workload, Config>({
    name: "workload-sysctls",
    displayName: "Pod sysctls are ones the kubelet will admit",
    description:
        "Pod sysctls are namespaced, safe for the configured Kubernetes version or allowed on the nodes, compatible with " +
        "host namespaces, unique, and include the required values.",
    severity: "critical",
    remediationSteps:
        "Remove node-level sysctls (vm.*, fs.file-max, kernel.pid_max …) from the pod and tune the nodes instead. For unsafe " +
        "namespaced sysctls, enable them on the node pool (kubelet allowedUnsafeSysctls) and list them in this policy's " +
        "allowedUnsafeSysctls. Do not combine net.* sysctls with hostNetwork or IPC sysctls with hostIPC.",
    configSchema: {
        properties: {
            kubernetesVersion: {
                type: "string",
                pattern: "^v?1\\.[0-9]{1,3}(\\.[0-9]+)?$",
                default: DEFAULT_VERSION,
                description: "Oldest Kubernetes version the workloads run on; selects the kubelet's safe sysctl set.",
            },
            allowedUnsafeSysctls: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Sysctl names or `prefix*` patterns the nodes allow, as in the kubelet's allowedUnsafeSysctls.",
            },
            requiredSysctls: {
                type: "object",
                additionalProperties: { type: "string" },
                default: {},
                description:
                    "Sysctls every pod must set, with a comparison: `=v`, `>=n`, `<=n` or a plain value meaning equality, " +
                    "e.g. {\"net.core.somaxconn\": \">=4096\"}.",
            },
        },
    },
    target: workloadTarget,
    check(workload, config) {
        const findings: Finding[] = [];
        const spec = workload.podSpec;
        const version = kubernetesMinor(config.kubernetesVersion) ?? (kubernetesMinor(DEFAULT_VERSION) as number);
        const safe = safeSysctls(version);
        const seen = new Map<string, Record<string, unknown> | undefined>();
        const rawSysctls = dig(spec, "securityContext", "sysctls");
        if (rawSysctls !== undefined && rawSysctls !== null && !Array.isArray(rawSysctls)) {
            findings.push({
                where: WHERE,
                what: `the field is ${show(rawSysctls)}, not a list of {name, value}`,
                why: "the API server rejects the pod spec",
                fix: "write sysctls as a list, e.g. [{name: \"net.ipv4.tcp_keepalive_time\", value: \"60\"}]",
            });
        }
        const entries = asArray(rawSysctls);
        let hostNetwork: boolean | undefined;
        let hostIPC: boolean | undefined;
        for (const [index, item] of entries.entries()) {
            const entry = asObject(item);
            if (!entry) {
                findings.push({
                    where: WHERE,
                    what: `entry ${index} is ${show(item)}, not {name, value}`,
                    why: "the API server rejects the pod spec",
                    fix: "remove the entry or give it a name and a value",
                });
                continue;
            }
            const rawName = asString(entry.name);
            if (rawName === undefined || !isValidSysctlName(rawName)) {
                findings.push({
                    where: WHERE,
                    what: `${show(entry.name)} is not a valid sysctl name`,
                    why: "the API server rejects the pod spec",
                    fix: "write the sysctl name in dotted form, e.g. net.ipv4.tcp_keepalive_time",
                });
                continue;
            }
            const name = normalizeSysctlName(rawName);
            const shown = name === rawName ? name : `${name} (written ${rawName})`;
            if (seen.has(name)) {
                findings.push({
                    where: WHERE,
                    what: `${shown} is set more than once`,
                    why: "the API server rejects a pod spec with duplicate sysctls",
                    fix: `keep a single entry for ${name}`,
                });
                continue;
            }
            seen.set(name, entry); // the value is read only when a requirement needs it
            const ns = sysctlNamespace(name);
            if (ns === "node") {
                findings.push({
                    where: WHERE,
                    what: `${shown} is a node-level sysctl, not namespaced per pod`,
                    why: "the kubelet refuses the pod (SysctlForbidden) and no kubelet setting can allow it, so the pods fail and are recreated forever",
                    fix: `remove it from the pod and tune ${name} on the nodes (node image, machine config or a privileged node DaemonSet)`,
                });
                continue;
            }
            if (ns === "net" && (hostNetwork ??= dig(spec, "hostNetwork") === true)) {
                findings.push({
                    where: WHERE,
                    what: `${shown} is set while hostNetwork is true`,
                    why: "the pod shares the node's network namespace, so the API server (1.29+) rejects it and the kubelet refuses it on older releases",
                    fix: `remove ${name} from the pod or stop using hostNetwork`,
                });
            }
            if (ns === "ipc" && (hostIPC ??= dig(spec, "hostIPC") === true)) {
                findings.push({
                    where: WHERE,
                    what: `${shown} is set while hostIPC is true`,
                    why: "the pod shares the node's IPC namespace, so the API server (1.29+) rejects it and the kubelet refuses it on older releases",
                    fix: `remove ${name} from the pod or stop using hostIPC`,
                });
            }
            if (!safe.has(name) && !config.allowedUnsafeSysctls.some((p) => typeof p === "string" && matchesSysctlPattern(p, name))) {
                findings.push({
                    where: WHERE,
                    what: `${shown} is not in the kubelet's safe set for Kubernetes 1.${version} and not in allowedUnsafeSysctls`,
                    why: "the pod is scheduled, then refused by the kubelet (SysctlForbidden) on every node that has not allowed it, and Pod Security baseline rejects it",
                    fix: `remove it, or enable it on the node pool (kubelet allowedUnsafeSysctls) and add "${name}" to this policy's allowedUnsafeSysctls`,
                });
            }
        }
        for (const [rawName, expected] of Object.entries(config.requiredSysctls)) {
            const name = normalizeSysctlName(rawName);
            if (!seen.has(name)) {
                if (!workload.partial) {
                    findings.push({
                        where: WHERE,
                        what: `required sysctl ${name} is not set (required: ${expected})`,
                        why: "the service relies on it under load; the kernel default applies instead",
                        fix: `add {name: "${name}", value: "${example(expected)}"} to spec.securityContext.sysctls`,
                    });
                }
                continue;
            }
            const actual = seen.get(name)?.value;
            const verdict = compare(actual, String(expected));
            if (verdict !== true) {
                findings.push({
                    where: WHERE,
                    what: `${name} is ${show(actual)}, which does not satisfy the required ${show(expected)}${verdict ? ` (${verdict})` : ""}`,
                    why: "the service relies on this kernel setting under load",
                    fix: `set ${name} to a value that satisfies ${expected}`,
                });
            }
        }
        return findings;
    },
});

/** true when the actual value satisfies the requirement, else false or a reason. */
function compare(actual: unknown, requirement: string): true | false | string {
    const m = /^\s*(>=|<=|==|=)?\s*(.*?)\s*$/.exec(requirement) as RegExpExecArray;
    const op = m[1] ?? "=";
    const wanted = m[2];
    const value = typeof actual === "number" ? String(actual) : asString(actual);
    if (value === undefined) {
        return "the value is not a string";
    }
    const have = value.trim().replace(/\s+/g, " ");
    if (op === ">=" || op === "<=") {
        const a = Number(have);
        const b = Number(wanted);
        if (have === "" || !Number.isFinite(a) || !Number.isFinite(b)) {
            return "not a number";
        }
        return op === ">=" ? a >= b : a <= b;
    }
    const want = wanted.replace(/\s+/g, " ");
    if (have !== "" && want !== "" && Number.isFinite(Number(have)) && Number.isFinite(Number(want))) {
        return Number(have) === Number(want);
    }
    return have === want;
}

function example(requirement: string): string {
    return requirement.replace(/^\s*(>=|<=|==|=)\s*/, "").trim();
}
