// The shapes of the plugin's HTTP API, as documented in http_api.md.

/**
 * A kind's name: one of the kinds the pane knows (state/kinds.ts), or one
 * written by a newer Spectro, which the server names "unknown" (or, if it is
 * newer than the pane, by a name the pane lacks).
 */
export type KindName = string;

export interface NonfiniteCounts {
  nan: number;
  pos_inf: number;
  neg_inf: number;
}

export interface ValueRange {
  min: number | null;
  max: number | null;
}

export interface SeriesInfo {
  kind: KindName;
  steps: number;
  first_step: number | null;
  last_step: number | null;
  max_samples: number;
  display_name: string;
  description: string;
  series: Record<string, unknown>;
  /**
   * Set when the series' facts cannot be read: written by a newer Spectro
   * (of a higher format version) or damaged. Its kind is then "unknown", and
   * its steps cannot be listed.
   */
  error?: string;
}

/** GET /tags: run → tag → series. */
export type TagIndex = Record<string, Record<string, SeriesInfo>>;

export interface MelStats {
  mae: number | null;
  rmse: number | null;
  max_abs_diff: number | null;
  bias: number | null;
  compared: number;
  nonfinite: NonfiniteCounts;
}

export interface MelSampleInfo {
  sample_id: string;
  text: string;
  target_frames: number;
  predicted_frames: number;
  length_mismatch: "lengths_equal" | "cropped" | "padded";
  range: ValueRange;
  stats: MelStats;
  /** The alignment of the same sample, written with the comparison; absent from older servers. */
  alignment?: AttachedAlignment | null;
  /** The sample's waveforms, if any were written; absent from older servers. */
  audio?: SampleAudio | null;
}

/** The two waveforms a mel comparison's sample may carry. */
export type AudioRole = "target" | "predicted";

/** What /steps and /data say of one clip of a mel comparison's sample (its samples come with /data's part "audio"). */
export interface AudioClipInfo {
  sample_rate: number;
  samples: number;
  seconds: number | null;
  /** Values beyond [-1, 1] before storage, clipped to it. */
  clipped: number;
  /** NaN values before storage, stored as 0. */
  nan: number;
  /** Largest |value| before clipping. */
  peak: number | null;
  /** frames × hop_length of the mel; null when the hop is not known. */
  expected_samples: number | null;
  /** The length is off expected_samples by more than a hop and a window. */
  length_mismatch: boolean;
}

/** A mel comparison sample's clips; either may be absent. */
export type SampleAudio = Record<AudioRole, AudioClipInfo | null>;

/** The write-time stats of an alignment (their definitions: plugin_data.proto's AlignmentStats). */
export interface AlignmentStats {
  focus_rate: number | null;
  monotonicity: number | null;
  coverage: number | null;
  diagonal_distance: number | null;
  frames: number;
  nonfinite: NonfiniteCounts;
}

/** An alignment a mel comparison's sample carries: its third /data array. */
export interface AttachedAlignment {
  tokens: number;
  frames: number;
  from_durations: boolean;
  stats: AlignmentStats;
}

export interface AlignmentSampleInfo extends AttachedAlignment {
  sample_id: string;
  text: string;
}

export interface SummaryRange extends ValueRange {
  mean: number | null;
  count: number;
}

export interface SpectrogramSampleInfo {
  sample_id: string;
  text: string;
  frames: number;
  range: SummaryRange;
}

/** A /steps entry; `S` is what a sample of the kind holds. */
export interface StepInfo<S = MelSampleInfo> {
  step: number;
  /** Seconds since the epoch; null when the stored wall time is not finite. */
  wall_time: number | null;
  /** Set when the step's header could not be read; the other fields are then absent. */
  error?: string;
  stats?: Record<string, unknown>;
  samples?: S[];
  batch_size?: number;
  /** A single spectrogram's value range over its samples. */
  range?: SummaryRange;
  /** A single spectrogram's NaN and ±Inf counts. */
  nonfinite?: NonfiniteCounts;
  timestep?: number | null;
  total_timesteps?: number | null;
  /** A noise stack's MSE per frame or channel, a video's per channel; empty for a 2-D pair and a batch. */
  frame_mse?: (number | null)[];
  shape?: number[];
  marker?: Record<string, unknown>;
}

