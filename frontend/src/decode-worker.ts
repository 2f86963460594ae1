// The pane's step loader, off the page's thread: it fetches a /data_batch
// request, inflates and unfilters each step's arrays and scales them to
// float32 (api/client.ts fetchBytes and decodeBatch), and sends the arrays
// back as transferred buffers, with when the request was fetched. Fetched
// here, a body is decoded as soon as it arrives: on the page, Chromium holds
// network answers back while input and frames come first, and a slider held
// down kept each body waiting there some 90 ms. Built beside index.js as
// decode-worker.js; api/worker-loader.ts talks to it.

import { decodeBatch, fetchBytes, type StepAnswer, type StepKey } from "./api/client";

/** A request to load: its id (to answer with), its absolute URL and the steps it asks for. */
export interface LoadRequest {
  id: number;
  url: string;
  keys: StepKey[];
}

/** When the request's body was fetched, in ms since the epoch: its fetch's start, and when its body was read. */
export interface LoadTiming {
  start: number;
  end: number;
}

/** The answers of request `id`, or why the whole request failed; or, once, that the worker runs. */
export type LoadResponse =
  | { id: number; answers: StepAnswer[]; timing: LoadTiming }
  | { id: number; error: string; timing: LoadTiming }
  | { ready: true };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LoadRequest>) => void) | null;
  postMessage(message: LoadResponse, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

/** Now, in ms since the epoch: the page's timeline has another origin. */
const epochNow = (): number => performance.timeOrigin + performance.now();

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Loads request `id` and answers it: fetches and decodes it, timing its fetch from its start to its body read. */
async function load({ id, url, keys }: LoadRequest): Promise<void> {
  const start = epochNow();
  let body: ArrayBuffer;
  try {
    body = await fetchBytes(url);
  } catch (e) {
    scope.postMessage({ id, error: messageOf(e), timing: { start, end: epochNow() } }, []);
    return;
  }
  const timing = { start, end: epochNow() };
  try {
    const answers = await decodeBatch(body, keys);
    const buffers = answers.flatMap((answer) =>
      "data" in answer ? [...answer.data.arrays.values()].map((array) => array.values.buffer) : [],
    );
    scope.postMessage({ id, answers, timing }, buffers);
  } catch (e) {
    scope.postMessage({ id, error: messageOf(e), timing }, []);
  }
}

scope.onmessage = (event) => void load(event.data);

scope.postMessage({ ready: true }, []);
