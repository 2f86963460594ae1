"""The plugin's name, its format version, and its SummaryMetadata."""

from typing import Optional

from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import plugin_data_pb2

__all__ = [
    "PLUGIN_NAME",
    "PROTO_VERSION",
    "NewerVersionError",
    "HEADERS_SUFFIX",
    "headers_tag",
    "create_summary_metadata",
    "create_headers_metadata",
    "parse_plugin_metadata",
    "parse_step_header",
    "kind_name",
]

PLUGIN_NAME = "spectro"

# Version of SpectroPluginData and StepHeader that this package writes and
# the highest it reads.
PROTO_VERSION = 1

# Every series `tag` (a blob sequence) has a companion tensor series
# `tag + HEADERS_SUFFIX` that repeats each step's header, element 0 of the
# step's blob sequence, as a rank-1 string tensor of one element, in the same
# event. Listing a blob sequence returns blob keys only, so the headers of N
# steps would take N `read_blob` calls (N gRPC calls on RustBoard); one
# `read_tensors` call returns the whole companion. Series written before the
# companion existed have none, and readers fall back to the blobs.
HEADERS_SUFFIX = "/_spectro_headers"


def kind_name(kind: int) -> str:
    """Returns the name of a Kind as the HTTP API spells it; "unknown" for a kind this version does not know."""
    # Imported here: the kind modules import this one.
    from tb_plugin_spectro import kinds

    found = kinds.by_enum(kind)
    return kinds.UNKNOWN.name if found is None else found.name


def headers_tag(tag: str) -> str:
    """Returns the tag of the companion series holding the step headers of series `tag`."""
    return tag + HEADERS_SUFFIX


def create_summary_metadata(
    plugin_data: plugin_data_pb2.SpectroPluginData,
    *,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.SummaryMetadata:
    """Returns the SummaryMetadata of a Spectro series.

    Args:
      plugin_data: the series' facts; its `version` is set here.
      display_name: shown instead of the tag where given.
      description: a Markdown description of the series.
    """
    plugin_data.version = PROTO_VERSION
    return summary_pb2.SummaryMetadata(
        display_name=display_name or "",
        summary_description=description or "",
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=plugin_data.SerializeToString()
        ),
        # Both of TensorBoard's readers drop data whose class is unset.
        data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    )


def create_headers_metadata(plugin_data: plugin_data_pb2.SpectroPluginData) -> summary_pb2.SummaryMetadata:
    """Returns the SummaryMetadata of a series' companion header series.

    The content is the series' own plugin data; the data class is a tensor,
    so that both readers return every step of it in one `read_tensors` call.
    """
    plugin_data.version = PROTO_VERSION
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=plugin_data.SerializeToString()
        ),
        data_class=summary_pb2.DATA_CLASS_TENSOR,
    )


class NewerVersionError(ValueError):
    """Data of a format version above PROTO_VERSION: a newer Spectro wrote it."""


def parse_plugin_metadata(content: bytes) -> plugin_data_pb2.SpectroPluginData:
    """Parses SummaryMetadata.plugin_data.content of a Spectro series.

    Raises:
      NewerVersionError: the content was written by a newer version of
        Spectro than this one (its `version` is higher than PROTO_VERSION).
      ValueError: the content is not a Spectro message: it does not parse,
        holds text that is not UTF-8, or names no format version (every
        Spectro writes one) or no kind. The message says which.
    """
    if not isinstance(content, bytes):
        raise TypeError(f"content must be bytes, got {type(content).__name__}")
    try:
        result = plugin_data_pb2.SpectroPluginData.FromString(content)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        what = "a text field is not UTF-8" if "UTF-8" in str(e) else "not a Spectro message"
        raise ValueError(f"plugin data unreadable: {what} ({e})") from None
    if result.version == 0:
        raise ValueError("plugin data unreadable: not a Spectro message (it holds no format version)")
    if result.version > PROTO_VERSION:
        raise NewerVersionError(
            f"Spectro data of format version {result.version} needs a newer "
            f"tb-plugin-spectro (this one reads up to version {PROTO_VERSION})"
        )
    if result.kind == plugin_data_pb2.KIND_UNSPECIFIED:
        raise ValueError("plugin data unreadable: it names no kind")
    return result


def parse_step_header(blob: bytes) -> plugin_data_pb2.StepHeader:
    """Parses element 0 of a step's blob sequence.

    Raises:
      NewerVersionError: the header is of a newer version.
      ValueError: the header does not parse.
    """
    try:
        header = plugin_data_pb2.StepHeader.FromString(blob)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        raise ValueError(f"unreadable Spectro step header: {e}") from None
    if header.version > PROTO_VERSION:
        raise NewerVersionError(
            f"Spectro step of format version {header.version} needs a newer "
            f"tb-plugin-spectro (this one reads up to version {PROTO_VERSION})"
        )
    return header
