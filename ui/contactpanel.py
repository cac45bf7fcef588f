"""The contact panel beside the thread: who the customer is across channels.

It shows the open conversation's contact: the name (editable), notes, the contact's identity on
each channel with a "분리" (split) button each, and their conversations on every channel, newest
first — Enter or a click opens one in the list and thread. "병합…" (merge) opens
:class:`MergeDialog`: likely duplicates first (same phone number, e-mail or name), a search by
name or handle, and a confirmation that says in words what will happen.

Reads are the narrow indexed queries of :mod:`console.store.contact_queries` (primary keys,
``ix_conversation_contact``), run on the GUI thread like the thread's own; the searches and
duplicate suggestions run on the read lane. Every text is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFocusEvent, QFont, QFontMetrics, QKeyEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.contacts import Suggestion, duplicates_of, format_phone, normalise_phone
from console.services import Changes
from console.store.contact_queries import (
    ContactCard,
    ContactConversation,
    ContactMatch,
    contact_card,
    contact_matches,
    contact_panel,
    find_contacts,
)
from console.store.models import Department
from ui import icons, texts, theme
from ui.context import AppContext
from ui.threadpane import plain_label

ModelIndex = QModelIndex | QPersistentModelIndex

#: Conversation id (str).
ConversationIdRole = Qt.ItemDataRole.UserRole + 1
#: Channel kind (str).
ChannelRole = Qt.ItemDataRole.UserRole + 2
#: Department chip text (str).
DepartmentLabelRole = Qt.ItemDataRole.UserRole + 3
#: Department colour (hex) or "" when untriaged.
DepartmentColourRole = Qt.ItemDataRole.UserRole + 4
#: Status and date, one line (str).
MetaRole = Qt.ItemDataRole.UserRole + 5
#: Contact id (str), in the merge picker.
ContactIdRole = Qt.ItemDataRole.UserRole + 6
#: The second line of a merge candidate: channels and handles, or why it is suggested.
DetailRole = Qt.ItemDataRole.UserRole + 7

SEARCH_DELAY_MS = 200
NOTES_DELAY_MS = 800


class ContactConversationsModel(QAbstractListModel):
    """A contact's conversations on every channel, newest first.

    Args:
        departments: The clinic's departments (chip names and colours).
        parent: Qt parent.
    """

    def __init__(self, departments: list[Department], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ContactConversation] = []
        self._departments = {d.code: d for d in departments}

    def set_rows(self, rows: list[ContactConversation]) -> None:
        """Show these conversations."""
        if rows == self._rows:
            return
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def ids(self) -> list[str]:
        """The conversation ids shown, in order."""
        return [r.id for r in self._rows]

    def row_of(self, conversation_id: str) -> int:
        """The row of a conversation, or -1."""
        for row, item in enumerate(self._rows):
            if item.id == conversation_id:
                return row
        return -1

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of conversations."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The conversation's fields by role; DisplayRole is its last message."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.snippet or item.subject
        if role == ConversationIdRole:
            return item.id
        if role == ChannelRole:
            return item.channel
        if role == DepartmentLabelRole:
            dept = self._departments.get(item.department or "")
            if dept is None:
                return texts.untriaged_chip()
            return texts.department_name(dept.name_ko, dept.name_en)
        if role == DepartmentColourRole:
            dept = self._departments.get(item.department or "")
            return dept.colour if dept else ""
        if role == MetaRole:
            return " · ".join(
                (
                    texts.channel_name(item.channel),
                    texts.short_date(item.last_message_at),
                    texts.status_name(item.status),
                )
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.data(index, MetaRole)}: {item.snippet}"
        return None


class ContactConversationDelegate(QStyledItemDelegate):
    """Paints one past conversation: channel badge, channel · date · status, the department
    chip and the last message (one elided line). Fixed height; plain text only."""

    ROW_HEIGHT = 50

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Every row is the same height."""
        return QSize(240, self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the row."""
        rect: QRect = option.rect
        base: QFont = option.font
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, theme.colour("selection"))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, theme.colour("hover"))
        painter.setPen(theme.colour("border"))
        painter.drawLine(rect.left() + 8, rect.bottom(), rect.right(), rect.bottom())
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(
            rect.left() + 8,
            rect.top() + 8,
            icons.svg_pixmap(str(index.data(ChannelRole)), 18, ratio),
        )
        x, right = rect.left() + 34, rect.right() - 8
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.84)
        painter.setFont(small)
        label = str(index.data(DepartmentLabelRole) or "")
        colour = str(index.data(DepartmentColourRole) or "")
        if colour:
            fg, bg = QColor(colour).darker(135), QColor(colour)
            bg.setAlpha(34)
        else:
            fg, bg = theme.colour("chip_untriaged_text"), theme.colour("chip_untriaged")
        width = QFontMetrics(small).horizontalAdvance(label) + 12
        chip = QRectF(right - width, rect.top() + 6, width, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(chip, 9, 9)
        painter.setPen(fg)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        painter.setPen(theme.colour("text_muted"))
        meta_rect = QRect(x, rect.top() + 5, max(0, int(chip.left()) - x - 6), 20)
        meta = QFontMetrics(small).elidedText(
            str(index.data(MetaRole) or ""), Qt.TextElideMode.ElideRight, meta_rect.width()
        )
        painter.drawText(
            meta_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, meta
        )
        painter.setFont(base)
        painter.setPen(theme.colour("text"))
        text_rect = QRect(x, rect.top() + 25, max(0, right - x), 20)
        snippet = QFontMetrics(base).elidedText(
            " ".join(str(index.data() or "").split()),
            Qt.TextElideMode.ElideRight,
            text_rect.width(),
        )
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, snippet
        )
        painter.restore()


class ConversationsView(QListView):
    """The past conversations; Enter or Return opens the current one.

    Signals:
        chosen(str): open this conversation.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactConversations")
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.setItemDelegate(ContactConversationDelegate(self))
        self.clicked.connect(self._open)
        self.activated.connect(self._open)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.chosen.emit(str(index.data(ConversationIdRole)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter and Return open the current conversation on every platform."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)


class IdentityRow(QFrame):
    """One channel identity: badge, handle, account and its "분리" button.

    Signals:
        split_requested(str): split this identity (its id) off the contact.
    """

    split_requested = Signal(str)
    HEIGHT = 40

    def __init__(
        self,
        identity_id: str,
        channel: str,
        handle: str,
        account: str,
        count: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contactIdentity")
        self.setFixedHeight(self.HEIGHT)
        self.identity_id = identity_id
        self.channel = channel
        self.handle = handle
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        badge = plain_label(parent=self, name="identityBadge")
        badge.setFixedSize(22, 22)
        badge.setPixmap(icons.svg_pixmap(channel, 22, self.devicePixelRatioF()))
        badge.setToolTip(texts.channel_name(channel))
        names = QVBoxLayout()
        names.setSpacing(0)
        self.handle_label = plain_label(handle, self, "identityHandle")
        self.account_label = plain_label(
            self.tr("%1 · %n conversation(s)", "", count).replace("%1", account),
            self,
            "identityAccount",
        )
        self.account_label.setToolTip(f"{texts.channel_name(channel)} · {account}")
        for label in (self.handle_label, self.account_label):
            # A long handle or account name is clipped rather than widening the panel.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        names.addWidget(self.handle_label)
        names.addWidget(self.account_label)
        self.split_button = QToolButton(self)
        self.split_button.setObjectName("identitySplit")
        self.split_button.setText(self.tr("Split"))
        self.split_button.setToolTip(
            self.tr("Make %1 a contact of its own, with its conversations").replace("%1", handle)
        )
        self.split_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.split_button.clicked.connect(lambda: self.split_requested.emit(self.identity_id))
        row.addWidget(badge)
        row.addLayout(names, 1)
        row.addWidget(self.split_button)


class NotesEdit(QPlainTextEdit):
    """Notes on the contact, saved a moment after typing stops and when focus leaves.

    Signals:
        save_requested(str): save this text.
    """

    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactNotes")
        self.setTabChangesFocus(True)
        self._saved = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTES_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        self.textChanged.connect(self._edited)

    def show_notes(self, notes: str) -> None:
        """Show stored notes (unless the user is editing them)."""
        if self.hasFocus() and self.toPlainText() != self._saved:
            return
        self._saved = notes
        self.blockSignals(True)
        self.setPlainText(notes)
        self.blockSignals(False)

    def _edited(self) -> None:
        self._timer.start()

    def save_now(self) -> None:
        """Save the text now if it changed."""
        self._timer.stop()
        text = self.toPlainText()
        if text != self._saved:
            self._saved = text
            self.save_requested.emit(text)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Leaving the notes saves them."""
        self.save_now()
        super().focusOutEvent(event)


class ContactPanel(QFrame):
    """The contact of the open conversation, across channels.

    Args:
        ctx: The application context.
        departments: The clinic's departments.
        parent: Qt parent.

    Signals:
        open_requested(str): open this conversation in the list and thread.
    """

    open_requested = Signal(str)

    def __init__(
        self, ctx: AppContext, departments: list[Department], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contactPanel")
        self.ctx = ctx
        self._departments = departments
        self._conversation_id: str | None = None
        self._contact_id: str | None = None
        self._card: ContactCard | None = None
        self._stale = False
        self.merge_dialog: MergeDialog | None = None
        self.split_box: QMessageBox | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.placeholder = plain_label(parent=self, name="contactPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.placeholder)

        content = QWidget(self)
        self.stack.addWidget(content)
        box = QVBoxLayout(content)
        box.setContentsMargins(14, 12, 14, 10)
        box.setSpacing(6)
        self.title = plain_label(parent=content, name="contactPanelTitle")
        box.addWidget(self.title)
        self.name_edit = QLineEdit(content)
        self.name_edit.setObjectName("contactNameEdit")
        self.name_edit.editingFinished.connect(self._rename)
        box.addWidget(self.name_edit)
        self.notes_caption = plain_label(parent=content, name="fieldCaption")
        box.addWidget(self.notes_caption)
        self.notes_edit = NotesEdit(content)
        self.notes_edit.setFixedHeight(72)
        self.notes_edit.save_requested.connect(self._save_notes)
        box.addWidget(self.notes_edit)
        head = QHBoxLayout()
        self.identities_caption = plain_label(parent=content, name="fieldCaption")
        self.merge_button = QPushButton(content)
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setAutoDefault(False)
        self.merge_button.clicked.connect(self.open_merge)
        head.addWidget(self.identities_caption, 1)
        head.addWidget(self.merge_button)
        box.addLayout(head)
        self.identity_box = QVBoxLayout()
        self.identity_box.setSpacing(2)
        box.addLayout(self.identity_box)
        self.identity_rows: list[IdentityRow] = []
        self.conversations_caption = plain_label(parent=content, name="fieldCaption")
        box.addWidget(self.conversations_caption)
        self.model = ContactConversationsModel(departments, self)
        self.conversations = ConversationsView(content)
        self.conversations.setModel(self.model)
        self.conversations.chosen.connect(self.open_requested)
        box.addWidget(self.conversations, 1)
        self.setMinimumWidth(240)
        self.retranslate_ui()
        self.stack.setCurrentIndex(0)

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        self.placeholder.setText(self.tr("Open a conversation to see who the customer is."))
        self.title.setText(self.tr("Contact"))
        self.name_edit.setPlaceholderText(self.tr("Name"))
        self.name_edit.setToolTip(self.tr("The name staff know this customer by"))
        self.notes_caption.setText(self.tr("Notes"))
        self.notes_edit.setPlaceholderText(self.tr("Notes for colleagues; never sent"))
        self.identities_caption.setText(self.tr("Channels"))
        self.merge_button.setText(self.tr("Merge…"))
        self.merge_button.setToolTip(
            self.tr("Join another contact into this one: the same person on another channel")
        )
        self.conversations_caption.setText(self.tr("Conversations on every channel"))
        if self._card is not None:
            self._show_card(self._card)

    def changeEvent(self, event: QEvent) -> None:
        """Follow a change of UI language."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- showing -----------------------------------------------------------------------------

    @property
    def contact_id(self) -> str | None:
        """The contact shown, or None."""
        return self._contact_id

    def show_conversation(self, conversation_id: str | None) -> None:
        """Show the contact of a conversation (read when the panel is visible)."""
        self._conversation_id = conversation_id
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """A panel shown after being hidden catches up with the open conversation."""
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the contact, their identities and conversations again."""
        self._stale = False
        cid = self._conversation_id
        data = contact_panel(self.ctx.store, cid) if cid else None
        if data is None:
            self._contact_id, self._card = None, None
            self.model.set_rows([])
            self.stack.setCurrentIndex(0)
            return
        card = data.card
        if card.id != self._contact_id:
            self.notes_edit.save_now()
        self._contact_id = card.id
        if card != self._card:
            self._card = card
            self._show_card(card)
        self.model.set_rows(list(data.conversations))
        if cid is not None:
            row = self.model.row_of(cid)
            if row >= 0:
                self.conversations.setCurrentIndex(self.model.index(row))
        self.stack.setCurrentIndex(1)

    def _show_card(self, card: ContactCard) -> None:
        if not self.name_edit.hasFocus():
            self.name_edit.setText(card.name)
        self.notes_edit.show_notes(card.notes)
        for row in self.identity_rows:
            self.identity_box.removeWidget(row)
            row.deleteLater()
        self.identity_rows = []
        single = len(card.identities) <= 1
        for identity in card.identities:
            row = IdentityRow(
                identity.id,
                identity.channel,
                identity.handle,
                identity.account_name,
                identity.conversations,
                self,
            )
            row.split_button.setEnabled(not single)
            row.split_requested.connect(self.ask_split)
            self.identity_box.addWidget(row)
            self.identity_rows.append(row)

    def on_changed(self, changes: Changes) -> None:
        """Re-read when the shown contact or one of their conversations changed."""
        if self._conversation_id is None:
            return
        # A new conversation may be this contact's (an identity of theirs wrote again).
        touched = (
            self._contact_id in changes.contacts
            or changes.new_conversations
            or bool(changes.conversations & set(self.model.ids()))
        )
        if self._conversation_id in changes.conversations or touched:
            if self.isVisible():
                self.reload()
            else:
                self._stale = True

    # -- editing -----------------------------------------------------------------------------

    def _rename(self) -> None:
        name = self.name_edit.text()
        if self._contact_id is None or self._card is None or name.strip() == self._card.name:
            return
        self.ctx.command(services.rename_contact, self._contact_id, name)

    def _save_notes(self, notes: str) -> None:
        if self._contact_id is not None:
            self.ctx.command(services.set_contact_notes, self._contact_id, notes)

    def ask_split(self, identity_id: str) -> None:
        """Ask before splitting an identity off (non-modal; keyboard: Enter confirms)."""
        card = self._card
        identity = next((i for i in card.identities if i.id == identity_id), None) if card else None
        if card is None or identity is None:
            return
        box = QMessageBox(self)
        box.setObjectName("splitConfirm")
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.tr("Split off a channel"))
        box.setText(
            self.tr(
                "%1 on %2 and its %n conversation(s) will become a separate contact. "
                "“%3” keeps the other channels. You can merge them again at any time.",
                "",
                identity.conversations,
            )
            .replace("%1", identity.handle)
            .replace("%2", texts.channel_name(identity.channel))
            .replace("%3", card.name)
        )
        split = box.addButton(self.tr("Split"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(split)
        contact = card.id
        box.buttonClicked.connect(
            lambda button: (
                button is split and self.ctx.command(services.split_identity, contact, identity_id)
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.split_box = box
        box.open()

    def open_merge(self) -> None:
        """Open the merge picker for the shown contact."""
        if self._card is None:
            return
        dialog = MergeDialog(self.ctx, self._card, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.merge_dialog = dialog
        dialog.open()
        dialog.search_box.setFocus()


class MatchModel(QAbstractListModel):
    """Contacts to merge with: suggestions (with the reason) or search results."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[ContactMatch, str]] = []

    def set_rows(self, rows: list[tuple[ContactMatch, str]]) -> None:
        """Show these candidates, each with its second line."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def candidate(self, row: int) -> ContactMatch | None:
        """The candidate on a row."""
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of candidates."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """DisplayRole is the name and the detail line; ContactIdRole the id."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, detail = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.name}\n{detail}"
        if role == ContactIdRole:
            return item.id
        if role == DetailRole:
            return detail
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(200, 44)
        return None


def handles_text(match: ContactMatch) -> str:
    """A candidate's channels and handles, one line."""
    return ", ".join(f"{texts.channel_name(k)} {h}" for k, h in match.handles)


class MergeDialog(QDialog):
    """Choose a contact to merge into the shown one, then confirm.

    Args:
        ctx: The application context.
        card: The contact that stays (the other one joins it).
        parent: Qt parent.
    """

    def __init__(self, ctx: AppContext, card: ContactCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.ctx = ctx
        self.card = card
        self._seq = 0
        self._chosen: ContactMatch | None = None
        self.setWindowTitle(self.tr("Merge contacts"))
        self.resize(460, 420)
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        pick = QWidget(self)
        box = QVBoxLayout(pick)
        box.setContentsMargins(0, 0, 0, 0)
        self.intro = plain_label(
            self.tr("Who is the same person as “%1”?").replace("%1", card.name), pick, "mergeIntro"
        )
        self.intro.setWordWrap(True)
        box.addWidget(self.intro)
        self.search_box = QLineEdit(pick)
        self.search_box.setObjectName("mergeSearch")
        self.search_box.setPlaceholderText(self.tr("Search by name, phone number or handle"))
        self.search_box.setClearButtonEnabled(True)
        box.addWidget(self.search_box)
        self.hint = plain_label(parent=pick, name="mergeHint")
        box.addWidget(self.hint)
        self.model = MatchModel(self)
        self.results = QListView(pick)
        self.results.setObjectName("mergeResults")
        self.results.setUniformItemSizes(True)
        self.results.setModel(self.model)
        self.results.activated.connect(lambda index: self.choose(index.row()))
        box.addWidget(self.results, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), pick)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.next_button = QPushButton(self.tr("Next…"), pick)
        self.next_button.setObjectName("mergeNext")
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(lambda: self.choose(self.results.currentIndex().row()))
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        box.addLayout(buttons)
        self.stack.addWidget(pick)

        confirm = QWidget(self)
        cbox = QVBoxLayout(confirm)
        cbox.setContentsMargins(0, 0, 0, 0)
        self.description = plain_label(parent=confirm, name="mergeDescription")
        self.description.setWordWrap(True)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        cbox.addWidget(self.description, 1)
        crow = QHBoxLayout()
        crow.addStretch(1)
        self.back_button = QPushButton(self.tr("Back"), confirm)
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        self.merge_button = QPushButton(self.tr("Merge"), confirm)
        self.merge_button.setObjectName("mergeConfirm")
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self.merge)
        crow.addWidget(self.back_button)
        crow.addWidget(self.merge_button)
        cbox.addLayout(crow)
        self.stack.addWidget(confirm)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _t: self._timer.start())
        self.search_box.returnPressed.connect(self._enter_in_search)
        self._load_suggestions()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Down in the search box moves to the results."""
        if event.key() == Qt.Key.Key_Down and self.search_box.hasFocus():
            self.results.setFocus()
            if not self.results.currentIndex().isValid() and self.model.rowCount():
                self.results.setCurrentIndex(self.model.index(0))
            return
        super().keyPressEvent(event)

    def _enter_in_search(self) -> None:
        self.search_now()
        if self.model.rowCount() == 1:
            self.choose(0)
        elif self.model.rowCount():
            self.results.setFocus()
            self.results.setCurrentIndex(self.model.index(0))

    def _load_suggestions(self) -> None:
        """Likely duplicates of this contact (:func:`console.contacts.duplicates_of`), on the
        read lane."""
        store, contact = self.ctx.store, self.card.id
        self._seq += 1
        seq = self._seq

        def work() -> list[tuple[ContactMatch, str]]:
            reasons = {g.contact_ids[1]: g for g in duplicates_of(store, contact)}
            matches = contact_matches(store, list(reasons))
            return [(m, self._reason(reasons[m.id], m)) for m in matches]

        def done(rows: list[tuple[ContactMatch, str]]) -> None:
            if seq == self._seq:
                self.hint.setText(
                    self.tr("Likely the same person:") if rows else self.tr("No likely duplicates.")
                )
                self.model.set_rows(rows)

        self.ctx.tasks.read(work, done)

    def _reason(self, group: Suggestion, match: ContactMatch) -> str:
        if group.reason == "phone":
            why = self.tr("Same phone number %1").replace("%1", format_phone(group.value))
        elif group.reason == "email":
            why = self.tr("Same e-mail address %1").replace("%1", group.value)
        else:
            why = self.tr("Same name on another channel")
        handles = handles_text(match)
        return f"{why} · {handles}" if handles else why

    def search_now(self) -> None:
        """Search contacts by name or handle now (on the read lane)."""
        self._timer.stop()
        text = self.search_box.text().strip()
        if not text:
            self._load_suggestions()
            return
        store, contact = self.ctx.store, self.card.id
        self._seq += 1
        seq = self._seq

        def work() -> list[ContactMatch]:
            found = find_contacts(store, text, exclude=contact)
            number = normalise_phone(text)
            if number and number != text:
                seen = {m.id for m in found}
                found += [
                    m for m in find_contacts(store, number, exclude=contact) if m.id not in seen
                ]
            return found

        def done(rows: list[ContactMatch]) -> None:
            if seq == self._seq:
                self.hint.setText("" if rows else self.tr("No contact matches."))
                self.model.set_rows([(m, handles_text(m)) for m in rows])

        self.ctx.tasks.read(work, done)

    def choose(self, row: int) -> None:
        """Go to the confirmation for the candidate on ``row``."""
        match = self.model.candidate(row)
        if match is None:
            return
        self._chosen = match
        other = contact_card(self.ctx.store, match.id)
        conversations = sum(i.conversations for i in other.identities) if other else 0
        channels = handles_text(match) or "—"
        self.description.setText(
            self.tr(
                "“%1” (%2) will be merged into “%3”.\n\n"
                "Its channel accounts and %n conversation(s) move to “%3”, and its notes are "
                "added to “%3”'s. “%1” no longer appears as a separate contact.\n\n"
                "If this was a mistake, split the channel off again with “Split”.",
                "",
                conversations,
            )
            .replace("%1", match.name)
            .replace("%2", channels)
            .replace("%3", self.card.name)
        )
        self.stack.setCurrentIndex(1)
        self.merge_button.setFocus()

    def merge(self) -> None:
        """Merge the chosen contact into the shown one and close."""
        if self._chosen is None:
            return
        self.ctx.command(services.merge_contacts, self.card.id, self._chosen.id)
        self.accept()
