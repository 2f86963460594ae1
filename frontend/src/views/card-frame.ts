// The frame every card of a series is built on: the header (title, run, the
// non-finite flag, loading), the card's own parts, the error line, the step
// control and the arrow keys, and the actions row. For a card that shows a
// step's arrays it also loads them: the step selected (before /steps answers,
// the one /tags names), a stand-in while it loads, the steps ahead of need
// (state/steps.ts), the .npz link, and the step-painted mark.
//
// A card builds its parts, hands them to a CardFrame, and calls update() at
// the start of its own update with a function that takes a loaded step.

import { dataUrl, type StepData, type StepKey } from "../api/client";
import type { NonfiniteCounts, SeriesInfo } from "../api/types";
import { nonfiniteText } from "../render/scale";
import type { CardActions } from "../state/actions";
import { openingStepKey, type CardState } from "../state/app-state";
import type { StepEntry } from "../state/step-cache";
import {
  indexAtOrBefore,
  isStepping,
  prefetchOffsets,
  REST_MS,
  restOffsets,
  restsAfter,
  standInIndex,
  STEPS_AHEAD,
  STEPS_AHEAD_COMPARING,
  stepMove,
  type StepMove,
} from "../state/steps";
import { markStepPainted } from "../timing";
import { el, setAttr, setHidden, setText } from "./dom";
import { StepControl } from "./step-control";

// Steps a card may be loading to show at once. A slider moved faster than
// steps load asks for the step it is at when one of these arrives, rather than
// for every step it passed: those would all arrive at the end, and be decoded
// before the step it stopped at.
const SHOWN_LOADS = 2;

/** What a card that shows a step's arrays tells its frame. */
export interface StepArrays {
  /** The sample its /data requests ask for. */
  sample(): number;
  /** The name of a download of step `step`, without the extension. */
  fileStem(step: number): string;
  /** Loads what else the card shows at these steps (e.g. compared runs'), as the card's own load ahead. */
  prefetch?(steps: readonly number[]): void;
  /**
   * Whether what else the card shows at step `step` has settled; until it
   * has, the card keeps a stand-in as while its own step loads. None: ready.
   */
  ready?(step: number): boolean;
  /** After the frame: gets step `step`, the next in the direction the card moves, ready to show. */
  prepareAhead?(step: number): void;
  /** Whether the card compares runs now: it then loads farther ahead (STEPS_AHEAD_COMPARING). */
  comparing?(): boolean;
}

/** The parts of a card, in the order they are laid out, and how it loads steps. */
export interface CardFrameSpec {
  /** Class of the card element, beside spectro-card. */
  className: string;
  /** The card's own controls, between the header and the error line. */
  controls?: readonly HTMLElement[];
  /** Between the error line and the step control: panels, readout. */
  body?: readonly HTMLElement[];
  /** After the step control: stats, trends, charts. */
  footer?: readonly HTMLElement[];
  /** Buttons of the actions row, after the .npz link. */
  actions?: readonly HTMLElement[];
  /** A select of the card on which the arrow keys still move steps; on the others they move its options. */
  stepKeysSelect?: HTMLSelectElement;
  /** Set for a card that shows a step's arrays from /data; a card of stored facts only has none. */
  arrays?: StepArrays;
}

export class CardFrame {
  readonly element: HTMLElement;
  private readonly title = el("h3", { className: "spectro-card-title" });
  private readonly run = el("span", { className: "spectro-card-run" });
  private readonly flag = el("span", {
    className: "spectro-flag spectro-nonfinite",
    title: "non-finite values at this step, drawn magenta",
  });
  private readonly loading = el("span", { className: "spectro-loading" });
  private readonly error = el("div", { className: "spectro-error" });
  private readonly stepControl: StepControl;
  private readonly npzLink: HTMLAnchorElement | null;
  private card: CardState;
  /** The loaded step the card shows, if any. */
  private shown: StepData | null = null;
  /** Steps asked for to be shown, possibly still loading. */
  private shownLoads: StepKey[] = [];
  private lastIndex = -1;
  private move: StepMove = { direction: 1, stride: 0 };
  /** The step the .npz link downloads, as [run, tag, step, sample]. */
  private npzKey = "";
  /** The step index whose steps around load once the card rests there (restOffsets), and its timer until then. */
  private rest: { index: number; timer?: ReturnType<typeof setTimeout> } | null = null;

