import assert from "node:assert/strict";
import { test } from "node:test";

import { markStepInput, markStepPainted, MAX_KEPT, STEP_INPUT, STEP_PAINTED } from "../src/timing";

test("step timing marks", async (t) => {
  await t.test("a step input is marked at its event's time, with the card and the index", () => {
    const event = new Event("input");
    markStepInput('["run","mel"]', 7, event);
    const [entry] = performance.getEntriesByName(STEP_INPUT) as PerformanceMark[];
    assert.ok(entry);
    assert.equal(entry.startTime, event.timeStamp);
    assert.deepEqual(entry.detail, { card: '["run","mel"]', index: 7 });
  });
  await t.test("the timeline keeps at most MAX_KEPT marks of a name", () => {
    for (let i = 0; i < MAX_KEPT; i++) markStepPainted('["run","mel"]', i);
    assert.equal(performance.getEntriesByName(STEP_PAINTED).length, MAX_KEPT);
    markStepPainted('["run","mel"]', MAX_KEPT, 3);
    const kept = performance.getEntriesByName(STEP_PAINTED) as PerformanceMark[];
    assert.equal(kept.length, 1);
    assert.deepEqual(kept[0]!.detail, { card: '["run","mel"]', step: MAX_KEPT, runs: 3 });
  });
});
