"""SQLAlchemy 2.x typed models: the data model of DESIGN.md as built.

Times are integer milliseconds since the Unix epoch (UTC): cheap to index and compare, and
the same on SQLite and PostgreSQL. Every mutable field that sync merges has an ``*_hlc`` column
holding the hybrid-logical-clock stamp of its last write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = String(36)

FOLDER_ACTIVE, FOLDER_SNOOZED, FOLDER_RESOLVED = 1, 2, 3
FOLDER_SQL = "CASE status WHEN 'snoozed' THEN 2 WHEN 'resolved' THEN 3 ELSE 1 END"
QUEUE_KEY_SQL = "coalesce(waiting_since, 20000000000000 - last_message_at)"
#: The active folder (open or pending) as a condition on ``status``: the partial indexes
#: condition, which a query must repeat word for word for SQLite to use them.
ACTIVE_SQL = "status IN ('open', 'pending')"
UNREAD_SQL = "CASE WHEN coalesce(last_inbound_at, 0) > read_upto THEN 1 ELSE 0 END"
Hlc = String(48)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        int: BigInteger().with_variant(Integer(), "sqlite"),
        dict[str, Any]: JSON,
    }


class Department(Base):
    """A department that answers conversations."""

    __tablename__ = "department"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(9))
    sort_order: Mapped[int] = mapped_column(default=0)


class Operator(Base):
    """A member of staff."""

    __tablename__ = "operator"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int]


class ChannelAccount(Base):
    """A connected page, inbox or bot. ``config`` holds no secret: only ``secret_ref`` names one."""

    __tablename__ = "channel_account"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    connector: Mapped[str] = mapped_column(String(24))
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(120))
    cursor: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    last_fetch_at: Mapped[int | None]
    created_at: Mapped[int]
    #: When staff disconnected it (its conversations stay); None while connected.
    removed_at: Mapped[int | None]
    #: Items the connector left out as malformed or unsupported (health), and the last reason.
    skipped_items: Mapped[int] = mapped_column(default=0, server_default="0")
    last_skip_reason: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (UniqueConstraint("connector", "external_id"),)


class Contact(Base):
    """A person the clinic talks to, across channels."""

    __tablename__ = "contact"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The contact this one was merged into (kept, so sync and an undo can follow it); lookups
    #: follow the chain to the surviving contact.
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("contact.id"), index=True)
    created_at: Mapped[int]
    name_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    notes_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    merged_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")


class ContactIdentity(Base):
    """A contact's handle on one channel account (unique per account)."""

    __tablename__ = "contact_identity"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_account.id"))
    handle: Mapped[str] = mapped_column(String(200))
    contact_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    #: The contact ingest made for this identity: a split brings it back (name and notes).
    origin_contact_id: Mapped[str | None] = mapped_column(Id)
    __table_args__ = (UniqueConstraint("account_id", "handle"),)


