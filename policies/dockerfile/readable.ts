import { notApplicable } from "../model/finding";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget, PROGRAM_DIR_VARIABLE, triedText } from "../pulumi/image-target";

export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-readable",
    displayName: "The Dockerfile behind an image can be read and parsed",
    description:
        "The Dockerfile of every image build is found, parses, and has the requested target stage, so that the other " +
        "Dockerfile policies can check it.",
    severity: "high",
    remediationSteps:
        "Give the image resource an absolute Dockerfile path (e.g. path.join(__dirname, \"app\", \"Dockerfile\")), or set " +
        `${PROGRAM_DIR_VARIABLE} to the Pulumi program directory when running pulumi from elsewhere, and fix syntax errors ` +
        "or the build target.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check(model) {
        const loaded = model.loaded;
        if (loaded.kind === "remote") {
            return notApplicable(`nothing local to read: ${loaded.reason}`);
        }
        if (loaded.kind === "ok") {
            return [];
        }
        if (model.display === "inline Dockerfile") {
            return [{
                where: model.display,
                what: loaded.problem,
                why: "none of the Dockerfile policies can check this image, and the build itself will fail",
                fix: "correct the inline Dockerfile text (or the build target)",
            }];
        }
        return [
            {
                where: `Dockerfile ${model.display}`,
                what: `${loaded.problem}; ${triedText(loaded.tried, loaded.how)}`,
                why: "none of the Dockerfile policies can check this image, so a base image without libc, a root user or a broken time zone would reach production unnoticed",
                fix: `use an absolute Dockerfile path in the resource (path.join(__dirname, ...)), or set ${PROGRAM_DIR_VARIABLE} to the program directory, and make sure the file parses`,
            },
        ];
    },
});
