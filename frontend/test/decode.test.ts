import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DATA_MAGIC,
  decodeArray,
  decodeStep,
  elementCount,
  expectedByteLength,
  float16ToNumber,
  inflateLimited,
  MAX_ELEMENTS,
  parseDataBody,
  undoGradientFilter,
  unreadableStepMessage,
} from "../src/api/decode";
import type { ArrayInfo } from "../src/api/types";

function info(overrides: Partial<ArrayInfo>): ArrayInfo {
  return {
    name: "target",
    shape: [2, 3],
    precision: "uint8",
    offset: -1,
    scale: 0.5,
    nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 },
    range: { min: -1, max: 1.5, mean: 0, count: 6 },
    compression: "none",
    byte_offset: 0,
    byte_length: 6,
    ...overrides,
  };
}

/** A /data body as plugin.py lays it out: magic, length, padded JSON, 8-aligned blobs. */
function body(description: object, blobs: Uint8Array[]): ArrayBuffer {
  let text = JSON.stringify(description);
  while ((8 + text.length) % 8 !== 0) text += " ";
  const json = new TextEncoder().encode(text);
  const padded = blobs.map((b) => b.length + ((8 - (b.length % 8)) % 8));
  const out = new Uint8Array(8 + json.length + padded.reduce((a, b) => a + b, 0));
  out.set(new TextEncoder().encode(DATA_MAGIC), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let offset = 8 + json.length;
  blobs.forEach((blob, i) => {
    out.set(blob, offset);
    offset += padded[i]!;
  });
  return out.buffer;
}

test("parseDataBody", async (t) => {
  await t.test("splits the JSON and each array's bytes at its offset", () => {
    const first = new Uint8Array([1, 2, 3, 4, 5]);
    const second = new Uint8Array([9, 8, 7]);
    const description = {
      run: "r",
      tag: "t",
      kind: "mel_comparison",
      step: 7,
      sample: 0,
      wall_time: 1,
      arrays: [
        info({ name: "target", byte_offset: 0, byte_length: 5 }),
        info({ name: "predicted", byte_offset: 8, byte_length: 3 }),
      ],
    };
    const raw = parseDataBody(body(description, [first, second]));
    assert.equal(raw.description.step, 7);
    assert.deepEqual([...raw.blobs.get("target")!], [1, 2, 3, 4, 5]);
    assert.deepEqual([...raw.blobs.get("predicted")!], [9, 8, 7]);
  });
  await t.test("rejects a body without the magic", () => {
    assert.throws(
      () => parseDataBody(new TextEncoder().encode("<html>nope</html>").buffer),
      /expected a body starting with SPD1/,
    );
  });
  await t.test("rejects an array that runs past the body", () => {
    const description = { arrays: [info({ byte_offset: 0, byte_length: 64 })] };
    assert.throws(() => parseDataBody(body(description, [new Uint8Array(4)])), /array target ends at byte/);
  });
});

test("decodeArray", async (t) => {
  await t.test("uint8 codes become offset + code * scale, row-major", () => {
    const decoded = decodeArray(info({}), new Uint8Array([0, 1, 2, 3, 4, 5]));
    assert.equal(decoded.rows, 2);
    assert.equal(decoded.cols, 3);
    assert.deepEqual([...decoded.values], [-1, -0.5, 0, 0.5, 1, 1.5]);
  });
  await t.test("uint16 is little-endian", () => {
    const bytes = new Uint8Array([0x01, 0x01, 0xff, 0xff]);
    const decoded = decodeArray(info({ shape: [1, 2], precision: "uint16", offset: 0, scale: 1 }), bytes);
    assert.deepEqual([...decoded.values], [257, 65535]);
  });
  await t.test("float32 values are taken as they are", () => {
    const values = new Float32Array([1.5, -2.25, 3e-8]);
    const decoded = decodeArray(info({ shape: [3], precision: "float32" }), new Uint8Array(values.buffer));
    assert.deepEqual([...decoded.values], [...values]);
    assert.equal(decoded.cols, 1);
  });
  await t.test("float16 halves", () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]);
    const decoded = decodeArray(info({ shape: [4], precision: "float16" }), new Uint8Array(bits.buffer));
    assert.deepEqual([...decoded.values], [1, -2, 65504, 2 ** -24].map(Math.fround));
  });
  await t.test("the mask puts NaN, +Inf and -Inf back", () => {
    const codes = [0, 0, 0, 1, 1, 1];
    const mask = [0, 1, 2, 3, 0, 0];
    const decoded = decodeArray(
      info({ nonfinite: { nan: 1, pos_inf: 1, neg_inf: 1 } }),
      new Uint8Array([...codes, ...mask]),
    );
    assert.equal(decoded.values[0], -1);
    assert.ok(Number.isNaN(decoded.values[1]));
    assert.equal(decoded.values[2], Number.POSITIVE_INFINITY);
    assert.equal(decoded.values[3], Number.NEGATIVE_INFINITY);
    assert.equal(decoded.values[4], -0.5);
  });
  await t.test("gradient-filtered uint8 codes are summed back along both axes", () => {
    // codes [[1, 2, 3], [4, 6, 9]]: minus the upper row [[1, 2, 3], [3, 4, 6]], then minus the left column.
    const decoded = decodeArray(info({ filter: "gradient", offset: 0, scale: 1 }), new Uint8Array([1, 1, 1, 3, 1, 2]));
    assert.deepEqual([...decoded.values], [1, 2, 3, 4, 6, 9]);
  });
  await t.test("the gradient filter wraps modulo 2^8 and 2^16", () => {
    // [[250, 3]] filters to [250, (3 - 250) mod 256 = 9]; [[65535, 1]] to [65535, 2].
    const eight = decodeArray(
      info({ shape: [1, 2], filter: "gradient", offset: 0, scale: 1 }),
      new Uint8Array([250, 9]),
    );
    assert.deepEqual([...eight.values], [250, 3]);
    const sixteen = decodeArray(
      info({ shape: [1, 2], precision: "uint16", filter: "gradient", offset: 0, scale: 1 }),
      new Uint8Array([0xff, 0xff, 0x02, 0x00]),
    );
    assert.deepEqual([...sixteen.values], [65535, 1]);
  });
  await t.test("the gradient filter restarts on each plane of a stack", () => {
    const codes = new Uint8Array([1, 1, 1, 1, 5, 0, 0, 0]);
    undoGradientFilter(codes, [2, 2, 2]);
    assert.deepEqual([...codes], [1, 2, 2, 4, 5, 5, 5, 5]);
  });
  await t.test("a filtered array keeps its stored bytes untouched and its mask applied", () => {
    const stored = new Uint8Array([1, 1, 1, 3, 1, 2, 0, 1, 0, 0, 0, 0]);
    const decoded = decodeArray(
      info({ filter: "gradient", offset: 0, scale: 1, nonfinite: { nan: 1, pos_inf: 0, neg_inf: 0 } }),
      stored,
    );
    assert.deepEqual([...stored.subarray(0, 6)], [1, 1, 1, 3, 1, 2]);
    assert.equal(decoded.values[0], 1);
    assert.ok(Number.isNaN(decoded.values[1]));
    assert.equal(decoded.values[5], 9);
  });
  await t.test("the gradient filter undone matches the filter applied, on stacks of 8- and 16-bit codes", () => {
    const [planes, rows, cols] = [3, 5, 7];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const [precision, modulus] of [
      ["uint8", 2 ** 8],
      ["uint16", 2 ** 16],
    ] as const) {
      const codes = Array.from({ length: planes * rows * cols }, () => next() % modulus);
      // The writer's filter: differences along each row, then of each row from the row above.
      const filtered = codes.map((code, i) => {
        const col = i % cols;
        const row = Math.floor(i / cols) % rows;
        const at = (r: number, c: number) => (r < 0 || c < 0 ? 0 : codes[i - (row - r) * cols - (col - c)]!);
        return (((code - at(row, col - 1) - at(row - 1, col) + at(row - 1, col - 1)) % modulus) + modulus) % modulus;
      });
      const bytes = precision === "uint8" ? new Uint8Array(filtered) : new Uint8Array(new Uint16Array(filtered).buffer);
      const decoded = decodeArray(
        info({ shape: [planes, rows, cols], precision, filter: "gradient", offset: 0, scale: 1 }),
        bytes,
      );
      assert.deepEqual([...decoded.values], codes, precision);
    }
  });
  await t.test("16-bit codes at an odd byte offset decode as at an even one", () => {
    const codes = new Uint8Array([0x01, 0x01, 0xff, 0xff, 0x02, 0x00]);
    for (const filter of ["none", "gradient"] as const) {
      const odd = new Uint8Array(codes.length + 1);
      odd.set(codes, 1);
      const arrayInfo = info({ shape: [1, 3], precision: "uint16", filter, offset: 0, scale: 1 });
      assert.deepEqual(
        [...decodeArray(arrayInfo, odd.subarray(1)).values],
        [...decodeArray(arrayInfo, codes.slice()).values],
        filter,
      );
    }
  });
  await t.test("the range of the finite values comes with them", () => {
    const scanned = (values: Float32Array) => {
      const finite = [...values].filter(Number.isFinite);
      return finite.length === 0 ? null : { min: Math.min(...finite), max: Math.max(...finite) };
    };
    const cases: [Partial<ArrayInfo>, Uint8Array][] = [
      [{}, new Uint8Array([3, 1, 2, 7, 4, 5])],
      [{ scale: -0.25, offset: 0.1 }, new Uint8Array([3, 1, 2, 7, 4, 5])],
      [{ precision: "uint16", shape: [1, 3], scale: 0.001 }, new Uint8Array([0x10, 0x27, 0x05, 0x00, 0xff, 0xff])],
      [{ filter: "gradient" }, new Uint8Array([1, 1, 1, 3, 1, 2])],
      [{ nonfinite: { nan: 1, pos_inf: 1, neg_inf: 0 } }, new Uint8Array([0, 9, 4, 200, 2, 3, 0, 1, 0, 2, 0, 0])],
      [{ nonfinite: { nan: 6, pos_inf: 0, neg_inf: 0 } }, new Uint8Array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])],
    ];
    for (const [overrides, bytes] of cases) {
      const decoded = decodeArray(info(overrides), bytes);
      assert.deepEqual(decoded.finite, scanned(decoded.values), JSON.stringify(overrides));
    }
  });
  await t.test("delta_planes codes are interleaved from their byte planes and summed back, modulo 2^16", () => {
    // PCM [-32768, 0, 32767, -1] is codes [0, 32768, 65535, 32767]; deltas [0, 32768, 32767, 32768]
    // (the last: 32767 - 65535 mod 2^16); low bytes [0, 0, 0xff, 0], then high bytes [0, 0x80, 0x7f, 0x80].
    const planes = new Uint8Array([0, 0, 0xff, 0, 0, 0x80, 0x7f, 0x80]);
    const decoded = decodeArray(
      info({ shape: [4], precision: "uint16", filter: "delta_planes", offset: -1, scale: 1 / 32768 }),
      planes,
    );
    assert.deepEqual(
      [...decoded.values],
      [-32768, 0, 32767, -1].map((pcm) => pcm / 32768),
    );
  });
  await t.test("delta_planes needs 16-bit codes of rank 1", () => {
    assert.throws(
      () => decodeArray(info({ shape: [1, 2], precision: "uint16", filter: "delta_planes" }), new Uint8Array(4)),
      /delta_planes filter needs 16-bit codes of rank 1, got uint16 \[1, 2\]/,
    );
  });
  await t.test("an unknown filter, or a filter on floats, is an error naming it", () => {
    assert.throws(
      () => decodeArray(info({ filter: "paeth" as never }), new Uint8Array(6)),
      /array target: unknown filter "paeth"/,
    );
    assert.throws(
      () => decodeArray(info({ shape: [1, 1], precision: "float32", filter: "gradient" }), new Uint8Array(4)),
      /gradient filter needs integer codes, got float32/,
    );
  });
  await t.test("a wrong byte count names the array, shape and counts", () => {
    assert.throws(
      () => decodeArray(info({}), new Uint8Array(5)),
      /array target: expected 6 bytes for shape \[2, 3\], got 5/,
    );
  });
});

