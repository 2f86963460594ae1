// Colour-range and diff rules, pure. The diff is target − predicted, or its
// absolute value, as in Python's stats and PNG export.

import type { NonfiniteCounts, StepInfo } from "../api/types";

export interface ColorRange {
  min: number;
  max: number;
}

export type DiffMode = "abs" | "signed";
/** "step": the range of the step shown; "series": one range over all steps of the series. */
export type RangeMode = "step" | "series";

/** Ranges kept by keepFiniteRange(), by array. */
const keptRanges = new WeakMap<ArrayLike<number>, ColorRange | null>();

export function finiteRange(values: ArrayLike<number>): ColorRange | null {
  const kept = keptRanges.get(values);
  if (kept !== undefined) return kept;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/**
 * finiteRange(values), kept for the next calls: for arrays that are never
 * written again (decoded steps), so that a step is scanned when it arrives,
 * not in the frame that shows it. A decoder that found the range while
 * writing the values passes it as `known`, and the values are not scanned.
 */
export function keepFiniteRange(values: ArrayLike<number>, known?: ColorRange | null): ColorRange | null {
  const range = known === undefined ? finiteRange(values) : known;
  keptRanges.set(values, range);
  return range;
}

export function unionRange(a: ColorRange | null, b: ColorRange | null): ColorRange | null {
  if (a === null) return b;
  if (b === null) return a;
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** A range a colour scale can use: no data gives [0, 1], a constant gets a width. */
export function usableRange(range: ColorRange | null): ColorRange {
  if (range === null) return { min: 0, max: 1 };
  if (range.max > range.min) return range;
  const half = Math.max(Math.abs(range.min) * 1e-3, 0.5);
  return { min: range.min - half, max: range.max + half };
}

/** Position of `value` in `range`, in [0, 1] when inside. */
export function normalize(value: number, range: ColorRange): number {
  return (value - range.min) / (range.max - range.min);
}

/** The largest finite |value| of each diff diffValues() wrote, found while writing it; kept until it writes that array again. */
const keptMaxAbs = new WeakMap<ArrayLike<number>, number>();

/**
 * target − predicted (or its absolute value) elementwise; non-finite inputs
 * give non-finite outputs. The diff's maxAbsFinite() is found on the way,
 * so that a card's frame does not scan the diff again for its colour range.
 */
export function diffValues(
  target: Float32Array,
  predicted: Float32Array,
  mode: DiffMode,
  out: Float32Array = new Float32Array(target.length),
): Float32Array {
  if (target.length !== predicted.length) {
    throw new Error(`target has ${target.length} values, predicted ${predicted.length}`);
  }
  let max = 0;
  if (mode === "abs") {
    for (let i = 0; i < target.length; i++) {
      const a = Math.abs(target[i]! - predicted[i]!);
      out[i] = a;
      if (a > max && a !== Number.POSITIVE_INFINITY) max = a;
    }
  } else {
    for (let i = 0; i < target.length; i++) {
      const d = target[i]! - predicted[i]!;
      out[i] = d;
      const a = Math.abs(d);
      if (a > max && a !== Number.POSITIVE_INFINITY) max = a;
    }
  }
  // Stored as float32, the largest difference rounds as its value does; one that overflows float32 is not finite.
  max = Math.fround(max);
  if (max !== Number.POSITIVE_INFINITY) keptMaxAbs.set(out, max);
  else keptMaxAbs.delete(out);
  return out;
}

/** The largest finite |value| (0 with none); a diff of diffValues() is not scanned again. */
export function maxAbsFinite(values: ArrayLike<number>): number {
  const kept = keptMaxAbs.get(values);
  if (kept !== undefined) return kept;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > max && a !== Number.POSITIVE_INFINITY) max = a;
  }
  return max;
}

/** |diff| runs from 0 up; the signed diff is symmetric around 0, so 0 is the map's centre. */
export function diffRange(maxAbsDiff: number, mode: DiffMode): ColorRange {
  const m = maxAbsDiff > 0 && Number.isFinite(maxAbsDiff) ? maxAbsDiff : 1;
  return mode === "abs" ? { min: 0, max: m } : { min: -m, max: m };
}

/** A range symmetric around 0 reaching ±maxAbs, so 0 is a diverging map's centre; no data gives ±1. */
export function symmetricRange(maxAbs: number): ColorRange {
  const m = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
  return { min: -m, max: m };
}

/** The value range of target and predicted of one sample over every step, from /steps. */
export function seriesValueRange(steps: readonly StepInfo[], sample: number): ColorRange | null {
  let range: ColorRange | null = null;
  for (const step of steps) {
    const r = step.samples?.[sample]?.range;
    if (r && r.min !== null && r.max !== null) range = unionRange(range, { min: r.min, max: r.max });
  }
  return range;
}

/** The largest |diff| of one sample over every step, from /steps. */
export function seriesMaxAbsDiff(steps: readonly StepInfo[], sample: number): number {
  let max = 0;
  for (const step of steps) {
    const m = step.samples?.[sample]?.stats.max_abs_diff;
    if (typeof m === "number" && m > max) max = m;
  }
  return max;
}

/** Round tick values covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || count < 1) return Number.isFinite(min) ? [min] : [];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  const stepSize = multiple * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / stepSize) * stepSize; t <= max + stepSize * 1e-9; t += stepSize) {
    ticks.push(Math.abs(t) < stepSize * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "−Inf";
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2);
  return value.toFixed(a >= 100 ? 1 : 3);
}

/** A stored stat, which the server sends as null when it is missing or not finite: then "—". */
export function formatStat(value: number | null | undefined): string {
  return typeof value === "number" && Number.isFinite(value) ? formatValue(value) : "—";
}

/** A wall time in seconds as local "YYYY-MM-DD hh:mm:ss"; "time unknown" when missing or out of range. */
export function formatWallTime(seconds: number | null | undefined): string {
  const date = new Date(typeof seconds === "number" ? seconds * 1000 : Number.NaN);
  if (Number.isNaN(date.getTime())) return "time unknown";
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A tick label with only as many decimals as the ticks' spacing needs. */
export function formatTick(value: number, ticks: readonly number[]): string {
  const spacing = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(value);
  let decimals = 0;
  while (
    decimals < 6 &&
    spacing > 0 &&
    Math.abs(Math.round(spacing * 10 ** decimals) - spacing * 10 ** decimals) > 1e-6
  ) {
    decimals++;
  }
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e5 || a < 1e-4)) return value.toExponential(1);
  return value.toFixed(decimals);
}

/** The NaN and ±Inf counts of a step, as a card's flag says them; empty when there are none. */
export function nonfiniteText(counts: NonfiniteCounts | undefined): string {
  if (!counts) return "";
  const parts: string[] = [];
  if (counts.nan) parts.push(`NaN ${counts.nan}`);
  if (counts.pos_inf) parts.push(`+Inf ${counts.pos_inf}`);
  if (counts.neg_inf) parts.push(`−Inf ${counts.neg_inf}`);
  return parts.join(" · ");
}
