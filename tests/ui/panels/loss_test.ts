// Golden frames of the loss panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderLoss } from "../../../src/ui/panels/loss.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("loss", {
  render: renderLoss,
  slot: "loss",
  states: ["waiting", "xor", "mnist", "diverged", "rewind"],
});

Deno.test("renderLoss() keeps a classifier's accuracy before the best loss when two lines hold only one", async () => {
  const assert = await import("node:assert/strict");
  const { PANEL_STATES } = await import("./_panel_goldens.ts");
  // 30 × 13: the loss panel at 80×24 beside a network of four layers and a decision boundary (spiral)
  const lines = renderLoss(PANEL_STATES.xor(), { width: 30, height: 13, color: "none" });
  const figures = lines.slice(-3, -1).join("\n");
  assert.match(figures, /acc \d+\.\d%\/\d+\.\d%/);
});
