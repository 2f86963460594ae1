"""Alignments in a real browser: Debian's Chromium, driven by Playwright,
against the real `tensorboard` serving event files written by
`spectro_summary.alignment` and by `spectro_summary.mel_comparison` with an
attached alignment."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import (
    FRAMES,
    KNOWN_BIN,
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
from support.server import fetch, fetch_json, tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

TOKENS = 12  # tokens of every alignment here; the frames are the mels' FRAMES
STEPS = 3  # steps of the attention series; the last one holds known_weights()
KNOWN_TOKEN, KNOWN_FRAME = 7, 41  # the cell whose weight the readout test knows
KNOWN_WEIGHT = 0.6543
XSS_TOKEN = 4
TOKEN_LABELS = ["s", "p", "ɪ", "tʃ", XSS, "aɪ", "ə", "n", "θ", "ɛ", "k", "."]
DURATIONS = [5] * TOKENS  # 60 frames: token t holds frames 5t … 5t+4


def known_weights() -> np.ndarray:
    """A soft diagonal [TOKENS, FRAMES] whose columns sum to 1; (KNOWN_TOKEN, KNOWN_FRAME) holds KNOWN_WEIGHT."""
    frames = np.arange(FRAMES)[None, :]
    centre = (np.arange(TOKENS)[:, None] + 0.5) * FRAMES / TOKENS
    weights = np.exp(-(((frames - centre) / 3.0) ** 2)).astype(np.float32)
    weights /= weights.sum(axis=0, keepdims=True)
    column = weights[:, KNOWN_FRAME]
    others = np.arange(TOKENS) != KNOWN_TOKEN
    column[others] *= (1 - KNOWN_WEIGHT) / column[others].sum()
    column[KNOWN_TOKEN] = KNOWN_WEIGHT
    return weights


def diffuse_weights(step: int) -> np.ndarray:
    rng = np.random.default_rng(step)
    weights = rng.uniform(0.5, 1.0, (TOKENS, FRAMES)).astype(np.float32)
    return weights / weights.sum(axis=0, keepdims=True)


def hard_path(frame: int) -> int:
    return frame // DURATIONS[0]


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("alignment")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            weights = known_weights() if step == STEPS - 1 else diffuse_weights(step)
            spectro_summary.alignment(
                "align/attn", weights, step, writer=writer, tokens=TOKEN_LABELS, sample_ids="LJ001-0001"
            )
        spectro_summary.alignment("align/durations", None, 0, writer=writer, durations=DURATIONS, tokens=TOKEN_LABELS)
        target, predicted = known_mel(0)
        spectro_summary.mel_comparison(
            "mel/aligned",
            target,
            predicted,
            0,
            writer=writer,
            alignment=known_weights(),
            tokens=TOKEN_LABELS,
        )
        spectro_summary.mel_comparison("mel/plain", target, predicted, 0, writer=writer)
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def weights_scale(base: str, tag: str, step: int) -> float:
    query = urllib.parse.urlencode({"run": "tts", "tag": tag, "step": step})
    body = fetch(base + "/data/plugin/spectro/data?" + query)[1]
    arrays = json.loads(body[8 : 8 + int.from_bytes(body[4:8], "little")])["arrays"]
    return arrays[-1]["scale"]


def wait_readout(locator, frame_index: int):
    readout = locator.locator(".spectro-readout")
    wait_until(lambda: readout.get_attribute("data-frame") == str(frame_index), f"the readout at frame {frame_index}")
    return readout


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_the_card_paints_and_reads_the_written_weight(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        tolerance = weights_scale(base, "align/attn", STEPS - 1) / 2 + 1e-6
        attn = card(frame, "tts", "align/attn")
        wait_shown(attn, STEPS - 1)
        colours = {
            tuple(panel_pixel(attn, "weights", f, hard_path(f) + d, FRAMES, TOKENS))
            for f in (12, 30, 47)
            for d in (-1, 0, 1)
        }
        assert len(colours) > 3, f"the heatmap is flat: {colours}"
        hover_cell(page, attn, "weights", KNOWN_FRAME, KNOWN_TOKEN, FRAMES, TOKENS)
        readout = wait_readout(attn, KNOWN_FRAME)
        assert readout.get_attribute("data-token") == str(KNOWN_TOKEN)
        assert readout.get_attribute("data-token-label") == TOKEN_LABELS[KNOWN_TOKEN]
        assert abs(float(readout.get_attribute("data-weight")) - KNOWN_WEIGHT) <= tolerance
        assert f'token {KNOWN_TOKEN} "{TOKEN_LABELS[KNOWN_TOKEN]}"' in readout.inner_text()
        # A hard alignment from durations: weight 1 on its path, the sequential map's top colour, 0 elsewhere.
        hard = card(frame, "tts", "align/durations")
        wait_shown(hard, 0)
        for frame_index in (0, 22, 59):
            token = hard_path(frame_index)
            assert panel_pixel(hard, "weights", frame_index, token, FRAMES, TOKENS) == lut_rgb("viridis", 255)
            other = (token + 3) % TOKENS
            assert panel_pixel(hard, "weights", frame_index, other, FRAMES, TOKENS) == lut_rgb("viridis", 0)


def test_token_zero_goes_to_the_top_on_request(browser, server):
    with open_tab(browser, server) as (page, frame):
        hard = card(frame, "tts", "align/durations")
        wait_shown(hard, 0)
        hover_cell(page, hard, "weights", 10, 2, FRAMES, TOKENS)  # counted from the bottom
        assert wait_readout(hard, 10).get_attribute("data-token") == "2"
        hard.locator(".spectro-alignment-top").check()
        # Token 0 on top: the row third from the bottom is token TOKENS - 3, and the path's pixel moved there.
        wait_until(
            lambda: (
                panel_pixel(hard, "weights", 10, TOKENS - 1 - hard_path(10), FRAMES, TOKENS) == lut_rgb("viridis", 255)
            ),
            "the flipped image",
        )
        hover_cell(page, hard, "weights", 11, 2, FRAMES, TOKENS)
        assert wait_readout(hard, 11).get_attribute("data-token") == str(TOKENS - 3)


def test_the_most_attended_path_is_drawn_on_request(browser, server):
    with open_tab(browser, server) as (page, frame):
        hard = card(frame, "tts", "align/durations")
        wait_shown(hard, 0)

        def edge_pixel():
            """Just inside the left edge of the path's cell at frame 30, where an outline runs."""
            return hard.evaluate(
                """(card, [f, t, frames, tokens]) => {
                  const box = card.querySelector('.spectro-panel[data-panel="weights"]');
                  const [x, y, w, h] = box.dataset.plot.split(",").map(Number);
                  const canvas = box.querySelector("canvas.spectro-plot");
                  const ratio = canvas.width / canvas.getBoundingClientRect().width;
                  const px = Math.floor((x + f / frames * w + 1.5) * ratio);
                  const py = Math.floor((y + h - (t + 0.5) / tokens * h) * ratio);
                  return Array.from(canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3));
                }""",
                [30, hard_path(30), FRAMES, TOKENS],
            )

        assert edge_pixel() == lut_rgb("viridis", 255)
        hard.locator(".spectro-alignment-path").check()
        wait_until(lambda: edge_pixel() != lut_rgb("viridis", 255), "the path's outline")


