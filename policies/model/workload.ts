// One normalised model for every Kubernetes resource that carries a pod spec.
//
// Fields are read lazily from the (possibly proxied) property bag, so a rule that never looks at
// `image` is never stopped by an image that is unknown during preview.
import { asArray, asObject, asString, dig, Obj, show } from "./values";

/** Where the pod spec lives, per kind. */
const POD_SPEC_PATH: Record<string, readonly string[]> = {
    Pod: ["spec"],
    PodTemplate: ["template", "spec"],
    ReplicationController: ["spec", "template", "spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

const RUN_TO_COMPLETION = new Set(["Job", "CronJob"]);

/** Human list of the workload kinds, for not-applicable reasons and docs. */
export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATH);

export type ContainerRole = "container" | "init container" | "sidecar container";

export interface Container {
    /** Display label, e.g. `container "api"`. */
    readonly label: string;
    readonly role: ContainerRole;
    /** The raw container object (may be a preview proxy). */
    readonly raw: Obj;
    /** Container name, or undefined when absent or not yet known. */
    readonly name: string | undefined;
}

export interface Workload {
    readonly kind: string;
    /** The Pulumi resource name. */
    readonly resourceName: string;
    /** `Deployment "api"`. */
    readonly label: string;
    /** A …Patch resource: only what it sets may be judged; nothing may be called missing. */
    readonly partial: boolean;
    /** Pods that serve until stopped (not Job or CronJob). */
    readonly longRunning: boolean;
    readonly metadata: Obj | undefined;
    readonly podSpec: Obj | undefined;
    /** App containers (`containers`). */
    readonly appContainers: readonly Container[];
    /** Init containers; native sidecars (restartPolicy Always) have role "sidecar container". */
    readonly initContainers: readonly Container[];
    /** App containers then init containers. */
    readonly allContainers: readonly Container[];
    /** What makes the pod spec unreadable: no pod spec, no container list, entries that are not objects. */
    readonly shapeProblems: readonly string[];
    /**
     * Runs one independent part of a check (one container, say). A value unknown during preview stops
     * that part only; `unknown` then holds it, and the policy reports the rest and says it could not run fully.
     */
    guard<T>(part: () => T): T | undefined;
    readonly unknown: Error | undefined;
}

/** Whether objects of this kind carry a pod spec. */
export function isWorkloadKind(kind: string): boolean {
    return Object.prototype.hasOwnProperty.call(POD_SPEC_PATH, kind);
}

/**
 * The model over a workload's properties (the Kubernetes JSON shape). `partial` marks patches,
 * which set only some fields.
 */
export function createWorkload(kind: string, partial: boolean, props: unknown, resourceName: string, isUnknown: (e: unknown) => boolean = () => false): Workload {
    return new WorkloadModel(kind, partial, props, resourceName, isUnknown);
}

class WorkloadModel implements Workload {
    private app?: Container[];
    private init?: Container[];

    constructor(
        readonly kind: string,
        readonly partial: boolean,
        private readonly props: unknown,
        readonly resourceName: string,
        private readonly isUnknown: (e: unknown) => boolean,
    ) {}

    unknown: Error | undefined;

    guard<T>(part: () => T): T | undefined {
        try {
            return part();
        } catch (e) {
            if (!this.isUnknown(e)) {
                throw e;
            }
            this.unknown ??= e as Error;
            return undefined;
        }
    }

    get label(): string {
        return `${this.kind}${this.partial ? "Patch" : ""} "${this.resourceName}"`;
    }

    get longRunning(): boolean {
        return !RUN_TO_COMPLETION.has(this.kind);
    }

    get metadata(): Obj | undefined {
        return asObject(dig(this.props, "metadata"));
    }

    get podSpec(): Obj | undefined {
        return asObject(dig(this.props, ...POD_SPEC_PATH[this.kind]));
    }

    get appContainers(): readonly Container[] {
        this.app ??= containersOf(dig(this.podSpec, "containers"), false);
        return this.app;
    }

    get initContainers(): readonly Container[] {
        this.init ??= containersOf(dig(this.podSpec, "initContainers"), true);
        return this.init;
    }

    get allContainers(): readonly Container[] {
        return [...this.appContainers, ...this.initContainers];
    }

    get shapeProblems(): readonly string[] {
        const path = POD_SPEC_PATH[this.kind].join(".");
        const spec = this.podSpec;
        if (!spec) {
            const raw = dig(this.props, ...POD_SPEC_PATH[this.kind]);
            return this.partial && raw === undefined ? [] : [`${path} is ${raw === undefined ? "missing" : `${show(raw)}, not a pod spec`}`];
        }
        const problems: string[] = [];
        for (const field of ["containers", "initContainers"]) {
            const list = spec[field];
            if (list === undefined || list === null) {
                if (field === "containers" && !this.partial) {
                    problems.push(`${path}.containers is missing`);
                }
                continue;
            }
            if (!Array.isArray(list)) {
                problems.push(`${path}.${field} is ${show(list)}, not a list of containers`);
                continue;
            }
            if (field === "containers" && list.length === 0 && !this.partial) {
                problems.push(`${path}.containers is empty`);
            }
            list.forEach((item, i) => {
                if (asObject(item) === undefined) {
                    problems.push(`${path}.${field}[${i}] is ${show(item)}, not a container`);
                }
            });
        }
        return problems;
    }
}

function containersOf(list: unknown, init: boolean): Container[] {
    const result: Container[] = [];
    asArray(list).forEach((item, index) => {
        const raw = asObject(item);
        if (!raw) {
            return;
        }
        const role: ContainerRole = init ? (raw.restartPolicy === "Always" ? "sidecar container" : "init container") : "container";
        const name = asString(readKnown(() => raw.name));
        const field = init ? "initContainers" : "containers";
        const label = name !== undefined && name !== "" ? `${role} "${name}"` : `${role} ${field}[${index}]`;
        result.push({ label, role, raw, name });
    });
    return result;
}

/** Reads a display-only value; a value unknown during preview reads as undefined. */
function readKnown(read: () => unknown): unknown {
    try {
        return read();
    } catch {
        return undefined;
    }
}