class Conversation(Base):
    """A thread with one contact on one channel account.

    ``last_*``, ``waiting_since``, ``snippet`` and ``message_count`` are kept current by the
    ingest and reply code in the same transaction as the message, so lists never join messages.
    """

    __tablename__ = "conversation"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_account.id"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id"))
    contact_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    #: The contact's identity the conversation is with (a split moves exactly its own).
    identity_id: Mapped[str | None] = mapped_column(Id)
    external_thread_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    status_hlc: Mapped[str] = mapped_column(Hlc, default="")
    department: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    department_hlc: Mapped[str] = mapped_column(Hlc, default="")
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    assignee_hlc: Mapped[str] = mapped_column(Hlc, default="")
    priority: Mapped[int] = mapped_column(default=1)
    priority_hlc: Mapped[str] = mapped_column(Hlc, default="")
    snoozed_until: Mapped[int | None]
    snooze_hlc: Mapped[str] = mapped_column(Hlc, default="")
    read_upto: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[int]
    last_message_at: Mapped[int]
    last_inbound_at: Mapped[int | None]
    waiting_since: Mapped[int | None]
    snippet: Mapped[str] = mapped_column(String(200), default="")
    message_count: Mapped[int] = mapped_column(default=0)
    #: Who set the department: "staff", "rule", "auto" (the classifier) or "" (nobody yet).
    department_source: Mapped[str] = mapped_column(String(8), default="", server_default="")
    #: The classifier's proposal when it was not confident enough to apply it.
    suggested_department: Mapped[str | None] = mapped_column(String(32))
    suggestion_confidence: Mapped[float | None] = mapped_column(Float)
    #: The subject line, on channels that have one (e-mail, web form); replies reuse it.
    subject: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: When the customer's current episode began: their first message, or the message that
    #: reopened a resolved conversation. Response and resolution times count from here.
    opened_at: Mapped[int | None]
    #: The clinic's first reply in the current episode (None until then).
    first_response_at: Mapped[int | None]
    #: When it was last marked resolved (None while not resolved).
    resolved_at: Mapped[int | None]
    #: The latest reply that ended a customer's wait, and when that wait had begun (for
    #: "answered late today" in the SLA figures).
    replied_at: Mapped[int | None]
    replied_wait_from: Mapped[int | None]
    #: Which navigation folder the status puts it in: 1 active (open, pending), 2 snoozed,
    #: 3 resolved. Generated by the database, so every writer (sync included) keeps it right.
    folder: Mapped[int] = mapped_column(Integer, Computed(FOLDER_SQL, persisted=True))
    #: Sort key of the waiting order: when the customer started waiting, or (for answered
    #: conversations, after every waiting one) most recent activity first.
    queue_key: Mapped[int] = mapped_column(BigInteger, Computed(QUEUE_KEY_SQL, persisted=True))
    #: 1 while a customer message is newer than the read position.
    unread: Mapped[int] = mapped_column(Integer, Computed(UNREAD_SQL, persisted=True))
    __table_args__ = (
        UniqueConstraint("account_id", "external_thread_id"),
        Index("ix_conversation_folder_last", "folder", "last_message_at", "id"),
        Index("ix_conversation_folder_queue", "folder", "queue_key", "id"),
        Index("ix_conversation_dept_last", "department", "folder", "last_message_at", "id"),
        Index("ix_conversation_dept_queue", "department", "folder", "queue_key", "id"),
        Index("ix_conversation_assignee", "assignee_id", "folder", "last_message_at", "id"),
        Index("ix_conversation_account", "account_id", "folder", "last_message_at", "id"),
        Index("ix_conversation_folder_unread", "folder", "unread"),
        Index("ix_conversation_contact", "contact_id"),
        # The manager's figures (console.reports): the active set in one covering scan and
        # breach ranges per (department, account) — a partial index on status, because
        # SQLite never treats an index holding the generated ``folder`` as covering — and
        # the openings, responses and resolutions of a period by range.
        Index(
            "ix_conversation_active",
            "department",
            "account_id",
            "waiting_since",
            "first_response_at",
            "assignee_id",
            "status",
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_conversation_opened", "opened_at", "department", "account_id"),
        Index(
            "ix_conversation_first_response",
            "first_response_at",
            "opened_at",
            "department",
            "account_id",
        ),
        Index(
            "ix_conversation_resolved",
            "resolved_at",
            "opened_at",
            "created_at",
            "department",
            "account_id",
        ),
        Index(
            "ix_conversation_replied",
            "replied_at",
            "replied_wait_from",
            "first_response_at",
            "department",
            "account_id",
        ),
    )


class ThreadRef(Base):
    """Another key a conversation is known by on its account (e-mail References, a subject
    key), so a message whose own thread id is new still joins the right conversation."""

    __tablename__ = "thread_ref"
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_account.id"), primary_key=True)
    ref: Mapped[str] = mapped_column(String(400), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)


class ConversationLabel(Base):
    """One label on one conversation; removal keeps the row with ``present`` false (for sync)."""

    __tablename__ = "conversation_label"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    hlc: Mapped[str] = mapped_column(Hlc)


class Message(Base):
    """One message in or out. Immutable once stored, except its delivery status."""

    __tablename__ = "message"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_account.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[int]
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    outbox_id: Mapped[str | None] = mapped_column(Id)
    #: Attachments as metadata: ``[{"name", "mime_type", "size"}]`` (files stay on the channel).
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_message_conversation_sent", "conversation_id", "sent_at"),
        # Inbound volume by hour and day (console.reports) without reading the messages.
        Index(
            "ix_message_inbound_sent",
            "sent_at",
            sqlite_where=text("direction = 'in'"),
            postgresql_where=text("direction = 'in'"),
        ),
    )


class Draft(Base):
    """The reply an operator is writing. One head per (conversation, operator); conflict copies
    (``is_conflict``) keep text that lost a concurrent save."""

    __tablename__ = "draft"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    body: Mapped[str] = mapped_column(Text)
    rev: Mapped[int] = mapped_column(default=1)
    parent_rev: Mapped[int | None]
    is_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[int]
    #: The clock stamp of the save the clinic server accepted last ("" until synced); a PC
    #: only ever holds the server's value (services leave it alone).
    hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    __table_args__ = (
        Index(
            "uq_draft_head",
            "conversation_id",
            "operator_id",
            unique=True,
            sqlite_where=text("is_conflict = 0"),
            postgresql_where=text("NOT is_conflict"),
        ),
    )


