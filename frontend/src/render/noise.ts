// Noise pairs: one slice of a stack, and the colour scale of a series from
// the stats /steps stores; pure.

import type { StepInfo } from "../api/types";

/** Values shown as one heatmap: rows × cols, row-major. */
export interface Plane {
  values: Float32Array;
  rows: number;
  cols: number;
}

/** How many slices an array of this shape holds: C of a stack [C, H, W], else 1. */
export function stackDepth(shape: readonly number[]): number {
  return shape.length === 3 ? shape[0]! : 1;
}

/** A slice index kept inside [0, depth); anything not a number is slice 0. */
export function clampSlice(index: unknown, depth: number): number {
  if (typeof index !== "number" || !Number.isFinite(index)) return 0;
  return Math.min(Math.max(Math.trunc(index), 0), Math.max(depth - 1, 0));
}

/**
 * Slice `index` [H, W] of a stack [C, H, W] (a view, no copy); a 2-D array is
 * its own only slice.
 */
export function stackSlice(array: { values: Float32Array; shape: readonly number[] }, index: number): Plane {
  const { values, shape } = array;
  if (shape.length === 2) {
    if (index !== 0) throw new Error(`a 2-D array has only slice 0, got ${index}`);
    return { values, rows: shape[0]!, cols: shape[1]! };
  }
  if (shape.length !== 3) throw new Error(`expected shape [H, W] or [C, H, W], got [${shape.join(", ")}]`);
  const [depth, rows, cols] = shape as [number, number, number];
  if (!(index >= 0 && index < depth && Number.isInteger(index)))
    throw new Error(`slice ${index} is outside [0, ${depth})`);
  if (values.length !== depth * rows * cols)
    throw new Error(`expected ${depth * rows * cols} values for [${shape.join(", ")}], got ${values.length}`);
  const size = rows * cols;
  return { values: values.subarray(index * size, (index + 1) * size), rows, cols };
}

/** The MSE of each slice of a stack, as /steps gives it (`frame_mse`); empty for 2-D pairs. */
export function frameMse(step: StepInfo | undefined): (number | null)[] {
  return (step?.frame_mse ?? []).map((v) => (typeof v === "number" ? v : null));
}

/** A noise step's stat by name (`mse`, `correlation`, `snr_db`, ...), or null when absent or non-finite. */
export function noiseStat(step: StepInfo | undefined, name: string): number | null {
  const value = step?.stats?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Standard deviations of the noise a fixed colour range spans on each side of 0. */
export const SERIES_RANGE_SIGMAS = 3;

/**
 * The half-widths of fixed colour ranges over a whole series, from the stats
 * /steps stores (no array read): `value` is SERIES_RANGE_SIGMAS × the largest
 * RMS of the actual noise over all steps, `diff` the same of actual − predicted.
 * With SNR = Σa² / Σ(p − a)² and MSE = Σ(p − a)² / n, the RMS of the actual
 * noise is √(MSE · 10^(SNR/10)) and that of the diff is √MSE. Null when no
 * step gives a finite, positive value.
 */
export function seriesNoiseScale(steps: readonly StepInfo[]): { value: number; diff: number } | null {
  let actualRms = 0;
  let diffRms = 0;
  for (const step of steps) {
    const mse = noiseStat(step, "mse");
    if (mse === null) continue;
    diffRms = Math.max(diffRms, Math.sqrt(mse));
    const snr = noiseStat(step, "snr_db");
    if (snr !== null) {
      const rms = Math.sqrt(mse * 10 ** (snr / 10));
      if (Number.isFinite(rms)) actualRms = Math.max(actualRms, rms);
    }
  }
  if (!(actualRms > 0) && !(diffRms > 0)) return null;
  const value = SERIES_RANGE_SIGMAS * (actualRms > 0 ? actualRms : diffRms);
  const diff = SERIES_RANGE_SIGMAS * (diffRms > 0 ? diffRms : actualRms);
  return { value, diff };
}
