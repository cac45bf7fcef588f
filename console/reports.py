"""The manager's figures: the queue now, response and resolution times, SLA breaches, staff
load and trends — for the dashboard (:func:`dashboard`) and for a chosen period
(:func:`report`, written out by :mod:`console.report_files`).

Definitions (all durations in business time, :mod:`console.worktime`):

- An *episode* starts with a customer message in a new conversation or in a resolved one
  (``conversation.opened_at``). Its *first-response time* runs to the clinic's first reply
  (``first_response_at``); its *resolution time* to when staff marked it resolved
  (``resolved_at``). A period's figures take the episodes whose reply or resolution fell in
  it. A conversation reopened later keeps only its latest episode's times.
- *Waiting*: an active (open or pending) conversation with an unanswered customer message.
  *Breached now*: waiting for at least its SLA target (:mod:`console.sla`). *Late*: a first
  reply, or a later reply that ended a wait, that took longer than the target (a
  conversation's later replies count only its latest one). *Breaches today* = breached now +
  late today.
- Median and 90th percentile are nearest-rank: the ⌈n/2⌉-th and ⌈0.9·n⌉-th smallest.
- Days and hours are local to the clinic (Asia/Seoul). "Today" runs from local midnight to
  now; "7 days" and "30 days" end now and start at the midnight 6 or 29 days before today.

Nothing here scans messages: the conversation's denormalised times (kept in the transaction
that stores each message or status change) and a partial index on inbound messages' times
answer every question.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import and_, case, func, select, text
from sqlalchemy.orm import Session

from console.domain import OutboxState
from console.sla import (
    Cutoffs,
    Targets,
    Waiting,
    breaches_by_group,
    calendar_of,
    compute_cutoffs,
    read_calendar_settings,
    read_targets,
)
from console.store.engine import Store
from console.store.models import (
    ACTIVE_SQL,
    FOLDER_ACTIVE,
    ChannelAccount,
    Conversation,
    Department,
    Operator,
    Outbox,
)
from console.worktime import MINUTE_MS, Calendar

K = TypeVar("K")
HOUR_MS = 3_600_000
TREND_DAYS = 30
HOURS_DAYS = 7


@dataclass(frozen=True)
class Times:
    """A set of durations: how many, median and 90th percentile (ms of business time; None
    when there are none)."""

    count: int
    median_ms: int | None
    p90_ms: int | None


def times_of(values: Iterable[int]) -> Times:
    """Nearest-rank median and 90th percentile of ``values``."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return Times(0, None, None)
    return Times(n, ordered[math.ceil(n * 0.5) - 1], ordered[math.ceil(n * 0.9) - 1])


@dataclass(frozen=True)
class Queue:
    """One group's queue at a moment.

    Attributes:
        open: Active conversations (open or pending).
        unassigned: Active ones with no assignee.
        untriaged: Active ones with no department.
        waiting: Active ones with an unanswered customer message.
        oldest_waiting_since: When the longest-waiting customer wrote (None: nobody waits).
        breached: Waiting ones that have reached their SLA target.
    """

    open: int = 0
    unassigned: int = 0
    untriaged: int = 0
    waiting: int = 0
    oldest_waiting_since: int | None = None
    breached: int = 0


@dataclass(frozen=True)
class Period:
    """What happened in ``[start_ms, end_ms)`` for one group.

    Attributes:
        opened: Episodes that began (new customer conversations and reopened ones).
        first_response: First-response times of the first replies sent in the period.
        resolution: Resolution times of the conversations resolved in the period.
        late_first_responses: First replies that took longer than the target.
        late_replies: Later replies that ended a wait longer than the target.
    """

    start_ms: int
    end_ms: int
    opened: int
    first_response: Times
    resolution: Times
    late_first_responses: int
    late_replies: int

    @property
    def late(self) -> int:
        """Replies that came after the target."""
        return self.late_first_responses + self.late_replies


@dataclass(frozen=True)
class Group:
    """The dashboard's figures for the clinic, a department or a channel.

    Attributes:
        key: Department code or channel kind; None for untriaged (and for the whole clinic).
        queue: The queue now.
        today: Since local midnight.
        week: The last 7 days (today included).
        month: The last 30 days (today included).
    """

    key: str | None
    queue: Queue
    today: Period
    week: Period
    month: Period

    @property
    def breaches_today(self) -> int:
        """Breached now, plus replies sent late today."""
        return self.queue.breached + self.today.late


