import assert from "node:assert/strict";
import { test } from "node:test";

import type { DecodedArray } from "../src/api/decode";
import { RUN_PALETTE, runColor } from "../src/compare/colors";
import { overlaidTrendPoints } from "../src/render/trend";
import { columnAtX, flickerShown, swipeSplit, swipeValues, xOfColumn } from "../src/compare/geometry";
import { matchedStepLabel, matchSteps } from "../src/compare/steps";
import { allTargetsEqual, targetsEqual } from "../src/compare/targets";
import {
  changedUrlKeys,
  decodeUrlState,
  encodeUrlState,
  MAX_COMPARED_RUNS,
  URL_KEYS,
  type UrlState,
} from "../src/compare/url-state";

const steps = (...numbers: number[]) => numbers.map((step) => ({ step }));

test("matchSteps: each run shows its nearest logged step at or before the chosen one", () => {
  const runs = [
    { run: "a", steps: steps(0, 100, 200, 300) },
    { run: "b", steps: steps(0, 150, 250) },
    { run: "c", steps: steps(500, 600) },
    { run: "d", steps: [] },
  ];
  assert.deepEqual(matchSteps(runs, 200), [
    { run: "a", index: 2, step: 200, differs: false },
    { run: "b", index: 1, step: 150, differs: true },
    { run: "c", index: -1, step: null, differs: true },
    { run: "d", index: -1, step: null, differs: true },
  ]);
  assert.deepEqual(
    matchSteps(runs, 10_000).map((m) => m.step),
    [300, 250, 600, null],
  );
  assert.deepEqual(
    matchSteps(runs, 0).map((m) => m.step),
    [0, 0, null, null],
  );
  assert.deepEqual(
    matchSteps(runs, 99).map((m) => m.index),
    [0, 0, -1, -1],
  );
});

test("matchedStepLabel names a run's own step only when it differs", () => {
  const [a, b, c] = matchSteps(
    [
      { run: "a", steps: steps(100) },
      { run: "b", steps: steps(50) },
      { run: "c", steps: steps(150) },
    ],
    100,
  );
  assert.equal(matchedStepLabel(a!, 100), "");
  assert.equal(matchedStepLabel(b!, 100), "step 50");
  assert.equal(matchedStepLabel(c!, 100), "no step ≤ 100");
});

function array(values: number[], quantError?: number, shape = [1, values.length]): DecodedArray {
  return {
    name: "target",
    shape,
    rows: shape[0]!,
    cols: values.length / shape[0]!,
    values: Float32Array.from(values),
    nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 },
    quantError,
  };
}

test("targetsEqual: equal within the sum of the two quantization errors", () => {
  // 8-bit codes over [-80, 0]: scale 80 / 255, error 0.157 each, 0.314 together.
  const scale = 80 / 255;
  assert.ok(targetsEqual(array([-80, -40, 0], scale / 2), array([-80, -40 + 0.3, 0], scale / 2)));
  assert.ok(!targetsEqual(array([-80, -40, 0], scale / 2), array([-80, -40 + 0.32, 0], scale / 2)));
  // One value on two grids: 1.0 decodes as 0.99 on a grid of step 0.02 and as 1.01 on one of step 0.03.
  assert.ok(targetsEqual(array([0.99], 0.01), array([1.01], 0.015)));
  // A 16-bit array against an 8-bit one: the 8-bit error is most of the slack.
  assert.ok(targetsEqual(array([1, 2], 0.25), array([1.25, 2], 0.0001)));
  assert.ok(!targetsEqual(array([1.26, 2], 0.0001), array([1, 2], 0.25)));
  // Float32 arrays (no quantization) must match exactly, up to float32 rounding.
  assert.ok(targetsEqual(array([1, 2], 0), array([1, 2], 0)));
  assert.ok(!targetsEqual(array([1, 2], 0), array([1, 2.001], 0)));
  assert.ok(targetsEqual(array([1, 2]), array([1, 2])));
});

