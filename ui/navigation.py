"""The navigation pane: a list model of views with their counts, and the delegate that paints it.

Entries: All open · Mine · Unassigned · Untriaged · a "Departments" heading and each
department (with its colour) · a "Channels" heading and each channel kind (with its icon) ·
Snoozed · Resolved · a "Saved searches" heading and each saved search (shared ones first).
Counts come from :func:`console.store.queries.nav_counts` and are set with
:meth:`NavigationModel.set_counts`; only the count role changes then. Saved searches and their
counts are set with :meth:`NavigationModel.set_saved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from console.store.models import Department
from console.store.queries import NavCounts, SavedSearchRow, View
from ui import icons, texts, theme

#: The entry's :class:`View` value (str), or "" for a heading.
ViewRole = Qt.ItemDataRole.UserRole + 1
#: Department code or channel kind for those views, else "".
ValueRole = Qt.ItemDataRole.UserRole + 2
#: The number of conversations, or -1 while unknown.
CountRole = Qt.ItemDataRole.UserRole + 3
#: Colour (hex) of a department entry, else "".
ColourRole = Qt.ItemDataRole.UserRole + 4
#: True for the non-selectable section headings.
HeadingRole = Qt.ItemDataRole.UserRole + 5
#: Channel kind whose icon the entry shows, else "".
ChannelRole = Qt.ItemDataRole.UserRole + 6
#: True for a saved search shared with the whole clinic.
SharedRole = Qt.ItemDataRole.UserRole + 7
#: Waiting conversations past their SLA target (departments, untriaged, all open), else 0.
BreachRole = Qt.ItemDataRole.UserRole + 8

#: The ViewRole of a saved search entry (its ValueRole is the saved search's id).
SAVED = "saved"

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class NavEntry:
    """One row of the navigation pane."""

    view: str
    value: str = ""
    label: str = ""
    colour: str = ""
    heading: bool = False


class NavigationModel(QAbstractListModel):
    """The navigation entries and their counts.

    Args:
        departments: The clinic's departments in display order.
        channels: Channel kinds of the connected accounts.
        parent: Qt parent.
    """

    def __init__(
        self, departments: list[Department], channels: list[str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._departments = [(d.code, d.name_ko, d.name_en, d.colour) for d in departments]
        self._channels = list(channels)
        self._counts: NavCounts | None = None
        self._saved: list[SavedSearchRow] = []
        self._saved_counts: dict[str, int] = {}
        self._breaches: dict[str | None, int] = {}
        self._entries = self._build()

    def _build(self) -> list[NavEntry]:
        entries = [
            NavEntry(View.ALL_OPEN.value, label=texts.view_name(View.ALL_OPEN)),
            NavEntry(View.MINE.value, label=texts.view_name(View.MINE)),
            NavEntry(View.UNASSIGNED.value, label=texts.view_name(View.UNASSIGNED)),
            NavEntry(View.UNTRIAGED.value, label=texts.view_name(View.UNTRIAGED)),
            NavEntry("", label=texts.view_name(View.DEPARTMENT), heading=True),
        ]
        entries += [
            NavEntry(View.DEPARTMENT.value, code, texts.department_name(ko, en), colour)
            for code, ko, en, colour in self._departments
        ]
        if self._channels:
            entries.append(NavEntry("", label=texts.view_name(View.CHANNEL), heading=True))
            entries += [
                NavEntry(View.CHANNEL.value, kind, texts.channel_name(kind))
                for kind in self._channels
            ]
        entries += [
            NavEntry("", label="", heading=True),
            NavEntry(View.SNOOZED.value, label=texts.view_name(View.SNOOZED)),
            NavEntry(View.RESOLVED.value, label=texts.view_name(View.RESOLVED)),
        ]
        if self._saved:
            entries.append(NavEntry("", label=self.tr("Saved searches"), heading=True))
            entries += [NavEntry(SAVED, row.id, row.name) for row in self._saved]
        return entries

    # -- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of entries (a list: children of the root only)."""
        return 0 if parent.isValid() else len(self._entries)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Headings are shown but cannot be selected."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._entries[index.row()].heading:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The entry's label, view, value, count, colour or icon."""
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.label
        if role == Qt.ItemDataRole.AccessibleTextRole:
            count = self._count(entry)
            text = entry.label if count < 0 else f"{entry.label} {count}"
            breached = self._breach(entry)
            return f"{text}, {texts.breached_text(breached)}" if breached else text
        if role == ViewRole:
            return entry.view
        if role == ValueRole:
            return entry.value
        if role == CountRole:
            return self._count(entry)
        if role == BreachRole:
            return self._breach(entry)
        if role == ColourRole:
            return entry.colour
        if role == HeadingRole:
            return entry.heading
        if role == ChannelRole:
            return entry.value if entry.view == View.CHANNEL.value else ""
        if role == SharedRole:
            saved = self.saved_row(entry.value) if entry.view == SAVED else None
            return saved is not None and saved.shared
        if role == Qt.ItemDataRole.ToolTipRole and self._breach(entry):
            return texts.breached_text(self._breach(entry))
        if role == Qt.ItemDataRole.ToolTipRole and entry.view == SAVED:
            saved = self.saved_row(entry.value)
            if saved is None:
                return None
            whose = self.tr("Shared with everyone") if saved.shared else self.tr("Only you")
            return f"{saved.query}\n{whose}"
        if role == Qt.ItemDataRole.DecorationRole and entry.view == View.CHANNEL.value:
            return icons.channel_icon(entry.value)
        return None

    # -- content ---------------------------------------------------------------------------

    def _count(self, entry: NavEntry) -> int:
        c = self._counts
        if entry.heading:
            return -1
        if entry.view == SAVED:
            return self._saved_counts.get(entry.value, -1)
        if c is None:
            return -1
        fixed = {
            View.ALL_OPEN.value: c.all_open,
            View.MINE.value: c.mine,
            View.UNASSIGNED.value: c.unassigned,
            View.UNTRIAGED.value: c.untriaged,
            View.SNOOZED.value: c.snoozed,
            View.RESOLVED.value: c.resolved,
        }
        if entry.view in fixed:
            return fixed[entry.view]
        if entry.view == SAVED:
            return self._saved_counts.get(entry.value, -1)
        if entry.view == View.DEPARTMENT.value:
            return c.by_department.get(entry.value, 0)
        return c.by_channel.get(entry.value, 0)

    def _breach(self, entry: NavEntry) -> int:
        if entry.view == View.DEPARTMENT.value:
            return self._breaches.get(entry.value, 0)
        if entry.view == View.UNTRIAGED.value:
            return self._breaches.get(None, 0)
        if entry.view == View.ALL_OPEN.value:
            return sum(self._breaches.values())
        return 0

    def set_breaches(self, breaches: Mapping[str | None, int]) -> None:
        """Show how many waiting conversations are past their SLA target, per department
        (None: untriaged)."""
        if dict(breaches) == self._breaches:
            return
        self._breaches = dict(breaches)
        if self._entries:
            self.dataChanged.emit(
                self.index(0),
                self.index(len(self._entries) - 1),
                [BreachRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole],
            )

    def set_counts(self, counts: NavCounts) -> None:
        """Show new counts; a channel seen for the first time adds its entry."""
        kinds = sorted(set(self._channels) | {k for k, n in counts.by_channel.items() if n and k})
        if kinds != self._channels:
            self.beginResetModel()
            self._channels = kinds
            self._counts = counts
            self._entries = self._build()
            self.endResetModel()
            return
        self._counts = counts
        if self._entries:
            self.dataChanged.emit(
                self.index(0),
                self.index(len(self._entries) - 1),
                [CountRole, Qt.ItemDataRole.AccessibleTextRole],
            )

    def set_saved(self, rows: list[SavedSearchRow], counts: dict[str, int]) -> None:
        """Show the saved searches (shared first, then the operator's own) and their counts."""
        self._saved_counts = dict(counts)
        if rows != self._saved:
            self.beginResetModel()
            self._saved = list(rows)
            self._entries = self._build()
            self.endResetModel()
            return
        first = self.row_of(SAVED, rows[0].id) if rows else -1
        if first >= 0:
            self.dataChanged.emit(
                self.index(first),
                self.index(len(self._entries) - 1),
                [CountRole, Qt.ItemDataRole.AccessibleTextRole],
            )

    def saved_row(self, search_id: str) -> SavedSearchRow | None:
        """The saved search with this id, if listed."""
        for row in self._saved:
            if row.id == search_id:
                return row
        return None

    def saved_rows(self) -> list[SavedSearchRow]:
        """The saved searches listed, in order."""
        return list(self._saved)

    def retranslate(self) -> None:
        """Rebuild the labels after the UI language changed."""
        self.beginResetModel()
        self._entries = self._build()
        self.endResetModel()

    def row_of(self, view: str, value: str = "") -> int:
        """The row of an entry, or -1."""
        for row, entry in enumerate(self._entries):
            if not entry.heading and entry.view == view and entry.value == value:
                return row
        return -1

    def entry(self, row: int) -> NavEntry:
        """The entry at ``row``."""
        return self._entries[row]


