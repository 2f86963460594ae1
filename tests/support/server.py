"""The real `tensorboard` on a free loopback port, and fetching from it."""

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

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
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/data/plugins_listing")[0] == 200, 60, "tensorboard to start")
        yield base
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-3000:]
