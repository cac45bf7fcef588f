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
)

SNIPPET_CHARS = 120


def snippet_of(body: str) -> str:
    """One line of a message for lists: whitespace folded, cut at 120 characters."""
    return " ".join(body.split())[:SNIPPET_CHARS]


def _contact_for(s: Session, account_id: str, m: InboundMessage, now: int) -> str:
    contact_id = s.scalar(
        select(ContactIdentity.contact_id).where(
            ContactIdentity.account_id == account_id, ContactIdentity.handle == m.handle
        )
    )
    if contact_id is None:
        contact_id = new_id()
        s.add(Contact(id=contact_id, display_name=m.contact_name or m.handle, created_at=now))
        s.add(
            ContactIdentity(
                id=new_id(), contact_id=contact_id, account_id=account_id, handle=m.handle
            )
        )
        s.flush()
    return contact_id


def apply_message(s: Session, conv: Conversation, direction: str, body: str, sent_at: int) -> None:
    """Update a conversation's list fields for a message just stored in it."""
    conv.message_count += 1
    if sent_at >= conv.last_message_at:
        conv.last_message_at = sent_at
        conv.snippet = snippet_of(body)
    if direction == Direction.INBOUND.value:
        last_out = s.scalar(
            select(func.max(Message.sent_at)).where(
                Message.conversation_id == conv.id,
                Message.direction == Direction.OUTBOUND.value,
            )
        )
        if last_out is None or sent_at > last_out:
            conv.waiting_since = (
                sent_at if conv.waiting_since is None else min(conv.waiting_since, sent_at)
            )
        conv.last_inbound_at = max(conv.last_inbound_at or 0, sent_at)
    elif sent_at >= (conv.last_inbound_at or 0):
        conv.waiting_since = None


def ingest(store: Store, account_id: str, result: FetchResult) -> Changes:
    """Store one fetched page and advance the account's cursor in the same transaction.

    An inbound message reopens a resolved or snoozed conversation.

    Returns:
        What changed, for the views.
    """
    now = time.time_ns() // 1_000_000
    touched: set[str] = set()
    created = False
    with store.write() as s:
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise KeyError(account_id)
        for m in sorted(result.messages, key=lambda m: m.sent_at):
            if m.direction not in (Direction.INBOUND.value, Direction.OUTBOUND.value):
                continue
            known = s.scalar(
                select(Message.id).where(
                    Message.account_id == account_id, Message.external_id == m.external_id
                )
            )
            if known is not None:
                continue
            conv = s.scalar(
                select(Conversation).where(
                    Conversation.account_id == account_id,
                    Conversation.external_thread_id == m.thread_id,
                )
            )
            if conv is None:
                conv = Conversation(
                    id=new_id(m.sent_at),
                    account_id=account_id,
                    contact_id=_contact_for(s, account_id, m, now),
                    external_thread_id=m.thread_id,
                    status=Status.OPEN.value,
                    created_at=m.sent_at,
                    last_message_at=m.sent_at,
                    message_count=0,
                    read_upto=0,
                    priority=1,
                )
                s.add(conv)
                s.flush()
                created = True
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
                )
            )
            apply_message(s, conv, m.direction, m.body, m.sent_at)
            if m.direction == Direction.INBOUND.value and conv.status in (
                Status.RESOLVED.value,
                Status.SNOOZED.value,
            ):
                reopen_in(s, store, conv, "reopen")
            touched.add(conv.id)
        account.cursor = result.next_cursor
        account.last_fetch_at = now
        account.last_error = None
    ids = frozenset(touched)
    return Changes(conversations=ids, threads=ids, new_conversations=created)
