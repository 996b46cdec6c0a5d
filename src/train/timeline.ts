// The run's timeline: snapshots of what the dashboard panels show, thinned to at most 400, packed in typed arrays.

import type { EndEvent, EpochEvent, StartEvent, TimelineReader, TrainEvent } from "./events.ts";

/** Snapshots a timeline keeps at most, whatever the length of the run (the first and latest epoch included). */
export const TIMELINE_CAPACITY = 400;

/**
 * The memory bound of a timeline for the Fashion-MNIST config (784-256-128-10): 32 MiB. With every field the
 * trainer sends today a snapshot of that network packs into about 23 KB (the 128×10 output layer keeps its
 * weights, the wide layers their statistics, plus 16 first-layer filters of 14×14, sample predictions and the
 * confusion matrix), so 400 of them take about 9 MB, at most twice that with the room the snapshot buffers keep
 * to grow; tests/train/timeline_test.ts measures it on a real epoch of the trainer.
 */
export const TIMELINE_MEMORY_BOUND = 32 * 1024 * 1024;

/**
 * The spacing a timeline of `capacity` snapshots ends with for a run of `epochs` epochs: the smallest power of two
 * s with ⌊(epochs − 1)/s⌋ + 1 ≤ capacity − 1 (room for a latest epoch off the grid).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timelineSpacing } from "./timeline.ts";
 * assert.equal(timelineSpacing(399), 1);
 * assert.equal(timelineSpacing(10000), 32);
 * ```
 */
export function timelineSpacing(epochs: number, capacity = TIMELINE_CAPACITY): number {
  let spacing = 1;
  while (Math.floor((epochs - 1) / spacing) + 1 > capacity - 1) spacing *= 2;
  return spacing;
}

/** Bytes counted for each snapshot beside its typed arrays (the record object and its array headers). */
const SNAPSHOT_OVERHEAD = 160;

/**
 * The shape of a packed value, as plain JSON: objects, arrays, strings, booleans and null stand for themselves;
 * `{"#": "d"}` is the next number of the Float64 part, `{"#": "f", "n": N}` the next N numbers of the Float32
 * part as an array, `{"#": "f", "r": R, "n": N}` the next R·N of them as R rows of N, and `{"#": "o", "v": {…}}`
 * an object that itself has a key `"#"`. Numbers appear only as the sizes in those markers.
 */
export type Skeleton =
  | null
  | boolean
  | string
  | number
  | Skeleton[]
  | { [key: string]: Skeleton };

/** One packed value: its skeleton (an index into the timeline's skeletons) and its numbers. */
export interface PackedValue {
  /** Index of the skeleton in {@linkcode PackedSkeletons.list}. */
  readonly skeleton: number;
  /** Plain numbers (epoch, losses, …), in the order the skeleton meets them; Float64 keeps them exact. */
  readonly f64: Float64Array;
  /** The numbers of number arrays (weights, histograms, boundary values, …), in Float32. */
  readonly f32: Float32Array;
}

/** Skeletons shared by packed values: a snapshot of the same shape as the one before costs no new skeleton. */
export class PackedSkeletons {
  /** Every distinct skeleton, in the order first met. */
  readonly list: Skeleton[] = [];
  #index = new Map<string, number>();
  #bytes = 0;

  /** Index of `skeleton`, added when new. */
  intern(skeleton: Skeleton): number {
    return this.internText(JSON.stringify(skeleton));
  }

  /** Index of the skeleton whose JSON text is `text`, added when new. */
  internText(text: string): number {
    let index = this.#index.get(text);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(JSON.parse(text));
      this.#index.set(text, index);
      this.#bytes += 2 * text.length + 64;
    }
    return index;
  }

  /** Bytes the skeletons take (their JSON text in UTF-16 plus a little per entry). */
  get byteSize(): number {
    return this.#bytes;
  }
}

/**
 * Packs JSON-like values: walks a value once, writing its numbers into growing scratch buffers (no boxed numbers,
 * no garbage per number) and its skeleton as JSON text, which is interned by that text.
 */
class Packer {
  f64 = new Float64Array(256);
  f32 = new Float32Array(4096);
  n64 = 0;
  n32 = 0;

