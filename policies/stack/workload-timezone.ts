import { describeBase } from "../model/base-images";
import { resolveEnv } from "../model/env";
import { parseImageRef } from "../model/image-ref";
import { isKnownZone, isUtc, zoneinfoInFinalImage, zoneName } from "../model/timezone";
import { Container, Workload } from "../model/workload";
import { defineStackRule, StackFinding } from "../pulumi/rule";
import { StackModel, stackModel } from "../pulumi/stack-model";

export default defineStackRule<StackModel, Record<string, never>>({
    name: "workload-timezone",
    displayName: "A workload's time zone exists in the image the stack builds for it",
    description:
        "A workload container that sets TZ to a zone other than UTC names a valid zone, and when its image is built in the " +
        "same stack, that image's final stage has zoneinfo.",
    severity: "medium",
    remediationSteps:
        "Give the image zoneinfo (a distroless or Chainguard base, tzdata installed in the final stage, a COPY of " +
        "/usr/share/zoneinfo, or go build -tags timetzdata), or drop TZ from the workload and keep the service in UTC.",
    configSchema: { properties: {} },
    appliesTo: "Kubernetes workloads together with the image builds of the same stack",
    stack: stackModel,
    check(stack) {
        const findings: StackFinding[] = [];
        for (const { urn, workload } of stack.workloads) {
            const containers = stack.guard(() => [...workload.appContainers, ...workload.initContainers]) ?? [];
            for (const container of containers) {
                const finding = stack.guard(() => checkContainer(stack, urn, workload, container));
                if (finding) {
                    findings.push(finding);
                }
            }
        }
        return findings;
    },
});

function checkContainer(stack: StackModel, urn: string, workload: Workload, container: Container): StackFinding | undefined {
    const tz = resolveEnv(container.raw, "TZ");
    if (tz.kind !== "literal" || isUtc(tz.value) || tz.value.startsWith("/")) {
        return undefined;
    }
    if (!isKnownZone(tz.value)) {
        return {
            urn,
            label: workload.label,
            finding: {
                where: container.label,
                what: `TZ is ${JSON.stringify(tz.value)}, which is not a time zone name Go can find`,
                why: "Go silently falls back to UTC for an unknown zone, so every timestamp is off with no error anywhere",
                fix: "use an IANA zone name such as Europe/Berlin or Asia/Jakarta (case-sensitive)",
            },
        };
    }
    const ref = parseImageRef(container.raw.image);
    if (!ref.ok) {
        return undefined;
    }
    const image = stack.images.find((i) => i.names.includes(ref.ref.name));
    if (!image || image.build.loaded.kind !== "ok") {
        return undefined;
    }
    const zoneinfo = zoneinfoInFinalImage(image.build.loaded.build);
    if (zoneinfo.kind === "none" || zoneinfo.removedAt) {
        const build = image.build.loaded.build;
        return {
            urn,
            label: workload.label,
            finding: {
                where: container.label,
                what: `TZ is ${JSON.stringify(zoneName(tz.value))} but its image ${ref.ref.name} is built by ${image.build.label} (${image.build.display}) with no zoneinfo in the final stage (${zoneinfo.removedAt ? `tzdata is removed on line ${zoneinfo.removedAt.line}` : `${describeBase(build.finalBase)} ships none`})`,
                why: "Go cannot find the zone and silently falls back to UTC: schedules, log timestamps and day boundaries are off with no error",
                fix: `add zoneinfo to ${image.build.label} (COPY --from=<builder> /usr/share/zoneinfo /usr/share/zoneinfo, or go build -tags timetzdata)`,
            },
        };
    }
    return undefined;
}
