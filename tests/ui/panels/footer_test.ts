// Golden frames of the footer alone, at the sizes it gets inside 80×24 and 120×40 frames.

import assert from "node:assert/strict";
import { visibleWidth } from "../../../src/ui/ansi.ts";
import { renderFooter } from "../../../src/ui/panels/footer.ts";
import { PANEL_STATES, panelGoldens } from "./_panel_goldens.ts";

panelGoldens("footer", {
  render: renderFooter,
  slot: "footer",
  states: ["xor", "paused", "diverged", "rewind", "early-stopped"],
  exactHeight: false,
});

Deno.test("renderFooter() breaks an end message longer than the line over both lines, q quit beside the rest", () => {
  const lines = renderFooter(PANEL_STATES["early-stopped"](), { width: 80, height: 2, color: "none" });
  assert.deepEqual(lines, [
    " ■ Stopped early at epoch 50: val_loss did not improve for 20 epochs; restored",
    "   the weights of epoch 30 (val_loss 0.1191)     [ ] rewind · r restart · q quit",
  ]);
  assert.ok(lines.every((line) => visibleWidth(line) <= 80));
});

Deno.test("renderFooter() keeps an end message that fits on its line, with every end key below", () => {
  const lines = renderFooter(PANEL_STATES["early-stopped"](), { width: 120, height: 2, color: "none" });
  assert.deepEqual(lines, [
    " ■ Stopped early at epoch 50: val_loss did not improve for 20 epochs; restored the weights of epoch 30 " +
    "(val_loss 0.1191)",
    " [ ] rewind · p play back · r restart · q quit",
  ]);
});
