"""The conversation list: paging by keyset, a lazy row cache, rows that follow changes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from console import services
from console.services import Changes
from console.store.queries import ListFilter, View
from tests.helpers.ui_data import HTML_BODY, bulk_conversations
from tests.unit.ui.conftest import Clinic
from ui.conversations import (
    CHUNK,
    PAGE_SIZE,
    ContactRole,
    ConversationDelegate,
    ConversationListModel,
    DepartmentColourRole,
    DepartmentLabelRole,
    DraftRole,
    FailedRole,
    IdRole,
    QueuedRole,
    SnippetRole,
    TimeTextRole,
    UnreadRole,
)


class RecordingPainter(QPainter):
    """A painter that remembers every string drawn through drawText."""

    def __init__(self, device: QImage) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args: object) -> None:
        self.texts += [a for a in args if isinstance(a, str)]
        super().drawText(*args)


def _model(clinic: Clinic, flt: ListFilter | None = None) -> ConversationListModel:
    return ConversationListModel(clinic.store, clinic.store.departments(), flt)


def _ids(model: ConversationListModel) -> list[str]:
    return [model.index(r).data(IdRole) for r in range(model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester: object, clinic: Clinic) -> None:
    model = _model(clinic)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.on_changed(Changes(conversations=frozenset({clinic.first}), new_conversations=True))
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_rows_show_what_a_clerk_needs(qapp: object, clinic: Clinic) -> None:
    model = _model(clinic)
    assert _ids(model) == [clinic.html, clinic.second, clinic.first]
    row = model.index(1)
    assert row.data(ContactRole) == "이준호"
    assert row.data(SnippetRole) == "토요일도 되나요?"
    assert row.data(DepartmentLabelRole) == "Untriaged"
    assert row.data(DepartmentColourRole) == ""
    assert row.data(UnreadRole) is True
    assert row.data(TimeTextRole).endswith("min")
    assert model.index(0).data(SnippetRole) == HTML_BODY


def test_pages_of_200_are_fetched_on_demand(qapp: object, clinic: Clinic) -> None:
    bulk_conversations(clinic.store, clinic.kakao, 447)
    model = _model(clinic)
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    model.fetchMore()
    assert model.rowCount() == 450
    assert not model.canFetchMore()
    ids = _ids(model)
    assert len(set(ids)) == 450, "no conversation twice across pages"


def test_rows_are_read_lazily_in_chunks(qapp: object, clinic: Clinic) -> None:
    bulk_conversations(clinic.store, clinic.kakao, 300)
    model = _model(clinic)
    assert model.cached_rows() == 0, "no row is read before it is shown"
    assert model.index(150).data(ContactRole)
    assert 0 < model.cached_rows() <= CHUNK + 8
    assert model.index(0).data(ContactRole)
    assert model.cached_rows() < PAGE_SIZE


def test_markers_follow_drafts_and_queued_replies(qapp: object, clinic: Clinic) -> None:
    model = _model(clinic)
    me = services.Actor(clinic.operator_id)
    row = model.row_of(clinic.second)
    assert model.index(row).data(DraftRole) is False
    services.save_draft(clinic.store, me, clinic.second, "토요일 오전 10시 가능합니다.")
    assert model.index(row).data(DraftRole) is False, "cached until told"
    model.on_changed(Changes(drafts=frozenset({clinic.second})))
    assert model.index(row).data(DraftRole) is True
    services.queue_reply(clinic.store, me, clinic.second, "토요일 오전 10시 가능합니다.")
    model.on_changed(
        Changes(
            conversations=frozenset({clinic.second}),
            outbox=True,
            threads=frozenset({clinic.second}),
        )
    )
    row = model.row_of(clinic.second)
    assert model.index(row).data(QueuedRole) == 1
    assert model.index(row).data(DraftRole) is False
    assert model.index(row).data(FailedRole) == 0


def test_department_tag_shows_its_chip_and_leaves_the_untriaged_view(
    qapp: object, clinic: Clinic
) -> None:
    everything = _model(clinic)
    untriaged = _model(clinic, ListFilter(View.UNTRIAGED))
    kept = QPersistentModelIndex(untriaged.index(untriaged.row_of(clinic.first)))
    removed: list[tuple[int, int]] = []
    untriaged.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    changes = services.tag_department(
        clinic.store, services.Actor(clinic.operator_id), clinic.second, "dental"
    )
    everything.on_changed(changes)
    untriaged.on_changed(changes)
    row = everything.index(everything.row_of(clinic.second))
    assert row.data(DepartmentLabelRole) == "Dental"
    assert row.data(DepartmentColourRole) == "#1f8fd1"
    assert removed == [(1, 1)]
    assert _ids(untriaged) == [clinic.html, clinic.first]
    assert kept.isValid() and kept.data(IdRole) == clinic.first


def test_new_and_moved_conversations_keep_the_selection_on_its_conversation(
    qapp: object, clinic: Clinic
) -> None:
    model = _model(clinic)
    selected = QPersistentModelIndex(model.index(model.row_of(clinic.second)))
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    (new,) = bulk_conversations(clinic.store, clinic.insta, 1)
    model.on_changed(Changes(conversations=frozenset({new}), new_conversations=True))
    assert inserted == [(0, 0)]
    assert _ids(model)[0] == new
    assert selected.data(IdRole) == clinic.second
    # The oldest conversation gets a message: it moves to the top, the selection follows.
    from tests.helpers.factory import add_conversation

    add_conversation(
        clinic.store, clinic.kakao, [("in", "추가 문의")], contact="다른 고객", minutes_ago=0
    )
    model.refresh()
    assert selected.data(IdRole) == clinic.second
    assert model.row_of(clinic.second) == selected.row()


def test_search_filters_by_name_or_message(qapp: object, clinic: Clinic) -> None:
    model = _model(clinic)
    model.set_search("스케일링")
    assert _ids(model) == [clinic.second]  # in an earlier message: full-text search finds it
    model.set_search("토요일")
    assert _ids(model) == [clinic.second]
    model.set_search("김민지")
    assert _ids(model) == [clinic.first]
    model.set_search("")
    assert len(_ids(model)) == 3


def test_delegate_paints_name_snippet_and_chip_as_plain_text(qapp: object, clinic: Clinic) -> None:
    model = _model(clinic)
    delegate = ConversationDelegate()
    image = QImage(600, ConversationDelegate.ROW_HEIGHT, QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 600, ConversationDelegate.ROW_HEIGHT)
    option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Selected
    index = model.index(model.row_of(clinic.html))
    delegate.paint(painter, option, index)
    painter.end()
    assert "<b>Kim</b>" in painter.texts
    assert HTML_BODY in painter.texts  # short enough to show unelided
    assert "Untriaged" in painter.texts
    assert delegate.sizeHint(option, QModelIndex()).height() == ConversationDelegate.ROW_HEIGHT
