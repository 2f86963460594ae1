"""Shared fixtures: every writer Spectro supports, and a browser. Their helpers are in `support/`."""

import pytest

from support.browser import CHROMIUM_ARGS, ensure_chromium
from support.logdir import WRITER_KINDS, WriterCase, skip_reason
from tb_plugin_spectro import _once


@pytest.fixture(params=WRITER_KINDS)
def writer_case(request, tmp_path):
    reason = skip_reason(request.param)
    if reason:
        pytest.skip(reason)
    case = WriterCase(request.param, str(tmp_path / request.param))
    yield case
    case.close()


@pytest.fixture
def own_writer(tmp_path):
    case = WriterCase("own", str(tmp_path / "own"))
    yield case
    case.close()


@pytest.fixture(autouse=True)
def _fresh_nonfinite_warnings():
    # Warnings are once per tag per process; each test starts afresh.
    _once.reset_all()
    yield


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module."""
    pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
