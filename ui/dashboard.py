"""The managers' dashboard: queues, response times, staff load and trends, live.

A window of its own (the main window's "Dashboard" button, Ctrl+D). Everyone may look at it;
nothing on it changes anything. The figures come from :func:`console.reports.dashboard`,
computed on the read worker (never on the GUI thread), again a moment after changes arrive
(debounced) and every minute while the window is shown (waiting times move on). A result that
arrives after a newer one was asked for is dropped.

- Cards: the clinic's queue now (open, unassigned, untriaged, waiting, past the SLA target,
  the longest wait) and today's median first-response and resolution times.
- Tables per department and per channel: the queue, breaches today and, for the chosen
  period (today, 7 or 30 days), first-response and resolution medians and 90th percentiles.
  Staff: active conversations assigned and replies sent today.
- Charts (QtCharts): customer messages per day (30 days) and per hour of day (7 days), and
  first-response time per department for the chosen period.

Every count of conversations is a link: clicking it (or Enter on it) emits ``open_list`` with
the :class:`ListFilter` of exactly those conversations, and the main window shows them.
"Breaches today" opens the conversations past their target now or answered late today (a
conversation late twice today counts twice and is listed once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QFont, QKeyEvent, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.reports import Dashboard, Group, OperatorLoad, Period, Times, dashboard
from console.services import Changes
from console.store.models import Department
from console.store.queries import ListFilter, Order, View, now_ms
from ui import texts, theme
from ui.context import AppContext
from ui.threadpane import plain_label

#: Changes are gathered this long before the figures are computed again.
REFRESH_DELAY_MS = 800
#: While shown, the figures are computed again this often (waiting times move on).
TICK_MS = 60_000
ROW_HEIGHT = 30
NAME_WIDTH = 150
CHART_HEIGHT = 250
WINDOW_SIZE = (1240, 900)
#: Periods the tables and the department chart can show.
TODAY, WEEK, MONTH = "today", "week", "month"

translate = QCoreApplication.translate
ModelIndex = QModelIndex | QPersistentModelIndex
#: A link: the list it opens and the title the list gets.
Link = tuple[ListFilter, str]


def response_text(ms: int | None) -> str:
    """A response time: "–" (none), "12분", "1시간 5분", "2일 3시간"."""
    if ms is None:
        return "–"
    minutes = max(0, round(ms / 60_000))
    if minutes < 60:
        return _fill(translate("Dashboard", "%1 min"), minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _fill(translate("Dashboard", "%1 h %2 min"), hours, minutes)
    days, hours = divmod(hours, 24)
    return _fill(translate("Dashboard", "%1 d %2 h"), days, hours)


def _fill(template: str, *values: int) -> str:
    for i, value in enumerate(values, start=1):
        template = template.replace(f"%{i}", f"{value:,}")
    return template


def _period(group: Group, which: str) -> Period:
    return {TODAY: group.today, WEEK: group.week}.get(which, group.month)


# -- links -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupKey:
    """Which conversations a row of a table is about.

    Attributes:
        kind: "clinic", "department" or "channel".
        key: Department code (None: untriaged) or channel kind.
    """

    kind: str
    key: str | None = None

    def base(self) -> ListFilter:
        """The group's open conversations."""
        if self.kind == "department":
            if self.key is None:
                return ListFilter(View.UNTRIAGED)
            return ListFilter(View.DEPARTMENT, self.key)
        if self.kind == "channel":
            return ListFilter(View.CHANNEL, self.key)
        return ListFilter(View.ALL_OPEN)

    def narrowed(self, view: View) -> ListFilter:
        """The group's conversations within another view (e.g. its unassigned ones)."""
        if self.kind == "department":
            return ListFilter(view, department=self.key or "")
        if self.kind == "channel":
            return ListFilter(view, channel=self.key)
        return ListFilter(view)

    def link(self, figure: str) -> ListFilter:
        """The list behind one of the group's figures: open, unassigned, untriaged, waiting,
        breached (past the SLA target now), oldest (everyone waiting, longest first) or
        breaches_today (past the target now or answered late today, in any folder)."""
        if figure == "open":
            return self.base()
        if figure == "breaches_today":
            base = self.base()
            return ListFilter(
                base.view,
                base.value,
                department=base.department,
                channel=base.channel,
                breached_today=True,
            )
        if figure == "unassigned":
            return self.narrowed(View.UNASSIGNED)
        if figure == "untriaged":
            return self.narrowed(View.UNTRIAGED)
        waiting = self.base()
        return ListFilter(
            waiting.view,
            waiting.value,
            order=Order.WAITING,
            department=waiting.department,
            channel=waiting.channel,
            waiting=True,
            breached=figure == "breached",
        )


