"""Backend latency and memory: the Spectro routes served by the real `tensorboard`.

A logdir of one run with several mel-comparison tags is written with
`spectro_summary.Writer` (a pool of distinct encoded steps, written at every
step), then served by `tensorboard` on loopback with each of its readers:
`--load_fast=false` (the Python multiplexer) and `--load_fast=true`
(RustBoard, whose data server is a child process answering over gRPC).
For each server:

- load: seconds from launching `tensorboard` until `/tags` lists every step
  of every tag. `/tags` is what is polled, not `/steps`, because `/steps`
  reads every step's header and would fill the plugin's cache before the
  cold `/steps` below is measured.
- `/tags`: repeated requests after the load.
- `/steps` cold: the first request for each tag on the fresh server (one
  sample per tag); warm: the same requests repeated.
- `/data` first fetch: distinct random (tag, step) pairs, each fetched once,
  as a user scrubbing meets them (the plugin caches blobs, so a repeat is
  cheaper); `/data` repeat: the same pairs again.
- peak memory: VmHWM of the `tensorboard` process and its children (RustBoard's
  data server) after all requests.

The headline logdir is 1000 steps x 4 tags of 80 x 800 uint8 mels, about
190 MB. The growth series (100, 1000, 10000 steps x 4 tags) uses 80 x 16
mels: at 80 x 800 the 10000-step logdir would be about 2 GB, and the Python
reader checks the CRC-32C of every byte in Python. The 1000-step growth
logdir is also written without the header series (each step's header copied
into a tensor series `<tag>/_spectro_headers`), as Spectro wrote logdirs
before it, and served the same way: the baseline of the last table.

Timings are milliseconds of a whole HTTP request (urllib, a new connection
each time): the median with its quartiles, and p95.
"""

import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
from typing import Any, Dict, List, NamedTuple, Sequence, Tuple

import numpy as np

from benchmarks import common

READERS = (("false", "Python reader"), ("true", "RustBoard"))
PREFIX = "/data/plugin/spectro"
RUN = "run"
N_MELS = 80
POOL = 8  # distinct encoded steps per tag, written in turn
LOAD_TIMEOUT = 900.0  # seconds a server may take to list every step
POLL_SECONDS = 0.25
TARGET_DATA_P50_MS = 20.0
TARGET_STEPS_COLD_MS = 200.0  # for 1000 steps


class Plan(NamedTuple):
    """One logdir's size and how many requests to time on it."""

    steps: int
    tags: int
    frames: int
    tags_repeats: int  # /tags requests
    steps_repeats: int  # warm /steps requests per tag
    data_fetches: int  # distinct (tag, step) pairs fetched, each once, then once more


HEADLINE = Plan(steps=1000, tags=4, frames=800, tags_repeats=10, steps_repeats=3, data_fetches=60)
GROWTH = [
    Plan(steps=n, tags=4, frames=16, tags_repeats=5, steps_repeats=2, data_fetches=30) for n in (100, 1000, 10000)
]
QUICK_HEADLINE = Plan(steps=20, tags=2, frames=24, tags_repeats=2, steps_repeats=1, data_fetches=4)
QUICK_GROWTH = [Plan(steps=n, tags=2, frames=8, tags_repeats=2, steps_repeats=1, data_fetches=3) for n in (5, 20)]


def _progress(message: str) -> None:
    print(f"[backend] {message}", file=sys.stderr, flush=True)


def _tag_names(count: int) -> List[str]:
    return [f"mel/{i}" for i in range(count)]


