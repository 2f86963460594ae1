// A lowest-point view: any scalar series of a run with TensorBoard's
// smoothing, its running-minimum records ranked as candidates, the markers
// training code wrote, the nearest saved checkpoint of each, and whether the
// curve has been rising since the low. "Go to step" moves the mel, noise and
// similarity cards to a candidate's step; when the run's mel comparison has
// audio, a candidate's step (or the nearest with audio) can be heard there.
// Other runs with the same tag can be compared: their curves overlaid in
// their run colours on the same axes, each run's final low and its checkpoint
// marked, and a row per run side by side.

import type { LowestQuery } from "../api/client";
import type { LowestCandidate, LowestMarker, LowestResponse, ScalarIndex } from "../api/types";
import { MAX_COMPARED_RUNS } from "../compare/url-state";
import {
  chartPlot,
  indexAtOrBeforeStep,
  indexAtX,
  lineSegments,
  mergedSteps,
  stepsDomain,
  stepTicks,
  valueDomain,
  xOf,
  yOf,
  type Domain,
} from "../render/line-chart";
import type { Rect } from "../render/layout";
import { formatTick, formatValue, niceTicks, unionRange, type ColorRange } from "../render/scale";
import type { LowestCardActions } from "../state/actions";
import type { LowestCardState, Settings } from "../state/app-state";
import { CandidateListening } from "./candidate-listening";
import { el, fitCanvas, setAttr, setHidden, setOptions, setText, themeColor } from "./dom";

const CHART_HEIGHT = 220; // CSS pixels
const ROWS_SHOWN = 8; // rows of a table before "show all"
const SMOOTHING_DEBOUNCE_MS = 120; // the slider asks the server once it rests this long

export const LOWEST_CARD_STYLES = `
.spectro-lowest-card .spectro-lowest-controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 6px 0; color: var(--spectro-muted); }
.spectro-lowest-card .spectro-lowest-controls label { display: inline-flex; gap: 6px; align-items: center; }
.spectro-lowest-card .spectro-lowest-controls select { max-width: 260px; }
.spectro-lowest-card .spectro-smoothing { width: 120px; accent-color: var(--spectro-accent); }
.spectro-lowest-card .spectro-smoothing-value { font-variant-numeric: tabular-nums; min-width: 3.2em; }
.spectro-lowest-chart { position: relative; }
.spectro-lowest-chart canvas { display: block; width: 100%; height: ${CHART_HEIGHT}px; cursor: crosshair; }
.spectro-lowest-readout { font-variant-numeric: tabular-nums; min-height: 18px; margin: 2px 0 4px; white-space: pre-wrap; overflow: hidden; }
.spectro-hint { margin: 6px 0 2px; padding: 4px 8px; border-radius: 4px; border-left: 3px solid var(--spectro-border); }
.spectro-hint[data-rising="true"] { border-left-color: var(--spectro-warning); }
.spectro-hint-rule, .spectro-lowest-footnote { color: var(--spectro-muted); font-size: 12px; margin: 2px 0 6px; }
.spectro-lowest-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin: 4px 0; }
.spectro-lowest-table caption { text-align: left; color: var(--spectro-muted); padding: 4px 0; }
.spectro-lowest-table th { text-align: left; font-weight: 500; color: var(--spectro-muted); border-bottom: 1px solid var(--spectro-border); padding: 2px 8px 2px 0; }
.spectro-lowest-table td { padding: 2px 8px 2px 0; border-bottom: 1px solid var(--spectro-border); vertical-align: top; }
.spectro-lowest-table td.spectro-path { overflow-wrap: anywhere; max-width: 260px; }
.spectro-badge { display: inline-block; border-radius: 3px; padding: 0 5px; font-size: 11px; margin-left: 4px;
  background: var(--spectro-accent); color: #fff; }
.spectro-missing { color: var(--spectro-warning); }
.spectro-lowest-runs td.spectro-run-name { font-weight: 500; overflow-wrap: anywhere; max-width: 220px; }
.spectro-lowest-runs .spectro-run-swatch { margin-right: 6px; }
`;

function valueText(value: number | null | undefined): string {
  return typeof value === "number" ? formatValue(value) : "—";
}

function distanceText(distance: number): string {
  if (distance === 0) return "at this step";
  return distance < 0 ? `${-distance} steps before` : `${distance} steps after`;
}

