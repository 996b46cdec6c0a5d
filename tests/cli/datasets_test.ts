// End-to-end tests of named datasets on the command line: a missing dataset, and deno task fetch from a loopback
// mirror with the CLI's own checksum table.

import assert from "node:assert/strict";
import { locateDataset } from "../../src/data/named.ts";
import { FULL_FASHION_DIR, withoutFullFashion } from "../_full_dataset.ts";
import { serveFiles } from "../data/_loopback.ts";
import { runCli, tempDir } from "./_run.ts";

// Deno keeps its own cache under XDG_CACHE_HOME or HOME too: the children get the real one, so a test's HOME and
// XDG_CACHE_HOME move only termnet's dataset cache, not Deno's (which would fetch every dependency again)
const DENO_DIR: string = JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
  ),
).denoDir;

Deno.test("train names every folder looked in for a missing dataset and exits 2", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/mnist.yaml`, "data:\n  source: mnist\n  normalize: scale\n");
  const run = await runCli("train", [`${tmp.path}/mnist.yaml`, "--headless", "--out", `${tmp.path}/run`], {
    env: { HOME: `${tmp.path}/home`, XDG_CACHE_HOME: `${tmp.path}/cache`, DENO_DIR },
  });
  assert.equal(
    run.stderr,
    `error: ${tmp.path}/mnist.yaml:2:11: data.source: Cannot find the mnist dataset: looked in ` +
      `"${tmp.path}/cache/termnet/mnist"; get it with "deno task fetch mnist"\n`,
  );
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.equal(await Deno.stat(`${tmp.path}/run`).then(() => true, () => false), false, "no run folder");
});

const NAMES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

async function filesOf(dir: string): Promise<Map<string, Uint8Array>> {
  return new Map(
    await Promise.all(NAMES.map(async (name) => [name, await Deno.readFile(`${dir}/${name}`)] as const)),
  );
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("fetch checks the published SHA-256: the sample's files from a mirror are refused, and not kept", async () => {
  await using server = serveFiles(await filesOf("data/fashion-mnist-sample"));
  await using tmp = await tempDir();
  const run = await runCli("fetch", ["fashion-mnist", "--mirror", server.url, "--dir", `${tmp.path}/fm`]);
  assert.equal(
    run.stderr,
    `error: ${server.url}train-images-idx3-ubyte.gz: Cannot use the download: its SHA-256 is ` +
      `8052593f364da2d00a4a266568211c129fc22bfb64c34a765670aa6bf92e2c8f, expected ` +
      `3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84 or ` +
      `b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7\n`,
  );
  assert.equal(run.code, 1);
  assert.deepEqual(await listing(`${tmp.path}/fm`), []);
});

Deno.test("fetch rejects an unknown dataset and a mirror that is not a URL (exit 2)", async (t) => {
  for (
    const [args, message] of [
      [["mnsit"], 'unknown dataset "mnsit" (expected fashion-mnist or mnist; did you mean "mnist"?)'],
      [[], "fetch expects one dataset name, fashion-mnist or mnist (see --help)"],
      [
        ["mnist", "--mirror", "ftp://example.org/"],
        '--mirror expects an http:// or https:// URL, got "ftp://example.org/"',
      ],
    ] as const
  ) {
    await t.step(message, async () => {
      const run = await runCli("fetch", args);
      assert.equal(run.stderr, `error: ${message}\n`);
      assert.equal(run.code, 2);
    });
  }
});

Deno.test({
  name:
    "fetch downloads the full Fashion-MNIST from a mirror into the user's cache, where the lookup finds it",
  ignore: withoutFullFashion(),
  fn: async () => {
    assert.ok(FULL_FASHION_DIR !== undefined, "Fashion-MNIST is not on this machine");
    // the full files (Debian's, or the published ones in a cache) pass the CLI's own checksum table
    await using server = serveFiles(await filesOf(FULL_FASHION_DIR));
    await using tmp = await tempDir();
    const env: Record<string, string> = { HOME: `${tmp.path}/home`, XDG_CACHE_HOME: `${tmp.path}/cache` };
    const run = await runCli("fetch", ["fashion-mnist", "--mirror", server.url], {
      env: { ...env, DENO_DIR },
    });
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    const cache = `${tmp.path}/cache/termnet/fashion-mnist`;
    const lines = run.stdout.trimEnd().split("\n");
    assert.deepEqual(
      lines.slice(0, 4).map((line) => line.split("  ")[0]),
      NAMES.map((name) => `${cache}/${name}`),
    );
    for (const line of lines.slice(0, 4)) {
      assert.match(line, / {2}\d+\.\d (kB|MB) {2}SHA-256 ok \(downloaded\)$/);
    }
    assert.equal(
      lines[4],
      `Fashion-MNIST is in ${cache}; configs with "source: fashion-mnist" find it there`,
    );
    assert.deepEqual(await listing(cache), [...NAMES].sort());
    assert.deepEqual(await filesOf(cache), await filesOf(FULL_FASHION_DIR));
    const found = await locateDataset("fashion-mnist", {
      systemDir: null,
      os: "linux",
      env: (name) => env[name],
    });
    assert.equal(found.dir, cache);
  },
});
