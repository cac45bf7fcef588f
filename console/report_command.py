"""``sotong report`` and ``sotong export``: the manager's figures for a period as CSV/XLSX,
and conversations as JSON Lines/CSV (masked unless an administrator asks by name)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from console import errors
from console.services import Actor
from console.settings import default_data_dir
from console.worktime import SEOUL


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SEOUL).timestamp() * 1000)


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add the ``report`` and ``export`` subcommands."""
    rep = sub.add_parser(
        "report", parents=parents, help="figures for a period as CSV or XLSX (dates in Seoul)"
    )
    _common(rep)
    rep.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    rep.add_argument("--language", choices=("ko", "en"), default="ko", help="headings")
    exp = sub.add_parser(
        "export",
        parents=parents,
        help="messages with their conversation's fields as JSON Lines or CSV (masked)",
    )
    _common(exp, required_dates=False)
    exp.add_argument(
        "--fields",
        help="comma-separated fields (default: conversation_id,channel,department,status,"
        "contact_name,direction,sent_at,body); all: conversation_id,channel,account,"
        "department,status,assignee,contact_name,handle,subject,message_id,direction,"
        "author,sent_at,body",
    )
    exp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    exp.add_argument("--department", help="only this department code ('none': untriaged)")
    exp.add_argument("--channel", help="only this channel kind")
    exp.add_argument(
        "--unmask",
        action="store_true",
        help="write personal data unmasked (an administrator, named with --operator)",
    )


def _common(p: argparse.ArgumentParser, required_dates: bool = True) -> None:
    p.add_argument(
        "--data-dir", type=Path, default=None, help="folder holding the database and settings"
    )
    p.add_argument("--from", dest="start", type=_date, required=required_dates, help="first day")
    p.add_argument("--to", dest="end", type=_date, required=required_dates, help="last day")
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument("--operator", help="who exports: a member of staff's name or id")


def _fail(exc: errors.SotongError) -> int:
    detail = {k: str(v) for k, v in exc.params.items()}
    print(json.dumps({"ok": False, "error": exc.code, **detail}, ensure_ascii=False))
    return 1


def run(args: argparse.Namespace) -> int:
    """Carry out ``sotong report`` or ``sotong export``."""
    from console.exports import ExportFilter, export_messages, find_operator, parse_fields
    from console.report_files import export_report
    from console.store import open_store

    store = open_store(args.data_dir or default_data_dir())
    try:
        actor = Actor(None if args.operator is None else find_operator(store, args.operator))
        start = None if args.start is None else _midnight(args.start)
        end = None if args.end is None else _midnight(args.end + dt.timedelta(days=1))
        if args.command == "report":
            assert start is not None and end is not None
            export_report(store, actor, args.output, start, end, args.format, args.language)
            print(json.dumps({"ok": True, "file": str(args.output)}, ensure_ascii=False))
            return 0
        department = args.department
        if department == "none":
            department = ""
        flt = ExportFilter(start, end, department, args.channel)
        fields = parse_fields(args.fields)

        def progress(done: int) -> None:
            print(json.dumps({"exported": done}), file=sys.stderr, flush=True)

        newline = "" if args.format == "csv" else "\n"
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with args.output.open("w", encoding=encoding, newline=newline) as out:
            rows = export_messages(
                store, actor, out, fields, args.format, flt, args.unmask, progress
            )
        print(json.dumps({"ok": True, "file": str(args.output), "rows": rows}))
        return 0
    except errors.SotongError as exc:
        return _fail(exc)
    finally:
        store.close()
