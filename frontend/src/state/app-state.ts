// The pane's state and the pure transitions on it. Views read it; only the
// controller (index.ts wiring) changes it, through a Store.

import type { Kind, SeriesInfo, StepInfo, StepsResponse, TagIndex } from "../api/types";
import type { ColormapName } from "../colormaps";
import type { DiffMode, RangeMode } from "../render/scale";
import type { FrameWindow } from "../render/zoom";
import { indexAtOrBefore, uniqueSteps } from "./steps";

export interface Settings {
  colormap: ColormapName;
  diffMode: DiffMode;
  rangeMode: RangeMode;
  /** Every card moves to the same step (the nearest logged at or before it). */
  linkSteps: boolean;
  /** A regular expression over tags, as in TensorBoard's tag filter. */
  tagFilter: string;
}

/** A cell under the pointer: frame (column) and mel bin (row). */
export interface Cursor {
  frame: number;
  bin: number;
}

/** A card's own view choices (a stack's frame, a colour range, an ordering), by name. */
export type ViewOptions = Record<string, string | number | boolean | null>;

export interface CardState {
  key: string;
  run: string;
  tag: string;
  info: SeriesInfo;
  /** Ascending, one per step; empty until /steps answers. */
  steps: StepInfo[];
  stepsError: string | null;
  stepIndex: number;
  sample: number;
  /** Null shows every frame. */
  window: FrameWindow | null;
  cursor: Cursor | null;
  playing: boolean;
  view: ViewOptions;
}

export interface AppState {
  settings: Settings;
  /** Null until /tags first answers. */
  tags: TagIndex | null;
  loadError: string | null;
  cards: Map<string, CardState>;
}

export const KIND_ORDER: readonly Kind[] = ["mel_comparison", "noise_pair", "similarity_matrix", "lowest_point"];

export const KIND_TITLES: Record<Kind, string> = {
  mel_comparison: "Mel comparisons",
  noise_pair: "Noise pairs",
  similarity_matrix: "Similarity matrices",
  lowest_point: "Lowest points",
};

export function cardKey(run: string, tag: string): string {
  return JSON.stringify([run, tag]);
}

export function initialState(settings?: Partial<Settings>): AppState {
  return {
    settings: {
      colormap: "viridis",
      diffMode: "abs",
      rangeMode: "step",
      linkSteps: false,
      tagFilter: "",
      ...settings,
    },
    tags: null,
    loadError: null,
    cards: new Map(),
  };
}

/** Takes a new /tags answer: adds cards for new series, updates the others, keeps every selection. */
export function applyTags(state: AppState, tags: TagIndex): void {
  state.tags = tags;
  state.loadError = null;
  const seen = new Set<string>();
  for (const [run, runTags] of Object.entries(tags)) {
    for (const [tag, info] of Object.entries(runTags)) {
      const key = cardKey(run, tag);
      seen.add(key);
      const card = state.cards.get(key);
      if (card) {
        card.info = info;
      } else {
        state.cards.set(key, {
          key, run, tag, info,
          steps: [], stepsError: null, stepIndex: 0, sample: 0,
          window: null, cursor: null, playing: false, view: {},
        });
      }
    }
  }
  for (const key of [...state.cards.keys()]) {
    if (!seen.has(key)) state.cards.delete(key);
  }
}

/**
 * Takes a /steps answer. The selected step stays selected by its step number;
 * a card that has not chosen a step yet opens at the last one.
 */
export function applySteps(card: CardState, response: StepsResponse): void {
  const hadSteps = card.steps.length > 0;
  const selected = hadSteps ? card.steps[card.stepIndex]?.step : undefined;
  card.steps = uniqueSteps(response.steps);
  card.stepsError = null;
  if (selected === undefined) {
    card.stepIndex = Math.max(card.steps.length - 1, 0);
  } else {
    card.stepIndex = Math.max(indexAtOrBefore(card.steps, selected), 0);
  }
  const samples = card.steps[card.stepIndex]?.samples?.length ?? 1;
  if (card.sample >= samples) card.sample = 0;
}

/** Moves a card to step index `index`; with linked steps, every other card to the nearest step at or before. */
export function selectStep(state: AppState, key: string, index: number): void {
  const card = state.cards.get(key);
  if (!card || card.steps.length === 0) return;
  card.stepIndex = Math.min(Math.max(index, 0), card.steps.length - 1);
  if (!state.settings.linkSteps) return;
  moveAllToStep(state, card.steps[card.stepIndex]!.step, key);
}

/** Every card (but `exceptKey`) to the nearest logged step at or before `step`. */
export function moveAllToStep(state: AppState, step: number, exceptKey?: string): void {
  for (const other of state.cards.values()) {
    if (other.key === exceptKey || other.steps.length === 0) continue;
    other.stepIndex = indexAtOrBefore(other.steps, step);
  }
}

export interface TagFilter {
  matches: (tag: string) => boolean;
  error: string | null;
}

/** TensorBoard's tag filter: a case-insensitive regular expression; an invalid one matches nothing and says why. */
export function compileTagFilter(text: string): TagFilter {
  if (text === "") return { matches: () => true, error: null };
  try {
    const pattern = new RegExp(text, "i");
    return { matches: (tag) => pattern.test(tag), error: null };
  } catch (e) {
    return { matches: () => false, error: `invalid regular expression: ${(e as Error).message}` };
  }
}

/** The cards to show, grouped by kind in KIND_ORDER, each group sorted by tag, then run. */
export function visibleCards(state: AppState): Map<Kind, CardState[]> {
  const filter = compileTagFilter(state.settings.tagFilter);
  const groups = new Map<Kind, CardState[]>();
  for (const kind of KIND_ORDER) groups.set(kind, []);
  for (const card of state.cards.values()) {
    if (filter.matches(card.tag)) groups.get(card.info.kind)?.push(card);
  }
  for (const cards of groups.values()) {
    cards.sort((a, b) => (a.tag === b.tag ? a.run.localeCompare(b.run) : a.tag.localeCompare(b.tag)));
  }
  return groups;
}
