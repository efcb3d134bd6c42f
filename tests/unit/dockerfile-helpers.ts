// Runs a Dockerfile rule over an inline Dockerfile (docker-build.Image), as the engine does.
import type { AnyRule } from "../../policies/pulumi/rule";
import { inlineImage, TYPES } from "../fixtures/dockerfiles";
import { Outcome, run, runPolicy } from "./helpers";

/** `<where>: <what>` of every finding on an inline Dockerfile; `where` is `inline Dockerfile line N`. */
export async function dockerfileSummaries(rule: AnyRule, dockerfile: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<string[]> {
    const outcome = await dockerfileOutcome(rule, dockerfile, extra, config);
    if (outcome.kind !== "violations") {
        throw new Error(`expected violations or none, got ${JSON.stringify(outcome)}`);
    }
    return outcome.summaries;
}

export function dockerfileOutcome(rule: AnyRule, dockerfile: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<Outcome> {
    return run(rule, TYPES.dockerBuild, inlineImage(dockerfile, extra), config, "api-image");
}

/** Full messages, through the real @pulumi/policy policy object. */
export function dockerfileMessages(rule: AnyRule, dockerfile: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
    return runPolicy(rule, TYPES.dockerBuild, inlineImage(dockerfile, extra), config, "api-image");
}
