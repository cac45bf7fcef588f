"""Fixtures for the UI tests: a small clinic in a real store, contexts and a shown main window.

Work runs inline (``Tasks.inline()``) unless a test asks for the real worker pools.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from console.domain import Role
from console.store import open_store
from console.store.engine import Store
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.ui_data import HTML_BODY
from ui.app import install_translators, remove_translators
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.tasks import Tasks


@dataclass
class Clinic:
    """What the ``clinic`` fixture put in the store."""

    store: Store
    operator_id: str
    colleague_id: str
    kakao: str
    insta: str
    first: str  # oldest: 김민지 on KakaoTalk
    second: str  # 이준호 on Instagram, three messages
    html: str  # newest: a body and a name that look like HTML


@pytest.fixture(scope="session", autouse=True)
def english_ui(qapp: QApplication) -> Iterator[None]:
    """The UI speaks English in tests, through the shipped translator as in the app."""
    translators = install_translators(qapp, "en")
    yield
    remove_translators(qapp, translators)


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A migrated store in a fresh folder."""
    s = open_store(data_dir)
    yield s
    s.close()


@pytest.fixture
def clinic(store: Store) -> Clinic:
    """Two staff, two channels, three open untriaged conversations (newest first: html,
    second, first)."""
    me = add_operator(store, "김지현")
    colleague = add_operator(store, "박서연", Role.COORDINATOR, ("plastic",))
    kakao = add_account(store, "kakaotalk", "소통의원 카카오톡 채널")
    insta = add_account(store, "instagram", "@sotong_clinic")
    first = add_conversation(
        store, kakao, [("in", "쌍꺼풀 수술 상담 가능할까요?")], contact="김민지", minutes_ago=30
    )
    second = add_conversation(
        store,
        insta,
        [
            ("in", "스케일링 예약하고 싶어요"),
            ("out", "네, 가능합니다."),
            ("in", "토요일도 되나요?"),
        ],
        contact="이준호",
        minutes_ago=20,
    )
    html = add_conversation(store, kakao, [("in", HTML_BODY)], contact="<b>Kim</b>", minutes_ago=10)
    return Clinic(store, me, colleague, kakao, insta, first, second, html)


@pytest.fixture
def ctx(qapp: object, clinic: Clinic) -> Iterator[AppContext]:
    """A context whose background work runs inline."""
    context = AppContext(clinic.store, clinic.operator_id, Tasks.inline())
    yield context
    context.stop()


@pytest.fixture
def pool_ctx(qapp: object, clinic: Clinic) -> Iterator[AppContext]:
    """A context with the real worker threads (shut down after the test)."""
    context = AppContext(clinic.store, clinic.operator_id, Tasks())
    yield context
    context.stop()
    context.tasks.shutdown()


def show_window(qtbot: QtBot, context: AppContext) -> MainWindow:
    """Build, show and wait for a main window over ``context``."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    """The main window over the inline context, shown."""
    return show_window(qtbot, ctx)


_OFFSCREEN_NOISE = r"This plugin does not support"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform warns that it cannot raise windows, grab the keyboard for a
    popup or honour size constraints; that says nothing about our code, so it does not fail
    UI tests (any other Qt warning still does)."""
    for item in items:
        if "tests/unit/ui" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE))
