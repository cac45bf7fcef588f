"""Settings: the UI language, who uses this PC, how often channels are checked, the
channel accounts, the clinic server, the routing rules and the canned responses.

The "General" tab edits a copy of :class:`console.settings.Settings`; the app saves it and
applies each change at once (language, member of staff, poll interval) when OK is pressed.
The "Channels" tab (:class:`ui.accounts.AccountsPanel`) changes accounts as soon as asked; so
do the "Routing" (:class:`ui.routingsettings.RoutingPanel`) and "Canned responses"
(:class:`ui.cannedsettings.CannedPanel`) tabs, which keep clinic-wide data in the database;
closing the dialog with a canned response's edits not saved asks first, as choosing another
response does.
The "Staff" tab (:class:`ui.staff.StaffPanel`) changes staff, duty and auto-assignment at once.
The "Clinic server" tab (:class:`ui.serversettings.ServerPanel`) has its own Save, which
takes effect at once; the dialog's OK keeps what it saved. The "SLA" tab
(:class:`ui.slasettings.SlaPanel`) saves targets, hours and closed days as asked.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.settings import Settings
from console.store.queries import OperatorRow
from ui.accounts import AccountsPanel
from ui.cannedsettings import CannedPanel
from ui.context import AppContext
from ui.routingsettings import RoutingPanel
from ui.serversettings import ServerPanel
from ui.slasettings import SlaPanel
from ui.staff import StaffPanel

#: Language choices: the setting's value and the name shown (languages name themselves).
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
MIN_POLL_S, MAX_POLL_S = 2, 600
#: Names of the tabs, for :meth:`SettingsDialog.show_tab`.
GENERAL_TAB, CHANNELS_TAB, SERVER_TAB = "general", "channels", "server"
ROUTING_TAB, CANNED_TAB = "routing", "canned"
STAFF_TAB = "staff"
SLA_TAB = "sla"


class SettingsDialog(QDialog):
    """Edit the user settings.

    Args:
        settings: The current settings (not modified).
        staff: The members of staff to choose from.
        parent: The owning window.
        ctx: The application context; with it the dialog has a "Channels" tab.
        data_dir: The settings folder; with it (and ``ctx``) the dialog has a "Clinic server"
            tab.
    """

    def __init__(
        self,
        settings: Settings,
        staff: list[OperatorRow],
        parent: QWidget | None = None,
        ctx: AppContext | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        general = QWidget(self.tabs)
        general.setObjectName("generalTab")

        self.language_combo = QComboBox(general)
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(self.tr("Follow the system"), "auto")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.language)))

        self.operator_combo = QComboBox(general)
        self.operator_combo.setObjectName("operatorCombo")
        for op in staff:
            self.operator_combo.addItem(op.name, op.id)
        self.operator_combo.setCurrentIndex(
            max(0, self.operator_combo.findData(settings.operator_id))
        )
        self.operator_combo.setEnabled(bool(staff))

        self.poll_spin = QSpinBox(general)
        self.poll_spin.setObjectName("pollSpin")
        self.poll_spin.setRange(MIN_POLL_S, MAX_POLL_S)
        self.poll_spin.setSuffix(self.tr(" s"))
        self.poll_spin.setValue(
            int(min(MAX_POLL_S, max(MIN_POLL_S, round(settings.poll_interval_s))))
        )

        form = QFormLayout(general)
        form.setContentsMargins(12, 14, 12, 12)
        form.addRow(self.tr("Language"), self.language_combo)
        form.addRow(self.tr("Who uses this PC"), self.operator_combo)
        form.addRow(self.tr("Check channels every"), self.poll_spin)
        self.tabs.addTab(general, self.tr("General"))
        self.accounts_panel: AccountsPanel | None = None
        self.routing_panel: RoutingPanel | None = None
        self.canned_panel: CannedPanel | None = None
        self.staff_panel: StaffPanel | None = None
        if ctx is not None:
            self.accounts_panel = AccountsPanel(ctx, self.tabs)
            self.tabs.addTab(self.accounts_panel, self.tr("Channels"))
            self.routing_panel = RoutingPanel(ctx, self.tabs)
            self.tabs.addTab(self.routing_panel, self.tr("Routing"))
            self.canned_panel = CannedPanel(ctx, self.tabs)
            self.tabs.addTab(self.canned_panel, self.tr("Canned responses"))
            self.staff_panel = StaffPanel(ctx, self.tabs)
            self.tabs.addTab(self.staff_panel, self.tr("Staff"))
            self.resize(820, 640)
        self.server_panel: ServerPanel | None = None
        if ctx is not None and data_dir is not None:
            self.server_panel = ServerPanel(ctx, settings.server, data_dir, self.tabs)
            self.tabs.addTab(self.server_panel, self.tr("Clinic server"))
        self.sla_panel: SlaPanel | None = None
        if ctx is not None:
            self.sla_panel = SlaPanel(ctx, self.tabs)
            self.tabs.addTab(self.sla_panel, self.tr("SLA"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.tabs, 1)
        box.addWidget(buttons)

    def done(self, result: int) -> None:
        """Close (OK, Cancel, Esc) once a canned response's unsaved edits are saved or
        discarded; cancelling that question keeps the dialog open on them."""
        panel = self.canned_panel
        if panel is None or not panel.has_unsaved_edits():
            super().done(result)
            return
        self.tabs.setCurrentWidget(panel)
        panel.settle(lambda: QDialog.done(self, result))

    def show_tab(self, name: str) -> None:
        """Bring a tab to the front: :data:`GENERAL_TAB`, :data:`CHANNELS_TAB`,
        :data:`SERVER_TAB`, :data:`ROUTING_TAB`, :data:`CANNED_TAB`, :data:`STAFF_TAB` or
        :data:`SLA_TAB`."""
        panels = {
            CHANNELS_TAB: self.accounts_panel,
            SERVER_TAB: self.server_panel,
            ROUTING_TAB: self.routing_panel,
            CANNED_TAB: self.canned_panel,
            STAFF_TAB: self.staff_panel,
            SLA_TAB: self.sla_panel,
        }
        panel = panels.get(name)
        if panel is not None:
            self.tabs.setCurrentWidget(panel)
        else:
            self.tabs.setCurrentIndex(0)

    def chosen(self) -> Settings:
        """The settings as the dialog shows them (the clinic server as last saved)."""
        operator = self.operator_combo.currentData()
        return dataclasses.replace(
            self._settings,
            server=self.server_panel.server if self.server_panel else self._settings.server,
            language=str(self.language_combo.currentData()),
            operator_id=str(operator) if operator else self._settings.operator_id,
            poll_interval_s=float(self.poll_spin.value()),
        )
