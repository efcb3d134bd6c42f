import * as assert from "assert";
import rule from "../../../policies/dockerfile/timezone";
import { GO_DOCKERFILE, withLine } from "../../fixtures/dockerfiles";
import { dockerfileMessages, dockerfileSummaries } from "../dockerfile-helpers";

const ALPINE = `alpine:3.20@sha256:${"e".repeat(64)}`;
const DEBIAN = `debian:bookworm@sha256:${"f".repeat(64)}`;

/** `inline Dockerfile line N`. */
const at = (line: number) => `inline Dockerfile line ${line}`;

function check(dockerfile: string): Promise<string[]> {
    return dockerfileSummaries(rule, dockerfile);
}

/** GO_DOCKERFILE with several lines replaced; line numbers refer to the original file. */
function withLines(changes: Record<number, string[]>): string {
    const lines = GO_DOCKERFILE.split("\n");
    for (const n of Object.keys(changes).map(Number).sort((a, b) => b - a)) {
        lines.splice(n - 1, 1, ...changes[n]);
    }
    return lines.join("\n");
}

/** The final stage on Alpine with tzdata installed (line 12), TZ on line 13. */
function alpineFinal(...afterInstall: string[]): string {
    return withLines({ 11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata"], 12: ["ENV TZ=Europe/Berlin", ...afterInstall] });
}

describe("dockerfile-timezone", () => {
    it("passes the compliant Go Dockerfile (distroless ships tzdata)", async () => {
        assert.deepStrictEqual(await check(GO_DOCKERFILE), []);
    });

    describe("zoneinfo in the final image", () => {
        it("reports TZ on scratch with no zoneinfo at the ENV line", async () => {
            assert.deepStrictEqual(await check(withLine(11, "FROM scratch")), [
                `${at(12)}: TZ is "Europe/Berlin" but the final image has no zoneinfo (scratch ships none, and no stage installs or copies it or builds with -tags timetzdata)`,
            ]);
        });

        it("passes scratch when /usr/share/zoneinfo is copied in from the builder", async () => {
            assert.deepStrictEqual(await check(withLine(11, "FROM scratch", "COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo")), []);
        });

        it("passes scratch when the feeding go build uses -tags timetzdata", async () => {
            const dockerfile = withLines({
                9: ["RUN go build -tags timetzdata -trimpath -ldflags='-s -w' -o /out/api ./cmd/api"],
                11: ["FROM scratch"],
            });
            assert.deepStrictEqual(await check(dockerfile), []);
        });

        it("passes an Alpine final stage that installs tzdata", async () => {
            assert.deepStrictEqual(await check(alpineFinal()), []);
        });

        it("reports an Alpine final stage without tzdata at the ENV line", async () => {
            assert.deepStrictEqual(await check(withLine(11, "FROM " + ALPINE)), [
                `${at(12)}: TZ is "Europe/Berlin" but the final image has no zoneinfo (${ALPINE} ships none, and no stage installs or copies it or builds with -tags timetzdata)`,
            ]);
        });

        it("reports tzdata removed later in the stage at the removal line", async () => {
            assert.deepStrictEqual(await check(alpineFinal("RUN apk del tzdata")), [
                `${at(14)}: tzdata is removed here while TZ is "Europe/Berlin" (set on line 13)`,
            ]);
        });

        it("reports the install-copy-remove pattern in one RUN while TZ names a zone", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata && cp /usr/share/zoneinfo/Europe/Berlin /etc/localtime && apk del tzdata"],
            });
            assert.deepStrictEqual(await check(dockerfile), [`${at(12)}: tzdata is removed here while TZ is "Europe/Berlin" (set on line 13)`]);
        });

        it("passes a base the pack does not know (no guessing)", async () => {
            assert.deepStrictEqual(await check(withLine(11, "FROM " + DEBIAN)), []);
        });
    });

    describe("ordering", () => {
        it("reports $TZ used in a RUN before ENV TZ defines it", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata && ln -sf /usr/share/zoneinfo/$TZ /etc/localtime"],
            });
            assert.deepStrictEqual(await check(dockerfile), [`${at(12)}: RUN uses $TZ before ENV/ARG TZ defines it on line 13 in stage 1 (line 11)`]);
        });

        it("passes $TZ used in a RUN after ENV TZ", async () => {
            assert.deepStrictEqual(await check(alpineFinal("RUN ln -sf /usr/share/zoneinfo/$TZ /etc/localtime")), []);
        });

        it("passes ${TZ} used after ARG TZ defines it", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "ARG TZ=Europe/Berlin", "RUN apk add --no-cache tzdata && ln -sf /usr/share/zoneinfo/${TZ} /etc/localtime"],
                12: ["ENV TZ=${TZ}"],
            });
            assert.deepStrictEqual(await check(dockerfile), []);
        });

        it("reports /usr/share/zoneinfo used before tzdata is installed on Alpine", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN cp /usr/share/zoneinfo/Europe/Berlin /etc/localtime", "RUN apk add --no-cache tzdata"],
            });
            assert.deepStrictEqual(await check(dockerfile), [`${at(12)}: RUN uses /usr/share/zoneinfo before tzdata is installed in stage 1 (line 11)`]);
        });

        it("passes /usr/share/zoneinfo used in the same RUN after the install", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata && cp /usr/share/zoneinfo/Europe/Berlin /etc/localtime"],
            });
            assert.deepStrictEqual(await check(dockerfile), []);
        });

        it("reports an /etc/localtime link to a zone other than TZ", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata && ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime"],
                12: ["ENV TZ=Asia/Shanghai"],
            });
            assert.deepStrictEqual(await check(dockerfile), [`${at(12)}: /etc/localtime is set to Asia/Tokyo but TZ is "Asia/Shanghai"`]);
        });

        it("passes an /etc/localtime link to the zone TZ names", async () => {
            const dockerfile = withLines({
                11: ["FROM " + ALPINE, "RUN apk add --no-cache tzdata && ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime"],
                12: ["ENV TZ=Asia/Shanghai"],
            });
            assert.deepStrictEqual(await check(dockerfile), []);
        });
    });

    describe("zone names", () => {
        for (const utc of ["UTC", "Etc/UTC"]) {
            it(`passes TZ=${utc} on scratch (Go needs no zoneinfo for UTC)`, async () => {
                assert.deepStrictEqual(await check(withLines({ 11: ["FROM scratch"], 12: [`ENV TZ=${utc}`] })), []);
            });
        }

        it("reports a misspelt zone (Go falls back to UTC silently)", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=Asia/Jakaarta")), [
                `${at(12)}: TZ is "Asia/Jakaarta", which is not a time zone name Go can find`,
            ]);
        });

        it("reports a zone in the wrong case (zoneinfo file names are case-sensitive)", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=europe/berlin")), [
                `${at(12)}: TZ is "europe/berlin", which is not a time zone name Go can find`,
            ]);
        });

        it("reports a zone whose case differs from the IANA name (isKnownZone accepts any case through Intl.DateTimeFormat)", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=Europe/BERLIN")), [
                `${at(12)}: TZ is "Europe/BERLIN", which is not a time zone name Go can find`,
            ]);
        });

        it("passes a leading colon (:Europe/Berlin) where the base ships tzdata", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=:Europe/Berlin")), []);
        });

        it("reports a leading colon (:Europe/Berlin) on scratch like the bare name", async () => {
            assert.deepStrictEqual(await check(withLines({ 11: ["FROM scratch"], 12: ["ENV TZ=:Europe/Berlin"] })), [
                `${at(12)}: TZ is ":Europe/Berlin" but the final image has no zoneinfo (scratch ships none, and no stage installs or copies it or builds with -tags timetzdata)`,
            ]);
        });

        it("reports a misspelt zone behind a leading colon", async () => {
            assert.deepStrictEqual(await check(withLine(12, "ENV TZ=:Asia/Jakaarta")), [
                `${at(12)}: TZ is ":Asia/Jakaarta", which is not a time zone name Go can find`,
            ]);
        });

        it("reports a misspelt zone on an unknown base too", async () => {
            assert.deepStrictEqual(await check(withLines({ 11: ["FROM " + DEBIAN], 12: ["ENV TZ=Asia/Jakaarta"] })), [
                `${at(12)}: TZ is "Asia/Jakaarta", which is not a time zone name Go can find`,
            ]);
        });
    });

    it("names the resource, the line, what is wrong, why and the fix in the full message", async () => {
        const { messages, notApplicable } = await dockerfileMessages(rule, withLine(11, "FROM scratch"));
        assert.strictEqual(notApplicable, undefined);
        assert.deepStrictEqual(messages, [
            'docker-build.Image "api-image", inline Dockerfile line 12: TZ is "Europe/Berlin" but the final image has no zoneinfo ' +
                "(scratch ships none, and no stage installs or copies it or builds with -tags timetzdata). " +
                "Go cannot find the zone and silently falls back to UTC: schedules, log timestamps and day boundaries are off with no error. " +
                "Fix: COPY --from=<builder> /usr/share/zoneinfo /usr/share/zoneinfo, install tzdata, or build with go build -tags timetzdata.",
        ]);
    });

    it("accepts the POSIX-style zone files Go finds (EST5EDT, PST8PDT)", async () => {
        for (const zone of ["EST5EDT", "PST8PDT"]) {
            assert.deepStrictEqual(await dockerfileSummaries(rule, withLine(12, `ENV TZ=${zone}`)), []);
        }
    });
});
