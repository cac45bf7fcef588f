"""Narrow reads about contacts for the contact panel and the merge picker.

Each returns frozen dataclasses. The panel's reads (:func:`contact_of`, :func:`contact_card`,
:func:`contact_conversations`) are primary-key or indexed lookups (``ix_contact_identity_*``,
``ix_conversation_contact``), cheap enough for the GUI thread; :func:`find_contacts` scans
names and handles and belongs on the read lane.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from console.store.engine import Store
from console.store.models import ChannelAccount, Contact, ContactIdentity, Conversation

#: How many past conversations the panel lists (newest first).
CONVERSATION_LIMIT = 200


@dataclass(frozen=True)
class IdentityRow:
    """A contact's handle on one channel account."""

    id: str
    channel: str  # the account's kind
    account_name: str
    handle: str
    conversations: int


@dataclass(frozen=True)
class ContactCard:
    """Who a contact is: name, notes and their identities (by channel, then handle)."""

    id: str
    name: str
    notes: str
    identities: tuple[IdentityRow, ...]


@dataclass(frozen=True)
class ContactConversation:
    """One of a contact's conversations, on any channel."""

    id: str
    channel: str
    account_name: str
    snippet: str
    subject: str
    department: str | None
    status: str
    last_message_at: int
    unread: bool


@dataclass(frozen=True)
class ContactMatch:
    """A contact found by name or handle (for choosing whom to merge with)."""

    id: str
    name: str
    handles: tuple[tuple[str, str], ...]  # (channel kind, handle)


#: A merge chain longer than this is treated as broken (it never is, short of a cycle).
_MAX_HOPS = 64


def surviving_contacts(s: Session, contact_ids: Iterable[str]) -> dict[str, str]:
    """Where merged contacts ended up: ``{merged id: surviving id}`` for each given id that
    was merged (ids that were not merged are left out). Follows ``merged_into`` chains."""
    pending = set(contact_ids)
    parent: dict[str, str] = {}
    for _ in range(_MAX_HOPS):
        if not pending:
            break
        rows = s.execute(
            select(Contact.id, Contact.merged_into).where(
                Contact.id.in_(pending), Contact.merged_into.is_not(None)
            )
        ).all()
        pending = set()
        for cid, target in rows:
            if target is not None and target not in parent and target != cid:
                parent[cid] = target
                pending.add(target)
    result: dict[str, str] = {}
    for start in list(parent):
        current, seen = start, {start}
        while current in parent and parent[current] not in seen:
            current = parent[current]
            seen.add(current)
        result[start] = current
    return result


def _survivor(s: Session, contact_id: str) -> str:
    return surviving_contacts(s, [contact_id]).get(contact_id, contact_id)


def contact_of(store: Store, conversation_id: str) -> str | None:
    """The (surviving) contact of a conversation, or None if it does not exist."""
    with store.read() as s:
        cid = s.scalar(select(Conversation.contact_id).where(Conversation.id == conversation_id))
        return None if cid is None else _survivor(s, cid)


def contact_card(store: Store, contact_id: str) -> ContactCard | None:
    """A contact's name, notes and identities (a merged contact's survivor), or None."""
    with store.read() as s:
        contact_id = _survivor(s, contact_id)
        row = s.execute(
            select(Contact.display_name, Contact.notes).where(Contact.id == contact_id)
        ).first()
        if row is None:
            return None
        per_account = (
            select(Conversation.identity_id, func.count().label("n"))
            .where(Conversation.contact_id == contact_id)
            .group_by(Conversation.identity_id)
        ).subquery()
        identities = s.execute(
            select(
                ContactIdentity.id,
                ChannelAccount.kind,
                ChannelAccount.display_name,
                ContactIdentity.handle,
                func.coalesce(per_account.c.n, 0),
            )
            .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
            .outerjoin(per_account, per_account.c.identity_id == ContactIdentity.id)
            .where(ContactIdentity.contact_id == contact_id)
            .order_by(ChannelAccount.kind, ContactIdentity.handle)
        ).all()
    return ContactCard(
        contact_id,
        row[0],
        row[1],
        tuple(IdentityRow(i, k, a, h, int(n)) for i, k, a, h, n in identities),
    )


def contact_conversations(
    store: Store, contact_id: str, limit: int = CONVERSATION_LIMIT
) -> list[ContactConversation]:
    """A contact's conversations on every channel, most recent first."""
    with store.read() as s:
        contact_id = _survivor(s, contact_id)
        rows = s.execute(_conversations(contact_id, limit)).all()
    return [
        ContactConversation(i, k, a, sn, sub, d, st, int(at), bool(u))
        for i, k, a, sn, sub, d, st, at, u, _identity in rows
    ]


def _conversations(contact_id: str, limit: int) -> Select[*tuple[Any, ...]]:
    """A contact's conversations, newest first: the panel's rows and each one's identity."""
    c = Conversation
    return (
        select(
            c.id,
            ChannelAccount.kind,
            ChannelAccount.display_name,
            c.snippet,
            c.subject,
            c.department,
            c.status,
            c.last_message_at,
            c.unread,
            c.identity_id,
        )
        .join(ChannelAccount, ChannelAccount.id == c.account_id)
        .where(c.contact_id == contact_id)
        .order_by(c.last_message_at.desc(), c.id.desc())
        .limit(limit)
    )


