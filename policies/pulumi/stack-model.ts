// The stack as the stack policies see it: workloads and the images the stack builds.
import { parseImageRef } from "../model/image-ref";
import { asArray, asObject, asString } from "../model/values";
import { createWorkload, Workload } from "../model/workload";
import { ImageBuild, IMAGE_TYPES, imageBuildTarget } from "./image-target";
import { isUnknownValueError } from "./adapter";
import type { StackResourceInput } from "./rule";
import { workloadKindOf } from "./workload-target";

export interface StackWorkload {
    readonly urn: string;
    readonly workload: Workload;
}

export interface StackImage {
    readonly urn: string;
    readonly build: ImageBuild;
    /** Fully qualified names (registry/repository) this resource pushes or tags. */
    readonly names: readonly string[];
}

export interface StackModel {
    readonly workloads: readonly StackWorkload[];
    readonly images: readonly StackImage[];
    /**
     * Runs one independent part of a check. A value unknown during preview stops only that part:
     * the rest of the stack is still judged, and the policy then reports that it could not run fully.
     */
    guard<T>(part: () => T): T | undefined;
    /** The first preview-unknown value a guarded part met, if any. */
    readonly unknown: Error | undefined;
}

export async function stackModel(resources: readonly StackResourceInput[]): Promise<StackModel> {
    const workloads: StackWorkload[] = [];
    const images: StackImage[] = [];
    let unknown: Error | undefined;
    const guard = <T>(part: () => T): T | undefined => {
        try {
            return part();
        } catch (e) {
            if (!isUnknownValueError(e)) {
                throw e;
            }
            unknown ??= e as Error;
            return undefined;
        }
    };
    for (const resource of resources) {
        const kind = workloadKindOf(resource.type);
        if (kind) {
            workloads.push({ urn: resource.urn, workload: createWorkload(kind.kind, kind.partial, resource.props, resource.name) });
        } else if (IMAGE_TYPES[resource.type]) {
            try {
                const build = await imageBuildTarget.load(resource);
                const names = guard(() => imageNames(resource)) ?? [];
                if (build) {
                    images.push({ urn: resource.urn, build, names });
                }
            } catch (e) {
                if (!isUnknownValueError(e)) {
                    throw e;
                }
                // Its Dockerfile cannot be located yet; a workload using it is judged at update time.
                unknown ??= e as Error;
            }
        }
    }
    return {
        workloads,
        images,
        guard,
        get unknown() {
            return unknown;
        },
    };
}

/** The repositories an image resource produces, read from its name inputs only. */
function imageNames(resource: StackResourceInput): string[] {
    const props = asObject(resource.props) ?? {};
    const written =
        resource.type === "docker-build:index:Image"
            ? asArray(props.tags).map(asString)
            : resource.type === "docker:index/remoteImage:RemoteImage"
              ? [asString(props.name)]
              : [asString(props.imageName)];
    const names: string[] = [];
    for (const w of written) {
        const parsed = w ? parseImageRef(w) : undefined;
        if (parsed?.ok) {
            names.push(parsed.ref.name);
        }
    }
    return names;
}
