// Tests of model files: round trips that are bit-exact, the exact error for each kind of bad file, atomic saves.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { ModelFileError } from "../../src/errors.ts";
import type { FloatArray } from "../../src/math/matrix.ts";
import { Network } from "../../src/nn/network.ts";
import {
  loadModel,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelJson,
  networkFromJson,
  networkToJson,
  parseModel,
  saveModel,
  stringifyModel,
  validateModelJson,
} from "../../src/nn/serialize.ts";

const X = [[0, 0], [0, 1], [1, 0], [1, 1], [0.3, -2.5]];

/** The 2-3-3-1 network of the tutorial, trained a little so that biases are not zero. */
async function trainedNetwork(): Promise<Network> {
  const net = new Network({ input: 2, hidden: [3, 3], output: 1, seed: 11 });
  await net.fit(X.slice(0, 4), [[0], [1], [1], [0]], { epochs: 50, learningRate: 1 });
  return net;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "termnet_serialize_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A valid model object to corrupt, as plain JSON data. */
function validModel(): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(networkToJson(new Network({ input: 2, hidden: [3, 3], output: 1, seed: 1 }))),
  );
}

/** Asserts that `fn` throws a ModelFileError with exactly this message. */
function assertModelError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ModelFileError, `expected a ModelFileError, got ${error}`);
    assert.strictEqual(error.message, message);
    assert.strictEqual(error.name, "ModelFileError");
    return true;
  });
}

Deno.test("saveModel() then loadModel() gives bit-identical predictions", async () => {
  await withTempDir(async (dir) => {
    const net = await trainedNetwork();
    const path = `${dir}/xor.json`;
    await saveModel(path, net);
    const loaded = networkFromJson(await loadModel(path), { file: path });
    assert.deepStrictEqual(loaded.predict(X), net.predict(X));
    loaded.layers.forEach((layer, l) => {
      assert.deepStrictEqual(layer.weights, net.layers[l].weights);
      assert.deepStrictEqual(layer.biases, net.layers[l].biases);
      assert.strictEqual(layer.activation, net.layers[l].activation);
    });
  });
});

Deno.test("saveModel() accepts a model object and writes JSON text ending in a newline", async () => {
  await withTempDir(async (dir) => {
    const model = networkToJson(await trainedNetwork());
    const path = `${dir}/model.json`;
    await saveModel(path, model);
    const text = await Deno.readTextFile(path);
    assert.ok(text.endsWith("}\n"));
    assert.deepStrictEqual(JSON.parse(text), model);
    assert.deepStrictEqual(await loadModel(path), model);
  });
});

Deno.test("model files read numbers back bit-exactly", () => {
  const awkward = [
    0.1 + 0.2,
    1 / 3,
    -Math.PI,
    5e-324,
    1e-300,
    -1.7976931348623157e308,
    2 ** -1074 * 3,
    1 - 2 ** -53,
  ];
  const net = new Network({ input: 2, layers: [{ units: 4, activation: "linear" }] });
  net.layers[0].weights.data.set(awkward);
  net.layers[0].biases.set([123456789.123456789, -0.1, 7e-310, 1e21]);
  const loaded = networkFromJson(parseModel(stringifyModel(networkToJson(net))));
  const bits = (values: FloatArray) => Array.from(new BigUint64Array(Float64Array.from(values).buffer));
  assert.deepStrictEqual(bits(loaded.layers[0].weights.data), bits(net.layers[0].weights.data));
  assert.deepStrictEqual(bits(loaded.layers[0].biases), bits(net.layers[0].biases));
});

Deno.test("Network toJSON() and fromJSON() round-trip like networkToJson() and networkFromJson()", async () => {
  const net = await trainedNetwork();
  const json = net.toJSON();
  assert.deepStrictEqual(json, networkToJson(net));
  assert.strictEqual(json.format, MODEL_FORMAT);
  assert.strictEqual(json.version, MODEL_VERSION);
  assert.deepStrictEqual(json.layers.map((layer) => [layer.units, layer.activation]), [
    [3, "sigmoid"],
    [3, "sigmoid"],
    [1, "sigmoid"],
  ]);
  assert.deepStrictEqual(Network.fromJSON(json).predict(X), net.predict(X));
});

