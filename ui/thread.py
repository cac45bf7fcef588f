"""A conversation's thread: the model of its bubbles, the delegate that paints them and the view.

Bubbles are painted, not built from widgets, so a thread of hundreds of messages opens at
once. Every body is drawn with :meth:`QPainter.drawText` as plain text: a message is never
interpreted as HTML or rich text, so ``<img src=x>`` shows as those characters and nothing is
ever fetched. Inbound messages sit left, outbound right, private notes are amber with a
"Private note" label, and replies still in the outbox say whether they are waiting, sending,
failed (with the reason) or uncertain.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from console.store.engine import Store
from console.store.queries import ThreadItem, thread_items
from ui import texts, theme

#: "message", "note" or "outbox".
KindRole = Qt.ItemDataRole.UserRole + 1
#: "in" or "out".
DirectionRole = Qt.ItemDataRole.UserRole + 2
#: Who wrote it (operator name for notes and replies, channel author otherwise).
AuthorRole = Qt.ItemDataRole.UserRole + 3
#: When, in ms since the epoch (int).
TimeRole = Qt.ItemDataRole.UserRole + 4
#: Outbox state (queued, sending, failed, unknown) or message delivery status, else "".
StateRole = Qt.ItemDataRole.UserRole + 5
#: Outbox error code, else "".
ErrorRole = Qt.ItemDataRole.UserRole + 6
#: The item id (str).
ItemIdRole = Qt.ItemDataRole.UserRole + 7
#: The line under a bubble: time, author, outbox state (translated).
MetaTextRole = Qt.ItemDataRole.UserRole + 8
#: The body exactly as stored (same as DisplayRole): always plain text.
BodyRole = Qt.ItemDataRole.UserRole + 9
#: The label over a note: "Private note", or whom it was handed to (translated); else "".
NoteLabelRole = Qt.ItemDataRole.UserRole + 10

ModelIndex = QModelIndex | QPersistentModelIndex


class ThreadModel(QAbstractListModel):
    """The bubbles of one conversation, oldest first.

    Args:
        store: The store to read from (reads only).
        parent: Qt parent.
    """

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._conversation_id: str | None = None
        self._items: list[ThreadItem] = []

    @property
    def conversation_id(self) -> str | None:
        """The conversation shown, or None."""
        return self._conversation_id

    def load(self, conversation_id: str | None) -> None:
        """Show another conversation (or none)."""
        self.beginResetModel()
        self._conversation_id = conversation_id
        self._items = thread_items(self._store, conversation_id) if conversation_id else []
        self.endResetModel()

    def reload(self) -> bool:
        """Re-read the thread. New items at the end are inserted; other changes reset.

        Returns:
            True if items were added at the end.
        """
        cid = self._conversation_id
        if cid is None:
            return False
        fresh = thread_items(self._store, cid)
        old = self._items
        if fresh == old:
            return False
        n = len(old)
        if len(fresh) > n and fresh[:n] == old:
            self.beginInsertRows(QModelIndex(), n, len(fresh) - 1)
            self._items = fresh
            self.endInsertRows()
            return True
        self.beginResetModel()
        self._items = fresh
        self.endResetModel()
        return len(fresh) > n

    def items(self) -> list[ThreadItem]:
        """The items shown (a copy)."""
        return list(self._items)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of bubbles."""
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Bubbles can be selected (to copy their text) but not edited."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The bubble's fields by role. DisplayRole is the body, verbatim."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, BodyRole):
            return item.body
        if role == KindRole:
            return item.kind
        if role == DirectionRole:
            return item.direction
        if role == AuthorRole:
            return item.author
        if role == TimeRole:
            return item.at
        if role == StateRole:
            return item.state or ""
        if role == ErrorRole:
            return item.error or ""
        if role == ItemIdRole:
            return item.id
        if role == MetaTextRole:
            return self._meta(item)
        if role == NoteLabelRole:
            if item.kind != "note":
                return ""
            if item.handoff_to:
                return self.tr("Handed to %1 · private note").replace("%1", item.handoff_to)
            return self.tr("Private note")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self._meta(item)}: {item.body}"
        return None

    def _meta(self, item: ThreadItem) -> str:
        parts = [texts.short_time(item.at)]
        if item.author:
            parts.append(item.author)
        if item.kind == "outbox":
            parts.append(texts.outbox_state_text(item.state, item.error))
        return " · ".join(parts)


