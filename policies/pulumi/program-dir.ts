// Where the Pulumi program lives. The pack runs with its own directory as cwd and the engine tells
// it nothing about the program, so relative paths in resource inputs are resolved against:
//   1. GO_SERVICE_GUARD_PROGRAM_DIR;
//   2. the nearest directory at or above where `pulumi` runs holding a Pulumi.yaml whose name is the
//      current project, honouring its `main:` when that names a directory;
//   3. where `pulumi` runs itself.
// "Where pulumi runs" is the working directory of the `pulumi` process that started the pack (on
// Linux, read from /proc: it reflects `pulumi -C <dir>`), else PWD. PWD alone is not enough: `-C`
// does not change it, and a CLI that starts packs through a shell script resets it to the pack.
import * as fs from "fs";
import * as path from "path";

export const PROGRAM_DIR_VARIABLE = "GO_SERVICE_GUARD_PROGRAM_DIR";

export interface ProgramDir {
    readonly dir: string;
    /** How it was found, for messages. */
    readonly how: string;
}

const cache = new Map<string, ProgramDir>();

export function programDir(env: NodeJS.ProcessEnv = process.env): ProgramDir {
    const explicit = env[PROGRAM_DIR_VARIABLE];
    const pwd = pulumiWorkingDirectory() ?? (env.PWD || process.cwd());
    const project = env.PULUMI_NODEJS_PROJECT || env.PULUMI_PROJECT || "";
    const key = JSON.stringify([explicit, pwd, project]);
    let found = cache.get(key);
    if (!found) {
        found = find(explicit, pwd, project);
        cache.set(key, found);
    }
    return found;
}

function find(explicit: string | undefined, pwd: string, project: string): ProgramDir {
    if (explicit) {
        return { dir: path.resolve(pwd, explicit), how: `${PROGRAM_DIR_VARIABLE}=${explicit}` };
    }
    for (let dir = path.resolve(pwd), depth = 0; depth < 64; depth++) {
        const project_ = readProject(dir);
        if (project_ && (project === "" || project_.name === project)) {
            const main = project_.main ? path.resolve(dir, project_.main) : undefined;
            if (main && isDirectory(main)) {
                return { dir: main, how: `the main: directory of ${path.join(dir, project_.file)} (project ${project_.name})` };
            }
            return { dir, how: `the directory of ${path.join(dir, project_.file)} (project ${project_.name})` };
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            break;
        }
        dir = parent;
    }
    return {
        dir: path.resolve(pwd),
        how: `the directory pulumi runs in (no Pulumi.yaml${project ? ` for project ${project}` : ""} at or above it; set ${PROGRAM_DIR_VARIABLE} to the program directory)`,
    };
}

let cliDirectory: { value: string | undefined } | undefined;

/** The working directory of the nearest ancestor process named `pulumi` (Linux /proc), if any. */
export function pulumiWorkingDirectory(): string | undefined {
    cliDirectory ??= { value: findPulumiAncestor() };
    return cliDirectory.value;
}

function findPulumiAncestor(): string | undefined {
    let pid = process.ppid;
    for (let depth = 0; depth < 16 && pid > 1; depth++) {
        try {
            const comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
            if (comm === "pulumi") {
                return fs.readlinkSync(`/proc/${pid}/cwd`);
            }
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        } catch {
            return undefined;
        }
    }
    return undefined;
}

function readProject(dir: string): { name: string; main?: string; file: string } | undefined {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
        let text: string;
        try {
            text = fs.readFileSync(path.join(dir, file), "utf8");
        } catch {
            continue;
        }
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const yaml = require("js-yaml") as typeof import("js-yaml");
            const doc = yaml.load(text) as Record<string, unknown> | null;
            const name = typeof doc?.name === "string" ? doc.name : "";
            const main = typeof doc?.main === "string" ? doc.main : undefined;
            return { name, main, file };
        } catch {
            return { name: "", file };
        }
    }
    return undefined;
}

function isDirectory(p: string): boolean {
    try {
        return fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}
