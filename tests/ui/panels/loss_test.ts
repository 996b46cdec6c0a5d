// Golden frames of the loss panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderLoss } from "../../../src/ui/panels/loss.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("loss", {
  render: renderLoss,
  slot: "loss",
  states: ["waiting", "xor", "mnist", "diverged", "rewind"],
});
