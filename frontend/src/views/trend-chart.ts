// A small line of a statistic over all steps, the current step marked; a
// click picks the step under the pointer.

import { stepAtX, trendPoints } from "../render/trend";
import { el, fitCanvas, sizeOf, themeColor, watchSize } from "./dom";

export class TrendChart {
  readonly element: HTMLCanvasElement;
  private steps: number[] = [];

  constructor(
    label: string,
    private readonly pick: (step: number) => void,
  ) {
    this.element = el("canvas", {
      className: "spectro-trend",
      title: `${label} over all steps; click to go to a step`,
    });
    watchSize(this.element);
    this.element.addEventListener("click", (event) => {
      const bounds = this.element.getBoundingClientRect();
      const step = stepAtX(this.steps, event.clientX - bounds.left, bounds.width);
      if (step !== null) this.pick(step);
    });
  }

  draw(steps: number[], values: (number | null | undefined)[], currentIndex: number): void {
    this.steps = steps;
    const size = sizeOf(this.element);
    const width = size.width || 200;
    const height = size.height || 36;
    const context = fitCanvas(this.element, width, height, true);
    context.clearRect(0, 0, width, height);
    const points = trendPoints(steps, values, width, height);
    if (points.length === 0) return;
    context.strokeStyle = themeColor(this.element, "--spectro-muted", "#616161");
    context.lineWidth = 1.25;
    context.beginPath();
    points.forEach((p, i) => (i === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
    context.stroke();
    const marker = points.find((p) => p.index === currentIndex);
    if (marker) {
      context.fillStyle = themeColor(this.element, "--spectro-accent", "#f57c00");
      context.beginPath();
      context.arc(marker.x, marker.y, 3, 0, 2 * Math.PI);
      context.fill();
    }
  }
}
