"""Validation and conversion of the summary ops' arguments.

Every check runs before anything is encoded or written. TypeError is for
the wrong kind of value, ValueError for a bad value; each message names the
parameter and shows the value.
"""

import numbers
import os
import re
from typing import List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "to_float_array",
    "to_numeric_array",
    "check_tag",
    "check_series_tag",
    "check_step",
    "check_choice",
    "check_count",
    "check_optional_count",
    "check_real",
    "check_smoothing",
    "check_string",
    "check_strings",
    "check_path",
]

DEFAULT_MAX_ELEMENTS = 1 << 24  # values per array argument, about 16.8 million

_FLOAT32_MAX = float(np.finfo(np.float32).max)  # largest finite float32, about 3.4e38

# What RustBoard (`--load_fast=true`) cannot take in a tag: its blob keys are
# JSON that it parses into borrowed strings, which fails on any escaped
# character, and serde_json escapes exactly these.
_TAG_CHARACTER_NAMES = {'"': "a double quote", "\\": "a backslash", "\t": "a tab", "\n": "a newline", "\x00": "a NUL"}
_UNSERVABLE_TAG_CHARACTERS = re.compile(r'["\\\x00-\x1f]')


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_encodable(value: str, name: str) -> str:
    """Returns `value` if it encodes as UTF-8, as protobuf strings must; a lone surrogate does not."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(
            f"{name} cannot be encoded as UTF-8: it holds the lone surrogate {value[e.start : e.end]!r} "
            f"at index {e.start}; got {_describe(value)}"
        ) from None
    return value


def _check_torch_tensor(tensor, name: str) -> None:
    """Refuses the torch tensors that hold no values to convert: meta and sparse ones."""
    if getattr(tensor, "is_meta", False):
        raise TypeError(f"{name} is a torch meta tensor (no data); pass a tensor with values")
    layout = getattr(tensor, "layout", None)
    if layout is not None and str(layout) != "torch.strided":
        raise TypeError(f"{name} is a sparse torch tensor (layout {layout}); pass {name}.to_dense()")


def _is_ml_dtype(dtype) -> bool:
    """True for the narrow types of `ml_dtypes` (bfloat16, float8_*, float6_*, float4_*, int4, ...).

    JAX arrays and TF tensors become numpy arrays of these types, which numpy
    holds as opaque records (kind "V"; float8_e5m2 as kind "f"). The type's
    module tells them apart, so ml_dtypes is never imported here.
    """
    return (getattr(getattr(dtype, "type", None), "__module__", None) or "").startswith("ml_dtypes")


def _widen(value):
    """A numpy array of an `ml_dtypes` type as float32 (exactly: each of its values is a float32); others as given."""
    if isinstance(value, np.ndarray) and _is_ml_dtype(value.dtype):
        return value.astype(np.float32)
    return value


def _from_framework(value, name: str):
    """Converts a tensor of a framework to numpy without importing the framework.

    The framework is recognised by the module of the value's type, so only a
    framework the caller already uses is touched. Floating types narrower than
    float32 that numpy lacks (bfloat16 and float8 of torch, JAX, TF, or a
    numpy array of `ml_dtypes`) become float32, which holds each value exactly.
    """
    module = type(value).__module__ or ""
    if module.startswith("torch"):
        _check_torch_tensor(value, name)
        tensor = value.detach()
        if tensor.is_complex():
            raise TypeError(f"{name} must be real-valued, got a complex tensor of dtype {tensor.dtype}")
        if tensor.dtype.is_floating_point and tensor.dtype.itemsize < 4:
            try:
                tensor = tensor.float()  # numpy has no bfloat16 or float8
            except (RuntimeError, TypeError) as e:  # packed types such as float4_e2m1fn_x2
                raise TypeError(
                    f"{name} is a torch tensor of dtype {tensor.dtype}, which does not convert to float32 ({e}); "
                    f"unpack it to a wider floating type first"
                ) from None
        return tensor.cpu().numpy()
    if module.startswith(("tensorflow", "tf_keras", "keras")) and hasattr(value, "numpy"):
        return _widen(value.numpy())
    if module.startswith(("jax", "jaxlib")):
        return _widen(np.asarray(value))
    return _widen(value)


def to_numeric_array(
    value,
    name: str,
    *,
    ranks: Sequence[int],
    shape_hint: str,
    max_elements: int,
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Returns `value` as a numpy array of real numbers of one of the given ranks, in its own dtype.

    Takes what `to_float_array` takes, with the same checks; returns the
    mask of a numpy masked array too (None for any other value), its
    masked values left as they are.
    """
    if value is None:
        raise TypeError(f"{name} must be an array {shape_hint}, got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array {shape_hint}, got {type(value).__name__} {_describe(value)}")
    masked = None
    if isinstance(value, np.ma.MaskedArray):
        masked = np.ma.getmaskarray(value)
        value = np.ma.getdata(value)
    value = _from_framework(value, name)
    try:
        array = _widen(np.asarray(value))  # a list of ml_dtypes scalars
    except (ValueError, TypeError) as e:
        raise TypeError(f"{name} must be an array {shape_hint}; it does not convert to one: {e}") from None
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {array.dtype}")
    if kind not in "fiu":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim not in ranks:
        expected = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{name} must be {expected} {shape_hint}, got shape {array.shape!r}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape!r}")
    if array.size > max_elements:
        raise ValueError(
            f"{name} has {array.size} values, more than max_elements={max_elements}; "
            f"pass a larger max_elements to store it anyway"
        )
    return array, masked


