import { describeBase, isLibcFree } from "../model/base-images";
import { Stage, stageChain, variableAt } from "../model/dockerfile";
import { Finding } from "../model/finding";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { commandText, onBuild } from "./common";


export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-static-go-build",
    displayName: "Go binaries for libc-free images are built with CGO_ENABLED=0",
    description:
        "When the final image has no C library (scratch, distroless static, Chainguard static), every go build or go install " +
        "in a stage that feeds it runs with CGO_ENABLED=0.",
    severity: "critical",
    remediationSteps:
        "Set ENV CGO_ENABLED=0 in the builder stage (or prefix the command: RUN CGO_ENABLED=0 go build …), or build on a " +
        "base with glibc such as gcr.io/distroless/base-debian12 if the binary needs cgo.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check: onBuild<Record<string, never>>((model, build) => {
        if (!isLibcFree(build.finalBase)) {
            return [];
        }
        const findings: Finding[] = [];
        for (const stage of build.feeders) {
            for (const instruction of stage.instructions) {
                if (instruction.keyword !== "RUN") {
                    continue;
                }
                const text = commandText(instruction.text);
                for (const m of text.matchAll(/\bgo\s+(build|install)\b/g)) {
                    const verdict = cgo(stage, text.slice(0, m.index), instruction.line);
                    if (verdict !== "0") {
                        findings.push({
                            where: model.at(instruction.line),
                            what: `go ${m[1]} in ${stage.label} runs ${verdict === "1" ? "with CGO_ENABLED=1" : "without CGO_ENABLED=0"}, and the final image builds on ${describeBase(build.finalBase)}, which has no C library`,
                            why: "a cgo binary (the default wherever a C compiler is installed, e.g. golang:<version>-bookworm) links libc dynamically and fails at start with \"no such file or directory\" because the loader is missing",
                            fix: `set ENV CGO_ENABLED=0 in ${stage.label} or run CGO_ENABLED=0 go ${m[1]} …`,
                        });
                        break; // one finding per RUN line
                    }
                }
            }
        }
        return findings;
    }),
});

/**
 * "0", "1" or "unset": what CGO_ENABLED is for a go command. An assignment prefixing the same
 * simple command (`CGO_ENABLED=0 go build`, `env CGO_ENABLED=0 go build`) or an earlier `export`
 * in the same RUN counts; a prefix of another command (`CGO_ENABLED=0 go vet && go build`) does not.
 */
function cgo(stage: Stage, before: string, line: number): "0" | "1" | "unset" {
    const separators = [...before.matchAll(/&&|\|\||;|\||\n/g)];
    const command = separators.length > 0 ? before.slice((separators[separators.length - 1].index ?? 0) + 1) : before;
    const prefix = /(?:^|\s)CGO_ENABLED=["']?([01])["']?(?=\s)/.exec(command);
    if (prefix) {
        return prefix[1] as "0" | "1";
    }
    const exported = [...before.matchAll(/\bexport\s+(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*CGO_ENABLED=["']?([01])["']?/g)];
    if (exported.length > 0) {
        return exported[exported.length - 1][1] as "0" | "1";
    }
    const variable = variableAt(stage, "CGO_ENABLED", line)?.value;
    if (variable === "0" || variable === "1") {
        return variable;
    }
    for (const s of stageChain(stage)) {
        for (const i of s.instructions) {
            if ((s !== stage || i.line < line) && i.keyword === "RUN" && /\bgo\s+env\s+-w\s+(?:[^&;|]*\s)?CGO_ENABLED=0\b/.test(i.text)) {
                return "0";
            }
        }
    }
    return "unset";
}