# -- table models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column: its header, how a row shows it, and the figure it links to."""

    header: str
    value: Callable[[Group, str], str]
    number: Callable[[Group], int] | None = None  # a count of conversations: a link
    link: str = ""


#: The item role holding a cell's :data:`Link` (or None).
LinkRole = Qt.ItemDataRole.UserRole + 1


class GroupTableModel(QAbstractTableModel):
    """Departments or channels with their queue and times (one row each).

    Args:
        kind: "department" or "channel".
        names: The name of each key (None: untriaged).
        parent: Qt parent.
    """

    def __init__(
        self, kind: str, names: Callable[[str | None], str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._names = names
        self._groups: tuple[Group, ...] = ()
        self._period = TODAY
        self._now = 0
        self.columns = self._columns()

    def _columns(self) -> list[Column]:
        def wait(group: Group, _p: str) -> str:
            since = group.queue.oldest_waiting_since
            return "–" if since is None else texts.waiting_text(since, self._now)

        def times(pick: Callable[[Period], Times], p90: bool) -> Callable[[Group, str], str]:
            def show(group: Group, period: str) -> str:
                t = pick(_period(group, period))
                return response_text(t.p90_ms if p90 else t.median_ms)

            return show

        cols = [
            Column(
                self.tr("Open"), lambda g, _p: f"{g.queue.open:,}", lambda g: g.queue.open, "open"
            ),
            Column(
                self.tr("Unassigned"),
                lambda g, _p: f"{g.queue.unassigned:,}",
                lambda g: g.queue.unassigned,
                "unassigned",
            ),
            Column(
                self.tr("Waiting"),
                lambda g, _p: f"{g.queue.waiting:,}",
                lambda g: g.queue.waiting,
                "waiting",
            ),
            Column(
                self.tr("Past\ntarget"),
                lambda g, _p: f"{g.queue.breached:,}",
                lambda g: g.queue.breached,
                "breached",
            ),
            Column(self.tr("Longest\nwait"), wait, None, "oldest"),
            Column(
                self.tr("Breaches\ntoday"),
                lambda g, _p: f"{g.breaches_today:,}",
                lambda g: g.breaches_today,
                "breaches_today",
            ),
            Column(self.tr("New"), lambda g, p: f"{_period(g, p).opened:,}"),
            Column(self.tr("1st reply\nmedian"), times(lambda x: x.first_response, False)),
            Column(self.tr("1st reply\n90%"), times(lambda x: x.first_response, True)),
            Column(self.tr("Resolved\nmedian"), times(lambda x: x.resolution, False)),
            Column(self.tr("Resolved\n90%"), times(lambda x: x.resolution, True)),
        ]
        return cols

    def set_data(self, groups: tuple[Group, ...], period: str, now: int) -> None:
        """Show new figures (rows are replaced only when the groups change)."""
        keys = [g.key for g in groups]
        same = keys == [g.key for g in self._groups]
        if same:
            self._groups, self._period, self._now = groups, period, now
            if groups:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(groups) - 1, len(self.columns))
                )
            return
        self.beginResetModel()
        self._groups, self._period, self._now = groups, period, now
        self.endResetModel()

    def group(self, row: int) -> Group:
        """The group shown in ``row``."""
        return self._groups[row]

    def row_of(self, key: str | None) -> int:
        """The row of a department code or channel kind, or -1."""
        for row, g in enumerate(self._groups):
            if g.key == key:
                return row
        return -1

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """One row per group."""
        return 0 if parent.isValid() else len(self._groups)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The name, then the figures."""
        return 0 if parent.isValid() else len(self.columns) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column headers (the name's on the left, the figures' on the right)."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            left = section == 0
            return int(
                (Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight)
                | Qt.AlignmentFlag.AlignVCenter
            )
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return self.tr("Department") if self.kind == "department" else self.tr("Channel")
        return self.columns[section - 1].header

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell: the figure, its alignment, its link (counts of conversations)."""
        if not index.isValid() or not 0 <= index.row() < len(self._groups):
            return None
        group = self._groups[index.row()]
        column = index.column()
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._names(group.key)
            return None
        col = self.columns[column - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.value(group, self._period)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        linked = bool(col.link) and (
            col.number(group) > 0
            if col.number is not None
            else group.queue.oldest_waiting_since is not None
        )
        if role == LinkRole:
            if not linked:
                return None
            key = GroupKey(self.kind, group.key)
            title = f"{self._names(group.key)} · {' '.join(col.header.split())}"
            return (key.link(col.link), title)
        if role == Qt.ItemDataRole.ForegroundRole and linked:
            return theme.colour("accent")
        if role == Qt.ItemDataRole.FontRole and linked:
            font = QFont()
            font.setUnderline(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and linked:
            return self.tr("Show these conversations (Enter)")
        return None


class OperatorTableModel(QAbstractTableModel):
    """Members of staff: on duty, active conversations assigned, replies sent today."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[OperatorLoad, ...] = ()

    def set_data(self, rows: tuple[OperatorLoad, ...]) -> None:
        """Show new figures."""
        if [r.operator_id for r in rows] == [r.operator_id for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, 3))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """One row per member of staff."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Name, on duty, assigned, replies today."""
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column headers (the name's on the left, the figures' on the right)."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            left = section < 2
            return int(
                (Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight)
                | Qt.AlignmentFlag.AlignVCenter
            )
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            self.tr("Staff"),
            self.tr("On duty"),
            self.tr("Assigned open"),
            self.tr("Replies today"),
        ][section]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell; the assigned count links to that person's conversations."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        op = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                op.name,
                self.tr("Yes") if op.on_duty else self.tr("No"),
                f"{op.open_assigned:,}",
                f"{op.replies:,}",
            ][column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        linked = column == 2 and op.open_assigned > 0
        if role == LinkRole and linked:
            title = self.tr("Assigned to %1").replace("%1", op.name)
            return (ListFilter(View.MINE, operator_id=op.operator_id), title)
        if role == Qt.ItemDataRole.ForegroundRole and linked:
            return theme.colour("accent")
        if role == Qt.ItemDataRole.FontRole and linked:
            font = QFont()
            font.setUnderline(True)
            return font
        return None


class FigureTable(QTableView):
    """A read-only table of figures whose linked cells open lists (click, Enter or Space).

    Signals:
        link_activated(object): the :data:`Link` of the cell chosen.
    """

    link_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setMouseTracking(True)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(72)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.clicked.connect(self._activate)

    def _activate(self, index: QModelIndex) -> None:
        link = index.data(LinkRole)
        if link is not None:
            self.link_activated.emit(link)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Space on a linked cell opens its list."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            index = self.currentIndex()
            if index.isValid() and index.data(LinkRole) is not None:
                self._activate(index)
                return
        super().keyPressEvent(event)

    def fit_rows(self, rows: int) -> None:
        """Fixed height for ``rows`` rows (the page scrolls, not the table)."""
        header = self.horizontalHeader().sizeHint().height() or ROW_HEIGHT
        self.setFixedHeight(header + rows * ROW_HEIGHT + 2 * self.frameWidth() + 2)


# -- cards -------------------------------------------------------------------------------------


class FigureCard(QPushButton):
    """A big number with its caption; a link when it has a list behind it (click, Enter).

    Signals:
        link_activated(object): its :data:`Link`.
    """

    link_activated = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setProperty("figure", name)
        self.setFixedSize(176, 92)
        self.value_label = plain_label(parent=self, name="figureValue")
        self.caption_label = plain_label(parent=self, name="figureCaption")
        self.note_label = plain_label(parent=self, name="figureNote")
        for label in (self.value_label, self.caption_label, self.note_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(2)
        box.addWidget(self.caption_label)
        box.addWidget(self.value_label)
        box.addWidget(self.note_label)
        box.addStretch(1)
        self._link: Link | None = None
        self.clicked.connect(self._activate)

    def set_figure(self, value: str, note: str = "", link: Link | None = None) -> None:
        """Show a figure; with ``link`` the card opens that list."""
        self.value_label.setText(value)
        self.note_label.setText(note)
        self._link = link
        self.setEnabled(True)
        self.setProperty("linked", link is not None)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if link is not None else Qt.CursorShape.ArrowCursor
        )
        self.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if link is not None else Qt.FocusPolicy.NoFocus
        )
        self.style().unpolish(self)
        self.style().polish(self)

    @property
    def link(self) -> Link | None:
        """The list the card opens, if any."""
        return self._link

    def _activate(self) -> None:
        if self._link is not None:
            self.link_activated.emit(self._link)


