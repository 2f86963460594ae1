// A mel comparison card: target, predicted and difference stacked on one
// frame axis, sharing the step, the zoom window, the cursor and the colour range.

import type { StepData, StepKey } from "../api/client";
import { dataUrl } from "../api/client";
import type { DecodedArray } from "../api/decode";
import type { MelSampleInfo, StepInfo } from "../api/types";
import { ABS_DIFF_MAP, colormapLut, SIGNED_DIFF_MAP } from "../colormaps";
import {
  diffRange, diffValues, finiteRange, formatValue, maxAbsFinite, seriesMaxAbsDiff, seriesValueRange,
  unionRange, usableRange, type ColorRange,
} from "../render/scale";
import { clampWindow, fullWindow, isFullWindow, panBy, windowFromSelection, zoomAt, type FrameWindow } from "../render/zoom";
import type { CardState, Settings } from "../state/app-state";
import type { CardActions } from "./card-actions";
import type { CardView } from "./card-view";
import { download, el, safeFileName, setHidden, setOptions, setText } from "./dom";
import { HeatmapPanel, type Cell } from "./heatmap-panel";
import { StepControl } from "./step-control";
import { TrendChart } from "./trend-chart";

const PANEL_HEIGHT = 150; // CSS pixels of each panel; the bottom one adds the frame axis
const PREFETCH_PLAYING = 3; // steps loaded ahead while playing

interface Prepared {
  data: StepData;
  target: DecodedArray;
  predicted: DecodedArray;
  diff: Float32Array;
  valueRange: ColorRange;
  diffRange: ColorRange;
  key: string;
}

function nonfiniteText(counts: { nan: number; pos_inf: number; neg_inf: number } | undefined): string {
  if (!counts) return "";
  const parts: string[] = [];
  if (counts.nan) parts.push(`NaN ${counts.nan}`);
  if (counts.pos_inf) parts.push(`+Inf ${counts.pos_inf}`);
  if (counts.neg_inf) parts.push(`−Inf ${counts.neg_inf}`);
  return parts.join(" · ");
}

export class MelCard implements CardView {
  readonly element: HTMLElement;
  private readonly title = el("h3", { className: "spectro-card-title" });
  private readonly run = el("span", { className: "spectro-card-run" });
  private readonly flag = el("span", { className: "spectro-flag spectro-nonfinite", title: "non-finite values at this step, drawn magenta" });
  private readonly sampleSelect = el("select", { className: "spectro-sample-select", attrs: { "aria-label": "sample" } });
  private readonly sampleLabel = el("label", { text: "sample " }, [this.sampleSelect]);
  private readonly sampleText = el("span", { className: "spectro-sample-text" });
  private readonly lengths = el("span", { className: "spectro-lengths" });
  private readonly panels: HeatmapPanel[];
  private readonly panelBox: HTMLDivElement;
  private readonly readout = el("div", { className: "spectro-readout" });
  private readonly loading = el("span", { className: "spectro-loading" });
  private readonly error = el("div", { className: "spectro-error" });
  private readonly stepControl: StepControl;
  private readonly statsText = el("span", { className: "spectro-stats-text" });
  private readonly trend: TrendChart;
  private readonly npzLink = el("a", { className: "spectro-download-npz", text: "Download .npz" });
  private readonly pngButton = el("button", { className: "spectro-download-png", text: "Download PNG", attrs: { type: "button" } });
  private readonly resetButton = el("button", { className: "spectro-reset-zoom", text: "Reset zoom", attrs: { type: "button" } });
  private card: CardState;
  private settings: Settings | null = null;
  private prepared: Prepared | null = null;
  private drawnKey = "";
  private trendKey = "";
  private overlayKey = "";

