"""Plugin metadata and step headers: creation, parsing, and newer versions."""

import pytest
from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import metadata
from tb_plugin_spectro import plugin_data_pb2 as pb


def test_create_and_parse():
    plugin_data = pb.SpectroPluginData(kind=pb.NOISE_PAIR)
    plugin_data.noise.total_timesteps = 50
    result = metadata.create_summary_metadata(plugin_data, display_name="Noise", description="eps")
    assert result.plugin_data.plugin_name == metadata.PLUGIN_NAME == "spectro"
    assert result.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
    assert (result.display_name, result.summary_description) == ("Noise", "eps")
    parsed = metadata.parse_plugin_metadata(result.plugin_data.content)
    assert parsed.version == metadata.PROTO_VERSION
    assert parsed.kind == pb.NOISE_PAIR and parsed.noise.total_timesteps == 50
    assert metadata.kind_name(parsed.kind) == "noise_pair"


def test_newer_version_is_refused_with_a_clear_message():
    content = pb.SpectroPluginData(version=metadata.PROTO_VERSION + 1, kind=pb.MEL_COMPARISON).SerializeToString()
    with pytest.raises(metadata.NewerVersionError, match=r"format version 2 needs a newer tb-plugin-spectro"):
        metadata.parse_plugin_metadata(content)
    header = pb.StepHeader(version=metadata.PROTO_VERSION + 1).SerializeToString()
    with pytest.raises(metadata.NewerVersionError, match=r"step of format version 2 needs a newer"):
        metadata.parse_step_header(header)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xff\xff", r"^plugin data unreadable: not a Spectro message \(Error parsing message"),
        (b"", r"^plugin data unreadable: not a Spectro message \(it holds no format version\)$"),
        (pb.SpectroPluginData(kind=pb.NOISE_PAIR).SerializeToString(), r"it holds no format version"),
        (
            pb.SpectroPluginData(version=metadata.PROTO_VERSION).SerializeToString(),
            r"^plugin data unreadable: it names no kind$",
        ),
        (
            pb.SpectroPluginData(version=1, kind=pb.LOWEST_POINT, lowest_point=pb.LowestPointSeries(watched_tag="AB"))
            .SerializeToString()
            .replace(b"AB", b"\xff\xfe"),
            r"^plugin data unreadable: a text field is not UTF-8 \(.*UTF-8",
        ),
    ],
)
def test_plugin_data_that_is_not_spectros_says_what_is_wrong(content, message):
    with pytest.raises(ValueError, match=message) as raised:
        metadata.parse_plugin_metadata(content)
    assert not isinstance(raised.value, metadata.NewerVersionError)
    assert "newer" not in str(raised.value)


def test_a_garbage_step_header_is_a_value_error():
    with pytest.raises(ValueError, match="unreadable Spectro step header"):
        metadata.parse_step_header(b"\x0a\xff")


def test_kind_names():
    assert [metadata.kind_name(k) for k in (1, 2, 3, 4, 0)] == [
        "mel_comparison",
        "noise_pair",
        "similarity_matrix",
        "lowest_point",
        "unknown",
    ]


def test_header_series_metadata():
    assert metadata.headers_tag("mel/val") == "mel/val/_spectro_headers"
    plugin_data = pb.SpectroPluginData(kind=pb.MEL_COMPARISON)
    plugin_data.mel.sample_rate = 22050
    result = metadata.create_headers_metadata(plugin_data)
    assert result.plugin_data.plugin_name == "spectro"
    assert result.data_class == summary_pb2.DATA_CLASS_TENSOR  # one read_tensors call returns every step
    parsed = metadata.parse_plugin_metadata(result.plugin_data.content)
    assert (parsed.version, parsed.kind, parsed.mel.sample_rate) == (metadata.PROTO_VERSION, pb.MEL_COMPARISON, 22050)