/** A sample of a noise step: a video of a batch, or the step's one pair. */
export interface NoiseSampleInfo {
  batch_index: number;
  timestep: number | null;
  stats: Record<string, unknown>;
  /** MSE of each slice of the pair's first axis: each channel of a stack or video; empty for [H, W]. */
  frame_mse: (number | null)[];
}

/** A noise video's MSE by frame, from /data only. */
export interface VideoMse {
  /** Of each frame over every channel. */
  frame_mse: (number | null)[];
  /** Of each channel's frames: C lists of T. */
  channel_frame_mse: (number | null)[][];
}

/** GET /steps. */
export interface StepsResponse {
  run: string;
  tag: string;
  kind: KindName;
  steps: StepInfo[];
}

export type Precision = "uint8" | "uint16" | "float16" | "float32";

export interface ArrayInfo {
  name: string;
  shape: number[];
  precision: Precision;
  offset: number;
  scale: number;
  nonfinite: NonfiniteCounts;
  range: { min: number | null; max: number | null; mean: number | null; count: number };
  /** How integer codes were transformed before compression; absent from older servers. */
  filter?: "gradient" | "delta_planes" | "none";
  compression: "zlib" | "none";
  byte_offset: number;
  byte_length: number;
}

/** The JSON part of a GET /data body. */
export interface StepDescription extends StepInfo {
  run: string;
  tag: string;
  kind: KindName;
  sample: number;
  labels?: { rows: string[]; columns: string[] };
  /** An alignment's token labels (of an alignment step, or of a mel sample's attached alignment). */
  tokens?: string[] | null;
  /** A noise video's MSE by frame; null for a pair that is not a video, absent from older servers. */
  video_mse?: VideoMse | null;
  arrays: ArrayInfo[];
}

/** GET /scalars: every scalar tag of every run, and the Spectro marker series watching each. */
export interface ScalarIndex {
  runs: Record<string, string[]>;
  markers: Record<string, Record<string, string[]>>;
}

export interface CheckpointInfo {
  path: string;
  name: string;
  step: number;
  epoch: number | null;
  kind: string;
  /** Checkpoint step minus the candidate's step. */
  distance: number;
}

export interface CheckpointState {
  path?: string;
  /** Null when the file layer could not tell (see error). */
  exists: boolean | null;
  error: string | null;
}

export interface LowestCandidate {
  rank: number;
  step: number;
  value: number;
  smoothed: number | null;
  is_final_low: boolean;
  improvement: number | null;
  later_min_gap: number | null;
  /** The nearest saved checkpoint that exists. */
  checkpoint: CheckpointInfo | null;
  /** The checkpoint a marker recorded at this step, and whether it is still there. */
  recorded: (CheckpointState & { path: string }) | null;
}

export interface LowestMarker {
  tag: string;
  step: number;
  value: number | null;
  smoothed_value: number | null;
  smoothing: number;
  epoch: number | null;
  checkpoint_path: string;
  checkpoint: CheckpointState | null;
}

export interface OvertrainingHint {
  rising: boolean;
  low_step: number | null;
  start_step: number | null;
  end_step: number | null;
  rise: number | null;
  explanation: string;
  /** How the hint is decided, for the view. */
  rule: string;
}

/** GET /lowest. */
export interface LowestResponse {
  run: string;
  tag: string;
  smoothing: number;
  ignore_outliers: boolean;
  points: { step: number[]; wall_time: number[]; value: (number | null)[]; smoothed: (number | null)[] };
  dropped_resumed: number;
  y_range: { min: number; max: number } | null;
  empty_reason: string | null;
  candidates: LowestCandidate[];
  final_low: { step: number; value: number; smoothed: number | null } | null;
  markers: LowestMarker[];
  hint: OvertrainingHint;
  checkpoints: { searched: string[]; count: number; note: string | null };
}

/** Which reader TensorBoard reads with; "rustboard" is any gRPC data server. */
export type ReaderName = "python" | "rustboard" | "other";

/** GET /logdir: where TensorBoard reads, with which reader, and why it may find nothing there. */
export interface LogdirInfo {
  /** --logdir as given; "" with --logdir_spec. */
  logdir: string;
  reader: ReaderName;
  /** Null where nothing is known to be wrong. */
  note: string | null;
}
