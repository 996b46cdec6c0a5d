// A braille canvas: 2×4 dots per cell, each cell coloured by its strongest dot; charts and diagrams draw on it.

import { type ColorMode, fg, RESET, type Rgb } from "../ansi.ts";

const BRAILLE_BITS = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]];

/** A braille canvas: 2×4 dots per cell, each cell remembering the colour of its last dot. */
export class BrailleCanvas {
  #cols: number;
  #rows: number;
  #bits: Uint8Array;
  #colors: (Rgb | undefined)[];
  #weights: Float64Array;

  constructor(cols: number, rows: number) {
    this.#cols = cols;
    this.#rows = rows;
    this.#bits = new Uint8Array(cols * rows);
    this.#colors = new Array(cols * rows).fill(undefined);
    this.#weights = new Float64Array(cols * rows).fill(-1);
  }

  /** Sets dot (x, y); a colour with a larger `weight` wins the cell. */
  set(x: number, y: number, rgb?: Rgb, weight = 0): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.#cols * 2 || yi >= this.#rows * 4) return;
    const cell = (yi >> 2) * this.#cols + (xi >> 1);
    this.#bits[cell] |= BRAILLE_BITS[yi & 3][xi & 1];
    if (weight >= this.#weights[cell]) {
      this.#weights[cell] = weight;
      this.#colors[cell] = rgb;
    }
  }

  /** Draws a straight line of dots from (x0, y0) to (x1, y1); `every` > 1 leaves gaps. */
  line(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    options: { rgb?: Rgb; weight?: number; every?: number },
  ) {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const every = options.every ?? 1;
    const rgb = options.rgb;
    const weight = options.weight ?? 0;
    const cols = this.#cols;
    const width = cols * 2;
    const height = this.#rows * 4;
    const bits = this.#bits;
    const weights = this.#weights;
    // set() inlined: a network diagram sets thousands of dots per frame, mostly before V8 optimizes anything
    for (let s = 0; s <= steps; s += every) {
      const xi = Math.round(x0 + ((x1 - x0) * s) / steps);
      const yi = Math.round(y0 + ((y1 - y0) * s) / steps);
      if (xi < 0 || yi < 0 || xi >= width || yi >= height) continue;
      const cell = (yi >> 2) * cols + (xi >> 1);
      bits[cell] |= BRAILLE_BITS[yi & 3][xi & 1];
      if (weight >= weights[cell]) {
        weights[cell] = weight;
        this.#colors[cell] = rgb;
      }
    }
  }

  /** Returns the canvas as lines of braille characters, coloured by cell. */
  render(mode: ColorMode): string[] {
    const lines: string[] = [];
    for (let r = 0; r < this.#rows; r++) {
      let line = "";
      let current: string | undefined;
      for (let c = 0; c < this.#cols; c++) {
        const cell = r * this.#cols + c;
        const bits = this.#bits[cell];
        if (bits === 0) {
          line += " ";
          continue;
        }
        const rgb = this.#colors[cell];
        const code = rgb && mode !== "none" ? fg(rgb, mode) : "";
        if (code !== (current ?? "")) {
          line += code === "" ? RESET : code;
          current = code;
        }
        line += String.fromCodePoint(0x2800 + bits);
      }
      if (current) line += RESET;
      lines.push(line);
    }
    return lines;
  }
}
