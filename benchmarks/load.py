"""Load: 32 clients scrubbing `/data` at once, against each reader.

A logdir of one run with 4 mel-comparison tags (80×800, uint8) is served by
the real `tensorboard` with each reader. Each client walks one tag's slider
as a user scrubbing does (the next step, wrapping around, with a jump to a
random step now and then), one request after another on a new connection,
for a fixed time. The same walk by one client alone, before the load, is the
baseline of the latency ratios. The clients are threads of the benchmark's
own Python process, so on a small machine they compete with the server for
the CPU: the throughput is that of the pair, a lower bound of the server's.

Reported per reader: requests and errors (any answer but 200, or a failed
connection), throughput, latency p50/p95/p99 alone and under load, and the
resident memory of `tensorboard` and its children (RustBoard's data server):
before the load, its peak during the load (sampled every 100 ms), and a few
seconds after it.
"""

import random
import sys
import tempfile
import threading
import time
import urllib.error
from typing import Any, Dict, List

import numpy as np

from benchmarks import backend, common

CLIENTS = 32
SECONDS = 20.0
BASELINE_SECONDS = 5.0
SETTLE_SECONDS = 3.0
JUMP_EVERY = 25  # requests between jumps to a random step
PLAN = backend.Plan(steps=200, tags=4, frames=800, tags_repeats=0, steps_repeats=0, data_fetches=0)
QUICK_PLAN = backend.Plan(steps=10, tags=2, frames=24, tags_repeats=0, steps_repeats=0, data_fetches=0)
QUICK_CLIENTS, QUICK_SECONDS, QUICK_BASELINE_SECONDS, QUICK_SETTLE_SECONDS = 4, 1.0, 0.5, 0.2


def _progress(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def rss_bytes(pid: int) -> int:
    """Resident memory now of a process and its children (Linux /proc), 0 elsewhere."""
    return common.memory_bytes(pid, "VmRSS:")


class _Client(threading.Thread):
    """One user scrubbing one tag until `stop` is set."""

    def __init__(self, base: str, tag: str, steps: int, seed: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.tag, self.steps, self.stop = base, tag, steps, stop
        self.rng = random.Random(seed)
        self.seconds: List[float] = []
        self.errors: Dict[str, int] = {}

    def run(self) -> None:
        step = self.rng.randrange(self.steps)
        count = 0
        while not self.stop.is_set():
            count += 1
            step = self.rng.randrange(self.steps) if count % JUMP_EVERY == 0 else (step + 1) % self.steps
            url = backend._url(self.base, "data", run=backend.RUN, tag=self.tag, step=step)
            start = time.perf_counter()
            try:
                status, _ = common.fetch(url, timeout=60)
                error = None if status == 200 else str(status)
            except urllib.error.HTTPError as e:
                error = str(e.code)
            except OSError as e:
                error = type(e).__name__
            if error is None:
                self.seconds.append(time.perf_counter() - start)
            else:
                self.errors[error] = self.errors.get(error, 0) + 1


def _scrub(base: str, tags: List[str], steps: int, clients: int, seconds: float, pid: int) -> Dict[str, Any]:
    """`clients` clients scrubbing for `seconds`; latencies, errors and peak memory sampled meanwhile."""
    stop = threading.Event()
    team = [_Client(base, tags[i % len(tags)], steps, i, stop) for i in range(clients)]
    peak = rss_bytes(pid)
    start = time.perf_counter()
    for client in team:
        client.start()
    while time.perf_counter() - start < seconds:
        time.sleep(0.1)
        peak = max(peak, rss_bytes(pid))
    stop.set()
    for client in team:
        client.join()
    elapsed = time.perf_counter() - start
    latencies = [s for client in team for s in client.seconds]
    errors: Dict[str, int] = {}
    for client in team:
        for key, n in client.errors.items():
            errors[key] = errors.get(key, 0) + n
    ms = np.asarray(latencies) * 1000 if latencies else np.zeros(1)
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies) + sum(errors.values()),
        "errors": errors,
        "per_second": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "peak_rss_bytes": peak,
    }


def measure(logdir: str, plan: backend.Plan, load_fast: str, quick: bool) -> Dict[str, Any]:
    tags = backend._tag_names(plan.tags)
    clients = QUICK_CLIENTS if quick else CLIENTS
    seconds = QUICK_SECONDS if quick else SECONDS
    with common.tensorboard(logdir, load_fast) as (base, process):
        backend._wait_loaded(base, plan, process)
        # Every step's header once, as the pane's /steps does before any /data.
        for tag in tags:
            common.fetch(backend._url(base, "steps", run=backend.RUN, tag=tag))
        before = rss_bytes(process.pid)
        alone = _scrub(base, tags, plan.steps, 1, QUICK_BASELINE_SECONDS if quick else BASELINE_SECONDS, process.pid)
        loaded = _scrub(base, tags, plan.steps, clients, seconds, process.pid)
        time.sleep(QUICK_SETTLE_SECONDS if quick else SETTLE_SECONDS)
        after = rss_bytes(process.pid)
        alive = process.poll() is None
    return {"alone": alone, "loaded": loaded, "rss_before": before, "rss_after": after, "alive": alive}


def run(quick: bool) -> Dict[str, Any]:
    plan = QUICK_PLAN if quick else PLAN
    with tempfile.TemporaryDirectory(prefix="spectro-load-") as logdir:
        _progress(f"writing {plan.steps} steps x {plan.tags} tags of {backend.N_MELS}x{plan.frames}")
        written = backend.write_logdir(logdir, plan)
        readers = {}
        for load_fast, name in backend.READERS:
            _progress(f"{QUICK_CLIENTS if quick else CLIENTS} clients against --load_fast={load_fast} ({name})")
            readers[load_fast] = measure(logdir, plan, load_fast, quick)
    return {"plan": plan._asdict(), "n_mels": backend.N_MELS, "written": written, "readers": readers}


def report(results: Dict[str, Any]) -> str:
    plan = results["plan"]
    any_reader = next(iter(results["readers"].values()))
    clients, seconds = any_reader["loaded"]["clients"], any_reader["loaded"]["seconds"]
    rows = []
    for load_fast, name in backend.READERS:
        measured = results["readers"].get(load_fast)
        if measured is None:
            continue
        alone, loaded = measured["alone"], measured["loaded"]
        errors = ", ".join(f"{n}× {key}" for key, n in sorted(loaded["errors"].items())) or "0"
        rows.append(
            [
                name,
                f"{loaded['requests']} ({loaded['per_second']:.0f}/s)",
                errors,
                f"{common.fmt_ms(alone['p50_ms'])} / {common.fmt_ms(alone['p95_ms'])}",
                " / ".join(common.fmt_ms(loaded[k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
                backend._ratio(loaded["p50_ms"], alone["p50_ms"]),
                " / ".join(
                    common.fmt_bytes(b)
                    for b in (measured["rss_before"], loaded["peak_rss_bytes"], measured["rss_after"])
                ),
                "yes" if measured["alive"] else "NO",
            ]
        )
    return common.table(
        f"Load: {clients} clients scrubbing /data for {seconds:.0f} s, {plan['steps']} steps × {plan['tags']} tags "
        f"of {results['n_mels']}×{plan['frames']} ({common.fmt_bytes(results['written']['bytes'])})",
        [
            "reader",
            "requests",
            "errors",
            "alone p50 / p95 ms",
            "loaded p50 / p95 / p99 ms",
            "loaded ÷ alone p50",
            "memory before / peak / after",
            "server alive",
        ],
        rows,
    )