/** A cell with the nearest saved checkpoint, and what became of the one a marker recorded here. */
function checkpointCell(candidate: LowestCandidate): HTMLElement {
  const cell = el("td", { className: "spectro-checkpoint" });
  const checkpoint = candidate.checkpoint;
  if (checkpoint) {
    cell.append(
      el("span", { className: "spectro-checkpoint-name", text: checkpoint.name, title: checkpoint.path }),
      document.createTextNode(` (${distanceText(checkpoint.distance)})`),
    );
    cell.dataset.checkpoint = checkpoint.name;
  } else {
    cell.append(el("span", { className: "spectro-missing", text: "no saved checkpoint found" }));
  }
  const recorded = candidate.recorded;
  if (recorded && recorded.exists === false) {
    cell.append(
      el("div", {
        className: "spectro-missing spectro-deleted",
        text: `recorded ${recorded.path}: deleted`,
        title: recorded.path,
      }),
    );
  } else if (recorded && recorded.exists === null) {
    cell.append(
      el("div", {
        className: "spectro-missing",
        text: `recorded ${recorded.path}: cannot tell (${recorded.error ?? "unknown"})`,
      }),
    );
  }
  return cell;
}

function markerStatus(marker: LowestMarker): HTMLElement {
  if (!marker.checkpoint_path) return el("td", { text: "—" });
  const status = marker.checkpoint;
  const cell = el("td", { className: "spectro-path" }, [el("span", { text: marker.checkpoint_path })]);
  if (status?.exists === false)
    cell.append(el("span", { className: "spectro-missing spectro-deleted", text: " deleted" }));
  else if (status?.exists === null)
    cell.append(el("span", { className: "spectro-missing", text: ` cannot tell (${status.error ?? "unknown"})` }));
  else if (status?.exists === true) cell.append(el("span", { className: "spectro-exists", text: " ✓" }));
  return cell;
}

interface ChartGeometry {
  plot: Rect;
  x: Domain;
  y: Domain;
  /** Every drawn series' steps, merged: the steps the pointer picks from. */
  steps: number[];
}

/** A run whose curve the view overlays on its own. */
interface ComparedRun {
  run: string;
  color: string;
  /** The last answer for this run and tag; kept while a new one loads. */
  data: LowestResponse | null;
  error: string | null;
  loading: boolean;
}

/** A series drawn on the chart: the view's own run first, then the compared ones. */
interface DrawnSeries {
  run: string;
  color: string;
  data: LowestResponse;
}

/** What a drawing of an answer depends on. */
function answerKey(answer: LowestResponse | null): unknown {
  if (answer === null) return null;
  const steps = answer.points.step;
  return [answer.run, answer.tag, answer.smoothing, answer.ignore_outliers, steps.length, steps[steps.length - 1]];
}

/** A run's value at `step`: the nearest logged at or before it, raw and smoothed. */
function valueAt(
  answer: LowestResponse,
  step: number,
): { step: number; value: number | null; smoothed: number | null } | null {
  const index = indexAtOrBeforeStep(answer.points.step, step);
  if (index < 0) return null;
  return {
    step: answer.points.step[index]!,
    value: answer.points.value[index] ?? null,
    smoothed: answer.points.smoothed[index] ?? null,
  };
}

/** The final low's candidate: the record never reached again, with its nearest checkpoint. */
function finalCandidate(answer: LowestResponse): LowestCandidate | undefined {
  return answer.candidates.find((candidate) => candidate.is_final_low);
}

