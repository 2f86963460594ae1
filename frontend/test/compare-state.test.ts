import assert from "node:assert/strict";
import { test } from "node:test";

import { pluginEntries, stringRecord } from "../src/api/host";
import type { SeriesInfo, StepsResponse, TagIndex } from "../src/api/types";
import { decodeUrlState, encodeUrlState, MAX_VIEW_OPTIONS, viewOptionsOf } from "../src/compare/url-state";
import {
  applyScalars,
  applySteps,
  applyTags,
  applyUrlState,
  cardKey,
  initialState,
  lowestKey,
  urlStateOf,
} from "../src/state/app-state";

function series(): SeriesInfo {
  return {
    kind: "mel_comparison",
    steps: 3,
    first_step: 0,
    last_step: 20,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
}

const tags: TagIndex = { a: { mel: series() }, b: { mel: series() } };
const steps = (...numbers: number[]): StepsResponse =>
  ({ steps: numbers.map((step) => ({ step, wall_time: 0 })) }) as unknown as StepsResponse;

test("a link's card choices apply when its series is listed, its step when /steps answers", () => {
  const state = initialState();
  applyUrlState(
    state,
    decodeUrlState({
      colormap: "magma",
      cards: JSON.stringify([{ run: "a", tag: "mel", step: 15, window: [2, 9], pinned: 0, compare: ["b"] }]),
    }),
  );
  assert.equal(state.settings.colormap, "magma");
  // Before /tags answers, the link's choices stay in the URL.
  assert.deepEqual(urlStateOf(state).cards, [
    { run: "a", tag: "mel", step: 15, window: { start: 2, end: 9 }, pinned: 0, compare: ["b"] },
  ]);
  applyTags(state, tags);
  const card = state.cards.get(cardKey("a", "mel"))!;
  assert.deepEqual(card.window, { start: 2, end: 9 });
  assert.equal(card.pinned, 0);
  assert.deepEqual(card.compare, ["b"]);
  assert.equal(state.urlCards.size, 0);
  applySteps(card, steps(0, 10, 20));
  assert.equal(card.stepIndex, 1); // the nearest logged at or before 15
  assert.equal(card.wantedStep, null);
  const other = state.cards.get(cardKey("b", "mel"))!;
  applySteps(other, steps(0, 10, 20));
  assert.equal(other.stepIndex, 2);
  const url = urlStateOf(state);
  assert.deepEqual(url.cards, [
    { run: "a", tag: "mel", step: 10, window: { start: 2, end: 9 }, pinned: 0, compare: ["b"] },
    { run: "b", tag: "mel" },
  ]);
  // An empty filter and a card with nothing chosen are left out of the link.
  const { tagFilter: _empty, ...kept } = url;
  assert.deepEqual(decodeUrlState(encodeUrlState(url)), { ...kept, cards: [url.cards[0]] });
});

test("pluginEntries reads a plugin's entries of TensorBoard's URL hash", () => {
  assert.deepEqual(pluginEntries("#spectro&p.spectro.diff=signed&p.other.x=1&p.spectro.cards=%5B1%5D&x", "spectro"), {
    diff: "signed",
    cards: "[1]",
  });
  assert.deepEqual(pluginEntries("", "spectro"), {});
  assert.deepEqual(pluginEntries("#spectro&p.spectro.bad=%E0%A4%A&p.spectro.a=b=c", "spectro"), {});
});

test("stringRecord keeps the string values of an answer", () => {
  assert.deepEqual(stringRecord({ a: "1", b: 2, c: null }), { a: "1" });
  for (const answer of [null, undefined, "x", ["a"], 3]) assert.deepEqual(stringRecord(answer), {});
});

test("a card's own view options go into the link and come back when its series is listed", () => {
  const state = initialState();
  applyTags(state, tags);
  const card = state.cards.get(cardKey("a", "mel"))!;
  Object.assign(card.view, { channel: 2, orderRow: 5, path: true, weightRange: "unit", swipe: null });
  const url = urlStateOf(state);
  // A null option is the card's default: left out.
  assert.deepEqual(url.cards[0]!.view, { channel: 2, orderRow: 5, path: true, weightRange: "unit" });
  const data = encodeUrlState(url);
  const again = initialState();
  applyUrlState(again, decodeUrlState(data));
  applyTags(again, tags);
  assert.deepEqual(again.cards.get(cardKey("a", "mel"))!.view, {
    channel: 2,
    orderRow: 5,
    path: true,
    weightRange: "unit",
  });
  assert.deepEqual(again.cards.get(cardKey("b", "mel"))!.view, {});
  // The card's view is its own object, not the link's.
  again.cards.get(cardKey("a", "mel"))!.view.channel = 0;
  assert.equal(decodeUrlState(data).cards[0]!.view!.channel, 2);
});

test("malformed view options in a link are left out", () => {
  const decodeView = (view: unknown) =>
    decodeUrlState({ cards: JSON.stringify([{ run: "a", tag: "mel", view }]) }).cards[0]?.view;
  for (const view of [null, 3, "channel", [1, 2], true])
    assert.equal(decodeView(view), undefined, JSON.stringify(view));
  assert.deepEqual(
    decodeView({
      channel: 999, // in range or not, a number is kept: the card clamps it
      ["__proto__"]: { polluted: true },
      "1st": 1,
      "a-b": 1,
      ["k".repeat(33)]: 1,
      nested: { a: 1 },
      list: [1],
      long: "x".repeat(257),
      text: "x".repeat(256),
      off: false,
      none: null,
    }),
    { channel: 999, text: "x".repeat(256), off: false, none: null },
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
  assert.equal(Object.keys(decodeView(many)!).length, MAX_VIEW_OPTIONS);
  // Non-finite numbers are not in JSON; given directly, they are left out too.
  assert.equal(viewOptionsOf({ a: Number.NaN, b: Number.POSITIVE_INFINITY }), null);
  assert.deepEqual(viewOptionsOf({ a: null, b: 1 }, false), { b: 1 });
});

const scalarIndex = {
  runs: { a: ["loss", "lr"], b: ["loss"], c: ["loss"], d: ["loss"], e: ["loss"] },
  markers: { a: { loss: ["loss/lowest_point"] } },
};

test("a lowest-point view's series and compared runs go into the link and come back", () => {
  const state = initialState();
  applyScalars(state, scalarIndex);
  const view = state.lowest.get(lowestKey("a", "loss"))!;
  assert.deepEqual(view.compare, []);
  // A view as it opened is not in the link.
  assert.equal(urlStateOf(state).lowest, undefined);
  view.compare = ["c", "b"];
  const url = urlStateOf(state);
  assert.deepEqual(url.lowest, [{ key: lowestKey("a", "loss"), run: "a", tag: "loss", compare: ["c", "b"] }]);
  const again = initialState();
  applyUrlState(again, decodeUrlState(encodeUrlState(url)));
  // Before /scalars lists the view, the link's choice stays in the link.
  assert.deepEqual(urlStateOf(again).lowest, url.lowest);
  applyScalars(again, scalarIndex);
  assert.deepEqual(again.lowest.get(lowestKey("a", "loss"))!.compare, ["c", "b"]);
  assert.equal(again.urlLowest.size, 0);
  assert.deepEqual(urlStateOf(again).lowest, url.lowest);
});

test("a guessed lowest-point view keeps the series chosen in the link while it exists", () => {
  const plain = { runs: { a: ["loss", "lr"], b: ["loss"] }, markers: {} };
  const state = initialState();
  applyScalars(state, plain);
  const [view] = [...state.lowest.values()];
  assert.deepEqual([view!.run, view!.tag], ["a", "loss"]);
  view!.tag = "lr";
  const url = urlStateOf(state);
  assert.deepEqual(url.lowest, [{ key: view!.key, run: "a", tag: "lr" }]);
  const again = initialState();
  applyUrlState(again, decodeUrlState(encodeUrlState(url)));
  applyScalars(again, plain);
  assert.deepEqual(
    [...again.lowest.values()].map((v) => [v.run, v.tag]),
    [["a", "lr"]],
  );
  // A series the logdir no longer has: the view opens as it would, the compared runs still apply.
  const gone = initialState();
  applyUrlState(gone, { cards: [], lowest: [{ key: view!.key, run: "zz", tag: "lr", compare: ["b", "a"] }] });
  applyScalars(gone, plain);
  const [opened] = [...gone.lowest.values()];
  assert.deepEqual([opened!.run, opened!.tag, opened!.compare], ["a", "loss", ["b"]]);
});

test("malformed lowest-point views and settings in a link are left out", () => {
  const key = lowestKey("a", "loss");
  const lowest = (value: unknown) => decodeUrlState({ lowest: JSON.stringify(value) }).lowest;
  for (const value of [null, 7, "x", { key }, [null, 3, "x", [key]]]) assert.equal(lowest(value), undefined);
  assert.equal(decodeUrlState({ lowest: "[{" }).lowest, undefined);
  assert.equal(lowest([{ key, run: 1, tag: "loss" }]), undefined);
  assert.equal(lowest([{ key: "k".repeat(2000), run: "a", tag: "loss" }]), undefined);
  assert.deepEqual(
    lowest([
      { key, run: "a", tag: "loss", compare: ["b", 3, "a", "b", "c", "d", "e"] },
      { key, run: "b", tag: "loss" }, // a second entry of one view
      { key: "other", run: "a", tag: "loss", compare: "b" },
    ]),
    [
      { key, run: "a", tag: "loss", compare: ["b", "c", "d"] },
      { key: "other", run: "a", tag: "loss" },
    ],
  );
  const many = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, run: "a", tag: "loss" }));
  assert.equal(lowest(many)!.length, 64);
  for (const smoothing of ["1", "-0.1", "", " ", "abc", "NaN", "Infinity"])
    assert.equal(decodeUrlState({ smoothing }).smoothing, undefined, smoothing);
  assert.equal(decodeUrlState({ smoothing: "0.95" }).smoothing, 0.95);
  assert.equal(decodeUrlState({ outliers: "yes" }).ignoreOutliers, undefined);
  assert.equal(decodeUrlState({ outliers: "1" }).ignoreOutliers, true);
  const state = initialState();
  applyUrlState(state, decodeUrlState({ smoothing: "0.9", outliers: "1" }));
  assert.equal(state.settings.smoothing, 0.9);
  assert.equal(state.settings.ignoreOutliers, true);
  const data = encodeUrlState(urlStateOf(state));
  assert.equal(data.smoothing, "0.9");
  assert.equal(data.outliers, "1");
});
