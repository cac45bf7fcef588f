"""Contact commands: one person across channels.

Merging moves the other contact's channel identities and conversations to the surviving
contact and keeps the other row with ``merged_into`` set, so sync (a PC that still names the
old contact) and a later split can follow it; :func:`surviving_contacts` follows those chains.
Splitting moves one identity and its conversations out again: back to the contact ingest first
made for it when that one was merged into this one (its name and notes come back), otherwise
to a new contact.
"""

from __future__ import annotations

import time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import Direction
from console.ids import new_id
from console.services._changes import Actor, Changes
from console.services._commands import record
from console.services._roles import Permission, require
from console.store.contact_queries import surviving_contacts
from console.store.engine import Store
from console.store.models import Contact, ContactIdentity, Conversation, Message

#: Longest contact name (the column's width).
MAX_CONTACT_NAME_CHARS = 200
#: Longest notes on a contact.
MAX_CONTACT_NOTES_CHARS = 4000


def surviving_contact(s: Session, contact_id: str) -> Contact:
    """The contact that ``contact_id`` is now (itself, or where it was merged into).

    Raises:
        ContactNotFound: no such contact.
    """
    target = surviving_contacts(s, [contact_id]).get(contact_id, contact_id)
    contact = s.get(Contact, target)
    if contact is None:
        raise errors.ContactNotFound(contact_id=contact_id)
    return contact


def _conversations_of(s: Session, contact_id: str) -> list[Conversation]:
    return list(s.scalars(select(Conversation).where(Conversation.contact_id == contact_id)))


def merge_contacts(store: Store, actor: Actor, into: str, other: str) -> Changes:
    """Make ``other`` part of ``into``: its identities and conversations move to ``into``, its
    notes are added to ``into``'s, and it stays as a row with ``merged_into`` set.

    Merged contacts are followed to their survivors first, so merging with a contact that was
    itself merged means merging with where it went.

    Raises:
        NotPermitted: the actor may not manage contacts.
        ContactNotFound: either contact does not exist.
        CannotMergeContact: both are (now) the same contact.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CONTACTS)
        keep = surviving_contact(s, into)
        gone = surviving_contact(s, other)
        if keep.id == gone.id:
            raise errors.CannotMergeContact(reason="same", contact_id=keep.id)
        identities = list(
            s.scalars(select(ContactIdentity).where(ContactIdentity.contact_id == gone.id))
        )
        conversations = _conversations_of(s, gone.id)
        ops: list[tuple[str, str, str, object, int | None]] = [
            ("contact", gone.id, "merged_into", keep.id, None)
        ]
        ops += [("contact_identity", i.id, "contact_id", keep.id, None) for i in identities]
        ops += [("conversation", c.id, "contact_id", keep.id, None) for c in conversations]
        notes = keep.notes
        extra = gone.notes.strip()
        if extra and extra not in notes:
            notes = f"{notes.rstrip()}\n\n{extra}" if notes.strip() else extra
            notes = notes[:MAX_CONTACT_NOTES_CHARS]
            ops.append(("contact", keep.id, "notes", notes, None))
        stamp = record(
            s,
            store,
            actor,
            "merge_contacts",
            None,
            ops,
            {
                "into": keep.id,
                "other": gone.id,
                "identities": [i.id for i in identities],
                "conversations": len(conversations),
            },
        )
        gone.merged_into, gone.merged_hlc = keep.id, stamp
        for identity in identities:
            identity.contact_id, identity.contact_hlc = keep.id, stamp
        for conv in conversations:
            conv.contact_id, conv.contact_hlc = keep.id, stamp
        if notes != keep.notes:
            keep.notes, keep.notes_hlc = notes, stamp
        moved = frozenset(c.id for c in conversations) | frozenset(
            c.id for c in _conversations_of(s, keep.id)
        )
    return Changes(conversations=moved, contacts=frozenset({keep.id, gone.id}))


def _name_for(s: Session, identity: ContactIdentity, conversation_ids: list[str]) -> str:
    """A name for a contact split off with ``identity``: what the customer last called
    themselves on the channel, else the handle."""
    author = None
    if conversation_ids:
        author = s.scalar(
            select(Message.author)
            .where(
                Message.conversation_id.in_(conversation_ids),
                Message.direction == Direction.INBOUND.value,
                Message.author != "",
            )
            .order_by(Message.sent_at.desc())
            .limit(1)
        )
    return (author or identity.handle)[:MAX_CONTACT_NAME_CHARS]


def split_identity(store: Store, actor: Actor, contact_id: str, identity_id: str) -> Changes:
    """Move one channel identity, and the conversations with it, out of a contact.

    If the identity came from a contact that was merged into this one, that contact comes
    back (with its name and notes); otherwise a new contact is made, named as the customer
    last signed on that channel.

    Raises:
        NotPermitted: the actor may not manage contacts.
        ContactNotFound: no such contact.
        IdentityNotFound: the contact has no such identity.
        LastIdentity: it is the contact's only identity.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_CONTACTS)
        contact = surviving_contact(s, contact_id)
        identity = s.get(ContactIdentity, identity_id)
        if identity is None or identity.contact_id != contact.id:
            raise errors.IdentityNotFound(identity_id=identity_id)
        others = s.scalars(
            select(ContactIdentity.id).where(
                ContactIdentity.contact_id == contact.id, ContactIdentity.id != identity.id
            )
        ).first()
        if others is None:
            raise errors.LastIdentity(identity_id=identity_id)
        conversations = list(
            s.scalars(
                select(Conversation).where(
                    Conversation.contact_id == contact.id,
                    or_(
                        Conversation.identity_id == identity.id,
                        (Conversation.identity_id.is_(None))
                        & (Conversation.account_id == identity.account_id),
                    ),
                )
            )
        )
        origin = s.get(Contact, identity.origin_contact_id) if identity.origin_contact_id else None
        revive = (
            origin is not None
            and origin.id != contact.id
            and origin.merged_into is not None
            and surviving_contacts(s, [origin.id]).get(origin.id) == contact.id
        )
        now = time.time_ns() // 1_000_000
        ops: list[tuple[str, str, str, object, int | None]] = []
        if revive and origin is not None:
            target = origin
            ops.append(("contact", target.id, "merged_into", None, None))
        else:
            target = Contact(
                id=new_id(),
                display_name=_name_for(s, identity, [c.id for c in conversations]),
                notes="",
                merged_into=None,
                created_at=now,
            )
            ops.append(
                (
                    "contact",
                    target.id,
                    "created",
                    {"display_name": target.display_name, "created_at": now},
                    None,
                )
            )
        ops.append(("contact_identity", identity.id, "contact_id", target.id, None))
        ops += [("conversation", c.id, "contact_id", target.id, None) for c in conversations]
        stamp = record(
            s,
            store,
            actor,
            "split_identity",
            None,
            ops,
            {
                "contact": contact.id,
                "identity": identity.id,
                "to": target.id,
                "revived": bool(revive),
                "conversations": len(conversations),
            },
        )
        if revive:
            target.merged_into, target.merged_hlc = None, stamp
        else:
            target.name_hlc = stamp
            s.add(target)
            s.flush()
        identity.contact_id, identity.contact_hlc = target.id, stamp
        for conv in conversations:
            conv.contact_id, conv.contact_hlc = target.id, stamp
        moved = frozenset(c.id for c in conversations)
    return Changes(conversations=moved, contacts=frozenset({contact.id, target.id}))


