// Which Pulumi type tokens carry a pod spec. Tokens are matched as strings: the Kubernetes SDK is
// never loaded at run time.
import { createWorkload, isWorkloadKind, Workload, WORKLOAD_KINDS } from "../model/workload";
import { isUnknownValueError } from "./adapter";
import { annotationExemption } from "./exemptions";
import type { ResourceInput, Target } from "./rule";

const API_VERSIONS = new Set([
    "core/v1", "apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1",
    "batch/v1", "batch/v1beta1", "batch/v2alpha1",
]);

const TOKEN = /^kubernetes:([a-z0-9.]+\/v[0-9a-z]+):([A-Za-z]+?)(Patch)?$/;

/** The workload kind behind a type token, or undefined when resources of that type carry no pod spec. */
export function workloadKindOf(token: string): { kind: string; partial: boolean } | undefined {
    const m = TOKEN.exec(token);
    if (!m || !API_VERSIONS.has(m[1]) || !isWorkloadKind(m[2])) {
        return undefined;
    }
    return { kind: m[2], partial: m[3] === "Patch" };
}

export const workloadTarget: Target<Workload> = {
    description: `Kubernetes workloads (${WORKLOAD_KINDS.join(", ")}, their legacy API versions and …Patch kinds)`,
    kinds: "Kubernetes workloads",
    load(resource: ResourceInput): Workload | undefined {
        const k = workloadKindOf(resource.type);
        return k ? createWorkload(k.kind, k.partial, resource.props, resource.name, isUnknownValueError) : undefined;
    },
    exemption(workload: Workload) {
        return annotationExemption(workload.metadata);
    },
    unchecked(workload: Workload) {
        const problems = workload.shapeProblems;
        return problems.length > 0 ? problems.join("; ") : undefined;
    },
};