  constructor(card: CardState, private readonly actions: CardActions) {
    this.card = card;
    const key = card.key;
    const gestures = {
      hover: (cell: Cell | null) => actions.setCursor(key, cell ? { frame: cell.col, bin: cell.row } : null),
      zoom: (anchor: number, factor: number) => actions.setWindow(key, zoomAt(this.currentWindow(), anchor, factor, this.frames())),
      pan: (delta: number) => actions.setWindow(key, panBy(this.currentWindow(), delta, this.frames())),
      select: (a: number, b: number) => actions.setWindow(key, windowFromSelection(a, b, this.frames())),
      reset: () => actions.setWindow(key, null),
    };
    this.panels = [
      new HeatmapPanel("target", "target", false, gestures),
      new HeatmapPanel("predicted", "predicted", false, gestures),
      new HeatmapPanel("diff", "difference", true, gestures),
    ];
    this.panelBox = el("div", { className: "spectro-panels" }, this.panels.map((p) => p.element));
    this.stepControl = new StepControl({
      select: (index) => actions.selectStep(key, index),
      togglePlay: () => actions.togglePlay(key),
    });
    this.trend = new TrendChart("MAE", (step) => actions.pickStep(key, step));
    this.sampleSelect.addEventListener("change", () => actions.setSample(key, Number(this.sampleSelect.value)));
    this.pngButton.addEventListener("click", () => this.downloadPng());
    this.resetButton.addEventListener("click", () => actions.setWindow(key, null));
    this.element = el(
      "section",
      { className: "spectro-card spectro-mel-card", attrs: { "data-kind": card.info.kind, tabindex: "-1" } },
      [
        el("header", { className: "spectro-card-header" }, [this.title, this.run, this.flag, this.loading]),
        el("div", { className: "spectro-sample-row" }, [this.sampleLabel, this.sampleText, this.lengths]),
        this.error,
        this.panelBox,
        this.readout,
        this.stepControl.element,
        el("div", { className: "spectro-stats" }, [this.statsText, this.trend.element]),
        el("div", { className: "spectro-actions" }, [this.npzLink, this.pngButton, this.resetButton]),
      ],
    );
    this.element.dataset.run = card.run;
    this.element.dataset.tag = card.tag;
    this.element.addEventListener("keydown", (event) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
      if (event.key === "ArrowLeft") actions.selectStep(key, this.card.stepIndex - 1);
      else if (event.key === "ArrowRight") actions.selectStep(key, this.card.stepIndex + 1);
      else return;
      event.preventDefault();
    });
  }

  /** Draws everything again on the next update (the theme's colours changed). */
  forgetDrawings(): void {
    this.drawnKey = "";
    this.trendKey = "";
    this.overlayKey = "";
  }

  private frames(): number {
    return this.prepared?.target.cols ?? 1;
  }

  private currentWindow(): FrameWindow {
    const frames = this.frames();
    return this.card.window ? clampWindow(this.card.window, frames) : fullWindow(frames);
  }

  private stepKey(index: number): StepKey | null {
    const step = this.card.steps[index];
    if (!step) return null;
    return { run: this.card.run, tag: this.card.tag, step: step.step, sample: this.card.sample };
  }

  update(card: CardState, settings: Settings): void {
    this.card = card;
    this.settings = settings;
    setText(this.title, card.info.display_name || card.tag);
    setText(this.run, card.run);
    const step: StepInfo | undefined = card.steps[card.stepIndex];
    this.stepControl.update(card.steps, card.stepIndex, card.playing);
    this.updateSamples(step);
    const sampleInfo = step?.samples?.[card.sample];
    const flagText = nonfiniteText(sampleInfo?.stats.nonfinite);
    setText(this.flag, flagText);
    setHidden(this.flag, flagText === "");

    let errorText = card.stepsError ?? step?.error ?? "";
    const key = this.stepKey(card.stepIndex);
    if (key) {
      const entry = this.actions.requestStep(key);
      if (entry.status === "loaded") {
        this.prepare(entry.data, settings);
        this.prefetch(card);
      } else if (entry.status === "failed") {
        errorText = entry.error;
      }
      setText(this.loading, entry.status === "loading" ? "loading…" : "");
    }
    setText(this.error, errorText);
    setHidden(this.error, errorText === "");
    this.draw();
    this.updateReadout();
    this.updateStats(sampleInfo);
    if (key) {
      this.npzLink.href = dataUrl(key, "npz");
      this.npzLink.download = `${safeFileName(`${card.run}_${card.tag}`)}_step${key.step}_sample${key.sample}.npz`;
    }
    setHidden(this.resetButton, card.window === null);
    const window = card.window && this.prepared ? this.currentWindow() : null;
    this.element.dataset.window = window ? `${window.start},${window.end}` : "";
  }

  private updateSamples(step: StepInfo | undefined): void {
    const samples: MelSampleInfo[] = step?.samples ?? [];
    setOptions(
      this.sampleSelect,
      samples.map((s, i) => [String(i), s.sample_id || `sample ${i}`]),
      String(this.card.sample),
    );
    setHidden(this.sampleLabel, samples.length < 2);
    const sample = samples[this.card.sample];
    const describe = sample ? [samples.length < 2 ? sample.sample_id : "", sample.text].filter(Boolean).join(" — ") : "";
    setText(this.sampleText, describe);
    this.sampleText.title = describe;
    const lengths =
      sample && sample.target_frames !== sample.predicted_frames
        ? `target ${sample.target_frames} frames, predicted ${sample.predicted_frames} (${sample.length_mismatch === "PADDED" ? "padded" : "cropped"})`
        : "";
    setText(this.lengths, lengths);
  }

  private prefetch(card: CardState): void {
    const ahead = card.playing ? PREFETCH_PLAYING : 1;
    for (let offset = -1; offset <= ahead; offset++) {
      if (offset === 0) continue;
      const key = this.stepKey(card.stepIndex + offset);
      if (key) this.actions.requestStep(key);
    }
  }

  /** Turns a loaded step into what the panels paint, once per step and settings. */
  private prepare(data: StepData, settings: Settings): void {
    const card = this.card;
    const seriesPart = settings.rangeMode === "series" ? `${card.steps.length}` : "";
    const key = JSON.stringify([data.description.step, data.description.sample, settings.diffMode, settings.rangeMode, seriesPart]);
    if (this.prepared && this.prepared.data === data && this.prepared.key === key) return;
    const target = data.arrays.get("target");
    const predicted = data.arrays.get("predicted");
    if (!target || !predicted) throw new Error(`step ${data.description.step} of ${card.tag} has no target or predicted array`);
    const signed = diffValues(target.values, predicted.values, "signed");
    const diff = settings.diffMode === "abs" ? diffValues(target.values, predicted.values, "abs") : signed;
    let valueRange = unionRange(finiteRange(target.values), finiteRange(predicted.values));
    let maxDiff = maxAbsFinite(signed);
    if (settings.rangeMode === "series") {
      valueRange = unionRange(valueRange, seriesValueRange(card.steps, data.description.sample));
      maxDiff = Math.max(maxDiff, seriesMaxAbsDiff(card.steps, data.description.sample));
    }
    this.prepared = {
      data, target, predicted, diff,
      valueRange: usableRange(valueRange),
      diffRange: diffRange(maxDiff, settings.diffMode),
      key,
    };
  }

  private draw(): void {
    const prepared = this.prepared;
    const settings = this.settings;
    if (!settings) return;
    const width = this.panelBox.clientWidth;
    const window = this.currentWindow();
    const drawKey = JSON.stringify([
      prepared?.key, prepared?.data.description.step, settings.colormap, width, window.start, window.end,
    ]);
    if (drawKey === this.drawnKey || width === 0) return;
    this.drawnKey = drawKey;
    if (!prepared) {
      for (const panel of this.panels) panel.draw(window, width, PANEL_HEIGHT);
      return;
    }
    const { target, diff, valueRange } = prepared;
    const sequential = colormapLut(settings.colormap);
    const diffLut = colormapLut(settings.diffMode === "abs" ? ABS_DIFF_MAP : SIGNED_DIFF_MAP);
    const base = `${prepared.key}|${prepared.data.description.step}`;
    const images = [
      { values: target.values, lut: sequential, range: valueRange, mapName: settings.colormap },
      { values: prepared.predicted.values, lut: sequential, range: valueRange, mapName: settings.colormap },
      { values: diff, lut: diffLut, range: prepared.diffRange, mapName: settings.diffMode },
    ];
    this.element.dataset.shownStep = String(prepared.data.description.step);
    this.element.dataset.shownSample = String(prepared.data.description.sample);
    const zoomed = isFullWindow(window, target.cols) ? "" : `frames ${Math.floor(window.start)}–${Math.ceil(window.end) - 1}`;
    this.panels.forEach((panel, i) => {
      const image = images[i]!;
      panel.setImage({
        values: image.values, rows: target.rows, cols: target.cols, range: image.range, lut: image.lut,
        key: `${base}|${image.mapName}|${image.range.min}|${image.range.max}`,
      });
      const height = PANEL_HEIGHT + (i === 2 ? 22 : 0);
      panel.draw(window, width, height, i === 0 ? zoomed : i === 2 ? (settings.diffMode === "abs" ? "|target − predicted|" : "target − predicted") : "");
    });
  }

  private updateReadout(): void {
    const prepared = this.prepared;
    const cursor = this.card.cursor;
    const overlayCursor = cursor ? { col: cursor.frame, row: cursor.bin } : null;
    const overlayKey = JSON.stringify([overlayCursor, this.drawnKey]);
    if (overlayKey !== this.overlayKey) {
      this.overlayKey = overlayKey;
      for (const panel of this.panels) panel.drawOverlay(overlayCursor, null);
    }
    const dataset = this.readout.dataset;
    if (!prepared || !cursor || cursor.frame >= prepared.target.cols || cursor.bin >= prepared.target.rows) {
      setText(this.readout, prepared ? "Hover a panel for values; wheel or drag to zoom, shift-drag to pan, double-click to reset." : "");
      delete dataset.frame;
      return;
    }
    const index = cursor.bin * prepared.target.cols + cursor.frame;
    const target = prepared.target.values[index]!;
    const predicted = prepared.predicted.values[index]!;
    const diff = target - predicted;
    const series = this.card.info.series;
    const sampleRate = Number(series.sample_rate) || 0;
    const hop = Number(series.hop_length) || 0;
    const time = sampleRate && hop ? `  t ${((cursor.frame * hop) / sampleRate).toFixed(3)} s` : "";
    setText(
      this.readout,
      `frame ${cursor.frame}${time}  mel ${cursor.bin}  target ${formatValue(target)}  predicted ${formatValue(predicted)}  diff ${formatValue(diff)}`,
    );
    Object.assign(dataset, {
      frame: String(cursor.frame), bin: String(cursor.bin),
      target: String(target), predicted: String(predicted), diff: String(diff),
    });
  }

  private updateStats(sample: MelSampleInfo | undefined): void {
    const stats = sample?.stats;
    setText(
      this.statsText,
      stats ? `MAE ${formatValue(stats.mae ?? Number.NaN)}  bias ${formatValue(stats.bias ?? Number.NaN)}` : "",
    );
    this.statsText.title = stats
      ? `RMSE ${formatValue(stats.rmse ?? Number.NaN)}, max |diff| ${formatValue(stats.max_abs_diff ?? Number.NaN)}, ` +
        `${stats.compared} values compared; bias is the mean of target − predicted`
      : "";
    const card = this.card;
    const trendKey = JSON.stringify([card.steps.length, card.steps[card.steps.length - 1]?.step, card.stepIndex, card.sample, this.trend.element.clientWidth]);
    if (trendKey === this.trendKey) return;
    this.trendKey = trendKey;
    this.trend.draw(
      card.steps.map((s) => s.step),
      card.steps.map((s) => s.samples?.[card.sample]?.stats.mae),
      card.stepIndex,
    );
  }

  /** The three panels as one PNG, as they are drawn now. */
  private downloadPng(): void {
    const canvases = this.panels.map((p) => p.plotCanvas);
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
      download(url, `${safeFileName(`${this.card.run}_${this.card.tag}`)}_step${step}_sample${this.card.sample}.png`);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, "image/png");
  }
}
