import { defaultsToNonRoot, describeBase } from "../model/base-images";
import { expandInStage, Instruction, Stage, stageChain } from "../model/dockerfile";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

interface Config {
    requireNumericUser: boolean;
}

export default defineRule<ImageBuild, Config>({
    name: "dockerfile-nonroot",
    displayName: "The image runs as a numeric non-root user",
    description:
        "The final stage's effective USER is not root (0), is numeric while requireNumericUser is on, and an image without " +
        "USER builds on a base known to run as non-root.",
    severity: "high",
    remediationSteps:
        "End the final stage with a numeric non-root user, e.g. USER 65532:65532, or build on an image that already runs as " +
        "non-root (gcr.io/distroless/static-debian12:nonroot, cgr.dev/chainguard/static).",
    configSchema: {
        properties: {
            requireNumericUser: {
                type: "boolean",
                default: true,
                description: "Require a numeric UID: Kubernetes runAsNonRoot cannot verify a user name and refuses to start the container.",
            },
        },
    },
    target: imageBuildTarget,
    check: onBuild<Config>((model, build, config) => {
        const last = lastUser(build.final);
        if (!last) {
            const base = build.finalBase;
            if (defaultsToNonRoot(base)) {
                return [];
            }
            return [{
                where: model.at(build.final.line),
                what: `the final stage sets no USER, so it runs as the base image's user, and ${describeBase(base)} is not known to default to a non-root user`,
                why: "a process running as root in the container turns any remote code execution into root on the container's filesystem, one kernel bug from the node; runAsNonRoot workloads refuse to start",
                fix: "add USER 65532:65532 (or another numeric non-root UID) at the end of the final stage",
            }];
        }
        const { stage, instruction } = last;
        const expansion = expandInStage(stage, instruction.text.trim(), instruction.line, build.file.escape);
        const where = model.at(instruction.line);
        if (expansion.unresolved.length > 0) {
            return [{
                where,
                what: `USER ${instruction.text.trim()} uses ${[...new Set(expansion.unresolved)].map((v) => `$${v}`).join(", ")}, which has no value`,
                why: "the user the container runs as cannot be determined, and an empty user means root",
                fix: "give the variable a default or write the numeric UID directly",
            }];
        }
        const [user] = expansion.value.split(":");
        const shown = expansion.value === instruction.text.trim() ? `USER ${expansion.value}` : `USER ${instruction.text.trim()} (${expansion.value})`;
        if (user === "root" || /^0+$/.test(user) || user === "") {
            return [{
                where,
                what: `${shown} runs the image as root`,
                why: "a process running as root in the container turns any remote code execution into root on the container's filesystem, one kernel bug from the node; runAsNonRoot workloads refuse to start",
                fix: "switch to a numeric non-root user at the end of the final stage, e.g. USER 65532:65532",
            }];
        }
        if (config.requireNumericUser && !/^[0-9]+$/.test(user)) {
            return [{
                where,
                what: `${shown} names the user ${JSON.stringify(user)} instead of a numeric UID`,
                why: "Kubernetes runAsNonRoot cannot verify a user name and refuses to start the container (CreateContainerConfigError)",
                fix: `use the UID, e.g. USER ${user === "nonroot" ? "65532:65532" : "<uid>:<gid>"}`,
            }];
        }
        return [];
    }),
});

/** The USER in force at the end of a stage: its own last USER, else its parent stage's. */
function lastUser(stage: Stage): { stage: Stage; instruction: Instruction } | undefined {
    for (const s of stageChain(stage)) {
        const users = s.instructions.filter((i) => i.keyword === "USER");
        if (users.length > 0) {
            return { stage: s, instruction: users[users.length - 1] };
        }
    }
    return undefined;
}
