"""The thread pane: header controls, the bubbles, the composer and the message bar.

The header shows who the customer is and on which channel, with the department, assignee and
status controls; each control calls a service through :class:`AppContext`. Opening a
conversation marks it read. Errors from services appear in words in the message bar above the
composer; nothing here is modal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.channels.windows import reply_window
from console.domain import Status
from console.presence import Colleague, PresenceState
from console.services import Changes
from console.store.engine import Store
from console.store.models import Department
from console.store.queries import ConversationRow, View, conversation_row, reply_context
from ui import icons, texts
from ui.composer import Composer, DraftAutosave, DraftState
from ui.context import AppContext
from ui.draftconflict import DraftConflictBar
from ui.fieldconflict import FieldConflictBar
from ui.thread import ThreadModel, ThreadView

if TYPE_CHECKING:
    from console.canned import CannedRow
    from ui.cannedpicker import CannedPicker

MESSAGE_TIMEOUT_MS = 12_000


def plain_label(text: str = "", parent: QWidget | None = None, name: str = "") -> QLabel:
    """A label that shows its text verbatim (never rich text, never a link)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    if name:
        label.setObjectName(name)
    label.setText(text)
    return label


class MessageBar(QFrame):
    """A non-modal strip that says what went wrong, until dismissed or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.label = plain_label(parent=self, name="messageText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("messageClose")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.label)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show ``text`` (plain) for a while."""
        self.label.setText(text)
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.show()
        self._timer.start(MESSAGE_TIMEOUT_MS)

    def text(self) -> str:
        """The sentence shown (empty when hidden)."""
        return self.label.text() if not self.isHidden() else ""


