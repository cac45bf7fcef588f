"""Routing one message: rules first, then the classifier, then the threshold.

Also the JSON Lines contract behind ``sotong route``: each input line
``{"id", "text", "channel"}`` (optionally ``"account_id"`` and ``"handle"``) becomes one output
line ``{"id", "department", "confidence", "rule"}``; a malformed line becomes
``{"id", "error"}`` with an error code, and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from console import errors
from console.domain import Priority
from console.resources import resource
from console.routing.classifier import Classifier
from console.routing.rules import MessageInfo, Rule, RuleMatch, evaluate

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_CLASSIFIED_CHARS",
    "Decision",
    "JsonlSummary",
    "route",
    "route_jsonl",
    "starter_model",
]

#: Confidence from which the classifier's department is applied without asking.
DEFAULT_THRESHOLD = 0.85
#: The classifier reads at most this many characters (the start of a long e-mail decides).
MAX_CLASSIFIED_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a message should go, and how sure the router is.

    Attributes:
        department: The department to apply now, or ``None`` when the classifier was not
            confident enough (then ``suggestion`` is only proposed to staff).
        confidence: 1.0 for a rule; the classifier's confidence otherwise.
        rule_name: The rule that decided, or ``None`` when the classifier did.
        auto_applied: Whether ``department`` should be applied without asking staff.
        suggestion: The department proposed, applied or not.
        match: The rule match (conditions and what they matched) when a rule decided.
        scores: The classifier's probability per department (empty when a rule decided).
    """

    department: str | None
    confidence: float
    rule_name: str | None
    auto_applied: bool
    suggestion: str
    match: RuleMatch | None = None
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels the deciding rule adds (none for the classifier)."""
        return self.match.rule.labels if self.match else ()

    @property
    def priority(self) -> Priority | None:
        """Priority the deciding rule sets, if any."""
        return self.match.rule.priority if self.match else None

    @property
    def assignee_id(self) -> str | None:
        """Operator the deciding rule assigns, if any."""
        return self.match.rule.assignee_id if self.match else None


def starter_model() -> Classifier:
    """A fresh copy of the model shipped with Sotong (learning on it changes only the copy)."""
    return Classifier.from_bytes(resource("routing", "starter_model.json").read_bytes())


def route(
    text: str,
    channel: str | None = None,
    *,
    account_id: str | None = None,
    handle: str | None = None,
    rules: Sequence[Rule] = (),
    model: Classifier,
    threshold: float = DEFAULT_THRESHOLD,
) -> Decision:
    """Decide the department of a message.

    A matching rule decides first (and is always applied). Otherwise the classifier proposes a
    department; it is applied when its confidence reaches ``threshold`` and only suggested
    below it.

    Args:
        text: The message text.
        channel: Channel kind code, e.g. ``"kakaotalk"``.
        account_id: The channel account it came in on.
        handle: The contact's handle on that channel.
        rules: Rules in priority order.
        model: The classifier.
        threshold: Confidence from which the classifier's choice is applied, 0..1 (above 1:
            never apply, only suggest).

    Returns:
        The decision.

    Raises:
        console.errors.InvalidInput: ``threshold`` is negative or not a number.
    """
    if not threshold >= 0:
        raise errors.InvalidInput(threshold=threshold)
    message = MessageInfo(text, channel, account_id, handle)
    match = evaluate(rules, message)
    if match is not None:
        department = match.rule.department
        return Decision(department, 1.0, match.rule.name, True, department, match)
    prediction = model.predict(text[:MAX_CLASSIFIED_CHARS])
    confident = prediction.confidence >= threshold
    return Decision(
        department=prediction.department if confident else None,
        confidence=prediction.confidence,
        rule_name=None,
        auto_applied=confident,
        suggestion=prediction.department,
        scores=prediction.scores,
    )


@dataclass(frozen=True, slots=True)
class JsonlSummary:
    """What a :func:`route_jsonl` run did.

    Attributes:
        routed: Lines answered with a department.
        errors: Lines answered with an error.
    """

    routed: int
    errors: int


_OPTIONAL_TEXT = ("channel", "account_id", "handle")


def _parse(raw: str | bytes) -> tuple[Any, MessageInfo | None, str | None]:
    """(id, message, error code) of one input line; ``id`` is ``None`` when unknown."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, None, "invalid_utf8"
    try:
        row = json.loads(raw.lstrip("\ufeff"))
    except ValueError:
        return None, None, "invalid_json"
    if not isinstance(row, dict):
        return None, None, "not_an_object"
    line_id = row.get("id")
    if line_id is None:
        return None, None, "missing_id"
    if isinstance(line_id, bool) or not isinstance(line_id, str | int):
        return line_id, None, "invalid_id"
    text = row.get("text")
    if text is None:
        return line_id, None, "missing_text"
    if not isinstance(text, str):
        return line_id, None, "invalid_text"
    values: dict[str, str | None] = {}
    for key in _OPTIONAL_TEXT:
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            return line_id, None, f"invalid_{key}"
        values[key] = value
    return line_id, MessageInfo(text, **values), None


def route_jsonl(
    lines_in: Iterable[str | bytes],
    write: Callable[[str], object],
    rules: Sequence[Rule],
    model: Classifier,
) -> JsonlSummary:
    """Route every JSON Lines message of ``lines_in``, writing one JSON line per message.

    Input lines are ``{"id": str | int, "text": str, "channel": str | null}``, optionally
    with ``"account_id"`` and ``"handle"``; blank lines are skipped; bytes are read as UTF-8.
    Output lines (each ending in ``"\\n"``, passed to ``write``) are
    ``{"id", "department", "confidence", "rule"}``: ``department`` is a department code (the
    classifier's best one, whatever its confidence), ``confidence`` is rounded to 4 places and
    ``rule`` is the deciding rule's name or ``null``. A line that cannot be routed is answered
    with ``{"id": <id or null>, "error": <code>}`` (``invalid_utf8``, ``invalid_json``,
    ``not_an_object``, ``missing_id``, ``invalid_id``, ``missing_text``, ``invalid_text``,
    ``invalid_channel``, ``invalid_account_id``, ``invalid_handle``) and the run goes on.

    Args:
        lines_in: The input lines.
        write: Receives each output line.
        rules: Rules in priority order.
        model: The classifier.

    Returns:
        How many lines were routed and how many were errors.
    """
    routed = failed = 0
    for raw in lines_in:
        if not raw.strip():
            continue
        line_id, message, error = _parse(raw)
        if message is None:
            failed += 1
            out: dict[str, Any] = {"id": line_id, "error": error}
        else:
            decision = route(
                message.text,
                message.channel,
                account_id=message.account_id,
                handle=message.handle,
                rules=rules,
                model=model,
                threshold=0.0,
            )
            routed += 1
            out = {
                "id": line_id,
                "department": decision.suggestion,
                "confidence": round(decision.confidence, 4),
                "rule": decision.rule_name,
            }
        write(json.dumps(out, ensure_ascii=False) + "\n")
    return JsonlSummary(routed, failed)
