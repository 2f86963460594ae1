// A lowest-point view: any scalar series of a run with TensorBoard's
// smoothing, its running-minimum records ranked as candidates, the markers
// training code wrote, the nearest saved checkpoint of each, and whether the
// curve has been rising since the low. "Go to step" moves the mel, noise and
// similarity cards to a candidate's step; when the run's mel comparison has
// audio, a candidate's step (or the nearest with audio) can be heard there.

import type { LowestCandidate, LowestMarker, LowestResponse, ScalarIndex } from "../api/types";
import {
  chartPlot,
  indexAtX,
  lineSegments,
  stepDomain,
  stepTicks,
  valueDomain,
  xOf,
  yOf,
  type Domain,
} from "../render/line-chart";
import type { Rect } from "../render/layout";
import { formatTick, formatValue, niceTicks } from "../render/scale";
import type { LowestCardActions } from "../state/actions";
import type { LowestCardState, Settings } from "../state/app-state";
import { CandidateListening } from "./candidate-listening";
import { el, fitCanvas, setHidden, setOptions, setText, themeColor } from "./dom";

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
.spectro-lowest-readout { font-variant-numeric: tabular-nums; min-height: 18px; margin: 2px 0 4px; white-space: pre; overflow: hidden; }
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
  private hoverIndex = -1;
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
      const index = this.indexAt(event);
      const step = index >= 0 ? this.shown?.points.step[index] : undefined;
      if (step !== undefined) actions.goToStep(step);
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
        this.error,
        el("div", { className: "spectro-lowest-chart" }, [this.canvas]),
        this.readout,
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

    const entry = this.actions.requestLowest({
      run: card.run,
      tag: card.tag,
      smoothing: settings.smoothing,
      ignoreOutliers: settings.ignoreOutliers,
    });
    let errorText = "";
    if (entry.status === "loaded") this.shown = entry.data;
    else if (entry.status === "failed") errorText = entry.error;
    // While another answer loads, the last one stays up unless it was for another series.
    if (this.shown && (this.shown.run !== card.run || this.shown.tag !== card.tag)) this.shown = null;
    setText(this.loading, entry.status === "loading" ? "loading…" : "");
    setText(this.error, errorText);
    setHidden(this.error, errorText === "");
    this.element.dataset.smoothing = this.shown ? String(this.shown.smoothing) : "";
    this.draw();
    this.updateTables();
    this.listening.update(card.run);
  }

  private draw(): void {
    const shown = this.shown;
    const width = this.canvas.clientWidth;
    const key = JSON.stringify([
      width,
      this.hoverIndex,
      shown === null
        ? null
        : [
            shown.run,
            shown.tag,
            shown.smoothing,
            shown.ignore_outliers,
            shown.points.step.length,
            shown.points.step[shown.points.step.length - 1],
          ],
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
    if (!shown || shown.points.step.length === 0) {
      this.geometry = null;
      return;
    }
    const { step: steps, value: values, smoothed } = shown.points;
    const x = stepDomain(steps);
    const y = valueDomain(shown.y_range);
    this.geometry = { plot, x, y };
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
    const hint = shown.hint;
    if (hint.rising && hint.start_step !== null && hint.end_step !== null) {
      // The stretch the overtraining hint is about.
      const a = xOf(hint.start_step, x, plot);
      const b = xOf(hint.end_step, x, plot);
      context.fillStyle = warning;
      context.globalAlpha = 0.12;
      context.fillRect(a, plot.y, Math.max(b - a, 1), plot.height);
      context.globalAlpha = 1;
    }
    const strokeLine = (series: readonly (number | null)[], colour: string, lineWidth: number, alpha: number): void => {
      context.strokeStyle = colour;
      context.lineWidth = lineWidth;
      context.globalAlpha = alpha;
      for (const segment of lineSegments(steps, series, x, y, plot)) {
        context.beginPath();
        segment.forEach((p, i) => (i === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
        if (segment.length === 1) context.arc(segment[0]!.x, segment[0]!.y, 1, 0, 2 * Math.PI);
        context.stroke();
      }
      context.globalAlpha = 1;
    };
    strokeLine(values, accent, 1, 0.3); // raw, faint, as TensorBoard draws it under the smoothed line
    strokeLine(smoothed, accent, 1.75, 1);
    // Candidates on the smoothed curve (hollow) and at their raw value (dot); the final low filled and larger.
    for (const candidate of shown.candidates) {
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
      context.arc(px, py, candidate.is_final_low ? 6 : 4, 0, 2 * Math.PI);
      if (candidate.is_final_low) {
        context.fillStyle = warning;
        context.fill();
      }
      context.stroke();
    }
    // Markers written by training code, as small triangles under the axis line.
    context.fillStyle = muted;
    for (const marker of shown.markers) {
      const px = xOf(marker.step, x, plot);
      const py = plot.y + plot.height;
      context.beginPath();
      context.moveTo(px, py - 8);
      context.lineTo(px - 4, py);
      context.lineTo(px + 4, py);
      context.closePath();
      context.fill();
    }
    if (this.hoverIndex >= 0 && this.hoverIndex < steps.length) {
      const px = xOf(steps[this.hoverIndex]!, x, plot);
      context.strokeStyle = muted;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(px, plot.y);
      context.lineTo(px, plot.y + plot.height);
      context.stroke();
    }
    context.restore();
  }

  private indexAt(event: MouseEvent): number {
    const geometry = this.geometry;
    const steps = this.shown?.points.step;
    if (!geometry || !steps) return -1;
    const bounds = this.canvas.getBoundingClientRect();
    return indexAtX(steps, event.clientX - bounds.left, geometry.x, geometry.plot);
  }

  private hover(event: PointerEvent | null): void {
    const index = event ? this.indexAt(event) : -1;
    if (index === this.hoverIndex) return;
    this.hoverIndex = index;
    const points = this.shown?.points;
    if (!points || index < 0) {
      setText(this.readout, this.shown ? "Hover the chart for values; click to move the cards to a step." : "");
    } else {
      setText(
        this.readout,
        `step ${points.step[index]}  raw ${valueText(points.value[index])}  smoothed ${valueText(points.smoothed[index])}`,
      );
    }
    this.draw();
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
    if (this.hoverIndex < 0)
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