  #room64(extra: number): void {
    if (this.n64 + extra <= this.f64.length) return;
    const bigger = new Float64Array(Math.max(this.f64.length * 2, this.n64 + extra));
    bigger.set(this.f64.subarray(0, this.n64));
    this.f64 = bigger;
  }

  #room32(extra: number): void {
    if (this.n32 + extra <= this.f32.length) return;
    const bigger = new Float32Array(Math.max(this.f32.length * 2, this.n32 + extra));
    bigger.set(this.f32.subarray(0, this.n32));
    this.f32 = bigger;
  }

  /** Appends the numbers of `value` to the Float32 part; false (and nothing appended) when it is not all numbers. */
  #numbers(value: unknown): boolean {
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView || value instanceof BigInt64Array || value instanceof BigUint64Array) {
        return false;
      }
      const view = value as unknown as ArrayLike<number>;
      this.#room32(view.length);
      this.f32.set(view, this.n32);
      this.n32 += view.length;
      return true;
    }
    if (!Array.isArray(value) || value.length === 0) return false;
    this.#room32(value.length);
    const f32 = this.f32, start = this.n32;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "number") {
        this.n32 = start;
        return false;
      }
      f32[start + i] = v;
    }
    this.n32 = start + value.length;
    return true;
  }

  /**
   * Appends `value`'s numbers and returns its skeleton as JSON text. Fields that are undefined are left out, as
   * JSON would; functions and other non-data values are rejected.
   */
  node(value: unknown): string {
    if (value === null) return "null";
    switch (typeof value) {
      case "number":
        this.#room64(1);
        this.f64[this.n64++] = value;
        return '{"#":"d"}';
      case "string":
        return JSON.stringify(value);
      case "boolean":
        return value ? "true" : "false";
      case "object":
        break;
      default:
        throw new TypeError(`Cannot pack the value: expected JSON-like data, got a ${typeof value}`);
    }
    const startCount = this.n32;
    if (this.#numbers(value)) return `{"#":"f","n":${this.n32 - startCount}}`;
    if (Array.isArray(value)) {
      // rows of numbers of one length: a matrix
      const first = value[0];
      if (value.length > 0 && Array.isArray(first) && first.length > 0) {
        let rows = 0;
        while (rows < value.length && value[rows]?.length === first.length && this.#numbers(value[rows])) {
          rows++;
        }
        if (rows === value.length) return `{"#":"f","r":${rows},"n":${first.length}}`;
        this.n32 = startCount;
      }
      let text = "[";
      for (let i = 0; i < value.length; i++) text += (i > 0 ? "," : "") + this.node(value[i] ?? null);
      return text + "]";
    }
    let text = "{", marker = false;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      if (key === "#") marker = true;
      text += (text.length > 1 ? "," : "") + JSON.stringify(key) + ":" + this.node(item);
    }
    text += "}";
    return marker ? `{"#":"o","v":${text}}` : text;
  }
}

const packer = new Packer();

/** Packs `value` into the packer's scratch buffers (`packer.f64[0, n64)`, `packer.f32[0, n32)`); the skeleton. */
function packScratch(value: unknown, skeletons: PackedSkeletons): number {
  packer.n64 = 0;
  packer.n32 = 0;
  return skeletons.internText(packer.node(value));
}

/** Packs `value` into typed arrays, interning its skeleton in `skeletons`. */
export function packValue(value: unknown, skeletons: PackedSkeletons): PackedValue {
  const skeleton = packScratch(value, skeletons);
  return { skeleton, f64: packer.f64.slice(0, packer.n64), f32: packer.f32.slice(0, packer.n32) };
}

/** Where a snapshot's numbers are in a timeline's arena. */
interface Slot {
  epoch: number;
  skeleton: number;
  o64: number;
  n64: number;
  o32: number;
  n32: number;
}

/**
 * The numbers of every kept snapshot in two buffers, so a snapshot costs no buffer of its own (thousands of small
 * ArrayBuffers would each be external memory for the garbage collector to chase). Dropped snapshots leave holes
 * until the next compaction, which copies the live ones into new buffers twice their size.
 */
