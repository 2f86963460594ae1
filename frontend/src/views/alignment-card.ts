// An alignment card (attention weights, or a hard alignment from durations):
// a heatmap of tokens × frames on the ComparisonCard's one-panel frame, with
// its zoom and pan along frames, cursor, samples and steps. Token 0 is at the
// bottom, as TTS plots draw it, or at the top on request; the token labels go
// on the axis, elided, whole in the readout and the panel's tooltip. The
// most-attended path is outlined on request. Weights are not negative: the
// sequential map runs from 0 to the step's largest weight, or over [0, 1].
//
// The readout's data-frame is the frame, data-token (and data-bin) the token,
// data-token-label its label and data-weight the weight.

import type { StepData } from "../api/client";
import type { AlignmentSampleInfo, AlignmentStats, NonfiniteCounts, StepInfo } from "../api/types";
import type { ColormapName } from "../colormaps";
import { alignmentRange, mostAttended, pathCells, tokenLabel, type AlignmentRangeMode } from "../render/alignment";
import { finiteRange, formatStat, formatValue, type ColorRange } from "../render/scale";
import type { CardActions } from "../state/actions";
import type { CardState, Cursor, Settings } from "../state/app-state";
import {
  ALIGNMENT_MAP,
  ComparisonCard,
  type Compared,
  type ComparisonSpec,
  type Plane,
  type Selection,
  type StatsLine,
} from "./comparison-card";
import { el, setAttr, setOptions, sizeOf } from "./dom";
import type { OutlinedCells } from "./heatmap-panel";
import { TrendChart } from "./trend-chart";

export const ALIGNMENT_CARD_STYLES = `
.spectro-alignment-options { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.spectro-alignment-trends { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 4px 12px;
  margin-top: 6px; color: var(--spectro-muted); font-size: 12px; }
.spectro-alignment-trends .spectro-trend { display: block; width: 100%; }
`;

export const ALIGNMENT_SPEC: ComparisonSpec = {
  className: "spectro-alignment-card",
  arrays: ["weights"],
  panels: [{ name: "weights", title: "alignment" }],
  minuend: 0,
  diffText: "",
  rowsLabel: "token",
  colsLabel: "frame",
  selectorClass: "spectro-sample-select",
  selectorLabel: "sample",
  stepKeysOnSelector: false,
  trendLabel: "focus rate",
};

/** The stats the card shows, in order: the first in the stats line's trend, the others in their own. */
const STATS: readonly { key: keyof AlignmentStats & string; label: string; title: string }[] = [
  { key: "focus_rate", label: "focus rate", title: "mean over frames of the largest weight" },
  {
    key: "monotonicity",
    label: "monotonicity",
    title: "share of consecutive frames whose most-attended token does not go back",
  },
  { key: "coverage", label: "coverage", title: "share of tokens most attended by at least one frame" },
  {
    key: "diagonal_distance",
    label: "diagonal distance",
    title: "mean distance of the most-attended path from the diagonal",
  },
];

/** The samples of a /steps entry of an alignment series. */
export function alignmentSamples(step: StepInfo | undefined): AlignmentSampleInfo[] {
  return ((step as StepInfo<unknown> | undefined)?.samples ?? []) as AlignmentSampleInfo[];
}

function statValue(stats: AlignmentStats | undefined, key: keyof AlignmentStats): number | null | undefined {
  const value = stats?.[key];
  return typeof value === "number" ? value : null;
}

export class AlignmentCard extends ComparisonCard {
  private readonly topCheck: HTMLInputElement;
  private readonly pathCheck: HTMLInputElement;
  private readonly rangeSelect: HTMLSelectElement;
  private readonly trends: TrendChart[];
  private trendsKey = "";
  private path: { data: StepData; cells: OutlinedCells } | null = null;

  constructor(card: CardState, actions: CardActions) {
    const key = card.key;
    const topCheck = el("input", { className: "spectro-alignment-top", attrs: { type: "checkbox" } });
    const pathCheck = el("input", { className: "spectro-alignment-path", attrs: { type: "checkbox" } });
    const rangeSelect = el("select", {
      className: "spectro-alignment-range",
      attrs: { "aria-label": "colour range" },
    });
    const trends = STATS.slice(1).map((stat) => new TrendChart(stat.label, (step) => actions.pickStep(key, step)));
    super(
      card,
      actions,
      ALIGNMENT_SPEC,
      [
        el("span", { className: "spectro-alignment-options" }, [
          el("label", {}, [topCheck, document.createTextNode("token 0 at top")]),
          el("label", {}, [pathCheck, document.createTextNode("most-attended path")]),
          el("label", { text: "range " }, [rangeSelect]),
        ]),
      ],
      [
        el(
          "div",
          { className: "spectro-alignment-trends" },
          STATS.slice(1).map((stat, i) =>
            el("div", { className: "spectro-alignment-trend", attrs: { "data-stat": stat.key } }, [
              el("span", { text: stat.label, title: stat.title }),
              trends[i]!.element,
            ]),
          ),
        ),
      ],
    );
    this.topCheck = topCheck;
    this.pathCheck = pathCheck;
    this.rangeSelect = rangeSelect;
    this.trends = trends;
    topCheck.addEventListener("change", () => actions.setView(key, { tokensFromTop: topCheck.checked }));
    pathCheck.addEventListener("change", () => actions.setView(key, { path: pathCheck.checked }));
    rangeSelect.addEventListener("change", () => actions.setView(key, { weightRange: rangeSelect.value }));
  }

