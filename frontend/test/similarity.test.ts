import assert from "node:assert/strict";
import { test } from "node:test";

import type { StepInfo } from "../src/api/types";
import { colormapLut } from "../src/colormaps";
import { cellOutline, MIN_OUTLINE_SIZE, OUTLINE_TICK_GAP } from "../src/render/layout";
import { paintHeatmap } from "../src/render/paint";
import {
  alignmentVerdict,
  chanceRecall,
  diagonalPositions,
  elide,
  formatShort,
  identityOrder,
  isValidRange,
  matrixOrder,
  orderByDescending,
  orderByRow,
  permuteMatrix,
  positionsOf,
  rankInRow,
  similarityRange,
  similarityStats,
  similarityView,
  type SimilarityStats,
} from "../src/render/similarity";
import { rowIndexAtYFromTop, yOfRowFromTop } from "../src/render/zoom";

// 3 × 3, row-major: row 0 prefers column 2, then 0, then 1.
const MATRIX = [0.5, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6];

test("ordering by a row's similarities", async (t) => {
  await t.test("the largest first; ties keep their index order; NaN last, after −Inf", () => {
    assert.deepEqual([...orderByDescending([0.1, 0.5, 0.5, -0.2], 4)], [1, 2, 0, 3]);
    const special = [Number.NaN, Number.NEGATIVE_INFINITY, 0, Number.POSITIVE_INFINITY];
    assert.deepEqual([...orderByDescending(special, 4)], [3, 2, 1, 0]);
  });
  await t.test("reads a column through a stride", () => {
    assert.deepEqual([...orderByDescending(MATRIX, 3, 1, 3)], [1, 2, 0]); // column 1: 0.1, 0.8, 0.4
  });
  await t.test("columns by the row's similarities, rows by their similarity to the row's pair", () => {
    const order = orderByRow(MATRIX, 3, 3, 0);
    assert.deepEqual([...order.cols], [2, 0, 1]);
    assert.deepEqual([...order.rows], [2, 0, 1]); // column 0: 0.5, 0.2, 0.7
  });
  await t.test("a row without a pair (past the last column) orders rows by its best column", () => {
    // 3 rows × 2 columns: row 2 prefers column 0.
    const order = orderByRow([0.1, 0.9, 0.5, 0.2, 0.8, 0.3], 3, 2, 2);
    assert.deepEqual([...order.cols], [0, 1]);
    assert.deepEqual([...order.rows], [2, 1, 0]);
  });
  await t.test("no row, or one outside the matrix, keeps the matrix's order", () => {
    for (const row of [null, -1, 3, 1.5]) {
      const order = matrixOrder(MATRIX, 3, 3, row);
      assert.deepEqual([...order.rows], [0, 1, 2]);
      assert.deepEqual([...order.cols], [0, 1, 2]);
    }
    assert.throws(() => orderByRow(MATRIX, 3, 3, 5), /row 5 is outside the matrix's 3 rows/);
  });
});

test("the matrix as shown under an ordering", async (t) => {
  await t.test("positions invert the order", () => {
    const order = Int32Array.from([2, 0, 1]);
    assert.deepEqual([...positionsOf(order)], [1, 2, 0]);
    assert.deepEqual([...positionsOf(identityOrder(4))], [0, 1, 2, 3]);
  });
  await t.test("shown cell (p, q) is the matrix's cell (rows[p], cols[q])", () => {
    const order = { rows: Int32Array.from([2, 0, 1]), cols: Int32Array.from([2, 0, 1]) };
    const shown = permuteMatrix(MATRIX, 3, order);
    assert.deepEqual(
      [...shown].map((v) => Math.round(v * 10) / 10),
      [0.6, 0.7, 0.4, 0.9, 0.5, 0.1, 0.3, 0.2, 0.8],
    );
    assert.throws(() => permuteMatrix(MATRIX, 3, order, new Float32Array(4)), /expected an output of 9 values, got 4/);
  });
  await t.test("the diagonal is outlined where its cells are shown", () => {
    const order = orderByRow(MATRIX, 3, 3, 0); // rows [2, 0, 1], columns [2, 0, 1]
    const diagonal = diagonalPositions(order);
    assert.deepEqual([...diagonal.rows], [1, 2, 0]);
    assert.deepEqual([...diagonal.cols], [1, 2, 0]);
    const shown = permuteMatrix(MATRIX, 3, order);
    for (let i = 0; i < 3; i++)
      assert.equal(shown[diagonal.rows[i]! * 3 + diagonal.cols[i]!], Math.fround(MATRIX[i * 3 + i]!));
  });
  await t.test("under different row and column orders the outline leaves the shown diagonal", () => {
    const diagonal = diagonalPositions({ rows: Int32Array.from([1, 0, 2]), cols: Int32Array.from([2, 1, 0]) });
    assert.deepEqual([...diagonal.rows], [1, 0, 2]);
    assert.deepEqual([...diagonal.cols], [2, 1, 0]);
  });
  await t.test("a non-square matrix has min(rows, cols) pairs", () => {
    const diagonal = diagonalPositions({ rows: identityOrder(2), cols: identityOrder(5) });
    assert.deepEqual([...diagonal.rows], [0, 1]);
    assert.deepEqual([...diagonal.cols], [0, 1]);
  });
  await t.test("rank of a cell in its row", () => {
    assert.equal(rankInRow(MATRIX, 3, 0, 2), 0);
    assert.equal(rankInRow(MATRIX, 3, 0, 1), 2);
    assert.equal(rankInRow([Number.NaN, 1], 2, 0, 0), null);
  });
});

test("colour ranges of a similarity matrix", async (t) => {
  const values = [0.2, -0.4, 0.9, Number.NaN];
  await t.test("sequential per step: the finite min and max", () => {
    assert.deepEqual(similarityRange(values, "sequential", "step"), { min: -0.4, max: 0.9 });
  });
  await t.test("diverging per step: symmetric around 0, so 0 is white", () => {
    assert.deepEqual(similarityRange(values, "diverging", "step"), { min: -0.9, max: 0.9 });
    assert.deepEqual(similarityRange([0, 0], "diverging", "step"), { min: -1, max: 1 });
  });
  await t.test("unit: the range of a cosine", () => {
    assert.deepEqual(similarityRange(values, "sequential", "unit"), { min: -1, max: 1 });
  });
  await t.test("fixed: the user's bounds when they make a range, else the step's", () => {
    assert.deepEqual(similarityRange(values, "diverging", "fixed", { min: 0, max: 0.5 }), { min: 0, max: 0.5 });
    assert.deepEqual(similarityRange(values, "sequential", "fixed", { min: 1, max: 0 }), { min: -0.4, max: 0.9 });
    assert.deepEqual(similarityRange(values, "sequential", "fixed", null), { min: -0.4, max: 0.9 });
    assert.equal(isValidRange({ min: 0, max: Number.POSITIVE_INFINITY }), false);
  });
  await t.test("a constant or empty matrix still gets a range", () => {
    const constant = similarityRange([0.3, 0.3], "sequential", "step");
    assert.ok(constant.min < 0.3 && constant.max > 0.3);
    assert.deepEqual(similarityRange([], "sequential", "step"), { min: 0, max: 1 });
  });
});

test("a card's view options", () => {
  assert.deepEqual(similarityView({}), {
    colormap: "sequential",
    range: "step",
    fixed: null,
    orderRow: null,
    outline: true,
  });
  assert.deepEqual(
    similarityView({
      colormap: "diverging",
      range: "fixed",
      rangeMin: -0.5,
      rangeMax: 0.5,
      orderRow: 7,
      outline: false,
    }),
    { colormap: "diverging", range: "fixed", fixed: { min: -0.5, max: 0.5 }, orderRow: 7, outline: false },
  );
  const odd = similarityView({ colormap: "jet", range: "series", rangeMin: "0", orderRow: -2 });
  assert.deepEqual(odd, { colormap: "sequential", range: "step", fixed: null, orderRow: null, outline: true });
  assert.equal(similarityView({ orderRow: 2.5 }).orderRow, null);
});

function step(stats: Record<string, unknown>, shape: number[] = [8, 8]): StepInfo {
  return { step: 0, wall_time: 0, stats: { nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 }, ...stats }, shape };
}

