"""A tag holds one plugin's data: Spectro data under a tag that another plugin's data claimed first, and the reverse.

TensorBoard's readers give a tag to the plugin of the first data written
under it. Spectro's own Writer refuses the second plugin's data before
writing it.
"""

import glob
import os

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.proto import summary_pb2, tensor_pb2, types_pb2
from tensorboard.plugins.image import metadata as image_metadata

from tb_plugin_spectro import summary as spectro_summary

MEL = np.linspace(-4.0, 1.0, 8 * 12, dtype=np.float32).reshape(8, 12)
IMAGE = np.zeros((3, 4, 4), dtype=np.float32)  # [C, H, W], as torch's add_image takes it
WHY = r"TensorBoard's readers give a tag to the plugin whose data was written under it first"


def written_values(logdir):
    """(step, tag, plugin) of every summary value in the event files under `logdir`, as TensorBoard loads them."""
    found = []
    for path in sorted(glob.glob(os.path.join(str(logdir), "**", "*tfevents*"), recursive=True)):
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                found.append(
                    (event.step, value.tag, value.metadata.plugin_data.plugin_name or value.WhichOneof("value"))
                )
    return found


def mel(tag, step, writer):
    spectro_summary.mel_comparison(tag, MEL, MEL + 0.5, step, writer=writer)


def legacy_image(tag: str) -> summary_pb2.Summary:
    """An image value as TF1's and torch's writers store it: the `image` field, no plugin data."""
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag).image.encoded_image_string = b"\x89PNG"
    return summary


def plugin_image(tag: str) -> summary_pb2.Summary:
    """An image value as TF2's writer stores it: the images plugin's blob sequence (width, height, PNG)."""
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=tag, metadata=image_metadata.create_summary_metadata("", ""))
    value.tensor.CopyFrom(tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b"4", b"4", b"\x89PNG"]))
    value.tensor.tensor_shape.dim.add(size=3)
    return summary


def plain_tensor() -> tensor_pb2.TensorProto:
    return tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[1.0])


class TestOwnWriter:
    def test_spectro_op_under_a_scalar_tag_is_refused_and_nothing_written(self, tmp_path):
        with spectro_summary.Writer(tmp_path) as writer:
            writer.add_scalar("loss", 1.0, 0)
            message = rf"tag 'loss' already holds scalars data in this writer; a mel_comparison written under it would not be shown \({WHY}"
            with pytest.raises(ValueError, match=message):
                mel("loss", 1, writer)
            writer.add_scalar("loss", 0.5, 1)  # the scalar goes on
        assert written_values(tmp_path) == [(0, "loss", "scalars"), (1, "loss", "scalars")]

    def test_scalar_under_a_spectro_tag_is_refused(self, tmp_path):
        with spectro_summary.Writer(tmp_path) as writer:
            mel("mel/val", 0, writer)
            with pytest.raises(
                ValueError, match=r"tag 'mel/val' already holds mel_comparison steps in this writer; scalars data"
            ):
                writer.add_scalar("mel/val", 1.0, 1)
            writer.add_scalar("mel/val/loss", 1.0, 1)  # a tag of its own
            mel("mel/val", 2, writer)
        assert [(step, tag) for step, tag, plugin in written_values(tmp_path) if plugin != "spectro"] == [
            (1, "mel/val/loss")
        ]

    @pytest.mark.parametrize(
        "image",
        [pytest.param(legacy_image, id="image field"), pytest.param(plugin_image, id="images plugin")],
    )
    def test_image_tag_and_spectro_ops_exclude_each_other(self, tmp_path, image):
        with spectro_summary.Writer(tmp_path) as writer:
            writer.add_summary(image("spec"), 0)
            with pytest.raises(ValueError, match=r"tag 'spec' already holds images data in this writer; a noise_pair"):
                spectro_summary.noise_pair("spec", MEL, MEL + 1, 1, writer=writer)
            with pytest.raises(ValueError, match=r"tag 'spec' already holds images data in this writer; a spectrogram"):
                writer.add_summary(spectro_summary.spectrogram_pb("spec", MEL, 1), 1)
            mel("mel", 0, writer)
            with pytest.raises(
                ValueError, match=r"tag 'mel' already holds mel_comparison steps in this writer; images"
            ):
                writer.add_summary(image("mel"), 1)
        assert {tag for _, tag, _ in written_values(tmp_path)} == {"spec", "mel", "mel/_spectro_headers"}

    def test_two_plugins_under_one_tag_in_one_summary_are_refused(self, tmp_path):
        summary = spectro_summary.mel_comparison_pb("x", MEL, MEL, 0)
        summary.value.add(tag="x", simple_value=1.0)
        with spectro_summary.Writer(tmp_path) as writer:
            with pytest.raises(ValueError, match=r"tag 'x' already holds mel_comparison steps in this writer; scalars"):
                writer.add_summary(summary, 0)
            mel("x", 1, writer)  # nothing of the refused summary was recorded either
        assert {(step, tag) for step, tag, _ in written_values(tmp_path)} == {(1, "x"), (1, "x/_spectro_headers")}

    def test_other_plugins_share_nothing_across_writers_and_with_plain_tensors(self, tmp_path):
        with spectro_summary.Writer(tmp_path / "a") as first, spectro_summary.Writer(tmp_path / "b") as second:
            first.add_scalar("x", 1.0, 0)
            mel("x", 0, second)  # another Writer: its own tags
            # A value that names no plugin and holds a plain tensor gives its tag to no plugin.
            plain = summary_pb2.Summary()
            plain.value.add(tag="mel/t").tensor.CopyFrom(plain_tensor())
            first.add_summary(plain, 0)
            mel("mel/t", 1, first)
