"""Comparing runs in the lowest-point view, in a real browser against the real
`tensorboard`: each compared run's known final low and checkpoint, its curve's
low drawn in its run colour, each run's value at the hovered step, and the
compared runs and cards' own view options kept in TensorBoard's URL."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import card, css_string, open_tab, reopen, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

TAG = "loss/total"
LAST_STEP = 200
# Each run's loss: its steps, its curve, the steps its checkpoints G_{step}.pth were saved at.
RUNS = {
    "run_a": {"every": 1, "saved": range(0, LAST_STEP + 1, 25)},  # low at 60; G_50 is nearest
    "run_b": {"every": 1, "saved": range(0)},  # low at 150; no checkpoint
    "run_c": {"every": 10, "saved": range(0, LAST_STEP + 1, 40)},  # falls to the end; G_200
}
EXPECTED = {  # final low step, checkpoint, rising since the low
    "run_a": (60, "G_50.pth", True),
    "run_b": (150, None, True),
    "run_c": (LAST_STEP, f"G_{LAST_STEP}.pth", False),
}
# TensorBoard's default palette, dealt to the runs in their sorted order (compare/colors.ts).
PALETTE = ["#425066", "#12b5cb", "#e52592"]
SIM_TAG, NOISE_TAG = "sim/val", "noise/stack"
CHANNELS = 3


def losses(run: str):
    steps = np.arange(0, LAST_STEP + 1, RUNS[run]["every"])
    if run == "run_a":
        values = 1.0 + ((steps - 60) / 60.0) ** 2
    elif run == "run_b":
        values = 0.8 + ((steps - 150) / 80.0) ** 2
    else:
        values = 0.5 + 2.0 * np.exp(-steps / 50.0)
    return steps, values.astype(np.float32)  # scalars are stored as float32


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_lowest")
    for run in RUNS:
        with spectro_summary.Writer(str(root / run)) as writer:
            steps, values = losses(run)
            for step, value in zip(steps.tolist(), values.tolist()):
                writer.add_scalar(TAG, value, step)
            if run == "run_a":
                spectro_summary.lowest_point(TAG, float(values[60]), 60, writer=writer)
                rng = np.random.default_rng(1)
                spectro_summary.similarity_matrix(SIM_TAG, rng.normal(size=(6, 8)), None, 0, writer=writer)
                actual = rng.normal(size=(CHANNELS, 8, 10)).astype(np.float32)
                spectro_summary.noise_pair(
                    NOISE_TAG, actual + 0.1, actual, 0, timestep=5, total_timesteps=10, writer=writer
                )
        for step in RUNS[run]["saved"]:
            (root / run / f"G_{step}.pth").write_bytes(b"weights")
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def lowest_view(frame):
    return card(frame, "run_a", TAG)


def compare(view, *runs):
    for run in runs:
        view.locator(f".spectro-lowest-compare input[data-run={css_string(run)}]").check()


def run_row(view, run: str):
    return view.locator(f".spectro-lowest-runs tr[data-run={css_string(run)}]")


def chart_point(view, step: float, value: float):
    """The chart's CSS pixel of (step, value), from the geometry the view puts on its canvas."""
    canvas = view.locator(".spectro-lowest-canvas")
    x, y, width, height = (float(v) for v in canvas.get_attribute("data-plot").split())
    x_min, x_max = (float(v) for v in canvas.get_attribute("data-x-domain").split())
    y_min, y_max = (float(v) for v in canvas.get_attribute("data-y-domain").split())
    return (
        x + (step - x_min) / (x_max - x_min) * width,
        y + height - (value - y_min) / (y_max - y_min) * height,
    )


def canvas_rgb(view, point):
    return view.locator(".spectro-lowest-canvas").evaluate(
        """(canvas, [x, y]) => {
            const r = devicePixelRatio;
            const d = canvas.getContext("2d").getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data;
            return [d[0], d[1], d[2]];
        }""",
        list(point),
    )


def hex_rgb(color: str):
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def test_compared_runs_show_their_final_low_and_checkpoint_in_their_colours(browser, server):
    with open_tab(browser, server) as (page, frame):
        view = lowest_view(frame)
        view.locator(".spectro-candidates").wait_for()
        # The single-run view has no runs table until a run is compared.
        assert run_row(view, "run_a").count() == 0
        compare(view, "run_b", "run_c")
        # Smoothing 0: the smoothed curves are the raw ones, where each final low is drawn.
        view.locator(".spectro-smoothing").fill("0")
        wait_until(lambda: view.get_attribute("data-smoothing") == "0", "the answer for smoothing 0")
        assert view.get_attribute("data-compared") == "run_b\nrun_c"
        for index, (run, (low_step, checkpoint, rising)) in enumerate(EXPECTED.items()):
            row = run_row(view, run)
            wait_until(lambda: row.get_attribute("data-final-step"), f"{run}'s final low")
            steps, values = losses(run)
            assert int(steps[np.argmin(values)]) == low_step
            assert row.get_attribute("data-final-step") == str(low_step)
            assert float(row.get_attribute("data-final-value")) == pytest.approx(float(values.min()), rel=1e-6)
            if checkpoint is None:
                assert row.get_attribute("data-checkpoint") == ""
                assert row.locator(".spectro-checkpoint").inner_text() == "missing"
            else:
                assert row.get_attribute("data-checkpoint") == checkpoint
                assert row.get_attribute("data-checkpoint-path").endswith(f"{run}/{checkpoint}")
            assert row.get_attribute("data-rising") == str(rising).lower()
            assert row.get_attribute("data-color") == PALETTE[index]
            assert row.locator(".spectro-run-name").inner_text() == run
            # The final low is a disc in the run's colour on its curve.
            point = chart_point(view, low_step, float(values.min()))
            wait_until(lambda: canvas_rgb(view, point) == hex_rgb(PALETTE[index]), f"{run}'s final low drawn")
        swatch = view.locator(".spectro-lowest-compare input[data-run='run_c'] + .spectro-run-swatch")
        assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(229, 37, 146)"
        # Unticked, the view is the single-run view again.
        view.locator(".spectro-lowest-compare input[data-run='run_b']").uncheck()
        view.locator(".spectro-lowest-compare input[data-run='run_c']").uncheck()
        wait_until(lambda: view.locator(".spectro-lowest-runs").is_hidden(), "the runs table hidden")
        assert view.get_attribute("data-compared") == ""


