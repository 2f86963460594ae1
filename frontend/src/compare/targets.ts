// Whether compared runs logged the same target, so that the card shows it
// once: equal within quantization; pure.

import type { DecodedArray } from "../api/decode";

/** Relative slack for float arithmetic in decoding (offset + code × scale in float32). */
const FLOAT32_SLACK = 2 ** -20;

/**
 * Whether two decoded arrays may hold the same values as written: the same
 * shape, non-finite values at the same places, and every finite pair within
 * the sum of the two arrays' quantization errors. Each decoded value lies
 * within its own array's error of the written one, so two decodings of one
 * value differ by up to that sum: a target and prediction share their
 * quantization range, so the same target logged beside different
 * predictions is quantized on different grids.
 */
export function targetsEqual(a: DecodedArray, b: DecodedArray): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((size, i) => size !== b.shape[i])) return false;
  if (a.values.length !== b.values.length) return false;
  const tolerance = (a.quantError ?? 0) + (b.quantError ?? 0);
  const x = a.values;
  const y = b.values;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    if (!Number.isFinite(p) || !Number.isFinite(q)) {
      if (Number.isNaN(p) && Number.isNaN(q)) continue;
      return false;
    }
    if (Math.abs(p - q) > tolerance + FLOAT32_SLACK * Math.max(Math.abs(p), Math.abs(q))) return false;
  }
  return true;
}

/** Whether every array of `targets` equals the first within quantization. */
export function allTargetsEqual(targets: readonly DecodedArray[]): boolean {
  const first = targets[0];
  return first !== undefined && targets.every((target) => target === first || targetsEqual(first, target));
}
