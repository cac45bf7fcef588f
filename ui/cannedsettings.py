"""Settings → Canned responses: each department's responses, edited with a live preview, and
the branch name that fills ``{지점}``.

Pick a department, pick a response, edit its title, shortcut and text; the preview below shows
the text with its placeholders filled for a sample customer (unknown placeholders are named).
Saving, adding, moving and deleting go through :mod:`console.services` on the write worker and
apply at once. Edits are saved with Save; choosing another response, another department or
"New", or closing Settings, with edits not saved asks first — save, discard or stay — like a
document in a desktop app, so nothing typed is dropped silently. Staff whose role may not
manage canned responses can read but not change them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from shiboken6 import isValid

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.canned import PLACEHOLDERS, CannedRow, canned_responses, fill, placeholder_values
from ui import icons, texts
from ui.context import AppContext
from ui.routingsettings import may_manage
from ui.texts import translate
from ui.threadpane import plain_label

#: The response's id (str).
CannedIdRole = Qt.ItemDataRole.UserRole + 1
#: The sample customer the preview fills in.
SAMPLE_CONTACT = "김민지"
#: Answers to "save the changes?": save them, drop them, or stay on the response.
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"

ModelIndex = QModelIndex | QPersistentModelIndex


def canned_problem_text(exc: BaseException) -> str:
    """A sentence saying what is wrong with a response, naming the field."""
    params: dict[str, Any] = getattr(exc, "params", {}) or {}
    if getattr(exc, "code", "") == "invalid_canned":
        field, reason = params.get("field"), params.get("reason")
        if field == "title":
            return translate("CannedTexts", "Give the response a title of 1 to 120 characters.")
        if field == "body":
            return translate(
                "CannedTexts", "Write the response's text (at most 20,000 characters)."
            )
        if reason == "spaces":
            return translate("CannedTexts", "A shortcut is one word, without spaces.")
        return translate("CannedTexts", "A shortcut has at most 40 characters.")
    if getattr(exc, "code", "") == "invalid_input" and params.get("field") == "branch":
        return translate("CannedTexts", "The branch name has at most 40 characters, on one line.")
    return texts.error_text(exc)


def preview_text(body: str, values: dict[str, str]) -> str:
    """The preview under the editor: the filled text, then what was left as written."""
    filled = fill(body, values)
    lines = [filled.text]
    if filled.unknown:
        lines.append(
            translate("CannedTexts", "Unknown placeholders, left as written: %1").replace(
                "%1", ", ".join("{" + n + "}" for n in filled.unknown)
            )
        )
    if filled.empty:
        lines.append(
            translate("CannedTexts", "No value yet for: %1").replace(
                "%1", ", ".join("{" + n + "}" for n in filled.empty)
            )
        )
    return "\n\n".join(lines)


class CannedListModel(QAbstractListModel):
    """A department's responses in order: title, and the shortcut when there is one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CannedRow] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of responses."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Title (and shortcut), the body as tooltip, the id."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.title}  /{row.shortcut}" if row.shortcut else row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.body
        if role == CannedIdRole:
            return row.id
        return None

    def set_rows(self, rows: Sequence[CannedRow]) -> None:
        """Show these responses."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CannedRow | None:
        """The response on a row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, canned_id: str) -> int:
        """The row of a response, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.id == canned_id), -1)


class CannedPanel(QWidget):
    """The Canned responses tab.

    Args:
        ctx: The application context.
        parent: Qt parent.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cannedPanel")
        self.ctx = ctx
        self.confirm: Callable[[str, str], bool] = functools.partial(self._ask)
        #: Asks what to do with unsaved edits: :data:`SAVE`, :data:`DISCARD` or :data:`CANCEL`.
        self.ask_unsaved: Callable[[str], str] = functools.partial(self._ask_unsaved)
        self.can_edit = may_manage(ctx, services.Permission.MANAGE_CANNED)
        self._current_id: str | None = None
        self._select_next: str | None = None
        self._branch = ""
        #: (title, shortcut, text) as last shown or saved: the edits are what differs.
        self._shown: tuple[str, str, str] = ("", "", "")
        self._department_index = 0

        self.department_combo = QComboBox(self)
        self.department_combo.setObjectName("cannedDepartmentCombo")
        for d in ctx.store.departments():
            self.department_combo.addItem(
                icons.dot_icon(d.colour), texts.department_name(d.name_ko, d.name_en), d.code
            )
        self.department_combo.currentIndexChanged.connect(self._department_changed)
        self.branch_edit = QLineEdit(self)
        self.branch_edit.setObjectName("branchEdit")
        self.branch_edit.setMaxLength(40)
        self.branch_edit.setPlaceholderText(self.tr("e.g. 강남점"))
        self.branch_edit.setEnabled(self.can_edit)
        self.branch_edit.editingFinished.connect(self.save_branch)

        self.model = CannedListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("cannedList")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentRowChanged.connect(self._current_changed)

        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("cannedTitleEdit")
        self.title_edit.setMaxLength(120)
        self.shortcut_edit = QLineEdit(self)
        self.shortcut_edit.setObjectName("cannedShortcutEdit")
        self.shortcut_edit.setMaxLength(40)
        self.shortcut_edit.setPlaceholderText(self.tr("One word to find it by, e.g. 예약"))
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setObjectName("cannedBodyEdit")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.textChanged.connect(self.update_preview)
        self.preview = plain_label(parent=self, name="cannedPreview")
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for widget in (self.title_edit, self.shortcut_edit, self.body_edit):
            widget.setEnabled(self.can_edit)
        placeholders = " ".join("{" + p + "}" for p in PLACEHOLDERS)
        hint = self.tr(
            "Placeholders: %1 — the customer's name, the branch, the assignee (else whoever "
            "writes the reply)."
        ).replace("%1", placeholders)
        if not self.can_edit:
            hint += " " + self.tr("Your role may use these responses but not change them.")
        self.hint_label = plain_label(hint, self, "settingsHint")
        self.hint_label.setWordWrap(True)

        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setObjectName("newCannedButton")
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("saveCannedButton")
        self.up_button = QPushButton(self.tr("Up"), self)
        self.down_button = QPushButton(self.tr("Down"), self)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("deleteCannedButton")
        self.new_button.clicked.connect(self.new_response)
        self.save_button.clicked.connect(self.save)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_button.clicked.connect(self.delete_selected)
        self.result_label = plain_label(parent=self, name="cannedResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()

        left = QWidget(self)
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(self.department_combo)
        lbox.addWidget(self.list, 1)
        moves = QHBoxLayout()
        for button in (self.new_button, self.up_button, self.down_button, self.delete_button):
            moves.addWidget(button)
        lbox.addLayout(moves)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Shortcut"), self.shortcut_edit)
        form.addRow(self.tr("Text"), self.body_edit)
        form.addRow(self.tr("Preview"), self.preview)
        form.addRow("", self.save_button)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        branch = QFormLayout()
        branch.addRow(self.tr("Branch name ({지점})"), self.branch_edit)
        box = QVBoxLayout(self)
        box.addLayout(branch)
        box.addWidget(splitter, 1)
        box.addWidget(self.result_label)
        box.addWidget(self.hint_label)
        self._update_buttons()
        self.reload()

    def _ask(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _ask_unsaved(self, title: str) -> str:
        name = title.strip()
        text = (
            self.tr("“%1” has changes that are not saved.").replace("%1", name)
            if name
            else self.tr("The new response is not saved.")
        )
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"), text, parent=self)
        box.setObjectName("cannedUnsavedBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("Save them before moving on?"))
        buttons = QMessageBox.StandardButton
        box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
        box.button(buttons.Save).setText(self.tr("Save"))
        box.button(buttons.Discard).setText(self.tr("Discard"))
        box.button(buttons.Cancel).setText(self.tr("Cancel"))
        box.setDefaultButton(buttons.Save)
        box.setEscapeButton(buttons.Cancel)
        answer = box.exec()
        if answer == buttons.Save:
            return SAVE
        return DISCARD if answer == buttons.Discard else CANCEL

    def department(self) -> str:
        """The department shown."""
        return str(self.department_combo.currentData())

    # -- unsaved edits -----------------------------------------------------------------------

    def _fields(self) -> tuple[str, str, str]:
        return (self.title_edit.text(), self.shortcut_edit.text(), self.body_edit.toPlainText())

    def has_unsaved_edits(self) -> bool:
        """Whether the title, shortcut or text differ from the response as shown or saved."""
        return self.can_edit and self._fields() != self._shown

    def settle(self, proceed: Callable[[], None]) -> None:
        """Run ``proceed`` (which leaves the response being edited) once its edits are dealt
        with: at once when there are none; otherwise as the user answers — save them first
        (``proceed`` runs after the save succeeded; a refused save stays, saying why),
        discard them, or cancel (``proceed`` never runs)."""
        if not self.has_unsaved_edits():
            proceed()
            return
        answer = self.ask_unsaved(self.title_edit.text())
        if answer == DISCARD:
            self._shown = self._fields()
            proceed()
        elif answer == SAVE:
            self.save(then=proceed)

    def _department_changed(self, index: int) -> None:
        if index == self._department_index:
            return
        if not self.has_unsaved_edits():
            self._department_index = index
            self.reload()
            return
        self._set_department_index(self._department_index)  # stay until the edits are settled

        def proceed() -> None:
            self._current_id = None
            self._set_department_index(index)
            self._show(None)
            self.reload()

        self.settle(proceed)

    def _set_department_index(self, index: int) -> None:
        self.department_combo.blockSignals(True)
        self.department_combo.setCurrentIndex(index)
        self.department_combo.blockSignals(False)
        self._department_index = index

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the department's responses and the branch name on the read worker."""
        store, department = self.ctx.store, self.department()

        def work() -> tuple[list[CannedRow], str]:
            from console.routing.stored import branch_name

            return canned_responses(store, department), branch_name(store)

        self.ctx.tasks.read(work, self._loaded)

    def _loaded(self, result: tuple[list[CannedRow], str]) -> None:
        if not isValid(self):
            return
        rows, branch = result
        self._branch = branch
        if not self.branch_edit.hasFocus():
            self.branch_edit.setText(branch)
        wanted = self._select_next or self._current_id
        self._select_next = None
        self.model.set_rows(rows)
        if self.has_unsaved_edits():
            # Read again while edits are open (a move, the branch name, another PC): the
            # edits stay on screen with the response they belong to.
            self._select_quietly(self._current_id)
            return
        row = self.model.row_of(wanted) if wanted else -1
        if row < 0 and rows and wanted is None:
            row = 0
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        elif wanted is None or self.model.row_of(wanted) < 0:
            self._show(None)
        self._update_buttons()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        target = row.id if row is not None else None
        if not self.has_unsaved_edits():
            self._show(row)
            return
        if target == self._current_id:
            return  # the same response read again (after a save elsewhere): keep the edits
        # Another response was chosen: stay on this one until its edits are settled.
        self._select_quietly(self._current_id)

        def proceed() -> None:
            self._select_quietly(target)
            self._show(self.model.row_at(self.model.row_of(target)) if target else None)

        self.settle(proceed)

    def _select_quietly(self, canned_id: str | None) -> None:
        """Make a response current without treating it as the user's choice."""
        row = self.model.row_of(canned_id) if canned_id else -1
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        else:
            self.list.clearSelection()
            self.list.setCurrentIndex(QModelIndex())
        selection.blockSignals(False)
        self.list.viewport().update()
        self._update_buttons()

    def _show(self, row: CannedRow | None) -> None:
        self._current_id = row.id if row is not None else None
        self.title_edit.setText(row.title if row else "")
        self.shortcut_edit.setText(row.shortcut if row else "")
        self.body_edit.setPlainText(row.body if row else "")
        self._shown = self._fields()
        self._update_buttons()

    def update_preview(self) -> None:
        """Fill the text for a sample customer, this branch and the operator."""
        values = placeholder_values(
            SAMPLE_CONTACT, self._branch, None, self.ctx.operator_name(self.ctx.operator_id)
        )
        body = self.body_edit.toPlainText()
        self.preview.setText(preview_text(body, values) if body.strip() else "")

    def preview_text(self) -> str:
        """The preview shown."""
        return self.preview.text()

    def _update_buttons(self) -> None:
        row = self.list.currentIndex().row() if self.list.currentIndex().isValid() else -1
        editing = self.can_edit
        self.new_button.setEnabled(editing)
        self.save_button.setEnabled(editing)
        self.delete_button.setEnabled(editing and self._current_id is not None)
        self.up_button.setEnabled(editing and row > 0)
        self.down_button.setEnabled(editing and 0 <= row < self.model.rowCount() - 1)

    # -- changes -----------------------------------------------------------------------------

    def _command(
        self,
        fn: Callable[..., Any],
        *args: Any,
        select: str | None = None,
        saved: tuple[str, str, str] | None = None,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run a service on the write worker; on success say so and read the list again.

        Args:
            fn: The service.
            args: Its arguments after the store and the actor.
            select: The response to select afterwards (else a new id the service returns).
            saved: The fields a save stored (they are no longer unsaved edits).
            then: Runs after success, before the list is read again (it moves on).
        """

        def done(result: Any) -> None:
            if not isValid(self):
                return
            if saved is not None:
                self._shown = saved
            self._select_next = select or (result if isinstance(result, str) else None)
            self.show_result(self.tr("Saved."), "ok")
            if then is not None:
                self._select_next = None  # ``then`` chose what is shown next
                then()
            self.reload()

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.show_result(canned_problem_text(exc), "error")

        self.ctx.command(fn, *args, on_success=done, on_failure=failed)

    def show_result(self, text: str, state: str) -> None:
        """Say something under the editor."""
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)
        self.result_label.show()

    def result_text(self) -> str:
        """The sentence under the editor ("" when none)."""
        return self.result_label.text() if not self.result_label.isHidden() else ""

    def new_response(self) -> None:
        """Start a new response in the department shown (saved with Save)."""

        def start() -> None:
            self._select_quietly(None)
            self._show(None)
            self.title_edit.setFocus()

        self.settle(start)

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Save the response being edited (a new one is added at the end of its list).

        Args:
            then: Runs once the save succeeded, instead of showing the saved response
                (moving on to what the user chose while edits were unsaved).
        """
        if not self.can_edit:
            return
        fields = self._fields()
        title, shortcut, body = fields
        if self._current_id is None:
            self._command(
                services.add_canned,
                self.department(),
                title,
                body,
                shortcut,
                saved=fields,
                then=then,
            )
        else:
            cid = self._current_id
            self._command(
                services.update_canned,
                cid,
                title,
                body,
                shortcut,
                select=cid,
                saved=fields,
                then=then,
            )

    def move_selected(self, step: int) -> None:
        """Move the selected response up (-1) or down (+1) in its list."""
        row = self.list.currentIndex().row()
        if self._current_id is None or not self.can_edit:
            return
        target = row + step
        if 0 <= target < self.model.rowCount():
            cid = self._current_id
            self._command(services.move_canned, cid, target, select=cid)

    def delete_selected(self) -> None:
        """Delete the selected response after asking."""
        row = self.model.row_at(self.list.currentIndex().row())
        if row is None or not self.can_edit:
            return
        question = self.tr("Delete the response “%1”?").replace("%1", row.title)
        if self.confirm(self.tr("Delete response"), question):
            self._current_id = None
            self._shown = self._fields()  # edits of a deleted response are not kept
            self._command(services.delete_canned, row.id)

    def save_branch(self) -> None:
        """Store the branch name when it was changed."""
        name = self.branch_edit.text().strip()
        if not self.can_edit or name == self._branch:
            return
        self._branch = name
        self.update_preview()
        self._command(services.set_branch_name, name, select=self._current_id)
