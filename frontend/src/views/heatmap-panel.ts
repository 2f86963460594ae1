// One heatmap panel: a canvas with the image, axes, title and colour bar, and
// an overlay canvas for the cursor and the drag selection. Cards stack panels
// that share one column window, one cursor and one colour range; the panel
// reports pointer gestures and the card decides what they change.

import { cssColor, NONFINITE_RGB } from "../colormaps";
import { cellOutline, contains, panelLayout, type PanelLayout } from "../render/layout";
import { paintColorbar, paintHeatmap } from "../render/paint";
import { formatTick, niceTicks, type ColorRange } from "../render/scale";
import {
  binIndexAtY,
  frameAtX,
  frameIndexAtX,
  rowIndexAtYFromTop,
  xOfFrame,
  yOfBin,
  yOfRowFromTop,
  type FrameWindow,
} from "../render/zoom";
import { elideLabel, labelledTokens } from "../render/alignment";
import { el, fitCanvas, setCssSize, themeColor } from "./dom";

export interface Cell {
  row: number;
  col: number;
}

export interface PanelGestures {
  hover(cell: Cell | null): void;
  /** Wheel: zoom the columns by `factor` (below 1 zooms in) around column `anchor`. */
  zoom(anchor: number, factor: number): void;
  pan(deltaCols: number): void;
  /** Drag: show the columns between a and b. */
  select(a: number, b: number): void;
  reset(): void;
  /** A press released without dragging, on a cell. */
  click?(cell: Cell): void;
}

export interface PanelOptions {
  /** Row 0 on the top line, as a matrix is read; by default bin 0 is at the bottom, as in a spectrogram. */
  rowsFromTop?: boolean;
  /** Wheel and drag zoom the columns (the default); without, the wheel scrolls the page and a drag does nothing. */
  zoomable?: boolean;
}

/** Cells to outline, by shown position: cell k is at row rows[k], column cols[k]. */
export interface OutlinedCells {
  rows: ArrayLike<number>;
  cols: ArrayLike<number>;
}

export interface PanelImage {
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  range: ColorRange;
  lut: Uint8Array;
  /** Changes whenever values, range or map change; an equal key skips repainting. */
  key: string;
  /** Labels of the rows (an alignment's tokens), drawn on the row axis instead of indices, elided to fit. */
  rowLabels?: readonly string[] | null;
}

const DRAG_THRESHOLD = 3; // CSS pixels a press must move to count as a drag
const WHEEL_ZOOM_PER_PIXEL = 0.0015; // zoom factor exponent per wheel delta pixel
const ROW_LABEL_SPACING = 12; // CSS pixels between row labels on the axis at least
const ROW_LABEL_LEFT = 2; // CSS pixels left of the row labels
const VALUE_TICK_SPILL = 8; // CSS pixels a value tick's label reaches above or below the colour bar

export class HeatmapPanel {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  /** The playhead: an element moved over the plot, so that it moves without repainting the canvases. */
  private readonly playhead: HTMLDivElement;
  private playheadFrame: number | null = null;
  private readonly source = document.createElement("canvas");
  private readonly colorbarSource = document.createElement("canvas");
  private imageKey = "";
  private image: PanelImage | null = null;
  /** The source's pixels, kept between images of one size. */
  private pixels: ImageData | null = null;
  /** An image painted ahead of its setImage() (see paintAhead), and its key. */
  private ahead: { key: string; pixels: ImageData } | null = null;
  private colorbarLut: Uint8Array | null = null;
  /** The overlay may hold a cursor or a selection; a clear overlay is not cleared again. */
  private overlayDrawn = false;
  /** The panel's size in CSS pixels, which the overlay takes when it is first drawn on. */
  private size = { width: 0, height: 0 };
  /**
   * Whether the canvases have pixels of their own yet. A panel with nothing
   * to draw, or an overlay never drawn on, keeps only its size on the page:
   * a dozen cards opening would otherwise allocate, clear and hand the
   * compositor some seventy canvases before the first step arrives.
   */
  private plotLive = false;
  private overlayLive = false;
  private layout: PanelLayout | null = null;
  /** What the titles and axes on the canvas were drawn for; an equal key redraws only the image and the colour bar. */
  private axesKey = "";
  private axesRowLabels: readonly string[] | null | undefined = null;
  private window: FrameWindow = { start: 0, end: 1 };
  private drag: {
    startX: number;
    startY: number;
    startCol: number;
    lastCol: number;
    pan: boolean;
    moved: boolean;
  } | null = null;
  private selection: [number, number] | null = null;
  private outline: OutlinedCells | null = null;
  private rowsFromTop: boolean;

