// Writes docs/policies.md from the policies' metadata; `--check` exits 1 when the file is stale.
import * as fs from "fs";
import * as path from "path";
import { PACK_DIR } from "./lib/paths";
import { DOCS_FILE, renderPolicyDocs } from "./lib/docs";

const file = path.join(PACK_DIR, DOCS_FILE);
const rendered = renderPolicyDocs();
if (process.argv.includes("--check")) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current !== rendered) {
        console.error(`${DOCS_FILE} is stale: run npm run docs`);
        process.exit(1);
    }
    console.log(`${DOCS_FILE} is up to date`);
} else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, rendered);
    console.log(`wrote ${DOCS_FILE}`);
}
