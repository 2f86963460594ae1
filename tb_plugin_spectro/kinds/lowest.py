"""Lowest-point markers: a watched scalar series reached a lowest point at a step.

A marker series lives under a tag of its own ("<watched tag>/lowest_point")
and names the watched tag in its facts; a step holds the marker only, no
arrays. `tb_plugin_spectro.lowest` reads lowest points off a scalar series;
`lowest_report` assembles the /lowest route from both.
"""

from typing import Any, Dict, Optional

from tb_plugin_spectro import _inputs, _writing, kinds, wire
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = ["LowestPoint", "KIND", "encode", "watched_tag"]


def encode(
    watched: str,
    value,
    *,
    smoothed_value,
    smoothing,
    epoch,
    checkpoint_path,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.lowest_point` after `tag` and `step`; encodes the marker."""
    marker = pb.LowestPointStep(value=_inputs.check_real(value, "value"))
    if smoothed_value is not None:
        marker.smoothed_value = _inputs.check_real(smoothed_value, "smoothed_value")
    marker.smoothing = _inputs.check_smoothing(smoothing, "smoothing")
    epoch = _inputs.check_optional_count(epoch, "epoch")
    if epoch is not None:
        marker.epoch = epoch
    if checkpoint_path is not None:
        marker.checkpoint_path = _inputs.check_path(checkpoint_path, "checkpoint_path")
    header = pb.StepHeader()
    header.lowest_point.CopyFrom(marker)
    plugin_data = pb.SpectroPluginData(kind=pb.LOWEST_POINT)
    plugin_data.lowest_point.watched_tag = watched
    return _writing.EncodedStep(plugin_data, header, [])


def watched_tag(plugin_data: pb.SpectroPluginData) -> Optional[str]:
    """The scalar tag a marker series watches; None for a series of another kind."""
    if kinds.of_series(plugin_data) is not KIND:
        return None
    return plugin_data.lowest_point.watched_tag


class LowestPoint(kinds.Kind):
    """A step holds one marker."""

    enum = pb.LOWEST_POINT
    name = "lowest_point"
    body = "lowest_point"

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        return {"marker": wire.message_dict(header.lowest_point)}


KIND = kinds.register(LowestPoint())
