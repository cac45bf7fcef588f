"""The thread: bubbles for messages, notes and outbox replies, always shown as plain text."""

from __future__ import annotations

import socket
import sys

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QStyle, QStyleOptionViewItem, QTextBrowser, QTextEdit

from console import services
from console.channels.base import Channel, FetchResult, OutgoingReply, Rejected, Transient
from console.runtime import Runtime
from tests.helpers.ui_data import HTML_BODY, long_thread
from tests.unit.ui.conftest import Clinic
from tests.unit.ui.test_conversation_list import RecordingPainter
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.thread import (
    BodyRole,
    BubbleDelegate,
    KindRole,
    MetaTextRole,
    StateRole,
    ThreadModel,
    ThreadView,
)


class RefusingChannel(Channel):
    """A channel whose sends fail the way a test asks."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult([], cursor)

    def send(self, reply: OutgoingReply) -> str:
        raise self.error


def _kinds(model: ThreadModel) -> list[tuple[str, str]]:
    return [
        (model.index(r).data(KindRole), model.index(r).data(StateRole))
        for r in range(model.rowCount())
    ]


def test_model_passes_the_model_tester(qtmodeltester: object, clinic: Clinic) -> None:
    me = services.Actor(clinic.operator_id)
    services.add_note(clinic.store, me, clinic.second, "토요일은 오전 진료만 있음")
    services.queue_reply(clinic.store, me, clinic.second, "토요일 오전 10시 가능합니다.")
    model = ThreadModel(clinic.store)
    model.load(clinic.second)
    assert model.rowCount() == 5
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    services.add_note(clinic.store, me, clinic.second, "재확인 필요")
    model.reload()
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_messages_notes_and_replies_in_time_order(qapp: object, clinic: Clinic) -> None:
    me = services.Actor(clinic.operator_id)
    services.add_note(clinic.store, me, clinic.second, "토요일은 오전 진료만 있음")
    services.queue_reply(clinic.store, me, clinic.second, "토요일 오전 10시 가능합니다.")
    model = ThreadModel(clinic.store)
    model.load(clinic.second)
    assert _kinds(model) == [
        ("message", ""),
        ("message", ""),
        ("message", ""),
        ("note", ""),
        ("outbox", "queued"),
    ]
    assert [model.index(r).data(Qt.ItemDataRole.DisplayRole) for r in range(3)] == [
        "스케일링 예약하고 싶어요",
        "네, 가능합니다.",
        "토요일도 되나요?",
    ]
    note_meta = model.index(3).data(MetaTextRole)
    assert "김지현" in note_meta
    assert "Waiting to send" in model.index(4).data(MetaTextRole)


@pytest.mark.parametrize(
    ("error", "state", "shown"),
    [
        (Rejected("text_too_long"), "failed", "Not sent: too long for this channel"),
        (Transient("timeout", ambiguous=True), "unknown", "Sending uncertain"),
    ],
)
def test_replies_that_did_not_go_say_why(
    qapp: object, clinic: Clinic, error: Exception, state: str, shown: str
) -> None:
    me = services.Actor(clinic.operator_id)
    services.queue_reply(clinic.store, me, clinic.first, "상담 가능합니다.")
    Runtime(clinic.store, {clinic.kakao: RefusingChannel(error)}).send_due()
    model = ThreadModel(clinic.store)
    model.load(clinic.first)
    last = model.index(model.rowCount() - 1)
    assert (last.data(KindRole), last.data(StateRole)) == ("outbox", state)
    assert shown in last.data(MetaTextRole)


def test_bodies_are_plain_text_everywhere(
    qtbot: QtBot, window: MainWindow, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[object] = []
    real_connect = socket.socket.connect

    def spy(sock: socket.socket, address: object) -> object:
        connections.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    window.thread_pane.open(clinic.html)
    pane = window.thread_pane
    model = pane.model
    index = model.index(0)
    # What the model hands the view, and what the delegate draws, is the body verbatim.
    assert index.data(Qt.ItemDataRole.DisplayRole) == HTML_BODY
    assert index.data(BodyRole) == HTML_BODY
    delegate = pane.view.bubbles
    assert delegate.text_format == Qt.TextFormat.PlainText
    assert delegate.body_text(index) == HTML_BODY
    image = QImage(700, 200, QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 700, 200)
    option.state = QStyle.StateFlag.State_Enabled
    option.font = pane.view.font()
    delegate.paint(painter, option, index)
    painter.end()
    assert HTML_BODY in painter.texts
    # The header shows the HTML-looking name verbatim too.
    assert pane.contact_label.text() == "<b>Kim</b>"
    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    assert not window.findChildren(QTextBrowser)
    assert not [w for w in window.findChildren(QTextEdit)]
    # Painting the whole window fetches nothing.
    window.grab()
    qtbot.wait(50)
    assert connections == []
    assert "PySide6.QtNetwork" not in sys.modules, "the UI has no network stack to fetch with"


def test_a_long_body_wraps_inside_its_bubble(qtbot: QtBot, clinic: Clinic) -> None:
    me = services.Actor(clinic.operator_id)
    body = "아주 긴 문장입니다 " * 80 + "https://example.invalid/" + "x" * 300
    services.add_note(clinic.store, me, clinic.first, body)
    view = ThreadView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    model = ThreadModel(clinic.store)
    view.setModel(model)
    model.load(clinic.first)
    view.show()
    option = QStyleOptionViewItem()
    option.font = view.font()
    note = model.index(1)
    size = view.bubbles.sizeHint(option, note)
    one_line = view.bubbles.sizeHint(option, model.index(0))
    assert size.height() > 6 * one_line.height()
    assert size.width() <= max(200, view.viewport().width())


def test_a_thread_of_200_messages_opens_on_the_newest_message(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic
) -> None:
    # How fast it opens is measured by `sotong bench`, not asserted here.
    cid = long_thread(clinic.store, clinic.kakao, 200)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.thread_pane.open(cid)
    window.thread_pane.view.grab()  # lay out and paint the visible bubbles
    assert window.thread_pane.model.rowCount() == 200
    assert window.thread_pane.view.is_at_bottom(), "the newest message is in view"


def test_delegate_sizes_depend_on_text_not_widgets(qtbot: QtBot, clinic: Clinic) -> None:
    view = ThreadView()
    qtbot.addWidget(view)
    assert isinstance(view.itemDelegate(), BubbleDelegate)
    model = ThreadModel(clinic.store)
    view.setModel(model)
    model.load(clinic.second)
    assert view.indexWidget(model.index(0)) is None
