"""A draft changed on two PCs at once: the list row carries a conflict badge, and the thread
pane shows the other version and puts it back in the composer, or discards it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console import services
from console.ids import new_id
from console.store.models import Draft
from console.store.queries import draft_conflicts, draft_for
from tests.helpers.factory import now_ms
from tests.unit.ui.conftest import Clinic
from ui.conversations import ConflictRole, ConversationDelegate
from ui.mainwindow import MainWindow


def _conflict_copy(clinic: Clinic, body: str) -> str:
    """What sync leaves when this operator's save on another PC lost."""
    copy_id = new_id()
    with clinic.store.write() as s:
        s.add(
            Draft(
                id=copy_id,
                conversation_id=clinic.first,
                operator_id=clinic.operator_id,
                body=body,
                rev=2,
                parent_rev=1,
                is_conflict=True,
                updated_at=now_ms(),
            )
        )
    return copy_id


def _row_index(window: MainWindow, cid: str):  # type: ignore[no-untyped-def]
    model = window.list_model
    return model.index(next(r for r in range(model.rowCount()) if model.id_at(r) == cid))


def test_the_row_shows_a_conflict_badge(window: MainWindow, clinic: Clinic) -> None:
    index = _row_index(window, clinic.first)
    assert not index.data(ConflictRole)
    _conflict_copy(clinic, "다른 PC의 답장")
    window.ctx.changed.emit(services.Changes(conversations=frozenset({clinic.first})))
    index = _row_index(window, clinic.first)
    assert index.data(ConflictRole) is True
    delegate = window.list_view.itemDelegate()
    assert isinstance(delegate, ConversationDelegate)
    assert delegate._chips(index)[0][0] == "Conflict"
    other = _row_index(window, clinic.second)
    assert "Conflict" not in [chip[0] for chip in delegate._chips(other)]


def test_restoring_the_other_version_into_the_composer(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    services.save_draft(clinic.store, window.ctx.actor, clinic.first, "이 PC에서 쓴 답장")
    copy_id = _conflict_copy(clinic, "다른 PC에서 쓴 답장")
    pane = window.thread_pane
    pane.open(clinic.first)
    bar = pane.conflict_bar
    assert bar.isVisible()
    assert "changed on another PC" in bar.label.text()
    assert pane.composer.toPlainText() == "이 PC에서 쓴 답장"
    # Alt+V shows the other version, read-only and as plain text.
    pane.composer.setFocus()
    QTest.keyClick(pane.composer, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    assert bar.other.isVisible() and bar.other.isReadOnly()
    assert bar.other.toPlainText() == "다른 PC에서 쓴 답장"

    with qtbot.wait_signal(bar.restored):
        bar.restore_button.click()
    assert pane.composer.toPlainText() == "다른 PC에서 쓴 답장"
    head = draft_for(clinic.store, clinic.first, clinic.operator_id)
    assert head is not None and head.body == "다른 PC에서 쓴 답장"
    # The text that was in the composer is the other version now: nothing was dropped.
    assert [
        (c.id, c.body) for c in draft_conflicts(clinic.store, clinic.first, clinic.operator_id)
    ] == [(copy_id, "이 PC에서 쓴 답장")]
    assert bar.isVisible() and bar.other_text() == "이 PC에서 쓴 답장"

    QTest.keyClick(pane.composer, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # discard
    assert draft_conflicts(clinic.store, clinic.first, clinic.operator_id) == []
    assert bar.isHidden()
    assert pane.composer.toPlainText() == "다른 PC에서 쓴 답장"
    assert not _row_index(window, clinic.first).data(ConflictRole)


def test_typing_before_restoring_is_kept_as_the_other_version(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _conflict_copy(clinic, "다른 PC의 글")
    pane = window.thread_pane
    pane.open(clinic.first)
    pane.composer.setFocus()
    pane.composer.insertPlainText("방금 쓴 글")
    assert pane.autosave.pending()
    with qtbot.wait_signal(pane.conflict_bar.restored):
        QTest.keyClick(pane.composer, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # use it
    assert pane.composer.toPlainText() == "다른 PC의 글"
    copies = draft_conflicts(clinic.store, clinic.first, clinic.operator_id)
    assert [c.body for c in copies] == ["방금 쓴 글"]
