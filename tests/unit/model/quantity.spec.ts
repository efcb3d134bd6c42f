import * as assert from "assert";
import { ceilValue, compareQuantities, exceedsMaximum, formatBytes, parseQuantity } from "../../../policies/model/quantity";

function value(text: unknown): string {
    const r = parseQuantity(text);
    if (!r.ok) {
        return `error: ${r.error}`;
    }
    const { numerator, denominator } = r.quantity;
    const g = gcd(numerator < 0n ? -numerator : numerator, denominator);
    const [n, d] = g === 0n ? [numerator, denominator] : [numerator / g, denominator / g];
    return d === 1n ? `${n}` : `${n}/${d}`;
}

function gcd(a: bigint, b: bigint): bigint {
    return b === 0n ? a : gcd(b, a % b);
}

function label(input: unknown): string {
    return typeof input === "number" ? String(input) : JSON.stringify(input) ?? String(input);
}

describe("parseQuantity", () => {
    const cases: Array<[unknown, string]> = [
        ["0", "0"],
        ["1", "1"],
        ["512Mi", `${512n << 20n}`],
        ["1Gi", `${1n << 30n}`],
        ["1.5Gi", `${(3n << 30n) / 2n}`],
        ["1Ki", "1024"],
        ["1Ei", `${1n << 60n}`],
        ["250m", "1/4"],
        ["0.5", "1/2"],
        [".5", "1/2"],
        ["5.", "5"],
        ["1k", "1000"],
        ["1M", "1000000"],
        ["1G", "1000000000"],
        ["1E", "1000000000000000000"],
        ["1e3", "1000"],
        ["1E3", "1000"],
        ["1e-3", "1/1000"],
        ["1.5e+2", "150"],
        ["100n", "1/10000000"],
        ["100u", "1/10000"],
        ["+1Mi", `${1n << 20n}`],
        ["-1", "-1"],
        [512, "512"],
        [0.25, "1/4"],
    ];
    for (const [input, expected] of cases) {
        it(`parses ${label(input)} exactly`, () => assert.strictEqual(value(input), expected));
    }

    const rejected: Array<[unknown, RegExp]> = [
        ["", /empty/],
        ["1K", /lowercase "k"/],
        ["1KB", /not a Kubernetes quantity/],
        ["1Mb", /not a Kubernetes quantity/],
        ["1 Mi", /not a Kubernetes quantity/],
        ["Mi", /not a Kubernetes quantity/],
        ["1.2.3", /not a Kubernetes quantity/],
        ["0x10", /not a Kubernetes quantity/],
        ["1e", /not a Kubernetes quantity/],
        ["1Mi ", /not a Kubernetes quantity/],
        ["1e999999", /exponent out of range/],
        ["9".repeat(100), /too long/],
        [null, /found object/],
        [undefined, /found undefined/],
        [{}, /found object/],
        [[], /found object/],
        [true, /found boolean/],
        [NaN, /found NaN/],
        [Infinity, /found Infinity/],
    ];
    for (const [input, pattern] of rejected) {
        it(`rejects ${label(input)}`, () => assert.match(value(input), pattern));
    }

    it("compares across suffixes exactly", () => {
        const q = (t: string) => {
            const r = parseQuantity(t);
            assert.ok(r.ok);
            return r.quantity;
        };
        assert.strictEqual(compareQuantities(q("1Gi"), q("1024Mi")), 0);
        assert.strictEqual(compareQuantities(q("1G"), q("1Gi")), -1);
        assert.strictEqual(compareQuantities(q("500m"), q("0.5")), 0);
        assert.strictEqual(compareQuantities(q("1001m"), q("1")), 1);
        assert.strictEqual(compareQuantities(q("1e3"), q("1k")), 0);
    });

    it("rounds up to whole base units and flags values beyond int64", () => {
        const r = parseQuantity("1500m");
        assert.ok(r.ok);
        assert.strictEqual(ceilValue(r.quantity), 2n);
        const huge = parseQuantity("9Ei");
        assert.ok(huge.ok);
        assert.strictEqual(exceedsMaximum(huge.quantity), true);
        const max = parseQuantity("9223372036854775807");
        assert.ok(max.ok);
        assert.strictEqual(exceedsMaximum(max.quantity), false);
    });

    it("formats byte counts with the largest exact binary unit", () => {
        assert.strictEqual(formatBytes(512n << 20n), "512Mi");
        assert.strictEqual(formatBytes(3n << 30n), "3Gi");
        assert.strictEqual(formatBytes(1000n), "1000 bytes");
    });
});
