"""Storing fetched messages: contacts, conversations, messages and the account cursor, in one
transaction, so a crash never leaves a cursor ahead of the messages it covers.

Messages are deduplicated by (account, external id): fetching the same page twice is harmless.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.channels.base import FetchResult, InboundMessage
from console.domain import Direction, Status
from console.ids import new_id
from console.services import Changes, reopen_in
from console.store.engine import Store
from console.store.models import (
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    Message,
    ThreadRef,
)

SNIPPET_CHARS = 120


def snippet_of(body: str) -> str:
    """One line of a message for lists: whitespace folded, cut at 120 characters."""
    return " ".join(body.split())[:SNIPPET_CHARS]


def apply_message(
    conv: Conversation, direction: str, body: str, sent_at: int, last_outbound_at: int | None
) -> None:
    """Update a conversation's list fields for a message just stored in it.

    Args:
        conv: The conversation.
        direction: The message's direction.
        body: Its text.
        sent_at: When it was sent.
        last_outbound_at: The clinic's latest reply in this conversation before this message
            (an inbound message older than that is not waiting for an answer).
    """
    conv.message_count += 1
    if sent_at >= conv.last_message_at:
        conv.last_message_at = sent_at
        conv.snippet = snippet_of(body)
    if direction == Direction.INBOUND.value:
        if last_outbound_at is None or sent_at > last_outbound_at:
            conv.waiting_since = (
                sent_at if conv.waiting_since is None else min(conv.waiting_since, sent_at)
            )
        conv.last_inbound_at = max(conv.last_inbound_at or 0, sent_at)
    elif sent_at >= (conv.last_inbound_at or 0):
        conv.waiting_since = None


class _Page:
    """What one page needs from the database, read in a few set queries up front."""

    def find(self, m: InboundMessage) -> Conversation | None:
        """The conversation a message belongs to: by its thread id, else by any reference."""
        conv = self.conversations.get(m.thread_id)
        if conv is None:
            for ref in m.thread_refs:
                cid = self.refs.get(ref)
                if cid is not None:
                    return self.by_id.get(cid)
        return conv

    def remember(self, s: Session, account_id: str, m: InboundMessage, conv: Conversation) -> None:
        """Record the message's references so later replies find this conversation."""
        for ref in (m.thread_id, *m.thread_refs) if m.thread_refs else ():
            if ref not in self.refs:
                self.refs[ref] = conv.id
                s.merge(ThreadRef(account_id=account_id, ref=ref, conversation_id=conv.id))

    def __init__(self, s: Session, account_id: str, messages: list[InboundMessage]) -> None:
        self.known: set[str] = set()
        self.conversations: dict[str, Conversation] = {}
        self.contacts: dict[str, str] = {}
        self.last_out: dict[str, int] = {}
        self.refs: dict[str, str] = {}  # thread ref -> conversation id
        self.by_id: dict[str, Conversation] = {}
        for chunk in _chunks(messages):
            self.known.update(
                s.scalars(
                    select(Message.external_id).where(
                        Message.account_id == account_id,
                        Message.external_id.in_({m.external_id for m in chunk}),
                    )
                )
            )
            for conv in s.scalars(
                select(Conversation).where(
                    Conversation.account_id == account_id,
                    Conversation.external_thread_id.in_({m.thread_id for m in chunk}),
                )
            ):
                self.conversations[conv.external_thread_id] = conv
            refs = {r for m in chunk for r in m.thread_refs}
            if refs:
                self.refs.update(
                    (ref, cid)
                    for ref, cid in s.execute(
                        select(ThreadRef.ref, ThreadRef.conversation_id).where(
                            ThreadRef.account_id == account_id, ThreadRef.ref.in_(refs)
                        )
                    )
                )
            identities = select(ContactIdentity.handle, ContactIdentity.contact_id).where(
                ContactIdentity.account_id == account_id,
                ContactIdentity.handle.in_({m.handle for m in chunk}),
            )
            self.contacts.update((h, c) for h, c in s.execute(identities))
        joined = set(self.refs.values()) - {c.id for c in self.conversations.values()}
        if joined:
            for conv in s.scalars(select(Conversation).where(Conversation.id.in_(joined))):
                self.by_id[conv.id] = conv
        for conv in self.conversations.values():
            self.by_id[conv.id] = conv
        ids = list(self.by_id)
        for chunk_ids in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
            self.last_out.update(
                (cid, int(at))
                for cid, at in s.execute(
                    select(Message.conversation_id, func.max(Message.sent_at))
                    .where(
                        Message.conversation_id.in_(chunk_ids),
                        Message.direction == Direction.OUTBOUND.value,
                    )
                    .group_by(Message.conversation_id)
                )
            )


