import assert from "node:assert/strict";
import test from "node:test";

import { audioUrl, wavUrl } from "../src/api/client";
import { audioWaveforms } from "../src/api/decode";
import type { AudioClipInfo, SampleAudio, StepDescription } from "../src/api/types";
import {
  clipSeconds,
  clipWarnings,
  earlierTarget,
  nearestAudioStep,
  playableRole,
  stepClips,
} from "../src/audio/sources";
import {
  END_TOLERANCE,
  frameClock,
  frameToSeconds,
  isEmptyRange,
  playRange,
  positionAt,
  reanchor,
  secondsToFrame,
  sourceTiming,
  startPosition,
  type Anchor,
} from "../src/audio/timeline";

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, message ?? `${actual} is not ${expected}`);

test("frames and seconds", async (t) => {
  await t.test("with a hop: frame f starts at f × hop / sample rate", () => {
    const clock = frameClock(256, 22050, 100, 99)!;
    assert.equal(clock.basis, "hop");
    close(frameToSeconds(40, clock), (40 * 256) / 22050);
    close(secondsToFrame((40 * 256) / 22050, clock), 40);
    close(frameToSeconds(40.5, clock), (40.5 * 256) / 22050);
  });
  await t.test("without a hop: proportional to the clip over its frames", () => {
    const clock = frameClock(0, 22050, 200, 4)!;
    assert.equal(clock.basis, "proportional");
    close(frameToSeconds(50, clock), 1);
    close(frameToSeconds(200, clock), 4);
    close(secondsToFrame(3, clock), 150);
  });
  await t.test("a hop without a sample rate is not enough; nothing to go by gives no clock", () => {
    assert.equal(frameClock(256, 0, 200, 4)!.basis, "proportional");
    assert.equal(frameClock(0, 0, 0, 4), null);
    assert.equal(frameClock(0, 16000, 200, 0), null);
  });
});

test("the range that plays under a zoom window", async (t) => {
  const clock = frameClock(100, 1000, 50, 5)!; // 0.1 s per frame
  await t.test("no window: the whole clip", () => {
    assert.deepEqual(playRange(null, clock, 5), { start: 0, end: 5 });
  });
  await t.test("a window: its frames in seconds", () => {
    const range = playRange({ start: 10, end: 20 }, clock, 5);
    close(range.start, 1);
    close(range.end, 2);
  });
  await t.test("clamped to the clip: a shorter clip ends the range, a window past it is empty", () => {
    const shorter = playRange({ start: 10, end: 40 }, clock, 2.5);
    close(shorter.start, 1);
    close(shorter.end, 2.5);
    const beyond = playRange({ start: 30, end: 40 }, clock, 2.5);
    assert.ok(isEmptyRange(beyond));
    assert.ok(!isEmptyRange(shorter));
  });
  await t.test("a start inside the range stays; before it, at or past its end, the range's start", () => {
    const range = { start: 1, end: 2 };
    assert.equal(startPosition(1.5, range), 1.5);
    assert.equal(startPosition(1, range), 1);
    assert.equal(startPosition(0.5, range), 1);
    assert.equal(startPosition(2, range), 1);
    assert.equal(startPosition(2 - END_TOLERANCE / 2, range), 1);
    assert.equal(startPosition(Number.NaN, range), 1);
  });
});

test("the position while playing", async (t) => {
  const anchor: Anchor = { clockTime: 10, offset: 1.5, range: { start: 1, end: 2 }, loop: false };
  await t.test("moves with the audio clock from the anchor", () => {
    assert.deepEqual(positionAt(anchor, 10), { seconds: 1.5, ended: false });
    close(positionAt(anchor, 10.25).seconds, 1.75);
    // Before a start scheduled ahead: the position counted back, never before the range's start.
    close(positionAt(anchor, 9.75).seconds, 1.25);
    assert.equal(positionAt(anchor, 9).seconds, 1);
  });
  await t.test("without a loop it ends at the range's end", () => {
    assert.deepEqual(positionAt(anchor, 10.5), { seconds: 2, ended: true });
    assert.deepEqual(positionAt(anchor, 20), { seconds: 2, ended: true });
  });
  await t.test("with a loop it wraps to the range's start", () => {
    const looping = { ...anchor, loop: true };
    const later = positionAt(looping, 10.75);
    assert.equal(later.ended, false);
    close(later.seconds, 1.25);
    close(positionAt(looping, 10.5 + 3 * 1 + 0.1).seconds, 1.1);
  });
  await t.test("the source's start: to the range's end without a loop, on and on with one", () => {
    assert.deepEqual(sourceTiming(anchor), { offset: 1.5, duration: 0.5 });
    assert.deepEqual(sourceTiming({ ...anchor, loop: true }), { offset: 1.5, duration: undefined });
  });
});

