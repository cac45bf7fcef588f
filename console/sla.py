"""Service-level targets: how long, in business time, a customer may wait for an answer.

A conversation is *waiting* while a customer message is unanswered (``waiting_since``). Its
target is the first-response target until the clinic has answered once in the current
episode (``first_response_at`` is null), the next-response target after that. It is
*breached* once it has waited its whole target in business time
(:mod:`console.worktime`).

Counting breaches never computes business time per row: for each (department, channel,
first-or-next) group, the target becomes a cutoff time with
:meth:`console.worktime.Calendar.subtract_business` — a wait that began at or before the
cutoff has reached its target — and the database compares ``waiting_since`` with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import String, TextualSelect, column, select, text
from sqlalchemy.orm import Session

from console.store.engine import Store
from console.store.models import (
    ACTIVE_SQL,
    BusinessCalendar,
    CalendarDay,
    ChannelAccount,
    SlaTarget,
)
from console.worktime import (
    DEFAULT_WEEK,
    MINUTE_MS,
    NEVER,
    SEOUL,
    Calendar,
    CalendarSpec,
    DayHours,
    calendar_for,
)

#: The clinic default when the database holds no target at all.
DEFAULT_FIRST_MIN = 60
DEFAULT_NEXT_MIN = 120
ANY = ""


@dataclass(frozen=True)
class Target:
    """Response targets in business minutes."""

    first_response_min: int
    next_response_min: int

    def minutes(self, first: bool) -> int:
        """The target that applies: first response, or a later one."""
        return self.first_response_min if first else self.next_response_min


@dataclass(frozen=True)
class TargetRow:
    """One stored target: ``department``/``channel`` are ``""`` for "any"."""

    department: str
    channel: str
    first_response_min: int
    next_response_min: int


@dataclass(frozen=True)
class Targets:
    """Every stored target, resolved per (department, channel)."""

    rows: tuple[TargetRow, ...]

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], TargetRow]:
        return {(r.department, r.channel): r for r in self.rows}

    def for_(self, department: str | None, channel: str) -> Target:
        """The target of a conversation: (department, channel), then (any, channel) — a
        channel's target overrides the department's — then (department, any), then the
        clinic default."""
        rows = self._by_key
        dept = department or ANY
        for key in ((dept, channel), (ANY, channel), (dept, ANY), (ANY, ANY)):
            row = rows.get(key)
            if row is not None:
                return Target(row.first_response_min, row.next_response_min)
        return Target(DEFAULT_FIRST_MIN, DEFAULT_NEXT_MIN)


def read_targets(s: Session) -> Targets:
    """The stored targets, default first."""
    rows = s.execute(
        select(
            SlaTarget.department,
            SlaTarget.channel,
            SlaTarget.first_response_min,
            SlaTarget.next_response_min,
        ).order_by(SlaTarget.department, SlaTarget.channel)
    ).all()
    return Targets(tuple(TargetRow(d, c, int(f), int(n)) for d, c, f, n in rows))


def week_from_json(week: object) -> tuple[DayHours | None, ...]:
    """The stored week (seven ``[open, close, lunch_start, lunch_end]`` or null entries)."""
    if not isinstance(week, list) or len(week) != 7:
        return DEFAULT_WEEK
    days: list[DayHours | None] = []
    for entry in week:
        if entry is None:
            days.append(None)
            continue
        opening, closing, lunch_start, lunch_end = [*list(entry), None, None][:4]
        days.append(DayHours(int(opening), int(closing), lunch_start, lunch_end))
    return tuple(days)


def week_to_json(week: tuple[DayHours | None, ...]) -> list[list[int | None] | None]:
    """The inverse of :func:`week_from_json`."""
    return [
        None if d is None else [d.open_min, d.close_min, d.lunch_start_min, d.lunch_end_min]
        for d in week
    ]


@dataclass(frozen=True)
class CalendarSettings:
    """The clinic's calendar as stored (what Settings → SLA edits)."""

    timezone: str
    week: tuple[DayHours | None, ...]
    public_holidays: bool
    closed: Mapping[dt.date, str]  # the clinic's own closed days, with a note
    open_on: Mapping[dt.date, str]  # public holidays the clinic works

    def spec(self) -> CalendarSpec:
        """The :class:`CalendarSpec` these settings describe."""
        return CalendarSpec(
            self.week, frozenset(self.closed), frozenset(self.open_on), self.public_holidays
        )


