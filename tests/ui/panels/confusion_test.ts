// Golden frames of the confusion panel alone, at the sizes it gets inside 80×24 (the `v` view) and 120×40 frames.

import { renderConfusion } from "../../../src/ui/panels/confusion.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("confusion", {
  render: renderConfusion,
  slot: "confusion",
  states: ["fashion-confusion", "iris-confusion"],
});