test("A/B, another step and a new window keep the position", async (t) => {
  const anchor: Anchor = { clockTime: 2, offset: 0.5, range: { start: 0, end: 3 }, loop: false };
  await t.test("a switch at clock time t starts the other clip where the first was at t", () => {
    const switched = reanchor(anchor, 3.2);
    assert.equal(switched.clockTime, 3.2);
    close(switched.offset, 1.7);
    assert.deepEqual(switched.range, anchor.range);
    // Switching back and forth never loses or gains time.
    const back = reanchor(switched, 4.0);
    close(back.offset, 2.5);
    close(positionAt(back, 4.1).seconds, positionAt(anchor, 4.1).seconds);
  });
  await t.test("inside a loop the switch keeps the wrapped position", () => {
    const looping: Anchor = { clockTime: 0, offset: 1, range: { start: 1, end: 2 }, loop: true };
    close(reanchor(looping, 1.25).offset, 1.25);
  });
  await t.test("a new window that still holds the position keeps it; one that does not starts at its start", () => {
    close(reanchor(anchor, 3, { start: 1, end: 2 }).offset, 1.5);
    assert.equal(reanchor(anchor, 3, { start: 2, end: 3 }).offset, 2);
  });
  await t.test("turning the loop on keeps the position and the range", () => {
    const looped = reanchor(anchor, 2.5, anchor.range, true);
    assert.equal(looped.loop, true);
    close(looped.offset, 1);
  });
});

function clip(seconds: number, facts: Partial<AudioClipInfo> = {}): AudioClipInfo {
  return {
    sample_rate: 16000,
    samples: seconds * 16000,
    seconds,
    clipped: 0,
    nan: 0,
    peak: 0.5,
    expected_samples: null,
    length_mismatch: false,
    ...facts,
  };
}

function step(number: number, ...samples: [string, SampleAudio | null][]) {
  return { step: number, samples: samples.map(([sample_id, audio]) => ({ sample_id, audio })) };
}

test("which clips a step plays", async (t) => {
  const target = clip(2);
  const predicted = clip(2.1);
  await t.test("the step's own clips", () => {
    const steps = [step(0, ["a", { target, predicted }])];
    const clips = stepClips(steps, 0, 0);
    assert.equal(clips.target?.info, target);
    assert.equal(clips.predicted?.info, predicted);
    assert.equal(clips.target?.borrowed, false);
    assert.deepEqual([clips.target?.step, clips.target?.sample, clips.target?.stepIndex], [0, 0, 0]);
  });
  await t.test(
    "no target: the latest earlier step's target of the same sample id, wherever it was in the batch",
    () => {
      const steps = [
        step(0, ["b", { target: clip(1), predicted: null }], ["a", { target, predicted: null }]),
        step(100, ["a", null], ["b", null]),
        step(200, ["b", { target: null, predicted }], ["a", { target: null, predicted }]),
      ];
      const clips = stepClips(steps, 2, 1);
      assert.deepEqual(
        [clips.target?.step, clips.target?.stepIndex, clips.target?.sample, clips.target?.borrowed],
        [0, 0, 1, true],
      );
      assert.equal(clips.target?.info, target);
      assert.equal(clips.predicted?.step, 200);
    },
  );
  await t.test("the latest of several earlier targets, never a later one", () => {
    const later = clip(3);
    const steps = [
      step(0, ["a", { target, predicted: null }]),
      step(10, ["a", { target: later, predicted: null }]),
      step(20, ["a", { target: null, predicted }]),
      step(30, ["a", { target: clip(4), predicted: null }]),
    ];
    assert.equal(stepClips(steps, 2, 0).target?.info, later);
    assert.equal(stepClips(steps, 2, 0).target?.step, 10);
    assert.equal(earlierTarget(steps, 0, "a", 0), null);
  });
  await t.test("without sample ids, the same position in the batch", () => {
    const steps = [
      step(0, ["", { target: clip(1), predicted: null }], ["", { target, predicted: null }]),
      step(5, ["", null], ["", { target: null, predicted }]),
    ];
    const clips = stepClips(steps, 1, 1);
    assert.deepEqual([clips.target?.step, clips.target?.sample], [0, 1]);
    assert.equal(clips.target?.info, target);
  });
  await t.test("a sample id logged at another step with another id does not count", () => {
    const steps = [step(0, ["x", { target, predicted: null }]), step(5, ["a", { target: null, predicted }])];
    assert.equal(stepClips(steps, 1, 0).target, null);
  });
  await t.test("no sample, no step, no audio: no clips", () => {
    assert.deepEqual(stepClips([], 0, 0), { target: null, predicted: null });
    assert.deepEqual(stepClips([step(0, ["a", null])], 0, 3), { target: null, predicted: null });
    assert.deepEqual(stepClips([step(0, ["a", null])], 0, 0), { target: null, predicted: null });
  });
  await t.test("the role that plays: the wanted one, else the other", () => {
    const steps = [step(0, ["a", { target: null, predicted }])];
    const clips = stepClips(steps, 0, 0);
    assert.equal(playableRole(clips, "target"), "predicted");
    assert.equal(playableRole(clips, "predicted"), "predicted");
    assert.equal(playableRole({ target: null, predicted: null }, "target"), null);
  });
});

