"""Business time: the clinic's opening hours, Korean public holidays and the clinic's own
closed days, in Asia/Seoul.

:class:`Calendar` answers two questions in constant time after a one-off table build:
:meth:`Calendar.business_ms` (how much of ``[start, end)`` the clinic was open) and its
inverse :meth:`Calendar.subtract_business` (the latest start whose business time to ``end``
equals a duration). SLA breach counts turn each target into a cutoff with the inverse, so the
database compares one column with one number instead of Python walking rows.

Public holidays (공휴일) follow 「공휴일에 관한 법률」 (in force 2021, amended 2026-02-10: 노동절
and 제헌절 are public holidays from 2026) and 「관공서의 공휴일에 관한 규정」 (substitute holidays,
대체공휴일): the fixed-date holidays are computed; the lunar ones (설날, 부처님오신날, 추석) come
from :data:`LUNAR_HOLIDAYS`, whose dates are the Korea Astronomy and Space Science Institute's
(한국천문연구원, KASI) lunar-solar conversion (월력요항 for 2024–2027 as published; 2028–2030
from KASI's conversion table — checked against the ``korean-lunar-calendar`` package, which
ships KASI's data, and the ``holidays`` package's South Korea calendar). Election days and
one-off temporary holidays (임시공휴일) are in :data:`SPECIAL_HOLIDAYS`. Outside 2024–2030 only
the fixed-date holidays are known: a clinic adds the rest as its own closed days.

Times are integer milliseconds since the epoch (UTC), as everywhere in the store.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
MINUTE_MS = 60_000
DAY_MINUTES = 24 * 60

#: What :meth:`Calendar.subtract_business` returns when no start is early enough (a calendar
#: with no business hours at all): a time before every stored time.
NEVER = -(2**62)

# Holiday codes (the UI names them; the core speaks in codes).
NEW_YEAR = "new_year"  # 신정
SEOLLAL = "seollal"  # 설날 (the day before, the day, the day after)
INDEPENDENCE = "independence"  # 삼일절
LABOR = "labor"  # 노동절 (from 2026)
CHILDREN = "children"  # 어린이날
BUDDHA = "buddha"  # 부처님오신날
MEMORIAL = "memorial"  # 현충일
CONSTITUTION = "constitution"  # 제헌절 (from 2026)
LIBERATION = "liberation"  # 광복절
CHUSEOK = "chuseok"  # 추석 (the day before, the day, the day after)
FOUNDATION = "foundation"  # 개천절
HANGUL = "hangul"  # 한글날
CHRISTMAS = "christmas"  # 기독탄신일
ELECTION = "election"  # 선거일
TEMPORARY = "temporary"  # 임시공휴일
SUBSTITUTE = "substitute"  # 대체공휴일

#: Solar dates of lunar 1/1 (설날), 4/8 (부처님오신날) and 8/15 (추석) in Korea (KASI).
LUNAR_HOLIDAYS: dict[int, tuple[dt.date, dt.date, dt.date]] = {
    2024: (dt.date(2024, 2, 10), dt.date(2024, 5, 15), dt.date(2024, 9, 17)),
    2025: (dt.date(2025, 1, 29), dt.date(2025, 5, 5), dt.date(2025, 10, 6)),
    2026: (dt.date(2026, 2, 17), dt.date(2026, 5, 24), dt.date(2026, 9, 25)),
    2027: (dt.date(2027, 2, 7), dt.date(2027, 5, 13), dt.date(2027, 9, 15)),
    2028: (dt.date(2028, 1, 27), dt.date(2028, 5, 2), dt.date(2028, 10, 3)),
    2029: (dt.date(2029, 2, 13), dt.date(2029, 5, 20), dt.date(2029, 9, 22)),
    2030: (dt.date(2030, 2, 3), dt.date(2030, 5, 9), dt.date(2030, 9, 12)),
}

#: Election days (공직선거법 제34조: by law a public holiday) and temporary holidays
#: designated by the government. Future elections are the dates the law fixes today.
SPECIAL_HOLIDAYS: dict[dt.date, str] = {
    dt.date(2024, 4, 10): ELECTION,  # 제22대 국회의원 선거
    dt.date(2024, 10, 1): TEMPORARY,  # 국군의 날 임시공휴일
    dt.date(2025, 1, 27): TEMPORARY,  # 설 연휴 임시공휴일
    dt.date(2025, 6, 3): ELECTION,  # 제21대 대통령 선거
    dt.date(2026, 6, 3): ELECTION,  # 제9회 전국동시지방선거
    dt.date(2028, 4, 12): ELECTION,  # 제23대 국회의원 선거
    dt.date(2030, 3, 27): ELECTION,  # 제22대 대통령 선거
    dt.date(2030, 6, 12): ELECTION,  # 제10회 전국동시지방선거
}


def _fixed(year: int) -> list[tuple[dt.date, str, bool]]:
    """The fixed-date holidays of a year: (date, code, gets a substitute when on a weekend)."""
    days = [
        (dt.date(year, 1, 1), NEW_YEAR, False),
        (dt.date(year, 3, 1), INDEPENDENCE, year >= 2021),
        (dt.date(year, 5, 5), CHILDREN, year >= 2014),
        (dt.date(year, 6, 6), MEMORIAL, False),
        (dt.date(year, 8, 15), LIBERATION, year >= 2021),
        (dt.date(year, 10, 3), FOUNDATION, year >= 2021),
        (dt.date(year, 10, 9), HANGUL, year >= 2021),
        (dt.date(year, 12, 25), CHRISTMAS, year >= 2023),
    ]
    if year >= 2026:
        days += [(dt.date(year, 5, 1), LABOR, True), (dt.date(year, 7, 17), CONSTITUTION, True)]
    return days


@lru_cache(maxsize=64)
def korean_holidays(year: int) -> dict[dt.date, str]:
    """Korea's public holidays in ``year``, substitute holidays included.

    Substitute rules (관공서의 공휴일에 관한 규정 제3조): 설날 and 추석 get one when one of their
    three days falls on a Sunday or on another holiday; the other holidays marked so in
    :func:`_fixed` (and 부처님오신날 from 2023) get one when they fall on a Saturday, a Sunday
    or another holiday. The substitute is the first following day that is neither a weekend
    nor a holiday; holidays falling on the same day share one substitute.

    Returns:
        ``{date: code}``; a substitute's code is ``"substitute"``.
    """
    days: dict[dt.date, str] = {}
    counts: dict[dt.date, int] = {}

    def add(day: dt.date, code: str) -> None:
        days.setdefault(day, code)
        counts[day] = counts.get(day, 0) + 1

    weekend_rule: list[dt.date] = []  # substitute when on Sat/Sun/another holiday
    sunday_rule: list[tuple[dt.date, ...]] = []  # 설날/추석: substitute when Sunday/overlap
    for day, code, substitutes in _fixed(year):
        add(day, code)
        if substitutes:
            weekend_rule.append(day)
    lunar = LUNAR_HOLIDAYS.get(year)
    if lunar is not None:
        seollal, buddha, chuseok = lunar
        for centre, code in ((seollal, SEOLLAL), (chuseok, CHUSEOK)):
            three = tuple(centre + dt.timedelta(days=k) for k in (-1, 0, 1))
            for day in three:
                add(day, code)
            sunday_rule.append(three)
        add(buddha, BUDDHA)
        if year >= 2023:
            weekend_rule.append(buddha)
    for day, code in SPECIAL_HOLIDAYS.items():
        if day.year == year:
            add(day, code)
    owed: set[dt.date] = set()  # holidays (by date) owed a substitute
    for day in weekend_rule:
        if day.weekday() >= 5 or counts[day] > 1:
            owed.add(day)
    for three in sunday_rule:
        owed.update(d for d in three if d.weekday() == 6 or counts[d] > 1)
    taken: set[dt.date] = set()
    for day in sorted(owed):
        sub = day + dt.timedelta(days=1)
        while sub.weekday() >= 5 or sub in days or sub in taken:
            sub += dt.timedelta(days=1)
        taken.add(sub)
    for sub in taken:
        days[sub] = SUBSTITUTE
    return dict(sorted(days.items()))


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one weekday, in minutes after local midnight.

    Attributes:
        open_min: Opening time (09:30 is 570).
        close_min: Closing time.
        lunch_start_min: Start of the lunch break, or None for no break.
        lunch_end_min: End of the lunch break.
    """

    open_min: int
    close_min: int
    lunch_start_min: int | None = None
    lunch_end_min: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.open_min < self.close_min <= DAY_MINUTES:
            raise ValueError(f"opening hours {self.open_min}..{self.close_min}")
        lunch = (self.lunch_start_min, self.lunch_end_min)
        if (lunch[0] is None) != (lunch[1] is None):
            raise ValueError("a lunch break needs a start and an end")
        if (
            lunch[0] is not None
            and lunch[1] is not None
            and not self.open_min < lunch[0] < lunch[1] < self.close_min
        ):
            raise ValueError(f"lunch break {lunch[0]}..{lunch[1]} outside opening hours")

    def intervals(self) -> tuple[tuple[int, int], ...]:
        """The open stretches of the day, in minutes: one, or two around lunch."""
        if self.lunch_start_min is None or self.lunch_end_min is None:
            return ((self.open_min, self.close_min),)
        return (
            (self.open_min, self.lunch_start_min),
            (self.lunch_end_min, self.close_min),
        )

    @property
    def minutes(self) -> int:
        """How long the clinic is open that day."""
        return sum(b - a for a, b in self.intervals())


