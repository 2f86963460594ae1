// A similarity matrix card (contrastive training): the matrix at a step as a
// heatmap with its diagonal outlined, an ordering by one row's similarities,
// the labels of the hovered cell, and the stored alignment stats with their
// trends and a verdict against chance. Other runs with its tag may be
// compared on it (compare-similarity.ts): their matrices beside its own on one
// colour range and cursor, their stats beside its, their trends overlaid.

import type { StepData } from "../api/client";
import type { DecodedArray } from "../api/decode";
import { colormapLut, SIGNED_DIFF_MAP } from "../colormaps";
import { matrixCell } from "../compare/similarity";
import { PANEL_MARGIN } from "../render/layout";
import { formatValue, type ColorRange } from "../render/scale";
import {
  alignmentVerdict,
  chanceRecall,
  diagonalPositions,
  elide,
  formatShort,
  isValidRange,
  matrixOrder,
  permuteMatrix,
  positionsOf,
  rankInRow,
  sharedSimilarityRange,
  similarityStats,
  similarityView,
  type CellPositions,
  type MatrixOrder,
  type SimilarityStats,
  type SimilarityView,
} from "../render/similarity";
import { fullWindow } from "../render/zoom";
import type { CardActions } from "../state/actions";
import type { CardState, Settings } from "../state/app-state";
import { CardFrame } from "./card-frame";
import type { CardView } from "./card-view";
import { COMPARE_RUNS_STYLES } from "./compare-runs";
import { COMPARE_SIMILARITY_STYLES, SimilarityComparison, subtitleChars, type OwnMatrix } from "./compare-similarity";
import { el, safeFileName, setHidden, setOptions, setText, sizeOf, watchSize } from "./dom";
import { HeatmapPanel, type Cell } from "./heatmap-panel";
import { TrendChart } from "./trend-chart";

const MIN_PLOT_HEIGHT = 160; // CSS pixels of the matrix, whatever its aspect
const MAX_PLOT_HEIGHT = 560;
const ORDER_LABEL_CHARS = 80; // characters of the ordering row's label shown beside its number
const GRID_MIN_WIDTH = 640; // CSS pixels of the panel box from which compared matrices sit two to a row
const GRID_GAP = 8; // CSS pixels between the two columns of the grid (its CSS gap)
const RUN_BORDER = 4; // CSS pixels of a compared panel's left border in its run's colour

export const SIMILARITY_CARD_STYLES = `
.spectro-sim-controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 6px 0; color: var(--spectro-muted); }
.spectro-sim-controls label { display: inline-flex; gap: 4px; align-items: center; }
.spectro-sim-controls input[type=number] { width: 72px; font: inherit; color: var(--spectro-fg);
  background: var(--spectro-card-bg); border: 1px solid var(--spectro-border); border-radius: 4px; padding: 2px 4px; }
.spectro-sim-order-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; max-width: 100%; flex: 1 1 160px; }
.spectro-sim-verdict { margin: 6px 0; padding: 4px 8px; border-radius: 4px; border-left: 4px solid var(--spectro-muted);
  background: var(--spectro-bg); font-variant-numeric: tabular-nums; }
.spectro-sim-verdict[data-level="clear"] { border-left-color: #2e7d32; }
.spectro-sim-verdict[data-level="weak"] { border-left-color: var(--spectro-accent); }
.spectro-sim-verdict[data-level="none"] { border-left-color: var(--spectro-warning); color: var(--spectro-warning); font-weight: 500; }
.spectro-sim-readout { min-height: 54px; margin: 4px 0; font-variant-numeric: tabular-nums; }
.spectro-sim-cell { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.spectro-sim-label { white-space: normal; overflow-wrap: anywhere; }
.spectro-sim-label .spectro-sim-axis { color: var(--spectro-muted); margin-right: 6px; }
.spectro-sim-stats { display: grid; grid-template-columns: max-content max-content 1fr; gap: 2px 12px; align-items: center;
  margin-top: 6px; font-variant-numeric: tabular-nums; }
.spectro-sim-stats .spectro-sim-stat-name { color: var(--spectro-muted); white-space: nowrap; }
.spectro-sim-stats .spectro-trend { width: 100%; height: 24px; }
${COMPARE_RUNS_STYLES}${COMPARE_SIMILARITY_STYLES}`;

