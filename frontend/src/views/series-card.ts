// The card of a series of a kind this pane does not know: a newer Spectro
// wrote it. It says so, and shows the steps and the stats stored with each, as
// text, on the card frame every card shares. A series whose facts the server
// could not read gets this card too; its frame's error line says why.

import type { StepInfo } from "../api/types";
import { formatStat, formatValue } from "../render/scale";
import type { CardActions } from "../state/actions";
import type { CardState, Settings } from "../state/app-state";
import { FALLBACK_KIND } from "../state/kinds";
import { CardFrame } from "./card-frame";
import type { CardView } from "./card-view";
import { el, setHidden, setText } from "./dom";

export const SERIES_CARD_STYLES = `
.spectro-series-card .spectro-upgrade { color: var(--spectro-muted); margin: 6px 0; }
.spectro-kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; font-variant-numeric: tabular-nums; }
.spectro-kv dt { color: var(--spectro-muted); }
.spectro-kv dd { margin: 0; overflow-wrap: anywhere; }
`;

/** What the card says of a series of a kind it does not know; a newer server may name the kind. */
export function upgradeText(kind: string): string {
  const named = kind && kind !== FALLBACK_KIND.name ? `of kind "${kind}" ` : "";
  return `This series ${named}was written by a newer version of Spectro; upgrade tb-plugin-spectro to view it. Its stored values:`;
}

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
          : value.map((v) => (typeof v === "number" || v === null ? formatStat(v) : String(v))).join(", "),
      ]);
    else
      for (const [name, inner] of Object.entries(value as Record<string, unknown>))
        add(prefix ? `${prefix}.${name}` : name, inner);
  };
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
  private readonly frame: CardFrame;
  private readonly upgrade = el("p", { className: "spectro-upgrade" });
  private readonly facts = el("dl", { className: "spectro-kv" });
  private shownKey = "";

  constructor(card: CardState, actions: CardActions) {
    this.frame = new CardFrame(card, actions, {
      className: "spectro-series-card",
      controls: [this.upgrade],
      body: [this.facts],
    });
    this.element = this.frame.element;
  }

  forgetDrawings(): void {
    this.shownKey = "";
  }

  update(card: CardState, _settings?: Settings): void {
    this.frame.update(card);
    // A series that cannot be read is not one of a newer kind: the frame's error line says what it is.
    setText(this.upgrade, card.info.error === undefined ? upgradeText(card.info.kind) : "");
    setHidden(this.upgrade, card.info.error !== undefined);
    const step = card.steps[card.stepIndex];
    const key = JSON.stringify([card.steps.length, step?.step, step?.wall_time]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.facts.replaceChildren(
      ...stepFacts(step).flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]),
    );
  }
}
