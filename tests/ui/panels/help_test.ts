// Golden frames of the help box alone, at the sizes it gets inside 80×24 and 120×40 frames.

import { renderHelp } from "../../../src/ui/panels/help.ts";
import { panelGoldens } from "./_panel_goldens.ts";

panelGoldens("help", { render: renderHelp, slot: "help", states: ["help"], exactHeight: false });