def read_calendar_settings(s: Session) -> CalendarSettings:
    """The stored calendar (defaults when the row is missing)."""
    row = s.get(BusinessCalendar, 1)
    closed: dict[dt.date, str] = {}
    open_on: dict[dt.date, str] = {}
    for day, is_closed, note in s.execute(
        select(CalendarDay.day, CalendarDay.closed, CalendarDay.note)
        .where(CalendarDay.present)
        .order_by(CalendarDay.day)
    ):
        (closed if is_closed else open_on)[dt.date.fromisoformat(day)] = note
    if row is None:
        return CalendarSettings("Asia/Seoul", DEFAULT_WEEK, True, closed, open_on)
    return CalendarSettings(
        row.timezone, week_from_json(row.week), bool(row.public_holidays), closed, open_on
    )


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return SEOUL


def calendar_of(settings: CalendarSettings) -> Calendar:
    """The shared business calendar for stored settings."""
    if settings.timezone == "Asia/Seoul":
        return calendar_for(settings.spec())
    return Calendar(settings.spec(), _zone(settings.timezone))


def load_calendar(store: Store) -> Calendar:
    """The clinic's business calendar as the database holds it now."""
    with store.read() as s:
        return calendar_of(read_calendar_settings(s))


@dataclass(frozen=True)
class Cutoffs:
    """Breach cutoffs at one moment: a wait that began at or before its group's cutoff has
    reached its target.

    Attributes:
        now_ms: The moment.
        by_group: ``(department or None, channel kind, first response?) -> cutoff``.
        targets: The targets they come from.
    """

    now_ms: int
    by_group: Mapping[tuple[str | None, str, bool], int]
    targets: Targets

    def cutoff(self, department: str | None, channel: str, first: bool) -> int:
        """The cutoff of a group; one not listed (a department or channel added after these
        cutoffs were computed) never counts as breached until they are computed again."""
        return self.by_group.get((department, channel, first), _NO_CUTOFF)

    def breached(
        self, department: str | None, channel: str, waiting_since: int | None, first: bool
    ) -> bool:
        """Whether a conversation waiting since ``waiting_since`` has reached its target."""
        if waiting_since is None:
            return False
        return waiting_since <= self.cutoff(department, channel, first)


_NO_CUTOFF = -(2**62)


def compute_cutoffs(
    calendar: Calendar,
    targets: Targets,
    now_ms: int,
    departments: list[str | None],
    channels: list[str],
) -> Cutoffs:
    """Cutoffs for every (department, channel, first?) combination; one
    ``subtract_business`` per distinct target."""
    by_minutes: dict[int, int] = {}
    groups: dict[tuple[str | None, str, bool], int] = {}
    for department in departments:
        for channel in channels:
            target = targets.for_(department, channel)
            for first in (True, False):
                minutes = target.minutes(first)
                if minutes not in by_minutes:
                    by_minutes[minutes] = calendar.subtract_business(now_ms, minutes * MINUTE_MS)
                groups[(department, channel, first)] = by_minutes[minutes]
    return Cutoffs(now_ms, groups, targets)


def cutoffs(store: Store, now_ms: int) -> Cutoffs:
    """The breach cutoffs of every department and channel at ``now_ms``."""
    with store.read() as s:
        settings = read_calendar_settings(s)
        targets = read_targets(s)
        departments: list[str | None] = [None, *s.scalars(text("SELECT code FROM department"))]
        channels = sorted(set(s.scalars(select(ChannelAccount.kind))))
    return compute_cutoffs(calendar_of(settings), targets, now_ms, departments, channels)


#: Waiting conversations per (department, account id, first response?).
Waiting = dict[tuple[str | None, str, bool], int]


def waiting_by_group(s: Session) -> Waiting:
    """How many active conversations wait for an answer, per (department, account, first
    response?): one scan of the covering index ``ix_conversation_active``."""
    sql = text(
        "SELECT department, account_id, count(*),"  # noqa: S608 (constants only)
        " sum(CASE WHEN first_response_at IS NULL THEN 1 ELSE 0 END) FROM conversation"
        f" WHERE {ACTIVE_SQL} AND waiting_since IS NOT NULL GROUP BY department, account_id"
    )
    out: Waiting = {}
    for department, account, n, n_first in s.execute(sql):
        first = int(n_first or 0)
        if first:
            out[(department, account, True)] = first
        if int(n) - first:
            out[(department, account, False)] = int(n) - first
    return out


