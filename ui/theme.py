"""The look of the console: one palette of named colours, the style sheet filled from it,
and the UI font.

``resources/style.qss`` refers to colours as ``{{token}}``; :func:`style_sheet` fills them in
from :data:`PALETTE`. Delegates paint with the same tokens through :func:`colour`, so the
painted rows and the styled widgets always agree.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

from console.resources import resource

#: The palette: calm neutrals, one teal accent, clear states.
PALETTE: dict[str, str] = {
    "window": "#f4f6f8",
    "panel": "#ffffff",
    "panel_alt": "#f9fafb",
    "nav": "#eef1f4",
    "border": "#dde2e8",
    "border_strong": "#c5ccd5",
    "text": "#1f2933",
    "text_muted": "#66717f",
    "text_faint": "#98a2b0",
    "accent": "#0f766e",
    "accent_hover": "#0d645d",
    "accent_soft": "#e0f2f0",
    "selection": "#d7ecea",
    "selection_border": "#0f766e",
    "hover": "#eef3f6",
    "unread": "#2563eb",
    "danger": "#b42318",
    "danger_soft": "#fdecea",
    "warning": "#b54708",
    "warning_soft": "#fff4e5",
    "success": "#067647",
    "bubble_in": "#ffffff",
    "bubble_in_border": "#dde2e8",
    "bubble_out": "#dff1ee",
    "bubble_out_border": "#b9e0da",
    "bubble_pending": "#f3f8f7",
    "note": "#fff8e1",
    "note_border": "#e8c770",
    "chip_untriaged": "#eceff3",
    "chip_untriaged_text": "#5b6573",
    "highlight": "#fde68a",
}

#: Font families tried in order: Windows, macOS, then the usual Linux Korean fonts.
FONT_FAMILIES = [
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "Pretendard",
    "Noto Sans KR",
    "Noto Sans CJK KR",
    "NanumGothic",
    "NanumBarunGothic",
    "sans-serif",
]

_TOKEN = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def colour(token: str) -> QColor:
    """A palette colour as a :class:`QColor`."""
    return QColor(PALETTE[token])


def fill_tokens(template: str, palette: dict[str, str] | None = None) -> str:
    """Replace every ``{{token}}`` in ``template`` with its palette value.

    Raises:
        KeyError: the template names a token the palette lacks.
    """
    values = palette or PALETTE
    return _TOKEN.sub(lambda m: values[m.group(1)], template)


def _icon_url(name: str) -> str:
    """A file path for a shipped icon usable in ``url(...)``, or "" if not on disk."""
    node = resource("icons", name)
    try:
        path = Path(str(node))
    except TypeError:
        return ""
    return path.as_posix() if path.is_file() else ""


def style_sheet() -> str:
    """The application style sheet with the palette (and icon paths) filled in."""
    template = resource("style.qss").read_text(encoding="utf-8")
    values = dict(PALETTE, chevron=_icon_url("chevron-down.svg"))
    return fill_tokens(template, values)


def ui_font(point_size: float = 10.0) -> QFont:
    """The UI font: the first Korean-capable family the system has."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def apply(app: QApplication) -> None:
    """Give the application its font and style sheet."""
    app.setFont(ui_font())
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
