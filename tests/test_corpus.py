"""The damaged-logdir corpus (`tests/damaged_corpus.py`) through both readers of the real `tensorboard`.

Every route of http_api.md, for every run, tag and step listed, answers 200
or 4xx, never a 5xx; the healthy runs serve the same bytes beside the
damaged ones as alone; the server's memory stays under `PEAK_RSS_BOUND`; and
in a browser the pane records no page error, paints the healthy cards and
says what is wrong with the others.
"""

import concurrent.futures
import dataclasses
import json
import shutil
import time
import urllib.error
import urllib.parse
from typing import Dict, List, Tuple

import pytest

import damaged_corpus
from damaged_corpus import CASES, HEALTHY_CARDS, HEALTHY_RUNS, MARKUP
from support.browser import card, open_tab, wait_shown, wait_until
from support.server import READERS, fetch, memory_kib, process_tree, tensorboard_process, wait_for

# The peak resident memory of the server (with --load_fast, TensorBoard and
# RustBoard's data server together) over the whole module: loading the
# corpus, every route, eight clients asking at once for the deflate bomb and
# the oversized steps, and a browser on the tab. Measured at about 100 MB
# for the Python reader and 110 MB for RustBoard; a server that inflated the
# bomb (64 MB a copy) or allocated an oversized step (64 MB of codes, 256 MB
# as floats) for each of those requests would exceed it.
PEAK_RSS_BOUND = 400 << 20  # bytes
PREFIX = "/data/plugin/spectro"
CONCURRENT_CLIENTS = 8


def get(url: str) -> Tuple[int, bytes]:
    try:
        return fetch(url)
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def query(**params) -> str:
    return urllib.parse.urlencode(params)


@dataclasses.dataclass
class Walk:
    """Every route asked of a server, and its answer."""

    tags: Dict[str, Dict[str, dict]]
    answers: Dict[str, Tuple[int, bytes]]  # by route, e.g. "/steps?run=...&tag=..."

    def json(self, route: str):
        status, body = self.answers[route]
        assert status == 200, (route, status, body[:500])
        return json.loads(body)


def walk(base: str) -> Walk:
    """Asks every route of http_api.md: /data of every step listed (in both formats, of the first and the
    last sample), /lowest of every scalar tag, the pane's module."""
    answers: Dict[str, Tuple[int, bytes]] = {}

    def ask(route: str) -> Tuple[int, bytes]:
        answers[route] = get(base + PREFIX + route)
        return answers[route]

    tags = json.loads(ask("/tags")[1])
    ask("/static/index.js")
    status, body = ask("/scalars")
    if status == 200:
        for run, scalar_tags in json.loads(body)["runs"].items():
            for tag in scalar_tags:
                ask("/lowest?" + query(run=run, tag=tag))
    for run, series in tags.items():
        for tag, info in series.items():
            status, body = ask("/steps?" + query(run=run, tag=tag))
            if status == 200:
                steps = [entry["step"] for entry in json.loads(body)["steps"]]
            else:
                steps = sorted({step for step in (info["first_step"], info["last_step"]) if step is not None})
            for step in steps:
                for sample in sorted({0, info["max_samples"] - 1}):
                    for response_format in ("binary", "npz"):
                        ask("/data?" + query(run=run, tag=tag, step=step, sample=sample, format=response_format))
    return Walk(tags, answers)


