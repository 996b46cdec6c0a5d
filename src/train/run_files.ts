// Run files: model.json, config.yaml, checkpoint.bin and timeline.bin written atomically in the run folder, metrics.jsonl appended
// line by line.

import { writeFileAtomic, writeTextFileAtomic } from "../_atomic_write.ts";
import { type ModelJson, stringifyModel } from "../nn/serialize.ts";
import { CHECKPOINT_FILE } from "./checkpoint_file.ts";
import type { Timeline } from "./timeline.ts";
import { encodeTimeline, TIMELINE_FILE } from "./timeline_file.ts";

/**
 * Writes a run's files into one folder: the model, config and timeline replace their files whole (temporary file +
 * rename); metrics.jsonl is replaced at the start of a run, then grows by whole lines.
 */
export class RunFiles {
  /** The run folder. */
  readonly dir: string;
  // Metrics lines not written yet, whether the next write starts the file over, and the write in progress.
  #pending: string[] = [];
  #fresh = true;
  #lastFlush = 0;
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

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

  /** Saves the checkpoint (the bytes of `encodeCheckpoint`) as checkpoint.bin and returns its path. */
  async writeCheckpoint(bytes: Uint8Array): Promise<string> {
    await this.#ensureDir();
    await writeFileAtomic(this.path(CHECKPOINT_FILE), bytes);
    return this.path(CHECKPOINT_FILE);
  }

  /**
   * The metrics.jsonl lines of a run to resume after epoch `epoch`, as text and parsed: the lines after that
   * epoch's line (from a run that went further than its checkpoint) are left out, as are the lines of the earlier
   * run's end (`restored`). Reads only; `continueMetrics` writes them back.
   */
  async metricsUpTo(epoch: number): Promise<{ lines: string[]; records: Record<string, unknown>[] }> {
    let text = "";
    try {
      text = await Deno.readTextFile(this.path("metrics.jsonl"));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const lines: string[] = [], records: Record<string, unknown>[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let record: Record<string, unknown> = {};
      try {
        record = JSON.parse(line);
      } catch {
        break; // a line cut short by a crash ends what is kept
      }
      if (record.type === "epoch" && typeof record.epoch === "number" && record.epoch > epoch) break;
      if (record.type !== "restored") lines.push(line), records.push(record);
    }
    return { lines, records };
  }

  /** Replaces metrics.jsonl with `lines` (from `metricsUpTo`); later lines are appended (a resumed run). */
  async continueMetrics(lines: readonly string[]): Promise<void> {
    this.#pending = [...lines];
    this.#fresh = true;
    await this.flushMetrics();
  }

  /** Saves the timeline (when it has its start event) and returns its path. */
  async writeTimeline(timeline: Timeline): Promise<string | undefined> {
    if (timeline.start === undefined) return undefined;
    const bytes = encodeTimeline(timeline);
    await this.#ensureDir();
    await writeFileAtomic(this.path(TIMELINE_FILE), bytes);
    return this.path(TIMELINE_FILE);
  }

  /**
   * Records one metrics line. Lines are written in the background, appended whole to metrics.jsonl when
   * `intervalMs` has passed or many lines wait (so memory stays bounded and no caller waits for the disk);
   * `flushMetrics` writes the rest and reports a failure.
   */
  addMetrics(record: object, intervalMs = 2000): void {
    this.#pending.push(JSON.stringify(record));
    if (this.#pending.length >= MAX_PENDING_LINES || performance.now() - this.#lastFlush >= intervalMs) {
      this.#lastFlush = performance.now();
      this.#writing = this.#writing.then(() => this.#writePending()).catch((error) => {
        this.#failure ??= error;
      });
    }
  }

  /** Writes every metrics line recorded so far (and throws if an earlier background write failed). */
  async flushMetrics(): Promise<void> {
    this.#lastFlush = performance.now();
    this.#writing = this.#writing.then(() => this.#writePending());
    await this.#writing.catch((error) => {
      this.#failure ??= error;
    });
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Starts metrics.jsonl over (after a restart from the same seed): the next write replaces the file. */
  clearMetrics(): void {
    this.#pending = [];
    this.#fresh = true;
  }

  // The first write of a run replaces the file atomically; later ones append whole lines.
  async #writePending(): Promise<void> {
    const fresh = this.#fresh;
    if (this.#pending.length === 0 && !fresh) return;
    const text = this.#pending.map((line) => line + "\n").join("");
    this.#pending = [];
    this.#fresh = false;
    await this.#ensureDir();
    if (fresh) await writeTextFileAtomic(this.path("metrics.jsonl"), text);
    else await Deno.writeTextFile(this.path("metrics.jsonl"), text, { append: true });
  }
}

/** Metrics lines kept in memory at most before they are written (about 1.5 MB). */
const MAX_PENDING_LINES = 10_000;
