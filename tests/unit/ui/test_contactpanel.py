"""The contact panel: one person across channels, merge and split from the keyboard."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from console import services
from console.settings import load_settings
from console.store.contact_queries import contact_of
from tests.helpers.factory import add_conversation
from tests.unit.ui.conftest import Clinic, show_window
from ui.app import save_contact_panel
from ui.contactpanel import ContactConversationsModel, ConversationIdRole, MatchModel
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.tasks import Tasks


def _minji_on_instagram(clinic: Clinic) -> str:
    """김민지 also wrote on Instagram (a separate contact until merged); newest conversation."""
    return add_conversation(
        clinic.store,
        clinic.insta,
        [("in", "제 번호 010-1234-5678 로 연락 주세요")],
        contact="minji.k",
        handle="ig-minji",
        minutes_ago=2,
    )


def _open(window: MainWindow, conversation_id: str) -> None:
    window.list_view.setCurrentIndex(
        window.list_model.index(window.list_model.row_of(conversation_id))
    )
    assert window.thread_pane.conversation_id == conversation_id


def _panel_ids(window: MainWindow) -> list[str]:
    model = window.contact_panel.model
    return [model.index(r).data(ConversationIdRole) for r in range(model.rowCount())]


def test_models_follow_the_rules(qtmodeltester: object, clinic: Clinic) -> None:
    from console.store.contact_queries import contact_conversations, find_contacts

    model = ContactConversationsModel(clinic.store.departments())
    contact = contact_of(clinic.store, clinic.second)
    assert contact
    model.set_rows(contact_conversations(clinic.store, contact))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    matches = MatchModel()
    matches.set_rows([(m, "") for m in find_contacts(clinic.store, "김")])
    qtmodeltester.check(matches)  # type: ignore[attr-defined]


def test_ctrl_i_shows_the_contact_of_the_open_conversation(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    panel = window.contact_panel
    assert not panel.isVisible()
    _open(window, clinic.first)
    shown: list[bool] = []
    window.contact_panel_toggled.connect(shown.append)
    qtbot.keyClick(window.list_view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert panel.isVisible() and shown == [True]
    assert panel.name_edit.text() == "김민지"
    assert [r.channel for r in panel.identity_rows] == ["kakaotalk"]
    assert not panel.identity_rows[0].split_button.isEnabled()  # the only channel
    assert _panel_ids(window) == [clinic.first]
    qtbot.keyClick(
        window.focusWidget() or window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
    )
    assert not panel.isVisible() and shown == [True, False]


def test_merge_from_the_panel_then_open_a_past_conversation_with_the_keyboard(
    qtbot: QtBot, qapp: object, clinic: Clinic
) -> None:
    insta = _minji_on_instagram(clinic)
    # The coordinator may merge; front desk may not.
    ctx = AppContext(clinic.store, clinic.colleague_id, Tasks.inline())
    window = show_window(qtbot, ctx)
    window.set_contact_panel_visible(True)
    _open(window, clinic.first)
    panel = window.contact_panel
    panel.open_merge()
    dialog = panel.merge_dialog
    assert dialog is not None and dialog.isVisible()
    # The Instagram contact is not a suggestion (different name, no shared number): search.
    qtbot.keyClicks(dialog.search_box, "ig-minji")
    dialog.search_now()
    assert dialog.model.rowCount() == 1
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)  # one match: straight to the question
    text = dialog.description.text()
    assert "“minji.k”" in text and "“김민지”" in text and "1 conversation" in text
    qtbot.keyClick(dialog.merge_button, Qt.Key.Key_Return)
    assert not dialog.isVisible()

    assert contact_of(clinic.store, insta) == contact_of(clinic.store, clinic.first)
    assert sorted(r.channel for r in panel.identity_rows) == ["instagram", "kakaotalk"]
    assert _panel_ids(window) == [insta, clinic.first]  # both channels, newest first
    assert all(r.split_button.isEnabled() for r in panel.identity_rows)

    # Keyboard: into the panel's conversations, to the Instagram one, Enter opens it.
    panel.conversations.setFocus()
    qtbot.keyClick(panel.conversations, Qt.Key.Key_Home)
    qtbot.keyClick(panel.conversations, Qt.Key.Key_Return)
    assert window.thread_pane.conversation_id == insta
    assert window.list_model.id_at(window.list_view.currentIndex().row()) == insta
    assert window.thread_pane.contact_label.text() == "김민지"  # the merged name everywhere


def test_split_from_the_panel_restores_the_other_contact(
    qtbot: QtBot, qapp: object, clinic: Clinic
) -> None:
    insta = _minji_on_instagram(clinic)
    first_contact = contact_of(clinic.store, clinic.first)
    insta_contact = contact_of(clinic.store, insta)
    assert first_contact and insta_contact
    services.merge_contacts(
        clinic.store, services.Actor(clinic.colleague_id), first_contact, insta_contact
    )
    ctx = AppContext(clinic.store, clinic.colleague_id, Tasks.inline())
    window = show_window(qtbot, ctx)
    window.set_contact_panel_visible(True)
    _open(window, clinic.first)
    panel = window.contact_panel
    row = next(r for r in panel.identity_rows if r.channel == "instagram")
    row.split_button.click()
    box = panel.split_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "ig-minji" in box.text() and "김민지" in box.text()
    box.defaultButton().click()
    assert contact_of(clinic.store, insta) == insta_contact
    assert [r.channel for r in panel.identity_rows] == ["kakaotalk"]
    assert _panel_ids(window) == [clinic.first]


def test_front_desk_cannot_merge_and_is_told_why(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    insta = _minji_on_instagram(clinic)
    window.set_contact_panel_visible(True)
    _open(window, clinic.first)
    panel = window.contact_panel
    panel.open_merge()
    dialog = panel.merge_dialog
    assert dialog is not None
    dialog.search_box.setText("ig-minji")
    dialog.search_now()
    dialog.choose(0)
    dialog.merge_button.click()
    assert contact_of(clinic.store, insta) != contact_of(clinic.store, clinic.first)
    assert "Your role does not allow this" in window.thread_pane.message_bar.text()


def test_the_merge_picker_suggests_the_same_phone_number(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _minji_on_instagram(clinic)
    sms = add_conversation(
        clinic.store, clinic.kakao, [("in", "예약 문의")], "고객", "010-1234-5678", minutes_ago=1
    )
    window.set_contact_panel_visible(True)
    window.open_conversation(sms)
    window.contact_panel.open_merge()
    dialog = window.contact_panel.merge_dialog
    assert dialog is not None
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0).data(Qt.ItemDataRole.DisplayRole) == (
        "minji.k\nSame phone number 010-1234-5678 · Instagram ig-minji"
    )


def test_name_and_notes_are_saved(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    window.set_contact_panel_visible(True)
    _open(window, clinic.second)
    panel = window.contact_panel
    panel.name_edit.setFocus()
    panel.name_edit.setText("이준호 (치과)")  # Hangul arrives through the input method
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert window.thread_pane.contact_label.text() == "이준호 (치과)"
    panel.notes_edit.setFocus()
    panel.notes_edit.insertPlainText("토요일 오전 선호")
    panel.conversations.setFocus()  # leaving the notes saves them
    from console.store.contact_queries import contact_card

    contact = contact_of(clinic.store, clinic.second)
    assert contact and contact_card(clinic.store, contact).notes == "토요일 오전 선호"  # type: ignore[union-attr]


def test_the_panel_state_is_remembered(data_dir: Path) -> None:
    save_contact_panel(data_dir, True)
    assert load_settings(data_dir).contact_panel is True
    save_contact_panel(data_dir, False)
    assert load_settings(data_dir).contact_panel is False


def test_a_new_message_from_a_merged_channel_shows_in_the_panel(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    from console.channels.base import FetchResult, InboundMessage
    from console.ingest import ingest
    from tests.helpers.factory import now_ms

    insta = _minji_on_instagram(clinic)
    keep, other = contact_of(clinic.store, clinic.first), contact_of(clinic.store, insta)
    assert keep and other
    services.merge_contacts(clinic.store, services.Actor(clinic.colleague_id), keep, other)
    window.set_contact_panel_visible(True)
    _open(window, clinic.first)
    message = InboundMessage(
        "ig-9", "thread-ig-9", "ig-minji", "minji.k", "in", "또 문의", now_ms()
    )
    changes = ingest(clinic.store, clinic.insta, FetchResult([message], "c9"))
    window.ctx.changed.emit(changes)
    (new,) = changes.conversations
    assert _panel_ids(window) == [new, insta, clinic.first]
