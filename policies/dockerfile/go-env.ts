import { Finding } from "../model/finding";
import { parseGoGc, parseGoMemLimit } from "../model/go-runtime";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-go-env",
    displayName: "GOMEMLIMIT and GOGC set in the Dockerfile are values Go accepts",
    description: "ENV GOMEMLIMIT and ENV GOGC in the stages that make the image hold values the Go runtime parses.",
    severity: "high",
    remediationSteps:
        "Write GOMEMLIMIT as a whole number with B, KiB, MiB, GiB or TiB (e.g. 460MiB, never 460Mi or 460M) and GOGC as an " +
        "integer or off; better, set GOMEMLIMIT in the Kubernetes manifest next to the memory limit it depends on.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check: onBuild<Record<string, never>>((model, build) => {
        const findings: Finding[] = [];
        for (const stage of build.feeders) {
            for (const d of stage.definitions) {
                if (d.kind !== "ENV" || d.inherited || (d.name !== "GOMEMLIMIT" && d.name !== "GOGC") || d.value === undefined) {
                    continue;
                }
                const where = model.at(d.line);
                const final = stage === build.final ? "the image" : stage.label;
                if (d.name === "GOMEMLIMIT") {
                    const parsed = parseGoMemLimit(d.value);
                    if (parsed.kind === "malformed") {
                        findings.push({
                            where,
                            what: `ENV GOMEMLIMIT=${d.value} in ${stage.label} is not a value the Go runtime accepts: ${parsed.reason}`,
                            why: `every Go program started in ${final} aborts with "malformed GOMEMLIMIT"`,
                            fix: "write it as a whole number with B, KiB, MiB, GiB or TiB, e.g. 460MiB",
                        });
                    }
                } else if (d.name === "GOGC") {
                    const parsed = parseGoGc(d.value);
                    if (parsed.kind === "ignored") {
                        findings.push({
                            where,
                            what: `ENV GOGC=${d.value} in ${stage.label} is not a value the Go runtime understands (${parsed.reason})`,
                            why: "Go silently falls back to GOGC=100, so the tuning never takes effect",
                            fix: "set GOGC to a whole number (percent) or off together with GOMEMLIMIT",
                        });
                    }
                }
            }
        }
        return findings;
    }),
});
