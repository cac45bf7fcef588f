"""Sotong desktop UI (PySide6): app bootstrap, main window, item models, delegates, workers.

Everything here stands on :mod:`console` and changes data only through
:mod:`console.services`. The GUI thread never touches the network; writes run on one ordered
worker (see :mod:`ui.tasks`).

Importing the package applies :func:`ui.qtcompat.guard_none_refcount` (a defect of the
bindings that would otherwise abort the interpreter after minutes of use on Python 3.11).
"""

from ui.qtcompat import guard_none_refcount as _guard_none_refcount

_guard_none_refcount()
