"""Warnings given once per key: a series skipped, a marker unreadable, NaN in a tag.

Each `WarnOnce` remembers the keys it has warned about. The summary ops keep
one for the process (NaN and Inf, once per tag); each plugin keeps its own.
Tests start afresh with `reset_all()`.
"""

import threading
import weakref
from typing import Hashable, Set

__all__ = ["WarnOnce", "reset_all"]

_instances: "weakref.WeakSet[WarnOnce]" = weakref.WeakSet()
_instances_lock = threading.Lock()


class WarnOnce:
    """The keys warned about so far; thread-safe."""

    def __init__(self) -> None:
        self._warned: Set[Hashable] = set()
        self._lock = threading.Lock()
        with _instances_lock:
            _instances.add(self)

    def first(self, key: Hashable) -> bool:
        """Returns True the first time `key` is seen (the caller warns then), False after."""
        with self._lock:
            if key in self._warned:
                return False
            self._warned.add(key)
            return True

    def reset(self) -> None:
        """Forgets every key, so each warns again."""
        with self._lock:
            self._warned.clear()


def reset_all() -> None:
    """Forgets the keys of every `WarnOnce` of the process."""
    with _instances_lock:
        instances = list(_instances)
    for instance in instances:
        instance.reset()
