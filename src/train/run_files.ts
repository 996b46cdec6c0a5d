// Run files: a run's model.json, config.yaml, checkpoint.bin, metrics.jsonl and timeline.bin, kept together in one
// run folder.
//
// The rule (README "Where files go"): a run folder only ever holds the files of one run. A run writes into a
// fresh staging folder beside it, `.<name>.<pid>.<ms>.new`, until its first save; the save flushes every file to
// disk and then swaps the staging folder in (the earlier run folder is renamed to `.<name>.<pid>.<ms>.old`, files
// that are not run files are carried over, the staging folder takes the run folder's name, the old one is
// removed). From then on the run writes into the run folder itself. A run killed before its first save leaves the
// earlier run whole; the next run removes the leftovers (or finishes a swap that a kill interrupted).

import { basename, dirname, resolve } from "node:path";
import { syncFolder, temporaryPid, writeFileAtomic, writeTextFileAtomic } from "../_atomic_write.ts";
import { UserFileError } from "../errors.ts";
import { type ModelJson, stringifyModel } from "../nn/serialize.ts";
import { CHECKPOINT_FILE } from "./checkpoint_file.ts";
import type { Timeline } from "./timeline.ts";
import { encodeTimeline, TIMELINE_FILE } from "./timeline_file.ts";

/** The run folder cannot be used: it is a file, holds folders, cannot be written, or is the current folder. */
export class RunFolderError extends UserFileError {}

/** A save into the run folder failed (a full disk, a folder removed under the run): one line naming the folder. */
export class RunSaveError extends UserFileError {}

/** The files a run writes; anything else in a run folder is the user's and is kept. */
export const RUN_FILE_NAMES: readonly string[] = [
  "model.json",
  "config.yaml",
  "metrics.jsonl",
  TIMELINE_FILE,
  CHECKPOINT_FILE,
];

/** What a save writes: the model, the resolved config as YAML and, when it has started, the timeline. */
export interface RunSave {
  /** The model file's content. */
  model: ModelJson;
  /** The resolved config, as YAML text. */
  config: string;
  /** The dashboard's snapshots (written when they have their start event). */
  timeline?: Timeline;
  /** The state to resume from (the bytes of `encodeCheckpoint`), written as checkpoint.bin. */
  checkpoint?: Uint8Array;
}

/** Options of {@linkcode RunFiles.open}. */
export interface RunFilesOptions {
  /** The folder relative paths are shown from (the user's folder); default the working directory. */
  cwd?: string;
}

/**
 * Whether the run that made leftovers `<prefix><id>.*` is alive: every run holds an exclusive lock on its
 * `<prefix><id>.lock` file while it runs (Deno's permissions do not let a task look at other processes), so a
 * lock that can be taken belongs to a run that ended.
 */
async function alive(prefix: string, id: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(`${prefix}${id}.lock`, { read: true, write: true });
  } catch {
    return false; // no lock file: its run removed it at the end (or never started)
  }
  try {
    const taken = await file.tryLock(true);
    if (taken) await file.unlock();
    return !taken;
  } finally {
    file.close();
  }
}

