// Golden frames of the gradients panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderGradients } from "../../../src/ui/panels/gradients.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("gradients", {
  render: renderGradients,
  slot: "gradients",
  states: ["xor", "mnist", "diverged"],
});
