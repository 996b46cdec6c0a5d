// The gradients panel: one row per layer (norm, history, per-unit strip, saturation), then the norms over epochs.

import { bold, fitWidth, paint, type Rgb } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { heatStrip, lineChart, sparkline } from "../widgets/chart.ts";
import { DIM } from "../widgets/colors.ts";
import { formatNumber } from "../widgets/format.ts";
import { panel } from "../widgets/frame.ts";
import { ACCENT, BAD, type PanelSize, seriesValues, TEXT } from "./_common.ts";

/** Share of saturated or dead units above which a layer gets a warning mark. */
export const SATURATION_WARNING = 0.5;
const LAYER_COLORS: readonly Rgb[] = [[86, 180, 233], [240, 170, 60], [0, 170, 130], [220, 120, 170], [
  230,
  220,
  90,
]];

/** Renders the gradients panel, scrolled so the selected layer stays in view. */
export function renderGradients(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const inner = width - 2;
  const layers = state.latest?.layers ?? [];
  const names = state.run?.network.layers ?? [];
  // log10 of every norm, taken once: the range over all layers, then each layer's history (-Infinity for
  // norms that are not positive, drawn at the bottom of the range)
  let low = Infinity;
  let high = -Infinity;
  const histories: number[][] = [];
  for (const series of state.gradientNorms) {
    const values = series.values;
    const history: number[] = [];
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      const t = v > 0 ? Math.log10(v) : -Infinity;
      if (v > 0 && Number.isFinite(v)) {
        if (t < low) low = t;
        if (t > high) high = t;
      }
      history.push(t);
    }
    histories.push(history);
  }
  const rowsAvailable = height - 2 - (height - 2 > layers.length ? 1 : 0);
  const first = Math.max(
    0,
    Math.min(state.selectedLayer - Math.floor(rowsAvailable / 2), layers.length - rowsAvailable),
  );
  const fixed = 48;
  const rest = Math.max(4, inner - fixed);
  const widest = Math.max(1, ...layers.map((l) => l.unitGradient.length));
  const heatWidth = Math.max(8, Math.min(Math.floor(rest * 0.4), 32, widest));
  const sparkWidth = Math.max(2, rest - heatWidth - 2);
  const content: string[] = [];
  if (height - 2 > layers.length) {
    content.push(
      paint(
        `  ${"layer".padEnd(6)}${"act".padEnd(8)}${"units".padStart(5)}  ${"‖dW‖".padEnd(9)}${
          (sparkWidth >= 13 ? "history (log)" : "history").padEnd(sparkWidth + 1)
        } ${"per unit".padEnd(heatWidth + 2)} sat/dead`,
        DIM,
        color,
      ),
    );
  }
  for (let i = first; i < Math.min(layers.length, first + rowsAvailable); i++) {
    const layer = layers[i];
    const selected = i === state.selectedLayer;
    const marker = selected ? paint("▸", ACCENT, color) : " ";
    const name = `${i === names.length - 1 ? "out" : `L${i + 1}`}`.padEnd(6);
    const norm = layer.gradientNorm;
    const flag = !Number.isFinite(norm) || norm > 1e3
      ? paint("▲", BAD, color)
      : norm < 1e-6
      ? paint("▼", ACCENT, color)
      : " ";
    const history = histories[i] ?? [];
    for (let j = 0; j < history.length; j++) if (history[j] === -Infinity) history[j] = low;
    const spark = sparkline(history, {
      width: sparkWidth,
      min: Number.isFinite(low) ? low : undefined,
      max: Number.isFinite(high) ? high : undefined,
    });
    const strip = heatStrip(layer.unitGradient, {
      width: Math.min(heatWidth, layer.unitGradient.length),
      color,
    });
    const share = layer.saturatedShare;
    // A saturated output layer is a confident classifier, not a problem: only hidden layers are flagged.
    const warn = share > SATURATION_WARNING && i < names.length - 1;
    const shareText = ` ${`${Math.round(share * 100)}%`.padStart(4)}${warn ? " !" : "  "}`;
    const kind = layer.activation.toLowerCase().includes("relu") ? "dead" : "sat";
    const line = `${marker} ${selected ? bold(name, color) : name}${layer.activation.slice(0, 7).padEnd(8)}` +
      `${String(layer.units).padStart(5)}  ${formatNumber(norm, 7).padEnd(7)}${flag} ` +
      `${paint(fitWidth(spark, sparkWidth), selected ? ACCENT : TEXT, color)} ` +
      ` ${paint("│", DIM, color)}${fitWidth(strip, heatWidth)}${paint("│", DIM, color)} ` +
      `${warn ? paint(`${kind}${shareText}`, BAD, color) : `${kind}${shareText}`}`;
    content.push(line);
  }
  if (layers.length === 0) content.push(paint("no gradients yet", DIM, color));
  const free = height - 2 - content.length;
  if (free >= 6 && layers.length > 0) {
    const series = state.gradientNorms.map((norms, i) => ({
      values: seriesValues(norms).map((v) => (v > 0 ? v : NaN)),
      rgb: LAYER_COLORS[i % LAYER_COLORS.length],
    }));
    const legend = layers.map((_, i) =>
      paint(`━ ${i === names.length - 1 ? "out" : `L${i + 1}`}`, LAYER_COLORS[i % LAYER_COLORS.length], color)
    );
    content.push("", paint("‖dW‖ over epochs (log scale)", DIM, color) + "  " + legend.join(" "));
    content.push(...lineChart(series, { width: inner, height: free - 2, color, log: true }));
  }
  return panel("Gradients", content, { width, height, color });
}
