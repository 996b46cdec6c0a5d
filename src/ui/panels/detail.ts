// The detail panel: the selected layer's weight statistics and its weight, activation and gradient histograms.

import { paint } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { histogramChart } from "../widgets/chart.ts";
import { DIM, NEGATIVE, POSITIVE } from "../widgets/colors.ts";
import { formatNumber } from "../widgets/format.ts";
import { joinColumns, panel } from "../widgets/frame.ts";
import { fitParts, GOOD, type PanelSize } from "./_common.ts";

/** Renders the detail panel for the selected layer (empty until its first epoch). */
export function renderDetail(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const inner = width - 2;
  const layer = state.latest?.layers[state.selectedLayer];
  const count = state.run?.network.layers.length ?? 0;
  const name = state.selectedLayer === count - 1 ? "output layer" : `layer ${state.selectedLayer + 1}`;
  if (!layer) return panel(`Detail: ${name}`, [], { width, height, color });
  const head = [
    `${layer.inputs}→${layer.units} ${layer.activation}`,
    `w μ ${formatNumber(layer.weightMean, 7)} σ ${formatNumber(layer.weightStd, 6)}`,
    `[${formatNumber(layer.weightMin, 6)}, ${formatNumber(layer.weightMax, 6)}]`,
  ];
  const histWidth = Math.floor((inner - 2) / 3);
  const barRows = Math.max(2, height - 2 - 4);
  const blocks = [
    { title: "weights", histogram: layer.histograms.weights, rgb: POSITIVE },
    { title: "activations", histogram: layer.histograms.activations, rgb: GOOD },
    { title: "gradients", histogram: layer.histograms.gradients, rgb: NEGATIVE },
  ].map(({ title, histogram, rgb }) => ({
    lines: [
      paint(title, DIM, color),
      ...histogramChart(histogram, { width: histWidth, height: barRows, color, rgb }),
    ],
    width: histWidth + 1,
  }));
  const content = [fitParts(head, { width: inner, separator: "  " }), "", ...joinColumns(blocks)];
  return panel(`Detail: ${name} (←/→)`, content, { width, height, color, highlight: false });
}
