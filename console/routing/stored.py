"""The clinic's routing rules and routing settings as kept in the database (reads only).

The rules are rows of ``routing_rule`` in ``position`` order; :func:`load_rules` turns them into
:class:`console.routing.Rule` values, the one rule engine, so a stored rule and a rule from a
JSON file behave the same. The confidence threshold and the branch name are clinic settings
(``clinic_setting``): every PC routes and fills canned responses the same way, and sync
carries them like any other row. Changes go through :mod:`console.services`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import Priority
from console.routing._router import DEFAULT_THRESHOLD
from console.routing.rules import Rule
from console.store.engine import Store
from console.store.models import ClinicSetting, RoutingRule

__all__ = [
    "BRANCH_KEY",
    "THRESHOLD_KEY",
    "RuleRow",
    "branch_name",
    "clinic_setting",
    "load_rules",
    "routing_threshold",
    "rule_rows",
    "rules_version",
]

log = logging.getLogger(__name__)

#: Clinic setting: confidence from which the classifier's department is applied (float 0..1).
THRESHOLD_KEY = "routing_threshold"
#: Clinic setting: the branch's name as customers know it, e.g. "강남점" (the {지점} placeholder).
BRANCH_KEY = "branch_name"


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A stored rule as the settings list shows it.

    Attributes:
        id: The rule's id.
        position: Its place in the order (lower is tried first).
        rule: The rule itself; ``None`` when the stored row is not a valid rule any more
            (e.g. it names a department that was removed); such a rule never fires.
        name: The rule's name (also when ``rule`` is None).
        problem: The error code that makes the row invalid, or None.
    """

    id: str
    position: int
    rule: Rule | None
    name: str
    problem: str | None = None


def _rule_of(row: RoutingRule) -> Rule:
    return Rule(
        name=row.name,
        department=row.department,
        channels=tuple(row.channels or ()),
        account_ids=tuple(row.account_ids or ()),
        handles=tuple(row.handles or ()),
        keywords_any=tuple(row.keywords_any or ()),
        keywords_all=tuple(row.keywords_all or ()),
        pattern=row.pattern,
        labels=tuple(row.labels or ()),
        priority=Priority(row.priority) if row.priority is not None else None,
        assignee_id=row.assignee_id,
        enabled=bool(row.enabled),
    )


def _rows(s: Session) -> list[RuleRow]:
    out: list[RuleRow] = []
    query = (
        select(RoutingRule)
        .where(RoutingRule.deleted.is_(False))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    for row in s.scalars(query):
        try:
            out.append(RuleRow(row.id, row.position, _rule_of(row), row.name))
        except (errors.SotongError, ValueError) as exc:
            code = exc.code if isinstance(exc, errors.SotongError) else "invalid_rule"
            log.warning("stored routing rule %s (%r) is not valid: %s", row.id, row.name, exc)
            out.append(RuleRow(row.id, row.position, None, row.name, code))
    return out


def rule_rows(store: Store) -> list[RuleRow]:
    """Every stored rule in order, valid or not (for the settings list)."""
    with store.read() as s:
        return _rows(s)


def load_rules(s: Session) -> list[Rule]:
    """The valid stored rules in the order they are tried (disabled ones included: they
    never match, and the "try a message" box can still name them)."""
    return [r.rule for r in _rows(s) if r.rule is not None]


def rules_version(s: Session) -> tuple[int, str, str]:
    """A value that changes whenever a rule or the threshold is written (here or by sync):
    the number of rule rows (tombstones included), the newest rule stamp, the threshold's."""
    count, newest = s.execute(
        select(func.count(RoutingRule.id), func.coalesce(func.max(RoutingRule.hlc), ""))
    ).one()
    setting = s.get(ClinicSetting, THRESHOLD_KEY)
    return int(count), str(newest), setting.hlc if setting is not None else ""


def clinic_setting(s: Session, key: str, default: Any = None) -> Any:
    """A clinic setting's value, or ``default`` when it was never set."""
    row = s.get(ClinicSetting, key)
    return default if row is None or row.value is None else row.value


def _threshold(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return DEFAULT_THRESHOLD


def routing_threshold(source: Store | Session) -> float:
    """The clinic's confidence threshold (0.85 until someone changes it)."""
    if isinstance(source, Session):
        return _threshold(clinic_setting(source, THRESHOLD_KEY))
    with source.read() as s:
        return _threshold(clinic_setting(s, THRESHOLD_KEY))


def branch_name(store: Store) -> str:
    """The clinic branch's name ("" until someone sets it)."""
    with store.read() as s:
        value = clinic_setting(s, BRANCH_KEY, "")
    return value if isinstance(value, str) else ""