def test_the_hover_readout_lists_each_runs_value_at_or_before_the_step(browser, server):
    hovered = 47  # run_c logged every 10 steps: it shows step 40
    with open_tab(browser, server) as (page, frame):
        view = lowest_view(frame)
        compare(view, "run_c")
        wait_until(lambda: run_row(view, "run_c").get_attribute("data-final-step"), "run_c's answer")
        x, y = chart_point(view, hovered, 1.0)
        box = view.locator(".spectro-lowest-canvas").bounding_box()
        page.mouse.move(box["x"] + x, box["y"] + y)
        readout = view.locator(".spectro-lowest-readout")
        wait_until(lambda: readout.inner_text().startswith(f"step {hovered} "), "the hovered step")
        for run, at in (("run_a", hovered), ("run_c", 40)):
            steps, values = losses(run)
            expected = float(values[list(steps).index(at)])
            row = run_row(view, run)
            wait_until(lambda: row.get_attribute("data-hover-value"), f"{run}'s value at the hovered step")
            assert float(row.get_attribute("data-hover-value")) == pytest.approx(expected, rel=1e-6)
        assert "(step 40)" in readout.inner_text()
        assert "run_a" in readout.inner_text() and "run_c" in readout.inner_text()


def test_the_url_keeps_compared_runs_and_cards_view_options_through_a_reload(browser, server):
    with open_tab(browser, server) as (page, frame):
        view = lowest_view(frame)
        compare(view, "run_b")
        sim = card(frame, "run_a", SIM_TAG)
        order = sim.locator(".spectro-sim-order-row")
        order.fill("2")
        order.dispatch_event("change")
        wait_until(lambda: sim.get_attribute("data-order-row") == "2", "the ordering")
        noise = card(frame, "run_a", NOISE_TAG)
        noise.locator(".spectro-channel-select").select_option("1")
        wait_until(lambda: noise.get_attribute("data-shown-channel") == "1", "the chosen channel")
        url = wait_until(
            lambda: (
                (href := page.evaluate("location.href")) and "p.spectro.lowest=" in href and "channel" in href and href
            ),
            "the view in the URL",
        )
        frame = reopen(page, url)
        view = lowest_view(frame)
        wait_until(lambda: run_row(view, "run_b").get_attribute("data-final-step") == "150", "run_b compared again")
        assert view.locator(".spectro-lowest-compare input[data-run='run_b']").is_checked()
        assert not view.locator(".spectro-lowest-compare input[data-run='run_c']").is_checked()
        sim = card(frame, "run_a", SIM_TAG)
        wait_until(lambda: sim.get_attribute("data-order-row") == "2", "the ordering again")
        noise = card(frame, "run_a", NOISE_TAG)
        wait_until(lambda: noise.get_attribute("data-shown-channel") == "1", "the channel again")


def test_out_of_range_and_malformed_options_in_a_link_are_harmless(browser, server):
    cards = [
        {"run": "run_a", "tag": NOISE_TAG, "view": {"channel": 999, "frame": -5, "bad-key": 1, "x": {"y": 1}}},
        {"run": "run_a", "tag": SIM_TAG, "view": {"orderRow": 999, "range": "fixed", "rangeMin": 2, "rangeMax": 1}},
    ]
    lowest = [
        {"key": "nope", "run": "run_a", "tag": TAG, "compare": ["run_c"]},  # no such view
        {"run": "run_a", "tag": TAG, "compare": ["run_b"]},  # no key
        7,
    ]
    fragment = "spectro&" + urllib.parse.urlencode(
        {"p.spectro.cards": json.dumps(cards), "p.spectro.lowest": json.dumps(lowest), "p.spectro.smoothing": "2"},
        quote_via=urllib.parse.quote,
    )
    with open_tab(browser, server) as (page, frame):
        frame = reopen(page, f"{server}/#{fragment}")
        noise = card(frame, "run_a", NOISE_TAG)
        # The last channel, as the card clamps a slice.
        wait_until(lambda: noise.get_attribute("data-shown-channel") == str(CHANNELS - 1), "the clamped channel")
        sim = card(frame, "run_a", SIM_TAG)
        wait_until(lambda: sim.get_attribute("data-shown-step") == "0", "the matrix painted")
        assert sim.get_attribute("data-order-row") == ""
        view = lowest_view(frame)
        view.locator(".spectro-candidates").wait_for()
        assert view.get_attribute("data-compared") == ""
        assert view.get_attribute("data-smoothing") == "0.6"  # the default: 2 is no smoothing weight