  private rangeMode(): AlignmentRangeMode {
    return this.card.view.weightRange === "unit" ? "unit" : "max";
  }

  private sampleInfo(step: StepInfo | undefined): AlignmentSampleInfo | undefined {
    return alignmentSamples(step)[this.card.sample];
  }

  protected selection(step: StepInfo | undefined): Selection {
    const samples = alignmentSamples(step);
    const sample = samples[this.card.sample];
    const text = sample ? [samples.length < 2 ? sample.sample_id : "", sample.text].filter(Boolean).join(" — ") : "";
    const aside = sample
      ? `${sample.tokens} tokens × ${sample.frames} frames${sample.from_durations ? ", from durations" : ""}`
      : "";
    return {
      options: samples.map((s, i) => [String(i), s.sample_id || `sample ${i}`]),
      selected: String(this.card.sample),
      text,
      aside,
    };
  }

  protected valueMap(_settings: Settings): ColormapName {
    return ALIGNMENT_MAP;
  }

  protected valueRange({ first }: Compared): ColorRange {
    return alignmentRange(finiteRange(first.values)?.max ?? null, this.rangeMode());
  }

  protected diffMaxAbs(stepMaxAbs: number): number {
    return stepMaxAbs;
  }

  protected override rowLabels(data: StepData): readonly string[] | null {
    return data.description.tokens ?? null;
  }

  protected override rowsFromTop(): boolean {
    return this.card.view.tokensFromTop === true;
  }

  protected override outline(first: Plane, data: StepData): OutlinedCells | null {
    if (this.card.view.path !== true) return null;
    if (this.path?.data !== data)
      this.path = { data, cells: pathCells(mostAttended(first.values, first.rows, first.cols)) };
    return this.path.cells;
  }

  protected override prepareKey(): string {
    return this.rangeMode();
  }

  protected override outlineKey(): string {
    return String(this.card.view.path === true);
  }

  protected nonfinite(step: StepInfo | undefined): NonfiniteCounts | undefined {
    return this.sampleInfo(step)?.stats.nonfinite;
  }

  protected statsLine(step: StepInfo | undefined): StatsLine {
    const sample = this.sampleInfo(step);
    if (!sample) return { text: "", title: "" };
    const values = STATS.map((stat) => statValue(sample.stats, stat.key) ?? Number.NaN);
    return {
      text: STATS.map((stat, i) => `${stat.label} ${formatStat(values[i])}`).join("  "),
      title: STATS.map((stat) => `${stat.label}: ${stat.title}`).join("; "),
      data: Object.fromEntries(
        STATS.map((stat, i) => [stat.key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), String(values[i])]),
      ),
    };
  }

  protected trendValue(step: StepInfo): number | null | undefined {
    return statValue(alignmentSamples(step)[this.card.sample]?.stats, "focus_rate");
  }

  protected readoutText(cursor: Cursor, [weight = 0]: readonly number[]): string {
    const label = tokenLabel(this.shown?.data.description.tokens, cursor.bin);
    return `frame ${cursor.frame}  token ${cursor.bin} ${JSON.stringify(label)}  weight ${formatValue(weight)}`;
  }

  protected override readoutData(
    cursor: Cursor,
    _slice: number,
    [weight = 0]: readonly number[],
  ): Record<string, string> {
    const label = tokenLabel(this.shown?.data.description.tokens, cursor.bin);
    const weights = this.element.querySelector<HTMLElement>('[data-panel="weights"]');
    if (weights) setAttr(weights, "title", label);
    return { token: String(cursor.bin), tokenLabel: label, weight: String(weight) };
  }

  protected fileStem(step: number): string {
    return `${this.safeStem()}_step${step}_sample${this.card.sample}`;
  }

  protected override updateExtras(card: CardState, _settings: Settings): void {
    if (this.topCheck.checked !== (card.view.tokensFromTop === true))
      this.topCheck.checked = card.view.tokensFromTop === true;
    if (this.pathCheck.checked !== (card.view.path === true)) this.pathCheck.checked = card.view.path === true;
    setOptions(
      this.rangeSelect,
      [
        ["max", "0 – max"],
        ["unit", "0 – 1"],
      ],
      this.rangeMode(),
    );
    const trendsKey = JSON.stringify([
      card.steps.length,
      card.steps[card.steps.length - 1]?.step,
      card.stepIndex,
      card.sample,
      sizeOf(this.trends[0]!.element).width,
    ]);
    if (trendsKey === this.trendsKey) return;
    this.trendsKey = trendsKey;
    const steps = card.steps.map((s) => s.step);
    this.trends.forEach((trend, i) =>
      trend.draw(
        steps,
        card.steps.map((s) => statValue(alignmentSamples(s)[card.sample]?.stats, STATS[i + 1]!.key)),
        card.stepIndex,
      ),
    );
  }
}
