"""Hybrid logical clock (Kulkarni et al.) stamps for last-writer-wins per field.

A stamp is ``"%013d:%04d:<node>"`` (wall milliseconds, logical counter, node id) and stamps
compare correctly as plain text, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_MAX_COUNTER = 9999


@dataclass(frozen=True, order=True)
class Stamp:
    """One clock reading."""

    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}:{self.counter:04d}:{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        """Read a stamp written by :meth:`__str__`."""
        wall, counter, node = text.split(":", 2)
        return cls(int(wall), int(counter), node)


class Clock:
    """A node's hybrid logical clock; thread-safe.

    Args:
        node: This PC's node id (part of every stamp, breaks ties).
        last: The highest stamp this node has issued or seen, restored from the store.
        wall: Source of wall-clock milliseconds (injectable for tests).
    """

    def __init__(
        self,
        node: str,
        last: Stamp | None = None,
        wall: Callable[[], int] | None = None,
    ) -> None:
        self.node = node
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._last = last or Stamp(0, 0, node)
        self._lock = threading.Lock()

    @property
    def last(self) -> Stamp:
        """The most recent stamp issued or observed."""
        return self._last

    def now(self) -> Stamp:
        """Issue a stamp greater than every stamp issued or observed so far."""
        with self._lock:
            wall = self._wall()
            if wall > self._last.wall_ms:
                stamp = Stamp(wall, 0, self.node)
            else:
                stamp = self._bump(self._last.wall_ms, self._last.counter)
            self._last = stamp
            return stamp

    def observe(self, remote: Stamp) -> None:
        """Merge a stamp received from another node so later local stamps sort after it."""
        with self._lock:
            wall = self._wall()
            top = max(wall, self._last.wall_ms, remote.wall_ms)
            if top == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter)
            elif top == self._last.wall_ms:
                counter = self._last.counter
            elif top == remote.wall_ms:
                counter = remote.counter
            else:
                counter = -1
            self._last = self._bump(top, counter) if counter >= 0 else Stamp(top, 0, self.node)

    def _bump(self, wall_ms: int, counter: int) -> Stamp:
        if counter >= _MAX_COUNTER:
            return Stamp(wall_ms + 1, 0, self.node)
        return Stamp(wall_ms, counter + 1, self.node)
