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
 * Undoes the GRADIENT filter in place: a running sum along the last axis,
 * then along the one before, each in the codes' own modular arithmetic (the
 * typed array wraps on store).
 */
export function undoGradientFilter(codes: Uint8Array | Uint16Array, shape: readonly number[]): void {
  const cols = shape[shape.length - 1] ?? 1;
  const rows = shape[shape.length - 2] ?? 1;
  const plane = rows * cols;
  if (plane === 0) return;
  for (let start = 0; start < codes.length; start += plane) {
    for (let r = 0; r < rows; r++) {
      const row = start + r * cols;
      for (let c = 1; c < cols; c++) codes[row + c] = codes[row + c]! + codes[row + c - 1]!;
    }
    for (let i = start + cols; i < start + plane; i++) codes[i] = codes[i]! + codes[i - cols]!;
  }
}

/** The stored integer codes of a uint8 or uint16 array, with any filter undone. */
function integerCodes(info: ArrayInfo, inflated: Uint8Array, count: number): Uint8Array | Uint16Array {
  let codes: Uint8Array | Uint16Array;
  if (info.precision === "uint8") {
    codes = info.filter === "gradient" ? inflated.slice(0, count) : inflated.subarray(0, count);
  } else {
    const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    codes = new Uint16Array(count);
    for (let i = 0; i < count; i++) codes[i] = view.getUint16(2 * i, true);
  }
  if (info.filter === "gradient") {
    if (info.shape.length < 2)
      throw new Error(`array ${info.name}: the gradient filter needs rank >= 2, got shape [${info.shape.join(", ")}]`);
    undoGradientFilter(codes, info.shape);
  }
  return codes;
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
    throw new Error(
      `array ${info.name}: expected ${expected} bytes for shape [${info.shape.join(", ")}], got ${inflated.length}`,
    );
  }
  if (info.filter !== undefined && info.filter !== "none" && info.filter !== "gradient") {
    throw new Error(`array ${info.name}: unknown filter ${JSON.stringify(info.filter)}`);
  }
  if (info.filter === "gradient" && info.precision !== "uint8" && info.precision !== "uint16") {
    throw new Error(`array ${info.name}: the gradient filter needs integer codes, got ${info.precision}`);
  }
  const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  const values = new Float32Array(count);
  const { offset, scale } = info;
  switch (info.precision) {
    case "uint8":
    case "uint16": {
      const codes = integerCodes(info, inflated, count);
      for (let i = 0; i < count; i++) values[i] = offset + codes[i]! * scale;
      break;
    }
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