  constructor(
    readonly name: string,
    private readonly title: string,
    private readonly showColsAxis: boolean,
    private readonly gestures: PanelGestures,
    private readonly rowsLabel = "mel bin",
    private readonly colsLabel = "frame",
    private readonly options: PanelOptions = {},
  ) {
    this.rowsFromTop = options.rowsFromTop === true;
    this.canvas = el("canvas", { className: "spectro-plot" });
    this.overlay = el("canvas", { className: "spectro-overlay" });
    this.playhead = el("div", { className: "spectro-playhead" });
    this.playhead.hidden = true;
    this.element = el("div", { className: "spectro-panel", attrs: { "data-panel": name } }, [
      this.canvas,
      this.overlay,
      this.playhead,
    ]);
    this.listen();
  }

  /** The plot area in CSS pixels of the panel, for tests and exports. */
  get plotRect(): PanelLayout["plot"] | null {
    return this.layout?.plot ?? null;
  }

  get plotCanvas(): HTMLCanvasElement {
    return this.canvas;
  }

  setImage(image: PanelImage | null): void {
    this.image = image;
    if (image === null || image.key === this.imageKey) return;
    this.imageKey = image.key;
    const { rows, cols } = image;
    const width = Math.max(cols, 1);
    const height = Math.max(rows, 1);
    if (this.source.width !== width || this.source.height !== height) {
      this.source.width = width;
      this.source.height = height;
    }
    const context = this.source.getContext("2d")!;
    const ahead = this.ahead;
    if (ahead && ahead.key === image.key && ahead.pixels.width === width && ahead.pixels.height === height) {
      // Painted after the frame before: the buffers trade places.
      this.ahead = this.pixels && { key: "", pixels: this.pixels };
      this.pixels = ahead.pixels;
    } else {
      if (this.pixels === null || this.pixels.width !== width || this.pixels.height !== height) {
        this.pixels = context.createImageData(width, height);
      }
      if (rows > 0 && cols > 0)
        paintHeatmap(image.values, rows, cols, image.range, image.lut, this.pixels.data, this.rowsFromTop);
      else this.pixels.data.fill(0);
    }
    context.putImageData(this.pixels, 0, 0);
    if (image.lut !== this.colorbarLut) {
      this.colorbarLut = image.lut;
      this.colorbarSource.width = 1;
      this.colorbarSource.height = 256;
      const barContext = this.colorbarSource.getContext("2d")!;
      const bar = barContext.createImageData(1, 256);
      paintColorbar(image.lut, 256, bar.data);
      barContext.putImageData(bar, 0, 0);
    }
  }

  /**
   * Paints `image` now into a second buffer, which setImage() puts on the
   * canvas when it gets an image of the same key: the painting leaves the
   * frame that shows it.
   */
  paintAhead(image: PanelImage): void {
    const { rows, cols } = image;
    if (rows === 0 || cols === 0 || image.key === this.imageKey || image.key === this.ahead?.key) return;
    let pixels = this.ahead?.pixels;
    if (!pixels || pixels.width !== cols || pixels.height !== rows) pixels = new ImageData(cols, rows);
    paintHeatmap(image.values, rows, cols, image.range, image.lut, pixels.data, this.rowsFromTop);
    this.ahead = { key: image.key, pixels };
  }

  /** Row 0 on the top line (true) or the bottom line, from the next setImage() on. */
  setRowsFromTop(fromTop: boolean): void {
    if (fromTop === this.rowsFromTop) return;
    this.rowsFromTop = fromTop;
    this.imageKey = "";
    this.ahead = null;
  }

  /** Cells drawn outlined over the image from the next draw() on; null outlines none. */
  setOutline(cells: OutlinedCells | null): void {
    this.outline = cells;
  }

