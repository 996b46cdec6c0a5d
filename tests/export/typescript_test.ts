// Tests of the TypeScript export: the generated module is imported and must give termnet's predictions, bit for bit.

import assert from "node:assert/strict";
import { modelToTypeScript } from "../../src/export/typescript.ts";
import { ModelFileError } from "../../src/errors.ts";
import type { ModelJson } from "../../src/nn/serialize.ts";
import { CASES, randomInputs, randomModel, referencePredict } from "./_models.ts";

/** What a generated module exports (classNames and classify only for classifiers). */
interface Generated {
  inputSize: number;
  outputSize: number;
  featureNames?: readonly string[];
  classNames?: readonly string[];
  predict(input: readonly number[]): number[];
  classify?(input: readonly number[]): { label: string; index: number; probability: number };
}

/** Writes the module text to a temporary file and imports it, as a user of the generated file would. */
async function importGenerated(code: string): Promise<{ module: Generated; path: string }> {
  const path = await Deno.makeTempFile({ prefix: "termnet_export_", suffix: ".ts" });
  await Deno.writeTextFile(path, code);
  return { module: await import(`file://${path}`) as Generated, path };
}

Deno.test("modelToTypeScript() gives bit-identical predictions for every activation, preprocessing included", async (t) => {
  for (const [i, c] of CASES.entries()) {
    await t.step(c.name, async () => {
      const model = randomModel(c.hidden, c.output, 100 + i);
      const { module, path } = await importGenerated(modelToTypeScript(model));
      try {
        const inputs = randomInputs(50, model.input, 200 + i);
        const expected = referencePredict(model, inputs);
        assert.equal(module.inputSize, 5);
        assert.equal(module.outputSize, expected[0].length);
        assert.deepStrictEqual(module.featureNames, ["a", "b", "c", "d", "e"]);
        // deepStrictEqual compares numbers with Object.is: bit-identical, -0 included
        assert.deepStrictEqual(inputs.map((row) => module.predict(row)), expected);
      } finally {
        await Deno.remove(path);
      }
    });
  }
});

Deno.test("modelToTypeScript() classify() picks the class the CLI's predict prints", async (t) => {
  await t.step("softmax: the most probable class", async () => {
    const model = randomModel("tanh", "softmax", 7);
    const { module, path } = await importGenerated(modelToTypeScript(model));
    try {
      assert.deepStrictEqual(module.classNames, ["north", "east", "south", "west"]);
      const seen = new Set<string>();
      for (const row of randomInputs(100, 5, 8)) {
        const p = module.predict(row);
        const result = module.classify!(row);
        assert.equal(result.index, p.indexOf(Math.max(...p)));
        assert.equal(result.label, module.classNames![result.index]);
        assert.equal(result.probability, p[result.index]);
        seen.add(result.label);
      }
      assert.ok(seen.size >= 2, `only ${[...seen]} predicted`);
    } finally {
      await Deno.remove(path);
    }
  });
  await t.step("one sigmoid unit: class 1 from 0.5 on", async () => {
    const model: ModelJson = {
      format: "termnet-model",
      version: 1,
      input: 1,
      layers: [{ units: 1, activation: "sigmoid", weights: [[1]], bias: [0] }],
      labels: ["no", "yes"],
    };
    const { module, path } = await importGenerated(modelToTypeScript(model));
    try {
      assert.deepStrictEqual(module.classify!([0]), { label: "yes", index: 1, probability: 0.5 });
      const no = module.classify!([-2]);
      assert.equal(no.label, "no");
      assert.equal(no.probability, 1 - module.predict([-2])[0]);
    } finally {
      await Deno.remove(path);
    }
  });
});

Deno.test("modelToTypeScript() writes a module that type-checks and lints clean, and imports nothing", async () => {
  const model = randomModel("relu", "softmax", 3);
  const code = modelToTypeScript(model, { source: "runs/demo/model.json" });
  assert.ok(!/^\s*(import|export\s.*\sfrom)\b/m.test(code), "the module imports something");
  const dir = await Deno.makeTempDir({ prefix: "termnet_export_check_" });
  try {
    await Deno.writeTextFile(`${dir}/model.ts`, code);
    for (const args of [["check", "model.ts"], ["lint", "model.ts"]]) {
      const result = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
      assert.equal(result.code, 0, `deno ${args.join(" ")}: ${text}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("modelToTypeScript() keeps hostile names inside their string literals", async () => {
  const model = randomModel("sigmoid", "softmax", 5);
  model.labels = ['a"; throw 1; "', "b\u2028throw 2", "c */ throw 3 /*", "d\nthrow 4"];
  model.features = ["`${x}`", "\\", "'", "\u2029", "e"];
  const { module, path } = await importGenerated(modelToTypeScript(model, { source: "x\u2028throw 5" }));
  try {
    assert.deepStrictEqual(module.classNames, model.labels);
    assert.deepStrictEqual(module.featureNames, model.features);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("modelToTypeScript() predict() rejects an input of the wrong length", async () => {
  const { module, path } = await importGenerated(modelToTypeScript(randomModel("tanh", "linear", 1)));
  try {
    assert.throws(() => module.predict([1, 2]), {
      name: "TypeError",
      message: "Cannot predict: expected 5 features, got 2",
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("modelToTypeScript() refuses an invalid model with the loader's message", () => {
  const model = randomModel("tanh", "linear", 1);
  model.layers[1].bias = [1];
  assert.throws(() => modelToTypeScript(model), ModelFileError);
});