class Outbox(Base):
    """A reply on its way out. ``id`` is the idempotency key: uuid5 of the draft revision."""

    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_account.id"))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[int]
    updated_at: Mapped[int]
    # While ``sending``: which process claimed it, until when, under which leader epoch.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[int | None]
    leader_epoch: Mapped[int | None]
    __table_args__ = (
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_conversation", "conversation_id", "state"),
        Index("ix_outbox_state_updated", "state", "updated_at"),
    )


class Note(Base):
    """A private internal note on a conversation; never sent to the customer."""

    __tablename__ = "note"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int]
    #: Set when the note came with a hand-off: the member of staff it was handed to.
    handoff_to: Mapped[str | None] = mapped_column(String(36))


class CannedResponse(Base):
    """A reusable answer for one department, with ``{placeholders}``."""

    __tablename__ = "canned_response"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    department: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    #: Typed in the composer's picker to find it quickly ("" when none).
    shortcut: Mapped[str] = mapped_column(String(40), default="", server_default="")
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Whole-row clock stamp of the last edit ("" for a starter response never edited).
    hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    updated_at: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A deleted response stays as a tombstone so sync carries the deletion.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditEvent(Base):
    """Who changed what, when, from which PC."""

    __tablename__ = "audit_event"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    at: Mapped[int]
    operator_id: Mapped[str | None] = mapped_column(String(36))
    node: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PendingOp(Base):
    """A local change not yet pushed to the clinic server, written with the change itself.

    Push sends rows in ``seq`` order and deletes them only after the server commits them.
    """

    __tablename__ = "pending_op"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(Id, unique=True)
    tbl: Mapped[str] = mapped_column(String(40))
    pk: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    hlc: Mapped[str] = mapped_column(Hlc)
    parent_rev: Mapped[int | None]
    created_at: Mapped[int]
    #: For a conversation field: the stamp the field had before this edit (migration 0013),
    #: so the server can tell an edit made on top of another PC's from a concurrent one.
    base_hlc: Mapped[str | None] = mapped_column(Hlc, nullable=True)


