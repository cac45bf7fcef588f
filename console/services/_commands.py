"""Service commands. See the package docstring."""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import MAX_LABEL_CHARS, MAX_REPLY_CHARS, OutboxState, Priority, Status
from console.ids import new_id, reply_id
from console.services._changes import Actor, Changes
from console.services._roles import Permission, assignment_permission, require
from console.store.engine import Store
from console.store.models import (
    AuditEvent,
    Conversation,
    ConversationLabel,
    Department,
    Draft,
    Note,
    Operator,
    Outbox,
    PendingOp,
    SyncFieldConflict,
)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _conversation(s: Session, conversation_id: str) -> Conversation:
    conv = s.get(Conversation, conversation_id)
    if conv is None:
        raise errors.ConversationNotFound(conversation_id=conversation_id)
    return conv


def update_row_in(
    s: Session,
    store: Store,
    actor: Actor,
    action: str,
    row: Any,
    pk: str,
    values: dict[str, Any],
    detail: dict[str, Any],
) -> bool:
    """Set the values that differ on a settings row merged whole by its ``hlc`` (a canned
    response, a routing rule), with the audit event and one pending op per changed field.

    Returns:
        Whether anything changed (nothing is recorded otherwise).
    """
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return False
    tbl = row.__tablename__
    stamp = record(
        s,
        store,
        actor,
        action,
        None,
        [(tbl, pk, k, v, None) for k, v in changed.items()],
        {**detail, "fields": sorted(changed)},
    )
    for key, value in changed.items():
        setattr(row, key, value)
    row.hlc, row.updated_at = stamp, _now_ms()
    return True


def record(
    s: Session,
    store: Store,
    actor: Actor,
    action: str,
    conversation_id: str | None,
    ops: list[tuple[str, str, str, Any, int | None]],
    detail: dict[str, Any],
) -> str:
    """Write the audit event and one pending op per (tbl, pk, field, value, parent_rev):
    what every command does in its transaction, so sync can push the change.

    Returns:
        The clock stamp all of them carry.
    """
    stamp = str(store.clock.now())
    now = _now_ms()
    s.add(
        AuditEvent(
            id=new_id(),
            at=now,
            operator_id=actor.operator_id,
            node=store.node_id,
            action=action,
            conversation_id=conversation_id,
            detail=detail,
        )
    )
    for tbl, pk, field_name, value, parent_rev in ops:
        base = None
        if tbl == "conversation" and field_name != "read_upto":
            base = _field_base(s, pk, field_name)
        elif tbl == "conversation_label":
            base = _label_base(s, pk)
        s.add(
            PendingOp(
                op_id=new_id(),
                tbl=tbl,
                pk=pk,
                field=field_name,
                value=value,
                hlc=stamp,
                parent_rev=parent_rev,
                created_at=now,
                base_hlc=base,
            )
        )
    return stamp


#: Clock columns whose name is not the field's name + ``_hlc``.
_HLC_FIELDS = {"snoozed_until": "snooze_hlc", "assignee_id": "assignee_hlc"}


def _field_base(s: Session, conversation_id: str, field_name: str) -> str | None:
    """The stamp a conversation field has before an edit of it (the edit's base), and the
    end of any conflict note about that field: a newer edit from this PC supersedes it."""
    s.execute(
        delete(SyncFieldConflict).where(
            SyncFieldConflict.conversation_id == conversation_id,
            SyncFieldConflict.field == field_name,
        )
    )
    conv = s.get(Conversation, conversation_id)
    if conv is None:
        return None
    stamp = getattr(conv, _HLC_FIELDS.get(field_name, f"{field_name}_hlc"), None)
    return str(stamp) if stamp is not None else None


#: How a label is named where conversation fields are, in a field conflict note.
LABEL_FIELD = "label:"


def _label_base(s: Session, pk: str) -> str:
    """The stamp a label has before an edit of it ("" if it never had one here), and the end
    of any conflict note about that label."""
    conversation_id, _, label = pk.partition("/")
    s.execute(
        delete(SyncFieldConflict).where(
            SyncFieldConflict.conversation_id == conversation_id,
            SyncFieldConflict.field == f"{LABEL_FIELD}{label}",
        )
    )
    row = s.get(ConversationLabel, (conversation_id, label))
    return "" if row is None else str(row.hlc)


