// Listening on a mel card: play the target or the prediction, switch between
// them at the same instant (A/B), loop the zoom window, a waveform strip
// under the panels on their time axis, WAV downloads, and one playhead that
// the card draws across its panels. The waveforms load from /data's audio
// part when someone plays (or points at a play button); while playing, a new
// step or sample plays its clip from the same position.
//
// The playhead moves on every animation frame while playing, from the audio
// clock, without going through the store: only the playhead elements and a
// few data-* attributes change, never the panels' canvases.

import { wavUrl, type StepAudio, type StepData, type StepKey } from "../api/client";
import { AUDIO_ARRAYS } from "../api/decode";
import type { MelSampleInfo } from "../api/types";
import { audioContext } from "../audio/engine";
import { AudioPlayer, setKey, setSeconds, type ClipSet } from "../audio/player";
import {
  clipSeconds,
  clipWarnings,
  playableRole,
  ROLES,
  stepClips,
  type ClipSource,
  type Role,
  type StepClips,
} from "../audio/sources";
import {
  frameClock,
  frameToSeconds,
  isEmptyRange,
  playRange,
  secondsToFrame,
  type FrameClock,
  type PlayRange,
} from "../audio/timeline";
import { PANEL_MARGIN } from "../render/layout";
import { envelopeColumns, envelopeOf, waveBars } from "../render/waveform";
import { formatTick, niceTicks } from "../render/scale";
import type { FrameWindow } from "../render/zoom";
import type { CardState } from "../state/app-state";
import type { Entry, StepEntry } from "../state/step-cache";
import { el, fitCanvas, setAttr, setHidden, setText, themeColor } from "./dom";

/** Keys of a mel card with audio, beside the arrow keys that move steps. */
export const PLAY_KEY = " ";
export const SWITCH_KEY = "s";
export const LOOP_KEY = "l";

const ROW_HEIGHT = 26; // CSS pixels of a clip's row in the waveform strip
const ROW_GAP = 3; // CSS pixels between the rows
const AXIS_HEIGHT = 16; // CSS pixels of the seconds axis under the rows
const STRIP_TOP = 4; // CSS pixels above the first row
const NO_AUDIO = "no audio at this step";

export const LISTENING_STYLES = `
:root { --spectro-wave-target: #1e88e5; --spectro-wave-predicted: #f57c00; --spectro-playhead: #e53935; }
@media (prefers-color-scheme: dark) { :root { --spectro-wave-target: #64b5f6; --spectro-wave-predicted: #ffb74d; --spectro-playhead: #ff8a80; } }
.spectro-listening { margin: 2px 0 4px; }
.spectro-wave-strip { position: relative; cursor: pointer; }
.spectro-wave-strip canvas { display: block; }
.spectro-playhead { position: absolute; left: 0; top: 0; width: 2px; margin-left: -1px; pointer-events: none;
  background: var(--spectro-playhead); box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.35); will-change: transform; }
.spectro-audio-row { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin-top: 2px; }
.spectro-audio-row button[aria-pressed="true"] { border-color: var(--spectro-accent); }
.spectro-audio-row label { display: inline-flex; gap: 4px; align-items: center; color: var(--spectro-muted); }
.spectro-audio-row a { color: var(--spectro-accent); }
.spectro-audio-time { font-variant-numeric: tabular-nums; color: var(--spectro-muted); min-width: 7.5em; }
.spectro-audio-note { color: var(--spectro-muted); }
.spectro-audio-flags { color: var(--spectro-warning); }
.spectro-audio-error { color: var(--spectro-warning); }
`;

/** What listening needs besides the card: the audio part of /data, and steps' arrays (the clips' outlines). */
export interface AudioLoader {
  requestAudio(key: StepKey): Entry<StepAudio>;
  requestStep(key: StepKey): StepEntry;
  peekStep(key: StepKey): StepEntry | undefined;
}

/** What the card shows, as listening needs it. */
export interface ListeningView {
  card: CardState;
  /** The step the panels show (possibly a stand-in while the selected one loads). */
  shown: StepData | null;
  /** The zoom window in frames; null when every frame shows. */
  window: FrameWindow | null;
  /** Frames of the panels. */
  cols: number;
  /** CSS pixels of the panels' width. */
  width: number;
}

/** What the card draws for listening: the playhead over its panels at a frame coordinate, or none. */
export type PlayheadPainter = (frame: number | null) => void;

