"""The noise card of videos in a real browser: Debian's Chromium, driven by Playwright,
against the real `tensorboard` serving a batch of noise videos written by `noise_pair`."""

import numpy as np
import pytest

from support.browser import card, hover_cell, lut_rgb, open_tab, panel_pixel, wait_shown, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

RUN = "text2sign"
TAG = "noise/video"
B, T, C, H, W = 2, 6, 2, 12, 16
STEPS = [0, 1, 2]
TIMESTEPS = [700, 30]  # of the two videos of each batch
PEAK = 3.0  # the largest |value|: the colour range is ±PEAK
ROW, COL = 5, 9  # the cell whose value each plane sets to +PEAK, 0 or −PEAK
LEVELS = [PEAK, 0.0, -PEAK]


def known_value(sample: int, channel: int, frame: int) -> float:
    """The actual noise at (ROW, COL) of a sample's channel and frame, predicted there is 0."""
    return LEVELS[(sample + channel + frame) % 3]


def video_batch(step: int):
    """Predicted and actual noise [B, T, C, H, W] (frames first): the error grows with the frame."""
    rng = np.random.default_rng(step)
    actual = rng.normal(0.0, 1.0, (B, T, C, H, W)).clip(-0.8 * PEAK, 0.8 * PEAK)
    growth = (0.1 + 0.15 * np.arange(T))[None, :, None, None, None]
    predicted = (actual + growth * rng.normal(0.0, 1.0, actual.shape)).clip(-0.8 * PEAK, 0.8 * PEAK)
    for b in range(B):
        for c in range(C):
            for t in range(T):
                actual[b, t, c, ROW, COL] = known_value(b, c, t)
                predicted[b, t, c, ROW, COL] = 0.0
    return predicted.astype(np.float32), actual.astype(np.float32)


def expected_colour(value: float):
    """The RdBu_r colours a stored ±PEAK or 0 may take: the map's ends, or its two centre entries."""
    if value == PEAK:
        return [lut_rgb("RdBu_r", 255)]
    if value == -PEAK:
        return [lut_rgb("RdBu_r", 0)]
    return [lut_rgb("RdBu_r", 127), lut_rgb("RdBu_r", 128)]


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("video_noise")
    with spectro_summary.Writer(str(root / RUN)) as writer:
        for step in STEPS:
            spectro_summary.noise_pair(
                TAG,
                *video_batch(step),
                step,
                timestep=TIMESTEPS,
                total_timesteps=1000,
                layout="frames_channels",
                writer=writer,
            )
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def actual_pixel(video):
    return panel_pixel(video, "actual", COL, ROW, W, H)


def wait_plane(video, channel: int, frame: int) -> None:
    wait_until(
        lambda: (
            video.get_attribute("data-shown-channel") == str(channel)
            and video.get_attribute("data-shown-video-frame") == str(frame)
        ),
        f"channel {channel}, frame {frame}",
    )


def assert_paints(video, sample: int, channel: int, frame: int) -> None:
    colour = actual_pixel(video)
    assert colour in expected_colour(known_value(sample, channel, frame)), (sample, channel, frame, colour)
    assert video.locator(".spectro-frame-label").inner_text() == f"channel {channel}, frame {frame}"


