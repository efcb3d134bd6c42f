// Every container image a resource runs or pulls: the containers of a workload, a docker.Container's
// image, a docker.RemoteImage's name. Each image is read on its own, so one image unknown during
// preview does not keep the others from being judged.
import { asObject } from "../model/values";
import { createWorkload } from "../model/workload";
import { isUnknownValueError } from "./adapter";
import { annotationExemption } from "./exemptions";
import type { ResourceInput, Subject, Target } from "./rule";
import { workloadKindOf } from "./workload-target";

export interface ImageUse {
    /** `container "api"`, `image`, `name`. */
    readonly where: string;
    /** Reads the reference (may throw when it is unknown during preview). */
    read(): unknown;
}

export interface ImageRefs extends Subject {
    readonly images: readonly ImageUse[];
    /** What makes the resource unreadable (a pod spec without a container list…), if anything. */
    readonly shapeProblems?: string;
    /** Why the resource has no image to check, when that is by design. */
    readonly noImagesBecause?: string;
    readonly metadata?: unknown;
    /**
     * Runs one image's check. A value unknown during preview stops that image only; the policy then
     * reports the rest and says it could not run fully.
     */
    guard<T>(part: () => Promise<T>): Promise<T | undefined>;
    readonly unknown: Error | undefined;
}

const DOCKER_IMAGE_FIELDS: Record<string, { label: string; field: string }> = {
    "docker:index/container:Container": { label: "docker.Container", field: "image" },
    "docker:index/remoteImage:RemoteImage": { label: "docker.RemoteImage", field: "name" },
};

export const imageRefsTarget: Target<ImageRefs> = {
    description: "container images of Kubernetes workloads, docker.Container images and docker.RemoteImage names",
    kinds: "container images",
    load(resource: ResourceInput): ImageRefs | undefined {
        const kind = workloadKindOf(resource.type);
        if (kind) {
            const workload = createWorkload(kind.kind, kind.partial, resource.props, resource.name);
            const model = withGuard(workload.label, workload.metadata, () =>
                workload.allContainers.map((c) => ({ where: c.label, read: () => c.raw.image })),
            );
            return Object.defineProperty(model, "shapeProblems", { get: () => workload.shapeProblems.join("; ") || undefined });
        }
        const docker = DOCKER_IMAGE_FIELDS[resource.type];
        if (docker) {
            const props = asObject(resource.props) ?? {};
            if (resource.type === "docker:index/remoteImage:RemoteImage" && props.build !== undefined && props.build !== null) {
                // It builds the image under that name: a build, judged by the Dockerfile policies, not a pull.
                const model = withGuard(`${docker.label} "${resource.name}"`, undefined, () => []);
                return Object.assign(model, { noImagesBecause: "it builds the image (the Dockerfile policies judge builds); it pulls nothing to verify" });
            }
            return withGuard(`${docker.label} "${resource.name}"`, undefined, () => [{ where: docker.field, read: () => props[docker.field] }]);
        }
        return undefined;
    },
    exemption(model: ImageRefs) {
        return model.metadata === undefined ? undefined : annotationExemption(model.metadata);
    },
};

function withGuard(label: string, metadata: unknown, images: () => ImageUse[]): ImageRefs {
    let unknown: Error | undefined;
    let list: ImageUse[] | undefined;
    return {
        label,
        metadata,
        get images() {
            list ??= images();
            return list;
        },
        async guard<T>(part: () => Promise<T>): Promise<T | undefined> {
            try {
                return await part();
            } catch (e) {
                if (!isUnknownValueError(e)) {
                    throw e;
                }
                unknown ??= e as Error;
                return undefined;
            }
        },
        get unknown() {
            return unknown;
        },
    };
}
