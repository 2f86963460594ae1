// The frame control of a noise video: a slider over its T frames, a play
// button that steps through them in a loop, and the label "channel c, frame t".
// It keeps no frame of its own: the card's view holds it, and `choose` asks
// for another.

import { frameLabel, nextFrame } from "../render/noise";
import { el, setAttr, setHidden, setText } from "./dom";

/** Milliseconds each frame is shown while playing: 8 frames a second. */
export const FRAME_INTERVAL_MS = 125;

export class FramePlayer {
  readonly element: HTMLSpanElement;
  private readonly slider: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly label = el("span", { className: "spectro-frame-label" });
  private frame = 0;
  private frames = 1;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly choose: (frame: number) => void) {
    this.slider = el("input", {
      className: "spectro-frame-slider",
      attrs: { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "frame" },
    });
    this.play = el("button", {
      className: "spectro-frame-play",
      text: "Play",
      title: "Play the frames in a loop",
      attrs: { type: "button", "aria-pressed": "false" },
    });
    this.element = el("span", { className: "spectro-frame-player" }, [this.slider, this.play, this.label]);
    this.slider.addEventListener("input", () => this.choose(Number(this.slider.value)));
    this.play.addEventListener("click", () => (this.timer === null ? this.start() : this.stop()));
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  /** Shows `frame` of `frames` of channel `channel`; with fewer than two frames (no video) the control hides. */
  update(channel: number, frame: number, frames: number): void {
    this.frame = frame;
    this.frames = frames;
    const video = frames > 1;
    setHidden(this.element, !video);
    if (!video && this.timer !== null) this.stop();
    setAttr(this.slider, "max", String(Math.max(frames - 1, 0)));
    if (this.slider.value !== String(frame)) this.slider.value = String(frame);
    setText(this.label, video ? frameLabel(channel, frame) : "");
  }

  private start(): void {
    this.timer = setInterval(() => {
      // A card taken off the page (a filter, a reload without its series) stops.
      if (!this.element.isConnected) this.stop();
      else this.choose(nextFrame(this.frame, this.frames));
    }, FRAME_INTERVAL_MS);
    this.showPlaying();
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.showPlaying();
  }

  private showPlaying(): void {
    setText(this.play, this.timer === null ? "Play" : "Pause");
    setAttr(this.play, "aria-pressed", String(this.timer !== null));
  }
}
