"""The pane loads and decodes steps in a worker beside its module, and on the page's thread where no worker starts."""

import json
import urllib.parse

import pytest

from support.browser import (
    FRAMES,
    KNOWN_BIN,
    KNOWN_FRAME,
    KNOWN_PREDICTED,
    KNOWN_TARGET,
    N_MELS,
    card,
    hover_cell,
    known_mel,
    open_tab,
    steps_fetched,
    wait_shown,
    wait_until,
)
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

STEPS = 3
# uint16 codes over the known mel's range of about 12: a value is within 1e-4 of what was written.
TOLERANCE = 1e-3

# Makes every worker the page starts load a script that is not there, as a proxy or an old install might.
MISSING_WORKER_SCRIPT = """
window.Worker = class extends Worker {
  constructor(url, options) { super(String(url).replace("decode-worker.js", "no-such-worker.js"), options); }
};
"""
NO_WORKERS = "delete window.Worker;"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("worker")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            spectro_summary.mel_comparison("mel/known", *known_mel(step), step, writer=writer, precision="uint16")
            spectro_summary.mel_comparison("mel/other", *known_mel(step), step, writer=writer)
    with tensorboard(root, "false") as base:
        yield base


def decoded_values(page, frame):
    """The known cell's target and prediction as the readout gives them, at each step."""
    mel = card(frame, "tts", "mel/known")
    values = []
    for step in range(STEPS):
        mel.locator(".spectro-step-slider").fill(str(step))
        wait_shown(mel, step)
        hover_cell(page, mel, "target", KNOWN_FRAME, KNOWN_BIN, FRAMES, N_MELS)
        readout = mel.locator(".spectro-readout")
        wait_until(lambda: readout.get_attribute("data-frame") == str(KNOWN_FRAME), "the readout")
        values.append((float(readout.get_attribute("data-target")), float(readout.get_attribute("data-predicted"))))
        page.mouse.move(0, 0)
    return values


def batch_keys(urls):
    """The keys each /data_batch URL of `urls` asks for."""
    return [
        json.loads(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["keys"][0])
        for url in urls
        if "/data_batch?" in url
    ]


def worker_loads(frame):
    """The keys of each /data_batch request the worker fetched (its spectro:step-load measures)."""
    return batch_keys(frame.evaluate("performance.getEntriesByName('spectro:step-load').map((m) => m.detail.url)"))


def worker_requests(frame):
    return frame.evaluate(
        "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('worker'))"
    )


@pytest.mark.parametrize("init_script", [None, MISSING_WORKER_SCRIPT, NO_WORKERS], ids=["worker", "missing", "none"])
def test_every_step_decodes_to_the_written_values(browser, server, init_script):
    with open_tab(browser, server, init_script=init_script) as (page, frame):
        for target, predicted in decoded_values(page, frame):
            assert target == pytest.approx(KNOWN_TARGET, abs=TOLERANCE)
            assert predicted == pytest.approx(KNOWN_PREDICTED, abs=TOLERANCE)
        # With linked steps, one input moves both cards: their steps load in one request of two.
        frame.check(".spectro-link-steps")
        card(frame, "tts", "mel/known").locator(".spectro-step-slider").fill("1")
        wait_shown(card(frame, "tts", "mel/other"), 1)
        scripts = [name.rsplit("/", 1)[-1] for name in worker_requests(frame)]
        by_worker = worker_loads(frame)
        if init_script is None:
            # The worker's script, served beside the pane's module.
            assert scripts == ["decode-worker.js"]
            # The requests of more than one step, fetched by the worker, and only those.
            assert by_worker and all(len(keys) >= 2 for keys in by_worker), by_worker
        else:
            assert by_worker == []
        if init_script == NO_WORKERS:
            assert scripts == []
        # A worker whose script is missing is no page error (open_tab fails on any): its steps load here.
        assert {step for _run, tag, step in steps_fetched(frame) if tag == "mel/known"} == set(range(STEPS))
