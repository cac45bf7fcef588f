"""Settings → SLA: response targets per department and channel, the clinic's opening hours,
and its own closed days (or public holidays it works).

Everything is stored in the clinic's database through :mod:`console.services` (managers and
administrators only: the service refuses anyone else, and the error is shown). Each change
recounts the breaches in the navigation at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from console import services, sla
from console.services._sla import MAX_TARGET_MIN
from console.store.queries import channel_kinds
from console.worktime import DEFAULT_WEEK, DayHours
from ui import texts
from ui.context import AppContext

ModelIndex = QModelIndex | QPersistentModelIndex


def _time(minutes: int) -> QTime:
    return QTime(min(23, minutes // 60), minutes % 60 if minutes < 1440 else 59)


def _minutes(t: QTime) -> int:
    return t.hour() * 60 + t.minute()


class TargetsModel(QAbstractTableModel):
    """The stored targets: department, channel, first and next response (minutes)."""

    def __init__(self, names: dict[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names = names
        self.rows: list[sla.TargetRow] = []

    def set_rows(self, rows: list[sla.TargetRow]) -> None:
        """Show these targets."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Department"),
            self.tr("Channel"),
            self.tr("First response"),
            self.tr("Next response"),
        )[section]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        column = index.column()
        if column == 0:
            return self._names.get(row.department, row.department) or self.tr("All departments")
        if column == 1:
            return texts.channel_name(row.channel) if row.channel else self.tr("All channels")
        minutes = row.first_response_min if column == 2 else row.next_response_min
        return self.tr("{n} min").replace("{n}", f"{minutes:,}")


class DaysModel(QAbstractListModel):
    """The clinic's own dates: closed days and worked public holidays."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[dt.date, bool, str]] = []  # (day, closed, note)

    def set_days(self, days: list[tuple[dt.date, bool, str]]) -> None:
        """Show these dates, in order."""
        self.beginResetModel()
        self.days = sorted(days)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.days)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        day, closed, note = self.days[index.row()]
        what = self.tr("Closed") if closed else self.tr("Open (public holiday)")
        return f"{day.isoformat()}  {what}" + (f" — {note}" if note else "")


@dataclass
class DayRow:
    """The editors of one weekday's hours."""

    open_check: QCheckBox
    open_time: QTimeEdit
    close_time: QTimeEdit
    lunch_check: QCheckBox
    lunch_start: QTimeEdit
    lunch_end: QTimeEdit

    def set(self, hours: DayHours | None, default: DayHours) -> None:
        shown = hours or default
        self.open_check.setChecked(hours is not None)
        self.open_time.setTime(_time(shown.open_min))
        self.close_time.setTime(_time(shown.close_min))
        has_lunch = shown.lunch_start_min is not None
        self.lunch_check.setChecked(hours is not None and has_lunch)
        self.lunch_start.setTime(_time(shown.lunch_start_min or 12 * 60 + 30))
        self.lunch_end.setTime(_time(shown.lunch_end_min or 13 * 60 + 30))

    def hours(self) -> DayHours | None:
        """The hours as edited (None: closed). Raises ValueError if they make no sense."""
        if not self.open_check.isChecked():
            return None
        lunch = (
            (_minutes(self.lunch_start.time()), _minutes(self.lunch_end.time()))
            if self.lunch_check.isChecked()
            else (None, None)
        )
        return DayHours(_minutes(self.open_time.time()), _minutes(self.close_time.time()), *lunch)