test("float16ToNumber covers zero, subnormals, infinities and NaN", () => {
  assert.equal(float16ToNumber(0x0000), 0);
  assert.equal(float16ToNumber(0x8000), -0);
  assert.equal(float16ToNumber(0x0200), 2 ** -15);
  assert.equal(float16ToNumber(0x7c00), Number.POSITIVE_INFINITY);
  assert.equal(float16ToNumber(0xfc00), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(float16ToNumber(0x7e00)));
  assert.equal(float16ToNumber(0x3555), 0.333251953125);
});

test("elementCount multiplies the shape", () => {
  assert.equal(elementCount([80, 200]), 16000);
  assert.equal(elementCount([]), 1);
});

/** `bytes` as a zlib stream. */
async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Awaits `promise`, which must reject with an error whose message matches `pattern`. */
async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown = null;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, "expected a rejection");
  assert.match(error.message, pattern);
}

/** A /data body of one zlib array, parsed. */
function zlibStep(overrides: Partial<ArrayInfo>, stored: Uint8Array) {
  const description = {
    step: 3,
    wall_time: 1,
    arrays: [info({ compression: "zlib", byte_length: stored.length, ...overrides })],
  };
  return parseDataBody(body(description, [stored]));
}

test("expectedByteLength checks the header before anything is allocated", async (t) => {
  await t.test("values, then one mask byte per value when any is non-finite", () => {
    assert.equal(expectedByteLength(info({ shape: [4, 5], precision: "float16" })), 40);
    assert.equal(expectedByteLength(info({ shape: [4, 5], nonfinite: { nan: 1, pos_inf: 0, neg_inf: 0 } })), 40);
  });
  await t.test("the cap is the ops' max_elements default", () => {
    assert.equal(MAX_ELEMENTS, 1 << 24);
    assert.equal(expectedByteLength(info({ shape: [4096, 4096] })), 1 << 24);
    assert.throws(
      () => expectedByteLength(info({ shape: [8192, 8192] })),
      /array target: shape \[8192, 8192\] claims 67108864 values, over the cap of 16777216/,
    );
  });
  await t.test("a shape of nulls, negatives or fractions is refused", () => {
    for (const shape of [[null, 3], [-1, 3], [1.5, 2], "80x200", [1e300, 1e300]]) {
      assert.throws(() => expectedByteLength(info({ shape: shape as never })), /array target: (invalid shape|shape)/);
    }
  });
  await t.test("an unknown precision and a null offset or scale are refused", () => {
    assert.throws(() => expectedByteLength(info({ precision: "int4" as never })), /unknown precision "int4"/);
    assert.throws(() => expectedByteLength(info({ precision: "constructor" as never })), /unknown precision/);
    assert.throws(() => expectedByteLength(info({ offset: null as never })), /offset null or scale 0.5 is not finite/);
    assert.throws(() => expectedByteLength(info({ scale: null as never })), /is not finite/);
  });
});

