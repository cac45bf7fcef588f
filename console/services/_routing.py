"""Routing rules and clinic settings: add, change, reorder, enable, delete; the threshold.

Every command needs :attr:`Permission.MANAGE_ROUTING` (the branch name, used only by canned
responses, needs :attr:`Permission.MANAGE_CANNED`). A rule arrives as a
:class:`console.routing.Rule`, already checked field by field (pattern compiled, length limit
and backtracking probe passed); the service adds what needs the database: the department
exists, the name is not taken by another rule, the assignee is a member of staff.

Each write stamps the whole row (``hlc``) and writes one pending op per changed field with the
same stamp; a deleted rule stays as a tombstone (``deleted``), so sync carries deletions too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.ids import new_id
from console.services._changes import Actor, Changes
from console.services._commands import record, update_row_in
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import ClinicSetting, Department, Operator, RoutingRule

if TYPE_CHECKING:  # the routing package (and its classifier) loads only when rules are edited
    from console.routing.rules import Rule

#: Longest branch name, in characters.
MAX_BRANCH_CHARS = 40


class RuleNotFound(errors.NotFound):
    """No (undeleted) routing rule has this id."""

    code = "rule_not_found"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _columns(rule: Rule) -> dict[str, Any]:
    """The rule as ``routing_rule`` column values."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "department": rule.department,
        "channels": list(rule.channels),
        "account_ids": list(rule.account_ids),
        "handles": list(rule.handles),
        "keywords_any": list(rule.keywords_any),
        "keywords_all": list(rule.keywords_all),
        "pattern": rule.pattern,
        "labels": list(rule.labels),
        "priority": int(rule.priority) if rule.priority is not None else None,
        "assignee_id": rule.assignee_id,
    }


