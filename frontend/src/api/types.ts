// The shapes of the plugin's HTTP API, as documented in http_api.md.

export type Kind = "mel_comparison" | "noise_pair" | "similarity_matrix" | "lowest_point";

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
  kind: Kind;
  steps: number;
  first_step: number | null;
  last_step: number | null;
  max_samples: number;
  display_name: string;
  description: string;
  series: Record<string, unknown>;
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
  length_mismatch: "LENGTHS_EQUAL" | "CROPPED" | "PADDED";
  range: ValueRange;
  stats: MelStats;
}

export interface StepInfo {
  step: number;
  wall_time: number;
  /** Set when the step's header could not be read; the other fields are then absent. */
  error?: string;
  stats?: Record<string, unknown>;
  samples?: MelSampleInfo[];
  batch_size?: number;
  timestep?: number | null;
  total_timesteps?: number | null;
  shape?: number[];
  marker?: Record<string, unknown>;
}

/** GET /steps. */
export interface StepsResponse {
  run: string;
  tag: string;
  kind: Kind;
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
  compression: "zlib" | "none";
  byte_offset: number;
  byte_length: number;
}

/** The JSON part of a GET /data body. */
export interface StepDescription extends StepInfo {
  run: string;
  tag: string;
  kind: Kind;
  sample: number;
  labels?: { rows: string[]; columns: string[] };
  arrays: ArrayInfo[];
}
