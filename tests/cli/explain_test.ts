// End-to-end tests of `deno task explain`: its JSON against a computation from the model file, gradients, errors.

import assert from "node:assert/strict";
import { runCli, tempDir } from "./_run.ts";

interface ModelLayer {
  weights: number[][];
  bias: number[];
  activation: string;
}

interface ExplainJson {
  input: number[];
  layers: { z: number[]; a: number[]; delta?: number[]; dW?: number[][]; db?: number[] }[];
  output: number[];
  loss?: number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Forward pass of a sigmoid network from the model file's weights: every z and a (a[0] = x). */
function forward(layers: ModelLayer[], x: number[]): { z: number[][]; a: number[][] } {
  const z: number[][] = [], a: number[][] = [x];
  for (const layer of layers) {
    assert.equal(layer.activation, "sigmoid");
    const below = a[a.length - 1], zl: number[] = [];
    for (let i = 0; i < layer.weights.length; i++) {
      let sum = layer.bias[i];
      for (let j = 0; j < below.length; j++) sum += layer.weights[i][j] * below[j];
      zl.push(sum);
    }
    z.push(zl);
    a.push(zl.map(sigmoid));
  }
  return { z, a };
}

/** MSE of one sample, L = 1/K Σ (ŷ − y)². */
function mse(output: number[], y: number[]): number {
  let sum = 0;
  for (let k = 0; k < output.length; k++) sum += (output[k] - y[k]) ** 2;
  return sum / output.length;
}

/** The backward pass by hand: δ at the output from the MSE derivative 2(ŷ − y)/K · σ'(z), then the chain rule. */
function backward(layers: ModelLayer[], x: number[], y: number[]) {
  const { z, a } = forward(layers, x);
  const L = layers.length, out = a[L];
  const delta: number[][] = new Array(L);
  delta[L - 1] = out.map((p, k) => 2 * (p - y[k]) / out.length * p * (1 - p));
  for (let l = L - 2; l >= 0; l--) {
    delta[l] = a[l + 1].map((al, i) => {
      let sum = 0;
      for (let k = 0; k < layers[l + 1].weights.length; k++) {
        sum += layers[l + 1].weights[k][i] * delta[l + 1][k];
      }
      return sum * al * (1 - al);
    });
  }
  const dW = delta.map((d, l) => d.map((di) => a[l].map((aj) => di * aj)));
  return { z, a, delta, dW, loss: mse(out, y) };
}

function assertNear(
  actual: number[] | number[][],
  expected: number[] | number[][],
  what: string,
  tolerance = 1e-9,
) {
  const got = actual.flat(), want = expected.flat();
  assert.equal(got.length, want.length, `${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tolerance, `${what}[${i}]: ${got[i]}, expected ${want[i]}`);
  }
}

const XOR = [{ x: [0, 0], y: 0 }, { x: [0, 1], y: 1 }, { x: [1, 0], y: 1 }, { x: [1, 1], y: 0 }];

Deno.test("explain on the XOR model", async (t) => {
  await using tmp = await tempDir();
  const trained = await runCli("train", ["configs/xor.yaml", "--headless", "--out", `${tmp.path}/xor`]);
  assert.equal(trained.code, 0, trained.stderr);
  const modelPath = `${tmp.path}/xor/model.json`;
  const model = JSON.parse(await Deno.readTextFile(modelPath));
  const layers: ModelLayer[] = model.layers;
  const explain = async (args: string[]) => await runCli("explain", [modelPath, ...args]);

  await t.step("--json equals a computation from the model file to 1e-9, for all four inputs", async () => {
    for (const { x, y } of XOR) {
      const run = await explain(["--input", x.join(","), "--target", String(y), "--json"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.equal(run.stdout.trimEnd().split("\n").length, 1, "one line, one object");
      const got: ExplainJson = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(got), ["input", "layers", "output", "loss"]);
      const want = backward(layers, x, [y]);
      assertNear(got.input, x, "input");
      assert.equal(got.layers.length, layers.length);
      got.layers.forEach((layer, l) => {
        assert.deepEqual(Object.keys(layer), ["z", "a", "delta", "dW", "db"]);
        assertNear(layer.z, want.z[l], `layers[${l}].z`);
        assertNear(layer.a, want.a[l + 1], `layers[${l}].a`);
        assertNear(layer.delta!, want.delta[l], `layers[${l}].delta`);
        assertNear(layer.db!, want.delta[l], `layers[${l}].db`);
        assert.equal(layer.dW!.length, layers[l].weights.length, "dW is units × inputs");
        assert.equal(layer.dW![0].length, layers[l].weights[0].length, "dW is units × inputs");
        assertNear(layer.dW!, want.dW[l], `layers[${l}].dW`);
      });
      assertNear(got.output, want.a[layers.length], "output");
      assert.ok(Math.abs(got.loss! - want.loss) <= 1e-9, `loss ${got.loss}, expected ${want.loss}`);
    }
  });

  await t.step(
    "--json dW and db agree with central finite differences of the model file's loss",
    async () => {
      const x = [1, 0], y = [1];
      const run = await explain(["--input", "1,0", "--target", "1", "--json"]);
      const got: ExplainJson = JSON.parse(run.stdout);
      const h = 1e-6;
      let checked = 0;
      const lossAt = () => mse(forward(layers, x).a[layers.length], y);
      const numeric = (values: number[], i: number) => {
        const saved = values[i];
        values[i] = saved + h;
        const up = lossAt();
        values[i] = saved - h;
        const down = lossAt();
        values[i] = saved;
        return (up - down) / (2 * h);
      };
      const check = (analytic: number, estimate: number, what: string) => {
        const error = Math.abs(analytic - estimate) / Math.max(1e-6, Math.abs(analytic) + Math.abs(estimate));
        assert.ok(error < 1e-6, `${what}: ${analytic} vs numeric ${estimate} (relative error ${error})`);
        checked++;
      };
      layers.forEach((layer, l) => {
        layer.weights.forEach((row, i) => {
          row.forEach((_, j) => check(got.layers[l].dW![i][j], numeric(row, j), `dW${l + 1}[${i}][${j}]`));
          check(got.layers[l].db![i], numeric(layer.bias, i), `db${l + 1}[${i}]`);
        });
      });
      assert.equal(checked, 2 * 3 + 3 + 3 * 3 + 3 + 3 + 1);
    },
  );

  await t.step("without --target only the forward part", async () => {
    const run = await explain(["--input", "0,1", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const got: ExplainJson = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(got), ["input", "layers", "output"]);
    for (const layer of got.layers) assert.deepEqual(Object.keys(layer), ["z", "a"]);
    assertNear(got.output, forward(layers, [0, 1]).a[layers.length], "output");
  });

  await t.step("human output: every layer's formulas and shapes beside the numbers", async () => {
    const run = await explain(["--input", "0,1", "--target", "1"]);
    assert.equal(run.code, 0, run.stderr);
    const text = run.stdout;
    for (
      const formula of [
        /x = a⁰ +\(2\) +0 +1\n/,
        /z¹ = W¹·x \+ b¹ +\(3\)( +-?\d\.\d{4}){3}\n/,
        /a¹ = σ\(z¹\) +\(3\)/,
        /z² = W²·a¹ \+ b² +\(3\)/,
        /ŷ = a³ = σ\(z³\) +\(1\)/,
        /L = 1\/K·Σ\(ŷ − y\)²/,
        /δ³ = ∂L\/∂ŷ ⊙ σ'\(z³\) +\(1\)/,
        /δ² = \(W³ᵀ·δ³\) ⊙ σ'\(z²\) +\(3\)/,
        /∂W² = δ²·\(a¹\)ᵀ +\(3×3\)/,
        /∂W¹ = δ¹·xᵀ +\(3×2\)/,
        /∂b¹ = δ¹ +\(3\)/,
      ]
    ) {
      assert.match(text, formula);
    }
    const forwardOnly = await explain(["--input", "0,1"]);
    assert.doesNotMatch(forwardOnly.stdout, /δ|∂W|L =/);
    assert.match(forwardOnly.stdout, /add --target/);
  });

  await t.step("bad input or target: one line on stderr, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--input", "0,1,1"], /^error: --input expects 2 comma-separated numbers, got 3 \("0,1,1"\)\n$/],
      [["--input", "0,x"], /^error: --input expects numbers, got "x" in "0,x"\n$/],
      [
        ["--input", "0,1", "--target", "2"],
        /^error: --target expects a class name \("0", "1"\) or an index 0–1, got "2"\n$/,
      ],
      [["--input", "0,1", "--target", "yes"], /^error: --target expects a class name/],
      [[], /^error: explain needs --input/],
      [["--input", "0,1", "--bogus"], /^error: unknown option "--bogus" \(see --help\)\n$/],
    ];
    for (const [args, message] of cases) {
      const run = await explain(args);
      assert.equal(run.code, 2, `${args.join(" ")}: exit ${run.code}, ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1);
      assert.equal(run.stdout, "");
    }
  });
});

