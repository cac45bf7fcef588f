"""The composer's canned-response picker (Ctrl+Shift+C, or the 상용구 button).

A small popup over the composer: a filter box and the responses offered for the conversation
(its department's first, then the front desk's). Typing filters on title, text and shortcut —
on committed text only, so a Hangul syllable still being composed by the input method does not
jump the list around. Up/Down choose, Enter inserts the response with its placeholders filled
at the composer's cursor (plain text; the draft autosaves as for typing), Esc closes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLineEdit, QListView, QVBoxLayout, QWidget

from console.canned import CannedRow
from ui.threadpane import plain_label

ModelIndex = QModelIndex | QPersistentModelIndex
#: The response's id (str).
CannedIdRole = Qt.ItemDataRole.UserRole + 1


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def matches(row: CannedRow, query: str) -> bool:
    """Whether a response matches what was typed (every word, in title, text or shortcut;
    case, width and spacing ignored; a leading "/" is the shortcut marker)."""
    haystack = _fold(f"{row.title}\n{row.shortcut}\n{row.body}")
    words = [_fold(w) for w in query.lstrip("/").split()]
    return all(w in haystack for w in words if w)


class PickerModel(QAbstractListModel):
    """The responses that match the filter, in the order offered."""

    def __init__(self, departments: dict[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[CannedRow] = []
        self._rows: list[CannedRow] = []
        self._departments = departments

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of matching responses."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Title, department and the first line of the text."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            department = self._departments.get(row.department or "", "")
            first = row.body.splitlines()[0] if row.body else ""
            head = f"{row.title} · {department}" if department else row.title
            return f"{head}\n{first[:80]}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.body
        if role == CannedIdRole:
            return row.id
        return None

    def set_rows(self, rows: Sequence[CannedRow]) -> None:
        """Offer these responses (unfiltered)."""
        self.beginResetModel()
        self._all = list(rows)
        self._rows = list(rows)
        self.endResetModel()

    def set_filter(self, query: str) -> None:
        """Keep only the responses matching ``query``."""
        self.beginResetModel()
        self._rows = [r for r in self._all if matches(r, query)]
        self.endResetModel()

    def row_at(self, row: int) -> CannedRow | None:
        """The response on a row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None


class CannedPicker(QFrame):
    """The popup. Call :meth:`popup` with the responses; it emits :attr:`chosen`.

    Args:
        departments: Department code → name, for the list.
        parent: Qt parent.

    Signals:
        chosen(object): a :class:`console.canned.CannedRow` was picked (Enter or a click).
    """

    chosen = Signal(object)

    def __init__(self, departments: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("cannedPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("cannedFilter")
        self.filter_edit.setPlaceholderText(self.tr("Find a canned response…"))
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.installEventFilter(self)
        self.model = PickerModel(departments, self)
        self.list = QListView(self)
        self.list.setObjectName("cannedPickerList")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.clicked.connect(lambda index: self._choose(index.row()))
        self.empty_label = plain_label(self.tr("No canned response matches."), self)
        self.empty_label.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.filter_edit)
        box.addWidget(self.list, 1)
        box.addWidget(self.empty_label)
        self.resize(420, 300)

    def popup(self, rows: Sequence[CannedRow], at: QPoint) -> None:
        """Show the responses at ``at`` (global position), filter box focused and empty."""
        self.model.set_rows(rows)
        self.filter_edit.clear()
        self._select(0)
        self.move(at)
        self.show()
        self.filter_edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._select(0)
        self.empty_label.setVisible(self.model.rowCount() == 0)

    def _select(self, row: int) -> None:
        if self.model.rowCount():
            row = max(0, min(row, self.model.rowCount() - 1))
            self.list.setCurrentIndex(self.model.index(row))

    def current(self) -> CannedRow | None:
        """The highlighted response, or None."""
        index = self.list.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down move in the list, Enter picks, Esc closes — while typing in the filter."""
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                step = -1 if key == Qt.Key.Key_Up else 1
                self._select(self.list.currentIndex().row() + step)
                return True
            if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                step = -5 if key == Qt.Key.Key_PageUp else 5
                self._select(self.list.currentIndex().row() + step)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.list.currentIndex().row())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _choose(self, row: int) -> None:
        picked = self.model.row_at(row)
        if picked is None:
            return
        self.close()
        self.chosen.emit(picked)
