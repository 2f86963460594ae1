"""Mel comparisons: target and predicted mel spectrograms of one or more samples.

A step holds up to `max_outputs` samples of a batch, each a target and a
predicted [n_mels, frames] sharing one quantization range; the diff
(target - predicted) is derived, never stored.
"""

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from tensorboard import errors

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = ["MelComparison", "KIND", "encode"]

_LAYOUTS = ("mels_frames", "frames_mels")
_LENGTH_MISMATCH = ("crop", "pad")
_LENGTH_MISMATCH_ENUM = pb.LengthMismatch.DESCRIPTOR


# ---------------------------------------------------------------------------
# Writing


def _frame_lengths(lengths, name: str, batch: int, frames: int) -> Optional[List[int]]:
    """Checks per-sample valid lengths: 1..frames each, one per sample."""
    if lengths is None:
        return None
    if isinstance(lengths, (int, np.integer)) and not isinstance(lengths, bool):
        lengths = [lengths]
    array = _inputs._from_framework(lengths, name)
    try:
        values = np.asarray(array).reshape(-1).tolist()
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a sequence of integers, got {lengths!r}") from None
    if len(values) != batch:
        raise ValueError(f"{name} must have one length per sample ({batch}), got {len(values)}")
    result = []
    for i, value in enumerate(values):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        length = _inputs.check_count(value, f"{name}[{i}]", minimum=1)
        if length > frames:
            raise ValueError(f"{name}[{i}] must be at most the {frames} frames given, got {length}")
        result.append(length)
    return result


def _align_frames(target: np.ndarray, predicted: np.ndarray, mode: str) -> Tuple[np.ndarray, np.ndarray, int]:
    """Crops both to the shorter, or pads the shorter with its smallest finite value."""
    t_frames, p_frames = target.shape[1], predicted.shape[1]
    if t_frames == p_frames:
        return target, predicted, pb.LENGTHS_EQUAL
    if mode == "crop":
        frames = min(t_frames, p_frames)
        return target[:, :frames], predicted[:, :frames], pb.CROPPED
    frames = max(t_frames, p_frames)

    def pad(mel):
        low = codec.finite_range(mel)
        fill = low[0] if low else 0.0  # log-mel silence; 0 when nothing is finite
        return np.pad(mel, ((0, 0), (0, frames - mel.shape[1])), constant_values=fill)

    return pad(target), pad(predicted), pb.PADDED


