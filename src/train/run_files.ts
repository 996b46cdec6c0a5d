// Run files: model.json, metrics.jsonl, config.yaml and timeline.bin in the run folder, each written atomically.

import { writeFileAtomic, writeTextFileAtomic } from "../_atomic_write.ts";
import { type ModelJson, stringifyModel } from "../nn/serialize.ts";
import type { Timeline } from "./timeline.ts";
import { encodeTimeline, TIMELINE_FILE } from "./timeline_file.ts";

/** Writes a run's files into one folder; every write replaces a file whole (temporary file + rename). */
export class RunFiles {
  /** The run folder. */
  readonly dir: string;
  #metrics: string[] = [];
  #lastFlush = 0;

  /** Prepares writing into `dir` (created on the first write). */
  constructor(dir: string) {
    this.dir = dir.replace(/\/+$/, "") || ".";
  }

  /** Path of a file in the run folder. */
  path(name: string): string {
    return `${this.dir}/${name}`;
  }

  async #ensureDir(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
  }

  /** Saves the model file. */
  async writeModel(model: ModelJson): Promise<string> {
    const text = stringifyModel(model);
    await this.#ensureDir();
    await writeTextFileAtomic(this.path("model.json"), text);
    return this.path("model.json");
  }

  /** Saves the resolved configuration. */
  async writeConfig(yaml: string): Promise<void> {
    await this.#ensureDir();
    await writeTextFileAtomic(this.path("config.yaml"), yaml);
  }

  /** Saves the timeline (when it has its start event) and returns its path. */
  async writeTimeline(timeline: Timeline): Promise<string | undefined> {
    if (timeline.start === undefined) return undefined;
    const bytes = encodeTimeline(timeline);
    await this.#ensureDir();
    await writeFileAtomic(this.path(TIMELINE_FILE), bytes);
    return this.path(TIMELINE_FILE);
  }

  /** Records one metrics line; the file is rewritten at most every `intervalMs` (and by `flushMetrics`). */
  async addMetrics(record: object, intervalMs = 2000): Promise<void> {
    this.#metrics.push(JSON.stringify(record));
    if (performance.now() - this.#lastFlush >= intervalMs) await this.flushMetrics();
  }

  /** Rewrites metrics.jsonl with every line recorded so far. */
  async flushMetrics(): Promise<void> {
    this.#lastFlush = performance.now();
    await this.#ensureDir();
    await writeTextFileAtomic(this.path("metrics.jsonl"), this.#metrics.map((line) => line + "\n").join(""));
  }

  /** Forgets the recorded metrics (after a restart from the same seed). */
  clearMetrics(): void {
    this.#metrics = [];
  }
}
