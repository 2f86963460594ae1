import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BATCH_STEPS,
  dataBatchUrl,
  decodeBatch,
  groupedBySteps,
  httpErrorMessage,
  StepLoader,
  type StepKey,
} from "../src/api/client";
import { WorkerLoader } from "../src/api/worker-loader";
import { parseBatchBody } from "../src/api/decode";

test("a failed request says what the server said, else the request and its status", () => {
  const detail =
    "Not found: Step 0 of Spectro tag 'n' in run 'a\tb': RustBoard (--load_fast=true) cannot read this data: ...";
  assert.equal(httpErrorMessage("data?run=a%09b&tag=n&step=0&sample=0", 404, `${detail}\n`), detail);
  assert.equal(httpErrorMessage("tags", 502, "  "), "GET tags answered 502");
});

/** A /data body of one 1×2 uint8 array `mel` stored as is, as plugin.py lays it out. */
function dataBody(step: number, codes: [number, number]): Uint8Array {
  const array = {
    name: "mel",
    shape: [1, 2],
    precision: "uint8",
    offset: 0,
    scale: 1,
    nonfinite: { nan: 0, pos_inf: 0, neg_inf: 0 },
    range: { min: 0, max: 255, mean: 0, count: 2 },
    compression: "none",
    byte_offset: 0,
    byte_length: 2,
  };
  let text = JSON.stringify({
    run: "r",
    tag: "t",
    kind: "spectrogram",
    step,
    sample: 0,
    wall_time: 1,
    arrays: [array],
  });
  while ((8 + text.length) % 8 !== 0) text += " ";
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + 8);
  out.set(new TextEncoder().encode("SPD1"), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(codes, 8 + json.length);
  return out;
}

/** A /data_batch body of these answers, as wire.batch_body lays it out. */
function batchBody(answers: [number, Uint8Array][]): ArrayBuffer {
  const padded = (n: number) => n + ((8 - (n % 8)) % 8);
  const out = new Uint8Array(8 + answers.reduce((sum, [, body]) => sum + 8 + padded(body.length), 0));
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("SPB1"), 0);
  view.setUint32(4, answers.length, true);
  let offset = 8;
  for (const [status, body] of answers) {
    view.setUint32(offset, status, true);
    view.setUint32(offset + 4, body.length, true);
    out.set(body, offset + 8);
    offset += 8 + padded(body.length);
  }
  return out.buffer;
}

const keyOf = (step: number): StepKey => ({ run: "r", tag: "t", step, sample: 0 });

/** A StepLoader whose requests are answered by `answer` and whose deferred flushes run when the test says. */
function loaderWith(answer: (keys: [string, string, number, number][]) => ArrayBuffer | Error) {
  const urls: string[] = [];
  const deferred: (() => void)[] = [];
  const loader = new StepLoader(
    async (url, stepKeys) => {
      urls.push(url);
      const keys = JSON.parse(new URLSearchParams(url.split("?")[1]).get("keys")!) as [
        string,
        string,
        number,
        number,
      ][];
      const body = answer(keys);
      if (body instanceof Error) throw body;
      return decodeBatch(body, stepKeys);
    },
    (work) => deferred.push(work),
  );
  const flush = () => deferred.splice(0).forEach((work) => work());
  return { loader, urls, flush };
}

const answerEach = (keys: [string, string, number, number][]) =>
  batchBody(keys.map(([, , step]) => [200, dataBody(step, [step % 256, 7])]));

test("the steps asked for in one task load in one /data_batch request, in order, each with its own data", async () => {
  const { loader, urls, flush } = loaderWith(answerEach);
  const loads = [5, 3, 9].map((step) => loader.load(keyOf(step)));
  assert.equal(urls.length, 0);
  flush();
  const data = await Promise.all(loads);
  assert.deepEqual(urls, [dataBatchUrl([keyOf(5), keyOf(3), keyOf(9)])]);
  assert.ok(urls[0]!.startsWith("data_batch?keys="));
  assert.deepEqual(
    data.map((d) => [d.description.step, ...d.arrays.get("mel")!.values]),
    [
      [5, 5, 7],
      [3, 3, 7],
      [9, 9, 7],
    ],
  );
});

