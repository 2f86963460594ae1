"""What the routes send: JSON text, protobuf messages as JSON, and the /data bodies.

`http_api.md` documents the formats. Enum values are spelled in lowercase
snake case (`mel_comparison`, `uint8`, `lengths_equal`); NaN and Inf become
null.
"""

import dataclasses
import io
import json
import math
import struct
import wave
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union, cast

import numpy as np

from tb_plugin_spectro import codec
from tb_plugin_spectro import plugin_data_pb2 as pb

if TYPE_CHECKING:
    from tb_plugin_spectro import kinds

__all__ = [
    "DATA_MAGIC",
    "StepArray",
    "StepData",
    "json_body",
    "finite_json",
    "finite_or_none",
    "floats",
    "enum_name",
    "message_dict",
    "binary_body",
    "npz_body",
    "wav_body",
]

DATA_MAGIC = b"SPD1"  # first bytes of a /data body; see http_api.md
BATCH_MAGIC = b"SPB1"  # first bytes of a /data_batch body


class StepArray(NamedTuple):
    """One stored array of a step: its name, its header entry and its blob as stored."""

    name: str
    encoded: pb.EncodedArray
    blob: bytes


@dataclasses.dataclass(frozen=True)
class StepData:
    """One step as /data sends it."""

    kind: "kinds.Kind"
    description: Dict[str, Any]  # JSON-able: the step's facts and stats, without `arrays`
    arrays: List[StepArray]
    sample_rates: Dict[str, int] = dataclasses.field(default_factory=dict)  # of its audio arrays, by name


def json_body(data: Any) -> Any:
    """`data` as JSON text, every NaN and Inf as null.

    TensorBoard's `http_util.Respond` would walk every value in Python
    (json_util.Cleanse) and send NaN as the string "NaN"; the C encoder is
    faster and this module's contract is null. Data holding values JSON has
    no spelling for (bytes) is passed back, its floats made finite, for
    Respond to clean.
    """
    try:
        return json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        cleaned = finite_json(data)
    try:
        return json.dumps(cleaned, allow_nan=False)
    except TypeError:
        return cleaned


