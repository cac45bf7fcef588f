"""The bindings' lost references to None must not abort a long working day."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.qtcompat import guard_none_refcount, leaks_none

ROOT = Path(__file__).parents[3]

LONG_DAY = """
import ui
from PySide6.QtCore import QObject
probe = QObject()
for _ in range(300_000):   # far more than None's natural reference count
    probe.setObjectName("x")
print("ok")
"""


def test_many_void_calls_do_not_abort_the_interpreter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LONG_DAY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-1000:]
    assert done.stdout.strip() == "ok"


MANY_SIGNALS = """
import ui
from PySide6.QtCore import QObject, Signal
class Probe(QObject):
    ping = Signal(int)
probe = Probe()
probe.ping.connect(lambda n: None)
for n in range(300_000):   # far more than True's natural reference count
    probe.ping.emit(n)
print("ok")
"""


def test_many_signals_do_not_abort_the_interpreter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", MANY_SIGNALS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-1000:]
    assert done.stdout.strip() == "ok"


def test_guard_is_applied_exactly_where_needed() -> None:
    applied = guard_none_refcount()
    if sys.version_info >= (3, 12):
        assert not applied
    else:
        assert applied == (sys.getrefcount(None) > 1 << 59)
        assert applied or not leaks_none()
