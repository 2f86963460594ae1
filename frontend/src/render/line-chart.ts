// Geometry of a scalar chart over steps (the lowest-point view), pure: the
// domains, the mapping to pixels, the lines broken at missing values, and the
// point under the pointer.

import type { Rect } from "./layout";
import { niceTicks } from "./scale";

export interface Domain {
  min: number;
  max: number;
}

export const CHART_MARGIN = { left: 56, right: 12, top: 10, bottom: 24 } as const;

export function chartPlot(width: number, height: number): Rect {
  const m = CHART_MARGIN;
  return {
    x: m.left,
    y: m.top,
    width: Math.max(1, width - m.left - m.right),
    height: Math.max(1, height - m.top - m.bottom),
  };
}

/** The steps' extent; a single step gets a width so it is drawn in the middle. */
export function stepDomain(steps: readonly number[]): Domain {
  if (steps.length === 0) return { min: 0, max: 1 };
  const min = steps[0]!;
  const max = steps[steps.length - 1]!;
  return max > min ? { min, max } : { min: min - 1, max: max + 1 };
}

/**
 * The y domain: the given range (TensorBoard's, with or without outliers)
 * padded by `padding` of its span on each side; a constant gets a width.
 */
export function valueDomain(range: { min: number; max: number } | null, padding = 0.05): Domain {
  if (range === null || !Number.isFinite(range.min) || !Number.isFinite(range.max)) return { min: 0, max: 1 };
  const span = range.max - range.min;
  if (!(span > 0)) {
    const half = Math.max(Math.abs(range.min) * 0.05, 0.5);
    return { min: range.min - half, max: range.max + half };
  }
  return { min: range.min - span * padding, max: range.max + span * padding };
}

export function xOf(step: number, domain: Domain, plot: Rect): number {
  return plot.x + ((step - domain.min) / (domain.max - domain.min)) * plot.width;
}

/** Larger values higher up. */
export function yOf(value: number, domain: Domain, plot: Rect): number {
  return plot.y + plot.height - ((value - domain.min) / (domain.max - domain.min)) * plot.height;
}

export interface Point {
  x: number;
  y: number;
  index: number;
}

/** The line through (step, value) pairs in pixels, broken where a value is missing (NaN, ±Inf), as TensorBoard draws it. */
export function lineSegments(
  steps: readonly number[],
  values: readonly (number | null)[],
  x: Domain,
  y: Domain,
  plot: Rect,
): Point[][] {
  const segments: Point[][] = [];
  let current: Point[] = [];
  steps.forEach((step, index) => {
    const value = values[index];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      if (current.length) segments.push(current);
      current = [];
      return;
    }
    current.push({ x: xOf(step, x, plot), y: yOf(value, y, plot), index });
  });
  if (current.length) segments.push(current);
  return segments;
}

/** Index of the step nearest to pixel `px`, or -1 when there are no steps. */
export function indexAtX(steps: readonly number[], px: number, x: Domain, plot: Rect): number {
  if (steps.length === 0) return -1;
  const step = x.min + ((px - plot.x) / plot.width) * (x.max - x.min);
  let low = 0;
  let high = steps.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (steps[middle]! < step) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs(steps[low - 1]! - step) <= Math.abs(steps[low]! - step)) return low - 1;
  return low;
}

/** Integer step ticks inside the domain, about one per `spacing` pixels. */
export function stepTicks(x: Domain, plot: Rect, spacing = 80): number[] {
  return niceTicks(x.min, x.max, Math.max(2, Math.floor(plot.width / spacing))).filter(Number.isInteger);
}

/** The steps of several series (each ascending) in one ascending list, each once. */
export function mergedSteps(lists: readonly (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/** The extent of several series' steps (each ascending), as `stepDomain` gives one's. */
export function stepsDomain(lists: readonly (readonly number[])[]): Domain {
  const filled = lists.filter((steps) => steps.length > 0);
  if (filled.length === 0) return stepDomain([]);
  return stepDomain([
    Math.min(...filled.map((steps) => steps[0]!)),
    Math.max(...filled.map((steps) => steps[steps.length - 1]!)),
  ]);
}

/** Index of the last of ascending `steps` at or before `step`; -1 when every one is after it. */
export function indexAtOrBeforeStep(steps: readonly number[], step: number): number {
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (steps[middle]! <= step) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