export class LowestCard {
  readonly element: HTMLElement;
  private readonly title = el("h3", { className: "spectro-card-title" });
  private readonly runText = el("span", { className: "spectro-card-run" });
  private readonly loading = el("span", { className: "spectro-loading" });
  private readonly runSelect = el("select", { className: "spectro-lowest-run", attrs: { "aria-label": "run" } });
  private readonly tagSelect = el("select", { className: "spectro-lowest-tag", attrs: { "aria-label": "scalar tag" } });
  private readonly smoothing = el("input", {
    className: "spectro-smoothing",
    attrs: { type: "range", min: "0", max: "0.999", step: "0.001", "aria-label": "smoothing" },
  });
  private readonly smoothingValue = el("span", { className: "spectro-smoothing-value" });
  private readonly outliers = el("input", { className: "spectro-ignore-outliers", attrs: { type: "checkbox" } });
  /** Checkboxes of the other runs with the view's tag, in their run colours. */
  private readonly chooser = el("div", { className: "spectro-compare-runs spectro-lowest-compare" });
  /** A row per run when runs are compared: its final low, checkpoint, rise and value at the hovered step. */
  private readonly runsTable = el("table", { className: "spectro-lowest-table spectro-lowest-runs" });
  private readonly canvas = el("canvas", { className: "spectro-lowest-canvas" });
  private readonly readout = el("div", { className: "spectro-lowest-readout" });
  private readonly error = el("div", { className: "spectro-error" });
  private readonly empty = el("div", { className: "spectro-lowest-empty" });
  private readonly hint = el("div", { className: "spectro-hint" });
  private readonly rule = el("div", { className: "spectro-hint-rule" });
  private readonly candidates = el("table", { className: "spectro-lowest-table spectro-candidates" });
  private readonly markers = el("table", { className: "spectro-lowest-table spectro-markers" });
  private readonly footnote = el("div", { className: "spectro-lowest-footnote" });
  private readonly expanded = { candidates: false, markers: false };
  private card: LowestCardState;
  private shown: LowestResponse | null = null;
  private drawnKey = "";
  private tablesFor: LowestResponse | null = null;
  private geometry: ChartGeometry | null = null;
  /** The step under the pointer (a logged step of a drawn series), or null. */
  private hoverStep: number | null = null;
  private compared: ComparedRun[] = [];
  private chooserKey = "";
  private runsTableKey: unknown[] = [];
  private smoothingTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listening: CandidateListening;

  constructor(
    card: LowestCardState,
    private readonly actions: LowestCardActions,
  ) {
    this.card = card;
    this.runSelect.addEventListener("change", () => actions.setLowest(this.card.key, { run: this.runSelect.value }));
    this.tagSelect.addEventListener("change", () => actions.setLowest(this.card.key, { tag: this.tagSelect.value }));
    this.smoothing.addEventListener("input", () => {
      setText(this.smoothingValue, Number(this.smoothing.value).toFixed(3));
      clearTimeout(this.smoothingTimer);
      this.smoothingTimer = setTimeout(
        () => actions.setSettings({ smoothing: Number(this.smoothing.value) }),
        SMOOTHING_DEBOUNCE_MS,
      );
    });
    this.outliers.addEventListener("change", () => actions.setSettings({ ignoreOutliers: this.outliers.checked }));
    this.canvas.addEventListener("pointermove", (event) => this.hover(event));
    this.canvas.addEventListener("pointerleave", () => this.hover(null));
    this.canvas.addEventListener("click", (event) => {
      const step = this.stepAt(event);
      if (step !== null) actions.goToStep(step);
    });
    this.element = el(
      "section",
      { className: "spectro-card spectro-lowest-card", attrs: { "data-kind": "lowest_point" } },
      [
        el("header", { className: "spectro-card-header" }, [this.title, this.runText, this.loading]),
        el("div", { className: "spectro-lowest-controls" }, [
          el("label", { text: "run" }, [this.runSelect]),
          el("label", { text: "scalar" }, [this.tagSelect]),
          el(
            "label",
            {
              title: "TensorBoard's smoothing: the debiased exponential moving average of its Scalars tab, same weight",
            },
            [document.createTextNode("smoothing"), this.smoothing, this.smoothingValue],
          ),
          el("label", { title: "Scale the chart to the 5th–95th percentiles, as TensorBoard's option" }, [
            this.outliers,
            document.createTextNode("ignore outliers"),
          ]),
        ]),
        this.chooser,
        this.error,
        el("div", { className: "spectro-lowest-chart" }, [this.canvas]),
        this.readout,
        this.runsTable,
        this.empty,
        this.hint,
        this.rule,
        this.candidates,
        this.markers,
        this.footnote,
      ],
    );
    this.listening = new CandidateListening(actions, this.element);
  }

  forgetDrawings(): void {
    this.drawnKey = "";
  }

