"""The real `tensorboard` on a free loopback port, and fetching from it."""

import contextlib
import glob
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import List

READERS = ["false", "true"]  # --load_fast: the Python reader, RustBoard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def fetch_json(url: str):
    return json.loads(fetch(url)[1])


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except (urllib.error.URLError, ConnectionError, ValueError, KeyError) as e:
            last_error = e
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; last error: {last_error!r}")


@contextlib.contextmanager
def tensorboard(logdir, load_fast: str, python: str = sys.executable, cwd=None):
    """A `tensorboard` of `python`'s environment on a free loopback port; yields its base URL."""
    with tensorboard_process(logdir, load_fast, python, cwd) as (base, _):
        yield base


@contextlib.contextmanager
def tensorboard_process(logdir, load_fast: str, python: str = sys.executable, cwd=None):
    """As `tensorboard`, yielding its base URL and its process; fails if it printed a traceback."""
    port = free_port()
    process = subprocess.Popen(
        [
            python,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(logdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            f"--load_fast={load_fast}",
            "--reload_interval",
            "1",
        ],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Read as it comes, so that a server that logs much never blocks on a full pipe.
    stderr = bytearray()

    def read_stderr() -> None:
        for chunk in iter(lambda: process.stderr.read1(1 << 16), b""):
            stderr.extend(chunk)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/data/plugins_listing")[0] == 200, 60, "tensorboard to start")
        yield base, process
    finally:
        stop(process)
        reader.join(timeout=20)
        process.stderr.close()
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-3000:]


def stop(process: subprocess.Popen) -> None:
    """Terminates a server process, killing it if it has not exited within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree(pid: int) -> List[int]:
    """`pid` and every process it started, and they started (RustBoard's data server under `--load_fast`)."""
    pids = [pid]
    for parent in pids:
        for children in glob.glob(f"/proc/{parent}/task/*/children"):
            try:
                with open(children) as f:
                    pids.extend(int(child) for child in f.read().split())
            except OSError:  # the task or process ended meanwhile
                pass
    return pids


def memory_kib(pid: int, field: str) -> int:
    """A memory figure of /proc/<pid>/status in KiB: VmRSS (resident now) or VmHWM (its peak); 0 once ended."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
