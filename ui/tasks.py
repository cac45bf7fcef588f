"""The one background-operation helper of the UI.

A core call runs on a worker and its result (or exception) comes back to the GUI thread by a
queued signal, where the caller's callback runs. There are three lanes:

* ``write``: a single worker, so database writes happen one at a time in the order asked
  (a draft save queued before a reply is committed before it).
* ``read``: a single worker for queries that may take more than a few milliseconds
  (navigation counts, status bar health) so they never wait behind a write.
* ``network``: a single worker for channel polling and sending; the core's runtime is not
  shared between threads, so one worker keeps its calls in sequence.
* ``sync``: a single worker for the clinic server (opening its store, push and pull, the
  leader lock), so a slow or vanished server never holds up a write, a read or a poll.

Tests inject :class:`InlineRunner` so work runs synchronously and callbacks fire before
the call returns.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from console.errors import SotongError

log = logging.getLogger(__name__)

T = TypeVar("T")
Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class Runner(Protocol):
    """Somewhere to run zero-argument jobs."""

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` (now or later, on some thread)."""

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until every job submitted so far has finished.

        Returns:
            True if the runner became idle within ``timeout_s``.
        """

    def shutdown(self) -> None:
        """Finish queued jobs and release the threads."""


class PoolRunner:
    """A runner backed by a one-thread :class:`ThreadPoolExecutor` (jobs run in order).

    Args:
        name: Thread name prefix, shown in debuggers and logs.
    """

    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._last: Future[None] | None = None
        self._closed = False

    def submit(self, job: Callable[[], None]) -> None:
        """Queue ``job`` behind every job submitted before it."""
        with self._lock:
            if self._closed:
                log.warning("job submitted after shutdown; dropped")
                return
            self._last = self._pool.submit(job)

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait for the last submitted job (and so, with one worker, for all of them)."""
        with self._lock:
            last = self._last
        if last is None:
            return True
        try:
            last.result(timeout=timeout_s)
        except TimeoutError:
            return False
        except Exception:
            return True
        return True

    def shutdown(self) -> None:
        """Let queued jobs finish, then stop the worker."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True)


class InlineRunner:
    """A runner that runs each job at once on the calling thread (for tests)."""

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` now."""
        job()

    def wait_idle(self, timeout_s: float) -> bool:
        """Always idle: every job has already run."""
        return True

    def shutdown(self) -> None:
        """Nothing to release."""


class Tasks(QObject):
    """Runs core calls off the GUI thread and reports back on it.

    Args:
        write: Runner for database writes (one worker, in order).
        read: Runner for slower reads.
        network: Runner for channel polling and sending.
        parent: Qt parent.
        sync: Runner for the clinic server's synchronisation.

    Signals:
        failed(object): an operation without its own failure callback raised; carries the
            exception.
    """

    failed = Signal(object)
    _deliver = Signal(object)

    def __init__(
        self,
        write: Runner | None = None,
        read: Runner | None = None,
        network: Runner | None = None,
        parent: QObject | None = None,
        sync: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self._runners: dict[str, Runner] = {
            "write": write or PoolRunner("sotong-write"),
            "read": read or PoolRunner("sotong-read"),
            "network": network or PoolRunner("sotong-net"),
            "sync": sync or PoolRunner("sotong-sync"),
        }
        self._closed = False
        self._deliver.connect(self._on_deliver)

    @classmethod
    def inline(cls, parent: QObject | None = None) -> Tasks:
        """A helper whose every lane runs synchronously (for tests)."""
        return cls(InlineRunner(), InlineRunner(), InlineRunner(), parent, InlineRunner())

    # -- submitting ------------------------------------------------------------------------

    def write(
        self,
        fn: Callable[[], T],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
    ) -> None:
        """Run a database write on the ordered write worker.

        Args:
            fn: The call; its return value goes to ``on_success``.
            on_success: Called on the GUI thread with the result.
            on_failure: Called on the GUI thread with the exception (else ``failed`` is emitted).
        """
        self._submit("write", fn, on_success, on_failure)

    def read(
        self,
        fn: Callable[[], T],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
    ) -> None:
        """Run a query on the read worker; see :meth:`write` for the arguments."""
        self._submit("read", fn, on_success, on_failure)

    def network(
        self,
        fn: Callable[[], T],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
    ) -> None:
        """Run network work (poll, send) on the network worker; see :meth:`write`."""
        self._submit("network", fn, on_success, on_failure)

    def sync(
        self,
        fn: Callable[[], T],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
    ) -> None:
        """Run clinic-server work (open, push and pull, leader) on the sync worker; see
        :meth:`write`."""
        self._submit("sync", fn, on_success, on_failure)

    def _submit(
        self,
        lane: str,
        fn: Callable[[], Any],
        on_success: Success | None,
        on_failure: Failure | None,
    ) -> None:
        if self._closed:
            log.warning("%s job after shutdown dropped", lane)
            return

        def job() -> None:
            try:
                result = fn()
            except Exception as exc:
                if isinstance(exc, SotongError):
                    log.info("%s job failed: %s", lane, exc)
                else:
                    log.warning("%s job failed", lane, exc_info=exc)
                self._post(functools.partial(self._fail, exc, on_failure))
            else:
                if on_success is not None:
                    self._post(lambda: on_success(result))

        self._runners[lane].submit(job)

    def _fail(self, exc: BaseException, on_failure: Failure | None) -> None:
        if on_failure is not None:
            on_failure(exc)
        else:
            self.failed.emit(exc)

    def _post(self, callback: Callable[[], None]) -> None:
        try:
            self._deliver.emit(callback)
        except RuntimeError:  # the helper was deleted while the job ran (app closing)
            log.debug("result dropped: tasks helper gone")

    @Slot(object)
    def _on_deliver(self, callback: Callable[[], None]) -> None:
        callback()

    # -- lifecycle -------------------------------------------------------------------------

    def wait_idle(self, lane: str = "write", timeout_s: float = 10.0) -> bool:
        """Block until the lane has run every job submitted so far (results are still
        delivered later through the event loop).

        Returns:
            True if the lane finished in time.
        """
        return self._runners[lane].wait_idle(timeout_s)

    def shutdown(self) -> None:
        """Finish queued writes (a pending draft save must land), then stop every worker."""
        if self._closed:
            return
        self._closed = True
        for runner in self._runners.values():
            runner.shutdown()
