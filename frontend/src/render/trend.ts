// Geometry of a small line chart over steps (the MAE trend), pure.

export interface TrendPoint {
  x: number;
  y: number;
  /** Position of the point's step in the steps given. */
  index: number;
}

/**
 * Pixel positions of (step, value) pairs in a box `width` × `height`: steps
 * spread over x, values over y with the smallest at the bottom. Points whose
 * value is null or non-finite are left out.
 */
export function trendPoints(
  steps: readonly number[],
  values: readonly (number | null | undefined)[],
  width: number,
  height: number,
  padding = 2,
): TrendPoint[] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  if (steps.length === 0 || low > high) return [];
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  const xSpan = last - first || 1;
  const ySpan = high - low || 1;
  const points: TrendPoint[] = [];
  steps.forEach((step, i) => {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) return;
    points.push({
      x: padding + ((step - first) / xSpan) * (width - 2 * padding),
      y: height - padding - ((v - low) / ySpan) * (height - 2 * padding),
      index: i,
    });
  });
  return points;
}

/** The step under pixel `x` of the chart: the step whose x is nearest. */
export function stepAtX(steps: readonly number[], x: number, width: number, padding = 2): number | null {
  if (steps.length === 0) return null;
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  const share = Math.min(Math.max((x - padding) / Math.max(width - 2 * padding, 1), 0), 1);
  return first + share * (last - first);
}

/** One line of an overlaid trend chart. */
export interface TrendSeries {
  steps: readonly number[];
  values: readonly (number | null | undefined)[];
}

/**
 * Pixel positions of several series' (step, value) pairs on shared axes:
 * steps over the union of their step ranges, values over all their finite
 * values. Returns one list per series, in order, and the step range.
 */
export function overlaidTrendPoints(
  series: readonly TrendSeries[],
  width: number,
  height: number,
  padding = 2,
): { points: TrendPoint[][]; first: number; last: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const { steps, values } of series) {
    if (steps.length > 0) {
      first = Math.min(first, steps[0]!);
      last = Math.max(last, steps[steps.length - 1]!);
    }
    for (const v of values) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  if (first > last || low > high) return { points: series.map(() => []), first: 0, last: 0 };
  const xSpan = last - first || 1;
  const ySpan = high - low || 1;
  const points = series.map(({ steps, values }) => {
    const line: TrendPoint[] = [];
    steps.forEach((step, i) => {
      const v = values[i];
      if (typeof v !== "number" || !Number.isFinite(v)) return;
      line.push({
        x: padding + ((step - first) / xSpan) * (width - 2 * padding),
        y: height - padding - ((v - low) / ySpan) * (height - 2 * padding),
        index: i,
      });
    });
    return line;
  });
  return { points, first, last };
}