def _not_yet_due(s: Session, cut: Cutoffs, kinds: Mapping[str, str]) -> Waiting:
    """Waiting conversations that have not reached their target, per group.

    The cutoffs are a ``VALUES`` list of (department, account, first?, cutoff) that drives
    the join: each of its rows is one short range of ``ix_conversation_active``
    (department, account, waiting_since ...; active only) — the waits that began after the
    cutoff — so the cost follows the recent waits, not the whole queue.
    """
    values: list[str] = []
    params: dict[str, object] = {}
    postgres = s.get_bind().dialect.name == "postgresql"
    for (department, channel, first), cutoff in cut.by_group.items():
        for account_id, kind in kinds.items():
            if kind != channel:
                continue
            n = len(values)
            if postgres:
                values.append(f"(CAST(:d{n} AS VARCHAR), :a{n}, :f{n}, CAST(:c{n} AS BIGINT))")
            else:
                values.append(f"(:d{n}, :a{n}, :f{n}, :c{n})")
            params.update({f"d{n}": department, f"a{n}": account_id, f"f{n}": int(first)})
            params[f"c{n}"] = cutoff
    if not values:
        return {}
    same_department = (
        "c.department IS NOT DISTINCT FROM cut.department"
        if postgres
        else "c.department IS cut.department"
    )
    sql = text(
        f"WITH cut(department, account_id, first, cutoff) AS (VALUES {', '.join(values)}) "  # noqa: S608
        "SELECT cut.department, cut.account_id, cut.first, count(*)"
        " FROM cut CROSS JOIN conversation c"
        f" WHERE c.{ACTIVE_SQL} AND {same_department} AND c.account_id = cut.account_id"
        " AND c.waiting_since > cut.cutoff"
        " AND CASE WHEN c.first_response_at IS NULL THEN 1 ELSE 0 END = cut.first"
        " GROUP BY cut.department, cut.account_id, cut.first"
    )
    return {(d, a, bool(f)): int(n) for d, a, f, n in s.execute(sql, params)}


def breaches_by_group(
    s: Session, cut: Cutoffs, waiting: Waiting | None = None
) -> dict[tuple[str | None, str], int]:
    """Active conversations that have reached their target, per (department, account id):
    the waiting ones (``waiting``, or read now) less those whose wait began after their
    group's cutoff, both counted by the database."""
    kinds = dict(s.execute(select(ChannelAccount.id, ChannelAccount.kind)).all())
    if waiting is None:
        waiting = waiting_by_group(s)
    recent = _not_yet_due(s, cut, kinds)
    out: dict[tuple[str | None, str], int] = {}
    for (department, account, first), n in waiting.items():
        if (department, kinds.get(account, ""), first) not in cut.by_group:
            continue  # a department or account added since the cutoffs were computed
        breached = n - recent.get((department, account, first), 0)
        if breached:
            out[(department, account)] = out.get((department, account), 0) + breached
    return out


def breach_counts(store: Store, now_ms: int) -> dict[str | None, int]:
    """How many waiting conversations have reached their target, per department (None for
    untriaged); departments with none are absent. What the navigation shows."""
    return dict(snapshot(store, now_ms).breaches)


@dataclass(frozen=True)
class Snapshot:
    """What the lists and the navigation show about SLA at one moment.

    Attributes:
        cutoffs: Per-group breach cutoffs (the list marks a row from these, no query).
        breaches: Breached waiting conversations per department (None: untriaged).
    """

    cutoffs: Cutoffs
    breaches: Mapping[str | None, int]


def snapshot(store: Store, now_ms: int) -> Snapshot:
    """Cutoffs and breach counts per department at ``now_ms`` (a few ms; the read worker)."""
    cut = cutoffs(store, now_ms)
    totals: dict[str | None, int] = {}
    with store.read() as s:
        for (department, _account), n in breaches_by_group(s, cut).items():
            totals[department] = totals.get(department, 0) + n
    return Snapshot(cut, totals)


# -- late replies, for the list ----------------------------------------------------------------


