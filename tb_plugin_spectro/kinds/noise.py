"""Noise pairs: the predicted and actual noise of a diffusion model at one timestep.

A step holds one pair, [H, W], a stack [C or frames, H, W] or a video
[C, T, H, W], in NoiseStep's own fields (as every step written before videos
did); or a batch of videos [B, C, T, H, W], up to `max_outputs` of them, in
`NoiseStep.samples`, each with its own timestep. The two arrays of a pair
share one quantization range; the diff (actual - predicted, as target -
predicted) is derived, never stored. A video's MSE by frame
(`VideoNoiseStats`) takes a blob after its pair's, so that a video takes three
blobs and the header stays small however many frames it has.
"""

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import _spectra

__all__ = ["NoisePair", "KIND", "LAYOUTS", "encode", "parse_video_stats"]

# How the axes of a video are ordered: [C, T, H, W] or [T, C, H, W] (a batch
# adds B in front). Stored as [C, T, H, W] either way.
LAYOUTS = ("channels_frames", "frames_channels")

_PAIR_BLOBS = 2  # blobs of a pair that is not a video: predicted, actual
_VIDEO_BLOBS = 3  # of a video: predicted, actual, its VideoNoiseStats

Pair = Union[pb.NoiseStep, pb.NoiseSample]


# ---------------------------------------------------------------------------
# Writing


def _shape_hint(layout: str) -> str:
    video = "C, T, H, W" if layout == "channels_frames" else "T, C, H, W"
    return f"[H, W], a stack [C, H, W], a video [{video}] or a batch [B, {video}]"


def _batch_timesteps(timestep, batch: int) -> Tuple[List[int], List[str]]:
    """The timestep of each video of a batch, and its name in messages: one integer for all, or one per video."""
    if isinstance(timestep, (str, bytes)) or _inputs._is_bool(timestep):
        return [_inputs.check_count(timestep, "timestep")] * batch, []  # raises, naming the value
    try:
        array = np.asarray(_inputs._from_framework(timestep, "timestep"))
    except (ValueError, TypeError):
        raise TypeError(
            f"timestep must be an integer or a sequence of one per sample, got {type(timestep).__name__} "
            f"{_inputs._describe(timestep)}"
        ) from None
    if array.ndim == 0:
        return [_inputs.check_count(timestep, "timestep")] * batch, ["timestep"] * batch
    if array.dtype.kind not in "iuf":
        raise TypeError(f"timestep must hold integers, got dtype {array.dtype}")
    values = array.reshape(-1).tolist()
    if len(values) != batch:
        raise ValueError(f"timestep must be one integer or one per sample ({batch}), got {len(values)}")
    names = [f"timestep[{index}]" for index in range(batch)]
    result = []
    for name, value in zip(names, values):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a float tensor of whole timesteps, as some schedulers keep
        result.append(_inputs.check_count(value, name))
    return result, names


def _timesteps(timestep, batch: Optional[int], total_timesteps: Optional[int]) -> List[Optional[int]]:
    """The timestep of each pair (None when not given): one for a single pair, one per video of a batch."""
    if timestep is None:
        return [None] * (batch or 1)
    if batch is None:
        values, names = [_inputs.check_count(timestep, "timestep")], ["timestep"]
    else:
        values, names = _batch_timesteps(timestep, batch)
    for name, value in zip(names, values):
        if total_timesteps is not None and value >= total_timesteps:
            raise ValueError(f"{name} must be below total_timesteps={total_timesteps}, got {value}")
    return list(values)


def _video_stats(predicted: np.ndarray, actual: np.ndarray) -> Tuple[List[float], pb.VideoNoiseStats]:
    """The MSE of a video pair [C, T, H, W] by channel (over its frames), and its VideoNoiseStats."""
    sums, counts = stats.plane_squared_errors(predicted, actual)
    by_frame = pb.VideoNoiseStats(
        frame_mse=stats.mean_squared(sums.sum(axis=0), counts.sum(axis=0)),
        channel_frame_mse=stats.mean_squared(sums, counts),
    )
    return stats.mean_squared(sums.sum(axis=1), counts.sum(axis=1)), by_frame


def _encode_pair(
    pair: Pair,
    predicted: np.ndarray,
    actual: np.ndarray,
    timestep: Optional[int],
    options: _writing.ArrayOptions,
    blobs: List[bytes],
) -> None:
    """Fills a step's or a sample's pair: its stats, its arrays and, for a video, its stats by frame."""
    pair.has_timestep = timestep is not None
    pair.timestep = timestep or 0
    pair.stats.CopyFrom(stats.noise_stats(predicted, actual))
    if predicted.ndim == 3:
        pair.frame_mse.extend(stats.frame_mse(predicted, actual))
    video = None
    if predicted.ndim == 4:
        by_channel, video = _video_stats(predicted, actual)
        pair.frame_mse.extend(by_channel)
    shared_range = codec.finite_range(predicted, actual)
    for field, values, name in ((pair.predicted, predicted, "predicted"), (pair.actual, actual, "actual")):
        encoded, blob = codec.encode_array(
            np.ascontiguousarray(values), options.precision, len(blobs) + 1, name=name, quant_range=shared_range
        )
        field.CopyFrom(encoded)
        blobs.append(blob)
    if video is not None:
        blobs.append(video.SerializeToString())
        pair.video_stats_blob_index = len(blobs)


