"""The conversation list: a model over ids with a lazy row cache, its delegate and its view.

The model holds only ids, paged 200 at a time through keyset queries
(:func:`console.store.queries.conversation_ids`, ``canFetchMore``/``fetchMore``). Light rows
(:class:`ConversationRow`) are read in chunks when a row is first painted, so a list of
100,000 conversations costs what its visible rows cost. After a change the touched rows are
dropped from the cache (stale), membership and order are re-read for the loaded part, and the
difference is applied with row removals, insertions and a layout change, so selection and
scroll position follow the conversation rather than the row number.

With search text the list is read whole on the read worker
(:func:`console.store.queries.search_list`: full-text search, then names and last messages),
so typing never waits for a search; a result that arrives after a newer search was asked for
is dropped. Rows found through an older message show that message's snippet, and every
snippet carries the offsets of the matched words for the delegate to highlight.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
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
from PySide6.QtGui import QColor, QFocusEvent, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from console.services import Changes
from console.sla import Cutoffs
from console.store.engine import Store
from console.store.models import Department
from console.store.queries import (
    ConversationRow,
    ListFilter,
    SearchList,
    conversation_ids,
    conversation_rows,
    search_list,
)
from console.store.search import ParsedQuery, SearchHit, match_spans, parse_query
from ui import icons, texts, theme
from ui.tasks import Tasks

#: Conversation id (str).
IdRole = Qt.ItemDataRole.UserRole + 1
#: Channel kind (str).
ChannelRole = Qt.ItemDataRole.UserRole + 2
#: Contact display name (str).
ContactRole = Qt.ItemDataRole.UserRole + 3
#: Last message, one line (str).
SnippetRole = Qt.ItemDataRole.UserRole + 4
#: Department code, or "" when untriaged.
DepartmentRole = Qt.ItemDataRole.UserRole + 5
#: Department chip text ("성형외과", or "미분류" when untriaged).
DepartmentLabelRole = Qt.ItemDataRole.UserRole + 6
#: Department colour (hex), or "" when untriaged.
DepartmentColourRole = Qt.ItemDataRole.UserRole + 7
#: Time text at the right of the row: waiting time, or when the last message came.
TimeTextRole = Qt.ItemDataRole.UserRole + 8
#: Minutes the customer has waited, or -1 if the clinic answered last.
WaitingMinutesRole = Qt.ItemDataRole.UserRole + 9
#: Unread inbound messages (bool).
UnreadRole = Qt.ItemDataRole.UserRole + 10
#: The operator has a draft here (bool).
DraftRole = Qt.ItemDataRole.UserRole + 11
#: Replies queued or sending (int).
QueuedRole = Qt.ItemDataRole.UserRole + 12
#: Replies failed or with an unknown outcome (int).
FailedRole = Qt.ItemDataRole.UserRole + 13
#: Conversation status (str).
StatusRole = Qt.ItemDataRole.UserRole + 14
#: Assignee operator id, or "".
AssigneeRole = Qt.ItemDataRole.UserRole + 15
#: False while the row is a placeholder (not read yet, or gone).
LoadedRole = Qt.ItemDataRole.UserRole + 16
#: The whole :class:`ConversationRow`, or None.
RowRole = Qt.ItemDataRole.UserRole + 17
#: ``(start, end)`` offsets of the searched words in the SnippetRole text (tuple, maybe empty).
SnippetHighlightsRole = Qt.ItemDataRole.UserRole + 18
#: ``(start, end)`` offsets of the searched words in the contact name.
NameHighlightsRole = Qt.ItemDataRole.UserRole + 19
#: A draft here has a conflict copy: two PCs changed it at once (bool).
ConflictRole = Qt.ItemDataRole.UserRole + 40
#: True while the customer has waited at least the SLA target (business time).
BreachedRole = Qt.ItemDataRole.UserRole + 41
#: A field edit made on this PC was overwritten by a concurrent edit on another PC (bool).
FieldConflictRole = Qt.ItemDataRole.UserRole + 42

Spans = tuple[tuple[int, int], ...]

PAGE_SIZE = 200
CHUNK = 60
CACHE_LIMIT = 20_000
#: After a change, a search in force is run again this much later (bursts make one search).
RESEARCH_DELAY_MS = 300

ModelIndex = QModelIndex | QPersistentModelIndex


def _ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous ``(first, last)`` runs of sorted row numbers."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


class ConversationListModel(QAbstractListModel):
    """Conversations of one navigation view, paged lazily.

    Args:
        store: The store to read from (reads only).
        departments: The clinic's departments, for chip names and colours.
        flt: Which conversations to list.
        parent: Qt parent.
        tasks: Where searches run (its read worker); None: at once, on the calling thread.

    Signals:
        search_started(): a search was asked for (its result is not shown yet).
        search_finished(int, bool): the newest search's result is shown: how many
            conversations, and whether more matched than the list shows.
    """

    search_started = Signal()
    search_finished = Signal(int, bool)

    def __init__(
        self,
        store: Store,
        departments: list[Department],
        flt: ListFilter | None = None,
        parent: QObject | None = None,
        tasks: Tasks | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks if tasks is not None else Tasks.inline(self)
        self._departments = {d.code: (d.name_ko, d.name_en, d.colour) for d in departments}
        self._filter = flt or ListFilter()
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._rows: dict[str, ConversationRow | None] = {}
        self._last_key: tuple[int, str] | None = None
        self._more = False
        self._hits: dict[str, SearchHit] = {}
        self._parsed: ParsedQuery | None = None
        self._spans: dict[str, tuple[Spans, Spans]] = {}
        self._search_seq = 0
        self._searching = False
        self._cutoffs: Cutoffs | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(RESEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self._start_search(reset=False))
        if self._filter.text.strip():
            self._start_search(reset=True)
        else:
            self._load_first_page()

    # -- loading ---------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """True while a search asked for has not been shown yet."""
        return self._searching

    def _start_search(self, *, reset: bool) -> None:
        """Read the searched list on the read worker; only the newest result is shown."""
        self._search_timer.stop()
        self._search_seq += 1
        seq, store, flt = self._search_seq, self._store, self._filter
        self._searching = True
        self.search_started.emit()

        def done(result: SearchList) -> None:
            if seq != self._search_seq:
                return  # a newer search was asked for meanwhile
            self._searching = False
            self._show_search(result, reset=reset)
            self.search_finished.emit(result.count, result.more)

        def failed(_exc: BaseException) -> None:
            if seq == self._search_seq:
                self._searching = False
                self.search_finished.emit(len(self._ids), False)

        self._tasks.read(lambda: search_list(store, flt), done, failed)

    def _show_search(self, result: SearchList, *, reset: bool) -> None:
        self._hits = dict(result.hits)
        self._parsed = parse_query(self._filter.text)
        self._spans.clear()
        self._more = False
        self._last_key = None
        if reset:
            self.beginResetModel()
            self._ids = list(result.ids)
            self._reindex()
            self.endResetModel()
        else:
            self._apply(list(result.ids))
            if self._ids:
                self.dataChanged.emit(
                    self.index(0),
                    self.index(len(self._ids) - 1),
                    [SnippetRole, SnippetHighlightsRole, NameHighlightsRole],
                )

    def _load_first_page(self) -> None:
        page = conversation_ids(self._store, self._filter, limit=PAGE_SIZE)
        self._ids = [cid for cid, _ in page]
        self._last_key = page[-1][1] if page else None
        self._more = len(page) == PAGE_SIZE
        self._reindex()

    def _reindex(self) -> None:
        self._row_of = {cid: row for row, cid in enumerate(self._ids)}

    @property
    def list_filter(self) -> ListFilter:
        """The filter in force."""
        return self._filter

    def set_filter(self, flt: ListFilter) -> None:
        """Show another view or search (a model reset). With search text the rows shown stay
        until the search's result replaces them (see ``search_finished``)."""
        self._filter = flt
        if flt.text.strip():
            self._start_search(reset=True)
            return
        self._search_timer.stop()
        self._search_seq += 1  # a search still running is no longer wanted
        self._searching = False
        self.beginResetModel()
        self._hits = {}
        self._parsed = None
        self._spans.clear()
        self._rows.clear()
        self._load_first_page()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        """Filter by words in the contact name or last message."""
        if text != self._filter.text:
            self.set_filter(dataclasses.replace(self._filter, text=text))

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        """True while the query has rows beyond the loaded pages."""
        return not parent.isValid() and self._more

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        """Load the next page of ids (keyset paging: no OFFSET)."""
        if parent.isValid() or not self._more:
            return
        page = conversation_ids(self._store, self._filter, after=self._last_key, limit=PAGE_SIZE)
        self._more = len(page) == PAGE_SIZE
        if page:
            self._last_key = page[-1][1]
        fresh = [cid for cid, _ in page if cid not in self._row_of]
        if not fresh:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._ids.extend(fresh)
        for offset, cid in enumerate(fresh):
            self._row_of[cid] = first + offset
        self.endInsertRows()

    def _row(self, row: int) -> ConversationRow | None:
        cid = self._ids[row]
        if cid not in self._rows:
            self._fetch_chunk(row)
        return self._rows.get(cid)

    def _fetch_chunk(self, row: int) -> None:
        if len(self._rows) > CACHE_LIMIT:
            self._rows.clear()
        start = max(0, row - 8)
        wanted = [cid for cid in self._ids[start : row + CHUNK] if cid not in self._rows]
        found = conversation_rows(self._store, wanted)
        for cid in wanted:
            self._rows[cid] = found.get(cid)

    # -- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Loaded conversations (a list: the root's children only)."""
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Rows are selectable; nothing is editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The row's fields by role (reads the row's chunk on first use)."""
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == IdRole:
            return self._ids[index.row()]
        row = self._row(index.row())
        if role == LoadedRole:
            return row is not None
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole else None
        if role in (Qt.ItemDataRole.DisplayRole, ContactRole):
            return row.contact_name
        if role == SnippetRole:
            hit = self._hits.get(row.id)
            return hit.snippet if hit is not None else row.snippet
        if role == SnippetHighlightsRole:
            return self._highlights(row)[0]
        if role == NameHighlightsRole:
            return self._highlights(row)[1]
        if role == ChannelRole:
            return row.channel
        if role == DepartmentRole:
            return row.department or ""
        if role == DepartmentLabelRole:
            label = self._department_label(row.department)
            if row.department and row.department_source in ("auto", "rule"):
                return self.tr("%1 · auto").replace("%1", label)
            if not row.department and not row.department_source and row.suggested_department:
                suggestion = self._department_label(row.suggested_department)
                return self.tr("%1 · %2?").replace("%1", label).replace("%2", suggestion)
            return label
        if role == DepartmentColourRole:
            dept = self._departments.get(row.department or "")
            return dept[2] if dept else ""
        if role == TimeTextRole:
            if row.waiting_since is not None:
                return texts.waiting_text(row.waiting_since)
            return texts.short_date(row.last_message_at)
        if role == WaitingMinutesRole:
            if row.waiting_since is None:
                return -1
            return max(0, (texts.now_ms() - row.waiting_since) // 60_000)
        if role == BreachedRole:
            if row.waiting_since is None or self._cutoffs is None:
                return False
            first = row.first_response_at is None
            return self._cutoffs.breached(row.department, row.channel, row.waiting_since, first)
        if role == UnreadRole:
            return row.unread
        if role == DraftRole:
            return row.has_draft
        if role == ConflictRole:
            return row.has_conflict
        if role == FieldConflictRole:
            return row.field_conflict
        if role == QueuedRole:
            return row.queued
        if role == FailedRole:
            return row.failed
        if role == StatusRole:
            return row.status
        if role == AssigneeRole:
            return row.assignee_id or ""
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.DecorationRole:
            return icons.channel_icon(row.channel)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.contact_name} · {row.account_name}\n{row.snippet}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            spoken = (
                f"{row.contact_name}, {texts.channel_name(row.channel)}, "
                f"{self._department_label(row.department)}, {row.snippet}"
            )
            if row.field_conflict:
                spoken += ", " + self.tr("changed on another PC at the same time")
            return spoken
        return None

    def _highlights(self, row: ConversationRow) -> tuple[Spans, Spans]:
        """Where the searched words are in the row's snippet and contact name."""
        parsed = self._parsed
        if parsed is None:
            return (), ()
        spans = self._spans.get(row.id)
        if spans is None:
            text = self._filter.text
            hit = self._hits.get(row.id)
            snippet = hit.highlights if hit is not None else match_spans(row.snippet, text, parsed)
            spans = (snippet, match_spans(row.contact_name, text, parsed))
            self._spans[row.id] = spans
        return spans

    def _department_label(self, code: str | None) -> str:
        dept = self._departments.get(code or "")
        if dept is None:
            return texts.untriaged_chip()
        return texts.department_name(dept[0], dept[1])

    # -- lookups ---------------------------------------------------------------------------

    def id_at(self, row: int) -> str | None:
        """The conversation id at ``row``, or None."""
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, conversation_id: str) -> int:
        """The row of a loaded conversation, or -1."""
        return self._row_of.get(conversation_id, -1)

    def cached_rows(self) -> int:
        """How many rows are in the cache (for tests and diagnostics)."""
        return len(self._rows)

    # -- changes ---------------------------------------------------------------------------

    def on_changed(self, changes: Changes) -> None:
        """React to a broadcast: stale rows are re-read; membership is re-read if it may
        have moved (a row changed, or conversations were created)."""
        stale = changes.conversations | changes.drafts | changes.threads
        for cid in stale:
            self._rows.pop(cid, None)
            self._spans.pop(cid, None)
        if self._filter.text.strip():
            # A new message may match the search: search again, soon, on the read worker.
            if changes.conversations or changes.new_conversations or changes.threads:
                self._search_timer.start()
        elif changes.conversations or changes.new_conversations:
            self.refresh()
        for cid in stale:
            row = self._row_of.get(cid)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))

    def refresh(self) -> None:
        """Re-read which conversations the loaded part of the list holds, and their order
        (with search text: search again on the read worker)."""
        if self._filter.text.strip():
            self._start_search(reset=False)
            return
        limit = max(PAGE_SIZE, len(self._ids))
        page = conversation_ids(self._store, self._filter, limit=limit)
        self._apply([cid for cid, _ in page])
        self._last_key = page[-1][1] if page else None
        self._more = len(page) == limit

    def set_cutoffs(self, cutoffs: Cutoffs | None) -> None:
        """Mark rows whose wait has reached its SLA target, from per-group cutoff times
        (:func:`console.sla.cutoffs`): a comparison per row, no query while painting."""
        self._cutoffs = cutoffs
        if self._ids:
            self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1), [BreachedRole])

    def refresh_times(self) -> None:
        """Waiting times moved on: repaint the time text of every loaded row."""
        if self._ids:
            self.dataChanged.emit(
                self.index(0),
                self.index(len(self._ids) - 1),
                [TimeTextRole, WaitingMinutesRole, BreachedRole],
            )

    def _apply(self, new_ids: list[str]) -> None:
        if new_ids == self._ids:
            return
        wanted = set(new_ids)
        gone = [row for row, cid in enumerate(self._ids) if cid not in wanted]
        for first, last in reversed(_ranges(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        present = set(self._ids)
        i = 0
        while i < len(new_ids):
            if new_ids[i] in present:
                i += 1
                continue
            j = i
            while j < len(new_ids) and new_ids[j] not in present:
                j += 1
            pos = min(i, len(self._ids))
            self.beginInsertRows(QModelIndex(), pos, pos + (j - i) - 1)
            self._ids[pos:pos] = new_ids[i:j]
            self.endInsertRows()
            present.update(new_ids[i:j])
            i = j
        if self._ids != new_ids:
            self.layoutAboutToBeChanged.emit()
            target = {cid: row for row, cid in enumerate(new_ids)}
            old = self.persistentIndexList()
            new = [self.index(target[self._ids[p.row()]]) for p in old]
            self._ids = list(new_ids)
            self.changePersistentIndexList(old, new)
            self.layoutChanged.emit()
        self._reindex()


@dataclass(frozen=True)
class TextRun:
    """A piece of one line of plain text as the delegate paints it.

    Attributes:
        text: The characters, painted as they are (never as markup).
        x: Where the piece starts, in pixels from the line's left.
        width: Its width in pixels.
        highlighted: Whether it is a searched word (painted on the highlight colour).
    """

    text: str
    x: int
    width: int
    highlighted: bool


def text_runs(text: str, spans: Spans, metrics: QFontMetrics, width: int) -> list[TextRun]:
    """One line of ``text`` elided to ``width``, cut into plain and highlighted pieces.

    Args:
        text: The line.
        spans: ``(start, end)`` offsets of the highlights in ``text``.
        metrics: The font's metrics.
        width: Room in pixels (the end is elided with "…" if the text is wider).

    Returns:
        The pieces left to right; their texts joined are the elided line.
    """
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))
    if elided == text:
        shown, tail = len(text), ""
    elif elided.endswith("…") and text.startswith(elided[:-1]):
        shown, tail = len(elided) - 1, "…"
    else:  # an elision that is not a prefix: no highlights rather than wrong ones
        return [TextRun(elided, 0, metrics.horizontalAdvance(elided), False)] if elided else []
    cuts: list[tuple[int, int, bool]] = []
    at = 0
    for first, last in sorted(spans):
        start, end = max(first, at), min(last, shown)
        if end <= start:
            continue
        if start > at:
            cuts.append((at, start, False))
        cuts.append((start, end, True))
        at = end
    if at < shown:
        cuts.append((at, shown, False))
    runs = []
    for start, end, lit in cuts:
        x = metrics.horizontalAdvance(text[:start])
        runs.append(TextRun(text[start:end], x, metrics.horizontalAdvance(text[:end]) - x, lit))
    if tail:
        x = metrics.horizontalAdvance(text[:shown])
        runs.append(TextRun(tail, x, metrics.horizontalAdvance(tail), False))
    return runs