class NavigationDelegate(QStyledItemDelegate):
    """Paints a navigation row: colour dot or channel icon, label, count pill."""

    ROW_HEIGHT = 32
    HEADING_HEIGHT = 30

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Fixed heights: entries and headings."""
        heading = bool(index.data(HeadingRole))
        return QSize(180, self.HEADING_HEIGHT if heading else self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw one entry from the model's roles."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        label = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(HeadingRole):
            if label:
                font = QFont(option.font)
                font.setPointSizeF(font.pointSizeF() * 0.85)
                font.setBold(True)
                painter.setFont(font)
                painter.setPen(theme.colour("text_faint"))
                painter.drawText(
                    rect.adjusted(16, 8, -8, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
            else:
                painter.setPen(theme.colour("border"))
                y = rect.center().y()
                painter.drawLine(rect.left() + 14, y, rect.right() - 14, y)
            painter.restore()
            return
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        body = QRectF(rect.adjusted(6, 2, -6, -2))
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.colour("selection" if selected else "hover"))
            painter.drawRoundedRect(body, 6, 6)
        x = rect.left() + 16
        cy = rect.center().y()
        colour = str(index.data(ColourRole) or "")
        kind = str(index.data(ChannelRole) or "")
        if colour:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawEllipse(QRectF(x + 3, cy - 4, 9, 9))
            x += 22
        elif kind:
            ratio = painter.device().devicePixelRatioF()
            painter.drawPixmap(x, cy - 8, icons.svg_pixmap(kind, 16, ratio))
            x += 22
        elif index.data(ViewRole) == SAVED:  # a small magnifier; teal when shared
            pen = QPen(theme.colour("accent" if index.data(SharedRole) else "text_muted"))
            pen.setWidthF(1.6)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QRectF(x + 2, cy - 6, 9, 9))
            painter.drawLine(QPointF(x + 10, cy + 2), QPointF(x + 14, cy + 6))
            x += 22
        count = int(index.data(CountRole) if index.data(CountRole) is not None else -1)
        font = QFont(option.font)
        font.setBold(selected)
        painter.setFont(font)
        right = rect.right() - 12
        if count >= 0:
            count_font = QFont(option.font)
            count_font.setPointSizeF(count_font.pointSizeF() * 0.85)
            painter.setFont(count_font)
            text = f"{count:,}"
            width = painter.fontMetrics().horizontalAdvance(text) + 14
            pill = QRectF(right - width, cy - 9, width, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.colour("panel"))
            painter.drawRoundedRect(pill, 9, 9)
            painter.setPen(theme.colour("text_muted"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            right = int(pill.left()) - 6
            breached = int(index.data(BreachRole) or 0)
            if breached > 0:  # past the SLA target: the same red as the list's waiting time
                text = f"{breached:,}"
                width = painter.fontMetrics().horizontalAdvance(text) + 14
                pill = QRectF(right - width, cy - 9, width, 18)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(theme.colour("danger_soft"))
                painter.drawRoundedRect(pill, 9, 9)
                painter.setPen(theme.colour("danger"))
                painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
                right = int(pill.left()) - 6
            painter.setFont(font)
        painter.setPen(theme.colour("accent" if selected else "text"))
        label_rect = QRect(x, rect.top(), max(0, right - x), rect.height())
        elided = painter.fontMetrics().elidedText(
            label, Qt.TextElideMode.ElideRight, label_rect.width()
        )
        painter.drawText(
            label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
        )
        painter.restore()


def make_nav_view(parent: QWidget | None = None) -> QListView:
    """A :class:`QListView` set up for the navigation pane (no model yet)."""
    view = QListView(parent)
    view.setObjectName("navigation")
    view.setItemDelegate(NavigationDelegate(view))
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setMouseTracking(True)
    view.setAttribute(Qt.WidgetAttribute.WA_Hover)
    return view
