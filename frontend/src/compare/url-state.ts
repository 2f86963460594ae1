// The pane's choices as TensorBoard's plugin URL data: string values under
// keys that the host keeps as "p.spectro.<key>" in its URL hash. Decoding
// reads defensively: a link may have been cut, edited by hand, or written by
// another version of the pane; what is not valid is left out.

import { isColormapName, type ColormapName } from "../colormaps";
import type { FrameWindow } from "../render/zoom";
import type { DiffMode, RangeMode } from "../render/scale";

/** Runs compared on one card, the card's own run among them. */
export const MAX_COMPARED_RUNS = 4;

/** Bounds on what a link may carry of a card's own view options. */
export const MAX_VIEW_OPTIONS = 16;
const MAX_VIEW_TEXT = 256; // characters of a text option
const VIEW_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/; // a short identifier (never "__proto__")
/** Lowest-point views a link may carry. */
export const MAX_LOWEST_VIEWS = 64;
const MAX_LOWEST_KEY = 1024; // characters of a lowest-point view's key

/** A card's own view options (a stack's channel, a matrix's ordering row), as a link keeps them. */
export type UrlViewOptions = Record<string, string | number | boolean | null>;

/** One card's choices; absent ones are the card's defaults. */
export interface CardUrlState {
  run: string;
  tag: string;
  /** The step shown (a logged step number). */
  step?: number;
  sample?: number;
  window?: FrameWindow;
  /** The step whose prediction the difference panel subtracts. */
  pinned?: number;
  /** The other runs compared with this card's, in order. */
  compare?: string[];
  /** The card's own view options; null ones are left out of a link. */
  view?: UrlViewOptions;
}

/** A lowest-point view's choices: which view (its key), the series it shows, and the runs compared with it. */
export interface LowestUrlState {
  key: string;
  run: string;
  tag: string;
  compare?: string[];
}

export interface UrlState {
  tagFilter?: string;
  colormap?: ColormapName;
  diffMode?: DiffMode;
  rangeMode?: RangeMode;
  linkSteps?: boolean;
  smoothing?: number;
  ignoreOutliers?: boolean;
  cards: CardUrlState[];
  lowest?: LowestUrlState[];
}

/** URL data keys, without the host's "p.spectro." prefix. */
export const URL_KEYS = {
  tagFilter: "filter",
  colormap: "colormap",
  diffMode: "diff",
  rangeMode: "range",
  linkSteps: "link",
  smoothing: "smoothing",
  ignoreOutliers: "outliers",
  cards: "cards",
  lowest: "lowest",
} as const;

/** The URL data of `state`: one string per key, leaving out what is unset. */
export function encodeUrlState(state: UrlState): Record<string, string> {
  const data: Record<string, string> = {};
  if (state.tagFilter) data[URL_KEYS.tagFilter] = state.tagFilter;
  if (state.colormap) data[URL_KEYS.colormap] = state.colormap;
  if (state.diffMode) data[URL_KEYS.diffMode] = state.diffMode;
  if (state.rangeMode) data[URL_KEYS.rangeMode] = state.rangeMode;
  if (state.linkSteps !== undefined) data[URL_KEYS.linkSteps] = state.linkSteps ? "1" : "0";
  if (state.smoothing !== undefined && isSmoothing(state.smoothing)) data[URL_KEYS.smoothing] = String(state.smoothing);
  if (state.ignoreOutliers !== undefined) data[URL_KEYS.ignoreOutliers] = state.ignoreOutliers ? "1" : "0";
  const cards = state.cards.map(encodeCard).filter((card) => Object.keys(card).length > 2);
  if (cards.length > 0) data[URL_KEYS.cards] = JSON.stringify(cards);
  const lowest = (state.lowest ?? []).map((view) => {
    const out: Record<string, unknown> = { key: view.key, run: view.run, tag: view.tag };
    if (view.compare && view.compare.length > 0) out.compare = view.compare;
    return out;
  });
  if (lowest.length > 0) data[URL_KEYS.lowest] = JSON.stringify(lowest);
  return data;
}

/** The keys of URL_KEYS whose entry in `data` differs from the one `written` (a missing entry is empty). */
export function changedUrlKeys(data: Record<string, string>, written: Record<string, string>): string[] {
  return Object.values(URL_KEYS).filter((key) => (data[key] ?? "") !== (written[key] ?? ""));
}

/** TensorBoard's smoothing weight, in [0, 1). */
const isSmoothing = (value: number): boolean => Number.isFinite(value) && value >= 0 && value < 1;

/**
 * The view options of `value` a link may carry: short identifiers as keys,
 * primitive values (text bounded in length), at most MAX_VIEW_OPTIONS of
 * them; null values are kept only when `keepNull`. Null when none is left.
 */
export function viewOptionsOf(value: unknown, keepNull = true): UrlViewOptions | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const out: UrlViewOptions = {};
  let count = 0;
  for (const [key, option] of Object.entries(value as Record<string, unknown>)) {
    if (count >= MAX_VIEW_OPTIONS) break;
    if (!VIEW_KEY.test(key)) continue;
    const valid =
      (option === null && keepNull) ||
      typeof option === "boolean" ||
      (typeof option === "number" && Number.isFinite(option)) ||
      (typeof option === "string" && option.length <= MAX_VIEW_TEXT);
    if (!valid) continue;
    out[key] = option as string | number | boolean | null;
    count++;
  }
  return count > 0 ? out : null;
}

