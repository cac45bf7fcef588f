"""Routing rules: order, each condition, why a rule fired, validation and JSON."""

from __future__ import annotations

import json

import pytest

from console import errors
from console.domain import Priority
from console.routing import (
    ConditionKind,
    InvalidRule,
    InvalidRulePattern,
    MessageInfo,
    Reason,
    Rule,
    RuleWithoutCondition,
    rules_from_json,
    rules_to_json,
)
from console.routing.rules import evaluate


def msg(text: str = "", channel: str | None = "kakaotalk", **kw: str) -> MessageInfo:
    return MessageInfo(text, channel, kw.get("account_id"), kw.get("handle"))


def test_first_matching_rule_wins_and_says_where_it_was() -> None:
    rules = [
        Rule("jobs", "general", keywords_any=("채용", "이력서")),
        Rule("implants", "dental", keywords_any=("임플란트",)),
        Rule("kakao", "plastic", channels=("kakaotalk",)),
    ]
    match = evaluate(rules, msg("임플란트 상담 원해요"))
    assert match is not None
    assert (match.rule.name, match.position) == ("implants", 1)
    assert match.reasons == (Reason(ConditionKind.KEYWORDS_ANY, ("임플란트",)),)
    first = evaluate(rules, msg("임플란트 회사 채용 공고 보고 이력서 보냅니다"))
    assert first is not None and first.rule.name == "jobs"
    assert first.reasons[0].values == ("채용", "이력서")


def test_no_rule_matches_returns_none() -> None:
    assert evaluate([Rule("x", "general", channels=("email",))], msg("hello")) is None
    assert evaluate([], msg("hello")) is None


def test_channel_condition_ignores_case() -> None:
    rule = Rule("ig", "derm", channels=("Instagram",))
    assert rule.match(msg("hi", "instagram")) == (Reason(ConditionKind.CHANNEL, ("instagram",)),)
    assert rule.match(msg("hi", "facebook")) is None
    assert rule.match(msg("hi", None)) is None


def test_account_condition() -> None:
    rule = Rule("derm page", "derm", account_ids=("acct-derm",))
    assert rule.match(msg("hi", account_id="acct-derm")) == (
        Reason(ConditionKind.ACCOUNT, ("acct-derm",)),
    )
    assert rule.match(msg("hi", account_id="acct-other")) is None
    assert rule.match(msg("hi")) is None


def test_handle_condition_ignores_case_and_at_sign() -> None:
    rule = Rule("vendor", "general", handles=("@MedSupply_KR",))
    assert rule.match(msg("hi", handle="medsupply_kr")) == (
        Reason(ConditionKind.HANDLE, ("medsupply_kr",)),
    )
    assert rule.match(msg("hi", handle="@medsupply_kr")) is not None
    assert rule.match(msg("hi", handle="someone")) is None
    assert rule.match(msg("hi")) is None


def test_keywords_ignore_case_width_and_spacing() -> None:
    rule = Rule("botox", "derm", keywords_any=("보톡스", "BOTOX"))
    assert rule.match(msg("사각턱 보 톡 스 얼마")) is not None
    assert rule.match(msg("ｂｏｔｏｘ price")) == (Reason(ConditionKind.KEYWORDS_ANY, ("BOTOX",)),)
    assert rule.match(msg("필러 얼마")) is None


def test_all_keywords_must_be_present() -> None:
    rule = Rule("billing", "general", keywords_all=("영수증", "보험"))
    assert rule.match(msg("보험 청구용 영수증 주세요")) == (
        Reason(ConditionKind.KEYWORDS_ALL, ("영수증", "보험")),
    )
    assert rule.match(msg("영수증 주세요")) is None


def test_pattern_condition_reports_the_matched_text() -> None:
    rule = Rule("phone", "general", pattern=r"010-?\d{4}-?\d{4}")
    assert rule.match(msg("연락처 010-1234-5678 입니다")) == (
        Reason(ConditionKind.PATTERN, ("010-1234-5678",), (4, 17)),
    )
    assert rule.match(msg("연락주세요")) is None
    assert Rule("case", "derm", pattern="botox").match(msg("BOTOX")) is not None


