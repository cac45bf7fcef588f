"""Named points where a test may kill the process, to prove nothing is lost or sent twice.

A test starts a process with ``SOTONG_FAILPOINT=name`` (several names separated by commas);
when the code reaches :func:`failpoint` with that name, the process kills itself with SIGKILL
at once — no ``finally``, no flush, as a power cut would. In production the variable is unset
and a failpoint costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

_ARMED = frozenset(filter(None, os.environ.get("SOTONG_FAILPOINT", "").split(",")))


def armed(name: str) -> bool:
    """True when this process was started to die at ``name``."""
    return name in _ARMED


def failpoint(name: str) -> None:
    """Die here, by SIGKILL, if this process was started with ``SOTONG_FAILPOINT=name``."""
    if name in _ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