@dataclass(frozen=True)
class OperatorLoad:
    """A member of staff's work."""

    operator_id: str
    name: str
    on_duty: bool
    open_assigned: int  # active conversations assigned to them
    replies: int  # replies sent (today on the dashboard, in the period in a report)


@dataclass(frozen=True)
class DepartmentTrend:
    """First-response times per day for one department (None: untriaged), aligned with the
    trend's days."""

    department: str | None
    days: tuple[Times, ...]


@dataclass(frozen=True)
class Trends:
    """Volumes and times over days.

    Attributes:
        days: The local days, oldest first.
        inbound_by_day: Customer messages received each day.
        inbound_by_hour: Customer messages by local hour of day (24 values) over
            ``hours_from_ms`` .. the end.
        hours_from_ms: Where the hour-of-day figures start.
        first_response_by_day: First-response times per department and day.
    """

    days: tuple[dt.date, ...]
    inbound_by_day: tuple[int, ...]
    inbound_by_hour: tuple[int, ...]
    hours_from_ms: int
    first_response_by_day: tuple[DepartmentTrend, ...]


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, at ``now_ms``.

    Attributes:
        now_ms: The moment.
        clinic: All conversations (key None).
        departments: The clinic's departments in display order, then untriaged (key None).
        channels: Each channel kind the clinic has an account on, by kind.
        operators: Every member of staff, by name.
        trends: Inbound by day (30 days) and by hour of day (7 days), first-response times
            per department and day (30 days).
    """

    now_ms: int
    clinic: Group
    departments: tuple[Group, ...]
    channels: tuple[Group, ...]
    operators: tuple[OperatorLoad, ...]
    trends: Trends


@dataclass(frozen=True)
class PeriodGroup:
    """A report's figures for one department or channel (key None: untriaged)."""

    key: str | None
    period: Period


@dataclass(frozen=True)
class Report:
    """The figures of a chosen period (see :func:`report`)."""

    start_ms: int
    end_ms: int
    clinic: Period
    departments: tuple[PeriodGroup, ...]
    channels: tuple[PeriodGroup, ...]
    operators: tuple[OperatorLoad, ...]
    trends: Trends


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One conversation's reply or resolution, with its business time worked out once."""

    department: str | None
    channel: str
    start: int  # opened_at (or the wait's start)
    end: int  # reply or resolution
    ms: int  # business time from start to end
    late: bool  # longer than the target (replies only)


class _Context:
    """What every figure needs: departments, accounts, targets, the calendar."""

    def __init__(self, s: Session) -> None:
        self.departments: list[str] = list(
            s.scalars(select(Department.code).order_by(Department.sort_order, Department.code))
        )
        self.kinds: dict[str, str] = dict(
            s.execute(select(ChannelAccount.id, ChannelAccount.kind)).all()
        )
        self.channels: list[str] = sorted(set(self.kinds.values()))
        self.targets: Targets = read_targets(s)
        self.calendar: Calendar = calendar_of(read_calendar_settings(s))
        self._limits: dict[tuple[str | None, str, bool], int] = {}

    def cutoffs(self, now_ms: int) -> Cutoffs:
        return compute_cutoffs(
            self.calendar, self.targets, now_ms, [*self.departments, None], self.channels
        )

    def limit_ms(self, department: str | None, channel: str, first: bool) -> int:
        """The target that applies, in ms."""
        key = (department, channel, first)
        limit = self._limits.get(key)
        if limit is None:
            target = self.targets.for_(department, channel).minutes(first)
            limit = self._limits[key] = target * MINUTE_MS
        return limit

    def row(
        self, department: str | None, account_id: str, start: int, end: int, first: bool | None
    ) -> _Row:
        """A row; ``first`` says which target judges it (None: not judged)."""
        channel = self.kinds.get(account_id, "")
        ms = self.calendar.business_ms(start, end)
        late = first is not None and ms > self.limit_ms(department, channel, first)
        return _Row(department, channel, start, end, ms, late)


