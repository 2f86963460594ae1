import assert from "node:assert/strict";
import { test } from "node:test";

import { colormapLut, NONFINITE_RGB, rampColor } from "../src/colormaps";
import { panelLayout, PANEL_MARGIN } from "../src/render/layout";
import { packedLut, paintColorbar, paintHeatmap } from "../src/render/paint";
import {
  diffRange,
  diffValues,
  finiteRange,
  keepFiniteRange,
  formatTick,
  formatStat,
  formatValue,
  formatWallTime,
  maxAbsFinite,
  niceTicks,
  nonfiniteText,
  normalize,
  seriesMaxAbsDiff,
  seriesValueRange,
  unionRange,
  usableRange,
} from "../src/render/scale";
import { stepAtX, trendPoints } from "../src/render/trend";
import {
  binIndexAtY,
  clampWindow,
  frameAtX,
  frameIndexAtX,
  fullWindow,
  isFullWindow,
  MIN_WINDOW_FRAMES,
  panBy,
  windowFromSelection,
  xOfFrame,
  yOfBin,
  zoomAt,
} from "../src/render/zoom";
import type { StepInfo } from "../src/api/types";

test("colour ranges", async (t) => {
  await t.test("finiteRange skips NaN and infinities", () => {
    assert.deepEqual(finiteRange([3, Number.NaN, -2, Number.POSITIVE_INFINITY, 5, Number.NEGATIVE_INFINITY]), {
      min: -2,
      max: 5,
    });
    assert.equal(finiteRange([Number.NaN, Number.POSITIVE_INFINITY]), null);
    assert.equal(finiteRange([]), null);
  });
  await t.test("keepFiniteRange scans an array once: finiteRange answers from it after", () => {
    const values = new Float32Array([1, Number.NaN, -4, 2]);
    assert.deepEqual(keepFiniteRange(values), { min: -4, max: 2 });
    values[0] = 9; // a kept array is never written again; were it, the kept range would stand
    assert.deepEqual(finiteRange(values), { min: -4, max: 2 });
    assert.deepEqual(finiteRange(Float32Array.from(values)), { min: -4, max: 9 });
    assert.equal(keepFiniteRange(new Float32Array([Number.NaN])), null);
  });
  await t.test("target and predicted share the union of their ranges", () => {
    assert.deepEqual(unionRange({ min: -3, max: 1 }, { min: -1, max: 4 }), { min: -3, max: 4 });
    assert.deepEqual(unionRange(null, { min: 0, max: 1 }), { min: 0, max: 1 });
  });
  await t.test("a usable range is never empty", () => {
    assert.deepEqual(usableRange(null), { min: 0, max: 1 });
    const constant = usableRange({ min: 2, max: 2 });
    assert.ok(constant.min < 2 && constant.max > 2);
    assert.equal(normalize(2, constant), 0.5);
  });
  await t.test("|diff| runs from 0, the signed diff is symmetric around 0", () => {
    assert.deepEqual(diffRange(2.5, "abs"), { min: 0, max: 2.5 });
    assert.deepEqual(diffRange(2.5, "signed"), { min: -2.5, max: 2.5 });
    assert.deepEqual(diffRange(0, "signed"), { min: -1, max: 1 });
  });
  await t.test("the series range covers every step of the sample", () => {
    const steps = [
      { step: 0, wall_time: 0, samples: [sample(-5, 1, 0.5), sample(-9, 9, 9)] },
      { step: 1, wall_time: 0, samples: [sample(-4, 2, 2.0)] },
      { step: 2, wall_time: 0, error: "unreadable" },
    ] as StepInfo[];
    assert.deepEqual(seriesValueRange(steps, 0), { min: -5, max: 2 });
    assert.equal(seriesMaxAbsDiff(steps, 0), 2.0);
    assert.equal(seriesValueRange(steps, 3), null);
  });
});

