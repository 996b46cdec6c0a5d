// Shared by the UI's golden tests: folding fixture events into a state, and comparing output with golden files.

import assert from "node:assert/strict";
import { type ColorMode, stripEscapes, visibleWidth } from "../../src/ui/ansi.ts";
import {
  type DashboardInput,
  type DashboardState,
  initialDashboardState,
  reduceDashboard,
} from "../../src/ui/state.ts";

function updating(): boolean {
  try {
    return Deno.env.get("UPDATE_GOLDEN") === "1";
  } catch {
    return false;
  }
}

/** Folds inputs into a state, from the initial state or `start`. */
export function fold(
  inputs: readonly DashboardInput[],
  start: DashboardState = initialDashboardState(),
): DashboardState {
  return inputs.reduce(reduceDashboard, start);
}

/** Compares `text` with the committed golden file at `url`, or rewrites it when UPDATE_GOLDEN=1. */
export async function assertGolden(url: URL, text: string): Promise<void> {
  const name = url.pathname.split("/").at(-1);
  if (updating()) {
    await Deno.writeTextFile(url, text + "\n");
    return;
  }
  let golden: string;
  try {
    golden = await Deno.readTextFile(url);
  } catch {
    throw new Error(`Cannot read golden frame "${name}": run the tests with UPDATE_GOLDEN=1 to create it`);
  }
  assert.equal(
    text,
    golden.replace(/\n$/, ""),
    `Frame "${name?.replace(/\.txt$/, "")}" differs from its golden file`,
  );
}

/** Options for {@linkcode assertFits}. */
export interface FitsOptions {
  /** Widest a line may be. */
  columns: number;
  /** Most lines there may be. */
  rows: number;
  /** `"none"` asserts no escape at all; any other mode asserts there are escapes. */
  color: ColorMode;
}

/** Asserts that `text` fits in columns × rows and holds escapes exactly when colour is on. */
export function assertFits(text: string, options: FitsOptions): void {
  const { columns, rows, color } = options;
  const lines = text.split("\n");
  assert.ok(lines.length <= rows, `${lines.length} lines exceed ${rows} rows`);
  lines.forEach((line, i) => {
    assert.ok(
      visibleWidth(line) <= columns,
      `line ${i} is ${visibleWidth(line)} wide: ${stripEscapes(line)}`,
    );
  });
  if (color === "none") assert.ok(!text.includes("\x1b"), "a NO_COLOR frame contains an escape byte");
  else assert.ok(text.includes("\x1b["), "a colour frame has no escapes");
}