class SlaPanel(QScrollArea):
    """Settings → SLA.

    Args:
        ctx: The application context (store, acting member of staff, write lane).
        parent: Qt parent.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("slaPanel")
        self.ctx = ctx
        self.setWidgetResizable(True)
        body = QWidget(self)
        self.setWidget(body)
        box = QVBoxLayout(body)
        departments = ctx.store.departments()
        self._names = {d.code: texts.department_name(d.name_ko, d.name_en) for d in departments}
        box.addWidget(self._targets_group(body))
        box.addWidget(self._hours_group(body))
        box.addWidget(self._days_group(body))
        box.addStretch(1)
        self.reload()

    # -- building --------------------------------------------------------------------------

    def _targets_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Response targets (business minutes)"), parent)
        self.targets_model = TargetsModel(self._names, self)
        self.targets_view = QTableView(group)
        self.targets_view.setObjectName("slaTargets")
        self.targets_view.setModel(self.targets_model)
        self.targets_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.targets_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.targets_view.verticalHeader().hide()
        self.targets_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.targets_view.setMinimumHeight(140)
        self.targets_view.clicked.connect(self._target_chosen)
        self.target_department = QComboBox(group)
        self.target_department.addItem(self.tr("All departments"), "")
        for code, name in self._names.items():
            self.target_department.addItem(name, code)
        self.target_channel = QComboBox(group)
        self.target_channel.addItem(self.tr("All channels"), "")
        for kind in channel_kinds(self.ctx.store):
            self.target_channel.addItem(texts.channel_name(kind), kind)
        self.first_spin = QSpinBox(group)
        self.next_spin = QSpinBox(group)
        for spin, value in ((self.first_spin, 60), (self.next_spin, 120)):
            spin.setRange(1, MAX_TARGET_MIN)
            spin.setSuffix(self.tr(" min"))
            spin.setValue(value)
        self.save_target_button = QPushButton(self.tr("Save target"), group)
        self.save_target_button.clicked.connect(self._save_target)
        self.remove_target_button = QPushButton(self.tr("Remove target"), group)
        self.remove_target_button.clicked.connect(self._remove_target)
        form = QFormLayout()
        form.addRow(self.tr("Department"), self.target_department)
        form.addRow(self.tr("Channel"), self.target_channel)
        form.addRow(self.tr("First response within"), self.first_spin)
        form.addRow(self.tr("Next response within"), self.next_spin)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_target_button)
        buttons.addWidget(self.save_target_button)
        note = QLabel(
            self.tr(
                "A channel's own target comes before a department's; the row for all "
                "departments and all channels is the clinic default."
            ),
            group,
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(group)
        layout.addWidget(self.targets_view)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return group

    def _hours_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Business hours"), parent)
        grid = QGridLayout(group)
        names = (
            self.tr("Monday"),
            self.tr("Tuesday"),
            self.tr("Wednesday"),
            self.tr("Thursday"),
            self.tr("Friday"),
            self.tr("Saturday"),
            self.tr("Sunday"),
        )
        for column, heading in enumerate(
            ("", self.tr("Open"), self.tr("From"), self.tr("To"), self.tr("Lunch break"))
        ):
            grid.addWidget(QLabel(heading, group), 0, column)
        self.days: list[DayRow] = []
        for i, name in enumerate(names):
            row = DayRow(
                QCheckBox(group),
                QTimeEdit(group),
                QTimeEdit(group),
                QCheckBox(group),
                QTimeEdit(group),
                QTimeEdit(group),
            )
            for edit in (row.open_time, row.close_time, row.lunch_start, row.lunch_end):
                edit.setDisplayFormat("HH:mm")
            row.open_check.setAccessibleName(name)
            grid.addWidget(QLabel(name, group), i + 1, 0)
            grid.addWidget(row.open_check, i + 1, 1)
            grid.addWidget(row.open_time, i + 1, 2)
            grid.addWidget(row.close_time, i + 1, 3)
            lunch = QHBoxLayout()
            lunch.addWidget(row.lunch_check)
            lunch.addWidget(row.lunch_start)
            lunch.addWidget(QLabel("–", group))
            lunch.addWidget(row.lunch_end)
            grid.addLayout(lunch, i + 1, 4)
            self.days.append(row)
        self.holidays_check = QCheckBox(self.tr("Closed on Korean public holidays"), group)
        self.save_hours_button = QPushButton(self.tr("Save hours"), group)
        self.save_hours_button.clicked.connect(self._save_hours)
        grid.addWidget(self.holidays_check, len(names) + 1, 0, 1, 4)
        grid.addWidget(self.save_hours_button, len(names) + 1, 4)
        return group

    def _days_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("The clinic's own days"), parent)
        self.days_model = DaysModel(self)
        self.days_view = QListView(group)
        self.days_view.setObjectName("slaDays")
        self.days_view.setModel(self.days_model)
        self.days_view.setUniformItemSizes(True)
        self.days_view.setMinimumHeight(90)
        self.day_edit = QDateEdit(group)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.setDate(QDate.currentDate())
        self.day_note = QLineEdit(group)
        self.day_note.setMaxLength(80)
        self.day_note.setPlaceholderText(self.tr("Note (e.g. summer break)"))
        self.add_closed_button = QPushButton(self.tr("Add closed day"), group)
        self.add_closed_button.clicked.connect(lambda: self._add_day(closed=True))
        self.add_open_button = QPushButton(self.tr("Open on this holiday"), group)
        self.add_open_button.clicked.connect(lambda: self._add_day(closed=False))
        self.remove_day_button = QPushButton(self.tr("Remove"), group)
        self.remove_day_button.clicked.connect(self._remove_day)
        row = QHBoxLayout()
        row.addWidget(self.day_edit)
        row.addWidget(self.day_note, 1)
        row.addWidget(self.add_closed_button)
        row.addWidget(self.add_open_button)
        layout = QVBoxLayout(group)
        layout.addWidget(self.days_view)
        layout.addLayout(row)
        remove = QHBoxLayout()
        remove.addStretch(1)
        remove.addWidget(self.remove_day_button)
        layout.addLayout(remove)
        return group

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the stored targets and calendar (on the read worker)."""
        store = self.ctx.store

        def work() -> tuple[sla.Targets, sla.CalendarSettings]:
            with store.read() as s:
                return sla.read_targets(s), sla.read_calendar_settings(s)

        self.ctx.tasks.read(work, self._show)

    def _show(self, result: tuple[sla.Targets, sla.CalendarSettings]) -> None:
        targets, calendar = result
        self.targets_model.set_rows(list(targets.rows))
        for row, hours, default in zip(self.days, calendar.week, DEFAULT_WEEK, strict=True):
            row.set(hours, default or DayHours(570, 1110))
        self.holidays_check.setChecked(calendar.public_holidays)
        days = [(d, True, n) for d, n in calendar.closed.items()]
        days += [(d, False, n) for d, n in calendar.open_on.items()]
        self.days_model.set_days(days)

    # -- writing ---------------------------------------------------------------------------

    def _done(self, _result: object) -> None:
        self.reload()

    def _target_chosen(self, index: QModelIndex) -> None:
        row = self.targets_model.rows[index.row()]
        self.target_department.setCurrentIndex(
            max(0, self.target_department.findData(row.department))
        )
        self.target_channel.setCurrentIndex(max(0, self.target_channel.findData(row.channel)))
        self.first_spin.setValue(row.first_response_min)
        self.next_spin.setValue(row.next_response_min)

    def _save_target(self) -> None:
        self.ctx.command(
            services.set_sla_target,
            self.target_department.currentData() or None,
            self.target_channel.currentData() or None,
            self.first_spin.value(),
            self.next_spin.value(),
            on_success=self._done,
        )

    def _remove_target(self) -> None:
        self.ctx.command(
            services.remove_sla_target,
            self.target_department.currentData() or None,
            self.target_channel.currentData() or None,
            on_success=self._done,
        )

    def _save_hours(self) -> None:
        try:
            week = tuple(row.hours() for row in self.days)
        except ValueError:
            self.ctx.error.emit(
                self.tr("Opening hours must end after they start, with lunch inside them.")
            )
            return
        self.ctx.command(
            services.set_business_hours,
            week,
            self.holidays_check.isChecked(),
            on_success=self._done,
        )

    def _add_day(self, closed: bool) -> None:
        qdate = self.day_edit.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        self.ctx.command(
            services.set_calendar_day, day, closed, self.day_note.text(), on_success=self._done
        )

    def _remove_day(self) -> None:
        index = self.days_view.currentIndex()
        if not index.isValid():
            return
        day = self.days_model.days[index.row()][0]
        self.ctx.command(services.remove_calendar_day, day, on_success=self._done)
