// Geometry of a scatter of a statistic against diffusion timestep, one point
// per logged step, coloured by training step; pure.

import { rampColor } from "../colormaps";
import type { Rect } from "./layout";

export interface ScatterInput {
  step: number;
  timestep: number | null | undefined;
  value: number | null | undefined;
}

export interface ScatterAxes {
  /** Timesteps at the left and right edges of the plot. */
  x: { min: number; max: number };
  /** Values at the bottom and top edges of the plot. */
  y: { min: number; max: number };
  /** A log10 value axis, chosen when the values span a decade or more. */
  logY: boolean;
}

export interface ScatterPoint {
  x: number;
  y: number;
  step: number;
  /** Position of the point's step in the inputs given. */
  index: number;
}

/** Values spanning at least this ratio get a log axis. */
export const LOG_AXIS_RATIO = 10;

function plotted(input: ScatterInput): input is { step: number; timestep: number; value: number } {
  return (
    typeof input.timestep === "number" &&
    Number.isFinite(input.timestep) &&
    typeof input.value === "number" &&
    Number.isFinite(input.value)
  );
}

/**
 * Axes for the inputs that have both a timestep and a finite value. The x axis
 * spans [0, T − 1] when T (`totalTimesteps`) is known, else the timesteps seen;
 * the value axis starts at 0, or is logarithmic over the values when they are
 * all positive and span LOG_AXIS_RATIO or more. Null when nothing is plotted.
 */
export function scatterAxes(
  inputs: readonly ScatterInput[],
  totalTimesteps: number | null | undefined,
): ScatterAxes | null {
  const points = inputs.filter(plotted);
  if (points.length === 0) return null;
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  let vMin = Number.POSITIVE_INFINITY;
  let vMax = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    tMin = Math.min(tMin, p.timestep);
    tMax = Math.max(tMax, p.timestep);
    vMin = Math.min(vMin, p.value);
    vMax = Math.max(vMax, p.value);
  }
  const x =
    totalTimesteps && totalTimesteps > 1 && tMin >= 0 && tMax <= totalTimesteps - 1
      ? { min: 0, max: totalTimesteps - 1 }
      : tMax > tMin
        ? { min: tMin, max: tMax }
        : { min: tMin - 0.5, max: tMax + 0.5 };
  if (vMin > 0 && vMax / vMin >= LOG_AXIS_RATIO) return { x, y: { min: vMin, max: vMax }, logY: true };
  const low = Math.min(0, vMin);
  return { x, y: { min: low, max: vMax > low ? vMax : low + 1 }, logY: false };
}

export function xOfTimestep(timestep: number, axes: ScatterAxes, plot: Rect): number {
  return plot.x + ((timestep - axes.x.min) / (axes.x.max - axes.x.min)) * plot.width;
}

export function yOfValue(value: number, axes: ScatterAxes, plot: Rect): number {
  const { min, max } = axes.y;
  const share = axes.logY ? Math.log10(value / min) / Math.log10(max / min) : (value - min) / (max - min);
  return plot.y + plot.height - share * plot.height;
}

/** Pixel positions of the plotted inputs, in the inputs' order. */
export function scatterPoints(inputs: readonly ScatterInput[], axes: ScatterAxes, plot: Rect): ScatterPoint[] {
  const points: ScatterPoint[] = [];
  inputs.forEach((input, index) => {
    if (!plotted(input)) return;
    points.push({
      x: xOfTimestep(input.timestep, axes, plot),
      y: yOfValue(input.value, axes, plot),
      step: input.step,
      index,
    });
  });
  return points;
}

/** The point nearest to (x, y) within `radius` pixels; of equally near points, the later step. */
export function nearestPoint(
  points: readonly ScatterPoint[],
  x: number,
  y: number,
  radius: number,
): ScatterPoint | null {
  let best: ScatterPoint | null = null;
  let bestDistance = radius * radius;
  for (const p of points) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestDistance) {
      best = p;
      bestDistance = d;
    }
  }
  return best;
}

/** Where `step` lies between the first and the last training step, in [0, 1]. */
export function stepShare(step: number, firstStep: number, lastStep: number): number {
  if (!(lastStep > firstStep)) return 1;
  return Math.min(Math.max((step - firstStep) / (lastStep - firstStep), 0), 1);
}

/** The colour of a training step: the map's start for the first step, its end for the last. */
export function stepColor(
  step: number,
  firstStep: number,
  lastStep: number,
  lut: Uint8Array,
): [number, number, number] {
  return rampColor(lut, stepShare(step, firstStep, lastStep));
}

/** A CSS gradient of the map from left (early) to right (late), for the legend. */
export function legendGradient(lut: Uint8Array, stops = 8): string {
  const colours: string[] = [];
  for (let i = 0; i < stops; i++) {
    const [r, g, b] = rampColor(lut, i / (stops - 1));
    colours.push(`rgb(${r}, ${g}, ${b})`);
  }
  return `linear-gradient(to right, ${colours.join(", ")})`;
}