test("inflateLimited", async (t) => {
  await t.test("inflates a stream within its limit", async () => {
    const bytes = new Uint8Array(1000).map((_, i) => i % 7);
    assert.deepEqual([...(await inflateLimited(await deflate(bytes), 1000))], [...bytes]);
  });
  await t.test("stops and refuses once a stream inflates past the limit", async () => {
    const bomb = await deflate(new Uint8Array(64 << 20));
    await rejects(inflateLimited(bomb, 6), /inflates past the 6 bytes its header promises/);
  });
  await t.test("refuses a truncated or corrupt stream", async () => {
    const whole = await deflate(new Uint8Array(1000).map((_, i) => (i * 31) % 251));
    await rejects(inflateLimited(new Uint8Array(whole.subarray(0, whole.length - 20)), 1000), /corrupt or truncated/);
    await rejects(inflateLimited(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 1000), /corrupt or truncated/);
  });
});

test("decodeStep", async (t) => {
  await t.test("a good zlib array still decodes", async () => {
    const arrays = await decodeStep(zlibStep({}, await deflate(new Uint8Array([0, 1, 2, 3, 4, 5]))));
    assert.deepEqual([...arrays.get("target")!.values], [-1, -0.5, 0, 0.5, 1, 1.5]);
  });
  await t.test("a shape over the cap is refused before inflating", async () => {
    const bomb = await deflate(new Uint8Array(1 << 20));
    await rejects(decodeStep(zlibStep({ shape: [8192, 8192] }, bomb)), /array target: shape .* over the cap/);
  });
  await t.test("a payload that inflates past the promise is refused, naming the array", async () => {
    const bomb = await deflate(new Uint8Array(1 << 20));
    await rejects(decodeStep(zlibStep({}, bomb)), /^array target: inflates past the 6 bytes/);
  });
  await t.test("a truncated payload is refused, naming the array", async () => {
    const whole = await deflate(new Uint8Array([0, 1, 2, 3, 4, 5]));
    await rejects(
      decodeStep(zlibStep({}, new Uint8Array(whole.subarray(0, whole.length - 3)))),
      /array target: corrupt or truncated/,
    );
  });
  await t.test("a payload that inflates short of the promise is refused", async () => {
    await rejects(
      decodeStep(zlibStep({}, await deflate(new Uint8Array(5)))),
      /array target: expected 6 bytes for shape \[2, 3\], got 5/,
    );
  });
  await t.test("an unknown compression is refused", async () => {
    await rejects(
      decodeStep(zlibStep({ compression: "lz4" as never }, new Uint8Array(6))),
      /unknown compression "lz4"/,
    );
  });
});

test("unreadableStepMessage says the step and the reason", () => {
  assert.equal(
    unreadableStepMessage(40, "array target: corrupt or truncated zlib data"),
    "step 40: array data unreadable: array target: corrupt or truncated zlib data",
  );
});