def _live(s: Session) -> list[RoutingRule]:
    return list(
        s.scalars(
            select(RoutingRule)
            .where(RoutingRule.deleted.is_(False))
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def _rule(s: Session, rule_id: str) -> RoutingRule:
    row = s.get(RoutingRule, rule_id)
    if row is None or row.deleted:
        raise RuleNotFound(rule_id=rule_id)
    return row


def _check(s: Session, rule: Rule, rule_id: str | None) -> None:
    from console.routing.rules import InvalidRule

    if s.get(Department, rule.department) is None:
        raise errors.UnknownDepartment(department=rule.department)
    taken = s.scalar(
        select(func.count(RoutingRule.id)).where(
            RoutingRule.deleted.is_(False),
            func.lower(RoutingRule.name) == rule.name.lower(),
            RoutingRule.id != (rule_id or ""),
        )
    )
    if taken:
        raise InvalidRule(rule=rule.name, field="name", reason="duplicate_name")
    if rule.assignee_id is not None and s.get(Operator, rule.assignee_id) is None:
        raise errors.OperatorNotFound(operator_id=rule.assignee_id)


def add_rule(store: Store, actor: Actor, rule: Rule, position: int | None = None) -> str:
    """Add a routing rule, last in the order or at ``position`` (0 = tried first).

    Returns:
        The new rule's id.

    Raises:
        NotPermitted: the actor may not manage routing.
        InvalidRule: another rule has this name (``reason="duplicate_name"``).
        UnknownDepartment: the department does not exist.
        OperatorNotFound: the assignee is not a member of staff.
    """
    rule_id = new_id()
    now = _now_ms()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        _check(s, rule, None)
        live = _live(s)
        index = len(live) if position is None else max(0, min(position, len(live)))
        values = _columns(rule)
        ops: list[tuple[str, str, str, Any, int | None]] = [
            ("routing_rule", rule_id, name, value, None) for name, value in values.items()
        ]
        row = RoutingRule(
            id=rule_id, position=index, deleted=False, created_at=now, updated_at=now, **values
        )
        moved = _renumber([*live[:index], row, *live[index:]], exclude=row)
        ops += [("routing_rule", r.id, "position", r.position, None) for r in moved]
        ops.append(("routing_rule", rule_id, "position", index, None))
        stamp = record(s, store, actor, "add_rule", None, ops, {"rule_id": rule_id})
        row.hlc = stamp
        for r in moved:
            r.hlc, r.updated_at = stamp, now
        s.add(row)
    return rule_id


def _renumber(ordered: list[RoutingRule], exclude: RoutingRule | None = None) -> list[RoutingRule]:
    """Give ``ordered`` positions 0, 1, 2 …; returns the existing rows whose position moved."""
    moved: list[RoutingRule] = []
    for index, row in enumerate(ordered):
        if row.position != index:
            row.position = index
            if row is not exclude:
                moved.append(row)
    return moved


def update_rule(store: Store, actor: Actor, rule_id: str, rule: Rule) -> Changes:
    """Replace a rule's conditions, actions, name and state (its place stays).

    Raises:
        NotPermitted, RuleNotFound, InvalidRule, UnknownDepartment, OperatorNotFound.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = _rule(s, rule_id)
        _check(s, rule, rule_id)
        update_row_in(
            s, store, actor, "update_rule", row, rule_id, _columns(rule), {"rule_id": rule_id}
        )
    return Changes()


def set_rule_enabled(store: Store, actor: Actor, rule_id: str, enabled: bool) -> Changes:
    """Turn a rule on or off (an off rule is kept but never fires).

    Raises:
        NotPermitted, RuleNotFound.
    """
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = _rule(s, rule_id)
        if row.enabled == enabled:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "enable_rule" if enabled else "disable_rule",
            None,
            [("routing_rule", rule_id, "enabled", enabled, None)],
            {"rule_id": rule_id},
        )
        row.enabled, row.hlc, row.updated_at = enabled, stamp, _now_ms()
    return Changes()


def move_rule(store: Store, actor: Actor, rule_id: str, index: int) -> Changes:
    """Put a rule at ``index`` in the order (0 = tried first; clamped to the list).

    Raises:
        NotPermitted, RuleNotFound.
    """
    now = _now_ms()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = _rule(s, rule_id)
        live = [r for r in _live(s) if r.id != rule_id]
        index = max(0, min(index, len(live)))
        moved = _renumber([*live[:index], row, *live[index:]])
        if not moved:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "move_rule",
            None,
            [("routing_rule", r.id, "position", r.position, None) for r in moved],
            {"rule_id": rule_id, "index": index},
        )
        for r in moved:
            r.hlc, r.updated_at = stamp, now
    return Changes()


def delete_rule(store: Store, actor: Actor, rule_id: str) -> Changes:
    """Delete a rule (kept as a tombstone for sync; the others close the gap).

    Raises:
        NotPermitted, RuleNotFound.
    """
    now = _now_ms()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = _rule(s, rule_id)
        rest = [r for r in _live(s) if r.id != rule_id]
        moved = _renumber(rest)
        stamp = record(
            s,
            store,
            actor,
            "delete_rule",
            None,
            [("routing_rule", rule_id, "deleted", True, None)]
            + [("routing_rule", r.id, "position", r.position, None) for r in moved],
            {"rule_id": rule_id, "name": row.name},
        )
        row.deleted, row.hlc, row.updated_at = True, stamp, now
        for r in moved:
            r.hlc, r.updated_at = stamp, now
    return Changes()


def _set_setting(s: Session, store: Store, actor: Actor, key: str, value: Any) -> None:
    row = s.get(ClinicSetting, key)
    old = row.value if row is not None else None
    if row is not None and old == value:
        return
    stamp = record(
        s,
        store,
        actor,
        "set_clinic_setting",
        None,
        [("clinic_setting", key, "value", value, None)],
        {"key": key, "old": old, "new": value},
    )
    if row is None:
        s.add(ClinicSetting(key=key, value=value, hlc=stamp, updated_at=_now_ms()))
    else:
        row.value, row.hlc, row.updated_at = value, stamp, _now_ms()


def set_routing_threshold(store: Store, actor: Actor, threshold: float) -> Changes:
    """Set the confidence from which the classifier's department is applied without asking.

    Raises:
        NotPermitted: the actor may not manage routing.
        InvalidInput: ``threshold`` is not a number from 0 to 1 (``field="threshold"``).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise errors.InvalidInput(field="threshold", value=threshold)
    if not 0.0 <= threshold <= 1.0:
        raise errors.InvalidInput(field="threshold", value=threshold)
    from console.routing.stored import THRESHOLD_KEY

    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        _set_setting(s, store, actor, THRESHOLD_KEY, round(float(threshold), 4))
    return Changes()


def set_branch_name(store: Store, actor: Actor, name: str) -> Changes:
    """Set the branch's name as customers know it, e.g. "강남점" (fills ``{지점}``).

    Raises:
        NotPermitted: the actor may not manage canned responses.
        InvalidInput: longer than 40 characters or with a line break (``field="branch"``).
    """
    name = name.strip()
    if len(name) > MAX_BRANCH_CHARS or "\n" in name or "\r" in name:
        raise errors.InvalidInput(field="branch", limit=MAX_BRANCH_CHARS)
    from console.routing.stored import BRANCH_KEY

    with store.write() as s:
        require(s, actor, Permission.MANAGE_CANNED)
        _set_setting(s, store, actor, BRANCH_KEY, name)
    return Changes()


def rule_actions_in(
    s: Session,
    store: Store,
    conversation_id: str,
    rule_name: str,
    labels: tuple[str, ...],
    priority: int | None,
) -> tuple[str, list[dict[str, Any]]]:
    """Record what a routing rule does to a new conversation besides its department (labels,
    priority) inside ingest's transaction, as the system: the audit event and pending ops.
    The caller sets the conversation's ``priority``/``priority_hlc`` and inserts the label
    rows once the conversation row exists. (The rule's assignee: :func:`rule_assign_in`.)

    Returns:
        The clock stamp, and the ``conversation_label`` rows to insert.
    """
    ops: list[tuple[str, str, str, Any, int | None]] = [
        ("conversation_label", f"{conversation_id}/{label}", "present", True, None)
        for label in labels
    ]
    if priority is not None:
        ops.append(("conversation", conversation_id, "priority", int(priority), None))
    stamp = record(
        s,
        store,
        Actor(None),
        "rule_actions",
        conversation_id,
        ops,
        {"rule": rule_name, "labels": list(labels), "priority": priority},
    )
    rows = [
        {"conversation_id": conversation_id, "label": label, "present": True, "hlc": stamp}
        for label in labels
    ]
    return stamp, rows
