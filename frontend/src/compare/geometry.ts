// Flicker and swipe between two predictions: which one each column shows;
// pure.

import type { FrameWindow } from "../render/zoom";

/** The column (fractional) at CSS pixel `x` of a panel `width` wide showing `window`. */
export function columnAtX(x: number, width: number, window: FrameWindow): number {
  if (width <= 0) return window.start;
  const fraction = Math.min(Math.max(x / width, 0), 1);
  return window.start + fraction * (window.end - window.start);
}

/** The CSS pixel of column coordinate `col` in a panel `width` wide showing `window`. */
export function xOfColumn(col: number, width: number, window: FrameWindow): number {
  const span = window.end - window.start;
  if (span <= 0) return 0;
  return ((col - window.start) / span) * width;
}

/** The swipe's split: a whole column in [0, cols], the first column the second prediction shows. */
export function swipeSplit(col: number, cols: number): number {
  return Math.min(Math.max(Math.round(col), 0), cols);
}

/**
 * The plane a swipe shows: columns before `split` from `left`, the others
 * from `right`, both `rows` × `cols` row-major; written into `out`.
 */
export function swipeValues(
  left: Float32Array,
  right: Float32Array,
  rows: number,
  cols: number,
  split: number,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  if (left.length !== rows * cols || right.length !== rows * cols)
    throw new Error(`expected ${rows} × ${cols} values, got ${left.length} and ${right.length}`);
  const at = Math.min(Math.max(split, 0), cols);
  for (let row = 0; row < rows; row++) {
    const start = row * cols;
    out.set(left.subarray(start, start + at), start);
    out.set(right.subarray(start + at, start + cols), start + at);
  }
  return out;
}

/** Which of the pair a flicker shows: the second while its key is held. */
export function flickerShown(held: boolean): 0 | 1 {
  return held ? 1 : 0;
}