def test_every_condition_of_a_rule_must_hold_and_each_is_a_reason() -> None:
    rule = Rule(
        "vip derm on instagram",
        "derm",
        channels=("instagram",),
        account_ids=("acct-1",),
        handles=("vip",),
        keywords_any=("레이저",),
        keywords_all=("토닝", "예약"),
        pattern=r"\d+회",
    )
    full = msg("레이저 토닝 10회 예약", "instagram", account_id="acct-1", handle="VIP")
    reasons = rule.match(full)
    assert reasons is not None
    assert [r.condition for r in reasons] == list(ConditionKind)
    assert reasons[-1].values == ("10회",)
    for broken in (
        msg("레이저 토닝 10회 예약", "kakaotalk", account_id="acct-1", handle="vip"),
        msg("레이저 토닝 10회 예약", "instagram", account_id="acct-2", handle="vip"),
        msg("레이저 토닝 10회 예약", "instagram", account_id="acct-1", handle="other"),
        msg("피코 토닝 10회 예약", "instagram", account_id="acct-1", handle="vip"),
        msg("레이저 토닝 10회", "instagram", account_id="acct-1", handle="vip"),
        msg("레이저 토닝 예약", "instagram", account_id="acct-1", handle="vip"),
    ):
        assert rule.match(broken) is None


def test_disabled_rules_never_match() -> None:
    rules = [
        Rule("off", "dental", channels=("sms",), enabled=False),
        Rule("on", "derm", channels=("sms",)),
    ]
    match = evaluate(rules, msg("x", "sms"))
    assert match is not None and match.rule.name == "on"


def test_invalid_regex_is_refused_when_the_rule_is_made() -> None:
    with pytest.raises(InvalidRulePattern) as caught:
        Rule("bad", "general", pattern="(unclosed")
    assert caught.value.code == "invalid_rule_pattern"
    assert caught.value.params["offset"] == 0
    assert isinstance(caught.value, errors.InvalidInput)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": "x", "department": "cardiology", "channels": ("sms",)}, errors.UnknownDepartment),
        ({"name": "x", "department": "derm"}, RuleWithoutCondition),
        ({"name": " ", "department": "derm", "channels": ("sms",)}, InvalidRule),
        ({"name": "x", "department": "derm", "channels": "sms"}, InvalidRule),
        ({"name": "x", "department": "derm", "keywords_any": ("",)}, InvalidRule),
        ({"name": "x", "department": "derm", "pattern": ""}, InvalidRule),
        (
            {"name": "x", "department": "derm", "channels": ("sms",), "labels": ("a\nb",)},
            errors.InvalidLabel,
        ),
        ({"name": "x", "department": "derm", "channels": ("sms",), "priority": 9}, InvalidRule),
        ({"name": "x" * 81, "department": "derm", "channels": ("sms",)}, InvalidRule),
    ],
)
def test_malformed_rules_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        Rule(**kwargs)  # type: ignore[arg-type]


def test_rules_round_trip_through_json() -> None:
    rules = [
        Rule(
            "vip",
            "plastic",
            channels=("instagram",),
            handles=("vip",),
            keywords_all=("재수술",),
            pattern=r"\d+년",
            labels=("재수술", "VIP"),
            priority=Priority.HIGH,
            assignee_id="op-7",
        ),
        Rule("spam", "general", keywords_any=("당첨",), enabled=False),
    ]
    text = rules_to_json(rules)
    assert json.loads(text)["rules"][0]["priority"] == "high"
    assert rules_from_json(text) == rules
    assert rules_from_json(json.dumps([r.to_dict() for r in rules])) == rules
    number = json.dumps([{"name": "n", "department": "derm", "channels": ["sms"], "priority": 3}])
    assert rules_from_json(number)[0].priority is Priority.URGENT


@pytest.mark.parametrize(
    ("text", "error", "reason"),
    [
        ("{not json", InvalidRule, "invalid_json"),
        ('{"version": 2, "rules": []}', InvalidRule, "unsupported"),
        ('{"version": 1, "rules": {}}', InvalidRule, "not_a_list"),
        ('[{"name": "a", "department": "derm", "keyword": ["x"]}]', InvalidRule, "unknown_field"),
        ('[{"department": "derm", "channels": ["sms"]}]', InvalidRule, "missing"),
        (
            '[{"name": "a", "department": "derm", "channels": ["sms"], "priority": "meh"}]',
            InvalidRule,
            "unknown",
        ),
        (
            '[{"name": "a", "department": "derm", "channels": ["sms"]},'
            ' {"name": "a", "department": "dental", "channels": ["x"]}]',
            InvalidRule,
            "duplicate_name",
        ),
    ],
)
def test_malformed_rules_files_say_what_is_wrong(
    text: str, error: type[InvalidRule], reason: str
) -> None:
    with pytest.raises(error) as caught:
        rules_from_json(text)
    assert caught.value.params["reason"] == reason


def test_a_bad_pattern_in_a_file_names_its_position() -> None:
    text = json.dumps(
        [
            {"name": "ok", "department": "derm", "channels": ["sms"]},
            {"name": "bad", "department": "derm", "pattern": "[a-"},
        ]
    )
    with pytest.raises(InvalidRulePattern) as caught:
        rules_from_json(text)
    assert caught.value.params["position"] == 1
    assert caught.value.params["rule"] == "bad"
