// The pane's state and the pure transitions on it. Views read it; only the
// controller (controller.ts) changes it, through a Store.

import type { StepKey } from "../api/client";
import type { LogdirInfo, ScalarIndex, SeriesInfo, StepInfo, StepsResponse, TagIndex } from "../api/types";
import type { ColormapName } from "../colormaps";
import type { DiffMode, RangeMode } from "../render/scale";
import type { FrameWindow } from "../render/zoom";
import { MAX_COMPARED_RUNS, type CardUrlState, type LowestUrlState, type UrlState } from "../compare/url-state";
import { KINDS, kindFacts } from "./kinds";
import { indexAtOrBefore, uniqueSteps } from "./steps";

export interface Settings {
  colormap: ColormapName;
  diffMode: DiffMode;
  rangeMode: RangeMode;
  /** Every card moves to the same step (the nearest logged at or before it). */
  linkSteps: boolean;
  /** A regular expression over tags, as in TensorBoard's tag filter. */
  tagFilter: string;
  /** TensorBoard's smoothing weight for scalar curves, in [0, 1). */
  smoothing: number;
  /** Scale scalar charts to the 5th–95th percentiles, as TensorBoard's "Ignore outliers". */
  ignoreOutliers: boolean;
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
  /** The step whose prediction the difference subtracts (compare steps); null for the card's own difference. */
  pinned: number | null;
  /** Other runs with this tag compared on this card, in order. */
  compare: string[];
  /** The step to open at when /steps answers (a link's); null opens at the last. */
  wantedStep: number | null;
}

/** A lowest-point view: any scalar series of a run, its lows and checkpoints. */
export interface LowestCardState {
  key: string;
  run: string;
  tag: string;
  /** Other runs whose curves of the same tag are overlaid, in order. */
  compare: string[];
  /** The series the view opened on; a link keeps the view when it shows another or compares runs. */
  opened: { run: string; tag: string };
}

export interface AppState {
  settings: Settings;
  /** Null until /tags first answers. */
  tags: TagIndex | null;
  loadError: string | null;
  cards: Map<string, CardState>;
  /** Null until /scalars first answers. */
  scalars: ScalarIndex | null;
  lowest: Map<string, LowestCardState>;
  /** Where TensorBoard reads and why it may find nothing; asked when nothing is listed, else null. */
  logdir: LogdirInfo | null;
  /** Cards' choices from the URL, applied when the card's series is listed. */
  urlCards: Map<string, CardUrlState>;
  /** Lowest-point views' choices from the URL, by view key, applied when /scalars lists the view. */
  urlLowest: Map<string, LowestUrlState>;
  /** Every run's name in the host's order (TensorBoard's GetRuns), for run colours; null until it answers. */
  hostRuns: string[] | null;
}

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
      smoothing: 0.6, // TensorBoard's default
      ignoreOutliers: false,
      ...settings,
    },
    tags: null,
    loadError: null,
    cards: new Map(),
    scalars: null,
    lowest: new Map(),
    logdir: null,
    urlCards: new Map(),
    urlLowest: new Map(),
    hostRuns: null,
  };
}

/** Takes a link's choices: its settings now, each card's when its series is listed. */
export function applyUrlState(state: AppState, url: UrlState): void {
  const { cards, lowest, ...settings } = url;
  Object.assign(state.settings, settings);
  for (const card of cards) state.urlCards.set(cardKey(card.run, card.tag), card);
  for (const view of lowest ?? []) state.urlLowest.set(view.key, view);
}

/** The choices a link keeps: the settings and, per card, what differs from how it opens. */
export function urlStateOf(state: AppState): UrlState {
  const { tagFilter, colormap, diffMode, rangeMode, linkSteps, smoothing, ignoreOutliers } = state.settings;
  const cards: CardUrlState[] = [...state.urlCards.values()].filter(
    (card) => !state.cards.has(cardKey(card.run, card.tag)),
  );
  for (const card of state.cards.values()) {
    const out: CardUrlState = { run: card.run, tag: card.tag };
    const step = card.steps[card.stepIndex]?.step;
    if (card.steps.length > 0 && card.stepIndex !== card.steps.length - 1 && step !== undefined) out.step = step;
    else if (card.wantedStep !== null) out.step = card.wantedStep;
    if (card.sample) out.sample = card.sample;
    if (card.window) out.window = card.window;
    if (card.pinned !== null) out.pinned = card.pinned;
    if (card.compare.length > 0) out.compare = card.compare;
    const view = Object.entries(card.view).filter(([, value]) => value !== null);
    if (view.length > 0) out.view = Object.fromEntries(view);
    cards.push(out);
  }
  const lowest: LowestUrlState[] = [...state.urlLowest.values()].filter((view) => !state.lowest.has(view.key));
  for (const view of state.lowest.values()) {
    const moved = view.run !== view.opened.run || view.tag !== view.opened.tag;
    if (!moved && view.compare.length === 0) continue;
    const out: LowestUrlState = { key: view.key, run: view.run, tag: view.tag };
    if (view.compare.length > 0) out.compare = view.compare;
    lowest.push(out);
  }
  const url: UrlState = { tagFilter, colormap, diffMode, rangeMode, linkSteps, smoothing, ignoreOutliers, cards };
  if (lowest.length > 0) url.lowest = lowest;
  return url;
}

