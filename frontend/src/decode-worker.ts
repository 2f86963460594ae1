// The pane's step decoder, off the page's thread: it takes a /data_batch
// body, inflates and unfilters each step's arrays and scales them to float32
// (api/client.ts decodeBatch), and sends the arrays back as transferred
// buffers. Built beside index.js as decode-worker.js; api/worker-decoder.ts
// talks to it.

import { decodeBatch, type StepAnswer, type StepKey } from "./api/client";

/** A body to decode: its id (to answer with), the bytes and the steps they answer. */
export interface DecodeRequest {
  id: number;
  body: ArrayBuffer;
  keys: StepKey[];
}

/** The decoded answers of request `id`, or why the whole body could not be read; or, once, that the worker runs. */
export type DecodeResponse = { id: number; answers: StepAnswer[] } | { id: number; error: string } | { ready: true };

interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeResponse, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, body, keys } = event.data;
  decodeBatch(body, keys).then(
    (answers) => {
      const buffers = answers.flatMap((answer) =>
        "data" in answer ? [...answer.data.arrays.values()].map((array) => array.values.buffer) : [],
      );
      scope.postMessage({ id, answers }, buffers);
    },
    (e: unknown) => scope.postMessage({ id, error: e instanceof Error ? e.message : String(e) }, []),
  );
};

scope.postMessage({ ready: true }, []);
