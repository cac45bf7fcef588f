"""Exporting conversations (one row per message, JSON Lines or CSV) with a chosen field list.

Personal data is masked unless a named member of staff with :attr:`Permission.UNMASK`
(an administrator) asks for it explicitly: resident registration numbers, phone numbers and
e-mail addresses inside message bodies, and the contact's name, handle and a customer
message's author (:mod:`console.masking`). Every export is recorded in the audit trail,
with its fields and whether it was unmasked.

Rows stream from the database in pages and are written as they come, so exporting a
million messages holds one page in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import Direction
from console.masking import mask_handle, mask_name, mask_text
from console.services import Actor, Permission, require
from console.services._commands import record
from console.store.engine import Store
from console.store.models import (
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    Message,
    Operator,
)
from console.worktime import SEOUL

#: Every field an export can carry, in a sensible column order.
FIELDS: tuple[str, ...] = (
    "conversation_id",
    "channel",
    "account",
    "department",
    "status",
    "assignee",
    "contact_name",
    "handle",
    "subject",
    "message_id",
    "direction",
    "author",
    "sent_at",
    "body",
)
#: What an export carries when no field list is given.
DEFAULT_FIELDS: tuple[str, ...] = (
    "conversation_id",
    "channel",
    "department",
    "status",
    "contact_name",
    "direction",
    "sent_at",
    "body",
)
FORMATS = ("jsonl", "csv")
PAGE = 2000


@dataclass(frozen=True)
class ExportFilter:
    """Which messages: sent in ``[start_ms, end_ms)`` (None: unbounded), of one department
    (``""``: untriaged) or channel kind."""

    start_ms: int | None = None
    end_ms: int | None = None
    department: str | None = None
    channel: str | None = None


def parse_fields(text: str | None) -> tuple[str, ...]:
    """A comma-separated field list, checked.

    Raises:
        InvalidInput: an unknown or repeated field, or none at all.
    """
    if text is None:
        return DEFAULT_FIELDS
    fields = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in fields if f not in FIELDS]
    if not fields or unknown or len(set(fields)) != len(fields):
        raise errors.InvalidInput(field="fields", value=",".join(unknown) or text)
    return fields


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, SEOUL).isoformat(timespec="seconds")


def _query(flt: ExportFilter) -> Any:
    m, c = Message, Conversation
    handle = (
        select(ContactIdentity.handle)
        .where(
            ContactIdentity.contact_id == c.contact_id,
            ContactIdentity.account_id == c.account_id,
        )
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            c.id,
            ChannelAccount.kind,
            ChannelAccount.display_name,
            c.department,
            c.status,
            Operator.name,
            Contact.display_name,
            handle,
            c.subject,
            m.id,
            m.direction,
            m.author,
            m.sent_at,
            m.body,
        )
        .join(c, c.id == m.conversation_id)
        .join(ChannelAccount, ChannelAccount.id == c.account_id)
        .join(Contact, Contact.id == c.contact_id)
        .outerjoin(Operator, Operator.id == c.assignee_id)
    )
    return query.where(*_conditions(flt)).order_by(m.conversation_id, m.sent_at, m.id)


def _conditions(flt: ExportFilter) -> list[Any]:
    m, c = Message, Conversation
    conds: list[Any] = []
    if flt.start_ms is not None:
        conds.append(m.sent_at >= flt.start_ms)
    if flt.end_ms is not None:
        conds.append(m.sent_at < flt.end_ms)
    if flt.department is not None:
        conds.append(
            c.department.is_(None) if flt.department == "" else c.department == flt.department
        )
    if flt.channel is not None:
        conds.append(
            c.account_id.in_(select(ChannelAccount.id).where(ChannelAccount.kind == flt.channel))
        )
    return conds


def count_messages(store: Store, flt: ExportFilter) -> int:
    """How many messages an export with this filter writes."""
    query = (
        select(func.count())
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*_conditions(flt))
    )
    with store.read() as s:
        return int(s.scalar(query) or 0)


def _rows(s: Session, flt: ExportFilter, unmasked: bool) -> Iterator[dict[str, Any]]:
    for r in s.execute(_query(flt)).yield_per(PAGE):
        inbound = r[10] == Direction.INBOUND.value
        row = {
            "conversation_id": r[0],
            "channel": r[1],
            "account": r[2],
            "department": r[3] or "",
            "status": r[4],
            "assignee": r[5] or "",
            "contact_name": r[6],
            "handle": r[7] or "",
            "subject": r[8],
            "message_id": r[9],
            "direction": r[10],
            "author": r[11],
            "sent_at": _iso(r[12]),
            "body": r[13],
        }
        if not unmasked:
            row["contact_name"] = mask_name(row["contact_name"])
            row["handle"] = mask_handle(row["handle"])
            row["subject"] = mask_text(row["subject"])
            row["body"] = mask_text(row["body"])
            if inbound and row["author"]:
                row["author"] = mask_name(row["author"])
        yield row


def export_messages(
    store: Store,
    actor: Actor,
    out: TextIO,
    fields: Sequence[str] = DEFAULT_FIELDS,
    fmt: str = "jsonl",
    flt: ExportFilter | None = None,
    unmask: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write messages with their conversation's fields to ``out``, masked unless
    ``unmask``.

    CSV gets a header row (the field names); JSON Lines one object per message with the
    fields in the order given. Times are ISO 8601 in Asia/Seoul.

    Args:
        store: The store.
        actor: Who exports: needs :attr:`Permission.EXPORT`, and :attr:`Permission.UNMASK`
            (never the system) for ``unmask``.
        out: A text stream (open CSV files with ``newline=""``).
        fields: Which fields, in order (see :data:`FIELDS`).
        fmt: ``"jsonl"`` or ``"csv"``.
        flt: Which messages.
        unmask: Write personal data as it is.
        progress: Called with the number of rows written, every 10,000 rows and at the end.

    Returns:
        Rows written.

    Raises:
        NotPermitted: the actor may not export, or not unmasked.
        InvalidInput: an unknown field or format.
    """
    flt = flt or ExportFilter()
    if fmt not in FORMATS:
        raise errors.InvalidInput(field="format", value=fmt)
    unknown = [f for f in fields if f not in FIELDS]
    if unknown or not fields:
        raise errors.InvalidInput(field="fields", value=",".join(unknown))
    with store.write() as s:
        require(s, actor, Permission.EXPORT)
        if unmask:
            require(s, actor, Permission.UNMASK)
        record(
            s,
            store,
            actor,
            "export_unmasked" if unmask else "export",
            None,
            [],
            {
                "fields": list(fields),
                "format": fmt,
                "unmasked": unmask,
                "start_ms": flt.start_ms,
                "end_ms": flt.end_ms,
                "department": flt.department,
                "channel": flt.channel,
            },
        )
    written = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(fields)
    with store.read() as s:
        for row in _rows(s, flt, unmask):
            if writer is not None:
                writer.writerow([row[f] for f in fields])
            else:
                out.write(json.dumps({f: row[f] for f in fields}, ensure_ascii=False) + "\n")
            written += 1
            if progress is not None and written % 10_000 == 0:
                progress(written)
    if progress is not None:
        progress(written)
    return written


def find_operator(store: Store, name_or_id: str) -> str:
    """The id of the member of staff with this id, or else this exact name.

    Raises:
        OperatorNotFound: nobody, or more than one person, has that name.
    """
    with store.read() as s:
        if s.get(Operator, name_or_id) is not None:
            return name_or_id
        ids = list(s.scalars(select(Operator.id).where(Operator.name == name_or_id)))
    if len(ids) != 1:
        raise errors.OperatorNotFound(operator_id=name_or_id)
    return ids[0]
