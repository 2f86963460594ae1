"""What the benchmarks share: timing summaries, tables, the real server."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Dict, Iterator, List, Sequence, Tuple

import numpy as np


def summarize(seconds: Sequence[float]) -> Dict[str, float]:
    """Median, quartiles, p95 and extremes of timings, in milliseconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1e3
    if not ms.size:
        raise ValueError("no timings to summarize")
    p25, p50, p75, p95 = np.percentile(ms, [25, 50, 75, 95])
    return {
        "n": int(ms.size),
        "median_ms": float(p50),
        "p25_ms": float(p25),
        "p75_ms": float(p75),
        "p95_ms": float(p95),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
    }


def spread(timing: Dict[str, float]) -> str:
    """`median (p25–p75)` in ms, as the tables show a timing."""
    return f"{fmt_ms(timing['median_ms'])} ({fmt_ms(timing['p25_ms'])}–{fmt_ms(timing['p75_ms'])})"


def fmt_ms(ms: float) -> str:
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def fmt_bytes(count: float) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.1f} KB"
    return f"{count:.0f} B"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table under a heading; aligned, so it reads in a terminal too."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: List[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    out = [f"### {title}", "", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 120) -> Tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def timed_fetch(url: str) -> Tuple[float, bytes]:
    """Seconds from request to the last byte of a 200 response, and the body."""
    start = time.perf_counter()
    status, body = fetch(url)
    elapsed = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}")
    return elapsed, body


@contextlib.contextmanager
def tensorboard(logdir: str, load_fast: str) -> Iterator[Tuple[str, subprocess.Popen]]:
    """The real `tensorboard` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            logdir,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            f"--load_fast={load_fast}",
            "--reload_interval",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if fetch(base + "/data/plugins_listing", timeout=5)[0] == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"tensorboard --load_fast={load_fast} did not start") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def memory_bytes(pid: int, field: str) -> int:
    """A /proc status memory `field` ("VmHWM:" peak, "VmRSS:" now) of a process and its children, summed; 0 elsewhere."""
    total = 0
    for each in [pid] + children(pid):
        try:
            with open(f"/proc/{each}/status") as f:
                for line in f:
                    if line.startswith(field):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def peak_rss_bytes(pid: int) -> int:
    """Peak resident memory of a process and its children so far (Linux /proc), 0 elsewhere."""
    return memory_bytes(pid, "VmHWM:")


def children(pid: int) -> List[int]:
    found: List[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            direct = [int(p) for p in f.read().split()]
    except OSError:
        return found
    for child in direct:
        found.append(child)
        found.extend(children(child))
    return found


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
