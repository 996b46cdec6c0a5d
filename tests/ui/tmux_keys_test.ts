// Keys answered at once (issue 8, §4): in the real `deno task train` in tmux, space, n and + show their effect
// within 100 ms on a fast run (XOR, hundreds of thousands of epochs a second) and on a slow one (epochs of
// seconds: pause and quit take effect at the next batch). These are the only timing assertions of the suite: each
// key is pressed 5 times and the median must be within 100 ms (one press may be slow when the machine is busy).

import assert from "node:assert/strict";
import { type Header, keyLatency, median, readHeader } from "./_header.ts";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** The answer every key must give within, in ms (median of the presses). */
const TARGET_MS = 100;
const PRESSES = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function startTrain(args: string[]): Promise<TmuxSession> {
  return TmuxSession.start((dir) =>
    [
      trainCommand([...args, "--out", `${dir}/run`]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n"), { columns: 120, rows: 40 });
}

async function headerWhere(tmux: TmuxSession, what: string, test: (header: Header) => boolean) {
  return await tmux.waitFor(what, async () => {
    const header = readHeader(await tmux.capture());
    return header !== undefined && test(header) ? header : undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
}

function close(value: number, expected: number): boolean {
  return Math.abs(value - expected) <= 1e-9 * expected;
}

function report(run: string, times: Record<string, number[]>): void {
  for (const [key, values] of Object.entries(times)) {
    console.log(
      `${run} ${key.padEnd(6)} median ${median(values).toFixed(0)} ms  (${
        values.map((v) => v.toFixed(0)).join(", ")
      })`,
    );
  }
}

function assertTimes(times: Record<string, number[]>): void {
  for (const [key, values] of Object.entries(times)) {
    assert.ok(
      median(values) <= TARGET_MS,
      `${key}: median ${median(values).toFixed(0)} ms of ${values.join(", ")}`,
    );
  }
}

Deno.test("keys on a fast run (XOR): space pauses, n shows one epoch, + the doubled rate, each within 100 ms", async () => {
  await using tmux = await startTrain([
    "configs/xor.yaml",
    "--epochs",
    "100000000",
    "--set",
    "train.target_loss=1e-300",
  ]);
  const first = await headerWhere(tmux, "the epoch counter", (h) => h.epoch > 0);
  await headerWhere(tmux, "the counter moving fast", (h) => h.epoch > first.epoch + 10_000);
  const times: Record<string, number[]> = { space: [], n: [], "+": [] };
  for (let i = 0; i < PRESSES; i++) {
    // space: "paused" shows and the epoch counter stops where it shows
    const pause = await keyLatency(tmux, ["Space"], (h) => h.status.startsWith("❚❚ paused"));
    times.space.push(pause.ms);
    await sleep(300);
    const still = readHeader(await tmux.capture())!;
    assert.equal(still.epoch, pause.header.epoch, "the counter moved after paused showed");

    // n: exactly one more epoch
    const step = await keyLatency(tmux, ["n"], (h) => h.epoch !== still.epoch);
    times.n.push(step.ms);
    assert.equal(step.header.epoch, still.epoch + 1);
    await sleep(300);
    assert.equal(readHeader(await tmux.capture())!.epoch, still.epoch + 1, "more than one epoch after n");

    // + while running: the doubled rate in use (confirmed by the trainer, no pending "lr a→b")
    await tmux.sendKeys("Space");
    const running = await headerWhere(tmux, "running", (h) => h.status === "▶ running");
    const doubled = running.learningRate * 2;
    const plus = await keyLatency(
      tmux,
      ["-l", "+"],
      (h) => close(h.learningRate, doubled) && h.requested === undefined,
    );
    times["+"].push(plus.ms);
    await tmux.sendKeys("-l", "-");
    await headerWhere(tmux, "the rate back", (h) => close(h.learningRate, running.learningRate));
    await sleep(200);
  }
  report("fast", times);
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`)).trim(), "EXIT=0");
  assertTimes(times);
});

Deno.test("keys on a slow run (epochs of seconds): pause at the next batch, n finishes the epoch, q at a batch", async () => {
  // The shipped 1,000-image sample with a wide layer and one sample per batch: 1,000 batches of a few ms.
  await using tmux = await startTrain([
    "configs/fashion-mnist-sample.yaml",
    "--epochs",
    "20",
    "--set",
    "network.hidden=[1024]",
    "--set",
    "train.batch_size=1",
  ]);
  await headerWhere(tmux, "training running", (h) => h.status === "▶ running");
  const times: Record<string, number[]> = { space: [], n: [], "+": [] };
  for (let i = 0; i < PRESSES; i++) {
    // space: paused between two batches, in the middle of the epoch
    const pause = await keyLatency(tmux, ["Space"], (h) => h.status.startsWith("❚❚ paused"));
    times.space.push(pause.ms);
    const where = /^❚❚ paused at batch (\d+)\/1000 of epoch (\d+)$/.exec(pause.header.status);
    assert.ok(where, pause.header.status);
    assert.equal(Number(where[2]), pause.header.epoch + 1);
    await sleep(300);
    assert.equal(readHeader(await tmux.capture())!.status, pause.header.status, "batches ran while paused");

    // + while paused: the trainer takes the new rate at once
    const doubled = pause.header.learningRate * 2;
    const plus = await keyLatency(
      tmux,
      ["-l", "+"],
      (h) => close(h.learningRate, doubled) && h.requested === undefined,
    );
    times["+"].push(plus.ms);
    await tmux.sendKeys("-l", "-");
    await headerWhere(tmux, "the rate back", (h) => close(h.learningRate, pause.header.learningRate));

    // n: training goes on at once ("stepping"), finishes this epoch and pauses between epochs
    const step = await keyLatency(
      tmux,
      ["n"],
      (h) => h.status.includes(`finishing epoch ${pause.header.epoch + 1}`),
    );
    times.n.push(step.ms);
    const stepped = await headerWhere(tmux, "the epoch finished", (h) => h.status === "❚❚ paused");
    assert.equal(stepped.epoch, pause.header.epoch + 1, "n finishes the epoch paused in, and only it");
    await tmux.sendKeys("Space");
    await headerWhere(tmux, "running", (h) => h.status === "▶ running");
    await sleep(300);
  }
  report("slow", times);

  // q while running, just after an epoch began, stops at the next batch: that epoch is not finished
  const now = readHeader(await tmux.capture())!;
  const begun = await headerWhere(tmux, "a new epoch", (h) => h.epoch > now.epoch);
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 })).trim(), "EXIT=0");
  const stopped = /Stopped by the user after epoch (\d+)/.exec(await tmux.capture());
  assert.ok(stopped);
  assert.equal(Number(stopped[1]), begun.epoch);
  assertTimes(times);
});
