// A small line of a statistic over all steps, the current step marked; a
// click picks the step under the pointer.

import { overlaidTrendPoints, stepAtX, trendPoints, type TrendPoint, type TrendSeries } from "../render/trend";
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

  /**
   * Draws the line of `values` over `steps`, the current step marked; with
   * `overlays` (other runs' lines, each in its colour) on axes shared by all,
   * the card's own line then in `color`.
   */
  draw(
    steps: number[],
    values: (number | null | undefined)[],
    currentIndex: number,
    overlays: readonly (TrendSeries & { color: string })[] = [],
    color?: string,
  ): void {
    const size = sizeOf(this.element);
    const width = size.width || 200;
    const height = size.height || 36;
    const context = fitCanvas(this.element, width, height, true);
    context.clearRect(0, 0, width, height);
    let points: TrendPoint[];
    this.steps = steps;
    context.lineWidth = 1.25;
    const line = (linePoints: TrendPoint[], stroke: string) => {
      context.strokeStyle = stroke;
      context.beginPath();
      linePoints.forEach((p, i) => (i === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
      context.stroke();
    };
    if (overlays.length > 0) {
      const shared = overlaidTrendPoints([{ steps, values }, ...overlays], width, height);
      this.steps = [shared.first, shared.last];
      shared.points.slice(1).forEach((linePoints, i) => line(linePoints, overlays[i]!.color));
      points = shared.points[0]!;
      this.element.dataset.lines = String(shared.points.filter((p) => p.length > 0).length);
    } else {
      points = trendPoints(steps, values, width, height);
      delete this.element.dataset.lines;
    }
    if (points.length === 0) return;
    line(points, color ?? themeColor(this.element, "--spectro-muted", "#616161"));
    const marker = points.find((p) => p.index === currentIndex);
    if (marker) {
      context.fillStyle = themeColor(this.element, "--spectro-accent", "#f57c00");
      context.beginPath();
      context.arc(marker.x, marker.y, 3, 0, 2 * Math.PI);
      context.fill();
    }
  }
}
