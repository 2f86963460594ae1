"""Writers of every kind Spectro supports, and a reader of the Spectro values of event files."""

import glob
import importlib.util
import os
from typing import Dict, List, NamedTuple, Optional

import numpy as np
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import codec, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary

WRITER_KINDS = ["own", "torch", "tensorboardx", "tf2", "tf2_object"]


class Written(NamedTuple):
    """One Spectro value read back from an event file."""

    step: int
    wall_time: float
    tag: str
    summary_metadata: summary_pb2.SummaryMetadata
    plugin_data: pb.SpectroPluginData
    header: pb.StepHeader
    blobs: List[bytes]

    def array(self, encoded: pb.EncodedArray) -> np.ndarray:
        return codec.decode_array(encoded, self.blobs[encoded.blob_index])


def read_logdir(logdir: str) -> List[Written]:
    """Reads every Spectro value of every event file under `logdir`."""
    result = []
    for path in sorted(glob.glob(os.path.join(logdir, "**", "*tfevents*"), recursive=True)):
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name != metadata.PLUGIN_NAME:
                    continue
                if value.metadata.data_class != summary_pb2.DATA_CLASS_BLOB_SEQUENCE:
                    continue  # the header series that repeats each step's header
                blobs = list(value.tensor.string_val)
                result.append(
                    Written(
                        step=event.step,
                        wall_time=event.wall_time,
                        tag=value.tag,
                        summary_metadata=value.metadata,
                        plugin_data=metadata.parse_plugin_metadata(value.metadata.plugin_data.content),
                        header=metadata.parse_step_header(blobs[0]),
                        blobs=blobs,
                    )
                )
    return result


def by_tag(written: List[Written]) -> Dict[str, List[Written]]:
    result: Dict[str, List[Written]] = {}
    for item in written:
        result.setdefault(item.tag, []).append(item)
    return result


class WriterCase:
    """Opens a writer of one kind on a logdir, and reads what it wrote."""

    def __init__(self, kind: str, logdir: str):
        self.kind = kind
        self.logdir = logdir
        self._tf_context = None
        if kind == "own":
            self.writer = spectro_summary.Writer(logdir)
        elif kind == "torch":
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(logdir)
        elif kind == "tensorboardx":
            import tensorboardX

            self.writer = tensorboardX.SummaryWriter(logdir)
        elif kind == "tf2":
            import tensorflow as tf

            tf_writer = tf.summary.create_file_writer(logdir)
            self._tf_context = tf_writer.as_default()
            self._tf_context.__enter__()
            self._tf_writer = tf_writer
            self.writer = None  # the ops use TF2's default writer
        elif kind == "tf2_object":
            import tensorflow as tf

            self.writer = tf.summary.create_file_writer(logdir)
        else:
            raise ValueError(kind)

    def close(self) -> None:
        if self._tf_context is not None:
            self._tf_context.__exit__(None, None, None)
            self._tf_context = None
            self._tf_writer.close()
        elif self.writer is not None:
            self.writer.close()

    def read(self) -> List[Written]:
        self.close()
        return read_logdir(self.logdir)


def skip_reason(kind: str) -> Optional[str]:
    """Why a writer kind cannot run here, or None when its framework is installed."""
    module = {"torch": "torch", "tensorboardx": "tensorboardX", "tf2": "tensorflow", "tf2_object": "tensorflow"}.get(
        kind
    )
    if module and importlib.util.find_spec(module) is None:
        return f"{module} is not installed (the test command installs torch and tensorboardX; TensorFlow is optional)"
    return None
