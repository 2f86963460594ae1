"""The noise-pair card in a real browser: Debian's Chromium, driven by Playwright,
against the real `tensorboard` serving noise pairs written by `noise_pair`."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import card, hover_cell, lut_rgb, open_tab, panel_pixel, wait_shown, wait_until
from support.server import fetch, fetch_json, tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

RUN = "diffusion"
T = 1000  # total_timesteps of every series
ROWS, COLS = 24, 40  # the 2-D series
STEPS = list(range(0, 120, 10))
TIMESTEPS = [(137 * i + 60) % T for i in range(len(STEPS))]  # distinct, spread over [0, T)
KNOWN_ROW, KNOWN_COL = 7, 11
KNOWN_PREDICTED, KNOWN_ACTUAL = 0.75, -1.25
ZERO_ROW, ZERO_COL = 15, 30  # both arrays 0 here
CHANNELS, STACK_ROWS, STACK_COLS = 3, 16, 20
STACK_STEPS = [0, 1, 2, 3, 4]
STACK_ROW, STACK_COL = 3, 4  # channel c holds predicted c + 0.5, actual −(c + 1) here


def flat_pair(index: int):
    """Predicted and actual noise of step STEPS[index]: the error shrinks with training and with the timestep."""
    rng = np.random.default_rng(index)
    actual = rng.normal(0.0, 1.0, (ROWS, COLS)).clip(-3, 3).astype(np.float32)
    sigma = (0.2 + 0.8 * (1 - TIMESTEPS[index] / T)) * (1.5 - index / len(STEPS))
    predicted = (actual + rng.normal(0.0, sigma, actual.shape)).astype(np.float32)
    predicted[KNOWN_ROW, KNOWN_COL], actual[KNOWN_ROW, KNOWN_COL] = KNOWN_PREDICTED, KNOWN_ACTUAL
    predicted[ZERO_ROW, ZERO_COL] = actual[ZERO_ROW, ZERO_COL] = 0.0
    return predicted, actual


def stack_pair(step: int):
    rng = np.random.default_rng(100 + step)
    actual = rng.normal(0.0, 1.0, (CHANNELS, STACK_ROWS, STACK_COLS)).clip(-3, 3).astype(np.float32)
    predicted = (actual + rng.normal(0.0, 0.3, actual.shape) * np.arange(1, CHANNELS + 1)[:, None, None]).astype(
        np.float32
    )
    for c in range(CHANNELS):
        predicted[c, STACK_ROW, STACK_COL], actual[c, STACK_ROW, STACK_COL] = c + 0.5, -(c + 1.0)
    return predicted, actual


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("noise")
    with spectro_summary.Writer(str(root / RUN)) as writer:
        for index, step in enumerate(STEPS):
            spectro_summary.noise_pair(
                "noise/flat", *flat_pair(index), step, timestep=TIMESTEPS[index], total_timesteps=T, writer=writer
            )
        for step in STACK_STEPS:
            spectro_summary.noise_pair(
                "noise/stack", *stack_pair(step), step, timestep=100 * step + 7, total_timesteps=T, writer=writer
            )
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def half_quantum(base: str, tag: str, step: int) -> float:
    """Half the quantization step of a stored step: the most a shown value may differ from the written one."""
    query = urllib.parse.urlencode({"run": RUN, "tag": tag, "step": step})
    body = fetch(f"{base}/data/plugin/spectro/data?{query}")[1]
    arrays = json.loads(body[8 : 8 + int.from_bytes(body[4:8], "little")])["arrays"]
    return max(a["scale"] for a in arrays) / 2 + 1e-6


def readout_values(readout, names=("predicted", "actual", "diff")):
    return [float(readout.get_attribute(f"data-{name}")) for name in names]


def noise_stats(predicted: np.ndarray, actual: np.ndarray):
    """MSE, Pearson correlation and SNR (dB) of the written arrays, in float64."""
    p, a = predicted.astype(np.float64).ravel(), actual.astype(np.float64).ravel()
    error = p - a
    mse = float(np.mean(error**2))
    correlation = float(np.corrcoef(p, a)[0, 1])
    snr_db = float(10 * np.log10(np.sum(a**2) / np.sum(error**2)))
    return mse, correlation, snr_db


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_noise_card_paints_predicted_actual_and_diff(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        noise = card(frame, RUN, "noise/flat")
        wait_shown(noise, STEPS[-1])
        assert "spectro-noise-card" in noise.get_attribute("class").split()
        panels = noise.locator(".spectro-panel")
        assert [panels.nth(i).get_attribute("data-panel") for i in range(3)] == ["predicted", "actual", "diff"]
        for panel in ("predicted", "actual", "diff"):
            colours = {tuple(panel_pixel(noise, panel, c, r, COLS, ROWS)) for c in (3, 20, 35) for r in (2, 12, 20)}
            assert len(colours) > 1, f"{panel} panel is flat: {colours}"
        assert noise.get_attribute("data-timestep") == str(TIMESTEPS[-1])


def test_readout_shows_written_values_and_actual_minus_predicted(browser, server):
    tolerance = half_quantum(server, "noise/flat", STEPS[-1])
    with open_tab(browser, server) as (page, frame):
        noise = card(frame, RUN, "noise/flat")
        wait_shown(noise, STEPS[-1])
        readout = noise.locator(".spectro-readout")
        for panel in ("predicted", "diff"):
            hover_cell(page, noise, panel, KNOWN_COL, KNOWN_ROW, COLS, ROWS)
            wait_until(lambda: readout.get_attribute("data-frame") == str(KNOWN_COL), "the readout")
            assert readout.get_attribute("data-bin") == str(KNOWN_ROW)
            assert readout.get_attribute("data-channel") == "0"
            predicted, actual, diff = readout_values(readout)
            assert abs(predicted - KNOWN_PREDICTED) <= tolerance
            assert abs(actual - KNOWN_ACTUAL) <= tolerance
            assert diff == pytest.approx(actual - predicted, abs=1e-5)
            assert abs(diff - (KNOWN_ACTUAL - KNOWN_PREDICTED)) <= 2 * tolerance
            text = readout.inner_text()
            assert f"row {KNOWN_ROW}" in text and f"column {KNOWN_COL}" in text
        # Predicted and actual share one range symmetric around 0 on RdBu_r: 0 is the map's white centre.
        centre = [lut_rgb("RdBu_r", 127), lut_rgb("RdBu_r", 128)]
        assert panel_pixel(noise, "predicted", ZERO_COL, ZERO_ROW, COLS, ROWS) in centre
        assert panel_pixel(noise, "actual", ZERO_COL, ZERO_ROW, COLS, ROWS) in centre
        assert panel_pixel(noise, "actual", KNOWN_COL, KNOWN_ROW, COLS, ROWS) not in centre


def test_timestep_and_stats_match_numpy(browser, server):
    index = 3
    predicted, actual = flat_pair(index)
    mse, correlation, snr_db = noise_stats(predicted, actual)
    with open_tab(browser, server) as (page, frame):
        noise = card(frame, RUN, "noise/flat")
        wait_shown(noise, STEPS[-1])
        noise.locator(".spectro-step-slider").fill(str(index))
        wait_shown(noise, STEPS[index])
        assert noise.get_attribute("data-timestep") == str(TIMESTEPS[index])
        assert noise.locator(".spectro-timestep").inner_text() == f"diffusion timestep {TIMESTEPS[index]} of T = {T}"
        stats = noise.locator(".spectro-stats-text")
        wait_until(lambda: stats.get_attribute("data-mse"), "the stats")
        assert float(stats.get_attribute("data-mse")) == pytest.approx(mse, rel=1e-6)
        assert float(stats.get_attribute("data-correlation")) == pytest.approx(correlation, rel=1e-6)
        assert float(stats.get_attribute("data-snr-db")) == pytest.approx(snr_db, rel=1e-6)
        assert stats.text_content() == f"MSE {mse:.3f}  corr {correlation:.3f}  SNR {snr_db:.3f} dB"


def test_stack_selector_switches_the_shown_slice(browser, server):
    last = STACK_STEPS[-1]
    predicted, actual = stack_pair(last)
    tolerance = half_quantum(server, "noise/stack", last)
    with open_tab(browser, server) as (page, frame):
        stack = card(frame, RUN, "noise/stack")
        wait_shown(stack, last)
        select = stack.locator(".spectro-channel-select")
        assert select.is_visible()
        labels = select.locator("option").all_inner_texts()
        frame_mse = [float(np.mean((predicted[c].astype(np.float64) - actual[c]) ** 2)) for c in range(CHANNELS)]
        assert labels == [f"{c} · MSE {frame_mse[c]:.3f}" for c in range(CHANNELS)]
        readout = stack.locator(".spectro-readout")
        for channel in (0, 2):
            if channel:
                select.select_option(str(channel))
                wait_until(lambda: stack.get_attribute("data-shown-channel") == str(channel), "the chosen slice")
            hover_cell(page, stack, "actual", STACK_COL, STACK_ROW, STACK_COLS, STACK_ROWS)
            wait_until(
                lambda: (
                    readout.get_attribute("data-channel") == str(channel)
                    and readout.get_attribute("data-frame") == str(STACK_COL)
                ),
                "the slice's readout",
            )
            shown_predicted, shown_actual, diff = readout_values(readout)
            assert abs(shown_predicted - (channel + 0.5)) <= tolerance
            assert abs(shown_actual + (channel + 1.0)) <= tolerance
            assert diff == pytest.approx(shown_actual - shown_predicted, abs=1e-5)
        # The arrow keys still move steps with the select focused, and the slice stays chosen.
        select.focus()
        page.keyboard.press("ArrowLeft")
        wait_shown(stack, STACK_STEPS[-2])
        assert stack.get_attribute("data-shown-channel") == "2"
        assert select.input_value() == "2"


def test_scatter_has_a_point_per_step_and_a_click_goes_to_its_step(browser, server):
    steps = fetch_json(
        server + "/data/plugin/spectro/steps?" + urllib.parse.urlencode({"run": RUN, "tag": "noise/flat"})
    )["steps"]
    target = 4
    with open_tab(browser, server) as (page, frame):
        noise = card(frame, RUN, "noise/flat")
        wait_shown(noise, STEPS[-1])
        scatter = noise.locator(".spectro-scatter")
        scatter.scroll_into_view_if_needed()
        assert scatter.get_attribute("data-points") == str(len(STEPS))
        assert scatter.get_attribute("data-current-step") == str(STEPS[-1])
        x, y, width, height = map(float, scatter.get_attribute("data-plot").split(","))
        x_min, x_max = map(float, scatter.get_attribute("data-x-domain").split(","))
        y_min, y_max = map(float, scatter.get_attribute("data-y-domain").split(","))
        assert (x_min, x_max) == (0, T - 1)
        mse = steps[target]["stats"]["mse"]
        if scatter.get_attribute("data-y-scale") == "log":
            share = np.log10(mse / y_min) / np.log10(y_max / y_min)
        else:
            share = (mse - y_min) / (y_max - y_min)
        box = scatter.bounding_box()
        page.mouse.click(
            box["x"] + x + (steps[target]["timestep"] - x_min) / (x_max - x_min) * width,
            box["y"] + y + height - share * height,
        )
        wait_shown(noise, STEPS[target])
        wait_until(lambda: scatter.get_attribute("data-current-step") == str(STEPS[target]), "the marked point")
        # A click away from every point leaves the step alone.
        page.mouse.click(box["x"] + 2, box["y"] + 2)
        page.wait_for_timeout(300)
        assert noise.get_attribute("data-shown-step") == str(STEPS[target])
