// Tests of the module layout, by reading import lines: math and nn import only downwards, external modules are
// pinned in src/deps.ts, and mod.ts re-exports no private (`_*.ts`) module.

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every .ts file under `folder` (relative to the repository root), recursively, as absolute paths. */
async function typeScriptFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, folder))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) files.push(...await typeScriptFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(join(ROOT, path));
  }
  return files.sort();
}

/**
 * The module specifiers a file imports or re-exports: static `import … from "x"`, `export … from "x"`,
 * side-effect `import "x"` and dynamic `import("x")`. Only statements that start a line count, so the examples
 * inside JSDoc comments (` * import { … } from "./x.ts"`) are not mistaken for imports.
 */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const statement = /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm;
  const sideEffect = /^import\s*["']([^"']+)["']/gm;
  const dynamic = /^(?!\s*(?:\*|\/\/)).*?\bimport\(\s*["']([^"']+)["']\s*\)/gm;
  for (const pattern of [statement, sideEffect, dynamic]) {
    for (const match of source.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/** Node built-ins (`node:path`) ship with Deno: they need no pinning and resolve by URL import too. */
function isExternal(specifier: string): boolean {
  return !isRelative(specifier) && !specifier.startsWith("node:");
}

/** npm:name@x.y.z or npm:@scope/name@x.y.z (optionally /subpath), and the same for jsr:. */
const PINNED = /^(?:npm|jsr):(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*@\d+\.\d+\.\d+(?:\/[^@]*)?$/;

Deno.test("specifiers() reads import lines and ignores JSDoc examples", () => {
  const source = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    '} from "../b.ts";',
    'export { c } from "npm:c@1.2.3";',
    'export type { D } from "./d.ts";',
    'import "./side.ts";',
    'const e = await import("./e.ts");',
    ' * import { x } from "../../config/x.ts";',
    '// import { y } from "../ui/y.ts";',
    "export function f(): void {}",
  ].join("\n");
  assert.deepStrictEqual(specifiers(source).sort(), [
    "../b.ts",
    "./a.ts",
    "./d.ts",
    "./e.ts",
    "./side.ts",
    "npm:c@1.2.3",
  ]);
});

Deno.test("src/math and src/nn import nothing from config, train, ui, data or the CLI", async () => {
  // the CLI is src/cli.ts and its command modules under src/cli/
  const forbidden = ["src/config", "src/train", "src/ui", "src/data", "src/cli"].map((folder) =>
    join(ROOT, folder) + "/"
  );
  const cli = join(ROOT, "src/cli.ts");
  const files = [...await typeScriptFiles("src/math"), ...await typeScriptFiles("src/nn")];
  assert.ok(files.length >= 10, `found only ${files.length} files`);
  const violations: string[] = [];
  for (const file of files) {
    for (const specifier of specifiers(await Deno.readTextFile(file))) {
      if (!isRelative(specifier)) continue;
      const target = resolve(dirname(file), specifier);
      if (target === cli || forbidden.some((folder) => target.startsWith(folder))) {
        violations.push(`${relative(ROOT, file)} imports "${specifier}"`);
      }
    }
  }
  assert.deepStrictEqual(violations, []);
});

Deno.test("external modules are imported only in src/deps.ts, each pinned to an exact version", async () => {
  const deps = join(ROOT, "src/deps.ts");
  const outside: string[] = [], unpinned: string[] = [];
  for (const file of [join(ROOT, "mod.ts"), ...await typeScriptFiles("src")]) {
    for (const specifier of specifiers(await Deno.readTextFile(file))) {
      if (!isExternal(specifier)) continue;
      if (file !== deps) outside.push(`${relative(ROOT, file)} imports "${specifier}"`);
      if (!PINNED.test(specifier)) unpinned.push(`${relative(ROOT, file)} imports "${specifier}"`);
    }
  }
  assert.deepStrictEqual(outside, [], "external specifiers outside src/deps.ts");
  assert.deepStrictEqual(unpinned, [], "external specifiers without an exact version");
  const depsSpecifiers = specifiers(await Deno.readTextFile(deps));
  assert.ok(
    depsSpecifiers.length > 0 && depsSpecifiers.every((s) => PINNED.test(s)),
    depsSpecifiers.join(", "),
  );
});

Deno.test("the pin pattern accepts exact versions only", () => {
  for (
    const ok of ["npm:yaml@2.9.1", "npm:pure-rand@8.4.2/distribution/uniformInt", "npm:@scope/pkg@1.0.0"]
  ) {
    assert.ok(PINNED.test(ok), ok);
  }
  for (
    const bad of [
      "npm:yaml",
      "npm:yaml@^2.9.1",
      "npm:yaml@2",
      "npm:yaml@2.9",
      "npm:yaml@latest",
      "jsr:@std/path",
    ]
  ) {
    assert.ok(!PINNED.test(bad), bad);
  }
});

Deno.test("mod.ts and ui.ts re-export nothing from a private module (a file whose name starts with _)", async () => {
  // Follow every `export … from` chain that starts at mod.ts, so a public module cannot pass a private one through.
  const seen = new Set<string>(), privateReached: string[] = [];
  async function visit(file: string, via: string): Promise<void> {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await Deno.readTextFile(file);
    for (const match of source.matchAll(/^export\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)) {
      if (!isRelative(match[1])) continue;
      const target = resolve(dirname(file), match[1]);
      const chain = `${via} → ${relative(ROOT, target)}`;
      if (target.split("/").at(-1)!.startsWith("_")) privateReached.push(chain);
      else await visit(target, chain);
    }
  }
  await visit(join(ROOT, "mod.ts"), "mod.ts");
  assert.ok(seen.size > 5, `mod.ts re-exports only ${seen.size - 1} modules`);
  await visit(join(ROOT, "ui.ts"), "ui.ts");
  assert.deepStrictEqual(privateReached, []);
});

Deno.test("deno.lock holds only the runtime packages and fast-check, so a user's first run downloads no benchmark or test-only peer", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("../deno.lock", import.meta.url)));
  const packages = Object.keys(lock.specifiers ?? {}).map((specifier) => specifier.replace(/@[^@]*$/, ""));
  assert.deepEqual(packages.sort(), ["npm:fast-check", "npm:pure-rand", "npm:yaml"]);
});
