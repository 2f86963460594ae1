"""Noise pairs: the predicted and actual noise of a diffusion model at one timestep.

A step holds the two arrays, [H, W] or a stack [C or frames, H, W], sharing
one quantization range; the diff (actual - predicted, as target -
predicted) is derived, never stored.
"""

from typing import Any, Dict, List

import numpy as np

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = ["NoisePair", "KIND", "encode"]


def encode(
    options: _writing.ArrayOptions,
    predicted: _writing.ArrayLike,
    actual: _writing.ArrayLike,
    *,
    timestep,
    total_timesteps,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.noise_pair` beyond the common ones; computes the stats; encodes."""
    timestep = _inputs.check_optional_count(timestep, "timestep")
    total_timesteps = _inputs.check_optional_count(total_timesteps, "total_timesteps", minimum=1)
    if timestep is not None and total_timesteps is not None and timestep >= total_timesteps:
        raise ValueError(f"timestep must be below total_timesteps={total_timesteps}, got {timestep}")
    shape_hint = "[H, W] or a stack [C or frames, H, W]"
    predicted_array = _inputs.to_float_array(
        predicted, "predicted", ranks=(2, 3), shape_hint=shape_hint, max_elements=options.max_elements
    )
    actual_array = _inputs.to_float_array(
        actual, "actual", ranks=(2, 3), shape_hint=shape_hint, max_elements=options.max_elements
    )
    if predicted_array.shape != actual_array.shape:
        raise ValueError(
            f"predicted and actual must have the same shape, got {predicted_array.shape!r} and {actual_array.shape!r}"
        )

    header = pb.StepHeader()
    step_pb = header.noise
    step_pb.has_timestep = timestep is not None
    step_pb.timestep = timestep or 0
    step_pb.total_timesteps = total_timesteps or 0
    step_pb.stats.CopyFrom(stats.noise_stats(predicted_array, actual_array))
    if predicted_array.ndim == 3:
        step_pb.frame_mse.extend(stats.frame_mse(predicted_array, actual_array))
    shared_range = codec.finite_range(predicted_array, actual_array)
    blobs: List[bytes] = []
    for field, values, name in (
        (step_pb.predicted, predicted_array, "predicted"),
        (step_pb.actual, actual_array, "actual"),
    ):
        encoded, blob = codec.encode_array(
            values, options.precision, len(blobs) + 1, name=name, quant_range=shared_range
        )
        field.CopyFrom(encoded)
        blobs.append(blob)

    plugin_data = pb.SpectroPluginData(kind=pb.NOISE_PAIR)
    plugin_data.noise.total_timesteps = total_timesteps or 0
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.stats.nonfinite, "predicted and actual noise")


class NoisePair(kinds.Kind):
    """A step holds the pair, its timestep and the MSE of each frame of a stack."""

    enum = pb.NOISE_PAIR
    name = "noise_pair"
    body = "noise"

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        return [kinds.NamedArray("predicted", header.noise.predicted), kinds.NamedArray("actual", header.noise.actual)]

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        step = header.noise
        return {
            "stats": wire.message_dict(step.stats),
            "timestep": step.timestep if step.has_timestep else None,
            "total_timesteps": step.total_timesteps or None,
            "frame_mse": [wire.finite_or_none(v) for v in step.frame_mse],
        }

    def derived_arrays(self, arrays: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return {"diff": arrays["actual"] - arrays["predicted"]}  # as target - predicted


KIND = kinds.register(NoisePair())
