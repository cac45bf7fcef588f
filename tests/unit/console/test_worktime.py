"""Business time: opening hours, Korean public holidays and the inverse used for SLA cutoffs.

Every expected figure below was worked out by hand from the clinic's default hours
(Mon–Fri 09:30–18:30, Sat 09:30–14:00, Sunday closed).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.worktime import (
    CHUSEOK,
    NEVER,
    SEOUL,
    SUBSTITUTE,
    Calendar,
    CalendarSpec,
    DayHours,
    hm,
    korean_holidays,
    spec_from,
)

MIN = 60_000

# Korea's public holidays 2024–2030 as the `holidays` package (South Korea) lists them; an
# independent source for the table and the substitute rules in console.worktime.
REFERENCE = """
2024-01-01 2024-02-09 2024-02-10 2024-02-11 2024-02-12 2024-03-01 2024-04-10 2024-05-05
2024-05-06 2024-05-15 2024-06-06 2024-08-15 2024-09-16 2024-09-17 2024-09-18 2024-10-01
2024-10-03 2024-10-09 2024-12-25 2025-01-01 2025-01-27 2025-01-28 2025-01-29 2025-01-30
2025-03-01 2025-03-03 2025-05-05 2025-05-06 2025-06-03 2025-06-06 2025-08-15 2025-10-03
2025-10-05 2025-10-06 2025-10-07 2025-10-08 2025-10-09 2025-12-25 2026-01-01 2026-02-16
2026-02-17 2026-02-18 2026-03-01 2026-03-02 2026-05-01 2026-05-05 2026-05-24 2026-05-25
2026-06-03 2026-06-06 2026-07-17 2026-08-15 2026-08-17 2026-09-24 2026-09-25 2026-09-26
2026-10-03 2026-10-05 2026-10-09 2026-12-25 2027-01-01 2027-02-06 2027-02-07 2027-02-08
2027-02-09 2027-03-01 2027-05-01 2027-05-03 2027-05-05 2027-05-13 2027-06-06 2027-07-17
2027-07-19 2027-08-15 2027-08-16 2027-09-14 2027-09-15 2027-09-16 2027-10-03 2027-10-04
2027-10-09 2027-10-11 2027-12-25 2027-12-27 2028-01-01 2028-01-26 2028-01-27 2028-01-28
2028-03-01 2028-04-12 2028-05-01 2028-05-02 2028-05-05 2028-06-06 2028-07-17 2028-08-15
2028-10-02 2028-10-03 2028-10-04 2028-10-05 2028-10-09 2028-12-25 2029-01-01 2029-02-12
2029-02-13 2029-02-14 2029-03-01 2029-05-01 2029-05-05 2029-05-07 2029-05-20 2029-05-21
2029-06-06 2029-07-17 2029-08-15 2029-09-21 2029-09-22 2029-09-23 2029-09-24 2029-10-03
2029-10-09 2029-12-25 2030-01-01 2030-02-02 2030-02-03 2030-02-04 2030-02-05 2030-03-01
2030-03-27 2030-05-01 2030-05-05 2030-05-06 2030-05-09 2030-06-06 2030-06-12 2030-07-17
2030-08-15 2030-09-11 2030-09-12 2030-09-13 2030-10-03 2030-10-09 2030-12-25
"""


def at(text: str) -> int:
    """'2025-10-02 18:00' in Seoul as epoch milliseconds."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=SEOUL)
    return int(local.timestamp() * 1000)


def test_public_holidays_2024_to_2030_match_an_independent_list() -> None:
    ours = {day for year in range(2024, 2031) for day in korean_holidays(year)}
    assert ours == {dt.date.fromisoformat(d) for d in REFERENCE.split()}


def test_substitute_days_follow_the_rules() -> None:
    # 추석 2025 starts on a Sunday: the substitute is the Wednesday after it (not 한글날).
    assert korean_holidays(2025)[dt.date(2025, 10, 8)] == SUBSTITUTE
    assert korean_holidays(2025)[dt.date(2025, 10, 6)] == CHUSEOK
    # 어린이날 and 부처님오신날 on the same day (2025-05-05) share one substitute.
    subs_may_2025 = [
        d for d, c in korean_holidays(2025).items() if c == SUBSTITUTE and d.month == 5
    ]
    assert subs_may_2025 == [dt.date(2025, 5, 6)]
    # 추석 2028 overlaps 개천절: one substitute, on the first free weekday.
    subs_oct_2028 = [
        d for d, c in korean_holidays(2028).items() if c == SUBSTITUTE and d.month == 10
    ]
    assert subs_oct_2028 == [dt.date(2028, 10, 5)]
    # 현충일 and 신정 never get one.
    assert dt.date(2026, 6, 8) not in korean_holidays(2026)  # 6/6/2026 is a Saturday
    # Outside the lunar table only the fixed-date holidays are known.
    assert dt.date(2031, 3, 3) in korean_holidays(2031)  # 삼일절 2031 is a Saturday
    assert CHUSEOK not in korean_holidays(2031).values()


