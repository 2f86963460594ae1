"""What every summary op shares: the common checks, the Summary proto, the NaN warning.

A kind's `encode` function turns the op's arguments into an `EncodedStep`;
`summary` assembles it into the proto that every writer writes: the step's
blob sequence under the tag, and a copy of its header under the tag's
companion header series (`metadata.HEADERS_SUFFIX`).
"""

import dataclasses
import math
import warnings
from typing import Iterator, List, NamedTuple, Optional

from google.protobuf import message as protobuf_message
from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

from tb_plugin_spectro import _inputs, _once, codec, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = [
    "ArrayLike",
    "ArrayOptions",
    "EncodedStep",
    "NONFINITE_WARNINGS",
    "OVERSIZE_WARNINGS",
    "check_array_op",
    "check_labels",
    "check_walltime",
    "summary",
]

ArrayLike = object  # numpy array, list, torch / JAX / TF tensor

_PRECISION_NAMES = tuple(codec.PRECISIONS)

# Tags whose NaN or Inf were warned about, once per tag per process.
NONFINITE_WARNINGS = _once.WarnOnce()
# Tags warned about for an array larger than the server reads, once per tag per process.
OVERSIZE_WARNINGS = _once.WarnOnce()


class ArrayOptions(NamedTuple):
    """The checked arguments that every op storing arrays takes."""

    tag: str
    step: int
    precision: int  # a pb.Precision value
    max_elements: int


@dataclasses.dataclass
class EncodedStep:
    """One step of a kind, encoded: what `summary` assembles into a Summary proto."""

    plugin_data: pb.SpectroPluginData  # the series' facts, with its kind
    header: pb.StepHeader  # element 0 of the blob sequence
    blobs: List[bytes]  # the elements after it
    # NaN and Inf in the step's arrays, warned about once per tag, and what holds them.
    nonfinite: Optional[pb.NonFiniteCounts] = None
    nonfinite_in: str = ""


def check_labels(display_name, description) -> None:
    """Checks the display name and description that every op takes."""
    if display_name is not None:
        _inputs.check_string(display_name, "display_name", max_length=1000)
    if description is not None:
        _inputs.check_string(description, "description")


def check_array_op(tag, step, precision, max_elements, display_name, description) -> ArrayOptions:
    """Checks the arguments common to the ops that store arrays, in the order the ops list them."""
    tag = _inputs.check_series_tag(tag)
    if tag.endswith(metadata.HEADERS_SUFFIX):
        raise ValueError(
            f"tag must not end with {metadata.HEADERS_SUFFIX!r}, the suffix of Spectro's header series; got {tag!r}"
        )
    step = _inputs.check_step(step)
    precision_code = codec.PRECISIONS[_inputs.check_choice(precision, "precision", _PRECISION_NAMES)]
    max_elements = _inputs.check_count(max_elements, "max_elements", minimum=1)
    check_labels(display_name, description)
    return ArrayOptions(tag, step, precision_code, max_elements)


def check_walltime(walltime) -> Optional[float]:
    return None if walltime is None else _inputs.check_real(walltime, "walltime")


def _string_tensor(elements: List[bytes]) -> tensor_pb2.TensorProto:
    """A rank-1 DT_STRING tensor of `elements`."""
    return tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING,
        tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(elements))]),
        string_val=elements,
    )


def _warn_nonfinite(tag: str, step: int, encoded: EncodedStep) -> None:
    counts = encoded.nonfinite
    if counts is None or not counts.nan + counts.pos_inf + counts.neg_inf:
        return
    if not NONFINITE_WARNINGS.first(tag):
        return
    warnings.warn(
        f"Spectro tag {tag!r} step {step}: {encoded.nonfinite_in} hold {counts.nan} NaN, "
        f"{counts.pos_inf} +Inf and {counts.neg_inf} -Inf values; they are "
        f"stored and shown as such (warned once per tag)",
        RuntimeWarning,
        # The op's caller: above this function, `summary`, the *_pb function and the op.
        stacklevel=5,
    )


def _encoded_arrays(message: protobuf_message.Message) -> Iterator[pb.EncodedArray]:
    """Every EncodedArray set in `message`, at any depth, whatever the kind."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        for item in value if field.is_repeated else (value,):
            if isinstance(item, pb.EncodedArray):
                yield item
            else:
                yield from _encoded_arrays(item)


def _warn_oversize(tag: str, step: int, header: pb.StepHeader) -> None:
    # The server refuses an array of more values than the default cap before
    # reading it (codec.payload_size), so such a step is stored but never shown.
    for encoded in _encoded_arrays(header):
        count = math.prod(encoded.shape)
        if count > _inputs.DEFAULT_MAX_ELEMENTS:
            if OVERSIZE_WARNINGS.first(tag):
                warnings.warn(
                    f"Spectro tag {tag!r} step {step}: an array of shape {tuple(encoded.shape)!r} holds {count} "
                    f"values, more than the {_inputs.DEFAULT_MAX_ELEMENTS} (max_elements' default) that "
                    f"TensorBoard's Spectro plugin reads; it is written, but the server will refuse to show "
                    f"the step (warned once per tag)",
                    RuntimeWarning,
                    # The op's caller: above this function, `summary`, the *_pb function and the op.
                    stacklevel=5,
                )
            return


def summary(
    tag: str,
    step: int,
    encoded: EncodedStep,
    display_name: Optional[str],
    description: Optional[str],
    *,
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
) -> summary_pb2.Summary:
    """The step's blob sequence under `tag`, then its header again in the companion series.

    Warns, once per tag, of the NaN and Inf the step holds, and, when
    `max_elements` is above its default, of an array larger than the server
    reads.
    """
    _warn_nonfinite(tag, step, encoded)
    if max_elements > _inputs.DEFAULT_MAX_ELEMENTS:
        _warn_oversize(tag, step, encoded.header)
    encoded.header.version = metadata.PROTO_VERSION
    header_blob = encoded.header.SerializeToString()
    result = summary_pb2.Summary()
    result.value.add(
        tag=tag,
        metadata=metadata.create_summary_metadata(
            encoded.plugin_data, display_name=display_name, description=description
        ),
        tensor=_string_tensor([header_blob] + encoded.blobs),
    )
    result.value.add(
        tag=metadata.headers_tag(tag),
        metadata=metadata.create_headers_metadata(encoded.plugin_data),
        tensor=_string_tensor([header_blob]),
    )
    return result