def hm(text: str) -> int:
    """``"09:30"`` as minutes after midnight (570)."""
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= DAY_MINUTES:
        raise ValueError(text)
    return value


#: Monday–Friday 09:30–18:30, Saturday 09:30–14:00, Sunday closed; no lunch break.
DEFAULT_WEEK: tuple[DayHours | None, ...] = (
    *(DayHours(hm("09:30"), hm("18:30")) for _ in range(5)),
    DayHours(hm("09:30"), hm("14:00")),
    None,
)


@dataclass(frozen=True)
class CalendarSpec:
    """Everything that decides when the clinic is open (hashable, so calendars are shared).

    Attributes:
        week: Hours per weekday, Monday first; None is closed all day.
        closed: The clinic's own closed days (summer break, founding day ...).
        open_on: Public holidays the clinic works anyway (with that weekday's hours).
        public_holidays: Whether Korean public holidays close the clinic.
    """

    week: tuple[DayHours | None, ...] = DEFAULT_WEEK
    closed: frozenset[dt.date] = field(default_factory=frozenset)
    open_on: frozenset[dt.date] = field(default_factory=frozenset)
    public_holidays: bool = True

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")


@dataclass
class _Table:
    """Each day's open stretches (ms) and the business ms before it, from day ``base``."""

    base: int
    cum: list[int]
    spans: list[tuple[tuple[int, int], ...]]
    starts: list[int]  # each day's local midnight, ms

    @classmethod
    def build(cls, calendar: Calendar, first: int, last: int) -> _Table:
        table = cls(first, [], [], [])
        table.extend(calendar, last)
        return table

    def extend(self, calendar: Calendar, last: int) -> None:
        """Append days up to ordinal ``last``."""
        total = self.cum[-1] + sum(b - a for a, b in self.spans[-1]) if self.cum else 0
        for ordinal in range(self.base + len(self.cum), last + 1):
            spans = calendar._row(ordinal)
            # cum last: a reader only looks at the first len(cum) days
            self.spans.append(spans)
            self.starts.append(calendar._midnight_ms(dt.date.fromordinal(ordinal)))
            self.cum.append(total)
            total += sum(b - a for a, b in spans)


