"""The dashboard: figures from a small hand-made clinic, computed on the read worker, numbers
that open exactly their conversations in the main window, and live updates."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from PySide6.QtCharts import QBarSeries
from PySide6.QtCore import Qt

from console import reports, services
from console.domain import Role
from console.services import Changes
from console.store.queries import ListFilter, View, conversation_ids, conversation_row
from console.worktime import DayHours
from tests.helpers.factory import add_conversation, add_operator
from tests.unit.ui.conftest import Clinic, show_window
from ui import dashboard as dash
from ui.context import AppContext
from ui.conversations import IdRole
from ui.dashboard import DashboardWindow, LinkRole, response_text
from ui.mainwindow import MainWindow
from ui.tasks import Tasks


def _ids(window: MainWindow) -> list[str]:
    model = window.list_model
    return [model.index(r).data(IdRole) for r in range(model.rowCount())]


def _cell(board: DashboardWindow, table: str, key: str | None, header: str) -> object:
    model = getattr(board, f"{table}_model")
    row = model.row_of(key)
    assert row >= 0, key
    for column in range(model.columnCount()):
        if model.headerData(column, Qt.Orientation.Horizontal) == header:
            return model.index(row, column)
    raise AssertionError(header)


def _open(qtbot: QtBot, window: MainWindow) -> DashboardWindow:
    window.open_dashboard()
    board = window.dashboard
    assert board is not None
    qtbot.addWidget(board)  # closed after the test, so no other test's window is active
    qtbot.waitExposed(board)
    qtbot.waitUntil(lambda: board.figures is not None, timeout=3000)
    return board


def _hand_made(clinic: Clinic) -> dict[str, str]:
    """On top of the clinic fixture (three open untriaged conversations, unassigned):
    two plastic-surgery conversations (one assigned to me), one dental one answered."""
    store, me = clinic.store, clinic.operator_id
    actor = services.Actor(me)
    p1 = add_conversation(store, clinic.kakao, [("in", "쌍꺼풀 재수술 문의")], minutes_ago=50)
    p2 = add_conversation(store, clinic.insta, [("in", "코 성형 가격")], minutes_ago=40)
    d1 = add_conversation(
        store, clinic.kakao, [("in", "스케일링 예약"), ("out", "네, 가능합니다")], minutes_ago=5
    )
    services.tag_department(store, actor, p1, "plastic")
    services.tag_department(store, actor, p2, "plastic")
    services.tag_department(store, actor, d1, "dental")
    services.assign(store, actor, p1, me)
    return {"p1": p1, "p2": p2, "d1": d1}


def test_the_dashboard_shows_the_figures_of_a_small_clinic(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    made = _hand_made(clinic)
    board = _open(qtbot, window)
    cards = board.cards
    # Six open: three untriaged + two plastic + one dental; one assigned; five waiting.
    assert cards["open"].value_label.text() == "6"
    assert cards["unassigned"].value_label.text() == "5"
    assert cards["untriaged"].value_label.text() == "3"
    assert cards["waiting"].value_label.text() == "5"
    assert cards["oldest"].value_label.text() == "50 min"
    assert _cell(board, "department", "plastic", "Open").data() == "2"  # type: ignore[attr-defined]
    assert _cell(board, "department", "plastic", "Unassigned").data() == "1"  # type: ignore[attr-defined]
    assert _cell(board, "department", "dental", "Waiting").data() == "0"  # type: ignore[attr-defined]
    assert _cell(board, "department", None, "Open").data() == "3"  # type: ignore[attr-defined]
    assert _cell(board, "channel", "instagram", "Open").data() == "2"  # type: ignore[attr-defined]
    assert _cell(board, "channel", "kakaotalk", "Open").data() == "4"  # type: ignore[attr-defined]
    # Times are the report's own figures, in words.
    figures = board.figures
    assert figures is not None
    dental = next(g for g in figures.departments if g.key == "dental")
    assert dental.week.first_response.count == 1  # the reply 5 minutes ago
    median = _cell(board, "department", "dental", "1st reply\nmedian")
    assert median.data() == response_text(dental.week.first_response.median_ms)  # type: ignore[attr-defined]
    board.period_combo.setCurrentIndex(board.period_combo.findData(dash.TODAY))
    board.period_combo.activated.emit(board.period_combo.currentIndex())
    assert median.data() == response_text(dental.today.first_response.median_ms)  # type: ignore[attr-defined]
    # Staff: I have one open conversation assigned.
    op_row = next(
        r
        for r in range(board.operator_model.rowCount())
        if board.operator_model.index(r, 0).data() == "김지현"
    )
    assert board.operator_model.index(op_row, 2).data() == "1"
    # Charts: today's five customer messages are in the last day's bar and in their hours.
    day_series = board.day_chart.series()[0]
    assert isinstance(day_series, QBarSeries)
    day_values = [day_series.barSets()[0].at(i) for i in range(day_series.barSets()[0].count())]
    assert len(day_values) == 30 and sum(day_values) == figures.trends.inbound_by_day[-1] + sum(
        figures.trends.inbound_by_day[:-1]
    )
    assert sum(day_values) >= 6
    hour_series = board.hour_chart.series()[0]
    assert isinstance(hour_series, QBarSeries) and hour_series.barSets()[0].count() == 24
    assert made  # the data the figures came from


def test_clicking_a_number_shows_exactly_those_conversations(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    made = _hand_made(clinic)
    board = _open(qtbot, window)
    index = _cell(board, "department", "plastic", "Unassigned")
    board.department_table.clicked.emit(index)
    assert _ids(window) == [made["p2"]]
    assert window.list_title.text() == "Plastic surgery · Unassigned"
    assert window.nav_view.currentIndex().data() == "Unassigned"
    # The untriaged row's open count, the channel row's waiting count, a card.
    board.department_table.clicked.emit(_cell(board, "department", None, "Open"))
    assert set(_ids(window)) == {clinic.first, clinic.second, clinic.html}
    board.channel_table.clicked.emit(_cell(board, "channel", "instagram", "Waiting"))
    assert _ids(window) == [made["p2"], clinic.second]  # longest waiting first
    board.cards["unassigned"].click()
    assert len(_ids(window)) == 5 and made["p1"] not in _ids(window)
    # Keyboard: Enter on a linked cell.
    table = board.department_table
    table.setFocus()
    table.setCurrentIndex(_cell(board, "department", "plastic", "Open"))  # type: ignore[arg-type]
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert set(_ids(window)) == {made["p1"], made["p2"]}
    # Choosing a navigation entry drops the narrowing.
    window.nav_view.setCurrentIndex(window.nav_model.index(window.nav_model.row_of("all_open")))
    assert len(_ids(window)) == 6


def test_a_zero_is_not_a_link(qtbot: QtBot, window: MainWindow, clinic: Clinic) -> None:
    _hand_made(clinic)
    board = _open(qtbot, window)
    assert _cell(board, "department", "dental", "Waiting").data(LinkRole) is None  # type: ignore[attr-defined]
    assert _cell(board, "department", "derm", "Open").data(LinkRole) is None  # type: ignore[attr-defined]
    assert board.cards["open"].link is not None


def test_past_target_lists_exactly_the_conversations_waiting_too_long(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    # Open round the clock, first replies due within 35 minutes: of the customers waiting,
    # those who wrote 50 and 40 minutes ago (plastic surgery) are past it; 30, 20 and 10 not.
    system = services.Actor(None)
    services.set_business_hours(clinic.store, system, (DayHours(0, 1440),) * 7, False)
    services.set_sla_target(clinic.store, system, None, None, 35, 60)
    made = _hand_made(clinic)
    board = _open(qtbot, window)
    assert board.cards["breached"].value_label.text() == "2"
    cell = _cell(board, "department", "plastic", "Past\ntarget")
    assert cell.data() == "2"  # type: ignore[attr-defined]
    assert _cell(board, "department", None, "Past\ntarget").data(LinkRole) is None  # type: ignore[attr-defined]
    board.department_table.clicked.emit(cell)
    assert _ids(window) == [made["p1"], made["p2"]]  # longest waiting first
    board.cards["breached"].click()
    assert _ids(window) == [made["p1"], made["p2"]]
    flt = dash.GroupKey("channel", "instagram").link("breached")
    assert [cid for cid, _ in conversation_ids(clinic.store, flt)] == [made["p2"]]


def test_figures_are_computed_on_the_read_worker_and_follow_new_messages(
    qtbot: QtBot, clinic: Clinic
) -> None:
    tasks = Tasks()
    ctx = AppContext(clinic.store, clinic.operator_id, tasks)
    threads: list[threading.Thread] = []
    real = dash.dashboard

    def recording(*args: object) -> reports.Dashboard:
        threads.append(threading.current_thread())
        return real(*args)  # type: ignore[arg-type]

    dash.dashboard = recording  # type: ignore[assignment]
    try:
        window = show_window(qtbot, ctx)
        board = _open(qtbot, window)
        assert threads and all(t is not threading.main_thread() for t in threads)
        assert board.cards["open"].value_label.text() == "3"
        # A new customer message arrives: the figures follow, after a short pause.
        new = add_conversation(clinic.store, clinic.insta, [("in", "보톡스 가격 문의")])
        with qtbot.wait_signal(board.updated, timeout=5000):
            ctx.changed.emit(Changes(conversations=frozenset({new}), new_conversations=True))
        assert board.cards["open"].value_label.text() == "4"
        assert _cell(board, "channel", "instagram", "Open").data() == "2"  # type: ignore[attr-defined]
        board.close()
    finally:
        dash.dashboard = real  # type: ignore[assignment]
        ctx.stop()
        tasks.shutdown()


def test_ctrl_d_opens_the_dashboard_for_anyone(qtbot: QtBot, clinic: Clinic) -> None:
    desk = add_operator(clinic.store, "최접수", Role.FRONT_DESK)
    ctx = AppContext(clinic.store, desk, Tasks.inline())
    try:
        window = show_window(qtbot, ctx)
        with qtbot.waitActive(window):
            window.activateWindow()
        window.list_view.setFocus()
        qtbot.keyClick(window.list_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert window.dashboard is not None and window.dashboard.isVisible()
        assert window.dashboard.windowTitle().startswith("Dashboard")
        window.dashboard.close()
    finally:
        ctx.stop()


def test_response_text() -> None:
    assert response_text(None) == "–"
    assert response_text(12 * 60_000) == "12 min"
    assert response_text(65 * 60_000) == "1 h 5 min"
    assert response_text((26 * 60 + 10) * 60_000) == "1 d 2 h"
    assert ListFilter(View.UNASSIGNED, department="") != ListFilter(View.UNASSIGNED)
    assert conversation_row is not None


def test_table_models_pass_the_model_tester(
    qtmodeltester: object, qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    _hand_made(clinic)
    board = _open(qtbot, window)
    for model in (board.department_model, board.channel_model, board.operator_model):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    figures = board.figures
    assert figures is not None
    board.department_model.set_data(figures.departments[:2], dash.MONTH, figures.now_ms)
    assert board.department_model.rowCount() == 2
    qtmodeltester.check(board.department_model)  # type: ignore[attr-defined]


def test_breaches_today_lists_exactly_the_conversations_that_breached_today(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    from sqlalchemy import update

    from console.store.models import Conversation
    from tests.helpers.factory import now_ms

    # Open round the clock, first replies due within 35 minutes: p1 and p2 (plastic surgery,
    # waiting 50 and 40 minutes) are past it now; a third plastic-surgery conversation was
    # answered 49 minutes after the customer wrote and resolved since: late today.
    system = services.Actor(None)
    services.set_business_hours(clinic.store, system, (DayHours(0, 1440),) * 7, False)
    services.set_sla_target(clinic.store, system, None, None, 35, 60)
    made = _hand_made(clinic)
    late = add_conversation(clinic.store, clinic.insta, [("in", "리프팅 후기")], minutes_ago=50)
    services.tag_department(clinic.store, system, late, "plastic")
    now = now_ms()
    with clinic.store.write() as s:
        s.execute(
            update(Conversation)
            .where(Conversation.id == late)
            .values(
                opened_at=now - 50 * 60_000,
                first_response_at=now - 1_000,
                waiting_since=None,
                status="resolved",
            )
        )
    board = _open(qtbot, window)
    assert board.cards["breaches_today"].value_label.text() == "3"
    cell = _cell(board, "department", "plastic", "Breaches\ntoday")
    assert cell.data() == "3"  # type: ignore[attr-defined]
    assert _cell(board, "department", "dental", "Breaches\ntoday").data(LinkRole) is None  # type: ignore[attr-defined]
    board.department_table.clicked.emit(cell)
    assert set(_ids(window)) == {made["p1"], made["p2"], late}
    assert window.list_title.text() == "Plastic surgery · Breaches today"
    # The channel row, by keyboard (Space, like the other cells).
    table = board.channel_table
    table.setFocus()
    table.setCurrentIndex(_cell(board, "channel", "instagram", "Breaches\ntoday"))  # type: ignore[arg-type]
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert set(_ids(window)) == {made["p2"], late}
    # The card: the whole clinic, by keyboard too.
    card = board.cards["breaches_today"]
    assert card.link is not None and card.focusPolicy() == Qt.FocusPolicy.StrongFocus
    card.click()
    assert set(_ids(window)) == {made["p1"], made["p2"], late}
