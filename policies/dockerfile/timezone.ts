import { describeBase } from "../model/base-images";
import { Definition, Stage, stageChain } from "../model/dockerfile";
import { Finding } from "../model/finding";
import { isKnownZone, isUtc, tzdataInstallAt, zoneinfoBefore, zoneinfoInFinalImage, zoneName } from "../model/timezone";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

const TZ_USE = /\$(\{TZ[}:+-]|TZ\b)/;
const ZONEINFO = /\/usr\/share\/zoneinfo\b/;
const LOCALTIME = /(?:\bln\s+(?:-[a-zA-Z]+\s+)*|\bcp\s+(?:-[a-zA-Z]+\s+)*)["']?\/usr\/share\/zoneinfo\/([^\s"';&|]+)["']?\s+["']?\/etc\/localtime\b/;

export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-timezone",
    displayName: "A time zone set in the image exists in the image",
    description:
        "When the image sets TZ to a zone other than UTC, the zone name is valid and zoneinfo exists in the final image; " +
        "TZ and /usr/share/zoneinfo are used only after they are defined or installed, tzdata is not removed later, and " +
        "/etc/localtime agrees with TZ.",
    severity: "medium",
    remediationSteps:
        "Keep zoneinfo in the final image: build on a base that ships tzdata (distroless, Chainguard), install tzdata in the " +
        "final stage, COPY --from=<builder> /usr/share/zoneinfo /usr/share/zoneinfo, or build with go build -tags timetzdata. " +
        "Define TZ before using it, and do not remove tzdata afterwards.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check: onBuild<Record<string, never>>((model, build) => {
        const findings: Finding[] = [];
        const tz = finalTz(build.final);
        if (tz && tz.value !== undefined && !isUtc(tz.value)) {
            const where = model.at(tz.line);
            if (!tz.value.startsWith("/") && !isKnownZone(tz.value)) {
                findings.push({
                    where,
                    what: `TZ is ${JSON.stringify(tz.value)}, which is not a time zone name Go can find`,
                    why: "Go silently falls back to UTC for an unknown zone, so every timestamp is off by the zone's offset with no error anywhere",
                    fix: "use an IANA zone name such as Europe/Berlin or Asia/Jakarta (case-sensitive)",
                });
            } else {
                const source = zoneinfoInFinalImage(build);
                if (source.removedAt) {
                    findings.push({
                        where: model.at(source.removedAt.line),
                        what: `tzdata is removed here while TZ is ${JSON.stringify(tz.value)} (set on line ${tz.line})`,
                        why: "with TZ set, Go looks the zone up in /usr/share/zoneinfo at start; once tzdata is gone it silently falls back to UTC",
                        fix: "keep tzdata in the final image (drop the removal) or build with -tags timetzdata",
                    });
                } else if (source.kind === "none") {
                    findings.push({
                        where,
                        what: `TZ is ${JSON.stringify(tz.value)} but the final image has no zoneinfo (${describeBase(build.finalBase)} ships none, and no stage installs or copies it or builds with -tags timetzdata)`,
                        why: "Go cannot find the zone and silently falls back to UTC: schedules, log timestamps and day boundaries are off with no error",
                        fix: "COPY --from=<builder> /usr/share/zoneinfo /usr/share/zoneinfo, install tzdata, or build with go build -tags timetzdata",
                    });
                }
            }
        }
        const finalChain = new Set(stageChain(build.final).map((s) => s.index));
        for (const stage of build.feeders) {
            for (const d of stage.definitions) {
                if (d.name === "TZ" && !d.inherited && d !== tz && d.value && !d.value.startsWith("/") && !isKnownZone(d.value)) {
                    findings.push({
                        where: model.at(d.line),
                        what: `${d.kind} TZ=${d.value} in ${stage.label} is not a time zone name Go can find`,
                        why: "commands and programs that use it silently fall back to UTC",
                        fix: "use an IANA zone name such as Europe/Berlin (case-sensitive)",
                    });
                }
            }
            findings.push(...orderFindings(model, stage, finalChain.has(stage.index) ? tz?.value : undefined));
        }
        return findings;
    }),
});

/** The TZ in force in the final image: the last ENV TZ in the final stage's chain. */
function finalTz(stage: Stage): Definition | undefined {
    let found: Definition | undefined;
    for (const d of stage.definitions) {
        if (d.name === "TZ" && d.kind === "ENV") {
            found = d;
        }
    }
    return found;
}

function orderFindings(model: ImageBuild, stage: Stage, finalTz: string | undefined): Finding[] {
    const findings: Finding[] = [];
    const ownFirstTz = stage.definitions.find((d) => d.name === "TZ" && !d.inherited);
    const inheritedTz = stage.definitions.some((d) => d.name === "TZ" && d.inherited);
    for (const instruction of stage.instructions) {
        if (instruction.keyword !== "RUN") {
            continue;
        }
        const where = model.at(instruction.line);
        const text = instruction.text;
        if (TZ_USE.test(text) && !inheritedTz && (!ownFirstTz || ownFirstTz.line > instruction.line)) {
            findings.push({
                where,
                what: `RUN uses $TZ before ${ownFirstTz ? `ENV/ARG TZ defines it on line ${ownFirstTz.line}` : "any ENV or ARG TZ defines it"} in ${stage.label}`,
                why: "$TZ expands to an empty string here, so the command links or configures the wrong zone (usually UTC) without failing",
                fix: "move ENV TZ=<zone> (or ARG TZ=<zone>) above this RUN",
            });
        }
        const zoneinfoUse = text.search(ZONEINFO);
        if (zoneinfoUse >= 0) {
            const install = tzdataInstallAt(text);
            const installedHere = install >= 0 && install < zoneinfoUse;
            if (!installedHere && !zoneinfoBefore(stage, instruction.line)) {
                findings.push({
                    where,
                    what: `RUN uses /usr/share/zoneinfo before tzdata is installed in ${stage.label}`,
                    why: "the directory does not exist yet, so the copy or link fails the build or leaves a dangling /etc/localtime",
                    fix: "install tzdata first (e.g. apk add --no-cache tzdata) in the same or an earlier RUN",
                });
            }
        }
        const link = LOCALTIME.exec(text);
        if (link && finalTz !== undefined && !link[1].includes("$")) {
            const linked = link[1];
            if (!isUtc(finalTz) && zoneName(finalTz) !== linked) {
                findings.push({
                    where,
                    what: `/etc/localtime is set to ${linked} but TZ is ${JSON.stringify(finalTz)}`,
                    why: "programs that read TZ (Go among them) and programs that read /etc/localtime disagree about the local time",
                    fix: `link /usr/share/zoneinfo/${zoneName(finalTz)} or change TZ so both name the same zone`,
                });
            }
        }
    }
    return findings;
}

