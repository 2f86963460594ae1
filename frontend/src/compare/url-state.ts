// The pane's choices as TensorBoard's plugin URL data: string values under
// keys that the host keeps as "p.spectro.<key>" in its URL hash. Decoding
// reads defensively: a link may have been cut, edited by hand, or written by
// another version of the pane; what is not valid is left out.

import { isColormapName, type ColormapName } from "../colormaps";
import type { FrameWindow } from "../render/zoom";
import type { DiffMode, RangeMode } from "../render/scale";

/** Runs compared on one card, the card's own run among them. */
export const MAX_COMPARED_RUNS = 4;

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
}

export interface UrlState {
  tagFilter?: string;
  colormap?: ColormapName;
  diffMode?: DiffMode;
  rangeMode?: RangeMode;
  linkSteps?: boolean;
  cards: CardUrlState[];
}

/** URL data keys, without the host's "p.spectro." prefix. */
export const URL_KEYS = {
  tagFilter: "filter",
  colormap: "colormap",
  diffMode: "diff",
  rangeMode: "range",
  linkSteps: "link",
  cards: "cards",
} as const;

/** The URL data of `state`: one string per key, leaving out what is unset. */
export function encodeUrlState(state: UrlState): Record<string, string> {
  const data: Record<string, string> = {};
  if (state.tagFilter) data[URL_KEYS.tagFilter] = state.tagFilter;
  if (state.colormap) data[URL_KEYS.colormap] = state.colormap;
  if (state.diffMode) data[URL_KEYS.diffMode] = state.diffMode;
  if (state.rangeMode) data[URL_KEYS.rangeMode] = state.rangeMode;
  if (state.linkSteps !== undefined) data[URL_KEYS.linkSteps] = state.linkSteps ? "1" : "0";
  const cards = state.cards.map(encodeCard).filter((card) => Object.keys(card).length > 2);
  if (cards.length > 0) data[URL_KEYS.cards] = JSON.stringify(cards);
  return data;
}

function encodeCard(card: CardUrlState): Record<string, unknown> {
  const out: Record<string, unknown> = { run: card.run, tag: card.tag };
  if (card.step !== undefined) out.step = card.step;
  if (card.sample) out.sample = card.sample;
  if (card.window) out.window = [card.window.start, card.window.end];
  if (card.pinned !== undefined) out.pinned = card.pinned;
  if (card.compare && card.compare.length > 0) out.compare = card.compare;
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
  let cards: unknown;
  try {
    cards = JSON.parse(get(URL_KEYS.cards) ?? "[]");
  } catch {
    cards = [];
  }
  if (Array.isArray(cards)) {
    for (const card of cards) {
      const decoded = decodeCard(card);
      if (decoded) state.cards.push(decoded);
    }
  }
  return state;
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
  if (Array.isArray(card.compare)) {
    const runs = [...new Set(card.compare.filter((run): run is string => typeof run === "string" && run !== card.run))];
    if (runs.length > 0) out.compare = runs.slice(0, MAX_COMPARED_RUNS - 1);
  }
  return out;
}
