import { Finding, notApplicable } from "../model/finding";
import { asObject, dig, has, Obj, show } from "../model/values";
import { Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

export default defineRule<Workload, Record<string, never>>({
    name: "workload-run-as-non-root",
    displayName: "Containers run as a non-root user",
    description:
        "Every container and init container runs as non-root: runAsNonRoot true or runAsUser above 0, at container level or " +
        "inherited from the pod, and never runAsUser 0.",
    severity: "high",
    remediationSteps:
        "Set securityContext.runAsNonRoot: true and a numeric runAsUser (e.g. 65532) at pod level, and build the image with a " +
        "numeric non-root USER. Container-level settings override the pod's.",
    configSchema: { properties: {} },
    target: workloadTarget,
    check(workload) {
        const spec = workload.podSpec;
        if (dig(spec, "os", "name") === "windows") {
            return notApplicable("Windows pods run as a user name (windowsOptions.runAsUserName), not a numeric user");
        }
        const pod = asObject(dig(spec, "securityContext"));
        const findings: Finding[] = [];
        for (const container of workload.allContainers) {
            const own = asObject(container.raw.securityContext);
            const user = effective(own, pod, "runAsUser");
            if (typeof user.value === "number" && user.value > 0) {
                continue; // runAsNonRoot need not be read (it may be unknown during preview)
            }
            const nonRoot = effective(own, pod, "runAsNonRoot");
            if (user.value !== undefined && (typeof user.value !== "number" || !Number.isInteger(user.value) || user.value < 0)) {
                findings.push({
                    where: container.label,
                    what: `runAsUser is ${show(user.value)}${user.from === "pod" ? ", inherited from the pod's securityContext" : ""}, not a valid UID`,
                    why: "the API server rejects a runAsUser that is not a non-negative integer",
                    fix: "set runAsUser to a non-zero UID that the image supports (e.g. 65532)",
                });
            } else if (user.value === 0) {
                findings.push({
                    where: container.label,
                    what: `runAsUser is 0 (root)${user.from === "pod" ? ", inherited from the pod's securityContext" : ""}${nonRoot.value === true ? " while runAsNonRoot is true" : ""}`,
                    why: nonRoot.value === true
                        ? "the kubelet refuses to start a container whose user is root under runAsNonRoot (CreateContainerConfigError)"
                        : "a root process that is compromised owns the container and is one kernel bug away from the node",
                    fix: "set runAsUser to a non-zero UID that the image supports (e.g. 65532) and runAsNonRoot: true",
                });
            } else if (nonRoot.value !== true && !workload.partial) {
                findings.push({
                    where: container.label,
                    what: nonRoot.value === false
                        ? `runAsNonRoot is false${nonRoot.from === "pod" ? " (from the pod)" : ""} and runAsUser is ${user.value === undefined ? "not set" : show(user.value)}`
                        : "neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)",
                    why: "the container then runs as the image's user, which is root unless the image says otherwise, and nothing stops a later image from switching back to root",
                    fix: "set securityContext.runAsNonRoot: true (and runAsUser, e.g. 65532) on the pod or the container",
                });
            }
        }
        return findings;
    },
});

/** Container level wins over pod level; only the one key is read. */
function effective(own: Obj | undefined, pod: Obj | undefined, key: string): { value: unknown; from: "container" | "pod" | "none" } {
    if (own && has(own, key) && own[key] !== null && own[key] !== undefined) {
        return { value: own[key], from: "container" };
    }
    if (pod && has(pod, key) && pod[key] !== null && pod[key] !== undefined) {
        return { value: pod[key], from: "pod" };
    }
    return { value: undefined, from: "none" };
}