Deno.test("parseModel() rejects corrupt and mismatched files with exact messages", async (t) => {
  const file = "models/xor.json";
  const cases: [string, (model: Record<string, unknown>) => unknown, string][] = [
    ["not an object", () => [], "Cannot read the model: expected a JSON object, got an array of 0"],
    ["wrong format", (m) => ({ ...m, format: "keras" }), 'format: expected "termnet-model", got "keras"'],
    [
      "missing format",
      (m) => ({ ...m, format: undefined }),
      'format: expected "termnet-model", got undefined',
    ],
    [
      "unknown version",
      (m) => ({ ...m, version: 2 }),
      "version: unsupported model file version 2 (this build reads version 1)",
    ],
    [
      "version as a string",
      (m) => ({ ...m, version: "1" }),
      'version: unsupported model file version "1" (this build reads version 1)',
    ],
    [
      "unknown top-level field",
      (m) => ({ ...m, optimizer: "adam" }),
      "optimizer: unknown field (expected one of format, version, input, layers, preprocessing, labels, features, " +
      "config, metrics, dropout, dtype)",
    ],
    ["bad input", (m) => ({ ...m, input: -2 }), "input: expected a positive integer, got -2"],
    [
      "no layers",
      (m) => ({ ...m, layers: [] }),
      "layers: expected a non-empty array of layers, got an array of 0",
    ],
    [
      "a layer that is not an object",
      (m) => ({ ...m, layers: [3] }),
      "layers[0]: expected an object, got 3",
    ],
    [
      "unknown layer field",
      (m) => layer(m, 0, { dropout: 0.5 }),
      "layers[0].dropout: unknown field (expected one of units, activation, weights, bias)",
    ],
    [
      "bad units",
      (m) => layer(m, 2, { units: 0 }),
      "layers[2].units: expected a positive integer, got 0",
    ],
    [
      "unknown activation",
      (m) => layer(m, 0, { activation: "swish" }),
      'layers[0].activation: expected one of sigmoid, tanh, relu, leaky_relu, linear, softmax, got "swish"',
    ],
    [
      "wrong weights rows",
      (m) => layer(m, 1, { weights: [[1, 2, 3], [4, 5, 6]] }),
      "layers[1].weights: expected 3 rows of 3, got 2 rows",
    ],
    [
      "a short weights row",
      (m) => layer(m, 1, { weights: [[1, 2, 3], [4, 5], [7, 8, 9]] }),
      "layers[1].weights: expected 3 rows of 3, row 1 has 2 values",
    ],
    [
      "weights not an array",
      (m) => layer(m, 0, { weights: "none" }),
      'layers[0].weights: expected 3 rows of 2, got "none"',
    ],
    [
      "a non-number weight",
      (m) => layer(m, 0, { weights: [[1, 2], [3, null], [5, 6]] }),
      "layers[0].weights[1][1]: expected a finite number, got null",
    ],
    [
      "bias of the wrong length",
      (m) => layer(m, 0, { bias: [0, 0] }),
      "layers[0].bias: expected 3 numbers, got 2",
    ],
    [
      "bias not an array",
      (m) => layer(m, 2, { bias: 0 }),
      "layers[2].bias: expected an array of 1 numbers, got 0",
    ],
    [
      "a non-number bias",
      (m) => layer(m, 0, { bias: [0, "0.5", 0] }),
      'layers[0].bias[1]: expected a finite number, got "0.5"',
    ],
    [
      "labels that do not match the outputs",
      (m) => ({ ...m, labels: ["a", "b", "c"] }),
      "labels: expected 2 class names for 1 outputs, got 3",
    ],
    [
      "features that do not match the input",
      (m) => ({ ...m, features: ["x"] }),
      "features: expected 2 feature names, got an array of 1",
    ],
    [
      "preprocessing of the wrong size",
      (m) => ({ ...m, preprocessing: { kind: "zscore", shift: [0, 0], factor: [1] } }),
      "preprocessing.factor: expected 2 numbers, got 1",
    ],
    [
      "model files: an extra field inside preprocessing is an error",
      (m) => ({ ...m, preprocessing: { kind: "zscore", shift: [0, 0], factor: [1, 1], mean: [0, 0] } }),
      "preprocessing.mean: unknown field (expected one of kind, shift, factor)",
    ],
    [
      "model files: an unknown preprocessing.kind is an error",
      (m) => ({ ...m, preprocessing: { kind: "bogus", shift: [0, 0], factor: [1, 1] } }),
      'preprocessing.kind: expected one of none, minmax, zscore, scale, got "bogus"',
    ],
    [
      "model files: features that are numbers are an error",
      (m) => ({ ...m, features: [1, 2] }),
      "features[0]: expected a string, got 1",
    ],
    [
      "model files: duplicate feature names are an error",
      (m) => ({ ...m, features: ["x", "x"] }),
      'features[1]: duplicate name "x"',
    ],
    [
      "model files: a label that is not a string is an error",
      (m) => ({ ...m, labels: ["a", null] }),
      "labels[1]: expected a string, got null",
    ],
    [
      "model files: metrics that are a string are an error",
      (m) => ({ ...m, metrics: "good" }),
      'metrics: expected an object of names to numbers, got "good"',
    ],
    [
      "model files: a metric that is not a number is an error",
      (m) => ({ ...m, metrics: { loss: "low" } }),
      'metrics.loss: expected a finite number or null, got "low"',
    ],
    [
      "model files: a config that is not an object is an error",
      (m) => ({ ...m, config: [1] }),
      "config: expected an object (the resolved training config), got an array of 1",
    ],
    [
      "a hidden softmax layer's error names the file",
      (m) => layer(m, 0, { activation: "softmax" }),
      "layers[0].activation: softmax is for the output layer only",
    ],
    [
      "a one-unit softmax output",
      (m) => layer(m, 2, { activation: "softmax" }),
      "layers[2].activation: softmax needs at least 2 units, got 1",
    ],
  ];
  for (const [name, corrupt, detail] of cases) {
    await t.step(name, () => {
      const text = JSON.stringify(corrupt(validModel()));
      assertModelError(() => parseModel(text), detail);
      assertModelError(() => parseModel(text, { file }), `${file}: ${detail}`);
    });
  }
  await t.step("invalid JSON", () => {
    const text = '{"format": "termnet-model", ';
    let reason = "";
    try {
      JSON.parse(text);
    } catch (error) {
      reason = (error as Error).message;
    }
    assertModelError(
      () => parseModel(text, { file }),
      `${file}: Cannot read the model: invalid JSON (${reason})`,
    );
  });
});