Deno.test("explain applies the model's preprocessing and takes a class name or index as --target", async () => {
  await using tmp = await tempDir();
  // a hand-written softmax classifier: 2 inputs, 3 classes, z-score preprocessing; trained with cross_entropy
  const weights = [[0.5, -1], [1.5, 0.25], [-0.75, 2]], bias = [0.1, -0.2, 0.3];
  const model = {
    format: "termnet-model",
    version: 1,
    input: 2,
    layers: [{ units: 3, activation: "softmax", weights, bias }],
    preprocessing: { kind: "zscore", shift: [10, -2], factor: [0.5, 2] },
    labels: ["cat", "dog", "bird"],
  };
  const path = `${tmp.path}/model.json`;
  await Deno.writeTextFile(path, JSON.stringify(model));
  const x = [(12 - 10) * 0.5, (-1.5 + 2) * 2];
  const z = weights.map((row, i) => row[0] * x[0] + row[1] * x[1] + bias[i]);
  const max = Math.max(...z), e = z.map((v) => Math.exp(v - max)), sum = e[0] + e[1] + e[2];
  const p = e.map((v) => v / sum);
  for (const target of ["dog", "1"]) {
    const run = await runCli("explain", [path, "--input", "12,-1.5", "--target", target, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const got: ExplainJson = JSON.parse(run.stdout);
    assertNear(got.input, x, "input after preprocessing");
    assertNear(got.layers[0].z, z, "z");
    assertNear(got.output, p, "softmax output");
    // cross-entropy after softmax: L = −ln p_dog, δ = p − y with y one-hot
    assert.ok(Math.abs(got.loss! + Math.log(p[1])) < 1e-12);
    assertNear(got.layers[0].delta!, [p[0], p[1] - 1, p[2]], "delta");
  }
  const human = await runCli("explain", [path, "--input", "12,-1.5", "--target", "dog"]);
  assert.match(human.stdout, /loss cross_entropy/);
  assert.match(human.stdout, /raw input +\(2\) +12 +-1\.5000/);
  assert.match(human.stdout, /y \(target\) +\(3\) +one-hot #1 {2}"dog"/);
  assert.match(human.stdout, /δ¹ = ŷ − y +\(3\)/);
});

Deno.test("explain shows norms and the largest units for wide layers", async () => {
  await using tmp = await tempDir();
  const inputs = 40, units = 20;
  const weights = Array.from(
    { length: units },
    (_, i) => Array.from({ length: inputs }, (_, j) => ((i * 7 + j * 3) % 11 - 5) / 50),
  );
  const model = {
    format: "termnet-model",
    version: 1,
    input: inputs,
    layers: [
      { units, activation: "tanh", weights, bias: new Array(units).fill(0) },
      { units: 1, activation: "linear", weights: [new Array(units).fill(0.1)], bias: [0] },
    ],
  };
  const path = `${tmp.path}/wide.json`;
  await Deno.writeTextFile(path, JSON.stringify(model));
  const input = Array.from({ length: inputs }, (_, j) => (j % 5) / 4).join(",");
  const run = await runCli("explain", [path, "--input", input, "--target", "0.5"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /x = a⁰ +\(40\) +‖·‖ \d\.\d{4} +top +#\d+ /);
  assert.match(run.stdout, /z¹ = W¹·x \+ b¹ +\(20\) +‖·‖ /);
  assert.match(run.stdout, /∂W¹ = δ¹·xᵀ +\(20×40\) +‖∂W¹‖ = ‖δ¹‖·‖x‖ = \S+ +top rows +#\d+ \d/);
  assert.match(
    run.stdout,
    /∂W² = δ²·\(a¹\)ᵀ +\(1×20\)( +-?\d\.\d{4}| +0){7}\n {30,}( +-?\d\.\d{4}| +0){7}\n/,
  );
  for (const line of run.stdout.split("\n")) assert.ok([...line].length <= 110, `too wide: ${line}`);
});
