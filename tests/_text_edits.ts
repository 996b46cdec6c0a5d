// Mutated copies of a valid file for property tests: a few random edits, each removing a few characters at a
// random place and inserting a piece that tends to break parsers (or a short random string).

// Test-only dependency, pinned here because deno.json has no import map entry for it.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.11.0";

/** One edit: at (modulo the text's length + 1), remove `remove` characters and insert `insert`. */
export interface TextEdit {
  /** Where (taken modulo the text's length + 1). */
  at: number;
  /** Characters removed there. */
  remove: number;
  /** Text inserted there. */
  insert: string;
}

/** Lists of 1 to `maxEdits` edits removing up to `maxRemove` characters and inserting a piece or a short string. */
export function textEdits(
  pieces: readonly string[],
  options: { maxEdits: number; maxRemove: number },
): fc.Arbitrary<TextEdit[]> {
  return fc.array(
    fc.record({
      at: fc.nat(),
      remove: fc.integer({ min: 0, max: options.maxRemove }),
      insert: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: options.maxRemove })),
    }),
    { minLength: 1, maxLength: options.maxEdits },
  );
}

/** `text` with `edits` applied in order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  for (const { at, remove, insert } of edits) {
    const i = at % (text.length + 1);
    text = text.slice(0, i) + insert + text.slice(i + remove);
  }
  return text;
}
