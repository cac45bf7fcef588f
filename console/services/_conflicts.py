"""Conflicts sync kept for staff to see: draft conflict copies, and field edits overwritten.

When two PCs save the same draft concurrently, sync keeps the text that lost as a conflict
copy (``draft.is_conflict``) of its author's draft: draft text is never dropped. The author
sees both and chooses here. Restoring swaps the copy's text with the draft's, so the text
that was in the composer becomes the copy (and can still be restored back); discarding
removes the copy. Both are ordinary commands: one transaction with the audit event and the
pending ops that carry the choice to the other PCs.

A field edit (department, assignee, status, priority …, or a label put on or taken off:
field ``label:`` and the label) that a concurrent edit on another PC overwrote is noted on
this PC (``sync_field_conflict``). Restoring it is the ordinary
command for that field with the PC's value — its new stamp is later than the winner's, so it
wins everywhere — and that command ends the note in its own transaction (any new edit of the
field from this PC does); dismissing removes the note.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from console import errors
from console.ids import new_id
from console.services._changes import Actor, Changes
from console.services._commands import record
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import Draft, SyncFieldConflict


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _copy(s: Session, actor: Actor, draft_id: str) -> Draft:
    copy = s.get(Draft, draft_id)
    if copy is None or not copy.is_conflict or copy.operator_id != actor.operator_id:
        # Someone else's copy is theirs to choose from: to this actor it does not exist.
        raise errors.DraftConflictNotFound(draft_id=draft_id)
    return copy


def _head(s: Session, copy: Draft) -> Draft | None:
    query = select(Draft).where(
        Draft.conversation_id == copy.conversation_id, Draft.is_conflict.is_(False)
    )
    query = query.where(
        Draft.operator_id.is_(None)
        if copy.operator_id is None
        else Draft.operator_id == copy.operator_id
    )
    return s.scalars(query).first()


def restore_draft_conflict(store: Store, actor: Actor, draft_id: str) -> Changes:
    """Make a conflict copy's text the draft again; the draft's text becomes the copy.

    With no draft the copy's text becomes the draft and the copy goes; with a draft of the
    same text the copy simply goes.

    Raises:
        DraftConflictNotFound: no such conflict copy of the actor's.
        NotPermitted: the actor's role may not work conversations.
    """
    with store.write() as s:
        require(s, actor, Permission.WORK)
        copy = _copy(s, actor, draft_id)
        cid, now = copy.conversation_id, _now_ms()
        head = _head(s, copy)
        ops: list[tuple[str, str, str, object, int | None]] = []
        if head is None:
            head = Draft(
                id=new_id(),
                conversation_id=cid,
                operator_id=copy.operator_id,
                body=copy.body,
                rev=1,
                parent_rev=None,
                updated_at=now,
            )
            s.add(head)
            ops.append(("draft", head.id, "body", copy.body, None))
            ops.append(("draft", copy.id, "deleted", True, copy.rev))
            s.delete(copy)
        else:
            previous = head.body
            head.parent_rev, head.rev = head.rev, head.rev + 1
            head.body, head.updated_at = copy.body, now
            ops.append(("draft", head.id, "body", head.body, head.parent_rev))
            if previous == head.body:
                ops.append(("draft", copy.id, "deleted", True, copy.rev))
                s.delete(copy)
            else:
                copy.parent_rev, copy.rev = copy.rev, copy.rev + 1
                copy.body, copy.updated_at = previous, now
                ops.append(("draft", copy.id, "body", previous, copy.parent_rev))
        record(s, store, actor, "restore_draft_conflict", cid, ops, {"copy": draft_id})
    return Changes(drafts=frozenset({cid}), conversations=frozenset({cid}))


def discard_draft_conflict(store: Store, actor: Actor, draft_id: str) -> Changes:
    """Throw a conflict copy away (the draft stays as it is).

    Raises:
        DraftConflictNotFound: no such conflict copy of the actor's.
        NotPermitted: the actor's role may not work conversations.
    """
    with store.write() as s:
        require(s, actor, Permission.WORK)
        copy = _copy(s, actor, draft_id)
        cid = copy.conversation_id
        record(
            s,
            store,
            actor,
            "discard_draft_conflict",
            cid,
            [("draft", copy.id, "deleted", True, copy.rev)],
            {"copy": draft_id},
        )
        s.delete(copy)
    return Changes(drafts=frozenset({cid}), conversations=frozenset({cid}))


def restore_field_conflict(
    store: Store, actor: Actor, conversation_id: str, field_name: str
) -> Changes:
    """Set a field back to this PC's value that a concurrent edit overwrote: the ordinary
    command for that field (its checks, audit event and pending op); it ends the note.

    Raises:
        FieldConflictNotFound: no such note (already restored or dismissed).
        InvalidInput: the field cannot be set back from here (the customer a conversation
            belongs to, or a snooze time already past).
        NotPermitted: the actor's role may not make that change.
    """
    from console.services import _commands as commands

    with store.read() as s:
        note = s.get(SyncFieldConflict, (conversation_id, field_name))
        if note is None:
            raise errors.FieldConflictNotFound(conversation_id=conversation_id, field=field_name)
        mine = note.mine
    if field_name.startswith(commands.LABEL_FIELD):
        label = field_name[len(commands.LABEL_FIELD) :]
        if mine:
            return commands.add_label(store, actor, conversation_id, label)
        return commands.remove_label(store, actor, conversation_id, label)
    if field_name == "department":
        return commands.tag_department(store, actor, conversation_id, mine)
    if field_name == "assignee_id":
        return commands.assign(store, actor, conversation_id, mine)
    if field_name == "status" and mine != "snoozed":
        return commands.set_status(store, actor, conversation_id, str(mine))
    if field_name == "priority":
        return commands.set_priority(store, actor, conversation_id, int(mine))
    if field_name == "snoozed_until" and isinstance(mine, int) and mine > _now_ms():
        return commands.snooze(store, actor, conversation_id, mine)
    raise errors.InvalidInput(field=field_name, value=mine)


def dismiss_field_conflict(
    store: Store, actor: Actor, conversation_id: str, field_name: str
) -> Changes:
    """Remove the note of a field edit that a concurrent edit overwrote (the value stays).

    Raises:
        FieldConflictNotFound: no such note.
        NotPermitted: the actor's role may not work conversations.
    """
    with store.write() as s:
        require(s, actor, Permission.WORK)
        note = s.get(SyncFieldConflict, (conversation_id, field_name))
        if note is None:
            raise errors.FieldConflictNotFound(conversation_id=conversation_id, field=field_name)
        s.delete(note)
        record(
            s, store, actor, "dismiss_field_conflict", conversation_id, [], {"field": field_name}
        )
    return Changes(conversations=frozenset({conversation_id}))


def restorable(field_name: str, mine: object) -> bool:
    """Whether :func:`restore_field_conflict` can set this field back to ``mine``."""
    if field_name in ("department", "assignee_id", "priority"):
        return True
    if field_name.startswith("label:"):
        return True
    if field_name == "status":
        return mine != "snoozed"
    if field_name == "snoozed_until":
        return isinstance(mine, int) and mine > _now_ms()
    return False
