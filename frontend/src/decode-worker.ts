// The pane's step loader, off the page's thread: it fetches a /data_batch
// request, inflates and unfilters each step's arrays and scales them to
// float32 (api/client.ts loadBatch), and sends the arrays back as transferred
// buffers. Fetched here, a body is decoded as soon as it arrives: on the page,
// Chromium holds network answers back while input and frames come first, and a
// slider held down kept each body waiting there some 90 ms. Built beside
// index.js as decode-worker.js; api/worker-loader.ts talks to it.

import { loadBatch, type StepAnswer, type StepKey } from "./api/client";

/** A request to load: its id (to answer with), its absolute URL and the steps it asks for. */
export interface LoadRequest {
  id: number;
  url: string;
  keys: StepKey[];
}

/** When the request's body was fetched, in ms since the epoch: start and end of its fetch, as resource timing has them. */
export interface LoadTiming {
  start: number;
  end: number;
}

/** The answers of request `id`, or why the whole request failed; or, once, that the worker runs. */
export type LoadResponse =
  | { id: number; answers: StepAnswer[]; timing: LoadTiming | null }
  | { id: number; error: string; timing: LoadTiming | null }
  | { ready: true };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LoadRequest>) => void) | null;
  postMessage(message: LoadResponse, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

const timingOfEntry = (entry: PerformanceResourceTiming): LoadTiming => ({
  start: performance.timeOrigin + entry.startTime,
  end: performance.timeOrigin + entry.responseEnd,
});

/**
 * The fetches' timings by URL until their answers take them: an observer
 * sees every entry, where the timeline's buffer keeps the first 250 (it is
 * cleared when full, and requests in flight may finish in any order).
 */
const timings = new Map<string, LoadTiming>();
const KEPT_TIMINGS = 256;
if (typeof PerformanceObserver === "function")
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      timings.set(entry.name, timingOfEntry(entry as PerformanceResourceTiming));
      // An entry seen after its answer went is never taken: the oldest go.
      if (timings.size > KEPT_TIMINGS) timings.delete(timings.keys().next().value!);
    }
  }).observe({ type: "resource" });
performance.addEventListener("resourcetimingbufferfull", () => performance.clearResourceTimings());

/** The fetch of `url` as this worker's resource timing saw it, if it did. */
function timingOf(url: string): LoadTiming | null {
  const entries = performance.getEntriesByName(url, "resource");
  const entry = entries[entries.length - 1] as PerformanceResourceTiming | undefined;
  const timing = timings.get(url) ?? (entry ? timingOfEntry(entry) : null);
  timings.delete(url);
  return timing;
}

scope.onmessage = (event) => {
  const { id, url, keys } = event.data;
  loadBatch(url, keys).then(
    (answers) => {
      const buffers = answers.flatMap((answer) =>
        "data" in answer ? [...answer.data.arrays.values()].map((array) => array.values.buffer) : [],
      );
      scope.postMessage({ id, answers, timing: timingOf(url) }, buffers);
    },
    (e: unknown) =>
      scope.postMessage({ id, error: e instanceof Error ? e.message : String(e), timing: timingOf(url) }, []),
  );
};

scope.postMessage({ ready: true }, []);
