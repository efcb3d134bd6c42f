// Per-resource exemptions written as Kubernetes annotations.
import { asObject, asString, has } from "../model/values";
import type { Exemption } from "./rule";

export const SKIP_ANNOTATION = "go-service-guard.dev/skip";
export const SKIP_REASON_ANNOTATION = "go-service-guard.dev/skip-reason";

/** Reads `go-service-guard.dev/skip` and its reason from object metadata; only those two keys are read. */
export function annotationExemption(metadata: unknown): Exemption | undefined {
    const annotations = asObject(asObject(metadata)?.annotations);
    if (!annotations || !has(annotations, SKIP_ANNOTATION)) {
        return undefined;
    }
    const list = asString(annotations[SKIP_ANNOTATION]) ?? "";
    return {
        policies: list.split(",").map((p) => p.trim()).filter((p) => p.length > 0),
        reason: () => (has(annotations, SKIP_REASON_ANNOTATION) ? asString(annotations[SKIP_REASON_ANNOTATION])?.trim() || undefined : undefined),
        source: `annotation ${SKIP_ANNOTATION}`,
        missingReasonHint: `add a non-empty ${SKIP_REASON_ANNOTATION} annotation that says why`,
    };
}
