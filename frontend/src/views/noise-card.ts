// A noise pair card (diffusion training): predicted noise, actual noise and
// actual − predicted (the .npz download's diff: actual plays the target's
// role), on the ComparisonCard's synchronized panels. A stack [C, H, W] shows
// one slice [H, W] at a time, kept in the card's view as `channel`.
//
// Colours: noise is signed and centred on 0, so predicted and actual share one
// range symmetric around 0 on the diverging map; per step it reaches the
// step's largest |value| (every slice), fixed over steps it is ±3 RMS of the
// actual noise over all steps, from the stats /steps stores. The diff follows
// the toolbar's difference mode, as for mels.
//
// The readout's data-frame is the column and data-bin the row of the slice;
// data-channel is the slice. The card's data-timestep is the diffusion
// timestep of the step shown.

import type { DecodedArray } from "../api/decode";
import type { NonfiniteCounts, StepInfo } from "../api/types";
import { SIGNED_DIFF_MAP, type ColormapName } from "../colormaps";
import { clampSlice, frameMse, noiseStat, seriesNoiseScale, stackDepth, stackSlice, type Plane } from "../render/noise";
import { formatStat, formatValue, maxAbsFinite, symmetricRange, type ColorRange } from "../render/scale";
import type { CardState, Cursor, Settings } from "../state/app-state";
import type { CardActions } from "../state/actions";
import { ComparisonCard, type Compared, type ComparisonSpec, type Selection, type StatsLine } from "./comparison-card";
import { el, setText } from "./dom";
import { ScatterChart } from "./scatter-chart";

export const NOISE_CARD_STYLES = `
.spectro-timestep { font-variant-numeric: tabular-nums; color: var(--spectro-fg); white-space: nowrap; }
.spectro-noise-charts { margin-top: 8px; }
.spectro-noise-charts h4 { font-size: 12px; font-weight: 500; margin: 0 0 2px; color: var(--spectro-muted); }
.spectro-scatter { display: block; width: 100%; height: 140px; }
.spectro-scatter-legend { display: flex; gap: 6px; align-items: center; color: var(--spectro-muted); font-size: 12px;
  font-variant-numeric: tabular-nums; }
.spectro-scatter-ramp { display: inline-block; width: 96px; height: 8px; border-radius: 2px; }
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
  private scatterKey = "";

  constructor(card: CardState, actions: CardActions) {
    const timestep = el("span", { className: "spectro-timestep" });
    const scatter = new ScatterChart("diffusion timestep", "noise MSE", (step) => actions.pickStep(card.key, step));
    const charts = el("div", { className: "spectro-noise-charts" }, [
      el("h4", { text: "Noise MSE by diffusion timestep (the loss mixes timesteps)" }),
      scatter.element,
    ]);
    super(card, actions, NOISE_SPEC, [timestep], [charts]);
    this.timestep = timestep;
    this.scatter = scatter;
  }

  override forgetDrawings(): void {
    super.forgetDrawings();
    this.scatterKey = "";
  }

  /** Slices of the step: from /steps' per-slice MSEs, else from the shown arrays. */
  private depth(step: StepInfo | undefined): number {
    const perSlice = frameMse(step).length;
    if (perSlice > 0) return perSlice;
    const shown = this.shown;
    const predicted =
      shown && shown.data.description.step === step?.step ? shown.data.arrays.get("predicted") : undefined;
    return predicted ? stackDepth(predicted.shape) : 1;
  }

  protected override sample(): number {
    return 0;
  }

  protected selection(step: StepInfo | undefined): Selection {
    const depth = this.depth(step);
    const mse = frameMse(step);
    const options: [string, string][] = [];
    for (let c = 0; c < depth; c++) {
      const value = mse[c];
      options.push([String(c), typeof value === "number" ? `${c} · MSE ${formatValue(value)}` : String(c)]);
    }
    const shape = this.shown?.data.arrays.get("predicted")?.shape;
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
    return clampSlice(this.card.view.channel, stackDepth(first.shape));
  }

  protected override plane(array: DecodedArray, slice: number): Plane {
    return stackSlice(array, slice);
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
    const counts = step?.stats?.nonfinite;
    return isNonfiniteCounts(counts) ? counts : undefined;
  }

  protected statsLine(step: StepInfo | undefined): StatsLine {
    const data = {
      mse: String(noiseStat(step, "mse") ?? ""),
      correlation: String(noiseStat(step, "correlation") ?? ""),
      snrDb: String(noiseStat(step, "snr_db") ?? ""),
    };
    if (!step?.stats) return { text: "", title: "", data };
    const show = (name: string) => formatStat(noiseStat(step, name));
    return {
      text: `MSE ${show("mse")}  corr ${show("correlation")}  SNR ${show("snr_db")} dB`,
      title:
        `MAE ${show("mae")}, ${String(step.stats.compared ?? 0)} values compared (every channel); ` +
        "correlation is Pearson's of predicted and actual; SNR is Σ actual² / Σ (actual − predicted)²",
      data,
    };
  }

  protected trendValue(step: StepInfo): number | null {
    return noiseStat(step, "mse");
  }

  protected readoutText(
    cursor: Cursor,
    [predicted = 0, actual = 0, diff = 0]: readonly number[],
    slice: number,
  ): string {
    const channel = this.depth(this.card.steps[this.card.stepIndex]) > 1 ? `channel ${slice}  ` : "";
    return (
      `${channel}row ${cursor.bin}  column ${cursor.frame}  predicted ${formatValue(predicted)}  ` +
      `actual ${formatValue(actual)}  diff ${formatValue(diff)}`
    );
  }

  protected override readoutData(_cursor: Cursor, slice: number): Record<string, string> {
    return { channel: String(slice) };
  }

  protected fileStem(step: number): string {
    return `${this.safeStem()}_step${step}`;
  }

  protected override updateExtras(card: CardState, _settings: Settings): void {
    const step = card.steps[card.stepIndex];
    const total = totalTimesteps(card, step);
    const t = step?.timestep;
    setText(
      this.timestep,
      step
        ? typeof t === "number"
          ? `diffusion timestep ${t}${total ? ` of T = ${total}` : ""}`
          : "no diffusion timestep"
        : "",
    );
    const shown = this.shown;
    const dataset = this.element.dataset;
    const shownTimestep = shown?.data.description.timestep;
    dataset.timestep = typeof shownTimestep === "number" ? String(shownTimestep) : "";
    dataset.shownChannel = shown ? String(shown.slice) : "";

    const seriesTotal = totalTimesteps(card, card.steps[card.steps.length - 1]);
    const width = this.scatter.canvas.clientWidth;
    const key = JSON.stringify([
      card.steps.length,
      card.steps[card.steps.length - 1]?.step,
      card.stepIndex,
      width,
      seriesTotal,
    ]);
    if (key === this.scatterKey) return;
    this.scatterKey = key;
    this.scatter.draw(
      card.steps.map((s) => ({ step: s.step, timestep: s.timestep, value: noiseStat(s, "mse") })),
      seriesTotal,
      card.stepIndex,
    );
  }
}
