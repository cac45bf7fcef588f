"""Work-arounds for defects in the Qt bindings we ship with.

shiboken6 6.12.0 returns ``None`` from every ``void`` C++ method without taking a reference
to it. On Python 3.12 and later ``None`` is immortal and nothing happens; on Python 3.11 each
such call (``widget.update()``, ``painter.save()``, ``label.setText()`` ...) lowers ``None``'s
reference count by one, and after a few tens of thousands of calls (minutes of normal use)
the interpreter aborts with "Fatal Python error: none_dealloc".

:func:`guard_none_refcount` detects the defect and, only where it is present, gives ``None``
the same very large reference count CPython 3.12 gives immortal objects, so the missing
references can never bring it to zero. ``None`` is never freed in any case (freeing it is a
fatal error), so nothing else changes. It runs when the ``ui`` package is imported.

The same release loses a reference to ``True`` on every ``Signal.emit()`` (the method's
return value), which aborts with "bool_dealloc" after a few thousand signals — a sync round,
a progress report, a status refresh each emit some. The guard treats ``True`` (and
``False``, for safety) the same way when that defect is present.
"""

from __future__ import annotations

import ctypes
import sys

#: What CPython 3.12 gives immortal objects, give or take; far beyond any number of calls.
_IMMORTAL = 1 << 60


def leaks_none(calls: int = 64) -> bool:
    """True if calling a ``void`` binding method loses a reference to ``None``."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - calls // 2


def leaks_true(calls: int = 64) -> bool:
    """True if emitting a signal loses a reference to ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(calls):
        probe.ping.emit()
    return sys.getrefcount(True) < before - calls // 2


def _immortalise(obj: object) -> None:
    refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is PyObject's first field
    refcount.value += _IMMORTAL


def guard_none_refcount() -> bool:
    """Make ``None`` (and ``True`` and ``False``) effectively immortal if the bindings leak
    their references.

    Returns:
        True if the guard for ``None`` was applied (CPython before 3.12 with the defect).
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if sys.getrefcount(True) < _IMMORTAL // 2 and leaks_true():
        _immortalise(True)
        _immortalise(False)
    if sys.getrefcount(None) > _IMMORTAL // 2:
        return True  # already applied
    if not leaks_none():
        return False
    _immortalise(None)
    return True
