// The only module that writes to the terminal: alternate screen, frame drawing that skips unchanged lines, raw keys.

import {
  ALT_SCREEN_ENTER,
  ALT_SCREEN_LEAVE,
  CLEAR_LINE,
  CLEAR_SCREEN,
  CLEAR_SCREEN_END,
  type ColorMode,
  CURSOR_HIDE,
  CURSOR_HOME,
  CURSOR_SHOW,
  cursorTo,
  RESET,
  SYNC_BEGIN,
  SYNC_END,
  WRAP_OFF,
  WRAP_ON,
} from "./ansi.ts";
import { decodeKeys } from "./keys.ts";

/** Where the terminal's bytes go (Deno.stdout, or a fake that records writes in tests). */
export interface TerminalWriter {
  /** Writes some of `data` and returns how many bytes were written. */
  writeSync(data: Uint8Array): number;
}

/** Where key presses come from (Deno.stdin, or a fake stream in tests). */
export interface TerminalReader {
  /** The raw bytes typed. */
  readable: ReadableStream<Uint8Array>;
  /**
   * Reads bytes into `buffer`, resolving to the count or null at the end (Deno.stdin has it). Preferred over
   * `readable` when present: it costs one op per read, while the first use of a web stream costs about 2 ms.
   */
  read?(buffer: Uint8Array): Promise<number | null>;
  /** Switches raw mode (no echo, no line buffering, ctrl-c as a byte) on or off. */
  setRaw?(raw: boolean): void;
}

/** A terminal size in cells. */
export interface TerminalSize {
  /** Width in cells. */
  columns: number;
  /** Height in lines. */
  rows: number;
}

/** Options for {@linkcode Terminal}; every effect can be replaced for tests. */
export interface TerminalOptions {
  /** Output (default `Deno.stdout`). */
  writer?: TerminalWriter;
  /** Input for keys (default `Deno.stdin`). */
  reader?: TerminalReader;
  /** Reads an environment variable (default `Deno.env.get`, returning undefined without permission). */
  env?: (name: string) => string | undefined;
  /** Reads the terminal size (default `Deno.consoleSize()`, or 80×24 when that fails). */
  size?: () => TerminalSize;
  /** Colour mode (default: detected from the environment). */
  color?: ColorMode;
  /** Listen for SIGWINCH and restore the terminal on unload (default true). */
  listen?: boolean;
}

/** Reads an environment variable, returning undefined when it is unset or the permission is missing. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Picks the colour mode from the environment: `NO_COLOR` (non-empty) or `TERM=dumb` turn colour off,
 * `COLORTERM=truecolor` or `24bit` gives 24-bit colour, anything else the 256-colour palette.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectColorMode } from "./terminal.ts";
 * const env: Record<string, string> = { COLORTERM: "truecolor" };
 * assert.equal(detectColorMode((name) => env[name]), "truecolor");
 * ```
 */
