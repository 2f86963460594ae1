// Compare runs on a similarity card: up to three other runs with the card's
// tag, chosen as on a card of two arrays (compare-runs.ts loads them, each at
// its nearest logged step at or before the card's), each run's matrix drawn
// beside the card's on one colour range with the cursor's cell on all, and a
// line per run with its step, its gap and R@1, and its value at that cell.
// A run whose matrix lines up with the card's (same shape and labels) takes
// the card's ordering; one that does not keeps its own order and says so.

import type { StepInfo } from "../api/types";
import { matchedStepLabel } from "../compare/steps";
import { matrixAgreement, matrixCell, type MatrixAgreement } from "../compare/similarity";
import { PANEL_MARGIN } from "../render/layout";
import type { ColorRange } from "../render/scale";
import { formatValue } from "../render/scale";
import {
  diagonalPositions,
  elide,
  formatShort,
  identityOrder,
  permuteMatrix,
  positionsOf,
  similarityStats,
  type CellPositions,
  type MatrixOrder,
  type SimilarityStats,
} from "../render/similarity";
import type { TrendSeries } from "../render/trend";
import { fullWindow } from "../render/zoom";
import type { CardActions } from "../state/actions";
import type { CardState, Cursor } from "../state/app-state";
import { RunComparison, type ComparedRun } from "./compare-runs";
import { el, setAttr, setText } from "./dom";
import { HeatmapPanel, type Cell } from "./heatmap-panel";

const SUBTITLE_CHAR_WIDTH = 6.5; // CSS pixels of a character of a panel's 11px subtitle, about
const TITLE_WIDTH = 70; // CSS pixels the panel's title "similarity" and a space take before the subtitle

/** How many characters of a subtitle fit beside the title of a panel `width` wide. */
export function subtitleChars(width: number): number {
  const m = PANEL_MARGIN;
  return Math.max(4, Math.floor((width - m.left - m.right - TITLE_WIDTH) / SUBTITLE_CHAR_WIDTH));
}

export const COMPARE_SIMILARITY_STYLES = `
.spectro-panels.spectro-sim-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 8px; }
.spectro-sim-compare-panels { display: contents; }
.spectro-sim-compare-run { min-width: 0; }
.spectro-sim-compare-note { color: var(--spectro-warning); margin: 2px 0 4px 4px; overflow-wrap: anywhere; }
.spectro-sim-compare-note:empty { display: none; }
.spectro-sim-compare-rows .spectro-compare-row { align-items: center; }
.spectro-sim-compare-rows .spectro-compare-row > * { flex: none; }
.spectro-sim-compare-rows .spectro-run-step { min-width: 5em; }
.spectro-sim-compare-rows .spectro-run-stats { display: inline-flex; gap: 12px; }
.spectro-sim-compare-rows .spectro-run-stat { min-width: 6em; }
.spectro-sim-compare-rows .spectro-compare-row > .spectro-run-note { flex: 0 1 auto; min-width: 0; overflow: hidden;
  text-overflow: ellipsis; color: var(--spectro-warning); }
`;

/** The card's own step as the comparison needs it. */
export interface OwnMatrix {
  values: Float32Array;
  rows: number;
  cols: number;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** The card's ordering, and the row it is by (null: the matrix's own order). */
  order: MatrixOrder;
  orderRow: number | null;
  /** Changes when the card's step or ordering does. */
  key: string;
}

/** A compared run's loaded matrix, as its panel shows it. */
interface PreparedRun {
  run: ComparedRun;
  values: Float32Array;
  rows: number;
  cols: number;
  agreement: MatrixAgreement;
  /** The card's ordering when the matrix lines up with the card's, else its own order. */
  order: MatrixOrder;
  rowPositions: Int32Array;
  colPositions: Int32Array;
  shown: Float32Array;
  diagonal: CellPositions;
  ownKey: string;
}

interface RunPanel {
  panel: HeatmapPanel;
  /** The panel and the note under it that says why the run keeps its own order. */
  box: HTMLDivElement;
  note: HTMLDivElement;
  prepared: PreparedRun | null;
}

