"""Canned responses: add, edit, reorder and delete (needs :attr:`Permission.MANAGE_CANNED`).

Each write stamps the row (``hlc``, ``updated_at``) and writes a pending op per changed field
with that stamp; a deleted response stays as a tombstone so sync carries the deletion.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import MAX_REPLY_CHARS
from console.ids import new_id
from console.services._changes import Actor, Changes
from console.services._commands import record, update_row_in
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import CannedResponse, Department

MAX_TITLE_CHARS = 120
MAX_SHORTCUT_CHARS = 40


class CannedNotFound(errors.NotFound):
    """No (undeleted) canned response has this id."""

    code = "canned_not_found"


class InvalidCanned(errors.InvalidInput):
    """A canned response's field is empty, too long or has a line break where none may be:
    ``field`` (title, body, shortcut) and ``reason`` (empty, too_long, line_break) say which."""

    code = "invalid_canned"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _clean(title: str, body: str, shortcut: str) -> tuple[str, str, str]:
    title = " ".join(title.split())
    shortcut = shortcut.strip()
    body = body.strip("\n")
    if not title:
        raise InvalidCanned(field="title", reason="empty")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidCanned(field="title", reason="too_long", limit=MAX_TITLE_CHARS)
    if not body.strip():
        raise InvalidCanned(field="body", reason="empty")
    if len(body) > MAX_REPLY_CHARS:
        raise InvalidCanned(field="body", reason="too_long", limit=MAX_REPLY_CHARS)
    if len(shortcut) > MAX_SHORTCUT_CHARS:
        raise InvalidCanned(field="shortcut", reason="too_long", limit=MAX_SHORTCUT_CHARS)
    if any(c.isspace() for c in shortcut):
        raise InvalidCanned(field="shortcut", reason="spaces")
    return title, body, shortcut


def _department(s: Session, department: str | None) -> None:
    if department is not None and s.get(Department, department) is None:
        raise errors.UnknownDepartment(department=department)


def _canned(s: Session, canned_id: str) -> CannedResponse:
    row = s.get(CannedResponse, canned_id)
    if row is None or row.deleted:
        raise CannedNotFound(canned_id=canned_id)
    return row


def _siblings(s: Session, department: str | None) -> list[CannedResponse]:
    query = select(CannedResponse).where(CannedResponse.deleted.is_(False))
    query = query.where(
        CannedResponse.department.is_(None)
        if department is None
        else CannedResponse.department == department
    )
    return list(s.scalars(query.order_by(CannedResponse.sort_order, CannedResponse.title)))


def add_canned(
    store: Store,
    actor: Actor,
    department: str | None,
    title: str,
    body: str,
    shortcut: str = "",
) -> str:
    """Add a response at the end of its department's list (``None``: the whole clinic).

    Returns:
        Its id.

    Raises:
        NotPermitted, InvalidCanned, UnknownDepartment.
    """
    title, body, shortcut = _clean(title, body, shortcut)
    canned_id = new_id()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CANNED)
        _department(s, department)
        last = s.scalar(
            select(func.max(CannedResponse.sort_order)).where(
                CannedResponse.deleted.is_(False),
                CannedResponse.department.is_(None)
                if department is None
                else CannedResponse.department == department,
            )
        )
        values: dict[str, Any] = {
            "department": department,
            "title": title,
            "body": body,
            "shortcut": shortcut,
            "sort_order": (last or 0) + 1,
        }
        stamp = record(
            s,
            store,
            actor,
            "add_canned",
            None,
            [("canned_response", canned_id, k, v, None) for k, v in values.items()],
            {"canned_id": canned_id, "department": department},
        )
        s.add(
            CannedResponse(id=canned_id, hlc=stamp, updated_at=_now_ms(), deleted=False, **values)
        )
    return canned_id


def update_canned(
    store: Store,
    actor: Actor,
    canned_id: str,
    title: str,
    body: str,
    shortcut: str = "",
) -> Changes:
    """Change a response's title, body and shortcut.

    Raises:
        NotPermitted, CannedNotFound, InvalidCanned.
    """
    title, body, shortcut = _clean(title, body, shortcut)
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CANNED)
        row = _canned(s, canned_id)
        values = {"title": title, "body": body, "shortcut": shortcut}
        update_row_in(
            s, store, actor, "update_canned", row, canned_id, values, {"canned_id": canned_id}
        )
    return Changes()


def move_canned(store: Store, actor: Actor, canned_id: str, index: int) -> Changes:
    """Put a response at ``index`` within its department's list (clamped).

    Raises:
        NotPermitted, CannedNotFound.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CANNED)
        row = _canned(s, canned_id)
        rest = [r for r in _siblings(s, row.department) if r.id != canned_id]
        index = max(0, min(index, len(rest)))
        ordered = [*rest[:index], row, *rest[index:]]
        moved = [(r, n) for n, r in enumerate(ordered, start=1) if r.sort_order != n]
        if not moved:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "move_canned",
            None,
            [("canned_response", r.id, "sort_order", n, None) for r, n in moved],
            {"canned_id": canned_id, "index": index},
        )
        now = _now_ms()
        for r, n in moved:
            r.sort_order, r.hlc, r.updated_at = n, stamp, now
    return Changes()


def delete_canned(store: Store, actor: Actor, canned_id: str) -> Changes:
    """Delete a response (kept as a tombstone for sync).

    Raises:
        NotPermitted, CannedNotFound.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CANNED)
        row = _canned(s, canned_id)
        stamp = record(
            s,
            store,
            actor,
            "delete_canned",
            None,
            [("canned_response", canned_id, "deleted", True, None)],
            {"canned_id": canned_id, "title": row.title},
        )
        row.deleted, row.hlc, row.updated_at = True, stamp, _now_ms()
    return Changes()
