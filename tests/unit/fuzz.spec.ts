// Random and truncated Dockerfiles through the parser, the resolver and every Dockerfile policy:
// no exception, no "could not evaluate" violation, and every case finishes (mocha's timeout bounds it).
import * as assert from "assert";
import * as fs from "fs";
import { rules } from "../../policies";
import { parseDockerfile, resolveBuild } from "../../policies/model/dockerfile";
import { parseImageRef } from "../../policies/model/image-ref";
import { isStackRule } from "../../policies/pulumi/rule";
import { GO_DOCKERFILE } from "../fixtures/dockerfiles";
import { sourcePath } from "../paths";
import { dockerfileOutcome } from "./dockerfile-helpers";

/** A small deterministic generator (mulberry32), so a failure reproduces from its seed. */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const PIECES = [
    "FROM", "from", "AS", "ARG", "ENV", "RUN", "COPY", "ADD", "USER", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "ONBUILD",
    "WORKDIR", "LABEL", "EXPOSE", "--from=", "--platform=$BUILDPLATFORM", "--mount=type=cache,from=", "scratch", "golang:1.23",
    "alpine@sha256:", "gcr.io/distroless/static:nonroot", "$X", "${X}", "${X:-y}", "${", "}", "$", "\\", "\\\n", "\n", "\n\n",
    "<<EOF", "EOF", "<<-'EOT'", "[", "]", '["/app"', '"', "'", ",", "=", " ", "  ", "\t", "#", "# escape=`", "`", "TZ=Asia/Tokyo",
    "LANG=en_US.UTF-8", "GOMEMLIMIT=1Gi", "CGO_ENABLED=0", "go build", "apk del tzdata", "locale-gen", "0", "root", "65532",
    "||", "&&", "\u0000", "\u00e9", "\r\n", "x".repeat(300),
];

function soup(next: () => number): string {
    const parts: string[] = [];
    const n = 1 + Math.floor(next() * 60);
    for (let i = 0; i < n; i++) {
        parts.push(PIECES[Math.floor(next() * PIECES.length)]);
        if (next() < 0.5) {
            parts.push(" ");
        }
    }
    return parts.join("");
}

function corpus(): string[] {
    const dir = sourcePath("..", "shared", "corpus", "dockerfiles");
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir).filter((f) => f.endsWith(".Dockerfile")).map((f) => fs.readFileSync(`${dir}/${f}`, "utf8"));
}

const dockerfileRules = rules.filter((r) => !isStackRule(r) && r.name.startsWith("dockerfile-"));

async function survives(text: string, label: string): Promise<void> {
    const parsed = parseDockerfile(text);
    resolveBuild(parsed, { buildArg: () => undefined, target: undefined });
    for (const rule of dockerfileRules) {
        const outcome = await dockerfileOutcome(rule as never, text);
        if (outcome.kind === "violations") {
            for (const m of outcome.messages) {
                assert.doesNotMatch(m, /could not evaluate/, `${rule.name} crashed on ${label}: ${m}`);
            }
        }
    }
}

describe("Dockerfile fuzzing", function () {
    this.timeout(120_000);

    it("survives 300 random token soups", async () => {
        const next = random(20261127);
        for (let i = 0; i < 300; i++) {
            await survives(soup(next), `soup #${i}`);
        }
    });

    it("survives every truncation point of the compliant Dockerfile and a sample of the corpus", async () => {
        const next = random(7);
        const texts = [GO_DOCKERFILE, ...corpus()];
        let cases = 0;
        for (const text of texts) {
            const cuts = text === GO_DOCKERFILE ? [...Array(text.length).keys()] : Array.from({ length: 25 }, () => Math.floor(next() * text.length));
            for (const cut of cuts) {
                await survives(text.slice(0, cut), `truncated at ${cut}`);
                cases++;
            }
        }
        assert.ok(cases >= GO_DOCKERFILE.length);
    });

    it("rejects malformed image references at once (the parser library backtracks for minutes on these)", async () => {
        for (const reference of [
            "ghcr.io/grpc-ecosystem/grpc-health-probe-xx-yy-zz:v0.4.55@sha256:d261bc6df0fdd676c2",
            `gcr.io/${"a-".repeat(40)}b:${"v".repeat(100)}@sha256:${"f".repeat(31)}`,
            `${"a.".repeat(60)}io/${"b_".repeat(60)}C`,
        ]) {
            assert.strictEqual(parseImageRef(reference).ok, false);
            await survives(`FROM ${reference}\n`, reference);
        }
    });

    it("handles a very long single line and deep variable nesting in bounded time", async () => {
        await survives(`FROM ${"a".repeat(100_000)}`, "long line");
        await survives(`ARG X=${"${X:-".repeat(2000)}y${"}".repeat(2000)}\nFROM $X`, "nested defaults");
        await survives(`FROM scratch\n${"RUN echo \\\n".repeat(5000)}`, "long continuation");
    });
});
