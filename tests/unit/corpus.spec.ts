// The Dockerfile policies over real Go-service Dockerfiles (../shared/corpus/dockerfiles, sources in
// SOURCES.md there). Each file's verdicts are listed exactly, as `<policy>: <where>: <what>`, in policy
// order. Every verdict was judged as the file's maintainers would, by the contract; a verdict the
// pack got wrong was fixed in the pack, never frozen here.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { rules } from "../../policies/index";
import type { AnyRule } from "../../policies/pulumi/rule";
import { DOCKERFILE_POLICIES } from "../fixtures/policy-names";
import { sourcePath } from "../paths";
import { dockerfileOutcome } from "./dockerfile-helpers";

const CORPUS = sourcePath("..", "shared", "corpus", "dockerfiles");

interface Expectation {
    /** Every verdict the contract asks for, in policy order. */
    readonly verdicts: readonly string[];
}

const EXPECTED: Record<string, Expectation> = {
    "argoproj__argo-cd__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 38: the final stage builds on docker.io/library/ubuntu:26.04@sha256:f3d28607ddd78734bb7f71f117f3c6706c666b8b76cbff7c9ff6e5718d46ff64, which is not in allowedBaseImages",
        ],
    },
    "braveokafor__go-hello-world__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 3: FROM in stage "build" (line 3) pulls cgr.dev/chainguard/go:latest, the latest tag and no digest',
            "dockerfile-base-image: inline Dockerfile line 16: FROM in stage 1 (line 16) pulls cgr.dev/chainguard/static:latest, the latest tag and no digest",
            "dockerfile-base-image: inline Dockerfile line 23: COPY --from in stage 1 (line 16) pulls braveokafor/healthchecker:latest, the latest tag and no digest",
            'dockerfile-nonroot: inline Dockerfile line 18: USER nobody names the user "nobody" instead of a numeric UID',
            'dockerfile-exec-form: inline Dockerfile line 25: HEALTHCHECK CMD is in shell form (["healthchecker", "-url", "http://localhost:5000/healthz", "-status", "200", ...), and cgr.dev/chainguard/static:latest has no shell',
        ],
    },
    "containrrr__watchtower__dockerfiles__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "alpine" (line 1) pulls alpine:3.19.0, which is not pinned by digest',
            "dockerfile-nonroot: inline Dockerfile line 7: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
        ],
    },
    "coredns__coredns__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 4: FROM in stage "build" (line 4) pulls debian:stable-slim, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 11: FROM in stage 1 (line 11) pulls gcr.io/distroless/static-debian12:nonroot, which is not pinned by digest",
        ],
    },
    "danielewood__httpheaders__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "builder" (line 1) pulls golang:alpine, which is not pinned by digest',
        ],
    },
    "deshboard__boilerplate-ssh-service__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-nonroot: inline Dockerfile line 1: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
            "dockerfile-exec-form: inline Dockerfile line 10: HEALTHCHECK CMD is in shell form (curl -f http://localhost:10000/healthz || exit 1), and scratch has no shell",
        ],
    },
    "dexidp__dex__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 57: the final stage builds on alpine:3.24.1@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b, which is not in allowedBaseImages",
            'dockerfile-nonroot: inline Dockerfile line 90: USER dex:dex names the user "dex" instead of a numeric UID',
        ],
    },
    "etcd-io__etcd__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-nonroot: inline Dockerfile line 1: the final stage sets no USER, so it runs as the base image's user, and gcr.io/distroless/static-debian12@sha256:6447365a6337c3732f412d1b74357b30a633831955b2bc45552b0086be907687 is not known to default to a non-root user",
        ],
    },
    "flipped-aurora__gin-vue-admin__deploy__docker__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 1: the final stage builds on centos:7, which is not in allowedBaseImages",
            "dockerfile-base-image: inline Dockerfile line 1: FROM in stage 0 (line 1) pulls centos:7, which is not pinned by digest",
            "dockerfile-nonroot: inline Dockerfile line 1: the final stage sets no USER, so it runs as the base image's user, and centos:7 is not known to default to a non-root user",
        ],
    },
    "flipped-aurora__gin-vue-admin__server__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 13: the final stage builds on alpine:latest, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "builder" (line 1) pulls golang:alpine, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 13: FROM in stage 1 (line 13) pulls alpine:latest, the latest tag and no digest",
            "dockerfile-nonroot: inline Dockerfile line 13: the final stage sets no USER, so it runs as the base image's user, and alpine:latest is not known to default to a non-root user",
        ],
    },
    "gohugoio__hugo__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 11: the final stage builds on golang:1.27-alpine3.24, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 9: FROM in stage "xx" (line 9) pulls tonistiigi/xx:1.5.0, which is not pinned by digest',
            'dockerfile-base-image: inline Dockerfile line 10: FROM in stage "gobuild" (line 10) pulls golang:1.27-alpine3.24, which is not pinned by digest',
            'dockerfile-base-image: inline Dockerfile line 11: FROM in stage "gorun" (line 11) pulls golang:1.27-alpine3.24, which is not pinned by digest',
            'dockerfile-base-image: inline Dockerfile line 50: FROM in stage "dart-sass" (line 50) pulls alpine:3.24, which is not pinned by digest',
            'dockerfile-nonroot: inline Dockerfile line 81: USER hugo:hugo names the user "hugo" instead of a numeric UID',
        ],
    },
    "gotify__server__docker__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 55: the final stage builds on debian:sid-slim, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 13: FROM in stage "js-builder" (line 13) pulls node:24, which is not pinned by digest',
            'dockerfile-base-image: inline Dockerfile line 29: FROM in stage "builder" (line 29) pulls gotify/build:PLEASE_PROVIDE_GO_VERSION-linux-amd64, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 55: FROM in stage 2 (line 55) pulls debian:sid-slim, which is not pinned by digest",
            "dockerfile-nonroot: inline Dockerfile line 55: the final stage sets no USER, so it runs as the base image's user, and debian:sid-slim is not known to default to a non-root user",
        ],
    },
    "grafana__loki__production__helm__loki__src__helm-test__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 2: FROM in stage "build" (line 2) pulls golang:1.26, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 11: FROM in stage 1 (line 11) pulls gcr.io/distroless/static:debug, which is not pinned by digest",
            "dockerfile-nonroot: inline Dockerfile line 11: the final stage sets no USER, so it runs as the base image's user, and gcr.io/distroless/static:debug is not known to default to a non-root user",
        ],
    },
    "harryzcy__docker-sally__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-nonroot: inline Dockerfile line 9: USER nonroot:nonroot names the user "nonroot" instead of a numeric UID',
            'dockerfile-exec-form: inline Dockerfile line 14: HEALTHCHECK CMD passes the shell operator "||" as an argument in exec form',
        ],
    },
    "istio__istio__pilot__docker__Dockerfile.pilot.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 9: the final stage builds on registry.istio.io/release/base:latest, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 9: FROM in stage "debug" (line 9) pulls registry.istio.io/release/base:latest, the latest tag and no digest',
        ],
    },
    "ivanvc__s3rp__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "build" (line 1) pulls golang:1.13, which is not pinned by digest',
            "dockerfile-nonroot: inline Dockerfile line 11: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
            'dockerfile-static-go-build: inline Dockerfile line 9: go install in stage "build" (line 1) runs without CGO_ENABLED=0, and the final image builds on scratch, which has no C library',
            "dockerfile-exec-form: inline Dockerfile line 12: ENTRYPOINT is in shell form (/usr/bin/s3rp), and scratch has no shell",
        ],
    },
    "jaegertracing__jaeger__cmd__jaeger__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 54: FROM in stage "debug" (line 54) names $debug_image, and $debug_image has no value after build args',
        ],
    },
    "kubernetes__ingress-nginx__images__go-grpc-greeter-server__rootfs__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 3: FROM in stage "build" (line 3) names golang:${GOLANG_VERSION}-alpine3.23, and $GOLANG_VERSION has no value after build args',
            "dockerfile-nonroot: inline Dockerfile line 10: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
            'dockerfile-static-go-build: inline Dockerfile line 8: go build in stage "build" (line 3) runs without CGO_ENABLED=0, and the final image builds on scratch, which has no C library',
        ],
    },
    "kubernetes__ingress-nginx__images__httpbun__rootfs__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 17: FROM in stage "builder" (line 17) names golang:${GOLANG_VERSION}, and $GOLANG_VERSION has no value after build args',
            "dockerfile-nonroot: inline Dockerfile line 32: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
        ],
    },
    "nats-io__nats-docker__2.14.x__scratch__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 4: COPY --from in stage 0 (line 1) pulls nats:2.14.5-alpine3.22, which is not pinned by digest",
            "dockerfile-nonroot: inline Dockerfile line 1: the final stage sets no USER, so it runs as the base image's user, and scratch is not known to default to a non-root user",
        ],
    },
    "open-telemetry__opentelemetry-demo__src__checkout__Dockerfile.Dockerfile": {
        verdicts: [
        ],
    },
    "penglongli__haproxy-keepalived__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 18: the final stage builds on alpine:3.12, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 2: FROM in stage "builder" (line 2) pulls golang:1.14, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 18: FROM in stage 1 (line 18) pulls alpine:3.12, which is not pinned by digest",
            "dockerfile-nonroot: inline Dockerfile line 18: the final stage sets no USER, so it runs as the base image's user, and alpine:3.12 is not known to default to a non-root user",
        ],
    },
    "philipgough__thanos-receive-hashring-controller__Dockerfile.Dockerfile": {
        verdicts: [
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "builder" (line 1) pulls golang:1.20-bullseye, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 28: FROM in stage 1 (line 28) pulls cgr.dev/chainguard/static:latest, the latest tag and no digest",
            'dockerfile-nonroot: inline Dockerfile line 31: USER nonroot names the user "nonroot" instead of a numeric UID',
        ],
    },
    "prometheus__prometheus__Dockerfile.distroless.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 4: FROM in stage 0 (line 4) pulls gcr.io/distroless/static-debian13:nonroot-amd64, which is not pinned by digest",
        ],
    },
    "usememos__memos__scripts__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 29: the final stage builds on alpine:3.21, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "backend" (line 1) pulls golang:1.27.0-alpine, which is not pinned by digest',
            'dockerfile-base-image: inline Dockerfile line 29: FROM in stage "monolithic" (line 29) pulls alpine:3.21, which is not pinned by digest',
            "dockerfile-nonroot: inline Dockerfile line 43: USER root runs the image as root",
        ],
    },
    "zeromicro__go-zero__tools__goctl__Dockerfile.Dockerfile": {
        verdicts: [
            "dockerfile-base-image: inline Dockerfile line 21: the final stage builds on golang:alpine, which is not in allowedBaseImages",
            'dockerfile-base-image: inline Dockerfile line 1: FROM in stage "builder" (line 1) pulls golang:alpine, which is not pinned by digest',
            "dockerfile-base-image: inline Dockerfile line 21: FROM in stage 1 (line 21) pulls golang:alpine, which is not pinned by digest",
            'dockerfile-nonroot: inline Dockerfile line 31: USER app names the user "app" instead of a numeric UID',
        ],
    },
};

