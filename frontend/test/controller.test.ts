import assert from "node:assert/strict";
import { test } from "node:test";

import type { StepData, StepKey } from "../src/api/client";
import type { SeriesInfo, StepsResponse, TagIndex } from "../src/api/types";
import { cardKey, type Settings } from "../src/state/app-state";
import { Controller, PLAY_INTERVAL_MS, type Server } from "../src/state/controller";

function series(kind: string): SeriesInfo {
  return {
    kind,
    steps: 3,
    first_step: 0,
    last_step: 20,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
}

const TAGS: TagIndex = {
  run: {
    mel: series("mel_comparison"),
    sim: series("similarity_matrix"),
    marker: series("lowest_point"),
    newer: series("unknown"),
  },
};

/** A server that answers at once, and /data only when `release` is called. */
function fakeServer() {
  const asked: StepKey[] = [];
  const pending: (() => void)[] = [];
  const server: Server = {
    tags: async () => TAGS,
    steps: async (run, tag): Promise<StepsResponse> => ({
      run,
      tag,
      kind: TAGS[run]![tag]!.kind,
      steps: [0, 10, 20].map((step) => ({ step, wall_time: step })),
    }),
    stepData: (key) => {
      asked.push(key);
      return new Promise<StepData>((resolve) =>
        pending.push(() => resolve({ description: { ...key, kind: "", wall_time: 0, arrays: [] }, arrays: new Map() })),
      );
    },
    scalars: async () => ({ runs: {}, markers: {} }),
    lowest: () => Promise.reject(new Error("not asked in these tests")),
  };
  return { server, asked, release: () => pending.splice(0).forEach((resolve) => resolve()) };
}

function controller(server: Server, saved: Settings[] = []) {
  return new Controller(
    server,
    { load: () => ({ linkSteps: false }), save: (s) => void saved.push({ ...s }) },
    () => {},
  );
}

test("reloading asks for the opening step of the cards with arrays only", async () => {
  const { server, asked } = fakeServer();
  const pane = controller(server);
  await pane.reload();
  assert.deepEqual(asked.map((key) => key.tag).sort(), ["mel", "sim"]);
  assert.deepEqual(
    [...pane.store.state.cards.values()].map((card) => [card.tag, card.steps.length, card.stepIndex]),
    [
      ["mel", 3, 2],
      ["sim", 3, 2],
      ["marker", 3, 2],
      ["newer", 3, 2],
    ],
  );
});

test("a series whose facts the server could not read is not asked for its steps", async () => {
  const { server } = fakeServer();
  const listed: string[] = [];
  const steps = server.steps;
  const unreadable = { ...series("unknown"), error: "plugin data unreadable: not a Spectro message (…)" };
  const pane = controller({
    ...server,
    tags: async () => ({ run: { ...TAGS.run, unreadable } }),
    steps: (run, tag) => {
      listed.push(tag);
      return steps(run, tag);
    },
  });
  await pane.reload();
  assert.deepEqual(listed.sort(), ["marker", "mel", "newer", "sim"]);
  const card = pane.store.state.cards.get(cardKey("run", "unreadable"))!;
  assert.deepEqual([card.steps.length, card.stepsError, card.info.error], [0, null, unreadable.error]);
});

test("playing waits for the arrays of a kind with arrays; the other kinds move on after the interval", async () => {
  const { server, release } = fakeServer();
  const pane = controller(server);
  await pane.reload();
  for (const tag of ["mel", "marker", "newer"]) {
    pane.actions.togglePlay(cardKey("run", tag)); // from the last step back to the first
  }
  const index = (tag: string) => pane.store.state.cards.get(cardKey("run", tag))!.stepIndex;
  assert.deepEqual([index("mel"), index("marker"), index("newer")], [0, 0, 0]);
  pane.tick(0);
  pane.tick(PLAY_INTERVAL_MS);
  assert.deepEqual([index("mel"), index("marker"), index("newer")], [0, 1, 1]);
  pane.actions.requestStep({ run: "run", tag: "mel", step: 0, sample: 0 });
  release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  pane.tick(2 * PLAY_INTERVAL_MS);
  pane.tick(3 * PLAY_INTERVAL_MS);
  assert.equal(index("mel"), 1);
});

test("a change of settings is saved, and linking steps moves every card to the last-used card's step", async () => {
  const { server } = fakeServer();
  const saved: Settings[] = [];
  const pane = controller(server, saved);
  await pane.reload();
  pane.actions.selectStep(cardKey("run", "mel"), 1);
  pane.actions.setSettings({ linkSteps: true });
  assert.equal(saved.length, 1);
  assert.equal(saved[0]!.linkSteps, true);
  for (const card of pane.store.state.cards.values()) assert.equal(card.steps[card.stepIndex]!.step, 10, card.tag);
});
