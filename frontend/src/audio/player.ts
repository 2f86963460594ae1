// One card's playback: the clips of a step (target and predicted) playing in
// lockstep from one anchor on the page's audio clock, each through its own
// gain, only the chosen one heard. A/B only moves the gains, so the other
// clip takes over at exactly the same sample. A new step, range or loop
// starts new sources a moment ahead (SCHEDULE_LEAD), where the old ones stop
// and from the position they will have reached then: a source started at a
// time already past would begin late, behind the clock.

import type { Waveform } from "../api/decode";
import type { AudioRole } from "../api/types";
import { audioContext, existingAudioContext, toAudioBuffer } from "./engine";
import { positionAt, reanchor, sourceTiming, startPosition, type Anchor, type PlayRange } from "./timeline";

/** A clip to play, and the key that says which (run, tag, step, sample, role) it is. */
export interface PlayableClip {
  key: string;
  waveform: Waveform;
}

/** The clips that play together, by role. */
export type ClipSet = Partial<Record<AudioRole, PlayableClip>>;

/**
 * Seconds ahead of the audio clock that sources are scheduled to start. The
 * page's messages reach the audio thread a render callback or more later
 * (tens of milliseconds on a loaded machine); a start scheduled past that
 * begins on its sample.
 */
export const SCHEDULE_LEAD = 0.06;
const CROSSFADE = 0.002; // seconds: time constant of an A/B gain change, short enough to keep the instant, long enough not to click
const BUFFERS_KEPT = 8; // decoded clips kept as AudioBuffers, the least recently played dropped first

/** The longest clip of a set, in seconds. */
export function setSeconds(set: ClipSet): number {
  let seconds = 0;
  for (const clip of Object.values(set)) {
    if (clip) seconds = Math.max(seconds, clip.waveform.samples.length / clip.waveform.sampleRate);
  }
  return seconds;
}

/** What identifies a set: its clips' keys. */
export function setKey(set: ClipSet): string {
  return JSON.stringify([set.target?.key ?? null, set.predicted?.key ?? null]);
}

interface Voice {
  role: AudioRole;
  source: AudioBufferSourceNode;
  gain: GainNode;
}

/** The player that plays now: one at a time on the page, so that two cards never sound together. */
let sounding: AudioPlayer | null = null;

export class AudioPlayer {
  private voices: Voice[] = [];
  private anchor: Anchor | null = null;
  private playingSet: string | null = null;
  private chosen: AudioRole = "target";
  private pausedAt = 0;
  private readonly buffers = new Map<string, AudioBuffer>();

  /** `stopped` is called when playback stops by itself: the end of its range (without a loop), or another player started. */
  constructor(private readonly stopped: () => void) {}

  get playing(): boolean {
    return this.anchor !== null;
  }

  /** The key of the set playing, or of the last one played. */
  get clipSet(): string | null {
    return this.playingSet;
  }

  /** The role heard. */
  get role(): AudioRole {
    return this.chosen;
  }

  /** The audio clock's time now; 0 before any context was made. */
  clockTime(): number {
    return existingAudioContext()?.currentTime ?? 0;
  }

  /** The clip position in seconds: where it plays now, or where it was paused. */
  position(): number {
    return this.anchor ? positionAt(this.anchor, this.clockTime()).seconds : this.pausedAt;
  }

  /** Where the last start anchored, for tests: the clock time and the clip offset. */
  get anchorText(): string {
    return this.anchor ? `${this.anchor.clockTime},${this.anchor.offset}` : "";
  }

  /** Plays `set` from `from` (its range's start when outside `range`), `role` heard. Call from a user gesture the first time. */
  play(set: ClipSet, role: AudioRole, from: number, range: PlayRange, loop: boolean): void {
    const context = audioContext();
    this.chosen = role;
    const anchor = { clockTime: context.currentTime + SCHEDULE_LEAD, offset: startPosition(from, range), range, loop };
    this.start(context, set, anchor);
  }

  /** A/B: hears `role` from now on; the clips play on in lockstep, so the instant is kept to the sample. */
  select(role: AudioRole): void {
    this.chosen = role;
    const context = existingAudioContext();
    if (!context) return;
    for (const voice of this.voices)
      voice.gain.gain.setTargetAtTime(voice.role === role ? 1 : 0, context.currentTime, CROSSFADE);
  }

