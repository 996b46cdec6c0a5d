// Golden frames of the samples panel alone, at the sizes it gets inside 80×24 (the `v` view) and 120×40 frames.

import { renderSamples } from "../../../src/ui/panels/samples.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("samples", { render: renderSamples, slot: "samples", states: ["fashion-samples"] });