function encodeCard(card: CardUrlState): Record<string, unknown> {
  const out: Record<string, unknown> = { run: card.run, tag: card.tag };
  if (card.step !== undefined) out.step = card.step;
  if (card.sample) out.sample = card.sample;
  if (card.window) out.window = [card.window.start, card.window.end];
  if (card.pinned !== undefined) out.pinned = card.pinned;
  if (card.compare && card.compare.length > 0) out.compare = card.compare;
  const view = card.view && viewOptionsOf(card.view, false);
  if (view) out.view = view;
  return out;
}

const isStepNumber = (value: unknown): value is number => Number.isSafeInteger(value);

/** The valid choices of URL data as the host gives it (any value: it comes from a URL); the rest is left out. */
export function decodeUrlState(data: unknown): UrlState {
  const state: UrlState = { cards: [] };
  if (typeof data !== "object" || data === null) return state;
  const get = (key: string): string | undefined => {
    const value = (data as Record<string, unknown>)[key];
    return typeof value === "string" ? value : undefined;
  };
  const filter = get(URL_KEYS.tagFilter);
  if (filter !== undefined) state.tagFilter = filter;
  const colormap = get(URL_KEYS.colormap);
  if (colormap !== undefined && isColormapName(colormap)) state.colormap = colormap;
  const diff = get(URL_KEYS.diffMode);
  if (diff === "abs" || diff === "signed") state.diffMode = diff;
  const range = get(URL_KEYS.rangeMode);
  if (range === "step" || range === "series") state.rangeMode = range;
  const link = get(URL_KEYS.linkSteps);
  if (link === "1" || link === "0") state.linkSteps = link === "1";
  const smoothing = get(URL_KEYS.smoothing);
  // Number("") is 0: an empty value is not a weight.
  if (smoothing !== undefined && smoothing.trim() !== "" && isSmoothing(Number(smoothing)))
    state.smoothing = Number(smoothing);
  const outliers = get(URL_KEYS.ignoreOutliers);
  if (outliers === "1" || outliers === "0") state.ignoreOutliers = outliers === "1";
  const cards = parseList(get(URL_KEYS.cards));
  for (const card of cards) {
    const decoded = decodeCard(card);
    if (decoded) state.cards.push(decoded);
  }
  const lowest: LowestUrlState[] = [];
  for (const view of parseList(get(URL_KEYS.lowest))) {
    if (lowest.length >= MAX_LOWEST_VIEWS) break;
    const decoded = decodeLowest(view);
    if (decoded && !lowest.some((other) => other.key === decoded.key)) lowest.push(decoded);
  }
  if (lowest.length > 0) state.lowest = lowest;
  return state;
}

/** A JSON list of a URL value; anything else is an empty list. */
function parseList(text: string | undefined): unknown[] {
  try {
    const list: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** Other runs named by a link: names other than `own`, each once, at most MAX_COMPARED_RUNS − 1. */
function comparedRuns(value: unknown, own: string): string[] | null {
  if (!Array.isArray(value)) return null;
  const runs = [...new Set(value.filter((run): run is string => typeof run === "string" && run !== own))];
  return runs.length > 0 ? runs.slice(0, MAX_COMPARED_RUNS - 1) : null;
}

function decodeLowest(value: unknown): LowestUrlState | null {
  if (typeof value !== "object" || value === null) return null;
  const view = value as Record<string, unknown>;
  if (typeof view.key !== "string" || view.key.length > MAX_LOWEST_KEY) return null;
  if (typeof view.run !== "string" || typeof view.tag !== "string") return null;
  const out: LowestUrlState = { key: view.key, run: view.run, tag: view.tag };
  const compare = comparedRuns(view.compare, view.run);
  if (compare) out.compare = compare;
  return out;
}

function decodeCard(value: unknown): CardUrlState | null {
  if (typeof value !== "object" || value === null) return null;
  const card = value as Record<string, unknown>;
  if (typeof card.run !== "string" || typeof card.tag !== "string") return null;
  const out: CardUrlState = { run: card.run, tag: card.tag };
  if (isStepNumber(card.step)) out.step = card.step;
  if (isStepNumber(card.sample) && card.sample > 0) out.sample = card.sample;
  const window = card.window;
  if (
    Array.isArray(window) &&
    window.length === 2 &&
    window.every((end) => typeof end === "number" && Number.isFinite(end)) &&
    (window[0] as number) >= 0 &&
    (window[0] as number) < (window[1] as number)
  ) {
    out.window = { start: window[0] as number, end: window[1] as number };
  }
  if (isStepNumber(card.pinned)) out.pinned = card.pinned;
  const compare = comparedRuns(card.compare, card.run);
  if (compare) out.compare = compare;
  const view = viewOptionsOf(card.view);
  if (view) out.view = view;
  return out;
}
