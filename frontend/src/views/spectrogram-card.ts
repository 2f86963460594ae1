// A single spectrogram card (a full target mel, an inference output, a
// vocoder's input): the mel comparison card with one panel, the same zoom,
// cursor, colour range, colour maps, samples and steps. Its stats are the
// value range and mean of the sample shown, the mean's trend over steps.

import type { NonfiniteCounts, SpectrogramSampleInfo, StepInfo } from "../api/types";
import type { ColormapName } from "../colormaps";
import {
  finiteRange,
  formatStat,
  formatValue,
  seriesValueRange,
  unionRange,
  usableRange,
  type ColorRange,
} from "../render/scale";
import type { CardActions } from "../state/actions";
import type { CardState, Cursor, Settings } from "../state/app-state";
import { ComparisonCard, type Compared, type ComparisonSpec, type Selection, type StatsLine } from "./comparison-card";

export const SPECTROGRAM_SPEC: ComparisonSpec = {
  className: "spectro-spectrogram-card",
  arrays: ["mel"],
  panels: [{ name: "mel", title: "mel" }],
  minuend: 0,
  diffText: "",
  rowsLabel: "mel bin",
  colsLabel: "frame",
  selectorClass: "spectro-sample-select",
  selectorLabel: "sample",
  stepKeysOnSelector: false,
  trendLabel: "mean",
};

/** The samples of a /steps entry of a spectrogram series. */
export function spectrogramSamples(step: StepInfo | undefined): SpectrogramSampleInfo[] {
  return ((step as StepInfo<unknown> | undefined)?.samples ?? []) as SpectrogramSampleInfo[];
}

export class SpectrogramCard extends ComparisonCard {
  constructor(card: CardState, actions: CardActions) {
    super(card, actions, SPECTROGRAM_SPEC);
  }

  private sampleInfo(step: StepInfo | undefined): SpectrogramSampleInfo | undefined {
    return spectrogramSamples(step)[this.card.sample];
  }

  protected selection(step: StepInfo | undefined): Selection {
    const samples = spectrogramSamples(step);
    const sample = samples[this.card.sample];
    const text = sample ? [samples.length < 2 ? sample.sample_id : "", sample.text].filter(Boolean).join(" — ") : "";
    return {
      options: samples.map((s, i) => [String(i), s.sample_id || `sample ${i}`]),
      selected: String(this.card.sample),
      text,
      aside: sample ? `${sample.frames} frames` : "",
    };
  }

  protected valueMap(settings: Settings): ColormapName {
    return settings.colormap;
  }

  protected valueRange({ first }: Compared, settings: Settings): ColorRange {
    let range = finiteRange(first.values);
    if (settings.rangeMode === "series") range = unionRange(range, seriesValueRange(this.card.steps, this.card.sample));
    return usableRange(range);
  }

  protected diffMaxAbs(stepMaxAbs: number): number {
    return stepMaxAbs;
  }

  protected nonfinite(step: StepInfo | undefined): NonfiniteCounts | undefined {
    return step?.nonfinite;
  }

  protected statsLine(step: StepInfo | undefined): StatsLine {
    const range = this.sampleInfo(step)?.range;
    if (!range) return { text: "", title: "" };
    const [min, max, mean] = [range.min, range.max, range.mean].map(formatStat);
    return {
      text: `min ${min}  max ${max}  mean ${mean}`,
      title: `over the ${range.count} finite values of the sample; the trend is the mean over steps`,
      data: { min: String(range.min), max: String(range.max), mean: String(range.mean) },
    };
  }

  protected trendValue(step: StepInfo): number | null | undefined {
    return spectrogramSamples(step)[this.card.sample]?.range.mean;
  }

  protected readoutText(cursor: Cursor, [value = 0]: readonly number[]): string {
    const series = this.card.info.series;
    const sampleRate = Number(series.sample_rate) || 0;
    const hop = Number(series.hop_length) || 0;
    const time = sampleRate && hop ? `  t ${((cursor.frame * hop) / sampleRate).toFixed(3)} s` : "";
    return `frame ${cursor.frame}${time}  mel ${cursor.bin}  value ${formatValue(value)}`;
  }

  protected fileStem(step: number): string {
    return `${this.safeStem()}_step${step}_sample${this.card.sample}`;
  }
}
