// The real `deno task train` in tmux: the dashboard stays open after the end (q exits 0, ctrl-c 130, r trains
// again), --exit-on-end closes at once, and --pace caps the epochs per second (< > = change it).

import assert from "node:assert/strict";
import { type Header, readHeader } from "./_header.ts";
import { shellQuote, TmuxSession, trainCommand } from "./_tmux.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A pane running `train <args>` into `<dir>/run`, leaving the exit status in `<dir>/exit`. */
function startTrain(args: string[]): Promise<TmuxSession> {
  return TmuxSession.start((dir) =>
    [
      trainCommand([...args, "--out", `${dir}/run`]),
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n")
  );
}

async function headerWhere(tmux: TmuxSession, what: string, test: (header: Header) => boolean) {
  return await tmux.waitFor(what, async () => {
    const header = readHeader(await tmux.capture());
    return header !== undefined && test(header) ? header : undefined;
  }, { timeoutMs: 30_000 });
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

for (const { key, code } of [{ key: "q", code: 0 }, { key: "C-c", code: 130 }]) {
  Deno.test(`train in a terminal stays open after the end until ${key} (exit ${code})`, async (t) => {
    await using tmux = await startTrain(["configs/xor.yaml"]);
    const model = `${tmux.dir}/run/model.json`;
    await t.step("the final frame stays with the end state and the hint line, the model saved", async () => {
      const end = await headerWhere(
        tmux,
        "the end",
        (h) => h.status.startsWith("■") && !h.status.includes("saving"),
      );
      assert.equal(end.status, "■ reached target loss");
      await sleep(1000);
      const screen = await tmux.capture();
      assert.match(screen, /\[ \] rewind · p play back · r restart · q quit/);
      assert.equal(readHeader(screen)?.epoch, end.epoch);
      assert.equal(await exists(`${tmux.dir}/exit`), false, "the program is still running");
      assert.ok(await exists(model), "model.json is saved before waiting");
      assert.ok(await exists(`${tmux.dir}/run/metrics.jsonl`));
    });
    if (key === "q") {
      await t.step("r trains again from the same seed and saves again", async () => {
        const before = (await Deno.stat(model)).mtime!.getTime();
        await tmux.sendKeys("r");
        await tmux.waitFor("model.json saved again", async () => {
          const after = (await Deno.stat(model)).mtime!.getTime();
          return after > before ? after : undefined;
        }, { timeoutMs: 30_000 });
        const end = await headerWhere(
          tmux,
          "the end again",
          (h) => h.status.startsWith("■") && !h.status.includes("saving"),
        );
        assert.equal(end.status, "■ reached target loss");
        assert.equal(await exists(`${tmux.dir}/exit`), false);
      });
    }
    await t.step(`${key} leaves with exit ${code} and the summary on the main screen`, async () => {
      await tmux.sendKeys(key);
      const exit = await tmux.waitForFile(`${tmux.dir}/exit`);
      assert.equal(exit.trim(), `EXIT=${code}`);
      const screen = await tmux.capture();
      assert.match(screen, /Reached the target loss 0\.001 at epoch \d+/);
      assert.match(screen, /model saved to .*model\.json/);
      assert.equal(await tmux.display("#{alternate_on} #{cursor_flag}"), "0 1");
    });
  });
}

Deno.test("train: SIGTERM stops the run as ctrl-c does, saved, the terminal restored, exit 143", async () => {
  // the pid of the CLI itself: the inner shell writes its own and execs the command
  await using tmux = await TmuxSession.start((dir) =>
    [
      `sh -c 'echo $$ > ${dir}/pid; exec ${
        trainCommand(["configs/fashion-mnist-sample.yaml", "--epochs", "100000", "--out", `${dir}/run`])
          .replaceAll("'", `'"'"'`)
      }'`,
      `echo "EXIT=$?" > ${shellQuote(`${dir}/exit`)}`,
      "exec sleep 600",
    ].join("\n")
  );
  await headerWhere(tmux, "training", (h) => h.status.startsWith("▶") && h.epoch > 0);
  const pid = Number(await tmux.waitForFile(`${tmux.dir}/pid`));
  Deno.kill(pid, "SIGTERM");
  const exit = await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 });
  assert.equal(exit.trim(), "EXIT=143");
  assert.match(await tmux.capture(), /model saved to .*model\.json/);
  assert.ok(await exists(`${tmux.dir}/run/model.json`));
  // the main screen, the cursor shown, and the shell reads lines again (raw mode off)
  assert.equal(await tmux.display("#{alternate_on} #{cursor_flag}"), "0 1");
});

