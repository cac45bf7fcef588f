"""The composer: Korean input methods, draft autosave, queueing replies and private notes."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from console import errors, services
from console.store.models import Outbox
from console.store.queries import draft_for, thread_items
from tests.unit.ui.conftest import Clinic, show_window
from ui.composer import Composer, DraftState
from ui.context import AppContext
from ui.conversations import DraftRole
from ui.mainwindow import MainWindow
from ui.thread import KindRole, MetaTextRole

CTRL = Qt.KeyboardModifier.ControlModifier
#: How long a test waits for the autosave (its 600 ms pause, then a write on the write lane) on
#: a loaded machine. A bound to wait, not a speed claim: the state before the pause is asserted
#: on its own, and how fast a save is belongs to ``sotong bench``.
SAVE_WAIT_MS = 10_000


def _outbox(clinic: Clinic) -> list[tuple[str, str]]:
    with clinic.store.read() as s:
        return [(o.conversation_id, o.body) for o in s.scalars(select(Outbox))]


def _preedit(composer: Composer, text: str) -> None:
    QApplication.sendEvent(composer, QInputMethodEvent(text, []))


def _commit(composer: Composer, text: str) -> None:
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(composer, event)


def _type(composer: Composer, text: str) -> None:
    """Type Korean the way an input method delivers it: committed text."""
    _commit(composer, text)


def _open(window: MainWindow, cid: str) -> Composer:
    window.thread_pane.open(cid)
    composer = window.thread_pane.composer
    composer.setFocus()
    return composer


def test_enter_during_hangul_composition_never_queues(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    composer = _open(window, clinic.second)
    _type(composer, "네 가능")
    _preedit(composer, "ㅎ")
    _preedit(composer, "한")
    assert composer.is_composing()
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    qtbot.keyClick(composer, Qt.Key.Key_Enter, CTRL)
    window.thread_pane.send_button.click()
    assert _outbox(clinic) == []
    assert composer.toPlainText() == "네 가능"
    assert composer.preedit() == "한"

    _commit(composer, "한")
    assert not composer.is_composing()
    assert composer.toPlainText() == "네 가능한"
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    assert _outbox(clinic) == [(clinic.second, "네 가능한")]
    assert composer.toPlainText() == ""
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)  # the empty composer queues nothing more
    assert len(_outbox(clinic)) == 1


def test_enter_alone_is_a_new_line(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    composer = _open(window, clinic.first)
    _type(composer, "첫 줄")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    _type(composer, "둘째 줄")
    assert composer.toPlainText() == "첫 줄\n둘째 줄"
    assert _outbox(clinic) == []


def test_ctrl_enter_queues_and_the_bubble_shows_it_waiting(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    composer = _open(window, clinic.first)
    _type(composer, "네, 상담 가능합니다.")
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    assert _outbox(clinic) == [(clinic.first, "네, 상담 가능합니다.")]
    assert composer.toPlainText() == ""
    assert window.thread_pane.autosave.state is DraftState.EMPTY
    assert draft_for(clinic.store, clinic.first, clinic.operator_id) is None
    model = window.thread_pane.model
    last = model.index(model.rowCount() - 1)
    assert last.data() == "네, 상담 가능합니다."
    assert "Waiting to send" in last.data(MetaTextRole)
    assert window.outbox_label.text() == "1 reply waiting to send"


def test_autosave_shows_typing_then_saved_after_commit(
    qtbot: QtBot, pool_ctx: AppContext, clinic: Clinic
) -> None:
    window = show_window(qtbot, pool_ctx)
    composer = _open(window, clinic.second)
    label = window.thread_pane.draft_state_label
    _type(composer, "토요일 오전 10시에 뵙겠습니다")
    assert label.text() == "Typing…"
    assert window.thread_pane.autosave.state is DraftState.DIRTY
    assert draft_for(clinic.store, clinic.second, clinic.operator_id) is None
    qtbot.waitUntil(lambda: label.text() == "Draft saved on this PC", timeout=SAVE_WAIT_MS)
    draft = draft_for(clinic.store, clinic.second, clinic.operator_id)
    assert draft is not None and draft.body == "토요일 오전 10시에 뵙겠습니다"
    list_row = window.list_model.index(window.list_model.row_of(clinic.second))
    qtbot.waitUntil(lambda: list_row.data(DraftRole) is True, timeout=SAVE_WAIT_MS)


def test_saved_is_not_claimed_before_the_save_commits(
    qtbot: QtBot, pool_ctx: AppContext, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_save(*_args: object) -> int:
        raise errors.StorageError(reason="database or disk is full")

    monkeypatch.setattr(services, "save_draft", failing_save)
    window = show_window(qtbot, pool_ctx)
    composer = _open(window, clinic.first)
    _type(composer, "저장 안 되는 글")
    label = window.thread_pane.draft_state_label
    qtbot.waitUntil(lambda: label.text() == "Draft not saved", timeout=SAVE_WAIT_MS)
    assert "database or disk is full" in window.thread_pane.message_bar.text()
    assert window.thread_pane.message_bar.isVisible()


def test_switching_conversations_saves_the_pending_draft(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    composer = _open(window, clinic.first)
    _type(composer, "김민지 님 답장 초안")
    assert window.thread_pane.autosave.pending()
    window.thread_pane.open(clinic.second)
    assert composer.toPlainText() == ""
    draft = draft_for(clinic.store, clinic.first, clinic.operator_id)
    assert draft is not None and draft.body == "김민지 님 답장 초안"
    window.thread_pane.open(clinic.first)
    assert composer.toPlainText() == "김민지 님 답장 초안"
    assert window.thread_pane.draft_state_label.text() == "Draft saved on this PC"


def test_closing_the_window_saves_the_pending_draft(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    composer = _open(window, clinic.first)
    _type(composer, "닫기 전에 쓴 글")
    window.close()
    draft = draft_for(clinic.store, clinic.first, clinic.operator_id)
    assert draft is not None and draft.body == "닫기 전에 쓴 글"


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("   ", "Write a reply before sending."),
        ("가" * 20_001, "The reply is too long: 20001 characters. Shorten it to 20000 or fewer."),
    ],
)
def test_refused_replies_are_explained_in_words(
    qtbot: QtBot, window: MainWindow, clinic: Clinic, text: str, sentence: str
) -> None:
    composer = _open(window, clinic.first)
    composer.setPlainText(text)
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    assert _outbox(clinic) == []
    assert composer.toPlainText() == text, "the text stays for the clerk to fix"
    bar = window.thread_pane.message_bar
    assert bar.isVisible() and bar.text() == sentence
    assert not composer.isReadOnly()


def test_storage_errors_are_explained_and_the_text_kept(
    qtbot: QtBot, window: MainWindow, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_args: object) -> str:
        raise errors.StorageError(reason="database or disk is full")

    monkeypatch.setattr(services, "queue_reply", full_disk)
    composer = _open(window, clinic.first)
    _type(composer, "보낼 답장")
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    assert composer.toPlainText() == "보낼 답장"
    assert window.thread_pane.message_bar.text().startswith("Could not save on this PC.")


def test_private_note_with_ctrl_shift_enter(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    composer = _open(window, clinic.second)
    _type(composer, "보험 서류 요청하신 분")
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL | Qt.KeyboardModifier.ShiftModifier)
    items = thread_items(clinic.store, clinic.second)
    assert [(i.kind, i.body) for i in items if i.kind != "message"] == [
        ("note", "보험 서류 요청하신 분"),
    ]
    assert _outbox(clinic) == []
    assert composer.toPlainText() == ""
    assert draft_for(clinic.store, clinic.second, clinic.operator_id) is None
    model = window.thread_pane.model
    assert model.index(model.rowCount() - 1).data(KindRole) == "note"


def test_note_mode_turns_the_send_button_into_add_note(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    pane = window.thread_pane
    composer = _open(window, clinic.first)
    pane.note_toggle.click()
    assert pane.send_button.text() == "Add note"
    _type(composer, "원장님 확인 후 연락")
    pane.send_button.click()
    with clinic.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0
    assert [i.body for i in thread_items(clinic.store, clinic.first) if i.kind == "note"] == [
        "원장님 확인 후 연락"
    ]
    assert not pane.note_toggle.isChecked()
    assert pane.send_button.text() == "Send"
    qtbot.keyClick(composer, Qt.Key.Key_Return, CTRL)
    assert pane.message_bar.text() == "Write a reply before sending."
