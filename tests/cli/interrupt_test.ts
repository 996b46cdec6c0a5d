// End-to-end tests of how train ends early: SIGINT saves and exits 130, divergence keeps the earlier model.

import assert from "node:assert/strict";
import { readLines, runCli, spawnCli, tempDir } from "./_run.ts";

Deno.test("train saves a valid model and exits 130 on SIGINT", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  const child = spawnCli("train", [
    "configs/spiral.yaml",
    "--headless",
    "--epochs",
    "100000",
    "--set",
    "train.early_stop.patience=100000",
    "--out",
    out,
  ]);
  let interrupted = false;
  const [stdout, stderr, status] = await Promise.all([
    readLines(child.stdout, (line) => {
      if (!interrupted && line.startsWith("epoch ")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    }),
    readLines(child.stderr, () => {}),
    child.status,
  ]);
  assert.ok(interrupted, `no epoch line was printed:\n${stdout}`);
  assert.equal(stderr, "");
  assert.equal(status.code, 130);
  const stopped = Number(/^Stopped by the user after epoch (\d+)$/m.exec(stdout)?.[1]);
  assert.ok(stopped >= 1 && stopped < 100000, stdout);
  assert.match(stdout, new RegExp(`^saved ${out}/model.json, `, "m"));

  const model = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
  assert.equal(model.format, "termnet-model");
  assert.equal(model.metrics.epoch, stopped);
  const inspect = await runCli("inspect", [`${out}/model.json`]);
  assert.equal(inspect.stderr, "");
  assert.equal(inspect.code, 0);
  const predict = await runCli("predict", [`${out}/model.json`, "--input", "0.5,-0.5"]);
  assert.equal(predict.code, 0, predict.stderr);
  assert.match(predict.stdout, /^[01] \d\.\d{4}\n$/);
});

Deno.test("train stops on divergence with exit 1, suggests a lower rate and keeps the earlier model", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  const earlier = await runCli("train", ["configs/sine.yaml", "--headless", "--epochs", "3", "--out", out]);
  assert.equal(earlier.code, 0, earlier.stderr);
  const before = await Deno.readFile(`${out}/model.json`);

  // plain SGD at a rate of a million overflows sine's tanh network to NaN in the second epoch
  const args = [
    "--headless",
    "--set",
    "train.optimizer=sgd",
    "--set",
    "train.learning_rate=1e6",
    "--epochs",
    "20",
  ];
  const run = await runCli("train", ["configs/sine.yaml", ...args, "--out", out]);
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr,
    "error: Training diverged at epoch 2: the loss became NaN — try a lower learning rate (it was 1000000); " +
      `the weights of epoch 1 were kept\nkept the earlier ${out}/model.json\n`,
  );
  assert.deepEqual(await Deno.readFile(`${out}/model.json`), before);

  // into an empty folder, the last finite weights are saved instead
  const fresh = await runCli("train", ["configs/sine.yaml", ...args, "--out", `${tmp.path}/fresh`]);
  assert.equal(fresh.code, 1);
  assert.match(fresh.stderr, new RegExp(`\nsaved the last good model to ${tmp.path}/fresh/model.json\n$`));
  const model = JSON.parse(await Deno.readTextFile(`${tmp.path}/fresh/model.json`));
  assert.equal(model.metrics.epoch, 1);
});
