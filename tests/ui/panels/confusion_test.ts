// Golden frames of the confusion panel alone, at the sizes it gets inside 80×24 (the `v` view) and 120×40 frames.

import { renderConfusion } from "../../../src/ui/panels/confusion.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("confusion", {
  render: renderConfusion,
  slot: "confusion",
  states: ["fashion-confusion", "iris-confusion"],
});

Deno.test("renderConfusion() shortens its title to fit a narrow panel instead of cutting the accuracy", async () => {
  const assert = await import("node:assert/strict");
  const { PANEL_STATES } = await import("./_panel_goldens.ts");
  const state = PANEL_STATES["iris-confusion"]();
  // 28 columns: the panel beside the loss chart at 80×24 when a decision boundary takes the right third
  const [top] = renderConfusion(state, { width: 28, height: 14, color: "none" });
  assert.match(top, /^┌ Confusion acc \d+\.\d% ─*┐$/);
  const [wide] = renderConfusion(state, { width: 60, height: 14, color: "none" });
  assert.match(wide, /^┌ Confusion \(test\) acc \d+\.\d% ─*┐$/);
});
