"""Sotong core: the data store, services, channels and sync, with no Qt dependency.

The desktop UI (``ui``), the command line and the headless agent all stand on this package.
Nothing below ``console`` may import PySide6 or ``ui``; a test enforces it.
"""

__version__ = "0.1.0"