/** CSS pixels of a matrix panel `width` wide: its plot keeps the matrix's aspect, within bounds. */
function panelHeight(width: number, rows: number, cols: number): number {
  const m = PANEL_MARGIN;
  const plotWidth = Math.max(1, width - m.left - m.right);
  const plotHeight = Math.round(
    Math.min(MAX_PLOT_HEIGHT, Math.max(MIN_PLOT_HEIGHT, (plotWidth * rows) / Math.max(cols, 1))),
  );
  return plotHeight + m.top + m.bottom + m.colsAxis;
}

interface StatRow {
  name: string;
  label: (rows: string, cols: string) => string;
  value: (stats: SimilarityStats) => number | null;
  /** R@k of random retrieval, for the row's title. */
  k?: number;
}

const STAT_ROWS: readonly StatRow[] = [
  { name: "diagonal_mean", label: () => "diagonal mean", value: (s) => s.diagonalMean },
  { name: "off_diagonal_mean", label: () => "off-diagonal mean", value: (s) => s.offDiagonalMean },
  { name: "gap", label: () => "gap", value: (s) => s.gap },
  { name: "recall_at_1_rows", label: (r, c) => `R@1 ${r}→${c}`, value: (s) => s.recall1Rows, k: 1 },
  { name: "recall_at_5_rows", label: (r, c) => `R@5 ${r}→${c}`, value: (s) => s.recall5Rows, k: 5 },
  { name: "recall_at_1_columns", label: (r, c) => `R@1 ${c}→${r}`, value: (s) => s.recall1Columns, k: 1 },
  { name: "recall_at_5_columns", label: (r, c) => `R@5 ${c}→${r}`, value: (s) => s.recall5Columns, k: 5 },
];

interface StatView {
  row: StatRow;
  name: HTMLElement;
  value: HTMLElement;
  trend: TrendChart;
}

/** A loaded step turned into what the panel shows, once per step and ordering. */
interface Prepared {
  data: StepData;
  matrix: DecodedArray;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  orderRow: number | null;
  order: MatrixOrder;
  rowPositions: Int32Array;
  colPositions: Int32Array;
  shown: Float32Array;
  diagonal: CellPositions;
  key: string;
}

export class SimilarityCard implements CardView {
  readonly element: HTMLElement;
  private readonly frame: CardFrame;
  private readonly mapSelect = el("select", { className: "spectro-sim-map", attrs: { "aria-label": "colour map" } });
  private readonly rangeSelect = el("select", {
    className: "spectro-sim-range",
    attrs: { "aria-label": "colour range" },
  });
  private readonly rangeMin = el("input", {
    className: "spectro-sim-range-min",
    attrs: { type: "number", step: "any", "aria-label": "range minimum" },
  });
  private readonly rangeMax = el("input", {
    className: "spectro-sim-range-max",
    attrs: { type: "number", step: "any", "aria-label": "range maximum" },
  });
  private readonly fixedInputs = el("span", { className: "spectro-sim-fixed" }, [
    this.rangeMin,
    document.createTextNode("to"),
    this.rangeMax,
  ]);
  private readonly orderInput = el("input", {
    className: "spectro-sim-order-row",
    attrs: { type: "number", min: "0", step: "1", "aria-label": "order by row" },
  });
  private readonly orderReset = el("button", {
    className: "spectro-sim-order-reset",
    text: "Original order",
    attrs: { type: "button" },
  });
  private readonly orderLabel = el("span", { className: "spectro-sim-order-label" });
  private readonly outlineCheck = el("input", { className: "spectro-sim-outline", attrs: { type: "checkbox" } });
  private readonly verdict = el("div", { className: "spectro-sim-verdict" });
  private readonly panel: HeatmapPanel;
  private readonly panelBox: HTMLDivElement;
  private readonly cellText = el("div", { className: "spectro-sim-cell" });
  private readonly rowAxis = el("span", { className: "spectro-sim-axis" });
  private readonly rowText = el("span", { className: "spectro-sim-text" });
  private readonly colAxis = el("span", { className: "spectro-sim-axis" });
  private readonly colText = el("span", { className: "spectro-sim-text" });
  private readonly readout: HTMLDivElement;
  private readonly stats: StatView[];
  /** Other runs compared on this card. */
  private readonly comparison: SimilarityComparison;
  private card: CardState;
  private prepared: Prepared | null = null;
  private range: ColorRange = { min: -1, max: 1 };
  private drawnKey = "";
  private overlayKey = "";
  private statsKey = "";
  private trendKey = "";
  private rowsKey = "";
  private sharedRange: { key: string; range: ColorRange } = { key: "", range: { min: -1, max: 1 } };

