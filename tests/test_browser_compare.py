"""Comparing in a real browser: a step pinned within a run, and the view kept in TensorBoard's URL."""

import urllib.parse

import numpy as np
import pytest

from support.browser import (
    FRAMES,
    N_MELS,
    XSS,
    card,
    hover_cell,
    open_tab,
    panel_pixel,
    reopen,
    steps_fetched,
    wait_shown,
    wait_until,
)
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

RUNS = {"run_a": 0.0, "run_b": 0.5, "run_c": 1.5}  # each run's prediction is the target plus its offset
STEPS = [0, 10, 20, 30]
CHANGE_PER_STEP = 0.1  # every prediction moves by this much per logged step number
CELL = (23, 37)  # frame, mel bin
SPARSE_STEPS = [0, 20]  # a run logged less often: at 10 and 30 it shows 0 and 20
TAG = "mel/compare"
SPECTROGRAM_TAG = "mel/inference"


def target():
    frames = np.linspace(-6.0, 0.0, FRAMES, dtype=np.float32)
    bins = np.linspace(0.0, 2.0, N_MELS, dtype=np.float32)[:, None]
    return (frames[None, :] - bins).astype(np.float32)


def predicted(run: str, step: int):
    return (target() + RUNS[run] + CHANGE_PER_STEP * step).astype(np.float32)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    for run in RUNS:
        with spectro_summary.Writer(str(root / run)) as writer:
            for step in STEPS:
                spectro_summary.mel_comparison(
                    TAG, target(), predicted(run, step), step, writer=writer, precision="uint16"
                )
                spectro_summary.spectrogram(
                    SPECTROGRAM_TAG, predicted(run, step), step, writer=writer, precision="uint16"
                )
    with spectro_summary.Writer(str(root / "run_sparse")) as writer:
        for step in SPARSE_STEPS:
            spectro_summary.mel_comparison(TAG, target(), predicted("run_a", step), step, writer=writer)
    with spectro_summary.Writer(str(root / XSS)) as writer:
        spectro_summary.mel_comparison(TAG, target(), predicted("run_a", 0), 0, writer=writer)
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def readout_values(page, mel):
    hover_cell(page, mel, "diff", *CELL, FRAMES, N_MELS)
    readout = mel.locator(".spectro-readout")
    wait_until(lambda: readout.get_attribute("data-frame") == str(CELL[0]), "the readout")
    return {name: float(readout.get_attribute(f"data-{name}")) for name in ("target", "predicted", "diff")}


