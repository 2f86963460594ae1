// A card for the kinds without a view of their own yet: the step slider and
// the statistics stored with each step, as text.

import type { StepInfo } from "../api/types";
import { formatValue } from "../render/scale";
import type { CardState, Settings } from "../state/app-state";
import type { CardActions } from "./card-actions";
import type { CardView } from "./card-view";
import { el, setText } from "./dom";
import { StepControl } from "./step-control";

/** Flattens a step's stored fields into label/value pairs. */
export function stepFacts(step: StepInfo | undefined): [string, string][] {
  if (!step) return [];
  const facts: [string, string][] = [];
  const add = (prefix: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (typeof value === "number") facts.push([prefix, Number.isInteger(value) ? String(value) : formatValue(value)]);
    else if (typeof value === "string" || typeof value === "boolean") facts.push([prefix, String(value)]);
    else if (Array.isArray(value))
      facts.push([
        prefix,
        value.length > 8
          ? `${value.length} values`
          : value.map((v) => (typeof v === "number" ? formatValue(v) : String(v))).join(", "),
      ]);
    else
      for (const [name, inner] of Object.entries(value as Record<string, unknown>))
        add(prefix ? `${prefix}.${name}` : name, inner);
  };
  if (step.error) facts.push(["error", step.error]);
  add("", {
    timestep: step.timestep,
    total_timesteps: step.total_timesteps,
    shape: step.shape,
    ...step.stats,
    ...step.marker,
  });
  return facts;
}

export class SeriesCard implements CardView {
  readonly element: HTMLElement;
  private readonly title = el("h3", { className: "spectro-card-title" });
  private readonly run = el("span", { className: "spectro-card-run" });
  private readonly facts = el("dl", { className: "spectro-kv" });
  private readonly stepControl: StepControl;
  private shownKey = "";

  constructor(card: CardState, actions: CardActions) {
    this.stepControl = new StepControl(
      {
        select: (index) => actions.selectStep(card.key, index),
        togglePlay: () => actions.togglePlay(card.key),
      },
      card.key,
    );
    this.element = el(
      "section",
      { className: "spectro-card spectro-series-card", attrs: { "data-kind": card.info.kind } },
      [
        el("header", { className: "spectro-card-header" }, [this.title, this.run]),
        this.facts,
        this.stepControl.element,
      ],
    );
    this.element.dataset.run = card.run;
    this.element.dataset.tag = card.tag;
  }

  forgetDrawings(): void {
    this.shownKey = "";
  }

  update(card: CardState, _settings?: Settings): void {
    setText(this.title, card.info.display_name || card.tag);
    setText(this.run, card.run);
    this.stepControl.update(card.steps, card.stepIndex, card.playing);
    const step = card.steps[card.stepIndex];
    const key = JSON.stringify([card.steps.length, step?.step]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    const facts = card.stepsError ? [["error", card.stepsError] as [string, string]] : stepFacts(step);
    this.facts.replaceChildren(
      ...facts.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]),
    );
  }
}