def encode(
    options: _writing.ArrayOptions,
    predicted: _writing.ArrayLike,
    actual: _writing.ArrayLike,
    *,
    timestep,
    total_timesteps,
    layout="channels_frames",
    max_outputs=3,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.noise_pair` beyond the common ones; computes the stats; encodes."""
    layout = _inputs.check_choice(layout, "layout", LAYOUTS)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    total_timesteps = _inputs.check_optional_count(total_timesteps, "total_timesteps", minimum=1)
    shape_hint = _shape_hint(layout)
    predicted_array = _inputs.to_float_array(
        predicted, "predicted", ranks=(2, 3, 4, 5), shape_hint=shape_hint, max_elements=options.max_elements
    )
    actual_array = _inputs.to_float_array(
        actual, "actual", ranks=(2, 3, 4, 5), shape_hint=shape_hint, max_elements=options.max_elements
    )
    if predicted_array.shape != actual_array.shape:
        raise ValueError(
            f"predicted and actual must have the same shape, got {predicted_array.shape!r} and {actual_array.shape!r}"
        )
    if predicted_array.ndim >= 4 and layout == "frames_channels":
        predicted_array = np.swapaxes(predicted_array, -4, -3)
        actual_array = np.swapaxes(actual_array, -4, -3)
    batch = predicted_array.shape[0] if predicted_array.ndim == 5 else None
    timesteps = _timesteps(timestep, batch, total_timesteps)

    header = pb.StepHeader()
    step_pb = header.noise
    step_pb.total_timesteps = total_timesteps or 0
    blobs: List[bytes] = []
    if batch is None:
        _encode_pair(step_pb, predicted_array, actual_array, timesteps[0], options, blobs)
    else:
        step_pb.batch_size = batch
        kept = min(batch, max_outputs)
        for index in range(kept):
            sample = step_pb.samples.add(batch_index=index)
            _encode_pair(sample, predicted_array[index], actual_array[index], timesteps[index], options, blobs)
        step_pb.stats.CopyFrom(stats.noise_stats(predicted_array[:kept], actual_array[:kept]))

    plugin_data = pb.SpectroPluginData(kind=pb.NOISE_PAIR)
    plugin_data.noise.total_timesteps = total_timesteps or 0
    plugin_data.noise.sample_blobs = _VIDEO_BLOBS if predicted_array.ndim >= 4 else _PAIR_BLOBS
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.stats.nonfinite, "predicted and actual noise")


# ---------------------------------------------------------------------------
# Reading


def _pairs(step: pb.NoiseStep) -> List[Pair]:
    """The pairs of a step: its samples, or the step itself when it holds one pair."""
    return list(step.samples) if len(step.samples) else [step]


def parse_video_stats(blob: bytes) -> Dict[str, Any]:
    """A video's VideoNoiseStats blob as /data sends it: `frame_mse` [T] and `channel_frame_mse` [C][T]."""
    try:
        video = pb.VideoNoiseStats.FromString(blob)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        raise ValueError(f"unreadable video stats: {e}") from None
    frames = len(video.frame_mse)
    by_plane = wire.floats(video.channel_frame_mse)
    if frames == 0 or len(by_plane) % frames:
        raise ValueError(
            f"unreadable video stats: {len(by_plane)} channel-frame values do not split into {frames} frames"
        )
    return {
        "frame_mse": wire.floats(video.frame_mse),
        "channel_frame_mse": [by_plane[start : start + frames] for start in range(0, len(by_plane), frames)],
    }


def _pair_summary(pair: Pair, batch_index: int) -> Dict[str, Any]:
    return {
        "batch_index": batch_index,
        "timestep": pair.timestep if pair.has_timestep else None,
        "stats": wire.message_dict(pair.stats),
        "frame_mse": wire.floats(pair.frame_mse),
    }


class NoisePair(kinds.Kind):
    """A step holds one pair or a batch of video pairs, their timesteps and their MSE by slice.

    /data sends one pair's arrays (of sample `sample` of a batch) and, for a
    video, its MSE by frame as `video_mse`.
    """

    enum = pb.NOISE_PAIR
    name = "noise_pair"
    body = "noise"

    def max_samples(self, listing: Any, plugin_data: pb.SpectroPluginData) -> int:
        return _spectra.max_samples(listing.max_length, plugin_data.noise.sample_blobs or _PAIR_BLOBS)

    def series_facts(self, plugin_data: pb.SpectroPluginData) -> Dict[str, Any]:
        return {"total_timesteps": plugin_data.noise.total_timesteps}

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        if len(header.noise.samples):
            _spectra.check_sample(len(header.noise.samples), sample, step)
        else:
            super().check_sample(header, sample, step)

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        pair = _pairs(header.noise)[sample]
        return [kinds.NamedArray("predicted", pair.predicted), kinds.NamedArray("actual", pair.actual)]

    def extra_blobs(self, header: pb.StepHeader, sample: int) -> List[kinds.ExtraBlob]:
        pair = _pairs(header.noise)[sample]
        return [kinds.ExtraBlob("video_mse", pair.video_stats_blob_index, parse_video_stats)]

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        step = header.noise
        pairs = _pairs(step)
        return {
            "stats": wire.message_dict(step.stats),
            "timestep": step.timestep if step.has_timestep else None,
            "total_timesteps": step.total_timesteps or None,
            "frame_mse": wire.floats(step.frame_mse),
            "shape": list(pairs[0].predicted.shape),
            "samples": [
                _pair_summary(pair, pair.batch_index if isinstance(pair, pb.NoiseSample) else 0) for pair in pairs
            ],
            "batch_size": step.batch_size or 1,
        }

    def derived_arrays(self, arrays: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return {"diff": arrays["actual"] - arrays["predicted"]}  # as target - predicted


KIND = kinds.register(NoisePair())
