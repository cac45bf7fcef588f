"""Icons drawn from the SVG files in ``resources/icons``: one per channel kind and the app's own.

SVGs are read through :func:`console.resources.resource` (works from a checkout, a wheel or a
frozen build) and rendered once per size into cached pixmaps, sharp on high-DPI screens.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from console.domain import ChannelKind
from console.resources import resource

log = logging.getLogger(__name__)

_ICON_SIZES = (16, 20, 24, 32, 48, 64)


@cache
def _renderer(name: str) -> QSvgRenderer | None:
    try:
        data = resource("icons", f"{name}.svg").read_bytes()
    except (FileNotFoundError, OSError):
        log.warning("icon %s.svg missing", name)
        return None
    renderer = QSvgRenderer(QByteArray(data))
    return renderer if renderer.isValid() else None


def svg_pixmap(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    """The icon ``name`` rendered as a square pixmap of ``size`` logical pixels.

    Args:
        name: File name without ``.svg`` (a channel kind, or ``"sotong"``).
        size: Edge in logical pixels.
        ratio: Device pixel ratio of the screen it is painted on.
    """
    return _pixmap(name, size, round(ratio * 4) / 4)


@cache
def _pixmap(name: str, size: int, ratio: float) -> QPixmap:
    edge = max(1, round(size * ratio))
    pix = QPixmap(edge, edge)
    pix.fill(Qt.GlobalColor.transparent)
    renderer = _renderer(name) or _renderer(ChannelKind.DEMO.value)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if renderer is not None:
        renderer.render(painter, QRectF(0, 0, edge, edge))
    else:
        painter.setBrush(QColor("#98a2b0"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(QRectF(0, 0, edge, edge), edge / 4, edge / 4)
    painter.end()
    pix.setDevicePixelRatio(ratio)
    return pix


@cache
def icon(name: str) -> QIcon:
    """A :class:`QIcon` for ``name`` with pixmaps at the usual sizes."""
    result = QIcon()
    for size in _ICON_SIZES:
        result.addPixmap(svg_pixmap(name, size))
        result.addPixmap(svg_pixmap(name, size, 2.0))
    return result


def channel_icon(kind: str) -> QIcon:
    """The icon of a channel kind (the demo icon for kinds without one)."""
    try:
        return icon(ChannelKind(kind).value)
    except ValueError:
        return icon(ChannelKind.DEMO.value)


def app_icon() -> QIcon:
    """Sotong's own icon."""
    return icon("sotong")


def dot_icon(colour: str, size: int = 12) -> QIcon:
    """A filled circle, for department entries in menus and combo boxes."""
    return _dot_icon(colour, size)


@cache
def _dot_icon(colour: str, size: int) -> QIcon:
    result = QIcon()
    for ratio in (1.0, 2.0):
        edge = round(size * ratio)
        pix = QPixmap(edge, edge)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(QRectF(edge * 0.15, edge * 0.15, edge * 0.7, edge * 0.7))
        painter.end()
        pix.setDevicePixelRatio(ratio)
        result.addPixmap(pix)
    return result
