"""Warnings once per key."""

import threading

from tb_plugin_spectro import _once


def test_first_time_only_until_reset():
    once = _once.WarnOnce()
    assert [once.first(key) for key in ("a", "b", "a", ("run", "tag"), ("run", "tag"))] == [
        True,
        True,
        False,
        True,
        False,
    ]
    once.reset()
    assert once.first("a")


def test_reset_all_resets_every_instance():
    first, second = _once.WarnOnce(), _once.WarnOnce()
    first.first("a")
    second.first("a")
    _once.reset_all()
    assert first.first("a") and second.first("a")


def test_one_first_among_threads():
    once = _once.WarnOnce()
    results = []
    threads = [threading.Thread(target=lambda: results.append(once.first("key"))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 15 + [True]
