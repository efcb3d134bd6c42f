import * as assert from "assert";
import { evaluateStack } from "../../../policies/pulumi/adapter";
import type { StackResourceInput } from "../../../policies/pulumi/rule";
import rule from "../../../policies/stack/workload-timezone";
import { GO_DOCKERFILE, inlineImage, TYPES, withLine } from "../../fixtures/dockerfiles";
import { deploymentWith, KINDS, Props } from "../../fixtures/workloads";

const DEPLOYMENT_URN = "urn:pulumi:dev::shop::kubernetes:apps/v1:Deployment::api";
const IMAGE_URN = "urn:pulumi:dev::shop::docker-build:index:Image::api-image";

/** The compliant Deployment with `env` set on its container. */
function deployment(env: Props[]): StackResourceInput {
    return { type: KINDS.Deployment.token, name: "api", urn: DEPLOYMENT_URN, props: deploymentWith((_spec, c) => (c.env = [...c.env, ...env])) };
}

/** docker-build.Image "api-image" tagging ghcr.io/acme/api:1.4.2, built from an inline Dockerfile. */
function image(dockerfile: string, extra: Record<string, unknown> = {}): StackResourceInput {
    return { type: TYPES.dockerBuild, name: "api-image", urn: IMAGE_URN, props: inlineImage(dockerfile, extra) };
}

const SCRATCH = withLine(11, "FROM scratch");
const TOKYO = [{ name: "TZ", value: "Asia/Tokyo" }];

async function check(resources: StackResourceInput[]) {
    return evaluateStack(rule, resources, {});
}

