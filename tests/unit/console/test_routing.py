"""The router: rules before the classifier, the threshold, the JSON Lines contract, the command."""

from __future__ import annotations

import argparse
import io
import json
import math
from pathlib import Path

import pytest

from console import errors
from console.domain import Priority
from console.routing import (
    DEFAULT_THRESHOLD,
    DEPARTMENTS,
    Classifier,
    Rule,
    route,
    route_jsonl,
    rules_to_json,
    starter_model,
)
from console.routing import command as route_command


@pytest.fixture(scope="module")
def model() -> Classifier:
    return starter_model()


RULES = [
    Rule(
        "vendor handle",
        "general",
        handles=("medsupply",),
        labels=("vendor",),
        priority=Priority.LOW,
        assignee_id="op-1",
    ),
    Rule("revision keyword", "plastic", keywords_any=("재수술",)),
]


# -- route ----------------------------------------------------------------------------------


def test_a_rule_decides_before_the_classifier(model: Classifier) -> None:
    decision = route(
        "임플란트 가격 알려주세요", "kakaotalk", handle="MedSupply", rules=RULES, model=model
    )
    assert decision.department == "general" and decision.suggestion == "general"
    assert decision.rule_name == "vendor handle"
    assert decision.auto_applied and decision.confidence == 1.0
    assert decision.labels == ("vendor",)
    assert decision.priority is Priority.LOW and decision.assignee_id == "op-1"
    assert decision.match is not None and decision.match.position == 0
    assert decision.scores == {}


def test_without_a_matching_rule_the_classifier_decides(model: Classifier) -> None:
    decision = route("임플란트 가격 알려주세요", "kakaotalk", rules=RULES, model=model)
    assert decision.rule_name is None and decision.match is None
    assert decision.suggestion == "dental"
    assert decision.labels == () and decision.priority is None and decision.assignee_id is None
    assert decision.scores["dental"] == decision.confidence


def test_threshold_decides_between_applying_and_suggesting(model: Classifier) -> None:
    text = "임플란트 가격 알려주세요"
    confidence = model.predict(text).confidence
    assert confidence >= DEFAULT_THRESHOLD
    applied = route(text, model=model)
    assert (applied.department, applied.auto_applied) == ("dental", True)
    at = route(text, model=model, threshold=confidence)
    assert at.auto_applied  # reaching the threshold is enough
    above = route(text, model=model, threshold=math.nextafter(confidence, 2.0))
    assert (above.department, above.auto_applied, above.suggestion) == (None, False, "dental")
    assert above.confidence == confidence


def test_an_unclear_message_is_only_suggested(model: Classifier) -> None:
    decision = route("ㅋㅋㅋ", "instagram", model=model)
    assert decision.confidence < DEFAULT_THRESHOLD
    assert decision.department is None and not decision.auto_applied
    assert decision.suggestion in DEPARTMENTS
    never = route("ㅋㅋㅋ", "instagram", model=model, threshold=0.0)
    assert never.auto_applied and never.department == never.suggestion


def test_threshold_must_be_a_non_negative_number(model: Classifier) -> None:
    for bad in (-0.1, float("nan")):
        with pytest.raises(errors.InvalidInput):
            route("hi", model=model, threshold=bad)


# -- route_jsonl ----------------------------------------------------------------------------


