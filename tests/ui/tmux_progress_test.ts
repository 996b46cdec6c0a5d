// The real `deno task train` in tmux: a long first epoch shows the batch it has reached, moving, before it ends.

import assert from "node:assert/strict";
import { readHeader } from "./_header.ts";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

/** The batch counter of the header's second line and of the loss panel, while no epoch is done. */
function firstEpochProgress(screen: string): { header: number; panel: number } | undefined {
  const header = readHeader(screen);
  const line2 = screen.split("\n").find((line) => /^ (epoch 1 )?batch +\d+\/1000 [▰▱]{8} · /.test(line));
  const panel = /epoch 1: batch (\d+) of 1000…/.exec(screen);
  if (header === undefined || header.epoch !== 0 || line2 === undefined || panel === null) return undefined;
  return { header: Number(/batch +(\d+)/.exec(line2)![1]), panel: Number(panel[1]) };
}

Deno.test("train in a terminal shows the batch counter of a long first epoch before it ends", async () => {
  // a first epoch of seconds: 1,000 batches of one image through 2,048 units
  await using tmux = await TmuxSession.start((dir) =>
    [
      trainCommand([
        "configs/fashion-mnist-sample.yaml",
        "--set",
        "network.hidden=[2048]",
        "--set",
        "train.batch_size=1",
        "--out",
        `${dir}/run`,
      ]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n")
  );
  const first = await tmux.waitFor(
    "the batch counter",
    async () => firstEpochProgress(await tmux.capture()),
    { timeoutMs: 30_000 },
  );
  assert.ok(first.header > 0 && first.header < 1000);
  // it moves while the epoch runs (polled: no timing assumed beyond the epoch being longer than two reports)
  const later = await tmux.waitFor("the counter moving", async () => {
    const now = firstEpochProgress(await tmux.capture());
    return now !== undefined && now.header > first.header ? now : undefined;
  }, { timeoutMs: 30_000 });
  assert.ok(later.panel >= first.panel);
  await tmux.sendKeys("q");
  assert.match(await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 }), /EXIT=0/);
  // quit before the first epoch ended: the summary, then one line about the files (not also "model not saved")
  const screen = await tmux.capture();
  assert.match(screen, /^Stopped by the user before the first epoch ended|^ {2}Stopped by the user before/m);
  assert.deepEqual(screen.split("\n").filter((line) => /saved/.test(line)), [
    "nothing saved: no epoch was completed",
  ]);
});
