// Tests of `deno task compile`: the CLI's module graph, its lockfile (runtime.lock) and the compiled binary's payload
// hold the runtime packages only (yaml, pure-rand), never a benchmark or test-only one (TensorFlow.js, ONNX Runtime,
// fast-check).
//
// `deno compile` downloads its runtime (denort) from dl.deno.land. Where that cannot be reached (offline CI), the
// test says so and builds the same payload on a stand-in base binary (DENORT_BIN, which Deno honours): the build
// and the payload check still run, only running the binary is skipped. Set DENORT_BIN to a real denort to run it.

import { TASKS } from "./_tasks.ts";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIME_PACKAGES = ["pure-rand", "yaml"];
const FORBIDDEN = /tensorflow|tfjs|onnxruntime|fast-check|\/bench\/|\/tests\//;

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

Deno.test("src/cli.ts reaches only the runtime packages (deno info): no benchmark or test module", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/cli.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, decode(output.stderr));
  const info = JSON.parse(decode(output.stdout));
  // npmPackages lists the whole lockfile; the graph's npm modules and their dependencies are what is reached
  const all: Record<string, { name: string; dependencies: string[] }> = info.npmPackages ?? {};
  const reached = new Set<string>();
  const queue: string[] = info.modules.flatMap((module: { npmPackage?: string }) => module.npmPackage ?? []);
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...all[id]?.dependencies ?? []);
  }
  const packages = [...new Set([...reached].map((id) => all[id]?.name ?? id.replace(/@[^@]+$/, "")))].sort();
  assert.deepEqual(packages, RUNTIME_PACKAGES);
  const modules: string[] = info.modules.map((module: { specifier: string }) => module.specifier);
  assert.deepEqual(modules.filter((specifier) => FORBIDDEN.test(specifier)), []);
  assert.ok(modules.some((specifier) => specifier.endsWith("/src/cli.ts")));
});

Deno.test("runtime.lock, the compile's lockfile, holds the runtime packages only; the compile task keeps it frozen", async () => {
  // deno.lock, which every test and benchmark command writes to, also holds fast-check (the property tests)
  const lock = JSON.parse(await Deno.readTextFile(join(ROOT, "runtime.lock")));
  const names = Object.keys(lock.npm ?? {}).map((id) => id.replace(/@[^@]+$/, "")).sort();
  assert.deepEqual(names, RUNTIME_PACKAGES);
  assert.deepEqual(Object.keys(lock.remote ?? {}), []);
  assert.match(TASKS.compile, /^deno compile .*--lock=runtime\.lock --frozen /);
});

/** The compile task's arguments with its output moved to `output`. */
function compileArgs(output: string): string[] {
  const words = TASKS.compile.trim().split(/\s+/);
  assert.deepEqual(
    words.slice(0, 2),
    ["deno", "compile"],
    `Cannot read the compile task: "${TASKS.compile}"`,
  );
  const o = words.indexOf("-o");
  assert.ok(o > 0 && words[o + 1] === "termnet" && words.at(-1) === "src/cli.ts", TASKS.compile);
  words[o + 1] = output;
  return words.slice(1);
}

async function compile(output: string, env: Record<string, string> = {}): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), {
    args: compileArgs(output),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
}

/** The npm packages in the "Embedded Files" tree `deno compile` prints (`├── yaml/2.9.1/* (675KB)`). */
function embeddedPackages(listing: string): string[] {
  const names = [...listing.matchAll(/[─┬]\s+((?:@[^/\s]+\/)?[^/\s]+)\/\d+\.\d+\.\d+[^/\s]*\/\*/g)].map((m) =>
    m[1]
  );
  return [...new Set(names)].sort();
}

Deno.test("embeddedPackages() reads the package folders of deno compile's listing", () => {
  const listing = [
    "termnet",
    "├─┬ .deno_compile_node_modules (2.19MB - 1.85MB unique)",
    "│ └─┬ localhost (2.19MB - 1.85MB unique)",
    "│   ├── fast-check/4.11.0/* (1.47MB - 1.13MB unique)",
    "│   ├── @scope/pkg/1.0.0/* (1KB)",
    "│   └── yaml/2.9.1/* (675.49KB - 673.98KB unique)",
    "└─┬ src (1.74MB)",
    "  ├── config/* (143KB)",
  ].join("\n");
  assert.deepEqual(embeddedPackages(listing), ["@scope/pkg", "fast-check", "yaml"]);
});

Deno.test("deno task compile builds one termnet binary whose payload holds no benchmark or test package", async () => {
  const folder = await Deno.makeTempDir({ prefix: "termnet-compile-" });
  try {
    const binary = join(folder, "termnet");
    let result = await compile(binary);
    let stderr = decode(result.stderr);
    let runnable = true;
    if (
      result.code !== 0 &&
      /dl\.deno\.land|error sending request|Could not find denort|dns error/i.test(stderr)
    ) {
      const reason = stderr.split("\n").find((line) => /error sending|Could not find denort/.test(line)) ??
        stderr.split("\n").find((line) => /error/i.test(line)) ?? "";
      const standIn = ["/bin/true", "/usr/bin/true"].find((path) => {
        try {
          return Deno.statSync(path).isFile;
        } catch {
          return false;
        }
      });
      if (standIn === undefined) {
        console.log(
          `SKIPPED the compile: the runtime could not be downloaded (${reason.trim()}), no stand-in`,
        );
        return;
      }
      console.log(
        `NOTE: deno compile could not get its runtime (denort): ${reason.trim()}. Building the same payload on ` +
          `a stand-in base binary (DENORT_BIN=${standIn}); running the binary is SKIPPED.`,
      );
      result = await compile(binary, { DENORT_BIN: standIn });
      stderr = decode(result.stderr);
      runnable = false;
    }
    assert.equal(result.code, 0, stderr);
    assert.match(stderr, /Embedded Files/);
    assert.deepEqual(embeddedPackages(stderr), RUNTIME_PACKAGES);
    assert.doesNotMatch(stderr, /tensorflow|tfjs|onnxruntime|fast-check/);
    assert.doesNotMatch(stderr, /^\S*\s*[├└]─\S* (bench|tests)\b/m);
    assert.ok((await Deno.stat(binary)).isFile);
    if (!runnable) return;
    const run = await new Deno.Command(binary, { args: ["--help"], stdout: "piped", stderr: "piped" })
      .output();
    assert.equal(run.code, 0, decode(run.stderr));
    assert.match(decode(run.stdout), /^Usage: termnet <command>/m);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
