// Dockerfile variable substitution as BuildKit's shell lexer does it: $NAME, ${NAME},
// ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}, prefix and suffix removal
// (${NAME#glob}, ${NAME##glob}, ${NAME%glob}, ${NAME%%glob}) and replacement (${NAME/glob/text},
// ${NAME//glob/text}); the escape character before `$` keeps it literal.

export interface Expansion {
    readonly value: string;
    /** Variables referenced but not defined (their text is left as written). */
    readonly unresolved: readonly string[];
}

/** Looks a variable up: its value, or undefined when it is not defined. */
export type Lookup = (name: string) => string | undefined;

const BODY = String.raw`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+]|##?|%%?|\/\/?)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))`;
const patterns = new Map<string, RegExp>();

function patternFor(escape: string): RegExp {
    let p = patterns.get(escape);
    if (!p) {
        p = new RegExp(`(${escape.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})?${BODY}`, "g");
        patterns.set(escape, p);
    }
    return new RegExp(p.source, "g");
}

const MAX_DEPTH = 8;

export function expandVariables(text: string, lookup: Lookup, escape = "\\", depth = 0): Expansion {
    const unresolved: string[] = [];
    const value = text.replace(patternFor(escape), (match: string, escaped: string | undefined, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
        if (escaped) {
            return match.slice(escaped.length);
        }
        const name = (braced ?? bare) as string;
        const current = lookup(name);
        const alternative = () => (depth < MAX_DEPTH ? expandVariables(word ?? "", lookup, escape, depth + 1).value : word ?? "");
        switch (op) {
            case ":-":
                return current === undefined || current === "" ? alternative() : current;
            case "-":
                return current === undefined ? alternative() : current;
            case ":+":
                return current !== undefined && current !== "" ? alternative() : "";
            case "+":
                return current !== undefined ? alternative() : "";
            case "#":
            case "##":
            case "%":
            case "%%":
            case "/":
            case "//":
                if (current === undefined) {
                    unresolved.push(name);
                    return match;
                }
                return transform(current, op, word ?? "");
            default:
                if (current === undefined) {
                    unresolved.push(name);
                    return match;
                }
                return current;
        }
    });
    return { value, unresolved };
}

const MAX_TRANSFORM = 1000;
/** Bound on wildcard comparison steps for one substitution; past it the value stays as written. */
const MAX_STEPS = 200_000;

class Budget {
    steps = 0;
    spend(n: number): boolean {
        this.steps += n;
        return this.steps <= MAX_STEPS;
    }
}

/** Prefix/suffix removal and replacement with shell glob patterns (`*`, `?`). */
function transform(value: string, op: string, word: string): string {
    if (value.length > MAX_TRANSFORM) {
        return value;
    }
    const budget = new Budget();
    const matches = (pattern: string, text: string): boolean | undefined => wildcard(pattern, text, budget);
    if (op === "/" || op === "//") {
        const slash = word.search(/(?<!\\)\//);
        const pattern = (slash >= 0 ? word.slice(0, slash) : word).replace(/\\\//g, "/");
        const replacement = slash >= 0 ? word.slice(slash + 1) : "";
        let out = "";
        let i = 0;
        let replaced = false;
        while (i <= value.length) {
            let end = -1;
            if (!(replaced && op === "/")) {
                for (let j = value.length; j > i; j--) {
                    const m = matches(pattern, value.slice(i, j));
                    if (m === undefined) {
                        return value;
                    }
                    if (m) {
                        end = j;
                        break;
                    }
                }
            }
            if (end > 0) {
                out += replacement;
                i = end;
                replaced = true;
            } else {
                out += value.charAt(i);
                i++;
            }
        }
        return out;
    }
    const lengths = [...Array(value.length + 1).keys()];
    const order = op.length === 2 ? lengths.reverse() : lengths;
    for (const n of order) {
        const part = op.startsWith("#") ? value.slice(0, n) : value.slice(value.length - n);
        const m = matches(word, part);
        if (m === undefined) {
            return value;
        }
        if (m) {
            return op.startsWith("#") ? value.slice(n) : value.slice(0, value.length - n);
        }
    }
    return value;
}

/**
 * Whether `text` matches the glob (`*` any run, `?` one character), in linear time with
 * backtracking to the last `*` only; undefined when the budget is spent.
 */
function wildcard(pattern: string, text: string, budget: Budget): boolean | undefined {
    let p = 0;
    let t = 0;
    let star = -1;
    let mark = 0;
    while (t < text.length) {
        if (!budget.spend(1)) {
            return undefined;
        }
        if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
            p++;
            t++;
        } else if (p < pattern.length && pattern[p] === "*") {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === "*") {
        p++;
    }
    return p === pattern.length;
}
