// A mel comparison card: target, predicted and target − predicted stacked on
// one frame axis, and the sample's alignment under them when it carries one;
// the machinery is the ComparisonCard's. A sample with audio adds listening
// (views/listening.ts): a waveform strip under the panels, play buttons, and
// a playhead across the panels.

import type { StepData } from "../api/client";
import type { MelSampleInfo, NonfiniteCounts, StepInfo } from "../api/types";
import type { ColormapName } from "../colormaps";
import {
  finiteRange,
  formatStat,
  formatValue,
  seriesMaxAbsDiff,
  seriesValueRange,
  unionRange,
  usableRange,
  type ColorRange,
} from "../render/scale";
import type { CardState, Cursor, Settings } from "../state/app-state";
import type { CardActions } from "../state/actions";
import {
  type Attached,
  ComparisonCard,
  type Compared,
  type ComparisonSpec,
  type Selection,
  type StatsLine,
} from "./comparison-card";
import { Listening } from "./listening";

export const MEL_SPEC: ComparisonSpec = {
  className: "spectro-mel-card",
  arrays: ["target", "predicted"],
  panels: [
    { name: "target", title: "target" },
    { name: "predicted", title: "predicted" },
    { name: "diff", title: "difference" },
  ],
  minuend: 0,
  diffText: "target − predicted",
  rowsLabel: "mel bin",
  colsLabel: "frame",
  selectorClass: "spectro-sample-select",
  selectorLabel: "sample",
  stepKeysOnSelector: false,
  trendLabel: "MAE",
};

export class MelCard extends ComparisonCard {
  private readonly listening: Listening;

  constructor(card: CardState, actions: CardActions) {
    const listening = new Listening(actions);
    super(card, actions, MEL_SPEC, [], [], [listening.element]);
    this.listening = listening;
    listening.attach(
      this.element,
      (frame) => this.setPlayhead(frame),
      (step) => this.fileStem(step),
    );
  }

  protected override updateExtras(card: CardState, _settings: Settings): void {
    this.listening.update({
      card,
      shown: this.shown?.data ?? null,
      window: this.zoomWindow,
      cols: this.columns,
      width: this.panelsWidth,
    });
  }

  /** A click on a panel plays the sample's audio from that frame, when it has audio. */
  protected override panelClicked(col: number): void {
    this.listening.playFromFrame(col);
  }

  private sampleInfo(step: StepInfo | undefined): MelSampleInfo | undefined {
    return step?.samples?.[this.card.sample];
  }

  protected selection(step: StepInfo | undefined): Selection {
    const samples: MelSampleInfo[] = step?.samples ?? [];
    const sample = samples[this.card.sample];
    const text = sample ? [samples.length < 2 ? sample.sample_id : "", sample.text].filter(Boolean).join(" — ") : "";
    const aside =
      sample && sample.target_frames !== sample.predicted_frames
        ? `target ${sample.target_frames} frames, predicted ${sample.predicted_frames} (${sample.length_mismatch === "padded" ? "padded" : "cropped"})`
        : "";
    return {
      options: samples.map((s, i) => [String(i), s.sample_id || `sample ${i}`]),
      selected: String(this.card.sample),
      text,
      aside,
    };
  }

  /** The alignment a sample carries (its third array), shown under the three panels. */
  protected override attached(data: StepData): Attached | null {
    const weights = data.arrays.get("alignment");
    return weights ? { weights, tokens: data.description.tokens ?? null } : null;
  }

  protected valueMap(settings: Settings): ColormapName {
    return settings.colormap;
  }

  protected valueRange({ first, second }: Compared, settings: Settings): ColorRange {
    let range = unionRange(finiteRange(first.values), second ? finiteRange(second.values) : null);
    if (settings.rangeMode === "series") range = unionRange(range, seriesValueRange(this.card.steps, this.card.sample));
    return usableRange(range);
  }

  protected diffMaxAbs(stepMaxAbs: number, settings: Settings): number {
    return settings.rangeMode === "series"
      ? Math.max(stepMaxAbs, seriesMaxAbsDiff(this.card.steps, this.card.sample))
      : stepMaxAbs;
  }

  protected nonfinite(step: StepInfo | undefined): NonfiniteCounts | undefined {
    return this.sampleInfo(step)?.stats.nonfinite;
  }

  protected statsLine(step: StepInfo | undefined): StatsLine {
    const stats = this.sampleInfo(step)?.stats;
    if (!stats) return { text: "", title: "" };
    return {
      text: `MAE ${formatStat(stats.mae)}  bias ${formatStat(stats.bias)}`,
      title:
        `RMSE ${formatStat(stats.rmse)}, max |diff| ${formatStat(stats.max_abs_diff)}, ` +
        `${stats.compared} values compared; bias is the mean of target − predicted`,
    };
  }

  protected trendValue(step: StepInfo): number | null | undefined {
    return step.samples?.[this.card.sample]?.stats.mae;
  }

  protected readoutText(cursor: Cursor, [target = 0, predicted = 0, diff = 0]: readonly number[]): string {
    const series = this.card.info.series;
    const sampleRate = Number(series.sample_rate) || 0;
    const hop = Number(series.hop_length) || 0;
    const time = sampleRate && hop ? `  t ${((cursor.frame * hop) / sampleRate).toFixed(3)} s` : "";
    return `frame ${cursor.frame}${time}  mel ${cursor.bin}  target ${formatValue(target)}  predicted ${formatValue(predicted)}  diff ${formatValue(diff)}`;
  }

  protected fileStem(step: number): string {
    return `${this.safeStem()}_step${step}_sample${this.card.sample}`;
  }
}