class Arena {
  f64: Float64Array;
  f32: Float32Array;
  n64 = 0;
  n32 = 0;

  constructor(size64: number, size32: number) {
    this.f64 = new Float64Array(size64);
    this.f32 = new Float32Array(size32);
  }

  /** Whether n64 + n32 more numbers fit. */
  fits(n64: number, n32: number): boolean {
    return this.n64 + n64 <= this.f64.length && this.n32 + n32 <= this.f32.length;
  }

  /** Appends numbers (the arena must have room) and points `slot` at them. */
  put(slot: Slot, f64: Float64Array, f32: Float32Array): void {
    slot.o64 = this.n64;
    slot.o32 = this.n32;
    slot.n64 = f64.length;
    slot.n32 = f32.length;
    this.f64.set(f64, this.n64);
    this.f32.set(f32, this.n32);
    this.n64 += f64.length;
    this.n32 += f32.length;
  }

  /** The packed value a slot points at (views into the arena, valid until the next compaction). */
  view(slot: Slot): PackedValue {
    return {
      skeleton: slot.skeleton,
      f64: this.f64.subarray(slot.o64, slot.o64 + slot.n64),
      f32: this.f32.subarray(slot.o32, slot.o32 + slot.n32),
    };
  }
}

/** Where unpacking has got to in the two number lists. */
interface Cursor {
  f64: number;
  f32: number;
}

function unpackNode(skeleton: Skeleton, packed: PackedValue, at: Cursor): unknown {
  if (skeleton === null || typeof skeleton !== "object") return skeleton;
  if (Array.isArray(skeleton)) return skeleton.map((item) => unpackNode(item, packed, at));
  const kind = skeleton["#"];
  if (kind === "d") {
    if (at.f64 >= packed.f64.length) throw new RangeError("Cannot unpack: the skeleton needs more numbers");
    return packed.f64[at.f64++];
  }
  if (kind === "f") {
    const n = skeleton.n as number, rows = skeleton.r as number | undefined;
    const row = () => {
      if (at.f32 + n > packed.f32.length) {
        throw new RangeError("Cannot unpack: the skeleton needs more numbers");
      }
      const out = Array.from(packed.f32.subarray(at.f32, at.f32 + n));
      at.f32 += n;
      return out;
    };
    if (rows === undefined) return row();
    const out: number[][] = [];
    for (let r = 0; r < rows; r++) out.push(row());
    return out;
  }
  const fields = kind === "o" ? skeleton.v as { [key: string]: Skeleton } : skeleton;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) out[key] = unpackNode(fields[key], packed, at);
  return out;
}

/** Rebuilds the value `packValue` packed (arrays as plain `number[]`, their numbers rounded to Float32). */
export function unpackValue(packed: PackedValue, skeletons: readonly Skeleton[]): unknown {
  const skeleton = skeletons[packed.skeleton];
  if (skeleton === undefined) throw new RangeError(`Cannot unpack: no skeleton ${packed.skeleton}`);
  const at = { f64: 0, f32: 0 };
  const value = unpackNode(skeleton, packed, at);
  if (at.f64 !== packed.f64.length || at.f32 !== packed.f32.length) {
    throw new RangeError("Cannot unpack: the numbers do not match the skeleton");
  }
  return value;
}

/** How many Float64 and Float32 numbers a skeleton takes, or undefined when it is not a valid skeleton. */
export function skeletonSize(skeleton: unknown): { f64: number; f32: number } | undefined {
  const size = { f64: 0, f32: 0 };
  const count = (node: unknown): boolean => {
    if (node === null || typeof node === "string" || typeof node === "boolean") return true;
    if (Array.isArray(node)) return node.every(count);
    if (typeof node !== "object") return false;
    const fields = node as Record<string, unknown>;
    const kind = fields["#"];
    if (kind === undefined) return Object.values(fields).every(count);
    if (kind === "d") return size.f64++, true;
    const n = fields.n, rows = fields.r ?? 1;
    if (kind === "f") {
      if (!Number.isInteger(n) || !Number.isInteger(rows) || (n as number) < 1 || (rows as number) < 1) {
        return false;
      }
      size.f32 += (n as number) * (rows as number);
      return true;
    }
    if (kind === "o" && typeof fields.v === "object" && fields.v !== null && !Array.isArray(fields.v)) {
      return Object.values(fields.v).every(count);
    }
    return false;
  };
  return count(skeleton) ? size : undefined;
}

