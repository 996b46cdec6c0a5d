import assert from "node:assert/strict";
import { loadDataset } from "../../src/data/load.ts";
import { ConfigError, DataError } from "../../src/errors.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { Rng } from "../../src/math/random.ts";

Deno.test("loadDataset() fits the normalisation on the training split only", async () => {
  const { train, test, preprocessing } = await loadDataset(
    { source: "csv", path: "data/iris.csv", target: "species", testSplit: 0.2, normalize: "zscore" },
    { rng: new Rng(42) },
  );
  assert.equal(train.size, 120);
  assert.equal(test?.size, 30);
  const x = train.features();
  for (let j = 0; j < 4; j++) {
    let mean = 0;
    for (let i = 0; i < x.rows; i++) mean += x.get(i, j) / x.rows;
    assert.ok(Math.abs(mean) < 1e-9, `training column ${j} has mean ${mean}`);
  }
  const raw = train.rawFeatures();
  let rawMean = 0;
  for (let i = 0; i < raw.rows; i++) rawMean += raw.get(i, 0) / raw.rows;
  assert.ok(Math.abs(preprocessing.shift[0] - rawMean) < 1e-12);
  assert.deepEqual(test!.preprocessing, preprocessing);
  for (let c = 0; c < 3; c++) assert.equal(test!.labels!.filter((l) => l === c).length, 10);
});

Deno.test("loadDataset() resolves paths against baseDir and is deterministic", async () => {
  const config = {
    source: "csv",
    path: "../data/iris.csv",
    target: "species",
    testSplit: 0.2,
    normalize: "none",
  };
  const a = await loadDataset(config as never, { baseDir: "configs", rng: new Rng(5) });
  const b = await loadDataset(config as never, { baseDir: "configs", rng: new Rng(5) });
  assert.deepEqual(a.test!.features().data, b.test!.features().data);
});

Deno.test("loadDataset() names a missing file as written and its key", async () => {
  try {
    await loadDataset(
      { source: "csv", path: "data/missing.csv", target: "y", testSplit: 0, normalize: "none" },
      { rng: new Rng(1) },
    );
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof DataError);
    assert.equal(error.message, "data/missing.csv: data.path: Cannot read the file: not found");
  }
});

Deno.test("loadDataset() loads an explicit generated test source with the training classes", async () => {
  const { train, test } = await loadDataset(
    { source: "spiral", samples: 100, testSplit: 0, test: { samples: 50 }, normalize: "minmax" },
    { rng: new Rng(2) },
  );
  assert.equal(train.size, 100);
  assert.equal(test?.size, 50);
  assert.deepEqual(test!.classNames, train.classNames);
});

