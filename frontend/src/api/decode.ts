// Pure decoding of a GET /data body (layout in http_api.md): no fetch, no DOM.

import { LITTLE_ENDIAN } from "../render/bytes";
import { keepFiniteRange, type ColorRange } from "../render/scale";
import type { ArrayInfo, AudioRole, NonfiniteCounts, StepDescription } from "./types";

export const DATA_MAGIC = "SPD1";
export const BATCH_MAGIC = "SPB1";

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
  /** The most a value may differ from what was written: half a code's step (scale / 2), half a float16 ulp of the largest value, 0 for float32. */
  quantError?: number;
  /** The range of the finite values (null when there are none), found while decoding. */
  finite?: ColorRange | null;
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

/** The ops' `max_elements` default (`_inputs.DEFAULT_MAX_ELEMENTS`): no writer stores a larger array. */
export const MAX_ELEMENTS = 1 << 24;

/**
 * The inflated byte count an array's header promises, after checking the
 * header before anything is allocated: a shape of non-negative integers with at
 * most `maxElements` values, a known precision, finite offset and scale.
 */
export function expectedByteLength(info: ArrayInfo, maxElements = MAX_ELEMENTS): number {
  const shape: unknown = info.shape;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && (size as number) >= 0)) {
    throw new Error(`array ${info.name}: invalid shape ${JSON.stringify(shape)}`);
  }
  const count = elementCount(shape as number[]);
  if (count > maxElements) {
    throw new Error(
      `array ${info.name}: shape [${info.shape.join(", ")}] claims ${count} values, over the cap of ${maxElements}`,
    );
  }
  const width = Object.prototype.hasOwnProperty.call(BYTES_PER_VALUE, info.precision)
    ? BYTES_PER_VALUE[info.precision]
    : undefined;
  if (width === undefined) throw new Error(`array ${info.name}: unknown precision ${JSON.stringify(info.precision)}`);
  if (!Number.isFinite(info.offset) || !Number.isFinite(info.scale)) {
    throw new Error(`array ${info.name}: offset ${String(info.offset)} or scale ${String(info.scale)} is not finite`);
  }
  return count * width + (hasNonfinite(info.nonfinite) ? count : 0);
}

/**
 * Inflates a zlib stream of at most `limit` bytes, refusing a stream that
 * inflates past it (reading stops there) or that is cut short or corrupt. The
 * bytes are written into the DecompressionStream directly: a Blob's stream()
 * would read them back from the browser process, one task per chunk, and those
 * tasks wait behind input and frames while a slider is dragged.
 */
