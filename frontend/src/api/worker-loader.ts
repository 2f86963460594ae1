// Decodes /data_batch bodies in a worker (decode-worker.ts), so that
// inflating and scaling a dozen steps' arrays leaves the page's thread to
// drawing. Until the worker says it runs (its script loads while the first
// steps do), and where none starts (no Worker, or its script does not load),
// it decodes on the page's thread, as decodeBatch does; so it does a body of one step.

import type { DecodeRequest, DecodeResponse } from "../decode-worker";
import { keepFiniteRange } from "../render/scale";
import { decodeBatch, type BatchDecoder, type StepAnswer, type StepKey } from "./client";

interface Pending {
  body: ArrayBuffer;
  keys: StepKey[];
  resolve: (answers: StepAnswer[]) => void;
  reject: (error: Error) => void;
}

/** Bodies of fewer steps are decoded here: for one step, the way to the worker and back costs more than it saves. */
export const WORKER_MIN_STEPS = 2;

/** The worker's script, beside the pane's module. */
export const WORKER_URL = "./decode-worker.js";

export class WorkerDecoder {
  private worker: Worker | null = null;
  /** The worker said it runs. */
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(start: () => Worker | null = startWorker) {
    try {
      this.worker = start();
    } catch {
      this.worker = null;
    }
    this.worker?.addEventListener("message", (event: MessageEvent<DecodeResponse>) => this.answer(event.data));
    // A worker whose script cannot load or run: what it was given is decoded here, and so is the rest.
    this.worker?.addEventListener("error", (event) => {
      event.preventDefault();
      this.fallBack();
    });
  }

  /** Whether bodies go to a worker (else they are decoded on the page's thread). */
  get inWorker(): boolean {
    return this.worker !== null;
  }

  readonly decode: BatchDecoder = (body, keys) => {
    const worker = this.worker;
    if (worker === null || !this.ready || keys.length < WORKER_MIN_STEPS) return decodeBatch(body, keys);
    return new Promise<StepAnswer[]>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { body, keys: [...keys], resolve, reject });
      // The body is copied, not transferred: it is kept to decode here should the worker fail.
      const request: DecodeRequest = { id, body, keys: [...keys] };
      worker.postMessage(request);
    });
  };

  private answer(response: DecodeResponse): void {
    if ("ready" in response) {
      this.ready = true;
      return;
    }
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
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
    for (const p of pending) decodeBatch(p.body, p.keys).then(p.resolve, p.reject);
  }
}

function startWorker(): Worker | null {
  if (typeof Worker === "undefined") return null;
  return new Worker(new URL(WORKER_URL, import.meta.url), { type: "module" });
}
