// A noise pair card (diffusion training): predicted noise, actual noise and
// actual − predicted (the .npz download's diff: actual plays the target's
// role), on the ComparisonCard's synchronized panels. A stack [C, H, W] shows
// one slice [H, W] at a time, kept in the card's view as `channel`; a video
// [C, T, H, W] one frame of one channel, the frame kept as `frame`, chosen
// with a slider or played in a loop, and its MSE per frame drawn as a line.
// A batch of videos has a sample select, as a mel comparison's batch does.
//
// Colours: noise is signed and centred on 0, so predicted and actual share one
// range symmetric around 0 on the diverging map; per step it reaches the
// step's largest |value| (every slice), fixed over steps it is ±3 RMS of the
// actual noise over all steps, from the stats /steps stores. The diff follows
// the toolbar's difference mode, as for mels.
//
// The readout's data-frame is the column and data-bin the row of the slice;
// data-channel is the channel and data-video-frame the frame of a video. The
// card's data-timestep is the diffusion timestep of the sample shown,
// data-shown-channel and data-shown-video-frame the plane shown.

import type { DecodedArray } from "../api/decode";
import type { NonfiniteCounts, StepInfo } from "../api/types";
import { SIGNED_DIFF_MAP, type ColormapName } from "../colormaps";
import {
  clampSlice,
  frameMse,
  noiseSample,
  noiseSamples,
  noiseStat,
  planeIndex,
  planeOf,
  sampleStat,
  seriesNoiseScale,
  stackDepth,
  stackSlice,
  timestepPoints,
  videoFrames,
  videoMse,
  type Plane,
} from "../render/noise";
import { formatStat, formatValue, maxAbsFinite, symmetricRange, type ColorRange } from "../render/scale";
import type { CardState, Cursor, Settings } from "../state/app-state";
import type { CardActions } from "../state/actions";
import { ComparisonCard, type Compared, type ComparisonSpec, type Selection, type StatsLine } from "./comparison-card";
import { el, setAttr, setHidden, setOptions, setText } from "./dom";
import { FrameMseChart } from "./frame-mse-chart";
import { FramePlayer } from "./frame-player";
import { ScatterChart } from "./scatter-chart";

export const NOISE_CARD_STYLES = `
.spectro-timestep { font-variant-numeric: tabular-nums; color: var(--spectro-fg); white-space: nowrap; }
.spectro-noise-charts { margin-top: 8px; }
.spectro-noise-charts h4 { font-size: 12px; font-weight: 500; margin: 0 0 2px; color: var(--spectro-muted); }
.spectro-scatter { display: block; width: 100%; height: 140px; }
.spectro-scatter-legend { display: flex; gap: 6px; align-items: center; color: var(--spectro-muted); font-size: 12px;
  font-variant-numeric: tabular-nums; }
.spectro-scatter-ramp { display: inline-block; width: 96px; height: 8px; border-radius: 2px; }
.spectro-noise-card .spectro-sample-row { flex-wrap: wrap; row-gap: 4px; }
.spectro-noise-card .spectro-sample-row label { white-space: nowrap; }
.spectro-frame-player { display: inline-flex; gap: 6px; align-items: center; }
.spectro-frame-slider { width: 120px; accent-color: var(--spectro-accent); }
.spectro-frame-label { font-variant-numeric: tabular-nums; color: var(--spectro-fg); white-space: nowrap; }
.spectro-frame-mse { display: block; width: 100%; height: 120px; cursor: pointer; }
`;

/** The map of predicted and actual noise: diverging, white at 0. */
export const NOISE_MAP: ColormapName = SIGNED_DIFF_MAP;

export const NOISE_SPEC: ComparisonSpec = {
  className: "spectro-noise-card",
  arrays: ["predicted", "actual"],
  panels: [
    { name: "predicted", title: "predicted noise" },
    { name: "actual", title: "actual noise" },
    { name: "diff", title: "difference (actual − predicted)" },
  ],
  minuend: 1,
  diffText: "actual − predicted",
  rowsLabel: "row",
  colsLabel: "column",
  selectorClass: "spectro-channel-select",
  selectorLabel: "channel",
  stepKeysOnSelector: true,
  trendLabel: "noise MSE",
};

