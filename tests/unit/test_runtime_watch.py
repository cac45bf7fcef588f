"""The runtime's watcher threads (server push, e-mail IDLE): a connector that fails in a way
it should not must not silence the watch for good, or new mail would wait for the timer."""

from __future__ import annotations

import logging
import threading

import pytest

from console.runtime import Runtime
from console.store import Store


class FlakyWatch:
    """A connector whose wait fails with a bug the first time, then hears news."""

    def __init__(self) -> None:
        self.calls = 0
        self.closed = False

    def idle(self, timeout_s: float) -> bool:
        self.calls += 1
        if self.calls == 1:
            raise ValueError("readline of closed file")
        return True

    def close(self) -> None:
        self.closed = True


def test_a_watch_that_fails_unexpectedly_carries_on(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    channel = FlakyWatch()
    runtime = Runtime(store, {"acc-1": channel})  # type: ignore[dict-item]
    heard = threading.Event()
    with caplog.at_level(logging.WARNING, logger="console.runtime"):
        try:
            assert runtime.watch(heard.set) == 1
            assert heard.wait(10), "the watch stopped after the first failure"
        finally:
            runtime.close()
    assert channel.calls >= 2 and channel.closed
    assert "watching for new mail failed (ValueError)" in caplog.text
    assert "closed file" not in caplog.text  # the type only, never the connector's text
