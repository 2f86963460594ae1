// Pure decoding of a GET /data body (layout in http_api.md): no fetch, no DOM.

import type { ArrayInfo, NonfiniteCounts, StepDescription } from "./types";

export const DATA_MAGIC = "SPD1";

/** A /data body split into its description and each array's stored (still compressed) bytes. */
export interface RawStep {
  description: StepDescription;
  blobs: Map<string, Uint8Array<ArrayBuffer>>;
}

/** One array as float32 values, row-major, with NaN and ±Inf in place. */
export interface DecodedArray {
  name: string;
  shape: number[];
  /** First dimension: mel bins, noise rows, similarity rows. */
  rows: number;
  /** Product of the other dimensions: frames, columns. */
  cols: number;
  values: Float32Array;
  nonfinite: NonfiniteCounts;
}

const MASK_VALUES = [Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

export function parseDataBody(body: ArrayBuffer): RawStep {
  const bytes = new Uint8Array(body);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 8 || magic !== DATA_MAGIC) {
    throw new Error(`expected a body starting with ${DATA_MAGIC}, got ${JSON.stringify(magic)}`);
  }
  const jsonLength = new DataView(body).getUint32(4, true);
  const blobStart = 8 + jsonLength;
  if (blobStart > bytes.length) {
    throw new Error(`JSON length ${jsonLength} runs past the body's ${bytes.length} bytes`);
  }
  const description = JSON.parse(new TextDecoder().decode(bytes.subarray(8, blobStart))) as StepDescription;
  const blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const info of description.arrays) {
    const start = blobStart + info.byte_offset;
    const end = start + info.byte_length;
    if (end > bytes.length) {
      throw new Error(`array ${info.name} ends at byte ${end}, past the body's ${bytes.length}`);
    }
    blobs.set(info.name, bytes.subarray(start, end));
  }
  return { description, blobs };
}

const BYTES_PER_VALUE: Record<ArrayInfo["precision"], number> = { uint8: 1, uint16: 2, float16: 2, float32: 4 };

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** IEEE 754 half precision bits to a number. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function hasNonfinite(counts: NonfiniteCounts): boolean {
  return counts.nan + counts.pos_inf + counts.neg_inf > 0;
}

/**
 * Decodes an array's inflated bytes: the values (little-endian, row-major),
 * then, when any value is non-finite, one mask byte per value.
 */
export function decodeArray(info: ArrayInfo, inflated: Uint8Array): DecodedArray {
  const count = elementCount(info.shape);
  const width = BYTES_PER_VALUE[info.precision];
  if (width === undefined) throw new Error(`array ${info.name}: unknown precision ${JSON.stringify(info.precision)}`);
  const masked = hasNonfinite(info.nonfinite);
  const expected = count * width + (masked ? count : 0);
  if (inflated.length !== expected) {
    throw new Error(`array ${info.name}: expected ${expected} bytes for shape [${info.shape.join(", ")}], got ${inflated.length}`);
  }
  const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  const values = new Float32Array(count);
  const { offset, scale } = info;
  switch (info.precision) {
    case "uint8":
      for (let i = 0; i < count; i++) values[i] = offset + inflated[i]! * scale;
      break;
    case "uint16":
      for (let i = 0; i < count; i++) values[i] = offset + view.getUint16(2 * i, true) * scale;
      break;
    case "float16":
      for (let i = 0; i < count; i++) values[i] = float16ToNumber(view.getUint16(2 * i, true));
      break;
    case "float32":
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
      break;
  }
  if (masked) {
    const maskStart = count * width;
    for (let i = 0; i < count; i++) {
      const code = inflated[maskStart + i]!;
      if (code !== 0) values[i] = MASK_VALUES[code] ?? Number.NaN;
    }
  }
  const rows = info.shape[0] ?? 1;
  return {
    name: info.name,
    shape: info.shape.slice(),
    rows,
    cols: rows === 0 ? 0 : count / rows,
    values,
    nonfinite: { ...info.nonfinite },
  };
}