  constructor(
    card: CardState,
    private readonly actions: CardActions,
  ) {
    this.card = card;
    const key = card.key;
    const rowsName = this.rowsName();
    const colsName = this.colsName();
    const ignore = () => undefined;
    this.panel = new HeatmapPanel(
      "matrix",
      "similarity",
      true,
      {
        hover: (cell: Cell | null) => actions.setCursor(key, cell ? this.cursorAt(cell) : null),
        click: (cell: Cell) => {
          const row = this.prepared?.order.rows[cell.row];
          if (row !== undefined) actions.setView(key, { orderRow: row });
        },
        zoom: ignore,
        pan: ignore,
        select: ignore,
        reset: ignore,
      },
      rowsName,
      colsName,
      { rowsFromTop: true, zoomable: false },
    );
    this.comparison = new SimilarityComparison(card, actions, rowsName, colsName);
    this.panelBox = el("div", { className: "spectro-panels" }, [this.panel.element, this.comparison.panels]);
    watchSize(this.panelBox);
    this.readout = el("div", { className: "spectro-sim-readout" }, [
      this.cellText,
      el("div", { className: "spectro-sim-label spectro-sim-row-label" }, [this.rowAxis, this.rowText]),
      el("div", { className: "spectro-sim-label spectro-sim-col-label" }, [this.colAxis, this.colText]),
    ]);
    this.stats = STAT_ROWS.map((row) => ({
      row,
      name: el("span", { className: "spectro-sim-stat-name", text: row.label(rowsName, colsName) }),
      value: el("span", { className: "spectro-sim-stat-value" }),
      trend: new TrendChart(row.label(rowsName, colsName), (step) => actions.pickStep(key, step)),
    }));
    const statsGrid = el(
      "div",
      { className: "spectro-sim-stats" },
      this.stats.flatMap((stat) => {
        stat.value.dataset.stat = stat.row.name;
        stat.trend.element.dataset.stat = stat.row.name;
        return [stat.name, stat.value, stat.trend.element];
      }),
    );
    this.listenToControls(key);
    this.frame = new CardFrame(card, actions, {
      className: "spectro-similarity-card",
      controls: [
        el("div", { className: "spectro-sim-controls" }, [
          el("label", { text: "map" }, [this.mapSelect]),
          el("label", { text: "range" }, [this.rangeSelect]),
          this.fixedInputs,
          el(
            "label",
            {
              title: `Columns by this ${rowsName}'s similarity, most similar first; rows by their similarity to its pair`,
            },
            [document.createTextNode(`order by ${rowsName}`), this.orderInput],
          ),
          this.orderReset,
          el("label", {}, [this.outlineCheck, document.createTextNode("outline diagonal")]),
          this.orderLabel,
        ]),
        this.comparison.chooser,
        this.verdict,
      ],
      body: [this.panelBox, this.readout, this.comparison.rows],
      footer: [statsGrid],
      arrays: {
        sample: () => 0,
        fileStem: (step) => `${safeFileName(`${this.card.run}_${this.card.tag}`)}_step${step}`,
        prefetch: (steps) => this.comparison.prefetch(steps),
        ready: (step) => this.comparison.ready(step),
        comparing: () => this.comparison.active,
      },
    });
    this.element = this.frame.element;
  }

  private listenToControls(key: string): void {
    const actions = this.actions;
    this.mapSelect.addEventListener("change", () => actions.setView(key, { colormap: this.mapSelect.value }));
    this.rangeSelect.addEventListener("change", () => {
      const mode = this.rangeSelect.value;
      // Fixing starts from the range shown, so the picture does not jump.
      const view = similarityView(this.card.view);
      if (mode === "fixed" && view.fixed === null) {
        actions.setView(key, { range: mode, rangeMin: this.range.min, rangeMax: this.range.max });
      } else {
        actions.setView(key, { range: mode });
      }
    });
    const setBound = (input: HTMLInputElement, name: "rangeMin" | "rangeMax") =>
      input.addEventListener("change", () => {
        const value = input.valueAsNumber;
        if (Number.isFinite(value)) actions.setView(key, { [name]: value });
      });
    setBound(this.rangeMin, "rangeMin");
    setBound(this.rangeMax, "rangeMax");
    this.orderInput.addEventListener("change", () => {
      const row = this.orderInput.valueAsNumber;
      actions.setView(key, { orderRow: Number.isInteger(row) && row >= 0 ? row : null });
    });
    this.orderReset.addEventListener("click", () => actions.setView(key, { orderRow: null }));
    this.outlineCheck.addEventListener("change", () => actions.setView(key, { outline: this.outlineCheck.checked }));
  }

