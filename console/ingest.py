"""Storing fetched messages: contacts, conversations, messages and the account cursor, in one
transaction, so a crash never leaves a cursor ahead of the messages it covers.

Messages are deduplicated by (account, external id): fetching the same page twice is harmless.
A page is stored as a plan: what the page needs from the database is read in a few set
queries, the conversations' list fields are worked out in memory, and the rows are written
with one multi-row statement per table.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from console.channels.base import FetchResult, InboundMessage
from console.domain import Direction, Status
from console.ids import new_id
from console.services import (
    Changes,
    auto_assign_ids_in,
    auto_tag_in,
    reopen_in,
    rule_actions_in,
    rule_assign_in,
    surviving_contacts,
)
from console.store import search
from console.store.engine import Store
from console.store.models import (
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    ConversationLabel,
    Message,
    ThreadRef,
)

if TYPE_CHECKING:
    from console.routing.triage import Triage

log = logging.getLogger(__name__)

SNIPPET_CHARS = 120
_CHUNK = 500


def snippet_of(body: str) -> str:
    """One line of a message for lists: whitespace folded, cut at 120 characters."""
    return " ".join(body.split())[:SNIPPET_CHARS]


class ListFields(Protocol):
    """The conversation fields a new message moves (an ORM row or a working copy)."""

    message_count: int
    last_message_at: int
    snippet: str
    waiting_since: int | None
    last_inbound_at: int | None
    opened_at: int | None
    first_response_at: int | None
    replied_at: int | None
    replied_wait_from: int | None


def apply_message(
    conv: ListFields, direction: str, body: str, sent_at: int, last_outbound_at: int | None
) -> None:
    """Update a conversation's list fields for a message just stored in it.

    Also keeps the times the manager's figures count from: when the customer's episode
    opened, the clinic's first reply in it, and the latest reply that ended a wait (with when
    that wait began).

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
        if conv.opened_at is None:
            conv.opened_at = sent_at
        return
    opened = conv.opened_at
    if conv.first_response_at is None and opened is not None and sent_at >= opened:
        conv.first_response_at = sent_at
    if sent_at >= (conv.last_inbound_at or 0):
        if conv.waiting_since is not None and sent_at >= conv.waiting_since:
            conv.replied_at, conv.replied_wait_from = sent_at, conv.waiting_since
        conv.waiting_since = None


def open_episode(conv: ListFields, sent_at: int) -> None:
    """Start a new episode: a customer message reopened a resolved conversation, so its
    response and resolution times count from that message."""
    conv.opened_at = sent_at
    conv.first_response_at = None


_UPDATED = (
    "message_count",
    "last_message_at",
    "snippet",
    "waiting_since",
    "last_inbound_at",
    "status",
    "status_hlc",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "replied_at",
    "replied_wait_from",
)


@dataclass
class _Conv:
    """A working copy of a conversation's row while a page is planned."""

    id: str
    external_thread_id: str
    status: str
    status_hlc: str
    message_count: int
    last_message_at: int
    snippet: str
    waiting_since: int | None
    last_inbound_at: int | None
    opened_at: int | None = None
    first_response_at: int | None = None
    resolved_at: int | None = None
    replied_at: int | None = None
    replied_wait_from: int | None = None
    new: dict[str, Any] | None = None  # the full row, for a conversation this page creates
    touched: bool = False

    def row(self) -> dict[str, Any]:
        """The full row of a conversation this page creates."""
        assert self.new is not None
        return {**self.new, **{name: getattr(self, name) for name in _UPDATED}}

    def changes(self) -> dict[str, Any]:
        """The parameters of :data:`_UPDATE_CONVERSATION` for a conversation that exists."""
        return {"id_": self.id, **{name: getattr(self, name) for name in _UPDATED}}


# Core statements for the two big writes of a page, one executemany each (every row has the
# same keys): the ORM's bulk paths would inspect every row again (a tenth of ingest's time).
_CONVERSATIONS = cast(Table, Conversation.__table__)
_UPDATE_CONVERSATION = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("id_"))
    .values({name: bindparam(name) for name in _UPDATED})
)
_INSERT_MESSAGE = insert(cast(Table, Message.__table__))