function clipKey(card: CardState, source: ClipSource): string {
  return JSON.stringify([card.run, card.tag, source.step, source.sample, source.role]);
}

function stepKeyOf(card: CardState, source: ClipSource): StepKey {
  return { run: card.run, tag: card.tag, step: source.step, sample: source.sample };
}

function roleTitle(role: Role): string {
  return role === "target" ? "target" : "predicted";
}

export class Listening {
  readonly element: HTMLDivElement;
  private readonly canvas = el("canvas", { className: "spectro-wave-canvas" });
  private readonly stripPlayhead = el("div", { className: "spectro-playhead" });
  private readonly strip: HTMLDivElement;
  private readonly playButtons: Record<Role, HTMLButtonElement>;
  private readonly switchButton = el("button", {
    className: "spectro-audio-switch",
    text: "A/B",
    title: "Switch between target and predicted at the same instant (S)",
    attrs: { type: "button" },
  });
  private readonly loopBox = el("input", { className: "spectro-audio-loop", attrs: { type: "checkbox" } });
  private readonly timeText = el("span", { className: "spectro-audio-time" });
  private readonly note = el("span", { className: "spectro-audio-note" });
  private readonly flags = el("span", { className: "spectro-audio-flags" });
  private readonly errorText = el("span", { className: "spectro-audio-error" });
  private readonly wavLinks: Record<Role, HTMLAnchorElement>;
  private readonly player: AudioPlayer;
  private cardElement: HTMLElement | null = null;
  private paintPlayhead: PlayheadPainter = () => undefined;
  private fileStem: (step: number) => string = (step) => `step${step}`;
  private view: ListeningView | null = null;
  private clips: StepClips = { target: null, predicted: null };
  private clock: FrameClock | null = null;
  /** The role chosen: the one Space plays, and S switches. */
  private role: Role = "target";
  /** The clips of the step whose set plays, for the step it says. */
  private playingClips: StepClips = { target: null, predicted: null };
  /** Asked to play while the clip loads: the role and where from. */
  private pending: { role: Role; from: number } | null = null;
  private played = false;
  private error = "";
  private frameRequest = 0;
  private stripKey = "";
  private stripRows: { role: Role; top: number }[] = [];
  private stripSpan = { start: 0, end: 1 };

  constructor(private readonly loader: AudioLoader) {
    this.player = new AudioPlayer(() => this.refresh());
    const playButton = (role: Role) => {
      const button = el("button", {
        className: `spectro-audio-play spectro-audio-play-${role}`,
        attrs: { type: "button", "data-role": role, "aria-pressed": "false" },
      });
      button.addEventListener("click", () => this.toggleRole(role));
      button.addEventListener("pointerenter", () => this.prefetch());
      return button;
    };
    this.playButtons = { target: playButton("target"), predicted: playButton("predicted") };
    this.switchButton.addEventListener("click", () => this.switchRole());
    this.loopBox.addEventListener("change", () => this.setLoop(this.loopBox.checked));
    const wavLink = (role: Role) =>
      el("a", { className: `spectro-audio-wav spectro-audio-wav-${role}`, text: `WAV ${roleTitle(role)}` });
    this.wavLinks = { target: wavLink("target"), predicted: wavLink("predicted") };
    this.strip = el("div", { className: "spectro-wave-strip" }, [this.canvas, this.stripPlayhead]);
    this.strip.addEventListener("click", (event) => this.stripClicked(event));
    setHidden(this.stripPlayhead, true);
    this.element = el("div", { className: "spectro-listening" }, [
      this.strip,
      el("div", { className: "spectro-audio-row" }, [
        this.playButtons.target,
        this.playButtons.predicted,
        this.switchButton,
        el("label", { title: "Loop the zoom window, or the whole clip (L)" }, [
          this.loopBox,
          document.createTextNode("loop"),
        ]),
        this.timeText,
        this.note,
        this.flags,
        this.errorText,
        this.wavLinks.target,
        this.wavLinks.predicted,
      ]),
    ]);
    setHidden(this.element, true);
  }

  /** Connects the card: its element (keys, data-audio-*), its playhead and the names of its downloads. */
  attach(cardElement: HTMLElement, paintPlayhead: PlayheadPainter, fileStem: (step: number) => string): void {
    this.cardElement = cardElement;
    this.paintPlayhead = paintPlayhead;
    this.fileStem = fileStem;
    cardElement.addEventListener("keydown", (event) => this.key(event));
  }