  constructor(
    card: CardState,
    private readonly actions: CardActions,
    private readonly spec: CardFrameSpec,
  ) {
    this.card = card;
    const key = card.key;
    this.stepControl = new StepControl(
      {
        select: (index) => actions.selectStep(key, index),
        togglePlay: () => actions.togglePlay(key),
      },
      key,
    );
    this.npzLink = spec.arrays ? el("a", { className: "spectro-download-npz", text: "Download .npz" }) : null;
    setHidden(this.flag, true);
    const actionRow = [...(this.npzLink ? [this.npzLink] : []), ...(spec.actions ?? [])];
    this.element = el(
      "section",
      { className: `spectro-card ${spec.className}`, attrs: { "data-kind": card.info.kind, tabindex: "-1" } },
      [
        el("header", { className: "spectro-card-header" }, [this.title, this.run, this.flag, this.loading]),
        ...(spec.controls ?? []),
        this.error,
        ...(spec.body ?? []),
        this.stepControl.element,
        ...(spec.footer ?? []),
        ...(actionRow.length > 0 ? [el("div", { className: "spectro-actions" }, actionRow)] : []),
      ],
    );
    this.element.dataset.run = card.run;
    this.element.dataset.tag = card.tag;
    this.element.addEventListener("keydown", (event) => {
      const target = event.target;
      if (target instanceof HTMLInputElement) return;
      if (target instanceof HTMLSelectElement && target !== spec.stepKeysSelect) return;
      const move = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
      if (move === 0) return;
      this.stepControl.stepBy(move, event);
      event.preventDefault();
    });
  }

  /**
   * Shows the card's header, step control and error line. For a card with
   * arrays, hands `show` the loaded data of the selected step, or while that
   * loads a loaded step between it and the step shown; loads the steps ahead
   * of need and links the .npz. An error `show` throws for the selected step
   * is that step's error.
   */
  update(card: CardState, show?: (data: StepData) => void): void {
    this.card = card;
    setText(this.title, card.info.display_name || card.tag);
    setText(this.run, card.run);
    this.stepControl.update(card.steps, card.stepIndex, card.playing);
    let errorText = seriesErrorText(card.info) ?? card.stepsError ?? card.steps[card.stepIndex]?.error ?? "";
    if (this.spec.arrays) errorText = this.updateStep(card, this.spec.arrays, show) ?? errorText;
    setText(this.error, errorText);
    setHidden(this.error, errorText === "");
  }

  /** Shows the non-finite values of the step in the header; none hides the flag. */
  flagNonfinite(counts: NonfiniteCounts | undefined): void {
    const text = nonfiniteText(counts);
    setText(this.flag, text);
    setHidden(this.flag, text === "");
  }

  /** The card drew step `step` on its canvases, with `runs` compared runs, inside the animation frame that shows them. */
  painted(step: number, runs = 0): void {
    this.element.dataset.shownStep = String(step);
    markStepPainted(this.card.key, step, runs);
  }

