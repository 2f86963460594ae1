import assert from "node:assert/strict";
import { test } from "node:test";

import type { ScalarIndex } from "../src/api/types";
import { lowestUrl } from "../src/api/client";
import {
  chartPlot,
  indexAtOrBeforeStep,
  indexAtX,
  lineSegments,
  mergedSteps,
  stepDomain,
  stepsDomain,
  stepTicks,
  valueDomain,
  xOf,
  yOf,
} from "../src/render/line-chart";
import { applyScalars, guessLossTag, initialState, lowestKey, visibleLowest } from "../src/state/app-state";
import { Controller } from "../src/state/controller";
import { RequestCache } from "../src/state/step-cache";

function scalars(runs: Record<string, string[]>, markers: ScalarIndex["markers"] = {}): ScalarIndex {
  return { runs, markers };
}

test("lowest-point views", async (t) => {
  await t.test("one per marked scalar series, by tag then run", () => {
    const state = initialState();
    applyScalars(
      state,
      scalars(
        { b: ["loss/g/total", "lr"], a: ["loss/g/total", "loss/d/total"] },
        { b: { "loss/g/total": ["loss/g/total/lowest_point"] }, a: { "loss/d/total": ["x"], "loss/g/total": ["y"] } },
      ),
    );
    assert.deepEqual(
      visibleLowest(state).map((c) => [c.run, c.tag]),
      [
        ["a", "loss/d/total"],
        ["a", "loss/g/total"],
        ["b", "loss/g/total"],
      ],
    );
  });
  await t.test("a marker whose scalar series is missing gets no view", () => {
    const state = initialState();
    applyScalars(state, scalars({ a: ["lr"] }, { a: { "loss/g/total": ["m"] } }));
    assert.deepEqual(
      visibleLowest(state).map((c) => c.tag),
      ["lr"],
    );
  });
  await t.test("without markers, one view on a total loss", () => {
    const state = initialState();
    applyScalars(state, scalars({ run: ["accuracy", "loss/d/real", "loss/g/total", "lr"] }));
    assert.deepEqual(
      visibleLowest(state).map((c) => [c.run, c.tag]),
      [["run", "loss/g/total"]],
    );
  });
  await t.test("the guess prefers a loss, then the first tag", () => {
    assert.deepEqual(guessLossTag(scalars({ r: ["acc", "train_loss"] })), { run: "r", tag: "train_loss" });
    assert.deepEqual(guessLossTag(scalars({ r: ["b", "a"] })), { run: "r", tag: "a" });
    assert.equal(guessLossTag(scalars({})), null);
  });
  await t.test("a chosen series is kept across reloads while it exists", () => {
    const state = initialState();
    applyScalars(state, scalars({ run: ["loss", "lr"] }));
    const card = [...state.lowest.values()][0]!;
    card.tag = "lr";
    applyScalars(state, scalars({ run: ["loss", "lr", "new"] }));
    assert.equal([...state.lowest.values()][0]!.tag, "lr");
    applyScalars(state, scalars({ run: ["loss"] }));
    assert.equal([...state.lowest.values()][0]!.tag, "loss");
  });
  await t.test("markers replace the guessed view; the tag filter applies", () => {
    const state = initialState();
    applyScalars(state, scalars({ run: ["loss", "lr"] }));
    applyScalars(state, scalars({ run: ["loss", "lr"] }, { run: { lr: ["lr/lowest_point"] } }));
    assert.deepEqual([...state.lowest.keys()], [lowestKey("run", "lr")]);
    state.settings.tagFilter = "^loss";
    assert.deepEqual(visibleLowest(state), []);
  });
  await t.test("the request names smoothing and the outlier option", () => {
    const url = lowestUrl({ run: "a b", tag: "loss/g", smoothing: 0.95, ignoreOutliers: true });
    const params = new URLSearchParams(url.split("?")[1]);
    assert.equal(url.split("?")[0], "lowest");
    assert.deepEqual(Object.fromEntries(params), {
      run: "a b",
      tag: "loss/g",
      smoothing: "0.95",
      ignore_outliers: "true",
    });
  });
});

