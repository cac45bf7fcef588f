"""The background-operation helper: results and errors come back on the GUI thread, in order."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from console.errors import EmptyReply
from ui.tasks import InlineRunner, PoolRunner, Tasks


def test_inline_tasks_deliver_before_returning(qapp: object) -> None:
    tasks = Tasks.inline()
    got: list[object] = []
    tasks.write(lambda: 41 + 1, got.append)
    tasks.read(lambda: "read", got.append)
    tasks.network(lambda: "net", got.append)
    assert got == [42, "read", "net"]


def test_failure_goes_to_the_callback_or_the_failed_signal(qtbot: QtBot) -> None:
    tasks = Tasks.inline()
    errors: list[BaseException] = []

    def boom() -> None:
        raise EmptyReply()

    tasks.write(boom, on_failure=errors.append)
    assert len(errors) == 1 and isinstance(errors[0], EmptyReply)
    with qtbot.wait_signal(tasks.failed) as blocker:
        tasks.write(boom)
    assert isinstance(blocker.args[0], EmptyReply)


def test_pool_runs_off_the_gui_thread_and_reports_on_it(qtbot: QtBot) -> None:
    tasks = Tasks()
    try:
        seen: dict[str, threading.Thread] = {}

        def work() -> str:
            seen["work"] = threading.current_thread()
            return "done"

        results: list[str] = []

        def done(value: str) -> None:
            seen["callback"] = threading.current_thread()
            results.append(value)

        tasks.write(work, done)
        qtbot.waitUntil(lambda: results == ["done"], timeout=2000)
        assert seen["work"] is not threading.main_thread()
        assert seen["callback"] is threading.main_thread()
    finally:
        tasks.shutdown()


def test_writes_run_in_the_order_asked(qtbot: QtBot) -> None:
    tasks = Tasks()
    try:
        ran: list[int] = []
        delivered: list[int] = []
        for i in range(12):

            def job(i: int = i) -> int:
                time.sleep(0.002 * ((i * 7) % 3))  # uneven durations must not reorder
                ran.append(i)
                return i

            tasks.write(job, delivered.append)
        qtbot.waitUntil(lambda: len(delivered) == 12, timeout=3000)
        assert ran == list(range(12))
        assert delivered == list(range(12))
    finally:
        tasks.shutdown()


def test_shutdown_finishes_queued_writes() -> None:
    runner = PoolRunner("test-write")
    done: list[int] = []
    for i in range(5):
        runner.submit(lambda i=i: (time.sleep(0.01), done.append(i)))
    runner.shutdown()
    assert done == [0, 1, 2, 3, 4]


def test_wait_idle_waits_for_the_last_job() -> None:
    runner = PoolRunner("test-idle")
    done: list[str] = []
    runner.submit(lambda: (time.sleep(0.05), done.append("x")))
    assert runner.wait_idle(2.0)
    assert done == ["x"]
    runner.shutdown()
    assert InlineRunner().wait_idle(0.0)
