"""Settings → Routing and Canned responses, and the composer's canned-response picker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from console import services
from console.canned import canned_responses
from console.domain import Role
from console.routing import Rule
from console.routing.stored import routing_threshold, rule_rows
from console.services import Actor
from console.store.queries import draft_for
from tests.helpers.factory import add_operator
from tests.unit.ui.conftest import Clinic, show_window
from ui.cannedsettings import CannedPanel
from ui.context import AppContext
from ui.routingsettings import RULE_MIME, RoutingPanel, RuleDialog
from ui.settingsdialog import CANNED_TAB, ROUTING_TAB, SettingsDialog
from ui.tasks import Tasks

ALT = Qt.KeyboardModifier.AltModifier
SYSTEM = Actor(None)


@pytest.fixture
def manager_ctx(qapp: object, clinic: Clinic) -> Iterator[AppContext]:
    """An inline context acting as a manager (may edit rules and canned responses)."""
    manager = add_operator(clinic.store, "박팀장", Role.MANAGER)
    context = AppContext(clinic.store, manager, Tasks.inline())
    yield context
    context.stop()


@pytest.fixture
def panel(qtbot: QtBot, manager_ctx: AppContext) -> RoutingPanel:
    widget = RoutingPanel(manager_ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _names(ctx: AppContext) -> list[str]:
    return [r.name for r in rule_rows(ctx.store)]


def _seed_rules(ctx: AppContext) -> None:
    services.add_rule(ctx.store, SYSTEM, Rule("치아 미백", "dental", keywords_any=("미백",)))
    services.add_rule(ctx.store, SYSTEM, Rule("전화번호", "general", pattern=r"010-?\d{4}-?\d{4}"))
    services.add_rule(ctx.store, SYSTEM, Rule("환불", "general", keywords_any=("환불",)))


def test_the_list_follows_the_keyboard(qtbot: QtBot, panel: RoutingPanel) -> None:
    _seed_rules(panel.ctx)
    panel.reload()
    ModelTester(None).check(panel.model)
    assert panel.model.index(0).data() == "1. 치아 미백 → Dental"
    panel.list.setFocus()
    panel.select(panel.model.rule_at(2).id)  # type: ignore[union-attr]
    qtbot.keyClick(panel.list, Qt.Key.Key_Up, ALT)
    assert _names(panel.ctx) == ["치아 미백", "환불", "전화번호"]
    assert panel.current_rule().name == "환불"  # type: ignore[union-attr]
    qtbot.keyClick(panel.list, Qt.Key.Key_Up, ALT)
    assert _names(panel.ctx) == ["환불", "치아 미백", "전화번호"]
    qtbot.keyClick(panel.list, Qt.Key.Key_Down, ALT)
    assert _names(panel.ctx) == ["치아 미백", "환불", "전화번호"]

    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    row = {r.name: r for r in rule_rows(panel.ctx.store)}["환불"]
    assert row.rule is not None and row.rule.enabled is False
    assert "(off)" in panel.model.index(1).data()

    asked: list[str] = []
    panel.confirm = lambda _title, text: asked.append(text) or True
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert asked and "환불" in asked[0]
    assert _names(panel.ctx) == ["치아 미백", "전화번호"]


def test_dropping_a_rule_moves_it(panel: RoutingPanel) -> None:
    _seed_rules(panel.ctx)
    panel.reload()
    last = panel.model.rule_at(2)
    assert last is not None
    data = QMimeData()
    data.setData(RULE_MIME, last.id.encode())
    panel.model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert _names(panel.ctx) == ["환불", "치아 미백", "전화번호"]


def test_enter_opens_the_editor_and_saving_changes_the_rule(
    qtbot: QtBot, panel: RoutingPanel
) -> None:
    _seed_rules(panel.ctx)
    panel.reload()
    opened: list[RuleDialog] = []
    panel.open_editor = opened.append
    panel.list.setFocus()
    panel.select(panel.model.rule_at(0).id)  # type: ignore[union-attr]
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    [dialog] = opened
    qtbot.addWidget(dialog)
    assert dialog.name_edit.text() == "치아 미백" and dialog.any_edit.text() == "미백"
    dialog.any_edit.setText("미백, 화이트닝")
    dialog.labels_edit.setText("미백")
    dialog.submit()
    rule = rule_rows(panel.ctx.store)[0].rule
    assert rule is not None and rule.keywords_any == ("미백", "화이트닝")
    assert rule.labels == ("미백",)


def test_the_editor_says_in_words_what_is_wrong(qtbot: QtBot, panel: RoutingPanel) -> None:
    opened: list[RuleDialog] = []
    panel.open_editor = opened.append
    panel.add_rule()
    [dialog] = opened
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("전화번호")
    dialog.submit()
    assert "at least one condition" in dialog.error_text()
    dialog.pattern_edit.setText(r"010-(\d{4}")
    assert "not valid near character 5" in dialog.pattern_note.text()
    dialog.submit()
    assert "not valid near character 5" in dialog.error_text()
    dialog.pattern_edit.setText(r"(a|aa)+$")
    dialog.submit()
    assert "very long" in dialog.error_text()
    assert _names(panel.ctx) == []
    dialog.pattern_edit.setText(r"010-?\d{4}")
    assert dialog.pattern_note.text() == "The regular expression is valid."
    dialog.submit()
    assert _names(panel.ctx) == ["전화번호"]

    # A name already taken is refused by the service and said under the list.
    panel.add_rule()
    second = opened[-1]
    qtbot.addWidget(second)
    second.name_edit.setText("전화번호")
    second.any_edit.setText("연락처")
    second.submit()
    assert "Another rule already has this name" in panel.result_text()
    assert _names(panel.ctx) == ["전화번호"]


def test_try_a_message_explains_the_rule_and_the_classifier(panel: RoutingPanel) -> None:
    _seed_rules(panel.ctx)
    panel.reload()
    panel.try_edit.setPlainText("연락처 010-1234-5678 로 전화 주세요")
    panel.try_button.click()
    result = panel.try_result.text()
    assert "Rule 2 “전화번호” fires → Front desk." in result
    assert "“010-1234-5678”" in result and "(characters 5–17)" in result
    assert "연락처 ⟦010-1234-5678⟧ 로 전화 주세요" in result

    panel.try_edit.setPlainText("치아 미백 가격이 궁금해요")
    panel.try_button.click()
    assert "Word found: “미백”" in panel.try_result.text()

    panel.try_edit.setPlainText("쌍꺼풀 수술 재수술 상담 받고 싶어요")
    panel.try_button.click()
    result = panel.try_result.text()
    assert "No rule matches. The classifier proposes Plastic surgery" in result
    assert "At the threshold of 85% it would be applied automatically." in result


def test_try_a_message_says_who_would_be_assigned(panel: RoutingPanel) -> None:
    from console.domain import AssignMode

    store = panel.ctx.store
    named = add_operator(store, "치과 실장", Role.COORDINATOR, ("dental",))
    other = add_operator(store, "치과 상담", Role.COORDINATOR, ("dental",))
    services.add_rule(
        store, SYSTEM, Rule("미백 상담", "dental", keywords_any=("미백",), assignee_id=named)
    )
    panel.reload()
    panel.try_edit.setPlainText("치아 미백 가격이 궁금해요")
    panel.try_button.click()
    assert "Assigned to 치과 실장, as the rule says." in panel.try_result.text()

    services.set_on_duty(store, SYSTEM, named, False)
    panel.try_button.click()
    result = panel.try_result.text()
    assert "The rule names 치과 실장, who is off duty now: Dental's own assignment decides." in (
        result
    )
    assert "Dental does not assign automatically: it waits unassigned in the queue." in result

    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    panel.try_button.click()
    assert "Assigned to 치과 상담 (in turn among the staff on duty)." in panel.try_result.text()
    services.set_on_duty(store, SYSTEM, other, False)
    panel.try_button.click()
    assert "Nobody is on duty for Dental" in panel.try_result.text()


def test_the_threshold_is_stored_and_honoured_by_try(qtbot: QtBot, panel: RoutingPanel) -> None:
    assert panel.threshold_spin.value() == 85
    panel.threshold_slider.setValue(100)
    assert panel.threshold_spin.value() == 100
    qtbot.waitUntil(lambda: routing_threshold(panel.ctx.store) == 1.0, timeout=2000)
    panel.try_edit.setPlainText("쌍꺼풀 수술 재수술 상담 받고 싶어요")
    panel.try_button.click()
    assert "Below the threshold of 100%: it would only be suggested" in panel.try_result.text()


def test_front_desk_sees_the_rules_but_cannot_change_them(qtbot: QtBot, ctx: AppContext) -> None:
    _seed_rules(ctx)
    widget = RoutingPanel(ctx)  # the clinic fixture's operator works the front desk
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 3
    widget.list.setFocus()
    widget.select(widget.model.rule_at(0).id)  # type: ignore[union-attr]
    assert not widget.add_button.isEnabled() and not widget.delete_button.isEnabled()
    assert not widget.threshold_spin.isEnabled()
    qtbot.keyClick(widget.list, Qt.Key.Key_Down, ALT)
    qtbot.keyClick(widget.list, Qt.Key.Key_Space)
    assert _names(ctx) == ["치아 미백", "전화번호", "환불"]
    assert all(r.rule is not None and r.rule.enabled for r in rule_rows(ctx.store))
    assert "not change them" in widget.hint_label.text()


def test_settings_dialog_has_routing_and_canned_tabs(qtbot: QtBot, manager_ctx: AppContext) -> None:
    from console.settings import Settings

    dialog = SettingsDialog(Settings(), manager_ctx.operators(), ctx=manager_ctx)
    qtbot.addWidget(dialog)
    dialog.show_tab(ROUTING_TAB)
    assert dialog.tabs.currentWidget() is dialog.routing_panel
    dialog.show_tab(CANNED_TAB)
    assert dialog.tabs.currentWidget() is dialog.canned_panel


# -- canned responses ------------------------------------------------------------------------


def test_canned_tab_edits_with_a_preview(qtbot: QtBot, manager_ctx: AppContext) -> None:
    panel = CannedPanel(manager_ctx)
    qtbot.addWidget(panel)
    ModelTester(None).check(panel.model)
    assert panel.department() == "plastic" and panel.model.rowCount() >= 2
    panel.branch_edit.setText("강남점")
    panel.save_branch()
    panel.body_edit.setPlainText("{고객명}님, {지점} {담당자}입니다. {예약일}에 뵙겠습니다.")
    preview = panel.preview_text()
    assert "김민지님, 강남점 박팀장입니다. {예약일}에 뵙겠습니다." in preview
    assert "Unknown placeholders, left as written: {예약일}" in preview
    panel.title_edit.setText("예약 확인")
    panel.save()
    first = canned_responses(manager_ctx.store, "plastic")[0]
    assert first.title == "예약 확인" and "{예약일}" in first.body

    panel.new_response()
    panel.title_edit.setText("재수술 상담")
    panel.shortcut_edit.setText("재수술")
    panel.body_edit.setPlainText("{고객명}님, 재수술 상담은 원장님이 직접 진행합니다.")
    panel.save()
    rows = canned_responses(manager_ctx.store, "plastic")
    assert rows[-1].title == "재수술 상담" and panel.model.rowCount() == len(rows)
    assert panel.title_edit.text() == "재수술 상담"

    panel.title_edit.setText("")
    panel.save()
    assert "Give the response a title" in panel.result_text()


def test_front_desk_cannot_edit_canned_responses(qtbot: QtBot, ctx: AppContext) -> None:
    panel = CannedPanel(ctx)
    qtbot.addWidget(panel)
    assert not panel.save_button.isEnabled() and not panel.body_edit.isEnabled()
    before = canned_responses(ctx.store, "plastic")
    panel.save()
    assert canned_responses(ctx.store, "plastic") == before


def _canned_panel(qtbot: QtBot, ctx: AppContext) -> tuple[CannedPanel, list[str]]:
    """A panel whose "save the changes?" question answers from a list (and records titles)."""
    panel = CannedPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    asked: list[str] = []
    answers: list[str] = []

    def ask(title: str) -> str:
        asked.append(title)
        return answers.pop(0)

    panel.ask_unsaved = ask
    panel.answers = answers  # type: ignore[attr-defined]
    return panel, asked


def test_choosing_another_response_with_unsaved_edits_asks_first(
    qtbot: QtBot, manager_ctx: AppContext
) -> None:
    from ui.cannedsettings import CANCEL, DISCARD, SAVE

    panel, asked = _canned_panel(qtbot, manager_ctx)
    answers: list[str] = panel.answers  # type: ignore[attr-defined]
    first, second = canned_responses(manager_ctx.store, "plastic")[:2]
    assert panel.title_edit.text() == first.title
    panel.list.setFocus()

    # Cancel: the edits stay, on the response they belong to.
    panel.body_edit.setPlainText("수술 전 상담은 원장님이 직접 진행합니다.")
    answers.append(CANCEL)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    assert asked == [first.title]
    assert panel.list.currentIndex().row() == 0 and panel.title_edit.text() == first.title
    assert panel.body_edit.toPlainText() == "수술 전 상담은 원장님이 직접 진행합니다."

    # Discard: the other response shows and nothing was stored.
    answers.append(DISCARD)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    assert panel.list.currentIndex().row() == 1 and panel.title_edit.text() == second.title
    assert canned_responses(manager_ctx.store, "plastic")[0].body == first.body

    # Without edits, moving asks nothing.
    qtbot.keyClick(panel.list, Qt.Key.Key_Up)
    assert len(asked) == 2 and panel.title_edit.text() == first.title

    # Save: the edits are stored, then the chosen response shows.
    panel.body_edit.setPlainText("{고객명}님, 상담 예약이 확정되었습니다.")
    answers.append(SAVE)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    assert canned_responses(manager_ctx.store, "plastic")[0].body == (
        "{고객명}님, 상담 예약이 확정되었습니다."
    )
    assert panel.list.currentIndex().row() == 1 and panel.title_edit.text() == second.title
    assert not panel.has_unsaved_edits()

    # Another department, and "New", ask too; a refused save stays with the edits.
    panel.title_edit.setText("")
    answers.append(SAVE)
    panel.department_combo.setCurrentIndex(1)
    assert panel.department() == "plastic" and panel.title_edit.text() == ""
    assert "Give the response a title" in panel.result_text()
    answers.append(DISCARD)
    panel.new_response()
    assert panel.title_edit.text() == "" and panel.body_edit.toPlainText() == ""
    panel.body_edit.setPlainText("새 상용구")
    answers.append(CANCEL)
    panel.department_combo.setCurrentIndex(1)
    assert panel.department() == "plastic" and panel.body_edit.toPlainText() == "새 상용구"
    assert asked == [first.title] * 3 + [""] * 3


def test_the_question_is_a_real_dialog_with_save_discard_cancel(
    qtbot: QtBot, manager_ctx: AppContext
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    panel = CannedPanel(manager_ctx)
    qtbot.addWidget(panel)
    panel.show()
    first = canned_responses(manager_ctx.store, "plastic")[0]
    panel.body_edit.setPlainText("바뀐 안내문")
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend(b.text() for b in box.buttons())
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, answer)
    panel.list.setCurrentIndex(panel.model.index(1))
    assert {"Save", "Discard", "Cancel"} <= set(seen)
    assert f"“{first.title}” has changes that are not saved." in seen
    assert panel.title_edit.text() == first.title and panel.body_edit.toPlainText() == "바뀐 안내문"


def test_closing_settings_with_unsaved_canned_edits_asks_first(
    qtbot: QtBot, manager_ctx: AppContext
) -> None:
    from console.settings import Settings
    from ui.cannedsettings import CANCEL, SAVE

    dialog = SettingsDialog(Settings(), manager_ctx.operators(), ctx=manager_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    panel = dialog.canned_panel
    assert panel is not None
    answers = [CANCEL, SAVE]
    panel.ask_unsaved = lambda _title: answers.pop(0)
    panel.body_edit.setPlainText("닫기 전에 저장할 안내문")
    dialog.reject()
    assert dialog.isVisible() and dialog.tabs.currentWidget() is panel
    dialog.reject()
    assert not dialog.isVisible()
    assert canned_responses(manager_ctx.store, "plastic")[0].body == "닫기 전에 저장할 안내문"


def _commit(widget: object, text: str) -> None:
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)  # type: ignore[arg-type]


def test_the_picker_filters_and_inserts_filled_text(
    qtbot: QtBot, pool_ctx: AppContext, clinic: Clinic
) -> None:
    services.tag_department(clinic.store, SYSTEM, clinic.second, "dental")
    services.set_branch_name(clinic.store, SYSTEM, "강남점")
    window = show_window(qtbot, pool_ctx)
    pane = window.thread_pane
    pane.open(clinic.second)
    pane.composer.setFocus()
    _commit(pane.composer, "안녕하세요. ")
    qtbot.keyClick(
        pane.composer,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    picker = pane.canned_picker
    assert picker is not None and picker.isVisible()
    departments = [picker.model.row_at(n).department for n in range(picker.model.rowCount())]  # type: ignore[union-attr]
    assert departments[0] == "dental" and set(departments) == {"dental", "general"}

    # A syllable still being composed does not filter; the committed text does.
    QApplication.sendEvent(picker.filter_edit, QInputMethodEvent("스", []))
    assert picker.model.rowCount() == len(departments)
    _commit(picker.filter_edit, "스케일")
    assert [picker.model.row_at(n).title for n in range(picker.model.rowCount())] == [  # type: ignore[union-attr]
        "스케일링 안내"
    ]
    picker.filter_edit.setText("")
    _commit(picker.filter_edit, "/인사")
    assert picker.current().title == "첫 인사"  # type: ignore[union-attr]
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Up)
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    assert not picker.isVisible()
    text = pane.composer.toPlainText()
    assert text.startswith("안녕하세요. 안녕하세요, 이준호님. 소통의원 강남점 김지현입니다.")
    assert "{" not in text
    qtbot.waitUntil(
        lambda: (
            (d := draft_for(clinic.store, clinic.second, clinic.operator_id)) is not None
            and d.body == text
        ),
        timeout=3000,
    )

    pane.open_canned_picker()
    assert picker.isVisible()
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Escape)
    assert not picker.isVisible() and pane.composer.toPlainText() == text


def test_the_editor_warns_about_an_assignee_the_rule_would_pass_by(
    qtbot: QtBot, panel: RoutingPanel
) -> None:
    ctx = panel.ctx
    derm = add_operator(ctx.store, "피부과 실장", Role.COORDINATOR, ("derm",))
    add_operator(ctx.store, "치과 실장", Role.COORDINATOR, ("dental",))
    ctx.changed.emit(services.Changes(staff=True))  # the context reads the staff again
    opened: list[RuleDialog] = []
    panel.open_editor = opened.append
    panel.add_rule()
    [dialog] = opened
    qtbot.addWidget(dialog)
    assert dialog.assignee_warning_text() == ""
    dialog.name_edit.setText("여드름")
    dialog.any_edit.setText("여드름")
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData("derm"))
    dialog.assignee_combo.setCurrentIndex(dialog.assignee_combo.findText("치과 실장"))
    assert dialog.assignee_warning_text() == (
        "This assignee is not in Dermatology, so the rule does not assign to them; "
        "Dermatology's own assignment decides."
    )
    assert dialog.assignee_note.property("state") == "warning"

    dialog.assignee_combo.setCurrentIndex(dialog.assignee_combo.findText("피부과 실장"))
    assert dialog.assignee_warning_text() == ""
    # Going off duty (as any change of staff arrives) turns it into the softer note.
    ctx.command(services.set_on_duty, derm, False)
    assert dialog.assignee_warning_text() == (
        "This assignee is off duty now. While they are off duty, Dermatology's own "
        "assignment decides."
    )
    assert dialog.assignee_note.property("state") == "note"
    # Another department's person: the warning follows the department chosen.
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData("dental"))
    assert "not in Dental" in dialog.assignee_warning_text()
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData("derm"))

    # Saving is still allowed, and "try a message" says the same thing.
    dialog.submit()
    [row] = rule_rows(ctx.store)
    assert row.rule is not None and row.rule.assignee_id == derm
    panel.try_edit.setPlainText("여드름 흉터 상담 받고 싶어요")
    panel.try_button.click()
    assert "The rule names 피부과 실장, who is off duty now: Dermatology's own assignment" in (
        panel.try_result.text()
    )


def test_try_and_the_editor_agree_on_someone_outside_the_department(
    qtbot: QtBot, panel: RoutingPanel
) -> None:
    store = panel.ctx.store
    dental = add_operator(store, "치과 실장", Role.COORDINATOR, ("dental",))
    panel.ctx.changed.emit(services.Changes(staff=True))
    services.add_rule(
        store, SYSTEM, Rule("여드름", "derm", keywords_any=("여드름",), assignee_id=dental)
    )
    panel.reload()
    panel.try_edit.setPlainText("여드름 흉터 상담 받고 싶어요")
    panel.try_button.click()
    assert "The rule names 치과 실장, who is not in Dermatology: it does not assign to them." in (
        panel.try_result.text()
    )
    dialog = RuleDialog(panel.ctx, rule_rows(store)[0].rule, panel)
    qtbot.addWidget(dialog)
    assert "not in Dermatology" in dialog.assignee_warning_text()

    # A rule naming someone who is not on the staff (e.g. synced from elsewhere) keeps the
    # name visible in the editor instead of silently showing "Nobody".
    gone = Rule(
        "탈퇴", "derm", keywords_any=("x",), assignee_id="0190d0a0-0000-7000-8000-000000000000"
    )
    dialog = RuleDialog(panel.ctx, gone, panel)
    qtbot.addWidget(dialog)
    assert dialog.assignee_combo.currentText() == "(no longer a member of staff)"
    assert dialog.assignee_warning_text() == (
        "This assignee is no longer a member of staff, so the rule does not assign to them."
    )