  forgetDrawings(): void {
    this.drawnKey = "";
    this.overlayKey = "";
    this.trendKey = "";
    this.rowsKey = "";
  }

  private rowsName(): string {
    const name = this.card.info.series.rows_name;
    return typeof name === "string" && name ? name : "row";
  }

  private colsName(): string {
    const name = this.card.info.series.columns_name;
    return typeof name === "string" && name ? name : "column";
  }

  /** The matrix cell (original indices) at a shown cell. */
  private cursorAt(cell: Cell): { frame: number; bin: number } | null {
    const order = this.prepared?.order;
    const row = order?.rows[cell.row];
    const col = order?.cols[cell.col];
    return row === undefined || col === undefined ? null : { frame: col, bin: row };
  }

  update(card: CardState, settings: Settings): void {
    this.card = card;
    const view = similarityView(card.view);
    this.comparison.update(card);
    this.frame.update(card, (data) => this.prepare(data, view));
    this.updateControls(view, settings);
    this.draw(view, settings);
    this.updateReadout();
    this.updateRunRows();
    this.updateStats();
  }

  private prepare(data: StepData, view: SimilarityView): void {
    const description = data.description;
    this.comparison.showAt(description.step);
    const key = JSON.stringify([description.step, description.wall_time, view.orderRow]);
    if (this.prepared && this.prepared.data === data && this.prepared.key === key) return;
    const matrix = data.arrays.get("matrix");
    if (!matrix) throw new Error(`step ${description.step} of ${this.card.tag} has no matrix array`);
    const { rows, cols } = matrix;
    const order = matrixOrder(matrix.values, rows, cols, view.orderRow);
    const ordered = view.orderRow !== null && order.rows.length === rows && view.orderRow < rows;
    this.prepared = {
      data,
      matrix,
      rowLabels: description.labels?.rows ?? [],
      colLabels: description.labels?.columns ?? [],
      orderRow: ordered ? view.orderRow : null,
      order,
      rowPositions: positionsOf(order.rows),
      colPositions: positionsOf(order.cols),
      shown: ordered ? permuteMatrix(matrix.values, cols, order) : matrix.values,
      diagonal: diagonalPositions(order),
      key,
    };
  }

  private updateControls(view: SimilarityView, settings: Settings): void {
    setOptions(
      this.mapSelect,
      [
        ["sequential", `sequential (${settings.colormap})`],
        ["diverging", "diverging (RdBu, 0 white)"],
      ],
      view.colormap,
    );
    setOptions(
      this.rangeSelect,
      [
        ["step", "per step"],
        ["unit", "−1 to 1"],
        ["fixed", "fixed"],
      ],
      view.range,
    );
    setHidden(this.fixedInputs, view.range !== "fixed");
    const invalid = view.range === "fixed" && (view.fixed === null || !isValidRange(view.fixed));
    this.fixedInputs.classList.toggle("spectro-error", invalid);
    this.fixedInputs.title = invalid ? "the minimum must be below the maximum; the step's range is shown" : "";
    const syncNumber = (input: HTMLInputElement, value: number | null) => {
      const text = value === null ? "" : String(value);
      if (document.activeElement !== input && input.value !== text) input.value = text;
    };
    syncNumber(this.rangeMin, view.fixed?.min ?? null);
    syncNumber(this.rangeMax, view.fixed?.max ?? null);
    const prepared = this.prepared;
    const orderRow = prepared?.orderRow ?? null;
    syncNumber(this.orderInput, orderRow);
    if (prepared) this.orderInput.max = String(Math.max(prepared.matrix.rows - 1, 0));
    setHidden(this.orderReset, orderRow === null);
    const label = orderRow === null ? "" : (prepared?.rowLabels[orderRow] ?? "");
    setText(this.orderLabel, orderRow === null ? "click a cell to order by its row" : elide(label, ORDER_LABEL_CHARS));
    this.orderLabel.title = label;
    if (this.outlineCheck.checked !== view.outline) this.outlineCheck.checked = view.outline;
    this.element.dataset.orderRow = orderRow === null ? "" : String(orderRow);
  }