_CHUNK = 500


def _chunks(items: list[InboundMessage]) -> list[list[InboundMessage]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def ingest(store: Store, account_id: str, result: FetchResult) -> Changes:
    """Store one fetched page and advance the account's cursor in the same transaction.

    The page's known messages, conversations, contacts and latest replies are read in a few
    set queries first, so storing a message costs its inserts and nothing more. An inbound
    message reopens a resolved or snoozed conversation.

    Returns:
        What changed, for the views.
    """
    now = time.time_ns() // 1_000_000
    messages = sorted(
        (
            m
            for m in result.messages
            if m.direction in (Direction.INBOUND.value, Direction.OUTBOUND.value)
        ),
        key=lambda m: m.sent_at,
    )
    touched: set[str] = set()
    created = False
    with store.write() as s, s.no_autoflush:
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise KeyError(account_id)
        page = _Page(s, account_id, messages)
        for m in messages:
            if m.external_id in page.known:
                continue
            page.known.add(m.external_id)
            conv = page.find(m)
            if conv is None:
                contact_id = page.contacts.get(m.handle)
                if contact_id is None:
                    contact_id = page.contacts[m.handle] = new_id()
                    s.add(
                        Contact(
                            id=contact_id, display_name=m.contact_name or m.handle, created_at=now
                        )
                    )
                    s.add(
                        ContactIdentity(
                            id=new_id(),
                            contact_id=contact_id,
                            account_id=account_id,
                            handle=m.handle,
                        )
                    )
                conv = Conversation(
                    id=new_id(m.sent_at),
                    account_id=account_id,
                    contact_id=contact_id,
                    external_thread_id=m.thread_id,
                    subject=m.subject[:300],
                    status=Status.OPEN.value,
                    created_at=m.sent_at,
                    last_message_at=m.sent_at,
                    message_count=0,
                    read_upto=0,
                    priority=1,
                )
                s.add(conv)
                created = True
            page.conversations.setdefault(m.thread_id, conv)
            page.by_id[conv.id] = conv
            page.remember(s, account_id, m, conv)
            s.add(
                Message(
                    id=new_id(m.sent_at),
                    conversation_id=conv.id,
                    account_id=account_id,
                    external_id=m.external_id,
                    direction=m.direction,
                    author=m.author,
                    body=m.body,
                    sent_at=m.sent_at,
                    attachments=[
                        {"name": a.name, "mime_type": a.mime_type, "size": a.size}
                        for a in m.attachments
                    ]
                    or None,
                )
            )
            apply_message(conv, m.direction, m.body, m.sent_at, page.last_out.get(conv.id))
            if m.direction == Direction.OUTBOUND.value:
                page.last_out[conv.id] = max(page.last_out.get(conv.id, 0), m.sent_at)
            elif conv.status in (Status.RESOLVED.value, Status.SNOOZED.value):
                reopen_in(s, store, conv, "reopen")
            touched.add(conv.id)
        account.cursor = result.next_cursor
        account.last_fetch_at = now
        account.last_error = None
    ids = frozenset(touched)
    return Changes(conversations=ids, threads=ids, new_conversations=created)