def late_replies_select(s: Session, start_ms: int, end_ms: int) -> TextualSelect | None:
    """The conversations whose first response, or a later reply that ended a wait, was sent
    in ``[start_ms, end_ms)`` and took longer than its target in business time — the *late*
    replies :mod:`console.reports` counts — as a SQL ``SELECT id``, for a list filter.

    Business time is computed by the database: the clinic's open stretches from a little
    before ``start_ms`` to ``end_ms`` become a ``VALUES`` table ``(open, close, business ms
    before it)``, so the business time to any moment ``t`` is one indexed-free lookup
    (``cum + min(t, close) - open`` of the last stretch opening at or before ``t``), and a
    reply is late when that of its end less that of its start exceeds the target
    (another ``VALUES`` table, per department and account). The stretches reach back far
    enough that a start before them is always late (it has had more than the longest
    target of business time by ``start_ms``). The candidates are read through the indexes
    on ``first_response_at`` and ``replied_at``: the cost follows the period's replies.

    Args:
        s: A session to read the targets, calendar and accounts in.
        start_ms: The period's start (e.g. today's local midnight).
        end_ms: Its end (exclusive).

    Returns:
        The ``SELECT``, with its parameters bound, or None when nothing can be late (no
        accounts, or a calendar without business time).
    """
    targets = read_targets(s)
    calendar = calendar_of(read_calendar_settings(s))
    kinds = dict(s.execute(select(ChannelAccount.id, ChannelAccount.kind)).all())
    departments: list[str | None] = [None, *s.scalars(text("SELECT code FROM department"))]
    if not kinds:
        return None
    postgres = s.get_bind().dialect.name == "postgresql"

    def big(name: str) -> str:
        return f"CAST(:{name} AS BIGINT)" if postgres else f":{name}"

    params: dict[str, object] = {"t0": start_ms, "t1": end_ms}
    limits: list[str] = []
    longest = 0
    for department in departments:
        for account_id, kind in kinds.items():
            target = targets.for_(department, kind)
            first, nxt = target.minutes(True) * MINUTE_MS, target.minutes(False) * MINUTE_MS
            longest = max(longest, first, nxt)
            n = len(limits)
            dep = f"CAST(:d{n} AS VARCHAR)" if postgres else f":d{n}"
            limits.append(f"({dep}, :a{n}, {big(f'f{n}')}, {big(f'n{n}')})")
            params.update({f"d{n}": department or ANY, f"a{n}": account_id})
            params.update({f"f{n}": first, f"n{n}": nxt})
    since = calendar.subtract_business(start_ms, longest + MINUTE_MS)
    if since == NEVER:
        return None
    stretches: list[str] = []
    cum = 0
    for a, b in calendar.open_stretches(since, end_ms):
        n = len(stretches)
        stretches.append(f"({big(f's{n}')}, {big(f'e{n}')}, {big(f'c{n}')})")
        params.update({f"s{n}": a, f"e{n}": b, f"c{n}": cum})
        cum += b - a
    if not stretches:
        return None

    def business(t: str) -> str:
        """Business ms from the first stretch to ``t`` (0 before it)."""
        return (
            f"COALESCE((SELECT st.cum + (CASE WHEN {t} < st.b THEN {t} ELSE st.b END) - st.a"  # noqa: S608
            f" FROM st WHERE st.a <= {t} ORDER BY st.a DESC LIMIT 1), 0)"
        )

    head = (
        f"WITH st(a, b, cum) AS (VALUES {', '.join(stretches)}),"
        f" lim(department, account_id, first_ms, next_ms) AS (VALUES {', '.join(limits)}) "
    )
    # Only placeholders and column names are put into the text; every value is bound.
    firsts = (
        "SELECT c.id FROM conversation c JOIN lim ON lim.account_id = c.account_id"  # noqa: S608
        f" AND lim.department = COALESCE(c.department, '{ANY}')"
        " WHERE c.first_response_at >= :t0 AND c.first_response_at < :t1"
        " AND c.opened_at IS NOT NULL"
        f" AND {business('c.first_response_at')} - {business('c.opened_at')} > lim.first_ms"
    )
    replies = (
        "SELECT c.id FROM conversation c JOIN lim ON lim.account_id = c.account_id"  # noqa: S608
        f" AND lim.department = COALESCE(c.department, '{ANY}')"
        " WHERE c.replied_at >= :t0 AND c.replied_at < :t1"
        " AND c.replied_wait_from IS NOT NULL"
        " AND COALESCE(c.first_response_at, -1) <> c.replied_at"
        f" AND {business('c.replied_at')} - {business('c.replied_wait_from')} > lim.next_ms"
    )
    sql = text(f"{head}{firsts} UNION {replies}").bindparams(**params)
    return sql.columns(column("id", String))