def _set_field(
    store: Store,
    actor: Actor,
    conversation_id: str,
    field_name: str,
    value: Any,
    action: str,
    check: Any = None,
    after: Any = None,
) -> Changes:
    with store.write() as s:
        require(s, actor, Permission.WORK)
        conv = _conversation(s, conversation_id)
        if check is not None:
            check(s, conv)
        old = getattr(conv, field_name)
        hlc_field = _HLC_FIELDS.get(field_name, f"{field_name}_hlc")
        stamp = record(
            s,
            store,
            actor,
            action,
            conversation_id,
            [("conversation", conversation_id, field_name, value, None)],
            {"field": field_name, "old": old, "new": value},
        )
        setattr(conv, field_name, value)
        setattr(conv, hlc_field, stamp)
        if after is not None:
            after(s, conv)
    return Changes(conversations=frozenset({conversation_id}))


class _StatusFields(Protocol):
    id: str
    status: str
    status_hlc: str
    resolved_at: int | None


def reopen_in(s: Session, store: Store, conv: _StatusFields, action: str) -> None:
    """Set a conversation back to open inside the caller's transaction, as the system
    (a new message arrived, or its snooze ran out), with its audit event and pending op."""
    stamp = record(
        s,
        store,
        Actor(None),
        action,
        conv.id,
        [("conversation", conv.id, "status", Status.OPEN.value, None)],
        {"old": conv.status},
    )
    conv.status, conv.status_hlc = Status.OPEN.value, stamp
    conv.resolved_at = None


def tag_department(
    store: Store, actor: Actor, conversation_id: str, department: str | None
) -> Changes:
    """Set the department that must answer (``None`` puts it back to Untriaged). An
    unassigned conversation is then given to someone on duty if the department assigns
    automatically (see :mod:`console.services._assignment`).

    Raises:
        UnknownDepartment: the code is not one of the clinic's departments.
        ConversationNotFound: no such conversation.
    """
    from console.services._assignment import auto_assign_in

    def check(s: Session, conv: Conversation) -> None:
        if department is not None and s.get(Department, department) is None:
            raise errors.UnknownDepartment(department=department)
        conv.department_source = "staff"  # a person decided; the classifier learns from it

    def after(s: Session, conv: Conversation) -> None:
        auto_assign_in(s, store, conv)

    return _set_field(
        store, actor, conversation_id, "department", department, "tag_department", check, after
    )


def auto_tag_in(
    s: Session,
    store: Store,
    conversation_id: str,
    department: str,
    source: str,
    detail: dict[str, Any],
) -> str:
    """Record a department set by a rule or the classifier (not a person) inside the caller's
    transaction: its audit event and pending op. The caller sets the row's fields.

    Returns:
        The clock stamp for ``department_hlc``.
    """
    return record(
        s,
        store,
        Actor(None),
        f"{source}_tag",
        conversation_id,
        [("conversation", conversation_id, "department", department, None)],
        {"department": department, **detail},
    )


def assign(store: Store, actor: Actor, conversation_id: str, operator_id: str | None) -> Changes:
    """Give the conversation to a member of staff (``None`` unassigns).

    Anyone who works conversations may give an unassigned one to someone, or let go of
    their own; taking one from a colleague or handing one on needs ``REASSIGN``.

    Raises:
        OperatorNotFound: no such member of staff.
        NotPermitted: the role may not take it from its assignee or hand it on.
    """

    def check(s: Session, conv: Conversation) -> None:
        needed = assignment_permission(actor.operator_id, conv.assignee_id, operator_id)
        require(s, actor, needed)
        if operator_id is not None and s.get(Operator, operator_id) is None:
            raise errors.OperatorNotFound(operator_id=operator_id)

    return _set_field(store, actor, conversation_id, "assignee_id", operator_id, "assign", check)


def set_status(store: Store, actor: Actor, conversation_id: str, status: str) -> Changes:
    """Mark open, pending or resolved (snoozing goes through :func:`snooze`).

    Raises:
        InvalidStatus: unknown status, or ``snoozed`` without a time.
    """
    try:
        value = Status(status)
    except ValueError:
        raise errors.InvalidStatus(status=status) from None
    if value is Status.SNOOZED:
        raise errors.InvalidStatus(status=status)

    def resolved_at(_s: Session, conv: Conversation) -> None:
        # When it was resolved, for resolution times (a repeated "resolve" keeps the first).
        if value is not Status.RESOLVED:
            conv.resolved_at = None
        elif conv.status != Status.RESOLVED.value or conv.resolved_at is None:
            conv.resolved_at = _now_ms()

    return _set_field(
        store, actor, conversation_id, "status", value.value, "set_status", resolved_at
    )


