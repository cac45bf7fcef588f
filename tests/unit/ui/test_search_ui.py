"""Search in the list: it runs on the read worker, only the newest result is shown, the status
bar says what is happening, and matched words are highlighted in plain text."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontMetrics, QImage
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from console.services import Changes
from console.store.queries import ListFilter, SearchList
from tests.helpers.factory import add_conversation
from tests.unit.ui.conftest import Clinic, show_window
from tests.unit.ui.test_conversation_list import RecordingPainter
from ui import conversations, theme
from ui.context import AppContext
from ui.conversations import (
    ConversationDelegate,
    ConversationListModel,
    IdRole,
    NameHighlightsRole,
    SnippetHighlightsRole,
    SnippetRole,
    text_runs,
)
from ui.tasks import InlineRunner, Tasks

HOSTILE = "<b>쌍수</b> 가격이 궁금해요 <img src=x onerror=alert(1)>"


class HeldRunner:
    """A read lane whose jobs wait until the test runs them, in any order."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def submit(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def wait_idle(self, timeout_s: float) -> bool:
        return not self.jobs

    def shutdown(self) -> None:
        self.jobs.clear()


def _ids(model: ConversationListModel) -> list[str]:
    return [model.index(r).data(IdRole) for r in range(model.rowCount())]


def test_the_snippet_shows_the_matching_message_with_its_words_highlighted(
    qapp: object, clinic: Clinic
) -> None:
    model = ConversationListModel(clinic.store, clinic.store.departments())
    model.set_search("스케일링")  # in the first message of 이준호's thread, not the last one
    index = model.index(0)
    assert index.data(IdRole) == clinic.second
    snippet = index.data(SnippetRole)
    assert snippet == "스케일링 예약하고 싶어요"
    assert [snippet[a:b] for a, b in index.data(SnippetHighlightsRole)] == ["스케일링"]
    model.set_search("이준")  # a name match highlights the name
    index = model.index(0)
    assert [index.data(0)[a:b] for a, b in index.data(NameHighlightsRole)] == ["이준"]
    model.set_search("")
    assert model.index(0).data(SnippetHighlightsRole) == ()


def test_highlights_are_painted_as_plain_text_over_the_matched_words(
    qapp: object, clinic: Clinic
) -> None:
    hostile = add_conversation(clinic.store, clinic.kakao, [("in", HOSTILE)], contact="최유리")
    model = ConversationListModel(clinic.store, clinic.store.departments())
    model.set_search("쌍수")
    row = model.row_of(hostile)
    assert row >= 0
    index = model.index(row)
    assert index.data(SnippetRole) == HOSTILE
    spans = index.data(SnippetHighlightsRole)
    assert [HOSTILE[a:b] for a, b in spans] == ["쌍수"]

    delegate = ConversationDelegate()
    width = 900
    image = QImage(width, ConversationDelegate.ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = RecordingPainter(image)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, width, ConversationDelegate.ROW_HEIGHT)
    option.state = QStyle.StateFlag.State_Enabled
    delegate.paint(painter, option, index)
    painter.end()
    # The markup is drawn as characters, in pieces that join up to the message.
    assert "<b>" in painter.texts and "쌍수" in painter.texts
    # The highlight colour sits under the matched word, and only there.
    runs = text_runs(HOSTILE, spans, QFontMetrics(option.font), 600)
    assert "".join(r.text for r in runs) == HOSTILE
    lit = [r for r in runs if r.highlighted]
    assert [r.text for r in lit] == ["쌍수"]
    highlight = theme.colour("highlight").rgb()
    xs = [x for x in range(width) for y in range(37, 59) if image.pixel(x, y) == highlight]
    assert xs, "no highlight painted"
    left = 58 + lit[0].x
    assert min(xs) >= left - 2 and max(xs) <= left + lit[0].width + 2


def test_text_runs_elide_and_keep_offsets() -> None:
    from PySide6.QtGui import QFont

    metrics = QFontMetrics(QFont())
    text = "가나다라마바사아자차카타파하 쌍수 문의"
    runs = text_runs(text, ((15, 17),), metrics, metrics.horizontalAdvance(text[:8]))
    assert "".join(r.text for r in runs).endswith("…")
    assert not any(r.highlighted for r in runs)  # the match was cut off
    runs = text_runs(text, ((0, 2), (15, 17)), metrics, 10_000)
    assert [(r.text, r.highlighted) for r in runs] == [
        ("가나", True),
        ("다라마바사아자차카타파하 ", False),
        ("쌍수", True),
        (" 문의", False),
    ]
    assert runs[1].x == metrics.horizontalAdvance("가나")


def test_search_runs_on_the_read_worker(qtbot: QtBot, clinic: Clinic) -> None:
    tasks = Tasks()
    threads: list[threading.Thread] = []
    real = conversations.search_list

    def recording(*args: object) -> SearchList:
        threads.append(threading.current_thread())
        return real(*args)  # type: ignore[arg-type]

    conversations.search_list = recording  # type: ignore[assignment]
    try:
        model = ConversationListModel(clinic.store, clinic.store.departments(), tasks=tasks)
        with qtbot.wait_signal(model.search_finished, timeout=3000) as blocker:
            model.set_search("토요일")
            assert model.searching  # nothing found yet: the search has not run here
        assert blocker.args == [1, False]
        assert _ids(model) == [clinic.second]
        assert threads and threads[0] is not threading.main_thread()
    finally:
        conversations.search_list = real  # type: ignore[assignment]
        tasks.shutdown()


def test_a_result_older_than_the_newest_search_is_dropped(qapp: object, clinic: Clinic) -> None:
    held = HeldRunner()
    tasks = Tasks(InlineRunner(), held, InlineRunner())
    model = ConversationListModel(clinic.store, clinic.store.departments(), tasks=tasks)
    finished: list[tuple[int, bool]] = []
    model.search_finished.connect(lambda n, more: finished.append((n, more)))
    model.set_search("스케일링")
    model.set_search("김민지")
    assert len(held.jobs) == 2 and model.searching
    assert len(_ids(model)) == 3  # the list stays as it was while searching
    newest, oldest = held.jobs.pop(), held.jobs.pop()
    newest()
    assert _ids(model) == [clinic.first]
    oldest()  # arrives late: not shown
    assert _ids(model) == [clinic.first]
    assert finished == [(1, False)]
    assert not model.searching


def test_a_new_matching_message_joins_the_searched_list(qtbot: QtBot, clinic: Clinic) -> None:
    model = ConversationListModel(
        clinic.store, clinic.store.departments(), ListFilter(text="임플란트")
    )
    assert _ids(model) == []
    new = add_conversation(clinic.store, clinic.insta, [("in", "임플란트 비용 알려주세요")])
    with qtbot.wait_signal(model.search_finished, timeout=2000):
        model.on_changed(Changes(threads=frozenset({new}), new_conversations=True))
    assert _ids(model) == [new]


def test_the_status_bar_says_searching_then_how_many(qtbot: QtBot, clinic: Clinic) -> None:
    held = HeldRunner()
    ctx = AppContext(clinic.store, clinic.operator_id, Tasks(InlineRunner(), held, InlineRunner()))
    try:
        window = show_window(qtbot, ctx)
        held.jobs.clear()
        window.search_box.setText("예약")
        window.apply_search()
        label = window.search_state_label
        assert label.isVisible() and label.text() == "Searching…"
        while held.jobs:
            held.jobs.pop(0)()
        assert label.text() == "1 found"
        window.search_box.setText("")
        window.apply_search()
        assert not label.isVisible()
    finally:
        ctx.stop()