@dataclass
class _Page:
    """What one page needs from the database, read in a few set queries up front."""

    known: set[str] = field(default_factory=set)
    conversations: dict[str, _Conv] = field(default_factory=dict)  # thread id -> conv
    by_id: dict[str, _Conv] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)  # handle -> contact id
    identities: dict[str, str] = field(default_factory=dict)  # handle -> identity id
    last_out: dict[str, int] = field(default_factory=dict)  # conversation id -> time
    refs: dict[str, str] = field(default_factory=dict)  # thread ref -> conversation id
    new_refs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, s: Session, account_id: str, messages: list[InboundMessage]) -> _Page:
        page = cls()
        columns = [
            getattr(Conversation, name)
            for name in (
                "id",
                "external_thread_id",
                "status",
                "status_hlc",
                "message_count",
                "last_message_at",
                "snippet",
                "waiting_since",
                "last_inbound_at",
                "opened_at",
                "first_response_at",
                "resolved_at",
                "replied_at",
                "replied_wait_from",
            )
        ]
        found: set[str] = set()
        conn = s.connection()  # Core execution: these read plain columns, no ORM objects
        for chunk in (messages[i : i + _CHUNK] for i in range(0, len(messages), _CHUNK)):
            page.known.update(
                conn.scalars(
                    select(Message.external_id).where(
                        Message.account_id == account_id,
                        Message.external_id.in_({m.external_id for m in chunk}),
                    )
                )
            )
            threads = select(*columns).where(
                Conversation.account_id == account_id,
                Conversation.external_thread_id.in_({m.thread_id for m in chunk}),
            )
            for values in conn.execute(threads):
                page.add(_Conv(*values))
            identities = select(
                ContactIdentity.handle, ContactIdentity.contact_id, ContactIdentity.id
            ).where(
                ContactIdentity.account_id == account_id,
                ContactIdentity.handle.in_({m.handle for m in chunk}),
            )
            for handle, contact_id, identity_id in conn.execute(identities):
                page.contacts[handle] = contact_id
                page.identities[handle] = identity_id
            refs = {r for m in chunk for r in m.thread_refs}
            if refs:
                by_ref = select(ThreadRef.ref, ThreadRef.conversation_id).where(
                    ThreadRef.account_id == account_id, ThreadRef.ref.in_(refs)
                )
                page.refs.update((r, c) for r, c in conn.execute(by_ref))
            found |= set(page.refs.values()) - set(page.by_id)
        # An identity still naming a merged contact (sync can bring one) lands on the survivor.
        survivors = surviving_contacts(s, set(page.contacts.values()))
        page.contacts = {h: survivors.get(c, c) for h, c in page.contacts.items()}
        if found:
            for values in conn.execute(select(*columns).where(Conversation.id.in_(found))):
                conv = _Conv(*values)
                page.by_id[conv.id] = conv
        ids = list(page.by_id)
        for chunk_ids in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
            latest = (
                select(Message.conversation_id, func.max(Message.sent_at))
                .where(
                    Message.conversation_id.in_(chunk_ids),
                    Message.direction == Direction.OUTBOUND.value,
                )
                .group_by(Message.conversation_id)
            )
            page.last_out.update((cid, int(at)) for cid, at in conn.execute(latest))
        return page

    def add(self, conv: _Conv) -> None:
        self.conversations.setdefault(conv.external_thread_id, conv)
        self.by_id[conv.id] = conv

    def find(self, m: InboundMessage) -> _Conv | None:
        """The conversation a message belongs to: by its thread id, else by a reference."""
        conv = self.conversations.get(m.thread_id)
        if conv is None:
            for ref in m.thread_refs:
                cid = self.refs.get(ref)
                if cid is not None and cid in self.by_id:
                    conv = self.by_id[cid]
                    self.conversations[m.thread_id] = conv
                    break
        return conv

    def remember(self, account_id: str, m: InboundMessage, conv: _Conv) -> None:
        """Record the message's references so later replies find this conversation."""
        if not m.thread_refs:
            return
        for ref in (m.thread_id, *m.thread_refs):
            if ref not in self.refs:
                self.refs[ref] = conv.id
                self.new_refs.append(
                    {"account_id": account_id, "ref": ref, "conversation_id": conv.id}
                )


def _route(
    s: Session,
    store: Store,
    triage: Triage,
    conv: _Conv,
    text: str,
    channel: str,
    account_id: str,
    handle: str,
    labels: list[dict[str, Any]],
) -> bool:
    """Route a new conversation into its row-to-be (``conv.new``); a deciding rule's labels
    are added to ``labels`` (rows to insert once the conversation exists), and its assignee
    is given the conversation when they are on duty for the rule's department.

    Returns:
        Whether the department's automatic assignment should still run: a department was set
        and nobody was given the conversation by the rule.
    """
    assert conv.new is not None
    decision = triage.decide(text, channel, account_id, handle)
    conv.new["suggested_department"] = decision.suggestion or None
    conv.new["suggestion_confidence"] = round(decision.confidence, 4)
    if decision.department is not None and decision.auto_applied:
        source = "rule" if decision.rule_name else "auto"
        detail = {"confidence": round(decision.confidence, 4), "rule": decision.rule_name}
        stamp = auto_tag_in(s, store, conv.id, decision.department, source, detail)
        conv.new.update(
            department=decision.department, department_hlc=stamp, department_source=source
        )
    if decision.rule_name and (decision.labels or decision.priority is not None):
        stamp, rows = rule_actions_in(
            s, store, conv.id, decision.rule_name, decision.labels, decision.priority
        )
        labels.extend(rows)
        if decision.priority is not None:
            conv.new.update(priority=int(decision.priority), priority_hlc=stamp)
    department = conv.new.get("department")
    if decision.rule_name and decision.assignee_id and department is not None:
        given = rule_assign_in(
            s, store, conv.id, decision.rule_name, department, decision.assignee_id
        )
        if given is not None:
            conv.new.update(assignee_id=decision.assignee_id, assignee_hlc=given)
            return False
        log.info(
            "rule %r names %s, who is not on duty for %s: the department's mode decides",
            decision.rule_name,
            decision.assignee_id,
            department,
        )
    return department is not None


