"""The pane against a damaged logdir in a real browser: a wall time that is not
finite, a step whose array blob is corrupt, and a card whose drawing throws."""

import math

import pytest

from damaged_corpus import noise_step, write_event
from support.browser import card, open_tab, wait_shown, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

STEPS = [0, 1, 2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged")
    corrupt = noise_step(1)
    corrupt.value[0].tensor.string_val[1] = b"not deflate data"
    write_event(root / "damaged", noise_step(0), 0, math.nan)
    write_event(root / "damaged", corrupt, 1, 1000.0)
    with spectro_summary.Writer(str(root / "run")) as writer:
        for step in STEPS:
            for tag in ("good", "bad"):
                writer.add_summary(noise_step(step, tag), step)
    with tensorboard(root, "false") as base:
        yield base


def test_a_nan_wall_time_is_unknown_and_a_corrupt_step_is_its_cards_error(browser, server):
    with open_tab(browser, server) as (page, frame):
        damaged = card(frame, "damaged", "n")
        error = damaged.locator(".spectro-error")
        wait_until(lambda: "unreadable" in error.inner_text(), "step 1's error")
        assert "Failed to fetch" not in error.inner_text()
        damaged.locator(".spectro-step-previous").click()
        wait_shown(damaged, 0)
        label = damaged.locator(".spectro-step-label").inner_text()
        assert "time unknown" in label and "NaN" not in label, label
        assert "NaN" not in damaged.inner_text()


def test_a_card_whose_drawing_throws_shows_the_error_and_the_others_go_on(browser, server):
    with open_tab(browser, server) as (page, frame):
        good, bad = card(frame, "run", "good"), card(frame, "run", "bad")
        wait_shown(good, STEPS[-1])
        wait_shown(bad, STEPS[-1])
        frame.evaluate(
            """() => {
              const draw = CanvasRenderingContext2D.prototype.drawImage;
              CanvasRenderingContext2D.prototype.drawImage = function (...args) {
                if (this.canvas.closest('[data-tag="bad"]')) throw new Error("drawing failed on purpose");
                return draw.apply(this, args);
              };
            }"""
        )
        for locator in (bad, good):
            locator.locator(".spectro-step-previous").click()
        wait_shown(good, STEPS[-2])
        error = bad.locator(".spectro-error")
        wait_until(lambda: "drawing failed on purpose" in error.inner_text(), "the bad card's error")
        assert good.locator(".spectro-error").is_hidden()
        good.locator(".spectro-step-previous").click()
        wait_shown(good, STEPS[-3])
