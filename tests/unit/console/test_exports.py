"""Report files (CSV, XLSX), conversation exports, masking and who may export what."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console import cli, services
from console.domain import Role
from console.errors import NotPermitted
from console.exports import ExportFilter, export_messages, parse_fields
from console.masking import mask_handle, mask_name, mask_text
from console.report_files import export_report
from console.store.engine import Store, open_store
from tests.unit.console.test_reports import at, conversation

# -- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("주민번호 900101-1234567 입니다", "주민번호 ******-******* 입니다"),
        ("900101 2234567", "****** *******"),
        ("9001011234568", "*************"),  # no separator, but the check digit is right
        ("주민 9001011234567", "주민 *************"),  # wrong check digit, but named as one
        ("연락처 010-1234-5678", "연락처 010-****-****"),
        ("01012345678로 주세요", "010********로 주세요"),
        ("+82 10-1234-5678", "+82 10-****-****"),
        ("+82 10 1234 5678", "+82 10 **** ****"),
        ("+821012345678", "+8210********"),
        ("02-123-4567", "02-***-****"),
        ("(02) 1234-5678", "(02) ****-****"),
        ("031-123-4567 병원", "031-***-**** 병원"),
        ("kim.minji@naver.com 으로", "k***@naver.com 으로"),
    ],
)
def test_personal_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "주문번호 2405231234567",  # 13 digits, a date, but no separator or check digit
        "901301-1234567",  # month 13 is no birthday
        "900230-1234567",  # nor is 30 February
        "900101-9234567",  # 9 is not a gender digit in use
        "2024-05-23 10:30 방문",
        "1,500,000원 결제",
        "010-1234-56789",  # one digit too many
        "주문 20240523123456789",
        "결제번호 12345678",
        "대표번호 1588-1234",
        "예약번호 2024-0523-1234",
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_names_and_handles() -> None:
    assert mask_name("김민지") == "김*지"
    assert mask_name("남궁민수") == "남**수"
    assert mask_name("김민") == "김*"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_handle("user123") == "us*****"
    assert mask_handle("@clinic_fan") == "@cl********"
    assert mask_handle("minji@naver.com") == "m***@naver.com"


# -- conversation export -------------------------------------------------------------------


@pytest.fixture
def history(store: Store) -> dict[str, str]:
    kakao = services_account(store)
    cid = conversation(
        store, kakao, [("in", "2026-11-24 10:00"), ("out", "2026-11-24 10:30")], "export-1"
    )
    with store.write() as s:
        from console.store.models import Message

        first = s.query(Message).filter_by(conversation_id=cid, direction="in").one()
        first.body = (
            "제 번호는 010-9876-5432, 주민번호 900101-1234567 입니다. 주문번호 2405231234567"
        )
    admin = services.add_operator(store, services.Actor(None), "최관리", "admin")
    manager = services.add_operator(store, services.Actor(None), "정실장", "manager")
    desk = services.add_operator(store, services.Actor(None), "한원무", "front_desk")
    return {"cid": cid, "admin": admin, "manager": manager, "desk": desk}


def services_account(store: Store) -> str:
    from tests.helpers.factory import add_account

    return add_account(store, "kakaotalk", "카카오 상담")


def export(store: Store, actor: str | None, **kw: object) -> list[dict[str, str]]:
    out = io.StringIO()
    export_messages(store, services.Actor(actor), out, **kw)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_an_export_is_masked_by_default(store: Store, history: dict[str, str]) -> None:
    fields = parse_fields("conversation_id,contact_name,handle,direction,sent_at,body")
    rows = export(store, history["manager"], fields=fields)
    assert [r["direction"] for r in rows] == ["in", "out"]
    first = rows[0]
    assert list(first) == list(fields)
    assert first["body"] == (
        "제 번호는 010-****-****, 주민번호 ******-******* 입니다. 주문번호 2405231234567"
    )
    assert first["contact_name"] == "고*"
    assert first["handle"] == "h-********"  # h-export-1
    assert first["sent_at"] == "2026-11-24T10:00:00+09:00"


def test_unmasked_only_for_a_named_administrator(store: Store, history: dict[str, str]) -> None:
    with pytest.raises(NotPermitted):
        export(store, history["manager"], unmask=True)
    with pytest.raises(NotPermitted):
        export(store, None, unmask=True)  # the system is nobody in particular
    with pytest.raises(NotPermitted):
        export(store, history["desk"])  # front desk may not export at all
    rows = export(store, history["admin"], unmask=True, fields=("contact_name", "body"))
    assert rows[0]["contact_name"] == "고객"
    assert "900101-1234567" in rows[0]["body"]
    from sqlalchemy import select

    from console.store.models import AuditEvent

    with store.read() as s:
        actions = list(s.execute(select(AuditEvent.action, AuditEvent.operator_id)))
    assert ("export_unmasked", history["admin"]) in actions


def test_csv_export_and_filters(store: Store, history: dict[str, str]) -> None:
    out = io.StringIO(newline="")
    n = export_messages(
        store,
        services.Actor(history["manager"]),
        out,
        ("message_id", "direction", "body"),
        "csv",
        ExportFilter(start_ms=at("2026-11-24 10:15")),
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert n == 1
    assert rows[0] == ["message_id", "direction", "body"]
    assert rows[1][1:] == ["out", "안내드립니다"]
    nothing = io.StringIO()
    assert (
        export_messages(store, services.Actor(None), nothing, flt=ExportFilter(channel="sms")) == 0
    )


# -- report files ---------------------------------------------------------------------------


def _small_clinic(store: Store) -> None:
    kakao = services_account(store)
    # Tue 10:00 → 10:40 (40 min); Mon 18:00 → Tue 09:50 (30 + 20 = 50 min).
    a = conversation(store, kakao, [("in", "2026-11-24 10:00"), ("out", "2026-11-24 10:40")])
    b = conversation(store, kakao, [("in", "2026-11-23 18:00"), ("out", "2026-11-24 09:50")])
    services.tag_department(store, services.Actor(None), a, "dental")
    services.tag_department(store, services.Actor(None), b, "dental")


def test_report_as_csv_opens_in_excel(store: Store, tmp_path: Path) -> None:
    _small_clinic(store)
    path = tmp_path / "report.csv"
    export_report(
        store, services.Actor(None), path, at("2026-11-23 00:00"), at("2026-11-25 00:00"), "csv"
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[rows.index(next(r for r in rows if r and r[0] == "구분"))]
    clinic = rows[rows.index(header) + 1]
    record = dict(zip(header, clinic, strict=True))
    assert record["구분"] == "전체"
    assert record["첫 응답 건수"] == "2"
    assert record["첫 응답 중앙값(분)"] == "40.0"
    assert record["첫 응답 90%(분)"] == "50.0"
    dental = next(r for r in rows if len(r) > 1 and r[1] == "치과")
    assert dental[3] == "2"


def test_report_as_xlsx_reads_back(store: Store, tmp_path: Path) -> None:
    _small_clinic(store)
    path = tmp_path / "report.xlsx"
    export_report(
        store,
        services.Actor(None),
        path,
        at("2026-11-23 00:00"),
        at("2026-11-25 00:00"),
        "xlsx",
        language="en",
    )
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Summary", "Staff", "Daily", "By hour"]
    summary = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    header = next(r for r in summary if r and r[0] == "Group")
    clinic = dict(zip(header, summary[summary.index(header) + 1], strict=True))
    assert clinic["First responses"] == 2
    assert clinic["First response median (min)"] == 40.0
    daily = [list(r) for r in book["Daily"].iter_rows(values_only=True)]
    assert daily[0] == ["Date", "Messages received", "First response median (min): Dental"]
    assert [*daily[1], None][:3] == ["2026-11-23", 1, None]  # empty cells are not stored
    assert daily[2] == ["2026-11-24", 1, 40.0]  # nearest-rank median of 40 and 50
    hours = [list(r) for r in book["By hour"].iter_rows(values_only=True)]
    assert hours[1 + 10] == [10, 1] and hours[1 + 18] == [18, 1]
    book.close()


def test_reports_need_the_export_permission(store: Store, tmp_path: Path) -> None:
    desk = services.add_operator(store, services.Actor(None), "원무", Role.FRONT_DESK.value)
    with pytest.raises(NotPermitted):
        export_report(store, services.Actor(desk), tmp_path / "r.csv", 0, 1, "csv")
    assert not (tmp_path / "r.csv").exists()


# -- the command line ----------------------------------------------------------------------


def test_sotong_report_and_export(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(data_dir)
    _small_clinic(store)
    services.add_operator(store, services.Actor(None), "최관리", "admin")
    store.close()
    out = tmp_path / "r.xlsx"
    code = cli.main(
        [
            "report",
            "--data-dir",
            str(data_dir),
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-24",
            "--format",
            "xlsx",
            "-o",
            str(out),
        ]
    )
    assert code == 0 and load_workbook(out).sheetnames[0] == "요약"
    dump = tmp_path / "m.jsonl"
    base = ["export", "--data-dir", str(data_dir), "-o", str(dump), "--fields", "contact_name,body"]
    assert cli.main(base) == 0
    assert json.loads(dump.read_text(encoding="utf-8").splitlines()[0])["contact_name"] == "고*"
    capsys.readouterr()
    assert cli.main([*base, "--unmask"]) == 1  # nobody named
    assert json.loads(capsys.readouterr().out)["error"] == "not_permitted"
    assert cli.main([*base, "--unmask", "--operator", "최관리"]) == 0
    assert json.loads(dump.read_text(encoding="utf-8").splitlines()[0])["contact_name"] == "고객"
    assert cli.main([*base, "--unmask", "--operator", "없는사람"]) == 1
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["error"] == "operator_not_found"
    assert cli.main([*base, "--fields", "body,nonsense"]) == 1
