"""The registry of kinds: every kind of the proto has one module, found by enum, name and header body."""

import numpy as np
import pytest

from tb_plugin_spectro import kinds, metadata, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import alignment, lowest, mel, noise, similarity, spectrogram

NAMES = {
    pb.MEL_COMPARISON: "mel_comparison",
    pb.NOISE_PAIR: "noise_pair",
    pb.SIMILARITY_MATRIX: "similarity_matrix",
    pb.LOWEST_POINT: "lowest_point",
    pb.ALIGNMENT: "alignment",
    pb.SPECTROGRAM: "spectrogram",
}


def test_every_kind_of_the_proto_is_registered_once():
    written = [value for value in pb.Kind.values() if value != pb.KIND_UNSPECIFIED]
    assert [kind.enum for kind in kinds.registered()] == sorted(written)
    assert {kind.enum: kind.name for kind in kinds.registered()} == NAMES
    assert [kind.body for kind in kinds.registered()] == [
        "mel",
        "noise",
        "similarity",
        "lowest_point",
        "alignment",
        "spectrogram",
    ]
    bodies = {field.name for field in pb.StepHeader.DESCRIPTOR.oneofs_by_name["body"].fields}
    assert bodies == {kind.body for kind in kinds.registered()}


def test_the_modules_register_their_kinds():
    assert [module.KIND for module in (mel, noise, similarity, lowest, alignment, spectrogram)] == kinds.registered()


@pytest.mark.parametrize("kind", kinds.registered(), ids=lambda kind: kind.name)
def test_lookups(kind):
    assert kinds.by_enum(kind.enum) is kind
    assert kinds.by_name(kind.name) is kind
    header = pb.StepHeader()
    getattr(header, kind.body).SetInParent()
    assert kinds.by_header(header) is kind
    assert kinds.of_series(pb.SpectroPluginData(kind=kind.enum)) is kind
    assert metadata.kind_name(kind.enum) == kind.name
    kind.check_header(header)


def test_unknown_kinds():
    assert kinds.by_enum(99) is None and kinds.by_name("attention") is None
    assert kinds.by_header(pb.StepHeader()) is None
    assert kinds.of_series(pb.SpectroPluginData(kind=pb.KIND_UNSPECIFIED)) is kinds.UNKNOWN
    assert metadata.kind_name(99) == "unknown"
    kinds.UNKNOWN.check_header(pb.StepHeader())  # a step of no kind in a series of no kind


def test_a_header_of_another_kind_is_a_value_error():
    header = pb.StepHeader()
    header.noise.SetInParent()
    with pytest.raises(ValueError, match="holds noise_pair, not the mel_comparison"):
        mel.KIND.check_header(header)
    with pytest.raises(ValueError, match="holds nothing, not the similarity_matrix"):
        similarity.KIND.check_header(pb.StepHeader())


def test_registering_a_taken_enum_name_or_body_fails():
    class Again(kinds.Kind):
        enum = pb.NOISE_PAIR
        name = "noise_again"
        body = "noise_again"

    class Nameless(kinds.Kind):
        pass

    with pytest.raises(ValueError, match="noise_again.*registered <Spectro kind noise_pair>"):
        kinds.register(Again())
    with pytest.raises(ValueError, match="kind must set enum, name and body"):
        kinds.register(Nameless())
    assert kinds.by_name("noise_again") is None


def test_derived_arrays_are_the_diff():
    target, predicted = np.array([[3.0, 1.0]]), np.array([[1.0, 1.0]])
    np.testing.assert_array_equal(mel.KIND.derived_arrays({"target": target, "predicted": predicted})["diff"], [[2, 0]])
    np.testing.assert_array_equal(
        noise.KIND.derived_arrays({"actual": target, "predicted": predicted})["diff"], [[2, 0]]
    )
    assert similarity.KIND.derived_arrays({"matrix": target}) == {}


def test_similarity_labels_are_an_extra_blob():
    header = pb.StepHeader()
    header.similarity.SetInParent()
    assert similarity.KIND.extra_blobs(header, 0) == []
    header.similarity.labels_blob_index = 2
    (extra,) = similarity.KIND.extra_blobs(header, 0)
    assert (extra.key, extra.blob_index) == ("labels", 2)
    assert extra.parse(pb.Labels(rows=["a"]).SerializeToString()) == {"rows": ["a"], "columns": []}
    with pytest.raises(ValueError, match="unreadable labels"):
        extra.parse(b"\xff\xff")