test("more steps than a batch holds go in several requests; later tasks in their own", async () => {
  const { loader, urls, flush } = loaderWith(answerEach);
  const first = Array.from({ length: BATCH_STEPS + 3 }, (_, i) => loader.load(keyOf(i)));
  flush();
  const second = loader.load(keyOf(100));
  flush();
  await Promise.all([...first, second]);
  const sizes = urls.map(
    (url) => (JSON.parse(new URLSearchParams(url.split("?")[1]).get("keys")!) as unknown[]).length,
  );
  assert.deepEqual(sizes, [BATCH_STEPS, 3, 1]);
});

test("a compare card's steps ahead, asked run by run, load grouped by step: the first request holds whole steps", async () => {
  const { loader, urls, flush } = loaderWith(answerEach);
  const runs = ["a", "b", "c", "d"];
  const ahead = [82, 83, 84, 85, 86, 87, 88];
  const loads = runs.flatMap((run) => ahead.map((step) => loader.load({ run, tag: "t", step, sample: 0 })));
  flush();
  const data = await Promise.all(loads);
  const requests = urls.map(
    (url) => JSON.parse(new URLSearchParams(url.split("?")[1]).get("keys")!) as [string, string, number, number][],
  );
  assert.deepEqual(
    requests.map((keys) => keys.length),
    [BATCH_STEPS, runs.length * ahead.length - BATCH_STEPS],
  );
  // Each request holds every run at its steps; the nearest steps come first.
  assert.deepEqual(
    requests[0]!.map(([run, , step]) => `${run}${step}`),
    [82, 83, 84, 85].flatMap((step) => runs.map((run) => `${run}${step}`)),
  );
  // Each load still gets its own step's data.
  assert.deepEqual(
    data.map((d) => d.description.step),
    runs.flatMap(() => ahead),
  );
});

test("grouped by step: steps in the order first asked for, keys in the order asked within a step", () => {
  const key = (run: string, step: number): StepKey => ({ run, tag: "t", step, sample: 0 });
  const asked = [key("a", 5), key("a", 3), key("b", 3), key("b", 5), key("a", 9), key("c", 5)];
  assert.deepEqual(
    groupedBySteps(asked, (k) => k).map((k) => `${k.run}${k.step}`),
    ["a5", "b5", "c5", "a3", "b3", "a9"],
  );
  assert.deepEqual(
    groupedBySteps([], (k: StepKey) => k),
    [],
  );
});

test("a step the server refuses fails with its text; the others of the batch load", async () => {
  const { loader, flush } = loaderWith((keys) =>
    batchBody(
      keys.map(([, , step]) =>
        step === 2
          ? [404, new TextEncoder().encode("Not found: No step 2 of 't' in run 'r'")]
          : [200, dataBody(step, [1, 2])],
      ),
    ),
  );
  const loads = [1, 2, 3].map((step) => loader.load(keyOf(step)));
  flush();
  const settled = await Promise.allSettled(loads);
  assert.deepEqual(
    settled.map((s) => s.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.equal((settled[1] as PromiseRejectedResult).reason.message, "Not found: No step 2 of 't' in run 'r'");
});

test("a failed request, or an answer of the wrong length, fails every step it asked for", async () => {
  for (const answer of [
    () => new Error("GET data_batch answered 502"),
    () => batchBody([[200, dataBody(1, [1, 2])]]),
    () => new TextEncoder().encode("<html>proxy</html>").buffer,
  ]) {
    const { loader, flush } = loaderWith(answer);
    const loads = [1, 2].map((step) => loader.load(keyOf(step)));
    flush();
    const settled = await Promise.allSettled(loads);
    assert.deepEqual(
      settled.map((s) => s.status),
      ["rejected", "rejected"],
    );
  }
});

test("parseBatchBody refuses a body without its magic or cut short", () => {
  assert.throws(() => parseBatchBody(new TextEncoder().encode("SPD1....").buffer), /starting with SPB1/);
  const whole = new Uint8Array(batchBody([[200, dataBody(1, [1, 2])]]));
  assert.throws(() => parseBatchBody(whole.slice(0, whole.length - 16).buffer), /runs past the body/);
  assert.equal(parseBatchBody(whole.buffer).length, 1);
});

/** A stand-in for a Worker: records what it is sent; the test answers or fails it. */
class FakeWorker extends EventTarget {
  readonly sent: { id: number; url: string; keys: StepKey[] }[] = [];
  terminated = false;
  postMessage(message: { id: number; url: string; keys: StepKey[] }): void {
    this.sent.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event("message"), { data }));
  }
  fail(): void {
    this.dispatchEvent(new Event("error", { cancelable: true }));
  }
}

