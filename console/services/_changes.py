"""Who acts, and what a command changed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The member of staff (if known) acting from this PC."""

    operator_id: str | None


@dataclass(frozen=True)
class Changes:
    """What a command or an ingest changed, broadcast once so each view decides to refresh.

    Attributes:
        conversations: Ids of conversations whose row (list fields) changed.
        threads: Ids of conversations whose thread (messages, notes, outbox) changed.
        drafts: Ids of conversations whose draft changed.
        new_conversations: True if conversations were created (lists and counts grow).
        outbox: True if the outbox changed (the "waiting to send" count).
        messages: How many new messages were stored.
        sla: True if SLA targets or business hours changed (breach marks and counts).
        contacts: Ids of contacts whose name, notes, identities or conversations changed.
        staff: True if members of staff changed (added, role, departments, on duty).
    """

    conversations: frozenset[str] = field(default_factory=frozenset)
    threads: frozenset[str] = field(default_factory=frozenset)
    drafts: frozenset[str] = field(default_factory=frozenset)
    new_conversations: bool = False
    outbox: bool = False
    messages: int = 0
    sla: bool = False
    contacts: frozenset[str] = field(default_factory=frozenset)
    staff: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.conversations | other.conversations,
            self.threads | other.threads,
            self.drafts | other.drafts,
            self.new_conversations or other.new_conversations,
            self.outbox or other.outbox,
            self.messages + other.messages,
            self.sla or other.sla,
            self.contacts | other.contacts,
            self.staff or other.staff,
        )

    def __bool__(self) -> bool:
        return bool(
            self.conversations
            or self.threads
            or self.drafts
            or self.new_conversations
            or self.outbox
            or self.sla
            or self.contacts
            or self.staff
        )