  /** Shows the card's step: its clips, the strip, and, while playing, that step's clip from the same position. */
  update(view: ListeningView): void {
    this.view = view;
    const { card } = view;
    this.clips = stepClips(card.steps, card.stepIndex, card.sample);
    const reference = this.clips.target ?? this.clips.predicted;
    setHidden(this.element, reference === null);
    if (reference === null) {
      this.clock = null;
      if (this.player.playing || this.pending) {
        this.stop();
        this.error = NO_AUDIO;
      }
      this.paintPlayhead(null);
      this.refresh();
      return;
    }
    if (this.error === NO_AUDIO) this.error = "";
    this.clock = this.clockOf(card, reference, view.cols);
    if (!this.clips[this.role]) this.role = playableRole(this.clips, this.role) ?? this.role;
    this.follow();
    this.drawStrip();
    this.refresh();
  }

  /** Plays from frame `frame` (a click on a panel): the chosen role, or the one there is. */
  playFromFrame(frame: number): boolean {
    if (!this.clock) return false;
    const role = playableRole(this.clips, this.role);
    if (role === null) return false;
    this.play(role, frameToSeconds(frame, this.clock));
    return true;
  }

  /** The seconds a frame's clock gives: the series' hop and rate, else the reference clip over its frames. */
  private clockOf(card: CardState, reference: ClipSource, cols: number): FrameClock | null {
    const series = card.info.series;
    const hop = Number(series.hop_length) || 0;
    const rate = Number(series.sample_rate) || reference.info.sample_rate;
    const sample: MelSampleInfo | undefined = card.steps[reference.stepIndex]?.samples?.[reference.sample];
    const frames = (reference.role === "target" ? sample?.target_frames : sample?.predicted_frames) || cols;
    return frameClock(hop, rate, frames, clipSeconds(reference.info));
  }

  private rangeOf(set: ClipSet): PlayRange {
    const seconds = setSeconds(set);
    const window = this.view?.window ?? null;
    return this.clock ? playRange(window, this.clock, seconds) : { start: 0, end: seconds };
  }

  private get loop(): boolean {
    return this.loopBox.checked;
  }

  /**
   * The step's clips as a set to play together, once every one has loaded
   * ("loading" until then, starting their loads); null when none can play.
   */
  private loadedSet(): ClipSet | "loading" | null {
    const view = this.view;
    if (!view) return null;
    const set: ClipSet = {};
    let loading = false;
    const errors: string[] = [];
    for (const role of ROLES) {
      const source = this.clips[role];
      if (!source) continue;
      const entry = this.loader.requestAudio(stepKeyOf(view.card, source));
      if (entry.status === "loading") loading = true;
      else if (entry.status === "failed") errors.push(`${role} audio of step ${source.step}: ${entry.error}`);
      else {
        const waveform = entry.data.clips.get(role);
        if (waveform) set[role] = { key: clipKey(view.card, source), waveform };
        else errors.push(`step ${source.step} has no ${role} audio`);
      }
    }
    if (loading) return "loading";
    this.error = errors.join("; ");
    return set.target || set.predicted ? set : null;
  }

  /** Starts `role` from `from` (a user gesture: the page's audio context is made or resumed here). */
  private play(role: Role, from: number): void {
    try {
      audioContext();
    } catch (e) {
      this.error = (e as Error).message;
      this.refresh();
      return;
    }
    this.error = "";
    this.role = role;
    this.pending = { role, from };
    this.played = true;
    this.startPending();
    this.refresh();
  }

  private startPending(): void {
    const pending = this.pending;
    if (!pending) return;
    const set = this.loadedSet();
    if (set === "loading") return;
    this.pending = null;
    if (set === null) return;
    const role = set[pending.role] ? pending.role : pending.role === "target" ? "predicted" : "target";
    const range = this.rangeOf(set);
    if (isEmptyRange(range)) {
      this.error = "no audio under the zoom window";
      return;
    }
    try {
      this.player.play(set, role, pending.from, range, this.loop);
    } catch (e) {
      this.error = (e as Error).message;
      return;
    }
    this.role = role;
    this.playingClips = this.clips;
    this.animate();
  }

