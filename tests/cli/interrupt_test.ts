// End-to-end tests of how train ends early: SIGINT saves and exits 130, divergence keeps the earlier model.

import assert from "node:assert/strict";
import { readLines, runCli, snapshotDir, spawnCli, tempDir } from "./_run.ts";

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

Deno.test("train interrupted before its first epoch ends saves nothing and keeps the earlier run", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  const earlier = await runCli("train", ["configs/xor.yaml", "--headless", "--epochs", "50", "--out", out]);
  assert.equal(earlier.code, 0, earlier.stderr);
  const before = await snapshotDir(out);
  // a first epoch of seconds (1,000 batches of one image through 2,048 units), interrupted as it starts
  const child = spawnCli("train", [
    "configs/fashion-mnist-sample.yaml",
    "--headless",
    "--set",
    "network.hidden=[2048]",
    "--set",
    "train.batch_size=1",
    "--out",
    out,
  ]);
  let interrupted = false;
  const [stdout, stderr, status] = await Promise.all([
    readLines(child.stdout, (line) => {
      if (!interrupted && line.startsWith("training ")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    }),
    readLines(child.stderr, () => {}),
    child.status,
  ]);
  assert.ok(interrupted, stdout);
  assert.equal(stderr, "");
  assert.equal(status.code, 130);
  assert.match(stdout, /^Stopped by the user before the first epoch ended$/m);
  assert.match(
    stdout,
    new RegExp(`^nothing saved: no epoch was completed; the earlier run in ${out} was kept$`, "m"),
  );
  assert.doesNotMatch(stdout, /^saved /m);
  // the earlier XOR run, file for file
  assert.deepEqual(await snapshotDir(out), before);
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
      `the weights of epoch 1 were kept; not saved: the earlier run in ${out} was kept\n`,
  );
  assert.deepEqual(await Deno.readFile(`${out}/model.json`), before);

  // into an empty folder, the last finite weights are saved instead (still one line)
  const fresh = await runCli("train", ["configs/sine.yaml", ...args, "--out", `${tmp.path}/fresh`]);
  assert.equal(fresh.code, 1);
  assert.match(fresh.stderr, new RegExp(`^error: [^\n]*, saved to ${tmp.path}/fresh/model.json\n$`));
  const model = JSON.parse(await Deno.readTextFile(`${tmp.path}/fresh/model.json`));
  assert.equal(model.metrics.epoch, 1);
});

Deno.test("train detects non-finite weights under a finite loss and saves the last finite epoch (diverged run saves nothing)", async () => {
  await using tmp = await tempDir();
  // relu units overflow to infinity while the loss stays finite (epoch 57 of this run)
  await Deno.writeTextFile(
    `${tmp.path}/circle.yaml`,
    "seed: 1\ndata: {source: circle, samples: 200}\nnetwork: {hidden: [8], activation: relu}\n" +
      "train: {learning_rate: 1000000, epochs: 2000}\n",
  );
  const out = `${tmp.path}/run`;
  const run = await runCli("train", [`${tmp.path}/circle.yaml`, "--headless", "--out", out]);
  assert.equal(run.code, 1);
  const line =
    /^error: Training diverged at epoch (\d+): layers\[\d+\]\.(weights|biases) became non-finite .*, saved to (.*)\n$/
      .exec(run.stderr);
  assert.ok(line, run.stderr);
  assert.equal(line[3], `${out}/model.json`);
  const model = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
  assert.equal(model.metrics.epoch, Number(line[1]) - 1);
  const inspect = await runCli("inspect", [`${out}/model.json`]);
  assert.equal(inspect.code, 0, inspect.stderr);

  // a rate of 1e308 on XOR: the sigmoids saturate (finite weights near 1e305); the saved model loads
  const xor = await runCli("train", [
    "configs/xor.yaml",
    "--headless",
    "--set",
    "train.learning_rate=1e308",
    "--epochs",
    "2",
    "--out",
    `${tmp.path}/xor`,
  ]);
  assert.ok(xor.code === 0 || xor.code === 1, xor.stderr);
  assert.equal((await runCli("inspect", [`${tmp.path}/xor/model.json`])).code, 0);
});

Deno.test("train keeps saving through a second Ctrl-C during the final save (second SIGINT kills the save)", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  // a 2-1200-1200-1 network: its model file takes most of a second to write
  const child = spawnCli("train", [
    "configs/xor.yaml",
    "--headless",
    "--epochs",
    "100000",
    "--set",
    "network.hidden=[1200,1200]",
    "--out",
    out,
  ]);
  let first = false, second = false;
  const [stdout, , status] = await Promise.all([
    readLines(child.stdout, (line) => {
      if (!first && line.startsWith("epoch ")) {
        first = true;
        child.kill("SIGINT");
      }
      // printed at the end event, before the save starts: two more Ctrl-C while saving
      if (!second && line.startsWith("Stopped by the user")) {
        second = true;
        child.kill("SIGINT");
        setTimeout(() => child.kill("SIGINT"), 50);
      }
    }),
    readLines(child.stderr, () => {}),
    child.status,
  ]);
  assert.ok(second, stdout);
  assert.equal(status.code, 130);
  assert.match(stdout, new RegExp(`^saved ${out}/model.json, `, "m"));
  const inspect = await runCli("inspect", [`${out}/model.json`]);
  assert.equal(inspect.code, 0, inspect.stderr);
});

Deno.test("train interrupted in the middle of an epoch saves the last completed epoch, as a clean run of that many epochs (partial epoch labelled as the previous)", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  // 16,000 training samples in batches of 32: 500 batches an epoch, so the Ctrl-C lands inside one
  const settings = [
    "--set",
    "data.samples=20000",
    "--set",
    "train.early_stop.patience=100000",
    "--set",
    "train.early_stop.restore_best=false",
  ];
  const child = spawnCli("train", [
    "configs/spiral.yaml",
    "--headless",
    "--epochs",
    "1000",
    ...settings,
    "--out",
    out,
  ]);
  let interrupted = false;
  const [stdout, , status] = await Promise.all([
    readLines(child.stdout, (line) => {
      // the printer skips epochs on a fast run: the first line of epoch 2 or later
      if (!interrupted && Number(/^epoch +(\d+)\//.exec(line)?.[1]) >= 2) {
        interrupted = true;
        child.kill("SIGINT");
      }
    }),
    readLines(child.stderr, () => {}),
    child.status,
  ]);
  assert.equal(status.code, 130, stdout);
  const stopped = Number(/^Stopped by the user after epoch (\d+)$/m.exec(stdout)?.[1]);
  assert.ok(stopped >= 2, stdout);

  const clean = await runCli("train", [
    "configs/spiral.yaml",
    "--headless",
    "--epochs",
    String(stopped),
    ...settings,
    "--out",
    `${tmp.path}/clean`,
  ]);
  assert.equal(clean.code, 0, clean.stderr);
  const interruptedModel = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
  const cleanModel = JSON.parse(await Deno.readTextFile(`${tmp.path}/clean/model.json`));
  assert.equal(interruptedModel.metrics.epoch, stopped);
  assert.deepEqual(interruptedModel.layers, cleanModel.layers);
  assert.deepEqual(interruptedModel.metrics, cleanModel.metrics);
});