def encode(
    options: _writing.ArrayOptions,
    target: _writing.ArrayLike,
    predicted: _writing.ArrayLike,
    *,
    layout,
    lengths,
    predicted_lengths,
    length_mismatch,
    max_outputs,
    sample_ids,
    texts,
    sample_rate,
    hop_length,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.mel_comparison` beyond the common ones; computes the stats; encodes."""
    layout = _inputs.check_choice(layout, "layout", _LAYOUTS)
    length_mismatch = _inputs.check_choice(length_mismatch, "length_mismatch", _LENGTH_MISMATCH)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    sample_rate = _inputs.check_optional_count(sample_rate, "sample_rate", minimum=1)
    hop_length = _inputs.check_optional_count(hop_length, "hop_length", minimum=1)
    shape_hint = (
        "[n_mels, frames] or [batch, n_mels, frames]"
        if layout == "mels_frames"
        else "[frames, n_mels] or [batch, frames, n_mels]"
    )
    target_array = _inputs.to_float_array(
        target, "target", ranks=(2, 3), shape_hint=shape_hint, max_elements=options.max_elements
    )
    predicted_array = _inputs.to_float_array(
        predicted, "predicted", ranks=(2, 3), shape_hint=shape_hint, max_elements=options.max_elements
    )
    if target_array.ndim != predicted_array.ndim:
        raise ValueError(
            f"target and predicted must both be one mel or both a batch, got shapes "
            f"{target_array.shape!r} and {predicted_array.shape!r}"
        )
    if target_array.ndim == 2:
        target_array, predicted_array = target_array[None], predicted_array[None]
    if layout == "frames_mels":
        target_array = target_array.transpose(0, 2, 1)
        predicted_array = predicted_array.transpose(0, 2, 1)
    batch = target_array.shape[0]
    if predicted_array.shape[0] != batch:
        raise ValueError(
            f"target and predicted must have the same batch size, got {batch} and {predicted_array.shape[0]}"
        )
    if predicted_array.shape[1] != target_array.shape[1]:
        raise ValueError(
            f"target and predicted must have the same number of mel bins, got {target_array.shape[1]} "
            f"and {predicted_array.shape[1]} (layout={layout!r}; pass layout='frames_mels' for [frames, n_mels])"
        )
    target_lengths = _frame_lengths(lengths, "lengths", batch, target_array.shape[2])
    if predicted_lengths is not None:
        predicted_lengths_checked = _frame_lengths(
            predicted_lengths, "predicted_lengths", batch, predicted_array.shape[2]
        )
    elif target_lengths is not None:
        predicted_lengths_checked = [min(length, predicted_array.shape[2]) for length in target_lengths]
    else:
        predicted_lengths_checked = None
    ids = None if sample_ids is None else _inputs.check_strings(sample_ids, "sample_ids", batch, what="sample")
    transcripts = None if texts is None else _inputs.check_strings(texts, "texts", batch, what="sample")

    header = pb.StepHeader()
    step_pb = header.mel
    step_pb.batch_size = batch
    pooled = stats.DiffAccumulator()
    blobs: List[bytes] = []
    for index in range(min(batch, max_outputs)):
        target_mel = target_array[index, :, : target_lengths[index] if target_lengths else None]
        predicted_mel = predicted_array[
            index, :, : predicted_lengths_checked[index] if predicted_lengths_checked else None
        ]
        sample = step_pb.samples.add(
            batch_index=index,
            target_frames=target_mel.shape[1],
            predicted_frames=predicted_mel.shape[1],
            sample_id=ids[index] if ids else "",
            text=transcripts[index] if transcripts else "",
        )
        target_mel, predicted_mel, sample.length_mismatch = _align_frames(  # type: ignore[assignment]
            target_mel, predicted_mel, length_mismatch
        )
        accumulator = stats.DiffAccumulator().add(target_mel, predicted_mel)
        pooled.merge(accumulator)
        sample.stats.CopyFrom(accumulator.to_proto())
        shared_range = codec.finite_range(target_mel, predicted_mel)
        for field, values, name in (
            (sample.target, target_mel, "target"),
            (sample.predicted, predicted_mel, "predicted"),
        ):
            encoded, blob = codec.encode_array(
                values, options.precision, len(blobs) + 1, name=name, quant_range=shared_range
            )
            field.CopyFrom(encoded)
            blobs.append(blob)
    step_pb.stats.CopyFrom(pooled.to_proto())

    plugin_data = pb.SpectroPluginData(kind=pb.MEL_COMPARISON)
    plugin_data.mel.sample_rate = sample_rate or 0
    plugin_data.mel.hop_length = hop_length or 0
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.stats.nonfinite, "target and predicted")


# ---------------------------------------------------------------------------
# Reading


def _pair_range(first: pb.EncodedArray, second: pb.EncodedArray) -> Dict[str, Optional[float]]:
    """The finite value range of two arrays together, from their headers."""
    ranges = [r for r in (first.range, second.range) if r.count]
    if not ranges:
        return {"min": None, "max": None}
    return {
        "min": wire.finite_or_none(min(r.min for r in ranges)),
        "max": wire.finite_or_none(max(r.max for r in ranges)),
    }


class MelComparison(kinds.Kind):
    """A step holds samples; /data sends one sample's target and predicted."""

    enum = pb.MEL_COMPARISON
    name = "mel_comparison"
    body = "mel"

    def max_samples(self, series: Any) -> int:
        # Each sample is two blobs after the header.
        return (series.max_length - 1) // 2

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        count = len(header.mel.samples)
        if not 0 <= sample < count:
            raise errors.InvalidArgumentError(f"sample must be in [0, {count}) for step {step}, got {sample}")

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        chosen = header.mel.samples[sample]
        return [kinds.NamedArray("target", chosen.target), kinds.NamedArray("predicted", chosen.predicted)]

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        return {
            "stats": wire.message_dict(header.mel.stats),
            "samples": [
                {
                    "sample_id": s.sample_id,
                    "text": s.text,
                    "target_frames": s.target_frames,
                    "predicted_frames": s.predicted_frames,
                    "length_mismatch": wire.enum_name(_LENGTH_MISMATCH_ENUM, s.length_mismatch),
                    "range": _pair_range(s.target, s.predicted),
                    "stats": wire.message_dict(s.stats),
                }
                for s in header.mel.samples
            ],
            "batch_size": header.mel.batch_size,
        }

    def derived_arrays(self, arrays: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return {"diff": arrays["target"] - arrays["predicted"]}


KIND = kinds.register(MelComparison())