/** Bodies by URL, loaded "here" (on the page's thread) by the loader under test, which records the URLs. */
function pageLoader(bodies: Record<string, ArrayBuffer>) {
  const loadedHere: string[] = [];
  const load = async (url: string, keys: readonly StepKey[]) => {
    loadedHere.push(url);
    return decodeBatch(bodies[url]!, keys);
  };
  return { load, loadedHere };
}

test("a worker loads the batches; its answers resolve the steps they answer", async () => {
  const fake = new FakeWorker();
  const one = batchBody([[200, dataBody(3, [3, 7])]]);
  const two = batchBody([
    [200, dataBody(4, [4, 7])],
    [200, dataBody(5, [5, 7])],
  ]);
  const here = pageLoader({ "data_batch?one": one, "data_batch?two": two });
  const loader = new WorkerLoader(
    () => fake as unknown as Worker,
    here.load,
    (url) => `http://tb/plugin/${url}`,
  );
  assert.ok(loader.inWorker);
  // Until the worker says it runs, requests are loaded here.
  const early = await loader.load("data_batch?one", [keyOf(3)]);
  assert.ok(early[0] && "data" in early[0] && early[0].data.description.step === 3);
  assert.equal(fake.sent.length, 0);
  fake.reply({ ready: true });
  // A request of one step is loaded here too.
  await loader.load("data_batch?one", [keyOf(3)]);
  assert.equal(fake.sent.length, 0);
  assert.deepEqual(here.loadedHere, ["data_batch?one", "data_batch?one"]);
  const keys = [keyOf(4), keyOf(5)];
  const answered = loader.load("data_batch?two", keys);
  assert.equal(fake.sent.length, 1);
  // The worker is sent the URL made absolute: its own base would be its script's.
  assert.equal(fake.sent[0]!.url, "http://tb/plugin/data_batch?two");
  assert.deepEqual(fake.sent[0]!.keys, keys);
  // The worker's answer is what loading the same request here gives.
  fake.reply({
    id: fake.sent[0]!.id,
    answers: await decodeBatch(two, keys),
    timing: { start: performance.timeOrigin + 1, end: performance.timeOrigin + 2 },
  });
  const [answer] = await answered;
  assert.ok(answer && "data" in answer);
  assert.deepEqual([...answer.data.arrays.get("mel")!.values], [4, 7]);
  // The worker's fetch is on the page's timeline, as its own would be.
  const loads = performance.getEntriesByName("spectro:step-load") as PerformanceMeasure[];
  assert.deepEqual(
    loads.map((m) => [(m.detail as { url: string }).url, m.startTime, m.duration]),
    [["http://tb/plugin/data_batch?two", 1, 1]],
  );
  assert.equal(here.loadedHere.length, 2);
  // A request the worker could not load fails with its reason.
  const failing = loader.load("data_batch?two", keys);
  fake.reply({
    id: fake.sent[1]!.id,
    error: "GET data_batch answered 500",
    timing: { start: performance.timeOrigin + 1, end: performance.timeOrigin + 2 },
  });
  const reason = await failing.then(
    () => "",
    (e: Error) => e.message,
  );
  assert.equal(reason, "GET data_batch answered 500");
});

test("when the worker fails, what it was given and what follows is loaded here", async () => {
  const fake = new FakeWorker();
  const here = pageLoader({
    "data_batch?both": batchBody([
      [200, dataBody(1, [1, 2])],
      [200, dataBody(6, [6, 2])],
    ]),
    "data_batch?missing": batchBody([[404, new TextEncoder().encode("Not found: no step 2")]]),
  });
  const loader = new WorkerLoader(
    () => fake as unknown as Worker,
    here.load,
    (url) => url,
  );
  fake.reply({ ready: true });
  const waiting = loader.load("data_batch?both", [keyOf(1), keyOf(6)]);
  fake.fail();
  assert.ok(fake.terminated && !loader.inWorker);
  const later = loader.load("data_batch?missing", [keyOf(2)]);
  const [first] = await waiting;
  assert.ok(first && "data" in first && first.data.description.step === 1);
  assert.deepEqual(await later, [{ error: "Not found: no step 2" }]);
  assert.equal(fake.sent.length, 1);
  assert.deepEqual(here.loadedHere, ["data_batch?both", "data_batch?missing"]);
  assert.ok(!new WorkerLoader(() => null).inWorker);
});