/** One kept snapshot: its epoch and the packed epoch event (with the latest of every optional field). */
export interface TimelineEntry {
  /** The epoch the snapshot shows. */
  readonly epoch: number;
  /** The packed snapshot. */
  readonly packed: PackedValue;
}

/** Options for {@linkcode Timeline}. */
export interface TimelineOptions {
  /** Snapshots kept at most (default {@linkcode TIMELINE_CAPACITY}, at least 2). */
  capacity?: number;
}

/** Everything a timeline holds, for building one from a file. */
export interface TimelineParts {
  /** The run's start event. */
  start?: StartEvent;
  /** How training ended, when it had. */
  end?: EndEvent;
  /** Epochs between kept snapshots (a power of two). */
  spacing: number;
  /** Snapshots kept at most. */
  capacity: number;
  /** The shared skeletons. */
  skeletons: PackedSkeletons;
  /** The snapshots, oldest first. */
  entries: TimelineEntry[];
}

/**
 * A run's snapshots, for scrubbing back through training and for the run folder's timeline file.
 *
 * Every epoch is kept at first; when a new one would make more than `capacity`, the spacing doubles and the
 * snapshots off the new grid are dropped, so the kept epochs are always `first + k · spacing` (evenly spaced),
 * plus the latest epoch. Each snapshot is the epoch event with the latest value of every field that some epochs
 * leave out (the decision boundary, sample predictions, …), packed generically: plain numbers in a Float64Array,
 * number arrays (weights of small layers, statistics of wide ones, histograms, images) in a Float32Array. A new
 * field of {@linkcode EpochEvent} is kept without any change here.
 *
 * Recording an epoch off the grid only keeps a reference to it: packing happens for kept epochs, when the latest
 * is read, and when the timeline is written, so fast runs (hundreds of thousands of epochs a second) pay little.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Timeline } from "./timeline.ts";
 * const timeline = new Timeline({ capacity: 4 });
 * for (let epoch = 1; epoch <= 10; epoch++) {
 *   timeline.record({
 *     type: "epoch", epoch, epochs: 10, trainLoss: 1 / epoch, learningRate: 0.1,
 *     samplesPerSecond: 100, elapsedSeconds: epoch, layers: [],
 *   });
 * }
 * assert.deepEqual(timeline.epochs(), [1, 5, 9, 10]);
 * assert.equal(timeline.eventAt(3).trainLoss, 0.1);
 * ```
 */
export class Timeline implements TimelineReader {
  /** Snapshots kept at most. */
  readonly capacity: number;
  #start?: StartEvent;
  #end?: EndEvent;
  #skeletons = new PackedSkeletons();
  #arena = new Arena(0, 0);
  #grid: Slot[] = [];
  #spacing = 1;
  #first: number | undefined;
  /** The latest epoch when it is off the grid (packed on demand, `slot` undefined until then). */
  #tail: { epoch: number; slot?: Slot } | undefined;
  /** The latest value of every field of the epoch events so far (the latest event merged in when packed). */
  #carried: Record<string, unknown> = {};
  /** The layers of the last event whose fields were carried, and the latest event. */
  #lastLayers: unknown;
  #latest: EpochEvent | undefined;
  /** The last snapshot packed in full, with its fields, for sharing its numbers with the next (see #reuse). */
  #lastPack: { keys: string[]; values: unknown[]; slot: Slot } | undefined;
  #topNumberCache = new Map<number, [string, number][]>();

