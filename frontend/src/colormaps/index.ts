// Colour maps: lookup tables of 256 RGB entries, generated from matplotlib
// at build time (tools/gen_colormaps.py writes data.ts).

import { COLORMAP_DATA, type ColormapName } from "./data";

export type { ColormapName };

export const LUT_SIZE = 256;

/** Maps offered for target and predicted. */
export const SEQUENTIAL_MAPS: readonly ColormapName[] = ["viridis", "magma", "inferno", "gray"];
/** The map of |diff|. */
export const ABS_DIFF_MAP: ColormapName = "hot";
/** The map of the signed diff: diverging, white at 0, red where target > predicted. */
export const SIGNED_DIFF_MAP: ColormapName = "RdBu_r";

/** RGB drawn for NaN and ±Inf: a colour no map above contains. */
export const NONFINITE_RGB: readonly [number, number, number] = [255, 0, 255];

const luts = new Map<ColormapName, Uint8Array>();

export function colormapNames(): ColormapName[] {
  return Object.keys(COLORMAP_DATA) as ColormapName[];
}

export function isColormapName(name: string): name is ColormapName {
  return Object.prototype.hasOwnProperty.call(COLORMAP_DATA, name);
}

/** The map's table: LUT_SIZE × RGB bytes. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = luts.get(name);
  if (lut === undefined) {
    const text = atob(COLORMAP_DATA[name]);
    lut = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) lut[i] = text.charCodeAt(i);
    if (lut.length !== LUT_SIZE * 3)
      throw new Error(`colormap ${name} has ${lut.length} bytes, expected ${LUT_SIZE * 3}`);
    luts.set(name, lut);
  }
  return lut;
}

/** Index into a table for `t` in [0, 1]; `t` outside is clamped, NaN maps to 0. */
export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return Math.floor(t * LUT_SIZE);
}

export function rampColor(lut: Uint8Array, t: number): [number, number, number] {
  const i = 3 * lutIndex(t);
  return [lut[i]!, lut[i + 1]!, lut[i + 2]!];
}

export function cssColor(rgb: readonly [number, number, number]): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}
