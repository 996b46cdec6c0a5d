// fetchDataset: download a named dataset's files into a folder, resuming broken transfers and checking SHA-256.

import { DownloadError } from "../errors.ts";
import { datasetCacheDir, NAMED_DATASETS, type NamedDatasetName } from "./named.ts";

/** What {@linkcode fetchDataset} reports while it works, for a progress bar or a log. */
export type FetchEvent =
  /** A file's download begins (or a verified copy is found). */
  | { type: "start"; file: string; url: string; index: number; count: number }
  /** Bytes arrived: `received` of `total` (when the server said how many). */
  | { type: "progress"; file: string; received: number; total?: number }
  /** A transfer broke; the next attempt goes on from `resumeFrom` bytes. */
  | { type: "retry"; file: string; attempt: number; attempts: number; reason: string; resumeFrom: number }
  /** The file is in place under its final name, its SHA-256 checked; `reused` when it was already there. */
  | { type: "done"; file: string; path: string; bytes: number; sha256: string; reused: boolean };

/** Options for {@linkcode fetchDataset}. */
export interface FetchDatasetOptions {
  /** The folder the files go into; default the user's cache (`datasetCacheDir(name)`). */
  dir?: string;
  /** The address the file names are appended to; default the dataset's canonical one (a mirror or proxy). */
  baseUrl?: string;
  /** Accepted SHA-256 values by file name; default the dataset's published ones (tests inject their own). */
  sha256?: Readonly<Record<string, readonly string[]>>;
  /** Attempts per file before giving up; default 5. */
  attempts?: number;
  /** Wait before the first retry in milliseconds, doubled after each; default 1000. */
  retryDelayMs?: number;
  /** Give up on a transfer that sends nothing for this long, in milliseconds; default 30000. */
  idleTimeoutMs?: number;
  /** Called with each {@linkcode FetchEvent}. */
  onEvent?: (event: FetchEvent) => void;
}

/** One file {@linkcode fetchDataset} put in place. */
export interface FetchedFile {
  /** The file name. */
  file: string;
  /** Its path. */
  path: string;
  /** Its size in bytes. */
  bytes: number;
  /** Its SHA-256, lowercase hex. */
  sha256: string;
  /** Whether a verified copy was already there (nothing was downloaded). */
  reused: boolean;
}

/** A transfer that may succeed when tried again (network error, stall, 5xx, 408, 429). */
class TransientError extends Error {}

