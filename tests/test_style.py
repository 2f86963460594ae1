"""The tree is formatted and lint-clean: ruff for Python, prettier for TypeScript.

Each failure shows the tool's own report; `make format` fixes what can be fixed
by machine.
"""

import subprocess
import sys

from support.tools import ROOT, load_tool

FIX = "run `make format` (ruff format, ruff check --fix, prettier --write) and commit the result"


def _ruff(*args: str) -> "subprocess.CompletedProcess[str]":
    # The ruff of this environment, the version pyproject.toml's settings were written for.
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean():
    result = _ruff("check", ".")
    assert result.returncode == 0, f"ruff check . found problems; {FIX}:\n{result.stdout}{result.stderr}"


def test_ruff_format_would_change_nothing():
    result = _ruff("format", "--check", ".")
    assert result.returncode == 0, f"ruff format --check . would reformat files; {FIX}:\n{result.stdout}{result.stderr}"


def test_prettier_would_change_nothing():
    build_frontend = load_tool("build_frontend")
    node = build_frontend.find_node()
    build_frontend.ensure_node_modules(node)
    result = node.npm(["run", "--silent", "format:check"], capture=True)
    assert result.returncode == 0, f"prettier would reformat files ({node!r}); {FIX}:\n{result.stdout}"