def to_float_array(
    value,
    name: str,
    *,
    ranks: Sequence[int],
    shape_hint: str,
    max_elements: int,
) -> np.ndarray:
    """Returns `value` as a float32 numpy array of one of the given ranks.

    Accepts numpy arrays, nested lists, PyTorch tensors (on any device,
    requiring grad, half precision, bfloat16, float8), JAX arrays and TF
    tensors (bfloat16 and float8 among them, as numpy arrays of `ml_dtypes`
    types are). The masked
    values of a numpy masked array become NaN. A finite value beyond
    float32's range is refused rather than stored as Inf.
    """
    array, masked = to_numeric_array(value, name, ranks=ranks, shape_hint=shape_hint, max_elements=max_elements)
    with np.errstate(over="ignore"):  # values beyond float32 are reported below
        result = np.asarray(array, dtype=np.float32)
    if array.dtype.kind == "f" and array.dtype.itemsize > 4:
        _check_float32_range(array, result, name, masked)
    if masked is not None and masked.any():
        if np.may_share_memory(result, array):
            result = result.copy()  # the caller's array stays as it was
        result[masked] = np.nan
    return result


def _check_float32_range(array: np.ndarray, result: np.ndarray, name: str, masked: Optional[np.ndarray]) -> None:
    """Refuses finite values of `array` that became Inf in its float32 copy `result`."""
    if np.isfinite(result).all():
        return
    overflow = np.isinf(result) & np.isfinite(array)
    if masked is not None:
        overflow &= ~masked
    if overflow.any():
        peak = float(np.abs(array[overflow]).max())
        raise ValueError(
            f"{name} has finite values up to {peak:g} in magnitude, beyond float32's {_FLOAT32_MAX:g}, "
            f"the widest values Spectro stores; scale them down (e.g. to dB) before writing"
        )


def check_tag(tag, name: str = "tag") -> str:
    if not isinstance(tag, str):
        raise TypeError(f"{name} must be a string, got {type(tag).__name__} {_describe(tag)}")
    if not tag.strip():
        raise ValueError(f"{name} must be a non-empty string, got {tag!r}")
    return _check_encodable(tag, name)


