"""Settings → Staff: the members of staff (role, departments, on duty) and each department's
auto-assignment.

Every change goes through a service at once (it does not wait for the dialog's OK) and the
controls follow the acting role: adding staff and changing roles or departments needs
``MANAGE_STAFF``, a colleague's duty ``SET_DUTY`` (your own is always yours), a department's
auto-assignment ``MANAGE_ROUTING``. A call refused anyway says so in words.
"""

from __future__ import annotations

import enum
import functools
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.domain import AssignMode, Role
from console.services import Changes, Permission
from console.store.queries import OperatorRow, assignment_modes
from ui import texts
from ui.context import AppContext
from ui.texts import translate
from ui.threadpane import plain_label

ModelIndex = QModelIndex | QPersistentModelIndex
#: The member of staff's id on every cell.
OperatorIdRole = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    """The columns of the staff table."""

    NAME = 0
    ROLE = 1
    DEPARTMENTS = 2
    DUTY = 3


def role_name(role: str) -> str:
    """A role in words."""
    names = {
        Role.FRONT_DESK.value: translate("Staff", "Front desk"),
        Role.COORDINATOR.value: translate("Staff", "Coordinator"),
        Role.MANAGER.value: translate("Staff", "Manager"),
        Role.ADMIN.value: translate("Staff", "Administrator"),
    }
    return names.get(role, role)


def mode_name(mode: str) -> str:
    """An auto-assignment mode in words."""
    names = {
        AssignMode.OFF.value: translate("Staff", "Nobody automatically"),
        AssignMode.ROUND_ROBIN.value: translate("Staff", "In turn (round robin)"),
        AssignMode.LEAST_LOADED.value: translate("Staff", "Fewest open conversations"),
    }
    return names.get(mode, mode)