class SyncState(Base):
    """This PC's identity and sync position (a single row, ``id = 1``)."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64))
    hlc: Mapped[str] = mapped_column(Hlc, default="")
    epoch: Mapped[str | None] = mapped_column(String(64))
    cursor_xid: Mapped[int] = mapped_column(default=0)
    cursor_seq: Mapped[int] = mapped_column(default=0)


class SavedSearch(Base):
    """A list with search text that staff keep in the navigation pane (migration 0009).

    ``owner_id`` is the member of staff it belongs to, or NULL for one shared with the whole
    clinic; ``position`` orders each group (the shared ones, each operator's own).
    """

    __tablename__ = "saved_search"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
    view: Mapped[str] = mapped_column(String(16), default="all_open")
    view_value: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    position: Mapped[int]
    created_at: Mapped[int]
    updated_at: Mapped[int]
    __table_args__ = (Index("ix_saved_search_owner_position", "owner_id", "position"),)


class SlaTarget(Base):
    """Response-time targets in business minutes for a department and/or a channel.

    ``""`` means "any": the row ``("", "")`` is the clinic's default. The most specific row
    applies: (department, channel), then (any, channel) — a channel's target overrides the
    department's — then (department, any), then the default.
    """

    __tablename__ = "sla_target"
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(24), primary_key=True)
    first_response_min: Mapped[int]
    next_response_min: Mapped[int]
    hlc: Mapped[str] = mapped_column(Hlc, default="")


class BusinessCalendar(Base):
    """The clinic's opening hours (a single row, ``id = 1``).

    ``week`` holds seven entries, Monday first: ``[open, close, lunch_start, lunch_end]`` in
    minutes after local midnight (lunch entries may be null), or null for a closed day.
    """

    __tablename__ = "business_calendar"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    week: Mapped[list[Any]] = mapped_column(JSON)
    public_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    hlc: Mapped[str] = mapped_column(Hlc, default="")


class CalendarDay(Base):
    """A date the clinic sets apart: closed (its own holiday) or open despite a public
    holiday (``closed`` false, that weekday's hours)."""

    __tablename__ = "calendar_day"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date, local
    closed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(80), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    hlc: Mapped[str] = mapped_column(Hlc, default="")


class SyncPoison(Base):
    """A pending op the clinic server refused for a definite reason, set aside (with the
    reason) so the ops behind it are pushed; its value, a draft's text included, is kept."""

    __tablename__ = "sync_poison"
    op_id: Mapped[str] = mapped_column(Id, primary_key=True)
    tbl: Mapped[str] = mapped_column(String(40))
    pk: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    hlc: Mapped[str] = mapped_column(Hlc)
    parent_rev: Mapped[int | None]
    created_at: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    set_aside_at: Mapped[int]


class SyncDraft(Base):
    """Which conversation and member of staff each draft this PC has held belongs to, and
    the server stamp (``base_hlc``) of the version it last pulled: what a pushed save or
    removal is checked against, even after the draft row is gone (queued or cleared)."""

    __tablename__ = "sync_draft"
    draft_id: Mapped[str] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(Id)
    operator_id: Mapped[str | None] = mapped_column(Id)
    base_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")


class SyncProgress(Base):
    """When this PC last finished a sync with the clinic server (a single row, ``id = 1``;
    apart from ``sync_state``, which every store reads when it opens)."""

    __tablename__ = "sync_progress"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sync_at: Mapped[int | None]
    #: The server epoch this PC's own rows were merged into before its first copy (None
    #: until then); a first copy interrupted later does not merge again.
    merged_into: Mapped[str | None] = mapped_column(String(64))


class SyncDirty(Base):
    """A row whose pulled version was held back by an unsent local edit (the overlay); it is
    read again from the server once this PC's queue is empty."""

    __tablename__ = "sync_dirty"
    tbl: Mapped[str] = mapped_column(String(40), primary_key=True)
    pk: Mapped[str] = mapped_column(String(120), primary_key=True)


class RoutingRule(Base):
    """One of the clinic's routing rules (see :class:`console.routing.Rule`), in ``position``
    order. ``hlc`` stamps the whole row's last write; a deleted rule stays as a tombstone."""

    __tablename__ = "routing_rule"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    department: Mapped[str] = mapped_column(ForeignKey("department.code"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    account_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    handles: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords_any: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords_all: Mapped[list[str]] = mapped_column(JSON, default=list)
    pattern: Mapped[str | None] = mapped_column(Text)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[str | None] = mapped_column(String(36))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    created_at: Mapped[int]
    updated_at: Mapped[int]
    __table_args__ = (Index("ix_routing_rule_position", "deleted", "position"),)


class ClinicSetting(Base):
    """A clinic-wide setting shared by every PC (threshold, branch name), with its stamp."""

    __tablename__ = "clinic_setting"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    updated_at: Mapped[int]


class DepartmentAssignment(Base):
    """How a department's new conversations are assigned (``console.domain.AssignMode``), and
    the round-robin position: who was given the last one (kept so the turn survives restarts).
    """

    __tablename__ = "department_assignment"
    department: Mapped[str] = mapped_column(ForeignKey("department.code"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    mode_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    last_assignee: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[int]
    #: Clock of ``last_assignee`` (``mode`` has ``mode_hlc``): sync merges each by its stamp.
    last_assignee_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")


class Presence(Base):
    """Who has a conversation open on which PC, viewing or typing, and when they last said so
    (the database's clock, ms). Used on the clinic server only (UNLOGGED there), never
    replicated: rows older than ``console.presence.EXPIRY_MS`` mean nothing."""

    __tablename__ = "presence"
    operator_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(36), index=True)
    state: Mapped[str] = mapped_column(String(8))
    at: Mapped[int]


class SyncFieldConflict(Base):
    """A field edit made on this PC that a concurrent edit on another PC overwrote (sync
    kept the other, later value), kept until staff restore their value or dismiss it
    (migration 0013). This PC's own record: never replicated, empty on the server."""

    __tablename__ = "sync_field_conflict"
    conversation_id: Mapped[str] = mapped_column(Id, primary_key=True)
    #: A conversation field, or ``label:`` and the label (migration 0015).
    field: Mapped[str] = mapped_column(String(80), primary_key=True)
    mine: Mapped[Any] = mapped_column(JSON, nullable=True)
    theirs: Mapped[Any] = mapped_column(JSON, nullable=True)
    winner_node: Mapped[str] = mapped_column(String(64), default="", server_default="")
    winner_hlc: Mapped[str] = mapped_column(Hlc, default="", server_default="")
    at: Mapped[int]
    #: The machine whose edit won, as it names itself on the server ("" if not known).
    winner_machine: Mapped[str] = mapped_column(String(120), default="", server_default="")