const POLICIES: AnyRule[] = DOCKERFILE_POLICIES.map((name) => {
    const rule = rules.find((r) => r.name === name);
    if (!rule || !("target" in rule)) {
        throw new Error(`no resource policy named ${name}`);
    }
    return rule;
});

/** Every policy's verdicts on one Dockerfile, built inline by docker-build.Image "api-image". */
async function verdicts(dockerfile: string): Promise<string[]> {
    const result: string[] = [];
    for (const rule of POLICIES) {
        const outcome = await dockerfileOutcome(rule, dockerfile);
        if (outcome.kind === "violations") {
            result.push(...outcome.summaries.map((s) => `${rule.name}: ${s}`));
        } else if (outcome.kind === "notApplicable") {
            result.push(`${rule.name}: not applicable (${outcome.reason})`);
        } else {
            result.push(`${rule.name}: unknown (${outcome.message})`);
        }
    }
    return result;
}

describe("Dockerfile corpus", () => {
    if (!fs.existsSync(CORPUS)) {
        it(`skipped: the corpus directory ${CORPUS} is absent (shared/ must sit beside the repository as ../shared)`, function () {
            this.skip();
        });
        return;
    }

    const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".Dockerfile")).sort();
    const read = (file: string) => fs.readFileSync(path.join(CORPUS, file), "utf8");

    it("has a judged verdict list for every Dockerfile in the corpus, and no other", () => {
        assert.deepStrictEqual(files, Object.keys(EXPECTED).sort());
    });

    for (const file of files) {
        it(file, async () => {
            assert.deepStrictEqual(await verdicts(read(file)), EXPECTED[file]?.verdicts);
        });
    }
});
