// Tests of the explain event: one training sample's numbers, with its preprocessing, classes and size limits.

import assert from "node:assert/strict";
import { Dataset } from "../../src/data/dataset.ts";
import { explainSample } from "../../src/nn/explain.ts";
import { Network } from "../../src/nn/network.ts";
import { classOf, explainEvent, explainTrainingSample } from "../../src/train/explain_event.ts";

function irisLike(): Dataset {
  // 3 rows of 2 raw features, 3 classes (one-hot), preprocessed x = (raw − shift) · factor
  return new Dataset({
    inputSize: 2,
    features: Float64Array.of(10, -2, 12, -1.5, 8, 0),
    task: "classification",
    labels: Int32Array.of(2, 0, 1),
    classNames: ["setosa", "versicolor", "virginica"],
    preprocessing: { kind: "zscore", shift: [10, -2], factor: [0.5, 2] },
  });
}

Deno.test("explainTrainingSample() explains the preprocessed sample with its one-hot target and class names", () => {
  const data = irisLike();
  const net = new Network({ input: 2, hidden: [4], output: 3, outputActivation: "softmax", seed: 3 });
  const event = explainTrainingSample(net, { data, sample: 1, loss: "cross_entropy", epoch: 7 });
  assert.equal(event.type, "explain");
  assert.deepEqual([event.sample, event.samples, event.epoch], [1, 3, 7]);
  assert.deepEqual(event.rawInput, [12, -1.5]);
  assert.deepEqual(event.input, [1, 1]);
  assert.deepEqual(event.target, [1, 0, 0]);
  assert.equal(event.label, "setosa");
  assert.deepEqual(event.classNames, ["setosa", "versicolor", "virginica"]);
  assert.equal(event.lossName, "cross_entropy");
  const direct = explainSample(net, [1, 1], { target: [1, 0, 0], loss: "cross_entropy" });
  assert.equal(event.loss, direct.loss);
  assert.deepEqual(event.layers.map((layer) => layer.z), direct.layers.map((layer) => layer.z));
  assert.deepEqual(event.layers.map((layer) => layer.dW), direct.layers.map((layer) => layer.dW));
  assert.deepEqual(event.layers.map((layer) => [layer.units, layer.inputs, layer.activation]), [
    [4, 2, "sigmoid"],
    [3, 4, "softmax"],
  ]);
  assert.equal(event.predicted, data.classNames![classOf(direct.output)]);
});

Deno.test("explainTrainingSample() takes the sample index modulo the set's size", () => {
  const data = irisLike();
  const net = new Network({ input: 2, output: 3, outputActivation: "softmax", seed: 3 });
  assert.equal(explainTrainingSample(net, { data, sample: -1 }).sample, 2);
  assert.equal(explainTrainingSample(net, { data, sample: 4 }).sample, 1);
  assert.equal(explainTrainingSample(net, { data, sample: 4 }).lossName, "cross_entropy");
});

Deno.test("explainEvent() lists ∂W only for layers of at most maxListedWeights weights", () => {
  const net = new Network({ input: 40, hidden: [20], output: 1, seed: 1 });
  const x = Array.from({ length: 40 }, (_, i) => i / 40);
  const event = explainEvent(net, x, { target: [1], maxListedWeights: 100 });
  assert.equal(event.layers[0].dW, undefined, "800 weights are not listed");
  assert.ok(event.layers[0].delta && event.layers[0].db, "δ and ∂b stay");
  assert.equal(event.layers[1].dW?.length, 1);
  assert.equal(event.layers[1].dW?.[0].length, 20);
  const forward = explainEvent(net, x);
  assert.equal(forward.loss, undefined);
  assert.equal(forward.layers[0].delta, undefined);
});

Deno.test("classOf() reads one sigmoid unit at 0.5 and several outputs by their largest", () => {
  assert.equal(classOf([0.5]), 1);
  assert.equal(classOf([0.49]), 0);
  assert.equal(classOf([0.1, 0.7, 0.2]), 1);
  assert.equal(classOf([0, 0, 1]), 2);
});
