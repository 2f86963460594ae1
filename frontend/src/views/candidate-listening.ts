// Hearing a lowest-point candidate beside its checkpoint: the audio of the
// run's mel comparison at the candidate's step, or at the nearest step with
// audio (the prediction when there is one). One clip plays at a time per
// view; its button pauses it.

import type { StepKey } from "../api/client";
import { audioContext } from "../audio/engine";
import { AudioPlayer } from "../audio/player";
import { clipSeconds, nearestAudioStep, type Role } from "../audio/sources";
import type { LowestCardActions } from "../state/actions";
import { el, setAttr, setHidden, setText } from "./dom";

const SAMPLE = 0; // the batch position heard: the first sample a mel comparison logs

/** What a candidate's button plays: a series' clip at a step. */
interface Heard {
  key: StepKey;
  role: Role;
  /** The candidate's step, which the button belongs to. */
  candidate: number;
  seconds: number;
}

export class CandidateListening {
  private readonly player = new AudioPlayer(() => this.refresh());
  private buttons = new Map<number, HTMLButtonElement>();
  private run = "";
  /** Asked to play while its audio loads. */
  private pending: Heard | null = null;
  private playing: Heard | null = null;
  private error = "";

  constructor(
    private readonly actions: LowestCardActions,
    private readonly element: HTMLElement,
  ) {}

  /** A new button for the candidate at `step` (the table was built again); hidden until a series with audio is known. */
  button(step: number): HTMLButtonElement {
    const button = el("button", {
      className: "spectro-candidate-listen",
      attrs: { type: "button", "data-candidate": String(step), "aria-pressed": "false" },
    });
    setHidden(button, true);
    button.addEventListener("click", () => this.toggle(step));
    this.buttons.set(step, button);
    return button;
  }

  /** Forgets the buttons of a table that was replaced. */
  resetButtons(): void {
    this.buttons = new Map();
  }

  /** What candidate `step` would play: the first series (by tag) of the run with audio, at its nearest step with audio. */
  private source(step: number): (Heard & { tag: string; at: number }) | null {
    for (const series of this.actions.audioSeries(this.run)) {
      const nearest = nearestAudioStep(series.steps, step, SAMPLE);
      if (!nearest) continue;
      const info = series.steps[nearest.index]!;
      const clip = info.samples?.[SAMPLE]?.audio?.[nearest.role];
      return {
        key: { run: series.run, tag: series.tag, step: info.step, sample: SAMPLE },
        role: nearest.role,
        candidate: step,
        seconds: clip ? clipSeconds(clip) : 0,
        tag: series.tag,
        at: info.step,
      };
    }
    return null;
  }

  update(run: string): void {
    if (run !== this.run && (this.playing || this.pending)) this.stop();
    this.run = run;
    if (this.pending) this.startPending();
    this.refresh();
  }

  private toggle(step: number): void {
    const current = this.pending ?? (this.player.playing ? this.playing : null);
    if (current?.candidate === step) {
      this.stop();
      return;
    }
    const source = this.source(step);
    if (!source) return;
    try {
      audioContext();
    } catch (e) {
      this.error = (e as Error).message;
      this.refresh();
      return;
    }
    this.player.pause();
    this.playing = null;
    this.error = "";
    this.pending = source;
    this.startPending();
    this.refresh();
  }

  private startPending(): void {
    const pending = this.pending;
    if (!pending) return;
    const entry = this.actions.requestAudio(pending.key);
    if (entry.status === "failed") {
      this.error = entry.error;
      this.pending = null;
      return;
    }
    if (entry.status !== "loaded") return;
    this.pending = null;
    const waveform = entry.data.clips.get(pending.role);
    if (!waveform) {
      this.error = `step ${pending.key.step} has no ${pending.role} audio`;
      return;
    }
    const key = JSON.stringify([pending.key.run, pending.key.tag, pending.key.step, pending.key.sample, pending.role]);
    try {
      const seconds = waveform.samples.length / waveform.sampleRate;
      this.player.play({ [pending.role]: { key, waveform } }, pending.role, 0, { start: 0, end: seconds }, false);
      this.playing = pending;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private stop(): void {
    this.pending = null;
    this.player.pause();
    this.playing = null;
    this.refresh();
  }

  private refresh(): void {
    const playing = this.player.playing ? this.playing : null;
    for (const [step, button] of this.buttons) {
      const source = this.source(step);
      setHidden(button, source === null);
      if (!source) continue;
      const on = (this.pending ?? playing)?.candidate === step;
      const loading = this.pending?.candidate === step;
      setText(button, `${on ? "❚❚" : "▶"} step ${source.at}${loading ? " …" : ""}`);
      setAttr(button, "aria-pressed", String(on));
      setAttr(button, "data-audio-step", String(source.at));
      setAttr(button, "data-audio-tag", source.tag);
      const where = source.at === step ? "at this step" : `at step ${source.at}, the nearest step with audio`;
      setAttr(
        button,
        "title",
        `${on ? "Pause" : "Hear"} the ${source.role} audio of ${source.tag} ${where} (${source.seconds.toFixed(2)} s)` +
          (this.error ? `; ${this.error}` : ""),
      );
    }
    const dataset = this.element.dataset;
    dataset.audioState = playing ? "playing" : this.pending ? "loading" : "";
    dataset.audioStep = playing ? String(playing.key.step) : "";
    dataset.audioTag = playing ? playing.key.tag : "";
    dataset.audioError = this.error;
  }
}
