// End-to-end: a run with a schedule, dropout, clipping and early stopping records them in metrics.jsonl, the model
// file and the summary.

import assert from "node:assert/strict";
import { readMetrics, runCli, tempDir } from "./_run.ts";

Deno.test("train with schedule, dropout, clip_norm and restore_best records them and saves the best epoch", async () => {
  await using tmp = await tempDir();
  const out = `${tmp.path}/run`;
  const run = await runCli("train", [
    "configs/iris.yaml",
    "--headless",
    "--out",
    out,
    "--epochs",
    "150",
    "--set",
    "network.dropout=0.1",
    "--set",
    "train.schedule={type: step, every: 20, factor: 0.5}",
    "--set",
    "train.clip_norm=0.5",
    "--set",
    "train.early_stop.restore_best=true",
  ]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.match(
    run.stdout,
    /, adam lr 0\.01 \(step ×0\.5 every 20\), dropout 0\.1, clip_norm 0\.5, 150 epochs$/m,
  );
  const records = await readMetrics(out);
  assert.deepEqual(records[0], {
    type: "settings",
    learning_rate: 0.01,
    schedule: "step ×0.5 every 20",
    dropout: [0.1],
    clip_norm: 0.5,
  });
  const epochs = records.filter((r) => r.type === "epoch");
  for (const record of epochs) {
    const epoch = record.epoch as number;
    assert.equal(record.learning_rate, 0.01 * 0.5 ** Math.floor((epoch - 1) / 20), `epoch ${epoch}`);
    assert.equal(typeof record.clipped_batches, "number");
  }
  const model = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
  assert.deepEqual(model.dropout, [0.1]);
  // early stopping ends the run at epoch 108, 30 epochs after the lowest val_loss: the model is epoch 78's
  assert.deepEqual(records.at(-1)?.type, "restored");
  const restored = records.at(-1)!;
  assert.equal(restored.epoch, 78);
  assert.equal(epochs.at(-1)!.epoch, 108);
  assert.equal(model.metrics.epoch, 78);
  assert.equal(model.metrics.test_loss, epochs[77].test_loss);
  assert.match(
    run.stdout,
    /^Stopped early at epoch 108: .*; restored the weights of epoch 78 \(val_loss 0\.17\d*\)$/m,
  );
  const inspect = await runCli("inspect", [`${out}/model.json`]);
  assert.equal(inspect.code, 0);
  assert.match(inspect.stdout, /^dropout \(training only\): 0\.1$/m);
});
