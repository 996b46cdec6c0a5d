// Tests of the timeline file: round trip, and one clear message for each way a file can be wrong.

import assert from "node:assert/strict";
import { TimelineFileError } from "../../src/errors.ts";
import { Timeline } from "../../src/train/timeline.ts";
import { crc32, decodeTimeline, encodeTimeline } from "../../src/train/timeline_file.ts";
import { sineRun, xorEpoch, xorStart } from "../fixtures/ui_events.ts";

function xorTimeline(epochs = 1000, end = true): Timeline {
  const timeline = new Timeline();
  timeline.record(xorStart());
  for (let e = 1; e <= epochs; e++) timeline.record(xorEpoch(e));
  if (end) timeline.record({ type: "end", reason: "target_loss", epoch: epochs, message: "Reached it" });
  return timeline;
}

/** Rewrites the checksum after a change, so the check after it is reached. */
function resealed(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(copy.length - 4, crc32(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

function headerOf(bytes: Uint8Array): { length: number; json: Record<string, unknown> } {
  const length = new DataView(bytes.buffer).getUint32(8, true);
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) };
}

/** The file with its header replaced by `json` (records and checksum rebuilt around it). */
function withHeader(bytes: Uint8Array, json: unknown): Uint8Array {
  const { length } = headerOf(bytes);
  const header = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(bytes.length - length + header.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(bytes.subarray(12 + length), 12 + header.length);
  return resealed(out);
}

Deno.test("crc32() matches the IEEE check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodeTimeline() then decodeTimeline() gives the same snapshots", () => {
  const timeline = xorTimeline();
  const bytes = encodeTimeline(timeline);
  const copy = decodeTimeline(bytes, { file: "t.bin" });
  assert.deepEqual(copy.epochs(), timeline.epochs());
  assert.equal(copy.spacing, timeline.spacing);
  assert.equal(copy.capacity, timeline.capacity);
  assert.deepEqual(copy.start, timeline.start);
  assert.deepEqual(copy.end, timeline.end);
  for (let i = 0; i < timeline.length; i++) assert.deepEqual(copy.eventAt(i), timeline.eventAt(i));
  assert.deepEqual(encodeTimeline(copy), bytes, "encoding is deterministic");
  // compact: 4 bytes per number of an array, 8 per plain number, 20 per record, plus one header
  let payload = 0;
  for (const { packed } of timeline.entries()) payload += 20 + 4 * packed.f32.length + 8 * packed.f64.length;
  assert.ok(bytes.length - payload < 20_000, `${bytes.length} bytes for ${payload} of snapshots`);
  const json = JSON.stringify(timeline.epochs().map((_, i) => timeline.eventAt(i))).length;
  assert.ok(bytes.length < json / 2, `${bytes.length} bytes, as JSON ${json}`);
});

Deno.test("encodeTimeline() then decodeTimeline() keeps a regression's points and the curve of each snapshot's epoch", () => {
  const events = sineRun(40);
  const timeline = new Timeline({ capacity: 16 });
  for (const event of events) timeline.record(event);
  const copy = decodeTimeline(encodeTimeline(timeline), { file: "t.bin" });
  const start = events[0];
  assert.ok(start.type === "start");
  assert.deepEqual(copy.start?.curvePoints, start.curvePoints, "the points exactly (plain numbers)");
  // a snapshot shows the curve of the last epoch at or before it that sent one (every third), in Float32
  const sent = new Map<number, number[]>();
  for (const event of events) {
    if (event.type === "epoch" && event.curve) sent.set(event.epoch, event.curve.values);
  }
  assert.ok(copy.length > 8);
  for (let i = 0; i < copy.length; i++) {
    const epoch = copy.epochAt(i);
    let from = epoch;
    while (from > 0 && !sent.has(from)) from--;
    const curve = copy.eventAt(i).curve;
    if (from === 0) {
      assert.equal(curve, undefined, `epoch ${epoch} has no curve yet`);
      continue;
    }
    assert.deepEqual(
      curve?.xRange,
      Array.from(Float32Array.of(-Math.PI, Math.PI)),
      "number arrays are Float32",
    );
    assert.deepEqual(
      curve?.values,
      Array.from(Float32Array.from(sent.get(from)!)),
      `the curve of epoch ${epoch}`,
    );
    assert.deepEqual(copy.eventAt(i), timeline.eventAt(i));
  }
  // the curve costs 98 Float32 numbers a snapshot (its range and 96 values) from the first epoch that sent one
  const packed = timeline.entries().map((e) => e.packed.f32.length);
  const curveless = new Timeline({ capacity: 16 });
  for (const event of events) {
    curveless.record(event.type === "epoch" ? { ...event, curve: undefined } : event);
  }
  const without = curveless.entries().map((e) => e.packed.f32.length);
  assert.deepEqual(
    packed.map((n, i) => n - without[i]),
    timeline.epochs().map((epoch) => epoch >= 3 ? 98 : 0),
  );
});

Deno.test("decodeTimeline() keeps a timeline without an end (saved while training)", () => {
  const copy = decodeTimeline(encodeTimeline(xorTimeline(3, false)));
  assert.equal(copy.end, undefined);
  assert.deepEqual(copy.epochs(), [1, 2, 3]);
});

Deno.test("decodeTimeline() names the file and what is wrong", async (t) => {
  const good = encodeTimeline(xorTimeline(20));
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(), "the file is empty"],
    [
      "not a timeline",
      new TextEncoder().encode('{"format": "termnet-model"}'),
      'not a termnet timeline (it starts with "{"fo", expected "TNTL")',
    ],
    [
      "an unknown version",
      (() => {
        const copy = good.slice();
        new DataView(copy.buffer).setUint32(4, 7, true);
        return copy;
      })(),
      "format version 7 is not supported (this termnet reads version 1)",
    ],
    ["cut in the header", good.slice(0, 40), "the file is cut short (the header needs"],
    ["cut in the records", good.slice(0, good.length - 100), "the checksum does not match"],
    [
      "a flipped bit",
      (() => {
        const copy = good.slice();
        copy[copy.length - 50] ^= 4;
        return copy;
      })(),
      "the checksum does not match",
    ],
    [
      "a header that is not JSON",
      (() => {
        const copy = good.slice();
        copy[12] = "x".charCodeAt(0);
        return resealed(copy);
      })(),
      "the header is not a JSON object",
    ],
    [
      "more snapshots promised than written",
      withHeader(good, { ...headerOf(good).json, snapshots: 21 }),
      "snapshot 21 at byte",
    ],
    [
      "fewer snapshots promised than written",
      withHeader(good, { ...headerOf(good).json, snapshots: 19 }),
      "bytes follow the last snapshot (the header promises 19)",
    ],
    [
      "a bad spacing",
      withHeader(good, { ...headerOf(good).json, spacing: 0 }),
      "header.spacing: expected an integer ≥ 1, got 0",
    ],
    [
      "a bad end",
      withHeader(good, { ...headerOf(good).json, end: { reason: "bored" } }),
      'header.end: expected {reason, epoch, message}, got {"reason":"bored"}',
    ],
    [
      "a skeleton that does not fit its record",
      withHeader(good, {
        ...headerOf(good).json,
        skeletons: (headerOf(good).json.skeletons as unknown[]).map((_, i) => ({ [`a${i}`]: { "#": "d" } })),
      }),
      "the start record at byte",
    ],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.step(name, () => {
      let error: unknown;
      try {
        decodeTimeline(bytes, { file: "runs/x/timeline.bin" });
      } catch (thrown) {
        error = thrown;
      }
      assert.ok(error instanceof TimelineFileError, String(error));
      assert.ok(
        error.message.startsWith("runs/x/timeline.bin: Cannot read the timeline: "),
        error.message,
      );
      assert.ok(error.message.includes(expected), `${error.message}\ndoes not include\n${expected}`);
      assert.ok(!error.message.includes("\n"));
    });
  }
});
