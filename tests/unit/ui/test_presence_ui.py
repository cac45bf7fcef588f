"""Two PCs on one clinic server see each other on a conversation: "… is looking at this
conversation" and "… is writing a reply", in the thread header (a real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from console.store.engine import Store
from console.store.server import open_server_store
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)
from tests.unit.ui.conftest import Clinic, show_window
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.tasks import Tasks


@pytest.fixture
def server(pg_url: URL) -> Iterator[Store]:
    store = open_server_store(pg_url)
    yield store
    store.close()


def _pc(qtbot: QtBot, clinic: Clinic, operator_id: str, server: Store | None) -> MainWindow:
    ctx = AppContext(clinic.store, operator_id, Tasks.inline())
    ctx.server = server
    return show_window(qtbot, ctx)


def test_two_pcs_see_each_other_viewing_and_typing(
    qtbot: QtBot, clinic: Clinic, server: Store
) -> None:
    desk = _pc(qtbot, clinic, clinic.operator_id, server)  # 김지현
    plastic = _pc(qtbot, clinic, clinic.colleague_id, server)  # 박서연
    desk.thread_pane.open(clinic.first)
    assert desk.thread_pane.presence_text() == ""  # nobody else yet
    plastic.thread_pane.open(clinic.first)
    assert plastic.thread_pane.presence_text() == "김지현 is looking at this conversation"
    desk.ctx.presence.beat()  # the next heartbeat
    assert desk.thread_pane.presence_text() == "박서연 is looking at this conversation"

    plastic.thread_pane.composer.insertPlainText("네 가능합니다")  # typed
    desk.ctx.presence.beat()
    assert desk.thread_pane.presence_text() == "박서연 is writing a reply"
    assert desk.thread_pane.presence_label.property("typing") is True

    plastic.thread_pane.open(clinic.second)  # moved on
    desk.ctx.presence.beat()
    assert desk.thread_pane.presence_text() == ""
    plastic.ctx.stop()  # closing the app takes the row away at once
    desk.thread_pane.open(clinic.second)
    assert desk.thread_pane.presence_text() == ""
    desk.ctx.stop()


def test_on_a_single_pc_nothing_is_shown(qtbot: QtBot, clinic: Clinic) -> None:
    first = _pc(qtbot, clinic, clinic.operator_id, None)
    second = _pc(qtbot, clinic, clinic.colleague_id, None)
    first.thread_pane.open(clinic.first)
    second.thread_pane.open(clinic.first)
    first.ctx.presence.beat()
    assert first.thread_pane.presence_text() == "" == second.thread_pane.presence_text()
    assert first.thread_pane.presence_label.isHidden()