@dataclass(frozen=True)
class ContactPanelData:
    """Everything the contact panel shows for one conversation."""

    card: ContactCard
    conversations: tuple[ContactConversation, ...]


def contact_panel(
    store: Store, conversation_id: str, limit: int = CONVERSATION_LIMIT
) -> ContactPanelData | None:
    """The contact of a conversation with their identities and conversations, in one read
    transaction of four indexed statements (a merged contact's chain costs one more each hop).

    Returns:
        None if the conversation (or its contact) does not exist.
    """
    c = Conversation
    with store.read() as s:
        contact_id = s.scalar(select(c.contact_id).where(c.id == conversation_id))
        if contact_id is None:
            return None
        row = s.execute(
            select(Contact.display_name, Contact.notes, Contact.merged_into).where(
                Contact.id == contact_id
            )
        ).first()
        if row is not None and row[2] is not None:
            contact_id = _survivor(s, contact_id)
            row = s.execute(
                select(Contact.display_name, Contact.notes, Contact.merged_into).where(
                    Contact.id == contact_id
                )
            ).first()
        if row is None:
            return None
        identities = s.execute(
            select(
                ContactIdentity.id,
                ChannelAccount.kind,
                ChannelAccount.display_name,
                ContactIdentity.handle,
            )
            .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
            .where(ContactIdentity.contact_id == contact_id)
            .order_by(ChannelAccount.kind, ContactIdentity.handle)
        ).all()
        rows = s.execute(_conversations(contact_id, limit)).all()
        counts: dict[str | None, int] = {}
        if len(rows) < limit:
            for r in rows:
                counts[r[9]] = counts.get(r[9], 0) + 1
        else:  # a very long history: count in the database
            counts = {
                i: int(n)
                for i, n in s.execute(
                    select(c.identity_id, func.count())
                    .where(c.contact_id == contact_id)
                    .group_by(c.identity_id)
                )
            }
    card = ContactCard(
        contact_id,
        row[0],
        row[1],
        tuple(IdentityRow(i, k, a, h, counts.get(i, 0)) for i, k, a, h in identities),
    )
    conversations = tuple(
        ContactConversation(i, k, a, sn, sub, d, st, int(at), bool(u))
        for i, k, a, sn, sub, d, st, at, u, _identity in rows
    )
    return ContactPanelData(card, conversations)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_contacts(
    store: Store, text: str, exclude: str | None = None, limit: int = 30
) -> list[ContactMatch]:
    """Contacts whose name or a handle contains ``text`` (not merged ones), by name.

    Scans names and handles: run it on the read lane.
    """
    text = text.strip()
    if not text:
        return []
    pattern = _like(text)
    by_handle = select(ContactIdentity.contact_id).where(
        ContactIdentity.handle.like(pattern, escape="\\")
    )
    query = (
        select(Contact.id, Contact.display_name)
        .where(
            Contact.merged_into.is_(None),
            or_(Contact.display_name.like(pattern, escape="\\"), Contact.id.in_(by_handle)),
        )
        .order_by(Contact.display_name, Contact.id)
        .limit(limit + 1)
    )
    if exclude is not None:
        query = query.where(Contact.id != exclude)
    with store.read() as s:
        rows = s.execute(query).all()[:limit]
        handles: dict[str, list[tuple[str, str]]] = {}
        if rows:
            for cid, kind, handle in s.execute(
                select(ContactIdentity.contact_id, ChannelAccount.kind, ContactIdentity.handle)
                .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
                .where(ContactIdentity.contact_id.in_([r[0] for r in rows]))
                .order_by(ChannelAccount.kind, ContactIdentity.handle)
            ):
                handles.setdefault(cid, []).append((kind, handle))
    return [ContactMatch(cid, name, tuple(handles.get(cid, ()))) for cid, name in rows]


def contact_matches(store: Store, contact_ids: list[str]) -> list[ContactMatch]:
    """The given contacts (surviving ones only) as :class:`ContactMatch`, in the given order."""
    if not contact_ids:
        return []
    with store.read() as s:
        names = dict(
            s.execute(
                select(Contact.id, Contact.display_name).where(
                    Contact.id.in_(contact_ids), Contact.merged_into.is_(None)
                )
            ).all()
        )
        handles: dict[str, list[tuple[str, str]]] = {}
        for cid, kind, handle in s.execute(
            select(ContactIdentity.contact_id, ChannelAccount.kind, ContactIdentity.handle)
            .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
            .where(ContactIdentity.contact_id.in_(list(names)))
            .order_by(ChannelAccount.kind, ContactIdentity.handle)
        ):
            handles.setdefault(cid, []).append((kind, handle))
    return [
        ContactMatch(cid, names[cid], tuple(handles.get(cid, ())))
        for cid in contact_ids
        if cid in names
    ]
