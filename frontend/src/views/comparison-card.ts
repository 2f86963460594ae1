// A card comparing two arrays of one step (mel target and predicted, actual
// and predicted noise): the two and their difference stacked on one column
// axis, sharing the step, the zoom window, the cursor and the colour range.
// With one array (a single spectrogram, an alignment) it is the same card
// with one panel. A sample may carry an alignment on the same columns (a mel
// comparison's), shown as a panel under the others.
// A subclass describes its kind (array names, titles, how the diff is taken,
// axis labels) and answers the few questions that differ between kinds.

import type { StepData } from "../api/client";
import type { DecodedArray } from "../api/decode";
import type { NonfiniteCounts, StepInfo } from "../api/types";
import { ABS_DIFF_MAP, colormapLut, SIGNED_DIFF_MAP, type ColormapName } from "../colormaps";
import type { Plane } from "../render/noise";
import { alignmentRange, mostAttended, tokenLabel } from "../render/alignment";
import {
  diffRange,
  diffValues,
  finiteRange,
  formatValue,
  maxAbsFinite,
  unionRange,
  usableRange,
  type ColorRange,
} from "../render/scale";
import {
  clampWindow,
  fullWindow,
  isFullWindow,
  panBy,
  windowFromSelection,
  zoomAt,
  type FrameWindow,
} from "../render/zoom";
import type { CardActions } from "../state/actions";
import type { CardState, Cursor, Settings } from "../state/app-state";
import { CardFrame } from "./card-frame";
import type { CardView } from "./card-view";
import { download, el, safeFileName, setAttr, setHidden, setOptions, setText, sizeOf, watchSize } from "./dom";
import { COMPARE_RUNS_STYLES, FLICKER_KEY, RunComparison } from "./compare-runs";
import { HeatmapPanel, type Cell, type OutlinedCells, type PanelImage } from "./heatmap-panel";
import { TrendChart } from "./trend-chart";

export type { Plane };

const PANEL_HEIGHT = 150; // CSS pixels of each panel; the bottom one adds the column axis
const AXIS_HEIGHT = 22; // CSS pixels the column axis adds to a panel
/** The colour map of an alignment attached to a sample: sequential, from 0. */
export const ALIGNMENT_MAP: ColormapName = "viridis";

export const COMPARISON_CARD_STYLES = `
.spectro-sample-row { display: flex; gap: 10px; align-items: center; margin: 6px 0; color: var(--spectro-muted); min-height: 24px; }
.spectro-sample-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; flex: 1; }
.spectro-readout { font-variant-numeric: tabular-nums; min-height: 18px; margin: 4px 0; white-space: pre-wrap; }
.spectro-stats { display: flex; gap: 12px; align-items: center; margin-top: 6px; font-variant-numeric: tabular-nums; }
.spectro-stats-text { white-space: nowrap; }
${COMPARE_RUNS_STYLES}`;

export interface PanelSpec {
  /** The panel's data-panel name; the readout's data-* name of its value. */
  name: string;
  title: string;
}

/** What a kind of comparison card is, as data. */
export interface ComparisonSpec {
  /** Class of the card element, beside spectro-card. */
  className: string;
  /** The arrays of a /data step the panels show, in panel order: two compared, or one alone. */
  arrays: readonly [string, string] | readonly [string];
  /** The panels: the two arrays, then their difference (named "diff"); or the one array's. */
  panels: readonly [PanelSpec, PanelSpec, PanelSpec] | readonly [PanelSpec];
  /** The diff is arrays[minuend] − the other array (two arrays only). */
  minuend: 0 | 1;
  /** The diff in words, e.g. "target − predicted"; the diff panel shows it (two arrays only). */
  diffText: string;
  rowsLabel: string;
  colsLabel: string;
  /** Class and label of the select over the step's samples or slices. */
  selectorClass: string;
  selectorLabel: string;
  /** The arrow keys move steps even when the select has the focus. */
  stepKeysOnSelector: boolean;
  /** Name of the statistic of the trend chart. */
  trendLabel: string;
}

/** What the select and the text beside it show for a step. */
export interface Selection {
  options: [string, string][];
  selected: string;
  /** Shown beside the select; also its tooltip. */
  text: string;
  aside: string;
}

export interface StatsLine {
  text: string;
  title: string;
  data?: Record<string, string>;
}

/** The arrays of a step as loaded, and the plane of each the panels show. */
export interface Compared {
  first: DecodedArray;
  /** Null for a card of one array. */
  second: DecodedArray | null;
  /** Which slice of the arrays the panels show, e.g. a stack's channel. */
  slice: number;
}

/** An alignment on the columns of the card's arrays, and its token labels. */
export interface Attached {
  weights: DecodedArray;
  tokens: readonly string[] | null;
}

interface PreparedAttached extends Attached {
  path: Int32Array;
  range: ColorRange;
}

