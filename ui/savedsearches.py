"""Saved searches in the navigation pane: save the list's search, rename, reorder, delete.

:class:`SavedSearches` works the saved-search entries of the main window's navigation pane.
Every change goes through :mod:`console.services` on the write worker (the services check who
may change what: anyone their own searches, managers the shared ones); the list and the counts
are then read again on the read worker with the navigation counts.

Keyboard: Ctrl+Shift+S saves the search in the box; on a saved search in the navigation pane
F2 renames it, Delete removes it (after asking), Alt+Up and Alt+Down move it; the context menu
(right click, or the Menu key) offers the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.domain import MAX_SAVED_SEARCH_NAME_CHARS as MAX_NAME_CHARS
from console.services import Permission, permitted
from console.store.queries import ListFilter, SavedSearchRow
from ui.context import AppContext
from ui.navigation import SAVED, NavigationModel, ValueRole, ViewRole

#: Asks for a text: ``(title, label, current) -> new text, or None if cancelled``.
AskText = Callable[[str, str, str], "str | None"]
#: Asks a yes/no question: ``(title, text) -> yes``.
Confirm = Callable[[str, str], bool]
#: Asks for a new saved search: ``(suggested name, may share) -> (name, shared) or None``.
AskNew = Callable[[str, bool], "tuple[str, bool] | None"]


class SaveSearchDialog(QDialog):
    """Name a search to keep in the navigation pane, and (for managers) share it.

    Args:
        query: The search text (shown, not edited).
        may_share: Whether the "share with everyone" box is offered.
        parent: The owning window.
    """

    def __init__(self, query: str, may_share: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveSearchDialog")
        self.setWindowTitle(self.tr("Save search"))
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("savedSearchName")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.setText(" ".join(query.split())[:MAX_NAME_CHARS])
        self.name_edit.selectAll()
        form.addRow(self.tr("Name"), self.name_edit)
        query_edit = QLineEdit(query, self)
        query_edit.setReadOnly(True)
        form.addRow(self.tr("Search"), query_edit)
        self.shared_box = QCheckBox(self.tr("Share with everyone at the clinic"), self)
        self.shared_box.setObjectName("savedSearchShared")
        self.shared_box.setVisible(may_share)
        self._may_share = may_share
        form.addRow("", self.shared_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)
        self.setFixedWidth(420)

    def chosen(self) -> tuple[str, bool]:
        """The name typed and whether to share."""
        return self.name_edit.text().strip(), self._may_share and self.shared_box.isChecked()


class SavedSearches(QObject):
    """The saved-search actions of the main window.

    Args:
        ctx: The application context (commands and the operator).
        nav_view: The navigation pane's view (keys and context menu are installed on it).
        nav_model: Its model.
        parent: The main window.

    The three ``ask_*``/``confirm`` attributes are the dialogs; tests replace them.
    """

    def __init__(
        self,
        ctx: AppContext,
        nav_view: QListView,
        nav_model: NavigationModel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = nav_view
        self.model = nav_model
        self._window = parent
        #: The saved search just saved, selected once the list shows it.
        self.pending_select: str | None = None
        self.ask_new: AskNew = self._ask_new
        self.ask_text: AskText = self._ask_text
        self.confirm: Confirm = self._confirm
        nav_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        nav_view.customContextMenuRequested.connect(self.show_menu)
        nav_view.installEventFilter(self)

    # -- dialogs -----------------------------------------------------------------------------

    def _ask_new(self, query: str, may_share: bool) -> tuple[str, bool] | None:
        dialog = SaveSearchDialog(query, may_share, self._window)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.chosen()
        finally:
            dialog.deleteLater()

    def _ask_text(self, title: str, label: str, current: str) -> str | None:
        text, ok = QInputDialog.getText(
            self._window, title, label, QLineEdit.EchoMode.Normal, current
        )
        return text if ok else None

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._window, title, text)
        return answer == QMessageBox.StandardButton.Yes

    # -- actions -----------------------------------------------------------------------------

    def may_share(self) -> bool:
        """Whether the operator may make shared searches (managers and administrators)."""
        for op in self.ctx.operators():
            if op.id == self.ctx.operator_id:
                return permitted(op.role, Permission.MANAGE_ROUTING)
        return False

    def save(self, flt: ListFilter) -> None:
        """Ask for a name and save the list's search."""
        query = flt.text.strip()
        if not query:
            return
        answer = self.ask_new(query, self.may_share())
        if answer is None or not answer[0]:
            return
        name, shared = answer
        self.ctx.command(
            functools.partial(services.save_search, shared=shared),
            name,
            query,
            flt.view.value,
            flt.value,
            on_success=self._saved,
        )

    def _saved(self, search_id: str) -> None:
        self.pending_select = search_id
        self.ctx.load_counts_now()

    def current(self) -> SavedSearchRow | None:
        """The saved search current in the navigation pane, if one is."""
        index = self.view.currentIndex()
        if not index.isValid() or index.data(ViewRole) != SAVED:
            return None
        return self.model.saved_row(str(index.data(ValueRole)))

    def rename(self, row: SavedSearchRow | None = None) -> None:
        """Ask for a new name for a saved search (the current one by default)."""
        row = row or self.current()
        if row is None:
            return
        name = self.ask_text(self.tr("Rename saved search"), self.tr("Name"), row.name)
        if name is None or not name.strip() or name.strip() == row.name:
            return
        self.ctx.command(
            services.rename_saved_search,
            row.id,
            name,
            on_success=lambda _r: self.ctx.load_counts_now(),
        )

    def delete(self, row: SavedSearchRow | None = None) -> None:
        """Remove a saved search after asking (the conversations stay as they are)."""
        row = row or self.current()
        if row is None:
            return
        question = self.tr("Delete the saved search “%1”? Conversations are not affected.")
        if not self.confirm(self.tr("Delete saved search"), question.replace("%1", row.name)):
            return
        self.ctx.command(
            services.delete_saved_search, row.id, on_success=lambda _r: self.ctx.load_counts_now()
        )

    def move(self, delta: int, row: SavedSearchRow | None = None) -> None:
        """Move a saved search up (-1) or down (+1) among its group."""
        row = row or self.current()
        if row is None:
            return
        self.pending_select = row.id
        self.ctx.command(
            services.move_saved_search,
            row.id,
            delta,
            on_success=lambda _r: self.ctx.load_counts_now(),
        )

    # -- menu and keys -----------------------------------------------------------------------

    def show_menu(self, pos: QPoint) -> QMenu | None:
        """The context menu of a saved search entry."""
        index: QModelIndex = self.view.indexAt(pos)
        if not index.isValid() or index.data(ViewRole) != SAVED:
            return None
        row = self.model.saved_row(str(index.data(ValueRole)))
        if row is None:
            return None
        menu = QMenu(self.view)
        menu.setObjectName("savedSearchMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        entries = [
            (self.tr("Rename…"), QKeySequence(Qt.Key.Key_F2), lambda: self.rename(row)),
            (
                self.tr("Move up"),
                QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Up),
                lambda: self.move(-1, row),
            ),
            (
                self.tr("Move down"),
                QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down),
                lambda: self.move(1, row),
            ),
            (self.tr("Delete…"), QKeySequence(QKeySequence.StandardKey.Delete), None),
        ]
        for text, keys, slot in entries:
            action = menu.addAction(text)
            action.setShortcut(keys)
            action.triggered.connect(slot or (lambda: self.delete(row)))
        menu.popup(self.view.viewport().mapToGlobal(pos))
        return menu

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """F2, Delete, Alt+Up and Alt+Down on a saved search in the navigation pane."""
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self.current() is None:
                return False
            key, mods = event.key(), event.modifiers()
            alt = bool(mods & Qt.KeyboardModifier.AltModifier)
            if key == Qt.Key.Key_F2:
                self.rename()
            elif key == Qt.Key.Key_Delete:
                self.delete()
            elif alt and key == Qt.Key.Key_Up:
                self.move(-1)
            elif alt and key == Qt.Key.Key_Down:
                self.move(1)
            else:
                return False
            return True
        return super().eventFilter(watched, event)
