// The output panel: the decision boundary over the input plane, for two-input data.

import type { DashboardState } from "../state.ts";
import { boundaryPlot } from "../widgets/boundary_plot.ts";
import { panel } from "../widgets/frame.ts";
import type { PanelSize } from "./_common.ts";

/** Renders the output panel (empty until a decision boundary came). */
export function renderBoundary(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const boundary = state.boundary;
  if (!boundary) return panel("Output", [], { width, height, color });
  const plot = boundaryPlot({ ...boundary, points: state.run?.points }, {
    width: width - 2,
    height: height - 2,
    color,
  });
  return panel("Output", plot, { width, height, color });
}
