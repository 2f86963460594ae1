"""A tag holds one plugin's data: Spectro data under a tag that another plugin's data claimed first, and the reverse.

TensorBoard's readers give a tag to the plugin of the first data written
under it. Spectro's own Writer refuses the second plugin's data before
writing it; what other writers wrote anyway, /tags lists with why (its kind
"unknown", its error naming the plugin that holds the tag), and the pane
shows on the fallback card.
"""

import glob
import os
import urllib.error
import urllib.parse

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.proto import summary_pb2, tensor_pb2, types_pb2
from tensorboard.plugins.image import metadata as image_metadata

from support.routes import get_json, make_client
from support.server import READERS, fetch, fetch_json, tensorboard
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


# What torch's SummaryWriter, or two Writers of one run, write without a check: Spectro data under a
# tag another plugin's data claimed first, and a scalar under a Spectro tag.
CLAIMED = {"x": "images", "y": "scalars"}  # tag: the plugin whose data was written there first
SPECTRO_STEPS = [3, 4, 5]


@pytest.fixture(scope="module")
def reused_logdir(tmp_path_factory):
    torch_tensorboard = pytest.importorskip("torch.utils.tensorboard", reason="torch is in the test extras")
    root = tmp_path_factory.mktemp("reused")
    writer = torch_tensorboard.SummaryWriter(str(root / "torch"))
    for step in range(3):
        writer.add_image("x", IMAGE, step)
        writer.add_scalar("y", 0.5, step)
        mel("w", step, writer)
    for step in SPECTRO_STEPS:
        mel("x", step, writer)
        mel("y", step, writer)
        writer.add_scalar("w", 0.5, step)
    mel("ok", 0, writer)
    writer.close()
    # Two Writers of one run: each knows only its own tags.
    with spectro_summary.Writer(root / "own") as scalars, spectro_summary.Writer(root / "own") as spectro:
        for step in range(3):
            scalars.add_scalar("y", 0.5, step)
        scalars.flush()
        for step in SPECTRO_STEPS:
            mel("y", step, spectro)
        mel("ok", 0, spectro)
    return root


def claimed_message(plugin: str) -> str:
    return (
        f"its tag already holds the {plugin} plugin's data, written under it first, and TensorBoard's readers give "
        "a tag to one plugin, so Spectro cannot read the mel_comparison steps written under it (3 steps, 3 to 5); "
        "write them under another tag"
    )


@pytest.mark.parametrize("load_fast", READERS)
def test_both_readers_list_spectro_steps_under_a_claimed_tag_with_why(reused_logdir, load_fast):
    with tensorboard(reused_logdir, load_fast) as base:
        tags = fetch_json(base + "/data/plugin/spectro/tags")
        for run, claimed in (("torch", CLAIMED), ("own", {"y": "scalars"})):
            assert tags[run]["ok"]["kind"] == "mel_comparison"
            for tag, plugin in claimed.items():
                assert tags[run][tag] == {
                    "kind": "unknown",
                    "steps": 3,
                    "first_step": 3,
                    "last_step": 5,
                    "max_samples": 1,
                    "display_name": "",
                    "description": "",
                    "series": {},
                    "error": claimed_message(plugin),
                }, (run, tag)
                # The other plugin lists the tag as its own.
                assert tag in fetch_json(f"{base}/data/plugin/{plugin}/tags")[run]
                for route in ("steps", "data"):
                    query = urllib.parse.urlencode({"run": run, "tag": tag, "step": 3})
                    with pytest.raises(urllib.error.HTTPError) as failed:
                        fetch(f"{base}/data/plugin/spectro/{route}?{query}")
                    assert failed.value.code == 404
                    reason = failed.value.read().decode()
                    assert reason.endswith(
                        f"Spectro tag {tag!r} in run {run!r} cannot be read: {claimed_message(plugin)}"
                    )

        # The scalar whose tag holds Spectro steps after its own: RustBoard leaves those out; TensorBoard's Python
        # reader fails on the tag (its Scalars tab too), and the lowest-point view says why.
        for run in ("torch", "own"):
            query = urllib.parse.urlencode({"run": run, "tag": "y"})
            if load_fast == "true":
                lowest = fetch_json(f"{base}/data/plugin/spectro/lowest?{query}")
                assert lowest["points"]["step"] == [0, 1, 2]
            else:
                with pytest.raises(urllib.error.HTTPError) as failed:
                    fetch(f"{base}/data/plugin/spectro/lowest?{query}")
                assert failed.value.code == 404
                assert f"Scalar tag 'y' in run {run!r} cannot be read: TensorBoard's reader failed on it" in (
                    failed.value.read().decode()
                )

        # A scalar written under a Spectro tag: the series keeps its own steps, readable, and the
        # scalar's steps are errors of their own (the Python reader) or left out (RustBoard).
        steps = fetch_json(base + "/data/plugin/spectro/steps?run=torch&tag=w")["steps"]
        assert [s["step"] for s in steps if "error" not in s] == [0, 1, 2]
        errors = [s for s in steps if "error" in s]
        assert [s["step"] for s in errors] == ([] if load_fast == "true" else SPECTRO_STEPS)
        for step in errors:
            assert step["error"].startswith(
                "the step holds a single value, not a sequence of blobs: it is not Spectro data"
            )


def test_owner_not_named_where_no_plugin_lists_the_tag(tmp_path):
    # A value with metadata that names no plugin claims its tag for none (the Python reader warns of it).
    summary = summary_pb2.Summary()
    value = summary.value.add(tag="x", metadata=summary_pb2.SummaryMetadata(data_class=summary_pb2.DATA_CLASS_TENSOR))
    value.tensor.CopyFrom(plain_tensor())
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(summary, 0)
        mel("x", 3, writer)
    client, _ = make_client(tmp_path)
    entry = get_json(client, "/tags")["run"]["x"]
    assert entry["kind"] == "unknown" and entry["steps"] == 1
    assert entry["error"] == (
        "its tag already holds another plugin's data, written under it first, and TensorBoard's readers give a tag "
        "to one plugin, so Spectro cannot read the mel_comparison steps written under it (1 step, 3); write them "
        "under another tag"
    )


def test_pane_shows_the_claimed_tag_on_the_fallback_card(browser, reused_logdir):
    from support.browser import card, open_tab, wait_shown, wait_until

    with tensorboard(reused_logdir, "false") as base, open_tab(browser, base) as (page, frame):
        for tag, plugin in CLAIMED.items():
            claimed = card(frame, "torch", tag)
            assert claimed.get_attribute("data-kind") == "unknown"
            error = claimed.locator(".spectro-error")
            wait_until(lambda: error.is_visible(), f"the error line of {tag!r}")
            assert error.text_content() == f"This series cannot be read: {claimed_message(plugin)}"
            assert claimed.locator(".spectro-upgrade").is_hidden()  # not a newer Spectro's series
        group = frame.locator('.spectro-group[data-kind="unknown"]')
        assert group.locator("h2").text_content() == "Newer or unreadable series (3)"  # x and y of torch, y of own
        wait_shown(card(frame, "torch", "ok"), 0)  # the healthy series beside them paints
        fetched = frame.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
        asked = [urllib.parse.parse_qs(urllib.parse.urlsplit(url).query) for url in fetched if "/steps?" in url]
        assert not [query for query in asked if query["tag"][0] in CLAIMED], asked
