import * as assert from "assert";
import { parseGoGc, parseGoMemLimit } from "../../../policies/model/go-runtime";

describe("parseGoMemLimit (runtime.readGOMEMLIMIT)", () => {
    const limits: Array<[string, bigint]> = [
        ["0", 0n],
        ["1", 1n],
        ["536870912", 536870912n],
        ["512B", 512n],
        ["1KiB", 1024n],
        ["460MiB", 460n << 20n],
        ["2GiB", 2n << 30n],
        ["1TiB", 1n << 40n],
        ["9223372036854775807", 2n ** 63n - 1n],
        ["8388607TiB", 8388607n << 40n],
    ];
    for (const [text, bytes] of limits) {
        it(`accepts ${text}`, () => assert.deepStrictEqual(parseGoMemLimit(text), { kind: "limit", bytes }));
    }
    for (const text of ["", "off"]) {
        it(`reads ${JSON.stringify(text)} as no limit`, () => assert.deepStrictEqual(parseGoMemLimit(text), { kind: "off" }));
    }
    const malformed: Array<[unknown, RegExp]> = [
        ["400Mi", /write 400MiB/],
        ["1Gi", /write 1GiB/],
        ["400M", /decimal units/],
        ["400MB", /decimal units/],
        ["1G", /decimal units/],
        ["1k", /decimal units/],
        ["0.4GiB", /fractions/],
        ["1.5", /fractions/],
        ["1PiB", /whole number/],
        ["-1", /whole number/],
        ["+1", /whole number/],
        [" 1", /whole number/],
        ["1 MiB", /whole number/],
        ["OFF", /whole number/],
        ["1mib", /whole number/],
        ["9223372036854775808", /overflows/],
        ["8388608TiB", /overflows/],
        ["1".repeat(40), /overflows/],
        [512, /must be a string/],
        [null, /must be a string/],
        [undefined, /must be a string/],
        [{ value: "1" }, /must be a string/],
    ];
    for (const [input, reason] of malformed) {
        it(`rejects ${JSON.stringify(input) ?? String(input)}`, () => {
            const r = parseGoMemLimit(input);
            assert.strictEqual(r.kind, "malformed");
            assert.match((r as { reason: string }).reason, reason);
        });
    }
});

describe("parseGoGc (runtime.readGOGC)", () => {
    it("reads percentages, off and negatives as Go does", () => {
        assert.deepStrictEqual(parseGoGc("100"), { kind: "percent", value: 100 });
        assert.deepStrictEqual(parseGoGc("0"), { kind: "percent", value: 0 });
        assert.deepStrictEqual(parseGoGc(""), { kind: "percent", value: 100 });
        assert.deepStrictEqual(parseGoGc("off"), { kind: "off" });
        assert.deepStrictEqual(parseGoGc("-1"), { kind: "off" });
    });
    for (const input of ["fast", "100%", "1e2", "+50", "Off", " 100", "99999999999", 100, null]) {
        it(`treats ${JSON.stringify(input)} as ignored (Go falls back to 100)`, () => assert.strictEqual(parseGoGc(input).kind, "ignored"));
    }
});
