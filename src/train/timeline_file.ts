// The timeline file (timeline.bin, format version 1): a run's snapshots as a small binary file, and back.
//
// Layout, all numbers little-endian:
//
//   offset  size  field
//   0       4     magic "TNTL"
//   4       4     u32 format version (1)
//   8       4     u32 H, the header's length in bytes
//   12      H     header, UTF-8 JSON: {"format": "termnet-timeline", "version": 1, "capacity": 400,
//                 "spacing": S, "snapshots": N, "end": {"reason", "epoch", "message"} | null,
//                 "skeletons": [...]}
//   …             N + 1 records: the start event, then the snapshots oldest first; each record is
//                   f64 epoch (0 for the start event) · u32 skeleton index · u32 n64 · u32 n32 ·
//                   n64 × f64 (the plain numbers) · n32 × f32 (the numbers of number arrays)
//   end − 4 4     u32 CRC-32 (IEEE 802.3, as zlib and PNG) of every byte before it
//
// A skeleton is the JSON shape of an event with its numbers taken out (see `Skeleton` in timeline.ts): an epoch
// event of a 784-256-128-10 network (with its pictures) packs into about 5,700 numbers, 23 KB.

import { TimelineFileError } from "../errors.ts";
import type { EndEvent, EndReason, StartEvent } from "./events.ts";
import {
  PackedSkeletons,
  type PackedValue,
  packValue,
  type Skeleton,
  skeletonSize,
  Timeline,
  type TimelineEntry,
  unpackValue,
} from "./timeline.ts";

/** The four bytes a timeline file starts with. */
export const TIMELINE_MAGIC = "TNTL";
/** The format version this code writes and reads. */
export const TIMELINE_VERSION = 1;
/** The file name of the timeline in a run folder. */
export const TIMELINE_FILE = "timeline.bin";

const END_REASONS: readonly EndReason[] = [
  "done",
  "early_stop",
  "target_loss",
  "diverged",
  "quit",
  "interrupted",
  "stopped",
];

let crcTable: Uint32Array | undefined;