class ThreadPane(QWidget):
    """Header, thread, composer and message bar for the open conversation.

    Args:
        ctx: The application context.
        departments: The clinic's departments in display order.
        parent: Qt parent.

    Signals:
        opened(str): a conversation was opened (its id).
    """

    opened = Signal(str)

    def __init__(
        self, ctx: AppContext, departments: list[Department], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("threadPane")
        self.ctx = ctx
        self._departments = departments
        self._cid: str | None = None
        self._row: ConversationRow | None = None
        self._busy = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.message_bar = MessageBar(self)
        outer.addWidget(self.message_bar)

        self.placeholder = plain_label(parent=self, name="threadPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.placeholder)

        content = QWidget(self)
        self.stack.addWidget(content)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header(content))
        # A change made here that a concurrent change on another PC replaced.
        self.field_conflict_bar = FieldConflictBar(ctx, departments, content)
        layout.addWidget(self.field_conflict_bar)

        self.model = ThreadModel(ctx.store, self)
        self.view = ThreadView(content)
        self.view.setModel(self.model)
        layout.addWidget(self.view, 1)
        layout.addWidget(self._build_composer(content))

        self.autosave = DraftAutosave(ctx, self.composer, parent=self)
        self.autosave.state_changed.connect(self._show_draft_state)
        # Another version of the draft, kept by sync when two PCs saved it at once.
        self.conflict_bar = DraftConflictBar(ctx, self.autosave, content)
        layout.insertWidget(layout.indexOf(self.composer_frame), self.conflict_bar)
        self.composer.submit_requested.connect(self.submit)
        self.composer.note_requested.connect(self.add_note)
        self.composer.textChanged.connect(self._typed)
        ctx.presence.changed.connect(self._show_presence)
        ctx.staff_changed.connect(self._staff_changed)
        self.composer.canned_requested.connect(self.open_canned_picker)
        self.retranslate_ui()
        self.stack.setCurrentIndex(0)

    # -- building ----------------------------------------------------------------------------

    def _build_header(self, parent: QWidget) -> QWidget:
        header = QFrame(parent)
        header.setObjectName("threadHeader")
        box = QVBoxLayout(header)
        box.setContentsMargins(18, 12, 18, 10)
        box.setSpacing(8)

        top = QHBoxLayout()
        top.setSpacing(10)
        self.channel_badge = plain_label(parent=header, name="channelBadge")
        self.channel_badge.setFixedSize(28, 28)
        self.contact_label = plain_label(parent=header, name="contactName")
        self.channel_label = plain_label(parent=header, name="channelName")
        for label in (self.contact_label, self.channel_label):
            # A very long name is clipped rather than widening the window.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.contact_label)
        names.addWidget(self.channel_label)
        self.resolve_button = QPushButton(header)
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.clicked.connect(self.toggle_resolved)
        top.addWidget(self.channel_badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(names, 1)

        controls = QHBoxLayout()
        controls.setSpacing(6)
        self.department_caption = plain_label(parent=header, name="fieldCaption")
        self.department_combo = QComboBox(header)
        self.department_combo.setObjectName("departmentCombo")
        self.department_combo.activated.connect(self._department_chosen)
        self.assignee_caption = plain_label(parent=header, name="fieldCaption")
        self.assignee_combo = QComboBox(header)
        self.assignee_combo.setObjectName("assigneeCombo")
        self.assignee_combo.activated.connect(self._assignee_chosen)
        self.status_caption = plain_label(parent=header, name="fieldCaption")
        self.status_combo = QComboBox(header)
        self.status_combo.setObjectName("statusCombo")
        self.status_combo.activated.connect(self._status_chosen)
        self.snooze_button = QToolButton(header)
        self.snooze_button.setObjectName("snoozeButton")
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.snooze_menu = QMenu(self.snooze_button)
        self.snooze_button.setMenu(self.snooze_menu)
        for caption, combo, stretch in (
            (self.department_caption, self.department_combo, 4),
            (self.assignee_caption, self.assignee_combo, 3),
            (self.status_caption, self.status_combo, 3),
        ):
            # Narrow windows squeeze the combos (text elides) instead of the window refusing.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(7)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setMaximumWidth(230)
            controls.addWidget(caption)
            controls.addWidget(combo, stretch)
            controls.addSpacing(8)
        self.hand_off_button = QToolButton(header)
        self.hand_off_button.setObjectName("handOffButton")
        self.hand_off_button.clicked.connect(self.open_hand_off)
        top.addWidget(self.hand_off_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.snooze_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(top)
        box.addLayout(controls)
        routing = QHBoxLayout()
        routing.setSpacing(8)
        self.routing_label = plain_label(parent=header, name="routingNote")
        self.routing_button = QPushButton(header)
        self.routing_button.setObjectName("routingAction")
        self.routing_button.clicked.connect(self._routing_action)
        routing.addWidget(self.routing_label)
        routing.addWidget(self.routing_button)
        routing.addStretch(1)
        box.addLayout(routing)
        # Colleagues on this conversation (through the clinic server; hidden on a single PC).
        self.presence_label = plain_label(parent=header, name="presenceNote")
        self.presence_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.presence_label.hide()
        box.addWidget(self.presence_label)
        self._routing_target: str | None = None
        return header

    def _build_composer(self, parent: QWidget) -> QWidget:
        frame = QFrame(parent)
        frame.setObjectName("composerFrame")
        self.composer_frame = frame
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(6)
        self.composer = Composer(frame)
        self.composer.setFixedHeight(104)
        box.addWidget(self.composer)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.note_toggle = QPushButton(frame)
        self.note_toggle.setObjectName("noteToggle")
        self.note_toggle.setCheckable(True)
        self.note_toggle.toggled.connect(self._note_mode_changed)
        self.canned_button = QPushButton(frame)
        self.canned_button.setObjectName("cannedButton")
        self.canned_button.setAutoDefault(False)
        self.canned_button.clicked.connect(self.open_canned_picker)
        self.canned_picker: CannedPicker | None = None
        self.draft_state_label = plain_label(parent=frame, name="draftState")
        self.window_label = plain_label(parent=frame, name="replyWindow")
        self.window_label.hide()
        self.send_button = QPushButton(frame)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(False)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.submit)
        row.addWidget(self.note_toggle)
        row.addWidget(self.canned_button)
        row.addWidget(self.draft_state_label, 1)
        row.addWidget(self.window_label)
        row.addWidget(self.send_button)
        box.addLayout(row)
        return frame

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        self.conflict_bar.retranslate_ui()
        self.field_conflict_bar.retranslate_ui()
        self.placeholder.setText(self.tr("Choose a conversation from the list."))
        self.department_caption.setText(self.tr("Department"))
        self.assignee_caption.setText(self.tr("Assignee"))
        self.status_caption.setText(self.tr("Status"))
        self.hand_off_button.setText(self.tr("Hand off…"))
        self.hand_off_button.setToolTip(
            self.tr("Give this conversation to a colleague with a note for them (H)")
        )
        self.snooze_button.setText(self.tr("Snooze"))
        self.snooze_button.setToolTip(self.tr("Hide until a later time; it comes back as open"))
        self.note_toggle.setText(self.tr("Note"))
        self.note_toggle.setToolTip(
            self.tr(
                "Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)"
            )
        )
        self.resolve_button.setToolTip(self.tr("Resolve or reopen (E)"))
        self.canned_button.setText(self.tr("Canned"))
        self.canned_button.setToolTip(self.tr("Insert a canned response (Ctrl+Shift+C)"))
        self._note_mode_changed(self.note_toggle.isChecked())
        self._fill_snooze_menu()
        self._fill_department_combo()
        self._fill_status_combo()
        self._fill_assignee_combo()
        self._show_draft_state(self.autosave.state.value)
        if self._row is not None:
            self._show_row(self._row)

    def _fill_department_combo(self) -> None:
        combo = self.department_combo
        combo.clear()
        combo.addItem(texts.untriaged_chip(), None)
        for d in self._departments:
            combo.addItem(
                icons.dot_icon(d.colour), texts.department_name(d.name_ko, d.name_en), d.code
            )

    def _fill_assignee_combo(self) -> None:
        combo = self.assignee_combo
        combo.clear()
        combo.addItem(texts.view_name(View.UNASSIGNED), None)
        for op in self.ctx.operators():
            combo.addItem(op.name, op.id)

    def _fill_status_combo(self) -> None:
        combo = self.status_combo
        combo.clear()
        for status in (Status.OPEN, Status.PENDING, Status.RESOLVED):
            combo.addItem(texts.status_name(status), status.value)

    def _fill_snooze_menu(self) -> None:
        menu = self.snooze_menu
        menu.clear()
        menu.addAction(self.tr("For 1 hour"), lambda: self._snooze_for(hours=1))
        menu.addAction(self.tr("For 3 hours"), lambda: self._snooze_for(hours=3))
        menu.addAction(self.tr("Tomorrow 9:00"), self._snooze_tomorrow)
        menu.addAction(self.tr("Next Monday 9:00"), self._snooze_monday)

    def _note_mode_changed(self, note: bool) -> None:
        self.composer.setProperty("note", note)
        self.composer.style().unpolish(self.composer)
        self.composer.style().polish(self.composer)
        if note:
            self.composer.setPlaceholderText(
                self.tr("Private note for colleagues. The customer will not see it.")
            )
            self.send_button.setText(self.tr("Add note"))
            self.send_button.setToolTip(self.tr("Add the private note (Ctrl+Enter)"))
        else:
            self.composer.setPlaceholderText(self.tr("Write a reply… Ctrl+Enter queues it to send"))
            self.send_button.setText(self.tr("Send"))
            self.send_button.setToolTip(
                self.tr(
                    "Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)"
                )
            )

    def changeEvent(self, event: QEvent) -> None:
        """Follow a change of UI language."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- opening -----------------------------------------------------------------------------

    @property
    def conversation_id(self) -> str | None:
        """The open conversation, or None."""
        return self._cid

    def open(self, conversation_id: str | None) -> None:
        """Show a conversation: its header, thread and draft; mark it read."""
        if conversation_id == self._cid:
            return
        self.autosave.open(conversation_id)
        self.conflict_bar.load(conversation_id)
        self.field_conflict_bar.load(conversation_id)
        self._cid = conversation_id
        self.ctx.presence.open(conversation_id)
        self._busy = False
        self.composer.setReadOnly(False)
        self.note_toggle.setChecked(False)
        self.view.bubbles.clear_cache()
        self.model.load(conversation_id)
        if conversation_id is None:
            self._row = None
            self.stack.setCurrentIndex(0)
            return
        row = conversation_row(self.ctx.store, conversation_id)
        self._row = row
        if row is None:
            self.stack.setCurrentIndex(0)
            self.message_bar.show_message(texts.error_code_text("conversation_not_found"))
            return
        self._show_row(row)
        self.stack.setCurrentIndex(1)
        self.view.scrollToBottom()
        if row.unread:
            self.ctx.mark_read(conversation_id)
        self.opened.emit(conversation_id)

    def update_window(self) -> None:
        """Say where the open conversation stands in its channel's reply window."""
        context = reply_context(self.ctx.store, self._cid) if self._cid else None
        text = ""
        if context is not None:
            state = reply_window(context[0], texts.now_ms(), context[1])
            text = texts.window_text(state.code, state.seconds_left)
            self.window_label.setProperty("closed", state.code == "closed")
            self.window_label.style().unpolish(self.window_label)
            self.window_label.style().polish(self.window_label)
        self.window_label.setText(text)
        self.window_label.setVisible(bool(text))

    def _show_routing(self, row: ConversationRow) -> None:
        """Say who set the department when it was not a person, with a one-click undo; or
        offer the classifier's suggestion for an untriaged conversation."""
        names = {d.code: texts.department_name(d.name_ko, d.name_en) for d in self._departments}
        percent = f"{round((row.suggestion_confidence or 0) * 100)}%"
        text, action, target = "", "", None
        if row.department and row.department_source in ("auto", "rule"):
            text = (
                self.tr("Sorted automatically (%1 sure)").replace("%1", percent)
                if row.department_source == "auto"
                else self.tr("Sorted by a routing rule")
            )
            action, target = self.tr("Undo"), ""
        elif not row.department and not row.department_source and row.suggested_department in names:
            text = (
                self.tr("Suggested: %1 (%2 sure)")
                .replace("%1", names[row.suggested_department or ""])
                .replace("%2", percent)
            )
            action, target = self.tr("Apply"), row.suggested_department
        self._routing_target = target
        self.routing_label.setText(text)
        self.routing_button.setText(action)
        self.routing_label.setVisible(bool(text))
        self.routing_button.setVisible(target is not None)

    def _routing_action(self) -> None:
        if self._cid is None or self._routing_target is None:
            return
        # Undo puts it back to Untriaged (a person's decision); Apply takes the suggestion.
        self.ctx.tag_department(self._cid, self._routing_target or None)

    def _show_row(self, row: ConversationRow) -> None:
        self.update_window()
        self._show_routing(row)
        ratio = self.devicePixelRatioF()
        self.channel_badge.setPixmap(icons.svg_pixmap(row.channel, 28, ratio))
        self.contact_label.setText(row.contact_name)
        self.channel_label.setText(f"{texts.channel_name(row.channel)} · {row.account_name}")
        self._select_data(self.department_combo, row.department)
        self._select_data(self.assignee_combo, row.assignee_id)
        self._limit_assignees(row.assignee_id)
        status_row = self.status_combo.findData(row.status)
        if status_row < 0:  # snoozed: shown, but chosen through the snooze menu
            self.status_combo.addItem(texts.status_name(row.status), row.status)
            status_row = self.status_combo.count() - 1
        else:
            for extra in range(self.status_combo.count() - 1, 2, -1):
                self.status_combo.removeItem(extra)
        self.status_combo.setCurrentIndex(status_row)
        resolved = row.status == Status.RESOLVED.value
        self.resolve_button.setText(self.tr("Reopen") if resolved else self.tr("Resolve"))
        self.resolve_button.setProperty("resolved", resolved)

    def _limit_assignees(self, current: str | None) -> None:
        """Grey out the assignees the acting role may not choose (a front desk cannot take a
        colleague's conversation or hand theirs on); the combo is disabled if none is left."""
        model = self.assignee_combo.model()
        choices = 0
        for i in range(self.assignee_combo.count()):
            target = self.assignee_combo.itemData(i)
            allowed = self.ctx.may_assign(current, target)
            item = model.item(i) if isinstance(model, QStandardItemModel) else None
            if item is not None:
                item.setEnabled(allowed)
            choices += int(allowed and target != current)
        self.assignee_combo.setEnabled(choices > 0)
        self.assignee_combo.setToolTip("" if choices else texts.error_code_text("not_permitted"))

    @staticmethod
    def _select_data(combo: QComboBox, value: object) -> None:
        row = combo.findData(value)
        if row < 0 and value is None:
            row = 0
        combo.setCurrentIndex(row)

    def _typed(self) -> None:
        # Only a person's keystrokes in a reply count (not a draft loading, not a note).
        if self.autosave.state is DraftState.DIRTY and not self.note_toggle.isChecked():
            self.ctx.presence.typed()

    def _show_presence(self, conversation_id: str, colleagues: list[Colleague]) -> None:
        """Say who else has this conversation open, and who is writing a reply to it."""
        if conversation_id != (self._cid or ""):
            return
        typing = self._names(c for c in colleagues if c.state == PresenceState.TYPING)
        viewing = self._names(c for c in colleagues if c.state != PresenceState.TYPING)
        viewing = [n for n in viewing if n not in typing]
        parts = []
        if typing:
            parts.append(self.tr("%1 is writing a reply").replace("%1", ", ".join(typing)))
        if viewing:
            parts.append(
                self.tr("%1 is looking at this conversation").replace("%1", ", ".join(viewing))
            )
        text = " · ".join(parts)
        self.presence_label.setText(text)
        self.presence_label.setProperty("typing", bool(typing))
        self.presence_label.style().unpolish(self.presence_label)
        self.presence_label.style().polish(self.presence_label)
        self.presence_label.setVisible(bool(text))

    def _names(self, colleagues: Iterable[Colleague]) -> list[str]:
        names: list[str] = []
        for c in colleagues:
            name = self.ctx.operator_name(c.operator_id) or self.tr("A colleague")
            if name not in names:
                names.append(name)
        return names

    def _staff_changed(self) -> None:
        self._fill_assignee_combo()
        if self._row is not None:
            self._show_row(self._row)

    def presence_text(self) -> str:
        """The presence sentence shown (empty when hidden)."""
        return self.presence_label.text() if not self.presence_label.isHidden() else ""

    def current_row(self) -> ConversationRow | None:
        """The list row of the open conversation, as last read."""
        return self._row

    # -- changes -----------------------------------------------------------------------------

    def on_changed(self, changes: Changes) -> None:
        """Re-read what the broadcast says moved in the open conversation."""
        cid = self._cid
        if cid is None:
            return
        if cid in changes.threads:
            at_bottom = self.view.is_at_bottom()
            position = self.view.verticalScrollBar().value()
            self.model.reload()
            if at_bottom:
                self.view.scrollToBottom()  # follow new bubbles, as chats do
            else:
                self.view.verticalScrollBar().setValue(position)
        if cid in changes.drafts or cid in changes.conversations:
            self.conflict_bar.load(cid)
        if cid in changes.conversations:
            self.field_conflict_bar.load(cid)
        if cid in changes.conversations or cid in changes.threads:
            row = conversation_row(self.ctx.store, cid)
            if row is not None:
                self._row = row
                self._show_row(row)
                if row.unread and self.isActiveWindow() and cid in changes.threads:
                    self.ctx.mark_read(cid)

    # -- header actions ----------------------------------------------------------------------

    def _department_chosen(self, index: int) -> None:
        if self._cid is not None:
            self.ctx.tag_department(self._cid, self.department_combo.itemData(index))

    def _assignee_chosen(self, index: int) -> None:
        if self._cid is not None:
            self.ctx.assign(self._cid, self.assignee_combo.itemData(index))

    def _status_chosen(self, index: int) -> None:
        value = self.status_combo.itemData(index)
        if self._cid is not None and value != Status.SNOOZED.value:
            self.ctx.set_status(self._cid, value)

    def open_hand_off(self) -> QDialog | None:
        """Open the hand-off dialog for the open conversation (returns it, or None)."""
        if self._cid is None:
            return None
        from ui.handoff import HandOffDialog  # the dialog imports this module

        current = self._row.assignee_id if self._row is not None else None
        dialog = HandOffDialog(self.ctx, self._cid, current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def toggle_resolved(self) -> None:
        """Resolve the open conversation, or reopen it if it is resolved."""
        if self._cid is None:
            return
        resolved = self._row is not None and self._row.status == Status.RESOLVED.value
        self.ctx.set_status(self._cid, Status.OPEN.value if resolved else Status.RESOLVED.value)

    def _snooze_until(self, when: dt.datetime) -> None:
        if self._cid is not None:
            self.ctx.snooze(self._cid, int(when.timestamp() * 1000))

    def _snooze_for(self, hours: int) -> None:
        self._snooze_until(dt.datetime.now() + dt.timedelta(hours=hours))

    def _snooze_tomorrow(self) -> None:
        tomorrow = dt.datetime.now() + dt.timedelta(days=1)
        self._snooze_until(tomorrow.replace(hour=9, minute=0, second=0, microsecond=0))

    def _snooze_monday(self) -> None:
        now = dt.datetime.now()
        monday = now + dt.timedelta(days=7 - now.weekday())
        self._snooze_until(monday.replace(hour=9, minute=0, second=0, microsecond=0))

    # -- composing ---------------------------------------------------------------------------

    def _show_draft_state(self, state: str) -> None:
        words = {
            DraftState.EMPTY.value: "",
            DraftState.DIRTY.value: self.tr("Typing…"),
            DraftState.SAVED.value: self.tr("Draft saved on this PC"),
            DraftState.ERROR.value: self.tr("Draft not saved"),
        }
        self.draft_state_label.setText(words.get(state, ""))
        self.draft_state_label.setProperty("state", state)
        self.draft_state_label.style().unpolish(self.draft_state_label)
        self.draft_state_label.style().polish(self.draft_state_label)

    def submit(self) -> None:
        """Queue the composer's text as a reply (or add it as a note in note mode)."""
        if self.note_toggle.isChecked():
            self.add_note()
            return
        cid = self._cid
        if cid is None or self._busy or self.composer.is_composing():
            return
        body = self.composer.toPlainText()
        self.autosave.cancel_pending()
        self._set_busy(True)

        def done(_reply_id: str) -> None:
            self._set_busy(False)
            if self._cid == cid:
                self.autosave.clear()
            self.ctx.send_soon()

        def failed(_exc: BaseException) -> None:
            self._set_busy(False)
            if self._cid == cid and self.composer.toPlainText().strip():
                self.autosave.save_now()

        ids = frozenset({cid})
        self.ctx.command(
            services.queue_reply,
            cid,
            body,
            changes_for=lambda _rid: Changes(
                conversations=ids, threads=ids, drafts=ids, outbox=True
            ),
            on_success=done,
            on_failure=failed,
        )

    def add_note(self) -> None:
        """Add the composer's text as a private note, and drop the draft it was."""
        cid = self._cid
        if cid is None or self._busy or self.composer.is_composing():
            return
        body = self.composer.toPlainText()
        self.autosave.cancel_pending()
        self._set_busy(True)

        def note_then_drop_draft(
            store: Store, actor: services.Actor, conversation_id: str, text: str
        ) -> Changes:
            changes = services.add_note(store, actor, conversation_id, text)
            return changes | services.delete_draft(store, actor, conversation_id)

        def done(_changes: Changes) -> None:
            self._set_busy(False)
            if self._cid == cid:
                self.autosave.clear()
                self.note_toggle.setChecked(False)

        def failed(_exc: BaseException) -> None:
            self._set_busy(False)
            if self._cid == cid and self.composer.toPlainText().strip():
                self.autosave.save_now()

        self.ctx.command(note_then_drop_draft, cid, body, on_success=done, on_failure=failed)

    def open_canned_picker(self) -> None:
        """Offer the canned responses for the open conversation over the composer."""
        from ui.cannedpicker import CannedPicker

        if self._cid is None or self._busy or self.composer.isReadOnly():
            return
        from console.canned import canned_for

        department = self._row.department if self._row is not None else None
        if self.canned_picker is None:
            names = {d.code: texts.department_name(d.name_ko, d.name_en) for d in self._departments}
            self.canned_picker = CannedPicker(names, self)
            self.canned_picker.chosen.connect(self.insert_canned)
        rect = self.composer.cursorRect()
        at = self.composer.viewport().mapToGlobal(rect.bottomLeft())
        self.canned_picker.popup(canned_for(self.ctx.store, department), at)

    def insert_canned(self, canned: CannedRow) -> None:
        """Insert a canned response, placeholders filled, at the composer's cursor."""
        from console.canned import fill, values_for_conversation

        if self._cid is None or self.composer.isReadOnly():
            return
        values = values_for_conversation(self.ctx.store, self._cid, self.ctx.operator_id)
        self.composer.setFocus(Qt.FocusReason.OtherFocusReason)
        self.composer.textCursor().insertText(fill(canned.body, values).text)
        self.composer.ensureCursorVisible()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.composer.setReadOnly(busy)
        self.send_button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        """Say what went wrong in the message bar."""
        self.message_bar.show_message(text)
