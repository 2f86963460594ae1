// Similarity matrices: orderings, the diagonal under an ordering, colour
// ranges and the alignment verdict; pure.

import type { StepInfo } from "../api/types";
import { finiteRange, maxAbsFinite, symmetricRange, unionRange, usableRange, type ColorRange } from "./scale";

/** "sequential": the toolbar's map over the range; "diverging": RdBu_r, white at the range's midpoint. */
export type SimilarityMapKind = "sequential" | "diverging";
/** "step": from the values shown; "unit": [−1, 1], the range of a cosine; "fixed": the user's bounds. */
export type SimilarityRangeMode = "step" | "unit" | "fixed";

/** Where rows and columns are shown: `rows[p]` is the matrix row at position p (top first). */
export interface MatrixOrder {
  rows: Int32Array;
  cols: Int32Array;
}

export function identityOrder(size: number): Int32Array {
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  return order;
}

/** Sort key putting +Inf first, −Inf after every finite value and NaN last. */
function descendingKey(value: number): number {
  return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}

/**
 * Indices of `count` values read at `start + i * stride`, the largest first.
 * Ties keep their index order; NaN goes last, after −Inf.
 */
export function orderByDescending(values: ArrayLike<number>, count: number, start = 0, stride = 1): Int32Array {
  const keys = new Float64Array(count);
  const nan = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[start + i * stride]!;
    keys[i] = descendingKey(v);
    nan[i] = Number.isNaN(v) ? 1 : 0;
  }
  const order = Array.from(identityOrder(count));
  order.sort((a, b) => nan[a]! - nan[b]! || (keys[b]! > keys[a]! ? 1 : keys[b]! < keys[a]! ? -1 : a - b));
  return Int32Array.from(order);
}

/**
 * The ordering by row `row` of a rows × cols matrix: columns by that row's
 * similarities, most similar first (what the row is confused with); rows by
 * their similarity to the row's own column (its pair, the diagonal), or to its
 * most similar column when it has no pair (a row past the last column).
 */
export function orderByRow(values: ArrayLike<number>, rows: number, cols: number, row: number): MatrixOrder {
  if (!(row >= 0 && row < rows)) throw new Error(`row ${row} is outside the matrix's ${rows} rows`);
  const colOrder = orderByDescending(values, cols, row * cols, 1);
  const pair = row < cols ? row : colOrder[0];
  const rowOrder = pair === undefined ? identityOrder(rows) : orderByDescending(values, rows, pair, cols);
  return { rows: rowOrder, cols: colOrder };
}

/** The ordering that `orderRow` asks for: the matrix's own one when it is null or out of range. */
export function matrixOrder(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  orderRow: number | null,
): MatrixOrder {
  if (orderRow === null || !Number.isInteger(orderRow) || orderRow < 0 || orderRow >= rows) {
    return { rows: identityOrder(rows), cols: identityOrder(cols) };
  }
  return orderByRow(values, rows, cols, orderRow);
}

/** The inverse of a permutation: `positions[order[p]] = p`. */
export function positionsOf(order: Int32Array): Int32Array {
  const positions = new Int32Array(order.length);
  for (let p = 0; p < order.length; p++) positions[order[p]!] = p;
  return positions;
}

/** The matrix as shown under `order`, row-major, top row first. */
export function permuteMatrix(
  values: ArrayLike<number>,
  cols: number,
  order: MatrixOrder,
  out: Float32Array = new Float32Array(order.rows.length * order.cols.length),
): Float32Array {
  const shownCols = order.cols.length;
  if (out.length !== order.rows.length * shownCols) {
    throw new Error(`expected an output of ${order.rows.length * shownCols} values, got ${out.length}`);
  }
  for (let p = 0; p < order.rows.length; p++) {
    const source = order.rows[p]! * cols;
    const target = p * shownCols;
    for (let q = 0; q < shownCols; q++) out[target + q] = values[source + order.cols[q]!]!;
  }
  return out;
}

/** Shown positions of the cells (i, i) of the matrix, i below min(rows, cols): where its diagonal is outlined. */
export interface CellPositions {
  rows: Int32Array;
  cols: Int32Array;
}

export function diagonalPositions(order: MatrixOrder): CellPositions {
  const n = Math.min(order.rows.length, order.cols.length);
  const rowPositions = positionsOf(order.rows);
  const colPositions = positionsOf(order.cols);
  return { rows: rowPositions.slice(0, n), cols: colPositions.slice(0, n) };
}

/** How many entries of row `row` are larger than its entry in column `col`: 0 is the most similar. */
export function rankInRow(values: ArrayLike<number>, cols: number, row: number, col: number): number | null {
  const v = values[row * cols + col];
  if (v === undefined || Number.isNaN(v)) return null;
  let ahead = 0;
  for (let j = 0; j < cols; j++) {
    if (values[row * cols + j]! > v) ahead++;
  }
  return ahead;
}

/**
 * The colour range of a matrix. A diverging map is centred on 0 (cosine 0 is
 * white); "fixed" takes the user's bounds when they make a range, else the
 * step's range.
 */
export function similarityRange(
  values: ArrayLike<number>,
  kind: SimilarityMapKind,
  mode: SimilarityRangeMode,
  fixed: ColorRange | null = null,
): ColorRange {
  return sharedSimilarityRange([values], kind, mode, fixed);
}

/** One colour range for several matrices (compared runs'): similarityRange over all of their values. */
export function sharedSimilarityRange(
  matrices: readonly ArrayLike<number>[],
  kind: SimilarityMapKind,
  mode: SimilarityRangeMode,
  fixed: ColorRange | null = null,
): ColorRange {
  if (mode === "unit") return { min: -1, max: 1 };
  if (mode === "fixed" && fixed !== null && isValidRange(fixed)) return fixed;
  if (kind === "diverging") return symmetricRange(Math.max(0, ...matrices.map((values) => maxAbsFinite(values))));
  return usableRange(
    matrices.reduce<ColorRange | null>((range, values) => unionRange(range, finiteRange(values)), null),
  );
}