class Calendar:
    """Business time over a :class:`CalendarSpec` in a time zone.

    A table of each day's open stretches and the business time before it is built lazily
    around the times asked about and extended on demand, so each question costs a time-zone
    conversion and a lookup. Safe to share between threads.
    """

    def __init__(self, spec: CalendarSpec | None = None, tz: dt.tzinfo = SEOUL) -> None:
        self.spec = spec or CalendarSpec()
        self.tz = tz
        self._lock = threading.Lock()
        self._t: _Table | None = None

    # -- days --------------------------------------------------------------------------

    def holiday(self, day: dt.date) -> str | None:
        """The public holiday code of ``day`` (whether or not the clinic observes it)."""
        return korean_holidays(day.year).get(day)

    def is_closed(self, day: dt.date) -> bool:
        """Whether the clinic is closed all of ``day``."""
        spec = self.spec
        if day in spec.closed:
            return True
        if spec.week[day.weekday()] is None:
            return True
        return spec.public_holidays and day not in spec.open_on and self.holiday(day) is not None

    def hours(self, day: dt.date) -> DayHours | None:
        """The opening hours of ``day``, or None when closed."""
        return None if self.is_closed(day) else self.spec.week[day.weekday()]

    def _midnight_ms(self, day: dt.date) -> int:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return int(local.timestamp() * 1000)

    def _ordinal(self, ms: int) -> int:
        """The local day (ordinal) of a time: a search in the table's midnights when the
        table covers it, else a time-zone conversion."""
        table = self._t
        if table is not None:
            n = len(table.cum)
            starts = table.starts
            if n > 1 and starts[0] <= ms < starts[n - 1]:
                return table.base + bisect.bisect_right(starts, ms, 0, n) - 1
        return self._day_of(ms).toordinal()

    def _day_of(self, ms: int) -> dt.date:
        return dt.datetime.fromtimestamp(ms / 1000, self.tz).date()

    def local_day(self, ms: int) -> dt.date:
        """The local date of a time."""
        return dt.date.fromordinal(self._ordinal(ms))

    def day_start_ms(self, day: dt.date) -> int:
        """Local midnight of ``day`` as a time."""
        return self._midnight_ms(day)

    def _row(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        day = dt.date.fromordinal(ordinal)
        hours = self.hours(day)
        if hours is None:
            return ()
        start = self._midnight_ms(day)
        return tuple((start + a * MINUTE_MS, start + b * MINUTE_MS) for a, b in hours.intervals())

    def _table(self, first: int, last: int) -> _Table:
        """A table covering day ordinals ``first..last`` (and the day after)."""
        table = self._t
        if table is not None and table.base <= first and last + 1 < table.base + len(table.cum):
            return table
        with self._lock:
            table = self._t
            if table is None:
                lo, hi = first - 7, last + 31
            else:
                lo = min(first - 31, table.base) if first < table.base else table.base
                end = table.base + len(table.cum) - 1
                hi = max(last + 31, end) if last + 1 >= end else end
            lo = max(1, lo)
            if table is not None and lo == table.base:
                table.extend(self, hi)  # appending keeps indexes valid for other readers
            else:
                table = _Table.build(self, lo, hi)
                self._t = table
            return table

    def _cum_at(self, table: _Table, ms: int, ordinal: int) -> int:
        """Business ms from the table's base to ``ms`` (which falls on day ``ordinal``)."""
        i = ordinal - table.base
        total = table.cum[i]
        for a, b in table.spans[i]:
            if ms <= a:
                break
            total += min(ms, b) - a
        return total

    # -- questions ---------------------------------------------------------------------

    def business_ms(self, start_ms: int, end_ms: int) -> int:
        """How many milliseconds of ``[start_ms, end_ms)`` fall in business hours (0 when
        ``end_ms`` is not after ``start_ms``)."""
        if end_ms <= start_ms:
            return 0
        first, last = self._ordinal(start_ms), self._ordinal(end_ms)
        table = self._table(first, last)
        return self._cum_at(table, end_ms, last) - self._cum_at(table, start_ms, first)

    def subtract_business(self, end_ms: int, duration_ms: int) -> int:
        """The latest start whose business time to ``end_ms`` equals ``duration_ms``.

        A wait that started at or before the result has had at least ``duration_ms`` of
        business time by ``end_ms``; one that started after it has had less. When the
        duration runs back exactly to the close of a business stretch, the start is the
        opening of the next stretch (a message sent overnight has had no business time yet).

        Returns:
            The start, or :data:`NEVER` when the calendar has no business time that far back
            (searched up to about eleven years).
        """
        if duration_ms <= 0:
            return end_ms
        last = self._ordinal(end_ms)
        back = 14
        while True:
            table = self._table(last - back, last)
            target = self._cum_at(table, end_ms, last) - duration_ms
            if target >= 0:
                break
            if back > 4096 or table.base <= 1:
                return NEVER
            back *= 2
        end_i = last - table.base
        i = bisect.bisect_right(table.cum, target, 0, end_i + 1) - 1
        acc = table.cum[i]
        while True:
            for a, b in table.spans[i]:
                if acc + (b - a) > target:
                    return a + (target - acc)
                acc += b - a
            i += 1  # the target is this day's whole total: the next stretch starts it

    def open_stretches(self, start_ms: int, end_ms: int) -> Iterable[tuple[int, int]]:
        """The business stretches overlapping ``[start_ms, end_ms)``, clipped to it."""
        first, last = self._ordinal(start_ms), self._ordinal(end_ms)
        table = self._table(first, last)
        for i in range(first - table.base, last - table.base + 1):
            for a, b in table.spans[i]:
                lo, hi = max(a, start_ms), min(b, end_ms)
                if lo < hi:
                    yield lo, hi


@lru_cache(maxsize=8)
def calendar_for(spec: CalendarSpec) -> Calendar:
    """A shared :class:`Calendar` per spec, so its day table is built once per process."""
    return Calendar(spec)


def spec_from(
    week: Mapping[int, DayHours | None] | None = None,
    closed: Iterable[dt.date] = (),
    open_on: Iterable[dt.date] = (),
    public_holidays: bool = True,
) -> CalendarSpec:
    """A spec from a partial week (missing weekdays keep the default hours)."""
    days = list(DEFAULT_WEEK)
    for weekday, hours in (week or {}).items():
        days[weekday] = hours
    return CalendarSpec(tuple(days), frozenset(closed), frozenset(open_on), public_holidays)
