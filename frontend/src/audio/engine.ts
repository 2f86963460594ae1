// The page's one AudioContext, made on the first user gesture that asks to
// play (browsers start a context made earlier suspended), and the buffers it
// plays. A buffer keeps its clip's own sample rate; the context resamples to
// the output's as it plays.

import type { Waveform } from "../api/decode";

let shared: AudioContext | null = null;

/** The page's context, made (or resumed) now: call it from the handler of a user gesture. */
export function audioContext(): AudioContext {
  if (shared === null) {
    const Context =
      globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) throw new Error("this browser has no Web Audio");
    shared = new Context({ latencyHint: "interactive" });
  }
  if (shared.state === "suspended") void shared.resume().catch(() => undefined);
  return shared;
}

/** The page's context if one was made. */
export function existingAudioContext(): AudioContext | null {
  return shared;
}

/** Sample rates AudioContext.createBuffer accepts in every browser the pane supports. */
export const MIN_SAMPLE_RATE = 3000;
export const MAX_SAMPLE_RATE = 768000;

/** A mono buffer of `waveform` at its own sample rate, `length` samples long (silence after the waveform). */
export function toAudioBuffer(
  context: BaseAudioContext,
  waveform: Waveform,
  length = waveform.samples.length,
): AudioBuffer {
  const { samples, sampleRate } = waveform;
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE))
    throw new Error(
      `cannot play audio at ${sampleRate} Hz: the browser plays ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz`,
    );
  const buffer = context.createBuffer(1, Math.max(length, samples.length, 1), sampleRate);
  buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
  return buffer;
}
