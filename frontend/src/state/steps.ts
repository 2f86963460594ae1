// Step lists: ordering, duplicate steps and nearest-step lookup; pure.

import type { StepInfo } from "../api/types";

/**
 * Steps sorted ascending with one entry per step. A run that resumed and
 * wrote a step again has the later write win, as the backend's /data does.
 */
export function uniqueSteps(steps: readonly StepInfo[]): StepInfo[] {
  const byStep = new Map<number, StepInfo>();
  for (const step of steps) byStep.set(step.step, step);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/**
 * Index of the last step at or before `step` in ascending `steps`; the first
 * step when all are after it; -1 when there are none.
 */
export function indexAtOrBefore(steps: readonly { step: number }[], step: number): number {
  if (steps.length === 0) return -1;
  let low = 0;
  let high = steps.length - 1;
  if (step < steps[0]!.step) return 0;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (steps[middle]!.step <= step) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Index of the step nearest to `step` (ties go to the earlier). */
export function indexNearest(steps: readonly { step: number }[], step: number): number {
  const before = indexAtOrBefore(steps, step);
  const after = Math.min(before + 1, steps.length - 1);
  if (before < 0) return -1;
  return Math.abs(steps[after]!.step - step) < Math.abs(steps[before]!.step - step) ? after : before;
}

/**
 * While step index `wanted` loads, the step a card shows in its place: the
 * loaded index nearest to `wanted` strictly between it and `shown` (the index
 * shown now), so that a card being scrubbed follows the slider as steps
 * arrive and never goes back past what it shows. Null when none is loaded,
 * or when nothing is shown (`shown` < 0).
 */
export function standInIndex(wanted: number, shown: number, isLoaded: (index: number) => boolean): number | null {
  if (shown < 0 || shown === wanted) return null;
  const direction = shown < wanted ? -1 : 1;
  for (let index = wanted + direction; index !== shown; index += direction) {
    if (isLoaded(index)) return index;
  }
  return null;
}

/** How a card's step index last changed: +1 or −1, and by how many steps. */
export interface StepMove {
  direction: 1 | -1;
  stride: number;
}

/** The move from index `from` to `to`; the last move when they are equal. */
export function stepMove(from: number, to: number, last: StepMove): StepMove {
  if (from === to || from < 0) return last;
  return { direction: to > from ? 1 : -1, stride: Math.abs(to - from) };
}

/**
 * The longest move that is still a step key's: a held key's repeats that
 * come while the page is busy are taken together, so a frame may move the
 * card two or three steps.
 */
export const KEY_STRIDE = 3;

/** Whether a move is stepping (a held arrow key, the ◀ ▶ buttons), not a jump (a drag, a click on the track). */
export function isStepping(move: StepMove): boolean {
  return move.stride >= 1 && move.stride <= KEY_STRIDE;
}

/** The fewest steps a stepping card has asked for ahead of the one selected. */
export const STEPS_AHEAD = 5;

/**
 * The same for a card comparing runs, whose every step is several runs' to
 * load: asked for earlier, so that they have loaded when the key comes.
 */
export const STEPS_AHEAD_COMPARING = 8;

/** Stepping, the steps ahead are asked for this many at a time. */
export const AHEAD_BLOCK = 4;

/**
 * The indices, relative to the selected one (`index`), a card loads ahead of
 * need: the step before and the one after; while playing, three ahead; while
 * stepping (isStepping), at least `ahead` in its direction (STEPS_AHEAD, or
 * STEPS_AHEAD_COMPARING on a card comparing runs), so that steps loading
 * slower than the key repeats (a compare card loads each of its runs' step,
 * and a machine busy with the frames decodes them late) are asked for some
 * 170 ms (270 ms comparing) before their key comes at 30 repeats a second.
 * They reach the end of a block of AHEAD_BLOCK indices, so that a held key
 * asks for new steps every fourth repeat, four at a time: a request costs
 * the browser, the worker and the server more than a step's data does.
 * After a jump only the neighbours: the next jump is as likely to go anywhere
 * (a card comparing runs that then rests there loads a few more: restOffsets).
 */
export function prefetchOffsets(playing: boolean, move: StepMove, index: number, ahead = STEPS_AHEAD): number[] {
  if (playing) return [-1, 1, 2, 3];
  if (!isStepping(move)) return [-1, 1];
  const d = move.direction;
  // The block's far end in the direction of the move, at least `ahead` away.
  const end =
    d > 0
      ? Math.ceil((index + ahead) / AHEAD_BLOCK) * AHEAD_BLOCK
      : Math.floor((index - ahead) / AHEAD_BLOCK) * AHEAD_BLOCK;
  const offsets = [-d];
  for (let k = 1; k <= Math.abs(end - index); k++) offsets.push(k * d);
  return offsets;
}

/** How far either side of its step a card comparing runs loads once it rests after a jump (restOffsets). */
export const STEPS_AROUND = 4;

/** How long a card stays at the step it jumped to before it loads the steps around it, in ms. */
export const REST_MS = 150;

/**
 * Whether a card that made `move` loads the steps around it once it rests
 * there (REST_MS): a card comparing runs, after a jump (a click on the
 * track, the end of a drag); not while stepping, playing, or at the opening
 * step. Its steps are every compared run's to load: a key held from there
 * would otherwise wait for the first ones.
 */
export function restsAfter(playing: boolean, comparing: boolean, move: StepMove): boolean {
  return comparing && !playing && move.stride > KEY_STRIDE;
}

/**
 * The indices, relative to the selected one, a card at rest after a jump
 * loads besides its neighbours (prefetchOffsets): two to STEPS_AROUND either
 * side, nearest first. A key held from there finds its first steps loaded
 * while the steps it asks for ahead are on their way; a drag passing over
 * steps asks for none.
 */
export function restOffsets(): number[] {
  const offsets: number[] = [];
  for (let k = 2; k <= STEPS_AROUND; k++) offsets.push(k, -k);
  return offsets;
}

/**
 * A held key's steps, one a frame: a step asked for after another in the
 * same frame interval (the page was busy, and two key repeats were handled
 * before its next frame) waits for the next frame, so that the frame between
 * them shows the first. Only the latest step waits: a page slower than the
 * key still keeps up with it, a frame behind at most. `nextFrame` runs its
 * work after the frame's drawing has been asked for (requestAnimationFrame,
 * called after the store's).
 */
export class FramePace {
  private moved = false;
  private last = 0;
  private waiting: (() => void) | null = null;
  /** Steps started, so that a frame after a cancel() ends only the latest one's wait. */
  private starts = 0;

  constructor(private readonly nextFrame: (work: () => void) => void) {}

  /** The index selected or waiting since the last frame; null when none is. */
  get pending(): number | null {
    return this.moved ? this.last : null;
  }

  /** Runs `select` (which selects `index`) now, or at the next frame when one ran since the last. */
  run(index: number, select: () => void): void {
    this.last = index;
    if (this.moved) {
      this.waiting = select;
      return;
    }
    this.start(select);
  }

  /** Drops the step waiting, if any: another input (a drag, Home, End) chose the step since. */
  cancel(): void {
    this.waiting = null;
    this.moved = false;
  }

  private start(select: () => void): void {
    this.moved = true;
    const started = ++this.starts;
    select();
    this.nextFrame(() => {
      if (started !== this.starts) return;
      this.moved = false;
      const waiting = this.waiting;
      this.waiting = null;
      if (waiting) this.start(waiting);
    });
  }
}

/**
 * When playing cards move on: each step stays on screen for at least
 * `interval` ms from the first tick that finds its data ready, so a step
 * that arrives just before a tick is still seen, and play never outruns
 * the loads.
 */
export class PlayClock {
  private readonly readySince = new Map<string, { index: number; time: number }>();

  constructor(private readonly interval: number) {}

  /** Whether card `key`, showing step `index` (its data `ready` or not), moves on at time `now`. */
  due(key: string, index: number, ready: boolean, now: number): boolean {
    const seen = this.readySince.get(key);
    if (!ready) {
      this.readySince.delete(key);
      return false;
    }
    if (!seen || seen.index !== index) {
      this.readySince.set(key, { index, time: now });
      return false;
    }
    return now - seen.time >= this.interval;
  }
}