def chart_pixels(chart, frame: int, value: float):
    """The RGBA around where the MSE-per-frame chart puts (frame, value): a 5 × 5 block of device pixels."""
    return chart.evaluate(
        """(canvas, [frame, value]) => {
          const [x, y, w, h] = canvas.dataset.plot.split(",").map(Number);
          const [x0, x1] = canvas.dataset.xDomain.split(",").map(Number);
          const [y0, y1] = canvas.dataset.yDomain.split(",").map(Number);
          const ratio = canvas.width / canvas.getBoundingClientRect().width;
          const px = Math.round((x + (frame - x0) / (x1 - x0) * w) * ratio);
          const py = Math.round((y + h - (value - y0) / (y1 - y0) * h) * ratio);
          const data = canvas.getContext("2d").getImageData(px - 2, py - 2, 5, 5).data;
          const pixels = [];
          for (let i = 0; i < data.length; i += 4) pixels.push(Array.from(data.slice(i, i + 4)));
          return pixels;
        }""",
        [frame, value],
    )


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_the_video_card_paints_a_frame_of_a_channel(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        video = card(frame, RUN, TAG)
        wait_shown(video, STEPS[-1])
        wait_plane(video, 0, 0)
        assert_paints(video, 0, 0, 0)
        slider = video.locator(".spectro-frame-slider")
        assert slider.is_visible() and slider.get_attribute("max") == str(T - 1)
        assert video.locator(".spectro-frame-play").inner_text() == "Play"
        assert video.locator(".spectro-channel-select option").count() == C
        assert video.locator(".spectro-sample-select option").all_inner_texts() == [
            f"{b} · t {TIMESTEPS[b]}" for b in range(B)
        ]
        assert video.get_attribute("data-timestep") == str(TIMESTEPS[0])
        assert f"shape [{C}, {T}, {H}, {W}]" in video.locator(".spectro-lengths").inner_text()


def test_the_frame_slider_and_channel_select_change_the_painted_plane(browser, server):
    predicted, actual = video_batch(STEPS[-1])
    with open_tab(browser, server) as (page, frame):
        video = card(frame, RUN, TAG)
        wait_shown(video, STEPS[-1])
        wait_plane(video, 0, 0)
        slider = video.locator(".spectro-frame-slider")
        for t in (1, 2, 5):
            slider.fill(str(t))
            wait_plane(video, 0, t)
            assert_paints(video, 0, 0, t)
        video.locator(".spectro-channel-select").select_option("1")
        wait_plane(video, 1, 5)
        assert_paints(video, 0, 1, 5)
        # The readout names the plane and shows its written values.
        readout = video.locator(".spectro-readout")
        hover_cell(page, video, "actual", COL, ROW, W, H)
        wait_until(lambda: readout.get_attribute("data-video-frame") == "5", "the readout of frame 5")
        assert readout.get_attribute("data-channel") == "1"
        assert float(readout.get_attribute("data-actual")) == pytest.approx(actual[0, 5, 1, ROW, COL], abs=0.02)
        assert readout.inner_text().startswith("channel 1  frame 5  row 5  column 9")
        # The plane stays chosen across steps.
        video.locator(".spectro-step-slider").fill("0")
        wait_shown(video, STEPS[0])
        wait_plane(video, 1, 5)
        assert_paints(video, 0, 1, 5)


def test_play_advances_the_frames_in_a_loop_and_pause_stops(browser, server):
    with open_tab(browser, server) as (page, frame):
        video = card(frame, RUN, TAG)
        wait_shown(video, STEPS[-1])
        wait_plane(video, 0, 0)
        # Every frame shown, as the card marks it, recorded in the page as it changes.
        video.evaluate(
            """(card) => {
              card.framesShown = [card.dataset.shownVideoFrame];
              new MutationObserver(() => {
                const shown = card.dataset.shownVideoFrame;
                if (card.framesShown[card.framesShown.length - 1] !== shown) card.framesShown.push(shown);
              }).observe(card, { attributes: true, attributeFilter: ["data-shown-video-frame"] });
            }"""
        )
        play = video.locator(".spectro-frame-play")
        play.click()
        assert play.inner_text() == "Pause" and play.get_attribute("aria-pressed") == "true"
        wait_until(lambda: video.evaluate("(card) => card.framesShown.length") > T + 1, "a loop of the frames")
        play.click()
        assert play.inner_text() == "Play" and play.get_attribute("aria-pressed") == "false"
        shown = [int(f) for f in video.evaluate("(card) => card.framesShown")]
        assert shown[: T + 2] == [*range(T), 0, 1], shown
        stopped = video.get_attribute("data-shown-video-frame")
        page.wait_for_timeout(500)
        assert video.get_attribute("data-shown-video-frame") == stopped
        assert video.locator(".spectro-frame-slider").input_value() == stopped
        assert_paints(video, 0, 0, int(stopped))


def test_the_mse_per_frame_is_drawn_as_a_line_and_a_click_shows_a_frame(browser, server):
    predicted, actual = video_batch(STEPS[-1])
    error = (predicted[0].astype(np.float64) - actual[0]) ** 2  # [T, C, H, W]
    frame_mse = error.mean(axis=(1, 2, 3))
    with open_tab(browser, server) as (page, frame):
        video = card(frame, RUN, TAG)
        wait_shown(video, STEPS[-1])
        wait_plane(video, 0, 0)
        chart = video.locator(".spectro-frame-mse")
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        wait_until(lambda: chart.get_attribute("data-points") == str(T), "the line")
        assert chart.get_attribute("data-frames") == str(T)
        y_max = float(chart.get_attribute("data-y-domain").split(",")[1])
        assert y_max == pytest.approx(1.05 * max(frame_mse.max(), error[:, 0].mean(axis=(1, 2)).max()), rel=1e-6)
        for t in (2, 4):  # away from the marker of frame 0
            drawn = chart_pixels(chart, t, frame_mse[t])
            assert max(p[3] for p in drawn) > 200, f"no line at frame {t}: {drawn}"
            assert min(sum(p[:3]) for p in drawn if p[3] > 200) < 3 * 100  # the dark foreground line
            empty = chart_pixels(chart, t, 0.95 * y_max)  # both lines are low at these frames
            assert max(p[3] for p in empty) == 0, f"paint above the line at frame {t}"
        # A click on the chart shows that frame.
        box = chart.bounding_box()
        x, y, width, height = map(float, chart.get_attribute("data-plot").split(","))
        page.mouse.click(box["x"] + x + 3 / (T - 1) * width, box["y"] + y + height / 2)
        wait_plane(video, 0, 3)
        assert chart.get_attribute("data-current-frame") == "3"


def test_the_sample_select_shows_another_video_at_its_timestep(browser, server):
    with open_tab(browser, server) as (page, frame):
        video = card(frame, RUN, TAG)
        wait_shown(video, STEPS[-1])
        wait_plane(video, 0, 0)
        video.locator(".spectro-sample-select").select_option("1")
        wait_until(lambda: video.get_attribute("data-shown-sample") == "1", "sample 1")
        wait_until(lambda: video.get_attribute("data-timestep") == str(TIMESTEPS[1]), "its timestep")
        assert video.locator(".spectro-timestep").inner_text() == f"diffusion timestep {TIMESTEPS[1]} of T = 1000"
        assert_paints(video, 1, 0, 0)
        video.locator(".spectro-frame-slider").fill("4")
        wait_plane(video, 0, 4)
        assert_paints(video, 1, 0, 4)