def test_jsonl_contract_with_malformed_lines(model: Classifier) -> None:
    lines: list[str | bytes] = [
        '\ufeff{"id": "a1", "text": "쌍수 재수술 가능한가요", "channel": "kakaotalk"}',
        '{"id": 2, "text": "How much is Saxenda?", "channel": "instagram"}',
        "",
        '{"id": "v", "text": "견적서 보내드립니다", "channel": "email", "handle": "@MedSupply"}',
        "{broken json",
        "[1, 2]",
        '{"text": "no id"}',
        '{"id": true, "text": "bool id"}',
        '{"id": "t1", "channel": "sms"}',
        '{"id": "t2", "text": 42}',
        '{"id": "c1", "text": "hi", "channel": 7}',
        b'{"id": "u1", "text": "\xff\xfe"}',
        '{"id": "e1", "text": ""}',
        b'{"id": "b1", "text": "\xec\x9e\x84\xed\x94\x8c\xeb\x9e\x80\xed\x8a\xb8"}',
    ]
    out: list[str] = []
    summary = route_jsonl(lines, out.append, RULES, model)
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in out)
    rows = [json.loads(line) for line in out]
    assert len(rows) == len(lines) - 1  # the blank line is skipped
    assert (summary.routed, summary.errors) == (5, 8)
    by_id = {json.dumps(r["id"]): r for r in rows}
    assert by_id['"a1"'] == {
        "id": "a1",
        "department": "plastic",
        "confidence": 1.0,
        "rule": "revision keyword",
    }
    assert by_id["2"]["department"] == "obesity" and by_id["2"]["rule"] is None
    assert by_id['"v"']["rule"] == "vendor handle"
    assert by_id['"e1"'] == {"id": "e1", "department": "general", "confidence": 0.0, "rule": None}
    assert by_id['"b1"']["department"] == "dental"
    errors_seen = [(r["id"], r["error"]) for r in rows if "error" in r]
    assert errors_seen == [
        (None, "invalid_json"),
        (None, "not_an_object"),
        (None, "missing_id"),
        (True, "invalid_id"),
        ("t1", "missing_text"),
        ("t2", "invalid_text"),
        ("c1", "invalid_channel"),
        (None, "invalid_utf8"),
    ]
    for row in rows:
        if "error" not in row:
            assert set(row) == {"id", "department", "confidence", "rule"}
            assert row["department"] in DEPARTMENTS
            assert 0.0 <= row["confidence"] <= 1.0


# -- the command ----------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true")
    parser = argparse.ArgumentParser(prog="sotong")
    sub = parser.add_subparsers(dest="command", required=True)
    route_command.add_parser(sub, parents=[common])
    args = parser.parse_args(argv)
    assert args.command == "route" and args.verbose is False
    return args


def test_command_reads_a_file_with_rules_and_writes_utf8(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(
        '{"id": 1, "text": "사랑니 뽑고 싶어요", "channel": "sms"}\n'
        '{"id": 2, "text": "쌍수 재수술 문의", "channel": "kakaotalk"}\n',
        encoding="utf-8",
    )
    rules = tmp_path / "rules.json"
    rules.write_text(rules_to_json(RULES), encoding="utf-8")
    args = _parse(["route", str(data), "--rules", str(rules)])
    out = io.BytesIO()
    assert route_command.run(args, stdout=out) == route_command.EXIT_OK
    rows = [json.loads(line) for line in out.getvalue().decode("utf-8").splitlines()]
    assert [(r["id"], r["department"], r["rule"]) for r in rows] == [
        (1, "dental", None),
        (2, "plastic", "revision keyword"),
    ]


def test_command_reads_stdin_and_signals_bad_lines() -> None:
    args = _parse(["route"])
    stdin = io.BytesIO('{"id": 1, "text": "위고비"}\nnot json\n'.encode())
    out = io.BytesIO()
    assert route_command.run(args, stdin=stdin, stdout=out) == route_command.EXIT_LINE_ERRORS
    assert len(out.getvalue().splitlines()) == 2


def test_command_refuses_bad_rules_and_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('[{"name": "bad", "department": "derm", "pattern": "(x"}]', encoding="utf-8")
    out = io.BytesIO()
    args = _parse(["route", "--rules", str(rules)])
    assert route_command.run(args, stdin=io.BytesIO(b""), stdout=out) == route_command.EXIT_INPUT
    problem = json.loads(capsys.readouterr().err)
    assert problem["error"] == "invalid_rule_pattern" and problem["source"] == "rules"
    args = _parse(["route", str(tmp_path / "missing.jsonl")])
    assert route_command.run(args, stdout=out) == route_command.EXIT_INPUT
    assert json.loads(capsys.readouterr().err) == {
        "error": "unreadable",
        "source": "input",
        "reason": "FileNotFoundError",
    }
    args = _parse(["route", "--model", str(rules)])
    assert route_command.run(args, stdout=out) == route_command.EXIT_INPUT
    assert json.loads(capsys.readouterr().err)["error"] == "invalid_routing_model"
    assert out.getvalue() == b""