/** What a line of the runs' table says about one run at the step. */
export interface RunLine {
  run: string;
  color: string;
  step: string;
  stats: SimilarityStats | null;
  value: number | null;
  note: string;
}

export class SimilarityComparison {
  /** The runs' checkboxes, as on every card that compares runs. */
  readonly chooser: HTMLElement;
  /** The compared runs' panels: laid out as the card's panel box's grid items, beside and under the card's. */
  readonly panels = el("div", { className: "spectro-sim-compare-panels" });
  /** A line per run: its step, gap and R@1, and its value at the cursor's cell. */
  readonly rows = el("div", { className: "spectro-compare-rows spectro-sim-compare-rows" });
  private readonly loader: RunComparison;
  private readonly runPanels: RunPanel[] = [];
  private runs: readonly ComparedRun[] = [];
  /** The card's step the runs are shown at: its selected step, or the one it draws while that loads. */
  private shownStep = 0;
  private prepared: PreparedRun[] = [];
  private card: CardState;

  constructor(
    card: CardState,
    private readonly actions: CardActions,
    private readonly rowsName: string,
    private readonly colsName: string,
  ) {
    this.card = card;
    const ignore = () => undefined;
    // Loading and the chooser are compare-runs.ts'; its panels, rows, swipe and flicker stay unused here.
    this.loader = new RunComparison(
      card,
      actions,
      { target: null, predicted: "matrix" },
      { hover: ignore, zoom: ignore, pan: ignore, select: ignore, reset: ignore },
      rowsName,
      colsName,
      ignore,
      false,
    );
    this.chooser = this.loader.chooser;
  }

  /** The runs compared at the card's selected step, each at its matched step, loading their data. */
  update(card: CardState): void {
    this.card = card;
    this.runs = this.loader.update(card, 0);
    this.shownStep = card.steps[card.stepIndex]?.step ?? 0;
  }

  /** Whether every compared run's step matching the card's step `step` has settled, for the card to show it. */
  ready(step: number): boolean {
    return this.loader.ready(step);
  }

  /** Shows the compared runs at the card's step `step`: the one it draws, its selected step or a stand-in. */
  showAt(step: number): void {
    this.loader.showAt(step);
    this.runs = this.loader.compared;
    this.shownStep = step;
  }

  /** Loads each compared run's steps matching the card's `steps`, as the card loads its own ahead. */
  prefetch(steps: readonly number[]): void {
    this.loader.prefetch(steps, 0);
  }

  get active(): boolean {
    return this.runs.length > 0;
  }

  /** What the compared runs' drawing depends on, for the card's draw key. */
  get drawKey(): string {
    return JSON.stringify(this.runs.map((r) => [r.run, r.match.step, r.data !== null, r.error]));
  }

  /** How many compared runs have their step loaded and prepared, to be drawn. */
  get preparedRuns(): number {
    return this.prepared.length;
  }

  /**
   * The compared runs' matrices at the card's step, under the card's ordering
   * where they line up with its matrix; returns their values, for the card's
   * one colour range.
   */
  prepare(own: OwnMatrix | null): Float32Array[] {
    const previous = this.prepared;
    this.prepared = [];
    if (own === null) return [];
    for (const run of this.runs) {
      const matrix = run.data?.arrays.get("matrix");
      if (!run.data || !matrix) continue;
      const kept = previous.find((p) => p.run.data === run.data && p.ownKey === own.key);
      if (kept) {
        this.prepared.push({ ...kept, run });
        continue;
      }
      const labels = run.data.description.labels;
      const agreement = matrixAgreement(
        own,
        { rows: matrix.rows, cols: matrix.cols, rowLabels: labels?.rows ?? [], colLabels: labels?.columns ?? [] },
        this.rowsName,
        this.colsName,
      );
      const order = agreement.agrees
        ? own.order
        : { rows: identityOrder(matrix.rows), cols: identityOrder(matrix.cols) };
      this.prepared.push({
        run,
        values: matrix.values,
        rows: matrix.rows,
        cols: matrix.cols,
        agreement,
        order,
        rowPositions: positionsOf(order.rows),
        colPositions: positionsOf(order.cols),
        shown:
          agreement.agrees && own.orderRow !== null ? permuteMatrix(matrix.values, matrix.cols, order) : matrix.values,
        diagonal: diagonalPositions(order),
        ownKey: own.key,
      });
    }
    return this.prepared.map((p) => p.values);
  }

