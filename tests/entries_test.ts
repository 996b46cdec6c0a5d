// Tests of the package's entries: the exports map of deno.json, what each entry exposes, that the library does not
// carry the dashboard, and that parsing a config through the library needs no env permission.

import { TASK_DESCRIPTIONS, TASKS } from "./_tasks.ts";
import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as library from "../mod.ts";
import * as ui from "../ui.ts";
import * as cli from "../src/cli.ts";
import { VERSION } from "../src/_version.ts";
import { modelToOnnx } from "../src/export/onnx.ts";
import { randomModel } from "./export/_models.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CONFIG = JSON.parse(await Deno.readTextFile(resolve(ROOT, "deno.json")));

Deno.test("deno.json: the exports map names the library, the dashboard and the CLI; MIT licence; 0.2.0", () => {
  assert.deepEqual(CONFIG.exports, { ".": "./mod.ts", "./cli": "./src/cli.ts", "./ui": "./ui.ts" });
  assert.equal(CONFIG.license, "MIT");
  assert.equal(CONFIG.version, "0.2.0");
  const licence = Deno.readTextFileSync(resolve(ROOT, "LICENSE"));
  assert.match(licence, /^MIT License\n\nCopyright \(c\) 2026 the termnet authors\n/);
  assert.match(Deno.readTextFileSync(resolve(ROOT, "CHANGELOG.md")), /^## 0\.2\.0$/m);
});

Deno.test("one version: deno.json's is the newest CHANGELOG entry and what files record as their producer", () => {
  const newest = Deno.readTextFileSync(resolve(ROOT, "CHANGELOG.md")).match(/^## (\S+)$/m)?.[1];
  assert.equal(newest, CONFIG.version, "the first ## heading of CHANGELOG.md");
  assert.equal(VERSION, CONFIG.version, "src/_version.ts");
  // an ONNX file's producer_version (a protobuf string: the bytes as they are)
  const onnx = new TextDecoder().decode(modelToOnnx(randomModel("tanh", "softmax", 1)));
  assert.ok(onnx.includes(`termnet\u001a\u0005${VERSION}`), "producer_name then producer_version");
});

Deno.test("deno.json: publish.include holds the entries, src/, README, licence and changelog only", () => {
  assert.deepEqual(
    [...CONFIG.publish.include].sort(),
    ["CHANGELOG.md", "LICENSE", "README.md", "deno.json", "mod.ts", "src/", "ui.ts"],
  );
  for (const target of Object.values(CONFIG.exports as Record<string, string>)) {
    const path = target.replace(/^\.\//, "");
    assert.ok(
      CONFIG.publish.include.some((entry: string) => path === entry || path.startsWith(entry)),
      `${target} is not published`,
    );
  }
});

Deno.test("deno task check runs deno doc --lint on every entry and deno publish --dry-run", () => {
  const check: string = TASKS.check;
  assert.match(check, /deno doc --lint mod\.ts ui\.ts src\/cli\.ts/);
  assert.match(check, /deno publish --dry-run/);
});

Deno.test("mod.ts exposes the library: math, nn, data, config, training and export", () => {
  for (
    const name of [
      "Matrix",
      "matmul",
      "Network",
      "Dense",
      "Adam",
      "Sgd",
      "saveModel",
      "loadModel",
      "Dataset",
      "parseCsv",
      "parseIdx",
      "loadDataset",
      "parseConfig",
      "loadConfig",
      "ConfigDocument",
      "train",
      "evaluate",
      "modelToOnnx",
      "modelToTypeScript",
      "ConfigError",
      "DataError",
      "ModelFileError",
    ]
  ) {
    assert.ok(name in library, `mod.ts does not export ${name}`);
  }
});

Deno.test("mod.ts leaves the dashboard to ui.ts, and ui.ts exposes its pure functions", () => {
  for (const name of ["renderFrame", "reduceDashboard", "initialDashboardState", "renderSummary"]) {
    assert.ok(!(name in library), `mod.ts still exports ${name}`);
    assert.equal(typeof (ui as Record<string, unknown>)[name], "function", `ui.ts does not export ${name}`);
  }
  const frame = ui.renderFrame(ui.initialDashboardState(), { columns: 80, rows: 24, color: "none" });
  assert.equal(frame.split("\n").length, 24);
});

Deno.test("src/cli.ts exposes main and runs nothing when imported", async () => {
  assert.equal(typeof cli.main, "function");
  // main(["--help"]) prints the usage and exits 0 without touching the process
  const log = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    assert.equal(await cli.main(["--help"]), 0);
  } finally {
    console.log = log;
  }
  assert.match(lines.join("\n"), /^Usage: /m);
});

Deno.test("parseConfig through mod.ts needs no --allow-env (npm yaml's LOG_TOKENS and LOG_STREAM reads)", async () => {
  const script = [
    `import { applyOverrides, loadConfig, parseConfig, parseConfigYaml } from ${
      JSON.stringify(resolve(ROOT, "mod.ts"))
    };`,
    `const doc = applyOverrides(parseConfigYaml("data: { source: xor }\\nnetwork: { hidden: [3] }\\n"), ["train.epochs=7"]);`,
    `const config = parseConfig(doc);`,
    `const loaded = await loadConfig(${JSON.stringify(resolve(ROOT, "configs/xor.yaml"))});`,
    `console.log(config.train.epochs, loaded.config.name);`,
  ].join("\n");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-prompt", `--allow-read=${ROOT}`, "--ext=ts", script],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "7 xor");
});

Deno.test("every exported type, interface and class under src/ is defined once (schema.ts reuses math and nn)", async () => {
  const definitions = new Map<string, string[]>();
  async function walk(folder: string): Promise<void> {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) {
        const source = await Deno.readTextFile(path);
        for (const match of source.matchAll(/^export (?:type|interface|class) ([A-Za-z0-9_]+)/gm)) {
          definitions.set(match[1], [...definitions.get(match[1]) ?? [], path.slice(ROOT.length + 1)]);
        }
      }
    }
  }
  await walk(resolve(ROOT, "src"));
  const repeated = [...definitions].filter(([, files]) => files.length > 1);
  assert.deepEqual(repeated, []);
  assert.ok(definitions.has("LossName") && definitions.get("LossName")![0] === "src/math/losses.ts");
});

