"""Korean first: complete translations, compiled and up to date, and a UI that switches to them."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from console.resources import resource
from tests.unit.ui.conftest import Clinic
from ui import texts
from ui.app import choose_language, install_translators, remove_translators
from ui.context import AppContext
from ui.conversations import DepartmentLabelRole, TimeTextRole
from ui.mainwindow import MainWindow

ROOT = Path(__file__).parents[3]
TS_DIR = ROOT / "resources" / "translations"


def _messages(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("message"))


def _context_messages(path: Path) -> Iterator[tuple[str, ET.Element]]:
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message


@pytest.mark.parametrize("language", ["ko", "en"])
def test_translation_files_are_complete(language: str) -> None:
    messages = _messages(TS_DIR / f"sotong_{language}.ts")
    assert len(messages) > 80
    for message in messages:
        source = message.findtext("source")
        translation = message.find("translation")
        assert translation is not None, source
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), source
        forms = translation.findall("numerusform") or [translation]
        assert all((f.text or "").strip() for f in forms), source


def test_korean_translations_are_korean_and_keep_placeholders() -> None:
    for message in _messages(TS_DIR / "sotong_ko.ts"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        text = "".join(f.text or "" for f in (translation.findall("numerusform") or [translation]))
        for marker in ("%1", "%n", "{n}", "{reason}", "{length}", "{max_chars}", "{department}"):
            if marker in source:
                assert marker in text, f"{source!r} lost {marker}"
        brands = {"X", "Facebook", "Instagram"}
        if any(ch.isalpha() for ch in source) and source not in brands:
            assert any("\uac00" <= ch <= "\ud7a3" for ch in text), f"not Korean: {text!r}"


@pytest.mark.slow
def test_ts_files_hold_every_string_in_the_code(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed next to this Python")
    copy = tmp_path / "sotong_ko.ts"
    shutil.copy(TS_DIR / "sotong_ko.ts", copy)
    sources = sorted(str(p) for p in (ROOT / "ui").glob("*.py"))
    subprocess.run(
        [
            str(lupdate),
            *sources,
            "-no-obsolete",
            "-locations",
            "none",
            "-target-language",
            "ko_KR",
            "-ts",
            str(copy),
        ],
        check=True,
        capture_output=True,
    )
    missing = [
        m.findtext("source")
        for m in _messages(copy)
        if (m.find("translation") is not None and m.find("translation").get("type") == "unfinished")
    ]  # type: ignore[union-attr]
    assert missing == [], "run packaging/update_translations.py and translate these"


def test_compiled_qm_matches_the_ts(qapp: object) -> None:
    data = resource("translations", "sotong_ko.qm").read_bytes()
    translator = QTranslator()
    assert translator.load(data)
    for context, message in _context_messages(TS_DIR / "sotong_ko.ts"):
        if message.get("numerus") == "yes":
            continue
        source = message.findtext("source") or ""
        expected = message.findtext("translation") or ""
        assert translator.translate(context, source) == expected, source


def test_language_choice_order() -> None:
    korean, english = QLocale(QLocale.Language.Korean), QLocale(QLocale.Language.English)
    assert choose_language("en", "ko", korean) == "en"
    assert choose_language(None, "ko", english) == "ko"
    assert choose_language(None, "auto", korean) == "ko"
    assert choose_language(None, "auto", english) == "en"


@pytest.fixture
def korean(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "ko")
    assert translators, "the Korean translator loads"
    yield
    remove_translators(qapp, translators)
    texts.set_language("en")


def test_switching_to_korean_translates_the_window(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic, qapp: QApplication
) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    nav = window.nav_model
    labels = lambda: [nav.index(r).data() for r in range(nav.rowCount())]  # noqa: E731
    assert "Untriaged" in labels()
    translators = install_translators(qapp, "ko")
    try:
        qapp.processEvents()  # delivers the LanguageChange event
        assert "미분류" in labels()
        assert labels()[:4] == ["전체 열린 대화", "내 담당", "미배정", "미분류"]
        assert "성형외과" in labels() and "카카오톡" in labels()
        assert window.windowTitle() == "소통 — 김지현"
        assert window.thread_pane.placeholder.text() == "목록에서 대화를 선택하세요."
        assert window.connection_label.text() == "연결된 채널 없음"
        window.thread_pane.open(clinic.first)
        assert window.thread_pane.send_button.text() == "보내기"
        assert window.thread_pane.department_combo.currentText() == "미분류"
        index = window.list_model.index(window.list_model.row_of(clinic.first))
        assert index.data(DepartmentLabelRole) == "미분류"
        assert index.data(TimeTextRole) == "30분"
    finally:
        remove_translators(qapp, translators)
        texts.set_language("en")


def test_korean_sentences_for_states_and_errors(korean: None) -> None:
    assert texts.view_name(texts.View.SNOOZED) == "보류"
    assert texts.view_name(texts.View.RESOLVED) == "해결됨"
    assert texts.error_code_text("empty_reply") == "보낼 답장 내용을 입력하세요."
    assert texts.outbox_state_text("queued", None) == "전송 대기 중"
    assert texts.waiting_text(0, now=3 * 3_600_000) == "3시간"


def _translation_calls(tree: ast.AST) -> list[tuple[ast.Call, bool]]:
    """Every tr()/translate() call, with whether it sits inside an f-string."""
    found: list[tuple[ast.Call, bool]] = []

    def visit(node: ast.AST, in_fstring: bool) -> None:
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("tr", "translate"):
                found.append((node, in_fstring))
        for child in ast.iter_child_nodes(node):
            visit(child, in_fstring or isinstance(node, ast.JoinedStr))

    visit(tree, False)
    return found


def test_every_translatable_string_is_a_literal_lupdate_can_see() -> None:
    problems = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for call, in_fstring in _translation_calls(ast.parse(path.read_text(encoding="utf-8"))):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            text_arg = (
                call.args[1]
                if name == "translate" and len(call.args) > 1
                else (call.args[0] if call.args else None)
            )
            where = f"{path.name}:{call.lineno}"
            if in_fstring:
                problems.append(f"{where}: inside an f-string (lupdate cannot see it)")
            if not (isinstance(text_arg, ast.Constant) and isinstance(text_arg.value, str)):
                problems.append(f"{where}: source text is not a string literal")
    assert problems == []
