// The samples panel: a grid of the fixed test images in grey half blocks, each with its predicted class, green
// when right and red when wrong (✓ and ✗ say the same without colour).

import { paint, type Rgb, truncate } from "../ansi.ts";
import type { DashboardState } from "../state.ts";
import { DIM } from "../widgets/colors.ts";
import { panel } from "../widgets/frame.ts";
import { halfBlockImage } from "../widgets/image.ts";
import { shrinkPixels, type Tile, tileGrid, tileScale } from "../widgets/tiles.ts";
import { BAD, GOOD, type PanelSize } from "./_common.ts";

/** Shows at least this many images when they can shrink to fit them. */
const AT_LEAST = 6;

/**
 * Renders the samples panel: as many of the run's sample images as fit, at the largest scale that shows at least
 * six, each labelled with the class the model predicts (its true class, dimmed, before the first prediction).
 */
export function renderSamples(state: DashboardState, size: PanelSize): string[] {
  const { width, height, color } = size;
  const image = state.run?.image;
  if (image === undefined || image.samples.length === 0) {
    return panel("Samples", [paint("no images in this data", DIM, color)], size);
  }
  const names = state.run?.classNames ?? [];
  const predictions = state.samplePredictions;
  const scale = tileScale({
    width: width - 2,
    height: height - 2,
    imageHeight: image.height,
    imageWidth: image.width,
    count: image.samples.length,
    atLeast: AT_LEAST,
  });
  const tiles: Tile[] = image.samples.slice(0, scale.shown).map((sample, i) => {
    const rows = shrinkPixels(sample.pixels, {
      height: image.height,
      width: image.width,
      factor: scale.factor,
    });
    const pixels = rows.map((row) => row.map((v): Rgb => [v * 255, v * 255, v * 255]));
    const predicted = predictions?.[i];
    const name = (c: number) => names[c] ?? String(c);
    let label: string;
    if (predicted === undefined) {
      label = paint(truncate(`·${name(sample.label)}`, scale.tileWidth), DIM, color);
    } else {
      const right = predicted === sample.label;
      label = paint(
        truncate(`${right ? "✓" : "✗"}${name(predicted)}`, scale.tileWidth),
        right ? GOOD : BAD,
        color,
      );
    }
    return { lines: halfBlockImage(pixels, color), label };
  });
  let title = `Samples (${image.split})`;
  if (predictions !== undefined) {
    let right = 0;
    for (let i = 0; i < scale.shown; i++) if (predictions[i] === image.samples[i].label) right++;
    title += ` ${right}/${scale.shown} right`;
  }
  return panel(title, tileGrid(tiles, { tileWidth: scale.tileWidth, perRow: scale.perRow }), size);
}