interface Prepared {
  data: StepData;
  first: Plane;
  /** The second array's and the diff's planes; null for a card of one array. */
  second: Plane | null;
  diff: Plane | null;
  slice: number;
  valueRange: ColorRange;
  diffRange: ColorRange;
  attached: PreparedAttached | null;
  /** The pinned step whose prediction the diff subtracts, with that prediction's plane; null for the card's own diff. */
  pinned: { step: number; prediction: Plane } | null;
  key: string;
}

export abstract class ComparisonCard implements CardView {
  readonly element: HTMLElement;
  private readonly frame: CardFrame;
  private readonly selector: HTMLSelectElement;
  private readonly selectorLabel: HTMLLabelElement;
  private readonly selectionText = el("span", { className: "spectro-sample-text" });
  private readonly aside = el("span", { className: "spectro-lengths" });
  private readonly panels: HeatmapPanel[];
  /** The panel of an alignment a sample carries; hidden without one. */
  private readonly attachedPanel: HeatmapPanel;
  private readonly panelBox: HTMLDivElement;
  private readonly readout = el("div", { className: "spectro-readout" });
  private readonly statsText = el("span", { className: "spectro-stats-text" });
  private readonly trend: TrendChart;
  private readonly pngButton = el("button", {
    className: "spectro-download-png",
    text: "Download PNG",
    attrs: { type: "button" },
  });
  /** Pins the step shown, or unpins: the difference then compares the prediction with the pinned step's. */
  private readonly pinButton = el("button", {
    className: "spectro-pin-step",
    text: "Pin step",
    attrs: { type: "button" },
  });
  private readonly resetButton = el("button", {
    className: "spectro-reset-zoom",
    text: "Reset zoom",
    attrs: { type: "button" },
  });
  protected card: CardState;
  private settings: Settings | null = null;
  private prepared: Prepared | null = null;
  /** The step the card moves to next, prepared after the frame (see prepareAhead). */
  private ahead: Prepared | null = null;
  private diffBuffer: Float32Array | null = null;
  private aheadBuffer: Float32Array | null = null;
  /** Other runs compared on this card; null for a card of one array. */
  private readonly comparison: RunComparison;
  private drawnKey = "";
  private rowsKey = "";
  private trendKey = "";
  private overlayKey = "";

