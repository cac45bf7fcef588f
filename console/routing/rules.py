"""Ordered routing rules: the clinic's explicit decisions, tried before the classifier.

A :class:`Rule` names a department and the conditions a message must meet. Every condition the
rule sets must hold (channel, account, contact handle, any-of keywords, all-of keywords, a
regular expression); a condition left empty is not checked, and a rule must set at least one.
:func:`evaluate` tries the enabled rules in order and the first that matches wins; its
:class:`RuleMatch` says which conditions matched and on what, so the UI can explain the
decision. Everything here is a pure function of its inputs.

Keywords ignore case, width (NFKC) and spacing: ``"쌍수"`` matches ``"쌍 수 가격"`` and
``"ＢＯＴＯＸ"`` matches ``"botox"``. Patterns are Python regular expressions (the ``regex``
module, whose default syntax is the standard library's, because it can stop a search after a time
budget) searched in the NFKC form of the text, ignoring case. A pattern that does not compile is
refused when the rule is made (:class:`InvalidRulePattern`), never when a message arrives, and
so is one longer than :data:`MAX_PATTERN_CHARS` or one that backtracks catastrophically on a
few probe texts (:class:`RulePatternTooSlow`). Whatever slips through that check still cannot
stall routing: each search stops after :data:`MATCH_BUDGET_S` and counts as no match (logged).

Rules are plain frozen dataclasses and round-trip through JSON (:func:`rules_to_json`,
:func:`rules_from_json`); the file is ``{"version": 1, "rules": [...]}`` (a bare list is read
too).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from console import errors
from console.domain import MAX_LABEL_CHARS, Priority
from console.routing.classifier import DEPARTMENTS

__all__ = [
    "RULES_VERSION",
    "ConditionKind",
    "InvalidRule",
    "InvalidRulePattern",
    "MessageInfo",
    "Reason",
    "Rule",
    "RuleMatch",
    "RulePatternTooSlow",
    "RuleWithoutCondition",
    "evaluate",
    "rules_from_json",
    "rules_to_json",
]

log = logging.getLogger(__name__)

RULES_VERSION = 1
#: Longest rule name, in characters.
MAX_RULE_NAME_CHARS = 80
#: Longest regular expression, in characters.
MAX_PATTERN_CHARS = 300
#: Seconds one pattern may search one message before it counts as not matching.
MATCH_BUDGET_S = 0.05
#: Seconds a new pattern may spend on each probe text before it is refused as too slow.
PROBE_BUDGET_S = 0.05
#: Texts that make catastrophically backtracking patterns (``(a|aa)+$``, ``(\w+\s?)+$``) slow.
_PROBES = tuple(
    body * 64 + tail
    for body in ("a", "가", "1", " ", "ab", "a ", "가 ", ".", "\n")
    for tail in ("!", "", "\x00")
)


class InvalidRule(errors.InvalidInput):
    """A rule (or a rules file) is malformed: ``field`` says where, ``reason`` what."""

    code = "invalid_rule"


class InvalidRulePattern(InvalidRule):
    """A rule's regular expression does not compile (``offset`` is where in it it fails)."""

    code = "invalid_rule_pattern"


class RulePatternTooSlow(InvalidRule):
    """A rule's regular expression is too long, or takes too long on a short text (it would
    backtrack catastrophically on some messages): ``limit`` gives the length limit."""

    code = "rule_pattern_too_slow"


class RuleWithoutCondition(InvalidRule):
    """A rule must set at least one condition; the classifier handles everything else."""

    code = "rule_without_condition"


class ConditionKind(enum.StrEnum):
    """The conditions a rule can set."""

    CHANNEL = "channel"
    ACCOUNT = "account"
    HANDLE = "handle"
    KEYWORDS_ANY = "keywords_any"
    KEYWORDS_ALL = "keywords_all"
    PATTERN = "pattern"


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """What a rule can look at.

    Attributes:
        text: The message text.
        channel: Channel kind code (``ChannelKind`` value), if known.
        account_id: The channel account the message came in on, if known.
        handle: The contact's handle on that channel, if known.
    """

    text: str
    channel: str | None = None
    account_id: str | None = None
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One condition that matched, and what it matched.

    Attributes:
        condition: Which condition.
        values: What matched: the channel, account or handle; the keyword(s) found; the
            text the pattern matched.
        span: For a pattern, where its match starts and ends in the message's NFKC form
            (the message itself for text typed on a PC); None otherwise.
    """

    condition: ConditionKind
    values: tuple[str, ...]
    span: tuple[int, int] | None = None


def _fold(text: str) -> str:
    """Case-, width- and spacing-insensitive form used to match keywords."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _fold_handle(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle).strip().casefold().removeprefix("@")


