// User Timing marks of the pane, for benchmarks/pane.py and the browser's
// performance panel. Each is one entry in the performance timeline:
//
//   "spectro:step-input"    a step control (slider, ◀ ▶ buttons) or an arrow key
//                           asked a card for another step. startTime is the
//                           input event's timestamp; detail {card, index}.
//   "spectro:step-painted"  a card with arrays drew a step on its canvases,
//                           inside the animation frame that shows them; detail
//                           {card, step, runs}, runs the number of other runs
//                           drawn with it (compared runs whose step has loaded).
//                           Redraws of the same step (zoom, resize) mark too.
//   "spectro:step-load"     a measure: the worker's fetch of a /data_batch
//                           request (api/worker-loader.ts), from its start to
//                           its body read; detail {url}. The page's own
//                           fetches are its resource timing entries.
//
// `card` is the card's key, JSON [run, tag]. The timeline keeps at most
// MAX_KEPT marks of each name: the next one clears them, so that a session
// that plays through steps for hours does not grow. A PerformanceObserver
// still receives every mark.

export const STEP_INPUT = "spectro:step-input";
export const STEP_PAINTED = "spectro:step-painted";
export const STEP_LOAD = "spectro:step-load";

export const MAX_KEPT = 1000;

const kept = new Map<string, number>();

/** Counts an entry of `name`; at MAX_KEPT, clears the timeline's entries of it with `clear` first. */
function keep(name: string, clear: (name: string) => void): void {
  const count = kept.get(name) ?? 0;
  if (count >= MAX_KEPT) clear(name);
  kept.set(name, count >= MAX_KEPT ? 1 : count + 1);
}

function mark(name: string, detail: Record<string, string | number>, startTime?: number): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  keep(name, (n) => performance.clearMarks(n));
  performance.mark(name, startTime === undefined ? { detail } : { detail, startTime });
}

/** A step control or key asked card `card` for step index `index`. */
export function markStepInput(card: string, index: number, event: Event): void {
  mark(STEP_INPUT, { card, index }, event.timeStamp);
}

/** Card `card` drew step `step` on its canvases, with `runs` compared runs. */
export function markStepPainted(card: string, step: number, runs = 0): void {
  mark(STEP_PAINTED, { card, step, runs });
}

/** The worker fetched `url` from `start` to `end` (ms on the page's timeline). */
export function markStepLoad(url: string, start: number, end: number): void {
  if (typeof performance === "undefined" || typeof performance.measure !== "function") return;
  keep(STEP_LOAD, (n) => performance.clearMeasures(n));
  performance.measure(STEP_LOAD, { start, end, detail: { url } });
}
