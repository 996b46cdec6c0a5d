// The run's timeline: snapshots of what the dashboard panels show, thinned to at most 400, packed in typed arrays.

import type { EndEvent, EpochEvent, StartEvent, TimelineReader, TrainEvent } from "./events.ts";

/** Snapshots a timeline keeps at most, whatever the length of the run (the first and latest epoch included). */
export const TIMELINE_CAPACITY = 400;

/**
 * The memory bound of a timeline for the Fashion-MNIST config (784-256-128-10): 32 MiB. With every field the
 * trainer sends today a snapshot of that network packs into about 23 KB (the 128×10 output layer keeps its
 * weights, the wide layers their statistics, plus 16 first-layer filters of 14×14, sample predictions and the
 * confusion matrix), so 400 of them take about 9 MB; tests/train/timeline_test.ts measures it on a real epoch.
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
    const key = JSON.stringify(skeleton);
    let index = this.#index.get(key);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(skeleton);
      this.#index.set(key, index);
      this.#bytes += 2 * key.length + 64;
    }
    return index;
  }

  /** Bytes the skeletons take (their JSON text in UTF-16 plus a little per entry). */
  get byteSize(): number {
    return this.#bytes;
  }
}

function isNumberArray(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value)) {
    return !(value instanceof DataView) && !(value instanceof BigInt64Array) &&
      !(value instanceof BigUint64Array);
  }
  if (!Array.isArray(value) || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "number") return false;
  return true;
}

/** Rows × columns when `value` is a non-empty array of number arrays of one non-zero length, else undefined. */
function matrixShape(value: unknown): [number, number] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first = value[0];
  if (!isNumberArray(first)) return undefined;
  for (let i = 0; i < value.length; i++) {
    if (!isNumberArray(value[i]) || value[i].length !== first.length) return undefined;
  }
  return [value.length, first.length];
}

/**
 * Packs a JSON-like value (an event) into a skeleton and two number lists. Fields that are undefined are left
 * out, as JSON would; functions and other non-data values are rejected.
 */
function packNode(value: unknown, f64: number[], f32: number[]): Skeleton {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    f64.push(value);
    return { "#": "d" };
  }
  if (isNumberArray(value)) {
    for (let i = 0; i < value.length; i++) f32.push(value[i]);
    return { "#": "f", n: value.length };
  }
  const shape = matrixShape(value);
  if (shape !== undefined) {
    for (const row of value as ArrayLike<number>[]) for (let i = 0; i < row.length; i++) f32.push(row[i]);
    return { "#": "f", r: shape[0], n: shape[1] };
  }
  if (Array.isArray(value)) return value.map((item) => packNode(item ?? null, f64, f32));
  if (typeof value === "object") {
    const out: { [key: string]: Skeleton } = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = packNode(item, f64, f32);
    }
    return "#" in out ? { "#": "o", v: out } : out;
  }
  throw new TypeError(`Cannot pack the value: expected JSON-like data, got a ${typeof value}`);
}

/** Packs `value` into typed arrays, interning its skeleton in `skeletons`. */
export function packValue(value: unknown, skeletons: PackedSkeletons): PackedValue {
  const f64: number[] = [], f32: number[] = [];
  const skeleton = packNode(value, f64, f32);
  return { skeleton: skeletons.intern(skeleton), f64: Float64Array.from(f64), f32: Float32Array.from(f32) };
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
  #grid: TimelineEntry[] = [];
  #spacing = 1;
  #first: number | undefined;
  /** The latest epoch when it is off the grid (packed on demand, `packed` undefined until then). */
  #tail: { epoch: number; packed?: PackedValue } | undefined;
  /** The latest value of every field of the epoch events so far (the latest event merged in when packed). */
  #carried: Record<string, unknown> = {};
  /** The layers of the last event whose fields were carried, and the latest event. */
  #lastLayers: unknown;
  #latest: EpochEvent | undefined;

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
    timeline.#grid = parts.entries.slice();
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
   * Records a trainer event: a start event begins a new timeline (a restart forgets the old one), an epoch is
   * kept or thinned, an end is remembered; other events are ignored.
   */
  record(event: TrainEvent): void {
    switch (event.type) {
      case "start":
        this.#start = event;
        this.#end = undefined;
        this.#skeletons = new PackedSkeletons();
        this.#grid = [];
        this.#spacing = 1;
        this.#first = undefined;
        this.#tail = undefined;
        this.#carried = {};
        this.#lastLayers = undefined;
        this.#latest = undefined;
        return;
      case "epoch":
        return this.#push(event);
      case "end":
        this.#end = event;
        return;
    }
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
      this.#carry(event);
      this.#grid.push({ epoch, packed: packValue(this.#carried, this.#skeletons) });
      this.#tail = undefined;
    } else if (this.#tail === undefined || this.#tail.packed !== undefined) {
      this.#tail = { epoch }; // a packed tail may have been handed out by entries(): never changed
    } else {
      this.#tail.epoch = epoch;
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

  /** Doubles the spacing and drops the snapshots off the new grid; the latest stays (as the tail if needed). */
  #thin(): void {
    this.#spacing *= 2;
    const first = this.#first!, spacing = this.#spacing;
    const grid = this.#grid;
    const last = grid[grid.length - 1];
    this.#grid = grid.filter((entry) => (entry.epoch - first) % spacing === 0);
    if (this.#tail === undefined && this.#grid[this.#grid.length - 1] !== last) this.#tail = last;
  }

  #entry(index: number): TimelineEntry {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Cannot read snapshot ${index}: the timeline has ${this.length}`);
    }
    if (index < this.#grid.length) return this.#grid[index];
    const tail = this.#tail!;
    if (tail.packed === undefined) {
      this.#carry(this.#latest!);
      tail.packed = packValue(this.#carried, this.#skeletons);
    }
    return tail as TimelineEntry;
  }

  /** The epoch of snapshot `index` (0 is the first). */
  epochAt(index: number): number {
    if (index === this.#grid.length && this.#tail) return this.#tail.epoch;
    return this.#entry(index).epoch;
  }

  /** The kept epochs, oldest first. */
  epochs(): number[] {
    const epochs = this.#grid.map((entry) => entry.epoch);
    if (this.#tail) epochs.push(this.#tail.epoch);
    return epochs;
  }

  /** The epoch event of snapshot `index`, with the latest decision boundary and other fields of that time. */
  eventAt(index: number): EpochEvent {
    return unpackValue(this.#entry(index).packed, this.#skeletons.list) as EpochEvent;
  }

  /** Every snapshot, packed, oldest first (the latest packed now if it was not yet). */
  entries(): TimelineEntry[] {
    const out: TimelineEntry[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.#entry(i));
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
   * Bytes the kept snapshots take: their typed arrays, the shared skeletons and a fixed overhead per snapshot.
   * The live events the timeline refers to (the latest one) belong to the trainer and are not counted.
   */
  byteSize(): number {
    let bytes = this.#skeletons.byteSize;
    const count = (packed: PackedValue | undefined) => {
      if (packed !== undefined) bytes += packed.f64.byteLength + packed.f32.byteLength + SNAPSHOT_OVERHEAD;
    };
    for (const entry of this.#grid) count(entry.packed);
    count(this.#tail?.packed);
    return bytes;
  }
}
