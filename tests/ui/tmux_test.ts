// The real `deno task train` in a real terminal (tmux): the dashboard shows, keys steer training, q restores the terminal.

import assert from "node:assert/strict";
import { loadModel } from "../../src/nn/serialize.ts";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** What the dashboard's two header lines say. */
interface Header {
  /** Epochs completed. */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  /** The marker and the status label, e.g. "▶ running", "❚❚ paused" or "▶ pausing…". */
  status: string;
  /** The learning rate in use. */
  learningRate: number;
  /** The learning rate asked for and not yet confirmed by the trainer ("lr 0.01→0.02"), if any. */
  requested?: number;
}

/** Reads the header from a screen, or undefined while the dashboard is not (fully) drawn. */
function readHeader(screen: string): Header | undefined {
  const lines = screen.split("\n");
  const first = lines.findIndex((line) => /^\s*termnet · /.test(line));
  if (first < 0) return undefined;
  const title = /termnet · \S+\s+(\S+ .+?)\s+epoch\s+(\d+)\/(\d+)/.exec(lines[first]);
  const rate = /(?:^|\s)lr ([0-9.e+-]+)(?:→([0-9.e+-]+))?/.exec(lines[first + 1] ?? "");
  if (title === null || rate === null) return undefined;
  return {
    status: title[1],
    epoch: Number(title[2]),
    epochs: Number(title[3]),
    learningRate: Number(rate[1]),
    requested: rate[2] === undefined ? undefined : Number(rate[2]),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("train dashboard in a real terminal: shows, pauses, steps, doubles the rate and quits cleanly", async (t) => {
  // Long enough that training never ends by itself during the test: the keys decide.
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand([
        "configs/spiral.yaml",
        "--epochs",
        "100000",
        "--set",
        "train.early_stop.patience=100000",
        "--out",
        `${dir}/run`,
      ]),
      "rc=$?",
      // What the program left behind: the tty mode, then the exit status; the pane stays alive to be inspected.
      `stty -a > ${shellQuote(`${dir}/stty`)} 2>&1`,
      `echo "EXIT=$rc" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n")
  );
  const header = async () => readHeader(await tmux.capture());
  const headerWhere = (what: string, test: (header: Header) => boolean) =>
    tmux.waitFor(what, async () => {
      const now = await header();
      return now !== undefined && test(now) ? now : undefined;
    });

  // Each step starts from the state the one before left, so the first failure ends the test.
  let ok = true;
  let paused!: Header;
  ok = ok && await t.step("the dashboard appears with the title and a running epoch counter", async () => {
    const first = await headerWhere("the dashboard with an epoch counter", (h) => h.epoch > 0);
    assert.equal(first.epochs, 100000);
    await headerWhere("the epoch counter to move", (h) => h.epoch > first.epoch);
    assert.match(await tmux.capture(), /space pause/);
  });

  ok = ok && await t.step("space pauses: the epoch counter stops", async () => {
    await tmux.sendKeys("Space");
    // paused at once, between two batches: "❚❚ paused at batch B/N of epoch E"
    await headerWhere("the paused status", (h) => h.status.startsWith("❚❚ paused"));
    const before = (await header())!;
    await sleep(500);
    const after = (await header())!;
    assert.equal(after.status, before.status);
    assert.match(after.status, /^❚❚ paused( at batch \d+\/25 of epoch \d+)?$/);
    assert.equal(after.epoch, before.epoch, "the epoch counter moved while paused");
    paused = after;
  });

  ok = ok && await t.step("n finishes the epoch paused in, then stays paused", async () => {
    await tmux.sendKeys("n");
    const stepped = await headerWhere(`epoch ${paused.epoch + 1}`, (h) => h.epoch !== paused.epoch);
    assert.equal(stepped.epoch, paused.epoch + 1);
    await sleep(500);
    const after = (await header())!;
    assert.equal(after.epoch, paused.epoch + 1, "more than one epoch ran after n");
    assert.equal(after.status, "❚❚ paused");
    paused = after;
  });

  ok = ok && await t.step("+ doubles the shown learning rate", async () => {
    const doubled = paused.learningRate * 2;
    const close = (value: number | undefined) =>
      value !== undefined && Math.abs(value - doubled) <= 1e-9 * doubled;
    await tmux.sendKeys("-l", "+");
    // While paused the trainer takes the new rate at once and says so: the header shows it in use, with no
    // pending "lr 0.01→0.02" left until the next epoch.
    const confirmed = await headerWhere(
      `"lr ${doubled}" while paused`,
      (h) => close(h.learningRate) && h.requested === undefined,
    );
    assert.equal(confirmed.epoch, paused.epoch, "an epoch ran while paused");
    assert.equal(confirmed.status, "❚❚ paused");
    await tmux.sendKeys("Space");
    const running = await headerWhere(
      `"lr ${doubled}" in use`,
      (h) => close(h.learningRate) && h.requested === undefined && h.epoch > paused.epoch,
    );
    assert.equal(running.status, "▶ running");
  });

  ok = ok && await t.step("q quits with exit 0, saves a valid model and restores the terminal", async () => {
    await tmux.sendKeys("q");
    const exit = await tmux.waitForFile(`${tmux.dir}/exit`);
    assert.equal(exit.trim(), "EXIT=0");
    // loadModel checks the format, the version and every shape
    const model = await loadModel(`${tmux.dir}/run/model.json`);
    assert.equal(model.layers.length, 4);
    assert.ok(Number.isFinite(model.metrics?.loss), "model.json records the final loss");
    // metrics.jsonl records the rate change from the trainer's typed event, between the epochs' lines
    const records = (await Deno.readTextFile(`${tmux.dir}/run/metrics.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line));
    const change = records.find((record) => record.type === "learning_rate_changed");
    assert.equal(change?.value, paused.learningRate * 2);
    assert.equal(change?.epoch, paused.epoch);
    assert.ok(records.every((record) => record.type === "epoch" || record.type === "learning_rate_changed"));
    // The summary is on the main screen, which is the screen shown again, with the cursor visible.
    const screen = await tmux.capture();
    assert.match(screen, /Stopped by the user after epoch \d+/);
    assert.match(screen, /model saved to .*model\.json/);
    assert.doesNotMatch(screen, /space pause/);
    assert.equal(await tmux.display("#{alternate_on} #{cursor_flag}"), "0 1");
    // Cooked mode is back: line editing and echo on.
    const stty = await Deno.readTextFile(`${tmux.dir}/stty`);
    assert.match(stty, /(^|\s)icanon(\s|$)/);
    assert.match(stty, /(^|\s)echo(\s|$)/);
  });
});
