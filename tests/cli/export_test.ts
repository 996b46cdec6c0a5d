// End-to-end tests of `deno task export`: a trained model exported to ONNX and TypeScript, and the errors.

import assert from "node:assert/strict";
import { runOnnx } from "../_onnx_runtime.ts";
import { loadModel } from "../../src/nn/serialize.ts";
import { randomInputs, referencePredict } from "../export/_models.ts";
import { runCli, snapshotDir, tempDir } from "./_run.ts";

Deno.test("export writes an ONNX file and a TypeScript module of a trained iris model that match predict", async () => {
  await using tmp = await tempDir();
  const train = await runCli("train", [
    "configs/iris.yaml",
    "--headless",
    "--epochs",
    "20",
    "--out",
    tmp.path,
  ]);
  assert.equal(train.code, 0, train.stderr);
  const modelPath = `${tmp.path}/model.json`;
  const result = await runCli("export", [
    modelPath,
    "--onnx",
    `${tmp.path}/iris.onnx`,
    "--ts",
    `${tmp.path}/iris.ts`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /iris\.onnx: ONNX opset 13, input "input" \[N, 4\], \d+ bytes\n/);
  assert.match(result.stdout, /iris\.ts: TypeScript module, predict\(input\) on 4 raw features/);
  // written atomically: no temporary file is left beside the outputs
  const names = [...(await snapshotDir(tmp.path)).keys()].sort();
  assert.deepStrictEqual(names, [
    "checkpoint.bin",
    "config.yaml",
    "iris.onnx",
    "iris.ts",
    "metrics.jsonl",
    "model.json",
    "timeline.bin",
  ]);

  const model = await loadModel(modelPath);
  assert.equal(model.preprocessing?.kind, "zscore");
  // raw measurements in the iris range, 4–8 cm
  const inputs = randomInputs(30, 4, 1).map((row) => row.map((v) => Math.fround(6 + v / 2.5)));
  const expected = referencePredict(model, inputs);

  const module = await import(`file://${tmp.path}/iris.ts`);
  assert.deepStrictEqual(inputs.map((row) => module.predict(row)), expected);
  assert.deepStrictEqual(module.classNames, ["setosa", "versicolor", "virginica"]);

  const answer = await runOnnx(`${tmp.path}/iris.onnx`, [{ inputs, dtype: "float32" }]);
  const output = answer.outputs[0].rows.flat();
  expected.flat().forEach((p, i) => assert.ok(Math.abs(output[i] - p) <= 1e-5, `${output[i]} vs ${p}`));
});

Deno.test("export with --float64 writes double tensors", async () => {
  await using tmp = await tempDir();
  const train = await runCli("train", ["configs/xor.yaml", "--headless", "--epochs", "5", "--out", tmp.path]);
  assert.equal(train.code, 0, train.stderr);
  const result = await runCli("export", [
    `${tmp.path}/model.json`,
    "--onnx",
    `${tmp.path}/xor.onnx`,
    "--float64",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const answer = await runOnnx(`${tmp.path}/xor.onnx`, [{ inputs: [[0, 1], [1, 1]], dtype: "float64" }]);
  const output = answer.outputs[0];
  assert.equal(output.type, "float64");
  const expected = referencePredict(await loadModel(`${tmp.path}/model.json`), [[0, 1], [1, 1]]).flat();
  expected.forEach((p, i) => assert.ok(Math.abs(output.rows.flat()[i] - p) <= 1e-15));
});

Deno.test("export errors are one line with the right exit code, and write nothing", async (t) => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/corrupt.json`, "{");
  await Deno.writeTextFile(
    `${tmp.path}/short.json`,
    JSON.stringify({ format: "termnet-model", version: 1, input: 2, layers: [] }),
  );
  const cases: { name: string; args: string[]; code: number; message: string | RegExp }[] = [
    {
      name: "a missing model",
      args: [`${tmp.path}/missing.json`, "--onnx", `${tmp.path}/out.onnx`],
      code: 2,
      message: `${tmp.path}/missing.json: Cannot read the model: not found`,
    },
    {
      name: "a corrupt model",
      args: [`${tmp.path}/corrupt.json`, "--ts", `${tmp.path}/out.ts`],
      code: 2,
      message: new RegExp(`^${tmp.path}/corrupt\\.json: Cannot read the model: invalid JSON \\(.*\\)$`),
    },
    {
      name: "a model with no layers",
      args: [`${tmp.path}/short.json`, "--onnx", `${tmp.path}/out.onnx`],
      code: 2,
      message: `${tmp.path}/short.json: layers: expected a non-empty array of layers, got an array of 0`,
    },
    {
      name: "neither --onnx nor --ts",
      args: [`${tmp.path}/corrupt.json`],
      code: 2,
      message: "export needs --onnx FILE or --ts FILE (see --help)",
    },
    {
      name: "no model file",
      args: ["--onnx", `${tmp.path}/out.onnx`],
      code: 2,
      message: "export expects one model file (see --help)",
    },
    {
      name: "--float64 without --onnx",
      args: [`${tmp.path}/corrupt.json`, "--ts", `${tmp.path}/out.ts`, "--float64"],
      code: 2,
      message: "--float64 applies to --onnx only (the TypeScript module computes in float64)",
    },
    {
      name: "an unknown option",
      args: [`${tmp.path}/corrupt.json`, "--tflite", "x"],
      code: 2,
      message: 'unknown option "--tflite" (see --help)',
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const before = await snapshotDir(tmp.path);
      const result = await runCli("export", c.args);
      assert.equal(result.code, c.code, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.ok(lines[0].startsWith("error: "), lines[0]);
      if (typeof c.message === "string") assert.equal(lines[0].slice(7), c.message);
      else assert.match(lines[0].slice(7), c.message);
      assert.deepStrictEqual(await snapshotDir(tmp.path), before);
    });
  }
});

Deno.test("export into a folder that does not exist is one line naming the file", async () => {
  await using tmp = await tempDir();
  const train = await runCli("train", ["configs/xor.yaml", "--headless", "--epochs", "1", "--out", tmp.path]);
  assert.equal(train.code, 0, train.stderr);
  const out = `${tmp.path}/no/such/folder/model.ts`;
  const result = await runCli("export", [`${tmp.path}/model.json`, "--ts", out]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `error: ${out}: Cannot write the export: its folder does not exist\n`);
});
