import assert from "node:assert/strict";
import { parseConfig, parseConfigYaml } from "../../src/config/parse_config.ts";
import { resolveNetworkShape } from "../../src/config/resolve.ts";
import { ConfigError } from "../../src/errors.ts";

const IRIS = { inputSize: 4, task: "classification", classCount: 3, targetSize: 3 } as const;
const BINARY = { inputSize: 2, task: "classification", classCount: 2, targetSize: 1 } as const;
const SINE = { inputSize: 1, task: "regression", targetSize: 1 } as const;

function config(network: string, train = "") {
  const text = `data:\n  source: xor\nnetwork:\n${network}${train === "" ? "" : `train:\n${train}`}`;
  return parseConfig(parseConfigYaml(text, { file: "c.yaml" }));
}

Deno.test("resolveNetworkShape() infers the output and loss from the data", async (t) => {
  await t.step("3 classes -> 3 softmax units, cross_entropy", () => {
    const shape = resolveNetworkShape(config("  hidden: [8]\n").network, IRIS);
    assert.deepEqual(shape.layers, [{ units: 8, activation: "relu" }, { units: 3, activation: "softmax" }]);
    assert.equal(shape.loss, "cross_entropy");
    assert.equal(shape.input, 4);
    assert.equal(shape.targetEncoding, "one-hot");
  });
  await t.step("2 classes -> 1 sigmoid unit, binary_cross_entropy, binary targets", () => {
    const shape = resolveNetworkShape(config("  hidden: [3]\n").network, BINARY);
    assert.equal(shape.output, 1);
    assert.equal(shape.outputActivation, "sigmoid");
    assert.equal(shape.loss, "binary_cross_entropy");
    assert.equal(shape.targetEncoding, "binary");
  });
  await t.step("2 classes with output: 2 -> softmax and one-hot targets", () => {
    const shape = resolveNetworkShape(config("  output: 2\n").network, BINARY);
    assert.equal(shape.outputActivation, "softmax");
    assert.equal(shape.targetEncoding, "one-hot");
  });
  await t.step("the tutorial's sigmoid output with mse", () => {
    const c = config("  output_activation: sigmoid\n", "  loss: mse\n");
    assert.equal(resolveNetworkShape(c.network, BINARY, { loss: c.train.loss }).loss, "mse");
  });
  await t.step("regression -> linear output, mse", () => {
    const shape = resolveNetworkShape(config("  hidden: [4]\n").network, SINE);
    assert.equal(shape.outputActivation, "linear");
    assert.equal(shape.loss, "mse");
    assert.equal(shape.targetEncoding, undefined);
  });
});

Deno.test("resolveNetworkShape() reports a network that disagrees with the data at the key", () => {
  assert.throws(
    () => resolveNetworkShape(config("  input: 2\n").network, IRIS),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === 'c.yaml:4:10: network.input: the data has 4 inputs, got "2"',
  );
  assert.throws(
    () => resolveNetworkShape(config("  output: 2\n").network, IRIS),
    (error: Error) =>
      error.message === 'c.yaml:4:11: network.output: the data has 3 classes, expected 3 units, got "2"',
  );
  assert.throws(
    () => resolveNetworkShape(config("  output_activation: softmax\n").network, SINE),
    (error: Error) =>
      error.message ===
        "c.yaml:4:22: network.output_activation: softmax needs class labels, but the data is a regression target",
  );
});
