// Which clips a mel card plays for a step and sample; pure. The prediction
// is the step's own. The target is the step's own, or, when the step has
// none, the latest earlier step's target of the same utterance (same sample
// id, or same position in the batch when no id was written): a vocoder's
// ground truth is often logged once, at the first step.

import type { AudioClipInfo, AudioRole, SampleAudio } from "../api/types";

export type Role = AudioRole;

export const ROLES: readonly Role[] = ["target", "predicted"];

/** The step and sample of a clip to play, and what /steps says of it. */
export interface ClipSource {
  role: Role;
  stepIndex: number;
  step: number;
  sample: number;
  info: AudioClipInfo;
  /** The clip is another (earlier) step's. */
  borrowed: boolean;
}

interface AudioSampleInfo {
  sample_id: string;
  audio?: SampleAudio | null;
}

interface AudioStepInfo {
  step: number;
  samples?: AudioSampleInfo[];
}

export interface StepClips {
  target: ClipSource | null;
  predicted: ClipSource | null;
}

/** The clips of sample `sample` at step index `index`, the target borrowed from an earlier step when needed. */
export function stepClips(steps: readonly AudioStepInfo[], index: number, sample: number): StepClips {
  const here = steps[index];
  const chosen = here?.samples?.[sample];
  if (!here || !chosen) return { target: null, predicted: null };
  const own = (role: Role): ClipSource | null => {
    const info = chosen.audio?.[role] ?? null;
    return info && { role, stepIndex: index, step: here.step, sample, info, borrowed: false };
  };
  return {
    target: own("target") ?? earlierTarget(steps, index, chosen.sample_id, sample),
    predicted: own("predicted"),
  };
}

/**
 * The latest step before index `index` with a target clip for the utterance
 * `sampleId` (any position in its batch), or, when `sampleId` is empty, for
 * the sample at position `sample`.
 */
export function earlierTarget(
  steps: readonly AudioStepInfo[],
  index: number,
  sampleId: string,
  sample: number,
): ClipSource | null {
  for (let i = Math.min(index, steps.length) - 1; i >= 0; i--) {
    const samples = steps[i]!.samples ?? [];
    const position = sampleId ? samples.findIndex((s) => s.sample_id === sampleId && s.audio?.target) : sample;
    const info = samples[position]?.audio?.target;
    if (position >= 0 && info)
      return { role: "target", stepIndex: i, step: steps[i]!.step, sample: position, info, borrowed: true };
  }
  return null;
}

/** The role to play when `wanted` has no clip: the other one, or none. */
export function playableRole(clips: StepClips, wanted: Role): Role | null {
  if (clips[wanted]) return wanted;
  const other: Role = wanted === "target" ? "predicted" : "target";
  return clips[other] ? other : null;
}

/** A clip's length in seconds, from its facts. */
export function clipSeconds(info: AudioClipInfo): number {
  return info.seconds ?? (info.sample_rate > 0 ? info.samples / info.sample_rate : 0);
}

/** What the strip says of a clip beside its waveform: clipping, NaN and a length off the mel's, or "". */
export function clipWarnings(role: Role, info: AudioClipInfo, melSeconds: number | null): string[] {
  const warnings: string[] = [];
  if (info.clipped > 0) warnings.push(`${role}: ${info.clipped} ${info.clipped === 1 ? "sample" : "samples"} clipped`);
  if (info.nan > 0) warnings.push(`${role}: ${info.nan} NaN ${info.nan === 1 ? "sample" : "samples"} stored as 0`);
  if (info.length_mismatch) {
    const mel = melSeconds === null ? "" : `, mel ${melSeconds.toFixed(2)} s`;
    warnings.push(`${role}: audio ${clipSeconds(info).toFixed(2)} s${mel}`);
  }
  return warnings;
}

/**
 * The index of the step nearest to `step` (ties to the earlier) whose sample
 * at position `sample` has a clip, and its role: the prediction when it has
 * one, as a candidate checkpoint is judged by what it makes. Null when no
 * step has audio.
 */
export function nearestAudioStep(
  steps: readonly AudioStepInfo[],
  step: number,
  sample: number,
): { index: number; role: Role } | null {
  let best: { index: number; role: Role } | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let index = 0; index < steps.length; index++) {
    const info = steps[index]!;
    const audio = info.samples?.[sample]?.audio;
    const role: Role | null = audio?.predicted ? "predicted" : audio?.target ? "target" : null;
    const distance = Math.abs(info.step - step);
    if (role && distance < bestDistance) {
      best = { index, role };
      bestDistance = distance;
    }
  }
  return best;
}
