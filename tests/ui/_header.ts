// Reads the dashboard's header from a tmux screen, and times how long a key takes to change the screen.

import type { TmuxSession } from "./_tmux.ts";

/** What the dashboard's two header lines say. */
export interface Header {
  /** Epochs completed. */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  /** The marker and the status label, e.g. "▶ running", "❚❚ paused at batch 3/1000 of epoch 2", "■ done". */
  status: string;
  /** The learning rate in use. */
  learningRate: number;
  /** The learning rate asked for and not yet confirmed by the trainer ("lr 0.01→0.02"), if any. */
  requested?: number;
  /** The pace cap in epochs per second ("pace 20/s"), if one is set. */
  pace?: number;
}

/** Reads the header from a screen, or undefined while the dashboard is not (fully) drawn. */
export function readHeader(screen: string): Header | undefined {
  const lines = screen.split("\n");
  const first = lines.findIndex((line) => /^\s*termnet · /.test(line));
  if (first < 0) return undefined;
  const title = /termnet · \S+\s+(\S+ .+?)\s+epoch\s+(\d+)\/(\d+)/.exec(lines[first]);
  const rate = /(?:^|\s)lr ([0-9.e+-]+)(?:→([0-9.e+-]+))?/.exec(lines[first + 1] ?? "");
  if (title === null || rate === null) return undefined;
  const pace = /(?:^|\s)pace ([0-9.e+-]+)\/s/.exec(lines[first + 1] ?? "");
  return {
    status: title[1],
    epoch: Number(title[2]),
    epochs: Number(title[3]),
    learningRate: Number(rate[1]),
    requested: rate[2] === undefined ? undefined : Number(rate[2]),
    pace: pace === null ? undefined : Number(pace[1]),
  };
}

/** How long a key took to show on screen, in ms (see {@linkcode keyLatency}). */
export interface Latency {
  /** From just before `send-keys` to the middle of the first capture that showed the change. */
  ms: number;
  /** The header of that capture. */
  header: Header;
}

/**
 * Types `key` (tmux key names, e.g. `["Space"]` or `["-l", "+"]`) and polls the screen every `intervalMs` until
 * `changed(header)` holds. A capture is a tmux process of its own (10–30 ms on a loaded machine): the screen it
 * returns was read somewhere between its start and its end, so the time counted is up to the middle of the first
 * capture that shows the change.
 */
export async function keyLatency(
  tmux: TmuxSession,
  key: string[],
  changed: (header: Header) => boolean,
  intervalMs = 10,
): Promise<Latency> {
  const sent = performance.now();
  await tmux.sendKeys(...key);
  while (true) {
    const started = performance.now();
    const screen = await tmux.capture();
    const ended = performance.now();
    const header = readHeader(screen);
    if (header !== undefined && changed(header)) return { ms: (started + ended) / 2 - sent, header };
    if (ended - sent > 20_000) {
      throw new Error(`Key ${key.join(" ")} showed nothing in 20 s; the screen:\n${screen}`);
    }
    const wait = intervalMs - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