def test_the_stats_and_their_trends(browser, server):
    steps = fetch_json(
        server + "/data/plugin/spectro/steps?" + urllib.parse.urlencode({"run": "tts", "tag": "align/attn"})
    )["steps"]
    stats = steps[-1]["samples"][0]["stats"]
    with open_tab(browser, server) as (page, frame):
        attn = card(frame, "tts", "align/attn")
        wait_shown(attn, STEPS - 1)
        line = attn.locator(".spectro-stats-text")
        wait_until(lambda: line.get_attribute("data-focus-rate") is not None, "the stats line")
        for key in ("focus_rate", "monotonicity", "coverage", "diagonal_distance"):
            attribute = "data-" + key.replace("_", "-")
            assert float(line.get_attribute(attribute)) == pytest.approx(stats[key], abs=1e-6), key
        text = line.inner_text()
        assert "focus rate" in text and "monotonicity" in text and "coverage" in text and "diagonal" in text
        for key in ("monotonicity", "coverage", "diagonal_distance"):
            assert attn.locator(f'.spectro-alignment-trend[data-stat="{key}"] canvas').is_visible()


def test_token_labels_with_markup_are_text(browser, server):
    with open_tab(browser, server) as (page, frame):
        hard = card(frame, "tts", "align/durations")
        wait_shown(hard, 0)
        frame_index = DURATIONS[0] * XSS_TOKEN + 1
        hover_cell(page, hard, "weights", frame_index, XSS_TOKEN, FRAMES, TOKENS)
        readout = wait_readout(hard, frame_index)
        assert readout.get_attribute("data-token-label") == XSS
        assert XSS in readout.inner_text()
        assert hard.locator('.spectro-panel[data-panel="weights"]').get_attribute("title") == XSS
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(500)  # an onerror handler would have fired by now; open_tab fails on any dialog


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_a_mel_card_shows_its_alignment_as_a_fourth_panel(browser, logdir, load_fast):
    weights = known_weights()
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        mel = card(frame, "tts", "mel/aligned")
        wait_shown(mel, 0)
        panel = mel.locator('.spectro-panel[data-panel="alignment"]')
        wait_until(lambda: panel.is_visible(), "the alignment panel")
        top = int(np.argmax(weights[:, 10]))
        # The sequential map from 0 to the largest weight: the largest weight takes the top colour.
        largest_token, largest_frame = map(int, np.unravel_index(np.argmax(weights), weights.shape))
        assert panel_pixel(mel, "alignment", largest_frame, largest_token, FRAMES, TOKENS) == lut_rgb("viridis", 255)
        assert panel_pixel(mel, "alignment", 10, (top + 6) % TOKENS, FRAMES, TOKENS) == lut_rgb("viridis", 0)
        # The cursor on a frame of the target shows that frame's most-attended token under the mels.
        hover_cell(page, mel, "target", KNOWN_FRAME, KNOWN_BIN, FRAMES, N_MELS)
        readout = wait_readout(mel, KNOWN_FRAME)
        assert readout.get_attribute("data-bin") == str(KNOWN_BIN)
        assert readout.get_attribute("data-token") == str(KNOWN_TOKEN)
        assert readout.get_attribute("data-token-label") == TOKEN_LABELS[KNOWN_TOKEN]
        tolerance = weights_scale(base, "mel/aligned", 0) / 2 + 1e-6
        assert abs(float(readout.get_attribute("data-weight")) - KNOWN_WEIGHT) <= tolerance
        # Zoom on the target: the alignment panel shows the same frames.
        hover_cell(page, mel, "target", 30, 40, FRAMES, N_MELS)
        page.mouse.wheel(0, -400)
        window = wait_until(lambda: mel.get_attribute("data-window"), "a zoom window")
        start, end = map(float, window.split(","))
        assert end - start < FRAMES
        target_window = mel.locator('.spectro-panel[data-panel="target"]').get_attribute("data-window")
        wait_until(lambda: panel.get_attribute("data-window") == target_window, "the alignment panel's window")
        assert list(map(float, target_window.split(","))) == [start, end]
        # Hovering the zoomed alignment panel moves the one cursor: the readout names the frame and its token.
        hover_cell(page, mel, "alignment", 0, 0, end - start, TOKENS)
        first = int(np.floor(start + 0.5))
        readout = wait_readout(mel, first)
        assert readout.get_attribute("data-token") == str(int(np.argmax(weights[:, first])))


