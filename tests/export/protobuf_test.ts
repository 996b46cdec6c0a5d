// Tests of the protobuf writer against the byte examples of the protobuf encoding guide.

import assert from "node:assert/strict";
import { encodeVarint, ProtoWriter } from "../../src/export/_protobuf.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

Deno.test("encodeVarint() writes 7 bits per byte, least significant first", () => {
  assert.equal(hex(encodeVarint(0)), "00");
  assert.equal(hex(encodeVarint(1)), "01");
  assert.equal(hex(encodeVarint(127)), "7f");
  assert.equal(hex(encodeVarint(150)), "96 01");
  assert.equal(hex(encodeVarint(300)), "ac 02");
  assert.equal(hex(encodeVarint(2 ** 53 - 1)), "ff ff ff ff ff ff ff 0f");
});

Deno.test("encodeVarint() writes negative numbers as int64's two's complement, in 10 bytes", () => {
  assert.equal(hex(encodeVarint(-1)), "ff ff ff ff ff ff ff ff ff 01");
  assert.equal(hex(encodeVarint(-2)), "fe ff ff ff ff ff ff ff ff 01");
});

Deno.test("encodeVarint() rejects numbers that are not safe integers", () => {
  for (const bad of [0.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => encodeVarint(bad), RangeError);
  }
});

Deno.test("ProtoWriter writes the encoding guide's examples", async (t) => {
  await t.step("field 1 = 150 is 08 96 01", () => {
    assert.equal(hex(new ProtoWriter().varint(1, 150).finish()), "08 96 01");
  });
  await t.step('field 2 = "testing" is 12 07 74 65 73 74 69 6e 67', () => {
    assert.equal(hex(new ProtoWriter().string(2, "testing").finish()), "12 07 74 65 73 74 69 6e 67");
  });
  await t.step("a nested message at field 3 is 1a 03 08 96 01", () => {
    const inner = new ProtoWriter().varint(1, 150);
    assert.equal(hex(new ProtoWriter().message(3, inner).finish()), "1a 03 08 96 01");
  });
  await t.step("a float at field 2 is 15 and four little-endian bytes", () => {
    // 1.5f = 0x3fc00000
    assert.equal(hex(new ProtoWriter().float32(2, 1.5).finish()), "15 00 00 c0 3f");
  });
  await t.step("field numbers above 15 take a two-byte key", () => {
    // ONNX's AttributeProto.type is field 20: key (20 << 3) | 0 = 160 → a0 01
    assert.equal(hex(new ProtoWriter().varint(20, 2).finish()), "a0 01 02");
  });
  await t.step("fields follow in the order they are written, and length counts every byte", () => {
    const writer = new ProtoWriter().varint(1, 1).string(2, "").bytes(3, new Uint8Array([9, 8]));
    assert.equal(writer.length, 8);
    assert.equal(hex(writer.finish()), "08 01 12 00 1a 02 09 08");
  });
});