function isNonfiniteCounts(value: unknown): value is NonfiniteCounts {
  const counts = value as NonfiniteCounts | null;
  return (
    typeof counts === "object" &&
    counts !== null &&
    typeof counts.nan === "number" &&
    typeof counts.pos_inf === "number" &&
    typeof counts.neg_inf === "number"
  );
}

/** T of a card's series: the step's, else the series'. */
function totalTimesteps(card: CardState, step: StepInfo | undefined): number | null {
  const fromStep = step?.total_timesteps;
  if (typeof fromStep === "number" && fromStep > 0) return fromStep;
  const fromSeries = Number(card.info.series.total_timesteps);
  return fromSeries > 0 ? fromSeries : null;
}

export class NoiseCard extends ComparisonCard {
  private readonly timestep: HTMLSpanElement;
  private readonly scatter: ScatterChart;
  private readonly player: FramePlayer;
  private readonly sampleSelect: HTMLSelectElement;
  private readonly sampleLabel: HTMLLabelElement;
  private readonly frameChart: FrameMseChart;
  private readonly frameChartBox: HTMLDivElement;
  private scatterKey = "";
  private frameChartKey = "";

  constructor(card: CardState, actions: CardActions) {
    const timestep = el("span", { className: "spectro-timestep" });
    const scatter = new ScatterChart("diffusion timestep", "noise MSE", (step) => actions.pickStep(card.key, step));
    const player = new FramePlayer((frame) => actions.setView(card.key, { frame }));
    const sampleSelect = el("select", { className: "spectro-sample-select", attrs: { "aria-label": "sample" } });
    const sampleLabel = el("label", { text: "sample " }, [sampleSelect]);
    sampleSelect.addEventListener("change", () => actions.setSample(card.key, Number(sampleSelect.value)));
    const frameChart = new FrameMseChart((frame) => actions.setView(card.key, { frame }));
    const frameChartBox = el("div", { className: "spectro-noise-charts spectro-frame-chart" }, [
      el("h4", { text: "Noise MSE per frame (solid: every channel; dashed: the channel shown)" }),
      frameChart.canvas,
    ]);
    const charts = el("div", { className: "spectro-noise-charts" }, [
      el("h4", { text: "Noise MSE by diffusion timestep (the loss mixes timesteps)" }),
      scatter.element,
    ]);
    super(card, actions, NOISE_SPEC, [player.element, sampleLabel, timestep], [frameChartBox, charts]);
    this.timestep = timestep;
    this.scatter = scatter;
    this.player = player;
    this.sampleSelect = sampleSelect;
    this.sampleLabel = sampleLabel;
    this.frameChart = frameChart;
    this.frameChartBox = frameChartBox;
  }

  override forgetDrawings(): void {
    super.forgetDrawings();
    this.scatterKey = "";
    this.frameChartKey = "";
  }

  /** The shape of the arrays shown, when they are of this step. */
  private shownShape(step: StepInfo | undefined): readonly number[] | undefined {
    const shown = this.shown;
    if (!shown || shown.data.description.step !== step?.step) return undefined;
    return shown.data.arrays.get("predicted")?.shape;
  }

  /** The shape of a step's arrays: from /steps, else from the arrays shown. */
  private shape(step: StepInfo | undefined): readonly number[] | undefined {
    return Array.isArray(step?.shape) && step.shape.length > 1 ? step.shape : this.shownShape(step);
  }

  /** Channels of the step: from its shape, else /steps' per-slice MSEs; 1 for a 2-D pair. */
  private depth(step: StepInfo | undefined): number {
    const shape = this.shape(step);
    if (shape) return stackDepth(shape);
    const perSlice = frameMse(step, this.card.sample).length;
    return perSlice > 0 ? perSlice : 1;
  }

