import { describeBase, hasShell } from "../model/base-images";
import { execForm, Instruction, Stage, stageChain } from "../model/dockerfile";
import { Finding } from "../model/finding";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

const SHELL_TOOLS = new Set(["sh", "bash", "ash", "dash", "zsh", "wget", "curl"]);
const OPERATORS = new Set(["||", "&&", "|", ";", ">", ">>", "<", "2>&1", "&"]);

export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-exec-form",
    displayName: "Start commands work in an image without a shell",
    description:
        "In a final image without a shell (scratch, distroless non-debug, Chainguard static), CMD, ENTRYPOINT and HEALTHCHECK " +
        "use exec form and do not call sh, bash, wget or curl; no exec-form command carries shell operators as arguments.",
    severity: "high",
    remediationSteps:
        "Write CMD and ENTRYPOINT as JSON arrays that start the Go binary directly, e.g. ENTRYPOINT [\"/app\"]. For a health " +
        "check, add a subcommand or flag to the binary itself (HEALTHCHECK CMD [\"/app\", \"healthcheck\"]), or rely on " +
        "Kubernetes probes.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check: onBuild<Record<string, never>>((model, build) => {
        const base = build.finalBase;
        const noShell = hasShell(base) === "no" && !copiedIn(build.final, "sh");
        const findings: Finding[] = [];
        for (const keyword of ["ENTRYPOINT", "CMD", "HEALTHCHECK"]) {
            const effective = lastOf(build.final, keyword);
            if (!effective) {
                continue;
            }
            let text = effective.text.trim();
            if (keyword === "HEALTHCHECK") {
                if (/^NONE$/i.test(text)) {
                    continue;
                }
                text = text.replace(/^CMD\s+/i, "");
            }
            const where = model.at(effective.line);
            const exec = execForm(text);
            const name = keyword === "HEALTHCHECK" ? "HEALTHCHECK CMD" : keyword;
            if (!exec) {
                if (noShell) {
                    findings.push({
                        where,
                        what: `${name} is in shell form (${abbreviate(text)}), and ${describeBase(base)} has no shell`,
                        why: "Docker runs shell form through /bin/sh -c, which does not exist in this image, so the container (or its health check) fails to start",
                        fix: `write it in exec form, e.g. ${name} ${JSON.stringify(splitWords(text))}`,
                    });
                }
                continue;
            }
            const program = (exec[0] ?? "").split("/").pop() ?? "";
            if (noShell && SHELL_TOOLS.has(program) && !copiedIn(build.final, program)) {
                findings.push({
                    where,
                    what: `${name} runs ${program} (${abbreviate(text)}), and ${describeBase(base)} has no ${program}`,
                    why: "the executable does not exist in the image, so the container (or its health check) fails every time",
                    fix: keyword === "HEALTHCHECK" ? "let the Go binary check itself (e.g. [\"/app\", \"healthcheck\"]) or rely on Kubernetes probes" : "start the Go binary directly, e.g. [\"/app\"]",
                });
            }
            const operators = exec.slice(1).filter((a) => OPERATORS.has(a));
            if (operators.length > 0) {
                findings.push({
                    where,
                    what: `${name} passes the shell operator${operators.length > 1 ? "s" : ""} ${operators.map((o) => JSON.stringify(o)).join(", ")} as ${operators.length > 1 ? "arguments" : "an argument"} in exec form`,
                    why: "exec form runs no shell, so the program receives the operators as plain arguments: the fallback after || never runs and a failing check may never fail (or always fail)",
                    fix: "drop the operators and let the program's exit code speak for itself",
                });
            }
        }
        return findings;
    }),
});

/**
 * The instruction in force at the end of the stage: its own last one, else its parent stage's.
 * A CMD inherited from a parent stage is cleared when a later stage sets ENTRYPOINT (as Docker does).
 */
function lastOf(stage: Stage, keyword: string): Instruction | undefined {
    for (const s of stageChain(stage)) {
        const found = s.instructions.filter((i) => i.keyword === keyword);
        if (found.length > 0) {
            return found[found.length - 1];
        }
        if (keyword === "CMD" && s.instructions.some((i) => i.keyword === "ENTRYPOINT")) {
            return undefined;
        }
    }
    return undefined;
}

/** Whether a COPY or ADD in the final image's stages puts an executable of that name in place. */
function copiedIn(stage: Stage, program: string): boolean {
    const path = new RegExp(`(^|[\\s/])${program}(\\s|$)`);
    return stageChain(stage).some((s) => s.instructions.some((i) => (i.keyword === "COPY" || i.keyword === "ADD") && (path.test(i.text) || /\bbusybox\b/.test(i.text))));
}

function abbreviate(text: string): string {
    const t = text.replace(/\s+/g, " ");
    return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

function splitWords(text: string): string[] {
    return text.split(/\s+/).filter((w) => w.length > 0).slice(0, 6);
}
