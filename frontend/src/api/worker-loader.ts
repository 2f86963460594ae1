// Loads /data_batch requests in a worker (decode-worker.ts), which fetches
// each body and decodes it as it arrives, so that inflating and scaling a
// dozen steps' arrays leaves the page's thread to drawing, and a body does not
// wait on the page's thread to be handed over. Until the worker says it runs
// (its script loads while the first steps do), and where none starts (no
// Worker, or its script does not load), it loads on the page's thread, as
// loadBatch does; so it does a request of one step.

import type { LoadRequest, LoadResponse, LoadTiming } from "../decode-worker";
import { keepFiniteRange } from "../render/scale";
import { markStepLoad } from "../timing";
import { loadBatch, type BatchLoader, type StepAnswer, type StepKey } from "./client";

interface Pending {
  url: string;
  keys: StepKey[];
  resolve: (answers: StepAnswer[]) => void;
  reject: (error: Error) => void;
}

/** Requests of fewer steps are loaded here: for one step, the way to the worker and back costs more than it saves. */
export const WORKER_MIN_STEPS = 2;

/** The worker's script, beside the pane's module. */
export const WORKER_URL = "./decode-worker.js";

/** A request's URL as the worker fetches it: the worker's own base is its script's, not the page's. */
function absoluteUrl(url: string): string {
  return new URL(url, document.baseURI).href;
}

export class WorkerLoader {
  private worker: Worker | null = null;
  /** The worker said it runs. */
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /**
   * `start` starts the worker; `loadHere` loads on the page's thread;
   * `resolve` makes a request's URL absolute.
   */
  constructor(
    start: () => Worker | null = startWorker,
    private readonly loadHere: BatchLoader = loadBatch,
    private readonly resolve: (url: string) => string = absoluteUrl,
  ) {
    try {
      this.worker = start();
    } catch {
      this.worker = null;
    }
    this.worker?.addEventListener("message", (event: MessageEvent<LoadResponse>) => this.answer(event.data));
    // A worker whose script cannot load or run: what it was given is loaded here, and so is the rest.
    this.worker?.addEventListener("error", (event) => {
      event.preventDefault();
      this.fallBack();
    });
  }

  /** Whether requests go to a worker (else they are loaded on the page's thread). */
  get inWorker(): boolean {
    return this.worker !== null;
  }

  readonly load: BatchLoader = (url, keys) => {
    const worker = this.worker;
    if (worker === null || !this.ready || keys.length < WORKER_MIN_STEPS) return this.loadHere(url, keys);
    return new Promise<StepAnswer[]>((resolve, reject) => {
      const id = this.nextId++;
      const absolute = this.resolve(url);
      this.pending.set(id, { url: absolute, keys: [...keys], resolve, reject });
      const request: LoadRequest = { id, url: absolute, keys: [...keys] };
      worker.postMessage(request);
    });
  };

  private answer(response: LoadResponse): void {
    if ("ready" in response) {
      this.ready = true;
      return;
    }
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    markLoad(pending.url, response.timing);
    if ("answers" in response) {
      // The worker's kept ranges stay there: the ranges it found come with the arrays, and are kept here.
      for (const answer of response.answers)
        if ("data" in answer)
          for (const array of answer.data.arrays.values())
            if (array.finite !== undefined) keepFiniteRange(array.values, array.finite);
      pending.resolve(response.answers);
    } else pending.reject(new Error(response.error));
  }

  private fallBack(): void {
    this.worker?.terminate();
    this.worker = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) this.loadHere(p.url, p.keys).then(p.resolve, p.reject);
  }
}

/** The worker's fetch on the page's timeline, where the page's own fetches are (see timing.ts). */
function markLoad(url: string, timing: LoadTiming): void {
  if (typeof performance === "undefined") return;
  markStepLoad(url, timing.start - performance.timeOrigin, timing.end - performance.timeOrigin);
}

function startWorker(): Worker | null {
  if (typeof Worker === "undefined") return null;
  return new Worker(new URL(WORKER_URL, import.meta.url), { type: "module" });
}
