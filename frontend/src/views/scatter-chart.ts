// A scatter of a statistic against diffusion timestep, one point per logged
// step coloured from early (the map's start) to late training (its end), the
// current step ringed; a click on a point goes to its step.

import { colormapLut, type ColormapName } from "../colormaps";
import type { Rect } from "../render/layout";
import { formatTick, niceTicks } from "../render/scale";
import {
  legendGradient,
  nearestPoint,
  scatterAxes,
  scatterPoints,
  stepColor,
  xOfTimestep,
  yOfValue,
  type ScatterAxes,
  type ScatterInput,
  type ScatterPoint,
} from "../render/scatter";
import { el, fitCanvas, setText, themeColor } from "./dom";

const HEIGHT = 140; // CSS pixels of the chart
const MARGIN = { left: 50, right: 12, top: 8, bottom: 32 }; // tick labels and axis titles
const POINT_RADIUS = 3; // CSS pixels
const PICK_RADIUS = 10; // CSS pixels a click may miss a point by
const STEP_MAP: ColormapName = "viridis";

export class ScatterChart {
  readonly element: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  private readonly early = el("span", { className: "spectro-scatter-early" });
  private readonly late = el("span", { className: "spectro-scatter-late" });
  private points: ScatterPoint[] = [];
  private inputs: readonly ScatterInput[] = [];

  constructor(
    private readonly xLabel: string,
    private readonly yLabel: string,
    private readonly pick: (step: number) => void,
  ) {
    this.canvas = el("canvas", {
      className: "spectro-scatter",
      title: `${yLabel} against ${xLabel}; click a point to go to its step`,
    });
    const ramp = el("span", { className: "spectro-scatter-ramp" });
    ramp.style.background = legendGradient(colormapLut(STEP_MAP));
    const legend = el("div", { className: "spectro-scatter-legend" }, [
      el("span", { text: "colour: training step, early" }),
      this.early,
      ramp,
      this.late,
      el("span", { text: "late" }),
    ]);
    this.element = el("div", { className: "spectro-scatter-box" }, [this.canvas, legend]);
    this.canvas.addEventListener("click", (event) => {
      const point = this.pointAt(event);
      if (point) this.pick(point.step);
    });
    this.canvas.addEventListener("pointermove", (event) => {
      const point = this.pointAt(event);
      const input = point ? this.inputs[point.index] : undefined;
      this.canvas.style.cursor = point ? "pointer" : "";
      this.canvas.title = input
        ? `step ${input.step} · ${xLabel} ${input.timestep} · ${yLabel} ${input.value}`
        : `${yLabel} against ${xLabel}; click a point to go to its step`;
    });
  }

  private pointAt(event: MouseEvent): ScatterPoint | null {
    const bounds = this.canvas.getBoundingClientRect();
    return nearestPoint(this.points, event.clientX - bounds.left, event.clientY - bounds.top, PICK_RADIUS);
  }

  /** Draws the inputs (in step order); `currentIndex` is the card's step among them. */
  draw(inputs: readonly ScatterInput[], totalTimesteps: number | null, currentIndex: number): void {
    this.inputs = inputs;
    const width = this.canvas.clientWidth || 300;
    const context = fitCanvas(this.canvas, width, HEIGHT);
    context.clearRect(0, 0, width, HEIGHT);
    const plot: Rect = {
      x: MARGIN.left,
      y: MARGIN.top,
      width: Math.max(1, width - MARGIN.left - MARGIN.right),
      height: HEIGHT - MARGIN.top - MARGIN.bottom,
    };
    const axes = scatterAxes(inputs, totalTimesteps);
    this.points = axes ? scatterPoints(inputs, axes, plot) : [];
    const dataset = this.canvas.dataset;
    dataset.points = String(this.points.length);
    dataset.plot = [plot.x, plot.y, plot.width, plot.height].join(",");
    dataset.xDomain = axes ? `${axes.x.min},${axes.x.max}` : "";
    dataset.yDomain = axes ? `${axes.y.min},${axes.y.max}` : "";
    dataset.yScale = axes?.logY ? "log" : "linear";
    const current = inputs[currentIndex];
    dataset.currentStep = current ? String(current.step) : "";
    const firstStep = inputs[0]?.step ?? 0;
    const lastStep = inputs[inputs.length - 1]?.step ?? 0;
    setText(this.early, `(step ${firstStep})`);
    setText(this.late, `(step ${lastStep})`);
    const muted = themeColor(this.canvas, "--spectro-muted", "#616161");
    context.strokeStyle = muted;
    context.lineWidth = 1;
    context.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.width - 1, plot.height - 1);
    if (!axes) {
      context.fillStyle = muted;
      context.font = "11px system-ui, sans-serif";
      context.textAlign = "center";
      context.fillText(`no step has a ${this.xLabel}`, plot.x + plot.width / 2, plot.y + plot.height / 2);
      return;
    }
    this.drawAxes(context, axes, plot, muted);
    const lut = colormapLut(STEP_MAP);
    for (const point of this.points) {
      const [r, g, b] = stepColor(point.step, firstStep, lastStep, lut);
      context.fillStyle = `rgb(${r}, ${g}, ${b})`;
      context.beginPath();
      context.arc(point.x, point.y, POINT_RADIUS, 0, 2 * Math.PI);
      context.fill();
    }
    const marker = this.points.find((p) => p.index === currentIndex);
    if (marker) {
      context.strokeStyle = themeColor(this.canvas, "--spectro-accent", "#f57c00");
      context.lineWidth = 2;
      context.beginPath();
      context.arc(marker.x, marker.y, POINT_RADIUS + 3, 0, 2 * Math.PI);
      context.stroke();
    }
  }

  private drawAxes(context: CanvasRenderingContext2D, axes: ScatterAxes, plot: Rect, muted: string): void {
    context.fillStyle = muted;
    context.strokeStyle = muted;
    context.font = "11px system-ui, sans-serif";
    context.textAlign = "center";
    context.textBaseline = "top";
    const xTicks = niceTicks(axes.x.min, axes.x.max, Math.max(2, Math.floor(plot.width / 70)));
    for (const t of xTicks) {
      const x = xOfTimestep(t, axes, plot);
      context.fillText(formatTick(t, xTicks), x, plot.y + plot.height + 4);
      context.beginPath();
      context.moveTo(x, plot.y + plot.height);
      context.lineTo(x, plot.y + plot.height + 3);
      context.stroke();
    }
    context.fillText(this.xLabel, plot.x + plot.width / 2, plot.y + plot.height + 18);
    context.textAlign = "right";
    context.textBaseline = "middle";
    const yTicks = axes.logY
      ? niceTicks(Math.ceil(Math.log10(axes.y.min)), Math.floor(Math.log10(axes.y.max)), 4)
          .filter(Number.isInteger)
          .map((p) => 10 ** p)
      : niceTicks(axes.y.min, axes.y.max, Math.max(2, Math.floor(plot.height / 28)));
    for (const v of yTicks) {
      const y = yOfValue(v, axes, plot);
      context.fillText(axes.logY ? v.toExponential(0) : formatTick(v, yTicks), plot.x - 5, y);
      context.beginPath();
      context.moveTo(plot.x - 3, y);
      context.lineTo(plot.x, y);
      context.stroke();
    }
    context.save();
    context.translate(11, plot.y + plot.height / 2);
    context.rotate(-Math.PI / 2);
    context.textAlign = "center";
    context.fillText(axes.logY ? `${this.yLabel} (log)` : this.yLabel, 0, 0);
    context.restore();
  }
}
