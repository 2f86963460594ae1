"""The single-spectrogram card in a real browser: Debian's Chromium, driven by
Playwright, against the real `tensorboard` serving event files written by
`spectro_summary.spectrogram`."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import (
    FRAMES,
    KNOWN_BIN,
    KNOWN_FRAME,
    KNOWN_TARGET,
    N_MELS,
    XSS,
    card,
    hover_cell,
    known_mel,
    lut_rgb,
    open_tab,
    panel_pixel,
    wait_shown,
    wait_until,
)
from support.server import fetch, tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

STEPS = 4
BATCH = 2


def ramp_mel(step: int) -> np.ndarray:
    """A ramp along frames, higher at each step, so that the series' range spans the steps."""
    return np.tile(np.linspace(-8.0, 0.0, FRAMES, dtype=np.float32), (N_MELS, 1)) + step


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("spectrogram")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            target, _ = known_mel(step)
            spectro_summary.spectrogram(
                "mel/full",
                target,
                step,
                writer=writer,
                sample_ids="LJ001-0001",
                texts="Printing, in the only sense",
                sample_rate=22050,
                hop_length=256,
            )
            spectro_summary.spectrogram("mel/ramp", ramp_mel(step), step, writer=writer)
        batch = np.stack([known_mel(0)[0], ramp_mel(0)])
        spectro_summary.spectrogram("mel/batch", batch, 0, writer=writer, sample_ids=["first", XSS], texts=["", XSS])
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def description(base: str, tag: str, step: int, sample: int = 0):
    query = urllib.parse.urlencode({"run": "tts", "tag": tag, "step": step, "sample": sample})
    body = fetch(base + "/data/plugin/spectro/data?" + query)[1]
    return json.loads(body[8 : 8 + int.from_bytes(body[4:8], "little")])


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_the_card_paints_one_panel_and_reads_the_written_value(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        tolerance = description(base, "mel/full", STEPS - 1)["arrays"][0]["scale"] / 2 + 1e-6
        mel = card(frame, "tts", "mel/full")
        wait_shown(mel, STEPS - 1)
        assert mel.locator(".spectro-panel").count() == 1 + 1  # the mel, and the hidden alignment panel
        assert mel.locator('.spectro-panel[data-panel="mel"]').is_visible()
        assert not mel.locator('.spectro-panel[data-panel="alignment"]').is_visible()
        colours = {tuple(panel_pixel(mel, "mel", f, b, FRAMES, N_MELS)) for f in (5, 30, 50) for b in (3, 40, 70)}
        assert len(colours) > 3, f"the panel is flat: {colours}"
        hover_cell(page, mel, "mel", KNOWN_FRAME, KNOWN_BIN, FRAMES, N_MELS)
        readout = mel.locator(".spectro-readout")
        wait_until(lambda: readout.get_attribute("data-frame") == str(KNOWN_FRAME), "the readout")
        assert readout.get_attribute("data-bin") == str(KNOWN_BIN)
        assert abs(float(readout.get_attribute("data-mel")) - KNOWN_TARGET) <= tolerance
        text = readout.inner_text()
        assert f"frame {KNOWN_FRAME}" in text and f"mel {KNOWN_BIN}" in text
        assert f"t {KNOWN_FRAME * 256 / 22050:.3f} s" in text


def test_the_stats_line_is_the_samples_range_and_mean(browser, server):
    target, _ = known_mel(STEPS - 1)
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/full")
        wait_shown(mel, STEPS - 1)
        stats = mel.locator(".spectro-stats-text")
        wait_until(lambda: stats.get_attribute("data-mean") is not None, "the stats line")
        assert float(stats.get_attribute("data-min")) == pytest.approx(float(target.min()), abs=1e-5)
        assert float(stats.get_attribute("data-max")) == pytest.approx(float(target.max()), abs=1e-5)
        assert float(stats.get_attribute("data-mean")) == pytest.approx(float(target.mean()), rel=1e-5)
        assert stats.inner_text().startswith("min ")


def test_the_colour_range_is_the_steps_or_the_series(browser, server):
    with open_tab(browser, server) as (page, frame):
        ramp = card(frame, "tts", "mel/ramp")
        wait_shown(ramp, STEPS - 1)
        # Per step, the step's own range: its last frame is the map's top colour.
        wait_until(lambda: panel_pixel(ramp, "mel", FRAMES - 1, 10, FRAMES, N_MELS) == lut_rgb("viridis", 255), "top")
        ramp.locator(".spectro-step-slider").fill("0")
        wait_shown(ramp, 0)
        assert panel_pixel(ramp, "mel", FRAMES - 1, 10, FRAMES, N_MELS) == lut_rgb("viridis", 255)
        frame.locator(".spectro-range-mode").select_option("series")
        # Over the series, step 0's largest value is below the last step's: no longer the top colour.
        wait_until(
            lambda: panel_pixel(ramp, "mel", FRAMES - 1, 10, FRAMES, N_MELS) != lut_rgb("viridis", 255),
            "the series range",
        )


def test_a_batch_has_a_sample_selector_and_labels_are_text(browser, server):
    with open_tab(browser, server) as (page, frame):
        batch = card(frame, "tts", "mel/batch")
        wait_shown(batch, 0)
        select = batch.locator(".spectro-sample-select")
        assert select.locator("option").all_inner_texts() == ["first", XSS]
        select.select_option("1")
        wait_until(lambda: batch.get_attribute("data-shown-sample") == "1", "sample 1")
        assert XSS in batch.locator(".spectro-sample-text").inner_text()
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(500)  # an onerror handler would have fired by now; open_tab fails on any dialog
