// Tests of the shared error helpers: quoting and shortening values in messages.

import assert from "node:assert/strict";
import { quoteValue, shortenQuotedValues } from "../src/errors.ts";

Deno.test("shortenQuotedValues(): a 100 KB value is cut to 60 characters, prose between short quotes is kept", async (t) => {
  await t.step("double and single quotes", () => {
    const long = "x".repeat(100_000);
    assert.equal(shortenQuotedValues(`a: got "${long}"`), `a: got "${"x".repeat(59)}…"`);
    assert.equal(
      shortenQuotedValues(`unknown key '${long}' in data`),
      `unknown key '${"x".repeat(59)}…' in data`,
    );
  });
  await t.step("two short quoted values far apart", () => {
    const prose =
      `Option '--epochs' argument is ambiguous. Did you forget to specify the option argument for ` +
      `'--epochs'? To specify an option argument starting with a dash use '--epochs=-XYZ'.`;
    assert.equal(shortenQuotedValues(prose), prose);
    const columns = `column "a" ${"and more words ".repeat(6)}column "b"`;
    assert.equal(shortenQuotedValues(columns), columns);
  });
  await t.step("quoteValue()", () => {
    assert.equal(quoteValue("fast"), '"fast"');
    assert.equal(quoteValue("y".repeat(61)), `"${"y".repeat(59)}…"`);
    assert.equal(quoteValue("y".repeat(60)), `"${"y".repeat(60)}"`);
  });
});
