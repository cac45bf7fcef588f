"""Department routing: ordered rules plus a learning classifier.

:func:`route` decides where a new conversation goes: the first matching :class:`Rule` decides;
otherwise the :class:`Classifier` proposes a department, applied automatically from the
confidence ``threshold`` and only suggested below it. :func:`route_jsonl` is the JSON Lines
contract of ``sotong route`` (see :mod:`console.routing.command`).

The classifier runs on this PC only: pure Python, no network. :func:`starter_model` loads the
model shipped in ``resources/routing/`` (built by ``python -m console.routing.train`` from
``train.jsonl``); :meth:`Classifier.learn` takes staff corrections into account and
:meth:`Classifier.save` keeps them.

:func:`evaluate_rules` is :func:`console.routing.rules.evaluate` (the package name
``evaluate`` is the submodule that measures accuracy, ``python -m console.routing.evaluate``).
"""

from console.routing._router import (
    DEFAULT_THRESHOLD,
    Decision,
    JsonlSummary,
    route,
    route_jsonl,
    starter_model,
)
from console.routing.classifier import DEPARTMENTS, Classifier, InvalidModel, Prediction
from console.routing.rules import (
    ConditionKind,
    InvalidRule,
    InvalidRulePattern,
    MessageInfo,
    Reason,
    Rule,
    RuleMatch,
    RulePatternTooSlow,
    RuleWithoutCondition,
    rules_from_json,
    rules_to_json,
)
from console.routing.rules import evaluate as evaluate_rules

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEPARTMENTS",
    "Classifier",
    "ConditionKind",
    "Decision",
    "InvalidModel",
    "InvalidRule",
    "InvalidRulePattern",
    "JsonlSummary",
    "MessageInfo",
    "Prediction",
    "Reason",
    "Rule",
    "RuleMatch",
    "RulePatternTooSlow",
    "RuleWithoutCondition",
    "evaluate_rules",
    "route",
    "route_jsonl",
    "rules_from_json",
    "rules_to_json",
    "starter_model",
]
