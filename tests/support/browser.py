"""Debian's Chromium driven by Playwright through the Spectro tab: opening it, finding cards, reading pixels.

Playwright is imported only where a browser is launched, so modules that need
`ensure_chromium` alone import this without it.
"""

import contextlib
import json
import os
import subprocess
import time
import urllib.parse
from typing import TYPE_CHECKING, Optional

import numpy as np
import pytest
from matplotlib import colormaps

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Lets a page start Web Audio without a user gesture, for the listening tests. Headless Chromium's
# audio clock runs without a sound device (and under the --mute-audio Playwright passes), so no
# fake-device flag is needed.
AUTOPLAY_ARGS = ["--autoplay-policy=no-user-gesture-required"]
VIEWPORT = {"width": 1400, "height": 1000}
N_MELS, FRAMES = 80, 60
KNOWN_FRAME, KNOWN_BIN = 23, 37  # the cell whose values the readout test knows
KNOWN_TARGET, KNOWN_PREDICTED = 1.2345, -0.5
XSS = "<img src=x onerror=alert(1)>"


def ensure_chromium() -> str:
    """Debian's chromium, installed with apt-get when missing."""
    if not os.path.exists(CHROMIUM):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            result = subprocess.run(sudo + command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(
                    f"{' '.join(command)} failed ({result.returncode}); the browser tests need "
                    f"Debian's chromium at {CHROMIUM}:\n{result.stderr[-2000:]}"
                )
    return CHROMIUM


def known_mel(step: int):
    """A target/predicted pair whose value at (KNOWN_BIN, KNOWN_FRAME) is known."""
    rng = np.random.default_rng(step)
    target = rng.uniform(-11.0, 1.0, (N_MELS, FRAMES)).astype(np.float32)
    predicted = (target + rng.normal(0, 0.3, target.shape)).astype(np.float32)
    target[KNOWN_BIN, KNOWN_FRAME] = KNOWN_TARGET
    predicted[KNOWN_BIN, KNOWN_FRAME] = KNOWN_PREDICTED
    return target, predicted


def chromium_args(autoplay: bool = False) -> list:
    """The arguments Chromium is launched with; `autoplay` adds AUTOPLAY_ARGS."""
    return CHROMIUM_ARGS + (AUTOPLAY_ARGS if autoplay else [])


@contextlib.contextmanager
def open_tab(browser, base: str, init_script: Optional[str] = None, bypass_csp: bool = False):
    """TensorBoard's page on the Spectro tab, and the tab's iframe; fails on any page error or dialog.

    `init_script` runs in every frame of the page before its own scripts;
    `bypass_csp` lets it load what TensorBoard's Content-Security-Policy
    would refuse (a blob: module).
    """
    page = browser.new_page(viewport=VIEWPORT, bypass_csp=bypass_csp)
    if init_script is not None:
        page.add_init_script(init_script)
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        assert (
            browser.version.split(".")[0]
            == subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.split()[1].split(".")[0]
        )
        page.goto(base + "/#spectro")
        page.wait_for_selector("iframe")
        frame = spectro_frame(page)
        frame.wait_for_selector(".spectro-root")
        yield page, frame
        assert not problems, problems
    finally:
        page.close()


def spectro_frame(page: "Page") -> "Frame":
    """The Spectro tab's iframe, once the page has it."""
    return wait_until(
        lambda: (
            page.wait_for_timeout(50)
            or next((f for f in page.frames if "plugin_entry.html?name=spectro" in f.url), None)
        ),
        "the Spectro iframe",
    )


def reopen(page: "Page", url: str) -> "Frame":
    """Opens `url` afresh in the page (a link followed, or a reload), and gives the Spectro iframe."""
    page.goto("about:blank")
    page.goto(url)
    return spectro_frame(page)


def steps_fetched(frame: "Frame") -> list:
    """The (run, tag, step) of every step's arrays the pane fetched: by /data, or among a /data_batch's keys.

    The page's own fetches are its resource timing entries; its worker's are
    "spectro:step-load" measures (frontend/src/timing.ts).
    """
    urls = frame.evaluate(
        """[...performance.getEntriesByType("resource").map((entry) => entry.name),
            ...performance.getEntriesByName("spectro:step-load").map((entry) => entry.detail.url)]"""
    )
    steps = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query)
        if parts.path.endswith("/data_batch") and "keys" in query:
            steps += [(run, tag, step) for run, tag, step, _sample in json.loads(query["keys"][0])]
        elif parts.path.endswith("/data") and "step" in query:
            steps.append((query["run"][0], query["tag"][0], int(query["step"][0])))
    return steps


def wait_until(predicate, what: str, timeout: float = 30.0):
    """Polls `predicate`; it should call Playwright, which is when the sync API takes in browser events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes and backslashes escaped, control characters by code point."""
    escaped = "".join(
        "\\" + character if character in '"\\' else f"\\{ord(character):x} " if character < " " else character
        for character in text
    )
    return f'"{escaped}"'


def card(frame: "Frame", run: str, tag: str):
    """The card of (run, tag), located by its data attributes (set as text, so any name works)."""
    selector = f".spectro-card[data-run={css_string(run)}][data-tag={css_string(tag)}]"
    frame.wait_for_selector(selector)
    return frame.locator(selector)


def wait_shown(locator, step: int) -> None:
    locator.page.wait_for_function(
        "([el, step]) => el.dataset.shownStep === String(step)", arg=[locator.element_handle(), step]
    )


def panel_pixel(locator, panel: str, frame_index: float, bin_index: float, frames: int, bins: int):
    """The RGB painted at the centre of a cell of a panel."""
    return locator.evaluate(
        """(card, [panel, f, b, frames, bins]) => {
          const box = card.querySelector(`.spectro-panel[data-panel="${panel}"]`);
          const [x, y, w, h] = box.dataset.plot.split(",").map(Number);
          const canvas = box.querySelector("canvas.spectro-plot");
          const ratio = canvas.width / canvas.getBoundingClientRect().width;
          const px = Math.floor((x + (f + 0.5) / frames * w) * ratio);
          const py = Math.floor((y + h - (b + 0.5) / bins * h) * ratio);
          return Array.from(canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3));
        }""",
        [panel, frame_index, bin_index, frames, bins],
    )


def hover_cell(page: "Page", locator, panel: str, frame_index: int, bin_index: int, frames: int, bins: int) -> None:
    box_locator = locator.locator(f'.spectro-panel[data-panel="{panel}"]')
    box_locator.scroll_into_view_if_needed()
    x, y, w, h = map(float, box_locator.get_attribute("data-plot").split(","))
    box = box_locator.bounding_box()
    page.mouse.move(box["x"] + x + (frame_index + 0.5) / frames * w, box["y"] + y + h - (bin_index + 0.5) / bins * h)


def lut_rgb(name: str, index: int):
    """The colour the pane's table holds at `index`: matplotlib's map sampled at 256 points."""
    rgba = colormaps[name](np.linspace(0.0, 1.0, 256))[index]
    return [int(round(c * 255)) for c in rgba[:3]]