test("targetsEqual: shapes and non-finite values must match", () => {
  assert.ok(!targetsEqual(array([1, 2, 3, 4], 1, [2, 2]), array([1, 2, 3, 4], 1, [1, 4])));
  assert.ok(!targetsEqual(array([1, 2], 1), array([1, 2, 3], 1)));
  assert.ok(targetsEqual(array([NaN, 2], 0.1), array([NaN, 2], 0.1)));
  assert.ok(!targetsEqual(array([NaN, 2], 0.1), array([0, 2], 0.1)));
  assert.ok(targetsEqual(array([Infinity, 2], 0.1), array([Infinity, 2], 0.1)));
  assert.ok(!targetsEqual(array([Infinity, 2], 0.1), array([-Infinity, 2], 0.1)));
  assert.ok(!targetsEqual(array([Infinity, 2], 1e9), array([1e9, 2], 1e9)));
});

test("allTargetsEqual compares every target with the first", () => {
  assert.ok(allTargetsEqual([array([1, 2], 0.1), array([1.05, 2], 0.1), array([1, 1.95], 0.1)]));
  assert.ok(!allTargetsEqual([array([1, 2], 0.1), array([1, 2], 0.1), array([1, 3], 0.1)]));
  assert.ok(!allTargetsEqual([]));
});

test("columnAtX and xOfColumn map a panel's pixels to columns of the window and back", () => {
  const window = { start: 100, end: 200 };
  assert.equal(columnAtX(0, 400, window), 100);
  assert.equal(columnAtX(200, 400, window), 150);
  assert.equal(columnAtX(400, 400, window), 200);
  assert.equal(columnAtX(-50, 400, window), 100);
  assert.equal(columnAtX(900, 400, window), 200);
  assert.equal(columnAtX(10, 0, window), 100);
  assert.equal(xOfColumn(150, 400, window), 200);
  for (const x of [0, 37, 123.5, 400])
    assert.ok(Math.abs(xOfColumn(columnAtX(x, 400, window), 400, window) - x) < 1e-9);
});

test("swipeSplit rounds to a whole column inside the plane", () => {
  assert.equal(swipeSplit(3.4, 10), 3);
  assert.equal(swipeSplit(3.6, 10), 4);
  assert.equal(swipeSplit(-2, 10), 0);
  assert.equal(swipeSplit(12, 10), 10);
});

test("swipeValues: columns before the split from the left plane, the rest from the right", () => {
  const left = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2 rows × 3 cols
  const right = Float32Array.from([10, 20, 30, 40, 50, 60]);
  assert.deepEqual([...swipeValues(left, right, 2, 3, 1)], [1, 20, 30, 4, 50, 60]);
  assert.deepEqual([...swipeValues(left, right, 2, 3, 0)], [10, 20, 30, 40, 50, 60]);
  assert.deepEqual([...swipeValues(left, right, 2, 3, 3)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...swipeValues(left, right, 2, 3, 7)], [1, 2, 3, 4, 5, 6]);
  const out = new Float32Array(6);
  assert.equal(swipeValues(left, right, 2, 3, 2, out), out);
  assert.deepEqual([...out], [1, 2, 30, 4, 5, 60]);
  assert.throws(() => swipeValues(left, right.subarray(1), 2, 3, 1), /expected 2 × 3 values, got 6 and 5/);
});

test("flickerShown shows the second prediction while the key is held", () => {
  assert.equal(flickerShown(false), 0);
  assert.equal(flickerShown(true), 1);
});

test("runColor: TensorBoard's palette in the order of the runs, a stable colour for others", () => {
  const runs = ["a", "b", "c", "d", "e", "f", "g", "h"];
  assert.equal(runColor("a", runs), RUN_PALETTE[0]);
  assert.equal(runColor("c", runs), RUN_PALETTE[2]);
  assert.equal(runColor("h", runs), RUN_PALETTE[0]);
  assert.equal(runColor("zz", runs), runColor("zz", []));
  assert.ok(RUN_PALETTE.includes(runColor("zz", []) as (typeof RUN_PALETTE)[number]));
});