  private frames(step: StepInfo | undefined): number {
    const shape = this.shape(step);
    return shape ? videoFrames(shape) : 1;
  }

  protected override sample(): number {
    return this.card.sample;
  }

  protected selection(step: StepInfo | undefined): Selection {
    const depth = this.depth(step);
    const mse = frameMse(step, this.card.sample);
    const options: [string, string][] = [];
    for (let c = 0; c < depth; c++) {
      const value = mse[c];
      options.push([String(c), typeof value === "number" ? `${c} · MSE ${formatValue(value)}` : String(c)]);
    }
    const shape = this.shownShape(step) ?? this.shape(step);
    return {
      options,
      selected: String(clampSlice(this.card.view.channel, depth)),
      text: "",
      aside: shape ? `shape [${shape.join(", ")}]` : "",
    };
  }

  protected override choose(value: number): void {
    this.actions.setView(this.card.key, { channel: value });
  }

  protected override sliceOf(first: DecodedArray): number {
    const frames = videoFrames(first.shape);
    const channel = clampSlice(this.card.view.channel, stackDepth(first.shape));
    return planeIndex(channel, clampSlice(this.card.view.frame, frames), frames);
  }

  protected override plane(array: DecodedArray, slice: number): Plane {
    return stackSlice(array, slice);
  }

  /** The channel and frame of the plane shown. */
  private shownPlane(slice: number): { channel: number; frame: number; frames: number } {
    const shape = this.shown?.data.arrays.get("predicted")?.shape ?? [];
    const frames = videoFrames(shape);
    return { ...planeOf(slice, frames), frames };
  }

  protected valueMap(_settings: Settings): ColormapName {
    return NOISE_MAP;
  }

  protected valueRange({ first, second }: Compared, settings: Settings): ColorRange {
    const series = settings.rangeMode === "series" ? seriesNoiseScale(this.card.steps) : null;
    return symmetricRange(
      series ? series.value : Math.max(maxAbsFinite(first.values), second ? maxAbsFinite(second.values) : 0),
    );
  }

  protected diffMaxAbs(stepMaxAbs: number, settings: Settings): number {
    const series = settings.rangeMode === "series" ? seriesNoiseScale(this.card.steps) : null;
    return series ? series.diff : stepMaxAbs;
  }

  protected nonfinite(step: StepInfo | undefined): NonfiniteCounts | undefined {
    const counts = noiseSample(step, this.card.sample)?.stats.nonfinite;
    return isNonfiniteCounts(counts) ? counts : undefined;
  }

  protected statsLine(step: StepInfo | undefined): StatsLine {
    const sample = this.card.sample;
    const stat = (name: string) => sampleStat(step, sample, name);
    const data = {
      mse: String(stat("mse") ?? ""),
      correlation: String(stat("correlation") ?? ""),
      snrDb: String(stat("snr_db") ?? ""),
    };
    const info = noiseSample(step, sample);
    if (!info) return { text: "", title: "", data };
    const show = (name: string) => formatStat(stat(name));
    const batch = step?.batch_size ?? 1;
    const pooled =
      batch > 1
        ? `; over the ${noiseSamples(step).length} videos kept of ${batch}, MSE ${formatStat(noiseStat(step, "mse"))}`
        : "";
    return {
      text: `MSE ${show("mse")}  corr ${show("correlation")}  SNR ${show("snr_db")} dB`,
      title:
        `MAE ${show("mae")}, ${String(info.stats.compared ?? 0)} values compared (every channel and frame); ` +
        "correlation is Pearson's of predicted and actual; SNR is Σ actual² / Σ (actual − predicted)²" +
        pooled,
      data,
    };
  }

  protected trendValue(step: StepInfo): number | null {
    return sampleStat(step, this.card.sample, "mse");
  }

