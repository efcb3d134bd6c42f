import * as assert from "assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { shareDeserialization } from "../../policies/pulumi/sdk-tuning";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require("@pulumi/policy/deserialize") as { deserializeProperties(s: unknown, proxySecrets: boolean): unknown };

describe("shared property conversion", () => {
    before(() => shareDeserialization());

    it("converts one request's properties once for every policy", () => {
        const struct = Struct.fromJavaScript({ spec: { replicas: 2 } });
        const first = sdk.deserializeProperties(struct, false);
        assert.deepStrictEqual(first, { spec: { replicas: 2 } });
        assert.strictEqual(sdk.deserializeProperties(struct, false), first);
    });

    it("never shares between requests, nor with remediation (which wraps secrets)", () => {
        const a = Struct.fromJavaScript({ x: 1 });
        const b = Struct.fromJavaScript({ x: 1 });
        assert.notStrictEqual(sdk.deserializeProperties(a, false), sdk.deserializeProperties(b, false));
        assert.notStrictEqual(sdk.deserializeProperties(a, true), sdk.deserializeProperties(a, true));
    });

    it("installs itself once", () => {
        assert.strictEqual(shareDeserialization(), false);
    });
});
