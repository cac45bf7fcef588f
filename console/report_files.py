"""Writing a :class:`console.reports.Report` as CSV (UTF-8 with a byte-order mark, so Excel
opens Korean text correctly) or XLSX (openpyxl; one sheet per table).

The tables: a summary per clinic, department and channel; replies per member of staff;
volumes and first-response medians per day; volumes per hour of day. Durations are business
minutes with one decimal. Headings are Korean by default (``language="en"`` for English):
these files are read by people, outside the app, so the words travel with them.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console import errors
from console.reports import Period, Report, Times, report
from console.services import Actor, Permission, require
from console.services._commands import record
from console.store.engine import Store
from console.store.models import Department
from console.worktime import SEOUL

FORMATS = ("csv", "xlsx")

_WORDS: dict[str, dict[str, str]] = {
    "ko": {
        "summary": "요약",
        "staff": "직원",
        "daily": "일별",
        "hourly": "시간대별",
        "period": "기간",
        "group": "구분",
        "name": "이름",
        "clinic": "전체",
        "department": "진료과",
        "channel": "채널",
        "untriaged": "미분류",
        "opened": "신규 문의",
        "first_n": "첫 응답 건수",
        "first_median": "첫 응답 중앙값(분)",
        "first_p90": "첫 응답 90%(분)",
        "resolved_n": "해결 건수",
        "resolved_median": "해결 중앙값(분)",
        "resolved_p90": "해결 90%(분)",
        "late_first": "목표 초과 첫 응답",
        "late_next": "목표 초과 응답",
        "operator": "직원",
        "replies": "보낸 답장",
        "open_assigned": "담당 중",
        "day": "날짜",
        "inbound": "받은 메시지",
        "hour": "시",
        "first_median_of": "첫 응답 중앙값(분): {}",
    },
    "en": {
        "summary": "Summary",
        "staff": "Staff",
        "daily": "Daily",
        "hourly": "By hour",
        "period": "Period",
        "group": "Group",
        "name": "Name",
        "clinic": "Clinic",
        "department": "Department",
        "channel": "Channel",
        "untriaged": "Untriaged",
        "opened": "New enquiries",
        "first_n": "First responses",
        "first_median": "First response median (min)",
        "first_p90": "First response p90 (min)",
        "resolved_n": "Resolved",
        "resolved_median": "Resolution median (min)",
        "resolved_p90": "Resolution p90 (min)",
        "late_first": "Late first responses",
        "late_next": "Late replies",
        "operator": "Member of staff",
        "replies": "Replies sent",
        "open_assigned": "Open assigned",
        "day": "Date",
        "inbound": "Messages received",
        "hour": "Hour",
        "first_median_of": "First response median (min): {}",
    },
}


@dataclass(frozen=True)
class Table:
    """One table of a report file."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _minutes(ms: int | None) -> float | None:
    return None if ms is None else round(ms / 60_000, 1)


def _times(t: Times) -> tuple[Any, ...]:
    return (t.count, _minutes(t.median_ms), _minutes(t.p90_ms))


def _period_row(kind: str, name: str, p: Period) -> tuple[Any, ...]:
    return (
        kind,
        name,
        p.opened,
        *_times(p.first_response),
        *_times(p.resolution),
        p.late_first_responses,
        p.late_replies,
    )


def _local(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, SEOUL).strftime("%Y-%m-%d %H:%M")