@dataclass(frozen=True)
class _Rows:
    """The replies and resolutions in some windows, and the episodes opened in each."""

    windows: tuple[tuple[int, int], ...]
    firsts: list[_Row]
    resolved: list[_Row]
    replies: list[_Row]
    opened: list[tuple[str | None, str, tuple[int, ...]]]  # counts per window

    def split(self, key: Callable[[str | None, str], K]) -> dict[K, _Rows]:
        """The rows per group, in one pass."""
        out: dict[K, _Rows] = {}

        def part(k: K) -> _Rows:
            rows = out.get(k)
            if rows is None:
                rows = out[k] = _Rows(self.windows, [], [], [], [])
            return rows

        for x in self.firsts:
            part(key(x.department, x.channel)).firsts.append(x)
        for x in self.resolved:
            part(key(x.department, x.channel)).resolved.append(x)
        for x in self.replies:
            part(key(x.department, x.channel)).replies.append(x)
        for o in self.opened:
            part(key(o[0], o[1])).opened.append(o)
        return out

    def period(self, window: int) -> Period:
        """The figures of one of the windows."""
        start, end = self.windows[window]

        def within(rows: Iterable[_Row]) -> list[_Row]:
            return [r for r in rows if start <= r.end < end]

        firsts, replies = within(self.firsts), within(self.replies)
        return Period(
            start,
            end,
            sum(o[2][window] for o in self.opened),
            times_of(x.ms for x in firsts),
            times_of(x.ms for x in within(self.resolved)),
            sum(1 for x in firsts if x.late),
            sum(1 for x in replies if x.late),
        )


def _ms(value: int | None) -> int:
    """A time the query's conditions guarantee is present."""
    assert value is not None
    return value


def _rows(s: Session, ctx: _Context, windows: Sequence[tuple[int, int]]) -> _Rows:
    """First responses, resolutions and ending replies in the union of ``windows`` (which
    all end together), and the episodes opened in each."""
    c = Conversation
    start = min(a for a, _ in windows)
    end = max(b for _, b in windows)
    firsts = [
        ctx.row(d, a, _ms(o), _ms(f), True)
        for d, a, o, f in s.execute(
            select(c.department, c.account_id, c.opened_at, c.first_response_at).where(
                c.first_response_at >= start, c.first_response_at < end, c.opened_at.is_not(None)
            )
        )
    ]
    resolved = [
        ctx.row(d, a, _ms(o), _ms(r), None)
        for d, a, o, r in s.execute(
            select(
                c.department, c.account_id, func.coalesce(c.opened_at, c.created_at), c.resolved_at
            ).where(c.resolved_at >= start, c.resolved_at < end)
        )
    ]
    replies = [
        ctx.row(d, a, _ms(w), _ms(r), False)
        for d, a, w, r in s.execute(
            select(c.department, c.account_id, c.replied_wait_from, c.replied_at).where(
                c.replied_at >= start,
                c.replied_at < end,
                c.replied_wait_from.is_not(None),
                # the first reply is counted as a first response
                func.coalesce(c.first_response_at, -1) != c.replied_at,
            )
        )
    ]
    counts = [
        func.sum(case((and_(c.opened_at >= a, c.opened_at < b), 1), else_=0)) for a, b in windows
    ]
    kind = ctx.kinds.get
    opened = [
        (row[0], kind(row[1], ""), tuple(int(n or 0) for n in row[2:]))
        for row in s.execute(
            select(c.department, c.account_id, *counts)
            .where(c.opened_at >= start, c.opened_at < end)
            .group_by(c.department, c.account_id)
        )
    ]
    return _Rows(tuple(windows), firsts, resolved, replies, opened)


def _inbound_hours(s: Session, base: int, start: int, end: int) -> dict[int, int]:
    """Customer messages in ``[start, end)`` per hour counted from ``base`` (hour index ->
    count), through the partial index on inbound messages' times."""
    sql = text(
        "SELECT (sent_at - :base) / 3600000 AS h, count(*) FROM message "
        "WHERE direction = 'in' AND sent_at >= :start AND sent_at < :end GROUP BY h"
    )
    params = {"base": base, "start": start, "end": end}
    return {int(h): int(n) for h, n in s.execute(sql, params)}