def finite_json(data: Any) -> Any:
    """`data` with every non-finite float, in any dict, list or tuple within it, as None."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_json(value) for value in data]
    return data


def finite_or_none(value: float) -> Optional[float]:
    """JSON has no NaN or Inf; those become null (counts say why)."""
    return value if math.isfinite(value) else None


def floats(values: Iterable[float]) -> List[Optional[float]]:
    """Each value as a float, NaN and Inf as None."""
    return [finite_or_none(float(v)) for v in values]


def enum_name(enum_type: Any, number: int) -> Union[str, int]:
    """An enum value as the HTTP API spells it, lowercase; the number itself if the enum has no such value.

    Args:
      enum_type: the enum's descriptor, e.g. `pb.LengthMismatch.DESCRIPTOR`.
      number: the value.
    """
    value = enum_type.values_by_number.get(number)
    return number if value is None else value.name.lower()


# How message_dict renders a field.
_MESSAGE, _MESSAGES, _ENUM, _ENUMS, _NUMBERS, _NUMBER, _PLAIN = range(7)
_FieldPlan = Tuple[str, int, bool, Optional[Dict[int, str]]]
_FIELD_PLANS: Dict[Any, List[_FieldPlan]] = {}


def _field_plan(descriptor) -> List[_FieldPlan]:
    """(name, how, only if set, enum names) of each field of a message type, worked out once."""
    plan = _FIELD_PLANS.get(descriptor)
    if plan is not None:
        return plan
    plan = []
    for field in descriptor.fields:
        only_if_set = field.has_presence and field.containing_oneof is not None
        names = None
        if field.message_type is not None:
            how = _MESSAGES if field.is_repeated else _MESSAGE
        elif field.enum_type is not None:
            how = _ENUMS if field.is_repeated else _ENUM
            names = {
                number: cast(str, enum_name(field.enum_type, number)) for number in field.enum_type.values_by_number
            }
        elif field.is_repeated:
            how = _NUMBERS
        elif field.cpp_type in (field.CPPTYPE_DOUBLE, field.CPPTYPE_FLOAT):
            how = _NUMBER
        else:
            how = _PLAIN
        plan.append((field.name, how, only_if_set, names))
    _FIELD_PLANS[descriptor] = plan
    return plan


def message_dict(message) -> Dict[str, Any]:
    """A protobuf message as a dict of its fields, with defaults, NaN as null, enums as `enum_name` spells them."""
    result: Dict[str, Any] = {}
    for name, how, only_if_set, names in _field_plan(message.DESCRIPTOR):
        if only_if_set and not message.HasField(name):
            continue
        value = getattr(message, name)
        if how == _NUMBER:
            result[name] = value if math.isfinite(value) else None
        elif how == _PLAIN:
            result[name] = value
        elif how == _MESSAGE:
            result[name] = message_dict(value)
        elif how == _MESSAGES:
            result[name] = [message_dict(item) for item in value]
        elif how == _ENUM:
            result[name] = cast(Dict[int, str], names).get(value, value)
        elif how == _ENUMS:
            result[name] = [cast(Dict[int, str], names).get(v, v) for v in value]
        else:
            result[name] = [finite_or_none(v) if isinstance(v, float) else v for v in value]
    return result


_PRECISION_NAMES = {code: name for name, code in codec.PRECISIONS.items()}


_FILTER_NAMES = {pb.GRADIENT: "gradient", pb.DELTA_PLANES: "delta_planes"}


def _array_json(encoded: pb.EncodedArray, name: str) -> Dict[str, Any]:
    return {
        "name": name,
        "shape": list(encoded.shape),
        "precision": _PRECISION_NAMES.get(encoded.precision, "unknown"),
        "offset": encoded.offset,
        "scale": encoded.scale,
        "nonfinite": message_dict(encoded.nonfinite),
        "range": message_dict(encoded.range),
        # Unknown filters never get here: codec.payload_size refuses them first.
        "filter": _FILTER_NAMES.get(encoded.filter, "none"),
    }


def binary_body(step: StepData) -> bytes:
    """The /data body: magic, JSON length, JSON, then each blob 8-byte aligned."""
    entries = []
    offset = 0
    for array in step.arrays:
        entry = _array_json(array.encoded, array.name)
        entry.update(
            compression="none" if array.encoded.compression == pb.NONE else "zlib",
            byte_offset=offset,
            byte_length=len(array.blob),
        )
        entries.append(entry)
        offset += (len(array.blob) + 7) // 8 * 8
    description = dict(step.description, arrays=entries)
    text = json_body(description).encode("utf-8")
    head_length = 8 + len(text)
    padding = (-head_length) % 8
    out = io.BytesIO()
    out.write(DATA_MAGIC)
    out.write(struct.pack("<I", len(text) + padding))
    out.write(text)
    out.write(b" " * padding)  # JSON allows trailing spaces
    for array in step.arrays:
        out.write(array.blob)
        out.write(b"\x00" * ((-len(array.blob)) % 8))
    return out.getvalue()


def batch_body(answers: Sequence[Tuple[int, bytes]]) -> bytes:
    """The /data_batch body: magic, count, then per answer its status, length and bytes, padded to 8."""
    out = io.BytesIO()
    out.write(BATCH_MAGIC)
    out.write(struct.pack("<I", len(answers)))
    for status, body in answers:
        out.write(struct.pack("<II", status, len(body)))
        out.write(body)
        out.write(b"\x00" * ((-len(body)) % 8))
    return out.getvalue()


def npz_body(step: StepData) -> bytes:
    """The arrays as float32 with NaN/Inf in place, plus those the kind derives (the diff), as an .npz."""
    decoded = {array.name: codec.decode_array(array.encoded, array.blob) for array in step.arrays}
    decoded.update(step.kind.derived_arrays(decoded))
    out = io.BytesIO()
    np.savez_compressed(out, **cast(Dict[str, Any], decoded))
    return out.getvalue()


def wav_body(step: StepData, name: str) -> bytes:
    """The audio array `name` of a step as a 16-bit mono WAV file.

    Raises:
      KeyError: the step has no audio array of that name.
      ValueError: the array does not decode as its header says.
    """
    found = [a for a in step.arrays if a.name == name and name in step.sample_rates]
    if not found:
        raise KeyError(name)
    array = found[0]
    values = codec.decode_array(array.encoded, array.blob)
    pcm = np.clip(np.rint(values.astype(np.float64) * 32768), -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(step.sample_rates[name])
        wav.writeframes(pcm.tobytes())
    return out.getvalue()