/** An OS error as the end of one line: "permission denied", "read-only file system", ... */
function reason(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "not allowed by the task's permissions";
  if (error instanceof Deno.errors.AlreadyExists) return "a file of that name exists";
  if (error instanceof Deno.errors.NotADirectory) return "a part of the path is a file, not a folder";
  if (error instanceof Deno.errors.NotFound) return "a part of the path does not exist";
  const message = (error as Error)?.message ?? String(error);
  // "Read-only file system (os error 30): mkdir '/x'" -> "read-only file system"
  const text = message.replace(/\s*\(os error \d+\).*$/s, "").replace(/:\s.*$/s, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Writes a run's files so that its run folder always holds one run's complete files: see the module comment. Open
 * it with {@linkcode RunFiles.open} before training (which checks the folder can be written), save with `save`,
 * and call `close` at the end (it removes the staging folder of a run that never saved).
 */
export class RunFiles {
  /** The run folder, as the user gave it (for messages). */
  readonly dir: string;
  readonly #absolute: string;
  readonly #staging: string;
  // Where files are written now: the staging folder until the first save, then the run folder.
  #current: string;
  // Metrics lines not written yet, whether the next write starts the file over, and the chain of writes: metrics
  // writes and saves run one after the other, so a swap never moves a folder under a write.
  #pending: string[] = [];
  #fresh = true;
  #lastFlush = 0;
  #queue: Promise<void> = Promise.resolve();
  #failure: unknown;
  #closed = false;
  // The lock that tells later runs this one is alive (see `alive`), held until `close`.
  #lock: Deno.FsFile | undefined;

  /** Names the folders; use {@linkcode RunFiles.open}, which also checks and prepares them. */
  constructor(dir: string, absolute: string) {
    this.dir = dir;
    this.#absolute = absolute;
    this.#staging = `${dirname(absolute)}/.${basename(absolute)}.${Deno.pid}.${Date.now()}.new`;
    this.#current = this.#staging;
  }

  /**
   * Checks that `dir` can be a run folder and that its parent can be written, removes stale temporaries of earlier
   * runs (finishing a swap a kill interrupted) and creates the staging folder. Throws a {@linkcode RunFolderError}
   * naming the path when the folder cannot be used.
   */
  static async open(dir: string, options: RunFilesOptions = {}): Promise<RunFiles> {
    const shown = dir.replace(/(.)\/+$/, "$1");
    const cwd = options.cwd ?? Deno.cwd();
    const absolute = resolve(cwd, dir);
    const fail = (detail: string) => new RunFolderError(detail, { file: shown });
    if (dirname(absolute) === absolute) throw fail("Cannot use a file system root as the run folder");
    if (cwd === absolute || cwd.startsWith(absolute + "/")) {
      throw fail("Cannot use the current folder or one above it as the run folder");
    }
    const files = new RunFiles(shown, absolute);
    const parent = dirname(absolute);
    const info = await Deno.stat(absolute).catch(() => undefined);
    if (info !== undefined && !info.isDirectory) {
      throw fail("Cannot use it as the run folder: it is a file, not a folder");
    }
    try {
      await Deno.mkdir(parent, { recursive: true });
    } catch (error) {
      throw fail(`Cannot create the run folder's parent folder: ${reason(error)}`);
    }
    await recoverRunFolder(absolute);
    try {
      const info = await Deno.stat(absolute);
      if (!info.isDirectory) throw fail("Cannot use it as the run folder: it is a file, not a folder");
      for await (const entry of Deno.readDir(absolute)) {
        if (!entry.isFile && !entry.isSymlink) {
          throw fail(
            `Cannot use it as the run folder: it holds the folder "${entry.name}" (a run folder holds files)`,
          );
        }
      }
    } catch (error) {
      if (error instanceof RunFolderError) throw error;
      if (!(error instanceof Deno.errors.NotFound)) {
        throw fail(`Cannot read the run folder: ${reason(error)}`);
      }
    }
    const lockPath = files.#staging.replace(/\.new$/, ".lock");
    try {
      files.#lock = await Deno.open(lockPath, { write: true, createNew: true });
      await files.#lock.lock(true);
      await Deno.mkdir(files.#staging);
      // a probe: a folder that can be created may still refuse data (a full disk answers at the first write)
      await writeTextFileAtomic(`${files.#staging}/.probe`, "");
      await Deno.remove(`${files.#staging}/.probe`);
    } catch (error) {
      await Deno.remove(files.#staging, { recursive: true }).catch(() => {});
      await files.#unlock();
      throw fail(`Cannot write the run folder: ${reason(error)}`);
    }
    return files;
  }

  /** Path of a file in the run folder (where it is once saved). */
  path(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** Whether this run has saved (its files are in the run folder). */
  get saved(): boolean {
    return this.#current !== this.#staging;
  }

  /**
   * Saves the model, the config, the metrics so far and the timeline, each flushed to disk, and on the first save
   * swaps them into the run folder. Returns the model's path.
   */
  save(parts: RunSave): Promise<string> {
    const text = stringifyModel(parts.model);
    const bytes = parts.timeline?.start !== undefined ? encodeTimeline(parts.timeline) : undefined;
    const run = this.#queue.then(async () => {
      await this.#writePending();
      await syncFile(`${this.#current}/metrics.jsonl`);
      await writeTextFileAtomic(`${this.#current}/config.yaml`, parts.config);
      if (bytes !== undefined) await writeFileAtomic(`${this.#current}/${TIMELINE_FILE}`, bytes);
      if (parts.checkpoint !== undefined) {
        await writeFileAtomic(`${this.#current}/${CHECKPOINT_FILE}`, parts.checkpoint);
      } else {
        // no epoch ended yet (e.g. after a restart): an earlier checkpoint would not belong to this model
        await Deno.remove(`${this.#current}/${CHECKPOINT_FILE}`).catch(() => {});
      }
      await writeTextFileAtomic(`${this.#current}/model.json`, text);
      if (!this.saved) {
        await swapIn(this.#staging, this.#absolute);
        this.#current = this.#absolute;
      }
    });
    this.#queue = run.catch(() => {});
    return run.then(
      () => this.path("model.json"),
      (error) => {
        throw new RunSaveError(`Cannot save the run: ${reason(error)}`, { file: this.dir });
      },
    );
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

  /** Writes the timeline and the metrics so far into the run's folder (the run folder only once it has saved). */
  async writeTimeline(timeline: Timeline): Promise<void> {
    if (timeline.start === undefined) return;
    const bytes = encodeTimeline(timeline);
    const run = this.#queue.then(() => writeFileAtomic(`${this.#current}/${TIMELINE_FILE}`, bytes));
    this.#queue = run.catch(() => {});
    await run;
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
      this.#queue = this.#queue.then(() => this.#writePending()).catch((error) => {
        this.#failure ??= error;
      });
    }
  }

  /** Writes every metrics line recorded so far (and throws if an earlier background write failed). */
  async flushMetrics(): Promise<void> {
    this.#lastFlush = performance.now();
    const run = this.#queue.then(() => this.#writePending());
    this.#queue = run.catch(() => {});
    await run.catch((error) => {
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

  /**
   * Ends the run's writing: waits for the writes in progress and, when the run never saved, removes its staging
   * folder (the earlier run folder stays as it was).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    if (!this.saved) await Deno.remove(this.#staging, { recursive: true }).catch(() => {});
    await this.#unlock();
  }

  async #unlock(): Promise<void> {
    if (this.#lock === undefined) return;
    this.#lock.close();
    this.#lock = undefined;
    await Deno.remove(this.#staging.replace(/\.new$/, ".lock")).catch(() => {});
  }

  // The first write of a run replaces the file atomically; later ones append whole lines.
  async #writePending(): Promise<void> {
    const fresh = this.#fresh;
    if (this.#pending.length === 0 && !fresh) return;
    if (this.#closed && !this.saved) return;
    const text = this.#pending.map((line) => line + "\n").join("");
    this.#pending = [];
    this.#fresh = false;
    const path = `${this.#current}/metrics.jsonl`;
    if (fresh) await writeTextFileAtomic(path, text);
    else await Deno.writeTextFile(path, text, { append: true });
  }
}

/** Flushes a file to disk, when it exists. */
async function syncFile(path: string): Promise<void> {
  try {
    const file = await Deno.open(path, { read: true });
    try {
      await file.sync();
    } finally {
      file.close();
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The staging and old folders of run folder `absolute`: `.<name>.<pid>.<ms>.new` and `.old`, by their id. */
async function leftovers(
  absolute: string,
): Promise<Map<string, { pid: number; new?: string; old?: string; lock?: string }>> {
  const parent = dirname(absolute), name = basename(absolute);
  const found = new Map<string, { pid: number; new?: string; old?: string; lock?: string }>();
  const prefix = `.${name}.`;
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (!entry.name.startsWith(prefix)) continue;
      const match = /^(\d+)\.(\d+)\.(new|old|lock)$/.exec(entry.name.slice(prefix.length));
      if (match === null) continue;
      const id = `${match[1]}.${match[2]}`;
      const item = found.get(id) ?? { pid: Number(match[1]) };
      item[match[3] as "new" | "old" | "lock"] = `${parent}/${entry.name}`;
      found.set(id, item);
    }
  } catch {
    // an unreadable parent: nothing to recover here (opening the staging folder reports the problem)
  }
  return found;
}

/**
 * Swaps the complete folder `staging` in as `target`: the earlier target is renamed aside, its files that are not
 * run files are carried over, `staging` takes its name, and the old folder is removed. A kill in between leaves
 * names that {@linkcode recoverRunFolder} completes.
 */
async function swapIn(staging: string, target: string): Promise<void> {
  const old = staging.replace(/\.new$/, ".old");
  let moved = false;
  try {
    await Deno.rename(target, old);
    moved = true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (moved) await carryOver(old, staging);
  await Deno.rename(staging, target);
  await syncFolder(dirname(target));
  if (moved) await Deno.remove(old, { recursive: true });
}

/** Moves the user's own files (not run files, not temporaries) from the old run folder into the new one. */
async function carryOver(old: string, staging: string): Promise<void> {
  for await (const entry of Deno.readDir(old)) {
    if (RUN_FILE_NAMES.includes(entry.name) || temporaryPid(entry.name) !== undefined) continue;
    await Deno.rename(`${old}/${entry.name}`, `${staging}/${entry.name}`);
  }
}

/**
 * Cleans up after runs into `dir` that were killed: finishes a swap that was interrupted after the earlier folder
 * was renamed aside, removes the staging and old folders of runs no longer alive, and removes their temporary
 * files (`.model.json.<pid>.<ms>.tmp`) inside the run folder. Runs that are still alive are left alone.
 */
export async function recoverRunFolder(dir: string): Promise<void> {
  const absolute = resolve(dir);
  const prefix = `${dirname(absolute)}/.${basename(absolute)}.`;
  const running = new Set<number>();
  for (const [id, item] of await leftovers(absolute)) {
    if (await alive(prefix, id)) {
      running.add(item.pid);
      continue;
    }
    if (item.new !== undefined && item.old !== undefined) {
      // the kill came after the earlier folder was renamed aside: the staging folder was complete
      const present = await Deno.stat(absolute).then(() => true, () => false);
      if (!present) {
        await carryOver(item.old, item.new);
        await Deno.rename(item.new, absolute);
      }
    }
    for (const path of [item.new, item.old, item.lock]) {
      if (path !== undefined) await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
  try {
    for await (const entry of Deno.readDir(absolute)) {
      const pid = temporaryPid(entry.name);
      // a temporary file of a run that is alive belongs to a save in progress
      if (pid !== undefined && entry.isFile && !running.has(pid) && pid !== Deno.pid) {
        await Deno.remove(`${absolute}/${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // no run folder yet
  }
}

/** Metrics lines kept in memory at most before they are written (about 1.5 MB). */
const MAX_PENDING_LINES = 10_000;