test("what the strip says of a clip", () => {
  assert.equal(clipSeconds(clip(2)), 2);
  assert.equal(clipSeconds({ ...clip(2), seconds: null }), 2);
  assert.deepEqual(clipWarnings("predicted", clip(2), 2), []);
  assert.deepEqual(clipWarnings("predicted", clip(2, { clipped: 812 }), 2), ["predicted: 812 samples clipped"]);
  assert.deepEqual(clipWarnings("target", clip(2, { clipped: 1, nan: 3 }), null), [
    "target: 1 sample clipped",
    "target: 3 NaN samples stored as 0",
  ]);
  assert.deepEqual(clipWarnings("target", clip(5.12, { length_mismatch: true }), 4.8), [
    "target: audio 5.12 s, mel 4.80 s",
  ]);
});

test("the step with audio nearest to a lowest-point candidate's", () => {
  const predicted = clip(2);
  const steps = [
    step(0, ["a", { target: clip(2), predicted: null }]),
    step(100, ["a", null]),
    step(200, ["a", { target: null, predicted }]),
    step(400, ["a", { target: null, predicted }]),
  ];
  assert.deepEqual(nearestAudioStep(steps, 210, 0), { index: 2, role: "predicted" });
  assert.deepEqual(nearestAudioStep(steps, 100, 0), { index: 0, role: "target" }); // a tie goes to the earlier
  assert.deepEqual(nearestAudioStep(steps, 390, 0), { index: 3, role: "predicted" });
  assert.equal(nearestAudioStep(steps, 100, 1), null);
  assert.equal(nearestAudioStep([], 100, 0), null);
});

test("the audio part of /data", async (t) => {
  const key = { run: "tts run", tag: "mel/val", step: 20, sample: 1 };
  await t.test("its URL, and a role's WAV", () => {
    assert.equal(audioUrl(key), "data?run=tts+run&tag=mel%2Fval&step=20&sample=1&part=audio");
    assert.equal(
      wavUrl(key, "predicted"),
      "data?run=tts+run&tag=mel%2Fval&step=20&sample=1&part=audio&format=wav&array=predicted_audio",
    );
  });
  await t.test("its waveforms by role, at the sample rates of their clips", () => {
    const values = new Float32Array([0, 0.5, -1]);
    const array = {
      name: "predicted_audio",
      shape: [3],
      rows: 3,
      cols: 1,
      values,
      nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 },
    };
    const description = {
      run: "r",
      tag: "t",
      kind: "mel_comparison",
      step: 20,
      wall_time: 0,
      sample: 1,
      arrays: [],
      samples: [
        { audio: null },
        { audio: { target: clip(1, { sample_rate: 22050 }), predicted: clip(1, { sample_rate: 16000 }) } },
      ],
    } as unknown as StepDescription;
    const clips = audioWaveforms(description, new Map([["predicted_audio", array]]));
    assert.deepEqual([...clips.keys()], ["predicted"]);
    assert.equal(clips.get("predicted")!.sampleRate, 16000);
    assert.equal(clips.get("predicted")!.samples, values);
    const without = { ...description, sample: 0 } as StepDescription;
    assert.throws(
      () => audioWaveforms(without, new Map([["predicted_audio", array]])),
      /predicted audio without a sample rate/,
    );
  });
});
