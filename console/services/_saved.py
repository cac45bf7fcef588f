"""Saved searches: a list with search text that staff keep in the navigation pane.

A saved search belongs to the member of staff who saved it, or is shared with the whole
clinic (``owner_id`` is NULL). Anyone may save, rename, reorder and delete their own; shared
ones are the clinic's working lists, so making, renaming, reordering and deleting them needs
:attr:`Permission.MANAGE_ROUTING` (managers and administrators), the right that already
governs how conversations are routed. Nobody may change a colleague's own searches. Shared
ones are listed first, then the operator's own, each group in its own order.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import MAX_SAVED_SEARCH_NAME_CHARS as MAX_NAME_CHARS
from console.ids import new_id
from console.services._changes import Actor
from console.services._commands import record
from console.services._roles import Permission, require, role_of
from console.store.engine import Store
from console.store.models import ChannelAccount, Department, SavedSearch
from console.store.search import MAX_QUERY_CHARS

#: The list views a search may be saved on (``console.store.queries.View`` values).
VIEWS = frozenset(
    {"all_open", "mine", "unassigned", "untriaged", "department", "channel", "snoozed", "resolved"}
)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise errors.InvalidInput(field="name")
    return name


def _owner(s: Session, actor: Actor, shared: bool) -> str | None:
    """The owner a new or edited search gets, after the permission check."""
    if shared:
        require(s, actor, Permission.MANAGE_ROUTING)
        return None
    role_of(s, actor)  # the operator must exist
    if actor.operator_id is None:
        raise errors.InvalidInput(field="owner")  # the system has no searches of its own
    return actor.operator_id


def _editable(s: Session, actor: Actor, search_id: str) -> SavedSearch:
    row = s.get(SavedSearch, search_id)
    if row is None:
        raise errors.SavedSearchNotFound(saved_search_id=search_id)
    if row.owner_id is None:
        require(s, actor, Permission.MANAGE_ROUTING)
    elif row.owner_id != actor.operator_id:
        role = role_of(s, actor)
        raise errors.NotPermitted(
            permission="own_saved_search", role=role.value if role else "system"
        )
    return row


def save_search(
    store: Store,
    actor: Actor,
    name: str,
    query: str,
    view: str = "all_open",
    value: str | None = None,
    *,
    shared: bool = False,
) -> str:
    """Save a list's search under a name, last in its group (shared, or the actor's own).

    Args:
        store: The store.
        actor: Who saves it (its owner unless shared).
        name: What the navigation pane calls it.
        query: The search text (the search box's syntax).
        view: The list it was made on (a ``View`` value).
        value: The department code or channel kind of that list, if it has one.
        shared: For the whole clinic (needs ``MANAGE_ROUTING``).

    Returns:
        Its id.

    Raises:
        InvalidInput: an empty or long name or query, or an unknown list.
        UnknownDepartment: the list's department does not exist.
        NotPermitted: a shared search by someone who may not manage them.
    """
    name = _name(name)
    query = query.strip()
    if not query or len(query) > MAX_QUERY_CHARS:
        raise errors.InvalidInput(field="query")
    if view not in VIEWS:
        raise errors.InvalidInput(field="view", value=view)
    if view in ("department", "channel") and not value:
        raise errors.InvalidInput(field="value")
    if view not in ("department", "channel"):
        value = None
    search_id = new_id()
    with store.write() as s:
        owner = _owner(s, actor, shared)
        if view == "department" and s.get(Department, value) is None:
            raise errors.UnknownDepartment(department=value)
        if (
            view == "channel"
            and s.scalar(select(func.count()).where(ChannelAccount.kind == value)) == 0
        ):
            raise errors.InvalidInput(field="value", value=value)
        group = SavedSearch.owner_id.is_(None) if owner is None else SavedSearch.owner_id == owner
        last = s.scalar(select(func.max(SavedSearch.position)).where(group))
        now = _now_ms()
        s.add(
            SavedSearch(
                id=search_id,
                name=name,
                query=query,
                view=view,
                view_value=value,
                owner_id=owner,
                position=(last or 0) + 1,
                created_at=now,
                updated_at=now,
            )
        )
        record(
            s,
            store,
            actor,
            "save_search",
            None,
            [
                ("saved_search", search_id, "name", name, None),
                ("saved_search", search_id, "query", query, None),
            ],
            {"saved_search_id": search_id, "shared": owner is None},
        )
    return search_id


def rename_saved_search(store: Store, actor: Actor, search_id: str, name: str) -> None:
    """Give a saved search another name.

    Raises:
        InvalidInput: an empty or long name.
        SavedSearchNotFound: no such saved search.
        NotPermitted: a colleague's own search, or a shared one without ``MANAGE_ROUTING``.
    """
    name = _name(name)
    with store.write() as s:
        row = _editable(s, actor, search_id)
        old = row.name
        record(
            s,
            store,
            actor,
            "rename_saved_search",
            None,
            [("saved_search", search_id, "name", name, None)],
            {"saved_search_id": search_id, "old": old, "new": name},
        )
        row.name = name
        row.updated_at = _now_ms()


def delete_saved_search(store: Store, actor: Actor, search_id: str) -> None:
    """Remove a saved search (the conversations it found are untouched).

    Raises:
        SavedSearchNotFound: no such saved search.
        NotPermitted: a colleague's own search, or a shared one without ``MANAGE_ROUTING``.
    """
    with store.write() as s:
        row = _editable(s, actor, search_id)
        record(
            s,
            store,
            actor,
            "delete_saved_search",
            None,
            [("saved_search", search_id, "deleted", True, None)],
            {"saved_search_id": search_id, "name": row.name, "query": row.query},
        )
        s.delete(row)


def move_saved_search(store: Store, actor: Actor, search_id: str, delta: int) -> bool:
    """Move a saved search up (``delta`` < 0) or down its group (shared, or the owner's).

    Returns:
        False if it is already first (or last) and did not move.

    Raises:
        SavedSearchNotFound: no such saved search.
        NotPermitted: a colleague's own search, or a shared one without ``MANAGE_ROUTING``.
    """
    with store.write() as s:
        row = _editable(s, actor, search_id)
        owner = row.owner_id
        group = SavedSearch.owner_id.is_(None) if owner is None else SavedSearch.owner_id == owner
        ordered = list(
            s.scalars(
                select(SavedSearch).where(group).order_by(SavedSearch.position, SavedSearch.id)
            )
        )
        at = ordered.index(row)
        to = max(0, min(len(ordered) - 1, at + delta))
        if to == at:
            return False
        ordered.insert(to, ordered.pop(at))
        ops: list[tuple[str, str, str, Any, int | None]] = []
        for position, item in enumerate(ordered, start=1):
            if item.position != position:
                item.position = position
                ops.append(("saved_search", item.id, "position", position, None))
        record(
            s,
            store,
            actor,
            "move_saved_search",
            None,
            ops,
            {"saved_search_id": search_id, "to": to},
        )
    return True
