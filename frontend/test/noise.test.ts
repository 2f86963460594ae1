import assert from "node:assert/strict";
import { test } from "node:test";

import { colormapLut, rampColor } from "../src/colormaps";
import {
  clampSlice,
  frameChartPlan,
  frameLabel,
  frameMse,
  nextFrame,
  noiseSample,
  noiseSamples,
  noiseStat,
  planeIndex,
  planeOf,
  sampleStat,
  SERIES_RANGE_SIGMAS,
  seriesNoiseScale,
  stackDepth,
  stackSlice,
  timestepPoints,
  videoFrames,
  videoMse,
} from "../src/render/noise";
import { symmetricRange } from "../src/render/scale";
import {
  legendGradient,
  nearestPoint,
  scatterAxes,
  scatterPoints,
  stepColor,
  stepShare,
  xOfTimestep,
  yOfValue,
  type ScatterInput,
} from "../src/render/scatter";
import type { StepInfo } from "../src/api/types";

test("stack slices", async (t) => {
  // [C=2, H=2, W=3]: value = 100 c + 10 h + w
  const values = new Float32Array([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
  const stack = { values, shape: [2, 2, 3] };
  await t.test("a stack's depth is its first dimension, a 2-D array has one slice", () => {
    assert.equal(stackDepth([2, 2, 3]), 2);
    assert.equal(stackDepth([80, 40]), 1);
  });
  await t.test("slice c is the c-th [H, W] block, row-major, without a copy", () => {
    const slice = stackSlice(stack, 1);
    assert.equal(slice.rows, 2);
    assert.equal(slice.cols, 3);
    assert.deepEqual([...slice.values], [100, 101, 102, 110, 111, 112]);
    assert.equal(slice.values.buffer, values.buffer);
    assert.deepEqual([...stackSlice(stack, 0).values], [0, 1, 2, 10, 11, 12]);
  });
  await t.test("a 2-D array is its own slice", () => {
    const plane = stackSlice({ values: new Float32Array(6), shape: [2, 3] }, 0);
    assert.deepEqual([plane.rows, plane.cols, plane.values.length], [2, 3, 6]);
    assert.throws(() => stackSlice({ values: new Float32Array(6), shape: [2, 3] }, 1), /only slice 0, got 1/);
  });
  await t.test("errors name the slice and the shape", () => {
    assert.throws(() => stackSlice(stack, 2), /slice 2 is outside \[0, 2\)/);
    assert.throws(
      () => stackSlice({ values: new Float32Array(5), shape: [2, 2, 3] }, 0),
      /expected 12 values for \[2, 2, 3\], got 5/,
    );
    assert.throws(
      () => stackSlice({ values: new Float32Array(4), shape: [4] }, 0),
      /expected shape \[H, W\], \[C, H, W\] or \[C, T, H, W\], got \[4\]/,
    );
  });
  await t.test("a chosen slice stays inside the stack", () => {
    assert.equal(clampSlice(5, 3), 2);
    assert.equal(clampSlice(-1, 3), 0);
    assert.equal(clampSlice(1, 3), 1);
    assert.equal(clampSlice(undefined, 3), 0);
    assert.equal(clampSlice("2", 3), 0);
    assert.equal(clampSlice(1, 1), 0);
  });
});

test("video planes", async (t) => {
  // [C=2, T=3, H=1, W=2]: value = 100 c + 10 t + w
  const values = new Float32Array([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
  const video = { values, shape: [2, 3, 1, 2] };
  await t.test("a video's channels are its first dimension and its frames its second", () => {
    assert.equal(stackDepth(video.shape), 2);
    assert.equal(videoFrames(video.shape), 3);
    assert.equal(videoFrames([2, 4, 5]), 1);
    assert.equal(videoFrames([4, 5]), 1);
  });
  await t.test("channel c's frame t is plane c × T + t, a view of its [H, W]", () => {
    assert.equal(planeIndex(1, 2, 3), 5);
    assert.deepEqual(planeOf(5, 3), { channel: 1, frame: 2 });
    assert.deepEqual(planeOf(2, 1), { channel: 2, frame: 0 });
    const plane = stackSlice(video, planeIndex(1, 1, 3));
    assert.deepEqual([plane.rows, plane.cols], [1, 2]);
    assert.deepEqual([...plane.values], [110, 111]);
    assert.equal(plane.values.buffer, values.buffer);
    assert.deepEqual([...stackSlice(video, planeIndex(0, 2, 3)).values], [20, 21]);
    assert.throws(() => stackSlice(video, 6), /slice 6 is outside \[0, 6\)/);
  });
  await t.test("playing loops through the frames; the label names channel and frame", () => {
    assert.deepEqual(
      [0, 1, 2].map((f) => nextFrame(f, 3)),
      [1, 2, 0],
    );
    assert.equal(nextFrame(0, 1), 0);
    assert.equal(frameLabel(2, 7), "channel 2, frame 7");
  });
});

test("noise samples", async (t) => {
  const stats = (mse: number | null) => ({ mse, nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 } });
  const batch = {
    step: 10,
    wall_time: 0,
    stats: stats(0.3),
    timestep: null,
    batch_size: 3,
    samples: [
      { batch_index: 0, timestep: 900, stats: stats(0.25), frame_mse: [0.2, 0.3] },
      { batch_index: 1, timestep: 40, stats: stats(0.35), frame_mse: [0.4, null] },
    ],
  } as unknown as StepInfo;
  await t.test("a batch's samples carry their own timestep, stats and per-channel MSE", () => {
    assert.deepEqual(
      noiseSamples(batch).map((s) => [s.batch_index, s.timestep]),
      [
        [0, 900],
        [1, 40],
      ],
    );
    assert.deepEqual(frameMse(batch, 1), [0.4, null]);
    assert.equal(sampleStat(batch, 1, "mse"), 0.35);
    assert.equal(sampleStat(batch, 2, "mse"), null);
    assert.equal(noiseSample(batch, 2), undefined);
  });
  await t.test("a step from a server before batches is its own one sample", () => {
    const old = { step: 0, wall_time: 0, stats: stats(0.5), timestep: 7, frame_mse: [0.5, "x"] } as unknown as StepInfo;
    assert.deepEqual(noiseSamples(old), [{ batch_index: 0, timestep: 7, stats: stats(0.5), frame_mse: [0.5, null] }]);
    assert.deepEqual(frameMse(old), [0.5, null]);
    assert.deepEqual(noiseSamples({ step: 1, wall_time: 0, error: "unreadable" }), []);
    assert.deepEqual(noiseSamples(undefined), []);
  });
  await t.test("the scatter has a point per sample of every step, the current one found", () => {
    const single = { step: 0, wall_time: 0, stats: stats(0.5), timestep: 7 } as StepInfo;
    const { points, currentIndex } = timestepPoints([single, batch], { stepIndex: 1, sample: 1 });
    assert.deepEqual(points, [
      { step: 0, timestep: 7, value: 0.5 },
      { step: 10, timestep: 900, value: 0.25 },
      { step: 10, timestep: 40, value: 0.35 },
    ]);
    assert.equal(currentIndex, 2);
    assert.equal(timestepPoints([single], { stepIndex: 0, sample: 3 }).currentIndex, -1);
  });
  await t.test("a video's MSE by frame from /data, null where a figure is missing", () => {
    assert.deepEqual(videoMse({ frame_mse: [0.1, null, "x"], channel_frame_mse: [[0.1], [null]] }), {
      frame_mse: [0.1, null, null],
      channel_frame_mse: [[0.1], [null]],
    });
    assert.equal(videoMse(null), null);
    assert.equal(videoMse({ frame_mse: [1] }), null);
  });
});

test("the chart of MSE per frame", async (t) => {
  const plan = frameChartPlan([0.1, 0.2, null, 0.4], [0.05, 0.5, 0.1, 0.2], 400, 120);
  await t.test("frames run along x, MSE up from 0 to the largest value of either line", () => {
    assert.deepEqual(plan.x, { min: 0, max: 3 });
    assert.equal(plan.y.min, 0);
    assert.ok(Math.abs(plan.y.max - 0.5 * 1.05) < 1e-12);
  });
  await t.test("the line breaks at a frame with no MSE; frame 0 is on the left, 0 at the bottom", () => {
    assert.deepEqual(
      plan.frames.map((line) => line.map((p) => p.index)),
      [[0, 1], [3]],
    );
    const first = plan.frames[0]![0]!;
    assert.equal(first.x, plan.plot.x);
    const bottom = plan.plot.y + plan.plot.height;
    assert.ok(Math.abs(first.y - (bottom - (0.1 / plan.y.max) * plan.plot.height)) < 1e-9);
    assert.equal(plan.channel.flat().length, 4);
  });
  await t.test("without a channel line or any positive value", () => {
    const flat = frameChartPlan([0, 0], null, 400, 120);
    assert.deepEqual(flat.y, { min: 0, max: 1 });
    assert.deepEqual(flat.channel, []);
    assert.deepEqual(flat.ticks, [0, 1]);
  });
  await t.test("tick labels thin out on a narrow chart", () => {
    const many = frameChartPlan(new Array<number>(64).fill(1), null, 300, 120);
    assert.ok(many.ticks.length <= 8 && many.ticks[0] === 0, `${many.ticks.length} ticks`);
  });
});

function noiseStep(step: number, stats: Record<string, unknown>, extra: Partial<StepInfo> = {}): StepInfo {
  return { step, wall_time: 0, stats, ...extra };
}

test("noise stats from /steps", async (t) => {
  await t.test("frame_mse and named stats, with nulls for what is missing or non-finite", () => {
    const step = { ...noiseStep(0, { mse: 0.5, snr_db: null }), frame_mse: [0.25, null, 1] } as StepInfo;
    assert.deepEqual(frameMse(step), [0.25, null, 1]);
    assert.deepEqual(frameMse(noiseStep(0, {})), []);
    assert.deepEqual(frameMse(undefined), []);
    assert.equal(noiseStat(step, "mse"), 0.5);
    assert.equal(noiseStat(step, "snr_db"), null);
    assert.equal(noiseStat(step, "correlation"), null);
    assert.equal(noiseStat(undefined, "mse"), null);
  });
  await t.test("the fixed series scale is 3 RMS of the actual noise and of the diff, over every step", () => {
    // Actual RMS √(MSE · 10^(SNR/10)): step 0 gives √(0.25 · 10^0.6) ≈ 0.998; step 1 √(0.04 · 100) = 2.
    const steps = [
      noiseStep(0, { mse: 0.25, snr_db: 6 }),
      noiseStep(1, { mse: 0.04, snr_db: 20 }),
      { step: 2, wall_time: 0, error: "unreadable" },
      noiseStep(3, { mse: null, snr_db: null }),
    ];
    const scale = seriesNoiseScale(steps)!;
    assert.equal(SERIES_RANGE_SIGMAS, 3);
    assert.ok(Math.abs(scale.value - 3 * 2) < 1e-9, `value ${scale.value}`);
    assert.ok(Math.abs(scale.diff - 3 * 0.5) < 1e-9, `diff ${scale.diff}`);
  });
  await t.test("no usable stat gives no series scale", () => {
    assert.equal(seriesNoiseScale([]), null);
    assert.equal(seriesNoiseScale([noiseStep(0, { mse: 0, snr_db: null })]), null);
  });
});

test("a symmetric range puts 0 at the centre", () => {
  assert.deepEqual(symmetricRange(2.5), { min: -2.5, max: 2.5 });
  assert.deepEqual(symmetricRange(0), { min: -1, max: 1 });
  assert.deepEqual(symmetricRange(Number.NaN), { min: -1, max: 1 });
  assert.deepEqual(symmetricRange(Number.POSITIVE_INFINITY), { min: -1, max: 1 });
});

test("scatter of MSE against diffusion timestep", async (t) => {
  const plot = { x: 50, y: 10, width: 400, height: 100 };
  const inputs: ScatterInput[] = [
    { step: 0, timestep: 999, value: 0.02 },
    { step: 10, timestep: null, value: 0.5 },
    { step: 20, timestep: 0, value: 0.8 },
    { step: 30, timestep: 500, value: Number.NaN },
    { step: 40, timestep: 250, value: 0.4 },
  ];
  await t.test("the x axis spans [0, T − 1] when T is known, else the timesteps seen", () => {
    assert.deepEqual(scatterAxes(inputs, 1000)!.x, { min: 0, max: 999 });
    assert.deepEqual(scatterAxes(inputs, null)!.x, { min: 0, max: 999 });
    assert.deepEqual(
      scatterAxes(
        [
          { step: 0, timestep: 10, value: 1 },
          { step: 1, timestep: 30, value: 2 },
        ],
        null,
      )!.x,
      { min: 10, max: 30 },
    );
    assert.deepEqual(scatterAxes([{ step: 0, timestep: 7, value: 1 }], null)!.x, { min: 6.5, max: 7.5 });
  });
  await t.test("values spanning a decade get a log axis, others a linear one from 0", () => {
    const log = scatterAxes(inputs, 1000)!;
    assert.equal(log.logY, true);
    assert.deepEqual(log.y, { min: 0.02, max: 0.8 });
    const linear = scatterAxes(
      [
        { step: 0, timestep: 1, value: 0.3 },
        { step: 1, timestep: 2, value: 0.6 },
      ],
      10,
    )!;
    assert.equal(linear.logY, false);
    assert.deepEqual(linear.y, { min: 0, max: 0.6 });
    assert.deepEqual(scatterAxes([{ step: 0, timestep: 1, value: 0 }], 10)!.y, { min: 0, max: 1 });
  });
  await t.test("one point per step with a timestep and a finite value, in step order", () => {
    const axes = scatterAxes(inputs, 1000)!;
    const points = scatterPoints(inputs, axes, plot);
    assert.deepEqual(
      points.map((p) => p.step),
      [0, 20, 40],
    );
    assert.deepEqual(
      points.map((p) => p.index),
      [0, 2, 4],
    );
    assert.equal(scatterAxes([{ step: 0, timestep: null, value: 1 }], 10), null);
  });
  await t.test(
    "timestep 0 is the left edge, T − 1 the right; the smallest value the bottom, the largest the top",
    () => {
      const axes = scatterAxes(inputs, 1000)!;
      const [late, early, middle] = scatterPoints(inputs, axes, plot);
      assert.equal(early!.x, 50);
      assert.equal(late!.x, 450);
      assert.equal(xOfTimestep(499.5, axes, plot), 250);
      assert.equal(late!.y, 110);
      assert.ok(Math.abs(early!.y - 10) < 1e-9);
      // log axis: 0.4 is log10(20) / log10(40) of the way up from 0.02
      assert.ok(Math.abs(middle!.y - (110 - (Math.log10(20) / Math.log10(40)) * 100)) < 1e-9);
      const linear = scatterAxes(
        [
          { step: 0, timestep: 0, value: 0.5 },
          { step: 1, timestep: 9, value: 1 },
        ],
        10,
      )!;
      assert.equal(yOfValue(0.5, linear, plot), 60);
    },
  );
  await t.test("a click picks the nearest point within the radius, else none", () => {
    const axes = scatterAxes(inputs, 1000)!;
    const points = scatterPoints(inputs, axes, plot);
    const target = points[2]!;
    assert.equal(nearestPoint(points, target.x + 3, target.y - 4, 10)?.step, 40);
    assert.equal(nearestPoint(points, target.x + 30, target.y, 10), null);
    const twins = [
      { x: 0, y: 0, step: 1, index: 0 },
      { x: 0, y: 0, step: 2, index: 1 },
    ];
    assert.equal(nearestPoint(twins, 1, 0, 5)?.step, 2); // the later step, drawn on top
  });
});

test("colour by training step", async (t) => {
  const lut = colormapLut("viridis");
  await t.test("the first step takes the map's start, the last its end, the others in between", () => {
    assert.deepEqual(stepColor(100, 100, 500, lut), rampColor(lut, 0));
    assert.deepEqual(stepColor(500, 100, 500, lut), rampColor(lut, 1));
    assert.deepEqual(stepColor(300, 100, 500, lut), rampColor(lut, 0.5));
    assert.equal(stepShare(300, 100, 500), 0.5);
    assert.equal(stepShare(900, 100, 500), 1);
    assert.equal(stepShare(7, 7, 7), 1);
  });
  await t.test("the legend runs from the early colour on the left to the late one on the right", () => {
    const [r0, g0, b0] = rampColor(lut, 0);
    const [r1, g1, b1] = rampColor(lut, 1);
    const gradient = legendGradient(lut, 3);
    assert.ok(gradient.startsWith(`linear-gradient(to right, rgb(${r0}, ${g0}, ${b0}), `), gradient);
    assert.ok(gradient.endsWith(`, rgb(${r1}, ${g1}, ${b1}))`), gradient);
  });
});
