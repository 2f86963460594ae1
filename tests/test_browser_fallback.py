"""A kind the pane does not know, in a real browser against the real `tensorboard`:
a series whose plugin data names a kind number this package does not define (as
a newer Spectro would write it) gets the fallback card, which says so and shows
its steps, while the mel card beside it works as ever."""

import urllib.parse

import pytest
from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

from support.browser import card, known_mel, open_tab, steps_fetched, wait_shown, wait_until
from support.server import fetch_json, tensorboard
from tb_plugin_spectro import metadata
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

RUN = "newer"
NEWER_TAG = "alignment/attention"
NEWER_KIND = 99  # no Kind of this package has this number
NEWER_STEPS = [0, 5, 10]
MEL_TAG = "mel/val"
MEL_STEPS = [0, 5, 10]
# A field of StepHeader this package does not define: the body of the newer kind.
NEWER_BODY_FIELD = b"\xd2\x02\x04body"  # field 42, length-delimited, 4 bytes


def newer_summary(step: int) -> summary_pb2.Summary:
    """A step of the newer kind, written the way every Spectro series is: a blob sequence, header first."""
    header = pb.StepHeader(version=metadata.PROTO_VERSION).SerializeToString() + NEWER_BODY_FIELD
    blobs = [header, bytes([step]) * 16]
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING,
        tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(blobs))]),
        string_val=blobs,
    )
    summary_metadata = metadata.create_summary_metadata(
        pb.SpectroPluginData(kind=NEWER_KIND), display_name="attention alignment"
    )
    return summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=NEWER_TAG, metadata=summary_metadata, tensor=tensor)]
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fallback")
    with spectro_summary.Writer(str(root / RUN)) as writer:
        for step in NEWER_STEPS:
            writer.add_summary(newer_summary(step), step)
        for step in MEL_STEPS:
            spectro_summary.mel_comparison(MEL_TAG, *known_mel(step), step, writer=writer)
    with tensorboard(root, "false") as base:
        yield base


def test_server_lists_the_newer_kind_as_unknown(server):
    series = fetch_json(server + "/data/plugin/spectro/tags")[RUN]
    assert series[NEWER_TAG]["kind"] == "unknown"
    assert series[NEWER_TAG]["last_step"] == NEWER_STEPS[-1]
    assert series[MEL_TAG]["kind"] == "mel_comparison"
    query = urllib.parse.urlencode({"run": RUN, "tag": NEWER_TAG})
    steps = fetch_json(f"{server}/data/plugin/spectro/steps?{query}")
    assert [s["step"] for s in steps["steps"]] == NEWER_STEPS


def test_fallback_card_says_to_upgrade_and_the_other_cards_work(browser, server):
    with open_tab(browser, server) as (page, frame):
        newer = card(frame, RUN, NEWER_TAG)
        assert newer.get_attribute("data-kind") == "unknown"
        assert "spectro-series-card" in newer.get_attribute("class")
        group = frame.locator('.spectro-group[data-kind="unknown"]')
        assert group.is_visible()
        assert group.locator("h2").text_content() == "Newer or unreadable series (1)"
        assert newer.locator(".spectro-card-title").text_content() == "attention alignment"
        assert newer.locator(".spectro-card-run").text_content() == RUN
        upgrade = newer.locator(".spectro-upgrade").text_content()
        assert "newer version of Spectro" in upgrade and "upgrade tb-plugin-spectro" in upgrade

        # Its steps, as for every card: it opens at the last, and steps back and forth.
        control = newer.locator(".spectro-step-control")
        wait_until(lambda: control.get_attribute("data-step") == str(NEWER_STEPS[-1]), "the last step")
        assert f"(3/{len(NEWER_STEPS)})" in newer.locator(".spectro-step-label").text_content()
        newer.locator(".spectro-step-previous").click()
        wait_until(lambda: control.get_attribute("data-step") == str(NEWER_STEPS[1]), "the step before")
        newer.locator(".spectro-card-title").click()
        page.keyboard.press("ArrowLeft")
        wait_until(lambda: control.get_attribute("data-step") == str(NEWER_STEPS[0]), "the first step")
        assert newer.locator(".spectro-error").is_hidden()
        assert newer.locator(".spectro-download-npz").count() == 0

        # The mel card beside it loads and paints its steps.
        mel = card(frame, RUN, MEL_TAG)
        wait_shown(mel, MEL_STEPS[-1])
        mel.locator(".spectro-step-previous").click()
        wait_shown(mel, MEL_STEPS[-2])
        assert mel.locator(".spectro-error").is_hidden()

        # Playing the newer series walks its steps without asking for arrays the pane cannot read.
        newer.locator(".spectro-play").click()
        wait_until(lambda: control.get_attribute("data-step") == str(NEWER_STEPS[-1]), "play to reach the end")
        wait_until(lambda: newer.locator(".spectro-play").text_content() == "Play", "play to stop at the end")
        asked = steps_fetched(frame)
        assert any(tag == MEL_TAG for _run, tag, _step in asked), asked
        assert all(tag != NEWER_TAG for _run, tag, _step in asked), asked
