import assert from "node:assert/strict";
import { test } from "node:test";

import { matrixAgreement, matrixCell, type MatrixFacts } from "../src/compare/similarity";
import { sharedSimilarityRange, similarityRange } from "../src/render/similarity";

const facts = (rows: number, cols: number, rowLabels: string[] = [], colLabels: string[] = []): MatrixFacts => ({
  rows,
  cols,
  rowLabels,
  colLabels,
});

test("a compared run's matrix lines up with the card's only with the same shape and labels", async (t) => {
  const own = facts(3, 3, ["a", "b", "c"], ["x", "y", "z"]);
  await t.test("the same labels agree", () => {
    assert.deepEqual(matrixAgreement(own, facts(3, 3, ["a", "b", "c"], ["x", "y", "z"])), { agrees: true });
  });
  await t.test("no labels on either side agree: the indices are all there is", () => {
    assert.deepEqual(matrixAgreement(facts(2, 4), facts(2, 4)), { agrees: true });
  });
  await t.test("the reason names the axes whose labels differ", () => {
    assert.deepEqual(matrixAgreement(own, facts(3, 3, ["a", "c", "b"], ["x", "y", "z"]), "text", "audio"), {
      agrees: false,
      reason: "its text labels differ",
    });
    assert.deepEqual(matrixAgreement(own, facts(3, 3, ["a", "b", "c"], ["x", "y", "w"]), "text", "audio"), {
      agrees: false,
      reason: "its audio labels differ",
    });
    assert.deepEqual(matrixAgreement(own, facts(3, 3), "text", "audio"), {
      agrees: false,
      reason: "its text and audio labels differ",
    });
  });
  await t.test("labels on one side only differ", () => {
    assert.equal(matrixAgreement(facts(3, 3), own).agrees, false);
  });
  await t.test("another shape differs, whatever the labels", () => {
    assert.deepEqual(matrixAgreement(own, facts(3, 4, ["a", "b", "c"], ["x", "y", "z", "w"])), {
      agrees: false,
      reason: "its matrix is 3 × 4, not 3 × 3",
    });
  });
});

test("matrixCell reads row-major and is null outside the matrix", () => {
  const values = Float32Array.from([0, 1, 2, 10, 11, 12]); // 2 × 3
  assert.equal(matrixCell(values, 2, 3, 1, 2), 12);
  assert.equal(matrixCell(values, 2, 3, 0, 1), 1);
  assert.equal(matrixCell(values, 2, 3, 2, 0), null);
  assert.equal(matrixCell(values, 2, 3, 0, 3), null);
  assert.equal(matrixCell(values, 2, 3, -1, 0), null);
  assert.ok(Number.isNaN(matrixCell(Float32Array.from([Number.NaN]), 1, 1, 0, 0)));
});

test("one colour range across compared matrices", async (t) => {
  const a = Float32Array.from([-0.2, 0.4, Number.NaN]);
  const b = Float32Array.from([0.1, 0.9, Number.POSITIVE_INFINITY]);
  const c = Float32Array.from([-0.7, 0.3]);
  await t.test("per step: spans every matrix's finite values", () => {
    assert.deepEqual(sharedSimilarityRange([a, b, c], "sequential", "step"), {
      min: Math.fround(-0.7),
      max: Math.fround(0.9),
    });
  });
  await t.test("diverging: centred on 0, out to the largest |value| of all", () => {
    assert.deepEqual(sharedSimilarityRange([a, b, c], "diverging", "step"), {
      min: -Math.fround(0.9),
      max: Math.fround(0.9),
    });
  });
  await t.test("the unit and fixed ranges are the same for any number of matrices", () => {
    assert.deepEqual(sharedSimilarityRange([a, b], "sequential", "unit"), { min: -1, max: 1 });
    assert.deepEqual(sharedSimilarityRange([a, b], "diverging", "fixed", { min: -0.1, max: 0.2 }), {
      min: -0.1,
      max: 0.2,
    });
  });
  await t.test("one matrix gives the single card's range", () => {
    for (const kind of ["sequential", "diverging"] as const) {
      assert.deepEqual(sharedSimilarityRange([c], kind, "step"), similarityRange(c, kind, "step"));
    }
  });
  await t.test("no finite value anywhere still gives a usable range", () => {
    const empty = Float32Array.from([Number.NaN]);
    assert.deepEqual(sharedSimilarityRange([empty, empty], "sequential", "step"), { min: 0, max: 1 });
    assert.deepEqual(sharedSimilarityRange([empty], "diverging", "step"), { min: -1, max: 1 });
  });
});
