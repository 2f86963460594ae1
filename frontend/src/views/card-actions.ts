// What a card may ask of the pane's controller.

import type { StepKey } from "../api/client";
import type { Cursor, ViewOptions } from "../state/app-state";
import type { StepEntry } from "../state/step-cache";
import type { FrameWindow } from "../render/zoom";

export interface CardActions {
  selectStep(key: string, index: number): void;
  /** Goes to the logged step nearest to `step`. */
  pickStep(key: string, step: number): void;
  setSample(key: string, sample: number): void;
  setWindow(key: string, window: FrameWindow | null): void;
  setCursor(key: string, cursor: Cursor | null): void;
  togglePlay(key: string): void;
  /** Changes some of a card's own view choices; the others stay. */
  setView(key: string, change: ViewOptions): void;
  /** The cache entry of a step, loading it if needed; settling marks the store dirty. */
  requestStep(key: StepKey): StepEntry;
  /** The cache entry of a step if any, without loading it. */
  peekStep(key: StepKey): StepEntry | undefined;
}
