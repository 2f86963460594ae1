// The only code that fetches. URLs are relative to the plugin's iframe,
// which TensorBoard serves under /data/plugin/spectro/ (or an experiment's prefix).

import { decodeArray, parseDataBody, type DecodedArray } from "./decode";
import type { LowestResponse, ScalarIndex, StepDescription, StepsResponse, TagIndex } from "./types";

export interface StepData {
  description: StepDescription;
  arrays: Map<string, DecodedArray>;
}

export interface StepKey {
  run: string;
  tag: string;
  step: number;
  sample: number;
}

export function dataUrl(key: StepKey, format: "binary" | "npz" = "binary"): string {
  const params = new URLSearchParams({
    run: key.run,
    tag: key.tag,
    step: String(key.step),
    sample: String(key.sample),
  });
  if (format === "npz") params.set("format", "npz");
  return `data?${params.toString()}`;
}

async function fetchOk(url: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(url, { signal });
  if (!response.ok) {
    const detail = (await response.text()).trim();
    throw new Error(`GET ${url} answered ${response.status}${detail ? `: ${detail}` : ""}`);
  }
  return response;
}

export async function fetchTags(): Promise<TagIndex> {
  return (await (await fetchOk("tags")).json()) as TagIndex;
}

export async function fetchSteps(run: string, tag: string): Promise<StepsResponse> {
  const params = new URLSearchParams({ run, tag });
  return (await (await fetchOk(`steps?${params.toString()}`)).json()) as StepsResponse;
}

export async function fetchScalars(): Promise<ScalarIndex> {
  return (await (await fetchOk("scalars")).json()) as ScalarIndex;
}

/** What the lowest-point view asks for: a scalar series, smoothed as TensorBoard's Scalars tab does. */
export interface LowestQuery {
  run: string;
  tag: string;
  smoothing: number;
  ignoreOutliers: boolean;
}

export function lowestUrl(query: LowestQuery): string {
  const params = new URLSearchParams({
    run: query.run,
    tag: query.tag,
    smoothing: String(query.smoothing),
    ignore_outliers: String(query.ignoreOutliers),
  });
  return `lowest?${params.toString()}`;
}

export async function fetchLowest(query: LowestQuery): Promise<LowestResponse> {
  return (await (await fetchOk(lowestUrl(query))).json()) as LowestResponse;
}

/**
 * Inflates a zlib stream. The bytes are written into the DecompressionStream
 * directly: a Blob's stream() would read them back from the browser process,
 * one task per chunk, and those tasks wait behind input and frames while a
 * slider is dragged.
 */
async function inflate(compressed: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const decompression = new DecompressionStream("deflate");
  const writer = decompression.writable.getWriter();
  void writer.write(compressed).catch(() => undefined);
  void writer.close().catch(() => undefined);
  return new Uint8Array(await new Response(decompression.readable).arrayBuffer());
}

export async function fetchStepData(key: StepKey): Promise<StepData> {
  const body = await (await fetchOk(dataUrl(key))).arrayBuffer();
  const raw = parseDataBody(body);
  const arrays = new Map<string, DecodedArray>();
  await Promise.all(
    raw.description.arrays.map(async (info) => {
      const stored = raw.blobs.get(info.name)!;
      const bytes = info.compression === "none" ? stored : await inflate(stored);
      arrays.set(info.name, decodeArray(info, bytes));
    }),
  );
  return { description: raw.description, arrays };
}
