"""The manager's figures against a small clinic worked out by hand.

"Now" is Wednesday 2026-11-25 15:00 in Seoul; the clinic keeps its default hours
(Mon–Fri 09:30–18:30, Sat 09:30–14:00) and targets (first response 60 business minutes,
next 120), plus: dental first response 30, derm 30, and e-mail (a channel target, which
overrides the department's) 2,000.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from console import reports, services, sla
from console.channels.base import Channel, FetchResult, InboundMessage, OutgoingReply
from console.domain import Role
from console.ingest import ingest
from console.runtime import Runtime
from console.services import _commands
from console.store.engine import Store
from console.worktime import SEOUL
from tests.helpers.factory import add_account, add_operator, now_ms

MIN = 60_000
_ids = itertools.count(1)


def at(text: str) -> int:
    local = dt.datetime.fromisoformat(text).replace(tzinfo=SEOUL)
    return int(local.timestamp() * 1000)


NOW = at("2026-11-25 15:00")


def conversation(
    store: Store, account: str, messages: list[tuple[str, str]], thread: str | None = None
) -> str:
    """Ingest ``(direction, 'YYYY-MM-DD HH:MM')`` messages into one thread; its id."""
    from sqlalchemy import select

    from console.store.models import Conversation

    thread = thread or f"t{next(_ids)}"
    page = [
        InboundMessage(
            external_id=f"{thread}-{next(_ids)}",
            thread_id=thread,
            handle=f"h-{thread}",
            contact_name="고객",
            direction=direction,
            body="문의드립니다" if direction == "in" else "안내드립니다",
            sent_at=at(when),
        )
        for direction, when in messages
    ]
    ingest(store, account, FetchResult(page, f"c{next(_ids)}"))
    with store.read() as s:
        cid = s.scalar(
            select(Conversation.id).where(
                Conversation.account_id == account, Conversation.external_thread_id == thread
            )
        )
    assert cid is not None
    return cid


@pytest.fixture
def clinic(store: Store, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    system = services.Actor(None)
    services.set_sla_target(store, system, "dental", None, 30, 120)
    services.set_sla_target(store, system, "derm", None, 30, 120)
    services.set_sla_target(store, system, None, "email", 2000, 2000)
    kakao = add_account(store, "kakaotalk")
    mail = add_account(store, "email")
    staff = add_operator(store, "박상담", Role.COORDINATOR)
    ids = {
        # answered in 40 min today, then waiting since 13:00: 120 business minutes = breached
        "c1": conversation(
            store,
            kakao,
            [("in", "2026-11-25 10:00"), ("out", "2026-11-25 10:40"), ("in", "2026-11-25 13:00")],
        ),
        # evening message, answered next morning: 30 + 20 = 50 min against dental's 30: late
        "c2": conversation(store, kakao, [("in", "2026-11-24 18:00"), ("out", "2026-11-25 09:50")]),
        # untriaged e-mail waiting 30 min: fine
        "c3": conversation(store, mail, [("in", "2026-11-25 14:30")]),
        # Monday: written 09:00 (before opening), answered 12:00 = 150 min: late
        "c4": conversation(store, kakao, [("in", "2026-11-23 09:00"), ("out", "2026-11-23 12:00")]),
        # derm e-mail since Saturday 13:00: 60 + 540 + 540 + 330 = 1,470 min, under e-mail's 2,000
        "c5": conversation(store, mail, [("in", "2026-11-21 13:00")]),
    }
    services.tag_department(store, system, ids["c1"], "plastic")
    services.tag_department(store, system, ids["c2"], "dental")
    services.tag_department(store, system, ids["c4"], "plastic")
    services.tag_department(store, system, ids["c5"], "derm")
    services.assign(store, system, ids["c1"], staff)
    monkeypatch.setattr(_commands, "_now_ms", lambda: at("2026-11-23 17:00"))
    services.set_status(store, system, ids["c4"], "resolved")  # 09:30–17:00 = 450 min
    monkeypatch.undo()
    return {**ids, "staff": staff, "kakao": kakao, "mail": mail}


def by_key(groups: tuple[reports.Group, ...], key: str | None) -> reports.Group:
    return next(g for g in groups if g.key == key)


def test_the_queue_now(store: Store, clinic: dict[str, str]) -> None:
    board = reports.dashboard(store, NOW)
    q = board.clinic.queue
    assert (q.open, q.unassigned, q.untriaged, q.waiting, q.breached) == (4, 3, 1, 3, 1)
    assert q.oldest_waiting_since == at("2026-11-21 13:00")
    plastic = by_key(board.departments, "plastic")
    assert (plastic.queue.open, plastic.queue.breached, plastic.queue.waiting) == (1, 1, 1)
    assert by_key(board.departments, None).queue.open == 1  # untriaged c3
    email = by_key(board.channels, "email")
    assert (email.queue.open, email.queue.waiting, email.queue.breached) == (2, 2, 0)
    assert email.queue.oldest_waiting_since == at("2026-11-21 13:00")
    (load,) = board.operators
    assert (load.name, load.open_assigned, load.replies) == ("박상담", 1, 0)


def test_response_and_resolution_times(store: Store, clinic: dict[str, str]) -> None:
    board = reports.dashboard(store, NOW)
    today, week = board.clinic.today, board.clinic.week
    assert today.first_response == reports.Times(2, 40 * MIN, 50 * MIN)
    assert (today.late_first_responses, today.late_replies) == (1, 0)  # c2
    assert board.clinic.breaches_today == 2  # c1 waiting + c2 answered late
    assert week.first_response == reports.Times(3, 50 * MIN, 150 * MIN)
    assert week.late_first_responses == 2  # c2, c4
    assert week.resolution == reports.Times(1, 450 * MIN, 450 * MIN)
    assert today.resolution.count == 0
    assert week.opened == 5 and today.opened == 2  # c1 and c3 began today
    dental = by_key(board.departments, "dental")
    assert dental.today.first_response == reports.Times(1, 50 * MIN, 50 * MIN)
    assert dental.breaches_today == 1


def test_trends(store: Store, clinic: dict[str, str]) -> None:
    trends = reports.dashboard(store, NOW).trends
    assert len(trends.days) == 30 and trends.days[-1] == dt.date(2026, 11, 25)
    by_day = dict(zip(trends.days, trends.inbound_by_day, strict=True))
    assert by_day[dt.date(2026, 11, 25)] == 3
    assert by_day[dt.date(2026, 11, 24)] == 1
    assert by_day[dt.date(2026, 11, 23)] == 1
    assert by_day[dt.date(2026, 11, 21)] == 1
    assert sum(trends.inbound_by_day) == 6
    hours = trends.inbound_by_hour
    assert (hours[9], hours[10], hours[13], hours[14], hours[18]) == (1, 1, 2, 1, 1)
    assert sum(hours) == 6
    plastic = next(t for t in trends.first_response_by_day if t.department == "plastic")
    per_day = dict(zip(trends.days, plastic.days, strict=True))
    assert per_day[dt.date(2026, 11, 23)] == reports.Times(1, 150 * MIN, 150 * MIN)
    assert per_day[dt.date(2026, 11, 25)] == reports.Times(1, 40 * MIN, 40 * MIN)
    assert per_day[dt.date(2026, 11, 24)].count == 0


def test_a_channel_target_overrides_the_departments(store: Store, clinic: dict[str, str]) -> None:
    assert by_key(reports.dashboard(store, NOW).departments, "derm").queue.breached == 0
    services.remove_sla_target(store, services.Actor(None), None, "email")
    # Now derm's own 30 minutes apply to c5, and the default 60 to untriaged c3 (30 min).
    board = reports.dashboard(store, NOW)
    assert by_key(board.departments, "derm").queue.breached == 1
    assert by_key(board.departments, None).queue.breached == 0
    assert sla.breach_counts(store, NOW) == {"plastic": 1, "derm": 1}


def test_a_public_holiday_stops_the_clock(store: Store) -> None:
    kakao = add_account(store, "kakaotalk")
    # Before 추석 2025: Thu 10/2 18:00 to Fri 10/10 10:00 is 330 business minutes.
    conversation(store, kakao, [("in", "2025-10-02 18:00"), ("out", "2025-10-10 10:00")])
    result = reports.report(store, at("2025-10-01 00:00"), at("2025-10-11 00:00"))
    assert result.clinic.first_response == reports.Times(1, 330 * MIN, 330 * MIN)
    # The clinic works 한글날 this year: add 9 business hours.
    services.set_calendar_day(store, services.Actor(None), dt.date(2025, 10, 9), closed=False)
    result = reports.report(store, at("2025-10-01 00:00"), at("2025-10-11 00:00"))
    assert result.clinic.first_response.median_ms == (330 + 540) * MIN


def test_a_reopened_conversation_starts_a_new_episode(store: Store) -> None:
    kakao = add_account(store, "kakaotalk")
    cid = conversation(store, kakao, [("in", "2026-11-02 10:00"), ("out", "2026-11-02 10:10")], "x")
    services.set_status(store, services.Actor(None), cid, "resolved")
    conversation(store, kakao, [("in", "2026-11-24 10:00"), ("out", "2026-11-24 10:05")], "x")
    result = reports.report(store, at("2026-11-24 00:00"), at("2026-11-25 00:00"))
    assert result.clinic.first_response == reports.Times(1, 5 * MIN, 5 * MIN)
    assert result.clinic.opened == 1


def test_replies_today_per_member_of_staff(store: Store) -> None:
    class Sender(Channel):
        def fetch(self, cursor: str | None) -> FetchResult:
            return FetchResult([], cursor or "")

        def send(self, reply: OutgoingReply) -> str:
            return f"sent-{reply.reply_id}"

    kakao = add_account(store, "kakaotalk")
    staff = add_operator(store, "이원무")
    now = now_ms()
    when = dt.datetime.fromtimestamp((now - 5 * MIN) / 1000, SEOUL).strftime("%Y-%m-%d %H:%M")
    cid = conversation(store, kakao, [("in", when)])
    services.queue_reply(store, services.Actor(staff), cid, "안녕하세요, 가능합니다")
    runtime = Runtime(store, {kakao: Sender()})
    runtime.send_due()
    runtime.close()
    board = reports.dashboard(store, now_ms())
    (load,) = board.operators
    assert (load.name, load.replies) == ("이원무", 1)
    assert board.clinic.today.first_response.count == 1


def test_sla_changes_need_the_right_role(store: Store) -> None:
    desk = services.Actor(add_operator(store, "원무", Role.FRONT_DESK))
    manager = services.Actor(add_operator(store, "실장", Role.MANAGER))
    from console.errors import InvalidInput, NotPermitted

    with pytest.raises(NotPermitted):
        services.set_sla_target(store, desk, "dental", None, 10, 20)
    with pytest.raises(NotPermitted):
        services.set_calendar_day(store, desk, dt.date(2026, 12, 31))
    services.set_sla_target(store, manager, "dental", None, 10, 20)
    with pytest.raises(InvalidInput):
        services.set_sla_target(store, manager, "dental", None, 0, 20)
    with pytest.raises(InvalidInput):
        services.remove_sla_target(store, manager, None, None)
    with store.read() as s:
        assert sla.read_targets(s).for_("dental", "sms") == sla.Target(10, 20)
        assert sla.read_targets(s).for_("plastic", "sms") == sla.Target(60, 120)


def test_migration_fills_the_times_from_the_history(data_dir: Path) -> None:
    from alembic import command
    from sqlalchemy import select

    from console.store.engine import DB_NAME, open_store, sqlite_engine
    from console.store.models import Conversation
    from console.store.schema import migrations_config

    engine = sqlite_engine(data_dir / DB_NAME)
    with engine.begin() as conn:
        command.upgrade(migrations_config(conn), "0004")
        conn.exec_driver_sql(
            "INSERT INTO channel_account (id, kind, connector, external_id, display_name,"
            " config, enabled, created_at, skipped_items) VALUES ('a', 'sms', 't', 'x', 'x',"
            " '{}', 1, 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO contact (id, display_name, notes, created_at) VALUES ('p', 'p', '', 0)"
        )
        for cid, status in (("c1", "resolved"), ("c2", "open")):
            conn.exec_driver_sql(
                "INSERT INTO conversation (id, account_id, contact_id, external_thread_id, status,"
                " status_hlc, department_hlc, assignee_hlc, priority, priority_hlc, snooze_hlc,"
                " read_upto, created_at, last_message_at, snippet, message_count,"
                " department_source, subject) VALUES (?, 'a', 'p', ?, ?, '', '', '', 1, '', '',"
                " 0, 100, 400, '', 3, '', '')",
                (cid, cid, status),
            )
        # c1: the clinic wrote first (100), the customer at 200, the answer at 300 and 400.
        # c2: the customer only (250).
        for mid, cid, direction, sent in (
            ("m1", "c1", "out", 100),
            ("m2", "c1", "in", 200),
            ("m3", "c1", "out", 300),
            ("m4", "c1", "out", 400),
            ("m5", "c2", "in", 250),
        ):
            conn.exec_driver_sql(
                "INSERT INTO message (id, conversation_id, account_id, external_id, direction,"
                " author, body, sent_at) VALUES (?, ?, 'a', ?, ?, '', '', ?)",
                (mid, cid, mid, direction, sent),
            )
    engine.dispose()
    store = open_store(data_dir)
    with store.read() as s:
        rows = {
            r[0]: r[1:]
            for r in s.execute(
                select(
                    Conversation.id,
                    Conversation.opened_at,
                    Conversation.first_response_at,
                    Conversation.resolved_at,
                )
            )
        }
        targets = sla.read_targets(s)
    store.close()
    assert rows == {"c1": (200, 300, 400), "c2": (250, None, None)}
    assert targets.for_(None, "sms") == sla.Target(60, 120)
