// Compare runs on a card of two arrays (a mel comparison's target and
// prediction, a noise pair's): up to three other runs with the card's tag
// join it, each at its nearest logged step at or before the card's, with
// their predictions and differences stacked under the card's panels on the
// same column window, cursor and colour range. Their targets show once when
// they equal the card's within quantization. A swipe (a divider dragged over
// the card's prediction) and a flicker (a held key) show another run's
// prediction in its place.

import type { StepData } from "../api/client";
import type { DecodedArray } from "../api/decode";
import type { StepInfo } from "../api/types";
import { columnAtX, flickerShown, swipeSplit, swipeValues, xOfColumn } from "../compare/geometry";
import { matchedStepLabel, matchSteps, type MatchedStep } from "../compare/steps";
import { targetsEqual } from "../compare/targets";
import { MAX_COMPARED_RUNS } from "../compare/url-state";
import { diffValues, finiteRange, formatValue, maxAbsFinite, unionRange, type ColorRange } from "../render/scale";
import type { FrameWindow } from "../render/zoom";
import type { CardActions } from "../state/actions";
import type { CardState, Cursor, Settings } from "../state/app-state";
import { el, setAttr, setHidden, setOptions } from "./dom";
import type { Plane } from "../render/noise";
import { HeatmapPanel, type PanelGestures, type PanelImage } from "./heatmap-panel";

const signedDiff = (target: number | null, predicted: number | null): number | null =>
  target === null || predicted === null ? null : target - predicted;

export const FLICKER_KEY = "f"; // held on a focused card, shows the first compared run's prediction

export const COMPARE_RUNS_STYLES = `
.spectro-compare-runs { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; margin: 4px 0; color: var(--spectro-muted); }
.spectro-compare-runs label { display: inline-flex; gap: 4px; align-items: center; white-space: nowrap; }
.spectro-compare-runs[hidden], .spectro-compare-runs label[hidden] { display: none; }
.spectro-run-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
.spectro-compare-panel { border-left: 4px solid transparent; }
.spectro-compare-rows { font-variant-numeric: tabular-nums; margin: 4px 0; }
.spectro-compare-row { display: flex; gap: 12px; white-space: nowrap; }
.spectro-compare-row .spectro-run-name { min-width: 8em; overflow: hidden; text-overflow: ellipsis; }
.spectro-swipe-divider { position: absolute; width: 9px; margin-left: -4px; cursor: ew-resize; touch-action: none; }
.spectro-swipe-divider::after { content: ""; position: absolute; left: 4px; top: 0; bottom: 0; width: 1px; background: var(--spectro-fg); }
`;

/** What a compared run shows at the card's step. */
export interface ComparedRun {
  run: string;
  color: string;
  match: MatchedStep;
  info: StepInfo | undefined;
  /** Null until its step loads (or when it failed: `error`). */
  data: StepData | null;
  error: string | null;
  /** With a step pinned on the card: the run's own step matching it, and that step's data once loaded. */
  pinned: { match: MatchedStep; data: StepData | null; settled: boolean } | null;
}

interface RunPanels {
  target: HeatmapPanel;
  predicted: HeatmapPanel;
  diff: HeatmapPanel;
}

interface PreparedRun {
  run: ComparedRun;
  /** Null on a card of one array. */
  target: Plane | null;
  predicted: Plane;
  /** target − predicted as the diff mode shows it, or with a pinned step predicted(now) − predicted(pinned); null on a card of one array. */
  diff: Float32Array | null;
  /** The prediction at the run's step matching the card's pinned one, which the diff subtracts. */
  pinnedPredicted: Plane | null;
  /** The diff in words when it is not the card's own kind of diff (a pinned step's); null otherwise. */
  diffText: string | null;
  /** The run's target equals the card's within quantization: shown once, on the card's panel. */
  sameTarget: boolean;
}

/**
 * The arrays of a card: on a card of two, the target (the minuend) and the
 * prediction; on a card of one, that array as `predicted`, with no target.
 */
export interface ArrayRoles {
  target: string | null;
  predicted: string;
}