function stats(gap: number | null, recall1: number, rows = 8, square = true): SimilarityStats {
  return similarityStats(
    step(
      {
        diagonal_mean: 0.5,
        off_diagonal_mean: 0.1,
        gap,
        square,
        recall_at_1_rows: recall1,
        recall_at_5_rows: 1,
        recall_at_1_columns: recall1,
        recall_at_5_columns: 1,
      },
      [rows, square ? rows : rows + 1],
    ),
  )!;
}

test("stats from /steps", async (t) => {
  await t.test("NaN (null) stays null; a non-square matrix has no recall", () => {
    const square = stats(null, 0.5);
    assert.equal(square.gap, null);
    assert.equal(square.recall1Rows, 0.5);
    assert.equal(square.rows, 8);
    const wide = stats(0.3, 0, 4, false);
    assert.equal(wide.recall1Rows, null);
    assert.equal(wide.recall5Columns, null);
    assert.equal(wide.cols, 5);
    assert.equal(similarityStats(undefined), null);
    assert.equal(similarityStats({ step: 1, wall_time: 0, error: "unreadable" }), null);
  });
  await t.test("non-finite counts come through", () => {
    const counted = similarityStats(step({ nonfinite: { nan: 2, pos_inf: 1, neg_inf: 0 } }));
    assert.deepEqual(counted?.nonfinite, { nan: 2, pos_inf: 1, neg_inf: 0 });
  });
});

