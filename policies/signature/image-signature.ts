import * as fs from "fs";
import * as path from "path";
import { Finding, notApplicable } from "../model/finding";
import { globMatcher } from "../model/glob";
import { ImageRef, isPinnedByDigest, parseImageRef } from "../model/image-ref";
import { show } from "../model/values";
import { defineRule } from "../pulumi/rule";
import { ImageRefs, imageRefsTarget } from "../pulumi/image-refs-target";
import { programDir } from "../pulumi/program-dir";
import { PUBLIC_GOOD_REKOR_KEY } from "./cosign";
import { RegistryError, SignatureConfigError, SignatureVerdict } from "./types";
import { Requirement, verifyImage } from "./verify";

interface Config {
    requirements: Array<{ images: string[]; keys: string[]; maxAgeDays?: number; trustSignerTime?: boolean; allowOtherRepository?: boolean }>;
    rekorKeys: string[];
    timestampAuthorities: string[];
    insecureRegistries: string[];
    timeoutSeconds: number;
    onRegistryError: "fail" | "pass";
    dockerConfig: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export default defineRule<ImageRefs, Config>({
    name: "image-signature",
    displayName: "Images carry a valid, recent cosign signature",
    description:
        "Every image matched by a requirement is pinned by digest and carries a cosign signature for that exact digest " +
        "(legacy .sig or Sigstore bundle) that verifies under one of the requirement's keys, no older than maxAgeDays " +
        "by a trustworthy time.",
    severity: "critical",
    remediationSteps:
        "Sign each image digest in CI before `pulumi up` (cosign sign --key cosign.key <image>@sha256:<digest>), reference " +
        "the image by that digest, and re-sign (or rebuild) images whose signature is older than maxAgeDays.",
    configSchema: {
        properties: {
            requirements: {
                type: "array",
                items: {
                    type: "object",
                    required: ["images", "keys"],
                    properties: {
                        images: { type: "array", items: { type: "string" }, minItems: 1 },
                        keys: { type: "array", items: { type: "string" }, minItems: 1 },
                        maxAgeDays: { type: "number", exclusiveMinimum: 0 },
                        trustSignerTime: { type: "boolean" },
                        allowOtherRepository: { type: "boolean" },
                    },
                    additionalProperties: false,
                },
                default: [],
                description:
                    "Which images must be signed by which keys: {images: globs over the normalised reference (`*` within a " +
                    "path segment, `**` across), keys: PEM public keys inline or file paths, maxAgeDays?, trustSignerTime? " +
                    "(accept a signed-at annotation as the signing time), allowOtherRepository? (accept a signature made for " +
                    "another repository)}. The first requirement whose images match applies; unmatched images are not checked.",
            },
            rekorKeys: {
                type: "array",
                items: { type: "string" },
                default: [PUBLIC_GOOD_REKOR_KEY],
                description: "Rekor public keys (PEM, inline or file paths) whose signed entry timestamps count as signing times.",
            },
            timestampAuthorities: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "RFC 3161 timestamp authorities whose timestamps in a Sigstore bundle count as signing times: one PEM certificate " +
                    "chain per authority (its timestamping certificate first, then its issuers up to the root), inline or file paths.",
            },
            insecureRegistries: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Registry hosts (host or host:port) that may be reached over plain HTTP.",
            },
            timeoutSeconds: {
                type: "number",
                exclusiveMinimum: 0,
                default: 10,
                description: "Bound on every registry request, in seconds.",
            },
            onRegistryError: {
                type: "string",
                enum: ["fail", "pass"],
                default: "fail",
                description: "\"fail\": an unreachable or failing registry is a violation; \"pass\": it passes with a logged note.",
            },
            dockerConfig: {
                type: "string",
                default: "",
                description: "Docker config.json with registry credentials. Empty: $DOCKER_CONFIG/config.json or ~/.docker/config.json.",
            },
        },
    },
    target: imageRefsTarget,
    async check(model, config) {
        const requirements = config.requirements;
        if (requirements.length === 0) {
            return notApplicable("no signature requirements are configured (requirements is empty)");
        }
        if (model.noImagesBecause) {
            return notApplicable(model.noImagesBecause);
        }
        const findings: Finding[] = [];
        if (model.shapeProblems) {
            findings.push({
                where: "",
                what: `image-signature cannot check this resource: ${model.shapeProblems}`,
                why: "the API server rejects such an object, and images that cannot be read cannot be shown to be signed",
                fix: "fix the resource's shape",
            });
        }
        let matched = 0;
        for (const image of model.images) {
            const found = await model.guard(() => checkImage(image.where, image.read(), config));
            if (found) {
                matched += found.matched ? 1 : 0;
                findings.push(...found.findings);
            }
        }
        if (matched === 0 && findings.length === 0 && !model.unknown) {
            return notApplicable("no image of this resource matches a signature requirement");
        }
        return findings;
    },
});

