// The real `deno task train --headless` in tmux: a transient progress line during long epochs, gone at the end.

import assert from "node:assert/strict";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** The progress line of epoch `epoch` of 3 (1,000 batches of one image), when the screen shows it. */
const PROGRESS = /^epoch (\d)\/3 +(\d+)\/1000 \[[=>.]+\] +[\d,]+ samples\/s( +eta \d+:\d\d)?$/m;
/** An epoch's line of the plain log. */
const EPOCH_LINE = /^epoch (\d)\/3 {2}loss /;

Deno.test("train --headless in a terminal shows a progress line during an epoch and leaves only the log", async (t) => {
  // epochs of seconds: 1,000 batches of one image through 1,024 units; 200 columns, so no log line wraps
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand([
        "configs/fashion-mnist-sample.yaml",
        "--headless",
        "--epochs",
        "3",
        "--set",
        "network.hidden=[1024]",
        "--set",
        "train.batch_size=1",
        "--out",
        `${dir}/run`,
      ]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n"), { columns: 200, rows: 30 });

  await t.step("the first epoch's progress shows before its epoch line, below the start line", async () => {
    const screen = await tmux.waitFor("the progress line of epoch 1", async () => {
      const screen = await tmux.capture();
      const match = PROGRESS.exec(screen);
      return match !== null && match[1] === "1" ? screen : undefined;
    }, { timeoutMs: 60_000 });
    const lines = screen.split("\n").filter((line) => line.trim() !== "");
    assert.equal(lines.length, 2, screen);
    assert.match(lines[0], /^training fashion-mnist-sample: 784-1024-10 /);
    assert.ok(!lines.some((line) => EPOCH_LINE.test(line)), screen);
  });

  await t.step(
    "the end leaves the log alone: start, three epochs, the summary, the saved files",
    async () => {
      assert.match(await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 120_000 }), /EXIT=0/);
      const screen = await tmux.capture();
      const lines = screen.split("\n").filter((line) => line.trim() !== "");
      assert.equal(lines.length, 6, screen);
      assert.match(lines[0], /^training fashion-mnist-sample: /);
      assert.deepEqual(lines.slice(1, 4).map((line) => EPOCH_LINE.exec(line)?.[1]), ["1", "2", "3"]);
      assert.equal(lines[4], "Finished 3 epochs");
      assert.match(lines[5], /^saved .*\/model\.json, /);
      assert.ok(!PROGRESS.test(screen) && !screen.includes("samples/s  eta"), screen);
    },
  );
});
