import assert from "node:assert/strict";
import test from "node:test";

import { amplitudeY, envelopeColumns, envelopeOf, waveBars, type Envelope } from "../src/render/waveform";

// 4 bins over a 2 s clip: 0.5 s each.
const ENVELOPE: Envelope = { low: [-0.5, -0.1, -1, 0], high: [0.5, 0.2, 0.9, 0], bins: 4, seconds: 2 };

test("the outline as /data sends it: row 0 the lows, row 1 the highs", () => {
  const envelope = envelopeOf(new Float32Array([-1, -0.5, 1, 0.5]), 2, 3);
  assert.deepEqual(Array.from(envelope.low), [-1, -0.5]);
  assert.deepEqual(Array.from(envelope.high), [1, 0.5]);
  assert.equal(envelope.seconds, 3);
});

test("the strip's columns", async (t) => {
  await t.test("one column per bin: each bin's own range", () => {
    const { low, high } = envelopeColumns(ENVELOPE, 0, 2, 4);
    assert.deepEqual([...low], [-0.5, -0.1, -1, 0].map(Math.fround));
    assert.deepEqual([...high], [0.5, 0.2, 0.9, 0].map(Math.fround));
  });
  await t.test("a column over several bins: their lowest and highest", () => {
    const { low, high } = envelopeColumns(ENVELOPE, 0, 2, 2);
    assert.deepEqual([...low], [-0.5, -1]);
    assert.deepEqual([...high], [0.5, 0.9].map(Math.fround));
  });
  await t.test("columns narrower than a bin show the bin they lie in", () => {
    const { low, high } = envelopeColumns(ENVELOPE, 0.5, 1.0, 5);
    assert.deepEqual([...low], Array(5).fill(Math.fround(-0.1)));
    assert.deepEqual([...high], Array(5).fill(Math.fround(0.2)));
  });
  await t.test("a zoom window: the seconds it shows, the same axis as the panels", () => {
    const { low } = envelopeColumns(ENVELOPE, 1.0, 2.0, 2);
    assert.deepEqual([...low], [-1, 0]);
  });
  await t.test("past the clip's end (a longer mel, a window beyond the clip): nothing", () => {
    const { low, high } = envelopeColumns(ENVELOPE, 1.0, 3.0, 4);
    assert.deepEqual([...low].slice(0, 2), [-1, 0]);
    assert.ok(Number.isNaN(low[2]!) && Number.isNaN(low[3]!) && Number.isNaN(high[3]!));
  });
  await t.test("no bins, no width or no span: nothing", () => {
    assert.ok(Number.isNaN(envelopeColumns({ ...ENVELOPE, bins: 0 }, 0, 2, 3).low[0]!));
    assert.equal(envelopeColumns(ENVELOPE, 0, 2, 0).low.length, 0);
    assert.ok(Number.isNaN(envelopeColumns(ENVELOPE, 1, 1, 2).low[0]!));
  });
});

test("the bars of a row", async (t) => {
  await t.test("amplitude +1 at the row's top, -1 at its bottom, clamped", () => {
    assert.equal(amplitudeY(1, 10, 20), 10);
    assert.equal(amplitudeY(-1, 10, 20), 30);
    assert.equal(amplitudeY(0, 10, 20), 20);
    assert.equal(amplitudeY(3, 10, 20), 10);
  });
  await t.test("a bar per column with data, from its highest to its lowest value, at least a pixel", () => {
    const bars = waveBars(
      { low: new Float32Array([-1, Number.NaN, 0]), high: new Float32Array([1, Number.NaN, 0]) },
      46,
      0,
      20,
    );
    assert.deepEqual(bars, [
      { x: 46, top: 0, height: 20 },
      { x: 48, top: 9.5, height: 1 },
    ]);
  });
});
