// Bounded history series over epochs: O(1) appends into shared buffers, pairs merged when full.

/** Points kept per history series; older points are merged in pairs when it fills. */
export const HISTORY_CAPACITY = 1024;

/** A series over epochs kept at bounded size: each stored value is the mean of `stride` consecutive epochs. */
export interface SampledSeries {
  /** Epochs per stored value (a power of two). */
  readonly stride: number;
  /** Stored means, oldest first. */
  readonly values: readonly number[];
  /** Epochs in the last stored value (≤ stride). */
  readonly lastCount: number;
}

/**
 * A series that appends in O(1): the stored means live in an append-only buffer shared by successive versions
 * (each version reads only its own prefix) and the last, still-growing mean is kept beside it, so a new epoch
 * costs no copy of the history. Versions stay immutable; a version appended to twice copies its prefix.
 */
class SharedSeries implements SampledSeries {
  readonly stride: number;
  readonly lastCount: number;
  /** Buffer of finished means (shared); this version owns indices [0, finished). */
  readonly buffer: number[];
  /** How many buffer entries belong to this version. */
  readonly finished: number;
  /** The last stored mean (not in the buffer). */
  readonly last: number | undefined;
  #values: readonly number[] | undefined;

  constructor(
    stride: number,
    lastCount: number,
    buffer: number[],
    finished: number,
    last: number | undefined,
  ) {
    this.stride = stride;
    this.lastCount = lastCount;
    this.buffer = buffer;
    this.finished = finished;
    this.last = last;
  }

  /** Stored means, oldest first (built once per version, when read). */
  get values(): readonly number[] {
    if (this.#values === undefined) {
      const values = this.buffer.slice(0, this.finished);
      if (this.last !== undefined) values.push(this.last);
      this.#values = values;
    }
    return this.#values;
  }
}

/** The series with no epochs yet. */
export const EMPTY_SERIES: SampledSeries = new SharedSeries(1, 0, [], 0, undefined);

function toShared(series: SampledSeries): SharedSeries {
  if (series instanceof SharedSeries) return series;
  const values = [...series.values];
  const last = values.pop();
  return new SharedSeries(series.stride, series.lastCount, values, values.length, last);
}

/**
 * A series appended to in place while one batch of epochs is folded, then frozen into a {@linkcode SharedSeries}
 * by `build()`: the versions in between are never seen, so a batch costs one new version per series, not one per
 * epoch. Appends follow exactly the rules of {@linkcode appendSample} (which is built on it).
 */
export class SeriesBuilder {
  // Plain fields, `last` always a number (`lastCount` 0 when there is none): this runs cold, per epoch.
  stride: number;
  lastCount: number;
  buffer: number[];
  finished: number;
  last: number;

  constructor(series: SampledSeries) {
    const current = toShared(series);
    this.stride = current.stride;
    this.buffer = current.buffer;
    this.finished = current.finished;
    this.lastCount = current.last === undefined ? 0 : current.lastCount;
    this.last = current.last ?? 0;
  }

  /**
   * Appends `values[0..count)`, one epoch each, oldest first: each goes into the last mean while it holds fewer
   * than `stride` epochs, else starts a new mean; a full series merges its means in pairs. The loop works on
   * locals and calls nothing but the rare merge, since it runs thousands of times before V8 optimizes it.
   */
  pushAll(values: Float64Array, count: number): void {
    let stride = this.stride, lastCount = this.lastCount, buffer = this.buffer;
    let finished = this.finished, last = this.last;
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (lastCount === 0) {
        buffer = [];
        lastCount = 1;
        last = value;
      } else if (lastCount < stride) {
        last = (last * lastCount + value) / (lastCount + 1);
        lastCount++;
      } else {
        // take the buffer over when this version is its tip; otherwise another version has appended: copy
        if (buffer.length !== finished) buffer = buffer.slice(0, finished);
        buffer[finished++] = last;
        lastCount = 1;
        last = value;
      }
      if (lastCount === stride && finished + 1 >= HISTORY_CAPACITY) {
        this.stride = stride, this.lastCount = lastCount, this.buffer = buffer;
        this.finished = finished, this.last = last;
        this.merge();
        stride = this.stride, lastCount = this.lastCount, buffer = this.buffer;
        finished = this.finished, last = this.last;
      }
    }
    this.stride = stride, this.lastCount = lastCount, this.buffer = buffer;
    this.finished = finished, this.last = last;
  }

  /** The series as it stands, as an immutable version. */
  build(): SharedSeries {
    const last = this.lastCount === 0 ? undefined : this.last;
    return new SharedSeries(this.stride, this.lastCount, this.buffer, this.finished, last);
  }

  /** Merges neighbours in pairs (into a new buffer): the series is full and its last mean complete. */
  merge(): void {
    const values = this.buffer.slice(0, this.finished);
    values.push(this.last);
    const merged: number[] = [];
    for (let i = 0; i + 1 < values.length; i += 2) merged.push((values[i] + values[i + 1]) / 2);
    if (values.length % 2 === 1) {
      merged.push(values[values.length - 1]);
      this.lastCount = this.stride;
    } else this.lastCount = this.stride * 2;
    this.stride *= 2;
    this.last = merged.pop()!;
    this.buffer = merged;
    this.finished = merged.length;
  }
}

/**
 * Appends one epoch's value to a series, merging neighbours in pairs when it reaches
 * {@linkcode HISTORY_CAPACITY}, so memory stays bounded however long the run; an append copies nothing.
 */
export function appendSample(series: SampledSeries, value: number): SampledSeries {
  const builder = new SeriesBuilder(series);
  builder.pushAll(Float64Array.of(value), 1);
  return builder.build();
}
