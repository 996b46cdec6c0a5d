// Runs a shell script in a private tmux server (a real terminal) and reads the screen back, for end-to-end tests.

import { REPO_ROOT, taskArgs } from "../cli/_run.ts";

/** Options for {@linkcode TmuxSession.start}. */
export interface TmuxStartOptions {
  /** Terminal width in cells (default 100). */
  columns?: number;
  /** Terminal height in lines (default 30). */
  rows?: number;
}

/** Options for {@linkcode TmuxSession.waitFor}. */
export interface WaitOptions {
  /** Gives up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Milliseconds between polls (default 50). */
  intervalMs?: number;
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shell words of `deno task train <args…>` exactly as the task runs it: this Deno, the task's own flags from
 * deno.json, then `args`. The script must run in the repository root.
 */
export function trainCommand(args: readonly string[]): string {
  return [Deno.execPath(), ...taskArgs("train"), ...args].map(shellQuote).join(" ");
}

/** The shell words of `deno task replay <args…>`, as {@linkcode trainCommand} gives those of `train`. */
export function replayCommand(args: readonly string[]): string {
  return [Deno.execPath(), ...taskArgs("replay"), ...args].map(shellQuote).join(" ");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One tmux server on its own socket with one pane that runs a script from the repository root. Dispose it
 * (`await using`) to kill the server and remove its temporary folder.
 */
export class TmuxSession implements AsyncDisposable {
  /** A temporary folder for the script, its output files and run folders; removed on dispose. */
  readonly dir: string;
  #socket: string;

  /** Wraps a temporary folder; use {@linkcode TmuxSession.start} to create a running session. */
  constructor(dir: string) {
    this.dir = dir;
    this.#socket = `termnet_test_${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
  }

  /**
   * Starts a detached session whose pane runs the script `script(dir)` with `sh`, where `dir` is the session's
   * temporary folder (cwd: the repository root, NO_COLOR=1).
   */
  static async start(script: (dir: string) => string, options: TmuxStartOptions = {}): Promise<TmuxSession> {
    const session = new TmuxSession(await Deno.makeTempDir({ prefix: "termnet_tmux_" }));
    const path = `${session.dir}/pane.sh`;
    await Deno.writeTextFile(
      path,
      `cd ${shellQuote(REPO_ROOT)}\nexport NO_COLOR=1\n${script(session.dir)}\n`,
    );
    try {
      await session.tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        String(options.columns ?? 100),
        "-y",
        String(options.rows ?? 30),
        `sh ${shellQuote(path)}`,
      );
    } catch (error) {
      await session[Symbol.asyncDispose]();
      throw error;
    }
    return session;
  }

  /** Runs a tmux command against this server and returns its stdout; throws when it fails. */
  async tmux(...args: string[]): Promise<string> {
    const output = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { TMUX: "" },
    }).output();
    const decoder = new TextDecoder();
    if (!output.success) {
      throw new Error(`tmux ${args.join(" ")} failed: ${decoder.decode(output.stderr).trim()}`);
    }
    return decoder.decode(output.stdout);
  }

  /** The visible screen as text, one line per row (colours stripped by tmux). */
  async capture(): Promise<string> {
    return await this.tmux("capture-pane", "-p", "-t", "0");
  }

  /** Types keys into the pane, each a tmux key name (`"Space"`, `"q"`, ...); `-l` sends them literally. */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "0", ...keys);
  }

  /** A tmux format expanded for the pane, e.g. `"#{alternate_on} #{cursor_flag}"`. */
  async display(format: string): Promise<string> {
    return (await this.tmux("display-message", "-p", "-t", "0", format)).trim();
  }

  /**
   * Polls `probe` until it returns a value other than undefined and resolves with it; on timeout, throws with
   * `what` and the last screen.
   */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    while (true) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const screen = await this.capture().catch((error) => `(no screen: ${error.message})`);
        throw new Error(`Timed out waiting for ${what}; the screen was:\n${screen}`);
      }
      await sleep(options.intervalMs ?? 50);
    }
  }

  /** Waits until the file exists with non-empty contents and resolves with them. */
  async waitForFile(path: string, options: WaitOptions = {}): Promise<string> {
    return await this.waitFor(`the file ${path}`, async () => {
      const text = await Deno.readTextFile(path).catch(() => "");
      return text.endsWith("\n") ? text : undefined;
    }, options);
  }

  /** Kills the server (and the program in its pane) and removes the temporary folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
