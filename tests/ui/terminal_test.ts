// Terminal with a fake writer: frames are diffed, identical frames skipped, and close restores the screen once.

import assert from "node:assert/strict";
import {
  ALT_SCREEN_ENTER,
  ALT_SCREEN_LEAVE,
  CURSOR_HIDE,
  CURSOR_SHOW,
  SYNC_BEGIN,
  SYNC_END,
} from "../../src/ui/ansi.ts";
import { detectColorMode, Terminal } from "../../src/ui/terminal.ts";

/** Records every write, like ink's createStdout. */
class FakeWriter {
  writes: string[] = [];
  #decoder = new TextDecoder();
  writeSync(data: Uint8Array): number {
    this.writes.push(this.#decoder.decode(data));
    return data.length;
  }
  get text(): string {
    return this.writes.join("");
  }
}

function fakeTerminal(options: { input?: string[] } = {}) {
  const writer = new FakeWriter();
  const raw: boolean[] = [];
  const chunks = (options.input ?? []).map((s) => new TextEncoder().encode(s));
  const readable = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else if (options.input) controller.close();
    },
  });
  const terminal = new Terminal({
    writer,
    reader: { readable, setRaw: (on) => raw.push(on) },
    size: () => ({ columns: 80, rows: 24 }),
    color: "none",
    listen: false,
  });
  return { terminal, writer, raw };
}

Deno.test("Terminal.open() enters the alternate screen, hides the cursor and sets raw mode", () => {
  const { terminal, writer, raw } = fakeTerminal();
  terminal.open();
  assert.ok(writer.text.includes(ALT_SCREEN_ENTER));
  assert.ok(writer.text.includes(CURSOR_HIDE));
  assert.deepEqual(raw, [true]);
  terminal.close();
});

Deno.test("Terminal.draw() skips identical frames", () => {
  const { terminal, writer } = fakeTerminal();
  terminal.open();
  assert.equal(terminal.draw("a\nb"), true);
  const count = writer.writes.length;
  assert.equal(terminal.draw("a\nb"), false);
  assert.equal(writer.writes.length, count);
  terminal.close();
});

Deno.test("Terminal.draw() rewrites only the lines that changed", () => {
  const { terminal, writer } = fakeTerminal();
  terminal.open();
  terminal.draw("one\ntwo\nthree");
  writer.writes = [];
  terminal.draw("one\nTWO\nthree");
  assert.equal(writer.writes.length, 1);
  assert.equal(writer.text, `${SYNC_BEGIN}\x1b[2;1H\x1b[2KTWO${SYNC_END}`);
  terminal.close();
});

Deno.test("Terminal.draw() clears lines left over from a taller frame", () => {
  const { terminal, writer } = fakeTerminal();
  terminal.open();
  terminal.draw("one\ntwo\nthree");
  writer.writes = [];
  terminal.draw("one\ntwo");
  assert.equal(writer.text, `${SYNC_BEGIN}\x1b[3;1H\x1b[J${SYNC_END}`);
  terminal.close();
});

Deno.test("Terminal.invalidate() makes the next draw repaint everything", () => {
  const { terminal, writer } = fakeTerminal();
  terminal.open();
  terminal.draw("one\ntwo");
  terminal.invalidate();
  writer.writes = [];
  assert.equal(terminal.draw("one\ntwo"), true);
  assert.ok(writer.text.startsWith(`${SYNC_BEGIN}\x1b[2J`) && writer.text.endsWith(SYNC_END));
  assert.ok(writer.text.includes("one") && writer.text.includes("two"));
  terminal.close();
});

Deno.test("Terminal.close() restores the cursor, leaves the alternate screen and is idempotent", () => {
  const { terminal, writer, raw } = fakeTerminal();
  terminal.open();
  terminal.draw("frame");
  writer.writes = [];
  terminal.close();
  assert.ok(writer.text.includes(CURSOR_SHOW));
  assert.ok(writer.text.endsWith(ALT_SCREEN_LEAVE));
  assert.deepEqual(raw, [true, false]);
  const count = writer.writes.length;
  terminal.close();
  assert.equal(writer.writes.length, count);
  assert.equal(terminal.draw("after close"), false);
});

Deno.test("Terminal.print() writes a line on the main screen after close", () => {
  const { terminal, writer } = fakeTerminal();
  terminal.open();
  terminal.close();
  writer.writes = [];
  terminal.print("done\nsaved");
  assert.equal(writer.text, "done\r\nsaved\r\n");
});

Deno.test("Terminal.keys() decodes raw input into key names", async () => {
  const { terminal } = fakeTerminal({ input: [" ", "q\x1b[C"] });
  terminal.open();
  const keys: string[] = [];
  for await (const key of terminal.keys()) keys.push(key);
  assert.deepEqual(keys, ["space", "q", "right"]);
  terminal.close();
});

Deno.test("Terminal.keys() reads with read() when the reader has it, like Deno.stdin", async () => {
  const chunks = [" ", "q\x1b[C"].map((s) => new TextEncoder().encode(s));
  const read = (buffer: Uint8Array) => {
    const chunk = chunks.shift();
    if (chunk === undefined) return Promise.resolve(null);
    buffer.set(chunk);
    return Promise.resolve(chunk.length);
  };
  const terminal = new Terminal({
    writer: new FakeWriter(),
    reader: {
      get readable(): ReadableStream<Uint8Array> {
        throw new Error("The stream should not be used");
      },
      read,
    },
    size: () => ({ columns: 80, rows: 24 }),
    color: "none",
    listen: false,
  });
  terminal.open();
  const keys: string[] = [];
  for await (const key of terminal.keys()) keys.push(key);
  assert.deepEqual(keys, ["space", "q", "right"]);
  terminal.close();
});

Deno.test("detectColorMode() follows NO_COLOR, TERM and COLORTERM", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(detectColorMode(env({})), "256");
  assert.equal(detectColorMode(env({ COLORTERM: "truecolor" })), "truecolor");
  assert.equal(detectColorMode(env({ COLORTERM: "24bit" })), "truecolor");
  assert.equal(detectColorMode(env({ NO_COLOR: "1", COLORTERM: "truecolor" })), "none");
  assert.equal(detectColorMode(env({ NO_COLOR: "" })), "256");
  assert.equal(detectColorMode(env({ TERM: "dumb" })), "none");
});
