// Tests that the library works when imported by URL: the repository is served over loopback HTTP and a child Deno,
// run from a folder without our deno.json, imports mod.ts from that URL and trains XOR.

import { TASKS } from "./_tasks.ts";
import assert from "node:assert/strict";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Network } from "../mod.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".json": "application/json",
};

/** A static file server for the repository, on 127.0.0.1 and a free port. */
function serveRepository(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = normalize(decodeURIComponent(new URL(request.url).pathname));
    const file = join(ROOT, path);
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(ROOT + "/") || type === undefined) return new Response("Not found", { status: 404 });
    try {
      return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
    } catch {
      return new Response("Not found", { status: 404 });
    }
  });
}

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];
const NETWORK = { input: 2, hidden: [3, 3], output: 1, activation: "sigmoid", seed: 1 } as const;
const FIT = { epochs: 10000, batchSize: 4, learningRate: 2, loss: "mse" } as const;

function script(port: number): string {
  return [
    `import { Network } from "http://127.0.0.1:${port}/mod.ts";`,
    `const x = ${JSON.stringify(XOR_X)};`,
    `const y = ${JSON.stringify(XOR_Y)};`,
    `const net = new Network(${JSON.stringify(NETWORK)});`,
    `await net.fit(x, y, ${JSON.stringify(FIT)});`,
    "console.log(JSON.stringify(net.predict(x).toArray().map(([p]) => p)));",
    "",
  ].join("\n");
}

Deno.test("mod.ts imported by URL from a folder without deno.json trains XOR", async () => {
  const server = serveRepository();
  const folder = await Deno.makeTempDir({ prefix: "termnet_url_import_" });
  try {
    const port = server.addr.port;
    await Deno.writeTextFile(join(folder, "script.ts"), script(port));
    // The child shares the default DENO_DIR, so the pinned npm: packages come from the cache, not the network.
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-config",
        "--no-lock",
        `--allow-import=127.0.0.1:${port}`,
        "script.ts",
      ],
      cwd: folder,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout), stderr = new TextDecoder().decode(output.stderr);
    assert.strictEqual(
      output.code,
      0,
      `child exited with ${output.code}\nstdout: ${stdout}\nstderr: ${stderr}`,
    );
    const predictions: number[] = JSON.parse(stdout.trim());
    assert.strictEqual(predictions.length, 4);
    predictions.forEach((p, i) => {
      assert.ok(XOR_Y[i][0] === 1 ? p > 0.5 : p < 0.5, `XOR${XOR_X[i]} → ${p}`);
    });
    // The same seed gives the same numbers whether the library comes from a URL or from disk.
    const local = new Network(NETWORK);
    await local.fit(XOR_X, XOR_Y, FIT);
    assert.deepStrictEqual(predictions, local.predict(XOR_X).toArray().map(([p]) => p));
  } finally {
    await server.shutdown();
    await Deno.remove(folder, { recursive: true });
  }
});

/** The permissions of `deno task compile` (every command's), which the README's install line grants too. */
function cliPermissions(): string[] {
  return TASKS.compile.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

/** Runs the installed `termnet` script from the repository root. */
async function runInstalled(
  bin: string,
  args: string[],
  path: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(bin, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", PATH: path },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("the CLI installed by URL (deno install -g -n termnet) trains, and its --help says termnet", async () => {
  const server = serveRepository();
  const folder = await Deno.makeTempDir({ prefix: "termnet_install_" });
  try {
    const port = server.addr.port;
    const url = `http://127.0.0.1:${port}/src/cli.ts`;
    const install = await new Deno.Command(Deno.execPath(), {
      args: [
        "install",
        "-g",
        "-n",
        "termnet",
        "--root",
        folder,
        "--no-prompt",
        ...cliPermissions(),
        `--allow-import=127.0.0.1:${port}`,
        url,
      ],
      cwd: folder,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.strictEqual(install.code, 0, new TextDecoder().decode(install.stderr));
    const bin = join(folder, "bin", "termnet");
    // the installed script calls `deno` from PATH
    const path = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;
    const help = await runInstalled(bin, ["train", "--help"], path);
    assert.strictEqual(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: termnet train <config\.yaml>/m);
    assert.doesNotMatch(help.stdout, /deno task/);
    const main = await runInstalled(bin, ["--help"], path);
    assert.match(main.stdout, /^Usage: termnet <command>/m);
    const out = join(folder, "run");
    const run = await runInstalled(bin, [
      "train",
      "configs/xor.yaml",
      "--epochs",
      "3",
      "--headless",
      "--out",
      out,
    ], path);
    assert.strictEqual(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  } finally {
    await server.shutdown();
    await Deno.remove(folder, { recursive: true });
  }
});