  /** The loading of the selected step; returns the error that replaces the stored one, if any. */
  private updateStep(card: CardState, arrays: StepArrays, show?: (data: StepData) => void): string | null {
    this.move = stepMove(this.lastIndex, card.stepIndex, this.move);
    this.lastIndex = card.stepIndex;
    const key = this.stepKey(card.stepIndex, arrays);
    if (!key) return null;
    let error: string | null = null;
    const entry = this.requestShown(key);
    // Its own data loaded, the card still waits for the rest it shows with the step (compared runs'):
    // meanwhile it shows a stand-in as while loading, or, with none, the step without the rest.
    const waiting = entry?.status === "loaded" && !(arrays.ready?.(key.step) ?? true);
    const standIn = entry?.status !== "loaded" || waiting ? this.standIn(card, arrays) : null;
    if (entry?.status === "loaded" && !standIn) {
      try {
        this.showData(entry.data, show);
      } catch (e) {
        error = (e as Error).message;
      }
      this.prefetch(card, arrays);
    } else if (entry?.status === "failed") {
      error = entry.error;
    } else {
      if (standIn) {
        try {
          this.showData(standIn, show);
        } catch {
          // The selected step is not the stand-in's: its own load decides its error.
        }
      }
      // Stepping: the steps ahead load while this one does.
      if (isStepping(this.move)) this.prefetch(card, arrays);
    }
    // The panels still hold the drawing of the step shown before: under a step whose data could not be
    // loaded they would pass that step off as this one, so they are hidden (keeping their place) until
    // a step is shown again.
    for (const part of this.spec.body ?? []) part.style.visibility = entry?.status === "failed" ? "hidden" : "";
    setText(this.loading, entry === undefined || entry.status === "loading" || waiting ? "loading…" : "");
    if (this.npzLink) {
      const npzKey = JSON.stringify([key.run, key.tag, key.step, key.sample]);
      if (npzKey !== this.npzKey) setAttr(this.npzLink, "href", dataUrl(key, "npz"));
      this.npzKey = npzKey;
      setAttr(this.npzLink, "download", `${arrays.fileStem(key.step)}.npz`);
    }
    return error;
  }

  private showData(data: StepData, show?: (data: StepData) => void): void {
    show?.(data);
    this.shown = data;
  }

  private stepKey(index: number, arrays: StepArrays): StepKey | null {
    const card = this.card;
    const step = card.steps[index];
    if (!step) {
      const opening = index === card.stepIndex ? openingStepKey(card) : null;
      return opening && { ...opening, sample: arrays.sample() };
    }
    return { run: card.run, tag: card.tag, step: step.step, sample: arrays.sample() };
  }

  /**
   * The cache entry of the step to show, loading it unless SHOWN_LOADS steps
   * asked for before are still loading: then undefined, and the card asks
   * again when one of those arrives.
   */
  private requestShown(key: StepKey): StepEntry | undefined {
    if (this.actions.peekStep(key) === undefined) {
      this.shownLoads = this.shownLoads.filter((k) => this.actions.peekStep(k)?.status === "loading");
      if (this.shownLoads.length >= SHOWN_LOADS) return undefined;
      this.shownLoads.push(key);
    }
    return this.actions.requestStep(key);
  }

  /** A loaded step to show while the selected one loads: the nearest between it and the step shown. */
  private standIn(card: CardState, arrays: StepArrays): StepData | null {
    const shown = this.shown?.description;
    if (!shown || shown.sample !== arrays.sample()) return null;
    const shownIndex = indexAtOrBefore(card.steps, shown.step);
    if (card.steps[shownIndex]?.step !== shown.step) return null;
    const loaded = (index: number): StepData | null => {
      const key = this.stepKey(index, arrays);
      const entry = key ? this.actions.peekStep(key) : undefined;
      return entry?.status === "loaded" && (arrays.ready?.(key!.step) ?? true) ? entry.data : null;
    };
    const index = standInIndex(card.stepIndex, shownIndex, (i) => loaded(i) !== null);
    return index === null ? null : loaded(index);
  }

  /**
   * Loads the steps ahead after the frame that shows this one: starting a
   * fetch takes about a millisecond of the main thread, which a step change
   * of linked cards would otherwise spend a dozen times inside its frame.
   */
  private prefetch(card: CardState, arrays: StepArrays): void {
    const ahead = arrays.comparing?.() ? STEPS_AHEAD_COMPARING : STEPS_AHEAD;
    const keys = this.keysAround(
      card.stepIndex,
      prefetchOffsets(card.playing, this.move, card.stepIndex, ahead),
      arrays,
    );
    const next = this.stepKey(card.stepIndex + this.move.direction, arrays);
    afterFrame(this, () => this.loadAhead(keys, arrays));
    if (next && arrays.prepareAhead) whenIdle(this, () => arrays.prepareAhead!(next.step));
    this.restAfterJump(card, arrays);
  }