Deno.test("loadDataset() reads CSV rows as images with data.image and checks the pixel count", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_image_" });
  try {
    const rows = ["a,b,c,d,label", "0,255,255,0,x", "255,0,0,255,y", "0,0,255,255,x"];
    await Deno.writeTextFile(`${dir}/tiny.csv`, rows.join("\n") + "\n");
    const yaml = (image: string) =>
      `data:\n  source: csv\n  path: tiny.csv\n  target: label\n  test_split: 0.34\n  image: ${image}\n`;
    await t.step("a matching size is kept on both splits", async () => {
      await Deno.writeTextFile(`${dir}/ok.yaml`, yaml("[2, 2]"));
      const { config } = await loadConfig(`${dir}/ok.yaml`);
      const { train, test } = await loadDataset(config.data, { baseDir: dir, rng: new Rng(1) });
      assert.deepEqual(train.imageShape, [2, 2]);
      assert.deepEqual(test?.imageShape, [2, 2]);
      assert.deepEqual(train.withTargetEncoding("one-hot").imageShape, [2, 2]);
    });
    await t.step("a size that does not match the features is a located config error", async () => {
      await Deno.writeTextFile(`${dir}/bad.yaml`, yaml("[3, 3]"));
      const { config } = await loadConfig(`${dir}/bad.yaml`);
      await assert.rejects(
        () => loadDataset(config.data, { baseDir: dir, rng: new Rng(1) }),
        (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(
            error.message,
            `${dir}/bad.yaml:6:10: data.image: does not fit the data: a 3×3 image has 9 pixels, the data has 4 features`,
          );
          return true;
        },
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset() keeps the image size of IDX files", async () => {
  const { train, test } = await loadDataset(
    {
      source: "idx",
      images: "data/fashion-mnist-sample/train-images-idx3-ubyte.gz",
      labels: "data/fashion-mnist-sample/train-labels-idx1-ubyte.gz",
      limit: 50,
      testSplit: 0.2,
      normalize: "none",
    },
    { rng: new Rng(1) },
  );
  assert.deepEqual(train.imageShape, [28, 28]);
  assert.deepEqual(test?.imageShape, [28, 28]);
});

Deno.test("loadDataset(): a data.test CSV whose columns are in another order is matched by name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_load_test_" });
  try {
    const rows = [[1, 10, "a"], [2, 20, "b"], [3, 30, "a"], [4, 40, "b"]];
    await Deno.writeTextFile(`${dir}/train.csv`, "x,y,kind\n" + rows.map((r) => r.join(",")).join("\n"));
    await Deno.writeTextFile(
      `${dir}/test.csv`,
      "kind,y,x\n" + rows.map(([x, y, kind]) => [kind, y, x].join(",")).join("\n"),
    );
    const { train, test } = await loadDataset(
      {
        source: "csv",
        path: "train.csv",
        target: "kind",
        testSplit: 0,
        normalize: "none",
        test: { path: "test.csv" },
      },
      { baseDir: dir, rng: new Rng(1) },
    );
    assert.deepEqual(test!.featureNames, ["x", "y"]);
    assert.deepEqual(test!.rawFeatures().data, train.rawFeatures().data);
    assert.deepEqual(test!.labels, train.labels);
    // a test file without one of the training columns names it
    await Deno.writeTextFile(`${dir}/test.csv`, "kind,x\na,1\nb,2\n");
    await assert.rejects(
      loadDataset(
        {
          source: "csv",
          path: "train.csv",
          target: "kind",
          testSplit: 0,
          normalize: "none",
          test: { path: "test.csv" },
        },
        { baseDir: dir, rng: new Rng(1) },
      ),
      (error: unknown) => error instanceof DataError && /Cannot find feature column "y"/.test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset(): a preprocessing that makes numbers infinite is a config error at its key", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "termnet_load_test_" });
  try {
    await Deno.writeTextFile(`${dir}/tiny.csv`, "x,y,kind\n0,1,a\n1e-320,2,b\n0,3,a\n1e-320,4,b\n");
    await Deno.writeTextFile(`${dir}/huge.csv`, "x,y,kind\n1e300,1,a\n2,2,b\n");
    const cases: [string, string, string][] = [
      [
        "normalize: scale, scale: 1e-320 makes the factor infinite",
        "path: tiny.csv\n  target: kind\n  normalize: scale\n  scale: 1e-320",
        '7:10: data.scale: Cannot normalize with scale: feature "x" gets the shift 0 and the factor Infinity, ' +
        "which are not both finite",
      ],
      [
        "normalize: minmax over a subnormal range makes the factor infinite",
        "path: tiny.csv\n  target: kind\n  normalize: minmax",
        '6:14: data.normalize: Cannot normalize with minmax: feature "x" gets the shift 0 and the factor ' +
        "Infinity, which are not both finite",
      ],
      [
        "a finite factor that overflows a value",
        "path: huge.csv\n  target: kind\n  normalize: scale\n  scale: 1e-300",
        '7:10: data.scale: Cannot normalize with scale: feature "x" of a sample (1e+300) becomes infinite ' +
        "(factor 9.999999999999999e+299)",
      ],
    ];
    for (const [name, data, message] of cases) {
      await t.step(name, async () => {
        await Deno.writeTextFile(`${dir}/c.yaml`, `name: t\ndata:\n  source: csv\n  ${data}\n`);
        const { config } = await loadConfig(`${dir}/c.yaml`);
        await assert.rejects(
          () => loadDataset(config.data, { baseDir: dir, rng: new Rng(1) }),
          (error: Error) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.equal(error.message, `${dir}/c.yaml:${message}`);
            return true;
          },
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
