import { Base, imagesPulled, ImagePull } from "../model/dockerfile";
import { describeBase } from "../model/base-images";
import { Finding } from "../model/finding";
import { looseGlobMatcher } from "../model/glob";
import { imageMatchForms, isPinnedByDigest } from "../model/image-ref";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

interface Config {
    allowedBaseImages: string[];
    deniedBaseImages: string[];
    requireDigest: boolean;
    requireDigestForBuilders: boolean;
}

export default defineRule<ImageBuild, Config>({
    name: "dockerfile-base-image",
    displayName: "Images build on an approved, digest-pinned base",
    description:
        "The final stage builds on an allowed minimal Go runtime image, every image the build pulls is pinned by digest, " +
        "no image is latest or untagged, and glibc is not grafted onto Alpine.",
    severity: "high",
    remediationSteps:
        "Build the binary in a builder stage and copy it into an allowed runtime base such as " +
        "gcr.io/distroless/static-debian12:nonroot, and pin every FROM, COPY --from=<image> and RUN --mount from=<image> " +
        "as image:tag@sha256:<digest>.",
    configSchema: {
        properties: {
            allowedBaseImages: {
                type: "array",
                items: { type: "string" },
                default: ["gcr.io/distroless/static*", "gcr.io/distroless/base*", "cgr.dev/chainguard/static*", "cgr.dev/chainguard/glibc-dynamic*", "scratch"],
                description:
                    "Globs over the final stage's base image, matched as written and fully qualified (docker.io/library/…), " +
                    "tag and digest included; `*` matches any characters, `/` too.",
            },
            deniedBaseImages: {
                type: "array",
                items: { type: "string" },
                default: ["*alpine-glibc*", "sgerrand/*"],
                description: "Globs (as for allowedBaseImages) over any image the build pulls that is never acceptable (glibc grafted onto Alpine).",
            },
            requireDigest: {
                type: "boolean",
                default: true,
                description: "Require the final stage's base image to be pinned by a sha256 digest.",
            },
            requireDigestForBuilders: {
                type: "boolean",
                default: true,
                description: "Require every other image the build pulls (builder stages' FROM, COPY --from=<image>, RUN --mount from=<image>) to be pinned too.",
            },
        },
    },
    target: imageBuildTarget,
    check: onBuild<Config>((model, build, config, options) => {
        const findings: Finding[] = [];
        const finalRoot = rootStageOf(build.final);
        const allowed = looseGlobMatcher(config.allowedBaseImages);
        const denied = looseGlobMatcher(config.deniedBaseImages);
        const base = build.finalBase;
        if (base.kind === "image" || base.kind === "scratch") {
            if (!allowed(forms(base))) {
                findings.push({
                    where: model.at(finalRoot.from.line),
                    what: `the final stage builds on ${describeBase(base)}, which is not in allowedBaseImages`,
                    why: "a general-purpose base brings a shell, a package manager and hundreds of packages to patch, and its libc or user may not match what the Go binary expects",
                    fix: `copy the binary into an allowed runtime base (${config.allowedBaseImages.join(", ")})`,
                });
            }
        }
        for (const stage of build.feeders) {
            for (const pull of imagesPulled(build, stage, options)) {
                findings.push(...checkPull(model, pull, pull.stage === finalRoot && pull.via === "FROM", config, denied));
            }
        }
        return findings;
    }),
});

function rootStageOf<S extends { from: { stage?: S } }>(stage: S): S {
    let current = stage;
    for (let guard = 0; current.from.stage && guard < 1000; guard++) {
        current = current.from.stage;
    }
    return current;
}

function forms(base: Base): string[] {
    return base.kind === "image" ? imageMatchForms(base.ref) : base.kind === "scratch" ? ["scratch"] : [];
}

function checkPull(model: ImageBuild, pull: ImagePull, isFinalBase: boolean, config: Config, denied: (c: readonly string[]) => boolean): Finding[] {
    const where = model.at(pull.line);
    const via = pull.via === "FROM" ? `FROM in ${pull.stage.label}` : `${pull.via} in ${pull.stage.label}`;
    const base = pull.base;
    if (base.kind === "unresolved") {
        return [{
            where,
            what: `${via} names ${base.text}, and ${base.variables.map((v) => `$${v}`).join(", ")} ${base.variables.length === 1 ? "has" : "have"} no value after build args`,
            why: "the image that is pulled depends on a variable nobody sets, so it cannot be judged (and Docker substitutes an empty string)",
            fix: `give ${base.variables.join(", ")} a default in its ARG or pass it as a build arg`,
        }];
    }
    if (base.kind === "invalid") {
        return [{
            where,
            what: `${via} names ${JSON.stringify(base.text)}, which is not a valid image reference (${base.error})`,
            why: "the build fails when it tries to pull it",
            fix: "write the image as [registry/]repository[:tag]@sha256:<digest> in lowercase",
        }];
    }
    if (base.kind !== "image") {
        return [];
    }
    const findings: Finding[] = [];
    const ref = base.ref;
    if (denied(imageMatchForms(ref))) {
        findings.push({
            where,
            what: `${via} pulls ${ref.text}, which matches deniedBaseImages`,
            why: "glibc grafted onto Alpine (musl) is unsupported upstream: binaries crash or resolve names differently in ways no test catches",
            fix: "use a glibc runtime such as gcr.io/distroless/base-debian12 for cgo binaries, or build with CGO_ENABLED=0 for a static base",
        });
    }
    const required = isFinalBase ? config.requireDigest : config.requireDigestForBuilders;
    if (!isPinnedByDigest(ref)) {
        if (!ref.tag || ref.tag === "latest") {
            findings.push({
                where,
                what: `${via} pulls ${ref.text}, ${ref.tag ? "the latest tag" : "with no tag"} and no digest`,
                why: "latest moves with every push, so two builds of the same commit produce different images and a rebuild can silently change the runtime",
                fix: `pin it as ${ref.name}:<version>@sha256:<digest>`,
            });
        } else if (required) {
            findings.push({
                where,
                what: `${via} pulls ${ref.text}, which is not pinned by digest`,
                why: `the tag ${ref.tag} can be moved to another image at any time, so rebuilds are not reproducible and an unreviewed base can reach production`,
                fix: `pin it as ${ref.name}:${ref.tag}@sha256:<digest> (and let a bot such as Renovate update the digest)`,
            });
        }
    }
    return findings;
}
