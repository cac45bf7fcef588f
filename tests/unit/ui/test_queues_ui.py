"""Queues in the UI: the Staff tab, on duty from the navigation header, hand-off with a
note, department lists in waiting order."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console import services
from console.domain import AssignMode, Role
from console.services import Actor
from console.store.queries import Order, View, assignment_modes, conversation_row, operators
from tests.unit.ui.conftest import Clinic
from ui import texts
from ui.context import AppContext
from ui.handoff import HandOffDialog
from ui.mainwindow import MainWindow
from ui.navigation import ViewRole
from ui.staff import StaffPanel
from ui.thread import NoteLabelRole

SYSTEM = Actor(None)


def _duty(clinic: Clinic, operator_id: str) -> bool:
    return next(o.on_duty for o in operators(clinic.store) if o.id == operator_id)


def test_the_duty_button_and_ctrl_shift_d_put_me_on_and_off_duty(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    button = window.duty_button
    assert button.isChecked() and button.text() == "On duty"
    button.click()
    assert not _duty(clinic, clinic.operator_id)
    assert not button.isChecked() and button.text() == "Off duty"
    window.list_view.setFocus()
    qtbot.keyClick(
        window.list_view,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert _duty(clinic, clinic.operator_id) and button.isChecked()


def test_coming_on_duty_hands_me_my_departments_waiting_conversations(
    window: MainWindow, clinic: Clinic
) -> None:
    # 김지현 answers for "general"; with her off duty, two general conversations wait.
    services.set_on_duty(clinic.store, Actor(clinic.operator_id), clinic.operator_id, False)
    window.ctx._operators = None
    services.set_assignment_mode(clinic.store, SYSTEM, "general", AssignMode.ROUND_ROBIN)
    for cid in (clinic.first, clinic.second):
        services.tag_department(clinic.store, SYSTEM, cid, "general")
    window.ctx.toggle_duty()
    for cid in (clinic.first, clinic.second):
        assert conversation_row(clinic.store, cid).assignee_id == clinic.operator_id  # type: ignore[union-attr]
    window.ctx.load_counts_now()
    assert window.nav_model.data(
        window.nav_model.index(window.nav_model.row_of(View.MINE.value)),
        Qt.ItemDataRole.AccessibleTextRole,
    ).endswith(" 2")


def test_department_lists_open_in_waiting_order(qtbot: QtBot, window: MainWindow) -> None:
    row = window.nav_model.row_of(View.DEPARTMENT.value, "dental")
    window.nav_view.setCurrentIndex(window.nav_model.index(row))
    assert window.list_model.list_filter.order is Order.WAITING
    assert window.order_combo.currentData() == Order.WAITING.value
    window.order_combo.setCurrentIndex(window.order_combo.findData(Order.RECENT.value))
    window.order_combo.activated.emit(window.order_combo.currentIndex())
    window.nav_view.setCurrentIndex(window.nav_model.index(window.nav_model.row_of("all_open")))
    assert window.list_model.list_filter.order is Order.RECENT
    other = window.nav_model.row_of(View.DEPARTMENT.value, "derm")
    window.nav_view.setCurrentIndex(window.nav_model.index(other))
    assert window.list_model.list_filter.order is Order.RECENT  # departments keep my choice
    assert window.nav_model.index(other).data(ViewRole) == View.DEPARTMENT.value


def test_hand_off_with_a_note_the_receiver_sees_in_the_thread(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    window.thread_pane.open(clinic.first)
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_H)
    dialog = window.thread_pane.findChild(HandOffDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.colleague_combo.currentText() == "박서연"
    dialog.submit()
    assert dialog.error_text() == texts.error_code_text("empty_note")
    dialog.note_edit.setPlainText("쌍꺼풀 재수술 문의, 원장님 일정 확인 부탁드려요")
    dialog.submit()
    assert conversation_row(clinic.store, clinic.first).assignee_id == clinic.colleague_id  # type: ignore[union-attr]
    model = window.thread_pane.model
    labels = [model.index(r).data(NoteLabelRole) for r in range(model.rowCount())]
    assert "Handed to 박서연 · private note" in labels
    assert window.thread_pane.assignee_combo.currentText() == "박서연"


def test_a_front_desk_cannot_hand_on_a_colleagues_conversation(
    window: MainWindow, clinic: Clinic
) -> None:
    services.assign(clinic.store, SYSTEM, clinic.first, clinic.colleague_id)
    window.thread_pane.open(clinic.first)
    dialog = window.thread_pane.open_hand_off()
    assert isinstance(dialog, HandOffDialog)
    assert dialog.error_text() == texts.error_code_text("not_permitted")
    dialog.close()


def test_the_staff_tab_follows_the_role(qtbot: QtBot, ctx: AppContext, clinic: Clinic) -> None:
    panel = StaffPanel(ctx)
    qtbot.addWidget(panel)
    # 김지현 is front desk: her own duty, nothing else.
    assert panel.current_operator().id == clinic.operator_id  # type: ignore[union-attr]
    assert panel.duty_box.isEnabled() and not panel.role_combo.isEnabled()
    assert not panel.add_button.isEnabled()
    assert not any(c.isEnabled() for c in panel.mode_combos.values())
    panel.select(clinic.colleague_id)
    assert not panel.duty_box.isEnabled()
    panel.select(clinic.operator_id)
    panel.duty_box.click()
    assert not _duty(clinic, clinic.operator_id)
    assert panel.model.index(panel.model.row_of(clinic.operator_id), 3).data() == "Off duty"


def test_an_administrator_adds_staff_and_sets_roles_departments_and_queues(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic
) -> None:
    services.set_role(clinic.store, SYSTEM, clinic.operator_id, Role.ADMIN)
    ctx._operators = None
    panel = StaffPanel(ctx)
    qtbot.addWidget(panel)
    assert panel.add_button.isEnabled()
    panel.name_edit.setText("최유리")
    panel.new_role_combo.setCurrentIndex(panel.new_role_combo.findData(Role.COORDINATOR.value))
    panel.add_button.click()
    new = next(o for o in operators(clinic.store) if o.name == "최유리")
    assert new.role == Role.COORDINATOR.value
    assert panel.current_operator().id == new.id  # type: ignore[union-attr]
    panel.department_boxes["derm"].click()
    panel.role_combo.setCurrentIndex(panel.role_combo.findData(Role.MANAGER.value))
    panel.role_combo.activated.emit(panel.role_combo.currentIndex())
    new = next(o for o in operators(clinic.store) if o.id == new.id)
    assert (new.role, new.departments) == (Role.MANAGER.value, ("derm",))
    combo = panel.mode_combos["derm"]
    combo.setCurrentIndex(combo.findData(AssignMode.LEAST_LOADED.value))
    combo.activated.emit(combo.currentIndex())
    assert assignment_modes(clinic.store) == {"derm": "least_loaded"}
    # The last administrator cannot stop being one; the tab says why.
    panel.select(clinic.operator_id)
    panel.role_combo.setCurrentIndex(panel.role_combo.findData(Role.FRONT_DESK.value))
    panel.role_combo.activated.emit(panel.role_combo.currentIndex())
    assert panel.result_label.text() == texts.error_code_text("last_admin")
    assert panel.role_combo.currentData() == Role.ADMIN.value
    QApplication.processEvents()
