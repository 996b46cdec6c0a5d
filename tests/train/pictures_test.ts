import assert from "node:assert/strict";
import { loadDataset } from "../../src/data/load.ts";
import { Rng } from "../../src/math/random.ts";
import { Network } from "../../src/nn/network.ts";
import type { EpochEvent, StartEvent } from "../../src/train/events.ts";
import { chooseSamples, MAX_SAMPLE_IMAGES, shrinkImage } from "../../src/train/pictures.ts";
import { train } from "../../src/train/trainer.ts";

Deno.test("chooseSamples() takes the first row of every class first, then the earliest rows, in row order", () => {
  assert.deepEqual(chooseSamples(Int32Array.of(0, 0, 1, 0, 2, 1), 4), [0, 1, 2, 4]);
  assert.deepEqual(chooseSamples(Int32Array.of(0, 0, 1), 10), [0, 1, 2]);
  assert.deepEqual(chooseSamples(undefined, 3, 5), [0, 1, 2]);
});

Deno.test("shrinkImage() averages blocks, edge blocks over what they hold", () => {
  // 3×3 → 2×2 with factor 2: blocks of 4, 2, 2 and 1 pixels
  assert.deepEqual(shrinkImage([1, 2, 3, 4, 5, 6, 7, 8, 9], { height: 3, width: 3, factor: 2 }), [
    3,
    4.5,
    7.5,
    9,
  ]);
});

async function run(data: Parameters<typeof loadDataset>[0], epochs: number) {
  const { train: set, test } = await loadDataset(data, { rng: new Rng(3) });
  const encoded = set.withTargetEncoding(set.classCount === 2 ? "binary" : "one-hot");
  const network = new Network({
    input: set.inputSize,
    layers: [{ units: 20, activation: "relu" }, { units: encoded.targetSize, activation: "softmax" }],
    seed: 1,
  });
  const events = [];
  for await (
    const event of train(network, encoded, {
      name: "t",
      epochs,
      batchSize: 32,
      learningRate: 0.01,
      optimizer: "adam",
      loss: "cross_entropy",
      test: test?.withTargetEncoding("one-hot"),
      statsIntervalMs: 0,
    })
  ) events.push(event);
  const start = events.find((e) => e.type === "start") as StartEvent;
  const epochEvents = events.filter((e) => e.type === "epoch") as EpochEvent[];
  return { start, epochs: epochEvents, test };
}

Deno.test("train() sends sample images, their predictions, the confusion matrix and filters for image data", async () => {
  const { start, epochs, test } = await run({
    source: "idx",
    images: "data/fashion-mnist-sample/train-images-idx3-ubyte.gz",
    labels: "data/fashion-mnist-sample/train-labels-idx1-ubyte.gz",
    test: {
      images: "data/fashion-mnist-sample/t10k-images-idx3-ubyte.gz",
      labels: "data/fashion-mnist-sample/t10k-labels-idx1-ubyte.gz",
    },
    limit: 300,
    testSplit: 0,
    normalize: "scale",
    scale: 255,
  }, 2);
  const image = start.image!;
  assert.equal(image.height, 28);
  assert.equal(image.width, 28);
  assert.equal(image.split, "test");
  assert.equal(image.samples.length, MAX_SAMPLE_IMAGES);
  assert.equal(new Set(image.samples.map((s) => s.label)).size, 10, "every class is among the samples");
  for (const sample of image.samples) {
    assert.equal(sample.label, test!.labels![sample.index]);
    assert.equal(sample.pixels.length, 784);
    assert.ok(sample.pixels.every((p) => p >= 0 && p <= 1));
  }
  for (const epoch of epochs) {
    assert.equal(epoch.samplePredictions?.length, MAX_SAMPLE_IMAGES);
    const counts = epoch.confusion!.counts;
    assert.equal(epoch.confusion!.split, "test");
    assert.equal(counts.length, 10);
    assert.equal(counts.flat().reduce((a, b) => a + b, 0), test!.size);
    const correct = counts.reduce((sum, row, c) => sum + row[c], 0);
    assert.ok(Math.abs(correct / test!.size - epoch.testAccuracy!) < 1e-12, "the diagonal is the accuracy");
    const filters = epoch.filters!;
    assert.deepEqual([filters.height, filters.width, filters.units.length], [14, 14, 16]);
    assert.ok(filters.weights.every((w) => w.length === 196));
  }
});

Deno.test("train() sends a confusion matrix but no pictures for iris, on a training sample without a test split", async () => {
  const { start, epochs } = await run(
    { source: "csv", path: "data/iris.csv", target: "species", testSplit: 0, normalize: "zscore" },
    2,
  );
  assert.equal(start.image, undefined);
  const last = epochs.at(-1)!;
  assert.equal(last.samplePredictions, undefined);
  assert.equal(last.filters, undefined);
  assert.equal(last.confusion?.split, "train");
  assert.equal(last.confusion?.counts.flat().reduce((a, b) => a + b, 0), 150);
});