def rename_contact(store: Store, actor: Actor, contact_id: str, name: str) -> Changes:
    """Change the name staff know the contact by (lists, the thread, canned answers use it).

    Raises:
        InvalidContactName: empty, or longer than :data:`MAX_CONTACT_NAME_CHARS`.
        ContactNotFound: no such contact.
    """
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_CONTACT_NAME_CHARS:
        raise errors.InvalidContactName(max_chars=MAX_CONTACT_NAME_CHARS)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        contact = surviving_contact(s, contact_id)
        if contact.display_name == cleaned:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "rename_contact",
            None,
            [("contact", contact.id, "display_name", cleaned, None)],
            {"contact": contact.id, "old": contact.display_name, "new": cleaned},
        )
        contact.display_name, contact.name_hlc = cleaned, stamp
        conversations = frozenset(c.id for c in _conversations_of(s, contact.id))
    return Changes(conversations=conversations, contacts=frozenset({contact.id}))


def set_contact_notes(store: Store, actor: Actor, contact_id: str, notes: str) -> Changes:
    """Replace the contact's notes (plain text for colleagues; never sent).

    Raises:
        ContactNotesTooLong: over :data:`MAX_CONTACT_NOTES_CHARS`.
        ContactNotFound: no such contact.
    """
    if len(notes) > MAX_CONTACT_NOTES_CHARS:
        raise errors.ContactNotesTooLong(length=len(notes), max_chars=MAX_CONTACT_NOTES_CHARS)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        contact = surviving_contact(s, contact_id)
        if contact.notes == notes:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "set_contact_notes",
            None,
            [("contact", contact.id, "notes", notes, None)],
            {"contact": contact.id, "length": len(notes)},
        )
        contact.notes, contact.notes_hlc = notes, stamp
    return Changes(contacts=frozenset({contact.id}))