Deno.test("train: s before the first epoch ends saves nothing and says so", async () => {
  // a first epoch of seconds: 1,000 batches of one image through 2,048 units
  await using tmux = await startTrain([
    "configs/fashion-mnist-sample.yaml",
    "--set",
    "network.hidden=[2048]",
    "--set",
    "train.batch_size=1",
  ]);
  // training started (before the start event keys wait) and no epoch is done yet
  await tmux.waitFor("the first epoch running", async () => {
    const screen = await tmux.capture();
    // before the first progress report, then with the batch reached
    return (screen.includes("▶ running") &&
      /waiting for the first epoch|epoch 1: batch \d+ of 1000/.test(screen)) ||
      undefined;
  });
  await tmux.sendKeys("s");
  await tmux.waitFor(
    "the answer",
    async () => (await tmux.capture()).includes("Nothing to save yet") || undefined,
  );
  assert.match(await tmux.capture(), /waiting for the first epoch|epoch 1: batch \d+ of 1000/);
  assert.equal(await exists(`${tmux.dir}/run/model.json`), false);
});

Deno.test("train --exit-on-end closes the dashboard when training ends", async () => {
  await using tmux = await startTrain(["configs/xor.yaml", "--exit-on-end"]);
  const exit = await tmux.waitForFile(`${tmux.dir}/exit`, { timeoutMs: 30_000 });
  assert.equal(exit.trim(), "EXIT=0");
  const screen = await tmux.capture();
  assert.match(screen, /model saved to .*model\.json/);
  // as without the dashboard: each of XOR's inputs with the trained network's output
  assert.match(screen, /^predictions:\n {2}\[0, 0\] → 0\.0\d+ {3}\(target 0\)\n {2}\[0, 1\] → 0\.9\d+ /m);
});

Deno.test("train --pace 20 runs 60 ± 20 epochs in 3 s; < > halve and double it, = removes it", async () => {
  await using tmux = await startTrain([
    "configs/xor.yaml",
    "--epochs",
    "100000000",
    "--set",
    "train.target_loss=1e-300",
    "--pace",
    "20",
  ]);
  const first = await headerWhere(tmux, "the pace in the header", (h) => h.epoch > 0 && h.pace === 20);
  assert.equal(first.status, "▶ running");
  const from = readHeader(await tmux.capture())!;
  const started = performance.now();
  await sleep(3000);
  const to = readHeader(await tmux.capture())!;
  const seconds = (performance.now() - started) / 1000;
  const epochs = to.epoch - from.epoch;
  console.log(`--pace 20: ${epochs} epochs in ${seconds.toFixed(2)} s`);
  assert.ok(Math.abs(epochs - 60) <= 20, `${epochs} epochs in ${seconds.toFixed(2)} s`);

  await tmux.sendKeys("-l", "<");
  await headerWhere(tmux, "pace 10", (h) => h.pace === 10);
  await tmux.sendKeys("-l", ">>");
  await headerWhere(tmux, "pace 40", (h) => h.pace === 40);
  await tmux.sendKeys("-l", "=");
  const free = await headerWhere(tmux, "no pace", (h) => h.pace === undefined);
  // without the cap XOR runs thousands of epochs a second
  await headerWhere(tmux, "the uncapped speed", (h) => h.epoch > free.epoch + 2000);
  await tmux.sendKeys("q");
  assert.equal((await tmux.waitForFile(`${tmux.dir}/exit`)).trim(), "EXIT=0");
});
