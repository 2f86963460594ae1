// Alignments (tokens × frames attention weights): the most-attended path,
// the colour range and the token labels of the axis; pure.

import type { ColorRange } from "./scale";

/** "max": [0, the step's largest weight]; "unit": [0, 1], fixed over steps. */
export type AlignmentRangeMode = "max" | "unit";

/**
 * The most-attended token of each frame of a tokens × frames array
 * (row-major, row = token): the first of equal largest weights; -1 for a
 * frame without a finite weight.
 */
export function mostAttended(values: ArrayLike<number>, tokens: number, frames: number): Int32Array {
  if (values.length !== tokens * frames)
    throw new Error(`expected ${tokens * frames} weights for ${tokens}×${frames}, got ${values.length}`);
  const path = new Int32Array(frames).fill(-1);
  const best = new Float64Array(frames).fill(Number.NEGATIVE_INFINITY);
  for (let token = 0; token < tokens; token++) {
    const row = token * frames;
    for (let frame = 0; frame < frames; frame++) {
      const w = values[row + frame]!;
      if (Number.isFinite(w) && w > best[frame]!) {
        best[frame] = w;
        path[frame] = token;
      }
    }
  }
  return path;
}

/** The path as cells to outline: cell k at row rows[k] (token), column cols[k] (frame); frames without a token left out. */
export function pathCells(path: Int32Array): { rows: Int32Array; cols: Int32Array } {
  let count = 0;
  for (const token of path) if (token >= 0) count++;
  const rows = new Int32Array(count);
  const cols = new Int32Array(count);
  let k = 0;
  path.forEach((token, frame) => {
    if (token < 0) return;
    rows[k] = token;
    cols[k] = frame;
    k++;
  });
  return { rows, cols };
}

/** The colour range of weights whose largest finite value is `max`: from 0, as weights are not negative. */
export function alignmentRange(max: number | null, mode: AlignmentRangeMode): ColorRange {
  if (mode === "unit") return { min: 0, max: 1 };
  return { min: 0, max: max !== null && Number.isFinite(max) && max > 0 ? max : 1 };
}

/** `label` cut to at most `maxChars` characters, an ellipsis marking the cut. */
export function elideLabel(label: string, maxChars: number): string {
  const chars = Array.from(label);
  if (chars.length <= maxChars) return label;
  if (maxChars <= 1) return maxChars === 1 ? "…" : "";
  return `${chars.slice(0, maxChars - 1).join("")}…`;
}

/**
 * The tokens whose label the axis shows on a plot `height` pixels high: every
 * token when each has `minSpacing` pixels, else every k-th, from token 0.
 */
export function labelledTokens(tokens: number, height: number, minSpacing: number): number[] {
  if (tokens <= 0 || height <= 0) return [];
  const stride = Math.max(1, Math.ceil((minSpacing * tokens) / height));
  const shown: number[] = [];
  for (let token = 0; token < tokens; token += stride) shown.push(token);
  return shown;
}

/** The label of token `index`: its text, else its index. */
export function tokenLabel(labels: readonly string[] | null | undefined, index: number): string {
  const label = labels?.[index];
  return label === undefined ? String(index) : label;
}
