"""The lowest-point view in a real browser, against the real `tensorboard`:
the known lowest step of a loss with its checkpoint file, the markers, the
overtraining hint, and "go to step" moving a mel card."""

import numpy as np
import pytest

from support.browser import card, known_mel, open_tab, wait_shown, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

STEPS = 300
SAVE_EVERY = 25  # checkpoints G_/D_{step}.pth
MEL_EVERY = 10
DELETED_STEP = 50  # a marker recorded this checkpoint, then it was deleted


def loss_curve():
    """A loss that falls, reaches its low before step 200, then rises (overtraining)."""
    steps = np.arange(STEPS + 1)
    rng = np.random.default_rng(3)
    values = 2.0 * np.exp(-steps / 50.0) + 0.3 + 0.000_03 * np.maximum(steps - 190, 0) ** 2
    values += 0.01 * rng.standard_normal(steps.size)
    return steps, values


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lowest")
    run = root / "vits"
    steps, values = loss_curve()
    with spectro_summary.Writer(str(run)) as writer:
        for step, value in zip(steps.tolist(), values.tolist()):
            writer.add_scalar("loss/g/total", value, step)
            writer.add_scalar("learning_rate", 2e-4 * 0.999**step, step)
            if step % SAVE_EVERY == 0:
                for prefix in ("G", "D"):
                    (run / f"{prefix}_{step}.pth").write_bytes(b"weights")
            if step % MEL_EVERY == 0:
                spectro_summary.mel_comparison("mel/val", *known_mel(step), step, writer=writer)
        spectro_summary.lowest_point(
            "loss/g/total",
            float(values[DELETED_STEP]),
            DELETED_STEP,
            writer=writer,
            checkpoint_path=str(run / f"G_{DELETED_STEP}.pth"),
        )
    (run / f"G_{DELETED_STEP}.pth").unlink()
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def final_low_step() -> int:
    steps, values = loss_curve()
    return int(steps[np.argmin(values)])


def lowest_view(frame):
    return card(frame, "vits", "loss/g/total")


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_the_known_lowest_step_is_listed_with_its_checkpoint(browser, logdir, load_fast):
    low = final_low_step()
    saved = [step for step in range(0, STEPS + 1, SAVE_EVERY) if step != DELETED_STEP]
    expected = f"G_{min(saved, key=lambda step: (abs(step - low), step))}.pth"  # the nearest generator left
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        view = lowest_view(frame)
        final = view.locator('.spectro-candidates tr[data-final-low="true"]')
        final.wait_for()
        assert final.get_attribute("data-step") == str(low)
        assert "final low" in final.inner_text()
        assert final.locator(".spectro-checkpoint").get_attribute("data-checkpoint") == expected
        # With smoothing 0 the candidates rank by raw value, so the final low is first.
        view.locator(".spectro-smoothing").fill("0")
        wait_until(lambda: view.get_attribute("data-smoothing") == "0", "the answer for smoothing 0")
        first = view.locator(".spectro-candidates tbody tr").first
        assert first.get_attribute("data-step") == str(low)


def test_a_marker_whose_checkpoint_was_deleted_says_so(browser, server):
    with open_tab(browser, server) as (page, frame):
        row = lowest_view(frame).locator(f'.spectro-markers tr[data-step="{DELETED_STEP}"]')
        row.wait_for()
        assert f"G_{DELETED_STEP}.pth" in row.inner_text()
        assert row.locator(".spectro-deleted").count() == 1


def test_the_overtraining_hint_says_the_curve_rises_and_how_that_is_decided(browser, server):
    with open_tab(browser, server) as (page, frame):
        hint = lowest_view(frame).locator(".spectro-hint")
        wait_until(lambda: hint.get_attribute("data-rising") == "true", "the overtraining hint")
        assert "overtraining" in hint.inner_text()
        rule = lowest_view(frame).locator(".spectro-hint-rule").inner_text()
        assert "%" in rule and "slope" in rule


def test_go_to_step_moves_the_mel_card(browser, server):
    low = final_low_step()
    with open_tab(browser, server) as (page, frame):
        mel = card(frame, "vits", "mel/val")
        wait_shown(mel, STEPS)  # a card opens at its last step
        row = lowest_view(frame).locator('.spectro-candidates tr[data-final-low="true"]')
        row.locator(".spectro-go-to-step").click()
        wait_shown(mel, low // MEL_EVERY * MEL_EVERY)  # the nearest logged step at or before
        assert mel.locator(".spectro-step-control").get_attribute("data-step") == str(low // MEL_EVERY * MEL_EVERY)


def test_any_scalar_tag_of_the_run_can_be_chosen(browser, server):
    with open_tab(browser, server) as (page, frame):
        view = lowest_view(frame)
        view.locator(".spectro-candidates").wait_for()
        view.locator(".spectro-lowest-tag").select_option("learning_rate")
        # The learning rate decays every step: each step is a new low and the last one is final.
        final = frame.locator(
            '.spectro-lowest-card[data-tag="learning_rate"] .spectro-candidates tr[data-final-low="true"]'
        )
        final.wait_for()
        assert final.get_attribute("data-step") == str(STEPS)
