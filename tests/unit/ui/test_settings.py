"""Settings: choosing the language, the member of staff and the poll interval, applied at once."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

from console.settings import Settings
from console.store.queries import ListFilter, View, conversation_ids
from tests.unit.ui.conftest import Clinic
from ui import texts
from ui.app import apply_settings, remove_translators
from ui.mainwindow import MainWindow
from ui.settingsdialog import SettingsDialog


def test_the_dialog_shows_and_returns_the_choices(
    qtbot: QtBot, window: MainWindow, clinic: Clinic
) -> None:
    current = Settings(language="auto", operator_id=clinic.operator_id, poll_interval_s=5)
    dialog = SettingsDialog(current, window.ctx.operators(), window)
    qtbot.addWidget(dialog)
    assert dialog.language_combo.currentData() == "auto"
    assert dialog.operator_combo.currentText() == "김지현"
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("ko"))
    dialog.operator_combo.setCurrentIndex(dialog.operator_combo.findText("박서연"))
    dialog.poll_spin.setValue(30)
    chosen = dialog.chosen()
    assert (chosen.language, chosen.operator_id, chosen.poll_interval_s) == (
        "ko",
        clinic.colleague_id,
        30.0,
    )


def test_choosing_korean_translates_the_open_window(qapp: QApplication, window: MainWindow) -> None:
    translators: list[QTranslator] = []
    try:
        assert "Untriaged" in _nav_texts(window)
        apply_settings(qapp, window, Settings(language="en"), Settings(language="ko"), translators)
        qapp.processEvents()  # delivers the LanguageChange event
        assert "미분류" in _nav_texts(window)
        assert window.settings_button.text() == "설정"
    finally:
        remove_translators(qapp, translators)
        texts.set_language("en")


def test_switching_the_member_of_staff_changes_mine_and_the_name(
    qapp: QApplication, window: MainWindow, clinic: Clinic
) -> None:
    window.ctx.assign(clinic.first, clinic.colleague_id)
    old = Settings(operator_id=clinic.operator_id)
    apply_settings(qapp, window, old, Settings(operator_id=clinic.colleague_id), [])
    assert window.ctx.operator_id == clinic.colleague_id
    assert "박서연" in window.operator_label.text()
    assert window.list_model.list_filter.operator_id == clinic.colleague_id
    mine = conversation_ids(clinic.store, ListFilter(View.MINE, operator_id=clinic.colleague_id))
    assert [cid for cid, _ in mine] == [clinic.first]


def _nav_texts(window: MainWindow) -> list[str]:
    model = window.nav_model
    return [str(model.index(row).data()) for row in range(model.rowCount())]


def test_a_new_store_gets_its_first_member_of_staff(store: object) -> None:
    import getpass

    from console.store.queries import operators
    from ui.app import choose_operator

    chosen = choose_operator(store, "", None)  # type: ignore[arg-type]
    staff = operators(store)  # type: ignore[arg-type]
    assert [(o.id, o.name, o.role) for o in staff] == [(chosen, getpass.getuser(), "admin")]
    assert choose_operator(store, "", None) == chosen  # type: ignore[arg-type]  # once only