  private draw(view: SimilarityView, settings: Settings): void {
    const prepared = this.prepared;
    const boxWidth = sizeOf(this.panelBox).width;
    if (boxWidth === 0) return;
    const mapName = view.colormap === "diverging" ? SIGNED_DIFF_MAP : settings.colormap;
    const compared = this.comparison.prepare(prepared && this.ownMatrix(prepared));
    const comparing = this.comparison.active;
    const range = prepared ? this.colourRange(prepared, compared, view) : this.range;
    // Compared runs' matrices sit beside the card's, two to a row where there is room.
    const grid = comparing && boxWidth >= GRID_MIN_WIDTH;
    const width = comparing ? (grid ? Math.floor((boxWidth - GRID_GAP) / 2) : boxWidth) - RUN_BORDER : boxWidth;
    const drawKey = JSON.stringify([
      prepared?.key,
      mapName,
      range.min,
      range.max,
      boxWidth,
      view.outline,
      this.comparison.drawKey,
    ]);
    if (drawKey === this.drawnKey) return;
    this.drawnKey = drawKey;
    this.range = range;
    this.panelBox.classList.toggle("spectro-sim-grid", grid);
    this.panel.element.classList.toggle("spectro-compare-panel", comparing);
    this.panel.element.style.borderLeftColor = comparing ? this.actions.runColor(this.card.run) : "";
    const height = (rows: number, cols: number) => panelHeight(width, rows, cols);
    if (!prepared) {
      this.panel.setImage(null);
      this.panel.draw(fullWindow(1), width, height(1, 1));
      return;
    }
    const { matrix, shown } = prepared;
    const lut = colormapLut(mapName);
    this.panel.setImage({
      values: shown,
      rows: matrix.rows,
      cols: matrix.cols,
      range,
      lut,
      key: `${prepared.key}|${mapName}|${range.min}|${range.max}`,
    });
    this.panel.setOutline(view.outline ? prepared.diagonal : null);
    // Under an ordering the ticks count positions, not indices; the subtitle says so.
    const subtitle =
      prepared.orderRow === null
        ? `${matrix.rows} × ${matrix.cols}`
        : `positions ordered by ${this.rowsName()} ${prepared.orderRow}`;
    this.panel.draw(
      fullWindow(matrix.cols),
      width,
      height(matrix.rows, matrix.cols),
      // Beside other runs' matrices it names its run; the order control says how it is ordered.
      comparing ? elide(this.card.run, subtitleChars(width)) : subtitle,
    );
    this.comparison.draw({ width, height, range, lut, mapName, outline: view.outline });
    this.comparison.describe(this.element);
    this.frame.painted(prepared.data.description.step, comparing ? this.comparison.preparedRuns : 0);
    const dataset = this.element.dataset;
    dataset.rows = String(matrix.rows);
    dataset.cols = String(matrix.cols);
    dataset.range = `${range.min},${range.max}`;
    dataset.colormap = mapName;
  }

  /** The card's step as the comparison lines compared runs' matrices up with it. */
  private ownMatrix(prepared: Prepared): OwnMatrix {
    const { matrix } = prepared;
    return {
      values: matrix.values,
      rows: matrix.rows,
      cols: matrix.cols,
      rowLabels: prepared.rowLabels,
      colLabels: prepared.colLabels,
      order: prepared.order,
      orderRow: prepared.orderRow,
      key: prepared.key,
    };
  }

  /** One colour range for the card's matrix and the compared runs' shown beside it, found once per change. */
  private colourRange(prepared: Prepared, compared: readonly Float32Array[], view: SimilarityView): ColorRange {
    const key = JSON.stringify([prepared.key, this.comparison.drawKey, view.colormap, view.range, view.fixed]);
    if (key !== this.sharedRange.key) {
      const range = sharedSimilarityRange([prepared.matrix.values, ...compared], view.colormap, view.range, view.fixed);
      this.sharedRange = { key, range };
    }
    return this.sharedRange.range;
  }

