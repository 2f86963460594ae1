// Painting values into RGBA pixel buffers (ImageData.data), pure.

import { LUT_SIZE, NONFINITE_RGB } from "../colormaps";
import { LITTLE_ENDIAN } from "./bytes";
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
  if (values.length !== rows * cols)
    throw new Error(`expected ${rows * cols} values for ${rows}×${cols}, got ${values.length}`);
  if (out.length !== rows * cols * 4)
    throw new Error(`expected an RGBA buffer of ${rows * cols * 4} bytes, got ${out.length}`);
  const span = range.max - range.min;
  const perUnit = span > 0 ? LUT_SIZE / span : 0;
  const min = range.min;
  const top = LUT_SIZE - 1;
  if (LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
    // One 32-bit store per pixel: a quarter of the stores of the loop below.
    const words = new Uint32Array(out.buffer, out.byteOffset, rows * cols);
    const table = packedLut(lut);
    const nonfinite = packRgb(NONFINITE_RGB[0], NONFINITE_RGB[1], NONFINITE_RGB[2]);
    for (let row = 0; row < rows; row++) {
      const source = row * cols;
      const target = (rowsFromTop ? row : rows - 1 - row) * cols;
      for (let col = 0; col < cols; col++) {
        const v = values[source + col]!;
        if (v - v !== 0) {
          words[target + col] = nonfinite; // NaN or ±Inf
        } else {
          const x = (v - min) * perUnit;
          words[target + col] = table[x <= 0 ? 0 : x >= top ? top : x | 0]!;
        }
      }
    }
    return;
  }
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
        let index = Math.floor((v - min) * perUnit);
        if (index < 0) index = 0;
        else if (index > top) index = top;
        const i = index * 3;
        out[pixel] = lut[i]!;
        out[pixel + 1] = lut[i + 1]!;
        out[pixel + 2] = lut[i + 2]!;
      }
      out[pixel + 3] = 255;
    }
  }
}

/** An opaque RGBA pixel as one 32-bit word of a little-endian Uint32Array over ImageData bytes. */
function packRgb(r: number, g: number, b: number): number {
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

const packedLuts = new WeakMap<Uint8Array, Uint32Array>();

/** A map's table as LUT_SIZE opaque RGBA words (little-endian), kept per table. */
export function packedLut(lut: Uint8Array): Uint32Array {
  let packed = packedLuts.get(lut);
  if (packed === undefined) {
    packed = new Uint32Array(LUT_SIZE);
    for (let i = 0; i < LUT_SIZE; i++) packed[i] = packRgb(lut[3 * i]!, lut[3 * i + 1]!, lut[3 * i + 2]!);
    packedLuts.set(lut, packed);
  }
  return packed;
}

/** A colour bar as an image 1 wide and `height` high, the range's max at the top. */
export function paintColorbar(lut: Uint8Array, height: number, out: Uint8ClampedArray): void {
  for (let y = 0; y < height; y++) {
    const index = Math.min(LUT_SIZE - 1, Math.floor(((height - 1 - y) / Math.max(height - 1, 1)) * LUT_SIZE));
    out.set([lut[3 * index]!, lut[3 * index + 1]!, lut[3 * index + 2]!, 255], 4 * y);
  }
}