def _trends(
    s: Session,
    ctx: _Context,
    days: list[dt.date],
    start: int,
    end: int,
    hours_from: int,
    firsts: Sequence[_Row],
) -> Trends:
    """Inbound per day over ``[start, end)`` and per hour of day from ``hours_from``."""
    cal = ctx.calendar
    day_index = {d: i for i, d in enumerate(days)}
    base = cal.day_start_ms(days[0])
    by_day = [0] * len(days)
    by_hour = [0] * 24
    for h, n in _inbound_hours(s, base, start, end).items():
        moment = dt.datetime.fromtimestamp((base + h * HOUR_MS) / 1000, cal.tz)
        i = day_index.get(moment.date())
        if i is not None:
            by_day[i] += n
        if base + (h + 1) * HOUR_MS > hours_from:  # the hour overlaps the range
            by_hour[moment.hour] += n
    per: dict[str | None, list[list[int]]] = defaultdict(lambda: [[] for _ in days])
    for row in firsts:
        i = day_index.get(cal.local_day(row.end))
        if i is not None:
            per[row.department][i].append(row.ms)
    order = [*ctx.departments, None]
    trend = tuple(DepartmentTrend(d, tuple(times_of(v) for v in per[d])) for d in order if d in per)
    return Trends(tuple(days), tuple(by_day), tuple(by_hour), hours_from, trend)


def _days(cal: Calendar, now_ms: int, count: int) -> list[dt.date]:
    today = cal.local_day(now_ms)
    return [today - dt.timedelta(days=count - 1 - i) for i in range(count)]


def _day_range(cal: Calendar, start_ms: int, end_ms: int) -> list[dt.date]:
    first, last = cal.local_day(start_ms), cal.local_day(max(start_ms, end_ms - 1))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _operators(
    s: Session, start: int, end: int, assigned: dict[str, int]
) -> tuple[OperatorLoad, ...]:
    replies = dict(
        s.execute(
            select(Outbox.operator_id, func.count())
            .where(
                Outbox.state == OutboxState.SENT.value,
                Outbox.updated_at >= start,
                Outbox.updated_at < end,
                Outbox.operator_id.is_not(None),
            )
            .group_by(Outbox.operator_id)
        ).all()
    )
    staff = s.execute(
        select(Operator.id, Operator.name, Operator.on_duty).order_by(Operator.name, Operator.id)
    ).all()
    return tuple(
        OperatorLoad(i, n, bool(d), assigned.get(i, 0), int(replies.get(i, 0))) for i, n, d in staff
    )


# -- the dashboard ---------------------------------------------------------------------------


@dataclass
class _QueueSum:
    open: int = 0
    unassigned: int = 0
    untriaged: int = 0
    waiting: int = 0
    oldest: int | None = None
    breached: int = 0

    def add(
        self, department: str | None, n: int, unassigned: int, waiting: int, oldest: int | None
    ) -> None:
        self.open += n
        self.unassigned += unassigned
        self.untriaged += n if department is None else 0
        self.waiting += waiting
        if oldest is not None:
            self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)

    def frozen(self) -> Queue:
        return Queue(
            self.open, self.unassigned, self.untriaged, self.waiting, self.oldest, self.breached
        )