function sample(min: number, max: number, maxAbsDiff: number) {
  return {
    sample_id: "",
    text: "",
    target_frames: 1,
    predicted_frames: 1,
    length_mismatch: "lengths_equal",
    range: { min, max },
    stats: {
      mae: 0,
      rmse: 0,
      max_abs_diff: maxAbsDiff,
      bias: 0,
      compared: 1,
      nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 },
    },
  };
}

test("the diff is target − predicted, or its absolute value", () => {
  const target = new Float32Array([1, 2, Number.NaN, Number.POSITIVE_INFINITY]);
  const predicted = new Float32Array([3, 0.5, 1, 1]);
  const signed = diffValues(target, predicted, "signed");
  assert.deepEqual([...signed.subarray(0, 2)], [-2, 1.5]);
  assert.ok(Number.isNaN(signed[2]));
  assert.equal(signed[3], Number.POSITIVE_INFINITY);
  assert.deepEqual([...diffValues(target, predicted, "abs").subarray(0, 2)], [2, 1.5]);
  assert.equal(maxAbsFinite(signed), 2);
  assert.throws(() => diffValues(target, new Float32Array(3), "abs"), /target has 4 values, predicted 3/);
});

test("a diff's largest |value| is found while writing it, as a scan of its values finds it", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const target = Float32Array.from({ length: 997 }, () => random() * 1e3);
  const predicted = Float32Array.from({ length: 997 }, () => random() * 1e3);
  target[5] = Number.NaN;
  predicted[9] = Number.NEGATIVE_INFINITY;
  target[11] = 3e38;
  predicted[11] = -3e38; // overflows float32: not finite
  const out = new Float32Array(997);
  for (const mode of ["signed", "abs"] as const) {
    const diff = diffValues(target, predicted, mode, out);
    assert.equal(maxAbsFinite(diff), maxAbsFinite(diff.slice()), mode);
  }
  // Written again into the same array, the diff's own largest value is found, not the last one's.
  diffValues(new Float32Array(997).fill(1), new Float32Array(997), "signed", out);
  assert.equal(maxAbsFinite(out), 1);
  const big = diffValues(Float32Array.of(3e38, 1), Float32Array.of(-3e38, 0), "signed");
  assert.equal(maxAbsFinite(big), 1);
});

