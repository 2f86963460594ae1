// Noise pairs: one slice of a stack or plane of a video, a step's samples,
// the colour scale of a series from the stats /steps stores, and the chart of
// a video's MSE per frame; pure.

import type { NoiseSampleInfo, StepInfo, VideoMse } from "../api/types";
import type { Rect } from "./layout";
import { chartPlot, lineSegments, stepDomain, type Domain, type Point } from "./line-chart";

/** Values shown as one heatmap: rows × cols, row-major. */
export interface Plane {
  values: Float32Array;
  rows: number;
  cols: number;
}

/** How many slices the channel selector offers for an array of this shape: C of a stack [C, H, W] or a video [C, T, H, W], else 1. */
export function stackDepth(shape: readonly number[]): number {
  return shape.length === 3 || shape.length === 4 ? shape[0]! : 1;
}

/** The frames T of a video [C, T, H, W]; 1 for any other shape. */
export function videoFrames(shape: readonly number[]): number {
  return shape.length === 4 ? shape[1]! : 1;
}

/** The index of channel `channel`'s frame `frame` among the planes [H, W] of an array, as `stackSlice` takes it. */
export function planeIndex(channel: number, frame: number, frames: number): number {
  return channel * frames + frame;
}

/** The channel and frame of plane `index` of an array with `frames` frames. */
export function planeOf(index: number, frames: number): { channel: number; frame: number } {
  const perChannel = Math.max(frames, 1);
  return { channel: Math.floor(index / perChannel), frame: index % perChannel };
}

/** The frame after `frame` while playing: the first again after the last. */
export function nextFrame(frame: number, frames: number): number {
  return frames > 1 ? (frame + 1) % frames : 0;
}

/** What the frame control says of the plane shown. */
export function frameLabel(channel: number, frame: number): string {
  return `channel ${channel}, frame ${frame}`;
}

/** A slice index kept inside [0, depth); anything not a number is slice 0. */
export function clampSlice(index: unknown, depth: number): number {
  if (typeof index !== "number" || !Number.isFinite(index)) return 0;
  return Math.min(Math.max(Math.trunc(index), 0), Math.max(depth - 1, 0));
}

/**
 * Slice `index` [H, W] of a stack [C, H, W], or plane `index` (see
 * `planeIndex`) of a video [C, T, H, W] (a view, no copy); a 2-D array is its
 * own only slice.
 */
export function stackSlice(array: { values: Float32Array; shape: readonly number[] }, index: number): Plane {
  const { values, shape } = array;
  if (shape.length === 2) {
    if (index !== 0) throw new Error(`a 2-D array has only slice 0, got ${index}`);
    return { values, rows: shape[0]!, cols: shape[1]! };
  }
  if (shape.length !== 3 && shape.length !== 4)
    throw new Error(`expected shape [H, W], [C, H, W] or [C, T, H, W], got [${shape.join(", ")}]`);
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  const depth = shape[0]! * videoFrames(shape);
  if (!(index >= 0 && index < depth && Number.isInteger(index)))
    throw new Error(`slice ${index} is outside [0, ${depth})`);
  if (values.length !== depth * rows * cols)
    throw new Error(`expected ${depth * rows * cols} values for [${shape.join(", ")}], got ${values.length}`);
  const size = rows * cols;
  return { values: values.subarray(index * size, (index + 1) * size), rows, cols };
}

function numbers(values: unknown): (number | null)[] {
  return Array.isArray(values) ? values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null)) : [];
}

/**
 * The pairs of a noise step: the videos of a batch, or its one pair. A step
 * from a server before batches (no `samples`) is its own one sample.
 */
export function noiseSamples(step: StepInfo | undefined): NoiseSampleInfo[] {
  if (!step || step.error !== undefined) return [];
  const listed: unknown = step.samples;
  if (Array.isArray(listed) && listed.length > 0) {
    return listed.map((item, index) => {
      const sample = (typeof item === "object" && item !== null ? item : {}) as Partial<NoiseSampleInfo>;
      return {
        batch_index: typeof sample.batch_index === "number" ? sample.batch_index : index,
        timestep: typeof sample.timestep === "number" ? sample.timestep : null,
        stats: typeof sample.stats === "object" && sample.stats !== null ? sample.stats : {},
        frame_mse: numbers(sample.frame_mse),
      };
    });
  }
  return [
    {
      batch_index: 0,
      timestep: typeof step.timestep === "number" ? step.timestep : null,
      stats: step.stats ?? {},
      frame_mse: numbers(step.frame_mse),
    },
  ];
}

/** Sample `sample` of a noise step (see `noiseSamples`), if it has one. */
export function noiseSample(step: StepInfo | undefined, sample: number): NoiseSampleInfo | undefined {
  return noiseSamples(step)[sample];
}

/** The MSE of each slice of a pair's first axis (`frame_mse`): each channel of a stack or video; empty for 2-D pairs. */
export function frameMse(step: StepInfo | undefined, sample = 0): (number | null)[] {
  return noiseSample(step, sample)?.frame_mse ?? [];
}