export function detectColorMode(env: (name: string) => string | undefined): ColorMode {
  const noColor = env("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return "none";
  if (env("TERM") === "dumb") return "none";
  const colorTerm = (env("COLORTERM") ?? "").toLowerCase();
  if (colorTerm === "truecolor" || colorTerm === "24bit") return "truecolor";
  return "256";
}

function defaultSize(): TerminalSize {
  try {
    const { columns, rows } = Deno.consoleSize();
    if (columns > 0 && rows > 0) return { columns, rows };
  } catch {
    // Not a terminal: fall through to the classic size.
  }
  return { columns: 80, rows: 24 };
}

/**
 * The terminal as the dashboard uses it: `open()` enters the alternate screen, hides the cursor and turns on raw
 * mode; `draw(frame)` rewrites only the lines that changed and skips identical frames; `close()` restores
 * everything and may be called any number of times.
 */
export class Terminal {
  #writer: TerminalWriter;
  #reader: TerminalReader | undefined;
  #readSize: () => TerminalSize;
  #listen: boolean;
  #encoder = new TextEncoder();
  #previous: string[] | undefined;
  #previousFrame: string | undefined;
  #open = false;
  #closed = false;
  #raw = false;
  #streamReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #resizeCallbacks = new Set<(size: TerminalSize) => void>();
  #onSignal = () => {
    this.invalidate();
    const size = this.size();
    for (const callback of this.#resizeCallbacks) callback(size);
  };
  #onUnload = () => this.close();

  /** The colour mode frames should be rendered in. */
  readonly colorMode: ColorMode;

  /** Creates a terminal; nothing is written until {@linkcode Terminal.open}. */
  constructor(options: TerminalOptions = {}) {
    this.#writer = options.writer ?? Deno.stdout;
    this.#reader = options.reader ?? (options.writer === undefined ? Deno.stdin : undefined);
    this.#readSize = options.size ?? defaultSize;
    this.#listen = options.listen ?? true;
    this.colorMode = options.color ?? detectColorMode(options.env ?? readEnv);
  }

  /** The current size in cells. */
  size(): TerminalSize {
    return this.#readSize();
  }

  /** Enters the alternate screen, hides the cursor, turns off wrapping and switches stdin to raw mode. */
  open(): void {
    if (this.#open || this.#closed) return;
    this.#open = true;
    if (this.#reader?.setRaw) {
      try {
        this.#reader.setRaw(true);
        this.#raw = true;
      } catch {
        // Not a terminal: keys are not available, drawing still works.
      }
    }
    this.#write(ALT_SCREEN_ENTER + CURSOR_HIDE + WRAP_OFF + CURSOR_HOME + CLEAR_SCREEN);
    if (this.#listen) {
      try {
        Deno.addSignalListener("SIGWINCH", this.#onSignal);
      } catch {
        // SIGWINCH is not available on this platform.
      }
      globalThis.addEventListener("unload", this.#onUnload);
    }
  }

  /** Forgets what is on screen, so the next {@linkcode Terminal.draw} repaints everything. */
  invalidate(): void {
    this.#previous = undefined;
    this.#previousFrame = undefined;
  }

  /**
   * Draws a frame (lines joined by "\n") from the top-left corner, rewriting only lines that changed and clearing
   * lines left over from a taller frame. Returns false, writing nothing, when the frame is identical to the last.
   */
  draw(frame: string): boolean {
    if (this.#closed || frame === this.#previousFrame) return false;
    const lines = frame.split("\n");
    // Each line is cleared first, then written: with wrapping off, a line as wide as the screen leaves the cursor
    // on its last cell, where erasing after it would eat that cell.
    const line = (i: number) =>
      cursorTo(i + 1, 1) + CLEAR_LINE + lines[i] + (lines[i].includes("\x1b") ? RESET : "");
    let out = "";
    if (this.#previous === undefined) {
      out = CLEAR_SCREEN;
      for (let i = 0; i < lines.length; i++) out += line(i);
    } else {
      for (let i = 0; i < lines.length; i++) if (lines[i] !== this.#previous[i]) out += line(i);
      if (lines.length < this.#previous.length) out += cursorTo(lines.length + 1, 1) + CLEAR_SCREEN_END;
    }
    this.#previous = lines;
    this.#previousFrame = frame;
    // one write, shown at once where the terminal supports synchronized updates
    this.#write(SYNC_BEGIN + out + SYNC_END);
    return true;
  }

  /** Writes text followed by a newline (for the summary on the main screen after {@linkcode Terminal.close}). */
  print(text: string): void {
    this.#write(text.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n") + "\r\n");
  }

  /** Calls `callback` with the new size whenever the terminal is resized; returns a function that unsubscribes. */
  onResize(callback: (size: TerminalSize) => void): () => void {
    this.#resizeCallbacks.add(callback);
    return () => this.#resizeCallbacks.delete(callback);
  }

  /** Yields key names typed while the terminal is open (see `decodeKeys`); ends when input ends or on close. */
  async *keys(): AsyncGenerator<string> {
    if (!this.#reader || this.#closed) return;
    if (this.#reader.read) {
      // A read pending at close is left to finish on its own (cancelling the stream does no more).
      const buffer = new Uint8Array(256);
      try {
        while (!this.#closed) {
          const count = await this.#reader.read(buffer);
          if (count === null || this.#closed) return;
          for (const key of decodeKeys(buffer.subarray(0, count))) yield key;
        }
      } catch {
        // Input failed: no more keys.
      }
      return;
    }
    const reader = this.#reader.readable.getReader();
    this.#streamReader = reader;
    try {
      while (!this.#closed) {
        const { value, done } = await reader.read();
        if (done || this.#closed) return;
        for (const key of decodeKeys(value)) yield key;
      }
    } catch {
      // The stream was cancelled by close() or failed: no more keys.
    } finally {
      this.#streamReader = undefined;
      try {
        reader.releaseLock();
      } catch {
        // A pending read may still hold the lock; close() cancelled it.
      }
    }
  }

  /** Restores the terminal: shows the cursor, turns wrapping back on, leaves the alternate screen, cooked mode. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#streamReader?.cancel().catch(() => {});
    if (this.#listen && this.#open) {
      try {
        Deno.removeSignalListener("SIGWINCH", this.#onSignal);
      } catch {
        // Never added.
      }
      globalThis.removeEventListener("unload", this.#onUnload);
    }
    if (this.#open) this.#write(RESET + WRAP_ON + CURSOR_SHOW + ALT_SCREEN_LEAVE);
    if (this.#raw) {
      try {
        this.#reader?.setRaw?.(false);
      } catch {
        // stdin went away: nothing to restore.
      }
    }
  }

  /** Whether {@linkcode Terminal.close} has run. */
  get closed(): boolean {
    return this.#closed;
  }

  #write(text: string): void {
    if (text === "") return;
    const bytes = this.#encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      const written = this.#writer.writeSync(bytes.subarray(offset));
      if (written <= 0) break;
      offset += written;
    }
  }
}