export class RunComparison {
  /** Checkboxes of the other runs with the card's tag, beside a swipe toggle. */
  readonly chooser = el("div", { className: "spectro-compare-runs" });
  /** The compared runs' panels, under the card's. */
  readonly panels = el("div", { className: "spectro-compare-panels" });
  /** A line per run: its step, stats and the values at the cursor. */
  readonly rows = el("div", { className: "spectro-compare-rows" });
  private readonly swipeToggle = el("input", { className: "spectro-swipe", attrs: { type: "checkbox" } });
  private readonly swipeLabel = el(
    "label",
    {
      text: "swipe ",
      title: `drag the divider over the prediction to show the chosen compared run's from there on; hold ${FLICKER_KEY.toUpperCase()} on the card to flicker to it`,
    },
    [this.swipeToggle],
  );
  /** The compared run the swipe and the flicker show; offered once two runs are compared. */
  private readonly swipeRun = el("select", { className: "spectro-swipe-run" });
  private readonly swipeRunLabel = el("label", { text: "swipe and flicker with " }, [this.swipeRun]);
  private swipeRunKey = "";
  readonly divider = el("div", { className: "spectro-swipe-divider" });
  private readonly runPanels: RunPanels[] = [];
  private runs: ComparedRun[] = [];
  private prepared: PreparedRun[] = [];
  private preparedKey = "";
  /** The runs at the step the card moves to next and their preparation, made when the page was idle (see prepareAhead). */
  private ahead: { key: string; runs: ComparedRun[]; prepared: PreparedRun[] } | null = null;
  private chooserKey = "";
  private flickering = false;
  private card: CardState;
  private sample = 0;
  /** The card's step the runs are shown at. */
  private shownStep: number | null = null;