  /**
   * After a jump, loads the steps around the step once the card has stayed
   * there REST_MS (restOffsets), counted from when every compared run's step
   * there has loaded.
   */
  private restAfterJump(card: CardState, arrays: StepArrays): void {
    const index = card.stepIndex;
    if (this.rest?.index === index) return;
    if (this.rest?.timer !== undefined) clearTimeout(this.rest.timer);
    this.rest = null;
    if (!restsAfter(card.playing, arrays.comparing?.() ?? false, this.move)) return;
    const step = card.steps[index]?.step;
    if (step === undefined || !(arrays.ready?.(step) ?? true)) return;
    const rest: { index: number; timer?: ReturnType<typeof setTimeout> } = { index };
    rest.timer = setTimeout(() => {
      rest.timer = undefined;
      if (this.rest !== rest) return;
      if (this.card.stepIndex !== index || this.card.playing) {
        // Moved away meanwhile: a jump back to this step rests there again.
        this.rest = null;
        return;
      }
      this.loadAhead(this.keysAround(index, restOffsets(), arrays), arrays);
    }, REST_MS);
    this.rest = rest;
  }

  /** The keys of the steps at `offsets` from index `index`, those that are logged. */
  private keysAround(index: number, offsets: readonly number[], arrays: StepArrays): StepKey[] {
    const keys: StepKey[] = [];
    for (const offset of offsets) {
      const key = this.stepKey(index + offset, arrays);
      if (key) keys.push(key);
    }
    return keys;
  }

  /** Loads the steps `keys` ahead of need, with what else the card shows at them (compared runs'). */
  private loadAhead(keys: readonly StepKey[], arrays: StepArrays): void {
    for (const key of keys) this.actions.requestStep(key);
    arrays.prefetch?.(keys.map((key) => key.step));
  }
}

/** The last work each card asked for after the frame; one task runs them all. */
const afterFrameWork = new Map<CardFrame, () => void>();

function afterFrame(card: CardFrame, work: () => void): void {
  if (afterFrameWork.size === 0)
    setTimeout(() => {
      const works = [...afterFrameWork.values()];
      afterFrameWork.clear();
      for (const run of works) run();
    }, 0);
  afterFrameWork.set(card, work);
}

const IDLE_MARGIN_MS = 2; // idle time left under which painting ahead waits for the next idle period

/** The last work each card asked for when the page is idle; idle callbacks run what fits, a card at a time. */
const idleWork = new Map<CardFrame, () => void>();

const requestIdle: (work: (deadline: { timeRemaining(): number }) => void) => void =
  typeof requestIdleCallback === "function"
    ? (work) => requestIdleCallback(work)
    : (work) => setTimeout(() => work({ timeRemaining: () => 50 }), 0);

/**
 * Runs `work` when the page is idle, so that work done ahead of need (a
 * dozen cards painting their next step) never holds up the next frame.
 */
function whenIdle(card: CardFrame, work: () => void): void {
  if (idleWork.size === 0) requestIdle(runIdleWork);
  idleWork.set(card, work);
}

function runIdleWork(deadline: { timeRemaining(): number }): void {
  for (const [card, work] of idleWork) {
    if (deadline.timeRemaining() < IDLE_MARGIN_MS) break;
    idleWork.delete(card);
    work();
  }
  if (idleWork.size > 0) requestIdle(runIdleWork);
}

/** Whether the card `element` has drawn a step (CardFrame.painted). */
export function hasShownStep(element: HTMLElement): boolean {
  return element.dataset.shownStep !== undefined;
}

/** What a card says of a series whose facts the server could not read; null for the others. */
export function seriesErrorText(info: SeriesInfo): string | null {
  const error = info.error;
  return error === undefined ? null : `This series cannot be read: ${error || "no reason given"}`;
}

/** What a card says when updating or drawing it threw. */
export function cardFailureText(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `could not show this card: ${reason || "unknown error"}`;
}

/**
 * Shows an exception thrown while updating or drawing a card in that card's
 * error line (one is added to an element without one); the other cards go on.
 */
export function showCardFailure(element: HTMLElement, error: unknown): void {
  let line = element.querySelector<HTMLElement>(".spectro-error");
  if (!line) {
    line = el("div", { className: "spectro-error" });
    element.prepend(line);
  }
  setText(line, cardFailureText(error));
  setHidden(line, false);
}