def _strings(value: Any, name: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidRule(rule=where, field=name, reason="not_a_list")
    items = tuple(value)
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise InvalidRule(rule=where, field=name, reason="empty_or_not_text")
    return items


def _compile(pattern: str, name: str) -> regex.Pattern[str]:
    """Compile a rule's pattern, refusing one that is too long, invalid or too slow."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise RulePatternTooSlow(
            rule=name, field="pattern", reason="too_long", limit=MAX_PATTERN_CHARS
        )
    try:
        # The standard library names the offending offset best (the unclosed bracket).
        re.compile(pattern)
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except (re.error, regex.error) as exc:
        raise InvalidRulePattern(
            rule=name, field="pattern", pattern=pattern, offset=getattr(exc, "pos", None)
        ) from None
    for probe in _PROBES:
        try:
            compiled.search(probe, timeout=PROBE_BUDGET_S)
        except TimeoutError:
            raise RulePatternTooSlow(
                rule=name, field="pattern", reason="backtracking", limit=MAX_PATTERN_CHARS
            ) from None
    return compiled


@dataclass(frozen=True)
class Rule:
    """A routing rule. Validated on creation.

    Attributes:
        name: Unique, shown to staff as the reason for a routing (1..80 characters).
        department: The department code the rule routes to.
        channels: Match when the message's channel is one of these (empty: any).
        account_ids: Match when it came in on one of these accounts (empty: any).
        handles: Match when the contact's handle is one of these; case and a leading ``@``
            are ignored (empty: any).
        keywords_any: Match when the text holds at least one of these (empty: not checked).
        keywords_all: Match when the text holds every one of these (empty: not checked).
        pattern: Match when this regular expression is found in the text (``None``: not
            checked).
        labels: Labels to add to the conversation.
        priority: Priority to set, or ``None`` to leave it.
        assignee_id: Operator to assign, or ``None`` to leave it.
        enabled: A disabled rule is kept but never matches.

    Raises:
        InvalidRule: A field has the wrong type or an empty value.
        InvalidRulePattern: ``pattern`` does not compile.
        RulePatternTooSlow: ``pattern`` is too long or backtracks catastrophically.
        RuleWithoutCondition: No condition is set.
        console.errors.UnknownDepartment: ``department`` is not a department code.
        console.errors.InvalidLabel: A label is empty, too long or has a line break.
    """

    name: str
    department: str
    channels: tuple[str, ...] = ()
    account_ids: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    keywords_any: tuple[str, ...] = ()
    keywords_all: tuple[str, ...] = ()
    pattern: str | None = None
    labels: tuple[str, ...] = ()
    priority: Priority | None = None
    assignee_id: str | None = None
    enabled: bool = True
    _regex: regex.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _any: tuple[tuple[str, str], ...] = field(default=(), init=False, repr=False, compare=False)
    _all: tuple[tuple[str, str], ...] = field(default=(), init=False, repr=False, compare=False)
    _handles: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidRule(rule=self.name, field="name", reason="empty_or_not_text")
        name = self.name
        if len(name) > MAX_RULE_NAME_CHARS:
            raise InvalidRule(rule=name, field="name", reason="too_long")
        if self.department not in DEPARTMENTS:
            raise errors.UnknownDepartment(department=self.department)
        set_ = object.__setattr__
        for attr in ("channels", "account_ids", "handles", "keywords_any", "keywords_all"):
            set_(self, attr, _strings(getattr(self, attr), attr, name))
        labels = _strings(self.labels, "labels", name) if self.labels else ()
        for label in labels:
            if len(label) > MAX_LABEL_CHARS or "\n" in label or "\r" in label:
                raise errors.InvalidLabel(label=label)
        set_(self, "labels", labels)
        if self.priority is not None:
            try:
                set_(self, "priority", Priority(self.priority))
            except ValueError:
                raise InvalidRule(rule=name, field="priority", reason="unknown") from None
        if self.assignee_id is not None and not (
            isinstance(self.assignee_id, str) and self.assignee_id.strip()
        ):
            raise InvalidRule(rule=name, field="assignee_id", reason="empty_or_not_text")
        if not isinstance(self.enabled, bool):
            raise InvalidRule(rule=name, field="enabled", reason="not_a_bool")
        if self.pattern is not None:
            if not isinstance(self.pattern, str) or not self.pattern:
                raise InvalidRule(rule=name, field="pattern", reason="empty_or_not_text")
            set_(self, "_regex", _compile(self.pattern, name))
        set_(self, "_any", tuple((k, _fold(k)) for k in self.keywords_any))
        set_(self, "_all", tuple((k, _fold(k)) for k in self.keywords_all))
        set_(self, "_handles", frozenset(_fold_handle(h) for h in self.handles))
        if not (
            self.channels
            or self.account_ids
            or self.handles
            or self.keywords_any
            or self.keywords_all
            or self.pattern is not None
        ):
            raise RuleWithoutCondition(rule=name)

    def match(self, message: MessageInfo) -> tuple[Reason, ...] | None:
        """Why this rule matches ``message`` (one reason per condition), or ``None``."""
        if not self.enabled:
            return None
        reasons: list[Reason] = []
        if self.channels:
            channel = (message.channel or "").casefold()
            if channel not in (c.casefold() for c in self.channels):
                return None
            reasons.append(Reason(ConditionKind.CHANNEL, (channel,)))
        if self.account_ids:
            if message.account_id not in self.account_ids:
                return None
            reasons.append(Reason(ConditionKind.ACCOUNT, (message.account_id or "",)))
        if self.handles:
            handle = message.handle
            if handle is None or _fold_handle(handle) not in self._handles:
                return None
            reasons.append(Reason(ConditionKind.HANDLE, (handle,)))
        folded = _fold(message.text) if self._any or self._all else ""
        if self._any:
            found = tuple(k for k, f in self._any if f in folded)
            if not found:
                return None
            reasons.append(Reason(ConditionKind.KEYWORDS_ANY, found))
        if self._all:
            if not all(f in folded for _, f in self._all):
                return None
            reasons.append(Reason(ConditionKind.KEYWORDS_ALL, self.keywords_all))
        if self._regex is not None:
            try:
                hit = self._regex.search(
                    unicodedata.normalize("NFKC", message.text), timeout=MATCH_BUDGET_S
                )
            except TimeoutError:
                log.warning("rule %r: pattern search ran out of time; not a match", self.name)
                return None
            if hit is None:
                return None
            reasons.append(Reason(ConditionKind.PATTERN, (hit.group(0),), hit.span()))
        return tuple(reasons)

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain JSON values (conditions left empty are omitted)."""
        out: dict[str, Any] = {"name": self.name, "department": self.department}
        for attr in (
            "channels",
            "account_ids",
            "handles",
            "keywords_any",
            "keywords_all",
            "labels",
        ):
            value = getattr(self, attr)
            if value:
                out[attr] = list(value)
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.priority is not None:
            out["priority"] = self.priority.name.lower()
        if self.assignee_id is not None:
            out["assignee_id"] = self.assignee_id
        if not self.enabled:
            out["enabled"] = False
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Build a rule from :meth:`to_dict` output (``priority`` as a name or a number).

        Raises:
            InvalidRule: An unknown key, a missing ``name``/``department`` or a bad value.
            InvalidRulePattern: The pattern does not compile.
            RuleWithoutCondition: No condition is set.
        """
        if not isinstance(data, Mapping):
            raise InvalidRule(field="rule", reason="not_an_object")
        name = data.get("name")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise InvalidRule(rule=name, field=unknown[0], reason="unknown_field")
        for required in ("name", "department"):
            if not isinstance(data.get(required), str):
                raise InvalidRule(rule=name, field=required, reason="missing")
        kwargs: dict[str, Any] = dict(data)
        for attr in _LIST_FIELDS & set(kwargs):
            kwargs[attr] = _strings(kwargs[attr], attr, str(name))
        priority = kwargs.get("priority")
        if isinstance(priority, str):
            try:
                kwargs["priority"] = Priority[priority.upper()]
            except KeyError:
                raise InvalidRule(rule=name, field="priority", reason="unknown") from None
        elif priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
            raise InvalidRule(rule=name, field="priority", reason="unknown")
        return cls(**kwargs)


_LIST_FIELDS = frozenset(
    {"channels", "account_ids", "handles", "keywords_any", "keywords_all", "labels"}
)
_FIELDS = frozenset(f.name for f in dataclasses.fields(Rule) if not f.name.startswith("_"))


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """The rule that decided a message, and why.

    Attributes:
        rule: The rule that fired.
        position: Its index in the list that was evaluated.
        reasons: One entry per condition the rule sets, with what it matched.
    """

    rule: Rule
    position: int
    reasons: tuple[Reason, ...]


def evaluate(rules: Iterable[Rule], message: MessageInfo) -> RuleMatch | None:
    """Try ``rules`` in order on ``message``; the first that matches wins.

    Args:
        rules: Rules in priority order.
        message: The message and where it came from.

    Returns:
        The first matching rule with its reasons, or ``None`` if none matches.
    """
    for position, rule in enumerate(rules):
        reasons = rule.match(message)
        if reasons is not None:
            return RuleMatch(rule, position, reasons)
    return None


def rules_to_json(rules: Sequence[Rule]) -> str:
    """Serialise rules (in order) to the rules file format."""
    body = {"version": RULES_VERSION, "rules": [r.to_dict() for r in rules]}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def rules_from_json(text: str) -> list[Rule]:
    """Parse a rules file (or a bare JSON list of rules).

    Raises:
        InvalidRule: The JSON is malformed, of another version, or two rules share a name
            (``position`` says which rule when it is one).
        InvalidRulePattern: A pattern does not compile.
        RuleWithoutCondition: A rule sets no condition.
        console.errors.UnknownDepartment: A rule names an unknown department.
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidRule(field="file", reason="invalid_json") from None
    if isinstance(data, dict):
        if data.get("version") != RULES_VERSION:
            raise InvalidRule(field="version", reason="unsupported")
        data = data.get("rules")
    if not isinstance(data, list):
        raise InvalidRule(field="rules", reason="not_a_list")
    rules: list[Rule] = []
    names: set[str] = set()
    for position, item in enumerate(data):
        try:
            rule = Rule.from_dict(item)
        except errors.SotongError as exc:
            exc.params.setdefault("position", position)
            raise
        if rule.name in names:
            raise InvalidRule(rule=rule.name, position=position, reason="duplicate_name")
        names.add(rule.name)
        rules.append(rule)
    return rules