def dashboard(store: Store, now_ms: int) -> Dashboard:
    """The dashboard's figures at ``now_ms`` (see the module docstring for definitions).

    Costs a handful of indexed queries plus business-time arithmetic on the last 30 days'
    replies and resolutions; ``sotong bench`` reports it as ``dashboard_ms``.
    """
    c = Conversation
    with store.read() as s:
        ctx = _Context(s)
        cal = ctx.calendar
        days = _days(cal, now_ms, TREND_DAYS)
        month_start = cal.day_start_ms(days[0])
        week_start = cal.day_start_ms(days[-HOURS_DAYS])
        today_start = cal.day_start_ms(days[-1])
        windows = [(today_start, now_ms + 1), (week_start, now_ms + 1), (month_start, now_ms + 1)]

        clinic = _QueueSum()
        by_dept: defaultdict[str | None, _QueueSum] = defaultdict(_QueueSum)
        by_kind: defaultdict[str, _QueueSum] = defaultdict(_QueueSum)
        # One scan of the partial covering index ix_conversation_active, in its order.
        queue = text(
            "SELECT department, account_id, count(*),"  # noqa: S608 (constants only)
            " sum(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END),"
            " count(waiting_since), min(waiting_since),"
            " sum(CASE WHEN waiting_since IS NOT NULL AND first_response_at IS NULL"
            " THEN 1 ELSE 0 END)"
            f" FROM conversation WHERE {ACTIVE_SQL} GROUP BY department, account_id"
        )
        waiting_groups: Waiting = {}
        for dept, account, n, unassigned, waiting, oldest, first in s.execute(queue):
            kind = ctx.kinds.get(account, "")
            for target in (clinic, by_dept[dept], by_kind[kind]):
                target.add(dept, int(n), int(unassigned or 0), int(waiting), oldest)
            waiting_groups[(dept, account, True)] = int(first or 0)
            waiting_groups[(dept, account, False)] = int(waiting) - int(first or 0)
        assigned = {
            str(k): int(v)
            for k, v in s.execute(
                select(c.assignee_id, func.count())
                .where(c.folder == FOLDER_ACTIVE, c.assignee_id.is_not(None))
                .group_by(c.assignee_id)
            )
        }
        breaches = breaches_by_group(s, ctx.cutoffs(now_ms), waiting_groups)
        for (dept, account), n in breaches.items():
            for target in (clinic, by_dept[dept], by_kind[ctx.kinds.get(account, "")]):
                target.breached += n

        rows = _rows(s, ctx, windows)

        empty = _Rows(rows.windows, [], [], [], [])
        per_dept = rows.split(lambda d, _c: d)
        per_kind = rows.split(lambda _d, k: k)

        def group(key: str | None, q: _QueueSum, mine: _Rows) -> Group:
            today, week, month = (mine.period(i) for i in range(3))
            return Group(key, q.frozen(), today, week, month)

        departments = tuple(
            group(d, by_dept[d], per_dept.get(d, empty)) for d in [*ctx.departments, None]
        )
        channels = tuple(group(k, by_kind[k], per_kind.get(k, empty)) for k in ctx.channels)
        overall = group(None, clinic, rows)
        operators = _operators(s, today_start, now_ms + 1, assigned)
        trends = _trends(s, ctx, days, month_start, now_ms + 1, week_start, rows.firsts)
    return Dashboard(now_ms, overall, departments, channels, operators, trends)


# -- a chosen period -------------------------------------------------------------------------


def report(store: Store, start_ms: int, end_ms: int) -> Report:
    """The figures of ``[start_ms, end_ms)``: episodes opened, first-response and resolution
    times, late replies — for the clinic, per department and per channel — replies per member
    of staff (with their active conversations now), and the trends over the period's days.

    Raises:
        ValueError: ``end_ms`` is not after ``start_ms``.
    """
    if end_ms <= start_ms:
        raise ValueError("the period must end after it starts")
    c = Conversation
    with store.read() as s:
        ctx = _Context(s)
        rows = _rows(s, ctx, [(start_ms, end_ms)])
        empty = _Rows(rows.windows, [], [], [], [])
        per_dept = rows.split(lambda d, _c: d)
        per_kind = rows.split(lambda _d, k: k)
        departments = tuple(
            PeriodGroup(d, per_dept.get(d, empty).period(0)) for d in [*ctx.departments, None]
        )
        channels = tuple(PeriodGroup(k, per_kind.get(k, empty).period(0)) for k in ctx.channels)
        clinic = rows.period(0)
        assigned = dict(
            s.execute(
                select(c.assignee_id, func.count())
                .where(c.folder == FOLDER_ACTIVE, c.assignee_id.is_not(None))
                .group_by(c.assignee_id)
            ).all()
        )
        operators = _operators(s, start_ms, end_ms, {str(k): int(v) for k, v in assigned.items()})
        days = _day_range(ctx.calendar, start_ms, end_ms)
        trends = _trends(s, ctx, days, start_ms, end_ms, start_ms, rows.firsts)
    return Report(start_ms, end_ms, clinic, departments, channels, operators, trends)