def _fit(mel: np.ndarray, frames: int) -> np.ndarray:
    """`mel` tiled along frames, or cropped, to `frames`."""
    repeats = -(-frames // mel.shape[1])
    return np.ascontiguousarray(np.tile(mel, (1, repeats))[:, :frames])


def _without_header_series(summary):
    """A Summary as Spectro wrote it before the header series: the blob sequence only."""
    from tensorboard.compat.proto import summary_pb2

    from tb_plugin_spectro import metadata

    old = summary_pb2.Summary()
    old.value.extend(v for v in summary.value if not v.tag.endswith(metadata.HEADERS_SUFFIX))
    return old


def write_logdir(root: str, plan: Plan, header_series: bool = True) -> Dict[str, Any]:
    """Writes `plan.steps` steps of `plan.tags` mel tags into run RUN under `root`.

    Without `header_series`, the steps are written as Spectro wrote them
    before it kept a copy of each header in a tensor series.
    """
    from tb_plugin_spectro import demo
    from tb_plugin_spectro import summary as spectro_summary

    rng = np.random.default_rng(0)
    sample = demo.utterance(*demo.REFERENCE, rng)
    target = _fit(sample.target, plan.frames)
    pool = {}
    for tag in _tag_names(plan.tags):
        pool[tag] = [
            spectro_summary.mel_comparison_pb(
                tag,
                target,
                _fit(demo.predicted_mel(sample, (i + 0.5) / POOL, rng), plan.frames),
                0,
                sample_ids=demo.REFERENCE[0],
                sample_rate=demo.SAMPLE_RATE,
                hop_length=demo.HOP_LENGTH,
            )
            for i in range(POOL)
        ]
        if not header_series:
            pool[tag] = [_without_header_series(summary) for summary in pool[tag]]
    start = time.perf_counter()
    with spectro_summary.Writer(f"{root}/{RUN}", max_queue=100) as writer:
        for step in range(plan.steps):
            for tag in pool:
                writer.add_summary(pool[tag][step % POOL], step)
    seconds = time.perf_counter() - start
    run_dir = os.path.join(root, RUN)
    size = sum(os.path.getsize(os.path.join(run_dir, name)) for name in os.listdir(run_dir))
    return {"write_s": seconds, "bytes": size, "step_bytes": size / (plan.steps * plan.tags)}


def _url(base: str, route: str, **params) -> str:
    query = urllib.parse.urlencode(params)
    return f"{base}{PREFIX}/{route}" + (f"?{query}" if query else "")


def _wait_loaded(base: str, plan: Plan, process) -> None:
    tags = _tag_names(plan.tags)
    deadline = time.monotonic() + LOAD_TIMEOUT
    while True:
        try:
            listing = json.loads(common.fetch(_url(base, "tags"))[1]).get(RUN, {})
            if all(listing.get(tag, {}).get("steps") == plan.steps for tag in tags):
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("tensorboard exited while loading")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"tensorboard did not list {plan.steps} steps of {len(tags)} tags in {LOAD_TIMEOUT:.0f} s"
            )
        time.sleep(POLL_SECONDS)


def _times(urls: Sequence[str]) -> Tuple[List[float], List[int]]:
    seconds, sizes = [], []
    for url in urls:
        elapsed, body = common.timed_fetch(url)
        seconds.append(elapsed)
        sizes.append(len(body))
    return seconds, sizes


def measure(logdir: str, plan: Plan, load_fast: str) -> Dict[str, Any]:
    """Load time, route latencies and peak memory of one server on one logdir."""
    tags = _tag_names(plan.tags)
    rng = random.Random(1)
    pairs = rng.sample(
        [(tag, step) for tag in tags for step in range(plan.steps)], min(plan.data_fetches, plan.steps * plan.tags)
    )
    launched = time.perf_counter()
    with common.tensorboard(logdir, load_fast) as (base, process):
        ready = time.perf_counter() - launched
        _wait_loaded(base, plan, process)
        loaded = time.perf_counter() - launched
        tags_s, _ = _times([_url(base, "tags")] * plan.tags_repeats)
        steps_urls = [_url(base, "steps", run=RUN, tag=tag) for tag in tags]
        cold_s, steps_sizes = _times(steps_urls)
        warm_s, _ = _times(steps_urls * plan.steps_repeats)
        data_urls = [_url(base, "data", run=RUN, tag=tag, step=step) for tag, step in pairs]
        first_s, data_sizes = _times(data_urls)
        repeat_s, _ = _times(data_urls)
        peak = common.peak_rss_bytes(process.pid)
    return {
        "ready_s": ready,
        "load_s": loaded,
        "tags": common.summarize(tags_s),
        "steps_cold": common.summarize(cold_s),
        "steps_warm": common.summarize(warm_s),
        "data_first": common.summarize(first_s),
        "data_repeat": common.summarize(repeat_s),
        "steps_body_bytes": int(np.median(steps_sizes)),
        "data_body_bytes": int(np.median(data_sizes)),
        "peak_rss_bytes": peak,
    }


