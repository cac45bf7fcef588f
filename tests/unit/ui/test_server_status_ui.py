"""The status bar on a PC of a clinic with a server (a real PostgreSQL): "replies waiting"
counts the whole clinic's outbox — replies queued on another PC, and sent or left to check
by whichever process leads — as this PC learns it by sync."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console import services
from tests.helpers.pg import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401
from tests.unit.ui.conftest import show_window
from tests.unit.ui.test_field_conflict_ui import TwoPcs, pcs  # noqa: F401 - fixture
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.tasks import Tasks

pytestmark = pytest.mark.slow


@pytest.fixture
def window_b(qtbot: QtBot, qapp: object, pcs: TwoPcs) -> Iterator[MainWindow]:  # noqa: F811
    ctx = AppContext(pcs.b, pcs.operator, Tasks.inline())
    yield show_window(qtbot, ctx)
    ctx.stop()


def _sync_b(window: MainWindow, pcs: TwoPcs) -> None:  # noqa: F811
    report = pcs.sync_b.sync_once()
    window.ctx.changed.emit(report.changes)  # as ServerLink broadcasts a round's changes


def _leader_sets(pcs: TwoPcs, reply_id: str, state: str) -> None:  # noqa: F811
    with pcs.sync_a.server.engine.begin() as conn:
        conn.execute(
            text("UPDATE outbox SET state = :s WHERE id = :i"), {"s": state, "i": reply_id}
        )


def test_replies_waiting_counts_the_clinics_outbox(window_b: MainWindow, pcs: TwoPcs) -> None:  # noqa: F811
    window = window_b
    window.ctx.refresh_health()
    assert window.outbox_label.text() == "0 replies waiting to send"
    actor = services.Actor(pcs.operator)
    first = services.queue_reply(pcs.a, actor, pcs.cid, "내일 오전 10시 예약 가능합니다.")
    second = services.queue_reply(pcs.a, actor, pcs.quiet, "네, 건물 지하 주차장 이용 가능합니다.")
    pcs.sync_a.sync_once()
    _sync_b(window, pcs)
    assert window.outbox_label.text() == "2 replies waiting to send"  # queued on PC A

    _leader_sets(pcs, first, "sent")
    _leader_sets(pcs, second, "unknown")  # the channel may or may not have taken it
    _sync_b(window, pcs)
    assert window.outbox_label.text() == "0 replies waiting to send · 1 to check"
    assert "may or may not have reached" in window.outbox_label.toolTip()
    _leader_sets(pcs, second, "failed")
    _sync_b(window, pcs)
    assert window.outbox_label.text() == "0 replies waiting to send · 1 not sent"
    assert window.outbox_label.toolTip() == ""
