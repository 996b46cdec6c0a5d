// Runs the CLI as a child process with the exact permission flags of its deno.json task, for end-to-end tests.

import { TASKS } from "../_tasks.ts";
import { fileURLToPath } from "node:url";

/** The repository root: the working directory of every child, so `configs/xor.yaml` resolves as in a shell. */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** The CLI's commands, each with a task of the same name in deno.json. */
export type Command =
  | "train"
  | "evaluate"
  | "predict"
  | "validate"
  | "gradcheck"
  | "inspect"
  | "explain"
  | "replay"
  | "fetch"
  | "export";

// deno.json holds each task as `deno run <flags> src/cli.ts <command>`; the tests read the flags from there, so a
// permission change is one edit (in deno.json) and the tests can never run with more than the task grants.

/** The `deno run` arguments of a command's task, e.g. `["run", "--no-prompt", …, "src/cli.ts", "train"]`. */
export function taskArgs(command: Command): string[] {
  const words = (TASKS[command] ?? "").trim().split(/\s+/);
  const cli = words.indexOf("src/cli.ts");
  if (words[0] !== "deno" || words[1] !== "run" || cli < 0 || words[cli + 1] !== command) {
    throw new Error(`Cannot read the "${command}" task of deno.json: got "${TASKS[command]}"`);
  }
  return words.slice(1, cli + 2);
}

/** What a finished child printed and how it exited. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr, without Deno's own `Download …` lines on a cold cache. */
  stderr: string;
}

/** Options for {@linkcode runCli} and {@linkcode spawnCli}. */
export interface RunCliOptions {
  /** Text written to the child's stdin, which is then closed; without it stdin is empty. */
  stdin?: string;
  /** The word passed to src/cli.ts instead of the task's own command, to test unknown commands. */
  command?: string;
  /** Kills the child after this many milliseconds, so a hang fails the test instead of stalling it. */
  killAfterMs?: number;
  /** Extra environment variables (e.g. HOME and XDG_CACHE_HOME for the dataset cache), over the inherited ones. */
  env?: Record<string, string>;
}

function command(name: Command, args: readonly string[], options: RunCliOptions): Deno.Command {
  const task = taskArgs(name);
  if (options.command !== undefined) task[task.length - 1] = options.command;
  return new Deno.Command(Deno.execPath(), {
    args: [...task, ...args],
    cwd: REPO_ROOT,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped", // not a terminal: the plain printer, never the dashboard
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_DIR: denoDir(), ...options.env },
  });
}

/**
 * This Deno's cache folder (`deno info --json`), passed to every child as DENO_DIR: a test that moves HOME or
 * XDG_CACHE_HOME (for the dataset cache) would otherwise move Deno's default cache too, and the child would fetch
 * every package of deno.lock again (ONNX Runtime alone is 113 MB), which fails offline.
 */
function denoDir(): string {
  // asked on first use, not at import: the tmux helpers and bench:dashboard import this module without the
  // permission to run deno
  cachedDenoDir ??= JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped", stderr: "null" })
        .outputSync()
        .stdout,
    ),
  ).denoDir as string;
  return cachedDenoDir;
}
let cachedDenoDir: string | undefined;

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Strips what Deno itself prints the first time it fetches a dependency: `Download …` lines, and the box that
 * says it ignored the install script of an npm package (onnxruntime-node's, which the export tests use).
 */
function withoutDenoNoise(stderr: string): string {
  return stderr.replace(/^(Download|Initialize) .*\n/gm, "").replace(/^╭ Warning\n(│.*\n)*╰─.*\n/gm, "");
}

/**
 * Runs `deno task <name> <args…>` as the task would (same flags, cwd the repo root, stdout piped) and waits for
 * it to exit.
 */
export async function runCli(
  name: Command,
  args: readonly string[],
  options: RunCliOptions = {},
): Promise<CliResult> {
  const child = command(name, args, options).spawn();
  const timer = options.killAfterMs === undefined
    ? undefined
    : setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output().finally(() => clearTimeout(timer));
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: withoutDenoNoise(decode(output.stderr)),
  };
}

/** Starts the CLI without waiting, for tests that signal it; stdin is closed, stdout and stderr piped. */
export function spawnCli(name: Command, args: readonly string[]): Deno.ChildProcess {
  return command(name, args, {}).spawn();
}

/** Reads a child's stream as text lines, calling `onLine` for each complete line; resolves with all the text. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<string> {
  let all = "", pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    all += chunk;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (pending !== "") onLine(pending);
  return all;
}

/** One file of a folder snapshot. */
export interface FileState {
  /** Modification time in milliseconds. */
  mtime: number;
  /** The contents. */
  bytes: Uint8Array;
}

/** Every file under `dir` (recursively, by relative path) with its mtime and contents, to compare before and after. */
export async function snapshotDir(dir: string): Promise<Map<string, FileState>> {
  const files = new Map<string, FileState>();
  async function walk(sub: string): Promise<void> {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const path = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory) {
        await walk(path);
      } else {
        const info = await Deno.stat(`${dir}/${path}`);
        files.set(path, { mtime: info.mtime?.getTime() ?? 0, bytes: await Deno.readFile(`${dir}/${path}`) });
      }
    }
  }
  await walk("");
  return files;
}

/** A fresh temporary folder, removed again when the returned handle is disposed (`await using`). */
export async function tempDir(prefix = "termnet_cli_"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** The numbers of the `predictions:` block of a train run: `[inputs, output, target]` per line. */
export function parsePredictions(
  stdout: string,
): { inputs: number[]; outputs: number[]; target: number[] }[] {
  const lines = stdout.split("\n");
  const start = lines.indexOf("predictions:");
  if (start < 0) throw new Error(`No "predictions:" block in the output:\n${stdout}`);
  const out = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s+\[([^\]]*)\] → (.*?)\s+\(target ([^)]*)\)$/.exec(line);
    if (match === null) break;
    const numbers = (text: string) => text.split(",").map((part) => Number(part.trim()));
    out.push({ inputs: numbers(match[1]), outputs: numbers(match[2]), target: numbers(match[3]) });
  }
  return out;
}

/** The JSON records of a run folder's metrics.jsonl, one per line. */
export async function readMetrics(dir: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  if (!text.endsWith("\n")) throw new Error(`metrics.jsonl does not end with a newline`);
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}