def _logdir_results(plan: Plan, header_series: bool = True) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="spectro-bench-") as logdir:
        without = "" if header_series else " without header series"
        _progress(f"writing {plan.steps} steps x {plan.tags} tags of {N_MELS}x{plan.frames}{without}")
        written = write_logdir(logdir, plan, header_series)
        readers = {}
        for load_fast, name in READERS:
            _progress(f"serving {plan.steps} steps with --load_fast={load_fast} ({name})")
            readers[load_fast] = measure(logdir, plan, load_fast)
    return {"plan": plan._asdict(), "written": written, "readers": readers}


def run(quick: bool) -> Dict[str, Any]:
    headline = QUICK_HEADLINE if quick else HEADLINE
    growth = QUICK_GROWTH if quick else GROWTH
    results = {"n_mels": N_MELS, "headline": _logdir_results(headline)}
    results["growth"] = [_logdir_results(plan) for plan in growth]
    # The middle growth logdir again, written as Spectro wrote it before the
    # header series: every header is then read from its own blob.
    results["without_header_series"] = _logdir_results(growth[len(growth) // 2], header_series=False)
    return results


# -- report ------------------------------------------------------------------


def _p50_p95(timing: Dict[str, float]) -> List[str]:
    return [common.spread(timing), common.fmt_ms(timing["p95_ms"])]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "–"


def _verdict(value_ms: float, target_ms: float) -> str:
    return "met" if value_ms < target_ms else "missed"


_ROUTES = (
    ("tags", "/tags"),
    ("steps_cold", "/steps cold (first per tag)"),
    ("steps_warm", "/steps warm"),
    ("data_first", "/data first fetch of a step"),
    ("data_repeat", "/data repeat"),
)


def _headline_table(results: Dict[str, Any]) -> str:
    head = results["headline"]
    plan = head["plan"]
    python, rust = head["readers"]["false"], head["readers"]["true"]
    rows = [
        [label, *_p50_p95(python[key]), *_p50_p95(rust[key]), _ratio(rust[key]["median_ms"], python[key]["median_ms"])]
        for key, label in _ROUTES
    ]
    rows.append(
        [
            "load until every step is listed (s)",
            f"{python['load_s']:.1f}",
            "",
            f"{rust['load_s']:.1f}",
            "",
            _ratio(rust["load_s"], python["load_s"]),
        ]
    )
    rows.append(
        [
            "peak memory (server + children)",
            common.fmt_bytes(python["peak_rss_bytes"]),
            "",
            common.fmt_bytes(rust["peak_rss_bytes"]),
            "",
            _ratio(rust["peak_rss_bytes"], python["peak_rss_bytes"]),
        ]
    )
    return common.table(
        f"Backend: {plan['steps']} steps × {plan['tags']} mel tags of {results['n_mels']}×{plan['frames']} "
        f"({common.fmt_bytes(head['written']['bytes'])} of event files), ms: median (p25–p75) and p95",
        ["", "Python reader", "p95", "RustBoard (--load_fast)", "p95", "RustBoard ÷ Python"],
        rows,
    )


def _targets_table(results: Dict[str, Any]) -> str:
    head = results["headline"]
    steps = head["plan"]["steps"]
    rows = []
    for load_fast, name in READERS:
        measured = head["readers"][load_fast]
        data_ms, steps_ms = measured["data_first"]["median_ms"], measured["steps_cold"]["median_ms"]
        rows.append(
            [
                name,
                f"/data p50 < {TARGET_DATA_P50_MS:.0f} ms",
                common.fmt_ms(data_ms),
                _verdict(data_ms, TARGET_DATA_P50_MS),
            ]
        )
        rows.append(
            [
                name,
                f"/steps cold < {TARGET_STEPS_COLD_MS:.0f} ms ({steps} steps)",
                common.fmt_ms(steps_ms),
                _verdict(steps_ms, TARGET_STEPS_COLD_MS) if steps == HEADLINE.steps else "(other size)",
            ]
        )
    return common.table(
        "Backend targets (headline logdir; /data is the first fetch of a step)",
        ["reader", "target", "measured ms", ""],
        rows,
    )


def _growth_table(results: Dict[str, Any]) -> str:
    rows = []
    for load_fast, name in READERS:
        previous = None
        for entry in results["growth"]:
            steps = entry["plan"]["steps"]
            measured = entry["readers"][load_fast]
            cold_ms = measured["steps_cold"]["median_ms"]
            added = "–"
            if previous is not None:
                # The cost of each step added since the smaller logdir: flat when this stays put.
                added = f"{(cold_ms - previous[1]) * 1e3 / (steps - previous[0]):.0f}"
            rows.append(
                [
                    name,
                    steps,
                    f"{measured['load_s']:.1f}",
                    common.fmt_ms(measured["tags"]["median_ms"]),
                    common.fmt_ms(cold_ms),
                    f"{cold_ms * 1e3 / steps:.0f}",
                    added,
                    common.fmt_ms(measured["steps_warm"]["median_ms"]),
                    f"{common.fmt_ms(measured['data_first']['median_ms'])} / {common.fmt_ms(measured['data_first']['p95_ms'])}",
                    common.fmt_ms(measured["data_repeat"]["median_ms"]),
                    common.fmt_bytes(measured["peak_rss_bytes"]),
                ]
            )
            previous = (steps, cold_ms)
    first = results["growth"][0]["plan"]
    return common.table(
        f"Backend growth: {first['tags']} mel tags of {results['n_mels']}×{first['frames']} (small mels, so that the "
        f"largest logdir loads in seconds); ms, median, and µs per step of /steps cold",
        [
            "reader",
            "steps",
            "load s",
            "/tags",
            "/steps cold",
            "µs/step",
            "µs per added step",
            "/steps warm",
            "/data first p50 / p95",
            "/data repeat",
            "peak memory",
        ],
        rows,
    )


def _header_series_table(results: Dict[str, Any]) -> str:
    without = results["without_header_series"]
    steps = without["plan"]["steps"]
    (with_series,) = [entry for entry in results["growth"] if entry["plan"]["steps"] == steps]
    rows = []
    for load_fast, name in READERS:
        old, new = without["readers"][load_fast], with_series["readers"][load_fast]
        for key, label in _ROUTES[1:4]:
            rows.append(
                [
                    name,
                    label,
                    common.fmt_ms(old[key]["median_ms"]),
                    common.fmt_ms(new[key]["median_ms"]),
                    _ratio(new[key]["median_ms"], old[key]["median_ms"]),
                ]
            )
        rows.append(
            [
                name,
                "peak memory",
                common.fmt_bytes(old["peak_rss_bytes"]),
                common.fmt_bytes(new["peak_rss_bytes"]),
                _ratio(new["peak_rss_bytes"], old["peak_rss_bytes"]),
            ]
        )
    plan = without["plan"]
    return common.table(
        f"Header series: {steps} steps × {plan['tags']} tags of {results['n_mels']}×{plan['frames']} written without it "
        f"(as before; one header blob read per step) and with it (one read_tensors per series), ms median",
        ["reader", "", "without", "with", "with ÷ without"],
        rows,
    )


def report(results: Dict[str, Any]) -> str:
    return "\n".join(
        [_headline_table(results), _targets_table(results), _growth_table(results), _header_series_table(results)]
    )
