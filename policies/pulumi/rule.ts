// The shape every policy file exports: its metadata beside a pure check over a model.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { RuleResult } from "../model/finding";

export type Severity = "low" | "medium" | "high" | "critical";

/** A config property: a JSON schema that always carries its default and a description. */
export type ConfigProperty = PolicyConfigSchema["properties"][string] & { default: unknown; description: string };

/** An exemption read from a resource, e.g. from an annotation or a Dockerfile directive. */
export interface Exemption {
    readonly policies: readonly string[];
    /** Empty or missing reason: the exemption is ignored and the violation says so. Read only for a named policy. */
    reason(): string | undefined;
    /** Where the exemption was written and how, for messages. */
    readonly source: string;
    /** What a valid exemption needs that this one lacks. */
    readonly missingReasonHint: string;
}

/** Anything a rule can judge: it has a label for messages. */
export interface Subject {
    /** e.g. `Deployment "api"`. */
    readonly label: string;
}

/** A resource as the engine hands it to a policy. */
export interface ResourceInput {
    readonly type: string;
    readonly props: unknown;
    readonly name: string;
}

/** Turns Pulumi resources of some kinds into one model; Pulumi specifics stop here. */
export interface Target<M extends Subject> {
    /** For docs, e.g. "Kubernetes workloads (Deployment, …)". */
    readonly description: string;
    /** A short name for not-applicable reasons (sent for every resource of another type), e.g. "Kubernetes workloads". */
    readonly kinds: string;
    /** The model, or undefined when the resource is not of a kind this target covers. */
    load(resource: ResourceInput): M | undefined | Promise<M | undefined>;
    /** Exemption written on the subject, if any. */
    exemption(model: M): Exemption | undefined;
    /** Why a policy cannot check the subject at all (a malformed shape), if it cannot. */
    unchecked?(model: M): string | undefined;
}

/** What every policy declares about itself, once, beside its code. */
export interface RuleMetadata<C> {
    readonly name: string;
    readonly displayName: string;
    readonly description: string;
    readonly severity: Severity;
    readonly remediationSteps: string;
    readonly configSchema: { readonly properties: { readonly [K in keyof C]: ConfigProperty } };
}

export interface Rule<M extends Subject, C> extends RuleMetadata<C> {
    readonly target: Target<M>;
    check(model: M, config: C): RuleResult | Promise<RuleResult>;
}

/** Keeps the model and config types of a rule attached while letting lists hold any rule. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any>;

export function defineRule<M extends Subject, C>(rule: Rule<M, C>): Rule<M, C> {
    return rule;
}

/** A resource of the stack, as a stack policy sees it. */
export interface StackResourceInput extends ResourceInput {
    readonly urn: string;
}

/** A finding about one resource of the stack. */
export interface StackFinding {
    readonly urn: string;
    /** e.g. `Deployment "api"`. */
    readonly label: string;
    readonly finding: import("../model/finding").Finding;
}

/** A policy over the whole stack (runs once, after every resource is known). */
export interface StackRule<S, C> extends RuleMetadata<C> {
    /** For docs: what the policy looks at. */
    readonly appliesTo: string;
    /** Builds the stack model from the resources (Pulumi specifics stay here). */
    readonly stack: (resources: readonly StackResourceInput[]) => Promise<S>;
    check(stack: S, config: C): StackFinding[] | Promise<StackFinding[]>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStackRule = StackRule<any, any>;

export function defineStackRule<S, C>(rule: StackRule<S, C>): StackRule<S, C> {
    return rule;
}

/** Any policy of the pack: a resource rule (with a target) or a stack rule (with a stack model). */
export type PackRule = AnyRule | AnyStackRule;

export function isStackRule(rule: PackRule): rule is AnyStackRule {
    return "stack" in rule;
}