  /** While playing, keeps to the card's step, sample and window: their clips, from the same position. */
  private follow(): void {
    if (this.pending) {
      this.pending.role = playableRole(this.clips, this.pending.role) ?? this.pending.role;
      this.startPending();
      return;
    }
    if (!this.player.playing) {
      this.showPosition();
      return;
    }
    const set = this.loadedSet();
    // While the step's clips load, the last ones play on.
    if (set === "loading") return;
    if (set === null) {
      this.stop();
      if (!this.error) this.error = NO_AUDIO;
      return;
    }
    const range = this.rangeOf(set);
    if (setKey(set) !== this.player.clipSet) {
      const role = set[this.player.role] ? this.player.role : this.player.role === "target" ? "predicted" : "target";
      if (role !== this.player.role) this.player.select(role);
      this.role = role;
      this.player.switchTo(set, range, this.loop);
      this.playingClips = this.clips;
    } else {
      this.player.setRange(range, this.loop);
    }
    this.prefetchAround();
  }

  /** While playing, the clips of the steps either side load ahead, so a held arrow key keeps up. */
  private prefetchAround(): void {
    const view = this.view;
    if (!view) return;
    for (const offset of [1, -1]) {
      const clips = stepClips(view.card.steps, view.card.stepIndex + offset, view.card.sample);
      for (const source of [clips.target, clips.predicted])
        if (source && !source.borrowed) this.loader.requestAudio(stepKeyOf(view.card, source));
    }
  }

  /** Pointing at a play button loads the step's audio, so that a click plays at once. */
  private prefetch(): void {
    const view = this.view;
    if (!view) return;
    for (const source of [this.clips.target, this.clips.predicted])
      if (source) this.loader.requestAudio(stepKeyOf(view.card, source));
  }

  /** The role heard, or about to be. */
  private get activeRole(): Role | null {
    return this.pending?.role ?? (this.player.playing ? this.player.role : null);
  }

  private toggleRole(role: Role): void {
    const active = this.activeRole;
    if (active === role) this.stop();
    else if (active !== null) this.switchTo(role);
    else this.play(role, this.player.position());
  }

  /** A/B: the other role at the same instant; while paused it only chooses the role Space plays. */
  private switchRole(): void {
    const current = this.activeRole ?? this.role;
    const other: Role = current === "target" ? "predicted" : "target";
    if (this.clips[other]) this.switchTo(other);
  }

  private switchTo(role: Role): void {
    this.role = role;
    if (this.pending) this.pending.role = role;
    else if (this.player.playing) this.player.select(role);
    this.refresh();
  }

  private togglePlay(): void {
    if (this.activeRole !== null) this.stop();
    else {
      const role = playableRole(this.clips, this.role);
      if (role) this.play(role, this.player.position());
    }
  }

  private setLoop(loop: boolean): void {
    if (this.loopBox.checked !== loop) this.loopBox.checked = loop;
    const set = this.player.playing ? this.loadedSet() : null;
    if (set && set !== "loading" && setKey(set) === this.player.clipSet) this.player.setRange(this.rangeOf(set), loop);
    this.refresh();
  }

  private stop(): void {
    this.pending = null;
    this.player.pause();
    this.refresh();
  }

