import * as fs from "fs";
import * as path from "path";

/** The pack's own directory (the repository root), found from wherever the compiled file runs. */
export const PACK_DIR = (() => {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`PulumiPolicy.yaml not found above ${__dirname}`);
        }
        dir = parent;
    }
    return dir;
})();

/** A path under the repository's source tree (not the compiled build/ tree). */
export function sourcePath(...parts: string[]): string {
    return path.join(PACK_DIR, ...parts);
}