def check_series_tag(tag, name: str = "tag") -> str:
    """Checks the tag of a Spectro series: a tag whose data both of TensorBoard's readers can serve.

    RustBoard (`tensorboard --load_fast=true`) lists the steps of a tag
    holding a double quote, a backslash or a control character, but cannot
    serve their data; the Python reader can. Such tags are refused.
    """
    tag = check_tag(tag, name)
    found = _UNSERVABLE_TAG_CHARACTERS.search(tag)
    if found:
        char = found.group()
        what = _TAG_CHARACTER_NAMES.get(char, "a control character")
        raise ValueError(
            f"{name} must not contain {what} ({char!r}): TensorBoard's fast reader (RustBoard, "
            f"--load_fast=true) cannot serve the data of such a tag; got {_describe(tag)}"
        )
    return tag


def _is_bool(value) -> bool:
    """True for a bool, a numpy bool and a bool array or tensor of any framework."""
    if isinstance(value, (bool, np.bool_)):
        return True
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return False
    # numpy and JAX: dtype('bool'); PyTorch: torch.bool; TensorFlow: a DType whose is_bool is True.
    return str(dtype) in ("bool", "torch.bool") or getattr(dtype, "is_bool", False) is True


def check_count(value, name: str, *, minimum: int = 0) -> int:
    """Returns an integer >= minimum; numpy and 0-d tensor integers are accepted, bools of any kind are not."""
    if _is_bool(value) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_describe(value)}")
    if (type(value).__module__ or "").startswith("torch"):
        _check_torch_tensor(value, name)
    try:
        result = int(value.__index__())
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_describe(value)}") from None
    if result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {result!r}")
    return result


def check_optional_count(value, name: str, *, minimum: int = 0) -> Optional[int]:
    return None if value is None else check_count(value, name, minimum=minimum)


def check_step(step) -> int:
    # Steps are int64 in event files.
    result = check_count(step, "step")
    if result >= 1 << 63:
        raise ValueError(f"step must be below 2**63, got {result!r}")
    return result


def check_choice(value, name: str, choices: Sequence[str]) -> str:
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be one of {allowed}; got {_describe(value)} ({type(value).__name__}, not a string)"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {allowed}; got {_describe(value)}")
    return value


def check_real(value, name: str, *, finite: bool = True) -> float:
    """Returns a float; numpy scalars and one-value tensors are accepted."""
    number = value
    if not isinstance(value, numbers.Real):
        if (type(value).__module__ or "").startswith("torch"):
            _check_torch_tensor(value, name)
        try:
            array = _widen(np.asarray(_from_framework(value, name)))
        except Exception:  # anything that is not array-like is reported below
            array = None
        if array is not None and array.size == 1 and array.dtype.kind in "fiu":
            number = array.item()
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {_describe(value)}")
    result = float(number)
    if finite and not np.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result!r}")
    return result


def check_smoothing(value, name: str) -> float:
    """Returns a smoothing weight in [0, 1), the range of TensorBoard's smoothing slider."""
    weight = check_real(value, name, finite=False)
    if not 0.0 <= weight < 1.0:  # NaN fails this too
        raise ValueError(f"{name} must be in [0, 1), as TensorBoard's smoothing slider, got {weight!r}")
    return weight


def check_string(value, name: str, *, max_length: int = 100_000) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {_describe(value)}")
    if len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters, got {len(value)}")
    return _check_encodable(value, name)


def check_strings(values, name: str, count: int, *, what: str) -> List[str]:
    """Returns a list of `count` strings; a lone string stands for a list of one."""
    if isinstance(values, str):
        values = [values]
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of strings, got {type(values).__name__} {_describe(values)}")
    if len(values) != count:
        raise ValueError(f"{name} must have one string per {what} ({count}), got {len(values)}")
    for i, item in enumerate(values):
        check_string(item, f"{name}[{i}]")
    return list(values)


def check_path(value, name: str) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string or path, got {type(value).__name__} {_describe(value)}")
    return _check_encodable(value, name)