def test_watched_tag_only_of_marker_series():
    marker = pb.SpectroPluginData(kind=pb.LOWEST_POINT)
    marker.lowest_point.watched_tag = "loss"
    assert lowest.watched_tag(marker) == "loss"
    assert lowest.watched_tag(pb.SpectroPluginData(kind=pb.MEL_COMPARISON)) is None


def test_enums_in_json_are_lowercase():
    assert wire.enum_name(pb.LengthMismatch.DESCRIPTOR, pb.PADDED) == "padded"
    assert wire.enum_name(pb.LengthMismatch.DESCRIPTOR, 42) == 42
    step = pb.SimilarityStep(source=pb.COSINE_OF_EMBEDDINGS)
    assert wire.message_dict(step)["source"] == "cosine_of_embeddings"


def test_alignment_tokens_are_an_extra_blob_of_the_sample_null_without():
    header = pb.StepHeader()
    header.alignment.samples.add(tokens_blob_index=3)
    header.alignment.samples.add()
    (extra,) = alignment.KIND.extra_blobs(header, 0)
    assert (extra.key, extra.blob_index) == ("tokens", 3)
    assert extra.parse(pb.Labels(rows=["h", "<i>"]).SerializeToString()) == ["h", "<i>"]
    with pytest.raises(ValueError, match="unreadable token labels"):
        extra.parse(b"\xff\xff")
    assert [(e.key, e.blob_index) for e in alignment.KIND.extra_blobs(header, 1)] == [("tokens", 0)]


def test_a_mel_sample_sends_its_alignment_and_tokens_only_when_it_has_one():
    header = pb.StepHeader()
    plain = header.mel.samples.add()
    attached = header.mel.samples.add()
    attached.alignment.weights.blob_index = 5
    attached.alignment.tokens_blob_index = 6
    assert [a.name for a in mel.KIND.arrays(header, 0)] == ["target", "predicted"]
    assert mel.KIND.extra_blobs(header, 0) == []
    assert [a.name for a in mel.KIND.arrays(header, 1)] == ["target", "predicted", "alignment"]
    assert [(e.key, e.blob_index) for e in mel.KIND.extra_blobs(header, 1)] == [("tokens", 6)]
    assert plain.alignment.weights.blob_index == 0


class _Listing:
    def __init__(self, max_length):
        self.max_length = max_length


@pytest.mark.parametrize(
    "kind, field, sample_blobs, max_length, expected",
    [
        (mel.KIND, "mel", 0, 7, 3),  # written before sample_blobs: two blobs a sample
        (mel.KIND, "mel", 2, 7, 3),
        (mel.KIND, "mel", 3, 7, 2),  # with an alignment
        (mel.KIND, "mel", 4, 9, 2),  # with an alignment and its tokens
        (spectrogram.KIND, "spectrogram", 1, 4, 3),
        (alignment.KIND, "alignment", 1, 4, 3),
        (alignment.KIND, "alignment", 2, 5, 2),
    ],
)
def test_max_samples_divides_the_longest_sequence_by_the_blobs_of_a_sample(
    kind, field, sample_blobs, max_length, expected
):
    plugin_data = pb.SpectroPluginData(kind=kind.enum)
    getattr(plugin_data, field).sample_blobs = sample_blobs
    assert kind.max_samples(_Listing(max_length), plugin_data) == expected


@pytest.mark.parametrize(
    "kind, field", [(mel.KIND, "mel"), (spectrogram.KIND, "spectrogram"), (alignment.KIND, "alignment")]
)
def test_series_facts_are_sample_rate_and_hop_length(kind, field):
    plugin_data = pb.SpectroPluginData(kind=kind.enum)
    getattr(plugin_data, field).sample_rate = 22050
    getattr(plugin_data, field).hop_length = 256
    getattr(plugin_data, field).sample_blobs = 2
    assert kind.series_facts(plugin_data) == {"sample_rate": 22050, "hop_length": 256}


def test_a_spectrogram_npz_is_the_mel_alone():
    assert spectrogram.KIND.derived_arrays({"mel": np.zeros((2, 3))}) == {}
