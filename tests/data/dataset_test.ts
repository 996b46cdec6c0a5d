import assert from "node:assert/strict";
import { applyPreprocessing, Dataset, fitPreprocessing } from "../../src/data/dataset.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";

function classes(n: number, classCount: number): Dataset {
  const features = new Float64Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    features[i * 2] = i;
    features[i * 2 + 1] = 7; // a constant column
    labels[i] = i % classCount === 0 ? 0 : (i % classCount);
  }
  return new Dataset({
    inputSize: 2,
    features,
    task: "classification",
    labels,
    classNames: Array.from({ length: classCount }, (_, c) => `c${c}`),
  });
}

Deno.test("Dataset.gather() writes the ordered rows, preprocessed, into the given buffers", () => {
  const data = classes(6, 3).withPreprocessing({ kind: "minmax", shift: [1, 0], factor: [0.5, 1] });
  const x = new Matrix(2, 2), y = new Matrix(2, 3);
  const order = new Uint32Array([5, 0, 3, 2]);
  data.gather(x, y, order, 2);
  assert.deepEqual(x.toArray(), [[1, 7], [0.5, 7]]);
  assert.deepEqual(y.toArray(), [[1, 0, 0], [0, 0, 1]]);
  data.gather(x, y, order, 0);
  assert.deepEqual(x.toArray(), [[2, 7], [-0.5, 7]]);
  assert.throws(() => data.gather(x, y, order, 3), RangeError);
  assert.throws(() => data.gather(x, new Matrix(2, 1), order, 0), TypeError);
});

Deno.test("Dataset uses one 0/1 column for two classes unless one-hot is asked for", () => {
  const data = classes(4, 2);
  assert.equal(data.targetSize, 1);
  assert.deepEqual(data.targets().toArray(), [[0], [1], [0], [1]]);
  const oneHot = data.withTargetEncoding("one-hot");
  assert.equal(oneHot.targetSize, 2);
  assert.deepEqual(oneHot.targets().toArray()[1], [0, 1]);
});

Deno.test("Dataset.split() is stratified, disjoint and deterministic for a seed", () => {
  const data = classes(100, 4); // 25 of each class
  const a = data.split(0.2, new Rng(7));
  const b = data.split(0.2, new Rng(7));
  assert.equal(a.test.size, 20);
  assert.equal(a.train.size, 80);
  for (let c = 0; c < 4; c++) assert.equal(a.test.labels!.filter((l) => l === c).length, 5);
  assert.deepEqual(a.test.features().data, b.test.features().data);
  assert.deepEqual(a.train.features().data, b.train.features().data);
  const rows = new Set([...a.train.features().toArray(), ...a.test.features().toArray()].map((r) => r[0]));
  assert.equal(rows.size, 100);
  const c = data.split(0.2, new Rng(8));
  assert.notDeepEqual(c.test.features().data, a.test.features().data);
});

Deno.test("Dataset.split() settles rounding so the test part has round(size · fraction) rows", () => {
  const data = classes(10, 3); // 4, 3, 3 per class
  const { train, test } = data.split(0.25, new Rng(1));
  assert.equal(test.size, 3);
  assert.equal(train.size, 7);
});

Deno.test("fitPreprocessing() takes statistics from the data it is given and never gives NaN", () => {
  const data = classes(5, 5); // column 0 is 0..4, column 1 is constant 7
  const z = fitPreprocessing(data, { kind: "zscore" });
  assert.deepEqual(z.shift, [2, 7]);
  assert.equal(z.factor[0], 1 / Math.sqrt(2));
  assert.equal(z.factor[1], 1);
  const m = fitPreprocessing(data, { kind: "minmax" });
  assert.deepEqual(m, { kind: "minmax", shift: [0, 7], factor: [0.25, 1] });
  const features = data.withPreprocessing(m).features();
  assert.ok(features.data.every(Number.isFinite));
  assert.deepEqual(features.toArray()[4], [1, 0]);
  assert.deepEqual(fitPreprocessing(data, { kind: "scale", scale: 255 }).factor, [1 / 255, 1 / 255]);
  assert.deepEqual(JSON.parse(JSON.stringify(z)), z);
});

Deno.test("applyPreprocessing() maps raw input the way gather() does", () => {
  const data = classes(4, 2);
  const p = fitPreprocessing(data, { kind: "zscore" });
  const viaDataset = data.withPreprocessing(p).features();
  const viaFunction = applyPreprocessing(data.rawFeatures(), p);
  assert.deepEqual(viaFunction.data, viaDataset.data);
});

Deno.test("Dataset.subset() copies the chosen rows and keeps bytes as bytes", () => {
  const data = new Dataset({
    inputSize: 2,
    features: new Uint8Array([1, 2, 3, 4, 5, 6]),
    task: "regression",
    targets: new Float64Array([10, 20, 30]),
    targetSize: 1,
  });
  const part = data.subset(new Uint32Array([2, 0]));
  assert.ok(part.rawFeatureData instanceof Uint8Array);
  assert.deepEqual(part.features().toArray(), [[5, 6], [1, 2]]);
  assert.deepEqual(part.targets().toArray(), [[30], [10]]);
});