/** The model with layer `index` changed by `changes`. */
function layer(model: Record<string, unknown>, index: number, changes: Record<string, unknown>) {
  const layers = [...(model.layers as Record<string, unknown>[])];
  layers[index] = { ...layers[index], ...changes };
  return { ...model, layers };
}

Deno.test("ModelFileError carries the file and the key path", () => {
  const text = JSON.stringify(layer(validModel(), 1, { weights: [[1, 2, 3], [4, 5, 6]] }));
  assert.throws(() => parseModel(text, { file: "m.json" }), (error: unknown) => {
    assert.ok(error instanceof ModelFileError);
    assert.strictEqual(error.file, "m.json");
    assert.strictEqual(error.path, "layers[1].weights");
    assert.strictEqual(error.detail, "expected 3 rows of 3, got 2 rows");
    return true;
  });
});

Deno.test("validateModelJson() accepts the optional fields the trainer writes", () => {
  const model = {
    ...validModel(),
    preprocessing: { kind: "minmax", shift: [0, 1], factor: [0.5, 2] },
    labels: ["no", "yes"],
    features: ["x1", "x2"],
    config: { anything: true },
    metrics: { loss: 0.1, accuracy: null },
  };
  assert.strictEqual(validateModelJson(model), model);
});

Deno.test("loadModel() reports a missing file and a corrupt file with the path", async () => {
  await withTempDir(async (dir) => {
    const missing = `${dir}/nope.json`;
    await assert.rejects(loadModel(missing), {
      name: "ModelFileError",
      message: `${missing}: Cannot read the model: not found`,
    });
    const corrupt = `${dir}/corrupt.json`;
    await Deno.writeTextFile(corrupt, JSON.stringify({ ...validModel(), version: 2 }));
    await assert.rejects(loadModel(corrupt), {
      name: "ModelFileError",
      message: `${corrupt}: version: unsupported model file version 2 (this build reads version 1)`,
    });
  });
});