  protected readoutText(
    cursor: Cursor,
    [predicted = 0, actual = 0, diff = 0]: readonly number[],
    slice: number,
  ): string {
    const { channel, frame, frames } = this.shownPlane(slice);
    const depth = this.depth(this.card.steps[this.card.stepIndex]);
    const where = `${depth > 1 || frames > 1 ? `channel ${channel}  ` : ""}${frames > 1 ? `frame ${frame}  ` : ""}`;
    return (
      `${where}row ${cursor.bin}  column ${cursor.frame}  predicted ${formatValue(predicted)}  ` +
      `actual ${formatValue(actual)}  diff ${formatValue(diff)}`
    );
  }

  protected override readoutData(_cursor: Cursor, slice: number): Record<string, string> {
    const { channel, frame, frames } = this.shownPlane(slice);
    return { channel: String(channel), videoFrame: frames > 1 ? String(frame) : "" };
  }

  protected fileStem(step: number): string {
    const samples = noiseSamples(this.card.steps[this.card.stepIndex]).length;
    return `${this.safeStem()}_step${step}${samples > 1 ? `_sample${this.card.sample}` : ""}`;
  }

  protected override updateExtras(card: CardState, _settings: Settings): void {
    const step = card.steps[card.stepIndex];
    const total = totalTimesteps(card, step);
    const samples = noiseSamples(step);
    const t = samples[card.sample]?.timestep;
    setText(
      this.timestep,
      step
        ? typeof t === "number"
          ? `diffusion timestep ${t}${total ? ` of T = ${total}` : ""}`
          : "no diffusion timestep"
        : "",
    );
    setOptions(
      this.sampleSelect,
      samples.map((s, i) => [
        String(i),
        `${s.batch_index}${typeof s.timestep === "number" ? ` · t ${s.timestep}` : ""}`,
      ]),
      String(card.sample),
    );
    setHidden(this.sampleLabel, samples.length < 2);
    const shown = this.shown;
    const dataset = this.element.dataset;
    const shownTimestep = noiseSample(shown?.data.description, shown?.data.description.sample ?? 0)?.timestep;
    dataset.timestep = typeof shownTimestep === "number" ? String(shownTimestep) : "";
    const plane = shown ? this.shownPlane(shown.slice) : null;
    dataset.shownChannel = plane ? String(plane.channel) : "";
    dataset.shownVideoFrame = plane && plane.frames > 1 ? String(plane.frame) : "";
    if (plane) this.player.update(plane.channel, plane.frame, plane.frames);
    else this.player.update(0, 0, this.frames(step));
    this.updateFrameChart(plane);

    const seriesTotal = totalTimesteps(card, card.steps[card.steps.length - 1]);
    const width = this.scatter.canvas.clientWidth;
    const key = JSON.stringify([
      card.steps.length,
      card.steps[card.steps.length - 1]?.step,
      card.stepIndex,
      card.sample,
      width,
      seriesTotal,
    ]);
    if (key === this.scatterKey) return;
    this.scatterKey = key;
    const { points, currentIndex } = timestepPoints(card.steps, card);
    this.scatter.draw(points, seriesTotal, currentIndex);
  }

  /** The MSE per frame of the video shown, its channel dashed; hidden for a pair that is not a video. */
  private updateFrameChart(plane: { channel: number; frame: number; frames: number } | null): void {
    const description = this.shown?.data.description;
    const video = videoMse(description?.video_mse);
    setHidden(this.frameChartBox, !video || !plane);
    if (!video || !plane) {
      this.frameChartKey = "";
      return;
    }
    const key = JSON.stringify([description?.step, description?.sample, plane, this.frameChart.width]);
    if (key === this.frameChartKey) return;
    this.frameChartKey = key;
    const channels = video.channel_frame_mse;
    this.frameChart.draw(video.frame_mse, channels.length > 1 ? (channels[plane.channel] ?? null) : null, plane.frame);
    setAttr(this.frameChart.canvas, "data-channel", String(plane.channel));
  }
}