/** Whether this machine stores numbers little-endian, as the file does (then arrays are copied as bytes). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a typed array (a view, no copy). */
function bytesOf(array: Float64Array | Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** CRC-32 (IEEE 802.3 polynomial, reflected), the checksum of zlib and PNG. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Encodes a timeline as the bytes of a timeline file (see the layout at the top of this module). The timeline
 * must have its start event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Timeline } from "./timeline.ts";
 * import { decodeTimeline, encodeTimeline } from "./timeline_file.ts";
 * const timeline = new Timeline();
 * timeline.record({
 *   type: "start", name: "demo", epochs: 1, network: { input: 2, layers: [{ units: 1, activation: "sigmoid" }] },
 *   task: "regression", trainSize: 4, testSize: 0, loss: "mse", optimizer: "sgd", learningRate: 0.1,
 * });
 * timeline.record({
 *   type: "epoch", epoch: 1, epochs: 1, trainLoss: 0.25, learningRate: 0.1, samplesPerSecond: 4,
 *   elapsedSeconds: 1, layers: [],
 * });
 * const copy = decodeTimeline(encodeTimeline(timeline));
 * assert.equal(copy.start?.name, "demo");
 * assert.equal(copy.eventAt(0).trainLoss, 0.25);
 * ```
 */
export function encodeTimeline(timeline: Timeline): Uint8Array {
  const start = timeline.start;
  if (start === undefined) throw new TypeError("Cannot encode the timeline: it has no start event");
  const skeletons = new PackedSkeletons();
  for (const skeleton of timeline.skeletons.list) skeletons.intern(skeleton);
  const startRecord = { epoch: 0, packed: packValue(start, skeletons) };
  const entries = timeline.entries();
  const end = timeline.end;
  const header = new TextEncoder().encode(JSON.stringify({
    format: "termnet-timeline",
    version: TIMELINE_VERSION,
    capacity: timeline.capacity,
    spacing: timeline.spacing,
    snapshots: entries.length,
    end: end === undefined ? null : { reason: end.reason, epoch: end.epoch, message: end.message },
    skeletons: skeletons.list,
  }));
  const records = [startRecord, ...entries];
  let size = 12 + header.length + 4;
  for (const { packed } of records) size += 20 + 8 * packed.f64.length + 4 * packed.f32.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(TIMELINE_MAGIC), 0);
  view.setUint32(4, TIMELINE_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let at = 12 + header.length;
  for (const { epoch, packed } of records) {
    view.setFloat64(at, epoch, true);
    view.setUint32(at + 8, packed.skeleton, true);
    view.setUint32(at + 12, packed.f64.length, true);
    view.setUint32(at + 16, packed.f32.length, true);
    at += 20;
    if (LITTLE_ENDIAN) {
      bytes.set(bytesOf(packed.f64), at);
      at += packed.f64.byteLength;
      bytes.set(bytesOf(packed.f32), at);
      at += packed.f32.byteLength;
      continue;
    }
    for (let i = 0; i < packed.f64.length; i++, at += 8) view.setFloat64(at, packed.f64[i], true);
    for (let i = 0; i < packed.f32.length; i++, at += 4) view.setFloat32(at, packed.f32[i], true);
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/** Options for {@linkcode decodeTimeline}. */
export interface DecodeTimelineOptions {
  /** The file's path, for error messages. */
  file?: string;
}

function describeStart(bytes: Uint8Array): string {
  const text = Array.from(bytes.subarray(0, 4), (b) => b >= 32 && b < 127 ? String.fromCharCode(b) : "·");
  return text.join("");
}

/**
 * Decodes the bytes of a timeline file. Throws a {@linkcode TimelineFileError} naming the file and what is wrong
 * (not a timeline, an unknown version, cut short, damaged, or a record that does not fit its header).
 */
export function decodeTimeline(bytes: Uint8Array, options: DecodeTimelineOptions = {}): Timeline {
  const fail = (detail: string): never => {
    throw new TimelineFileError(`Cannot read the timeline: ${detail}`, { file: options.file });
  };
  if (bytes.length === 0) fail("the file is empty");
  if (bytes.length < 4 || describeStart(bytes) !== TIMELINE_MAGIC) {
    fail(`not a termnet timeline (it starts with "${describeStart(bytes)}", expected "${TIMELINE_MAGIC}")`);
  }
  if (bytes.length < 16) fail(`the file is cut short (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== TIMELINE_VERSION) {
    fail(`format version ${version} is not supported (this termnet reads version ${TIMELINE_VERSION})`);
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength + 4 > bytes.length) {
    fail(
      `the file is cut short (the header needs ${headerLength} bytes, the file has ${bytes.length} in all)`,
    );
  }
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) {
    fail(
      `the checksum does not match (stored ${hex(stored)}, computed ${hex(actual)}): ` +
        `the file is damaged or cut short`,
    );
  }
  let header: Record<string, unknown>;
  try {
    const parsed = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)),
    );
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("not an object");
    }
    header = parsed;
  } catch (error) {
    return fail(`the header is not a JSON object (${(error as Error).message})`);
  }
  if (header.format !== "termnet-timeline") {
    fail(`header.format: expected "termnet-timeline", got ${show(header.format)}`);
  }
  const integer = (key: string, min: number): number => {
    const value = header[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      fail(`header.${key}: expected an integer ≥ ${min}, got ${show(value)}`);
    }
    return value as number;
  };
  const capacity = integer("capacity", 2);
  const spacing = integer("spacing", 1);
  const count = integer("snapshots", 0);
  if (count > capacity) fail(`header.snapshots: ${count} is more than the capacity ${capacity}`);
  if (!Array.isArray(header.skeletons)) {
    fail(`header.skeletons: expected an array, got ${show(header.skeletons)}`);
  }
  const skeletonList = header.skeletons as unknown[];
  const sizes = skeletonList.map((skeleton, i) => {
    let size: ReturnType<typeof skeletonSize>;
    try {
      size = skeletonSize(skeleton);
    } catch {
      size = undefined; // nested too deep to walk
    }
    if (size === undefined) fail(`header.skeletons[${i}]: not a valid skeleton`);
    return size!;
  });
  const end = readEnd(header.end, fail);
  const skeletons = new PackedSkeletons();
  for (const skeleton of skeletonList) skeletons.intern(skeleton as Skeleton);
  if (skeletons.list.length !== skeletonList.length) fail("header.skeletons: the same skeleton twice");

  let at = 12 + headerLength;
  const limit = bytes.length - 4;
  const records: TimelineEntry[] = [];
  for (let r = 0; r <= count; r++) {
    const what = r === 0 ? "the start record" : `snapshot ${r}`;
    if (at + 20 > limit) fail(`${what} at byte ${at} is cut short (the header promises ${count} snapshots)`);
    const epoch = view.getFloat64(at, true);
    const skeleton = view.getUint32(at + 8, true);
    const n64 = view.getUint32(at + 12, true), n32 = view.getUint32(at + 16, true);
    if (skeleton >= sizes.length) {
      fail(`${what} at byte ${at} refers to skeleton ${skeleton}, the header has ${sizes.length}`);
    }
    const size = sizes[skeleton];
    if (size.f64 !== n64 || size.f32 !== n32) {
      fail(
        `${what} at byte ${at} holds ${n64} + ${n32} numbers, its skeleton needs ${size.f64} + ${size.f32}`,
      );
    }
    at += 20;
    if (at + 8 * n64 + 4 * n32 > limit) fail(`${what} at byte ${at - 20} is cut short`);
    let f64: Float64Array, f32: Float32Array;
    if (LITTLE_ENDIAN) {
      f64 = new Float64Array(bytes.slice(at, at + 8 * n64).buffer);
      at += 8 * n64;
      f32 = new Float32Array(bytes.slice(at, at + 4 * n32).buffer);
      at += 4 * n32;
    } else {
      f64 = new Float64Array(n64), f32 = new Float32Array(n32);
      for (let i = 0; i < n64; i++, at += 8) f64[i] = view.getFloat64(at, true);
      for (let i = 0; i < n32; i++, at += 4) f32[i] = view.getFloat32(at, true);
    }
    if (r > 0) {
      if (!Number.isFinite(epoch) || (records.length > 0 && epoch <= records[records.length - 1].epoch)) {
        fail(`${what}: epoch ${epoch} does not follow epoch ${records[records.length - 1]?.epoch ?? 0}`);
      }
    }
    records.push({ epoch, packed: { skeleton, f64, f32 } satisfies PackedValue });
  }
  if (at !== limit) fail(`${limit - at} bytes follow the last snapshot (the header promises ${count})`);
  const [startRecord, ...entries] = records;
  const start = unpackValue(startRecord.packed, skeletons.list) as StartEvent;
  if (typeof start !== "object" || start === null || start.type !== "start") {
    fail(`the start record does not hold a start event`);
  }
  for (let i = 0; i < entries.length; i++) {
    const event = unpackValue(entries[i].packed, skeletons.list) as { type?: unknown; epoch?: unknown };
    if (event?.type !== "epoch" || event.epoch !== entries[i].epoch) {
      fail(`snapshot ${i + 1} does not hold the epoch event of epoch ${entries[i].epoch}`);
    }
  }
  return Timeline.from({ start, end, spacing, capacity, skeletons, entries });
}

function readEnd(value: unknown, fail: (detail: string) => never): EndEvent | undefined {
  if (value === null || value === undefined) return undefined;
  const end = value as Record<string, unknown>;
  if (
    typeof end !== "object" || !END_REASONS.includes(end.reason as EndReason) ||
    !Number.isInteger(end.epoch) || typeof end.message !== "string"
  ) {
    fail(`header.end: expected {reason, epoch, message}, got ${show(value)}`);
  }
  return {
    type: "end",
    reason: end.reason as EndReason,
    epoch: end.epoch as number,
    message: end.message as string,
  };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
