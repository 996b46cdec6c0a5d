import assert from "node:assert/strict";
import { parseConfig, parseConfigYaml } from "../../src/config/parse_config.ts";
import { loadDataset } from "../../src/data/load.ts";
import {
  datasetCacheDir,
  datasetSearchPath,
  locateDataset,
  NAMED_DATASETS,
  userCacheDir,
} from "../../src/data/named.ts";
import { ConfigError, DataError, DatasetNotFoundError } from "../../src/errors.ts";
import { Rng } from "../../src/math/random.ts";

const SAMPLE = "data/fashion-mnist-sample";

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

// Nothing but the given folders: no system folder, no cache.
const NOWHERE = { systemDir: null, env: envOf({}) };

Deno.test("userCacheDir() follows each platform's convention", async (t) => {
  await t.step("Linux: XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(
      userCacheDir({ os: "linux", env: envOf({ HOME: "/home/ada", XDG_CACHE_HOME: "/var/cache/ada" }) }),
      "/var/cache/ada/termnet",
    );
    assert.equal(
      userCacheDir({ os: "linux", env: envOf({ HOME: "/home/ada/" }) }),
      "/home/ada/.cache/termnet",
    );
  });
  await t.step("Linux: a relative XDG_CACHE_HOME is ignored, as the XDG spec says", () => {
    assert.equal(
      userCacheDir({ os: "linux", env: envOf({ HOME: "/home/ada", XDG_CACHE_HOME: "cache" }) }),
      "/home/ada/.cache/termnet",
    );
  });
  await t.step("macOS: ~/Library/Caches", () => {
    assert.equal(
      userCacheDir({ os: "darwin", env: envOf({ HOME: "/Users/ada", XDG_CACHE_HOME: "/x" }) }),
      "/Users/ada/Library/Caches/termnet",
    );
  });
  await t.step("Windows: %LOCALAPPDATA%", () => {
    const env = envOf({ LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local" });
    assert.equal(userCacheDir({ os: "windows", env }), "C:\\Users\\ada\\AppData\\Local\\termnet");
    assert.equal(
      datasetCacheDir("mnist", { os: "windows", env }),
      "C:\\Users\\ada\\AppData\\Local\\termnet\\mnist",
    );
  });
  await t.step("no cache without the variables", () => {
    assert.equal(userCacheDir({ os: "linux", env: envOf({}) }), undefined);
    assert.equal(userCacheDir({ os: "windows", env: envOf({ HOME: "/home/ada" }) }), undefined);
  });
});

Deno.test("datasetSearchPath() looks in data.dir, then the Debian folder, then the cache", () => {
  const env = envOf({ HOME: "/home/ada" });
  assert.deepEqual(
    datasetSearchPath("fashion-mnist", { dir: "../data/fm", baseDir: "configs", os: "linux", env }),
    [
      "configs/../data/fm",
      "/usr/share/datasets/fashion-mnist",
      "/home/ada/.cache/termnet/fashion-mnist",
    ],
  );
  // Debian packages no MNIST, so there is no system folder for it
  assert.deepEqual(datasetSearchPath("mnist", { os: "linux", env }), ["/home/ada/.cache/termnet/mnist"]);
  assert.deepEqual(datasetSearchPath("mnist", { dir: "/abs/mnist", baseDir: "configs", os: "linux", env }), [
    "/abs/mnist",
    "/home/ada/.cache/termnet/mnist",
  ]);
});

