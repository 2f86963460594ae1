// The waveform strip under a mel card's panels: a clip's stored outline
// (the lowest and highest value of each run of samples) drawn on the panels'
// time axis, one pixel column at a time; pure.

/** A clip's outline: bin b spans clip seconds [b, b + 1) × seconds / bins. */
export interface Envelope {
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  bins: number;
  /** The clip's length. */
  seconds: number;
}

/** The outline as decoded from /data: [2, bins], row 0 the lows and row 1 the highs. */
export function envelopeOf(values: Float32Array, bins: number, seconds: number): Envelope {
  return { low: values.subarray(0, bins), high: values.subarray(bins, 2 * bins), bins, seconds };
}

export interface EnvelopeColumns {
  low: Float32Array;
  high: Float32Array;
}

/**
 * The lowest and highest value under each of `columns` pixel columns of a
 * strip that shows clip seconds [start, end): over the outline's bins that
 * the column overlaps (the bin it lies in when narrower than a bin). NaN
 * where the column lies outside the clip.
 */
export function envelopeColumns(envelope: Envelope, start: number, end: number, columns: number): EnvelopeColumns {
  const low = new Float32Array(columns).fill(Number.NaN);
  const high = new Float32Array(columns).fill(Number.NaN);
  const { bins, seconds } = envelope;
  if (!(bins > 0) || !(seconds > 0) || !(end > start) || columns <= 0) return { low, high };
  const perColumn = (end - start) / columns;
  const perBin = seconds / bins;
  for (let c = 0; c < columns; c++) {
    const a = start + c * perColumn;
    const b = a + perColumn;
    if (b <= 0 || a >= seconds) continue;
    const first = Math.max(0, Math.floor(a / perBin));
    const last = Math.min(bins - 1, Math.max(first, Math.ceil(b / perBin) - 1));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let bin = first; bin <= last; bin++) {
      lo = Math.min(lo, envelope.low[bin]!);
      hi = Math.max(hi, envelope.high[bin]!);
    }
    if (lo <= hi) {
      low[c] = lo;
      high[c] = hi;
    }
  }
  return { low, high };
}

/** The pixel y of amplitude `value` in [-1, 1] in a row `height` pixels high from `top` (+1 at the top). */
export function amplitudeY(value: number, top: number, height: number): number {
  const clamped = Math.min(Math.max(value, -1), 1);
  return top + ((1 - clamped) / 2) * height;
}

/** One bar per column, from the highest value down to the lowest, at least a pixel tall so silence shows. */
export interface WaveBar {
  x: number;
  top: number;
  height: number;
}

/** The bars of a row: column c of `columns` fills [x + c, x + c + 1) horizontally. */
export function waveBars(envelope: EnvelopeColumns, x: number, top: number, height: number): WaveBar[] {
  const bars: WaveBar[] = [];
  for (let c = 0; c < envelope.low.length; c++) {
    const lo = envelope.low[c]!;
    const hi = envelope.high[c]!;
    if (Number.isNaN(lo) || Number.isNaN(hi)) continue;
    const y0 = amplitudeY(hi, top, height);
    const y1 = amplitudeY(lo, top, height);
    const middle = (y0 + y1) / 2;
    const span = Math.max(y1 - y0, 1);
    bars.push({ x: x + c, top: middle - span / 2, height: span });
  }
  return bars;
}
