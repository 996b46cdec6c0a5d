// Golden tests of one panel alone: rendered at the size the frame gives it at 80×24 and 120×40, colour off and on.

import assert from "node:assert/strict";
import type { ColorMode } from "../../../src/ui/ansi.ts";
import { dashboardLayout, type PanelSlot } from "../../../src/ui/dashboard.ts";
import type { PanelSize } from "../../../src/ui/panels/_common.ts";
import { type DashboardState, initialDashboardState } from "../../../src/ui/state.ts";
import { visibleWidth } from "../../../src/ui/ansi.ts";
import {
  divergedRun,
  fashionPicturesRun,
  irisRun,
  mnistExplain,
  mnistRun,
  sineRun,
  xorExplain,
  xorPausedRun,
  xorRun,
} from "../../fixtures/ui_events.ts";
import { assertFits, assertGolden, fold } from "../_golden.ts";
import { rewoundXor } from "../_rewind.ts";
import { viewedState } from "../../../src/ui/rewind.ts";

const SNAPSHOTS = new URL("./__snapshots__/", import.meta.url);

/** The fixture states the panels are drawn from, by name (the whole-frame goldens use the same ones). */
export const PANEL_STATES: Record<string, () => DashboardState> = {
  waiting: () => initialDashboardState(),
  xor: () => fold(xorRun()),
  // part way: the curve still off the points
  sine: () => fold(sineRun(12)),
  mnist: () => fold([...mnistRun(), { type: "select_layer", delta: 1 }]),
  paused: () => fold(xorPausedRun()),
  diverged: () => fold([...divergedRun(), { type: "toggle_log" }]),
  help: () => fold([...xorPausedRun(), { type: "toggle_help" }]),
  // image data after `v` once, twice and three times (at 120×40 they show all their pictures whatever the view)
  "fashion-samples": () => fold([...fashionPicturesRun(), { type: "cycle_view" }]),
  "fashion-confusion": () => fold([...fashionPicturesRun(), { type: "cycle_view" }, { type: "cycle_view" }]),
  "fashion-filters": () =>
    fold([...fashionPicturesRun(), { type: "cycle_view" }, { type: "cycle_view" }, { type: "cycle_view" }]),
  "iris-confusion": () => fold([...irisRun(), { type: "cycle_view" }]),
  explain_xor: () =>
    fold([
      ...xorRun(),
      { type: "explain_toggle", open: true },
      { type: "explain_sample", sample: 1 },
      xorExplain(),
    ]),
  explain_fashion: () =>
    fold([
      ...fashionPicturesRun(),
      { type: "explain_toggle", open: true },
      { type: "explain_sample", sample: 1234 },
      mnistExplain(),
    ]),
  explain_mnist: () =>
    fold([
      ...mnistRun(),
      { type: "explain_toggle", open: true },
      { type: "explain_sample", sample: 1234 },
      mnistExplain(),
    ]),
  // as the frame draws it: the panels get the state as of the snapshot
  rewind: () => viewedState(rewoundXor(20)),
  // the end message as the trainer words it after early stopping restored an epoch: longer than 80 columns
  "early-stopped": () =>
    fold([
      ...xorRun(),
      {
        type: "end",
        reason: "early_stop",
        epoch: 50,
        message:
          "Stopped early at epoch 50: val_loss did not improve for 20 epochs; restored the weights of " +
          "epoch 30 (val_loss 0.1191)",
        restored: { epoch: 30, monitor: "val_loss", value: 0.1191 },
      },
    ]),
};

/** What {@linkcode panelGoldens} checks: one panel, the layout slot it fills, and the states to draw. */
export interface PanelGoldenOptions {
  /** The panel's render function. */
  render: (state: DashboardState, size: PanelSize) => string[];
  /** The layout slot the panel fills. */
  slot: PanelSlot;
  /** Names from {@linkcode PANEL_STATES}. */
  states: readonly string[];
  /** Whether the panel is exactly `size.height` lines (boxed panels are; header, footer and help are not). */
  exactHeight?: boolean;
}

const SIZES: [number, number][] = [[80, 24], [120, 40]];
const COLORS: ColorMode[] = ["none", "truecolor"];

/**
 * Registers one test per state, size and colour mode: the panel fits its slot, and matches the golden file
 * `<panel>.<state>.<columns>x<rows>.<color>.txt` (rewritten with UPDATE_GOLDEN=1).
 */
export function panelGoldens(panel: string, options: PanelGoldenOptions): void {
  for (const name of options.states) {
    for (const [columns, rows] of SIZES) {
      for (const color of COLORS) {
        const state = PANEL_STATES[name]();
        const size = dashboardLayout(state, { columns, rows, color })[options.slot];
        if (size === undefined) continue;
        Deno.test(`${options.render.name}() draws ${name} at its ${columns}×${rows} size (${color})`, async () => {
          const lines = options.render(state, size);
          const text = lines.join("\n");
          assertFits(text, { columns: size.width, rows: Math.max(size.height, lines.length), color });
          if (options.exactHeight !== false) {
            assert.equal(lines.length, size.height);
            assert.ok(
              lines.every((line) => visibleWidth(line) === size.width),
              "a line is narrower than the panel",
            );
          }
          await assertGolden(new URL(`${panel}.${name}.${columns}x${rows}.${color}.txt`, SNAPSHOTS), text);
        });
      }
    }
  }
}