class BubbleDelegate(QStyledItemDelegate):
    """Paints a bubble: the body as plain text, wrapped, and a line of time/author/state.

    Args:
        view: The view it paints in (its width decides the bubble width).
    """

    MARGIN_X = 18
    PAD_X = 12
    PAD_Y = 9
    META_H = 18
    GAP = 8
    LABEL_H = 18
    MAX_BUBBLE = 560

    #: How bodies are drawn: always plain text.
    text_format = Qt.TextFormat.PlainText

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._sizes: dict[tuple[str, int, str], QSizeF] = {}

    # -- measuring ---------------------------------------------------------------------------

    @staticmethod
    def text_option() -> QTextOption:
        """Wrap at word boundaries, or anywhere for very long words (URLs)."""
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setAlignment(Qt.AlignmentFlag.AlignLeft)
        return option

    def body_text(self, index: ModelIndex) -> str:
        """Exactly the text the bubble shows: the stored body, unchanged."""
        return str(index.data(BodyRole) or "")

    def _bubble_max(self) -> float:
        width = self._view.viewport().width()
        return max(160.0, min(self.MAX_BUBBLE, width * 0.72))

    def _text_size(self, index: ModelIndex, font: QFont) -> QSizeF:
        limit = self._bubble_max() - 2 * self.PAD_X
        key = (str(index.data(ItemIdRole)), int(limit), font.key())
        size = self._sizes.get(key)
        if size is None:
            size = self._measure(self.body_text(index), font, limit)
            if len(self._sizes) > 5000:
                self._sizes.clear()
            self._sizes[key] = size
        return size

    def _measure(self, text: str, font: QFont, width: float) -> QSizeF:
        layout = QTextLayout(text.replace("\n", "\u2028"), font)
        layout.setTextOption(self.text_option())
        layout.beginLayout()
        height = 0.0
        natural = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, height))
            height += line.height()
            natural = max(natural, line.naturalTextWidth())
        layout.endLayout()
        if not text:
            height = QFontMetricsF(font).height()
        return QSizeF(min(width, natural) + 1, height)

    def clear_cache(self) -> None:
        """Forget measured sizes (new thread)."""
        self._sizes.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Height of the bubble plus its meta line; the full view width."""
        font: QFont = option.font
        text = self._text_size(index, font)
        label = self.LABEL_H if index.data(KindRole) == "note" else 0
        height = self.GAP + label + text.height() + 2 * self.PAD_Y + self.META_H + self.GAP / 2
        return QSize(max(200, self._view.viewport().width()), int(height + 0.999))

    # -- painting ----------------------------------------------------------------------------

    def _colours(self, kind: str, direction: str, state: str) -> tuple[QColor, QColor]:
        if kind == "note":
            return theme.colour("note"), theme.colour("note_border")
        if kind == "outbox":
            if state in ("failed", "unknown"):
                return theme.colour("danger_soft"), theme.colour("danger")
            return theme.colour("bubble_pending"), theme.colour("bubble_out_border")
        if direction == "out":
            return theme.colour("bubble_out"), theme.colour("bubble_out_border")
        return theme.colour("bubble_in"), theme.colour("bubble_in_border")

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the bubble and its meta line."""
        rect = QRectF(option.rect)
        font: QFont = option.font
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        kind = str(index.data(KindRole) or "message")
        direction = str(index.data(DirectionRole) or "in")
        state = str(index.data(StateRole) or "")
        text = self._text_size(index, font)
        label_h = self.LABEL_H if kind == "note" else 0
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        label_w = 0.0
        if kind == "note":
            bold = QFont(small)
            bold.setBold(True)
            label_w = QFontMetricsF(bold).horizontalAdvance(str(index.data(NoteLabelRole)))
        width = max(text.width(), label_w) + 2 * self.PAD_X
        height = label_h + text.height() + 2 * self.PAD_Y
        outbound = direction == "out"
        left = (rect.right() - self.MARGIN_X - width) if outbound else rect.left() + self.MARGIN_X
        bubble = QRectF(left, rect.top() + self.GAP, width, height)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, border = self._colours(kind, direction, state)
        pen = QPen(border, 2.0 if selected else 1.0)
        if kind == "note" or (kind == "outbox" and state in ("queued", "sending")):
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), 12, 12)

        inner_top = bubble.top() + self.PAD_Y
        if kind == "note":
            bold = QFont(small)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(theme.colour("warning"))
            painter.drawText(
                QRectF(bubble.left() + self.PAD_X, inner_top, label_w + 2, self.LABEL_H),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                str(index.data(NoteLabelRole)),
            )
            inner_top += label_h
        painter.setFont(font)
        painter.setPen(theme.colour("text"))
        body_rect = QRectF(
            bubble.left() + self.PAD_X, inner_top, text.width() + 1, text.height() + 2
        )
        painter.drawText(body_rect, self.body_text(index), self.text_option())

        meta = str(index.data(MetaTextRole) or "")
        painter.setFont(small)
        if kind == "outbox" and state in ("failed", "unknown"):
            painter.setPen(theme.colour("danger"))
        elif kind == "outbox":
            painter.setPen(theme.colour("accent"))
        else:
            painter.setPen(theme.colour("text_faint"))
        meta_rect = QRectF(
            rect.left() + self.MARGIN_X,
            bubble.bottom() + 2,
            rect.width() - 2 * self.MARGIN_X,
            self.META_H,
        )
        align = Qt.AlignmentFlag.AlignRight if outbound else Qt.AlignmentFlag.AlignLeft
        elided = QFontMetricsF(small).elidedText(
            meta, Qt.TextElideMode.ElideMiddle, meta_rect.width()
        )
        painter.drawText(meta_rect, align | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()


class ThreadView(QListView):
    """The bubbles of a conversation; Ctrl+C or the context menu copies a bubble's text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thread")
        self.bubbles = BubbleDelegate(self)
        self.setItemDelegate(self.bubbles)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.verticalScrollBar().setSingleStep(24)
        self._top_gap = 0

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Use ``model``; a short thread then sits at the bottom, next to the composer."""
        super().setModel(model)
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
                signal.connect(self.align_to_bottom)

    def align_to_bottom(self, *_args: object) -> None:
        """Push a thread shorter than the view down to the composer, as chats do.

        Only the rows that fit are measured, so a long thread costs nothing extra.
        """
        model = self.model()
        available = self.contentsRect().height()
        total = 0
        if model is not None:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            for row in range(model.rowCount()):
                total += self.bubbles.sizeHint(option, model.index(row, 0)).height()
                if total >= available:
                    break
        gap = max(0, available - total - 4) if total else 0
        if gap != self._top_gap:
            self._top_gap = gap
            self.setViewportMargins(0, gap, 0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-align a short thread when the view changes size."""
        super().resizeEvent(event)
        self.align_to_bottom()

    def copy_current(self) -> None:
        """Put the current bubble's text on the clipboard."""
        index = self.currentIndex()
        if index.isValid():
            QGuiApplication.clipboard().setText(str(index.data(BodyRole) or ""))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+C copies the current bubble's text."""
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_current()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Offer to copy the bubble under the pointer."""
        index = self.indexAt(event.pos())
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.tr("Copy text"), self.copy_current)
        menu.exec(event.globalPos())

    def is_at_bottom(self) -> bool:
        """True when the newest bubble is in view (new ones then scroll into view)."""
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4
