// Samples per second as the dashboard shows it: averaged over about the last half second of training rather than
// taken from the last epoch alone, so a tiny epoch that happened to hold a turn of the event loop (a frame drawn,
// a key read: milliseconds against microseconds of work) does not show a rate a thousand times too low.

/** Seconds of training that weigh most in the average (an exponential decay with this time constant). */
export const THROUGHPUT_WINDOW_SECONDS = 0.5;

/**
 * A time-weighted rate: each epoch's samples and seconds are added, earlier ones decayed by e^(−seconds/window),
 * so many short epochs average over the window and one long epoch gives its own rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Throughput } from "./throughput.ts";
 *
 * const meter = new Throughput();
 * for (let i = 0; i < 999; i++) meter.add(4, 1e-6); // 4 samples in a microsecond
 * const rate = meter.add(4, 3e-3); // one epoch that held a 3 ms frame
 * assert.ok(rate > 500_000 && rate < 4_000_000);
 * assert.equal(new Throughput().add(60_000, 2), 30_000);
 * ```
 */
export class Throughput {
  #samples = 0;
  #seconds = 0;

  /** Adds one epoch and returns the averaged samples per second. */
  add(samples: number, seconds: number): number {
    const keep = Math.exp(-seconds / THROUGHPUT_WINDOW_SECONDS);
    this.#samples = this.#samples * keep + samples;
    this.#seconds = this.#seconds * keep + seconds;
    return this.#samples / Math.max(this.#seconds, 1e-9);
  }

  /** Forgets every epoch (a restart). */
  reset(): void {
    this.#samples = 0;
    this.#seconds = 0;
  }
}
