import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { FASHION_MNIST_CLASSES, idxToDataset, parseIdx } from "../../src/data/idx.ts";
import { loadDataset } from "../../src/data/load.ts";
import { DataError } from "../../src/errors.ts";
import { Matrix } from "../../src/math/matrix.ts";
import { Rng } from "../../src/math/random.ts";
import { FULL_FASHION_DIR, withoutFullFashion } from "../_full_dataset.ts";

function idxBytes(dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 + dims.length);
  dims.forEach((dim, k) => view.setUint32(4 + 4 * k, dim));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function rejection(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

const IMAGES = idxBytes([3, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const LABELS = idxBytes([3], [2, 0, 9]);

Deno.test("parseIdx() round-trips raw and gzipped images and labels", async (t) => {
  for (const [name, wrap] of [["raw", (b: Uint8Array) => Promise.resolve(b)], ["gzip", gzip]] as const) {
    await t.step(name, async () => {
      const images = await parseIdx(await wrap(IMAGES));
      assert.deepEqual(images.dims, [3, 2, 2]);
      assert.deepEqual([...images.data], [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const labels = await parseIdx(await wrap(LABELS));
      assert.deepEqual(labels.dims, [3]);
      assert.deepEqual([...labels.data], [2, 0, 9]);
    });
  }
});

Deno.test("parseIdx() rejects a wrong magic number naming the file", async () => {
  const bytes = LABELS.slice();
  bytes[2] = 0x0d;
  const error = await rejection(parseIdx(bytes, { file: "labels.idx" }));
  assert.equal(
    error.message,
    'labels.idx: Cannot read IDX file: expected magic number 0x00000801 (labels) or 0x00000803 (images), got "0x00000d01"',
  );
});

Deno.test("parseIdx() rejects a truncated file with expected and actual sizes", async () => {
  const error = await rejection(parseIdx(IMAGES.subarray(0, IMAGES.length - 5), { file: "images.idx" }));
  assert.equal(
    error.message,
    "images.idx: Cannot read IDX file: the header says 3×2×2 = 12 bytes of data, got 7",
  );
  const header = await rejection(parseIdx(IMAGES.subarray(0, 10), { file: "images.idx" }));
  assert.equal(
    header.message,
    "images.idx: Cannot read IDX file: expected a 16-byte header for 3 dimensions, got 10 bytes",
  );
});

Deno.test("parseIdx() rejects a truncated gzip stream", async () => {
  const zipped = await gzip(IMAGES);
  const error = await rejection(parseIdx(zipped.subarray(0, zipped.length - 12), { file: "images.gz" }));
  assert.match(error.message, /^images\.gz: Cannot decompress gzip data: /);
});

Deno.test("idxToDataset() keeps bytes, one-hot targets and applies a limit", async () => {
  const data = idxToDataset(await parseIdx(IMAGES), await parseIdx(LABELS), { limit: 2, fashion: true });
  assert.equal(data.size, 2);
  assert.equal(data.inputSize, 4);
  assert.ok(data.rawFeatureData instanceof Uint8Array);
  assert.deepEqual(data.classNames, FASHION_MNIST_CLASSES);
  assert.deepEqual([...data.labels!], [2, 0]);
  const x = new Matrix(1, 4), y = new Matrix(1, 10);
  data.gather(x, y, new Uint32Array([0]), 0);
  assert.deepEqual([...x.data], [0, 255, 1, 2]);
  assert.equal(y.get(0, 2), 1);
});

Deno.test("idxToDataset() rejects labels that do not match the images", async () => {
  const error = await rejection(
    (async () =>
      idxToDataset(await parseIdx(IMAGES), await parseIdx(idxBytes([2], [1, 2])), {
        imagesFile: "i.idx",
        labelsFile: "l.idx",
      }))(),
  );
  assert.equal(
    error.message,
    'l.idx: Cannot use IDX labels: expected 3 labels to match the images in "i.idx", got 2',
  );
});

Deno.test({
  name: "loadDataset() reads a 1000-sample slice of the full Fashion-MNIST",
  ignore: withoutFullFashion(),
  fn: async () => {
    assert.ok(FULL_FASHION_DIR !== undefined, "Fashion-MNIST is not on this machine");
    const dir = FULL_FASHION_DIR;
    const { train, test, preprocessing } = await loadDataset({
      source: "idx",
      images: `${dir}/train-images-idx3-ubyte.gz`,
      labels: `${dir}/train-labels-idx1-ubyte.gz`,
      limit: 1000,
      testSplit: 0.1,
      normalize: "scale",
      scale: 255,
    }, { rng: new Rng(42) });
    assert.equal(train.size, 900);
    assert.equal(test?.size, 100);
    assert.equal(train.inputSize, 784);
    assert.equal(train.targetSize, 10);
    assert.equal(train.classNames?.[9], "Ankle boot");
    assert.ok(train.rawFeatureData instanceof Uint8Array);
    assert.equal(preprocessing.factor[0], 1 / 255);
    const x = train.features();
    assert.ok(x.data.every((v) => v >= 0 && v <= 1));
    // Every class appears in a stratified split of 1000 samples.
    assert.equal(new Set(test!.labels).size, 10);
  },
});

Deno.test("parseIdx(): a gzip bomb gives a one-line error after decompressing no more than its header says", async (t) => {
  await t.step(
    "a small header followed by 64 MiB of zeros stops one byte past the header's size",
    async () => {
      const header = idxBytes([10, 2, 2], new Array(40).fill(1));
      const bomb = new Uint8Array(header.length + 64 * 2 ** 20);
      bomb.set(header);
      const error = await rejection(parseIdx(await gzip(bomb), { file: "bomb.gz" }));
      assert.equal(
        error.message,
        "bomb.gz: Cannot read IDX file: the header says 10×2×2 = 40 bytes of data, got more",
      );
    },
  );
  await t.step("a header that announces more than the limit is refused before the data", async () => {
    const bomb = new Uint8Array(16 + 4 * 2 ** 20);
    bomb.set(idxBytes([4096, 32, 32], []));
    const error = await rejection(parseIdx(await gzip(bomb), { file: "big.gz", maxBytes: 2 ** 20 }));
    assert.equal(
      error.message,
      "big.gz: Cannot read IDX file: the header says 4096×32×32 = 4194304 bytes of data, more than the 1 MiB limit",
    );
    // the same for an uncompressed file
    const raw = await rejection(parseIdx(bomb, { file: "big.idx", maxBytes: 2 ** 20 }));
    assert.match(raw.message, /more than the 1 MiB limit$/);
  });
  await t.step("a wrong magic number stops decompression at once", async () => {
    const bomb = new Uint8Array(32 * 2 ** 20).fill(7);
    const error = await rejection(parseIdx(await gzip(bomb), { file: "x.gz" }));
    assert.match(error.message, /^x\.gz: Cannot read IDX file: expected magic number .* got "0x07070707"$/);
  });
  await t.step("a file exactly as large as its header says still loads", async () => {
    const values = Array.from({ length: 40 }, (_, i) => i);
    const parsed = await parseIdx(await gzip(idxBytes([10, 2, 2], values)), { maxBytes: 40 });
    assert.deepEqual(Array.from(parsed.data), values);
  });
});

Deno.test("parseIdx() on mutated headers and sizes: a DataError naming the file, or data that matches the header", async () => {
  const valid = idxBytes([3, 2, 2], Array.from({ length: 12 }, (_, i) => i));
  const compressed = await gzip(valid);
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.integer({ min: -8, max: 8 }),
      async (zipped, edits, resize) => {
        const bytes = (zipped ? compressed : valid).slice();
        for (const { at, byte } of edits) bytes[at % bytes.length] = byte;
        const sized = resize < 0
          ? bytes.slice(0, Math.max(0, bytes.length + resize))
          : Uint8Array.from([...bytes, ...new Array(resize).fill(0)]);
        try {
          const parsed = await parseIdx(sized, { file: "m.idx", maxBytes: 1 << 20 });
          assert.equal(parsed.data.length, parsed.dims.reduce((a, b) => a * b, 1));
        } catch (error) {
          assert.ok(error instanceof DataError, `expected a DataError, got ${error}`);
          assert.ok(error.message.startsWith("m.idx: "), error.message);
        }
      },
    ),
    { numRuns: 1000, seed: 9 },
  );
});
