// The only code that fetches. URLs are relative to the plugin's iframe,
// which TensorBoard serves under /data/plugin/spectro/ (or an experiment's prefix).

import {
  audioWaveforms,
  AUDIO_ARRAYS,
  decodeStep,
  parseBatchBody,
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

/** A /data body as the step's data; a body that does not decode is an error naming the step. */
async function stepDataOf(key: StepKey, body: ArrayBuffer): Promise<StepData> {
  try {
    const raw = parseDataBody(body);
    return { description: raw.description, arrays: await decodeStep(raw) };
  } catch (e) {
    throw new Error(unreadableStepMessage(key.step, e instanceof Error ? e.message : String(e)));
  }
}

/**
 * The most steps one /data_batch request asks for (the server takes up to
 * 32): a block of steps ahead of a compare card of four runs (state/steps.ts
 * AHEAD_BLOCK) goes in one request.
 */
export const BATCH_STEPS = 16;

export function dataBatchUrl(keys: readonly StepKey[]): string {
  const params = new URLSearchParams({ keys: JSON.stringify(keys.map((k) => [k.run, k.tag, k.step, k.sample])) });
  return `data_batch?${params.toString()}`;
}

/** What a /data_batch body says of one step asked for: its data, or why there is none. */
export type StepAnswer = { data: StepData } | { error: string };

/**
 * Decodes a /data_batch body for the steps `keys` it was asked for: each
 * step's data, or the server's text (or the decoding's complaint) for it.
 * Throws when the body is not a batch of as many answers.
 */
export async function decodeBatch(body: ArrayBuffer, keys: readonly StepKey[]): Promise<StepAnswer[]> {
  const answers = parseBatchBody(body);
  if (answers.length !== keys.length)
    throw new Error(`data_batch answered ${answers.length} steps of the ${keys.length} asked for`);
  return Promise.all(
    answers.map(async (answer, i): Promise<StepAnswer> => {
      const key = keys[i]!;
      if (answer.status !== 200) {
        const text = new TextDecoder().decode(new Uint8Array(answer.body));
        return { error: httpErrorMessage(dataUrl(key), answer.status, text) };
      }
      try {
        return { data: await stepDataOf(key, answer.body) };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

/** Loads the /data_batch request `url` for the steps `keys`: fetches its body and decodes it, here or in a worker. */
export type BatchLoader = (url: string, keys: readonly StepKey[]) => Promise<StepAnswer[]>;

/** The body of a successful request, as bytes; a failed request is an error saying why (httpErrorMessage). */
export async function fetchBytes(url: string): Promise<ArrayBuffer> {
  return (await fetchOk(url)).arrayBuffer();
}

/** Fetches a /data_batch body on this thread and decodes it (decodeBatch). */
export const loadBatch: BatchLoader = async (url, keys) => decodeBatch(await fetchBytes(url), keys);

interface PendingStep {
  key: StepKey;
  resolve: (data: StepData) => void;
  reject: (error: Error) => void;
}

/**
 * `keys` grouped by step: the steps in the order first asked for, and at each
 * step its keys in the order asked. A compare card asks for its own steps
 * ahead, then each compared run's: so grouped, a request holds whole steps
 * (every run's), the nearest first, and a step is shown as soon as the worker
 * answers the first request.
 */
export function groupedBySteps<T>(items: readonly T[], keyOf: (item: T) => StepKey): T[] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const step = keyOf(item).step;
    const group = groups.get(step);
    if (group) group.push(item);
    else groups.set(step, [item]);
  }
  return [...groups.values()].flat();
}

/**
 * Loads steps in batches: the steps asked for in one task (the cards of a
 * frame, a frame's loads ahead, the runs of a compare card) go to the server
 * together, BATCH_STEPS to a /data_batch request, grouped by step
 * (groupedBySteps). Each request costs the browser and the server more than a
 * step's data does.
 */
export class StepLoader {
  private pending: PendingStep[] = [];

  constructor(
    private readonly loadRequest: BatchLoader = loadBatch,
    private readonly defer: (work: () => void) => void = (work) => queueMicrotask(work),
  ) {}

  load(key: StepKey): Promise<StepData> {
    return new Promise<StepData>((resolve, reject) => {
      if (this.pending.length === 0) this.defer(() => this.flush());
      this.pending.push({ key, resolve, reject });
    });
  }

  private flush(): void {
    const pending = groupedBySteps(this.pending, (p) => p.key);
    this.pending = [];
    for (let start = 0; start < pending.length; start += BATCH_STEPS)
      void this.request(pending.slice(start, start + BATCH_STEPS));
  }

  private async request(steps: PendingStep[]): Promise<void> {
    const keys = steps.map((s) => s.key);
    let answers: StepAnswer[];
    try {
      answers = await this.loadRequest(dataBatchUrl(keys), keys);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const step of steps) step.reject(error);
      return;
    }
    steps.forEach((step, i) => {
      const answer = answers[i]!;
      if ("data" in answer) step.resolve(answer.data);
      else step.reject(new Error(answer.error));
    });
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
