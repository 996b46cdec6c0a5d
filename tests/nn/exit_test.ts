// Tests that programs using the library exit by themselves: the README's example and a two-thread
// Fashion-MNIST-shaped run, each spawned as a child process, with no dispose() anywhere.
//
// The only timing here is the brief's requirement itself: the child must exit within a few seconds of its
// last line of output (its worker threads stop after 0.5 s without work). A child that hangs is killed at a
// hard limit so that the test fails instead of hanging too.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Generous for a loaded machine; a child kept alive by its workers would never exit.
const EXIT_WITHIN_MILLISECONDS = 5000;
const HARD_LIMIT_MILLISECONDS = 120_000;

interface ExitTiming {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds from the last chunk of output to the exit. */
  afterLastOutput: number;
}

/** Runs `script` (relative to the repository) with `flags` and times its exit after its last output. */
async function runTimed(script: string, flags: string[]): Promise<ExitTiming> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, script],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), HARD_LIMIT_MILLISECONDS);
  let lastOutput = performance.now();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      lastOutput = performance.now();
      text += decoder.decode(chunk, { stream: true });
    }
    return text;
  };
  const [stdout, stderr] = await Promise.all([read(child.stdout), read(child.stderr)]);
  const status = await child.status;
  const exited = performance.now();
  clearTimeout(killer);
  return { code: status.code, stdout, stderr, afterLastOutput: exited - lastOutput };
}

Deno.test("the README's library example exits by itself after printing its predictions", async () => {
  const run = await runTimed("tests/fixtures/exit/readme_xor.ts", ["--allow-env=LOG_TOKENS,LOG_STREAM"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Total params: 25/);
  assert.ok(
    run.afterLastOutput < EXIT_WITHIN_MILLISECONDS,
    `exited ${run.afterLastOutput.toFixed(0)} ms after its last output`,
  );
});

Deno.test("a Fashion-MNIST-shaped network trained on two threads exits by itself without dispose()", async () => {
  const run = await runTimed("tests/fixtures/exit/fashion_two_threads.ts", [
    "--allow-env=LOG_TOKENS,LOG_STREAM",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /backend wasm-simd.*×2/);
  assert.match(run.stdout, /loss \d/);
  assert.ok(
    run.afterLastOutput < EXIT_WITHIN_MILLISECONDS,
    `exited ${run.afterLastOutput.toFixed(0)} ms after its last output`,
  );
});