test("ticks and value labels", () => {
  assert.deepEqual(niceTicks(0, 79, 4), [0, 20, 40, 60]);
  assert.deepEqual(niceTicks(-11.5, 2, 3), [-10, -5, 0]);
  assert.deepEqual(niceTicks(0.1, 0.35, 3), [0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(3, 3, 4), [3]);
  assert.equal(formatValue(-3.14159), "-3.142");
  assert.equal(formatValue(Number.NaN), "NaN");
  assert.equal(formatValue(Number.NEGATIVE_INFINITY), "−Inf");
  assert.equal(formatValue(123456), "1.23e+5");
});

test("zoom and pan of the frame axis", async (t) => {
  await t.test("zooming in keeps the anchor frame under the pointer", () => {
    const window = { start: 0, end: 200 };
    const zoomed = zoomAt(window, 50, 0.5, 200);
    assert.deepEqual(zoomed, { start: 25, end: 125 });
    const share = (50 - zoomed.start) / (zoomed.end - zoomed.start);
    assert.equal(share, 0.25);
  });
  await t.test("zooming out stops at every frame, zooming in at the minimum width", () => {
    assert.deepEqual(zoomAt({ start: 50, end: 150 }, 100, 10, 200), fullWindow(200));
    const tight = zoomAt({ start: 0, end: 200 }, 10, 0.0001, 200);
    assert.equal(tight.end - tight.start, MIN_WINDOW_FRAMES);
    assert.ok(isFullWindow(fullWindow(7), 7));
  });
  await t.test("panning stops at both ends", () => {
    assert.deepEqual(panBy({ start: 10, end: 60 }, -30, 200), { start: 0, end: 50 });
    assert.deepEqual(panBy({ start: 10, end: 60 }, 500, 200), { start: 150, end: 200 });
  });
  await t.test("a drag selects the frames between its ends", () => {
    assert.deepEqual(windowFromSelection(80, 30, 200), { start: 30, end: 80 });
    const narrow = windowFromSelection(10, 10.5, 200);
    assert.equal(narrow.end - narrow.start, MIN_WINDOW_FRAMES);
    assert.deepEqual(clampWindow({ start: -5, end: 500 }, 100), { start: 0, end: 100 });
  });
  await t.test("pixels map to cells with mel bin 0 at the bottom", () => {
    const window = { start: 20, end: 60 };
    assert.equal(frameAtX(window, 0, 400), 20);
    assert.equal(frameIndexAtX(window, 399.9, 400, 200), 59);
    assert.equal(frameIndexAtX(window, 5, 400, 200), 20);
    assert.equal(xOfFrame(window, 40, 400), 200);
    assert.equal(binIndexAtY(159, 160, 80), 0);
    assert.equal(binIndexAtY(0, 160, 80), 79);
    assert.equal(binIndexAtY(500, 160, 80), 0);
    assert.equal(yOfBin(40, 160, 80), 80);
  });
});

test("paintHeatmap", async (t) => {
  const lut = colormapLut("gray");
  await t.test("puts bin 0 on the bottom line and maps the range's ends to the map's ends", () => {
    // 2 bins × 2 frames: bin 0 = [0, 1], bin 1 = [0.5, 2]
    const out = new Uint8ClampedArray(2 * 2 * 4);
    paintHeatmap([0, 1, 0.5, 2], 2, 2, { min: 0, max: 1 }, lut, out);
    const pixel = (x: number, y: number) => [...out.subarray((y * 2 + x) * 4, (y * 2 + x) * 4 + 4)];
    assert.deepEqual(pixel(0, 1), [0, 0, 0, 255]); // bin 0, frame 0: value 0, bottom line
    assert.deepEqual(pixel(1, 1), [255, 255, 255, 255]); // value 1 = max
    assert.deepEqual(pixel(1, 0), [255, 255, 255, 255]); // value 2 clamps to max
    assert.deepEqual(pixel(0, 0).slice(0, 3), rampColor(lut, 0.5));
  });
  await t.test("NaN and infinities take the non-finite colour", () => {
    const out = new Uint8ClampedArray(3 * 4);
    paintHeatmap([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 1, 3, { min: 0, max: 1 }, lut, out);
    for (let i = 0; i < 3; i++) assert.deepEqual([...out.subarray(4 * i, 4 * i + 3)], [...NONFINITE_RGB]);
  });
  await t.test("every pixel is the table's entry at floor((v − min) / span × 256), clamped; rows either way up", () => {
    const viridis = colormapLut("viridis");
    const rows = 7;
    const cols = 13;
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const values = Float32Array.from({ length: rows * cols }, () => random() * 3 - 1);
    values[5] = Number.NaN;
    values[17] = Number.POSITIVE_INFINITY;
    values[18] = Number.NEGATIVE_INFINITY;
    values[20] = 0;
    values[21] = 1;
    const range = { min: 0, max: 1 };
    for (const rowsFromTop of [false, true]) {
      const out = new Uint8ClampedArray(rows * cols * 4);
      paintHeatmap(values, rows, cols, range, viridis, out, rowsFromTop);
      for (let row = 0; row < rows; row++) {
        for (let col = 0; col < cols; col++) {
          const v = values[row * cols + col]!;
          const y = rowsFromTop ? row : rows - 1 - row;
          const got = [...out.subarray((y * cols + col) * 4, (y * cols + col) * 4 + 4)];
          const index = Math.min(255, Math.max(0, Math.floor((v - range.min) * 256)));
          const want = Number.isFinite(v)
            ? [...viridis.subarray(3 * index, 3 * index + 3), 255]
            : [...NONFINITE_RGB, 255];
          assert.deepEqual(got, want, `value ${v} at row ${row}, col ${col}`);
        }
      }
    }
  });
  await t.test("a buffer that does not start on a 4-byte boundary is painted byte by byte, the same", () => {
    const values = [0.1, 0.9, Number.NaN, 2];
    const aligned = new Uint8ClampedArray(16);
    paintHeatmap(values, 2, 2, { min: 0, max: 1 }, lut, aligned);
    const unaligned = new Uint8ClampedArray(17).subarray(1);
    paintHeatmap(values, 2, 2, { min: 0, max: 1 }, lut, unaligned);
    assert.deepEqual([...unaligned], [...aligned]);
  });
  await t.test("the packed table holds each entry as R, G, B, 255 in memory", () => {
    const viridis = colormapLut("viridis");
    const bytes = new Uint8Array(packedLut(viridis).buffer);
    for (const i of [0, 100, 255])
      assert.deepEqual([...bytes.subarray(4 * i, 4 * i + 4)], [...viridis.subarray(3 * i, 3 * i + 3), 255]);
    assert.equal(packedLut(viridis), packedLut(viridis), "kept per table");
  });
  await t.test("a wrong size names the shape", () => {
    assert.throws(
      () => paintHeatmap([1, 2, 3], 2, 2, { min: 0, max: 1 }, lut, new Uint8ClampedArray(16)),
      /expected 4 values for 2×2/,
    );
  });
  await t.test("the colour bar has the maximum on top", () => {
    const out = new Uint8ClampedArray(4 * 4);
    paintColorbar(lut, 4, out);
    assert.deepEqual([...out.subarray(0, 4)], [255, 255, 255, 255]);
    assert.deepEqual([...out.subarray(12, 16)], [0, 0, 0, 255]);
  });
});

test("panel layout leaves room for axes and colour bar", () => {
  const withAxis = panelLayout(600, 172, true);
  const without = panelLayout(600, 150, false);
  assert.equal(withAxis.plot.width, 600 - PANEL_MARGIN.left - PANEL_MARGIN.right);
  assert.equal(withAxis.plot.height, without.plot.height);
  assert.ok(withAxis.colorbar.x > withAxis.plot.x + withAxis.plot.width);
  assert.ok(withAxis.colorbar.x + withAxis.colorbar.width < 600);
});

test("trend geometry", () => {
  const points = trendPoints([0, 10, 20], [1, null, 0], 104, 24, 2);
  assert.deepEqual(points, [
    { x: 2, y: 2, index: 0 },
    { x: 102, y: 22, index: 2 },
  ]);
  assert.deepEqual(trendPoints([0], [Number.NaN], 10, 10), []);
  assert.equal(stepAtX([0, 100], 52, 104, 2), 50);
  assert.equal(stepAtX([0, 100], -40, 104, 2), 0);
  assert.equal(stepAtX([], 5, 10), null);
});

test("tick labels carry the decimals their spacing needs", () => {
  assert.equal(formatTick(-10, [-10, -5, 0]), "-10");
  assert.equal(formatTick(0.5, [0, 0.5, 1]), "0.5");
  assert.equal(formatTick(0.25, [0, 0.25, 0.5]), "0.25");
  assert.equal(formatTick(0.02, [0, 0.02, 0.04]), "0.02");
  assert.equal(formatTick(200000, [0, 200000]), "2.0e+5");
});

test("non-finite counts are said as a card's flag says them", () => {
  assert.equal(nonfiniteText({ nan: 3, pos_inf: 0, neg_inf: 1 }), "NaN 3 · −Inf 1");
  assert.equal(nonfiniteText({ nan: 0, pos_inf: 0, neg_inf: 0 }), "");
  assert.equal(nonfiniteText(undefined), "");
});

test("formatStat says a missing or non-finite stat as a dash, never NaN", () => {
  assert.equal(formatStat(0.5), "0.500");
  assert.equal(formatStat(null), "—");
  assert.equal(formatStat(undefined), "—");
  assert.equal(formatStat(Number.NaN), "—");
});

test("formatWallTime: local date and time; a null or out-of-range time is unknown, never NaN", () => {
  assert.equal(formatWallTime(new Date(2024, 0, 2, 3, 4, 5).getTime() / 1000), "2024-01-02 03:04:05");
  for (const seconds of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
    assert.equal(formatWallTime(seconds), "time unknown");
  }
});
