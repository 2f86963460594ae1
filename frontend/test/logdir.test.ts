import assert from "node:assert/strict";
import { test } from "node:test";

import type { LogdirInfo, SeriesInfo, TagIndex } from "../src/api/types";
import { Controller, type Server } from "../src/state/controller";

const UNREADABLE: LogdirInfo = {
  logdir: "gs://bucket/runs",
  reader: "python",
  note: "TensorBoard's Python reader cannot read gs:// logdirs here.",
};

const MEL: SeriesInfo = {
  kind: "mel_comparison",
  steps: 1,
  first_step: 0,
  last_step: 0,
  max_samples: 1,
  display_name: "",
  description: "",
  series: {},
};

/** A server listing `tags`, counting the times /logdir is asked. */
function server(tags: TagIndex, logdir: () => Promise<LogdirInfo> = async () => UNREADABLE) {
  const asked = { logdir: 0 };
  const fake: Server = {
    tags: async () => tags,
    steps: async (run, tag) => ({ run, tag, kind: "mel_comparison", steps: [{ step: 0, wall_time: 0 }] }),
    stepData: () => new Promise(() => {}),
    scalars: async () => ({ runs: {}, markers: {} }),
    lowest: () => Promise.reject(new Error("not asked in these tests")),
    logdir: () => {
      asked.logdir += 1;
      return logdir();
    },
  };
  return { fake, asked };
}

function controller(fake: Server) {
  return new Controller(fake, { load: () => ({}), save: () => {} }, () => {});
}

/** Lets the answers that reload() does not wait for settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

test("with nothing listed, the pane asks where TensorBoard reads and keeps the answer", async () => {
  const { fake, asked } = server({});
  const pane = controller(fake);
  await pane.reload();
  await settled();
  assert.equal(asked.logdir, 1);
  assert.deepEqual(pane.store.state.logdir, UNREADABLE);
});

test("with series listed, the pane does not ask", async () => {
  const { fake, asked } = server({ run: { mel: MEL } });
  const pane = controller(fake);
  await pane.reload();
  await settled();
  assert.equal(asked.logdir, 0);
  assert.equal(pane.store.state.logdir, null);
});

test("a failed /logdir leaves the plain empty state", async () => {
  const { fake } = server({}, () => Promise.reject(new Error("GET logdir answered 404")));
  const pane = controller(fake);
  await pane.reload();
  await settled();
  assert.equal(pane.store.state.logdir, null);
});
