import assert from "node:assert/strict";
import { test } from "node:test";

import type { StepData, StepKey } from "../src/api/client";
import type { SeriesInfo, StepInfo, StepsResponse } from "../src/api/types";
import {
  applySteps,
  applyTags,
  cardKey,
  compileTagFilter,
  initialState,
  openingStepKey,
  selectStep,
  visibleCards,
} from "../src/state/app-state";
import { StepCache } from "../src/state/step-cache";
import {
  indexAtOrBefore,
  FramePace,
  indexNearest,
  PlayClock,
  prefetchOffsets,
  KEY_STRIDE,
  AHEAD_BLOCK,
  STEPS_AHEAD,
  STEPS_AHEAD_COMPARING,
  STEPS_AROUND,
  restOffsets,
  restsAfter,
  standInIndex,
  stepMove,
  uniqueSteps,
} from "../src/state/steps";
import { Store } from "../src/state/store";

function series(kind: SeriesInfo["kind"] = "mel_comparison"): SeriesInfo {
  return {
    kind,
    steps: 0,
    first_step: null,
    last_step: null,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
}

function stepsResponse(run: string, tag: string, steps: number[]): StepsResponse {
  return { run, tag, kind: "mel_comparison", steps: steps.map((step) => ({ step, wall_time: step })) };
}

test("nearest-step lookup", async (t) => {
  const steps = [10, 20, 30, 40].map((step) => ({ step }));
  await t.test("at or before", () => {
    assert.equal(indexAtOrBefore(steps, 30), 2);
    assert.equal(indexAtOrBefore(steps, 39), 2);
    assert.equal(indexAtOrBefore(steps, 1000), 3);
    assert.equal(indexAtOrBefore(steps, 5), 0);
    assert.equal(indexAtOrBefore([], 5), -1);
  });
  await t.test("nearest, ties to the earlier", () => {
    assert.equal(indexNearest(steps, 26), 2);
    assert.equal(indexNearest(steps, 25), 1);
    assert.equal(indexNearest(steps, -100), 0);
    assert.equal(indexNearest(steps, 100), 3);
  });
  await t.test("a resumed run's later write of a step wins, and steps come out sorted", () => {
    const written: StepInfo[] = [
      { step: 0, wall_time: 1 },
      { step: 10, wall_time: 2 },
      { step: 20, wall_time: 3 },
      { step: 10, wall_time: 9 },
      { step: 15, wall_time: 10 },
    ];
    assert.deepEqual(
      uniqueSteps(written).map((s) => [s.step, s.wall_time]),
      [
        [0, 1],
        [10, 9],
        [15, 10],
        [20, 3],
      ],
    );
  });
});

test("the steps a card loads ahead of need", async (t) => {
  const still = { direction: 1 as const, stride: 0 };
  await t.test("a move's direction and stride; no move keeps the last one", () => {
    assert.deepEqual(stepMove(4, 5, still), { direction: 1, stride: 1 });
    assert.deepEqual(stepMove(9, 2, still), { direction: -1, stride: 7 });
    const last = { direction: -1 as const, stride: 1 };
    assert.equal(stepMove(3, 3, last), last);
    assert.equal(stepMove(-1, 3, last), last);
  });
  await t.test("stepping loads five ahead or more in the step's direction, to the end of a block of four", () => {
    assert.deepEqual(prefetchOffsets(false, stepMove(3, 4, still), 4), [-1, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(prefetchOffsets(false, stepMove(6, 7, still), 7), [-1, 1, 2, 3, 4, 5]);
    assert.deepEqual(prefetchOffsets(false, stepMove(9, 8, still), 8), [1, -1, -2, -3, -4, -5, -6, -7, -8]);
    assert.deepEqual(prefetchOffsets(false, stepMove(10, 9, still), 9), [1, -1, -2, -3, -4, -5]);
  });
  await t.test("a card comparing runs loads eight ahead or more", () => {
    const comparing = (from: number, to: number) =>
      prefetchOffsets(false, stepMove(from, to, still), to, STEPS_AHEAD_COMPARING);
    assert.deepEqual(comparing(3, 4), [-1, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(comparing(6, 7), [-1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(comparing(5, 6), [-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(comparing(10, 9), [1, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
    // Every step, eight ahead at least have been asked for.
    for (let index = 20; index < 40; index++) {
      const ahead = comparing(index - 1, index).filter((offset) => offset > 0);
      assert.deepEqual(ahead.slice(0, STEPS_AHEAD_COMPARING), [1, 2, 3, 4, 5, 6, 7, 8]);
    }
    assert.deepEqual(prefetchOffsets(false, stepMove(4, 40, still), 40, STEPS_AHEAD_COMPARING), [-1, 1]);
  });
  await t.test("a held key asks for new steps every fourth repeat, four at a time", () => {
    const asked = new Set<number>();
    const newPerRepeat: number[] = [];
    for (let index = 10; index < 42; index++) {
      const fresh = prefetchOffsets(false, stepMove(index - 1, index, still), index)
        .map((offset) => index + offset)
        .filter((i) => !asked.has(i));
      fresh.forEach((i) => asked.add(i));
      if (index >= 14) newPerRepeat.push(fresh.length);
      // Every step the key reaches was asked for STEPS_AHEAD repeats before or earlier.
      assert.ok(asked.has(index + STEPS_AHEAD), `index ${index}`);
    }
    assert.deepEqual(
      newPerRepeat.filter((n) => n > 0),
      Array<number>(7).fill(AHEAD_BLOCK),
    );
    assert.equal(newPerRepeat.filter((n) => n === 0).length, 21);
  });
  await t.test("a held key's repeats taken together in one frame still load ahead", () => {
    assert.deepEqual(prefetchOffsets(false, stepMove(4, 4 + KEY_STRIDE, still), 7), [-1, 1, 2, 3, 4, 5]);
    assert.deepEqual(prefetchOffsets(false, stepMove(9, 7, still), 7), [1, -1, -2, -3, -4, -5, -6, -7]);
    assert.deepEqual(prefetchOffsets(false, stepMove(4, 5 + KEY_STRIDE, still), 8), [-1, 1]);
  });
  await t.test("after a jump or at rest only the neighbours; while playing three ahead", () => {
    assert.deepEqual(prefetchOffsets(false, stepMove(4, 40, still), 40), [-1, 1]);
    assert.deepEqual(prefetchOffsets(false, still, 4), [-1, 1]);
    assert.deepEqual(prefetchOffsets(true, stepMove(4, 40, still), 40), [-1, 1, 2, 3]);
  });
  await t.test("a card comparing runs that rests after a jump loads the steps around it, nearest first", () => {
    assert.equal(restsAfter(false, true, stepMove(4, 40, still)), true);
    assert.equal(restsAfter(false, true, stepMove(40, 4 + KEY_STRIDE, still)), true);
    assert.equal(restsAfter(false, false, stepMove(4, 40, still)), false);
    assert.equal(restsAfter(true, true, stepMove(4, 40, still)), false);
    assert.equal(restsAfter(false, true, still), false);
    for (let stride = 1; stride <= KEY_STRIDE; stride++)
      assert.equal(restsAfter(false, true, stepMove(4, 4 + stride, still)), false);
    const offsets = restOffsets();
    // With the neighbours the card loads anyway, every index within STEPS_AROUND either side, once.
    const around = [...prefetchOffsets(false, stepMove(4, 40, still), 40), ...offsets].sort((a, b) => a - b);
    const expected = Array.from({ length: 2 * STEPS_AROUND + 1 }, (_, i) => i - STEPS_AROUND).filter((i) => i !== 0);
    assert.deepEqual(around, expected);
    const distances = offsets.map(Math.abs);
    assert.deepEqual(
      distances,
      [...distances].sort((a, b) => a - b),
    );
  });
});

test("the step shown while the selected one loads", async (t) => {
  const loadedAt =
    (...indices: number[]) =>
    (index: number) =>
      indices.includes(index);
  await t.test("the loaded step nearest to the selected one, on the way from the shown one", () => {
    assert.equal(standInIndex(10, 2, loadedAt(3, 6, 7)), 7);
    assert.equal(standInIndex(2, 10, loadedAt(3, 6, 7)), 3);
  });
  await t.test("never the shown step, nor the selected one, nor past the shown one", () => {
    assert.equal(standInIndex(10, 2, loadedAt(2, 10, 1, 11)), null);
    assert.equal(standInIndex(10, 9, loadedAt(8, 9, 10)), null);
  });
  await t.test("none while nothing is shown, or when the selected step is the one shown", () => {
    assert.equal(standInIndex(5, -1, loadedAt(0, 1, 2, 3, 4)), null);
    assert.equal(standInIndex(5, 5, loadedAt(4, 6)), null);
  });
});

test("playing shows each step for the interval from when it is ready", async (t) => {
  await t.test("a step ready at once moves on after the interval", () => {
    const clock = new PlayClock(150);
    assert.equal(clock.due("a", 0, true, 1000), false);
    assert.equal(clock.due("a", 0, true, 1149), false);
    assert.equal(clock.due("a", 0, true, 1150), true);
  });
  await t.test("a step that loads slowly is timed from its arrival, not from its selection", () => {
    const clock = new PlayClock(150);
    assert.equal(clock.due("a", 1, false, 0), false);
    assert.equal(clock.due("a", 1, false, 400), false);
    assert.equal(clock.due("a", 1, true, 410), false); // arrived just before this tick: still shown
    assert.equal(clock.due("a", 1, true, 530), false);
    assert.equal(clock.due("a", 1, true, 560), true);
  });
  await t.test("a new step, or a step no longer ready, starts over", () => {
    const clock = new PlayClock(150);
    clock.due("a", 1, true, 0);
    assert.equal(clock.due("a", 2, true, 200), false);
    assert.equal(clock.due("a", 2, true, 350), true);
    assert.equal(clock.due("a", 2, false, 400), false);
    assert.equal(clock.due("a", 2, true, 410), false);
  });
  await t.test("cards are timed apart", () => {
    const clock = new PlayClock(150);
    clock.due("a", 0, true, 0);
    assert.equal(clock.due("b", 0, true, 200), false);
    assert.equal(clock.due("a", 0, true, 200), true);
  });
});

test("cards", async (t) => {
  await t.test("a new card opens at its last step; a reload keeps the selected step", () => {
    const state = initialState();
    applyTags(state, { run: { "mel/a": series() } });
    const card = state.cards.get(cardKey("run", "mel/a"))!;
    applySteps(card, stepsResponse("run", "mel/a", [0, 10, 20]));
    assert.equal(card.stepIndex, 2);
    selectStep(state, card.key, 1);
    card.cursor = { frame: 3, bin: 4 };
    applyTags(state, { run: { "mel/a": series(), "mel/b": series() } });
    applySteps(card, stepsResponse("run", "mel/a", [0, 10, 20, 30, 40]));
    assert.equal(card.steps[card.stepIndex]!.step, 10);
    assert.deepEqual(card.cursor, { frame: 3, bin: 4 });
    assert.equal(state.cards.size, 2);
  });
  await t.test("before its /steps answers, a card with arrays asks for the last step /tags names", () => {
    const state = initialState();
    const info = (kind: SeriesInfo["kind"], last: number | null) => ({ ...series(kind), last_step: last });
    applyTags(state, {
      run: {
        "mel/a": info("mel_comparison", 40),
        noise: info("noise_pair", 7),
        sim: info("similarity_matrix", 3),
        "mel/empty": info("mel_comparison", null),
        low: info("lowest_point", 9),
      },
    });
    const opening = (tag: string) => openingStepKey(state.cards.get(cardKey("run", tag))!);
    assert.deepEqual(opening("mel/a"), { run: "run", tag: "mel/a", step: 40, sample: 0 });
    assert.equal(opening("noise")?.step, 7);
    assert.equal(opening("sim")?.step, 3);
    assert.equal(opening("mel/empty"), null);
    assert.equal(opening("low"), null, "marker series have no arrays");
    applySteps(state.cards.get(cardKey("run", "mel/a"))!, stepsResponse("run", "mel/a", [0, 20, 40]));
    assert.equal(opening("mel/a"), null, "with its steps known, a card asks for the step selected");
  });
  await t.test("series that disappear lose their cards", () => {
    const state = initialState();
    applyTags(state, { a: { x: series() }, b: { y: series() } });
    applyTags(state, { a: { x: series() } });
    assert.deepEqual([...state.cards.keys()], [cardKey("a", "x")]);
  });
  await t.test("linked steps move every card to the nearest step at or before", () => {
    const state = initialState({ linkSteps: true });
    applyTags(state, { a: { mel: series() }, b: { mel: series() }, c: { mel: series() } });
    applySteps(state.cards.get(cardKey("a", "mel"))!, stepsResponse("a", "mel", [0, 100, 200, 300]));
    applySteps(state.cards.get(cardKey("b", "mel"))!, stepsResponse("b", "mel", [0, 150, 250]));
    applySteps(state.cards.get(cardKey("c", "mel"))!, stepsResponse("c", "mel", [120, 400]));
    selectStep(state, cardKey("a", "mel"), 2);
    assert.equal(
      state.cards.get(cardKey("b", "mel"))!.steps[state.cards.get(cardKey("b", "mel"))!.stepIndex]!.step,
      150,
    );
    assert.equal(state.cards.get(cardKey("c", "mel"))!.stepIndex, 0);
    state.settings.linkSteps = false;
    selectStep(state, cardKey("a", "mel"), 0);
    assert.equal(state.cards.get(cardKey("b", "mel"))!.stepIndex, 1);
  });
  await t.test("selecting past either end clamps", () => {
    const state = initialState();
    applyTags(state, { a: { mel: series() } });
    const card = state.cards.get(cardKey("a", "mel"))!;
    applySteps(card, stepsResponse("a", "mel", [0, 1, 2]));
    selectStep(state, card.key, -4);
    assert.equal(card.stepIndex, 0);
    selectStep(state, card.key, 99);
    assert.equal(card.stepIndex, 2);
  });
});

test("the tag filter is a case-insensitive regular expression, grouped by kind", () => {
  const state = initialState();
  applyTags(state, {
    run: {
      "mel/train": series(),
      "mel/val": series(),
      "noise/x": series("noise_pair"),
      align: series("similarity_matrix"),
    },
  });
  state.settings.tagFilter = "^MEL/";
  const groups = visibleCards(state);
  assert.deepEqual(
    groups.get("mel_comparison")!.map((c) => c.tag),
    ["mel/train", "mel/val"],
  );
  assert.deepEqual(groups.get("noise_pair"), []);
  assert.deepEqual(
    [...groups.keys()],
    ["mel_comparison", "spectrogram", "alignment", "noise_pair", "similarity_matrix", "lowest_point"],
  );
  const invalid = compileTagFilter("mel/(");
  assert.match(invalid.error!, /invalid regular expression/);
  assert.equal(invalid.matches("mel/("), false);
  assert.equal(compileTagFilter("").matches("anything"), true);
});

test("the store runs its listeners once per frame, however many changes", () => {
  const frames: (() => void)[] = [];
  const store = new Store({ count: 0 }, (callback) => frames.push(callback));
  const seen: number[] = [];
  store.subscribe((state) => seen.push(state.count));
  store.update((s) => (s.count += 1));
  store.update((s) => (s.count += 1));
  store.markDirty();
  assert.equal(frames.length, 1);
  assert.deepEqual(seen, []);
  frames.shift()!();
  assert.deepEqual(seen, [2]);
  store.update((s) => (s.count += 1));
  frames.shift()!();
  assert.deepEqual(seen, [2, 3]);
});

test("step cache", async (t) => {
  function deferred() {
    const pending = new Map<number, { resolve: (d: StepData) => void; reject: (e: Error) => void }>();
    const loads: number[] = [];
    const load = (key: StepKey) => {
      loads.push(key.step);
      return new Promise<StepData>((resolve, reject) => pending.set(key.step, { resolve, reject }));
    };
    return { pending, loads, load };
  }
  const key = (step: number): StepKey => ({ run: "r", tag: "t", step, sample: 0 });
  const data = (step: number) => ({ description: { step }, arrays: new Map() }) as unknown as StepData;

  await t.test("a key loading or loaded is fetched once", async () => {
    const { pending, loads, load } = deferred();
    const settled: number[] = [];
    const cache = new StepCache(load, (k) => settled.push(k.step));
    cache.request(key(1));
    cache.request(key(1));
    assert.deepEqual(loads, [1]);
    pending.get(1)!.resolve(data(1));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.get(key(1))!.status, "loaded");
    cache.request(key(1));
    assert.deepEqual(loads, [1]);
    assert.deepEqual(settled, [1]);
  });
  await t.test("a late answer for an old step is kept under its own key, never under the newer", async () => {
    const { pending, load } = deferred();
    const cache = new StepCache(load, () => undefined);
    cache.request(key(1));
    cache.request(key(2));
    pending.get(2)!.resolve(data(2));
    pending.get(1)!.resolve(data(1));
    await new Promise((r) => setTimeout(r, 0));
    const newer = cache.get(key(2))!;
    assert.equal(newer.status === "loaded" && newer.data.description.step, 2);
    const older = cache.get(key(1))!;
    assert.equal(older.status === "loaded" && older.data.description.step, 1);
  });
  await t.test("a failure is kept until forgotten, then tried again", async () => {
    const { pending, loads, load } = deferred();
    const cache = new StepCache(load, () => undefined);
    cache.request(key(5));
    pending.get(5)!.reject(new Error("GET data answered 404"));
    await new Promise((r) => setTimeout(r, 0));
    const entry = cache.get(key(5))!;
    assert.equal(entry.status === "failed" && entry.error, "GET data answered 404");
    cache.request(key(5));
    assert.deepEqual(loads, [5]);
    cache.forgetFailed();
    cache.request(key(5));
    assert.deepEqual(loads, [5, 5]);
  });
  await t.test("the least recently used loaded entries go first", async () => {
    const { pending, load } = deferred();
    const cache = new StepCache(load, () => undefined, 2);
    for (const step of [1, 2]) cache.request(key(step));
    for (const step of [1, 2]) pending.get(step)!.resolve(data(step));
    await new Promise((r) => setTimeout(r, 0));
    cache.get(key(1));
    cache.request(key(3));
    assert.equal(cache.get(key(2)), undefined);
    assert.ok(cache.get(key(1)));
    assert.equal(cache.size, 2);
  });
  await t.test("the bytes of the decoded arrays bound what is kept, least recently used first out", async () => {
    const { pending, load } = deferred();
    const sized = (step: number, values: number) =>
      ({
        description: { step },
        arrays: new Map([["mel", { values: new Float32Array(values) }]]),
      }) as unknown as StepData;
    const cache = new StepCache(load, () => undefined, 100, 4 * 250);
    for (const step of [1, 2, 3]) cache.request(key(step));
    pending.get(1)!.resolve(sized(1, 100));
    pending.get(2)!.resolve(sized(2, 100));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.byteSize, 800);
    cache.get(key(1));
    pending.get(3)!.resolve(sized(3, 100));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.peek(key(2)), undefined, "the least recently used step went");
    assert.ok(cache.peek(key(1)) && cache.peek(key(3)));
    assert.equal(cache.byteSize, 800);
    cache.forgetSettled();
    assert.equal(cache.byteSize, 0);
  });
  await t.test("a peek neither loads nor counts as a use", async () => {
    const { pending, loads, load } = deferred();
    const cache = new StepCache(load, () => undefined, 2);
    assert.equal(cache.peek(key(1)), undefined);
    assert.deepEqual(loads, []);
    for (const step of [1, 2]) cache.request(key(step));
    for (const step of [1, 2]) pending.get(step)!.resolve(data(step));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.peek(key(1))!.status, "loaded");
    cache.request(key(3));
    assert.equal(cache.peek(key(1)), undefined, "the peeked entry stayed the least recently used");
    assert.ok(cache.peek(key(2)));
  });
});

test("a held key's steps, one a frame", async (t) => {
  /** A page whose frames come when `frame()` is called; `selected` lists the steps selected, by frame. */
  function page() {
    let callbacks: (() => void)[] = [];
    const frames: number[][] = [[]];
    const pace = new FramePace((work) => callbacks.push(work));
    return {
      pace,
      frames,
      key(index: number) {
        pace.run(index, () => frames[frames.length - 1]!.push(index));
      },
      frame() {
        const run = callbacks;
        callbacks = [];
        frames.push([]);
        for (const work of run) work();
      },
    };
  }
  await t.test("a step asked for in a frame that moved already waits for the next frame", () => {
    const p = page();
    p.key(5);
    assert.equal(p.pace.pending, 5);
    p.key(6);
    assert.equal(p.pace.pending, 6);
    assert.deepEqual(p.frames, [[5]]);
    p.frame();
    assert.deepEqual(p.frames, [[5], [6]]);
    assert.equal(p.pace.pending, 6);
    p.frame();
    assert.equal(p.pace.pending, null);
    p.key(7);
    assert.deepEqual(p.frames, [[5], [6], [7]]);
  });
  await t.test("only the latest step waits: a page slower than the key stays a frame behind at most", () => {
    const p = page();
    p.key(1);
    p.key(2);
    p.key(3);
    p.frame();
    p.key(4);
    p.frame();
    p.frame();
    assert.deepEqual(p.frames, [[1], [3], [4], []]);
    assert.equal(p.pace.pending, null);
  });
  await t.test("another input drops the step waiting; the next key moves at once", () => {
    const p = page();
    p.key(1);
    p.key(2);
    p.pace.cancel();
    assert.equal(p.pace.pending, null);
    p.key(9);
    p.key(10);
    p.frame();
    p.frame();
    assert.deepEqual(p.frames, [[1, 9], [10], []]);
  });
  await t.test("one step a frame interval goes through at once", () => {
    const p = page();
    for (let i = 0; i < 4; i++) {
      p.key(i);
      p.frame();
    }
    assert.deepEqual(p.frames, [[0], [1], [2], [3], []]);
  });
});
