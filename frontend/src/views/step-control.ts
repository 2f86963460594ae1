// A card's step slider: every logged step reachable, arrow keys step, a play
// button walks through training, the label gives step and wall time.

import type { StepInfo } from "../api/types";
import { formatWallTime } from "../render/scale";
import { FramePace } from "../state/steps";
import { markStepInput } from "../timing";
import { el, setAttr, setText } from "./dom";

export interface StepControlActions {
  select(index: number): void;
  togglePlay(): void;
}

function setDisabled(element: HTMLInputElement | HTMLButtonElement, disabled: boolean): void {
  if (element.disabled !== disabled) element.disabled = disabled;
}

export class StepControl {
  readonly element: HTMLDivElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLSpanElement;
  private readonly play: HTMLButtonElement;
  private readonly previous: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private index = 0;
  private count = 0;
  private readonly pace = new FramePace((work) => requestAnimationFrame(() => work()));

  /** `card` is the key of the card the control belongs to, for the step-input mark. */
  constructor(
    private readonly actions: StepControlActions,
    private readonly card: string,
  ) {
    this.previous = el("button", {
      className: "spectro-step-previous",
      text: "◀",
      title: "Previous step (←)",
      attrs: { type: "button" },
    });
    this.next = el("button", {
      className: "spectro-step-next",
      text: "▶",
      title: "Next step (→)",
      attrs: { type: "button" },
    });
    this.play = el("button", {
      className: "spectro-play",
      text: "Play",
      title: "Animate the steps",
      attrs: { type: "button" },
    });
    this.slider = el("input", {
      className: "spectro-step-slider",
      attrs: { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "step" },
    });
    this.label = el("span", { className: "spectro-step-label" });
    this.element = el("div", { className: "spectro-step-control" }, [
      this.previous,
      this.slider,
      this.next,
      this.play,
      this.label,
    ]);
    const select = (index: number, event: Event) => {
      this.pace.cancel();
      markStepInput(card, index, event);
      actions.select(index);
    };
    this.slider.addEventListener("input", (event) => select(Number(this.slider.value), event));
    // The arrow keys step a frame at a time (FramePace) rather than as the range input moves itself.
    this.slider.addEventListener("keydown", (event) => {
      const move = arrowMove(event.key);
      if (move === 0) return;
      event.preventDefault();
      this.stepBy(move, event);
    });
    this.previous.addEventListener("click", (event) => this.stepBy(-1, event));
    this.next.addEventListener("click", (event) => this.stepBy(1, event));
    this.play.addEventListener("click", () => actions.togglePlay());
  }

  /** Moves `move` steps from the step selected or waiting for its frame: a key, ◀ or ▶ (`event`). */
  stepBy(move: number, event: Event): void {
    const from = this.pace.pending ?? this.index;
    const index = Math.min(Math.max(from + move, 0), Math.max(this.count - 1, 0));
    markStepInput(this.card, index, event);
    this.pace.run(index, () => this.actions.select(index));
  }

  update(steps: readonly StepInfo[], index: number, playing: boolean): void {
    this.index = index;
    if (this.count !== steps.length) {
      this.count = steps.length;
      this.slider.max = String(Math.max(steps.length - 1, 0));
    }
    if (this.slider.value !== String(index)) this.slider.value = String(index);
    setDisabled(this.slider, steps.length < 2);
    setDisabled(this.previous, index <= 0);
    setDisabled(this.next, index >= steps.length - 1);
    setDisabled(this.play, steps.length < 2);
    setText(this.play, playing ? "Pause" : "Play");
    const step = steps[index];
    setText(
      this.label,
      step ? `step ${step.step} (${index + 1}/${steps.length}) · ${formatWallTime(step.wall_time)}` : "no steps",
    );
    setAttr(this.element, "data-step", step ? String(step.step) : "");
  }
}

/** The step an arrow key moves a step slider: ← and ↓ back, → and ↑ on, as a range input's own keys. */
export function arrowMove(key: string): -1 | 0 | 1 {
  if (key === "ArrowLeft" || key === "ArrowDown") return -1;
  if (key === "ArrowRight" || key === "ArrowUp") return 1;
  return 0;
}