  /** `rowExtras` go after the select, `extras` after the stats line, `underPanels` between the panels and the readout. */
  constructor(
    card: CardState,
    protected readonly actions: CardActions,
    protected readonly spec: ComparisonSpec,
    rowExtras: HTMLElement[] = [],
    extras: HTMLElement[] = [],
    underPanels: HTMLElement[] = [],
  ) {
    this.card = card;
    const key = card.key;
    const gestures = {
      hover: (cell: Cell | null) => actions.setCursor(key, cell ? { frame: cell.col, bin: cell.row } : null),
      zoom: (anchor: number, factor: number) =>
        actions.setWindow(key, zoomAt(this.currentWindow(), anchor, factor, this.cols())),
      pan: (delta: number) => actions.setWindow(key, panBy(this.currentWindow(), delta, this.cols())),
      select: (a: number, b: number) => actions.setWindow(key, windowFromSelection(a, b, this.cols())),
      reset: () => actions.setWindow(key, null),
      click: (cell: Cell) => this.panelClicked(cell.col),
    };
    const last = spec.panels.length - 1;
    this.panels = spec.panels.map(
      (panel, i) => new HeatmapPanel(panel.name, panel.title, i === last, gestures, spec.rowsLabel, spec.colsLabel),
    );
    // Its rows are tokens, not the card's rows: a hover there is a column only (bin -1).
    this.attachedPanel = new HeatmapPanel(
      "alignment",
      "alignment",
      true,
      { ...gestures, hover: (cell: Cell | null) => actions.setCursor(key, cell ? { frame: cell.col, bin: -1 } : null) },
      "token",
      spec.colsLabel,
    );
    setHidden(this.attachedPanel.element, true);
    const roles =
      spec.arrays.length === 2
        ? { target: spec.arrays[spec.minuend]!, predicted: spec.arrays[spec.minuend === 0 ? 1 : 0]! }
        : { target: null, predicted: spec.arrays[0] };
    this.comparison = new RunComparison(card, actions, roles, gestures, spec.rowsLabel, spec.colsLabel, () => {
      this.forgetDrawings();
      if (this.settings) this.update(this.card, this.settings);
    });
    this.panelBox = el("div", { className: "spectro-panels" }, [
      ...this.panels.map((p) => p.element),
      this.comparison.panels,
      this.attachedPanel.element,
    ]);
    watchSize(this.panelBox);
    this.trend = new TrendChart(spec.trendLabel, (step) => actions.pickStep(key, step));
    this.selector = el("select", { className: spec.selectorClass, attrs: { "aria-label": spec.selectorLabel } });
    this.selectorLabel = el("label", { text: `${spec.selectorLabel} ` }, [this.selector]);
    this.selector.addEventListener("change", () => this.choose(Number(this.selector.value)));
    this.pngButton.addEventListener("click", () => this.downloadPng());
    this.resetButton.addEventListener("click", () => actions.setWindow(key, null));
    this.pinButton.addEventListener("click", () => {
      const step = this.card.steps[this.card.stepIndex]?.step;
      actions.setPinned(key, this.card.pinned === null && step !== undefined ? step : null);
    });
    setHidden(this.pinButton, spec.arrays.length < 2);
    this.frame = new CardFrame(card, actions, {
      className: spec.className,
      controls: [
        el("div", { className: "spectro-sample-row" }, [
          this.selectorLabel,
          ...rowExtras,
          this.selectionText,
          this.aside,
        ]),
        this.comparison.chooser,
      ],
      body: [this.panelBox, ...underPanels, this.readout, this.comparison.rows],
      footer: [el("div", { className: "spectro-stats" }, [this.statsText, this.trend.element]), ...extras],
      actions: [this.pinButton, this.pngButton, this.resetButton],
      stepKeysSelect: spec.stepKeysOnSelector ? this.selector : undefined,
      arrays: {
        sample: () => this.sample(),
        fileStem: (step) => this.fileStem(step),
        prefetch: (steps) => this.comparison.prefetch(steps),
        ready: (step) => this.comparison.ready(step),
        prepareAhead: (step) => this.prepareAhead(step),
        comparing: () => this.comparison.active,
      },
    });
    this.element = this.frame.element;
    const flicker = (held: boolean) => (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== FLICKER_KEY || event.target instanceof HTMLInputElement) return;
      if (event.target instanceof HTMLSelectElement) return;
      this.comparison.setFlicker(held);
    };
    this.element.addEventListener("keydown", flicker(true));
    this.element.addEventListener("keyup", flicker(false));
    this.element.addEventListener("blur", () => this.comparison.setFlicker(false));
  }

  // The questions a kind answers.

  // By default a step holds samples of 2-D arrays and the select chooses the
  // sample; a kind whose arrays are stacks (noise) chooses a slice instead.

  /** The sample /data is asked for. */
  protected sample(): number {
    return this.card.sample;
  }
  /** The select's options and the texts beside it. */
  protected abstract selection(step: StepInfo | undefined): Selection;
  /** The user chose option `value` of the select. */
  protected choose(value: number): void {
    this.actions.setSample(this.card.key, value);
  }
  /** The slice of the loaded arrays to show. */
  protected sliceOf(_first: DecodedArray): number {
    return 0;
  }
  /** Plane `slice` of an array. */
  protected plane(array: DecodedArray, _slice: number): Plane {
    return { values: array.values, rows: array.rows, cols: array.cols };
  }
  /** The colour map of the two arrays. */
  protected abstract valueMap(settings: Settings): ColormapName;
  /** The shared colour range of the two arrays of a step. */
  protected abstract valueRange(compared: Compared, settings: Settings): ColorRange;
  /** The largest |diff| the diff's colour range spans, given that of the step. */
  protected abstract diffMaxAbs(stepMaxAbs: number, settings: Settings): number;
  protected abstract nonfinite(step: StepInfo | undefined): NonfiniteCounts | undefined;
  /** The stats line, its tooltip and the data-* of the line's element. */
  protected abstract statsLine(step: StepInfo | undefined): StatsLine;
  protected abstract trendValue(step: StepInfo): number | null | undefined;
  /** The readout's text for a cell with these values, one per panel. */
  protected abstract readoutText(cursor: Cursor, values: readonly number[], slice: number): string;
  /** More data-* of the readout, e.g. the slice shown. */
  protected readoutData(_cursor: Cursor, _slice: number, _values: readonly number[]): Record<string, string> {
    return {};
  }
  /** An alignment the step's sample carries on the same columns, shown under the panels. */
  protected attached(_data: StepData): Attached | null {
    return null;
  }
  /** Labels of the rows, drawn on the row axis instead of indices. */
  protected rowLabels(_data: StepData): readonly string[] | null {
    return null;
  }
  /** Row 0 on the top line of the panels, instead of the bottom. */
  protected rowsFromTop(): boolean {
    return false;
  }
  /** Cells outlined on the first panel, e.g. an alignment's path. */
  protected outline(_first: Plane, _data: StepData): OutlinedCells | null {
    return null;
  }
  /** The name of a download of the step shown, without the extension. */
  protected abstract fileStem(step: number): string;
  /** Updates what the kind added to the card; called at the end of each update. */
  protected updateExtras(_card: CardState, _settings: Settings): void {}
  /** A click (a press released without dragging) on column `col` of a panel. */
  protected panelClicked(_col: number): void {}

  /** Puts a playhead across every panel at column coordinate `col` (fractional); null hides it. */
  protected setPlayhead(col: number | null): void {
    for (const panel of this.panels) panel.setPlayhead(col);
    this.attachedPanel.setPlayhead(this.prepared?.attached ? col : null);
  }

  /** The zoom window shown, or null when every column shows. */
  protected get zoomWindow(): FrameWindow | null {
    return this.card.window && this.prepared ? this.currentWindow() : null;
  }

  /** Columns of the arrays shown; 0 before a step has loaded. */
  protected get columns(): number {
    return this.prepared?.first.cols ?? 0;
  }

  /** CSS pixels of the panels' width as laid out. */
  protected get panelsWidth(): number {
    return sizeOf(this.panelBox).width;
  }

  /** Draws everything again on the next update (the theme's colours changed). */
  forgetDrawings(): void {
    this.drawnKey = "";
    this.trendKey = "";
    this.overlayKey = "";
  }

  /** The loaded step the panels show, if any. */
  protected get shown(): { data: StepData; slice: number } | null {
    return this.prepared ? { data: this.prepared.data, slice: this.prepared.slice } : null;
  }

  private cols(): number {
    return this.prepared?.first.cols ?? 1;
  }

  private currentWindow(): FrameWindow {
    const cols = this.cols();
    return this.card.window ? clampWindow(this.card.window, cols) : fullWindow(cols);
  }

  update(card: CardState, settings: Settings): void {
    this.card = card;
    this.settings = settings;
    const step: StepInfo | undefined = card.steps[card.stepIndex];
    this.comparison.update(card, this.sample());
    this.frame.update(card, (data) => this.prepare(data, settings));
    this.updateSelection(step);
    this.frame.flagNonfinite(this.nonfinite(step));
    this.draw();
    this.updateReadout();
    this.updateRunRows(step);
    this.updateStats(step);
    setHidden(this.resetButton, card.window === null);
    setText(this.pinButton, card.pinned === null ? "Pin step" : `Unpin step ${card.pinned}`);
    setAttr(
      this.pinButton,
      "title",
      card.pinned === null
        ? `compare later steps with this one: the difference shows ${this.predictionName()}(now) − ${this.predictionName()}(pinned)`
        : "",
    );
    setAttr(this.element, "data-pinned", card.pinned === null ? "" : String(card.pinned));
    setAttr(this.element, "data-pinned-shown", this.prepared?.pinned ? String(this.prepared.pinned.step) : "");
    const window = card.window && this.prepared ? this.currentWindow() : null;
    setAttr(this.element, "data-window", window ? `${window.start},${window.end}` : "");
    this.updateExtras(card, settings);
  }

  private updateSelection(step: StepInfo | undefined): void {
    const selection = this.selection(step);
    setOptions(this.selector, selection.options, selection.selected);
    setHidden(this.selectorLabel, selection.options.length < 2);
    setText(this.selectionText, selection.text);
    setAttr(this.selectionText, "title", selection.text);
    setText(this.aside, selection.aside);
  }

  /** The arrays of a step the panels show, and the slice of them. */
  private comparedOf(data: StepData): Compared {
    const names = this.spec.arrays;
    const first = data.arrays.get(names[0]);
    const second = names[1] === undefined ? null : data.arrays.get(names[1]);
    if (!first || second === undefined)
      throw new Error(`step ${data.description.step} of ${this.card.tag} has no ${names.join(" or ")} array`);
    return { first, second, slice: this.sliceOf(first) };
  }

  /** What a step's preparation depends on besides its data. */
  private preparedKey(
    data: StepData,
    slice: number,
    settings: Settings,
    pinnedData: StepData | null,
    runsKey = this.comparison.runsKey,
  ): string {
    return JSON.stringify([
      data.description.step,
      data.description.sample,
      slice,
      settings.diffMode,
      settings.rangeMode,
      settings.rangeMode === "series" ? `${this.card.steps.length}` : "",
      this.prepareKey(),
      pinnedData?.description.step ?? null,
      runsKey,
    ]);
  }

  /** Turns a loaded step into what the panels paint, once per step, slice and settings. */
  private prepare(data: StepData, settings: Settings): void {
    const compared = this.comparedOf(data);
    this.comparison.showAt(data.description.step);
    const pinnedData = compared.second ? this.pinnedData() : null;
    const key = this.preparedKey(data, compared.slice, settings, pinnedData);
    if (this.prepared && this.prepared.data === data && this.prepared.key === key) return;
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead && ahead.data === data && ahead.key === key) {
      // Prepared (and its panels painted) after the frame before; its diff is in the other buffer.
      [this.diffBuffer, this.aheadBuffer] = [this.aheadBuffer, this.diffBuffer];
      this.prepared = ahead;
      // The compared runs take what they prepared with it.
      if (this.comparison.active) this.prepareComparison(compared, settings, null);
      return;
    }
    this.prepared = this.compute(data, compared, settings, pinnedData, key, false)!;
  }

  /**
   * After the frame that shows a step: prepares the step the card moves to
   * next when its data is loaded, and paints its panels into their second
   * buffers, so that the frame showing it only puts pixels on the canvases
   * (a linked step change moves a dozen cards in one frame). With runs
   * compared, once each run's matching step has loaded, and their panels
   * too. Not while a step is pinned: its panels wait on other loads.
   */
  private prepareAhead(step: number): void {
    const settings = this.settings;
    if (!settings || this.card.pinned !== null) return;
    const entry = this.actions.peekStep({ run: this.card.run, tag: this.card.tag, step, sample: this.sample() });
    if (entry?.status !== "loaded" || entry.data === this.prepared?.data) return;
    const data = entry.data;
    const compared = this.comparedOf(data);
    const key = this.preparedKey(data, compared.slice, settings, null, this.comparison.runsKeyAt(step));
    if (this.ahead && this.ahead.data === data && this.ahead.key === key) return;
    if (this.comparison.activeAt(step) && !this.comparison.ready(step)) return;
    // Its diff goes in the buffer of the step prepared ahead before, which is given up.
    this.ahead = null;
    const ahead = this.compute(data, compared, settings, null, key, true);
    if (!ahead) return;
    this.ahead = ahead;
    this.panelImages(ahead, settings).forEach((image, i) => this.panels[i]!.paintAhead(image));
    if (!this.comparison.activeAt(step)) return;
    this.comparison.paintAhead({
      ...this.luts(settings),
      valueRange: ahead.valueRange,
      diffRange: ahead.diffRange,
      rows: ahead.first.rows,
      cols: ahead.first.cols,
      base: `${ahead.key}|${step}`,
    });
  }

  /** The colour tables of the values and of the differences, on the card's panels and its compared runs'. */
  private luts(settings: Settings): { valueLut: Uint8Array; diffLut: Uint8Array } {
    return {
      valueLut: colormapLut(this.valueMap(settings)),
      diffLut: colormapLut(settings.diffMode === "abs" ? ABS_DIFF_MAP : SIGNED_DIFF_MAP),
    };
  }

  /**
   * The compared runs' share of the colour ranges at the step of `compared`:
   * prepared for the step shown, or (`ahead`, the step the card moves to
   * next) for the step prepared ahead, null until its runs have loaded.
   */
  private prepareComparison(
    compared: Compared,
    settings: Settings,
    ahead: number | null,
  ): { values: ColorRange | null; maxAbsDiff: number } | null {
    const { first, second, slice } = compared;
    const ownTarget = second ? (this.spec.minuend === 0 ? first : second) : null;
    const plane = (array: DecodedArray) => this.plane(array, slice);
    return ahead === null
      ? this.comparison.prepare(ownTarget, plane, `${slice}`, settings)
      : this.comparison.prepareAhead(ahead, ownTarget, plane, `${slice}`, settings);
  }

  /**
   * What the panels paint for a step; `ahead` computes its diff in the
   * buffer the step shown does not use, and is null while a compared run's
   * step is still loading.
   */
  private compute(
    data: StepData,
    compared: Compared,
    settings: Settings,
    pinnedData: StepData | null,
    key: string,
    ahead: boolean,
  ): Prepared | null {
    const { first, second, slice } = compared;
    const prediction = this.spec.minuend === 0 ? 1 : 0;
    const pinnedArray = pinnedData?.arrays.get(this.spec.arrays[prediction]!) ?? null;
    const nowArray = prediction === 0 ? first : second;
    const pinned =
      pinnedData && pinnedArray && nowArray && pinnedArray.values.length === nowArray.values.length
        ? { step: pinnedData.description.step, prediction: this.plane(pinnedArray, slice) }
        : null;
    let diff: Float32Array | null = null;
    if (second) {
      const [minuend, subtrahend] = pinned
        ? [nowArray!, pinnedArray!]
        : this.spec.minuend === 0
          ? [first, second]
          : [second, first];
      // Two buffers per card: the step shown and the one prepared ahead; a step replaced is not shown any more.
      const count = minuend.values.length;
      let buffer = ahead ? this.aheadBuffer : this.diffBuffer;
      if (buffer?.length !== count) buffer = new Float32Array(count);
      if (ahead) this.aheadBuffer = buffer;
      else this.diffBuffer = buffer;
      diff = diffValues(minuend.values, subtrahend.values, settings.diffMode, buffer);
    }
    const attached = this.attached(data);
    let valueRange = this.valueRange(compared, settings);
    let diffMaxAbs = diff ? this.diffMaxAbs(maxAbsFinite(diff), settings) : 1;
    const step = data.description.step;
    if (ahead ? this.comparison.activeAt(step) : this.comparison.active) {
      // One colour range across every compared run.
      const shared = this.prepareComparison(compared, settings, ahead ? step : null);
      if (!shared) return null;
      valueRange = usableRange(unionRange(valueRange, shared.values));
      diffMaxAbs = Math.max(diffMaxAbs, shared.maxAbsDiff);
    }
    return {
      data,
      slice,
      first: this.plane(first, slice),
      second: second ? this.plane(second, slice) : null,
      diff: diff ? this.plane({ ...first, values: diff }, slice) : null,
      valueRange,
      // |diff| and the signed diff have the same largest magnitude.
      diffRange: diffRange(diffMaxAbs, settings.diffMode),
      attached: attached && {
        ...attached,
        path: mostAttended(attached.weights.values, attached.weights.rows, attached.weights.cols),
        range: alignmentRange(finiteRange(attached.weights.values)?.max ?? null, "max"),
      },
      pinned,
      key,
    };
  }

  /** The images of the card's own panels for a prepared step, each keyed by what it depends on. */
  private panelImages(prepared: Prepared, settings: Settings): (PanelImage & { values: Float32Array })[] {
    const { first, valueRange } = prepared;
    const valueMap = this.valueMap(settings);
    const { valueLut, diffLut } = this.luts(settings);
    const parts: { values: Float32Array; lut: Uint8Array; range: ColorRange; mapName: string }[] = [
      { values: first.values, lut: valueLut, range: valueRange, mapName: valueMap },
    ];
    if (prepared.second && prepared.diff) {
      parts.push(
        { values: prepared.second.values, lut: valueLut, range: valueRange, mapName: valueMap },
        {
          values: prepared.diff.values,
          lut: diffLut,
          range: prepared.diffRange,
          mapName: settings.diffMode,
        },
      );
    }
    const base = `${prepared.key}|${prepared.data.description.step}`;
    const rowLabels = this.rowLabels(prepared.data);
    return parts.map((part) => ({
      values: part.values,
      rows: first.rows,
      cols: first.cols,
      range: part.range,
      lut: part.lut,
      key: `${base}|${part.mapName}|${part.range.min}|${part.range.max}`,
      rowLabels,
    }));
  }

  private draw(): void {
    const prepared = this.prepared;
    const settings = this.settings;
    if (!settings) return;
    const width = sizeOf(this.panelBox).width;
    const window = this.currentWindow();
    const valueMap = this.valueMap(settings);
    const rowsFromTop = this.rowsFromTop();
    const drawKey = JSON.stringify([
      prepared?.key,
      prepared?.data.description.step,
      valueMap,
      width,
      window.start,
      window.end,
      rowsFromTop,
      this.outlineKey(),
      this.comparison.drawKey ?? "",
    ]);
    if (drawKey === this.drawnKey || width === 0) return;
    this.drawnKey = drawKey;
    const last = this.panels.length - 1;
    if (!prepared) {
      this.panels.forEach((panel, i) => panel.draw(window, width, PANEL_HEIGHT + (i === last ? AXIS_HEIGHT : 0)));
      return;
    }
    const { first, valueRange } = prepared;
    const { valueLut, diffLut } = this.luts(settings);
    const base = `${prepared.key}|${prepared.data.description.step}`;
    const images = this.panelImages(prepared, settings);
    this.element.dataset.shownSample = String(prepared.data.description.sample);
    const zoomed = isFullWindow(window, first.cols)
      ? ""
      : `${this.spec.colsLabel}s ${Math.floor(window.start)}–${Math.ceil(window.end) - 1}`;
    const diffWords = prepared.pinned
      ? `${this.predictionName()}(step ${prepared.data.description.step}) − ${this.predictionName()}(step ${prepared.pinned.step})`
      : this.spec.diffText;
    const diffText = settings.diffMode === "abs" ? `|${diffWords}|` : diffWords;
    this.element.dataset.diffText = diffText;
    const comparing = this.comparison.active === true;
    const predictedIndex = this.spec.arrays.length === 2 && this.spec.minuend === 0 ? 1 : 0;
    if (comparing) {
      // Under a swipe or a flicker the card's prediction panel shows another run's, there.
      const own = images[predictedIndex]!;
      const shown = this.comparison.predictionShown(own.values, first.rows, first.cols);
      images[predictedIndex] = { ...own, values: shown.values, key: shown.key ? `${own.key}|${shown.key}` : own.key };
    }
    const ownColor = this.actions.runColor(this.card.run);
    this.panels.forEach((panel, i) => {
      panel.element.classList.toggle("spectro-compare-panel", comparing);
      panel.element.style.borderLeftColor = comparing ? ownColor : "";
      panel.setRowsFromTop(rowsFromTop);
      panel.setImage(images[i]!);
      if (i === 0) panel.setOutline(this.outline(first, prepared.data));
      const height = PANEL_HEIGHT + (i === last ? AXIS_HEIGHT : 0);
      const isTarget = this.spec.arrays.length === 2 && i === this.spec.minuend;
      const runNote = comparing && !isTarget ? this.card.run : "";
      const targetNote = comparing && isTarget ? (this.comparison.targetsShared ? "every run's" : this.card.run) : "";
      const subtitle = [targetNote || runNote, i === 0 ? zoomed : i === 2 ? diffText : ""].filter(Boolean).join("  ");
      panel.draw(window, width, height, subtitle);
    });
    if (comparing || this.comparison.drawnRuns > 0) {
      this.comparison.draw({
        window,
        width,
        height: PANEL_HEIGHT,
        valueLut,
        diffLut,
        valueRange,
        diffRange: prepared.diffRange,
        rows: first.rows,
        cols: first.cols,
        diffText: settings.diffMode === "abs" ? `|${this.spec.diffText}|` : this.spec.diffText,
        base,
      });
      this.comparison.placeDivider(this.panels[predictedIndex]!, window, first.cols);
      this.comparison.describe(this.element);
    }
    this.drawAttached(prepared, window, width);
    this.frame.painted(prepared.data.description.step, comparing ? this.comparison.preparedRuns : 0);
  }

  /** The name of the predicted array (the one the diff subtracts), as the readout says it. */
  private predictionName(): string {
    return this.spec.arrays[this.spec.minuend === 0 ? 1 : 0] ?? "";
  }

  /** The pinned step's data, loading it; null while it loads, when it failed, or when no step is pinned. */
  private pinnedData(): StepData | null {
    const card = this.card;
    if (card.pinned === null) return null;
    const entry = this.actions.requestStep({ run: card.run, tag: card.tag, step: card.pinned, sample: this.sample() });
    return entry.status === "loaded" ? entry.data : null;
  }

  /** The card's own view choices the prepared step depends on (e.g. its colour range), so that a change prepares it again. */
  protected prepareKey(): string {
    return "";
  }

  /** What the outline depends on besides the step, so that a change redraws. */
  protected outlineKey(): string {
    return "";
  }

  private drawAttached(prepared: Prepared, window: FrameWindow, width: number): void {
    const attached = prepared.attached;
    setHidden(this.attachedPanel.element, attached === null);
    if (attached === null) return;
    const { weights, range } = attached;
    this.attachedPanel.setImage({
      values: weights.values,
      rows: weights.rows,
      cols: weights.cols,
      range,
      lut: colormapLut(ALIGNMENT_MAP),
      key: `${prepared.key}|${prepared.data.description.step}|alignment`,
      rowLabels: attached.tokens,
    });
    // The columns beyond the alignment's (a longer target) show empty, on the same axis.
    this.attachedPanel.draw(window, width, PANEL_HEIGHT + AXIS_HEIGHT, `${weights.rows} tokens`);
  }

  private updateReadout(): void {
    const prepared = this.prepared;
    const cursor = this.card.cursor;
    const overlayCursor = cursor ? { col: cursor.frame, row: cursor.bin } : null;
    const overlayKey = JSON.stringify([overlayCursor, this.drawnKey]);
    if (overlayKey !== this.overlayKey) {
      this.overlayKey = overlayKey;
      const cellCursor = overlayCursor && overlayCursor.row < 0 ? { col: overlayCursor.col, row: null } : overlayCursor;
      for (const panel of this.panels) panel.drawOverlay(cellCursor, null);
      this.comparison.drawCursor(cellCursor);
      if (prepared?.attached)
        this.attachedPanel.drawOverlay(overlayCursor && { col: overlayCursor.col, row: null }, null);
    }
    const dataset = this.readout.dataset;
    for (const name of ["frame", "bin", "token", "tokenLabel", "weight", ...this.spec.panels.map((p) => p.name)])
      delete dataset[name];
    setAttr(this.attachedPanel.element, "title", "");
    if (!prepared || !cursor || cursor.frame >= prepared.first.cols || cursor.bin >= prepared.first.rows) {
      setText(
        this.readout,
        prepared ? "Hover a panel for values; wheel or drag to zoom, shift-drag to pan, double-click to reset." : "",
      );
      return;
    }
    const parts: string[] = [];
    if (cursor.bin >= 0) {
      const index = cursor.bin * prepared.first.cols + cursor.frame;
      const first = prepared.first.values[index]!;
      const values = [first];
      if (prepared.second) {
        const second = prepared.second.values[index]!;
        const now = this.spec.minuend === 0 ? second : first;
        const diff = prepared.pinned
          ? now - prepared.pinned.prediction.values[index]!
          : this.spec.minuend === 0
            ? first - second
            : second - first;
        values.push(second, diff);
      }
      parts.push(this.readoutText(cursor, values, prepared.slice));
      this.spec.panels.forEach((panel, i) => (dataset[panel.name] = String(values[i])));
      Object.assign(dataset, { bin: String(cursor.bin), ...this.readoutData(cursor, prepared.slice, values) });
    } else {
      parts.push(`frame ${cursor.frame}`);
    }
    dataset.frame = String(cursor.frame);
    const attached = prepared.attached;
    const token = attached && cursor.frame < attached.weights.cols ? attached.path[cursor.frame]! : -1;
    if (attached && token >= 0) {
      const weight = attached.weights.values[token * attached.weights.cols + cursor.frame]!;
      const label = tokenLabel(attached.tokens, token);
      parts.push(`token ${token} ${JSON.stringify(label)} weight ${formatValue(weight)}`);
      Object.assign(dataset, { token: String(token), tokenLabel: label, weight: String(weight) });
      setAttr(this.attachedPanel.element, "title", label);
    }
    setText(this.readout, parts.join("  "));
  }

  /** With compared runs, a line per run: its step, stats and values at the cursor. */
  private updateRunRows(step: StepInfo | undefined): void {
    const comparison = this.comparison;
    const prepared = this.prepared;
    if (!comparison) return;
    const cursor = this.card.cursor;
    const key = JSON.stringify([cursor, this.drawnKey, comparison.runsKey, step?.step]);
    if (key === this.rowsKey) return;
    this.rowsKey = key;
    let own = { target: null as number | null, predicted: null as number | null, diff: null as number | null };
    const inside =
      prepared && cursor && cursor.bin >= 0 && cursor.bin < prepared.first.rows && cursor.frame < prepared.first.cols;
    if (inside && !prepared.second)
      own.predicted = prepared.first.values[cursor.bin * prepared.first.cols + cursor.frame]!;
    if (inside && prepared.second && prepared.diff) {
      const index = cursor.bin * prepared.first.cols + cursor.frame;
      const [target, predicted] =
        this.spec.minuend === 0 ? [prepared.first, prepared.second] : [prepared.second, prepared.first];
      if (cursor.frame < prepared.first.cols)
        own = {
          target: target.values[index]!,
          predicted: predicted.values[index]!,
          diff: target.values[index]! - predicted.values[index]!,
        };
    }
    comparison.updateRows(
      { run: this.card.run, ...own, stats: this.statsLine(step).text },
      cursor,
      (info) => this.statsLine(info).text,
    );
  }

  private updateStats(step: StepInfo | undefined): void {
    const line = this.statsLine(step);
    setText(this.statsText, line.text);
    setAttr(this.statsText, "title", line.title);
    Object.assign(this.statsText.dataset, line.data ?? {});
    const card = this.card;
    // The compared runs' trends overlaid, each in its run's colour.
    const others = this.comparison.active
      ? this.actions.comparable(card.key).filter((other) => card.compare.includes(other.run))
      : [];
    const trendKey = JSON.stringify([
      card.steps.length,
      card.steps[card.steps.length - 1]?.step,
      card.stepIndex,
      card.sample,
      sizeOf(this.trend.element).width,
      others.map((other) => [other.run, other.steps.length]),
    ]);
    if (trendKey === this.trendKey) return;
    this.trendKey = trendKey;
    this.trend.draw(
      card.steps.map((s) => s.step),
      card.steps.map((s) => this.trendValue(s)),
      card.stepIndex,
      others.map((other) => ({
        steps: other.steps.map((s) => s.step),
        values: other.steps.map((s) => this.trendValue(s)),
        color: this.actions.runColor(other.run),
      })),
      others.length > 0 ? this.actions.runColor(card.run) : undefined,
    );
  }

  /** The panels as one PNG, as they are drawn now. */
  private downloadPng(): void {
    const shown = this.prepared?.attached ? [...this.panels, this.attachedPanel] : this.panels;
    const canvases = shown.map((p) => p.plotCanvas);
    const out = document.createElement("canvas");
    out.width = Math.max(...canvases.map((c) => c.width));
    out.height = canvases.reduce((sum, c) => sum + c.height, 0);
    const context = out.getContext("2d")!;
    context.fillStyle = getComputedStyle(this.element).backgroundColor || "#fff";
    context.fillRect(0, 0, out.width, out.height);
    let y = 0;
    for (const canvas of canvases) {
      context.drawImage(canvas, 0, y);
      y += canvas.height;
    }
    const step = this.card.steps[this.card.stepIndex]?.step ?? 0;
    out.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      download(url, `${this.fileStem(step)}.png`);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, "image/png");
  }

  /** The file-name stem of a card's downloads: run and tag made safe. */
  protected safeStem(): string {
    return safeFileName(`${this.card.run}_${this.card.tag}`);
  }
}