/** The scalar tag a lowest-point view opens on when no marker names one: a total loss if there is one. */
export function guessLossTag(scalars: ScalarIndex): { run: string; tag: string } | null {
  const runs = Object.keys(scalars.runs).sort();
  const score = (tag: string): number =>
    /loss/i.test(tag) ? (/total|^loss$/i.test(tag) ? 0 : /g(en)?\b|generator/i.test(tag) ? 1 : 2) : 3;
  let best: { run: string; tag: string; score: number } | null = null;
  for (const run of runs) {
    for (const tag of [...(scalars.runs[run] ?? [])].sort()) {
      const s = score(tag);
      if (best === null || s < best.score) best = { run, tag, score: s };
    }
  }
  return best && { run: best.run, tag: best.tag };
}

const CHOSEN_KEY = "lowest:chosen";

export function lowestKey(run: string, tag: string): string {
  return `lowest:${JSON.stringify([run, tag])}`;
}

/**
 * Takes a /scalars answer: one lowest-point view per scalar series that
 * training code marked with lowest_point() or the tracker; with none marked,
 * one view on a guessed loss. A view keeps the run and tag its user chose
 * while they still exist.
 */
export function applyScalars(state: AppState, scalars: ScalarIndex): void {
  state.scalars = scalars;
  const exists = (run: string, tag: string): boolean => (scalars.runs[run] ?? []).includes(tag);
  const wanted = new Map<string, { run: string; tag: string }>();
  for (const run of Object.keys(scalars.markers).sort()) {
    for (const tag of Object.keys(scalars.markers[run] ?? {}).sort()) {
      if (exists(run, tag)) wanted.set(lowestKey(run, tag), { run, tag });
    }
  }
  if (wanted.size === 0) {
    const chosen = state.lowest.get(CHOSEN_KEY);
    const guess = chosen && exists(chosen.run, chosen.tag) ? chosen : guessLossTag(scalars);
    if (guess) wanted.set(CHOSEN_KEY, guess);
  }
  for (const key of [...state.lowest.keys()]) if (!wanted.has(key)) state.lowest.delete(key);
  for (const [key, origin] of wanted) {
    const card = state.lowest.get(key);
    if (!card) {
      const created: LowestCardState = { key, ...origin, compare: [], opened: { ...origin } };
      // A link's choices for this view: its series while it exists, and the runs compared.
      const linked = state.urlLowest.get(key);
      if (linked) {
        if (exists(linked.run, linked.tag)) Object.assign(created, { run: linked.run, tag: linked.tag });
        created.compare = (linked.compare ?? []).filter((run) => run !== created.run).slice(0, MAX_COMPARED_RUNS - 1);
        state.urlLowest.delete(key);
      }
      state.lowest.set(key, created);
    } else if (!exists(card.run, card.tag)) Object.assign(card, origin);
  }
}

/** The lowest-point views to show, by tag then run, under the tag filter. */
export function visibleLowest(state: AppState): LowestCardState[] {
  const filter = compileTagFilter(state.settings.tagFilter);
  return [...state.lowest.values()]
    .filter((card) => filter.matches(card.tag))
    .sort((a, b) => (a.tag === b.tag ? a.run.localeCompare(b.run) : a.tag.localeCompare(b.tag)));
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
        const wanted = state.urlCards.get(key);
        state.cards.set(key, {
          key,
          run,
          tag,
          info,
          steps: [],
          stepsError: null,
          stepIndex: 0,
          sample: wanted?.sample ?? 0,
          window: wanted?.window ?? null,
          cursor: null,
          playing: false,
          view: { ...wanted?.view },
          pinned: wanted?.pinned ?? null,
          compare: wanted?.compare ?? [],
          wantedStep: wanted?.step ?? null,
        });
        if (wanted) state.urlCards.delete(key);
      }
    }
  }
  for (const key of [...state.cards.keys()]) {
    if (!seen.has(key)) state.cards.delete(key);
  }
}

/**
 * The /data a card shows before its /steps answers: a new card opens at its
 * last step, which /tags names. Asked for before /steps, whose answers take
 * the server longer, these let every card paint while the step lists load.
 */
export function openingStepKey(card: CardState): StepKey | null {
  const last = card.info.last_step;
  if (card.steps.length > 0 || last === null || !kindFacts(card.info.kind).hasArrays) return null;
  return { run: card.run, tag: card.tag, step: last, sample: card.sample };
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
  if (selected === undefined && card.wantedStep !== null && card.steps.length > 0) {
    card.stepIndex = Math.max(indexAtOrBefore(card.steps, card.wantedStep), 0);
    card.wantedStep = null;
  } else if (selected === undefined) {
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

/**
 * The cards to show, grouped by kind in the order of KINDS, each group sorted
 * by tag, then run. Every known kind has its group; the series of kinds this
 * pane does not know follow in the fallback kind's group when there are any.
 */
export function visibleCards(state: AppState): Map<string, CardState[]> {
  const filter = compileTagFilter(state.settings.tagFilter);
  const groups = new Map<string, CardState[]>();
  for (const kind of KINDS) groups.set(kind.name, []);
  for (const card of state.cards.values()) {
    const kind = kindFacts(card.info.kind);
    // A kind whose group holds lowest-point views shows its series there, on the scalars they watch.
    if (kind.cards !== "series" || !filter.matches(card.tag)) continue;
    const group = groups.get(kind.name);
    if (group) group.push(card);
    else groups.set(kind.name, [card]);
  }
  for (const cards of groups.values()) {
    cards.sort((a, b) => (a.tag === b.tag ? a.run.localeCompare(b.run) : a.tag.localeCompare(b.tag)));
  }
  return groups;
}
