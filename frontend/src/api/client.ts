// The only code that fetches. URLs are relative to the plugin's iframe,
// which TensorBoard serves under /data/plugin/spectro/ (or an experiment's prefix).

import {
  audioWaveforms,
  AUDIO_ARRAYS,
  decodeStep,
  parseDataBody,
  unreadableStepMessage,
  type DecodedArray,
  type Waveform,
} from "./decode";
import type {
  AudioRole,
  LogdirInfo,
  LowestResponse,
  ScalarIndex,
  StepDescription,
  StepsResponse,
  TagIndex,
} from "./types";

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

/** The audio part of one step's sample: its waveforms by role. */
export interface StepAudio {
  description: StepDescription;
  clips: Map<AudioRole, Waveform>;
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

/**
 * What a failed request says: the server's own text when it sent one (the
 * plugin's errors name the run, tag and step, and say why), else the request
 * and its status.
 */
export function httpErrorMessage(url: string, status: number, detail: string): string {
  const text = detail.trim();
  return text ? text : `GET ${url} answered ${status}`;
}

async function fetchOk(url: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(httpErrorMessage(url, response.status, await response.text()));
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

export async function fetchLogdir(): Promise<LogdirInfo> {
  return (await (await fetchOk("logdir")).json()) as LogdirInfo;
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

export async function fetchStepData(key: StepKey): Promise<StepData> {
  const body = await (await fetchOk(dataUrl(key))).arrayBuffer();
  try {
    const raw = parseDataBody(body);
    return { description: raw.description, arrays: await decodeStep(raw) };
  } catch (e) {
    throw new Error(unreadableStepMessage(key.step, e instanceof Error ? e.message : String(e)));
  }
}

function audioParams(key: StepKey): URLSearchParams {
  return new URLSearchParams({
    run: key.run,
    tag: key.tag,
    step: String(key.step),
    sample: String(key.sample),
    part: "audio",
  });
}

/** The waveforms of a mel comparison's sample: /data's part "audio". */
export function audioUrl(key: StepKey): string {
  return `data?${audioParams(key).toString()}`;
}

/** A 16-bit mono WAV of one role's clip. */
export function wavUrl(key: StepKey, role: AudioRole): string {
  const params = audioParams(key);
  params.set("format", "wav");
  params.set("array", AUDIO_ARRAYS[role].samples);
  return `data?${params.toString()}`;
}

export async function fetchStepAudio(key: StepKey): Promise<StepAudio> {
  const body = await (await fetchOk(audioUrl(key))).arrayBuffer();
  try {
    const raw = parseDataBody(body);
    return { description: raw.description, clips: audioWaveforms(raw.description, await decodeStep(raw)) };
  } catch (e) {
    throw new Error(unreadableStepMessage(key.step, e instanceof Error ? e.message : String(e)));
  }
}
