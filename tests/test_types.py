"""The package type-checks clean with mypy."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_mypy_clean():
    pytest.importorskip("mypy", reason="mypy is not installed (make test installs it)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "tb_plugin_spectro"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
