// Tests of the escape-string helpers that make text from files safe to print.

import assert from "node:assert/strict";
// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";
import { escapeControl } from "../../src/ui/ansi.ts";

Deno.test("escapeControl(): terminal escapes in files are printed as text, not obeyed", async (t) => {
  const cases: [string, string, string][] = [
    ["window title and clear screen", "\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"],
    ["a newline keeps the text on one line", "a\nb\r\n", "a\\nb\\r\\n"],
    ["tab, NUL and DEL", "\t\x00\x7f", "\\t\\x00\\x7f"],
    ["C1 controls (CSI as one byte)", "\x9b2J\x85", "\\x9b2J\\x85"],
    ["bidi overrides and line separators", "a\u202eb\u2066c\u2028", "a\\u202eb\\u2066c\\u2028"],
    ["plain and non-ASCII text is unchanged", "Iris-setosa é 猫 🐱 — x", "Iris-setosa é 猫 🐱 — x"],
  ];
  for (const [name, input, expected] of cases) {
    await t.step(name, () => assert.equal(escapeControl(input), expected));
  }
});

Deno.test("escapeControl() leaves no control character in any string", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (text) => {
      const escaped = escapeControl(text);
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(escaped), escaped);
    }),
    { numRuns: 500, seed: 16 },
  );
});
