"""The Spectro tab in a real browser: Debian's Chromium, driven by Playwright,
against the real `tensorboard` serving event files written by the summary ops."""

import json
import os
import urllib.parse
import warnings

import numpy as np
import pytest
from matplotlib import pyplot as plt

from support.browser import (
    FRAMES,
    KNOWN_BIN,
    KNOWN_FRAME,
    KNOWN_PREDICTED,
    KNOWN_TARGET,
    N_MELS,
    XSS,
    card,
    hover_cell,
    known_mel,
    lut_rgb,
    open_tab,
    panel_pixel,
    steps_fetched,
    wait_shown,
    wait_until,
)
from support.server import fetch, fetch_json, tensorboard, wait_for
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

STEPS = 200


def block_mel():
    """Predicted equals target but in one block, where target − predicted = 3."""
    target = np.tile(np.linspace(-8.0, 0.0, FRAMES, dtype=np.float32), (N_MELS, 1))
    predicted = target.copy()
    predicted[20:30, 10:20] -= 3.0
    return target, predicted


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            target, predicted = known_mel(step)
            spectro_summary.mel_comparison(
                "mel/known",
                target,
                predicted,
                step,
                writer=writer,
                sample_ids="LJ001-0001",
                texts="Printing, in the only sense",
            )
        spectro_summary.mel_comparison("mel/block", *block_mel(), 0, writer=writer)
        target, predicted = known_mel(0)
        target[5, 1:4] = np.nan
        predicted[6, 7] = np.inf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the op warns about non-finite values once per tag
            spectro_summary.mel_comparison("mel/nonfinite", target, predicted, 0, writer=writer)
    with spectro_summary.Writer(str(root / "tts2")) as writer:
        for step in range(0, 101, 10):
            spectro_summary.mel_comparison("mel/known", *known_mel(step), step, writer=writer)
    with spectro_summary.Writer(str(root / XSS)) as writer:
        spectro_summary.mel_comparison(XSS, *known_mel(0), 0, writer=writer, sample_ids=XSS, texts=XSS)
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def top_colours(name: str):
    """The colours of a map's top end; quantization moves a diff of 3 by up to a few table entries."""
    return [lut_rgb(name, index) for index in range(246, 256)]


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_tab_appears_and_a_card_paints_three_panels(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        assert page.locator("text=Spectro").first.is_visible()
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        panels = mel.locator(".spectro-panel")
        assert [panels.nth(i).get_attribute("data-panel") for i in range(3)] == ["target", "predicted", "diff"]
        for panel in ("target", "predicted", "diff"):
            colours = {tuple(panel_pixel(mel, panel, f, b, FRAMES, N_MELS)) for f in (5, 30, 50) for b in (3, 40, 70)}
            assert len(colours) > 1, f"{panel} panel is flat: {colours}"
        assert "LJ001-0001" in mel.locator(".spectro-sample-text").inner_text()


def test_slider_reaches_every_one_of_200_steps(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        slider = mel.locator(".spectro-step-slider")
        wait_shown(mel, STEPS - 1)
        assert slider.get_attribute("max") == str(STEPS - 1)
        slider.focus()
        page.keyboard.press("Home")
        wait_shown(mel, 0)
        page.keyboard.press("ArrowRight")
        wait_shown(mel, 1)
        page.keyboard.press("End")
        wait_shown(mel, STEPS - 1)
        assert mel.locator(".spectro-step-label").inner_text().startswith(f"step {STEPS - 1} ({STEPS}/{STEPS})")


def painted_steps(frame, run: str, tag: str, since: float) -> list:
    """The steps the card of (run, tag) drew after `since` (ms on the page's timeline), in order."""
    return frame.evaluate(
        """([key, since]) => performance.getEntriesByName("spectro:step-painted")
             .filter((m) => m.detail.card === key && m.startTime > since).map((m) => m.detail.step)""",
        [json.dumps([run, tag], separators=(",", ":")), since],
    )


def test_two_arrow_keys_between_two_frames_paint_both_steps(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        slider = mel.locator(".spectro-step-slider")
        # At step 52, then 50: each loads its neighbours, so 51 and 52 have loaded.
        for step in (52, 50):
            slider.fill(str(step))
            wait_shown(mel, step)
        wait_until(lambda: ("tts", "mel/known", 51) in steps_fetched(frame), "the step after step 50")
        page.wait_for_timeout(300)
        # Two key repeats handled in one task, as when the page was busy and they queued: the frame
        # after the first shows its step, the second's waits for the next frame.
        since = frame.evaluate(
            """(slider) => {
                 const now = performance.now();
                 for (let i = 0; i < 2; i++)
                   slider.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
                 return now;
               }""",
            slider.element_handle(),
        )
        wait_shown(mel, 52)
        # (A redraw of step 50 may come first.)
        assert [step for step in painted_steps(frame, "tts", "mel/known", since) if step != 50][:2] == [51, 52]
        assert slider.input_value() == "52"
        # The ◀ button and the arrow keys on the card step as well.
        mel.locator(".spectro-step-previous").click()
        wait_shown(mel, 51)
        mel.locator(".spectro-card-title").click()
        page.keyboard.press("ArrowLeft")
        wait_shown(mel, 50)


def test_cursor_readout_shows_the_written_values(browser, server):
    description_url = (
        server
        + "/data/plugin/spectro/data?"
        + urllib.parse.urlencode({"run": "tts", "tag": "mel/known", "step": STEPS - 1})
    )
    body = fetch(description_url)[1]
    arrays = json.loads(body[8 : 8 + int.from_bytes(body[4:8], "little")])["arrays"]
    tolerance = arrays[0]["scale"] / 2 + 1e-6  # half a quantization step
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        for panel in ("target", "diff"):
            hover_cell(page, mel, panel, KNOWN_FRAME, KNOWN_BIN, FRAMES, N_MELS)
            readout = mel.locator(".spectro-readout")
            wait_until(lambda: readout.get_attribute("data-frame") == str(KNOWN_FRAME), "the readout")
            assert readout.get_attribute("data-bin") == str(KNOWN_BIN)
            target = float(readout.get_attribute("data-target"))
            predicted = float(readout.get_attribute("data-predicted"))
            diff = float(readout.get_attribute("data-diff"))
            assert abs(target - KNOWN_TARGET) <= tolerance
            assert abs(predicted - KNOWN_PREDICTED) <= tolerance
            assert diff == pytest.approx(target - predicted, abs=1e-5)
            assert f"frame {KNOWN_FRAME}" in readout.inner_text() and f"mel {KNOWN_BIN}" in readout.inner_text()


def test_diff_panel_is_target_minus_predicted(browser, server):
    with open_tab(browser, server) as (page, frame):
        block = card(frame, "tts", "mel/block")
        wait_shown(block, 0)
        # |diff| on "hot" over [0, max |diff|]: 3 in the block is the top colour, 0 elsewhere the bottom one.
        assert panel_pixel(block, "diff", 15, 25, FRAMES, N_MELS) in top_colours("hot")
        assert panel_pixel(block, "diff", 40, 25, FRAMES, N_MELS) == lut_rgb("hot", 0)
        assert panel_pixel(block, "diff", 15, 60, FRAMES, N_MELS) == lut_rgb("hot", 0)
        # Signed, symmetric around 0: target > predicted is the red end, equal is the centre.
        frame.select_option(".spectro-diff-mode", "signed")
        wait_until(
            lambda: panel_pixel(block, "diff", 15, 25, FRAMES, N_MELS) in top_colours("RdBu_r"), "the signed diff"
        )
        assert panel_pixel(block, "diff", 40, 25, FRAMES, N_MELS) == lut_rgb("RdBu_r", 128)
        # Target and predicted share one range: equal values, equal colours.
        assert panel_pixel(block, "target", 40, 5, FRAMES, N_MELS) == panel_pixel(
            block, "predicted", 40, 5, FRAMES, N_MELS
        )


def test_text_from_logs_is_shown_as_text(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, XSS, XSS)
        assert mel.locator(".spectro-card-title").inner_text() == XSS
        assert mel.locator(".spectro-card-run").inner_text() == XSS
        assert XSS in mel.locator(".spectro-sample-text").inner_text()
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(500)  # an onerror handler would have fired by now; open_tab fails on any dialog


def test_zoom_and_reset_are_shared_by_the_three_panels(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        hover_cell(page, mel, "predicted", 30, 40, FRAMES, N_MELS)
        page.mouse.wheel(0, -400)
        window = wait_until(lambda: mel.get_attribute("data-window"), "a zoom window")
        start, end = map(float, window.split(","))
        assert 0 <= start < 30 < end <= FRAMES and end - start < FRAMES
        # The cursor is one: hovering the zoomed predicted panel reads the same cell in every panel.
        hover_cell(page, mel, "diff", 0, 10, end - start, N_MELS)
        readout = mel.locator(".spectro-readout")
        wait_until(lambda: readout.get_attribute("data-frame") == str(int(start + 0.5)), "the zoomed readout")
        mel.locator('.spectro-panel[data-panel="target"] .spectro-overlay').dblclick()
        wait_until(lambda: mel.get_attribute("data-window") == "", "the zoom to reset")


def test_linked_steps_move_every_card(browser, server):
    with open_tab(browser, server) as (page, frame):
        first = card(frame, "tts", "mel/known")
        second = card(frame, "tts2", "mel/known")
        wait_shown(second, 100)
        frame.check(".spectro-link-steps")
        first.locator(".spectro-step-slider").fill("57")
        wait_shown(first, 57)
        wait_shown(second, 50)  # the nearest logged step at or before 57


def test_play_walks_through_the_steps(browser, server):
    with open_tab(browser, server) as (page, frame):
        second = card(frame, "tts2", "mel/known")
        wait_shown(second, 100)
        # Every step the card paints, recorded in the page: play must paint each one, in order.
        second.evaluate("""el => {
            window.shownSteps = [];
            new MutationObserver(() => window.shownSteps.push(Number(el.dataset.shownStep)))
                .observe(el, {attributes: true, attributeFilter: ["data-shown-step"]});
        }""")
        play = second.locator(".spectro-play")
        play.click()  # at the last step, play starts over from the first
        wait_until(lambda: play.inner_text() == "Pause", "play to start")
        wait_until(lambda: play.inner_text() == "Play", "play to stop at the last step")
        shown = frame.evaluate("window.shownSteps")
        painted = [step for i, step in enumerate(shown) if i == 0 or step != shown[i - 1]]
        # Before step 0 arrives, the card may show a loaded step nearer to it (the stand-in).
        assert 0 in painted, shown
        assert painted[painted.index(0) :] == list(range(0, 101, 10)), shown
        assert second.get_attribute("data-shown-step") == "100"


def test_reload_brings_new_steps_and_keeps_the_selection(browser, tmp_path):
    run = tmp_path / "live"
    with spectro_summary.Writer(str(run)) as writer:
        for step in range(5):
            spectro_summary.mel_comparison("mel/live", *known_mel(step), step, writer=writer)
    with tensorboard(tmp_path, "false") as base, open_tab(browser, base) as (page, frame):
        live = card(frame, "live", "mel/live")
        wait_shown(live, 4)
        live.locator(".spectro-step-slider").fill("2")
        wait_shown(live, 2)
        with spectro_summary.Writer(str(run)) as writer:
            for step in range(5, 8):
                spectro_summary.mel_comparison("mel/live", *known_mel(step), step, writer=writer)

        def reloaded():
            page.locator("button.reload-button").click()
            page.wait_for_timeout(500)
            return live.locator(".spectro-step-slider").get_attribute("max") == "7"

        wait_until(reloaded, "the new steps after TensorBoard's reload", timeout=60)
        assert live.get_attribute("data-shown-step") == "2"
        live.locator(".spectro-step-slider").fill("7")
        wait_shown(live, 7)


def test_empty_logdir_shows_how_to_write_the_first_comparison(browser, tmp_path):
    with tensorboard(tmp_path, "false") as base, open_tab(browser, base) as (page, frame):
        empty = frame.locator(".spectro-empty")
        empty.wait_for()
        assert "spectro_summary.mel_comparison(" in empty.locator("code").inner_text()


def test_screenshot_of_the_demo(browser, tmp_path):
    """Takes the README's picture of the tab on the demo data (SPECTRO_SCREENSHOT=path keeps it)."""
    from tb_plugin_spectro import demo

    demo.write_demo(str(tmp_path), steps=300, every=5)
    path = os.environ.get("SPECTRO_SCREENSHOT") or str(tmp_path / "spectro-tab.png")
    with tensorboard(tmp_path, "false") as base:
        wait_for(
            lambda: fetch_json(base + "/data/plugin/spectro/tags")["tts"]["mel/reference"]["last_step"] == 300,
            60,
            "the demo's last step to be loaded",
        )
        with open_tab(browser, base) as (page, frame):
            reference = card(frame, "tts", "mel/reference")
            wait_shown(reference, 300)  # a card opens at the last step
            # Early in training, where the difference still has structure; both cards linked.
            frame.check(".spectro-link-steps")
            reference.locator(".spectro-step-slider").fill("12")
            wait_shown(reference, 60)
            wait_shown(card(frame, "tts", "mel/train"), 60)
            hover_cell(page, reference, "predicted", 60, 22, 100, 80)  # 60 % along, in the formants
            page.wait_for_timeout(300)
            page.screenshot(path=path)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(path) > 50_000, "the screenshot looks empty"


def test_nonfinite_values_are_flagged_and_drawn_apart(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/nonfinite")
        wait_shown(mel, 0)
        assert mel.locator(".spectro-nonfinite").inner_text() == "NaN 3 · +Inf 1"
        magenta = [255, 0, 255]
        assert panel_pixel(mel, "target", 2, 5, FRAMES, N_MELS) == magenta
        assert panel_pixel(mel, "predicted", 7, 6, FRAMES, N_MELS) == magenta
        assert panel_pixel(mel, "diff", 2, 5, FRAMES, N_MELS) == magenta
        assert panel_pixel(mel, "target", 8, 5, FRAMES, N_MELS) != magenta


def test_downloads_are_the_step_as_npz_and_png(browser, server, tmp_path):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        mel.locator(".spectro-step-slider").fill("42")
        wait_shown(mel, 42)
        with page.expect_download() as npz:
            mel.locator(".spectro-download-npz").click()
        npz.value.save_as(tmp_path / "step.npz")
        assert npz.value.suggested_filename == "tts_mel_known_step42_sample0.npz"
        with np.load(tmp_path / "step.npz") as arrays:
            target, predicted = known_mel(42)
            scale = (max(target.max(), predicted.max()) - min(target.min(), predicted.min())) / 255
            assert np.abs(arrays["target"] - target).max() <= scale / 2 + 1e-5
            assert np.array_equal(arrays["diff"], arrays["target"] - arrays["predicted"])
        with page.expect_download() as png:
            mel.locator(".spectro-download-png").click()
        path = tmp_path / "panels.png"
        png.value.save_as(path)
        image = plt.imread(str(path))
        assert image.shape[0] > 3 * 140 and image.shape[1] > 300  # three panels stacked
        assert png.value.suggested_filename.endswith("_step42_sample0.png")


def test_the_trend_jumps_to_a_step_when_clicked(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "tts", "mel/known")
        wait_shown(mel, STEPS - 1)
        trend = mel.locator(".spectro-trend")
        trend.scroll_into_view_if_needed()
        box = trend.bounding_box()
        page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
        wait_shown(mel, 0)
        page.mouse.click(box["x"] + 2 + (box["width"] - 4) / 2, box["y"] + box["height"] / 2)
        # Within two steps: a pixel of the chart spans about 0.4 steps, and the iframe's offset is fractional.
        wait_until(lambda: abs(int(mel.get_attribute("data-shown-step")) - (STEPS - 1) / 2) <= 2, "the middle step")


def test_tag_filter_is_a_regular_expression(browser, server):
    with open_tab(browser, server) as (page, frame):
        card(frame, "tts", "mel/block")
        visible = ".spectro-card:visible"
        frame.fill(".spectro-tag-filter", "^MEL/(block|non)")
        wait_until(
            lambda: (
                sorted(frame.eval_on_selector_all(visible, "cards => cards.map(c => c.dataset.tag)"))
                == ["mel/block", "mel/nonfinite"]
            ),
            "the filtered cards",
        )
        frame.fill(".spectro-tag-filter", "mel/(")
        wait_until(
            lambda: "invalid regular expression" in frame.locator(".spectro-filter-error").inner_text(), "the error"
        )
        assert frame.locator(visible).count() == 0
        frame.fill(".spectro-tag-filter", "")
        wait_until(lambda: frame.locator(visible).count() == 5, "every card back")
