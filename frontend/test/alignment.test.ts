import assert from "node:assert/strict";
import test from "node:test";

import {
  alignmentRange,
  elideLabel,
  labelledTokens,
  mostAttended,
  pathCells,
  tokenLabel,
} from "../src/render/alignment";

// 3 tokens × 4 frames, row-major (row = token).
const WEIGHTS = [
  ...[0.9, 0.1, 0.0, 0.2], // token 0
  ...[0.1, 0.8, 0.3, 0.2], // token 1
  ...[0.0, 0.1, 0.7, 0.6], // token 2
];

test("the most-attended path", async (t) => {
  await t.test("the token of each frame's largest weight", () => {
    assert.deepEqual([...mostAttended(WEIGHTS, 3, 4)], [0, 1, 2, 2]);
  });
  await t.test("ties go to the first token; a frame without a finite weight has none", () => {
    const values = [0.5, Number.NaN, 0.5, Number.POSITIVE_INFINITY];
    assert.deepEqual([...mostAttended(values, 2, 2)], [0, -1]);
  });
  await t.test("a hard diagonal is its own path", () => {
    const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    assert.deepEqual([...mostAttended(eye, 3, 3)], [0, 1, 2]);
  });
  await t.test("the wrong count of weights is refused, with the numbers", () => {
    assert.throws(() => mostAttended([1, 2, 3], 2, 2), /expected 4 weights for 2×2, got 3/);
  });
  await t.test("as outlined cells, frames without a token left out", () => {
    const cells = pathCells(Int32Array.from([2, -1, 0]));
    assert.deepEqual([...cells.rows], [2, 0]);
    assert.deepEqual([...cells.cols], [0, 2]);
  });
});

test("the colour range of weights starts at 0", () => {
  assert.deepEqual(alignmentRange(0.4, "max"), { min: 0, max: 0.4 });
  assert.deepEqual(alignmentRange(0.4, "unit"), { min: 0, max: 1 });
  assert.deepEqual(alignmentRange(null, "max"), { min: 0, max: 1 });
  assert.deepEqual(alignmentRange(0, "max"), { min: 0, max: 1 });
});

test("token labels on the axis", async (t) => {
  await t.test("elided to a number of characters, an ellipsis marking the cut", () => {
    assert.equal(elideLabel("ABCDEF", 6), "ABCDEF");
    assert.equal(elideLabel("ABCDEF", 4), "ABC…");
    assert.equal(elideLabel("ABCDEF", 1), "…");
    assert.equal(elideLabel("ABCDEF", 0), "");
    assert.equal(elideLabel("ˈɑːɹ", 3), "ˈɑ…", "by characters, not UTF-16 units");
  });
  await t.test("every token when there is room, else every k-th from token 0", () => {
    assert.deepEqual(labelledTokens(5, 100, 12), [0, 1, 2, 3, 4]);
    assert.deepEqual(labelledTokens(20, 120, 12), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.deepEqual(labelledTokens(0, 100, 12), []);
  });
  await t.test("a token without a label is named by its index", () => {
    assert.equal(tokenLabel(["a", "<b>"], 1), "<b>");
    assert.equal(tokenLabel(null, 3), "3");
    assert.equal(tokenLabel(["a"], 4), "4");
  });
});