  update(card: LowestCardState, scalars: ScalarIndex | null, settings: Settings): void {
    this.card = card;
    this.element.dataset.run = card.run;
    this.element.dataset.tag = card.tag;
    setText(this.title, card.tag);
    setText(this.runText, card.run);
    const runs = Object.keys(scalars?.runs ?? {}).sort();
    setOptions(
      this.runSelect,
      runs.map((run) => [run, run]),
      card.run,
    );
    setOptions(
      this.tagSelect,
      [...(scalars?.runs[card.run] ?? [])].sort().map((tag) => [tag, tag]),
      card.tag,
    );
    if (document.activeElement !== this.smoothing && Number(this.smoothing.value) !== settings.smoothing) {
      this.smoothing.value = String(settings.smoothing);
    }
    if (document.activeElement !== this.smoothing) setText(this.smoothingValue, settings.smoothing.toFixed(3));
    if (this.outliers.checked !== settings.ignoreOutliers) this.outliers.checked = settings.ignoreOutliers;

    const query = { smoothing: settings.smoothing, ignoreOutliers: settings.ignoreOutliers };
    const entry = this.actions.requestLowest({ run: card.run, tag: card.tag, ...query });
    let errorText = "";
    if (entry.status === "loaded") this.shown = entry.data;
    else if (entry.status === "failed") errorText = entry.error;
    // While another answer loads, the last one stays up unless it was for another series.
    if (this.shown && (this.shown.run !== card.run || this.shown.tag !== card.tag)) this.shown = null;
    this.updateCompared(card, scalars, query);
    const loading = entry.status === "loading" || this.compared.some((run) => run.loading);
    setText(this.loading, loading ? "loading…" : "");
    setText(this.error, errorText);
    setHidden(this.error, errorText === "");
    this.element.dataset.smoothing = this.shown ? String(this.shown.smoothing) : "";
    setAttr(this.element, "data-compared", this.compared.map((run) => run.run).join("\n"));
    if (this.hoverStep !== null) this.updateReadout(); // answers of compared runs may have arrived
    this.draw();
    this.updateTables();
    this.updateRunsTable();
    this.listening.update(card.run);
  }

  /** The other runs with the view's tag: the chooser's boxes, and each chosen run's answer, loading it. */
  private updateCompared(
    card: LowestCardState,
    scalars: ScalarIndex | null,
    query: Omit<LowestQuery, "run" | "tag">,
  ): void {
    const runs = scalars?.runs ?? {};
    const comparable = Object.keys(runs)
      .filter((run) => run !== card.run && (runs[run] ?? []).includes(card.tag))
      .sort();
    this.updateChooser(card, comparable);
    const previous = this.compared;
    this.compared = card.compare
      .filter((run) => comparable.includes(run))
      .map((run) => {
        const entry = this.actions.requestLowest({ run, tag: card.tag, ...query });
        const kept = previous.find((other) => other.run === run)?.data ?? null;
        return {
          run,
          color: this.actions.runColor(run),
          data: entry.status === "loaded" ? entry.data : kept?.tag === card.tag ? kept : null,
          error: entry.status === "failed" ? entry.error : null,
          loading: entry.status === "loading",
        };
      });
  }

  private updateChooser(card: LowestCardState, comparable: string[]): void {
    const colors = comparable.map((run) => this.actions.runColor(run));
    const key = JSON.stringify([card.key, comparable, colors, card.compare]);
    if (key === this.chooserKey) return;
    this.chooserKey = key;
    const full = card.compare.length >= MAX_COMPARED_RUNS - 1;
    const boxes = comparable.map((run, i) => {
      const box = el("input", { attrs: { type: "checkbox", "data-run": run } });
      box.checked = card.compare.includes(run);
      box.disabled = !box.checked && full;
      box.addEventListener("change", () => {
        const compare = box.checked ? [...card.compare, run] : card.compare.filter((other) => other !== run);
        this.actions.setLowest(card.key, { compare });
      });
      const swatch = el("span", { className: "spectro-run-swatch" });
      swatch.style.background = colors[i]!;
      return el("label", { title: run }, [box, swatch, document.createTextNode(run)]);
    });
    this.chooser.replaceChildren(
      ...(boxes.length > 0 ? [el("span", { text: `compare with (up to ${MAX_COMPARED_RUNS - 1})` })] : []),
      ...boxes,
    );
    setHidden(this.chooser, boxes.length === 0);
  }

  /** The series on the chart: the view's own, then each compared run's that has an answer. */
  private drawnSeries(): DrawnSeries[] {
    const own = this.shown;
    const series: DrawnSeries[] = [];
    if (own) series.push({ run: own.run, color: this.actions.runColor(own.run), data: own });
    for (const run of this.compared) if (run.data) series.push({ run: run.run, color: run.color, data: run.data });
    return series;
  }

