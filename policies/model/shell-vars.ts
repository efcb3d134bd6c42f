// Dockerfile variable substitution: $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word},
// ${NAME+word}; the escape character before `$` keeps it literal.

export interface Expansion {
    readonly value: string;
    /** Variables referenced but not defined (their text is left as written). */
    readonly unresolved: readonly string[];
}

/** Looks a variable up: its value, or undefined when it is not defined. */
export type Lookup = (name: string) => string | undefined;

const PATTERN = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function expandVariables(text: string, lookup: Lookup, escape = "\\"): Expansion {
    const unresolved: string[] = [];
    let out = "";
    let last = 0;
    PATTERN.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = PATTERN.exec(text)) !== null) {
        if (m.index > 0 && text[m.index - 1] === escape) {
            out += text.slice(last, m.index - 1) + "$";
            last = m.index + 1;
            PATTERN.lastIndex = last;
            continue;
        }
        const name = m[1] ?? m[4];
        const op = m[2];
        const word = m[3] ?? "";
        const value = lookup(name);
        let replacement: string;
        if (op === ":-") {
            replacement = value === undefined || value === "" ? expandVariables(word, lookup, escape).value : value;
        } else if (op === "-") {
            replacement = value === undefined ? expandVariables(word, lookup, escape).value : value;
        } else if (op === ":+") {
            replacement = value !== undefined && value !== "" ? expandVariables(word, lookup, escape).value : "";
        } else if (op === "+") {
            replacement = value !== undefined ? expandVariables(word, lookup, escape).value : "";
        } else if (value === undefined) {
            unresolved.push(name);
            replacement = m[0];
        } else {
            replacement = value;
        }
        out += text.slice(last, m.index) + replacement;
        last = m.index + m[0].length;
    }
    out += text.slice(last);
    return { value: out, unresolved };
}
