"""Settings: the UI language, who uses this PC, and how often channels are checked.

The dialog edits a copy of :class:`console.settings.Settings`; the app saves it and applies
each change at once (language, member of staff, poll interval).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.settings import Settings
from console.store.queries import OperatorRow

#: Language choices: the setting's value and the name shown (languages name themselves).
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
MIN_POLL_S, MAX_POLL_S = 2, 600


class SettingsDialog(QDialog):
    """Edit the user settings.

    Args:
        settings: The current settings (not modified).
        staff: The members of staff to choose from.
        parent: The owning window.
    """

    def __init__(
        self, settings: Settings, staff: list[OperatorRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings

        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(self.tr("Follow the system"), "auto")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.language)))

        self.operator_combo = QComboBox(self)
        self.operator_combo.setObjectName("operatorCombo")
        for op in staff:
            self.operator_combo.addItem(op.name, op.id)
        self.operator_combo.setCurrentIndex(
            max(0, self.operator_combo.findData(settings.operator_id))
        )
        self.operator_combo.setEnabled(bool(staff))

        self.poll_spin = QSpinBox(self)
        self.poll_spin.setObjectName("pollSpin")
        self.poll_spin.setRange(MIN_POLL_S, MAX_POLL_S)
        self.poll_spin.setSuffix(self.tr(" s"))
        self.poll_spin.setValue(
            int(min(MAX_POLL_S, max(MIN_POLL_S, round(settings.poll_interval_s))))
        )

        form = QFormLayout()
        form.addRow(self.tr("Language"), self.language_combo)
        form.addRow(self.tr("Who uses this PC"), self.operator_combo)
        form.addRow(self.tr("Check channels every"), self.poll_spin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)

    def chosen(self) -> Settings:
        """The settings as the dialog shows them."""
        operator = self.operator_combo.currentData()
        return dataclasses.replace(
            self._settings,
            language=str(self.language_combo.currentData()),
            operator_id=str(operator) if operator else self._settings.operator_id,
            poll_interval_s=float(self.poll_spin.value()),
        )
