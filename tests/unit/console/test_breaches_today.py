"""The list behind the dashboard's "breaches today": exactly the conversations answered late
today (by business time, computed by the database) or waiting past their target now, in any
folder, within a department or channel — the same rule :mod:`console.reports` counts by."""

from __future__ import annotations

import random

from sqlalchemy import update

from console import services
from console.reports import dashboard
from console.services import Actor
from console.sla import load_calendar
from console.store import Store
from console.store import queries as q
from console.store.models import Conversation
from console.worktime import MINUTE_MS
from tests.helpers.factory import add_account, add_conversation, now_ms

SYSTEM = Actor(None)


def _set(store: Store, cid: str, **values: object) -> None:
    with store.write() as s:
        s.execute(update(Conversation).where(Conversation.id == cid).values(**values))


def _listed(store: Store, flt: q.ListFilter) -> set[str]:
    return {cid for cid, _key in q.conversation_ids(store, flt, limit=1000)}


def test_the_list_holds_exactly_the_conversations_that_breached_today(store: Store) -> None:
    check_breaches_today_list(store)


def check_breaches_today_list(store: Store) -> None:
    """Sixty conversations answered at random times today after random waits — some ending
    exactly on their target, one millisecond either side, or days before — resolved or not;
    the list holds the late ones and the one waiting past its target, as the dashboard
    counts them. (Also run on PostgreSQL.)"""
    rng = random.Random(7)
    # Dermatology answers first messages within 30 business minutes; the rest 60 / 120.
    services.set_sla_target(store, SYSTEM, "derm", None, 30, 90)
    calendar = load_calendar(store)
    now = now_ms()
    midnight = calendar.day_start_ms(calendar.local_day(now))
    kakao, insta = add_account(store, "kakaotalk"), add_account(store, "instagram")
    expected: dict[tuple[str | None, str], set[str]] = {}
    every: set[str] = set()
    for n in range(60):
        department = rng.choice([None, "derm", "dental"])
        account = rng.choice([kakao, insta])
        cid = add_conversation(store, account, [("in", f"문의 {n}")], handle=f"late{n}")
        first = n % 2 == 0
        limit = (30 if first else 90) if department == "derm" else (60 if first else 120)
        limit *= MINUTE_MS
        end = rng.randrange(midnight, now) if now > midnight else midnight
        edge = calendar.subtract_business(end, limit)
        start = rng.choice([edge, edge - 1, edge + 1, end - rng.randrange(1, 4 * 24 * 3_600_000)])
        start = min(start, end)
        values: dict[str, object] = {
            "department": department,
            "waiting_since": None,
            "status": rng.choice(["open", "resolved"]),
        }
        if first:
            values.update(opened_at=start, first_response_at=end)
        else:
            values.update(
                opened_at=start - 3_600_000,
                first_response_at=start - 1_800_000,
                replied_wait_from=start,
                replied_at=end,
            )
        _set(store, cid, **values)
        if calendar.business_ms(start, end) > limit:
            expected.setdefault((department, account), set()).add(cid)
            every.add(cid)
    # One waiting past its target now (breached now, not answered).
    waiting = add_conversation(store, kakao, [("in", "아직 답이 없어요")], handle="waiting")
    _set(store, waiting, department="dental", waiting_since=now - 30 * 24 * 3_600_000)
    every.add(waiting)
    expected.setdefault(("dental", kakao), set()).add(waiting)

    late = every - {waiting}
    assert late and len(late) < 60, "the example has late and timely replies"
    clinic = _listed(store, q.ListFilter(q.View.ALL_OPEN, breached_today=True))
    assert clinic == every
    for department in (None, "derm", "dental"):
        view = q.ListFilter(q.View.ALL_OPEN, department=department or "", breached_today=True)
        want = set().union(*(ids for (d, _a), ids in expected.items() if d == department))
        assert _listed(store, view) == want
    channel = q.ListFilter(q.View.CHANNEL, "instagram", breached_today=True)
    assert _listed(store, channel) == set().union(
        *(ids for (_d, a), ids in expected.items() if a == insta)
    )
    # The dashboard counts the same conversations (each has one late reply here).
    figures = dashboard(store, now_ms())
    assert figures.clinic.breaches_today == len(every)
    by_department = {g.key: g.breaches_today for g in figures.departments}
    for department in (None, "derm", "dental"):
        listed = _listed(
            store, q.ListFilter(q.View.ALL_OPEN, department=department or "", breached_today=True)
        )
        assert by_department.get(department, 0) == len(listed)