# -- charts ------------------------------------------------------------------------------------


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setVisible(False)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.setBackgroundRoundness(6)
    font = QFont()
    title_font = QFont(font)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setFixedHeight(CHART_HEIGHT)
    view.setMinimumWidth(380)
    return chart, view


def fill_bar_chart(
    chart: QChart,
    categories: list[str],
    sets: list[tuple[str, list[float], str]],
    axis_title: str,
) -> None:
    """Replace a chart's bars.

    Args:
        chart: The chart.
        categories: The x labels.
        sets: ``(name, values, colour token)`` per bar set.
        axis_title: The y axis's title.
    """
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    series = QBarSeries()
    top = 0.0
    for name, values, colour in sets:
        bars = QBarSet(name)
        bars.append(values)
        bars.setColor(theme.colour(colour))
        bars.setBorderColor(QColor(theme.colour(colour)))
        series.append(bars)
        top = max([top, *values])
    series.setBarWidth(0.8)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append(categories)
    x.setLabelsFont(_small_font())
    x.setTruncateLabels(False)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    y = QValueAxis()
    y.setRange(0, _nice_top(top))
    y.setLabelFormat("%d")
    y.setTickCount(5)
    y.setTitleText(axis_title)
    y.setTitleFont(_small_font())
    y.setLabelsFont(_small_font())
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setFont(_small_font())


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
    return font


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (multiples of 4 keep 5 ticks whole)."""
    if value <= 4:
        return 4
    step = 4
    while step * 10 < value:
        step *= 10
    return float(((int(value) + step - 1) // step) * step) if value % step else float(value)


# -- the window --------------------------------------------------------------------------------


class DashboardWindow(QWidget):
    """The managers' dashboard (a window of its own; read-only for everyone).

    Args:
        ctx: The application context (store, read worker, change broadcast).
        departments: The clinic's departments, for names.
        parent: The main window (the dashboard stays a separate window).

    Signals:
        open_list(object, str): show these conversations in the main window: a
            :class:`ListFilter` and the list's title.
        updated(): new figures are shown.
    """

    open_list = Signal(object, str)
    updated = Signal()

    def __init__(
        self, ctx: AppContext, departments: list[Department], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("dashboard")
        self.ctx = ctx
        self._departments = {
            d.code: texts.department_name(d.name_ko, d.name_en) for d in departments
        }
        self._seq = 0
        self._data: Dashboard | None = None
        self.resize(*WINDOW_SIZE)

        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("periodCombo")
        self.period_combo.activated.connect(lambda _i: self._show(self._data))
        self.updated_label = plain_label(parent=self, name="dashboardUpdated")
        self.title_label = plain_label(parent=self, name="dashboardTitle")

        self.cards: dict[str, FigureCard] = {}
        self.department_model = GroupTableModel("department", self._department_name, self)
        self.channel_model = GroupTableModel("channel", texts.channel_name, self)
        self.operator_model = OperatorTableModel(self)
        self.department_table = self._table(self.department_model, "departmentTable")
        self.channel_table = self._table(self.channel_model, "channelTable")
        self.operator_table = self._table(self.operator_model, "operatorTable")
        self.day_chart, self.day_view = _chart("")
        self.hour_chart, self.hour_view = _chart("")
        self.response_chart, self.response_view = _chart("")
        self.section_labels: list[QLabel] = []
        self._build()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.refresh)
        ctx.changed.connect(self._on_changed)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)
        self.retranslate_ui()

    # -- building --------------------------------------------------------------------------

    def _table(self, model: QAbstractTableModel, name: str) -> FigureTable:
        table = FigureTable(self)
        table.setObjectName(name)
        table.setModel(model)
        table.link_activated.connect(self._follow)
        return table

    def _section(self, box: QVBoxLayout) -> QLabel:
        label = plain_label(parent=self, name="dashboardSection")
        self.section_labels.append(label)
        box.addWidget(label)
        return label

    def _build(self) -> None:
        page = QWidget(self)
        page.setObjectName("dashboardPage")
        self.page = page
        box = QVBoxLayout(page)
        box.setContentsMargins(24, 18, 24, 24)
        box.setSpacing(10)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.updated_label)
        head.addSpacing(12)
        head.addWidget(self.period_combo)
        box.addLayout(head)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        names = [
            "open",
            "unassigned",
            "untriaged",
            "waiting",
            "breached",
            "oldest",
            "first_response",
            "resolution",
            "breaches_today",
            "replies",
        ]
        for i, name in enumerate(names):
            card = FigureCard(name, page)
            card.link_activated.connect(self._follow)
            self.cards[name] = card
            grid.addWidget(card, i // 5, i % 5)
        grid.setColumnStretch(5, 1)
        box.addLayout(grid)

        self._section(box)
        box.addWidget(self.department_table)
        self._section(box)
        box.addWidget(self.channel_table)

        charts = QGridLayout()
        charts.setHorizontalSpacing(12)
        charts.setVerticalSpacing(12)
        self._section(box)
        charts.addWidget(self.day_view, 0, 0, 1, 2)
        charts.addWidget(self.hour_view, 1, 0)
        charts.addWidget(self.response_view, 1, 1)
        box.addLayout(charts)
        self._section(box)
        box.addWidget(self.operator_table)
        box.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        self.setWindowTitle(self.tr("Dashboard — Sotong"))
        self.title_label.setText(self.tr("Clinic dashboard"))
        current = self.period_combo.currentData() or WEEK
        self.period_combo.clear()
        self.period_combo.addItem(self.tr("Today"), TODAY)
        self.period_combo.addItem(self.tr("Last 7 days"), WEEK)
        self.period_combo.addItem(self.tr("Last 30 days"), MONTH)
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(current)))
        self.period_combo.setToolTip(self.tr("Period of the times in the tables and the chart"))
        captions = {
            "open": self.tr("Open"),
            "unassigned": self.tr("Unassigned"),
            "untriaged": self.tr("Untriaged"),
            "waiting": self.tr("Waiting for a reply"),
            "breached": self.tr("Past the target now"),
            "oldest": self.tr("Longest wait"),
            "first_response": self.tr("1st reply, median today"),
            "resolution": self.tr("Resolved, median today"),
            "breaches_today": self.tr("SLA breaches today"),
            "replies": self.tr("Replies sent today"),
        }
        for name, card in self.cards.items():
            card.caption_label.setText(captions[name])
        sections = [
            self.tr("By department"),
            self.tr("By channel"),
            self.tr("Trends"),
            self.tr("Staff"),
        ]
        for label, text in zip(self.section_labels, sections, strict=True):
            label.setText(text)
        self.day_chart.setTitle(self.tr("Customer messages per day (30 days)"))
        self.hour_chart.setTitle(self.tr("Customer messages by hour of day (7 days)"))
        self.response_chart.setTitle(self.tr("First-reply time by department"))
        self.department_model.columns = self.department_model._columns()
        self.channel_model.columns = self.channel_model._columns()
        self._show(self._data)

    def changeEvent(self, event: QEvent) -> None:
        """Follow a change of UI language."""
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "cards"):
            self.retranslate_ui()
        super().changeEvent(event)

    def _department_name(self, code: str | None) -> str:
        if code is None:
            return texts.untriaged_chip()
        return self._departments.get(code, code)

    # -- data ------------------------------------------------------------------------------

    def showEvent(self, event: object) -> None:
        """Shown: compute the figures now and every minute."""
        super().showEvent(event)  # type: ignore[arg-type]
        self._tick.start()
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed: stop computing."""
        self._tick.stop()
        self._refresh_timer.stop()
        super().closeEvent(event)

    def _on_changed(self, changes: Changes) -> None:
        if self.isVisible() and (
            changes.conversations or changes.new_conversations or changes.threads or changes.outbox
        ):
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Compute the figures on the read worker; only the newest result is shown."""
        self._refresh_timer.stop()
        self._seq += 1
        seq, store = self._seq, self.ctx.store

        def done(result: Dashboard) -> None:
            if seq == self._seq:
                self._data = result
                self._show(result)
                self.updated.emit()

        self.ctx.tasks.read(lambda: dashboard(store, now_ms()), done)

    @property
    def figures(self) -> Dashboard | None:
        """The figures shown."""
        return self._data

    def period(self) -> str:
        """The period the tables and the department chart show."""
        return str(self.period_combo.currentData() or WEEK)

    def _show(self, data: Dashboard | None) -> None:
        if data is None:
            return
        period = self.period()
        self.updated_label.setText(
            self.tr("Updated %1").replace("%1", texts.clock_text(data.now_ms))
        )
        self._show_cards(data)
        self.department_model.set_data(data.departments, period, data.now_ms)
        self.channel_model.set_data(data.channels, period, data.now_ms)
        self.operator_model.set_data(data.operators)
        self._size_tables(data)
        self._show_charts(data, period)

    def _show_cards(self, data: Dashboard) -> None:
        q = data.clinic.queue
        clinic = GroupKey("clinic")

        def link(figure: str, n: int, title: str) -> Link | None:
            return (clinic.link(figure), title) if n > 0 else None

        c = self.cards
        for name, n in [
            ("open", q.open),
            ("unassigned", q.unassigned),
            ("untriaged", q.untriaged),
            ("waiting", q.waiting),
            ("breached", q.breached),
        ]:
            c[name].set_figure(f"{n:,}", link=link(name, n, c[name].caption_label.text()))
        since = q.oldest_waiting_since
        c["oldest"].set_figure(
            "–" if since is None else texts.waiting_text(since, data.now_ms),
            link=link("oldest", q.waiting, c["oldest"].caption_label.text()),
        )
        today = data.clinic.today
        c["first_response"].set_figure(
            response_text(today.first_response.median_ms),
            self.tr("90%: %1").replace("%1", response_text(today.first_response.p90_ms)),
        )
        c["resolution"].set_figure(
            response_text(today.resolution.median_ms),
            self.tr("90%: %1").replace("%1", response_text(today.resolution.p90_ms)),
        )
        breaches = data.clinic.breaches_today
        c["breaches_today"].set_figure(
            f"{breaches:,}",
            self.tr("%1 late replies").replace("%1", f"{today.late:,}"),
            link=link("breaches_today", breaches, c["breaches_today"].caption_label.text()),
        )
        c["replies"].set_figure(f"{sum(op.replies for op in data.operators):,}")

    def _size_tables(self, data: Dashboard) -> None:
        for table, rows in (
            (self.department_table, len(data.departments)),
            (self.channel_table, len(data.channels)),
            (self.operator_table, len(data.operators)),
        ):
            table.fit_rows(rows)
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(0, NAME_WIDTH)

    def _show_charts(self, data: Dashboard, period: str) -> None:
        trends = data.trends
        labels: list[str] = []
        for i, d in enumerate(trends.days):  # month/day every fifth day; labels must differ
            short = f"{d.day}"
            month = i % 5 == 0 or i == len(trends.days) - 1 or short in labels
            labels.append(f"{d.month}/{d.day}" if month else short)
        fill_bar_chart(
            self.day_chart,
            labels,
            [(self.tr("Messages"), [float(n) for n in trends.inbound_by_day], "accent")],
            self.tr("messages"),
        )
        fill_bar_chart(
            self.hour_chart,
            [str(h) for h in range(24)],
            [(self.tr("Messages"), [float(n) for n in trends.inbound_by_hour], "unread")],
            self.tr("messages"),
        )
        groups = [g for g in data.departments if _period(g, period).first_response.count]
        if not groups:
            groups = [g for g in data.departments if g.key is not None]
        names = [self._department_name(g.key) for g in groups]

        def minutes(ms: int | None) -> float:
            return round((ms or 0) / 60_000, 1)

        fill_bar_chart(
            self.response_chart,
            names,
            [
                (
                    self.tr("Median"),
                    [minutes(_period(g, period).first_response.median_ms) for g in groups],
                    "accent",
                ),
                (
                    self.tr("90%"),
                    [minutes(_period(g, period).first_response.p90_ms) for g in groups],
                    "warning",
                ),
            ],
            self.tr("reply time (min)"),
        )

    # -- links -----------------------------------------------------------------------------

    def _follow(self, link: Link) -> None:
        flt, title = link
        self.open_list.emit(flt, title)