export function isValidRange(range: ColorRange): boolean {
  return Number.isFinite(range.min) && Number.isFinite(range.max) && range.max > range.min;
}

/** A similarity card's own choices, read from its view options (CardState.view); anything else gives the default. */
export interface SimilarityView {
  colormap: SimilarityMapKind;
  range: SimilarityRangeMode;
  /** The user's bounds, when both are numbers; used with range "fixed". */
  fixed: ColorRange | null;
  /** The row the matrix is ordered by; null keeps the matrix's order. */
  orderRow: number | null;
  outline: boolean;
}

export function similarityView(view: Readonly<Record<string, unknown>>): SimilarityView {
  const min = view.rangeMin;
  const max = view.rangeMax;
  const row = view.orderRow;
  return {
    colormap: view.colormap === "diverging" ? "diverging" : "sequential",
    range: view.range === "unit" || view.range === "fixed" ? view.range : "step",
    fixed: typeof min === "number" && typeof max === "number" ? { min, max } : null,
    orderRow: typeof row === "number" && Number.isInteger(row) && row >= 0 ? row : null,
    outline: view.outline !== false,
  };
}

/** The stats stored with a step, with NaN (null) and a non-square matrix's recall as null. */
export interface SimilarityStats {
  diagonalMean: number | null;
  offDiagonalMean: number | null;
  gap: number | null;
  square: boolean;
  recall1Rows: number | null;
  recall5Rows: number | null;
  recall1Columns: number | null;
  recall5Columns: number | null;
  rows: number;
  cols: number;
  nonfinite: { nan: number; pos_inf: number; neg_inf: number };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

export function similarityStats(step: StepInfo | undefined): SimilarityStats | null {
  const stats = step?.stats;
  if (!stats) return null;
  const square = stats.square === true;
  const recall = (name: string) => (square ? numberOrNull(stats[name]) : null);
  const nonfinite = (stats.nonfinite ?? {}) as Record<string, unknown>;
  return {
    diagonalMean: numberOrNull(stats.diagonal_mean),
    offDiagonalMean: numberOrNull(stats.off_diagonal_mean),
    gap: numberOrNull(stats.gap),
    square,
    recall1Rows: recall("recall_at_1_rows"),
    recall5Rows: recall("recall_at_5_rows"),
    recall1Columns: recall("recall_at_1_columns"),
    recall5Columns: recall("recall_at_5_columns"),
    rows: count(step?.shape?.[0]),
    cols: count(step?.shape?.[1]),
    nonfinite: { nan: count(nonfinite.nan), pos_inf: count(nonfinite.pos_inf), neg_inf: count(nonfinite.neg_inf) },
  };
}

/** R@k of a retrieval that ranks `n` candidates at random. */
export function chanceRecall(k: number, n: number): number {
  return n > 0 ? Math.min(k, n) / n : 0;
}

/** Retrieval at no more than this many times chance counts as none. */
export const CHANCE_MULTIPLE = 2;

export type VerdictLevel = "clear" | "weak" | "none" | "unknown";

export interface Verdict {
  level: VerdictLevel;
  /** Mean R@1 of the two directions, null for a non-square matrix. */
  recall1: number | null;
  /** R@1 of random retrieval: 1 / N. */
  chance: number | null;
  text: string;
}

const LEVEL_TEXT: Record<VerdictLevel, string> = {
  clear: "clear diagonal",
  weak: "weak diagonal",
  none: "no diagonal",
  unknown: "no verdict",
};

/**
 * Whether the step shows a diagonal. None: pairs are on average no more
 * similar than the rest (gap ≤ 0), or R@1 is within CHANCE_MULTIPLE × chance.
 * Clear: R@1 is at least halfway from chance to 1. Weak: between. A
 * non-square matrix has no recall, so only the gap can say none; its best is weak.
 */
export function alignmentVerdict(stats: SimilarityStats | null): Verdict {
  if (stats === null || stats.gap === null) {
    return { level: "unknown", recall1: null, chance: null, text: "no diagonal statistics at this step" };
  }
  const gapText = `gap ${formatShort(stats.gap)} ${stats.gap > 0 ? ">" : "≤"} 0`;
  const r1 =
    stats.square && stats.recall1Rows !== null && stats.recall1Columns !== null
      ? (stats.recall1Rows + stats.recall1Columns) / 2
      : null;
  if (r1 === null) {
    const level: VerdictLevel = stats.gap > 0 ? "weak" : "none";
    return {
      level,
      recall1: null,
      chance: null,
      text: `${LEVEL_TEXT[level]}: ${gapText}; recall needs a square matrix`,
    };
  }
  const chance = chanceRecall(1, stats.rows);
  const recallText = `R@1 ${formatShort(r1)} vs chance ${formatShort(chance)}`;
  let level: VerdictLevel;
  if (stats.gap <= 0 || r1 <= CHANCE_MULTIPLE * chance) level = "none";
  else if (r1 >= (1 + chance) / 2) level = "clear";
  else level = "weak";
  return { level, recall1: r1, chance, text: `${LEVEL_TEXT[level]}: ${recallText}, ${gapText}` };
}

/** Up to three significant decimals, for stats in [−2, 2]. */
export function formatShort(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && a < 0.001) return value.toExponential(1);
  return String(Number(value.toFixed(3)));
}

/** `text` cut to at most `maxChars` characters, ending in "…" when cut; never splits a surrogate pair. */
export function elide(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return chars.slice(0, Math.max(maxChars - 1, 0)).join("") + "…";
}