test("URL state: a view round-trips through its encoding", () => {
  const state: UrlState = {
    tagFilter: "mel/.*",
    colormap: "magma",
    diffMode: "signed",
    rangeMode: "series",
    linkSteps: true,
    cards: [
      {
        run: "run <b>1</b>",
        tag: "mel/eval",
        step: 200,
        sample: 1,
        window: { start: 10.5, end: 42 },
        pinned: 100,
        compare: ["run2", "run&3=x"],
      },
    ],
  };
  const data = encodeUrlState(state);
  for (const value of Object.values(data)) assert.equal(typeof value, "string");
  assert.deepEqual(decodeUrlState(data), state);
  assert.deepEqual(encodeUrlState({ cards: [] }), {});
  assert.deepEqual(decodeUrlState({}), { cards: [] });
});

test("URL state: cards with nothing chosen are left out", () => {
  const data = encodeUrlState({
    cards: [
      { run: "a", tag: "t" },
      { run: "b", tag: "t", step: 5 },
    ],
  });
  assert.deepEqual(decodeUrlState(data).cards, [{ run: "b", tag: "t", step: 5 }]);
});

test("URL state: only the entries that changed are written again", () => {
  const card = { key: "train/mel", run: "train", tag: "mel", step: 200 };
  const before = encodeUrlState({ colormap: "magma", linkSteps: true, cards: [card] });
  const after = encodeUrlState({ colormap: "magma", linkSteps: true, cards: [{ ...card, step: 201 }] });
  assert.deepEqual(changedUrlKeys(after, before), [URL_KEYS.cards]);
  assert.deepEqual(changedUrlKeys(before, before), []);
  // An entry left out is written as empty, which removes it from the host's URL.
  assert.deepEqual(changedUrlKeys(encodeUrlState({ linkSteps: true, cards: [] }), before), [
    URL_KEYS.colormap,
    URL_KEYS.cards,
  ]);
  // What the host's URL held at start counts as written; keys of other plugins or unknown keys do not matter.
  assert.deepEqual(changedUrlKeys(before, { ...before, other: "x" }), []);
});

test("URL state: malformed data is ignored safely, valid parts kept", () => {
  for (const data of [null, undefined, 3, "x", [], { cards: "{" }, { cards: "null" }, { cards: '"x"' }]) {
    assert.deepEqual(decodeUrlState(data), { cards: [] });
  }
  const decoded = decodeUrlState({
    filter: 7,
    colormap: "not-a-map",
    diff: "ABS",
    range: "all",
    link: "true",
    cards: JSON.stringify([
      null,
      "x",
      { run: 1, tag: "t" },
      { run: "a" },
      {
        run: "a",
        tag: "t",
        step: 1.5,
        sample: -1,
        window: [5, 2],
        pinned: "100",
        compare: ["a", 3, "b", "b", "c", "d", "e"],
        __proto__: { step: 3 },
      },
      { run: "b", tag: "t", window: [0, Infinity], step: 7, compare: "c" },
    ]),
  });
  assert.deepEqual(decoded, {
    cards: [
      { run: "a", tag: "t", compare: ["b", "c", "d"].slice(0, MAX_COMPARED_RUNS - 1) },
      { run: "b", tag: "t", step: 7 },
    ],
  });
});

test("overlaidTrendPoints puts every run's trend on shared axes", () => {
  const { points, first, last } = overlaidTrendPoints(
    [
      { steps: [0, 10], values: [1, 2] },
      { steps: [5, 20], values: [0, null] },
      { steps: [], values: [] },
    ],
    24,
    14,
    2,
  );
  assert.equal(first, 0);
  assert.equal(last, 20);
  // x over steps 0…20 in [2, 22]; y over values 0…2 in [12, 2].
  assert.deepEqual(points[0], [
    { x: 2, y: 7, index: 0 },
    { x: 12, y: 2, index: 1 },
  ]);
  assert.deepEqual(points[1], [{ x: 7, y: 12, index: 0 }]);
  assert.deepEqual(points[2], []);
  assert.deepEqual(overlaidTrendPoints([{ steps: [1], values: [NaN] }], 10, 10).points, [[]]);
});