async function checkImage(where: string, value: unknown, config: Config): Promise<{ matched: boolean; findings: Finding[] }> {
    const parsed = parseImageRef(value);
    if (!parsed.ok) {
        // Invalid references are workload-image-pinned's to report; an image ID (docker.Container) is not a registry reference.
        return { matched: false, findings: [] };
    }
    const ref = parsed.ref;
    const index = config.requirements.findIndex((r) => globMatcher(r.images)(forms(ref)));
    if (index < 0) {
        return { matched: false, findings: [] };
    }
    const requirement = config.requirements[index];
    if (!isPinnedByDigest(ref)) {
        return {
            matched: true,
            findings: [{
                where,
                what: `image ${show(ref.text)} must be signed but is not pinned by digest`,
                why: "a signature is for one digest; a tag can be moved to an unsigned image after the check, so nothing verified here would be what runs",
                fix: `reference the image as ${ref.name}${ref.tag ? `:${ref.tag}` : ""}@sha256:<digest> (the digest that was signed)`,
            }],
        };
    }
    let verdict: SignatureVerdict;
    try {
        verdict = await verifyImage(ref, resolveRequirement(requirement, index, config), {
            insecureRegistries: config.insecureRegistries,
            timeoutSeconds: config.timeoutSeconds,
            dockerConfig: config.dockerConfig || undefined,
        });
    } catch (e) {
        if (e instanceof SignatureConfigError) {
            return {
                matched: true,
                findings: [{
                    where,
                    what: `the image-signature policy config cannot be used to check ${show(ref.text)}: ${e.message}`,
                    why: "without the configured keys and certificates no signature can be verified, so the image cannot pass",
                    fix: "correct the entry in the policy pack config: an inline PEM public key (-----BEGIN PUBLIC KEY-----) or, for timestampAuthorities, a PEM certificate chain (-----BEGIN CERTIFICATE-----), or the path of one, relative to the program directory",
                }],
            };
        }
        if (!(e instanceof RegistryError)) {
            throw e;
        }
        if (config.onRegistryError === "pass") {
            console.error(`go-service-guard: image-signature passed ${ref.text} without checking it: registry ${e.registry}: ${e.message} (onRegistryError is "pass")`);
            return { matched: true, findings: [] };
        }
        return {
            matched: true,
            findings: [{
                where,
                what: `the signature of ${show(ref.text)} could not be checked: registry ${e.registry}: ${e.message}`,
                why: "an image whose signature cannot be read cannot be shown to be the one that was reviewed and signed",
                fix: "make the registry reachable from where pulumi runs (credentials in the Docker config, insecureRegistries for plain HTTP), or set onRegistryError: \"pass\" to accept unreachable registries",
            }],
        };
    }
    if (verdict.kind === "unsigned") {
        return {
            matched: true,
            findings: [{
                where,
                what: `image ${show(ref.text)} has no signature for its digest that verifies under the ${requirement.keys.length === 1 ? "configured key" : `${requirement.keys.length} configured keys`} (${verdict.details.join("; ") || "no signature found"})`,
                why: "an unsigned image, or one signed by someone else, may not be the image that was built and reviewed",
                fix: `sign it in CI with the matching key: cosign sign --key <key> ${ref.name}@${ref.digest}`,
            }],
        };
    }
    if (requirement.maxAgeDays !== undefined) {
        const time = verdict.time && (verdict.time.source !== "signer" || requirement.trustSignerTime) ? verdict.time : undefined;
        if (!time) {
            return {
                matched: true,
                findings: [{
                    where,
                    what: `the signature of ${show(ref.text)} verifies, but carries no trustworthy signing time, so its age (at most ${requirement.maxAgeDays} days) cannot be established`,
                    why: verdict.time?.source === "signer"
                        ? "only a signed-at annotation gives a time, and trustSignerTime is off: whoever holds the key could back-date it"
                        : "without a Rekor entry or a timestamp authority, nothing proves when the signature was made",
                    fix: "sign with a transparency log entry (cosign sign without --tlog-upload=false) or a timestamp authority listed in timestampAuthorities, or set trustSignerTime and sign with -a signed-at=<RFC 3339>",
                }],
            };
        }
        const ageDays = (Date.now() - time.date.getTime()) / DAY_MS;
        if (ageDays > requirement.maxAgeDays) {
            return {
                matched: true,
                findings: [{
                    where,
                    what: `the signature of ${show(ref.text)} is ${Math.floor(ageDays)} days old (signed ${time.date.toISOString()}, by ${time.source === "rekor" ? "its Rekor entry" : time.source === "timestamp-authority" ? "its timestamp" : "its signed-at annotation"}), older than the ${requirement.maxAgeDays} days allowed`,
                    why: "an old signature vouches for an old build: base images and dependencies have not been rebuilt with security fixes since",
                    fix: "rebuild and re-sign the image, then deploy the new digest",
                }],
            };
        }
    }
    return { matched: true, findings: [] };
}

function forms(ref: ImageRef): string[] {
    const suffix = `${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
    return [`${ref.name}${suffix}`, ref.name];
}

function resolveRequirement(r: Config["requirements"][number], index: number, config: Config): Requirement {
    return {
        index,
        keys: r.keys.map((k) => readKey(k)),
        rekorKeys: config.rekorKeys.map((k) => readKey(k)),
        timestampAuthorities: config.timestampAuthorities.map((c) => readKey(c, "certificate")),
        allowOtherRepository: r.allowOtherRepository === true,
    };
}

/** A PEM given inline, or the path of a PEM file (relative paths from the program directory). */
function readKey(value: string, what = "key"): string {
    if (value.includes("-----BEGIN")) {
        return value;
    }
    const file = path.resolve(programDir().dir, value);
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new SignatureConfigError(`the ${what} file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
}