def test_a_pinned_step_turns_the_difference_into_the_change_since_it(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_b", TAG)
        wait_shown(mel, 30)
        assert readout_values(page, mel)["diff"] == pytest.approx(-RUNS["run_b"] - 30 * CHANGE_PER_STEP, abs=1e-3)
        mel.locator(".spectro-step-slider").fill("1")
        wait_shown(mel, 10)
        mel.locator(".spectro-pin-step").click()
        wait_until(lambda: mel.get_attribute("data-pinned") == "10", "the pinned step")
        assert mel.locator(".spectro-pin-step").inner_text() == "Unpin step 10"
        mel.locator(".spectro-step-slider").fill("3")
        wait_shown(mel, 30)
        wait_until(lambda: mel.get_attribute("data-pinned-shown") == "10", "the pinned step's prediction")
        values = readout_values(page, mel)
        # prediction(30) − prediction(10): the known change of 20 steps.
        assert values["diff"] == pytest.approx(20 * CHANGE_PER_STEP, abs=1e-3)
        assert mel.get_attribute("data-diff-text") == "|predicted(step 30) − predicted(step 10)|"
        mel.locator(".spectro-pin-step").click()
        wait_until(lambda: mel.get_attribute("data-pinned") == "", "the step to unpin")
        assert readout_values(page, mel)["diff"] == pytest.approx(-RUNS["run_b"] - 30 * CHANGE_PER_STEP, abs=1e-3)


def test_the_url_keeps_the_view_through_a_reload(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_c", TAG)
        wait_shown(mel, 30)
        mel.locator(".spectro-step-slider").fill("1")
        wait_shown(mel, 10)
        mel.locator(".spectro-pin-step").click()
        mel.locator(".spectro-step-slider").fill("2")
        wait_shown(mel, 20)
        hover_cell(page, mel, "predicted", 30, 40, FRAMES, N_MELS)
        page.mouse.wheel(0, -400)
        window = wait_until(lambda: mel.get_attribute("data-window"), "a zoom window")
        frame.select_option(".spectro-colormap", "magma")
        frame.select_option(".spectro-diff-mode", "signed")
        # Playwright's page.url follows navigations only; the pane replaces the history entry.
        url = wait_until(
            lambda: (href := page.evaluate("location.href")) and "p.spectro.diff=signed" in href and href,
            "the view in the URL",
        )
        assert "p.spectro.cards=" in url and "p.spectro.colormap=magma" in url
        assert urllib.parse.urlsplit(url).fragment.startswith("spectro&")
        frame = reopen(page, url)
        mel = card(frame, "run_c", TAG)
        wait_shown(mel, 20)
        assert mel.get_attribute("data-pinned") == "10"
        assert mel.get_attribute("data-window") == window
        assert frame.locator(".spectro-colormap").input_value() == "magma"
        assert frame.locator(".spectro-diff-mode").input_value() == "signed"
        # The other cards open as they would without the link.
        wait_shown(card(frame, "run_a", TAG), 30)


def test_malformed_url_state_is_ignored(browser, server):
    bad = urllib.parse.quote('[{"run":"run_a","tag":"' + TAG + '","step":"x","window":[9,1]},7,{')
    with open_tab(browser, server) as (page, frame):
        frame = reopen(page, f"{server}/#spectro&p.spectro.cards={bad}&p.spectro.colormap=nope")
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        assert mel.get_attribute("data-window") == ""
        assert frame.locator(".spectro-colormap").input_value() == "viridis"


def test_run_names_with_markup_are_text(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, XSS, TAG)
        assert mel.locator(".spectro-card-run").inner_text() == XSS
        assert frame.evaluate("document.querySelectorAll('img').length") == 0


def compare_with(mel, *runs):
    for run in runs:
        mel.locator(f".spectro-compare-runs input[data-run={run}]").check()
    wait_until(lambda: mel.get_attribute("data-compared") == "\n".join(runs), "the compared runs")


def test_compared_runs_share_the_cursor_and_the_readout_lists_each_runs_value(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        compare_with(mel, "run_b", "run_c")
        assert mel.get_attribute("data-targets-shared") == "true"
        # The trends of all three runs, overlaid.
        trend = mel.locator(".spectro-trend")
        wait_until(lambda: trend.get_attribute("data-lines") == "3", "three trend lines")
        # The target shows once; each compared run adds its prediction and difference.
        names = mel.locator(".spectro-panel").evaluate_all("panels => panels.map((p) => p.dataset.panel)")
        assert names[:7] == [
            "target",
            "predicted",
            "diff",
            "run1-predicted",
            "run1-diff",
            "run2-predicted",
            "run2-diff",
        ]
        hover_cell(page, mel, "run2-diff", *CELL, FRAMES, N_MELS)
        known_target = float(target()[CELL[1], CELL[0]])
        for run, offset in RUNS.items():
            row = mel.locator(f".spectro-compare-row[data-run={run}]")
            wait_until(lambda: row.get_attribute("data-predicted") is not None, f"{run}'s value")
            assert float(row.get_attribute("data-predicted")) == pytest.approx(
                known_target + offset + 30 * CHANGE_PER_STEP, abs=1e-3
            )
            assert float(row.get_attribute("data-diff")) == pytest.approx(-offset - 30 * CHANGE_PER_STEP, abs=1e-3)
        # One step for all: moving the card moves every compared run.
        mel.locator(".spectro-step-slider").fill("1")
        wait_shown(mel, 10)
        row = mel.locator(".spectro-compare-row[data-run=run_c]")
        wait_until(
            lambda: abs(float(row.get_attribute("data-predicted") or "nan") - (known_target + 1.5 + 1.0)) < 1e-3,
            "run_c at step 10",
        )
        assert "p.spectro.cards=" in page.evaluate("location.href")


def test_stepping_one_by_one_shows_each_runs_own_step_as_a_jump_to_it_does(browser, server):
    """Stepped to with a key, a step's panels are painted ahead, while the page is idle; they match a fresh paint."""
    panels = ("predicted", "diff", "run1-predicted", "run1-diff", "run2-predicted", "run2-diff")
    cells = [(5, 10), CELL, (400, 70), (FRAMES - 3, N_MELS - 2)]

    def pixels(mel):
        return {panel: [panel_pixel(mel, panel, f, b, FRAMES, N_MELS) for f, b in cells] for panel in panels}

    def shown(mel, step):
        wait_shown(mel, step)
        for run in ("run_b", "run_c"):
            panel = mel.locator(f'.spectro-panel[data-run="{run}"][data-panel$="-predicted"]')
            wait_until(lambda: panel.get_attribute("data-step") == str(step), f"{run} at step {step}")
        mel.page.wait_for_timeout(300)  # idle: the next step is painted ahead

    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        compare_with(mel, "run_b", "run_c")
        slider = mel.locator(".spectro-step-slider")
        slider.focus()
        page.keyboard.press("ArrowLeft")
        shown(mel, 20)
        at_20 = pixels(mel)
        page.keyboard.press("ArrowLeft")
        shown(mel, 10)
        stepped = pixels(mel)
        # A jump away and back paints step 10 afresh.
        slider.fill("3")
        shown(mel, 30)
        slider.fill("1")
        shown(mel, 10)
        assert pixels(mel) == stepped
        # Each prediction moved on from step 20 (a run's difference is the same colour at its range's end).
        for panel in ("predicted", "run1-predicted", "run2-predicted"):
            assert stepped[panel] != at_20[panel], panel


def test_the_swipe_divider_splits_at_the_dragged_column(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        swipe = mel.locator(".spectro-swipe")
        assert not swipe.is_visible()  # nothing to swipe to before a run is compared
        compare_with(mel, "run_c")
        wait_until(swipe.is_visible, "the swipe toggle")
        swipe.check()
        divider = mel.locator(".spectro-swipe-divider")
        wait_until(lambda: divider.get_attribute("data-split") == str(FRAMES // 2), "the divider in the middle")
        panel = mel.locator('.spectro-panel[data-panel="predicted"]')
        x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
        box = panel.bounding_box()
        handle = divider.bounding_box()
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + x + 10 / FRAMES * w, box["y"] + y + h / 2, steps=5)
        page.mouse.up()
        wait_until(lambda: divider.get_attribute("data-split") == "10", "the divider at column 10")
        for col in (2, 9, 10, 40):
            own = panel_pixel(mel, "predicted", col, CELL[1], FRAMES, N_MELS)
            other = panel_pixel(mel, "run1-predicted", col, CELL[1], FRAMES, N_MELS)
            own_diff = panel_pixel(mel, "diff", col, CELL[1], FRAMES, N_MELS)
            assert own_diff is not None
            if col < 10:
                assert own != other, col
            else:
                assert own == other, col


def test_run_names_with_markup_are_text_when_compared(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        label = mel.locator(".spectro-compare-runs label", has_text=XSS)
        assert label.inner_text().strip() == XSS
        label.locator("input").check()
        row = mel.locator(".spectro-compare-row").nth(1)
        wait_until(lambda: row.get_attribute("data-run") == XSS, "the row of the run")
        assert row.locator(".spectro-run-name").inner_text() == XSS
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(300)


def test_holding_the_flicker_key_shows_the_other_runs_prediction(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        compare_with(mel, "run_c")

        def same_as_other():
            return panel_pixel(mel, "predicted", 40, CELL[1], FRAMES, N_MELS) == panel_pixel(
                mel, "run1-predicted", 40, CELL[1], FRAMES, N_MELS
            )

        assert not same_as_other()
        mel.focus()
        page.keyboard.down("f")
        wait_until(lambda: mel.get_attribute("data-flicker") == "1", "the flicker")
        wait_until(same_as_other, "the other run's prediction")
        page.keyboard.up("f")
        wait_until(lambda: mel.get_attribute("data-flicker") == "", "the flicker to end")
        wait_until(lambda: not same_as_other(), "the card's own prediction")


def test_a_single_spectrogram_card_compares_runs(browser, server):
    with open_tab(browser, server) as (page, frame):
        spectrogram = card(frame, "run_a", SPECTROGRAM_TAG)
        wait_shown(spectrogram, 30)
        assert spectrogram.locator(".spectro-pin-step").is_hidden()
        compare_with(spectrogram, "run_b")
        names = spectrogram.locator(".spectro-panel").evaluate_all("panels => panels.map((p) => p.dataset.panel)")
        assert names[:2] == ["mel", "run1-predicted"]
        hover_cell(page, spectrogram, "run1-predicted", *CELL, FRAMES, N_MELS)
        for run in ("run_a", "run_b"):
            row = spectrogram.locator(f".spectro-compare-row[data-run={run}]")
            wait_until(lambda: row.get_attribute("data-predicted") is not None, f"{run}'s value")
            expected = float(predicted(run, 30)[CELL[1], CELL[0]])
            assert float(row.get_attribute("data-predicted")) == pytest.approx(expected, abs=1e-3)
            assert row.get_attribute("data-diff") is None


def test_each_run_shows_its_nearest_step_at_or_before_and_names_it(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        compare_with(mel, "run_b", "run_sparse")
        sparse = mel.locator(".spectro-compare-row[data-run=run_sparse] .spectro-run-step")
        same = mel.locator(".spectro-compare-row[data-run=run_b] .spectro-run-step")
        wait_until(lambda: sparse.inner_text() == "step 20", "run_sparse at step 20")
        assert same.inner_text() == ""
        assert mel.locator('.spectro-panel[data-run="run_sparse"]').first.get_attribute("data-step") == "20"
        mel.locator(".spectro-step-slider").fill("1")
        wait_shown(mel, 10)
        wait_until(lambda: sparse.inner_text() == "step 0", "run_sparse at step 0")


def test_a_pinned_step_is_pinned_in_every_compared_run(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        compare_with(mel, "run_b", "run_sparse")
        mel.locator(".spectro-step-slider").fill("1")
        wait_shown(mel, 10)
        mel.locator(".spectro-pin-step").click()
        wait_until(lambda: mel.get_attribute("data-pinned") == "10", "the pinned step")
        mel.locator(".spectro-step-slider").fill("3")
        wait_shown(mel, 30)
        hover_cell(page, mel, "diff", *CELL, FRAMES, N_MELS)
        # run_sparse shows step 20 and subtracts its step 0, the nearest at or before the pinned 10.
        # run_sparse is stored as uint8: each of its two predictions is within half a code (about 0.02) of its value.
        expected = {"run_b": ("30", "10", 20, 1e-3), "run_sparse": ("20", "0", 20, 0.05)}
        for i, (run, (now, then, steps, tolerance)) in enumerate(expected.items(), start=1):
            diff_panel = mel.locator(f'.spectro-panel[data-panel="run{i}-diff"]')
            wait_until(lambda: diff_panel.get_attribute("data-pinned-step") == then, f"{run}'s pinned step")
            assert diff_panel.get_attribute("data-step") == now
            row = mel.locator(f'.spectro-compare-row[data-run="{run}"]')
            wait_until(lambda: row.get_attribute("data-diff") is not None, f"{run}'s change at the cell")
            # predicted(now) − predicted(pinned): the known change, not target − predicted.
            assert float(row.get_attribute("data-diff")) == pytest.approx(steps * CHANGE_PER_STEP, abs=tolerance)


def test_the_swipe_and_the_flicker_show_the_compared_run_chosen(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "run_a", TAG)
        wait_shown(mel, 30)
        chooser = mel.locator(".spectro-swipe-run")
        compare_with(mel, "run_b")
        assert not chooser.is_visible()  # one compared run: nothing to choose
        compare_with(mel, "run_b", "run_c")
        wait_until(chooser.is_visible, "the choice of run to swipe with")
        assert mel.get_attribute("data-swipe-run") == "run_b"
        chooser.select_option("run_c")
        wait_until(lambda: mel.get_attribute("data-swipe-run") == "run_c", "run_c chosen")

        def shows(panel):
            return panel_pixel(mel, "predicted", 40, CELL[1], FRAMES, N_MELS) == panel_pixel(
                mel, panel, 40, CELL[1], FRAMES, N_MELS
            )

        mel.focus()
        page.keyboard.down("f")
        wait_until(lambda: mel.get_attribute("data-flicker") == "1", "the flicker")
        wait_until(lambda: shows("run2-predicted"), "run_c's prediction")
        assert not shows("run1-predicted")
        page.keyboard.up("f")
        mel.locator(".spectro-swipe").check()
        wait_until(lambda: shows("run2-predicted"), "run_c's prediction right of the divider")


LONG_TAG = "mel/long"
LONG_STEPS = 24


@pytest.fixture(scope="module")
def long_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare-long")
    for run in ("run_a", "run_b"):
        with spectro_summary.Writer(str(root / run)) as writer:
            for step in range(LONG_STEPS):
                spectro_summary.mel_comparison(LONG_TAG, target(), predicted(run, step), step, writer=writer)
    with tensorboard(root, "false") as base:
        yield base


def long_fetched(frame):
    return {(run, step) for run, tag, step in steps_fetched(frame) if tag == LONG_TAG}


def test_a_card_comparing_runs_that_rests_after_a_jump_loads_the_steps_around_it(browser, long_server):
    with open_tab(browser, long_server) as (page, frame):
        mel = card(frame, "run_a", LONG_TAG)
        wait_shown(mel, LONG_STEPS - 1)
        slider = mel.locator(".spectro-step-slider")
        # A card of one run loads the neighbours of the step it jumped to, and no more.
        slider.fill("6")
        wait_shown(mel, 6)
        wait_until(lambda: {("run_a", 5), ("run_a", 7)} <= long_fetched(frame), "the neighbours of step 6")
        page.wait_for_timeout(600)
        assert not {("run_a", step) for step in (2, 3, 4, 8, 9, 10)} & long_fetched(frame)
        # Comparing runs, a card that stays at the step it jumped to loads four either side, of every run.
        compare_with(mel, "run_b")
        slider.fill("14")
        wait_shown(mel, 14)
        around = {(run, step) for run in ("run_a", "run_b") for step in range(10, 19)}
        wait_until(lambda: around <= long_fetched(frame), "four steps either side of step 14, of each run")


def test_a_card_comparing_runs_loads_every_runs_steps_farther_ahead(browser, long_server):
    with open_tab(browser, long_server) as (page, frame):
        mel = card(frame, "run_a", LONG_TAG)
        wait_shown(mel, LONG_STEPS - 1)
        compare_with(mel, "run_b")
        slider = mel.locator(".spectro-step-slider")
        slider.fill("5")
        wait_shown(mel, 5)
        slider.focus()
        page.keyboard.press("ArrowRight")
        wait_shown(mel, 6)
        # Stepping, eight steps ahead at least (to the end of a block of four), of every run compared;
        # a card of one run asks for five.
        ahead = {(run, LONG_TAG, step) for run in ("run_a", "run_b") for step in range(7, 15)}
        wait_until(lambda: ahead <= set(steps_fetched(frame)), "eight steps ahead of each run")