export async function inflateLimited(compressed: Uint8Array<ArrayBuffer>, limit: number): Promise<Uint8Array> {
  const decompression = new DecompressionStream("deflate");
  const writer = decompression.writable.getWriter();
  void writer.write(compressed).catch(() => undefined);
  void writer.close().catch(() => undefined);
  const reader = decompression.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new Error(`inflates past the ${limit} bytes its header promises`);
      chunks.push(value);
    }
  } catch (e) {
    void reader.cancel().catch(() => undefined);
    if (e instanceof Error && e.message.startsWith("inflates past")) throw e;
    throw new Error(`corrupt or truncated zlib data (${e instanceof Error ? e.message : String(e)})`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Inflates (under the promised size) and decodes every array of a /data body. */
export async function decodeStep(raw: RawStep, maxElements = MAX_ELEMENTS): Promise<Map<string, DecodedArray>> {
  const arrays = new Map<string, DecodedArray>();
  const expected = raw.description.arrays.map((info) => expectedByteLength(info, maxElements));
  await Promise.all(
    raw.description.arrays.map(async (info, i) => {
      const stored = raw.blobs.get(info.name)!;
      let bytes: Uint8Array;
      if (info.compression === "none") bytes = stored;
      else if (info.compression === "zlib") {
        try {
          bytes = await inflateLimited(stored, expected[i]!);
        } catch (e) {
          throw new Error(`array ${info.name}: ${(e as Error).message}`);
        }
      } else throw new Error(`array ${info.name}: unknown compression ${JSON.stringify(info.compression)}`);
      arrays.set(info.name, decodeArray(info, bytes, maxElements));
    }),
  );
  return arrays;
}

/** A step's decode error as its card says it; `reason` names the array and what is wrong. */
export function unreadableStepMessage(step: number, reason: string): string {
  return `step ${step}: array data unreadable: ${reason}`;
}

/** One answer of a /data_batch body: its HTTP status, and a /data body (200) or the error's text. */
export interface BatchAnswer {
  status: number;
  body: ArrayBuffer;
}

/** Splits a /data_batch body (layout in http_api.md) into its answers, in the order asked. */
export function parseBatchBody(body: ArrayBuffer): BatchAnswer[] {
  const bytes = new Uint8Array(body);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 8 || magic !== BATCH_MAGIC) {
    throw new Error(`expected a body starting with ${BATCH_MAGIC}, got ${JSON.stringify(magic)}`);
  }
  const view = new DataView(body);
  const count = view.getUint32(4, true);
  const answers: BatchAnswer[] = [];
  let offset = 8;
  for (let i = 0; i < count; i++) {
    if (offset + 8 > bytes.length)
      throw new Error(`answer ${i} of ${count} runs past the body's ${bytes.length} bytes`);
    const status = view.getUint32(offset, true);
    const length = view.getUint32(offset + 4, true);
    offset += 8;
    if (offset + length > bytes.length)
      throw new Error(`answer ${i} of ${count} runs past the body's ${bytes.length} bytes`);
    answers.push({ status, body: body.slice(offset, offset + length) });
    offset += length + ((8 - (length % 8)) % 8);
  }
  return answers;
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
  if (rows * cols === 0) return;
  if (codes instanceof Uint8Array) undoGradient(codes, rows, cols, 0xff);
  else undoGradient(codes, rows, cols, 0xffff);
}

/**
 * One pass per row: the running sum along the row, plus the row above as
 * already restored (the sum along the columns), masked to the codes' width.
 */
function undoGradient(codes: Uint8Array | Uint16Array, rows: number, cols: number, mask: number): void {
  const plane = rows * cols;
  for (let start = 0; start + plane <= codes.length; start += plane) {
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      sum = (sum + codes[start + c]!) & mask;
      codes[start + c] = sum;
    }
    for (let row = start + cols; row < start + plane; row += cols) {
      sum = 0;
      for (let c = 0; c < cols; c++) {
        sum = (sum + codes[row + c]!) & mask;
        codes[row + c] = (sum + codes[row - cols + c]!) & mask;
      }
    }
  }
}

/**
 * Undoes the DELTA_PLANES filter: interleaves the low-byte and high-byte
 * planes back into 16-bit codes, then a running sum, modulo 2^16.
 */
export function undoDeltaPlanesFilter(planes: Uint8Array, count: number): Uint16Array {
  const codes = new Uint16Array(count);
  let running = 0;
  for (let i = 0; i < count; i++) {
    running = (running + (planes[i]! | (planes[count + i]! << 8))) & 0xffff;
    codes[i] = running;
  }
  return codes;
}