def ingest(
    store: Store, account_id: str, result: FetchResult, triage: Triage | None = None
) -> Changes:
    """Store one fetched page and advance the account's cursor in the same transaction.

    An inbound message reopens a resolved or snoozed conversation. With ``triage``, each new
    conversation that starts with a customer message is routed: a rule or a confident
    classifier sets its department (source "rule" or "auto") — and its assignee: the person
    a deciding rule names when they are on duty for that department, else whoever the
    department's automatic assignment chooses — otherwise the classifier's proposal is kept as a
    suggestion for staff.

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
    first_text: dict[str, tuple[str, str]] = {}  # new conversation id -> (text, handle)
    contacts: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    if triage is not None and messages:
        # Outside the write transaction: a rules check must not lengthen the write lock.
        with store.read() as rs:
            triage.refresh(rs)
    with store.write() as s:
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise KeyError(account_id)
        page = _Page.load(s, account_id, messages)
        for m in messages:
            if m.external_id in page.known:
                continue
            page.known.add(m.external_id)
            conv = page.find(m)
            if conv is None:
                contact_id = page.contacts.get(m.handle)
                identity_id = page.identities.get(m.handle)
                if contact_id is None or identity_id is None:
                    contact_id = page.contacts[m.handle] = new_id()
                    identity_id = page.identities[m.handle] = new_id()
                    contacts.append(
                        {
                            "id": contact_id,
                            "display_name": m.contact_name or m.handle,
                            "notes": "",
                            "created_at": now,
                        }
                    )
                    identities.append(
                        {
                            "id": identity_id,
                            "contact_id": contact_id,
                            "account_id": account_id,
                            "handle": m.handle,
                            "origin_contact_id": contact_id,
                        }
                    )
                cid = new_id(m.sent_at)
                conv = _Conv(
                    cid,
                    m.thread_id,
                    Status.OPEN.value,
                    "",
                    0,
                    m.sent_at,
                    "",
                    None,
                    None,
                    new={
                        "id": cid,
                        "account_id": account_id,
                        "contact_id": contact_id,
                        "identity_id": identity_id,
                        "external_thread_id": m.thread_id,
                        "subject": m.subject[:300],
                        "created_at": m.sent_at,
                        "read_upto": 0,
                        "priority": 1,
                    },
                )
                page.add(conv)
            page.remember(account_id, m, conv)
            rows.append(
                {
                    "id": new_id(m.sent_at),
                    "conversation_id": conv.id,
                    "account_id": account_id,
                    "external_id": m.external_id,
                    "direction": m.direction,
                    "author": m.author,
                    "body": m.body,
                    "sent_at": m.sent_at,
                    "attachments": [
                        {"name": a.name, "mime_type": a.mime_type, "size": a.size}
                        for a in m.attachments
                    ]
                    or None,
                }
            )
            apply_message(conv, m.direction, m.body, m.sent_at, page.last_out.get(conv.id))
            conv.touched = True
            if conv.new is not None and m.direction == Direction.INBOUND.value:
                first_text.setdefault(conv.id, (m.body, m.handle))
            if m.direction == Direction.OUTBOUND.value:
                page.last_out[conv.id] = max(page.last_out.get(conv.id, 0), m.sent_at)
            elif conv.status in (Status.RESOLVED.value, Status.SNOOZED.value):
                if conv.status == Status.RESOLVED.value:
                    open_episode(conv, m.sent_at)
                reopen_in(s, store, conv, "reopen")
        routed: list[str] = []
        rule_labels: list[dict[str, Any]] = []
        if triage is not None and first_text:
            for cid, (text, handle) in first_text.items():
                conv = page.by_id[cid]
                if _route(
                    s, store, triage, conv, text, account.kind, account_id, handle, rule_labels
                ):
                    routed.append(cid)
        touched = [c for c in page.by_id.values() if c.touched]
        created = [c.row() for c in touched if c.new is not None]
        changed = [c.changes() for c in touched if c.new is None]
        if contacts:
            s.execute(insert(Contact), contacts)
            s.execute(insert(ContactIdentity), identities)
        if created:
            s.execute(insert(Conversation), created)
        if rule_labels:
            s.execute(insert(ConversationLabel), rule_labels)
        if changed:
            s.connection().execute(_UPDATE_CONVERSATION, changed)
        if rows:
            s.connection().execute(_INSERT_MESSAGE, rows)
            search.index_messages(s, rows)
        if page.new_refs:
            s.execute(insert(ThreadRef), page.new_refs)
        if routed:  # sorted into a department that may assign automatically (and no rule did)
            auto_assign_ids_in(s, store, routed)
        account.cursor = result.next_cursor
        account.last_fetch_at = now
        account.last_error = None
    ids = frozenset(c.id for c in touched)
    return Changes(
        conversations=ids, threads=ids, new_conversations=bool(created), messages=len(rows)
    )