def test_across_a_weekend() -> None:
    cal = Calendar()
    # Fri 17:30–18:30 (60) + Sat 09:30–14:00 (270) + Sunday closed + Mon 09:30–10:30 (60).
    start, end = at("2026-11-20 17:30"), at("2026-11-23 10:30")
    assert cal.business_ms(start, end) == 390 * MIN
    assert cal.subtract_business(end, 390 * MIN) == start


def test_across_chuseok_with_its_substitute_day() -> None:
    cal = Calendar()
    # Thu 10/2 18:00–18:30 (30); Fri 10/3 개천절; Sat 10/4 09:30–14:00 (270); Sun 10/5–Tue 10/7
    # 추석; Wed 10/8 대체공휴일; Thu 10/9 한글날; Fri 10/10 09:30–10:00 (30).
    start, end = at("2025-10-02 18:00"), at("2025-10-10 10:00")
    assert cal.business_ms(start, end) == 330 * MIN
    assert cal.subtract_business(end, 330 * MIN) == start
    # 60 business minutes before Friday 10:00 runs back over the whole holiday to Saturday.
    assert cal.subtract_business(end, 60 * MIN) == at("2025-10-04 13:30")


def test_lunch_break_is_not_business_time() -> None:
    lunch = DayHours(hm("09:30"), hm("18:30"), hm("12:30"), hm("13:30"))
    cal = Calendar(spec_from({1: lunch}))  # Tuesdays
    start, end = at("2026-11-24 12:00"), at("2026-11-24 14:00")
    assert cal.business_ms(start, end) == 60 * MIN
    assert cal.subtract_business(end, 30 * MIN) == at("2026-11-24 13:30")
    # Exactly the morning's tail: the latest start is when lunch ends, not when it starts.
    assert cal.subtract_business(end, 60 * MIN) == at("2026-11-24 12:00")
    assert cal.subtract_business(at("2026-11-24 13:40"), 10 * MIN) == at("2026-11-24 13:30")
    assert cal.subtract_business(at("2026-11-24 13:30"), 10 * MIN) == at("2026-11-24 12:20")


def test_an_evening_message_waits_from_the_next_opening() -> None:
    cal = Calendar()
    sent, next_morning = at("2026-11-24 20:00"), at("2026-11-25 10:00")
    assert cal.business_ms(sent, next_morning) == 30 * MIN
    assert cal.business_ms(sent, at("2026-11-25 09:00")) == 0
    # The latest start with 30 business minutes to 10:00 is the opening, 09:30.
    assert cal.subtract_business(next_morning, 30 * MIN) == at("2026-11-25 09:30")


def test_clinic_closed_days_and_open_holidays() -> None:
    summer = spec_from(closed=[dt.date(2026, 8, 3)])  # a Monday
    assert Calendar(summer).business_ms(at("2026-08-03 09:00"), at("2026-08-03 20:00")) == 0
    works_holidays = CalendarSpec(open_on=frozenset({dt.date(2026, 10, 9)}))  # 한글날, a Friday
    assert Calendar(works_holidays).business_ms(at("2026-10-09 00:00"), at("2026-10-10 00:00")) == (
        9 * 60 * MIN
    )
    assert Calendar().business_ms(at("2026-10-09 00:00"), at("2026-10-10 00:00")) == 0
    ignores_all = CalendarSpec(public_holidays=False)
    assert Calendar(ignores_all).is_closed(dt.date(2026, 10, 9)) is False


def test_a_calendar_with_no_hours_never_reaches_a_target() -> None:
    never_open = CalendarSpec(week=(None,) * 7)
    assert Calendar(never_open).subtract_business(at("2026-11-24 12:00"), MIN) == NEVER


def test_long_spans_and_far_back_targets() -> None:
    cal = Calendar()
    end = at("2026-11-24 12:00")
    start = cal.subtract_business(end, 2_000 * 60 * MIN)  # 2,000 business hours, about a year
    assert start < end - 300 * 86_400_000
    assert cal.business_ms(start, end) == 2_000 * 60 * MIN


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(at("2024-01-01 00:00"), at("2030-12-01 00:00")),
    span=st.integers(0, 40 * 86_400_000),
)
def test_business_time_agrees_with_walking_each_day(start: int, span: int) -> None:
    cal = Calendar(spec_from({2: DayHours(hm("10:00"), hm("19:00"), hm("13:00"), hm("14:00"))}))
    end = start + span
    walked = sum(b - a for a, b in cal.open_stretches(start, end))
    assert cal.business_ms(start, end) == walked
    if walked:
        back = cal.subtract_business(end, walked)
        assert back >= start
        assert cal.business_ms(back, end) == walked
        assert cal.business_ms(back + 1, end) < walked  # latest such start


def test_the_inverse_on_random_targets() -> None:
    rng = random.Random(5)
    cal = Calendar()
    for _ in range(500):
        end = rng.randrange(at("2025-01-01 00:00"), at("2027-01-01 00:00"))
        target = rng.randrange(1, 3_000) * MIN
        cut = cal.subtract_business(end, target)
        assert cal.business_ms(cut, end) == target
        assert cal.business_ms(cut + 1, end) < target


def test_bad_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        DayHours(hm("18:00"), hm("09:00"))
    with pytest.raises(ValueError):
        DayHours(hm("09:00"), hm("18:00"), hm("08:00"), hm("10:00"))