def paint_runs(painter: QPainter, rect: QRect, runs: list[TextRun]) -> None:
    """Paint pieces made by :func:`text_runs` in ``rect`` (left aligned, vertically centred),
    highlights on the highlight colour; the pen colour is the caller's."""
    pen = painter.pen()
    height = painter.fontMetrics().height()
    top = rect.top() + (rect.height() - height) // 2
    for run in runs:
        if run.highlighted:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.colour("highlight"))
            painter.drawRoundedRect(
                QRectF(rect.left() + run.x - 1, top, run.width + 2, height), 3, 3
            )
            painter.setPen(pen)
        painter.drawText(
            QRect(rect.left() + run.x, rect.top(), run.width + 2, rect.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            run.text,
        )


class ConversationDelegate(QStyledItemDelegate):
    """Paints one conversation row from the model's roles: unread dot, channel badge, contact
    name, waiting time, snippet (one elided line), draft/queued/failed markers and the
    department chip. Every text is drawn as plain text."""

    ROW_HEIGHT = 68

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fonts: dict[tuple[str, str], QFont] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Every row is the same height (the view uses uniform item sizes)."""
        return QSize(320, self.ROW_HEIGHT)

    def _font(self, base: QFont, kind: str) -> QFont:
        key = (base.key(), kind)
        font = self._fonts.get(key)
        if font is None:
            font = QFont(base)
            if kind == "name":
                font.setPointSizeF(base.pointSizeF() * 1.05)
                font.setWeight(QFont.Weight.DemiBold)
            elif kind == "name_unread":
                font.setPointSizeF(base.pointSizeF() * 1.05)
                font.setWeight(QFont.Weight.Bold)
            elif kind == "small":
                font.setPointSizeF(base.pointSizeF() * 0.86)
            elif kind == "chip":
                font.setPointSizeF(base.pointSizeF() * 0.82)
                font.setWeight(QFont.Weight.DemiBold)
            self._fonts[key] = font
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the row."""
        rect: QRect = option.rect
        state = option.state
        base: QFont = option.font
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            painter.fillRect(rect, theme.colour("selection"))
            painter.fillRect(
                QRect(rect.left(), rect.top(), 3, rect.height()), theme.colour("selection_border")
            )
        elif hovered:
            painter.fillRect(rect, theme.colour("hover"))
        painter.setPen(theme.colour("border"))
        painter.drawLine(rect.left() + 12, rect.bottom(), rect.right(), rect.bottom())

        if not index.data(LoadedRole):
            painter.setPen(theme.colour("text_faint"))
            painter.setFont(base)
            painter.drawText(
                rect.adjusted(58, 0, -12, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                "…",
            )
            painter.restore()
            return

        unread = bool(index.data(UnreadRole))
        top = rect.top()
        if unread:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.colour("unread"))
            painter.drawEllipse(QRectF(rect.left() + 8, top + 16, 8, 8))
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(
            rect.left() + 20, top + 12, icons.svg_pixmap(str(index.data(ChannelRole)), 28, ratio)
        )

        x = rect.left() + 58
        right = rect.right() - 12
        # Line 1: name ... time
        time_font = self._font(base, "small")
        time_text = str(index.data(TimeTextRole) or "")
        waited = int(index.data(WaitingMinutesRole) or -1)
        breached = bool(index.data(BreachedRole))
        painter.setFont(time_font)
        time_w = QFontMetrics(time_font).horizontalAdvance(time_text)
        line1 = QRect(x, top + 9, right - x, 22)
        if breached:  # past the SLA target: red on a light red pill, to read at a glance
            pill = QRectF(right - time_w - 12, top + 10, time_w + 12, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.colour("danger_soft"))
            painter.drawRoundedRect(pill, 10, 10)
            painter.setPen(theme.colour("danger"))
            line1 = QRect(x, top + 9, right - x - 6, 22)
            time_w += 12
        elif waited >= 60:
            painter.setPen(theme.colour("warning"))
        else:
            painter.setPen(theme.colour("text_muted"))
        painter.drawText(
            line1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, time_text
        )
        name_font = self._font(base, "name_unread" if unread else "name")
        painter.setFont(name_font)
        painter.setPen(theme.colour("text"))
        name_rect = QRect(x, top + 9, max(0, right - x - time_w - 10), 22)
        paint_runs(
            painter,
            name_rect,
            text_runs(
                str(index.data(ContactRole) or ""),
                index.data(NameHighlightsRole) or (),
                QFontMetrics(name_font),
                name_rect.width(),
            ),
        )

        # Line 2: snippet ... markers and department chip
        chip_font = self._font(base, "chip")
        painter.setFont(chip_font)
        chips = self._chips(index)
        cx = right
        line2_top = top + 37
        for text, fg, bg in reversed(chips):
            width = QFontMetrics(chip_font).horizontalAdvance(text) + 14
            chip = QRectF(cx - width, line2_top + 1, width, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(chip, 10, 10)
            painter.setPen(fg)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
            cx = int(chip.left()) - 5
        snippet_font = base
        painter.setFont(snippet_font)
        painter.setPen(theme.colour("text" if unread else "text_muted"))
        snip_rect = QRect(x, line2_top, max(0, cx - x - 6), 22)
        paint_runs(
            painter,
            snip_rect,
            text_runs(
                str(index.data(SnippetRole) or ""),
                index.data(SnippetHighlightsRole) or (),
                QFontMetrics(snippet_font),
                snip_rect.width(),
            ),
        )
        painter.restore()

    def _chips(self, index: ModelIndex) -> list[tuple[str, QColor, QColor]]:
        """The markers of a row, left to right: conflicts, failed, queued, draft, department."""
        chips: list[tuple[str, QColor, QColor]] = []
        if index.data(FieldConflictRole):
            chips.append(
                (self.tr("Changed on 2 PCs"), theme.colour("warning"), theme.colour("warning_soft"))
            )
        if index.data(ConflictRole):
            chips.append((self.tr("Conflict"), theme.colour("danger"), theme.colour("danger_soft")))
        failed = int(index.data(FailedRole) or 0)
        queued = int(index.data(QueuedRole) or 0)
        if failed:
            chips.append((self.tr("Not sent"), theme.colour("danger"), theme.colour("danger_soft")))
        if queued:
            chips.append(
                (
                    self.tr("%n to send", "", queued),
                    theme.colour("accent"),
                    theme.colour("accent_soft"),
                )
            )
        if index.data(DraftRole):
            chips.append((self.tr("Draft"), theme.colour("warning"), theme.colour("warning_soft")))
        label = str(index.data(DepartmentLabelRole) or "")
        colour = str(index.data(DepartmentColourRole) or "")
        if colour:
            fg = QColor(colour).darker(135)
            bg = QColor(colour)
            bg.setAlpha(34)
            chips.append((label, fg, bg))
        else:
            chips.append(
                (label, theme.colour("chip_untriaged_text"), theme.colour("chip_untriaged"))
            )
        return chips


class ConversationListView(QListView):
    """The list of conversations: fixed-height rows painted by :class:`ConversationDelegate`.

    Signals:
        painted(): the viewport finished painting with at least one row (first paint timing).
    """

    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationList")
        self.setItemDelegate(ConversationDelegate(self))
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.empty_text = ""
        self.focus_landing = False

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Focus alone does not open a conversation: Qt makes the first row current when the
        list gains focus; ``focus_landing`` tells listeners that this was not a choice."""
        self.focus_landing = not self.currentIndex().isValid()
        try:
            super().focusInEvent(event)
        finally:
            self.focus_landing = False

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint rows (or the empty-list sentence), then report the paint."""
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() == 0:
            if self.empty_text:
                painter = QPainter(self.viewport())
                painter.setPen(theme.colour("text_muted"))
                painter.drawText(
                    self.viewport().rect().adjusted(16, 40, -16, 0),
                    Qt.AlignmentFlag.AlignHCenter
                    | Qt.AlignmentFlag.AlignTop
                    | Qt.TextFlag.TextWordWrap,
                    self.empty_text,
                )
                painter.end()
            return
        self.painted.emit()
