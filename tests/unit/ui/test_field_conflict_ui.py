"""A department changed on two PCs at once (a real clinic server): on the PC whose change lost,
the list row carries a badge and the conversation says what happened, in plain words;
"Restore my value" puts this PC's value back, and sync carries it to the other PC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console import services
from console.store import open_store
from console.store.engine import Store
from console.store.models import Conversation, ConversationLabel
from console.store.queries import FieldConflictRow, field_conflicts
from console.store.server import open_server_store
from console.sync.engine import SyncEngine
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401
from tests.unit.ui.conftest import show_window
from ui.context import AppContext
from ui.conversations import ConversationDelegate, FieldConflictRole
from ui.mainwindow import MainWindow
from ui.tasks import Tasks

pytestmark = pytest.mark.slow


@dataclass
class TwoPcs:
    a: Store
    b: Store
    sync_a: SyncEngine
    sync_b: SyncEngine
    operator: str
    cid: str
    quiet: str


@pytest.fixture
def pcs(pg_url: URL, tmp_path: Path) -> Iterator[TwoPcs]:
    seed = open_server_store(pg_url)
    account = add_account(seed, "kakaotalk", "소통의원 카카오톡")
    operator = add_operator(seed, "김지현")
    cid = add_conversation(seed, account, [("in", "여드름 흉터 상담 원해요")], contact="최유나")
    quiet = add_conversation(seed, account, [("in", "주차 되나요?")], contact="정하늘")
    opened: list[Store] = [seed]
    engines: list[SyncEngine] = []

    def pc(name: str) -> tuple[Store, SyncEngine]:
        local, server = open_store(tmp_path / name), open_server_store(pg_url)
        engine = SyncEngine(local, server, machine=f"DESK-{name.upper()}")
        opened.extend([local, server])
        engines.append(engine)
        engine.sync_once()
        return local, engine

    a, sync_a = pc("a")
    b, sync_b = pc("b")
    yield TwoPcs(a, b, sync_a, sync_b, operator, cid, quiet)
    for engine in engines:
        engine.close()
    for store in opened:
        store.close()


def _department(store: Store, cid: str) -> str | None:
    with store.read() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        return conv.department


@pytest.fixture
def window(qtbot: QtBot, qapp: object, pcs: TwoPcs) -> Iterator[MainWindow]:
    actor = services.Actor(pcs.operator)
    services.tag_department(pcs.a, actor, pcs.cid, "dental")  # on PC A, offline
    time.sleep(0.005)
    services.tag_department(pcs.b, actor, pcs.cid, "derm")  # a moment later on PC B
    pcs.sync_b.sync_once()
    pcs.sync_a.sync_once()  # A's change is refused: B's later one is on the server
    ctx = AppContext(pcs.a, pcs.operator, Tasks.inline())
    yield show_window(qtbot, ctx)
    ctx.stop()


def _index(window: MainWindow, cid: str):  # type: ignore[no-untyped-def]
    model = window.list_model
    return model.index(next(r for r in range(model.rowCount()) if model.id_at(r) == cid))


def test_the_row_has_a_badge_and_restoring_my_value_reaches_the_other_pc(
    window: MainWindow, pcs: TwoPcs
) -> None:
    index = _index(window, pcs.cid)
    assert index.data(FieldConflictRole) is True
    delegate = window.list_view.itemDelegate()
    assert isinstance(delegate, ConversationDelegate)
    assert delegate._chips(index)[0][0] == "Changed on 2 PCs"
    assert "changed on another PC" in str(index.data(Qt.ItemDataRole.AccessibleTextRole))
    quiet = _index(window, pcs.quiet)
    assert not quiet.data(FieldConflictRole)
    assert "Changed on 2 PCs" not in [chip[0] for chip in delegate._chips(quiet)]
    # The badge keeps the row height fixed.
    assert window.list_view.sizeHintForRow(index.row()) == window.list_view.sizeHintForRow(
        quiet.row()
    )

    pane = window.thread_pane
    pane.open(pcs.cid)
    bar = pane.field_conflict_bar
    assert bar.isVisible() and bar.restore_button.isVisible()
    assert bar.label.text() == (
        "PC “DESK-B” changed the department at the same time, and its value (Dermatology) "
        "was applied. Your choice: Dental"
    )
    assert pane.department_combo.currentData() == "derm"

    # Keyboard: Alt+R from anywhere in the conversation restores this PC's value.
    pane.composer.setFocus()
    QTest.keyClick(pane.composer, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert _department(pcs.a, pcs.cid) == "dental"
    assert pane.department_combo.currentData() == "dental"
    assert bar.isHidden()
    assert not _index(window, pcs.cid).data(FieldConflictRole)

    pcs.sync_a.sync_once()
    pcs.sync_b.sync_once()
    assert _department(pcs.b, pcs.cid) == "dental"  # newer: it wins on the other PC too
    assert field_conflicts(pcs.b, pcs.cid) == []


def test_ok_keeps_the_value_that_was_applied(window: MainWindow, pcs: TwoPcs) -> None:
    pane = window.thread_pane
    pane.open(pcs.cid)
    bar = pane.field_conflict_bar
    assert bar.isVisible()
    bar.dismiss_button.setFocus()
    QTest.keyClick(bar.dismiss_button, Qt.Key.Key_Space)  # a focused button, by keyboard
    assert bar.isHidden()
    assert _department(pcs.a, pcs.cid) == "derm"
    assert field_conflicts(pcs.a, pcs.cid) == []
    assert not _index(window, pcs.cid).data(FieldConflictRole)


def test_a_label_taken_off_on_another_pc_is_said_and_put_back_by_keyboard(
    window: MainWindow, pcs: TwoPcs
) -> None:
    actor = services.Actor(pcs.operator)
    services.add_label(pcs.b, actor, pcs.quiet, "예약확정")
    time.sleep(0.005)
    services.add_label(pcs.a, actor, pcs.quiet, "예약확정")
    time.sleep(0.005)
    services.remove_label(pcs.b, actor, pcs.quiet, "예약확정")
    pcs.sync_a.sync_once()  # A's label goes up first ...
    pcs.sync_b.sync_once()  # ... B's removal, made without seeing it, replaces it
    pcs.sync_a.sync_once()
    window.ctx.changed.emit(services.Changes(conversations=frozenset({pcs.quiet})))
    assert _index(window, pcs.quiet).data(FieldConflictRole) is True

    pane = window.thread_pane
    pane.open(pcs.quiet)
    bar = pane.field_conflict_bar
    assert bar.isVisible() and bar.restore_button.isVisible()
    assert bar.label.text() == (
        "PC “DESK-B” took the label “예약확정” off at the same time. What you did: put it on"
    )
    pane.composer.setFocus()
    QTest.keyClick(pane.composer, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert bar.isHidden()
    with pcs.a.read() as s:
        label = s.get(ConversationLabel, (pcs.quiet, "예약확정"))
        assert label is not None and label.present
    pcs.sync_a.sync_once()
    pcs.sync_b.sync_once()
    with pcs.b.read() as s:
        label = s.get(ConversationLabel, (pcs.quiet, "예약확정"))
        assert label is not None and label.present


def test_an_unknown_machine_is_another_pc(window: MainWindow, pcs: TwoPcs) -> None:
    bar = window.thread_pane.field_conflict_bar
    note = FieldConflictRow(pcs.cid, "label:신환", False, True, "0a1b2c3d4e5f", 0, "")
    assert bar.sentence(note) == (
        "Another PC put the label “신환” on at the same time. What you did: took it off"
    )