def snooze(store: Store, actor: Actor, conversation_id: str, until_ms: int) -> Changes:
    """Hide the conversation until ``until_ms``; it comes back as open then, or on a new message.

    Raises:
        SnoozeInPast: ``until_ms`` is not in the future.
    """
    if until_ms <= _now_ms():
        raise errors.SnoozeInPast(until_ms=until_ms)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        conv = _conversation(s, conversation_id)
        stamp = record(
            s,
            store,
            actor,
            "snooze",
            conversation_id,
            [
                ("conversation", conversation_id, "status", Status.SNOOZED.value, None),
                ("conversation", conversation_id, "snoozed_until", until_ms, None),
            ],
            {"old": conv.status, "until": until_ms},
        )
        conv.status, conv.status_hlc = Status.SNOOZED.value, stamp
        conv.snoozed_until, conv.snooze_hlc = until_ms, stamp
        conv.resolved_at = None
    return Changes(conversations=frozenset({conversation_id}))


def set_priority(store: Store, actor: Actor, conversation_id: str, priority: int) -> Changes:
    """Set how urgent the conversation is (0 low .. 3 urgent).

    Raises:
        InvalidInput: not a known priority.
    """
    try:
        value = Priority(priority)
    except ValueError:
        raise errors.InvalidInput(field="priority", value=priority) from None
    return _set_field(store, actor, conversation_id, "priority", int(value), "set_priority")


def _clean_label(label: str) -> str:
    cleaned = " ".join(label.split())
    if not cleaned or len(cleaned) > MAX_LABEL_CHARS or cleaned != label.strip():
        raise errors.InvalidLabel(label=label, max_chars=MAX_LABEL_CHARS)
    return cleaned


def _set_label(
    store: Store, actor: Actor, conversation_id: str, label: str, present: bool
) -> Changes:
    label = _clean_label(label)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        _conversation(s, conversation_id)
        row = s.get(ConversationLabel, (conversation_id, label))
        stamp = record(
            s,
            store,
            actor,
            "add_label" if present else "remove_label",
            conversation_id,
            [("conversation_label", f"{conversation_id}/{label}", "present", present, None)],
            {"label": label},
        )
        if row is None:
            s.add(
                ConversationLabel(
                    conversation_id=conversation_id, label=label, present=present, hlc=stamp
                )
            )
        else:
            row.present, row.hlc = present, stamp
    return Changes(conversations=frozenset({conversation_id}))


def add_label(store: Store, actor: Actor, conversation_id: str, label: str) -> Changes:
    """Put a label on the conversation.

    Raises:
        InvalidLabel: empty, too long or with line breaks.
    """
    return _set_label(store, actor, conversation_id, label, True)


def remove_label(store: Store, actor: Actor, conversation_id: str, label: str) -> Changes:
    """Take a label off the conversation (a label that is not there is fine)."""
    return _set_label(store, actor, conversation_id, label, False)


def mark_read(store: Store, actor: Actor, conversation_id: str) -> Changes:
    """Mark everything received so far as read. The read position only moves forward."""
    with store.write() as s:
        require(s, actor, Permission.WORK)
        conv = _conversation(s, conversation_id)
        upto = max(conv.read_upto, conv.last_message_at)
        if upto == conv.read_upto:
            return Changes()
        record(
            s,
            store,
            actor,
            "mark_read",
            conversation_id,
            [("conversation", conversation_id, "read_upto", upto, None)],
            {"read_upto": upto},
        )
        conv.read_upto = upto
    return Changes(conversations=frozenset({conversation_id}))


def _head_draft(s: Session, conversation_id: str, operator_id: str | None) -> Draft | None:
    query = select(Draft).where(
        Draft.conversation_id == conversation_id, Draft.is_conflict.is_(False)
    )
    query = query.where(
        Draft.operator_id.is_(None) if operator_id is None else Draft.operator_id == operator_id
    )
    return s.scalars(query).first()


def _check_reply_text(body: str) -> None:
    if len(body) > MAX_REPLY_CHARS:
        raise errors.ReplyTooLong(length=len(body), max_chars=MAX_REPLY_CHARS)


