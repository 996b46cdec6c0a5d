// Tests of the ONNX export in ONNX Runtime (onnxruntime-node, a native addon, run by tests/_onnx_runtime.ts in a child):
// the exported file runs on raw features and gives termnet's predictions.

import assert from "node:assert/strict";
import { runOnnx as runInOnnxRuntime } from "../_onnx_runtime.ts";
import { modelToOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, type OnnxDtype } from "../../src/export/onnx.ts";
import type { ModelJson } from "../../src/nn/serialize.ts";
import { CASES, randomInputs, randomModel, referencePredict } from "./_models.ts";

/**
 * The allowed difference from termnet's float64 predict: 1e-5 for float32 (weights, inputs and every
 * intermediate rounded to 24 bits), 1e-12 for float64 (only the order of the sums may differ); relative for
 * outputs of magnitude 1 and more, absolute below (probabilities, and outputs near 0, whose relative error is the
 * rounding of the sums that cancelled to give them).
 */
const TOLERANCE: Record<OnnxDtype, number> = { float32: 1e-5, float64: 1e-12 };

/** Runs an exported model in ONNX Runtime on a batch of raw inputs. */
async function runOnnx(bytes: Uint8Array, inputs: number[][], dtype: OnnxDtype): Promise<number[][]> {
  const answer = await runInOnnxRuntime(bytes, [{ inputs, dtype }]);
  assert.deepStrictEqual(answer.inputNames, [ONNX_INPUT_NAME]);
  assert.deepStrictEqual(answer.outputNames, [ONNX_OUTPUT_NAME]);
  const [output] = answer.outputs;
  assert.equal(output.dims[0], inputs.length);
  return output.rows;
}

/** The largest error of `actual` against `expected`, relative where |expected| ≥ 1, absolute below. */
function largestError(actual: number[][], expected: number[][]): number {
  assert.equal(actual.length, expected.length);
  let largest = 0;
  expected.forEach((row, r) => {
    assert.equal(actual[r].length, row.length, `row ${r}`);
    row.forEach((value, j) => {
      const error = Math.abs(actual[r][j] - value) / Math.max(Math.abs(value), 1);
      largest = Math.max(largest, error);
    });
  });
  return largest;
}

for (const dtype of ["float32", "float64"] as const) {
  Deno.test(`modelToOnnx() ${dtype} runs in ONNX Runtime like predict, for every activation`, async (t) => {
    for (const [i, c] of CASES.entries()) {
      await t.step(c.name, async () => {
        const model = randomModel(c.hidden, c.output, 300 + i);
        const inputs = randomInputs(64, model.input, 400 + i);
        const actual = await runOnnx(modelToOnnx(model, { dtype }), inputs, dtype);
        const error = largestError(actual, referencePredict(model, inputs));
        assert.ok(error <= TOLERANCE[dtype], `largest error ${error} > ${TOLERANCE[dtype]}`);
      });
    }
  });
}

Deno.test("modelToOnnx() exports a model without preprocessing, and one of a single layer", async () => {
  const model: ModelJson = {
    format: "termnet-model",
    version: 1,
    input: 2,
    layers: [{ units: 1, activation: "sigmoid", weights: [[1.5, -2]], bias: [0.25] }],
  };
  const inputs = [[0, 0], [1, 2], [-3, 0.5]];
  const actual = await runOnnx(modelToOnnx(model, { dtype: "float64" }), inputs, "float64");
  assert.ok(largestError(actual, referencePredict(model, inputs)) <= 1e-15);
});

Deno.test("modelToOnnx() takes any batch size: the batch dimension is dynamic", async () => {
  const model = randomModel("relu", "softmax", 9);
  const bytes = modelToOnnx(model);
  for (const rows of [1, 3, 300]) {
    const inputs = randomInputs(rows, model.input, rows);
    const actual = await runOnnx(bytes, inputs, "float32");
    assert.ok(largestError(actual, referencePredict(model, inputs)) <= 1e-5, `${rows} rows`);
  }
});

Deno.test("modelToOnnx() stores class and feature names in the model's metadata", async () => {
  const model = randomModel("tanh", "softmax", 4);
  // ONNX Runtime loads the file with its metadata; it does not expose custom metadata, so the strings are
  // looked up in the file as key/value entries
  const answer = await runInOnnxRuntime(modelToOnnx(model), []);
  assert.deepStrictEqual(answer.inputNames, [ONNX_INPUT_NAME]);
  const text = new TextDecoder().decode(modelToOnnx(model));
  for (const [key, value] of [["class_names", model.labels], ["feature_names", model.features]]) {
    // StringStringEntryProto: key (field 1), then value (field 2: tag 0x12, length, JSON text)
    const json = JSON.stringify(value);
    assert.ok(text.includes(`${key}\u0012${String.fromCharCode(json.length)}${json}`), key as string);
  }
});

Deno.test("modelToOnnx() leaves out the preprocessing nodes that change nothing", async () => {
  const model = randomModel("tanh", "linear", 12);
  model.preprocessing = { kind: "none", shift: [0, 0, 0, 0, 0], factor: [1, 1, 1, 1, 1] };
  const bytes = modelToOnnx(model, { dtype: "float64" });
  const text = new TextDecoder().decode(bytes);
  assert.ok(!text.includes("preprocessing_shift") && !text.includes("preprocessing_factor"));
  const inputs = randomInputs(8, 5, 13);
  assert.ok(largestError(await runOnnx(bytes, inputs, "float64"), referencePredict(model, inputs)) <= 1e-12);
  model.preprocessing = { kind: "scale", shift: [0, 0, 0, 0, 0], factor: [0.5, 1, 1, 1, 1] };
  const scaled = new TextDecoder().decode(modelToOnnx(model));
  assert.ok(!scaled.includes("preprocessing_shift") && scaled.includes("preprocessing_factor"));
});

Deno.test("modelToOnnx() rejects an unknown dtype and an invalid model", () => {
  const model = randomModel("tanh", "linear", 1);
  assert.throws(() => modelToOnnx(model, { dtype: "float16" as OnnxDtype }), {
    name: "RangeError",
    message: 'Cannot export to ONNX: unknown dtype "float16" (expected float32 or float64)',
  });
  model.layers[0].weights[0] = [1];
  assert.throws(() => modelToOnnx(model), { name: "ModelFileError", message: /^layers\[0\]\.weights: / });
});
