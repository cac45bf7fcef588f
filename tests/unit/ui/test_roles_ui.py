"""The UI disables what the acting role may not do, and says so if a call is refused anyway."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from console import services
from console.store.queries import conversation_row
from tests.unit.ui.conftest import Clinic
from ui import texts
from ui.mainwindow import MainWindow


def _menu() -> QMenu:
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu), "a picker menu is open"
    return popup


def test_a_front_desk_cannot_take_a_colleagues_conversation(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    services.assign(clinic.store, services.Actor(None), clinic.first, clinic.colleague_id)
    window.thread_pane.open(clinic.first)
    combo = window.thread_pane.assignee_combo
    assert combo.currentText() == "박서연"
    assert not combo.isEnabled()
    assert combo.toolTip() == texts.error_code_text("not_permitted")

    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_A)
    menu = _menu()
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    # Only the colleague who has it stays choosable (choosing them changes nothing).
    assert enabled == {"&1  김지현 (me)": False, "&2  박서연": True, "&0  Unassign": False}
    menu.close()

    window.ctx.assign(clinic.first, clinic.operator_id)  # refused by the service anyway
    assert window.thread_pane.message_bar.text() == texts.error_code_text("not_permitted")
    assert conversation_row(clinic.store, clinic.first).assignee_id == clinic.colleague_id  # type: ignore[union-attr]


def test_a_front_desk_may_let_go_of_their_own_but_not_hand_it_on(
    window: MainWindow, clinic: Clinic
) -> None:
    services.assign(clinic.store, services.Actor(None), clinic.first, clinic.operator_id)
    window.thread_pane.open(clinic.first)
    combo = window.thread_pane.assignee_combo
    assert combo.isEnabled()
    model = combo.model()
    enabled = {
        combo.itemText(i): bool(model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled)
        for i in range(combo.count())
    }
    assert enabled == {"Unassigned": True, "김지현": True, "박서연": False}


def test_a_coordinator_may_take_and_hand_on(
    qtbot: QtBot, clinic: Clinic, window: MainWindow
) -> None:
    services.assign(clinic.store, services.Actor(None), clinic.first, clinic.operator_id)
    window.set_operator(clinic.colleague_id)  # 박서연, a coordinator
    window.thread_pane.open(clinic.first)
    combo = window.thread_pane.assignee_combo
    assert combo.isEnabled()
    combo.setCurrentIndex(combo.findData(clinic.colleague_id))
    combo.activated.emit(combo.currentIndex())
    assert conversation_row(clinic.store, clinic.first).assignee_id == clinic.colleague_id  # type: ignore[union-attr]
