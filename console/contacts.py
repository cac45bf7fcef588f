"""Likely duplicate contacts: the same person writing on several channels.

Suggestions only — staff decide, and merging goes through
:func:`console.services.merge_contacts`. Two contacts are proposed as one person when

- the same phone number appears in their handles or in what they wrote (Korean numbers in any
  common spelling: ``010-1234-5678``, ``01012345678``, ``+82 10-1234-5678``),
- the same e-mail address does (case folded), or
- they carry the same display name on different channels.

No Qt here: the UI runs :func:`suggest_duplicates` on its read lane.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from console.domain import Direction
from console.store.engine import Store
from console.store.models import ChannelAccount, Contact, ContactIdentity, Conversation, Message

#: How many of the newest customer messages are read for numbers and addresses.
MESSAGE_SCAN = 20_000

_PHONE = re.compile(
    r"(?<![\d+])(?:\+?82[\s.\-]*\(?0?\)?|0)[\s.\-]*"
    r"(1[016789]|[2-6]\d{0,1}|70)[\s.\-)]*(\d{3,4})[\s.\-]*(\d{4})(?!\d)"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_MIN_NAME_CHARS = 2


def phone_numbers(text: str) -> set[str]:
    """Korean phone numbers in ``text``, normalised to national digits (``01012345678``).

    ``010-1234-5678``, ``010 1234 5678``, ``01012345678``, ``+82 10-1234-5678`` and
    ``+82 (0)10 1234 5678`` all give ``01012345678``.
    """
    found = set()
    for prefix, middle, last in _PHONE.findall(text):
        digits = f"0{prefix}{middle}{last}"
        if 9 <= len(digits) <= 11:
            found.add(digits)
    return found


def normalise_phone(text: str) -> str | None:
    """The one phone number ``text`` is (national digits), or None if it is not one."""
    numbers = phone_numbers(text)
    return next(iter(numbers)) if len(numbers) == 1 else None


def format_phone(digits: str) -> str:
    """National digits as people write them: ``010-1234-5678``, ``02-123-4567``."""
    area = 2 if digits.startswith("02") else 3
    rest = digits[area:]
    cut = len(rest) - 4
    return f"{digits[:area]}-{rest[:cut]}-{rest[cut:]}" if cut > 0 else digits


def email_addresses(text: str) -> set[str]:
    """E-mail addresses in ``text``, lower-cased."""
    return {m.lower().rstrip(".") for m in _EMAIL.findall(text)}


def name_key(name: str) -> str:
    """A display name compared loosely: case folded, spaces removed."""
    return "".join(name.split()).casefold()


@dataclass(frozen=True)
class Suggestion:
    """Contacts that may be one person.

    Attributes:
        contact_ids: The contacts (two or more), oldest first.
        reason: ``"phone"``, ``"email"`` or ``"name"``.
        value: The shared number, address or name.
    """

    contact_ids: tuple[str, ...]
    reason: str
    value: str


def _keys(text: str) -> Iterable[tuple[str, str]]:
    for number in phone_numbers(text):
        yield "phone", number
    for address in email_addresses(text):
        yield "email", address


def _may_hold_key(column: Any, dialect: str) -> Any:
    """A SQL condition true for every text in which :func:`_keys` can find something, and for
    few others: three digits and later four more (every phone number's last two groups), or
    an ``@`` with a dot after it (every address). The database evaluates it, so the regular
    expressions run only on the texts that pass. Digits are ASCII digits: a number typed in
    full-width digits is not read (its key would never equal one typed in ASCII anyway)."""
    if dialect == "sqlite":
        glob = column.op("GLOB", is_comparison=True)
        return or_(glob("*[0-9][0-9][0-9]*[0-9][0-9][0-9][0-9]*"), glob("*@*.*"))
    return column.regexp_match("[0-9]{3}.*[0-9]{4}|@.*[.]")


def _name_key_sql(column: Any) -> Any:
    """:func:`name_key` in SQL: spaces removed, lower-cased (SQLite lower-cases only ASCII
    letters; Korean names have no case)."""
    return func.lower(func.replace(column, " ", ""))


def _name_groups(s: Session) -> list[list[tuple[str, str, int]]]:
    """Surviving contacts that share a loose name (at least two characters) on more than one
    channel: ``[(id, name, created), ...]`` per group. The database finds the shared names
    (one grouped scan of ``contact``); only their contacts are read, with their channels."""
    key = _name_key_sql(Contact.display_name)
    shared = s.scalars(
        select(key)
        .where(Contact.merged_into.is_(None))
        .group_by(key)
        .having(func.count() > 1, func.length(key) >= _MIN_NAME_CHARS)
    ).all()
    groups: dict[str, dict[str, tuple[str, int]]] = {}
    kinds: dict[str, set[str]] = {}
    for i in range(0, len(shared), 500):
        for k, cid, name, created, kind in s.execute(
            select(key, Contact.id, Contact.display_name, Contact.created_at, ChannelAccount.kind)
            .outerjoin(ContactIdentity, ContactIdentity.contact_id == Contact.id)
            .outerjoin(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
            .where(Contact.merged_into.is_(None), key.in_(shared[i : i + 500]))
        ):
            groups.setdefault(k, {})[cid] = (name, created)
            if kind is not None:
                kinds.setdefault(k, set()).add(kind)
    # The same name on one channel only is usually two people (or one handle each).
    return [
        [(cid, name, created) for cid, (name, created) in members.items()]
        for k, members in sorted(groups.items())
        if len(members) > 1 and len(kinds.get(k, ())) > 1
    ]


#: Customer messages, written as the partial index ``ix_message_inbound_sent`` is, so SQLite
#: walks that index (a bound parameter would not prove the index applies).
_INBOUND = text("message.direction = 'in'")


def _newest_inbound(s: Session, message_scan: int) -> Any:
    """A condition selecting the newest ``message_scan`` customer messages: from the time of
    the last of them (one walk down the inbound-time index), so no list of them is built."""
    cutoff = s.scalar(
        select(Message.sent_at)
        .where(_INBOUND)
        .order_by(Message.sent_at.desc())
        .offset(max(0, message_scan - 1))
        .limit(1)
    )
    return _INBOUND if cutoff is None else _INBOUND & (Message.sent_at >= cutoff)


def suggest_duplicates(
    store: Store, contact_id: str | None = None, message_scan: int = MESSAGE_SCAN
) -> list[Suggestion]:
    """Groups of surviving contacts that look like one person.

    The database does the heavy part: names are grouped by their loose form in SQL (see
    :func:`_name_key_sql`), and only handles and messages that can hold a number or an address
    (:func:`_may_hold_key`) reach the regular expressions, whose numbers and addresses are
    then grouped.

    Args:
        store: The store.
        contact_id: Only groups that include this contact.
        message_scan: How many of the newest customer messages to read for numbers and
            addresses (handles are always read in full; messages sent at the same moment as
            the last of them are read too).

    Returns:
        Phone matches first, then e-mail, then names; each group once.
    """
    with store.read() as s:
        dialect = s.get_bind().dialect.name
        keys: dict[tuple[str, str], set[str]] = {}
        for cid, handle in s.execute(
            select(ContactIdentity.contact_id, ContactIdentity.handle).where(
                _may_hold_key(ContactIdentity.handle, dialect)
            )
        ):
            for key in _keys(handle):
                keys.setdefault(key, set()).add(cid)
        # Messages alone (a range of the inbound-time index), then the few conversations'
        # contacts: joined in one statement, SQLite would walk every conversation instead.
        found = s.execute(
            select(Message.conversation_id, Message.body).where(
                _newest_inbound(s, message_scan), _may_hold_key(Message.body, dialect)
            )
        ).all()
        conversations = sorted({conv for conv, _body in found})
        contact_of: dict[str, str] = {}
        for i in range(0, len(conversations), 500):
            for conv, contact in s.execute(
                select(Conversation.id, Conversation.contact_id).where(
                    Conversation.id.in_(conversations[i : i + 500])
                )
            ):
                contact_of[conv] = contact
        for conv, body in found:
            for key in _keys(body):
                keys.setdefault(key, set()).add(contact_of[conv])
        named = _name_groups(s)
        alive: dict[str, tuple[str, int]] = {
            cid: (name, created) for group in named for cid, name, created in group
        }
        wanted = sorted({c for ids in keys.values() if len(ids) > 1 for c in ids} - set(alive))
        for i in range(0, len(wanted), 500):
            alive.update(
                (cid, (name, created))
                for cid, name, created in s.execute(
                    select(Contact.id, Contact.display_name, Contact.created_at).where(
                        Contact.id.in_(wanted[i : i + 500]), Contact.merged_into.is_(None)
                    )
                )
            )

    def order(ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda c: (alive[c][1], c)))

    seen: set[tuple[str, ...]] = set()
    out: list[Suggestion] = []
    for reason in ("phone", "email"):
        for (kind, value), ids in sorted(keys.items()):
            if kind != reason or len(ids) < 2:
                continue
            group = order(c for c in ids if c in alive)
            if len(group) > 1 and group not in seen:
                seen.add(group)
                out.append(Suggestion(group, reason, value))
    for members in named:
        group = order(cid for cid, _n, _c in members)
        if group not in seen:
            seen.add(group)
            out.append(Suggestion(group, "name", alive[group[0]][0]))
    if contact_id is not None:
        out = [g for g in out if contact_id in g.contact_ids]
    return out


def _pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def duplicates_of(store: Store, contact_id: str, own_messages: int = 500) -> list[Suggestion]:
    """Contacts that look like the same person as one contact, each with the reason.

    What :func:`suggest_duplicates` finds for one contact, without reading the whole store:
    the numbers and addresses in this contact's handles and newest ``own_messages`` messages
    are looked for in the other handles and in every customer message (a ``LIKE`` on the
    number's last four digits or the address first, then the exact normalised match), and the
    name among the other contacts' names.

    Returns:
        One :class:`Suggestion` per other contact (``contact_ids`` is ``(contact_id, other)``),
        phone matches first, then e-mail, then names.
    """
    with store.read() as s:
        name = s.scalar(select(Contact.display_name).where(Contact.id == contact_id))
        if name is None:
            return []
        own = s.execute(
            select(ContactIdentity.handle, ChannelAccount.kind)
            .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
            .where(ContactIdentity.contact_id == contact_id)
        ).all()
        bodies = s.scalars(
            select(Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.contact_id == contact_id,
                Message.direction == Direction.INBOUND.value,
            )
            .order_by(Message.sent_at.desc())
            .limit(own_messages)
        ).all()
        keys = {k for text in [*(h for h, _k in own), *bodies] for k in _keys(text)}
        found: dict[str, tuple[int, str, str]] = {}  # contact -> (rank, reason, value)

        def add(cid: str, rank: int, reason: str, value: str) -> None:
            if cid != contact_id and (cid not in found or found[cid][0] > rank):
                found[cid] = (rank, reason, value)

        for kind, value in sorted(keys):
            rank = 0 if kind == "phone" else 1
            probe = _pattern(value[-4:] if kind == "phone" else value)
            for cid, handle in s.execute(
                select(ContactIdentity.contact_id, ContactIdentity.handle).where(
                    ContactIdentity.handle.like(probe, escape="\\")
                )
            ):
                if (kind, value) in set(_keys(handle)):
                    add(cid, rank, kind, value)
            for cid, body in s.execute(
                select(Conversation.contact_id, Message.body)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Message.direction == Direction.INBOUND.value,
                    Message.body.like(probe, escape="\\"),
                    Conversation.contact_id != contact_id,
                )
                .limit(MESSAGE_SCAN)
            ):
                if (kind, value) in set(_keys(body)):
                    add(cid, rank, kind, value)
        loose = name_key(name)
        if len(loose) >= _MIN_NAME_CHARS:
            mine = {k for _h, k in own}
            same = s.execute(
                select(Contact.id, ChannelAccount.kind)
                .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)
                .join(ChannelAccount, ChannelAccount.id == ContactIdentity.account_id)
                .where(
                    Contact.merged_into.is_(None),
                    func.lower(func.replace(Contact.display_name, " ", "")) == loose,
                )
            ).all()
            kinds: dict[str, set[str]] = {}
            for cid, kind in same:
                kinds.setdefault(cid, set()).add(kind)
            for cid, theirs in kinds.items():
                if len(mine | theirs) > 1:  # one channel only: usually two people
                    add(cid, 2, "name", name)
        alive = set(
            s.scalars(
                select(Contact.id).where(Contact.id.in_(list(found)), Contact.merged_into.is_(None))
            )
        )
    ordered = sorted((v[0], cid) for cid, v in found.items() if cid in alive)
    return [Suggestion((contact_id, cid), found[cid][1], found[cid][2]) for _rank, cid in ordered]