  private draw(): void {
    const shown = this.shown;
    const comparing = this.compared.length > 0;
    const series = comparing ? this.drawnSeries() : shown ? [{ run: shown.run, color: "", data: shown }] : [];
    const width = this.canvas.clientWidth;
    const key = JSON.stringify([
      width,
      this.hoverStep,
      answerKey(shown),
      comparing ? series.map((s) => [s.color, answerKey(s.data)]) : null,
    ]);
    if (key === this.drawnKey || width === 0) return;
    this.drawnKey = key;
    const context = fitCanvas(this.canvas, width, CHART_HEIGHT, true);
    context.clearRect(0, 0, width, CHART_HEIGHT);
    const plot = chartPlot(width, CHART_HEIGHT);
    const fg = themeColor(this.element, "--spectro-fg", "#212121");
    const muted = themeColor(this.element, "--spectro-muted", "#616161");
    const accent = themeColor(this.element, "--spectro-accent", "#f57c00");
    const warning = themeColor(this.element, "--spectro-warning", "#c62828");
    context.strokeStyle = muted;
    context.lineWidth = 1;
    context.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.width - 1, plot.height - 1);
    const stepLists = series.map((s) => s.data.points.step);
    if (stepLists.every((steps) => steps.length === 0)) {
      this.geometry = null;
      return;
    }
    // One step domain and one value domain over every drawn series.
    const x = stepsDomain(stepLists);
    const y = valueDomain(series.reduce<ColorRange | null>((range, s) => unionRange(range, s.data.y_range), null));
    this.geometry = { plot, x, y, steps: series.length === 1 ? [...stepLists[0]!] : mergedSteps(stepLists) };
    this.canvas.dataset.plot = [plot.x, plot.y, plot.width, plot.height].join(" ");
    this.canvas.dataset.xDomain = `${x.min} ${x.max}`;
    this.canvas.dataset.yDomain = `${y.min} ${y.max}`;
    context.font = "11px system-ui, sans-serif";
    context.fillStyle = muted;
    context.textAlign = "right";
    context.textBaseline = "middle";
    const valueTicks = niceTicks(y.min, y.max, Math.max(2, Math.floor(plot.height / 36)));
    for (const value of valueTicks) context.fillText(formatTick(value, valueTicks), plot.x - 6, yOf(value, y, plot));
    context.textAlign = "center";
    context.textBaseline = "top";
    for (const step of stepTicks(x, plot)) context.fillText(String(step), xOf(step, x, plot), plot.y + plot.height + 5);

