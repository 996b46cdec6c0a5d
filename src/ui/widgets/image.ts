// Images drawn with half blocks: two pixel rows per cell, shade glyphs when colour is off.

import { bg, type ColorMode, fg, RESET, type Rgb } from "../ansi.ts";
import { shadeGlyph } from "./colors.ts";

/**
 * Draws an image with the upper-half block `▀`: two pixels per cell, the top one as foreground and the bottom one
 * as background. `pixels` is row-major, `height` rows of `width` colours; an odd last row pairs with black.
 */
export function halfBlockImage(pixels: readonly Rgb[][], mode: ColorMode): string[] {
  const lines: string[] = [];
  for (let r = 0; r < pixels.length; r += 2) {
    const top = pixels[r];
    const bottom = pixels[r + 1] ?? top.map((): Rgb => [0, 0, 0]);
    let line = "";
    let current = "";
    for (let c = 0; c < top.length; c++) {
      if (mode === "none") {
        const luminance = (p: Rgb) => (0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]) / 255;
        line += shadeGlyph((luminance(top[c]) + luminance(bottom[c])) / 2);
        continue;
      }
      const code = fg(top[c], mode) + bg(bottom[c], mode);
      if (code !== current) line += code;
      current = code;
      line += "▀";
    }
    lines.push(current ? line + RESET : line);
  }
  return lines;
}