def save_draft(store: Store, actor: Actor, conversation_id: str, body: str) -> int:
    """Save the operator's draft on this PC. An empty body removes the draft.

    Returns:
        The new revision number (0 when the draft was removed).
    """
    _check_reply_text(body)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        _conversation(s, conversation_id)
        draft = _head_draft(s, conversation_id, actor.operator_id)
        now = _now_ms()
        if not body.strip():
            if draft is None:
                return 0
            record(
                s,
                store,
                actor,
                "delete_draft",
                conversation_id,
                [("draft", draft.id, "deleted", True, draft.rev)],
                {"rev": draft.rev},
            )
            s.delete(draft)
            return 0
        if draft is None:
            draft = Draft(
                id=new_id(),
                conversation_id=conversation_id,
                operator_id=actor.operator_id,
                body=body,
                rev=1,
                parent_rev=None,
                updated_at=now,
            )
            s.add(draft)
        elif draft.body == body:
            return draft.rev
        else:
            draft.parent_rev, draft.rev = draft.rev, draft.rev + 1
            draft.body, draft.updated_at = body, now
        record(
            s,
            store,
            actor,
            "save_draft",
            conversation_id,
            [("draft", draft.id, "body", body, draft.parent_rev)],
            {"rev": draft.rev},
        )
        return draft.rev


def delete_draft(store: Store, actor: Actor, conversation_id: str) -> Changes:
    """Throw the operator's draft away."""
    save_draft(store, actor, conversation_id, "")
    return Changes(drafts=frozenset({conversation_id}), conversations=frozenset({conversation_id}))


def queue_reply(store: Store, actor: Actor, conversation_id: str, body: str) -> str:
    """Queue a reply to send; the draft it came from is consumed in the same transaction.

    The reply id is derived from the draft revision, so queueing the same revision twice
    (a double press, or two PCs with the same synced draft) makes one reply.

    Returns:
        The reply (outbox) id.

    Raises:
        EmptyReply: nothing but whitespace.
        ReplyTooLong: over the console's limit.
        ConversationNotFound: no such conversation.
    """
    if not body.strip():
        raise errors.EmptyReply()
    _check_reply_text(body)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        conv = _conversation(s, conversation_id)
        draft = _head_draft(s, conversation_id, actor.operator_id)
        if draft is None or draft.body != body:
            # The text on screen is newer than the autosave: it becomes the revision sent.
            if draft is None:
                draft = Draft(
                    id=new_id(),
                    conversation_id=conversation_id,
                    operator_id=actor.operator_id,
                    body=body,
                    rev=1,
                    updated_at=_now_ms(),
                )
                s.add(draft)
            else:
                draft.parent_rev, draft.rev, draft.body = draft.rev, draft.rev + 1, body
            s.flush()
        rid = reply_id(draft.id, draft.rev)
        if s.get(Outbox, rid) is None:
            now = _now_ms()
            s.add(
                Outbox(
                    id=rid,
                    conversation_id=conversation_id,
                    account_id=conv.account_id,
                    operator_id=actor.operator_id,
                    body=body,
                    state=OutboxState.QUEUED.value,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            record(
                s,
                store,
                actor,
                "queue_reply",
                conversation_id,
                [
                    ("outbox", rid, "queued", body, None),
                    ("draft", draft.id, "deleted", True, draft.rev),
                ],
                {"reply_id": rid, "length": len(body)},
            )
        s.delete(draft)
    return rid


def add_note(store: Store, actor: Actor, conversation_id: str, body: str) -> Changes:
    """Add a private note for colleagues; it is never sent to the customer.

    Raises:
        EmptyNote: nothing but whitespace.
    """
    if not body.strip():
        raise errors.EmptyNote()
    _check_reply_text(body)
    with store.write() as s:
        require(s, actor, Permission.WORK)
        _conversation(s, conversation_id)
        note = Note(
            id=new_id(),
            conversation_id=conversation_id,
            operator_id=actor.operator_id,
            body=body,
            created_at=_now_ms(),
        )
        s.add(note)
        record(
            s,
            store,
            actor,
            "add_note",
            conversation_id,
            [("note", note.id, "body", body, None)],
            {"note_id": note.id},
        )
    return Changes(threads=frozenset({conversation_id}))
