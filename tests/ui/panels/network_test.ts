// Golden frames of the network panel alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderNetwork } from "../../../src/ui/panels/network.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("network", { render: renderNetwork, slot: "network", states: ["xor", "mnist"] });
