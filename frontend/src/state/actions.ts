// What the views may ask of the controller (state/controller.ts): user intent,
// and the cached answers of the server that a view shows.

import type { LowestQuery, StepAudio, StepKey } from "../api/client";
import type { LowestResponse, StepInfo } from "../api/types";
import type { FrameWindow } from "../render/zoom";
import type { CardState, Cursor, Settings, ViewOptions } from "./app-state";
import type { Entry, StepEntry } from "./step-cache";

/** What a card of a series may ask. */
export interface CardActions {
  selectStep(key: string, index: number): void;
  /** Goes to the logged step nearest to `step`. */
  pickStep(key: string, step: number): void;
  setSample(key: string, sample: number): void;
  setWindow(key: string, window: FrameWindow | null): void;
  setCursor(key: string, cursor: Cursor | null): void;
  togglePlay(key: string): void;
  /** Pins a step: the difference panel then shows prediction(now) − prediction(pinned); null unpins. */
  setPinned(key: string, step: number | null): void;
  /** The other runs compared on a card (up to three besides its own). */
  setCompare(key: string, runs: string[]): void;
  /** The cards of the other runs with a card's tag and kind, by run. */
  comparable(key: string): CardState[];
  /** A run's colour, as TensorBoard's palette deals them. */
  runColor(run: string): string;
  /** Changes some of a card's own view choices; the others stay. */
  setView(key: string, change: ViewOptions): void;
  /** The cache entry of a step, loading it if needed; settling marks the store dirty. */
  requestStep(key: StepKey): StepEntry;
  /** The cache entry of a step if any, without loading it. */
  peekStep(key: StepKey): StepEntry | undefined;
  /** The waveforms of a mel comparison's sample (/data's audio part), loading them if needed; settling marks the store dirty. */
  requestAudio(key: StepKey): Entry<StepAudio>;
}

/** A series of a run whose steps carry audio (a mel comparison's), as a lowest-point view offers to hear it. */
export interface AudioSeries {
  run: string;
  tag: string;
  steps: readonly StepInfo[];
}

/** What a lowest-point view may ask. */
export interface LowestCardActions {
  /** Shows another run or scalar tag in a lowest-point view, or other runs' curves beside it (up to three). */
  setLowest(key: string, change: { run?: string; tag?: string; compare?: string[] }): void;
  /** A run's colour, as TensorBoard's palette deals them. */
  runColor(run: string): string;
  /** The answer for `query`, loading it if needed; settling marks the store dirty. */
  requestLowest(query: LowestQuery): Entry<LowestResponse>;
  /** Moves every card with steps to the logged step nearest at or before `step`. */
  goToStep(step: number): void;
  setSettings(change: Partial<Settings>): void;
  /** The series of `run` with audio at some step, by tag. */
  audioSeries(run: string): AudioSeries[];
  requestAudio(key: StepKey): Entry<StepAudio>;
}

export interface AppActions extends CardActions, LowestCardActions {
  setSettings(change: Partial<Settings>): void;
}
