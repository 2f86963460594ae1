import assert from "node:assert/strict";
import { test } from "node:test";

import type { StepAudio, StepKey } from "../src/api/client";
import type { SeriesInfo, StepInfo } from "../src/api/types";
import { Controller, type Server } from "../src/state/controller";

function series(kind: string): SeriesInfo {
  return {
    kind,
    steps: 2,
    first_step: 0,
    last_step: 10,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
}

const CLIP = {
  sample_rate: 16000,
  samples: 16000,
  seconds: 1,
  clipped: 0,
  nan: 0,
  peak: 0.5,
  expected_samples: null,
  length_mismatch: false,
};

function melStep(step: number, withAudio: boolean): StepInfo {
  const sample = {
    sample_id: "a",
    text: "",
    target_frames: 10,
    predicted_frames: 10,
    length_mismatch: "lengths_equal",
  };
  return {
    step,
    wall_time: step,
    samples: [{ ...sample, audio: withAudio ? { target: null, predicted: CLIP } : null }],
  } as unknown as StepInfo;
}

/** A controller over a server of three mel series in run "tts" (one without audio) and one in "other"; `sendsAudio` false leaves out /data's audio part. */
function pane(sendsAudio = true) {
  const asked: StepKey[] = [];
  const server: Server = {
    tags: async () => ({
      tts: {
        "mel/b": series("mel_comparison"),
        "mel/a": series("mel_comparison"),
        "mel/quiet": series("mel_comparison"),
      },
      other: { "mel/a": series("mel_comparison") },
    }),
    steps: async (run, tag) => ({
      run,
      tag,
      kind: "mel_comparison",
      steps: [melStep(0, tag !== "mel/quiet"), melStep(10, false)],
    }),
    stepData: () => new Promise(() => {}),
    scalars: async () => ({ runs: {}, markers: {} }),
    lowest: () => Promise.reject(new Error("not asked in these tests")),
  };
  if (sendsAudio)
    server.stepAudio = (key) => {
      asked.push(key);
      return Promise.resolve({ description: {}, clips: new Map() } as unknown as StepAudio);
    };
  const controller = new Controller(server, { load: () => ({}), save: () => {} }, () => {});
  return { controller, asked };
}

test("the series of a run with audio, by tag, for the lowest-point view", async () => {
  const { controller } = pane();
  await controller.reload();
  const found = controller.actions.audioSeries("tts");
  assert.deepEqual(
    found.map((s) => [s.run, s.tag, s.steps.length]),
    [
      ["tts", "mel/a", 2],
      ["tts", "mel/b", 2],
    ],
  );
  assert.deepEqual(controller.actions.audioSeries("nowhere"), []);
});

test("a sample's audio is fetched once, when asked, and kept", async () => {
  const { controller, asked } = pane();
  await controller.reload();
  assert.equal(asked.length, 0, "nothing is fetched before someone listens");
  const key = { run: "tts", tag: "mel/a", step: 0, sample: 0 };
  const entry = controller.actions.requestAudio(key);
  assert.equal(entry.status, "loading");
  await (entry as { promise: Promise<unknown> }).promise;
  assert.equal(controller.actions.requestAudio(key).status, "loaded");
  assert.equal(asked.length, 1);
});

test("a server without audio answers a request for it with a failure, not a throw", async () => {
  const { controller } = pane(false);
  const key = { run: "tts", tag: "mel/a", step: 0, sample: 0 };
  const entry = controller.actions.requestAudio(key);
  await (entry as { promise: Promise<unknown> }).promise.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const settled = controller.actions.requestAudio(key);
  assert.equal(settled.status, "failed");
  assert.match((settled as { error: string }).error, /sends no audio/);
});
