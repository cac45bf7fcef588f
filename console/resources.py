"""Files shipped with Sotong (style sheet, icons, translations, demo data).

They live in the top-level ``resources/`` folder, installed as the ``sotong_resources``
package, so the same lookup works from a source checkout, a wheel and a frozen build.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A shipped file, e.g. ``resource("demo", "conversations.json")``."""
    node = resources.files("sotong_resources")
    for part in parts:
        node = node / part
    return node