Deno.test("saveModel() refuses a NaN weight and leaves the earlier file intact", async () => {
  await withTempDir(async (dir) => {
    const net = await trainedNetwork();
    const path = `${dir}/model.json`;
    await saveModel(path, net);
    const before = await Deno.readTextFile(path);
    net.layers[1].weights.set(2, 0, NaN);
    await assert.rejects(saveModel(path, net), {
      name: "ModelFileError",
      message: "Cannot save the model: layers[1] holds a non-finite value (NaN or infinity)",
    });
    net.layers[1].weights.set(2, 0, 0);
    net.layers[2].biases[0] = -Infinity;
    await assert.rejects(saveModel(path, net), {
      name: "ModelFileError",
      message: "Cannot save the model: layers[2] holds a non-finite value (NaN or infinity)",
    });
    assert.strictEqual(await Deno.readTextFile(path), before);
    assert.deepStrictEqual(await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name), ["model.json"]);
  });
});

Deno.test("saveModel() that fails while writing leaves the earlier file intact and no temporary file", async () => {
  await withTempDir(async (dir) => {
    const net = await trainedNetwork();
    // The target is a non-empty folder: the temporary file is written, then the rename over it fails.
    const target = `${dir}/model.json`;
    await Deno.mkdir(target);
    await Deno.writeTextFile(`${target}/keep.txt`, "earlier");
    await assert.rejects(saveModel(target, net));
    assert.strictEqual(await Deno.readTextFile(`${target}/keep.txt`), "earlier");
    assert.deepStrictEqual(await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name), ["model.json"]);
    // A folder that does not exist: nothing is written anywhere.
    await assert.rejects(saveModel(`${dir}/missing/model.json`, net), Deno.errors.NotFound);
    assert.deepStrictEqual(await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name), ["model.json"]);
  });
});

Deno.test("saveModel() replaces an earlier file completely", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/model.json`;
    await Deno.writeTextFile(path, "x".repeat(100_000));
    const model: ModelJson = networkToJson(new Network({ input: 1, output: 1 }));
    await saveModel(path, model);
    assert.deepStrictEqual(await loadModel(path), model);
  });
});

/** Every path (as a list of keys and indexes) to a value inside `value`, the root included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  }
  return out;
}

/** A copy of `root` with the value at `path` replaced (or removed when `replacement` is `undefined`). */
function mutate(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

Deno.test("parseModel() on mutated model files: a ModelFileError naming a field, or a loadable model", () => {
  const full = {
    ...validModel(),
    preprocessing: { kind: "minmax", shift: [0, 1], factor: [0.5, 2] },
    labels: ["no", "yes"],
    features: ["x1", "x2"],
    config: { name: "xor" },
    metrics: { loss: 0.1, accuracy: null },
  };
  const paths = pathsOf(full);
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          path: fc.integer({ min: 0, max: paths.length - 1 }),
          value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string()),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      (mutations) => {
        let model: unknown = full;
        for (const { path, value } of mutations) {
          const live = pathsOf(model);
          model = mutate(model, live[path % live.length], value);
        }
        const text = JSON.stringify(model) ?? "undefined";
        try {
          networkFromJson(parseModel(text, { file: "m.json" }), { file: "m.json" });
        } catch (error) {
          assert.ok(error instanceof ModelFileError, `expected a ModelFileError, got ${error}`);
          assert.ok(error.message.startsWith("m.json: "), error.message);
          assert.ok(!error.message.includes("\n"), error.message);
          const isObject = typeof model === "object" && model !== null && !Array.isArray(model);
          if (isObject) assert.ok(error.path !== undefined && error.path !== "", error.message);
        }
      },
    ),
    { numRuns: 2000, seed: 12 },
  );
});

Deno.test("saveModel(): a run never writes a model.json its own loader rejects", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/model.json`;
    const model = {
      ...networkToJson(new Network({ input: 2, output: 1, seed: 3 })),
      preprocessing: { kind: "scale", shift: [0, 0], factor: [Infinity, 1] },
    };
    await assert.rejects(saveModel(path, model), {
      name: "ModelFileError",
      message: "preprocessing.factor[0]: Cannot save the model: expected a finite number, got null",
    });
    assert.throws(() => stringifyModel({ ...model, features: ["a", "a"] }), {
      name: "ModelFileError",
    });
    assert.deepStrictEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  });
});