test("scalar chart geometry", async (t) => {
  const plot = chartPlot(400, 200);
  await t.test("the plot sits inside the margins", () => {
    assert.ok(plot.x > 0 && plot.y > 0 && plot.x + plot.width < 400 && plot.y + plot.height < 200);
  });
  await t.test("steps run left to right, larger values higher", () => {
    const x = stepDomain([0, 50, 100]);
    assert.equal(xOf(0, x, plot), plot.x);
    assert.equal(xOf(100, x, plot), plot.x + plot.width);
    const y = { min: 0, max: 2 };
    assert.equal(yOf(2, y, plot), plot.y);
    assert.equal(yOf(0, y, plot), plot.y + plot.height);
  });
  await t.test("one step is drawn in the middle", () => {
    const x = stepDomain([7]);
    assert.equal(xOf(7, x, plot), plot.x + plot.width / 2);
  });
  await t.test("the value domain pads the range; a constant gets a width; none gives [0, 1]", () => {
    assert.deepEqual(valueDomain({ min: 0, max: 10 }), { min: -0.5, max: 10.5 });
    const constant = valueDomain({ min: 3, max: 3 });
    assert.ok(constant.min < 3 && constant.max > 3);
    assert.deepEqual(valueDomain(null), { min: 0, max: 1 });
  });
  await t.test("lines break at missing values", () => {
    const segments = lineSegments(
      [0, 1, 2, 3, 4],
      [1, 2, null, 3, Number.NaN],
      stepDomain([0, 4]),
      { min: 0, max: 4 },
      plot,
    );
    assert.deepEqual(
      segments.map((s) => s.map((p) => p.index)),
      [[0, 1], [3]],
    );
  });
  await t.test("the point under the pointer is the nearest step", () => {
    const steps = [0, 10, 20, 100];
    const x = stepDomain(steps);
    assert.equal(indexAtX(steps, xOf(14, x, plot), x, plot), 1);
    assert.equal(indexAtX(steps, xOf(16, x, plot), x, plot), 2);
    assert.equal(indexAtX(steps, plot.x - 50, x, plot), 0);
    assert.equal(indexAtX(steps, plot.x + plot.width + 50, x, plot), 3);
    assert.equal(indexAtX([], 10, x, plot), -1);
  });
  await t.test("compared runs share one step domain over all their steps", () => {
    assert.deepEqual(stepsDomain([[10, 20, 300], [], [0, 50]]), { min: 0, max: 300 });
    assert.deepEqual(stepsDomain([[5]]), stepDomain([5]));
    assert.deepEqual(stepsDomain([[], []]), stepDomain([]));
    assert.deepEqual(mergedSteps([[0, 10, 20], [5, 10, 30], []]), [0, 5, 10, 20, 30]);
  });
  await t.test("a run's value at a step is its nearest logged at or before", () => {
    const steps = [0, 10, 20];
    assert.equal(indexAtOrBeforeStep(steps, 15), 1);
    assert.equal(indexAtOrBeforeStep(steps, 10), 1);
    assert.equal(indexAtOrBeforeStep(steps, 99), 2);
    assert.equal(indexAtOrBeforeStep(steps, -1), -1);
    assert.equal(indexAtOrBeforeStep([], 3), -1);
  });
  await t.test("step ticks are whole steps inside the domain", () => {
    const ticks = stepTicks({ min: 0, max: 1000 }, plot);
    assert.ok(ticks.length >= 2);
    for (const tick of ticks) assert.ok(Number.isInteger(tick) && tick >= 0 && tick <= 1000);
  });
});

test("request cache", async (t) => {
  await t.test("forgetting settled answers loads them again; answers in flight stay shared", async () => {
    let loads = 0;
    const cache = new RequestCache<string, string>(
      (k) => k,
      async (k) => `${k}${++loads}`,
      () => undefined,
    );
    const first = cache.request("a");
    assert.equal(first.status, "loading");
    if (first.status === "loading") assert.equal(await first.promise, "a1");
    assert.deepEqual(cache.request("a"), { status: "loaded", data: "a1" });
    cache.forgetSettled();
    const again = cache.request("a");
    assert.equal(again.status, "loading");
    if (again.status === "loading") assert.equal(await again.promise, "a2");
  });
});

test("a lowest-point view compares up to three other runs, never its own", async () => {
  const index = { runs: { a: ["loss"], b: ["loss"], c: ["loss"], d: ["loss"], e: ["loss"] }, markers: {} };
  const pane = new Controller(
    {
      tags: async () => ({}),
      steps: () => Promise.reject(new Error("no series")),
      stepData: () => Promise.reject(new Error("no series")),
      scalars: async () => index,
      lowest: () => Promise.reject(new Error("not asked in this test")),
    },
    { load: () => ({}), save: () => undefined },
    () => {},
  );
  await pane.reload();
  const [view] = [...pane.store.state.lowest.values()];
  assert.equal(view!.run, "a");
  pane.actions.setLowest(view!.key, { compare: ["a", "b", "c", "d", "e"] });
  assert.deepEqual(view!.compare, ["b", "c", "d"]);
  // Showing a compared run in the view takes it out of the compared ones.
  pane.actions.setLowest(view!.key, { run: "c" });
  assert.deepEqual([view!.run, view!.compare], ["c", ["b", "d"]]);
  // Before the host lists its runs, colours follow the scalar runs' sorted order.
  assert.notEqual(pane.actions.runColor("a"), pane.actions.runColor("b"));
  assert.equal(pane.actions.runColor("a"), pane.actions.runColor("a"));
});
