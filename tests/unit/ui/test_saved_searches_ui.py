"""Saved searches in the navigation pane: save the search in the box, open it, see its count
follow new conversations, rename, move and delete from the keyboard."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from console import services
from console.domain import Role
from console.services import Actor
from console.store.queries import saved_searches
from tests.helpers.factory import add_conversation, add_operator
from tests.unit.ui.conftest import Clinic, show_window
from ui.context import AppContext
from ui.conversations import IdRole
from ui.mainwindow import MainWindow
from ui.navigation import SAVED, CountRole, NavigationModel, SharedRole
from ui.savedsearches import SaveSearchDialog
from ui.tasks import Tasks


def _saved_entries(window: MainWindow) -> list[tuple[str, int]]:
    model = window.nav_model
    return [
        (model.index(r).data(), model.index(r).data(CountRole))
        for r in range(model.rowCount())
        if model.entry(r).view == SAVED
    ]


def _list(window: MainWindow) -> list[str]:
    model = window.list_model
    return [model.index(r).data(IdRole) for r in range(model.rowCount())]


def _save(qtbot: QtBot, window: MainWindow, query: str, name: str) -> None:
    window.saved.ask_new = lambda q, may: (name, False) if q == query else None
    window.search_box.setText(query)
    window.save_search()
    qtbot.waitUntil(lambda: any(n == name for n, _ in _saved_entries(window)), timeout=2000)


def test_save_open_and_count_a_search(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    _save(qtbot, window, "예약", "예약 문의")
    assert _saved_entries(window) == [("예약 문의", 1)]
    # The saved search is selected and titled; the list shows what it finds.
    assert window.nav_view.currentIndex().data() == "예약 문의"
    assert window.list_title.text() == "예약 문의"
    assert _list(window) == [clinic.second]
    # Elsewhere and back: the text leaves with it and returns with it.
    window.nav_view.setCurrentIndex(window.nav_model.index(window.nav_model.row_of("all_open")))
    assert window.search_box.text() == "" and len(_list(window)) == 3
    row = window.nav_model.row_of(SAVED, saved_searches(clinic.store, clinic.operator_id)[0].id)
    window.nav_view.setCurrentIndex(window.nav_model.index(row))
    assert window.search_box.text() == "예약" and _list(window) == [clinic.second]

    # A matching conversation arrives: the count follows (read on the read lane, debounced).
    new = add_conversation(clinic.store, clinic.kakao, [("in", "내일 예약 가능한가요?")])
    window.ctx.changed.emit(
        services.Changes(conversations=frozenset({new}), new_conversations=True)
    )
    qtbot.waitUntil(lambda: _saved_entries(window) == [("예약 문의", 2)], timeout=2000)
    qtbot.waitUntil(lambda: new in _list(window), timeout=2000)


def test_rename_move_and_delete_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _save(qtbot, window, "예약", "가")
    _save(qtbot, window, "쌍꺼풀", "나")
    assert [n for n, _ in _saved_entries(window)] == ["가", "나"]
    nav = window.nav_view
    nav.setFocus()
    assert nav.currentIndex().data() == "나"
    qtbot.keyClick(nav, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: [n for n, _ in _saved_entries(window)] == ["나", "가"], timeout=2000)
    assert nav.currentIndex().data() == "나"  # the moved one stays selected
    window.saved.ask_text = lambda title, label, current: f"{current} 상담"
    qtbot.keyClick(nav, Qt.Key.Key_F2)
    qtbot.waitUntil(
        lambda: [n for n, _ in _saved_entries(window)] == ["나 상담", "가"], timeout=2000
    )
    asked: list[str] = []
    window.saved.confirm = lambda title, text: asked.append(text) is None and False
    qtbot.keyClick(nav, Qt.Key.Key_Delete)
    assert asked and "나 상담" in asked[0]
    assert len(saved_searches(clinic.store, clinic.operator_id)) == 2  # not confirmed
    window.saved.confirm = lambda title, text: True
    nav.setCurrentIndex(
        window.nav_model.index(window.nav_model.row_of(SAVED, _id(clinic, "나 상담")))
    )
    qtbot.keyClick(nav, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: [n for n, _ in _saved_entries(window)] == ["가"], timeout=2000)
    # The deleted search's list stays as a plain search on its view.
    assert window.saved_id is None
    assert window.nav_view.currentIndex().data() == "All open"
    assert window.search_box.text() == "쌍꺼풀" and _list(window) == [clinic.first]


def _id(clinic: Clinic, name: str) -> str:
    return next(r.id for r in saved_searches(clinic.store, clinic.operator_id) if r.name == name)


def test_the_context_menu_offers_the_same_actions(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _save(qtbot, window, "예약", "가")
    nav = window.nav_view
    rect = nav.visualRect(window.nav_model.index(window.nav_model.row_of(SAVED, _id(clinic, "가"))))
    menu = window.saved.show_menu(rect.center())
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Rename…", "Move up", "Move down", "Delete…"]
    assert menu.actions()[0].shortcut().toString() == "F2"
    menu.close()
    assert window.saved.show_menu(nav.visualRect(window.nav_model.index(0)).center()) is None


def test_front_desk_cannot_share_a_manager_can(qtbot: QtBot, clinic: Clinic) -> None:
    boss = add_operator(clinic.store, "최실장", Role.MANAGER)
    ctx = AppContext(clinic.store, boss, Tasks.inline())
    try:
        window = show_window(qtbot, ctx)
        assert window.saved.may_share()
        window.saved.ask_new = lambda q, may: ("모두의 예약", may)
        window.search_box.setText("예약")
        window.save_search()
        qtbot.waitUntil(lambda: bool(_saved_entries(window)), timeout=2000)
        index = window.nav_view.currentIndex()
        assert index.data(SharedRole) is True
        # The front desk sees the shared one, and may not share their own.
        desk = AppContext(clinic.store, clinic.operator_id, Tasks.inline())
        other = show_window(qtbot, desk)
        desk.load_counts_now()
        assert [n for n, _ in _saved_entries(other)] == ["모두의 예약"]
        assert not other.saved.may_share()
        errors: list[str] = []
        desk.error.connect(errors.append)
        other.saved.confirm = lambda title, text: True
        other.nav_view.setCurrentIndex(
            other.nav_model.index(other.nav_model.row_of(SAVED, _id(clinic, "모두의 예약")))
        )
        other.saved.delete()
        assert errors and "role does not allow" in errors[0]
        desk.stop()
    finally:
        ctx.stop()


def test_the_dialog_names_the_search_and_offers_sharing_only_when_allowed(qapp: object) -> None:
    dialog = SaveSearchDialog("  쌍수   dept:plastic ", may_share=False)
    assert dialog.name_edit.text() == "쌍수 dept:plastic"
    assert dialog.chosen() == ("쌍수 dept:plastic", False)
    dialog.shared_box.setChecked(True)  # hidden: never shared
    assert dialog.chosen()[1] is False
    dialog.name_edit.setText("  ")
    assert not dialog.ok_button.isEnabled()
    manager = SaveSearchDialog("예약", may_share=True)
    manager.shared_box.setChecked(True)
    manager.name_edit.setText("예약 전체")
    assert manager.chosen() == ("예약 전체", True)


def test_saved_entries_pass_the_model_tester(qtmodeltester: object, clinic: Clinic) -> None:
    services.save_search(clinic.store, Actor(clinic.operator_id), "가", "예약")
    model = NavigationModel(clinic.store.departments(), [])
    rows = saved_searches(clinic.store, clinic.operator_id)
    model.set_saved(rows, {rows[0].id: 4})
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(model.row_of(SAVED, rows[0].id)).data(CountRole) == 4
    model.set_saved(rows, {rows[0].id: 5})
    assert model.index(model.row_of(SAVED, rows[0].id)).data(CountRole) == 5
