"""The main window: keyboard triage, navigation, search, errors and the status bar."""

from __future__ import annotations

from dataclasses import dataclass, field

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from console import services
from console.channels.base import AuthExpired, Channel, FetchResult, OutgoingReply
from console.runtime import PollReport, Runtime
from console.services import Changes
from console.store.queries import conversation_row
from tests.unit.ui.conftest import Clinic, show_window
from ui.context import AppContext
from ui.conversations import IdRole, UnreadRole
from ui.mainwindow import MainWindow
from ui.navigation import CountRole
from ui.tasks import Tasks


def _selected(window: MainWindow) -> str | None:
    rows = window.list_view.selectionModel().selectedIndexes()
    return rows[0].data(IdRole) if rows else None


def _press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window.focusWidget() or window, key)


def _menu() -> QMenu:
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu), "a picker menu is open"
    return popup


def test_j_and_k_move_through_the_list(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    window.list_view.setFocus()
    assert _selected(window) is None
    _press(qtbot, window, Qt.Key.Key_J)
    assert _selected(window) == clinic.html
    assert window.thread_pane.conversation_id == clinic.html
    _press(qtbot, window, Qt.Key.Key_J)
    assert _selected(window) == clinic.second
    _press(qtbot, window, Qt.Key.Key_J)
    _press(qtbot, window, Qt.Key.Key_J)  # stays on the last row
    assert _selected(window) == clinic.first
    _press(qtbot, window, Qt.Key.Key_K)
    assert _selected(window) == clinic.second
    assert window.thread_pane.contact_label.text() == "이준호"


def test_opening_a_conversation_marks_it_read(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    assert conversation_row(clinic.store, clinic.second).unread  # type: ignore[union-attr]
    window.list_view.setCurrentIndex(window.list_model.index(1))
    assert window.thread_pane.conversation_id == clinic.second
    assert not conversation_row(clinic.store, clinic.second).unread  # type: ignore[union-attr]
    assert window.list_model.index(1).data(UnreadRole) is False


def test_e_resolves_and_moves_on(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    window.list_view.setFocus()
    _press(qtbot, window, Qt.Key.Key_J)
    _press(qtbot, window, Qt.Key.Key_J)
    assert _selected(window) == clinic.second
    _press(qtbot, window, Qt.Key.Key_E)
    assert conversation_row(clinic.store, clinic.second).status == "resolved"  # type: ignore[union-attr]
    assert window.list_model.row_of(clinic.second) == -1, "resolved leaves All open"
    assert _selected(window) in (clinic.html, clinic.first)


def test_d_opens_a_department_picker_usable_by_keyboard(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    window.list_view.setFocus()
    _press(qtbot, window, Qt.Key.Key_J)
    _press(qtbot, window, Qt.Key.Key_D)
    menu = _menu()
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert labels == [
        "&1  Plastic surgery",
        "&2  Dental",
        "&3  Dermatology",
        "&4  Obesity clinic",
        "&5  Front desk",
        "&0  Untriaged",
    ]
    qtbot.keyClick(menu, Qt.Key.Key_2)
    assert conversation_row(clinic.store, clinic.html).department == "dental"  # type: ignore[union-attr]
    assert window.thread_pane.department_combo.currentText() == "Dental"
    # Arrow keys and Enter work too: back to Untriaged.
    _press(qtbot, window, Qt.Key.Key_D)
    menu = _menu()
    assert menu.activeAction().text() == "&2  Dental"
    for _ in range(4):
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction().text() == "&0  Untriaged"
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    assert conversation_row(clinic.store, clinic.html).department is None  # type: ignore[union-attr]


def test_a_assigns_through_a_picker(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    window.list_view.setFocus()
    _press(qtbot, window, Qt.Key.Key_J)
    _press(qtbot, window, Qt.Key.Key_A)
    menu = _menu()
    assert menu.actions()[0].text() == "&1  김지현 (me)"
    qtbot.keyClick(menu, Qt.Key.Key_2)
    assert conversation_row(clinic.store, clinic.html).assignee_id == clinic.colleague_id  # type: ignore[union-attr]
    assert window.thread_pane.assignee_combo.currentText() == "박서연"


def test_slash_focuses_search_and_search_filters(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    window.list_view.setFocus()
    _press(qtbot, window, Qt.Key.Key_Slash)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "jk/e")  # typing in search never triggers shortcuts
    assert window.search_box.text() == "jk/e"
    assert _selected(window) is None
    window.search_box.setText("토요일")
    qtbot.waitUntil(lambda: window.list_model.rowCount() == 1, timeout=1000)
    assert window.list_model.index(0).data(IdRole) == clinic.second


def test_letters_typed_in_the_composer_do_not_trigger_shortcuts(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    window.list_view.setFocus()
    _press(qtbot, window, Qt.Key.Key_J)
    composer = window.thread_pane.composer
    composer.setFocus()
    qtbot.keyClicks(composer, "jjkeda/")
    assert composer.toPlainText() == "jjkeda/"
    assert _selected(window) == clinic.html
    assert QApplication.activePopupWidget() is None
    row = conversation_row(clinic.store, clinic.html)
    assert row is not None and row.status == "open" and row.department is None
    assert not window.search_box.hasFocus()


def test_header_controls_call_the_services(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    pane = window.thread_pane
    pane.open(clinic.first)
    combo = pane.department_combo
    combo.activated.emit(combo.findData("derm"))
    pane.status_combo.activated.emit(pane.status_combo.findData("pending"))
    pane.assignee_combo.activated.emit(pane.assignee_combo.findData(clinic.operator_id))
    row = conversation_row(clinic.store, clinic.first)
    assert row is not None
    assert (row.department, row.status, row.assignee_id) == ("derm", "pending", clinic.operator_id)
    pane.snooze_menu.actions()[0].trigger()
    assert conversation_row(clinic.store, clinic.first).status == "snoozed"  # type: ignore[union-attr]
    assert pane.status_combo.currentText() == "Snoozed"


def test_navigation_switches_the_list(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    services.tag_department(clinic.store, services.Actor(None), clinic.first, "plastic")
    window.ctx.changed.emit(Changes(conversations=frozenset({clinic.first})))
    nav = window.nav_model
    window.nav_view.setCurrentIndex(nav.index(nav.row_of("department", "plastic")))
    assert window.list_title.text() == "Plastic surgery"
    assert [
        window.list_model.index(r).data(IdRole) for r in range(window.list_model.rowCount())
    ] == [clinic.first]
    window.nav_view.setCurrentIndex(nav.index(nav.row_of("channel", "instagram")))
    assert window.list_model.rowCount() == 1
    window.nav_view.setCurrentIndex(nav.index(nav.row_of("resolved")))
    assert window.list_model.rowCount() == 0
    assert window.list_view.empty_text == "No conversations here."


def test_service_errors_appear_as_sentences(window: MainWindow, clinic: Clinic) -> None:
    window.ctx.tag_department(clinic.first, "ophthalmology")
    assert window.thread_pane.message_bar.text() == (
        "There is no department called “ophthalmology”."
    )
    assert window.statusBar().currentMessage() == window.thread_pane.message_bar.text()


def test_nav_counts_arrive_from_the_worker(qtbot: QtBot, window: MainWindow) -> None:
    window.ctx.load_counts_now()
    nav = window.nav_model
    assert nav.index(nav.row_of("all_open")).data(CountRole) == 3


class FailingChannel(Channel):
    """A channel whose token expired."""

    def fetch(self, cursor: str | None) -> FetchResult:
        raise AuthExpired("token revoked")

    def send(self, reply: OutgoingReply) -> str:
        raise AuthExpired("token revoked")


def test_status_bar_reports_outbox_fetch_and_account_errors(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic
) -> None:
    me = services.Actor(clinic.operator_id)
    services.queue_reply(clinic.store, me, clinic.first, "답장 1")
    services.queue_reply(clinic.store, me, clinic.second, "답장 2")
    Runtime(clinic.store, {clinic.kakao: FailingChannel()}).poll_once()
    window = show_window(qtbot, ctx)
    ctx.refresh_health()
    assert window.outbox_label.text() == "2 replies waiting to send"
    assert (
        window.fetch_label.text() == "Nothing received yet"
        or window.fetch_label.text().startswith("Last received ")
    )
    assert window.account_errors_label.isVisibleTo(window)
    assert window.account_errors_label.text() == (
        "Account problem: 소통의원 카카오톡 채널 (login expired, reconnect the account)"
    )
    assert window.connection_label.text() == "No channels connected"


@dataclass
class FakeRuntime:
    """Stands in for the channel runtime: records calls, reports what a test sets."""

    errors: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    channels: dict[str, object] = field(default_factory=lambda: {"a": object()})

    def poll_once(self) -> PollReport:
        self.calls.append("poll")
        return PollReport(Changes(new_conversations=True), 1, dict(self.errors))

    def send_due(self) -> Changes:
        self.calls.append("send")
        return Changes(outbox=True)

    def wake_snoozed(self) -> Changes:
        self.calls.append("wake")
        return Changes()

    def hand_out_on_duty(self) -> Changes:
        return Changes()


def test_polling_reports_online_and_offline(qtbot: QtBot, clinic: Clinic) -> None:
    runtime = FakeRuntime()
    ctx = AppContext(clinic.store, clinic.operator_id, Tasks.inline(), runtime)  # type: ignore[arg-type]
    window = show_window(qtbot, ctx)
    assert window.connection_label.text() == "Connecting…"
    with qtbot.wait_signal(ctx.changed) as blocker:
        ctx.poll_now()
    assert runtime.calls == ["poll", "send", "wake"]
    assert blocker.args[0].new_conversations and blocker.args[0].outbox
    assert window.connection_label.text() == "● Online"
    runtime.errors = {"a": "transient"}
    ctx.poll_now()
    assert window.connection_label.text() == "● Offline: replies wait on this PC"
    ctx.stop()


def test_queueing_a_reply_asks_for_a_send(qtbot: QtBot, clinic: Clinic) -> None:
    runtime = FakeRuntime()
    ctx = AppContext(clinic.store, clinic.operator_id, Tasks.inline(), runtime)  # type: ignore[arg-type]
    window = show_window(qtbot, ctx)
    window.thread_pane.open(clinic.first)
    window.thread_pane.composer.setPlainText("곧 연락드리겠습니다")
    window.thread_pane.submit()
    assert runtime.calls == ["send"]
    ctx.stop()


def test_geometry_round_trips(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.resize(1180, 700)
    saved = window.geometry_b64()
    other = MainWindow(ctx)
    qtbot.addWidget(other)
    assert other.size().height() == 800
    assert other.restore_geometry_b64(saved)
    # The offscreen screen is 800 px wide, so only the height survives the screen clamp.
    assert other.size().height() == 700
    assert not other.restore_geometry_b64("not base64!")
