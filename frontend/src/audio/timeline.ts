// Where the audio of a mel card is in time, and where that is on its frame
// axis; pure. Frame f starts at f × hop_length / sample_rate seconds when the
// series knows its hop; without a hop, frames map proportionally onto the
// clip (frame / frames × clip seconds). A zoom window bounds playback; a
// loop wraps inside it. Positions are kept as an anchor on the audio clock,
// so that a switch between clips (target and predicted, or another step's)
// starts the new clip where the old one was at the same clock time.

import type { FrameWindow } from "../render/zoom";

/** Seconds of audio per frame of the mels, and where that figure comes from. */
export interface FrameClock {
  secondsPerFrame: number;
  /** "hop": hop_length / sample_rate of the series; "proportional": the clip's length over its frames. */
  basis: "hop" | "proportional";
}

/**
 * The clock of a sample's frames: hop / rate when the series knows both,
 * else `clipSeconds` / `frames` (the clip and the frames it was logged with);
 * null when neither gives a positive figure.
 */
export function frameClock(
  hopLength: number,
  sampleRate: number,
  frames: number,
  clipSeconds: number,
): FrameClock | null {
  if (hopLength > 0 && sampleRate > 0) return { secondsPerFrame: hopLength / sampleRate, basis: "hop" };
  if (frames > 0 && clipSeconds > 0) return { secondsPerFrame: clipSeconds / frames, basis: "proportional" };
  return null;
}

/** The time at which frame coordinate `frame` (fractional; frame f's cell spans [f, f + 1)) starts. */
export function frameToSeconds(frame: number, clock: FrameClock): number {
  return frame * clock.secondsPerFrame;
}

/** The frame coordinate (fractional) at time `seconds`. */
export function secondsToFrame(seconds: number, clock: FrameClock): number {
  return seconds / clock.secondsPerFrame;
}

/** A stretch of a clip in seconds, [start, end). */
export interface PlayRange {
  start: number;
  end: number;
}

/**
 * What plays of a clip `clipSeconds` long: all of it, or the part under the
 * zoom window. Empty (start = end) when the window lies beyond the clip.
 */
export function playRange(window: FrameWindow | null, clock: FrameClock, clipSeconds: number): PlayRange {
  const length = Math.max(clipSeconds, 0);
  if (window === null) return { start: 0, end: length };
  const clamp = (t: number) => Math.min(Math.max(t, 0), length);
  const start = clamp(frameToSeconds(window.start, clock));
  return { start, end: Math.max(start, clamp(frameToSeconds(window.end, clock))) };
}

export function isEmptyRange(range: PlayRange): boolean {
  return !(range.end > range.start);
}

/** Seconds short of a range's end at which playing asks to start again from its start. */
export const END_TOLERANCE = 0.005;

/**
 * Where playback asked to start at `requested` starts: there when it lies
 * inside the range, else (before it, at or past its end) at the range's start.
 */
export function startPosition(requested: number, range: PlayRange): number {
  if (!Number.isFinite(requested) || requested < range.start || requested >= range.end - END_TOLERANCE)
    return range.start;
  return requested;
}

/** A clip playing: clip second `offset` sounded at audio-clock time `clockTime`, at speed 1. */
export interface Anchor {
  clockTime: number;
  offset: number;
  range: PlayRange;
  loop: boolean;
}

export interface Position {
  seconds: number;
  /** Playing without a loop reached the range's end. */
  ended: boolean;
}

/**
 * Where in the clip playback is at audio-clock time `now`. Before the
 * anchor's time (a start scheduled ahead) it counts back from the offset, so
 * that a clip scheduled to take over from another at the same position gives
 * the position the other has until then; never before the range's start.
 */
export function positionAt(anchor: Anchor, now: number): Position {
  const { range } = anchor;
  const seconds = Math.max(range.start, anchor.offset + (now - anchor.clockTime));
  if (seconds < range.end) return { seconds, ended: false };
  const length = range.end - range.start;
  if (!anchor.loop || !(length > 0)) return { seconds: range.end, ended: true };
  return { seconds: range.start + ((seconds - range.start) % length), ended: false };
}

/**
 * The anchor that goes on from `anchor` at audio-clock time `now` (a time
 * ahead, when the new clip is scheduled to start) with `range` and `loop`:
 * the same position (another step, a loop toggled), moved to the range's
 * start when the new range no longer holds it.
 */
export function reanchor(anchor: Anchor, now: number, range: PlayRange = anchor.range, loop = anchor.loop): Anchor {
  const { seconds } = positionAt(anchor, now);
  return { clockTime: now, offset: startPosition(seconds, range), range, loop };
}

/** The start and duration of AudioBufferSourceNode.start() for an anchor: a loop plays on, else to the range's end. */
export function sourceTiming(anchor: Anchor): { offset: number; duration: number | undefined } {
  return {
    offset: anchor.offset,
    duration: anchor.loop ? undefined : Math.max(0, anchor.range.end - anchor.offset),
  };
}