  private runPanel(index: number): RunPanel {
    let runPanel = this.runPanels[index];
    if (runPanel) return runPanel;
    const key = this.card.key;
    // A cell hovered or clicked on a run's panel is the cell of that run's order.
    const original = (cell: Cell): Cursor | null => {
      const order = this.runPanels[index]?.prepared?.order;
      const row = order?.rows[cell.row];
      const col = order?.cols[cell.col];
      return row === undefined || col === undefined ? null : { frame: col, bin: row };
    };
    const ignore = () => undefined;
    const panel = new HeatmapPanel(
      `run${index + 1}`,
      "similarity",
      true,
      {
        hover: (cell) => this.actions.setCursor(key, cell ? original(cell) : null),
        click: (cell) => {
          const at = original(cell);
          if (at) this.actions.setView(key, { orderRow: at.bin });
        },
        zoom: ignore,
        pan: ignore,
        select: ignore,
        reset: ignore,
      },
      this.rowsName,
      this.colsName,
      { rowsFromTop: true, zoomable: false },
    );
    panel.element.classList.add("spectro-compare-panel");
    const note = el("div", { className: "spectro-sim-compare-note" });
    const box = el("div", { className: "spectro-sim-compare-run" }, [panel.element, note]);
    runPanel = { panel, box, note, prepared: null };
    this.runPanels[index] = runPanel;
    return runPanel;
  }

  /** Draws each compared run's matrix at `width` CSS pixels, its height from `height(rows, cols)`. */
  draw(options: {
    width: number;
    height: (rows: number, cols: number) => number;
    range: ColorRange;
    lut: Uint8Array;
    mapName: string;
    outline: boolean;
  }): void {
    const chosen = this.shownStep;
    const boxes = this.prepared.map((p, i) => {
      const runPanel = this.runPanel(i);
      runPanel.prepared = p;
      const { panel, note } = runPanel;
      const run = p.run.run;
      panel.element.style.borderLeftColor = p.run.color;
      setAttr(panel.element, "data-run", run);
      setAttr(panel.element, "data-step", String(p.run.match.step ?? ""));
      setAttr(panel.element, "data-ordered", String(p.agreement.agrees && p.order.rows.length > 0));
      setAttr(runPanel.box, "data-labels", p.agreement.agrees ? "agree" : "differ");
      const reason = p.agreement.agrees ? "" : `${run}: ${p.agreement.reason}; shown in its own order, cell by index`;
      setText(note, reason);
      panel.setImage({
        values: p.shown,
        rows: p.rows,
        cols: p.cols,
        range: options.range,
        lut: options.lut,
        key: `${run}|${p.run.match.step}|${p.ownKey}|${p.agreement.agrees}|${options.mapName}|${options.range.min}|${options.range.max}`,
      });
      panel.setOutline(options.outline ? p.diagonal : null);
      const stepLabel = matchedStepLabel(p.run.match, chosen);
      const subtitle = [run, stepLabel, p.agreement.agrees ? "" : "own order"].filter(Boolean).join(" · ");
      panel.draw(
        fullWindow(p.cols),
        options.width,
        options.height(p.rows, p.cols),
        elide(subtitle, subtitleChars(options.width)),
      );
      return runPanel.box;
    });
    for (const runPanel of this.runPanels.slice(this.prepared.length)) runPanel.prepared = null;
    this.panels.replaceChildren(...boxes);
  }

  /** Draws the cursor's cell (the card's matrix indices) on each run's panel, where that run shows it. */
  drawCursor(cursor: Cursor | null): void {
    for (const { panel, prepared: p } of this.runPanels) {
      if (!p) continue;
      const inside = cursor !== null && cursor.bin < p.rows && cursor.frame < p.cols;
      panel.drawOverlay(inside ? { col: p.colPositions[cursor.frame]!, row: p.rowPositions[cursor.bin]! } : null, null);
    }
  }