test("the verdict compares R@1 with chance and the gap with 0", async (t) => {
  await t.test("chance R@k is k / N", () => {
    assert.equal(chanceRecall(1, 8), 0.125);
    assert.equal(chanceRecall(5, 8), 0.625);
    assert.equal(chanceRecall(5, 3), 1);
    assert.equal(chanceRecall(1, 0), 0);
  });
  await t.test("a clear diagonal: R@1 at least halfway from chance to 1", () => {
    const verdict = alignmentVerdict(stats(0.4, 0.875));
    assert.equal(verdict.level, "clear");
    assert.equal(verdict.chance, 0.125);
    assert.equal(verdict.text, "clear diagonal: R@1 0.875 vs chance 0.125, gap 0.4 > 0");
  });
  await t.test("weak: above twice chance but below halfway", () => {
    assert.equal(alignmentVerdict(stats(0.1, 0.3)).level, "weak");
    assert.equal(alignmentVerdict(stats(0.1, 0.5625)).level, "clear"); // (1 + 1/8) / 2
  });
  await t.test("none: a gap at or below 0, or R@1 within twice chance", () => {
    assert.equal(alignmentVerdict(stats(0, 0.9)).level, "none");
    assert.equal(
      alignmentVerdict(stats(-0.2, 0.9)).text.startsWith("no diagonal: R@1 0.9 vs chance 0.125, gap -0.2 ≤ 0"),
      true,
    );
    assert.equal(alignmentVerdict(stats(0.3, 0.25)).level, "none");
    assert.equal(alignmentVerdict(stats(0.3, 0.26)).level, "weak");
  });
  await t.test("chance shrinks with N: R@1 0.01 is none at N = 1024 only within 2/1024", () => {
    assert.equal(alignmentVerdict(stats(0.05, 0.001, 1024)).level, "none");
    assert.equal(alignmentVerdict(stats(0.05, 0.01, 1024)).level, "weak");
  });
  await t.test("a non-square matrix is judged by its gap alone", () => {
    assert.equal(alignmentVerdict(stats(0.2, 0, 4, false)).level, "weak");
    assert.match(alignmentVerdict(stats(0.2, 0, 4, false)).text, /recall needs a square matrix/);
    assert.equal(alignmentVerdict(stats(-0.1, 0, 4, false)).level, "none");
  });
  await t.test("no stats, no verdict", () => {
    assert.equal(alignmentVerdict(null).level, "unknown");
    assert.equal(alignmentVerdict(stats(null, 1)).level, "unknown");
  });
  await t.test("short numbers", () => {
    assert.equal(formatShort(0.123456), "0.123");
    assert.equal(formatShort(-0.5), "-0.5");
    assert.equal(formatShort(0.0001234), "1.2e-4");
    assert.equal(formatShort(0), "0");
  });
});

test("labels are elided, whole characters only", () => {
  assert.equal(elide("short", 10), "short");
  assert.equal(elide("abcdefghij", 5), "abcd…");
  assert.equal(elide("a".repeat(300), 80).length, 80);
  assert.equal(elide("😀😀😀", 2), "😀…");
});

test("outlines of cells", async (t) => {
  await t.test("a large cell's box stays inside it", () => {
    assert.deepEqual(cellOutline(10, 20, 30, 40), { kind: "box", x: 11, y: 21, width: 28, height: 38 });
    assert.deepEqual(cellOutline(10, 20, MIN_OUTLINE_SIZE, MIN_OUTLINE_SIZE), {
      kind: "box",
      x: 10,
      y: 20,
      width: 4,
      height: 4,
    });
  });
  await t.test("a small cell gets a tick on either side, leaving its value visible", () => {
    const outline = cellOutline(10, 20, 0.5, 0.5);
    assert.deepEqual(outline, {
      kind: "ticks",
      left: 10 - OUTLINE_TICK_GAP,
      right: 10.5 + OUTLINE_TICK_GAP,
      top: 20.25 - OUTLINE_TICK_GAP / 2,
      bottom: 20.25 + OUTLINE_TICK_GAP / 2,
    });
  });
});

test("a matrix is painted and read with row 0 at the top", async (t) => {
  await t.test("paintHeatmap with rowsFromTop puts row 0 on the top line", () => {
    const lut = colormapLut("gray");
    const out = new Uint8ClampedArray(2 * 1 * 4);
    paintHeatmap([0, 1], 2, 1, { min: 0, max: 1 }, lut, out, true);
    assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 255]);
    assert.deepEqual([...out.subarray(4, 8)], [255, 255, 255, 255]);
  });
  await t.test("pixels map to rows from the top", () => {
    assert.equal(rowIndexAtYFromTop(0, 160, 8), 0);
    assert.equal(rowIndexAtYFromTop(159.9, 160, 8), 7);
    assert.equal(rowIndexAtYFromTop(500, 160, 8), 7);
    assert.equal(rowIndexAtYFromTop(-3, 160, 8), 0);
    assert.equal(yOfRowFromTop(2, 160, 8), 40);
  });
});