    context.save();
    context.beginPath();
    context.rect(plot.x, plot.y, plot.width, plot.height);
    context.clip();
    const hint = shown?.hint;
    if (hint?.rising && hint.start_step !== null && hint.end_step !== null) {
      // The stretch the overtraining hint is about.
      const a = xOf(hint.start_step, x, plot);
      const b = xOf(hint.end_step, x, plot);
      context.fillStyle = warning;
      context.globalAlpha = 0.12;
      context.fillRect(a, plot.y, Math.max(b - a, 1), plot.height);
      context.globalAlpha = 1;
    }
    const strokeLine = (
      steps: readonly number[],
      line: readonly (number | null)[],
      colour: string,
      lineWidth: number,
      alpha: number,
    ): void => {
      context.strokeStyle = colour;
      context.lineWidth = lineWidth;
      context.globalAlpha = alpha;
      for (const segment of lineSegments(steps, line, x, y, plot)) {
        context.beginPath();
        segment.forEach((p, i) => (i === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
        if (segment.length === 1) context.arc(segment[0]!.x, segment[0]!.y, 1, 0, 2 * Math.PI);
        context.stroke();
      }
      context.globalAlpha = 1;
    };
    // The compared runs' curves first, the view's own on top; alone, it keeps the accent colour.
    for (const s of [...series].reverse()) {
      const colour = comparing ? s.color : accent;
      strokeLine(s.data.points.step, s.data.points.value, colour, 1, 0.3); // raw, faint, as TensorBoard draws it under the smoothed line
      strokeLine(s.data.points.step, s.data.points.smoothed, colour, 1.75, 1);
    }
    // Candidates on the smoothed curve (hollow) and at their raw value (dot); the final low filled and larger.
    for (const candidate of shown?.candidates ?? []) {
      const px = xOf(candidate.step, x, plot);
      context.fillStyle = fg;
      context.beginPath();
      context.arc(px, yOf(candidate.value, y, plot), 2, 0, 2 * Math.PI);
      context.fill();
      if (candidate.smoothed === null) continue;
      const py = yOf(candidate.smoothed, y, plot);
      context.strokeStyle = fg;
      context.lineWidth = 1.5;
      context.beginPath();
      // Compared, every run's final low is marked below in its colour.
      const final = candidate.is_final_low && !comparing;
      context.arc(px, py, final ? 6 : 4, 0, 2 * Math.PI);
      if (final) {
        context.fillStyle = warning;
        context.fill();
      }
      context.stroke();
    }
    // Markers written by training code, as small triangles under the axis line.
    context.fillStyle = muted;
    for (const marker of shown?.markers ?? []) {
      const px = xOf(marker.step, x, plot);
      const py = plot.y + plot.height;
      context.beginPath();
      context.moveTo(px, py - 8);
      context.lineTo(px - 4, py);
      context.lineTo(px + 4, py);
      context.closePath();
      context.fill();
    }
    if (comparing) this.drawCheckpoints(context, series, x, plot);
    if (this.hoverStep !== null) {
      const px = xOf(this.hoverStep, x, plot);
      context.strokeStyle = muted;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(px, plot.y);
      context.lineTo(px, plot.y + plot.height);
      context.stroke();
    }
    context.restore();
    // Unclipped: a low at the first or last step is drawn whole.
    if (comparing) this.drawFinalLows(context, series, x, y, plot, fg);
  }

  /** The checkpoint nearest to each run's final low, as a dashed line in its colour with a square at the top. */
  private drawCheckpoints(
    context: CanvasRenderingContext2D,
    series: readonly DrawnSeries[],
    x: Domain,
    plot: Rect,
  ): void {
    for (const s of series) {
      const checkpoint = finalCandidate(s.data)?.checkpoint;
      if (!checkpoint) continue;
      const px = xOf(checkpoint.step, x, plot);
      context.strokeStyle = s.color;
      context.lineWidth = 1;
      context.setLineDash([4, 3]);
      context.beginPath();
      context.moveTo(px, plot.y);
      context.lineTo(px, plot.y + plot.height);
      context.stroke();
      context.setLineDash([]);
      context.fillStyle = s.color;
      context.fillRect(px - 4, plot.y + 1, 8, 8);
    }
  }

  /** Each run's final low (the low its curve never reaches again) as a disc in its colour on its smoothed curve. */
  private drawFinalLows(
    context: CanvasRenderingContext2D,
    series: readonly DrawnSeries[],
    x: Domain,
    y: Domain,
    plot: Rect,
    fg: string,
  ): void {
    for (const s of series) {
      const low = s.data.final_low;
      if (!low) continue;
      const px = xOf(low.step, x, plot);
      const py = yOf(low.smoothed ?? low.value, y, plot);
      context.fillStyle = s.color;
      context.strokeStyle = fg;
      context.lineWidth = 1.5;
      context.beginPath();
      context.arc(px, py, 6, 0, 2 * Math.PI);
      context.fill();
      context.stroke();
    }
  }

  /** The logged step (of any drawn series) nearest to the pointer, or null. */
  private stepAt(event: MouseEvent): number | null {
    const geometry = this.geometry;
    if (!geometry) return null;
    const bounds = this.canvas.getBoundingClientRect();
    const index = indexAtX(geometry.steps, event.clientX - bounds.left, geometry.x, geometry.plot);
    return index >= 0 ? geometry.steps[index]! : null;
  }

  private hover(event: PointerEvent | null): void {
    const step = event ? this.stepAt(event) : null;
    if (step === this.hoverStep) return;
    this.hoverStep = step;
    this.updateReadout();
    this.draw();
    this.updateRunsTable();
  }

  /** The values at the hovered step: the view's own run's, or with compared runs each run's (nearest at or before). */
  private updateReadout(): void {
    const step = this.hoverStep;
    const shown = this.shown;
    if (step === null) {
      setText(this.readout, shown ? "Hover the chart for values; click to move the cards to a step." : "");
      return;
    }
    if (this.compared.length === 0) {
      const at = shown ? valueAt(shown, step) : null;
      setText(
        this.readout,
        at ? `step ${at.step}  raw ${valueText(at.value)}  smoothed ${valueText(at.smoothed)}` : "",
      );
      return;
    }
    const parts = this.drawnSeries().map((s) => {
      const at = valueAt(s.data, step);
      if (!at) return `${s.run} —`;
      const own = at.step === step ? "" : ` (step ${at.step})`;
      return `${s.run} ${valueText(at.value)} smoothed ${valueText(at.smoothed)}${own}`;
    });
    setText(this.readout, `step ${step}  ${parts.join("  ·  ")}`);
  }

  /**
   * With compared runs, a row per run side by side (the view's own first):
   * its name in its colour, its final low's step and value, the checkpoint
   * nearest to it, whether its smoothed curve has been rising since, and its
   * value at the hovered step.
   */
  private updateRunsTable(): void {
    const own = this.shown;
    const rows: ComparedRun[] =
      this.compared.length === 0
        ? []
        : [
            {
              run: this.card.run,
              color: this.actions.runColor(this.card.run),
              data: own,
              error: null,
              loading: own === null,
            },
            ...this.compared,
          ];
    const key = [this.hoverStep, ...rows.flatMap((row) => [row.run, row.color, row.data, row.error, row.loading])];
    if (key.length === this.runsTableKey.length && key.every((part, i) => part === this.runsTableKey[i])) return;
    this.runsTableKey = key;
    this.runsTable.replaceChildren();
    setHidden(this.runsTable, rows.length === 0);
    if (rows.length === 0) return;
    const hovered = this.hoverStep === null ? "at the hovered step" : `at step ${this.hoverStep}`;
    this.runsTable.append(
      el("caption", { text: "Runs compared: each run's final low (the low its curve never reaches again)" }),
      el("thead", {}, [
        el(
          "tr",
          {},
          ["run", "final low step", "raw", "smoothed", "checkpoint", "since the low", hovered].map((h) =>
            el("th", { text: h }),
          ),
        ),
      ]),
      el(
        "tbody",
        {},
        rows.map((row) => this.runRow(row)),
      ),
    );
  }

  private runRow(row: ComparedRun): HTMLTableRowElement {
    const swatch = el("span", { className: "spectro-run-swatch" });
    swatch.style.background = row.color;
    const name = el("td", { className: "spectro-run-name", title: row.run }, [swatch, el("span", { text: row.run })]);
    name.style.color = row.color;
    const tr = el("tr", { attrs: { "data-run": row.run, "data-color": row.color } }, [name]);
    const data = row.data;
    if (!data) {
      const text = row.error ?? (row.loading ? "loading…" : "no answer");
      tr.append(el("td", { className: row.error ? "spectro-error" : "", text, attrs: { colspan: "6" } }));
      return tr;
    }
    const low = data.final_low;
    const candidate = finalCandidate(data);
    const checkpoint = candidate?.checkpoint ?? null;
    const checkpointCell = el("td", { className: "spectro-path spectro-checkpoint" });
    if (!low) checkpointCell.append(document.createTextNode("—"));
    else if (checkpoint) {
      checkpointCell.append(el("span", { text: checkpoint.path, title: checkpoint.path }));
      if (checkpoint.distance !== 0)
        checkpointCell.append(document.createTextNode(` (${distanceText(checkpoint.distance)})`));
      tr.dataset.checkpoint = checkpoint.name;
      tr.dataset.checkpointPath = checkpoint.path;
    } else {
      checkpointCell.append(el("span", { className: "spectro-missing", text: "missing" }));
      tr.dataset.checkpoint = "";
    }
    const rising = data.hint.rising;
    const at = this.hoverStep === null ? null : valueAt(data, this.hoverStep);
    tr.append(
      el("td", { text: low ? String(low.step) : (data.empty_reason ?? "—") }),
      el("td", { text: valueText(low?.value) }),
      el("td", { text: valueText(low?.smoothed) }),
      checkpointCell,
      el("td", {
        className: rising ? "spectro-missing" : "",
        text: low ? (rising ? "rising" : "not rising") : "—",
        title: data.hint.explanation,
      }),
      el("td", {
        text: at ? `${valueText(at.value)}${at.step === this.hoverStep ? "" : ` (step ${at.step})`}` : "—",
      }),
    );
    if (low) {
      tr.dataset.finalStep = String(low.step);
      tr.dataset.finalValue = String(low.value);
    }
    tr.dataset.rising = String(rising);
    if (at && at.value !== null) tr.dataset.hoverValue = String(at.value);
    return tr;
  }

  private updateTables(): void {
    const shown = this.shown;
    if (shown === this.tablesFor) return;
    this.tablesFor = shown;
    const emptyText = shown?.empty_reason ?? "";
    setText(this.empty, emptyText);
    setHidden(this.empty, emptyText === "");
    setText(this.hint, shown && !shown.empty_reason ? shown.hint.explanation : "");
    this.hint.dataset.rising = String(shown?.hint.rising ?? false);
    setHidden(this.hint, !shown || shown.empty_reason !== null);
    setText(this.rule, shown && !shown.empty_reason ? shown.hint.rule : "");
    setHidden(this.rule, !shown || shown.empty_reason !== null);
    if (this.hoverStep === null)
      setText(this.readout, shown ? "Hover the chart for values; click to move the cards to a step." : "");

    this.candidates.replaceChildren();
    this.listening.resetButtons();
    if (shown && shown.candidates.length > 0) {
      this.candidates.append(
        el("caption", {
          text: "Lowest points: running-minimum records of the raw values, ranked by the smoothed value",
        }),
        el("thead", {}, [
          el(
            "tr",
            {},
            ["#", "step", "raw", "smoothed", "nearest saved checkpoint", "audio", ""].map((h) => el("th", { text: h })),
          ),
        ]),
        el(
          "tbody",
          {},
          this.shownRows("candidates", shown.candidates).map((candidate) => this.candidateRow(candidate)),
        ),
      );
      this.appendShowAll(this.candidates, "candidates", shown.candidates.length, 7);
    }
    setHidden(this.candidates, !shown || shown.candidates.length === 0);

    this.markers.replaceChildren();
    if (shown && shown.markers.length > 0) {
      this.markers.append(
        el("caption", { text: "Markers written by training code (lowest_point, LowestPointTracker)" }),
        el("thead", {}, [
          el(
            "tr",
            {},
            ["step", "value", "smoothed", "epoch", "checkpoint"].map((h) => el("th", { text: h })),
          ),
        ]),
        el(
          "tbody",
          {},
          this.shownRows("markers", shown.markers).map((marker) => {
            const row = el("tr", {}, [
              el("td", { text: String(marker.step) }),
              el("td", { text: valueText(marker.value) }),
              el("td", { text: valueText(marker.smoothed_value) }),
              el("td", { text: marker.epoch === null ? "—" : String(marker.epoch) }),
              markerStatus(marker),
            ]);
            row.dataset.step = String(marker.step);
            return row;
          }),
        ),
      );
      this.appendShowAll(this.markers, "markers", shown.markers.length, 5);
    }
    setHidden(this.markers, !shown || shown.markers.length === 0);

    const notes: string[] = [];
    if (shown) {
      const searched = shown.checkpoints;
      if (searched.note) notes.push(searched.note);
      else notes.push(`Checkpoints: ${searched.count} found in ${searched.searched.join(", ")}.`);
      if (shown.dropped_resumed > 0) {
        notes.push(
          `${shown.dropped_resumed} earlier writes of steps that a resumed run wrote again are left out; the later write wins.`,
        );
      }
    }
    setText(this.footnote, notes.join(" "));
  }

  /**
   * The rows a table shows: all when expanded, else the first few. Candidates
   * come best first; of the markers the latest matter, so they show the last
   * ones, the final marker among them.
   */
  private shownRows<T>(table: "candidates" | "markers", rows: readonly T[]): readonly T[] {
    if (this.expanded[table] || rows.length <= ROWS_SHOWN) return rows;
    return table === "candidates" ? rows.slice(0, ROWS_SHOWN) : rows.slice(rows.length - ROWS_SHOWN);
  }

  private appendShowAll(
    tableElement: HTMLTableElement,
    table: "candidates" | "markers",
    count: number,
    columns: number,
  ): void {
    if (count <= ROWS_SHOWN) return;
    const expanded = this.expanded[table];
    const button = el("button", {
      className: "spectro-show-all",
      text: expanded ? `Show ${ROWS_SHOWN}` : `Show all ${count}`,
      attrs: { type: "button" },
    });
    button.addEventListener("click", () => {
      this.expanded[table] = !expanded;
      this.tablesFor = null;
      this.updateTables();
    });
    const cell = el("td", { attrs: { colspan: String(columns) } }, [button]);
    tableElement.append(el("tfoot", {}, [el("tr", {}, [cell])]));
  }

  private candidateRow(candidate: LowestCandidate): HTMLTableRowElement {
    const go = el("button", {
      className: "spectro-go-to-step",
      text: "Go to step",
      attrs: { type: "button" },
      title: "Move the mel, noise and similarity cards to this step (the nearest logged at or before it)",
    });
    go.addEventListener("click", () => this.actions.goToStep(candidate.step));
    const stepCell = el("td", { text: String(candidate.step) });
    if (candidate.is_final_low)
      stepCell.append(
        el("span", { className: "spectro-badge", text: "final low", title: "The low never reached again" }),
      );
    const row = el("tr", {}, [
      el("td", { text: String(candidate.rank) }),
      stepCell,
      el("td", { text: valueText(candidate.value) }),
      el("td", { text: valueText(candidate.smoothed) }),
      checkpointCell(candidate),
      el("td", {}, [this.listening.button(candidate.step)]),
      el("td", {}, [go]),
    ]);
    row.dataset.step = String(candidate.step);
    row.dataset.finalLow = String(candidate.is_final_low);
    return row;
  }
}
