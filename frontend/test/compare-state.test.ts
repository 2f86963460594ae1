import assert from "node:assert/strict";
import { test } from "node:test";

import { pluginEntries, stringRecord } from "../src/api/host";
import type { SeriesInfo, StepsResponse, TagIndex } from "../src/api/types";
import { decodeUrlState, encodeUrlState } from "../src/compare/url-state";
import { applySteps, applyTags, applyUrlState, cardKey, initialState, urlStateOf } from "../src/state/app-state";

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
