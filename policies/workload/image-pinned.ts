import { Finding } from "../model/finding";
import { globMatcher } from "../model/glob";
import { isPinnedByDigest, parseImageRef } from "../model/image-ref";
import { has, show } from "../model/values";
import { Container, Workload } from "../model/workload";
import { defineRule } from "../pulumi/rule";
import { workloadTarget } from "../pulumi/workload-target";

interface Config {
    requireDigest: boolean;
    allowedRegistries: string[];
}

export default defineRule<Workload, Config>({
    name: "workload-image-pinned",
    displayName: "Container images are pinned by digest and come from allowed registries",
    description:
        "Every container and init container image is pinned by a sha256 digest (or, when requireDigest is false, an explicit " +
        "tag other than latest) and comes from one of allowedRegistries.",
    severity: "high",
    remediationSteps:
        "Reference images as registry/repository:tag@sha256:<digest> (the tag is for humans, the digest is what runs). " +
        "Take the digest from the registry or from the build (docker.Image repoDigest), and pull only from approved registries.",
    configSchema: {
        properties: {
            requireDigest: {
                type: "boolean",
                default: true,
                description: "Require a sha256 digest. When false, an explicit tag other than latest suffices.",
            },
            allowedRegistries: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "Globs over the registry host (e.g. ghcr.io, *.dkr.ecr.*.amazonaws.com) or registry/repository " +
                    "(e.g. ghcr.io/acme/**). Empty allows any registry.",
            },
        },
    },
    target: workloadTarget,
    check(workload, config) {
        const findings: Finding[] = [];
        for (const container of workload.allContainers) {
            // Each container on its own: an image unknown during preview does not hide another one's violation.
            findings.push(...(workload.guard(() => checkContainer(workload, container, config)) ?? []));
        }
        return findings;
    },
});

function checkContainer(workload: Workload, container: Container, config: Config): Finding[] {
    const findings: Finding[] = [];
    const where = container.label;
    if (!has(container.raw, "image") || container.raw.image === null || container.raw.image === "") {
        if (!workload.partial) {
            findings.push({
                where,
                what: "image is not set",
                why: "an image filled in later (by a webhook or a controller) cannot be shown to be pinned or from an allowed registry, so what runs is unknown until it runs",
                fix: "set image to a reference pinned by digest",
            });
        }
        return findings;
    }
    const image = container.raw.image;
    const parsed = parseImageRef(image);
    if (!parsed.ok) {
        findings.push({
            where,
            what: `image ${show(image)} is not a valid image reference (${parsed.error})`,
            why: "the kubelet cannot pull it (InvalidImageName) and the pod never starts",
            fix: "write the image as [registry/]repository[:tag][@sha256:digest] in lowercase",
        });
        return findings;
    }
    const ref = parsed.ref;
    if (config.requireDigest && !isPinnedByDigest(ref)) {
        findings.push({
            where,
            what: `image ${show(image)} is not pinned by digest`,
            why: `${ref.digest ? `${ref.digest.split(":")[0]} digests are not accepted (only lowercase sha256 content digests pin an image), and the reference` : ref.tag ? `the tag ${ref.tag}` : "without a tag or digest it means latest, which"} can be moved to another image at any time, so nodes may run different code than was reviewed, and a rollback may not restore the old binary`,
            fix: `reference the image as ${ref.name}:${ref.tag && ref.tag !== "latest" ? ref.tag : "<version>"}@sha256:<digest>`,
        });
    } else if (!config.requireDigest && !ref.digest && (!ref.tag || ref.tag === "latest")) {
        findings.push({
            where,
            what: `image ${show(image)} ${ref.tag ? "uses the latest tag" : "has no tag"}`,
            why: "latest moves with every push, so nodes pull different code at different times and rollbacks are impossible",
            fix: `use an explicit version tag or a digest, e.g. ${ref.name}:v1.2.3`,
        });
    }
    if (config.allowedRegistries.length > 0 && !globMatcher(config.allowedRegistries)([ref.registry, ref.name])) {
        findings.push({
            where,
            what: `image ${show(image)} comes from ${ref.registry}, which is not in allowedRegistries`,
            why: "images from unapproved registries bypass the organisation's scanning, signing and retention",
            fix: `pull it from an allowed registry (${config.allowedRegistries.join(", ")})`,
        });
    }
    return findings;
}