Deno.test("no two exported names under src/ spell out the same union of string literals", async () => {
  // e.g. the config's NormalizeName is the dataset's NormalizeKind, not a second copy of its four names
  const unions = new Map<string, string[]>();
  async function walk(folder: string): Promise<void> {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) {
        const source = await Deno.readTextFile(path);
        for (const match of source.matchAll(/^export type ([A-Za-z0-9_]+) =\s*((?:\s*\|?\s*"[^"]*")+);/gm)) {
          const key = [...match[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]).sort().join("|");
          unions.set(key, [...unions.get(key) ?? [], `${match[1]} (${path.slice(ROOT.length + 1)})`]);
        }
      }
    }
  }
  await walk(resolve(ROOT, "src"));
  assert.ok(unions.size > 10, `found only ${unions.size} unions`);
  assert.deepEqual([...unions.values()].filter((names) => names.length > 1), []);
});

Deno.test("every function and class the entries export has an @example (run by deno test --doc)", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts", "ui.ts", "src/cli.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  interface Declaration {
    kind: string;
    location: { filename: string; line: number };
    jsDoc?: { tags?: { kind: string }[] };
  }
  const doc: { nodes: Record<string, { symbols: { name: string; declarations: Declaration[] }[] }> } = JSON
    .parse(
      new TextDecoder().decode(output.stdout),
    );
  let checked = 0;
  const missing: string[] = [];
  for (const [entry, { symbols }] of Object.entries(doc.nodes)) {
    for (const symbol of symbols) {
      for (const declaration of symbol.declarations) {
        if (declaration.kind !== "function" && declaration.kind !== "class") continue;
        checked++;
        if (!declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")) {
          const where = declaration.location.filename.replace(`file://${ROOT}/`, "");
          missing.push(
            `${symbol.name} (${where}:${declaration.location.line}, via ${entry.split("/").at(-1)})`,
          );
        }
      }
    }
  }
  assert.ok(checked > 60, `only ${checked} functions and classes found`);
  assert.deepEqual(missing, []);
});

Deno.test("README installs and runs the CLI pinned to the release tag with the compile task's permissions", async () => {
  const text = await Deno.readTextFile(resolve(ROOT, "README.md"));
  // the section that shows the two commands (other sections show other deno run lines, e.g. fetch with one host)
  const section = text.indexOf("\n## Install the command");
  assert.ok(section >= 0, "README has no section ## Install the command");
  const readme = text.slice(section, text.indexOf("\n## ", section + 1));
  const permissions = TASKS.compile.split(/\s+/).filter((word) => word.startsWith("--allow-"));
  const url = `https://raw.githubusercontent.com/termnet/termnet/v${CONFIG.version}/src/cli.ts`;
  for (const command of ["deno run --no-prompt", "deno install -g -n termnet --no-prompt"]) {
    const start = readme.indexOf(command);
    assert.ok(start >= 0, `README has no "${command}"`);
    const words = readme.slice(start, readme.indexOf("\n```", start)).replaceAll("\\\n", " ").split(/\s+/);
    assert.deepEqual(words.filter((word) => word.startsWith("--allow-")), permissions, command);
    assert.ok(words.includes(url), `${command} is not pinned to ${url}`);
  }
  assert.doesNotMatch(text, /termnet\/termnet\/main\//);
});

Deno.test("every task of deno.json says what it does (deno task lists the descriptions)", () => {
  const missing = Object.entries(TASK_DESCRIPTIONS).filter(([, description]) => description.length < 10);
  assert.deepEqual(missing, []);
});