  /**
   * A line per run, the card's first (`own`): its name in its colour, the
   * step it shows when that differs from the card's, its gap and R@1, and its
   * value at the cursor's cell (the same indices on every run).
   */
  updateRows(own: { run: string; info: StepInfo | undefined; value: number | null }, cursor: Cursor | null): void {
    if (this.runs.length === 0) {
      this.rows.replaceChildren();
      return;
    }
    const chosen = this.shownStep;
    const lines: RunLine[] = [
      {
        run: own.run,
        color: this.actions.runColor(own.run),
        step: "",
        stats: similarityStats(own.info),
        value: own.value,
        note: "",
      },
      ...this.runs.map((run) => {
        const p = this.prepared.find((q) => q.run.run === run.run);
        return {
          run: run.run,
          color: run.color,
          step: run.error ? run.error : matchedStepLabel(run.match, chosen),
          stats: similarityStats(run.info),
          value: p && cursor ? matrixCell(p.values, p.rows, p.cols, cursor.bin, cursor.frame) : null,
          note: p && !p.agreement.agrees ? p.agreement.reason : "",
        };
      }),
    ];
    this.rows.replaceChildren(...lines.map((line) => this.row(line)));
  }

  private row(line: RunLine): HTMLElement {
    const swatch = el("span", { className: "spectro-run-swatch" });
    swatch.style.background = line.color;
    const stat = (name: string, label: string, value: number | null) => {
      const span = el("span", {
        className: "spectro-run-stat",
        text: `${label} ${value === null ? "—" : formatShort(value)}`,
      });
      span.dataset.stat = name;
      if (value !== null) span.dataset.value = String(value);
      return span;
    };
    const s = line.stats;
    const row = el("div", { className: "spectro-compare-row", attrs: { "data-run": line.run } }, [
      swatch,
      el("span", { className: "spectro-run-name", text: line.run, title: line.run }),
      el("span", { className: "spectro-run-step", text: line.step }),
      el("span", { className: "spectro-run-stats" }, [
        stat("gap", "gap", s?.gap ?? null),
        stat("recall_at_1_rows", `R@1 ${this.rowsName}→${this.colsName}`, s?.recall1Rows ?? null),
        stat("recall_at_1_columns", `R@1 ${this.colsName}→${this.rowsName}`, s?.recall1Columns ?? null),
      ]),
      el("span", {
        className: "spectro-run-values",
        text: line.value === null ? "" : `similarity ${formatValue(line.value)}`,
      }),
      el("span", { className: "spectro-run-note", text: line.note, title: line.note }),
    ]);
    if (line.value !== null) row.dataset.value = String(line.value);
    return row;
  }

  /** Each compared run's line of a statistic over its steps, in its colour, for the card's trends. */
  trendOverlays(value: (stats: SimilarityStats) => number | null): (TrendSeries & { color: string })[] {
    if (this.runs.length === 0) return [];
    return this.actions
      .comparable(this.card.key)
      .filter((other) => this.card.compare.includes(other.run))
      .map((other) => ({
        steps: other.steps.map((s) => s.step),
        values: other.steps.map((s) => {
          const stats = similarityStats(s);
          return stats ? value(stats) : null;
        }),
        color: this.actions.runColor(other.run),
      }));
  }

  /** What the trends' overlays depend on. */
  get trendKey(): string {
    if (this.runs.length === 0) return "";
    return JSON.stringify(
      this.actions
        .comparable(this.card.key)
        .filter((other) => this.card.compare.includes(other.run))
        .map((other) => [other.run, other.steps.length, other.steps[other.steps.length - 1]?.step]),
    );
  }

  /** Sets the card's data-* of the comparison. */
  describe(element: HTMLElement): void {
    setAttr(element, "data-compared", this.runs.map((r) => r.run).join("\n"));
  }
}
