import assert from "node:assert/strict";
import { generate, GENERATOR_NAMES, xor } from "../../src/data/builtin.ts";
import { Rng } from "../../src/math/random.ts";

Deno.test("xor() gives exactly the four points without samples or noise", () => {
  const data = xor(new Rng(1));
  assert.deepEqual(data.features().toArray(), [[0, 0], [0, 1], [1, 0], [1, 1]]);
  assert.deepEqual([...data.labels!], [0, 1, 1, 0]);
  assert.deepEqual(data.targets().toArray(), [[0], [1], [1], [0]]);
});

Deno.test("xor() with samples and noise gives noisy corners with XOR labels", () => {
  const data = xor(new Rng(1), { samples: 100, noise: 0.05 });
  assert.equal(data.size, 100);
  const x = data.features();
  for (let i = 0; i < data.size; i++) {
    const a = Math.round(x.get(i, 0)), b = Math.round(x.get(i, 1));
    assert.equal(data.labels![i], a ^ b);
  }
});

Deno.test("generate() is deterministic for a seed and balanced for every generator", async (t) => {
  for (const name of GENERATOR_NAMES) {
    await t.step(name, () => {
      const a = generate(name, new Rng(3), { samples: 200, noise: 0.1 });
      const b = generate(name, new Rng(3), { samples: 200, noise: 0.1 });
      assert.equal(a.size, 200);
      assert.deepEqual(a.features().data, b.features().data);
      assert.deepEqual(a.targets().data, b.targets().data);
      if (name === "sine") {
        assert.equal(a.task, "regression");
        assert.ok(a.features().data.every((x) => x >= -Math.PI && x <= Math.PI));
      } else {
        assert.equal(a.inputSize, 2);
        const ones = a.labels!.reduce((sum, label) => sum + label, 0);
        assert.ok(ones > 70 && ones < 130, `${name}: ${ones} of 200 in class 1`);
      }
    });
  }
});

Deno.test("generate() rejects a non-positive sample count", () => {
  assert.throws(() => generate("spiral", new Rng(1), { samples: 0 }), RangeError);
});
