from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIND_UNSPECIFIED: _ClassVar[Kind]
    MEL_COMPARISON: _ClassVar[Kind]
    NOISE_PAIR: _ClassVar[Kind]
    SIMILARITY_MATRIX: _ClassVar[Kind]
    LOWEST_POINT: _ClassVar[Kind]
    ALIGNMENT: _ClassVar[Kind]
    SPECTROGRAM: _ClassVar[Kind]

class Precision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRECISION_UNSPECIFIED: _ClassVar[Precision]
    UINT8: _ClassVar[Precision]
    UINT16: _ClassVar[Precision]
    FLOAT16: _ClassVar[Precision]
    FLOAT32: _ClassVar[Precision]

class Compression(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPRESSION_UNSPECIFIED: _ClassVar[Compression]
    NONE: _ClassVar[Compression]
    ZLIB: _ClassVar[Compression]

class Filter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILTER_NONE: _ClassVar[Filter]
    GRADIENT: _ClassVar[Filter]
    DELTA_PLANES: _ClassVar[Filter]

class LengthMismatch(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LENGTHS_EQUAL: _ClassVar[LengthMismatch]
    CROPPED: _ClassVar[LengthMismatch]
    PADDED: _ClassVar[LengthMismatch]

class SimilaritySource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_UNSPECIFIED: _ClassVar[SimilaritySource]
    COSINE_OF_EMBEDDINGS: _ClassVar[SimilaritySource]
    GIVEN_MATRIX: _ClassVar[SimilaritySource]
KIND_UNSPECIFIED: Kind
MEL_COMPARISON: Kind
NOISE_PAIR: Kind
SIMILARITY_MATRIX: Kind
LOWEST_POINT: Kind
ALIGNMENT: Kind
SPECTROGRAM: Kind
PRECISION_UNSPECIFIED: Precision
UINT8: Precision
UINT16: Precision
FLOAT16: Precision
FLOAT32: Precision
COMPRESSION_UNSPECIFIED: Compression
NONE: Compression
ZLIB: Compression
FILTER_NONE: Filter
GRADIENT: Filter
DELTA_PLANES: Filter
LENGTHS_EQUAL: LengthMismatch
CROPPED: LengthMismatch
PADDED: LengthMismatch
SOURCE_UNSPECIFIED: SimilaritySource
COSINE_OF_EMBEDDINGS: SimilaritySource
GIVEN_MATRIX: SimilaritySource

class SpectroPluginData(_message.Message):
    __slots__ = ("version", "kind", "mel", "noise", "similarity", "lowest_point", "alignment", "spectrogram")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEL_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    LOWEST_POINT_FIELD_NUMBER: _ClassVar[int]
    ALIGNMENT_FIELD_NUMBER: _ClassVar[int]
    SPECTROGRAM_FIELD_NUMBER: _ClassVar[int]
    version: int
    kind: Kind
    mel: MelSeries
    noise: NoiseSeries
    similarity: SimilaritySeries
    lowest_point: LowestPointSeries
    alignment: AlignmentSeries
    spectrogram: MelSeries
    def __init__(self, version: _Optional[int] = ..., kind: _Optional[_Union[Kind, str]] = ..., mel: _Optional[_Union[MelSeries, _Mapping]] = ..., noise: _Optional[_Union[NoiseSeries, _Mapping]] = ..., similarity: _Optional[_Union[SimilaritySeries, _Mapping]] = ..., lowest_point: _Optional[_Union[LowestPointSeries, _Mapping]] = ..., alignment: _Optional[_Union[AlignmentSeries, _Mapping]] = ..., spectrogram: _Optional[_Union[MelSeries, _Mapping]] = ...) -> None: ...

class MelSeries(_message.Message):
    __slots__ = ("sample_rate", "hop_length", "sample_blobs")
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    HOP_LENGTH_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_BLOBS_FIELD_NUMBER: _ClassVar[int]
    sample_rate: int
    hop_length: int
    sample_blobs: int
    def __init__(self, sample_rate: _Optional[int] = ..., hop_length: _Optional[int] = ..., sample_blobs: _Optional[int] = ...) -> None: ...

class NoiseSeries(_message.Message):
    __slots__ = ("total_timesteps", "sample_blobs")
    TOTAL_TIMESTEPS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_BLOBS_FIELD_NUMBER: _ClassVar[int]
    total_timesteps: int
    sample_blobs: int
    def __init__(self, total_timesteps: _Optional[int] = ..., sample_blobs: _Optional[int] = ...) -> None: ...

class SimilaritySeries(_message.Message):
    __slots__ = ("rows_name", "columns_name")
    ROWS_NAME_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_NAME_FIELD_NUMBER: _ClassVar[int]
    rows_name: str
    columns_name: str
    def __init__(self, rows_name: _Optional[str] = ..., columns_name: _Optional[str] = ...) -> None: ...

class AlignmentSeries(_message.Message):
    __slots__ = ("sample_rate", "hop_length", "sample_blobs")
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    HOP_LENGTH_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_BLOBS_FIELD_NUMBER: _ClassVar[int]
    sample_rate: int
    hop_length: int
    sample_blobs: int
    def __init__(self, sample_rate: _Optional[int] = ..., hop_length: _Optional[int] = ..., sample_blobs: _Optional[int] = ...) -> None: ...

class LowestPointSeries(_message.Message):
    __slots__ = ("watched_tag",)
    WATCHED_TAG_FIELD_NUMBER: _ClassVar[int]
    watched_tag: str
    def __init__(self, watched_tag: _Optional[str] = ...) -> None: ...

class EncodedArray(_message.Message):
    __slots__ = ("shape", "precision", "compression", "offset", "scale", "blob_index", "nonfinite", "range", "filter")
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    BLOB_INDEX_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    shape: _containers.RepeatedScalarFieldContainer[int]
    precision: Precision
    compression: Compression
    offset: float
    scale: float
    blob_index: int
    nonfinite: NonFiniteCounts
    range: ValueRange
    filter: Filter
    def __init__(self, shape: _Optional[_Iterable[int]] = ..., precision: _Optional[_Union[Precision, str]] = ..., compression: _Optional[_Union[Compression, str]] = ..., offset: _Optional[float] = ..., scale: _Optional[float] = ..., blob_index: _Optional[int] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ..., range: _Optional[_Union[ValueRange, _Mapping]] = ..., filter: _Optional[_Union[Filter, str]] = ...) -> None: ...

class NonFiniteCounts(_message.Message):
    __slots__ = ("nan", "pos_inf", "neg_inf")
    NAN_FIELD_NUMBER: _ClassVar[int]
    POS_INF_FIELD_NUMBER: _ClassVar[int]
    NEG_INF_FIELD_NUMBER: _ClassVar[int]
    nan: int
    pos_inf: int
    neg_inf: int
    def __init__(self, nan: _Optional[int] = ..., pos_inf: _Optional[int] = ..., neg_inf: _Optional[int] = ...) -> None: ...

class ValueRange(_message.Message):
    __slots__ = ("min", "max", "mean", "count")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    min: float
    max: float
    mean: float
    count: int
    def __init__(self, min: _Optional[float] = ..., max: _Optional[float] = ..., mean: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class StepHeader(_message.Message):
    __slots__ = ("version", "mel", "noise", "similarity", "lowest_point", "alignment", "spectrogram")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MEL_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    LOWEST_POINT_FIELD_NUMBER: _ClassVar[int]
    ALIGNMENT_FIELD_NUMBER: _ClassVar[int]
    SPECTROGRAM_FIELD_NUMBER: _ClassVar[int]
    version: int
    mel: MelStep
    noise: NoiseStep
    similarity: SimilarityStep
    lowest_point: LowestPointStep
    alignment: AlignmentStep
    spectrogram: SpectrogramStep
    def __init__(self, version: _Optional[int] = ..., mel: _Optional[_Union[MelStep, _Mapping]] = ..., noise: _Optional[_Union[NoiseStep, _Mapping]] = ..., similarity: _Optional[_Union[SimilarityStep, _Mapping]] = ..., lowest_point: _Optional[_Union[LowestPointStep, _Mapping]] = ..., alignment: _Optional[_Union[AlignmentStep, _Mapping]] = ..., spectrogram: _Optional[_Union[SpectrogramStep, _Mapping]] = ...) -> None: ...

class MelStats(_message.Message):
    __slots__ = ("mae", "rmse", "max_abs_diff", "bias", "compared", "nonfinite")
    MAE_FIELD_NUMBER: _ClassVar[int]
    RMSE_FIELD_NUMBER: _ClassVar[int]
    MAX_ABS_DIFF_FIELD_NUMBER: _ClassVar[int]
    BIAS_FIELD_NUMBER: _ClassVar[int]
    COMPARED_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    mae: float
    rmse: float
    max_abs_diff: float
    bias: float
    compared: int
    nonfinite: NonFiniteCounts
    def __init__(self, mae: _Optional[float] = ..., rmse: _Optional[float] = ..., max_abs_diff: _Optional[float] = ..., bias: _Optional[float] = ..., compared: _Optional[int] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ...) -> None: ...

class MelStep(_message.Message):
    __slots__ = ("samples", "stats", "batch_size")
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    samples: _containers.RepeatedCompositeFieldContainer[MelSample]
    stats: MelStats
    batch_size: int
    def __init__(self, samples: _Optional[_Iterable[_Union[MelSample, _Mapping]]] = ..., stats: _Optional[_Union[MelStats, _Mapping]] = ..., batch_size: _Optional[int] = ...) -> None: ...

class MelSample(_message.Message):
    __slots__ = ("target", "predicted", "target_frames", "predicted_frames", "length_mismatch", "stats", "batch_index", "sample_id", "text", "alignment", "target_audio", "predicted_audio")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_FIELD_NUMBER: _ClassVar[int]
    TARGET_FRAMES_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_FRAMES_FIELD_NUMBER: _ClassVar[int]
    LENGTH_MISMATCH_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ALIGNMENT_FIELD_NUMBER: _ClassVar[int]
    TARGET_AUDIO_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_AUDIO_FIELD_NUMBER: _ClassVar[int]
    target: EncodedArray
    predicted: EncodedArray
    target_frames: int
    predicted_frames: int
    length_mismatch: LengthMismatch
    stats: MelStats
    batch_index: int
    sample_id: str
    text: str
    alignment: AlignmentSample
    target_audio: AudioClip
    predicted_audio: AudioClip
    def __init__(self, target: _Optional[_Union[EncodedArray, _Mapping]] = ..., predicted: _Optional[_Union[EncodedArray, _Mapping]] = ..., target_frames: _Optional[int] = ..., predicted_frames: _Optional[int] = ..., length_mismatch: _Optional[_Union[LengthMismatch, str]] = ..., stats: _Optional[_Union[MelStats, _Mapping]] = ..., batch_index: _Optional[int] = ..., sample_id: _Optional[str] = ..., text: _Optional[str] = ..., alignment: _Optional[_Union[AlignmentSample, _Mapping]] = ..., target_audio: _Optional[_Union[AudioClip, _Mapping]] = ..., predicted_audio: _Optional[_Union[AudioClip, _Mapping]] = ...) -> None: ...

class AudioClip(_message.Message):
    __slots__ = ("sample_rate", "samples", "envelope", "clipped", "peak", "expected_samples", "length_mismatch", "nan")
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    CLIPPED_FIELD_NUMBER: _ClassVar[int]
    PEAK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    LENGTH_MISMATCH_FIELD_NUMBER: _ClassVar[int]
    NAN_FIELD_NUMBER: _ClassVar[int]
    sample_rate: int
    samples: EncodedArray
    envelope: EncodedArray
    clipped: int
    peak: float
    expected_samples: int
    length_mismatch: bool
    nan: int
    def __init__(self, sample_rate: _Optional[int] = ..., samples: _Optional[_Union[EncodedArray, _Mapping]] = ..., envelope: _Optional[_Union[EncodedArray, _Mapping]] = ..., clipped: _Optional[int] = ..., peak: _Optional[float] = ..., expected_samples: _Optional[int] = ..., length_mismatch: bool = ..., nan: _Optional[int] = ...) -> None: ...

class NoiseStats(_message.Message):
    __slots__ = ("mse", "mae", "correlation", "snr_db", "compared", "nonfinite")
    MSE_FIELD_NUMBER: _ClassVar[int]
    MAE_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_FIELD_NUMBER: _ClassVar[int]
    SNR_DB_FIELD_NUMBER: _ClassVar[int]
    COMPARED_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    mse: float
    mae: float
    correlation: float
    snr_db: float
    compared: int
    nonfinite: NonFiniteCounts
    def __init__(self, mse: _Optional[float] = ..., mae: _Optional[float] = ..., correlation: _Optional[float] = ..., snr_db: _Optional[float] = ..., compared: _Optional[int] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ...) -> None: ...

class NoiseStep(_message.Message):
    __slots__ = ("predicted", "actual", "has_timestep", "timestep", "total_timesteps", "stats", "frame_mse", "samples", "batch_size", "video_stats_blob_index")
    PREDICTED_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_FIELD_NUMBER: _ClassVar[int]
    HAS_TIMESTEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTEP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TIMESTEPS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    FRAME_MSE_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_STATS_BLOB_INDEX_FIELD_NUMBER: _ClassVar[int]
    predicted: EncodedArray
    actual: EncodedArray
    has_timestep: bool
    timestep: int
    total_timesteps: int
    stats: NoiseStats
    frame_mse: _containers.RepeatedScalarFieldContainer[float]
    samples: _containers.RepeatedCompositeFieldContainer[NoiseSample]
    batch_size: int
    video_stats_blob_index: int
    def __init__(self, predicted: _Optional[_Union[EncodedArray, _Mapping]] = ..., actual: _Optional[_Union[EncodedArray, _Mapping]] = ..., has_timestep: bool = ..., timestep: _Optional[int] = ..., total_timesteps: _Optional[int] = ..., stats: _Optional[_Union[NoiseStats, _Mapping]] = ..., frame_mse: _Optional[_Iterable[float]] = ..., samples: _Optional[_Iterable[_Union[NoiseSample, _Mapping]]] = ..., batch_size: _Optional[int] = ..., video_stats_blob_index: _Optional[int] = ...) -> None: ...

class NoiseSample(_message.Message):
    __slots__ = ("predicted", "actual", "has_timestep", "timestep", "stats", "frame_mse", "batch_index", "video_stats_blob_index")
    PREDICTED_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_FIELD_NUMBER: _ClassVar[int]
    HAS_TIMESTEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTEP_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    FRAME_MSE_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    VIDEO_STATS_BLOB_INDEX_FIELD_NUMBER: _ClassVar[int]
    predicted: EncodedArray
    actual: EncodedArray
    has_timestep: bool
    timestep: int
    stats: NoiseStats
    frame_mse: _containers.RepeatedScalarFieldContainer[float]
    batch_index: int
    video_stats_blob_index: int
    def __init__(self, predicted: _Optional[_Union[EncodedArray, _Mapping]] = ..., actual: _Optional[_Union[EncodedArray, _Mapping]] = ..., has_timestep: bool = ..., timestep: _Optional[int] = ..., stats: _Optional[_Union[NoiseStats, _Mapping]] = ..., frame_mse: _Optional[_Iterable[float]] = ..., batch_index: _Optional[int] = ..., video_stats_blob_index: _Optional[int] = ...) -> None: ...

class VideoNoiseStats(_message.Message):
    __slots__ = ("frame_mse", "channel_frame_mse")
    FRAME_MSE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FRAME_MSE_FIELD_NUMBER: _ClassVar[int]
    frame_mse: _containers.RepeatedScalarFieldContainer[float]
    channel_frame_mse: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, frame_mse: _Optional[_Iterable[float]] = ..., channel_frame_mse: _Optional[_Iterable[float]] = ...) -> None: ...

class SimilarityStats(_message.Message):
    __slots__ = ("diagonal_mean", "off_diagonal_mean", "gap", "square", "recall_at_1_rows", "recall_at_5_rows", "recall_at_1_columns", "recall_at_5_columns", "nonfinite")
    DIAGONAL_MEAN_FIELD_NUMBER: _ClassVar[int]
    OFF_DIAGONAL_MEAN_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    SQUARE_FIELD_NUMBER: _ClassVar[int]
    RECALL_AT_1_ROWS_FIELD_NUMBER: _ClassVar[int]
    RECALL_AT_5_ROWS_FIELD_NUMBER: _ClassVar[int]
    RECALL_AT_1_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    RECALL_AT_5_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    diagonal_mean: float
    off_diagonal_mean: float
    gap: float
    square: bool
    recall_at_1_rows: float
    recall_at_5_rows: float
    recall_at_1_columns: float
    recall_at_5_columns: float
    nonfinite: NonFiniteCounts
    def __init__(self, diagonal_mean: _Optional[float] = ..., off_diagonal_mean: _Optional[float] = ..., gap: _Optional[float] = ..., square: bool = ..., recall_at_1_rows: _Optional[float] = ..., recall_at_5_rows: _Optional[float] = ..., recall_at_1_columns: _Optional[float] = ..., recall_at_5_columns: _Optional[float] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ...) -> None: ...

class SimilarityStep(_message.Message):
    __slots__ = ("matrix", "source", "embedding_dim", "stats", "labels_blob_index")
    MATRIX_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIM_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    LABELS_BLOB_INDEX_FIELD_NUMBER: _ClassVar[int]
    matrix: EncodedArray
    source: SimilaritySource
    embedding_dim: int
    stats: SimilarityStats
    labels_blob_index: int
    def __init__(self, matrix: _Optional[_Union[EncodedArray, _Mapping]] = ..., source: _Optional[_Union[SimilaritySource, str]] = ..., embedding_dim: _Optional[int] = ..., stats: _Optional[_Union[SimilarityStats, _Mapping]] = ..., labels_blob_index: _Optional[int] = ...) -> None: ...

class Labels(_message.Message):
    __slots__ = ("rows", "columns")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedScalarFieldContainer[str]
    columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rows: _Optional[_Iterable[str]] = ..., columns: _Optional[_Iterable[str]] = ...) -> None: ...

class LowestPointStep(_message.Message):
    __slots__ = ("value", "smoothed_value", "smoothing", "epoch", "checkpoint_path")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SMOOTHED_VALUE_FIELD_NUMBER: _ClassVar[int]
    SMOOTHING_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_PATH_FIELD_NUMBER: _ClassVar[int]
    value: float
    smoothed_value: float
    smoothing: float
    epoch: int
    checkpoint_path: str
    def __init__(self, value: _Optional[float] = ..., smoothed_value: _Optional[float] = ..., smoothing: _Optional[float] = ..., epoch: _Optional[int] = ..., checkpoint_path: _Optional[str] = ...) -> None: ...

class AlignmentStats(_message.Message):
    __slots__ = ("focus_rate", "monotonicity", "coverage", "diagonal_distance", "frames", "nonfinite")
    FOCUS_RATE_FIELD_NUMBER: _ClassVar[int]
    MONOTONICITY_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    DIAGONAL_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    focus_rate: float
    monotonicity: float
    coverage: float
    diagonal_distance: float
    frames: int
    nonfinite: NonFiniteCounts
    def __init__(self, focus_rate: _Optional[float] = ..., monotonicity: _Optional[float] = ..., coverage: _Optional[float] = ..., diagonal_distance: _Optional[float] = ..., frames: _Optional[int] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ...) -> None: ...

class AlignmentSample(_message.Message):
    __slots__ = ("weights", "stats", "batch_index", "sample_id", "text", "from_durations", "tokens_blob_index")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FROM_DURATIONS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_BLOB_INDEX_FIELD_NUMBER: _ClassVar[int]
    weights: EncodedArray
    stats: AlignmentStats
    batch_index: int
    sample_id: str
    text: str
    from_durations: bool
    tokens_blob_index: int
    def __init__(self, weights: _Optional[_Union[EncodedArray, _Mapping]] = ..., stats: _Optional[_Union[AlignmentStats, _Mapping]] = ..., batch_index: _Optional[int] = ..., sample_id: _Optional[str] = ..., text: _Optional[str] = ..., from_durations: bool = ..., tokens_blob_index: _Optional[int] = ...) -> None: ...

class AlignmentStep(_message.Message):
    __slots__ = ("samples", "stats", "batch_size")
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    samples: _containers.RepeatedCompositeFieldContainer[AlignmentSample]
    stats: AlignmentStats
    batch_size: int
    def __init__(self, samples: _Optional[_Iterable[_Union[AlignmentSample, _Mapping]]] = ..., stats: _Optional[_Union[AlignmentStats, _Mapping]] = ..., batch_size: _Optional[int] = ...) -> None: ...

class SpectrogramSample(_message.Message):
    __slots__ = ("mel", "batch_index", "sample_id", "text")
    MEL_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    mel: EncodedArray
    batch_index: int
    sample_id: str
    text: str
    def __init__(self, mel: _Optional[_Union[EncodedArray, _Mapping]] = ..., batch_index: _Optional[int] = ..., sample_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class SpectrogramStep(_message.Message):
    __slots__ = ("samples", "range", "nonfinite", "batch_size")
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    samples: _containers.RepeatedCompositeFieldContainer[SpectrogramSample]
    range: ValueRange
    nonfinite: NonFiniteCounts
    batch_size: int
    def __init__(self, samples: _Optional[_Iterable[_Union[SpectrogramSample, _Mapping]]] = ..., range: _Optional[_Union[ValueRange, _Mapping]] = ..., nonfinite: _Optional[_Union[NonFiniteCounts, _Mapping]] = ..., batch_size: _Optional[int] = ...) -> None: ...