  /** Pixel y (from the plot's top) of row coordinate `row` (fractional), in the panel's row direction. */
  private rowY(row: number, height: number, rows: number): number {
    return this.rowsFromTop ? yOfRowFromTop(row, height, rows) : yOfBin(row, height, rows);
  }

  private rowAt(y: number, height: number, rows: number): number {
    return this.rowsFromTop ? rowIndexAtYFromTop(y, height, rows) : binIndexAtY(y, height, rows);
  }

  /** Draws the image's columns in `window` with axes, at `width` × `height` CSS pixels. */
  draw(window: FrameWindow, width: number, height: number, subtitle = ""): void {
    this.window = window;
    this.size = { width, height };
    setCssSize(this.overlay, width, height);
    if (this.overlayLive) fitCanvas(this.overlay, width, height);
    const layout = panelLayout(width, height, this.showColsAxis);
    this.layout = layout;
    this.element.dataset.plot = [layout.plot.x, layout.plot.y, layout.plot.width, layout.plot.height].join(",");
    this.element.dataset.window = `${window.start},${window.end}`;
    const { plot, colorbar } = layout;
    this.playhead.style.top = `${plot.y}px`;
    this.playhead.style.height = `${plot.height}px`;
    this.setPlayhead(this.playheadFrame);
    const image = this.image;
    if (image === null && !this.plotLive) {
      // Nothing loaded yet: the panel keeps its place, blank, while its card says it is loading.
      setCssSize(this.canvas, width, height);
      return;
    }
    const context = fitCanvas(this.canvas, width, height);
    this.plotLive = true;
    const fg = themeColor(this.element, "--spectro-fg", "#212121");
    const muted = themeColor(this.element, "--spectro-muted", "#616161");
    context.font = "11px system-ui, sans-serif";
    if (image === null || image.rows === 0 || image.cols === 0) {
      this.axesKey = "";
      context.clearRect(0, 0, width, height);
      this.drawTitles(context, subtitle, fg, muted);
      context.strokeStyle = muted;
      context.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.width - 1, plot.height - 1);
      return;
    }
    // The titles and the row and column axes stay on the canvas while only the
    // image and its colour range change (a new step): their text is most of a
    // panel's drawing, and a step change of linked cards redraws every panel.
    const axesKey = JSON.stringify([
      this.canvas.width,
      this.canvas.height,
      width,
      height,
      window.start,
      window.end,
      image.rows,
      this.rowsFromTop,
      subtitle,
      fg,
      muted,
    ]);
    // Of the axes kept, only the value ticks right of the colour bar change with the range.
    const ticks =
      axesKey === this.axesKey && image.rowLabels === this.axesRowLabels ? this.valueTicksRect(width) : null;
    if (ticks) {
      context.clearRect(ticks.x, ticks.y, ticks.width, ticks.height);
    } else {
      context.clearRect(0, 0, width, height);
      this.drawTitles(context, subtitle, fg, muted);
    }
    this.axesKey = axesKey;
    this.axesRowLabels = image.rowLabels;
    context.imageSmoothingEnabled = false;
    context.drawImage(
      this.source,
      window.start,
      0,
      window.end - window.start,
      image.rows,
      plot.x,
      plot.y,
      plot.width,
      plot.height,
    );
    if (this.outline) this.drawOutline(context, image);
    context.drawImage(this.colorbarSource, 0, 0, 1, 256, colorbar.x, colorbar.y, colorbar.width, colorbar.height);
    context.strokeStyle = muted;
    context.lineWidth = 1;
    context.strokeRect(colorbar.x + 0.5, colorbar.y + 0.5, colorbar.width - 1, colorbar.height - 1);
    this.drawAxes(context, image, fg, muted, ticks);
  }

  /** Where the colour bar's value ticks are drawn: the part of the canvas a new range redraws. */
  private valueTicksRect(width: number): { x: number; y: number; width: number; height: number } {
    const { colorbar } = this.layout!;
    const x = colorbar.x + colorbar.width + 1;
    return {
      x,
      y: colorbar.y - VALUE_TICK_SPILL,
      width: width - x,
      height: colorbar.height + 2 * VALUE_TICK_SPILL,
    };
  }

  private drawTitles(context: CanvasRenderingContext2D, subtitle: string, fg: string, muted: string): void {
    const { plot } = this.layout!;
    context.fillStyle = fg;
    context.textBaseline = "alphabetic";
    context.textAlign = "left";
    context.fillText(this.title, plot.x, plot.y - 5);
    if (subtitle) {
      context.fillStyle = muted;
      context.textAlign = "right";
      context.fillText(subtitle, plot.x + plot.width, plot.y - 5);
    }
  }

  /** The outlined cells, a dark and a light stroke so that they show on every map; drawn with the image, not on hover. */
  private drawOutline(context: CanvasRenderingContext2D, image: PanelImage): void {
    const { plot } = this.layout!;
    const outline = this.outline!;
    const window = this.window;
    const cellWidth = plot.width / (window.end - window.start);
    const cellHeight = plot.height / image.rows;
    context.save();
    context.beginPath();
    context.rect(plot.x, plot.y, plot.width, plot.height);
    context.clip();
    context.beginPath();
    const count = Math.min(outline.rows.length, outline.cols.length);
    for (let k = 0; k < count; k++) {
      const col = outline.cols[k]!;
      if (col + 1 < window.start || col > window.end) continue;
      const x = plot.x + xOfFrame(window, col, plot.width);
      const top =
        plot.y +
        Math.min(
          this.rowY(outline.rows[k]!, plot.height, image.rows),
          this.rowY(outline.rows[k]! + 1, plot.height, image.rows),
        );
      const shape = cellOutline(x, top, cellWidth, cellHeight);
      if (shape.kind === "box") {
        context.rect(shape.x, shape.y, shape.width, shape.height);
      } else {
        for (const tickX of [shape.left, shape.right]) {
          context.moveTo(tickX, shape.top);
          context.lineTo(tickX, shape.bottom);
        }
      }
    }
    for (const [style, width] of [
      ["--spectro-cursor-shadow", 2],
      ["--spectro-cursor", 1],
    ] as const) {
      context.strokeStyle = themeColor(this.element, style, style === "--spectro-cursor" ? "#fff" : "#000");
      context.lineWidth = width;
      context.stroke();
    }
    context.restore();
  }

  /** The colour bar's value ticks, and the row and column axes unless only the value ticks' part `ticksOnly` was cleared. */
  private drawAxes(
    context: CanvasRenderingContext2D,
    image: PanelImage,
    fg: string,
    muted: string,
    ticksOnly: { x: number; y: number; width: number; height: number } | null,
  ): void {
    const all = ticksOnly === null;
    const { plot, colorbar } = this.layout!;
    context.fillStyle = muted;
    context.strokeStyle = muted;
    context.textAlign = "right";
    context.textBaseline = "middle";
    if (all && image.rowLabels) this.drawRowLabels(context, image, image.rowLabels);
    else if (all) this.drawRowTicks(context, image);
    const { min, max } = image.range;
    const valueTicks = niceTicks(min, max, Math.max(2, Math.floor(plot.height / 24)));
    context.textAlign = "left";
    for (const value of valueTicks) {
      const y = colorbar.y + colorbar.height - ((value - min) / (max - min)) * colorbar.height;
      context.fillText(formatTick(value, valueTicks), colorbar.x + colorbar.width + 4, y);
    }
    if (all && !image.rowLabels) {
      context.save();
      context.translate(11, plot.y + plot.height / 2);
      context.rotate(-Math.PI / 2);
      context.textAlign = "center";
      context.fillText(this.rowsLabel, 0, 0);
      context.restore();
    }
    if (this.showColsAxis) {
      context.textBaseline = "top";
      const window = this.window;
      if (all) {
        context.textAlign = "center";
        for (const col of niceTicks(window.start, window.end - 1, Math.max(2, Math.floor(plot.width / 70)))) {
          if (!Number.isInteger(col)) continue;
          const x = plot.x + xOfFrame(window, col + 0.5, plot.width);
          context.fillText(String(col), x, plot.y + plot.height + 5);
          context.beginPath();
          context.moveTo(x, plot.y + plot.height);
          context.lineTo(x, plot.y + plot.height + 3);
          context.stroke();
        }
      }
      context.textAlign = "left";
      const labelX = plot.x + plot.width + 6;
      const labelY = plot.y + plot.height + 5;
      if (all) {
        context.fillText(this.colsLabel, labelX, labelY);
      } else {
        // The label reaches into the value ticks' part, cleared: only that part of it is drawn again.
        context.save();
        context.beginPath();
        context.rect(ticksOnly.x, ticksOnly.y, ticksOnly.width, ticksOnly.height);
        context.clip();
        context.fillText(this.colsLabel, labelX, labelY);
        context.restore();
      }
    }
    context.fillStyle = fg;
  }

  private drawRowTicks(context: CanvasRenderingContext2D, image: PanelImage): void {
    const { plot } = this.layout!;
    for (const bin of niceTicks(0, image.rows - 1, Math.max(2, Math.floor(plot.height / 28)))) {
      if (!Number.isInteger(bin)) continue;
      const y = plot.y + this.rowY(bin + 0.5, plot.height, image.rows);
      context.fillText(String(bin), plot.x - 6, y);
      context.beginPath();
      context.moveTo(plot.x - 3, y);
      context.lineTo(plot.x, y);
      context.stroke();
    }
  }

  /** Row labels elided to the axis' width (whole in the card's readout and tooltip); the axis title gives way to them. */
  private drawRowLabels(context: CanvasRenderingContext2D, image: PanelImage, labels: readonly string[]): void {
    const { plot } = this.layout!;
    const room = plot.x - 6 - ROW_LABEL_LEFT;
    for (const row of labelledTokens(image.rows, plot.height, ROW_LABEL_SPACING)) {
      const label = labels[row] ?? String(row);
      let chars = Array.from(label).length;
      let text = label;
      while (chars > 0 && context.measureText(text).width > room) text = elideLabel(label, --chars);
      const y = plot.y + this.rowY(row + 0.5, plot.height, image.rows);
      context.fillText(text, plot.x - 6, y);
      context.beginPath();
      context.moveTo(plot.x - 3, y);
      context.lineTo(plot.x, y);
      context.stroke();
    }
  }

  /** Puts the playhead at frame coordinate `frame` (fractional), hidden when null or outside the window. */
  setPlayhead(frame: number | null): void {
    this.playheadFrame = frame;
    const plot = this.layout?.plot;
    const window = this.window;
    const visible = frame !== null && plot !== undefined && frame >= window.start && frame <= window.end;
    if (this.playhead.hidden !== !visible) this.playhead.hidden = !visible;
    if (!visible) return;
    const transform = `translateX(${(plot.x + xOfFrame(window, frame, plot.width)).toFixed(1)}px)`;
    if (this.playhead.style.transform !== transform) this.playhead.style.transform = transform;
  }

  /** Draws the shared cursor (a cell, or only a column when the row is null) and the drag selection. */
  drawOverlay(cursor: { col: number; row: number | null } | null, selection: [number, number] | null): void {
    const layout = this.layout;
    const image = this.image;
    if (!cursor && !selection && !this.overlayDrawn) return;
    const context = fitCanvas(this.overlay, this.size.width, this.size.height);
    this.overlayLive = true;
    context.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.overlayDrawn = false;
    if (!layout || !image || image.rows === 0) return;
    this.overlayDrawn = cursor !== null || selection !== null;
    const { plot } = layout;
    context.save();
    context.beginPath();
    context.rect(plot.x, plot.y, plot.width, plot.height);
    context.clip();
    if (selection) {
      const a = plot.x + xOfFrame(this.window, Math.min(...selection), plot.width);
      const b = plot.x + xOfFrame(this.window, Math.max(...selection), plot.width);
      context.fillStyle = themeColor(this.element, "--spectro-selection", "rgba(245,124,0,0.25)");
      context.fillRect(a, plot.y, b - a, plot.height);
    }
    if (cursor) {
      const x = plot.x + xOfFrame(this.window, cursor.col + 0.5, plot.width);
      const lines: [number, number, number, number][] = [[x, plot.y, x, plot.y + plot.height]];
      if (cursor.row !== null) {
        const y = plot.y + this.rowY(cursor.row + 0.5, plot.height, image.rows);
        lines.push([plot.x, y, plot.x + plot.width, y]);
      }
      for (const [style, width] of [
        ["--spectro-cursor-shadow", 3],
        ["--spectro-cursor", 1],
      ] as const) {
        context.strokeStyle = themeColor(this.element, style, style === "--spectro-cursor" ? "#fff" : "#000");
        context.lineWidth = width;
        for (const [x0, y0, x1, y1] of lines) {
          context.beginPath();
          context.moveTo(x0, y0);
          context.lineTo(x1, y1);
          context.stroke();
        }
      }
    }
    context.restore();
  }

  private cellAt(event: PointerEvent | MouseEvent): Cell | null {
    const layout = this.layout;
    const image = this.image;
    if (!layout || !image || image.rows === 0) return null;
    const bounds = this.overlay.getBoundingClientRect();
    const x = event.clientX - bounds.left;
    const y = event.clientY - bounds.top;
    if (!contains(layout.plot, x, y)) return null;
    return {
      col: frameIndexAtX(this.window, x - layout.plot.x, layout.plot.width, image.cols),
      row: this.rowAt(y - layout.plot.y, layout.plot.height, image.rows),
    };
  }

  private colAt(clientX: number): number {
    const layout = this.layout!;
    const x = clientX - this.overlay.getBoundingClientRect().left - layout.plot.x;
    return frameAtX(this.window, Math.min(Math.max(x, 0), layout.plot.width), layout.plot.width);
  }

  private listen(): void {
    const overlay = this.overlay;
    const zoomable = this.options.zoomable !== false;
    overlay.addEventListener("pointermove", (event) => {
      if (this.drag && this.layout && !zoomable) {
        if (Math.hypot(event.clientX - this.drag.startX, event.clientY - this.drag.startY) >= DRAG_THRESHOLD)
          this.drag.moved = true;
      } else if (this.drag && this.layout) {
        const col = this.colAt(event.clientX);
        if (Math.abs(event.clientX - this.drag.startX) >= DRAG_THRESHOLD) this.drag.moved = true;
        if (this.drag.pan) {
          this.gestures.pan(this.drag.lastCol - col);
          this.drag.lastCol = this.colAt(event.clientX);
        } else if (this.drag.moved) {
          this.selection = [this.drag.startCol, col];
          this.drawOverlay(null, this.selection);
        }
        return;
      }
      this.gestures.hover(this.cellAt(event));
    });
    overlay.addEventListener("pointerleave", () => {
      if (!this.drag) this.gestures.hover(null);
    });
    overlay.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !this.cellAt(event)) return;
      overlay.setPointerCapture(event.pointerId);
      const col = this.colAt(event.clientX);
      this.drag = {
        startX: event.clientX,
        startY: event.clientY,
        startCol: col,
        lastCol: col,
        pan: event.shiftKey,
        moved: false,
      };
    });
    const endDrag = (event: PointerEvent) => {
      const drag = this.drag;
      this.drag = null;
      this.selection = null;
      if (drag && drag.moved && !drag.pan && zoomable) this.gestures.select(drag.startCol, this.colAt(event.clientX));
      const cell = this.cellAt(event);
      if (drag && !drag.moved && cell && event.type === "pointerup") this.gestures.click?.(cell);
      this.gestures.hover(cell);
    };
    overlay.addEventListener("pointerup", endDrag);
    overlay.addEventListener("pointercancel", endDrag);
    overlay.addEventListener("dblclick", () => this.gestures.reset());
    overlay.addEventListener(
      "wheel",
      (event) => {
        if (!zoomable || !this.cellAt(event) || !this.layout) return;
        event.preventDefault();
        const pixels = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
        if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
          const colsPerPixel = (this.window.end - this.window.start) / this.layout.plot.width;
          this.gestures.pan(event.deltaX * pixels * colsPerPixel);
        } else {
          this.gestures.zoom(this.colAt(event.clientX), Math.exp(event.deltaY * pixels * WHEEL_ZOOM_PER_PIXEL));
        }
      },
      { passive: false },
    );
  }
}

/** The CSS colour of non-finite cells, for legends. */
export const NONFINITE_CSS = cssColor(NONFINITE_RGB);
