// Painting values into RGBA pixel buffers (ImageData.data), pure.

import { LUT_SIZE, NONFINITE_RGB } from "../colormaps";
import type { ColorRange } from "./scale";

/**
 * Paints a rows × cols array (row-major, row 0 = bin 0) as an image cols wide
 * and rows high with bin 0 on the bottom line, or on the top line with
 * `rowsFromTop` (a matrix). Values outside the range take the end colours;
 * NaN and ±Inf take NONFINITE_RGB.
 */
export function paintHeatmap(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  range: ColorRange,
  lut: Uint8Array,
  out: Uint8ClampedArray,
  rowsFromTop = false,
): void {
  if (values.length !== rows * cols) throw new Error(`expected ${rows * cols} values for ${rows}×${cols}, got ${values.length}`);
  if (out.length !== rows * cols * 4) throw new Error(`expected an RGBA buffer of ${rows * cols * 4} bytes, got ${out.length}`);
  const span = range.max - range.min;
  const perUnit = span > 0 ? LUT_SIZE / span : 0;
  const [nanR, nanG, nanB] = NONFINITE_RGB;
  for (let row = 0; row < rows; row++) {
    const source = row * cols;
    let pixel = (rowsFromTop ? row : rows - 1 - row) * cols * 4;
    for (let col = 0; col < cols; col++, pixel += 4) {
      const v = values[source + col]!;
      if (!Number.isFinite(v)) {
        out[pixel] = nanR;
        out[pixel + 1] = nanG;
        out[pixel + 2] = nanB;
      } else {
        let index = Math.floor((v - range.min) * perUnit);
        if (index < 0) index = 0;
        else if (index >= LUT_SIZE) index = LUT_SIZE - 1;
        const i = index * 3;
        out[pixel] = lut[i]!;
        out[pixel + 1] = lut[i + 1]!;
        out[pixel + 2] = lut[i + 2]!;
      }
      out[pixel + 3] = 255;
    }
  }
}

/** A colour bar as an image 1 wide and `height` high, the range's max at the top. */
export function paintColorbar(lut: Uint8Array, height: number, out: Uint8ClampedArray): void {
  for (let y = 0; y < height; y++) {
    const index = Math.min(LUT_SIZE - 1, Math.floor(((height - 1 - y) / Math.max(height - 1, 1)) * LUT_SIZE));
    out.set([lut[3 * index]!, lut[3 * index + 1]!, lut[3 * index + 2]!, 255], 4 * y);
  }
}
