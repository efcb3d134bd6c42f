// Stand-in for the `docker` resource plugin (pulumi-resource-docker) in the end-to-end tests. Its
// check does to docker.Image (`docker:index/image:Image`) inputs what the real provider's Check does
// before the engine hands them to policy packs (see README, "End-to-end tests"):
//   - no build → {context: ".", dockerfile: "Dockerfile"}; an unset context becomes ".", a set one
//     is kept verbatim;
//   - an unset build.dockerfile becomes the cleaned join of the context and "Dockerfile"
//     ("./app" → "app/Dockerfile"); a set one is kept verbatim. Either is relative to the program
//     directory (the provider's working directory), not to the context, and must exist there;
//   - an unset build.platform becomes linux/<architecture of this machine>;
//   - build.contextDigest, a sha256 over the Dockerfile and the context's files, once the Dockerfile
//     is known;
//   - buildOnPreview is always written (default false).
// Unknown values get no defaults. Other docker resources pass through unchanged. Nothing is built,
// pulled or pushed: diff, create and update only echo the checked inputs.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Provider } from "@pulumi/pulumi/provider";
import { inert, isObject, isUnknown, parseUrn, Props, requestedVersion, serve } from "./common";

export const IMAGE = "docker:index/image:Image";

const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };

export function defaultPlatform(arch: string = process.arch): string {
    return `linux/${GOARCH[arch] ?? arch}`;
}

/** A Check failure: the engine reports it and no policy runs for the resource. */
export class CheckError extends Error {}

/** sha256 over the Dockerfile and every regular file below the context (relative path and content), in path order. */
export function contextDigest(programDir: string, context: string, dockerfile: string): string {
    const hash = crypto.createHash("sha256");
    const root = path.resolve(programDir, context);
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.isFile()) {
                files.push(full);
            }
        }
    };
    walk(root);
    files.sort();
    hash.update(`Dockerfile\0${dockerfile}\0`).update(fs.readFileSync(path.resolve(programDir, dockerfile)));
    for (const file of files) {
        hash.update(`\0${path.relative(root, file).split(path.sep).join("/")}\0`).update(fs.readFileSync(file));
    }
    return hash.digest("hex");
}

export function checkImage(news: Props, programDir: string = process.cwd(), arch: string = process.arch): Props {
    if (isUnknown(news.build)) {
        return { ...news, buildOnPreview: news.buildOnPreview ?? false };
    }
    const build: Props = isObject(news.build) ? { ...news.build } : { dockerfile: "Dockerfile", context: "." };
    if (build.context === undefined || build.context === null) {
        build.context = ".";
    }
    if ((build.dockerfile === undefined || build.dockerfile === null) && typeof build.context === "string" && !isUnknown(build.context)) {
        build.dockerfile = path.posix.normalize(path.posix.join(build.context, "Dockerfile"));
    }
    if (build.platform === undefined || build.platform === null) {
        build.platform = defaultPlatform(arch);
    }
    const { context, dockerfile } = build;
    if (typeof dockerfile === "string" && !isUnknown(dockerfile) && typeof context === "string" && !isUnknown(context)) {
        if (!fs.existsSync(path.resolve(programDir, dockerfile))) {
            const inContext = path.posix.normalize(path.posix.join(context, dockerfile));
            throw new CheckError(
                fs.existsSync(path.resolve(programDir, inContext))
                    ? `could not open dockerfile at relative path "${dockerfile}". Try setting dockerfile to "${inContext}"`
                    : `could not open dockerfile at relative path "${dockerfile}" (from ${programDir})`,
            );
        }
        build.contextDigest = contextDigest(programDir, context, dockerfile);
    }
    return { ...news, build, buildOnPreview: news.buildOnPreview ?? false };
}

export const provider: Provider = {
    version: requestedVersion("@pulumi/docker"),
    async check(urn, _olds, news) {
        const { type } = parseUrn(urn);
        return { inputs: type === IMAGE ? checkImage(news ?? {}) : news };
    },
    ...inert((inputs) => (typeof inputs.imageName === "string" ? inputs.imageName : "standin")),
};

if (require.main === module) {
    serve(provider);
}
