// Tests of restoring the best epoch at the end of early stopping (restore_best).

import assert from "node:assert/strict";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { Network } from "../../src/nn/network.ts";
import { getLoss } from "../../src/math/losses.ts";
import { evaluate } from "../../src/train/evaluate.ts";
import type { EndEvent, EpochEvent } from "../../src/train/events.ts";
import { train, type TrainData } from "../../src/train/trainer.ts";
import { restoredText } from "../../src/train/best_epoch.ts";

/** Few noisy samples and a large rate: the test loss soon gets worse while the training loss falls. */
function source(rows: number, seed: number): TrainData {
  const rng = new Rng(seed);
  const x = new Matrix(rows, 8), y = new Matrix(rows, 3);
  for (let r = 0; r < rows; r++) {
    const label = r % 3;
    for (let j = 0; j < 8; j++) x.set(r, j, (j % 3 === label ? 0.6 : 0) + rng.normal());
    y.set(r, label, 1);
  }
  return {
    size: rows,
    inputSize: 8,
    targetSize: 3,
    task: "classification",
    preprocessing: { shift: new Array(8).fill(0), factor: new Array(8).fill(1) },
    rawFeatureData: x.data,
    gather(outX, outY, order, start) {
      for (let r = 0; r < outX.rows; r++) {
        outX.data.set(x.data.subarray(order[start + r] * 8, order[start + r] * 8 + 8), r * 8);
        outY.data.set(y.data.subarray(order[start + r] * 3, order[start + r] * 3 + 3), r * 3);
      }
    },
  };
}

async function run(restoreBest: boolean | undefined) {
  const net = new Network({
    input: 8,
    hidden: [32],
    output: 3,
    activation: "relu",
    outputActivation: "softmax",
    seed: 1,
  });
  const test = source(60, 2);
  const epochs: EpochEvent[] = [];
  let end: EndEvent | undefined;
  for await (
    const event of train(net, source(30, 1), {
      name: "overfit",
      epochs: 60,
      batchSize: 10,
      learningRate: 0.02,
      optimizer: "adam",
      loss: "cross_entropy",
      test,
      earlyStop: { monitor: "val_loss", patience: 5, minDelta: 0, restoreBest },
      statsIntervalMs: 1e9,
    })
  ) {
    if (event.type === "epoch") epochs.push(event);
    if (event.type === "end") end = event;
  }
  return { epochs, end: end!, net };
}

Deno.test("train() with early stopping gives the network back its best epoch's weights and says so", async () => {
  const { epochs, end } = await run(undefined);
  assert.equal(end.reason, "early_stop");
  const losses = epochs.map((e) => e.testLoss!);
  const best = losses.indexOf(Math.min(...losses)) + 1;
  assert.ok(best < epochs.length, "the last epoch was the best: make the problem overfit sooner");
  const { metrics, ...restored } = end.restored!;
  assert.deepEqual(restored, { epoch: best, monitor: "val_loss", value: losses[best - 1] });
  // the restored epoch's metrics travel with the end event (listeners keep no per-epoch list)
  const e = epochs[best - 1];
  assert.deepEqual(metrics, {
    epoch: best,
    trainLoss: e.trainLoss,
    testLoss: e.testLoss,
    trainAccuracy: e.trainAccuracy,
    testAccuracy: e.testAccuracy,
  });
  assert.ok(
    end.message.endsWith(
      `; restored the weights of epoch ${best} (val_loss ${Number(losses[best - 1].toPrecision(4))})`,
    ),
    end.message,
  );
});

Deno.test("the restored network has exactly the best epoch's test loss; restore_best: false keeps the last", async () => {
  const restored = await run(true);
  const best = restored.end.restored!.epoch;
  const loss = getLoss("cross_entropy");
  const test = source(60, 2);
  const after = evaluate(restored.net, test, { loss, classification: true }).loss;
  assert.equal(after, restored.epochs[best - 1].testLoss);
  const kept = await run(false);
  assert.equal(kept.end.restored, undefined);
  assert.equal(evaluate(kept.net, test, { loss, classification: true }).loss, kept.epochs.at(-1)!.testLoss);
  assert.doesNotMatch(kept.end.message, /restored/);
});

Deno.test("restoredText() names the epoch, the metric and its value to 4 digits", () => {
  assert.equal(
    restoredText({ epoch: 12, monitor: "val_loss", value: 0.301234 }),
    "restored the weights of epoch 12 (val_loss 0.3012)",
  );
});