class StaffTableModel(QAbstractTableModel):
    """The members of staff as a table: name, role, departments, on duty.

    Args:
        department_names: Department code → name shown.
        parent: Qt parent.
    """

    def __init__(self, department_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OperatorRow] = []
        self._names = department_names

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of staff."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of columns."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            Column.NAME: self.tr("Name"),
            Column.ROLE: self.tr("Role"),
            Column.DEPARTMENTS: self.tr("Departments"),
            Column.DUTY: self.tr("On duty"),
        }
        return titles.get(Column(section)) if 0 <= section < len(Column) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The text of one cell, or the member of staff's id."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == OperatorIdRole:
            return row.id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = Column(index.column())
        if column is Column.NAME:
            return row.name
        if column is Column.ROLE:
            return role_name(row.role)
        if column is Column.DEPARTMENTS:
            return ", ".join(self._names.get(code, code) for code in row.departments)
        return self.tr("On duty") if row.on_duty else self.tr("Off duty")

    def set_rows(self, rows: list[OperatorRow]) -> None:
        """Show these members of staff."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def operator_at(self, row: int) -> OperatorRow | None:
        """The member of staff on a row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, operator_id: str) -> int:
        """The row of a member of staff, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.id == operator_id), -1)


class StaffPanel(QWidget):
    """The Staff tab.

    Args:
        ctx: The application context.
        parent: Qt parent.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPanel")
        self.ctx = ctx
        departments = ctx.store.departments()
        names = {d.code: texts.department_name(d.name_ko, d.name_en) for d in departments}
        self._updating = False

        self.model = StaffTableModel(names, self)
        self.table = QTableView(self)
        self.table.setObjectName("staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.DEPARTMENTS, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

        # The selected member of staff.
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("staffRole")
        for role in Role:
            self.role_combo.addItem(role_name(role.value), role.value)
        self.role_combo.activated.connect(self._role_chosen)
        self.department_boxes: dict[str, QCheckBox] = {}
        dept_row = QHBoxLayout()
        for d in departments:
            box = QCheckBox(names[d.code], self)
            box.setObjectName(f"staffDept_{d.code}")
            box.clicked.connect(lambda _checked: self._departments_chosen())
            self.department_boxes[d.code] = box
            dept_row.addWidget(box)
        dept_row.addStretch(1)
        self.duty_box = QCheckBox(self.tr("On duty"), self)
        self.duty_box.setObjectName("staffDuty")
        self.duty_box.clicked.connect(self._duty_chosen)
        edit = QFormLayout()
        edit.addRow(self.tr("Role"), self.role_combo)
        edit.addRow(self.tr("Departments"), dept_row)
        edit.addRow("", self.duty_box)

        # Adding someone.
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("newStaffName")
        self.name_edit.setPlaceholderText(self.tr("Name of the new member of staff"))
        self.name_edit.returnPressed.connect(self.add_member)
        self.new_role_combo = QComboBox(self)
        self.new_role_combo.setObjectName("newStaffRole")
        for role in Role:
            self.new_role_combo.addItem(role_name(role.value), role.value)
        self.add_button = QPushButton(self.tr("Add"), self)
        self.add_button.setObjectName("addStaffButton")
        self.add_button.clicked.connect(self.add_member)
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.new_role_combo)
        add_row.addWidget(self.add_button)

        # Each department's auto-assignment.
        queues = QGroupBox(self.tr("Who gets a department's new conversations"), self)
        queue_form = QFormLayout(queues)
        self.mode_combos: dict[str, QComboBox] = {}
        for d in departments:
            combo = QComboBox(queues)
            combo.setObjectName(f"assignMode_{d.code}")
            for mode in AssignMode:
                combo.addItem(mode_name(mode.value), mode.value)
            combo.activated.connect(functools.partial(self._mode_chosen, d.code))
            self.mode_combos[d.code] = combo
            queue_form.addRow(names[d.code], combo)
        self.queue_hint = plain_label(
            self.tr(
                "Only staff on duty for the department are given conversations; when nobody "
                "is, they wait in its queue and are handed out when someone comes on duty."
            ),
            queues,
            "settingsHint",
        )
        self.queue_hint.setWordWrap(True)
        queue_form.addRow(self.queue_hint)

        self.result_label = plain_label(parent=self, name="checkResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addLayout(edit)
        box.addLayout(add_row)
        box.addWidget(queues)
        box.addWidget(self.result_label)

        self._select_next: str | None = None
        ctx.staff_changed.connect(self.reload)
        self.reload()

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the staff and the modes (small tables) and keep the selection."""
        current = self.current_operator()
        self.model.set_rows(self.ctx.operators())
        wanted = self._select_next or (current.id if current else self.ctx.operator_id)
        self._select_next = None
        self.select(wanted or "")
        modes = assignment_modes(self.ctx.store)
        for code, combo in self.mode_combos.items():
            combo.setCurrentIndex(combo.findData(modes.get(code, AssignMode.OFF.value)))
            combo.setEnabled(self.ctx.can(Permission.MANAGE_ROUTING))
        manage = self.ctx.can(Permission.MANAGE_STAFF)
        for widget in (self.name_edit, self.new_role_combo, self.add_button):
            widget.setEnabled(manage)
        self._show_selected()

    def current_operator(self) -> OperatorRow | None:
        """The selected member of staff, or None."""
        index = self.table.selectionModel().currentIndex()
        return self.model.operator_at(index.row()) if index.isValid() else None

    def select(self, operator_id: str) -> bool:
        """Select a member of staff's row; returns whether they are listed."""
        row = self.model.row_of(operator_id)
        if row < 0:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def _show_selected(self) -> None:
        op = self.current_operator()
        manage = self.ctx.can(Permission.MANAGE_STAFF)
        self._updating = True
        try:
            self.role_combo.setCurrentIndex(self.role_combo.findData(op.role) if op else -1)
            for code, box in self.department_boxes.items():
                box.setChecked(op is not None and code in op.departments)
                box.setEnabled(op is not None and manage)
            self.role_combo.setEnabled(op is not None and manage)
            self.duty_box.setChecked(op is not None and op.on_duty)
            own = op is not None and op.id == self.ctx.operator_id
            self.duty_box.setEnabled(op is not None and (own or self.ctx.can(Permission.SET_DUTY)))
        finally:
            self._updating = False

    # -- actions -----------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any) -> None:
        self.ctx.command(fn, *args, on_failure=self._failed, on_success=self._done)

    def _done(self, _result: object) -> None:
        self.result_label.hide()

    def _failed(self, exc: BaseException) -> None:
        self.reload()  # back to what is stored
        self.result_label.setText(texts.error_text(exc))
        self.result_label.show()

    def _role_chosen(self, index: int) -> None:
        op = self.current_operator()
        if op is not None and not self._updating:
            self._run(services.set_role, op.id, str(self.role_combo.itemData(index)))

    def _departments_chosen(self) -> None:
        op = self.current_operator()
        if op is None or self._updating:
            return
        chosen = tuple(code for code, box in self.department_boxes.items() if box.isChecked())
        departments = functools.partial(
            services.set_departments, hand_out=self.ctx.hands_out_here()
        )
        self._run(departments, op.id, chosen)

    def _duty_chosen(self, checked: bool) -> None:
        op = self.current_operator()
        if op is not None and not self._updating:
            duty = functools.partial(services.set_on_duty, hand_out=self.ctx.hands_out_here())
            self._run(duty, op.id, checked)

    def _mode_chosen(self, department: str, index: int) -> None:
        mode = str(self.mode_combos[department].itemData(index))
        set_mode = functools.partial(
            services.set_assignment_mode, hand_out=self.ctx.hands_out_here()
        )
        self._run(set_mode, department, mode)

    def add_member(self) -> None:
        """Add the member of staff named in the field, with the role chosen beside it."""
        name = self.name_edit.text()
        role = str(self.new_role_combo.currentData())

        def added(operator_id: str) -> None:
            self.name_edit.clear()
            self.result_label.hide()
            self._select_next = operator_id  # listed when the staff are re-read

        self.ctx.command(
            services.add_operator,
            name,
            role,
            changes_for=lambda _oid: Changes(staff=True),
            on_success=added,
            on_failure=self._failed,
        )