  constructor(
    card: CardState,
    private readonly actions: CardActions,
    private readonly roles: ArrayRoles,
    private readonly gestures: PanelGestures,
    private readonly rowsLabel: string,
    private readonly colsLabel: string,
    private readonly onChange: () => void,
    /** Whether the chooser offers the swipe; a card that draws no prediction panel (a similarity matrix's) has none. */
    private readonly swipe = true,
  ) {
    this.card = card;
    this.swipeToggle.addEventListener("change", () =>
      actions.setView(card.key, { swipe: this.swipeToggle.checked ? -1 : null }),
    );
    this.swipeRun.addEventListener("change", () => actions.setView(this.card.key, { swipeRun: this.swipeRun.value }));
    setHidden(this.divider, true);
    this.divider.addEventListener("pointerdown", (event) => {
      this.divider.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    this.divider.addEventListener("pointermove", (event) => {
      if (!this.divider.hasPointerCapture(event.pointerId)) return;
      this.dragDivider(event.clientX);
    });
    this.divider.addEventListener("pointerup", (event) => this.divider.releasePointerCapture(event.pointerId));
  }

  /** Holds the flicker: the card's prediction panel shows the chosen compared run's while `held`. */
  setFlicker(held: boolean): void {
    if (held === this.flickering) return;
    this.flickering = held;
    this.onChange();
  }

  /**
   * The runs compared at the card's selected step, each at its matched step,
   * loading their data. The card shows them at the step it draws (see showAt).
   */
  update(card: CardState, sample: number): ComparedRun[] {
    this.card = card;
    this.sample = sample;
    this.updateChooser(card, this.actions.comparable(card.key));
    const chosen = card.steps[card.stepIndex]?.step;
    this.runs = chosen === undefined ? [] : this.runsAt(chosen, true);
    this.shownStep = chosen ?? null;
    if (this.runs.length === 0) {
      this.prepared = [];
      this.preparedKey = "";
    }
    setHidden(this.swipeLabel, this.runs.length === 0);
    this.swipeToggle.checked = typeof card.view.swipe === "number";
    this.updateSwipeRun();
    return this.runs;
  }

  /**
   * Whether every compared run's step matching the card's step `step` has
   * settled (loaded, failed, or there is none): the card shows a step with
   * all its runs or keeps the one it shows, so that one step is on every
   * panel and a held key is not outrun by the runs that load last.
   */
  ready(step: number): boolean {
    return this.runsAt(step, false).every((run) => settled(run) && (run.pinned?.settled ?? true));
  }

  /** Shows the compared runs at the card's step `step` (the one the card draws: its selected step or a stand-in). */
  showAt(step: number): void {
    if (step === this.shownStep || this.card.compare.length === 0) return;
    this.runs = this.runsAt(step, true);
    this.shownStep = step;
  }

  /** The runs compared at the step the card shows: update()'s, or showAt()'s after it. */
  get compared(): readonly ComparedRun[] {
    return this.runs;
  }

  /** The compared runs at the card's step `chosen`; `request` loads their steps, else only looks. */
  private runsAt(chosen: number, request: boolean): ComparedRun[] {
    const others = this.comparedCards();
    if (others.length === 0) return [];
    const matches = matchSteps(others, chosen);
    const pinned = this.card.pinned !== null && this.roles.target !== null ? this.card.pinned : null;
    const pinnedMatches = pinned === null ? [] : matchSteps(others, pinned);
    const entryOf = (other: CardState, step: number | null) => {
      if (step === null) return undefined;
      const key = { run: other.run, tag: other.tag, step, sample: this.sample };
      return request ? this.actions.requestStep(key) : this.actions.peekStep(key);
    };
    return others.map((other, i) => {
      const match = matches[i]!;
      const entry = entryOf(other, match.step);
      const pinnedMatch = pinnedMatches[i];
      const pinnedEntry = pinnedMatch ? entryOf(other, pinnedMatch.step) : undefined;
      return {
        run: other.run,
        color: this.actions.runColor(other.run),
        match,
        info: other.steps[match.index],
        data: entry?.status === "loaded" ? entry.data : null,
        error: entry?.status === "failed" ? entry.error : null,
        pinned: pinnedMatch
          ? {
              match: pinnedMatch,
              data: pinnedEntry?.status === "loaded" ? pinnedEntry.data : null,
              settled: pinnedMatch.step === null || (pinnedEntry !== undefined && pinnedEntry.status !== "loading"),
            }
          : null,
      };
    });
  }

  /** The other runs' cards of the card's tag that it compares, in its order. */
  private comparedCards(): CardState[] {
    if (this.card.compare.length === 0) return [];
    const comparable = this.actions.comparable(this.card.key);
    return this.card.compare
      .map((run) => comparable.find((other) => other.run === run))
      .filter((other): other is CardState => other !== undefined);
  }

  /** Loads each compared run's steps matching the card's `steps`, as the card loads its own ahead. */
  prefetch(steps: readonly number[], sample = this.sample): void {
    const others = this.comparedCards();
    for (const step of steps) {
      matchSteps(others, step).forEach((match, i) => {
        const other = others[i]!;
        if (match.step !== null) this.actions.requestStep({ run: other.run, tag: other.tag, step: match.step, sample });
      });
    }
  }

  private updateChooser(card: CardState, comparable: CardState[]): void {
    const key = JSON.stringify([comparable.map((c) => c.run), card.compare]);
    if (key === this.chooserKey) return;
    this.chooserKey = key;
    const full = card.compare.length >= MAX_COMPARED_RUNS - 1;
    const boxes = comparable.map((other) => {
      const box = el("input", { attrs: { type: "checkbox", "data-run": other.run } });
      box.checked = card.compare.includes(other.run);
      box.disabled = !box.checked && full;
      box.addEventListener("change", () => {
        const runs = box.checked ? [...card.compare, other.run] : card.compare.filter((run) => run !== other.run);
        this.actions.setCompare(card.key, runs);
      });
      const swatch = el("span", { className: "spectro-run-swatch" });
      swatch.style.background = this.actions.runColor(other.run);
      return el("label", { title: other.run }, [box, swatch, document.createTextNode(other.run)]);
    });
    this.chooser.replaceChildren(
      ...(boxes.length > 0 ? [el("span", { text: `compare with (up to ${MAX_COMPARED_RUNS - 1})` })] : []),
      ...boxes,
      ...(this.swipe ? [this.swipeLabel, this.swipeRunLabel] : []),
    );
    setHidden(this.chooser, boxes.length === 0);
  }

  /**
   * The compared runs' arrays and differences for a step of the card whose
   * target is `ownTarget`; returns the colour range of their values and the
   * largest |diff|, for the card to share. What prepareAhead made for these
   * runs is taken as it is.
   */
  prepare(
    ownTarget: DecodedArray | null,
    plane: (array: DecodedArray) => Plane,
    planeKey: string,
    settings: Settings,
  ): { values: ColorRange | null; maxAbsDiff: number } {
    const key = preparedKeyOf(this.runs, ownTarget, settings, planeKey);
    if (key !== this.preparedKey || this.prepared.some((p, i) => p.run.data !== this.runs[i]?.data)) {
      this.preparedKey = key;
      const ahead = this.ahead;
      this.ahead = null;
      this.prepared =
        ahead && ahead.key === key && sameData(ahead.runs, this.runs)
          ? ahead.prepared.map((p) => ({ ...p, run: this.runs.find((r) => r.run === p.run.run) ?? p.run }))
          : this.prepareRuns(this.runs, ownTarget, plane, settings);
    }
    return sharedRanges(this.prepared);
  }

  /**
   * prepare() for the card's step `step`, the one it moves to next, once
   * every compared run's matching step has loaded; null until then. Kept
   * for prepare() to take when the card shows that step.
   */
  prepareAhead(
    step: number,
    ownTarget: DecodedArray | null,
    plane: (array: DecodedArray) => Plane,
    planeKey: string,
    settings: Settings,
  ): { values: ColorRange | null; maxAbsDiff: number } | null {
    const runs = this.runsAt(step, false);
    if (!runs.every(settled)) return null;
    if (runs.some((run) => run.pinned !== null)) return null;
    const key = preparedKeyOf(runs, ownTarget, settings, planeKey);
    if (!this.ahead || this.ahead.key !== key || !sameData(this.ahead.runs, runs))
      this.ahead = { key, runs, prepared: this.prepareRuns(runs, ownTarget, plane, settings) };
    return sharedRanges(this.ahead.prepared);
  }

  private prepareRuns(
    runs: readonly ComparedRun[],
    ownTarget: DecodedArray | null,
    plane: (array: DecodedArray) => Plane,
    settings: Settings,
  ): PreparedRun[] {
    const prepared: PreparedRun[] = [];
    for (const run of runs) {
      const predicted = run.data?.arrays.get(this.roles.predicted);
      if (!predicted) continue;
      if (this.roles.target === null || ownTarget === null) {
        prepared.push({
          run,
          target: null,
          predicted: plane(predicted),
          diff: null,
          pinnedPredicted: null,
          diffText: null,
          sameTarget: true,
        });
        continue;
      }
      const target = run.data?.arrays.get(this.roles.target);
      if (!target || target.values.length !== predicted.values.length) continue;
      const targetPlane = plane(target);
      const predictedPlane = plane(predicted);
      let diff: Float32Array | null = diffValues(targetPlane.values, predictedPlane.values, settings.diffMode);
      let pinnedPredicted: Plane | null = null;
      let diffText: string | null = null;
      if (run.pinned) {
        // The change since the pinned step, as on the card: predicted(now) − predicted(pinned), per run.
        const then = run.pinned.data?.arrays.get(this.roles.predicted);
        pinnedPredicted = then && then.values.length === predicted.values.length ? plane(then) : null;
        diff = pinnedPredicted ? diffValues(predictedPlane.values, pinnedPredicted.values, settings.diffMode) : null;
        const name = this.roles.predicted;
        const words = `${name}(step ${run.match.step}) − ${name}(step ${run.pinned.match.step ?? "none"})`;
        diffText = settings.diffMode === "abs" ? `|${words}|` : words;
      }
      prepared.push({
        run,
        target: targetPlane,
        predicted: predictedPlane,
        diff,
        pinnedPredicted,
        diffText,
        sameTarget: targetsEqual(ownTarget, target),
      });
    }
    return prepared;
  }

  /** Whether every compared run's target equals the card's: the card's target panel is all of theirs. */
  get targetsShared(): boolean {
    return this.prepared.every((p) => p.sameTarget);
  }

  /** The compared run the swipe and the flicker show: the one chosen, else the first. */
  private get partnerRun(): string | null {
    const chosen = this.card.view.swipeRun;
    const runs = this.card.compare;
    return typeof chosen === "string" && runs.includes(chosen) ? chosen : (runs[0] ?? null);
  }

  private updateSwipeRun(): void {
    const runs = this.runs.map((r) => r.run);
    const partner = this.partnerRun;
    const key = JSON.stringify([runs, partner]);
    if (key !== this.swipeRunKey) {
      this.swipeRunKey = key;
      setOptions(
        this.swipeRun,
        runs.map((run) => [run, run]),
        partner ?? "",
      );
    }
    setHidden(this.swipeRunLabel, runs.length < 2);
  }

  /**
   * The values the card's prediction panel shows: its own, or under a swipe
   * or a flicker the chosen compared run's where it is shown.
   */
  predictionShown(own: Float32Array, rows: number, cols: number): { values: Float32Array; key: string } {
    const partner = this.partnerRun;
    const other = this.prepared.find((p) => p.run.run === partner);
    if (!other || other.predicted.values.length !== own.length) return { values: own, key: "" };
    if (flickerShown(this.flickering) === 1) return { values: other.predicted.values, key: `flicker ${other.run.run}` };
    const swipe = this.card.view.swipe;
    if (typeof swipe !== "number") return { values: own, key: "" };
    const split = swipe < 0 ? Math.round(cols / 2) : swipeSplit(swipe, cols);
    return {
      values: swipeValues(own, other.predicted.values, rows, cols, split),
      key: `swipe ${other.run.run} ${split}`,
    };
  }

  /** The swipe's split column, or null without a swipe. */
  swipeColumn(cols: number): number | null {
    const swipe = this.card.view.swipe;
    if (typeof swipe !== "number" || this.prepared.length === 0) return null;
    return swipe < 0 ? Math.round(cols / 2) : swipeSplit(swipe, cols);
  }

  private panelWindow: { window: FrameWindow; cols: number; panel: HeatmapPanel | null } | null = null;

  /** Places the swipe divider over `panel` (the card's prediction) at the split. */
  placeDivider(panel: HeatmapPanel, window: FrameWindow, cols: number): void {
    this.panelWindow = { window, cols, panel };
    const split = this.swipeColumn(cols);
    const plot = panel.plotRect;
    setHidden(this.divider, split === null || plot === null);
    if (split === null || plot === null) return;
    if (this.divider.parentElement !== panel.element) panel.element.append(this.divider);
    const x = plot.x + xOfColumn(split, plot.width, window);
    this.divider.style.left = `${x}px`;
    this.divider.style.top = `${plot.y}px`;
    this.divider.style.height = `${plot.height}px`;
    this.divider.dataset.split = String(split);
  }

  private dragDivider(clientX: number): void {
    const shown = this.panelWindow;
    const plot = shown?.panel?.plotRect;
    if (!shown || !shown.panel || !plot) return;
    const left = shown.panel.element.getBoundingClientRect().left + plot.x;
    const col = columnAtX(clientX - left, plot.width, shown.window);
    this.actions.setView(this.card.key, { swipe: swipeSplit(col, shown.cols) });
  }

  /** Draws each compared run's panels (its target only when it differs from the card's). */
  draw(options: RunImageOptions & { window: FrameWindow; width: number; height: number; diffText: string }): void {
    const shown: HTMLElement[] = [];
    this.prepared.forEach((p, i) => {
      const run = p.run.run;
      for (const { panel, image, part } of this.runImages(p, i, options)) {
        panel.element.classList.add("spectro-compare-panel");
        panel.element.style.borderLeftColor = p.run.color;
        setAttr(panel.element, "data-run", run);
        setAttr(panel.element, "data-step", String(p.run.match.step ?? ""));
        setAttr(panel.element, "data-pinned-step", part === "diff" ? String(p.run.pinned?.match.step ?? "") : "");
        panel.setImage(image);
        const stepLabel = matchedStepLabel(p.run.match, this.shownStep ?? 0);
        const subtitle = `${run}${stepLabel ? ` (${stepLabel})` : ""}${part === "diff" ? `  ${p.diffText ?? options.diffText}` : ""}`;
        panel.draw(options.window, options.width, options.height, subtitle);
        shown.push(panel.element);
      }
    });
    // Panels moved out and back into the document would be laid out and composited anew.
    const children = this.panels.children;
    if (shown.length !== children.length || shown.some((panel, i) => children[i] !== panel))
      this.panels.replaceChildren(...shown);
  }

  /** Paints the images of the runs prepared ahead into their panels' second buffers, as draw() will key them. */
  paintAhead(options: RunImageOptions): void {
    this.ahead?.prepared.forEach((p, i) => {
      for (const { panel, image } of this.runImages(p, i, options)) panel.paintAhead(image);
    });
  }

  /** The panels a prepared run shows, `i`-th on the card, and their images. */
  private runImages(
    p: PreparedRun,
    i: number,
    options: RunImageOptions,
  ): { panel: HeatmapPanel; image: PanelImage; part: string }[] {
    while (this.runPanels.length <= i) {
      const n = this.runPanels.length + 1;
      const panel = (part: string, title: string) =>
        new HeatmapPanel(`run${n}-${part}`, title, false, this.gestures, this.rowsLabel, this.colsLabel);
      this.runPanels.push({
        target: panel("target", this.roles.target ?? ""),
        predicted: panel("predicted", this.roles.predicted),
        diff: panel("diff", "difference"),
      });
    }
    const panels = this.runPanels[i]!;
    const parts: [HeatmapPanel, Float32Array, Uint8Array, ColorRange, string][] = [];
    if (!p.sameTarget && p.target)
      parts.push([panels.target, p.target.values, options.valueLut, options.valueRange, "target"]);
    parts.push([panels.predicted, p.predicted.values, options.valueLut, options.valueRange, "predicted"]);
    if (p.diff) parts.push([panels.diff, p.diff, options.diffLut, options.diffRange, "diff"]);
    return parts.map(([panel, values, lut, range, part]) => ({
      panel,
      part,
      image: {
        values,
        rows: options.rows,
        cols: options.cols,
        range,
        lut,
        key: `${options.base}|${p.run.run}|${p.run.match.step}|${part}|${range.min}|${range.max}`,
      },
    }));
  }

  /** How many compared runs have their step loaded and prepared, to be drawn. */
  get preparedRuns(): number {
    return this.prepared.length;
  }

  /** How many runs' panels are on the card. */
  get drawnRuns(): number {
    return this.panels.childElementCount;
  }

  /** Draws the cursor on the compared runs' panels. */
  drawCursor(cursor: { col: number; row: number | null } | null): void {
    for (const panels of this.runPanels) for (const panel of Object.values(panels)) panel.drawOverlay(cursor, null);
  }

  /**
   * A line per run (the card's first, given as `own`): its name in its
   * colour, the step it shows when that differs, its stats, and its values
   * at the cursor's cell.
   */
  updateRows(
    own: { run: string; predicted: number | null; diff: number | null; target: number | null; stats: string },
    cursor: Cursor | null,
    statsOf: (info: StepInfo | undefined) => string,
  ): void {
    if (this.runs.length === 0) {
      this.rows.replaceChildren();
      return;
    }
    const chosen = this.shownStep ?? 0;
    const cell = (array: { values: Float32Array; cols: number; rows: number } | Float32Array, cols: number) => {
      if (!cursor || cursor.bin < 0 || cursor.frame >= cols) return null;
      const values = array instanceof Float32Array ? array : array.values;
      const value = values[cursor.bin * cols + cursor.frame];
      return value === undefined ? null : value;
    };
    const lines = [
      { color: this.actions.runColor(own.run), step: "", ...own },
      ...this.runs.map((run) => {
        const p = this.prepared.find((q) => q.run.run === run.run);
        const cols = p?.predicted.cols ?? 0;
        return {
          run: run.run,
          color: run.color,
          step: run.error ? run.error : matchedStepLabel(run.match, chosen),
          target: p?.target ? cell(p.target, cols) : null,
          predicted: p ? cell(p.predicted, cols) : null,
          diff: p?.pinnedPredicted
            ? signedDiff(cell(p.predicted, cols), cell(p.pinnedPredicted, cols))
            : p?.target && !p.run.pinned
              ? signedDiff(cell(p.target, cols), cell(p.predicted, cols))
              : null,
          stats: statsOf(run.info),
        };
      }),
    ];
    this.rows.replaceChildren(
      ...lines.map((line) => {
        const swatch = el("span", { className: "spectro-run-swatch" });
        swatch.style.background = line.color;
        const values =
          line.predicted === null
            ? ""
            : `${this.roles.predicted} ${formatValue(line.predicted)}` +
              (line.diff === null ? "" : `  diff ${formatValue(line.diff)}`);
        const row = el("div", { className: "spectro-compare-row", attrs: { "data-run": line.run } }, [
          swatch,
          el("span", { className: "spectro-run-name", text: line.run, title: line.run }),
          el("span", { className: "spectro-run-step", text: line.step }),
          el("span", { className: "spectro-run-stats", text: line.stats }),
          el("span", { className: "spectro-run-values", text: values }),
        ]);
        if (line.predicted !== null) row.dataset.predicted = String(line.predicted);
        if (line.diff !== null) row.dataset.diff = String(line.diff);
        if (line.target !== null) row.dataset.target = String(line.target);
        return row;
      }),
    );
  }

  /** What the compared runs' drawing depends on, for the card's draw key. */
  get drawKey(): string {
    return JSON.stringify([
      this.preparedKey,
      this.prepared.length,
      this.flickering,
      this.card.view.swipe ?? null,
      this.partnerRun,
    ]);
  }

  /** Sets the card's data-* of the comparison. */
  describe(element: HTMLElement): void {
    setAttr(element, "data-compared", this.runs.map((r) => r.run).join("\n"));
    setAttr(element, "data-targets-shared", this.runs.length === 0 ? "" : String(this.targetsShared));
    setAttr(element, "data-flicker", this.flickering ? "1" : "");
    setAttr(element, "data-swipe-run", this.runs.length > 0 ? (this.partnerRun ?? "") : "");
  }

  /** What the prepared comparison depends on, for the card's prepare key. */
  get runsKey(): string {
    return runsKeyOf(this.runs);
  }

  /** runsKey at the card's step `step`, as it will be when the card shows that step. */
  runsKeyAt(step: number): string {
    return runsKeyOf(this.runsAt(step, false));
  }

  /** Whether runs are compared at the card's step `step`. */
  activeAt(step: number): boolean {
    return this.runsAt(step, false).length > 0;
  }

  get active(): boolean {
    return this.runs.length > 0;
  }
}

/** What the images of the compared runs' panels are painted with, and the key they start with. */
interface RunImageOptions {
  valueLut: Uint8Array;
  diffLut: Uint8Array;
  valueRange: ColorRange;
  diffRange: ColorRange;
  rows: number;
  cols: number;
  base: string;
}

/** Which runs are compared, at which steps, loaded or not, and their pinned steps. */
function runsKeyOf(runs: readonly ComparedRun[]): string {
  return JSON.stringify(
    runs.map((r) => [r.run, r.match.step, r.data !== null, r.pinned?.match.step, r.pinned?.data !== null]),
  );
}

/** What the preparation of `runs` depends on besides their data. */
function preparedKeyOf(
  runs: readonly ComparedRun[],
  ownTarget: DecodedArray | null,
  settings: Settings,
  planeKey: string,
): string {
  return JSON.stringify([runsKeyOf(runs), ownTarget?.values.length ?? null, settings.diffMode, planeKey]);
}

/** Whether a run's step has settled: loaded, failed, or there is none to load. */
function settled(run: ComparedRun): boolean {
  return run.data !== null || run.error !== null || run.match.step === null;
}

function sameData(a: readonly ComparedRun[], b: readonly ComparedRun[]): boolean {
  return a.length === b.length && a.every((run, i) => run.data === b[i]!.data);
}

/** The colour range of the prepared runs' values and their largest |diff|. */
function sharedRanges(prepared: readonly PreparedRun[]): { values: ColorRange | null; maxAbsDiff: number } {
  let values: ColorRange | null = null;
  let maxAbsDiff = 0;
  for (const p of prepared) {
    values = unionRange(values, finiteRange(p.predicted.values));
    if (p.target) values = unionRange(values, finiteRange(p.target.values));
    if (p.diff) maxAbsDiff = Math.max(maxAbsDiff, maxAbsFinite(p.diff));
  }
  return { values, maxAbsDiff };
}
