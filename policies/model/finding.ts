// What a rule returns. Rules never see Pulumi: they turn a model into findings, and the adapter
// decides what becomes of each one.

export interface Finding {
    /** Where inside the resource, e.g. `container "api"` or `Dockerfile line 12`. Empty for the resource itself. */
    readonly where: string;
    /** What is wrong, naming the field and the value found. */
    readonly what: string;
    /** Why it breaks in production. */
    readonly why: string;
    /** How to fix it. */
    readonly fix: string;
}

/** A rule's answer when it has nothing to judge on this resource, with the reason shown to the user. */
export interface NotApplicable {
    readonly notApplicable: string;
}

export type RuleResult = Finding[] | NotApplicable;

export function notApplicable(reason: string): NotApplicable {
    return { notApplicable: reason };
}

export function isNotApplicable(result: RuleResult): result is NotApplicable {
    return !Array.isArray(result);
}

/** The one-line form tests and logs use: `<where>: <what>`. */
export function summarize(f: Finding): string {
    return f.where ? `${f.where}: ${f.what}` : f.what;
}