  /** An empty timeline. */
  constructor(options: TimelineOptions = {}) {
    const capacity = options.capacity ?? TIMELINE_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`Cannot create a timeline: capacity must be an integer ≥ 2, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Builds a timeline from its parts (as read from a file). */
  static from(parts: TimelineParts): Timeline {
    const timeline = new Timeline({ capacity: parts.capacity });
    timeline.#start = parts.start;
    timeline.#end = parts.end;
    timeline.#skeletons = parts.skeletons;
    timeline.#spacing = parts.spacing;
    let size64 = 0, size32 = 0;
    for (const { packed } of parts.entries) size64 += packed.f64.length, size32 += packed.f32.length;
    timeline.#arena = new Arena(size64, size32);
    for (const { epoch, packed } of parts.entries) {
      const slot = { epoch, skeleton: packed.skeleton, o64: 0, n64: 0, o32: 0, n32: 0 };
      timeline.#arena.put(slot, packed.f64, packed.f32);
      timeline.#grid.push(slot);
    }
    timeline.#first = parts.entries[0]?.epoch;
    return timeline;
  }

  /** The run's start event, once recorded. */
  get start(): StartEvent | undefined {
    return this.#start;
  }

  /** How training ended, once it has. */
  get end(): EndEvent | undefined {
    return this.#end;
  }

  /** Epochs between kept snapshots now (a power of two; the latest may be closer to the one before it). */
  get spacing(): number {
    return this.#spacing;
  }

  /** The shared skeletons of the packed snapshots. */
  get skeletons(): PackedSkeletons {
    return this.#skeletons;
  }

  /** Number of snapshots kept (at most `capacity`). */
  get length(): number {
    return this.#grid.length + (this.#tail ? 1 : 0);
  }

  /**
   * Records a trainer event: a start event begins a new timeline (a restart forgets the old one), except that
   * the start of a resumed run (`resumedFrom`) keeps the snapshots up to that epoch; an epoch is kept or thinned,
   * an end is remembered; other events are ignored.
   */
  record(event: TrainEvent): void {
    switch (event.type) {
      case "start":
        if (event.resumedFrom !== undefined && this.#start !== undefined) return this.#resume(event);
        this.#start = event;
        this.#end = undefined;
        this.#skeletons = new PackedSkeletons();
        this.#arena = new Arena(0, 0);
        this.#grid = [];
        this.#spacing = 1;
        this.#first = undefined;
        this.#tail = undefined;
        this.#carried = {};
        this.#lastLayers = undefined;
        this.#latest = undefined;
        this.#lastPack = undefined;
        this.#topNumberCache = new Map();
        return;
      case "epoch":
        return this.#push(event);
      case "end":
        this.#end = event;
        return;
    }
  }

  /** A run resumed after epoch `resumedFrom`: its snapshots up to that epoch stay, later ones and the end go. */
  #resume(event: StartEvent): void {
    const last = event.resumedFrom ?? 0;
    this.#start = event;
    this.#end = undefined;
    this.#grid = this.#grid.filter((slot) => slot.epoch <= last);
    if (this.#tail !== undefined && (this.#tail.epoch > last || this.#tail.slot === undefined)) {
      this.#tail = undefined;
    }
    if (this.#grid.length === 0 && this.#tail === undefined) this.#first = undefined;
    this.#carried = {};
    this.#lastLayers = undefined;
    this.#latest = undefined;
    this.#lastPack = undefined;
  }

  #push(event: EpochEvent): void {
    // The fields some epochs leave out keep their latest value. They come with fresh layer statistics (the
    // trainer sends the boundary and the pictures only then, and reuses the layers array in between), so the
    // event's fields are walked only when its layers are new: an epoch without them costs a comparison.
    if (event.layers !== this.#lastLayers) {
      this.#lastLayers = event.layers;
      this.#carry(event);
    }
    this.#latest = event;
    const epoch = event.epoch;
    if (this.#first === undefined) this.#first = epoch;
    if ((epoch - this.#first) % this.#spacing === 0) {
      this.#grid.push(this.#pack(epoch));
      this.#tail = undefined;
    } else if (this.#tail === undefined) {
      this.#tail = { epoch };
    } else {
      this.#tail.epoch = epoch;
      this.#tail.slot = undefined;
    }
    while (this.length > this.capacity) this.#thin();
  }

  /** Copies the event's defined fields over the carried ones. */
  #carry(event: EpochEvent): void {
    const carried = this.#carried;
    for (const key in event) {
      const value = (event as unknown as Record<string, unknown>)[key];
      if (value !== undefined) carried[key] = value;
    }
  }

  /** Packs the latest epoch (with the carried fields) into the arena. */
  #pack(epoch: number): Slot {
    this.#carry(this.#latest!);
    const carried = this.#carried;
    const reused = this.#reuse(carried, epoch);
    if (reused) return reused;
    const skeleton = packScratch(carried, this.#skeletons);
    const f64 = packer.f64.subarray(0, packer.n64), f32 = packer.f32.subarray(0, packer.n32);
    if (!this.#arena.fits(f64.length, f32.length)) this.#compact(f64.length, f32.length);
    const slot = { epoch, skeleton, o64: 0, n64: 0, o32: 0, n32: 0 };
    this.#arena.put(slot, f64, f32);
    const keys = Object.keys(carried);
    this.#lastPack = { keys, values: keys.map((key) => carried[key]), slot };
    return slot;
  }

  /**
   * Packs a snapshot whose fields other than plain numbers are the very objects of the last packed one (the
   * statistics did not change in between, as on fast runs): its Float32 part is shared with that snapshot, and its
   * Float64 part is that one's with the top-level numbers (epoch, losses, …) of this epoch. Undefined otherwise.
   */
  #reuse(carried: Record<string, unknown>, epoch: number): Slot | undefined {
    const last = this.#lastPack;
    if (last === undefined) return undefined;
    const keys = Object.keys(carried);
    if (keys.length !== last.keys.length) return undefined;
    for (let i = 0; i < keys.length; i++) {
      const value = carried[keys[i]];
      if (keys[i] !== last.keys[i]) return undefined;
      if (typeof value === "number" ? typeof last.values[i] !== "number" : value !== last.values[i]) {
        return undefined;
      }
    }
    const positions = this.#topNumbers(last.slot.skeleton);
    if (positions === undefined) return undefined;
    if (!this.#arena.fits(last.slot.n64, 0)) this.#compact(last.slot.n64, 0);
    const arena = this.#arena, from = this.#lastPack!.slot; // compaction moved it: read the slot again
    const slot = {
      epoch,
      skeleton: from.skeleton,
      o64: arena.n64,
      n64: from.n64,
      o32: from.o32,
      n32: from.n32,
    };
    arena.f64.copyWithin(slot.o64, from.o64, from.o64 + from.n64);
    for (const [key, position] of positions) arena.f64[slot.o64 + position] = carried[key] as number;
    arena.n64 += from.n64;
    return slot;
  }

  /** Where each top-level number of a skeleton's values sits in their Float64 part (undefined for a wrapped one). */
  #topNumbers(skeleton: number): [string, number][] | undefined {
    let cached = this.#topNumberCache.get(skeleton);
    if (cached === undefined) {
      const root = this.#skeletons.list[skeleton];
      if (root === null || typeof root !== "object" || Array.isArray(root) || "#" in root) return undefined;
      cached = [];
      let count = 0;
      const walk = (node: Skeleton): void => {
        if (node === null || typeof node !== "object") return;
        if (Array.isArray(node)) return node.forEach(walk);
        if (node["#"] === "d") return void count++;
        if (node["#"] === "f") return;
        const fields = node["#"] === "o" ? node.v as { [key: string]: Skeleton } : node;
        for (const key of Object.keys(fields)) walk(fields[key]);
      };
      for (const key of Object.keys(root)) {
        const node = root[key];
        if (node !== null && typeof node === "object" && !Array.isArray(node) && node["#"] === "d") {
          cached.push([key, count]);
        }
        walk(node);
      }
      this.#topNumberCache.set(skeleton, cached);
    }
    return cached;
  }

  /** The snapshots' slots, oldest first (the tail's when packed). */
  #slots(): Slot[] {
    const slots = this.#grid.slice();
    if (this.#tail?.slot) slots.push(this.#tail.slot);
    return slots;
  }

  /**
   * Copies the live snapshots into new buffers with room for twice them plus `n64`, `n32` more numbers; a Float32
   * part shared by several snapshots is copied once (and the last packed one's, which the next may share, kept).
   */
  #compact(n64: number, n32: number): void {
    const slots = this.#slots();
    const last = this.#lastPack?.slot;
    if (last !== undefined && !slots.includes(last)) slots.push(last);
    let live64 = n64, live32 = n32;
    const seen32 = new Set<number>();
    for (const slot of slots) {
      live64 += slot.n64;
      if (!seen32.has(slot.o32)) seen32.add(slot.o32), live32 += slot.n32;
    }
    const old = this.#arena;
    const arena = new Arena(Math.max(64, 2 * live64), Math.max(1024, 2 * live32));
    const moved32 = new Map<number, number>();
    for (const slot of slots) {
      const o64 = slot.o64, o32 = slot.o32;
      slot.o64 = arena.n64;
      arena.f64.set(old.f64.subarray(o64, o64 + slot.n64), arena.n64);
      arena.n64 += slot.n64;
      const moved = moved32.get(o32);
      if (moved !== undefined) slot.o32 = moved;
      else {
        slot.o32 = arena.n32;
        moved32.set(o32, arena.n32);
        arena.f32.set(old.f32.subarray(o32, o32 + slot.n32), arena.n32);
        arena.n32 += slot.n32;
      }
    }
    this.#arena = arena;
  }

  /** Doubles the spacing and drops the snapshots off the new grid; the latest stays (as the tail if needed). */
  #thin(): void {
    this.#spacing *= 2;
    const first = this.#first!, spacing = this.#spacing;
    const grid = this.#grid;
    const last = grid[grid.length - 1];
    this.#grid = grid.filter((slot) => (slot.epoch - first) % spacing === 0);
    if (this.#tail === undefined && this.#grid[this.#grid.length - 1] !== last) {
      this.#tail = { epoch: last.epoch, slot: last };
    }
  }

  #slot(index: number): Slot {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Cannot read snapshot ${index}: the timeline has ${this.length}`);
    }
    if (index < this.#grid.length) return this.#grid[index];
    const tail = this.#tail!;
    if (tail.slot === undefined) tail.slot = this.#pack(tail.epoch);
    return tail.slot;
  }

  /** The epoch of snapshot `index` (0 is the first). */
  epochAt(index: number): number {
    if (index === this.#grid.length && this.#tail) return this.#tail.epoch;
    return this.#slot(index).epoch;
  }

  /** The kept epochs, oldest first. */
  epochs(): number[] {
    const epochs = this.#grid.map((slot) => slot.epoch);
    if (this.#tail) epochs.push(this.#tail.epoch);
    return epochs;
  }

  /** The epoch event of snapshot `index`, with the latest decision boundary and other fields of that time. */
  eventAt(index: number): EpochEvent {
    const slot = this.#slot(index);
    return unpackValue(this.#arena.view(slot), this.#skeletons.list) as EpochEvent;
  }

  /**
   * Every snapshot, packed, oldest first (the latest packed now if it was not yet). The arrays are views that
   * stay valid until the timeline records again.
   */
  entries(): TimelineEntry[] {
    const out: TimelineEntry[] = [];
    for (let i = 0; i < this.length; i++) this.#slot(i);
    for (const slot of this.#slots()) out.push({ epoch: slot.epoch, packed: this.#arena.view(slot) });
    return out;
  }

  /** Index of the last snapshot at or before `epoch` (0 when `epoch` is before the first; -1 when empty). */
  indexAtOrBefore(epoch: number): number {
    let low = 0, high = this.length - 1;
    if (high < 0) return -1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.epochAt(middle) <= epoch) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /**
   * Bytes the timeline takes: its two number buffers (whole, with their room to grow and the holes of dropped
   * snapshots), the shared skeletons and a fixed overhead per snapshot. The live events it refers to (the
   * latest one) belong to the trainer and are not counted.
   */
  byteSize(): number {
    return this.#skeletons.byteSize + this.#arena.f64.byteLength + this.#arena.f32.byteLength +
      SNAPSHOT_OVERHEAD * this.length;
  }
}