/** The stored integer codes of a uint8 or uint16 array, with any filter undone. */
function integerCodes(info: ArrayInfo, inflated: Uint8Array, count: number): Uint8Array | Uint16Array {
  let codes: Uint8Array | Uint16Array;
  if (info.filter === "delta_planes") {
    if (info.precision !== "uint16" || info.shape.length !== 1)
      throw new Error(
        `array ${info.name}: the delta_planes filter needs 16-bit codes of rank 1, got ${info.precision} [${info.shape.join(", ")}]`,
      );
    return undoDeltaPlanesFilter(inflated, count);
  }
  if (info.precision === "uint8") {
    codes = info.filter === "gradient" ? inflated.slice(0, count) : inflated.subarray(0, count);
  } else if (LITTLE_ENDIAN && inflated.byteOffset % 2 === 0 && info.filter !== "gradient") {
    codes = new Uint16Array(inflated.buffer, inflated.byteOffset, count);
  } else if (LITTLE_ENDIAN) {
    // A copy: the gradient filter is undone in place, and a view needs an even offset.
    codes = new Uint16Array(count);
    new Uint8Array(codes.buffer).set(inflated.subarray(0, 2 * count));
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
export function decodeArray(info: ArrayInfo, inflated: Uint8Array, maxElements = MAX_ELEMENTS): DecodedArray {
  const expected = expectedByteLength(info, maxElements);
  const count = elementCount(info.shape);
  const width = BYTES_PER_VALUE[info.precision];
  const masked = hasNonfinite(info.nonfinite);
  if (inflated.length !== expected) {
    throw new Error(
      `array ${info.name}: expected ${expected} bytes for shape [${info.shape.join(", ")}], got ${inflated.length}`,
    );
  }
  if (
    info.filter !== undefined &&
    info.filter !== "none" &&
    info.filter !== "gradient" &&
    info.filter !== "delta_planes"
  ) {
    throw new Error(`array ${info.name}: unknown filter ${JSON.stringify(info.filter)}`);
  }
  if (
    info.filter !== undefined &&
    info.filter !== "none" &&
    info.precision !== "uint8" &&
    info.precision !== "uint16"
  ) {
    throw new Error(`array ${info.name}: the ${info.filter} filter needs integer codes, got ${info.precision}`);
  }
  const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  const values = new Float32Array(count);
  const { offset, scale } = info;
  // The values of the least and the greatest code, which bound the values when none is masked;
  // undefined scans the values.
  let codeRange: ColorRange | null | undefined;
  switch (info.precision) {
    case "uint8":
      codeRange = scaleByteCodes(integerCodes(info, inflated, count) as Uint8Array, offset, scale, values);
      break;
    case "uint16":
      codeRange = scaleWordCodes(integerCodes(info, inflated, count) as Uint16Array, offset, scale, values);
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
  const finite = keepFiniteRange(values, masked ? undefined : codeRange);
  return {
    name: info.name,
    shape: info.shape.slice(),
    rows,
    cols: rows === 0 ? 0 : count / rows,
    values,
    nonfinite: { ...info.nonfinite },
    quantError: quantizationError(info, values),
    finite,
  };
}

/**
 * values[i] = offset + codes[i] × scale, through a table of the 256 codes'
 * values (the same float32 each); returns the range of the values (see orderedRange).
 */
function scaleByteCodes(
  codes: Uint8Array,
  offset: number,
  scale: number,
  values: Float32Array,
): ColorRange | null | undefined {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) table[code] = offset + code * scale;
  const seen = new Uint8Array(256);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    seen[code] = 1;
    values[i] = table[code]!;
  }
  const low = seen.indexOf(1);
  return low < 0 ? null : orderedRange(table[low]!, table[seen.lastIndexOf(1)]!);
}

function scaleWordCodes(
  codes: Uint16Array,
  offset: number,
  scale: number,
  values: Float32Array,
): ColorRange | null | undefined {
  let low = 0xffff;
  let high = 0;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code < low) low = code;
    if (code > high) high = code;
    values[i] = offset + code * scale;
  }
  return codes.length === 0
    ? null
    : orderedRange(Math.fround(offset + low * scale), Math.fround(offset + high * scale));
}

/**
 * The range between the least and the greatest code's values (a negative
 * scale puts the least code's value on top); undefined, to scan the values,
 * should either overflow float32.
 */
function orderedRange(a: number, b: number): ColorRange | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

const FLOAT16_HALF_ULP = 2 ** -11; // relative rounding error of float16's 10-bit mantissa

function quantizationError(info: ArrayInfo, values: Float32Array): number {
  if (info.precision === "uint8" || info.precision === "uint16") return Math.abs(info.scale) / 2;
  if (info.precision === "float32") return 0;
  let largest = 0;
  for (const value of values) if (Number.isFinite(value)) largest = Math.max(largest, Math.abs(value));
  return largest * FLOAT16_HALF_ULP;
}

/** A clip's waveform as played: values in [-1, 1] (pcm / 32768) at its own sample rate. */
export interface Waveform {
  samples: Float32Array;
  sampleRate: number;
}

/** The /data array of a role's waveform (part "audio") and of its outline (the default part). */
export const AUDIO_ARRAYS: Readonly<Record<AudioRole, { samples: string; envelope: string }>> = {
  target: { samples: "target_audio", envelope: "target_envelope" },
  predicted: { samples: "predicted_audio", envelope: "predicted_envelope" },
};

/** The waveforms of a decoded /data body of part "audio", by role, each at the sample rate its clip's facts give. */
export function audioWaveforms(
  description: StepDescription,
  arrays: ReadonlyMap<string, DecodedArray>,
): Map<AudioRole, Waveform> {
  const facts = description.samples?.[description.sample]?.audio;
  const clips = new Map<AudioRole, Waveform>();
  for (const role of ["target", "predicted"] as const) {
    const array = arrays.get(AUDIO_ARRAYS[role].samples);
    if (!array) continue;
    const sampleRate = facts?.[role]?.sample_rate ?? 0;
    if (!(sampleRate > 0)) throw new Error(`${role} audio without a sample rate`);
    clips.set(role, { samples: array.values, sampleRate });
  }
  return clips;
}
