// Runs rules the way the engine does during preview: properties wrapped in @pulumi/policy's
// unknown-checking proxy, config from schema defaults plus overrides, results through the adapter.
import type { ResourceValidationArgs } from "@pulumi/policy";
import { evaluate, toResourcePolicy } from "../../policies/pulumi/adapter";
import type { AnyRule } from "../../policies/pulumi/rule";
import { summarize } from "../../policies/model/finding";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy");

/** The engine's marker for a value that is not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Outcome =
    | { kind: "violations"; summaries: string[]; messages: string[]; incomplete?: string }
    | { kind: "notApplicable"; reason: string }
    | { kind: "unknown"; message: string };

/** Evaluates one rule on one resource; `summaries` are `<where>: <what>` for exact-list assertions. */
export async function run(rule: AnyRule, type: string, props: unknown, config: Record<string, unknown> = {}, name = "api"): Promise<Outcome> {
    try {
        const result = await evaluate(rule, { type, props: unknownCheckingProxy(JSON.parse(JSON.stringify(props))), name }, config);
        if (result.kind === "notApplicable") {
            return result;
        }
        const outcome: Outcome = { kind: "violations", summaries: result.findings.map(summarize), messages: [...result.messages] };
        if (result.incomplete) {
            outcome.incomplete = result.incomplete.message;
        }
        return outcome;
    } catch (e) {
        if (e instanceof UnknownValueError) {
            return { kind: "unknown", message: (e as Error).message };
        }
        throw e;
    }
}

/** The `<where>: <what>` list, failing the test when the outcome is not a list of violations. */
export async function summaries(rule: AnyRule, type: string, props: unknown, config: Record<string, unknown> = {}): Promise<string[]> {
    const outcome = await run(rule, type, props, config);
    if (outcome.kind !== "violations") {
        throw new Error(`expected violations or none, got ${JSON.stringify(outcome)}`);
    }
    return outcome.summaries;
}

/** Runs the real @pulumi/policy policy object with SDK-shaped args; returns reported messages. */
export async function runPolicy(rule: AnyRule, type: string, props: unknown, config: Record<string, unknown> = {}, name = "api") {
    const policy = toResourcePolicy(rule);
    const messages: string[] = [];
    let notApplicable: string | undefined;
    const args = {
        type,
        props: unknownCheckingProxy(JSON.parse(JSON.stringify(props))),
        urn: `urn:pulumi:test::test::${type}::${name}`,
        name,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map<string, string>(),
        isType: () => false,
        asType: () => undefined,
        getConfig: () => config,
        notApplicable: (reason?: string): never => {
            notApplicable = reason ?? "";
            throw new NotApplicableSignal();
        },
    } as unknown as ResourceValidationArgs;
    try {
        await (policy.validateResource as Function)(args, (message: string) => messages.push(message));
    } catch (e) {
        if (!(e instanceof NotApplicableSignal)) {
            throw e;
        }
    }
    return { messages, notApplicable };
}

class NotApplicableSignal extends Error {}
