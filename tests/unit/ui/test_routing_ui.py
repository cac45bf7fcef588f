"""Staff see when the department was set automatically (one click to undo) and the
classifier's suggestion for an untriaged conversation (one click to apply)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from console.services import Changes
from console.store.models import Conversation
from console.store.queries import conversation_row
from tests.unit.ui.conftest import Clinic
from ui.conversations import DepartmentLabelRole
from ui.mainwindow import MainWindow


def _set(window: MainWindow, clinic: Clinic, cid: str, **fields: object) -> None:
    """Change a conversation as ingest's triage would, and tell the views."""
    with clinic.store.write() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        for name, value in fields.items():
            setattr(conv, name, value)
    window.ctx.changed.emit(Changes(conversations=frozenset({cid})))


def test_an_automatic_department_says_so_and_undo_puts_it_back(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _set(
        window,
        clinic,
        clinic.first,
        department="plastic",
        department_source="auto",
        suggested_department="plastic",
        suggestion_confidence=0.93,
    )
    row = window.list_model.row_of(clinic.first)
    assert window.list_model.index(row).data(DepartmentLabelRole) == "Plastic surgery · auto"
    pane = window.thread_pane
    pane.open(clinic.first)
    assert pane.routing_label.text() == "Sorted automatically (93% sure)"
    assert pane.routing_button.text() == "Undo" and not pane.routing_button.isHidden()
    pane.routing_button.click()
    after = conversation_row(clinic.store, clinic.first)
    assert after is not None and after.department is None
    assert after.department_source == "staff"
    assert pane.routing_label.isHidden()


def test_a_suggestion_is_offered_and_applied(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _set(window, clinic, clinic.second, suggested_department="dental", suggestion_confidence=0.61)
    row = window.list_model.row_of(clinic.second)
    assert window.list_model.index(row).data(DepartmentLabelRole) == "Untriaged · Dental?"
    pane = window.thread_pane
    pane.open(clinic.second)
    assert pane.routing_label.text() == "Suggested: Dental (61% sure)"
    pane.routing_button.click()
    after = conversation_row(clinic.store, clinic.second)
    assert after is not None and after.department == "dental"


def test_a_persons_choice_shows_no_note(window: MainWindow, clinic: Clinic) -> None:
    window.ctx.tag_department(clinic.first, "derm")
    window.thread_pane.open(clinic.first)
    assert window.thread_pane.routing_label.isHidden()
    assert window.thread_pane.routing_button.isHidden()
