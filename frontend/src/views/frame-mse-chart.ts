// A line of a noise video's MSE per frame (every channel), with the chosen
// channel's as a dashed line when there are several, and the frame shown
// marked; a click picks the frame under the pointer. The geometry is
// render/noise.ts' frameChartPlan.

import { frameChartPlan, type FrameChartPlan } from "../render/noise";
import { indexAtX, xOf, yOf, type Point } from "../render/line-chart";
import { formatTick, niceTicks } from "../render/scale";
import { el, fitCanvas, sizeOf, themeColor, watchSize } from "./dom";

const HEIGHT = 120; // CSS pixels of the chart

export class FrameMseChart {
  readonly canvas: HTMLCanvasElement;
  private plan: FrameChartPlan | null = null;
  private frames: number[] = [];

  constructor(pick: (frame: number) => void) {
    this.canvas = el("canvas", {
      className: "spectro-frame-mse",
      title: "Noise MSE of each frame; click to show a frame",
    });
    watchSize(this.canvas);
    this.canvas.addEventListener("click", (event) => {
      const plan = this.plan;
      if (!plan) return;
      const bounds = this.canvas.getBoundingClientRect();
      const index = indexAtX(this.frames, event.clientX - bounds.left, plan.x, plan.plot);
      if (index >= 0) pick(index);
    });
  }

  /** CSS pixels of the chart's width as laid out. */
  get width(): number {
    return sizeOf(this.canvas).width;
  }

  /**
   * Draws every channel's MSE per frame and, when given, channel `channel`'s,
   * with frame `current` marked.
   */
  draw(frameMse: readonly (number | null)[], channelMse: readonly (number | null)[] | null, current: number): void {
    const width = this.width || 300;
    const context = fitCanvas(this.canvas, width, HEIGHT, true);
    context.clearRect(0, 0, width, HEIGHT);
    const plan = frameChartPlan(frameMse, channelMse, width, HEIGHT);
    this.plan = plan;
    this.frames = frameMse.map((_, t) => t);
    const { plot, x, y } = plan;
    const dataset = this.canvas.dataset;
    dataset.frames = String(frameMse.length);
    dataset.points = String(plan.frames.reduce((sum, line) => sum + line.length, 0));
    dataset.currentFrame = String(current);
    dataset.plot = [plot.x, plot.y, plot.width, plot.height].join(",");
    dataset.xDomain = `${x.min},${x.max}`;
    dataset.yDomain = `${y.min},${y.max}`;

    const fg = themeColor(this.canvas, "--spectro-fg", "#212121");
    const muted = themeColor(this.canvas, "--spectro-muted", "#616161");
    const accent = themeColor(this.canvas, "--spectro-accent", "#f57c00");
    context.strokeStyle = muted;
    context.fillStyle = muted;
    context.lineWidth = 1;
    context.font = "11px system-ui, sans-serif";
    context.beginPath();
    context.moveTo(plot.x + 0.5, plot.y);
    context.lineTo(plot.x + 0.5, plot.y + plot.height + 0.5);
    context.lineTo(plot.x + plot.width, plot.y + plot.height + 0.5);
    context.stroke();
    context.textAlign = "right";
    context.textBaseline = "middle";
    const valueTicks = niceTicks(y.min, y.max, 3);
    for (const value of valueTicks) context.fillText(formatTick(value, valueTicks), plot.x - 6, yOf(value, y, plot));
    context.textAlign = "center";
    context.textBaseline = "top";
    for (const frame of plan.ticks) context.fillText(String(frame), xOf(frame, x, plot), plot.y + plot.height + 5);

    if (current >= 0 && current < frameMse.length) {
      const cx = Math.round(xOf(current, x, plot)) + 0.5;
      context.strokeStyle = accent;
      context.beginPath();
      context.moveTo(cx, plot.y);
      context.lineTo(cx, plot.y + plot.height);
      context.stroke();
    }
    context.setLineDash([4, 3]);
    this.stroke(context, plan.channel, muted, 1.25);
    context.setLineDash([]);
    this.stroke(context, plan.frames, fg, 1.5);
    const marker = plan.frames.flat().find((p) => p.index === current);
    if (marker) {
      context.fillStyle = accent;
      context.beginPath();
      context.arc(marker.x, marker.y, 3.5, 0, 2 * Math.PI);
      context.fill();
    }
  }

  private stroke(context: CanvasRenderingContext2D, lines: Point[][], color: string, width: number): void {
    context.strokeStyle = color;
    context.lineWidth = width;
    for (const line of lines) {
      context.beginPath();
      line.forEach((p, i) => (i === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
      if (line.length === 1) context.arc(line[0]!.x, line[0]!.y, 1.5, 0, 2 * Math.PI);
      context.stroke();
    }
  }
}