def test_a_mel_card_without_an_alignment_has_three_panels(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/plain")
        wait_shown(mel, 0)
        assert not mel.locator('.spectro-panel[data-panel="alignment"]').is_visible()
        hover_cell(page, mel, "target", KNOWN_FRAME, KNOWN_BIN, FRAMES, N_MELS)
        readout = wait_readout(mel, KNOWN_FRAME)
        assert readout.get_attribute("data-token") is None
        assert "token" not in readout.inner_text()


def test_the_colour_range_is_the_largest_weight_or_one(browser, server):
    weights = diffuse_weights(0)
    token, frame_index = map(int, np.unravel_index(np.argmax(weights), weights.shape))
    with open_tab(browser, server) as (page, frame):
        attn = card(frame, "tts", "align/attn")
        wait_shown(attn, STEPS - 1)
        attn.locator(".spectro-step-slider").fill("0")
        wait_shown(attn, 0)
        # [0, the step's largest weight]: a diffuse step's largest weight takes the top colour.
        assert panel_pixel(attn, "weights", frame_index, token, FRAMES, TOKENS) == lut_rgb("viridis", 255)
        attn.locator(".spectro-alignment-range").select_option("unit")
        # [0, 1]: the same weight, well under 1, is far from the top.
        index = int(weights.max() * 256)
        assert index < 128
        wait_until(
            lambda: (
                panel_pixel(attn, "weights", frame_index, token, FRAMES, TOKENS)
                in [lut_rgb("viridis", i) for i in range(index - 2, index + 3)]
            ),
            "the fixed range",
        )
