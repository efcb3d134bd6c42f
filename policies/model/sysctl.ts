// Kubernetes' view of sysctls (pkg/kubelet/sysctl): which are namespaced, which the kubelet
// allows without node opt-in in each release, and how names are normalised.

/** Safe sysctls and the Kubernetes minor release whose kubelet first allows them by default. */
const SAFE_SINCE: ReadonlyArray<readonly [string, number]> = [
    ["kernel.shm_rmid_forced", 0],
    ["net.ipv4.ip_local_port_range", 0],
    ["net.ipv4.tcp_syncookies", 0],
    ["net.ipv4.ping_group_range", 18],
    ["net.ipv4.ip_unprivileged_port_start", 22],
    ["net.ipv4.ip_local_reserved_ports", 27],
    ["net.ipv4.tcp_keepalive_time", 29],
    ["net.ipv4.tcp_fin_timeout", 29],
    ["net.ipv4.tcp_keepalive_intvl", 29],
    ["net.ipv4.tcp_keepalive_probes", 29],
    ["net.ipv4.tcp_rmem", 32],
    ["net.ipv4.tcp_wmem", 32],
    ["net.ipv4.tcp_slow_start_after_idle", 37],
    ["net.ipv4.tcp_notsent_lowat", 37],
];

export type Namespace = "ipc" | "net" | "node";

/** The kernel namespace a sysctl belongs to, as the kubelet decides it (by name only). */
export function sysctlNamespace(name: string): Namespace {
    if (name === "kernel.sem" || name.startsWith("kernel.shm") || name.startsWith("kernel.msg") || name.startsWith("fs.mqueue.")) {
        return "ipc";
    }
    return name.startsWith("net.") ? "net" : "node";
}

/**
 * Dotted form of a sysctl name. When the first separator is `/`, the kubelet swaps `/` and `.`
 * (so `net/ipv4/conf/eth0.100/rp_filter` is `net.ipv4.conf.eth0/100.rp_filter`).
 */
export function normalizeSysctlName(name: string): string {
    const slash = name.indexOf("/");
    const dot = name.indexOf(".");
    if (slash < 0 || (dot >= 0 && dot < slash)) {
        return name;
    }
    return name.replace(/[./]/g, (c) => (c === "/" ? "." : "/"));
}

const NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

/** Whether the API server accepts the name (IsValidSysctlName; 253 characters at most). */
export function isValidSysctlName(name: string): boolean {
    return name.length > 0 && name.length <= 253 && NAME.test(name);
}

/** The safe set of a Kubernetes minor version. */
export function safeSysctls(minor: number): ReadonlySet<string> {
    return new Set(SAFE_SINCE.filter(([, since]) => since <= minor).map(([name]) => name));
}

/** The Kubernetes minor version of "1.32", "v1.32" or "1.32.4". */
export function kubernetesMinor(version: string): number | undefined {
    const m = /^v?1\.(\d{1,3})(\.\d+)?$/.exec(version.trim());
    return m ? Number(m[1]) : undefined;
}

/** Whether a kubelet `allowedUnsafeSysctls` entry (a name, or a prefix ending in `*`) admits the name. */
export function matchesSysctlPattern(pattern: string, name: string): boolean {
    const p = normalizeSysctlName(pattern.trim());
    return p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p;
}
