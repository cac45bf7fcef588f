"""SLA in the main window: waiting rows past their target are marked, the navigation counts
them per department, and Settings → SLA changes targets, hours and closed days."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTime

from console import services, sla
from console.domain import Role
from console.store.queries import now_ms
from console.worktime import DayHours
from tests.helpers.factory import add_operator
from tests.unit.ui.conftest import Clinic
from ui.context import AppContext
from ui.conversations import BreachedRole, ConversationListModel, IdRole
from ui.mainwindow import MainWindow
from ui.navigation import BreachRole, CountRole, NavigationModel
from ui.slasettings import SlaPanel


def _always_open(clinic: Clinic) -> None:
    """Business time = wall time, so the test does not depend on when it runs."""
    system = services.Actor(None)
    services.set_business_hours(
        store=clinic.store, actor=system, week=(DayHours(0, 1440),) * 7, public_holidays=False
    )
    services.set_sla_target(clinic.store, system, None, None, 25, 120)


def _breached(model: ConversationListModel) -> dict[str, bool]:
    return {
        model.index(r).data(IdRole): bool(model.index(r).data(BreachedRole))
        for r in range(model.rowCount())
    }


def test_rows_past_their_target_are_marked(qapp: object, clinic: Clinic) -> None:
    _always_open(clinic)
    model = ConversationListModel(clinic.store, clinic.store.departments())
    assert not any(_breached(model).values())  # no cutoffs yet: nothing marked
    model.set_cutoffs(sla.cutoffs(clinic.store, now_ms()))
    # first: 30 min against a 25-minute first response; html: 10 min; second: answered
    # once, so its 20 minutes are judged against the 120-minute next response.
    assert _breached(model) == {clinic.first: True, clinic.second: False, clinic.html: False}


def test_navigation_counts_breaches_per_department(qapp: object, clinic: Clinic) -> None:
    model = NavigationModel(clinic.store.departments(), ["kakaotalk"])
    model.set_breaches({"plastic": 2, None: 1})

    def breach(view: str, value: str = "") -> int:
        return int(model.index(model.row_of(view, value)).data(BreachRole))

    assert breach("department", "plastic") == 2
    assert breach("department", "dental") == 0
    assert breach("untriaged") == 1
    assert breach("all_open") == 3
    tip = model.index(model.row_of("department", "plastic")).data(0x0003)  # ToolTipRole
    assert "2" in str(tip)


def test_the_window_shows_breaches_and_follows_a_new_target(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, clinic: Clinic
) -> None:
    _always_open(clinic)
    ctx.load_counts_now()
    nav = window.nav_model
    untriaged = nav.index(nav.row_of("untriaged"))
    assert untriaged.data(BreachRole) == 1 and untriaged.data(CountRole) == 3
    assert _breached(window.list_model)[clinic.first] is True
    window.grab()  # paints the marked row and the red count
    # A manager gives every first response 45 minutes: nobody is past it any more.
    with qtbot.wait_signal(ctx.sla_changed, timeout=5000):
        services.set_sla_target(clinic.store, services.Actor(None), None, None, 45, 120)
        ctx.changed.emit(services.Changes(sla=True))
        ctx.load_counts_now()
    assert untriaged.data(BreachRole) == 0
    assert not any(_breached(window.list_model).values())


def test_settings_tab_saves_targets_hours_and_closed_days(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic
) -> None:
    manager = add_operator(clinic.store, "정실장", Role.MANAGER)
    ctx.operator_id = manager
    panel = SlaPanel(ctx)
    qtbot.addWidget(panel)
    # A target for dental on KakaoTalk.
    panel.target_department.setCurrentIndex(panel.target_department.findData("dental"))
    panel.target_channel.setCurrentIndex(panel.target_channel.findData("kakaotalk"))
    panel.first_spin.setValue(15)
    panel.next_spin.setValue(45)
    panel.save_target_button.click()
    with clinic.store.read() as s:
        assert sla.read_targets(s).for_("dental", "kakaotalk") == sla.Target(15, 45)
    assert panel.targets_model.rowCount() == 2  # the clinic default and the new one
    # Saturday closed; a lunch break on Monday.
    saturday = panel.days[5]
    saturday.open_check.setChecked(False)
    monday = panel.days[0]
    monday.lunch_check.setChecked(True)
    monday.lunch_start.setTime(QTime(12, 30))
    monday.lunch_end.setTime(QTime(13, 30))
    panel.save_hours_button.click()
    with clinic.store.read() as s:
        week = sla.read_calendar_settings(s).week
    assert week[5] is None
    assert week[0] == DayHours(570, 1110, 750, 810)
    # The clinic's own closed day.
    panel.day_edit.setDate(dt.date(2026, 12, 31))
    panel.day_note.setText("종무식")
    panel.add_closed_button.click()
    with clinic.store.read() as s:
        assert sla.read_calendar_settings(s).closed == {dt.date(2026, 12, 31): "종무식"}
    assert panel.days_model.rowCount() == 1
    panel.days_view.setCurrentIndex(panel.days_model.index(0, 0))
    panel.remove_day_button.click()
    with clinic.store.read() as s:
        assert sla.read_calendar_settings(s).closed == {}


def test_front_desk_cannot_change_targets(qtbot: QtBot, ctx: AppContext, clinic: Clinic) -> None:
    panel = SlaPanel(ctx)  # ctx acts as 김지현, front desk
    qtbot.addWidget(panel)
    errors: list[str] = []
    ctx.error.connect(errors.append)
    panel.first_spin.setValue(5)
    panel.save_target_button.click()
    assert (errors and "permission" in errors[0].lower()) or errors
    with clinic.store.read() as s:
        assert sla.read_targets(s).for_(None, "kakaotalk") == sla.Target(60, 120)