def tables(report: Report, department_names: dict[str, str], language: str = "ko") -> list[Table]:
    """The report as tables, ready to write.

    Args:
        report: The figures.
        department_names: Display name per department code.
        language: ``"ko"`` or ``"en"`` headings.
    """
    w = _WORDS.get(language, _WORDS["ko"])
    summary = [_period_row(w["clinic"], w["clinic"], report.clinic)]
    for group in report.departments:
        name = w["untriaged"] if group.key is None else department_names.get(group.key, group.key)
        summary.append(_period_row(w["department"], name, group.period))
    for group in report.channels:
        summary.append(_period_row(w["channel"], group.key or "", group.period))
    header = tuple(
        w[k]
        for k in (
            "group",
            "name",
            "opened",
            "first_n",
            "first_median",
            "first_p90",
            "resolved_n",
            "resolved_median",
            "resolved_p90",
            "late_first",
            "late_next",
        )
    )
    period = f"{_local(report.start_ms)} – {_local(report.end_ms)}"
    staff = Table(
        w["staff"],
        (w["operator"], w["replies"], w["open_assigned"]),
        tuple((o.name, o.replies, o.open_assigned) for o in report.operators),
    )
    trends = report.trends
    depts = [t.department for t in trends.first_response_by_day]
    daily_header = (
        w["day"],
        w["inbound"],
        *(
            w["first_median_of"].format(w["untriaged"] if d is None else department_names.get(d, d))
            for d in depts
        ),
    )
    daily = tuple(
        (
            day.isoformat(),
            trends.inbound_by_day[i],
            *(_minutes(t.days[i].median_ms) for t in trends.first_response_by_day),
        )
        for i, day in enumerate(trends.days)
    )
    hourly = tuple((h, n) for h, n in enumerate(trends.inbound_by_hour))
    return [
        Table(w["summary"], (w["period"], period), ()),
        Table(w["summary"], header, tuple(summary)),
        staff,
        Table(w["daily"], daily_header, daily),
        Table(w["hourly"], (w["hour"], w["inbound"]), hourly),
    ]


def write_csv(path: Path, parts: Sequence[Table]) -> None:
    """All tables in one CSV file, a blank line between them, UTF-8 with a BOM."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        for i, table in enumerate(parts):
            if i:
                writer.writerow([])
            writer.writerow(table.header)
            writer.writerows(["" if v is None else v for v in row] for row in table.rows)


def write_xlsx(path: Path, parts: Sequence[Table]) -> None:
    """One sheet per table name (tables sharing a name go one under the other)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets: dict[str, Any] = {}
    for table in parts:
        sheet = sheets.get(table.name)
        if sheet is None:
            sheet = sheets[table.name] = book.create_sheet(table.name)
        elif table.rows or table.header:
            sheet.append([])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
    book.save(path)


def write_report(
    path: Path,
    report: Report,
    department_names: dict[str, str],
    fmt: str,
    language: str = "ko",
) -> None:
    """Write ``report`` to ``path`` as ``"csv"`` or ``"xlsx"``.

    Raises:
        ValueError: an unknown format.
    """
    parts = tables(report, department_names, language)
    if fmt == "csv":
        write_csv(path, parts)
    elif fmt == "xlsx":
        write_xlsx(path, parts)
    else:
        raise ValueError(fmt)


def export_report(
    store: Store,
    actor: Actor,
    path: Path,
    start_ms: int,
    end_ms: int,
    fmt: str,
    language: str = "ko",
) -> Report:
    """Compute the report of ``[start_ms, end_ms)`` and write it, recorded in the audit trail.

    Raises:
        NotPermitted: the actor may not export (:attr:`Permission.EXPORT`).
        InvalidInput: an unknown format, or a period that ends before it starts.
    """
    if fmt not in FORMATS:
        raise errors.InvalidInput(field="format", value=fmt)
    if end_ms <= start_ms:
        raise errors.InvalidInput(field="period", value=f"{start_ms}..{end_ms}")
    with store.write() as s:
        require(s, actor, Permission.EXPORT)
        record(
            s,
            store,
            actor,
            "export_report",
            None,
            [],
            {"start_ms": start_ms, "end_ms": end_ms, "format": fmt},
        )
        names = dict(
            s.execute(
                select(
                    Department.code, Department.name_ko if language == "ko" else Department.name_en
                )
            ).all()
        )
    result = report(store, start_ms, end_ms)
    write_report(path, result, {str(k): str(v) for k, v in names.items()}, fmt, language)
    return result