Deno.test("locateDataset() takes the first folder that holds all four files", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "termnet_named_" });
  try {
    // an incomplete folder first: it is passed over
    await Deno.mkdir(`${tmp}/partial`);
    await Deno.copyFile(`${SAMPLE}/train-images-idx3-ubyte.gz`, `${tmp}/partial/train-images-idx3-ubyte.gz`);
    const cache = `${tmp}/cache`;
    await Deno.mkdir(`${cache}/termnet/fashion-mnist`, { recursive: true });
    for (const name of Object.values(NAMED_DATASETS["fashion-mnist"].files)) {
      await Deno.copyFile(`${SAMPLE}/${name}`, `${cache}/termnet/fashion-mnist/${name}`);
    }
    const found = await locateDataset("fashion-mnist", {
      dir: `${tmp}/partial`,
      systemDir: `${tmp}/missing`,
      os: "linux",
      env: envOf({ XDG_CACHE_HOME: cache }),
    });
    assert.equal(found.dir, `${cache}/termnet/fashion-mnist`);
    assert.equal(found.files.testLabels, `${cache}/termnet/fashion-mnist/t10k-labels-idx1-ubyte.gz`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("locateDataset() accepts decompressed files without .gz", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "termnet_named_" });
  try {
    for (const name of Object.values(NAMED_DATASETS.mnist.files)) {
      const raw = new Response(
        (await Deno.open(`${SAMPLE}/${name}`)).readable.pipeThrough(new DecompressionStream("gzip")),
      );
      await Deno.writeFile(`${tmp}/${name.replace(/\.gz$/, "")}`, new Uint8Array(await raw.arrayBuffer()));
    }
    const found = await locateDataset("mnist", { dir: tmp, ...NOWHERE });
    assert.equal(found.files.trainImages, `${tmp}/train-images-idx3-ubyte`);
    const { train } = await loadDataset({
      source: "mnist",
      dir: tmp,
      limit: 10,
      testSplit: 0,
      normalize: "none",
    }, {
      rng: new Rng(1),
      locate: NOWHERE,
    });
    // MNIST's classes are the digits, whatever the images show
    assert.deepEqual(train.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert.equal(train.size, 10);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("locateDataset() names every folder looked in and how to get the data", async (t) => {
  await t.step("fashion-mnist: the fetch task and the Debian package", async () => {
    const error = await locateDataset("fashion-mnist", {
      dir: "nowhere/fm",
      systemDir: "/usr/share/datasets/fashion-mnist-not-here",
      os: "linux",
      env: envOf({ HOME: "/home/ada" }),
      location: { file: "configs/x.yaml", line: 4, column: 11, path: "data.source" },
    }).then(() => undefined, (error) => error);
    assert.ok(error instanceof DatasetNotFoundError && error instanceof DataError);
    assert.equal(
      error.message,
      "configs/x.yaml:4:11: data.source: Cannot find the fashion-mnist dataset: looked in " +
        '"nowhere/fm", "/usr/share/datasets/fashion-mnist-not-here", "/home/ada/.cache/termnet/fashion-mnist"; ' +
        'get it with "deno task fetch fashion-mnist" or "apt-get install -y dataset-fashion-mnist" (Debian)',
    );
  });
  await t.step("mnist: the fetch task only", async () => {
    const error = await locateDataset("mnist", { os: "linux", env: envOf({ HOME: "/home/ada" }) }).then(
      () => undefined,
      (error) => error,
    );
    assert.ok(error instanceof DatasetNotFoundError);
    assert.equal(
      error.message,
      'Cannot find the mnist dataset: looked in "/home/ada/.cache/termnet/mnist"; get it with "deno task fetch mnist"',
    );
  });
});

Deno.test("loadDataset() reads a named source: the training files, and t10k as the test set", async (t) => {
  const config = (extra: string) =>
    parseConfig(
      parseConfigYaml(`data:\n  source: fashion-mnist\n  dir: ../${SAMPLE}\n  normalize: scale\n${extra}`, {
        file: "configs/x.yaml",
      }),
    ).data;
  const load = (extra: string) =>
    loadDataset(config(extra), { baseDir: "configs", rng: new Rng(42), locate: NOWHERE });

  await t.step("the sample's 1,000 training and 200 t10k images, with Fashion-MNIST's classes", async () => {
    const { train, test } = await load("");
    assert.equal(train.size, 1000);
    assert.equal(test?.size, 200);
    assert.equal(train.inputSize, 784);
    assert.deepEqual(train.classNames, NAMED_DATASETS["fashion-mnist"].classNames);
    assert.deepEqual(test?.classNames, train.classNames);
    assert.equal(new Set(test!.labels).size, 10);
  });
  await t.step("limit and test.limit cap the training and t10k images", async () => {
    const { train, test } = await load("  limit: 300\n  test:\n    limit: 50\n");
    assert.equal(train.size, 300);
    assert.equal(test?.size, 50);
  });
  await t.step("test_split holds back training images instead of using t10k", async () => {
    const { train, test } = await load("  limit: 500\n  test_split: 0.2\n");
    assert.equal(train.size, 400);
    assert.equal(test?.size, 100);
    const again = await load("  limit: 500\n  test_split: 0.2\n");
    assert.deepEqual(again.test!.labels, test!.labels);
  });
  await t.step("the normalisation is fitted on the training images and applied to both", async () => {
    const { train, test, preprocessing } = await load("");
    assert.equal(preprocessing.factor[0], 1 / 255);
    assert.deepEqual(test!.preprocessing, train.preprocessing);
  });
  await t.step("a missing dataset points at data.source in the config", async () => {
    const data =
      parseConfig(parseConfigYaml("data:\n  source: mnist\n  dir: none\n", { file: "configs/m.yaml" }))
        .data;
    const error = await loadDataset(data, { baseDir: "configs", rng: new Rng(1), locate: NOWHERE }).then(
      () => undefined,
      (error) => error,
    );
    assert.ok(error instanceof DatasetNotFoundError);
    assert.equal(
      error.message,
      'configs/m.yaml:2:11: data.source: Cannot find the mnist dataset: looked in "configs/none"; ' +
        'get it with "deno task fetch mnist"',
    );
  });
});

Deno.test("parseConfig() checks the keys of named sources", async (t) => {
  const fails = (text: string, message: string) => {
    assert.throws(
      () => parseConfig(parseConfigYaml(text, { file: "configs/x.yaml" })),
      (error: Error) => error instanceof ConfigError && error.message === message,
    );
  };
  await t.step("a misspelt name gets a suggestion", () => {
    fails(
      "data:\n  source: fashion_mnist\n",
      "configs/x.yaml:2:11: data.source: must be one of xor, circle, spiral, gaussian, moons, sine, csv, idx, " +
        'fashion-mnist, mnist, got "fashion_mnist" (did you mean "fashion-mnist"?)',
    );
  });
  await t.step("a misspelt key gets a suggestion", () => {
    fails(
      "data:\n  source: mnist\n  dri: x\n",
      "configs/x.yaml:3:3: unknown key 'dri' in data (did you mean 'dir'?)",
    );
  });
  await t.step("dir belongs to named sources only", () => {
    fails(
      "data:\n  source: idx\n  images: a\n  labels: b\n  dir: x\n",
      'configs/x.yaml:5:8: data.dir: only used with named sources (fashion-mnist, mnist), not with source "idx"',
    );
  });
  await t.step("files and class names come with the named source", () => {
    fails(
      "data:\n  source: mnist\n  images: a\n",
      'configs/x.yaml:3:11: data.images: only used with source "idx", not with source "mnist"',
    );
    fails(
      "data:\n  source: mnist\n  test:\n    images: a\n",
      'configs/x.yaml:4:13: data.test.images: not used with source "mnist" (use limit)',
    );
  });
  await t.step("t10k is a test set, so early stopping may watch val_loss", () => {
    const config = parseConfig(parseConfigYaml("data:\n  source: mnist\ntrain:\n  early_stop: {}\n"));
    assert.equal(config.train.earlyStop?.monitor, "val_loss");
    assert.equal(config.data.dir, undefined);
  });
});

Deno.test("locateDataset() says which folders it may not read, rather than that the data is missing", async () => {
  // a child without --allow-read, as a library caller who forgot it: the sample is there but unreadable
  const script = `
    import { locateDataset } from ${JSON.stringify(new URL("../../src/data/named.ts", import.meta.url).href)};
    await locateDataset("fashion-mnist", { dir: ${
    JSON.stringify(SAMPLE)
  }, systemDir: null, env: () => undefined })
      .then(() => console.log("found"), (error) => console.log(error.message));
  `;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-lock", file],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(file));
  assert.equal(
    new TextDecoder().decode(child.stdout).trim(),
    `Cannot find the fashion-mnist dataset: looked in "${SAMPLE}"; not allowed to read "${SAMPLE}" ` +
      `(grant it with --allow-read); get it with "deno task fetch fashion-mnist" or ` +
      `"apt-get install -y dataset-fashion-mnist" (Debian)`,
    new TextDecoder().decode(child.stderr),
  );
});