describe("workload-timezone", () => {
    it("reports TZ=Asia/Tokyo when the stack builds the image on scratch without zoneinfo, on the workload", async () => {
        const result = await check([deployment(TOKYO), image(SCRATCH)]);
        assert.deepStrictEqual(
            result.findings.map((f) => [f.urn, f.finding.where, f.finding.what]),
            [
                [
                    DEPLOYMENT_URN,
                    'container "api"',
                    'TZ is "Asia/Tokyo" but its image ghcr.io/acme/api is built by docker-build.Image "api-image" (inline Dockerfile) with no zoneinfo in the final stage (scratch ships none)',
                ],
            ],
        );
    });

    it("reports an image whose final stage removes tzdata, naming the line", async () => {
        const alpine = withLine(11, `FROM alpine:3.20@sha256:${"e".repeat(64)}`, "RUN apk add --no-cache tzdata && cp /usr/share/zoneinfo/Asia/Tokyo /etc/localtime && apk del tzdata");
        const result = await check([deployment(TOKYO), image(alpine)]);
        assert.deepStrictEqual(
            result.findings.map((f) => [f.urn, f.finding.what]),
            [
                [
                    DEPLOYMENT_URN,
                    'TZ is "Asia/Tokyo" but its image ghcr.io/acme/api is built by docker-build.Image "api-image" (inline Dockerfile) with no zoneinfo in the final stage (tzdata is removed on line 12)',
                ],
            ],
        );
    });

    it("passes when the image copies zoneinfo in", async () => {
        const result = await check([deployment(TOKYO), image(withLine(11, "FROM scratch", "COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo"))]);
        assert.deepStrictEqual(result.violations, []);
    });

    it("passes when the image is built on a base that ships tzdata (distroless)", async () => {
        assert.deepStrictEqual((await check([deployment(TOKYO), image(GO_DOCKERFILE)])).violations, []);
    });

    for (const utc of ["UTC", "Etc/UTC"]) {
        it(`passes TZ=${utc} even on scratch`, async () => {
            assert.deepStrictEqual((await check([deployment([{ name: "TZ", value: utc }]), image(SCRATCH)])).violations, []);
        });
    }

    it("passes when the image is not built in the stack", async () => {
        assert.deepStrictEqual((await check([deployment(TOKYO)])).violations, []);
    });

    it("passes when the stack builds a different image on scratch", async () => {
        const other = image(SCRATCH, { tags: ["ghcr.io/acme/worker:1.4.2"] });
        assert.deepStrictEqual((await check([deployment(TOKYO), other])).violations, []);
    });

    it("reports a misspelt TZ on the workload even without an image in the stack", async () => {
        const result = await check([deployment([{ name: "TZ", value: "Asia/Jakaarta" }])]);
        assert.deepStrictEqual(
            result.findings.map((f) => [f.urn, f.finding.where, f.finding.what]),
            [[DEPLOYMENT_URN, 'container "api"', 'TZ is "Asia/Jakaarta", which is not a time zone name Go can find']],
        );
    });

    it("reports only the misspelling when the image also lacks zoneinfo", async () => {
        const result = await check([deployment([{ name: "TZ", value: "Asia/Jakaarta" }]), image(SCRATCH)]);
        assert.deepStrictEqual(
            result.findings.map((f) => f.finding.what),
            ['TZ is "Asia/Jakaarta", which is not a time zone name Go can find'],
        );
    });

    it("passes a TZ read from a ConfigMap (its value cannot be read)", async () => {
        const fromConfigMap = [{ name: "TZ", valueFrom: { configMapKeyRef: { name: "api-config", key: "tz" } } }];
        assert.deepStrictEqual((await check([deployment(fromConfigMap), image(SCRATCH)])).violations, []);
    });

    it("names the workload, the container, the image resource, why and the fix in the full message", async () => {
        const result = await check([deployment(TOKYO), image(SCRATCH)]);
        assert.deepStrictEqual(result.violations, [
            {
                urn: DEPLOYMENT_URN,
                message:
                    'Deployment "api", container "api": TZ is "Asia/Tokyo" but its image ghcr.io/acme/api is built by docker-build.Image "api-image" (inline Dockerfile) with no zoneinfo in the final stage (scratch ships none). ' +
                    "Go cannot find the zone and silently falls back to UTC: schedules, log timestamps and day boundaries are off with no error. " +
                    'Fix: add zoneinfo to docker-build.Image "api-image" (COPY --from=<builder> /usr/share/zoneinfo /usr/share/zoneinfo, or go build -tags timetzdata).',
            },
        ]);
    });

    describe("values unknown during preview", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy");
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const proxied = (r: StackResourceInput): StackResourceInput => ({ ...r, props: unknownCheckingProxy(JSON.parse(JSON.stringify(r.props))) });

        it("judges every workload it can and reports the part it could not as incomplete", async () => {
            const misspelt = deployment([{ name: "TZ", value: "Asia/Jakaarta" }]);
            const pending: StackResourceInput = {
                type: KINDS.Deployment.token,
                name: "worker",
                urn: "urn:pulumi:dev::shop::kubernetes:apps/v1:Deployment::worker",
                props: deploymentWith((_spec, c) => {
                    c.image = UNKNOWN;
                    c.env = [...c.env, ...TOKYO];
                }),
            };
            const result = await evaluateStack(rule, [misspelt, pending, image(SCRATCH)].map(proxied), {});
            assert.deepStrictEqual(
                result.findings.map((f) => [f.urn, f.finding.what]),
                [[DEPLOYMENT_URN, 'TZ is "Asia/Jakaarta", which is not a time zone name Go can find']],
            );
            assert.ok(result.incomplete instanceof UnknownValueError);
        });

        it("still judges workloads when another image's Dockerfile is unknown", async () => {
            const unknownImage: StackResourceInput = {
                type: TYPES.dockerImage,
                name: "other",
                urn: "urn:pulumi:dev::shop::docker:index/image:Image::other",
                props: { imageName: "ghcr.io/acme/other:1", build: { context: "app", dockerfile: UNKNOWN } },
            };
            const result = await evaluateStack(rule, [deployment(TOKYO), image(SCRATCH), unknownImage].map(proxied), {});
            assert.deepStrictEqual(result.findings.map((f) => f.urn), [DEPLOYMENT_URN]);
            assert.ok(result.incomplete instanceof UnknownValueError);
        });
    });
});