  private updateReadout(): void {
    const prepared = this.prepared;
    const cursor = this.card.cursor;
    const inside =
      prepared !== null && cursor !== null && cursor.bin < prepared.matrix.rows && cursor.frame < prepared.matrix.cols;
    const shownCursor = inside
      ? { col: prepared.colPositions[cursor.frame]!, row: prepared.rowPositions[cursor.bin]! }
      : null;
    const overlayKey = JSON.stringify([shownCursor, cursor, this.drawnKey]);
    if (overlayKey !== this.overlayKey) {
      this.overlayKey = overlayKey;
      this.panel.drawOverlay(shownCursor, null);
      this.comparison.drawCursor(cursor);
    }
    const dataset = this.readout.dataset;
    if (!inside) {
      setText(this.cellText, prepared ? "Hover a cell for its labels and value; click one to order by its row." : "");
      for (const node of [this.rowAxis, this.rowText, this.colAxis, this.colText]) setText(node, "");
      delete dataset.row;
      delete dataset.col;
      delete dataset.value;
      return;
    }
    const { matrix } = prepared;
    const row = cursor.bin;
    const col = cursor.frame;
    const value = matrix.values[row * matrix.cols + col]!;
    const rank = rankInRow(matrix.values, matrix.cols, row, col);
    const rowsName = this.rowsName();
    const colsName = this.colsName();
    const parts = [`${rowsName} ${row} × ${colsName} ${col}`, `similarity ${formatValue(value)}`];
    if (rank !== null) parts.push(`rank ${rank + 1} of ${matrix.cols} in its ${rowsName}`);
    if (row === col) parts.push("pair");
    setText(this.cellText, parts.join(" · "));
    setText(this.rowAxis, `${rowsName} ${row}`);
    setText(this.rowText, prepared.rowLabels[row] ?? "");
    setText(this.colAxis, `${colsName} ${col}`);
    setText(this.colText, prepared.colLabels[col] ?? "");
    Object.assign(dataset, { row: String(row), col: String(col), value: String(value) });
  }

  /** With compared runs, a line per run: its step, gap and R@1, and its value at the cursor's cell. */
  private updateRunRows(): void {
    const card = this.card;
    const cursor = card.cursor;
    const step = card.steps[card.stepIndex];
    const key = JSON.stringify([cursor, this.drawnKey, step?.step, step?.wall_time, this.comparison.trendKey]);
    if (key === this.rowsKey) return;
    this.rowsKey = key;
    const matrix = this.prepared?.matrix;
    const value =
      matrix && cursor ? matrixCell(matrix.values, matrix.rows, matrix.cols, cursor.bin, cursor.frame) : null;
    this.comparison.updateRows({ run: card.run, info: step, value }, cursor);
  }

  private updateStats(): void {
    const card = this.card;
    const step = card.steps[card.stepIndex];
    const statsKey = JSON.stringify([card.stepIndex, card.steps.length, step?.step, step?.wall_time]);
    if (statsKey !== this.statsKey) {
      this.statsKey = statsKey;
      const stats = similarityStats(step);
      this.frame.flagNonfinite(stats?.nonfinite);
      const verdict = alignmentVerdict(stats);
      setText(this.verdict, verdict.text);
      this.verdict.dataset.level = verdict.level;
      for (const stat of this.stats) {
        const value = stats ? stat.row.value(stats) : null;
        setText(
          stat.value,
          value === null ? (stats && stat.row.k && !stats.square ? "not square" : "—") : formatShort(value),
        );
        stat.value.dataset.value = value === null ? "" : String(value);
        stat.value.title =
          stat.row.k && stats?.square ? `chance ${formatShort(chanceRecall(stat.row.k, stats.rows))}` : "";
      }
    }
    const trendElement = this.stats[0]?.trend.element;
    const width = trendElement ? sizeOf(trendElement).width : 0;
    const trendKey = JSON.stringify([
      statsKey,
      card.steps[card.steps.length - 1]?.step,
      width,
      this.comparison.trendKey,
    ]);
    if (trendKey === this.trendKey) return;
    this.trendKey = trendKey;
    const steps = card.steps.map((s) => s.step);
    const all = card.steps.map((s) => similarityStats(s));
    // The compared runs' trends overlaid, each in its run's colour.
    const ownColor = this.comparison.active ? this.actions.runColor(card.run) : undefined;
    for (const stat of this.stats) {
      stat.trend.draw(
        steps,
        all.map((s) => (s ? stat.row.value(s) : null)),
        card.stepIndex,
        this.comparison.trendOverlays(stat.row.value),
        ownColor,
      );
    }
  }
}