  /** Plays `set` instead of the set playing (another step or sample), from the position the old one reaches when the new one starts. */
  switchTo(set: ClipSet, range?: PlayRange, loop?: boolean): void {
    const context = existingAudioContext();
    if (!context || !this.anchor) return;
    this.start(context, set, reanchor(this.anchor, context.currentTime + SCHEDULE_LEAD, range, loop));
  }

  /** Goes on with a new range or loop from the same position (the range's start when it no longer holds it). */
  setRange(range: PlayRange, loop: boolean): void {
    const current = this.anchor;
    const context = existingAudioContext();
    if (!current || !context) return;
    if (current.loop === loop && current.range.start === range.start && current.range.end === range.end) return;
    const set = this.lastSet;
    if (set) this.start(context, set, reanchor(current, context.currentTime + SCHEDULE_LEAD, range, loop));
  }

  pause(): void {
    this.pausedAt = this.position();
    this.stopVoices();
    this.anchor = null;
    if (sounding === this) sounding = null;
  }

  /** Checks for the end of the range; true while playing. Called each animation frame. */
  tick(): boolean {
    if (!this.anchor) return false;
    const position = positionAt(this.anchor, this.clockTime());
    if (position.ended) this.finish(position.seconds);
    return this.anchor !== null;
  }

  private lastSet: ClipSet | null = null;

  private finish(at: number): void {
    this.pausedAt = at;
    this.stopVoices();
    this.anchor = null;
    if (sounding === this) sounding = null;
    this.stopped();
  }

  /** The buffer of `clip`, `seconds` long (a shorter clip padded with silence, so that the set loops together). */
  private buffer(context: AudioContext, clip: PlayableClip, seconds: number): AudioBuffer {
    const { samples, sampleRate } = clip.waveform;
    const length = Math.max(samples.length, Math.round(seconds * sampleRate));
    const id = `${clip.key}|${length}`;
    let buffer = this.buffers.get(id);
    if (buffer) this.buffers.delete(id);
    else buffer = toAudioBuffer(context, clip.waveform, length);
    this.buffers.set(id, buffer);
    for (const key of this.buffers.keys()) {
      if (this.buffers.size <= BUFFERS_KEPT) break;
      this.buffers.delete(key);
    }
    return buffer;
  }

  private start(context: AudioContext, set: ClipSet, anchor: Anchor): void {
    if (sounding !== null && sounding !== this) sounding.finish(sounding.position());
    sounding = this;
    const seconds = setSeconds(set);
    const when = anchor.clockTime;
    this.stopVoices(when);
    const { offset, duration } = sourceTiming(anchor);
    const voices: Voice[] = [];
    for (const role of ["target", "predicted"] as const) {
      const clip = set[role];
      if (!clip) continue;
      const source = context.createBufferSource();
      source.buffer = this.buffer(context, clip, seconds);
      if (anchor.loop) {
        source.loop = true;
        source.loopStart = anchor.range.start;
        source.loopEnd = anchor.range.end;
      }
      const gain = context.createGain();
      gain.gain.value = role === this.chosen ? 1 : 0;
      source.connect(gain);
      gain.connect(context.destination);
      source.start(when, offset, duration);
      voices.push({ role, source, gain });
    }
    const first = voices[0];
    if (first) {
      first.source.onended = () => {
        if (this.voices.includes(first) && this.anchor && !this.anchor.loop) this.finish(this.anchor.range.end);
      };
    }
    this.voices = voices;
    this.anchor = anchor;
    this.lastSet = set;
    this.playingSet = setKey(set);
  }

  /** Stops the sources at clock time `when` (now by default) and lets go of them once they have. */
  private stopVoices(when = 0): void {
    for (const { source, gain } of this.voices) {
      source.onended = () => {
        source.disconnect();
        gain.disconnect();
      };
      try {
        source.stop(when);
      } catch {
        // Stopped already.
      }
    }
    this.voices = [];
  }

  /** Stops and lets go of the buffers (the view went away). */
  dispose(): void {
    this.pause();
    this.buffers.clear();
  }
}