async function sha256Of(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? info.size : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function joinUrl(base: string, file: string): string {
  return (base.endsWith("/") ? base : `${base}/`) + file;
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch's TypeError says only "fetch failed"; its cause says why, after the URL the message names already
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  if (cause === undefined) return error.message;
  return cause.replace(/^error sending request for url \([^)]*\): /, "").replace(
    /^client error \(\w+\): /,
    "",
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `bytes a-b/total` → a and total, or undefined when the header is missing or malformed. */
function parseContentRange(header: string | null): { start: number; total?: number } | undefined {
  const match = header === null ? null : /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim());
  if (match === null) return undefined;
  return { start: Number(match[1]), total: match[2] === "*" ? undefined : Number(match[2]) };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * One attempt: asks for the bytes after what `part` holds (HTTP Range), appends them, fsyncs. Resolves when the
 * body is complete; throws TransientError for what a retry may fix and DownloadError for what it cannot.
 */
async function transfer(
  url: string,
  part: string,
  file: string,
  options: { idleTimeoutMs: number; onEvent?: (event: FetchEvent) => void },
): Promise<void> {
  const offset = (await sizeOf(part)) ?? 0;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), options.idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), options.idleTimeoutMs);
  };
  try {
    let response: Response;
    try {
      response = await fetch(url, {
        // identity: the .gz bytes as published, so the checksum sees them (no transparent decompression)
        headers: offset > 0 ? { range: `bytes=${offset}-`, "accept-encoding": "identity" } : {
          "accept-encoding": "identity",
        },
        signal: controller.signal,
      });
    } catch (error) {
      throw new TransientError(controller.signal.aborted ? "no answer from the server" : reasonOf(error));
    }
    if (response.status === 416 && offset > 0) {
      // nothing after `offset`: the part file is complete (or longer than the file); the checksum decides
      await response.body?.cancel();
      return;
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      const answer = `the server answered ${response.status} ${response.statusText}`.trim();
      const transient = response.status >= 500 || response.status === 408 || response.status === 429;
      if (transient) throw new TransientError(answer);
      throw new DownloadError(`Cannot download the file: ${answer}`, { file: url });
    }
    let start = 0, total: number | undefined;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get("content-range"));
      if (range === undefined || range.start !== offset) {
        // a range we did not ask for: start again from the first byte
        await response.body?.cancel();
        await Deno.remove(part).catch(() => {});
        throw new TransientError(
          `the server sent an unexpected range "${response.headers.get("content-range")}"`,
        );
      }
      start = offset;
      total = range.total;
    } else {
      const length = response.headers.get("content-length");
      total = length === null ? undefined : Number(length);
    }
    // a 200 answer is the whole file: the part file starts again
    const out = await Deno.open(part, {
      write: true,
      create: true,
      append: start > 0,
      truncate: start === 0,
    });
    let received = start;
    try {
      options.onEvent?.({ type: "progress", file, received, total });
      if (response.body !== null) {
        try {
          for await (const chunk of response.body) {
            await writeAll(out, chunk);
            received += chunk.length;
            touch();
            options.onEvent?.({ type: "progress", file, received, total });
          }
        } catch (error) {
          throw new TransientError(
            controller.signal.aborted
              ? `no data for ${options.idleTimeoutMs / 1000} s`
              : `the connection broke after ${received} bytes (${reasonOf(error)})`,
          );
        }
      }
      await out.sync();
    } finally {
      out.close();
    }
    if (total !== undefined && received < total) {
      throw new TransientError(`the connection closed after ${received} of ${total} bytes`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads one file to `path`: into `path.part` first (resumed with HTTP Range after a broken transfer,
 * retried with doubling waits), fsynced, checked against the accepted SHA-256 values, then renamed to `path`.
 * A file that fails the check is deleted, so nothing unverified ever has the final name.
 */
async function downloadFile(
  url: string,
  path: string,
  accepted: readonly string[],
  options: Required<Pick<FetchDatasetOptions, "attempts" | "retryDelayMs" | "idleTimeoutMs">> & {
    file: string;
    onEvent?: (event: FetchEvent) => void;
  },
): Promise<{ bytes: number; sha256: string }> {
  const { file, onEvent, attempts } = options;
  const part = `${path}.part`;
  for (let attempt = 1;; attempt++) {
    try {
      await transfer(url, part, file, options);
      break;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      if (attempt >= attempts) {
        const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
        throw new DownloadError(`Cannot download the file: ${error.message} (${tries})`, { file: url });
      }
      const resumeFrom = (await sizeOf(part)) ?? 0;
      onEvent?.({ type: "retry", file, attempt: attempt + 1, attempts, reason: error.message, resumeFrom });
      await sleep(options.retryDelayMs * 2 ** (attempt - 1));
    }
  }
  const sha256 = await sha256Of(part);
  if (!accepted.includes(sha256)) {
    await Deno.remove(part).catch(() => {});
    // the hashes go unquoted: the CLI cuts quoted values to 60 characters, and a hash is only useful whole
    throw new DownloadError(
      `Cannot use the download: its SHA-256 is ${sha256}, expected ${accepted.join(" or ")}`,
      {
        file: url,
      },
    );
  }
  await Deno.rename(part, path);
  return { bytes: (await sizeOf(path)) ?? 0, sha256 };
}

/**
 * Downloads a named dataset's four IDX files (`train-images-idx3-ubyte.gz`, …) from its canonical address (or
 * `baseUrl`) into `dir` (default the user's cache, where `source: fashion-mnist` looks). Each file is checked
 * against its published SHA-256; a file already there with a good checksum is kept. A broken transfer is resumed
 * with an HTTP Range request (or restarted when the server ignores ranges) up to `attempts` times, and a partial
 * or unverified download only ever exists as `<name>.part`. Failures are `DownloadError`s naming the URL.
 *
 * @example
 * ```ts ignore
 * import { fetchDataset } from "./fetch.ts";
 * const files = await fetchDataset("fashion-mnist", { onEvent: (event) => console.log(event.type) });
 * ```
 */
export async function fetchDataset(
  name: NamedDatasetName,
  options: FetchDatasetOptions = {},
): Promise<FetchedFile[]> {
  const dataset = NAMED_DATASETS[name];
  const dir = options.dir ?? datasetCacheDir(name);
  if (dir === undefined) {
    throw new DownloadError(`Cannot find the cache folder: HOME is not set (give a folder to download into)`);
  }
  const baseUrl = options.baseUrl ?? dataset.baseUrl;
  const table = options.sha256 ?? dataset.sha256;
  const settings = {
    attempts: Math.max(1, options.attempts ?? 5),
    retryDelayMs: options.retryDelayMs ?? 1000,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
  };
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new DownloadError(`Cannot create the folder: ${reasonOf(error)}`, { file: dir });
  }
  const names = Object.values(dataset.files);
  const fetched: FetchedFile[] = [];
  for (const [index, file] of names.entries()) {
    const url = joinUrl(baseUrl, file);
    const path = `${dir.replace(/[\\/]+$/, "")}/${file}`;
    const accepted = table[file] ?? [];
    if (accepted.length === 0) {
      throw new DownloadError(`Cannot check the file: no SHA-256 is known for it`, { file });
    }
    options.onEvent?.({ type: "start", file, url, index, count: names.length });
    const existing = await sizeOf(path);
    if (existing !== undefined) {
      const sha256 = await sha256Of(path);
      if (accepted.includes(sha256)) {
        options.onEvent?.({ type: "done", file, path, bytes: existing, sha256, reused: true });
        fetched.push({ file, path, bytes: existing, sha256, reused: true });
        continue;
      }
    }
    const { bytes, sha256 } = await downloadFile(url, path, accepted, {
      ...settings,
      file,
      onEvent: options.onEvent,
    });
    options.onEvent?.({ type: "done", file, path, bytes, sha256, reused: false });
    fetched.push({ file, path, bytes, sha256, reused: false });
  }
  return fetched;
}