  private key(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || !this.view || (!this.clips.target && !this.clips.predicted))
      return;
    const target = event.target;
    if (target instanceof HTMLInputElement && target.type !== "checkbox") return;
    if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
    const key = event.key.toLowerCase();
    if (key === PLAY_KEY) {
      // A focused button, link or checkbox answers Space itself.
      if (
        target instanceof HTMLButtonElement ||
        target instanceof HTMLAnchorElement ||
        target instanceof HTMLInputElement
      )
        return;
      this.togglePlay();
    } else if (key === SWITCH_KEY) this.switchRole();
    else if (key === LOOP_KEY) this.setLoop(!this.loop);
    else return;
    event.preventDefault();
  }

  private stripClicked(event: MouseEvent): void {
    const view = this.view;
    if (!view || !this.clock) return;
    const x = event.clientX - this.strip.getBoundingClientRect().left - PANEL_MARGIN.left;
    const width = Math.max(1, view.width - PANEL_MARGIN.left - PANEL_MARGIN.right);
    if (x < 0 || x > width) return;
    const { start, end } = this.stripSpan;
    const role = playableRole(this.clips, this.role);
    if (role) this.play(role, start + (x / width) * (end - start));
  }

  /** Moves the playheads and the time on each animation frame while playing. */
  private animate(): void {
    if (this.frameRequest !== 0) return;
    const step = () => {
      this.frameRequest = 0;
      // A card taken off the page (the tag filter) stops playing.
      if (this.cardElement && !this.cardElement.isConnected) this.stop();
      const playing = this.player.tick();
      this.showPosition();
      if (playing) this.frameRequest = requestAnimationFrame(step);
    };
    this.frameRequest = requestAnimationFrame(step);
  }

  private showPosition(): void {
    const seconds = this.player.position();
    const clock = this.clock;
    const frame = clock && this.played ? secondsToFrame(seconds, clock) : null;
    this.paintPlayhead(frame);
    this.moveStripPlayhead(frame === null ? null : seconds);
    const element = this.cardElement;
    if (element) {
      element.dataset.audioTime = seconds.toFixed(4);
      element.dataset.audioClock = this.player.clockTime().toFixed(4);
    }
    const source = (this.player.playing ? this.playingClips : this.clips)[this.activeRole ?? this.role];
    const total = source ? clipSeconds(source.info) : 0;
    setText(this.timeText, this.played || total ? `${seconds.toFixed(2)} / ${total.toFixed(2)} s` : "");
  }

  private moveStripPlayhead(seconds: number | null): void {
    const view = this.view;
    const { start, end } = this.stripSpan;
    const width = view ? Math.max(1, view.width - PANEL_MARGIN.left - PANEL_MARGIN.right) : 0;
    const visible = seconds !== null && this.stripRows.length > 0 && seconds >= start && seconds <= end && end > start;
    setHidden(this.stripPlayhead, !visible);
    if (!visible) return;
    const x = PANEL_MARGIN.left + ((seconds - start) / (end - start)) * width;
    const transform = `translateX(${x.toFixed(1)}px)`;
    if (this.stripPlayhead.style.transform !== transform) this.stripPlayhead.style.transform = transform;
  }

  /** The buttons, texts, links and data-* of the state now. */
  private refresh(): void {
    const view = this.view;
    const playing = this.player.playing;
    const loading = this.pending !== null;
    const active = this.activeRole;
    for (const role of ["target", "predicted"] as const) {
      const button = this.playButtons[role];
      const source = this.clips[role];
      const on = active === role;
      setText(button, `${on ? "❚❚" : "▶"} ${roleTitle(role)}`);
      setAttr(button, "aria-pressed", String(on));
      setAttr(
        button,
        "title",
        `${on ? "Pause" : "Play"} the ${roleTitle(role)} audio${source?.borrowed ? ` (from step ${source.step})` : ""}` +
          " (Space plays or pauses the chosen one; S switches at the same instant; a click on a panel plays from there)",
      );
      button.disabled = source === null;
      setHidden(button, source === null);
    }
    this.switchButton.disabled = !(this.clips.target && this.clips.predicted);
    setHidden(this.switchButton, !(this.clips.target && this.clips.predicted));
    const target = this.clips.target;
    setText(
      this.note,
      [target?.borrowed ? `target audio from step ${target.step}` : "", loading ? "loading audio…" : ""]
        .filter(Boolean)
        .join(" · "),
    );
    const melSeconds = view && this.clock ? frameToSeconds(view.cols, this.clock) : null;
    const warnings = (["target", "predicted"] as const).flatMap((role) => {
      const source = this.clips[role];
      return source ? clipWarnings(role, source.info, melSeconds) : [];
    });
    setText(this.flags, warnings.join(" · "));
    setText(this.errorText, this.error);
    for (const role of ["target", "predicted"] as const) {
      const link = this.wavLinks[role];
      const source = this.clips[role];
      setHidden(link, source === null || !view);
      if (!source || !view) continue;
      setAttr(link, "href", wavUrl(stepKeyOf(view.card, source), role));
      setAttr(link, "download", `${this.fileStem(source.step)}_${role}.wav`);
      setText(link, `WAV ${roleTitle(role)}${source.borrowed ? ` (step ${source.step})` : ""}`);
    }
    const element = this.cardElement;
    if (element) {
      element.dataset.audioState = playing
        ? "playing"
        : loading
          ? "loading"
          : this.clips.target || this.clips.predicted
            ? "paused"
            : "";
      element.dataset.audioRole = active ?? this.role;
      // The step of the clip heard: while another step's clips load, still the last one's.
      const source = (playing ? this.playingClips : this.clips)[active ?? this.role];
      element.dataset.audioStep = source ? String(source.step) : "";
      element.dataset.audioAnchor = this.player.anchorText;
    }
    if (!playing) this.showPosition();
    else this.animate();
  }

  /** The strip: each clip's outline on the panels' time axis (the same window), and a seconds axis. */
  private drawStrip(): void {
    const view = this.view;
    const clock = this.clock;
    if (!view || !clock) return;
    const roles = (["target", "predicted"] as const).filter((role) => this.clips[role] !== null);
    const envelopes = roles.map((role) => this.envelope(role, view));
    const window = view.window ?? { start: 0, end: view.cols };
    const span = { start: frameToSeconds(window.start, clock), end: frameToSeconds(window.end, clock) };
    const key = JSON.stringify([
      roles.map((role) => clipKey(view.card, this.clips[role]!)),
      envelopes.map((e) => e !== null),
      span,
      view.width,
    ]);
    if (key === this.stripKey || view.width === 0) return;
    this.stripKey = key;
    this.stripSpan = span;
    const height = STRIP_TOP + roles.length * (ROW_HEIGHT + ROW_GAP) + AXIS_HEIGHT;
    const context = fitCanvas(this.canvas, view.width, height);
    context.clearRect(0, 0, view.width, height);
    const x = PANEL_MARGIN.left;
    const width = Math.max(1, view.width - PANEL_MARGIN.left - PANEL_MARGIN.right);
    const muted = themeColor(this.element, "--spectro-muted", "#616161");
    const border = themeColor(this.element, "--spectro-border", "#e0e0e0");
    context.font = "11px system-ui, sans-serif";
    this.stripRows = [];
    roles.forEach((role, i) => {
      const top = STRIP_TOP + i * (ROW_HEIGHT + ROW_GAP);
      this.stripRows.push({ role, top });
      const colour = themeColor(this.element, `--spectro-wave-${role}`, role === "target" ? "#1e88e5" : "#f57c00");
      context.strokeStyle = border;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(x, top + ROW_HEIGHT / 2 + 0.5);
      context.lineTo(x + width, top + ROW_HEIGHT / 2 + 0.5);
      context.stroke();
      const envelope = envelopes[i];
      if (envelope) {
        context.fillStyle = colour;
        for (const bar of waveBars(
          envelopeColumns(envelope, span.start, span.end, Math.round(width)),
          x,
          top,
          ROW_HEIGHT,
        ))
          context.fillRect(bar.x, bar.top, 1, bar.height);
      }
      context.fillStyle = colour;
      context.textAlign = "left";
      context.textBaseline = "middle";
      const source = this.clips[role]!;
      context.fillText(source.borrowed ? `${role} @${source.step}` : role, x + width + 6, top + ROW_HEIGHT / 2);
    });
    const axisTop = STRIP_TOP + roles.length * (ROW_HEIGHT + ROW_GAP);
    context.fillStyle = muted;
    context.strokeStyle = muted;
    context.textAlign = "center";
    context.textBaseline = "top";
    const ticks = niceTicks(span.start, span.end, Math.max(2, Math.floor(width / 70)));
    for (const t of ticks) {
      const tx = x + ((t - span.start) / (span.end - span.start)) * width;
      // A label under the unit's would run into it.
      if (tx < x - 0.5 || tx > x + width - 14) continue;
      context.beginPath();
      context.moveTo(tx, axisTop - 3);
      context.lineTo(tx, axisTop);
      context.stroke();
      context.fillText(formatTick(t, ticks), tx, axisTop + 2);
    }
    context.textAlign = "left";
    context.fillText("s", x + width + 6, axisTop + 2);
    this.stripPlayhead.style.top = `${STRIP_TOP}px`;
    this.stripPlayhead.style.height = `${Math.max(0, axisTop - STRIP_TOP - ROW_GAP)}px`;
    this.strip.dataset.seconds = `${span.start},${span.end}`;
  }

  /** A role's outline: from the step shown, or from the earlier step a borrowed target is of (loading it). */
  private envelope(role: Role, view: ListeningView) {
    const source = this.clips[role]!;
    const name = AUDIO_ARRAYS[role].envelope;
    let data: StepData | null = null;
    const shown = view.shown?.description;
    if (shown && shown.step === source.step && shown.sample === source.sample) data = view.shown;
    else {
      // The card loads its own step; an earlier step's target is loaded here, once.
      const key = stepKeyOf(view.card, source);
      const entry = source.borrowed ? this.loader.requestStep(key) : this.loader.peekStep(key);
      if (entry?.status === "loaded") data = entry.data;
    }
    const array = data?.arrays.get(name);
    if (!array || array.rows !== 2) return null;
    return envelopeOf(array.values, array.cols, clipSeconds(source.info));
  }

  /** Stops playing (the card went away). */
  dispose(): void {
    if (this.frameRequest !== 0) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.player.dispose();
  }
}