/** A noise step's stat by name (`mse`, `correlation`, `snr_db`, ...), or null when absent or non-finite. */
export function noiseStat(step: StepInfo | undefined, name: string): number | null {
  const value = step?.stats?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A stat of sample `sample` of a noise step (a batch's video, or the one pair), or null when absent or non-finite. */
export function sampleStat(step: StepInfo | undefined, sample: number, name: string): number | null {
  const value = noiseSample(step, sample)?.stats[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The points of the MSE-against-timestep scatter: one per pair of every step, and the index of `current`'s. */
export function timestepPoints(
  steps: readonly StepInfo[],
  current: { stepIndex: number; sample: number },
): { points: { step: number; timestep: number | null; value: number | null }[]; currentIndex: number } {
  const points: { step: number; timestep: number | null; value: number | null }[] = [];
  let currentIndex = -1;
  steps.forEach((step, stepIndex) => {
    noiseSamples(step).forEach((sample, index) => {
      if (stepIndex === current.stepIndex && index === current.sample) currentIndex = points.length;
      const mse = sample.stats.mse;
      points.push({
        step: step.step,
        timestep: sample.timestep,
        value: typeof mse === "number" && Number.isFinite(mse) ? mse : null,
      });
    });
  });
  return { points, currentIndex };
}

/** A video's MSE by frame as /data sends it (`video_mse`), each figure a number or null; null when absent or malformed. */
export function videoMse(value: unknown): VideoMse | null {
  if (typeof value !== "object" || value === null) return null;
  const { frame_mse: frames, channel_frame_mse: channels } = value as Partial<VideoMse>;
  if (!Array.isArray(frames) || !Array.isArray(channels)) return null;
  return { frame_mse: numbers(frames), channel_frame_mse: channels.map(numbers) };
}

/** Standard deviations of the noise a fixed colour range spans on each side of 0. */
export const SERIES_RANGE_SIGMAS = 3;

/**
 * The half-widths of fixed colour ranges over a whole series, from the stats
 * /steps stores (no array read): `value` is SERIES_RANGE_SIGMAS × the largest
 * RMS of the actual noise over all steps, `diff` the same of actual − predicted.
 * With SNR = Σa² / Σ(p − a)² and MSE = Σ(p − a)² / n, the RMS of the actual
 * noise is √(MSE · 10^(SNR/10)) and that of the diff is √MSE. Null when no
 * step gives a finite, positive value.
 */
export function seriesNoiseScale(steps: readonly StepInfo[]): { value: number; diff: number } | null {
  let actualRms = 0;
  let diffRms = 0;
  for (const step of steps) {
    const mse = noiseStat(step, "mse");
    if (mse === null) continue;
    diffRms = Math.max(diffRms, Math.sqrt(mse));
    const snr = noiseStat(step, "snr_db");
    if (snr !== null) {
      const rms = Math.sqrt(mse * 10 ** (snr / 10));
      if (Number.isFinite(rms)) actualRms = Math.max(actualRms, rms);
    }
  }
  if (!(actualRms > 0) && !(diffRms > 0)) return null;
  const value = SERIES_RANGE_SIGMAS * (actualRms > 0 ? actualRms : diffRms);
  const diff = SERIES_RANGE_SIGMAS * (diffRms > 0 ? diffRms : actualRms);
  return { value, diff };
}

/** The geometry of a chart of a video's MSE per frame: frames on x, MSE on y from 0. */
export interface FrameChartPlan {
  plot: Rect;
  x: Domain;
  y: Domain;
  /** The line of every channel's MSE per frame, broken where a frame has none. */
  frames: Point[][];
  /** The line of one channel's, or empty. */
  channel: Point[][];
  /** Frames whose x gets a tick label. */
  ticks: number[];
}

/**
 * Plans a chart width × height CSS pixels of `frameMse` (every channel's MSE
 * per frame) and, when given, `channelMse` (one channel's). The y axis runs
 * from 0 to the largest finite value of either, padded by 5 % (1 when none is
 * positive).
 */
export function frameChartPlan(
  frameMse: readonly (number | null)[],
  channelMse: readonly (number | null)[] | null,
  width: number,
  height: number,
): FrameChartPlan {
  const plot = chartPlot(width, height);
  const frames = frameMse.map((_, t) => t);
  const x = stepDomain(frames);
  let top = 0;
  for (const v of [...frameMse, ...(channelMse ?? [])])
    if (typeof v === "number" && Number.isFinite(v)) top = Math.max(top, v);
  const y = { min: 0, max: top > 0 ? top * 1.05 : 1 };
  const every = Math.max(1, Math.ceil(frames.length / Math.max(2, Math.floor(plot.width / 40))));
  return {
    plot,
    x,
    y,
    frames: lineSegments(frames, frameMse, x, y, plot),
    channel: channelMse ? lineSegments(frames, channelMse, x, y, plot) : [],
    ticks: frames.filter((t) => t % every === 0),
  };
}