def wait_loaded(base: str, runs: List[str]) -> None:
    """Until /tags lists every run and stays the same over a reload."""

    def listed():
        first = fetch(base + PREFIX + "/tags")[1]
        if not set(runs) <= set(json.loads(first)):
            return False
        time.sleep(1.2)  # --reload_interval 1
        return fetch(base + PREFIX + "/tags")[1] == first

    wait_for(listed, 60, f"tensorboard to load {len(runs)} runs")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus, and a logdir of its healthy runs alone (the same event files)."""
    root = tmp_path_factory.mktemp("corpus")
    damaged_corpus.write_corpus(root / "corpus")
    for run in HEALTHY_RUNS:
        shutil.copytree(root / "corpus" / run, root / "healthy" / run)
    return root / "corpus", root / "healthy"


@dataclasses.dataclass
class Served:
    base: str
    load_fast: str
    pids: List[int]  # the server's processes
    walk: Walk


@pytest.fixture(scope="module", params=READERS, ids=[f"load_fast={reader}" for reader in READERS])
def served(request, corpus):
    with tensorboard_process(corpus[0], request.param) as (base, process):
        wait_loaded(base, [case.run for case in CASES] + HEALTHY_RUNS)
        yield Served(base, request.param, process_tree(process.pid), walk(base))


def test_every_route_answers_200_or_4xx(served):
    answers = served.walk.answers
    assert len(answers) > 150, sorted(answers)
    server_errors = {route: (status, body[:300]) for route, (status, body) in answers.items() if status >= 500}
    assert not server_errors
    for route, (status, body) in answers.items():
        assert 200 <= status < 500, (route, status)
        if status != 200:
            assert body and b"Traceback" not in body, (route, body)


def test_healthy_runs_serve_the_same_bytes_as_alone(served, corpus):
    with tensorboard_process(corpus[1], served.load_fast) as (base, _):
        wait_loaded(base, HEALTHY_RUNS)
        alone = walk(base)
    assert sorted(alone.tags) == sorted(HEALTHY_RUNS)
    for run in HEALTHY_RUNS:
        assert served.walk.tags[run] == alone.tags[run], run
    compared = [route for route in alone.answers if route.startswith(("/steps", "/data"))]
    assert len(compared) >= 5 * 3 * 2, compared
    for route in compared:
        assert alone.answers[route][0] == 200, (route, alone.answers[route])
        assert served.walk.answers[route] == alone.answers[route], route


def steps_of(walk: Walk, run: str, tag: str = "n") -> List[dict]:
    return walk.json("/steps?" + query(run=run, tag=tag))["steps"]


def data_answer(walk: Walk, run: str, tag: str, step: int, response_format: str = "binary") -> Tuple[int, str]:
    status, body = walk.answers["/data?" + query(run=run, tag=tag, step=step, sample=0, format=response_format)]
    return status, body.decode("utf-8", errors="replace") if status != 200 else ""


def test_what_the_damaged_runs_answer(served):
    walk = served.walk
    # A series holds one kind: the steps of another kind are their own errors, the others serve.
    mixed = steps_of(walk, "damaged/kind_change", "mixed")
    assert ["error" in entry for entry in mixed] == [False, False, True, True]
    assert "the step holds noise_pair, not the mel_comparison of its series" in mixed[2]["error"]
    assert data_answer(walk, "damaged/kind_change", "mixed", 1)[0] == 200
    status, text = data_answer(walk, "damaged/kind_change", "mixed", 2, "npz")
    assert status == 404 and "not the mel_comparison of its series" in text

    # Plugin data that cannot be read: listed with why, as a kind this version cannot show.
    tags = walk.tags
    reasons = {
        "damaged/garbage_plugin_data": "plugin data unreadable: not a Spectro message (Error parsing message",
        "damaged/empty_plugin_data": "plugin data unreadable: not a Spectro message (it holds no format version)",
        "damaged/not_utf8_plugin_data": "plugin data unreadable: a text field is not UTF-8",
        "damaged/newer_plugin_data": "format version 2 needs a newer tb-plugin-spectro",
    }
    for run, reason in reasons.items():
        assert tags[run]["n"]["kind"] == "unknown" and reason in tags[run]["n"]["error"], tags[run]
        status, body = walk.answers["/steps?" + query(run=run, tag="n")]
        assert status == 404 and reason in body.decode(), body
        if "newer" not in run:
            assert "newer" not in tags[run]["n"]["error"], tags[run]
    assert "error" not in tags["damaged/unknown_kind"]["n"]  # a newer kind: its steps are listed
    assert [entry["step"] for entry in steps_of(walk, "damaged/unknown_kind")] == [0, 1]

    # Unreadable steps are reported on the step; the healthy step beside them serves.
    for run, reason in [
        ("damaged/garbage_header", "unreadable Spectro step header"),
        ("damaged/newer_step", "format version 2 needs a newer tb-plugin-spectro"),
        ("damaged/step_kind_mismatch", "not the noise_pair of its series"),
    ]:
        entries = steps_of(walk, run)
        assert "error" not in entries[0] and reason in entries[1]["error"], entries
        assert data_answer(walk, run, "n", 0)[0] == 200
    for tag, reason in [
        ("mel", "String field had bad UTF-8"),
        ("similarity", "unreadable labels"),
        ("alignment", "unreadable token labels"),
    ]:
        assert data_answer(walk, "damaged/not_utf8_labels", tag, 0)[0] == 200
        status, text = data_answer(walk, "damaged/not_utf8_labels", tag, 1)
        assert status == 404 and reason in text, text
    # A record cut at the end of its file, or whose CRC fails, leaves the records before it.
    assert [entry["step"] for entry in steps_of(walk, "damaged/truncated")] == [0, 1]
    assert data_answer(walk, "damaged/truncated", "n", 1)[0] == 200
    assert data_answer(walk, "damaged/bad_crc", "n", 0)[0] == 200
    for name, case in damaged_corpus.DAMAGED_STEPS.items():
        run = damaged_corpus.damaged_step_run(name)
        for response_format in ("binary", "npz"):
            status, text = data_answer(walk, run, "n", 1, response_format)
            if response_format == "binary" and not case.binary_refuses:
                assert status == 200, (run, text)
            else:
                assert status == 404 and case.message in text, (run, text)


def test_names_that_rustboard_cannot_key(served):
    walk = served.walk
    names = [
        (f"damaged/run {character} {name}", "n", name) for name, character in damaged_corpus.NAME_CHARACTERS.items()
    ]
    names += [
        ("damaged/tag_names", f"tag {character} {name}", name)
        for name, character in damaged_corpus.NAME_CHARACTERS.items()
    ]
    assert len(names) == 8
    for run, tag, name in names:
        steps = steps_of(walk, run, tag)
        assert [entry["step"] for entry in steps] == [0, 1], (run, tag)
        for response_format in ("binary", "npz"):
            status, text = data_answer(walk, run, tag, 1, response_format)
            if served.load_fast == "false":
                assert status == 200, (run, tag, text)
                continue
            # RustBoard lists the steps (their headers come from the header series) but cannot read a blob.
            what = "the run's name" if tag == "n" else "the tag"
            spelled = {"quote": "a double quote", "backslash": "a backslash", "tab": "a tab", "newline": "a newline"}
            assert status == 404, (run, tag, status)
            assert f"RustBoard (--load_fast=true) cannot read this data: {what} holds {spelled[name]}" in text, text
            assert "TensorBoard's Python reader (--load_fast=false) reads it" in text, text
        if served.load_fast == "true" and tag != "n" and name == "quote":
            # Written without a header series: /steps reads each header's blob, which RustBoard refuses alike.
            assert all("--load_fast=false" in entry["error"] for entry in steps), steps
        else:
            assert all("error" not in entry for entry in steps), steps


def test_browser_pass_paints_the_healthy_cards_and_says_what_is_wrong(served, browser):
    rustboard = served.load_fast == "true"
    with open_tab(browser, served.base) as (page, frame):  # fails on any page error
        healthy = [card(frame, run, tag) for run, tag in HEALTHY_CARDS]
        for locator in healthy:
            wait_shown(locator, damaged_corpus.HEALTHY_STEPS[-1])
            assert locator.locator(".spectro-error").is_hidden()
        lowest = card(frame, "healthy/lowest", "loss/total")
        lowest.locator('.spectro-candidates tr[data-final-low="true"]').wait_for()

        def error_of(run: str, tag: str = "n") -> str:
            line = card(frame, run, tag).locator(".spectro-error")
            return wait_until(lambda: line.is_visible() and line.inner_text(), f"the error line of {run!r} {tag!r}")

        assert "This series cannot be read: plugin data unreadable: not a Spectro message" in error_of(
            "damaged/garbage_plugin_data"
        )
        assert "a text field is not UTF-8" in error_of("damaged/not_utf8_plugin_data")
        assert "needs a newer tb-plugin-spectro" in error_of("damaged/newer_plugin_data")
        for run in ("damaged/garbage_plugin_data", "damaged/newer_plugin_data"):
            assert card(frame, run, "n").locator(".spectro-upgrade").is_hidden()
        newer_kind = card(frame, "damaged/unknown_kind", "n")
        assert "newer version of Spectro" in newer_kind.locator(".spectro-upgrade").inner_text()
        assert newer_kind.locator(".spectro-error").is_hidden()
        group = frame.locator('.spectro-group[data-kind="unknown"] h2')
        assert group.inner_text() == "Newer or unreadable series (5)"

        # The mixed series opens at its last step, a noise pair in a mel series: that step's error. Its mel
        # comparisons paint.
        assert "not the mel_comparison of its series" in error_of("damaged/kind_change", "mixed")
        mixed = card(frame, "damaged/kind_change", "mixed")
        control = mixed.locator(".spectro-step-control")
        for step in (2, 1):
            mixed.locator(".spectro-step-previous").click()
            wait_until(lambda: control.get_attribute("data-step") == str(step), f"step {step}")
        wait_shown(mixed, 1)
        wait_until(lambda: mixed.locator(".spectro-error").is_hidden(), "the mel step to clear the error")
        assert "step 1" in mixed.locator(".spectro-step-label").inner_text()
        panels = mixed.locator(".spectro-panels")
        assert panels.is_visible()
        # Back on the noise step, step 1's drawing is not passed off as step 2's.
        mixed.locator(".spectro-step-next").click()
        wait_until(lambda: mixed.locator(".spectro-error").is_visible(), "step 2's error")
        assert "step 2" in mixed.locator(".spectro-step-label").inner_text()
        wait_until(lambda: not panels.is_visible(), "step 1's panels to be hidden")
        mixed.locator(".spectro-step-previous").click()
        wait_until(lambda: panels.is_visible(), "step 1's panels again")
        assert "unreadable" in error_of("damaged/step_not_deflate")

        tab = card(frame, "damaged/run \t tab", "n")
        if rustboard:
            text = error_of("damaged/run \t tab")
            assert "the run's name holds a tab" in text and "--load_fast=false" in text, text
            assert "GET " not in text, text
        else:
            wait_shown(tab, 1)
        assert frame.locator("img[src=x]").count() == 0  # markup in logs stays text
        assert (
            card(frame, f"damaged/markup {MARKUP}", f"mel/{MARKUP}").locator(".spectro-card-title").inner_text()
            == MARKUP
        )


def test_peak_memory_stays_under_the_bound(served):
    heavy = [
        route
        for route in served.walk.answers
        if route.startswith("/data?") and ("bomb" in route or "huge" in route or "overflowing" in route)
    ]
    assert len(heavy) >= 8, heavy
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_CLIENTS) as clients:
        statuses = list(clients.map(lambda route: get(served.base + PREFIX + route)[0], heavy * CONCURRENT_CLIENTS))
    assert all(status in (200, 404) for status in statuses), statuses
    peaks = {pid: memory_kib(pid, "VmHWM") << 10 for pid in served.pids}
    assert all(peaks.values()), peaks  # every process still running
    print(f"peak RSS with --load_fast={served.load_fast}: {sum(peaks.values()) / (1 << 20):.0f} MB {peaks}")
    assert sum(peaks.values()) < PEAK_RSS_BOUND, peaks
