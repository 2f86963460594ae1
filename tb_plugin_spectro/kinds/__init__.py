"""The kinds of Spectro data, one module each, and the registry that finds them.

A kind module (`mel`, `noise`, `similarity`, `lowest`, ...) holds what is
particular to its kind on both sides: for writing, an `encode` function that
checks the op's arguments, computes the stats and encodes the arrays into an
`_writing.EncodedStep`; for reading, a `Kind` subclass whose hooks say what
a stored step holds. It registers one instance with `register`. Shared code
(the plugin, the wire format, `metadata.kind_name`) looks a kind up here and
calls its hooks; it never branches on kind names.

Every module of this package whose name does not start with "_" is imported
below, so adding a kind is adding its module.
"""

import importlib
import pkgutil
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import numpy as np
from tensorboard import errors

from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import wire

__all__ = [
    "Kind",
    "NamedArray",
    "ExtraBlob",
    "UNKNOWN",
    "register",
    "registered",
    "by_enum",
    "by_name",
    "by_header",
    "of_series",
]


class NamedArray(NamedTuple):
    """One array of a step, under the name the HTTP API gives it."""

    name: str
    encoded: pb.EncodedArray


class ExtraBlob(NamedTuple):
    """A blob of a step other than its arrays, sent in the /data JSON under `key`."""

    key: str
    blob_index: int  # in the step's blob sequence; 0 when the step has no such blob: `key` is sent as null
    # The blob as a JSON-able value; raises ValueError when unreadable. A
    # function of the module (not a lambda), as the blob cache keys on it.
    parse: Callable[[bytes], Any]


class Kind:
    """What the reading side needs to know of one kind; the defaults suit a kind without arrays.

    A subclass sets `enum`, `name` and `body`, overrides the hooks that
    differ, and is registered once with `register(Subclass())`.
    """

    enum: int = pb.KIND_UNSPECIFIED  # SpectroPluginData.kind
    name: str = "unknown"  # as the HTTP API spells it: /tags, /steps, /data
    body: Optional[str] = None  # the field of StepHeader's `body` oneof its steps set

    def max_samples(self, listing: Any, plugin_data: pb.SpectroPluginData) -> int:
        """Most samples a step of the series holds, for /tags.

        Args:
          listing: the data provider's listing of the series (its `max_length`
            is the longest blob sequence of any step).
          plugin_data: the series' facts.
        """
        return 1

    def series_facts(self, plugin_data: pb.SpectroPluginData) -> Dict[str, Any]:
        """The series' facts as /tags sends them under `series`: its `series` oneof field."""
        field = plugin_data.WhichOneof("series")
        return wire.message_dict(getattr(plugin_data, field)) if field else {}

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        """Raises InvalidArgumentError unless `sample` is one of the step's samples."""
        if sample != 0:
            raise errors.InvalidArgumentError(f"sample must be 0 for a {self.name} step, got {sample}")

    def arrays(self, header: pb.StepHeader, sample: int) -> List[NamedArray]:
        """The arrays of one step (of one sample of it), in the order /data sends them."""
        return []

    # Parts of a step that /data sends only when asked (`part=`), beside the
    # arrays it always sends: e.g. a mel comparison's waveforms ("audio").
    parts: Tuple[str, ...] = ()

    def part_arrays(self, header: pb.StepHeader, sample: int, part: str) -> List[NamedArray]:
        """The arrays of one of the `parts` of a step (of one sample of it), in the order /data sends them."""
        return []

    def sample_rates(self, header: pb.StepHeader, sample: int) -> Dict[str, int]:
        """The sample rate of each audio array of a step's parts, by array name, for a WAV of it."""
        return {}

    def extra_blobs(self, header: pb.StepHeader, sample: int) -> List[ExtraBlob]:
        """The step's other blobs (of one sample of it) that /data reads and sends in its JSON."""
        return []

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        """The step's stats and facts as JSON-able data, for /steps and /data."""
        return {}

    def derived_arrays(self, arrays: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """Arrays computed from the decoded arrays of a step, added to the .npz of /data."""
        return {}

    def check_header(self, header: pb.StepHeader) -> None:
        """Raises ValueError when a step's header is not of this kind: a series holds one kind."""
        body = header.WhichOneof("body")
        if body != self.body:
            other = by_header(header)
            held = other.name if other is not None else (body or "nothing")
            raise ValueError(f"the step holds {held}, not the {self.name} of its series")

    def __repr__(self) -> str:
        return f"<Spectro kind {self.name}>"


UNKNOWN = Kind()  # the kind of a series whose kind this version does not know

_BY_ENUM: Dict[int, Kind] = {}
_BY_NAME: Dict[str, Kind] = {}
_BY_BODY: Dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Adds a kind to the registry and returns it.

    Raises:
      ValueError: another kind has the same enum value, name or body field,
        or the kind has none.
    """
    if kind.enum == pb.KIND_UNSPECIFIED or kind.name == UNKNOWN.name or not kind.body:
        raise ValueError(f"kind must set enum, name and body, got {kind.enum!r}, {kind.name!r}, {kind.body!r}")
    clash = _BY_ENUM.get(kind.enum) or _BY_NAME.get(kind.name) or _BY_BODY.get(kind.body)
    if clash is not None:
        raise ValueError(f"kind {kind.name!r} has the enum value, name or body of the registered {clash!r}")
    _BY_ENUM[kind.enum] = kind
    _BY_NAME[kind.name] = kind
    _BY_BODY[kind.body] = kind
    return kind


def registered() -> List[Kind]:
    """Every registered kind, in the order of their enum values."""
    return [_BY_ENUM[enum] for enum in sorted(_BY_ENUM)]


def by_enum(enum: int) -> Optional[Kind]:
    """The kind of a `pb.Kind` value, or None."""
    return _BY_ENUM.get(enum)


def by_name(name: str) -> Optional[Kind]:
    """The kind the HTTP API calls `name`, or None."""
    return _BY_NAME.get(name)


def by_header(header: pb.StepHeader) -> Optional[Kind]:
    """The kind of the body a step header holds, or None."""
    body = header.WhichOneof("body")
    return None if body is None else _BY_BODY.get(body)


def of_series(plugin_data: pb.SpectroPluginData) -> Kind:
    """The kind of a series; `UNKNOWN` for a kind this version does not know."""
    return _BY_ENUM.get(plugin_data.kind, UNKNOWN)


def _import_kind_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_import_kind_modules()
