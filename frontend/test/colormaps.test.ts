import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ABS_DIFF_MAP,
  colormapLut,
  colormapNames,
  isColormapName,
  LUT_SIZE,
  lutIndex,
  NONFINITE_RGB,
  rampColor,
  SEQUENTIAL_MAPS,
  SIGNED_DIFF_MAP,
} from "../src/colormaps";

test("the exported maps are pinned", () => {
  assert.deepEqual(colormapNames().sort(), ["RdBu_r", "gray", "hot", "inferno", "magma", "viridis"]);
  for (const name of [...SEQUENTIAL_MAPS, ABS_DIFF_MAP, SIGNED_DIFF_MAP]) assert.ok(isColormapName(name), name);
  assert.ok(!isColormapName("jet"));
  assert.ok(!isColormapName("toString"));
});

test("each map has 256 RGB entries with matplotlib's ends", () => {
  for (const name of colormapNames()) assert.equal(colormapLut(name).length, LUT_SIZE * 3, name);
  assert.deepEqual(rampColor(colormapLut("viridis"), 0), [68, 1, 84]);
  assert.deepEqual(rampColor(colormapLut("viridis"), 1), [253, 231, 37]);
  assert.deepEqual(rampColor(colormapLut("gray"), 0), [0, 0, 0]);
  assert.deepEqual(rampColor(colormapLut("gray"), 1), [255, 255, 255]);
  assert.deepEqual(rampColor(colormapLut("hot"), 1), [255, 255, 255]);
  // The diverging map is near white in the middle, blue below and red above.
  const [r, g, b] = rampColor(colormapLut("RdBu_r"), 0.5);
  assert.ok(r > 240 && g > 240 && b > 240, `RdBu_r centre ${[r, g, b]}`);
  const low = rampColor(colormapLut("RdBu_r"), 0);
  const high = rampColor(colormapLut("RdBu_r"), 1);
  assert.ok(low[2] > low[0] && high[0] > high[2]);
});

test("the ramp clamps t to [0, 1] and maps NaN to the bottom", () => {
  const lut = colormapLut("magma");
  assert.deepEqual(rampColor(lut, -3), rampColor(lut, 0));
  assert.deepEqual(rampColor(lut, 7), rampColor(lut, 1));
  assert.equal(lutIndex(Number.NaN), 0);
  assert.equal(lutIndex(0.5), 128);
  assert.equal(lutIndex(0.999), 255);
});

test("the non-finite colour appears in no sequential map", () => {
  for (const name of SEQUENTIAL_MAPS) {
    const lut = colormapLut(name);
    for (let i = 0; i < LUT_SIZE; i++) {
      const same =
        lut[3 * i] === NONFINITE_RGB[0] && lut[3 * i + 1] === NONFINITE_RGB[1] && lut[3 * i + 2] === NONFINITE_RGB[2];
      assert.ok(!same, `${name}[${i}] equals the non-finite colour`);
    }
  }
});
