"""Settings → Clinic server: how this PC reaches the clinic's PostgreSQL server.

The tab edits the ``[server]`` settings (:class:`console.settings.ServerSettings`: on/off,
address, port, database, user, TLS mode and CA file) and the password. The password goes from
its field straight into the job that hands it to the keyring (``console.sync.config``): the
field is cleared at once, nothing logs it, no attribute keeps it, and it is never written to
the settings file or the database.

"Test connection" tries the form's values (with the typed password, or the saved one) on the
network worker and says the server's version or, in words, why it failed. "Save" stores the
password (when one was typed) and the settings, then emits ``saved``; the app switches server
mode on or off at once (:meth:`ui.context.AppContext.configure_server`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from shiboken6 import isValid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.errors import NoSecretStore, ServerCheckFailed, StorageError
from console.settings import ServerSettings
from ui import texts
from ui.context import AppContext
from ui.threadpane import plain_label


class ServerPanel(QWidget):
    """The Clinic server tab.

    Args:
        ctx: The application context (its workers run the keyring and network work).
        server: The saved ``[server]`` settings.
        data_dir: The folder whose settings file "Save" writes.
        parent: Qt parent.

    Signals:
        checked(str): a connection test finished; carries the sentence shown.
        saved(object): the settings were saved; carries the :class:`ServerSettings`.
    """

    checked = Signal(str)
    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        server: ServerSettings,
        data_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serverPanel")
        self.ctx = ctx
        self.data_dir = data_dir
        #: The settings as last saved (what the dialog's OK keeps).
        self.server = server
        self._busy = False
        self._has_password = False

        self.enabled_box = QCheckBox(self.tr("Use the clinic server"), self)
        self.enabled_box.setObjectName("serverEnabled")
        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("serverHost")
        self.host_edit.setPlaceholderText(self.tr("e.g. 192.168.0.10 or sotong-server"))
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("serverPort")
        self.port_spin.setRange(1, 65535)
        self.database_edit = QLineEdit(self)
        self.database_edit.setObjectName("serverDatabase")
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("serverUser")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("serverPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.tls_combo = QComboBox(self)
        self.tls_combo.setObjectName("serverTls")
        self.tls_combo.addItem(self.tr("Off (trusted clinic network only)"), "disable")
        self.tls_combo.addItem(self.tr("Encrypted"), "require")
        self.tls_combo.addItem(self.tr("Encrypted, certificate checked"), "verify-full")
        self.ca_edit = QLineEdit(self)
        self.ca_edit.setObjectName("serverCaFile")
        self.ca_edit.setPlaceholderText(self.tr("The clinic's CA certificate (.pem, .crt)"))
        self.ca_button = QToolButton(self)
        self.ca_button.setObjectName("serverCaBrowse")
        self.ca_button.setText(self.tr("Browse…"))
        self.ca_button.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.setSpacing(4)
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_button)

        form = QFormLayout()
        form.addRow(self.enabled_box)
        form.addRow(self.tr("Server address"), self.host_edit)
        form.addRow(self.tr("Port"), self.port_spin)
        form.addRow(self.tr("Database"), self.database_edit)
        form.addRow(self.tr("User name"), self.user_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow(self.tr("Secure connection (TLS)"), self.tls_combo)
        form.addRow(self.tr("CA file"), ca_row)

        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("serverTestButton")
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("serverSaveButton")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        self.result_label = plain_label(parent=self, name="checkResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.hint_label = plain_label(
            self.tr(
                "Every PC of the clinic shares conversations, drafts and replies through the "
                "clinic server. Without it this PC works alone. The password is kept only in "
                "this PC's secure password store."
            ),
            self,
            "settingsHint",
        )
        self.hint_label.setWordWrap(True)

        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.result_label)
        box.addStretch(1)
        box.addWidget(self.hint_label)

        self.enabled_box.toggled.connect(self._update_fields)
        self.tls_combo.currentIndexChanged.connect(self._update_fields)
        self.show_settings(server)
        self._look_for_password()

    # -- the form ----------------------------------------------------------------------------

    def show_settings(self, server: ServerSettings) -> None:
        """Fill the form from settings."""
        self.enabled_box.setChecked(server.enabled)
        self.host_edit.setText(server.host)
        self.port_spin.setValue(server.port)
        self.database_edit.setText(server.database)
        self.user_edit.setText(server.user)
        self.tls_combo.setCurrentIndex(max(0, self.tls_combo.findData(server.tls)))
        self.ca_edit.setText(server.ca_file)
        self._update_fields()

    def chosen(self) -> ServerSettings:
        """The settings as the form shows them (not saved yet)."""
        return dataclasses.replace(
            self.server,
            enabled=self.enabled_box.isChecked(),
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(),
            tls=str(self.tls_combo.currentData()),
            ca_file=self.ca_edit.text().strip(),
        )

    def _update_fields(self, *_args: object) -> None:
        on = self.enabled_box.isChecked()
        for widget in (
            self.host_edit,
            self.port_spin,
            self.database_edit,
            self.user_edit,
            self.password_edit,
            self.tls_combo,
        ):
            widget.setEnabled(on)
        verify = on and self.tls_combo.currentData() == "verify-full"
        self.ca_edit.setEnabled(verify)
        self.ca_button.setEnabled(verify)
        self.test_button.setEnabled(on and not self._busy)
        self.save_button.setEnabled(not self._busy)

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("The clinic's CA certificate"),
            self.ca_edit.text(),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_edit.setText(path)

    def _look_for_password(self) -> None:
        """Say in the password field whether one is saved (the keyring is read on a worker)."""

        def work() -> bool:
            from console.sync.config import read_password

            return read_password() is not None

        def done(saved: bool) -> None:
            if isValid(self):
                self._has_password = saved
                self.password_edit.setPlaceholderText(
                    self.tr("Saved on this PC; type to replace")
                    if saved
                    else self.tr("Kept only in this PC's password store")
                )

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.password_edit.setPlaceholderText(texts.error_text(exc))

        self.ctx.tasks.network(work, done, failed)

    def _problem(self, server: ServerSettings) -> str | None:
        if not server.enabled:
            return None
        for name in ("host", "database", "user"):
            if not getattr(server, name):
                return texts.server_field_missing_text(name)
        return None

    # -- actions -----------------------------------------------------------------------------

    def test_connection(self) -> None:
        """Try the form's settings on the network worker (typed password, else the saved one)."""
        if self._busy:
            return
        server = dataclasses.replace(self.chosen(), enabled=True)
        problem = self._problem(server)
        if problem is not None:
            self._show_result(problem, "error")
            return
        typed = self.password_edit.text() or None
        self._set_busy(True)
        self._show_result(self.tr("Connecting to the clinic server…"), "busy")

        def work() -> str:
            from console.sync.config import check_server, read_password

            password, missing = typed, None
            if password is None:
                try:
                    password = read_password()
                except NoSecretStore:
                    missing = "no_keyring"
                else:
                    missing = "no_password" if password is None else None
            try:
                return check_server(server, password).version
            except ServerCheckFailed as exc:
                if missing is not None and exc.params.get("reason") == "login_failed":
                    raise ServerCheckFailed(reason=missing) from None
                raise

        def done(version: str) -> None:
            self._finish(texts.server_version_text(version), "ok")

        def failed(exc: BaseException) -> None:
            self._finish(texts.error_text(exc), "error")

        self.ctx.tasks.network(work, done, failed)

    def save(self) -> None:
        """Keep the typed password in the keyring and the settings in the file, then emit
        ``saved``. With no keyring the password cannot be kept, and nothing is saved."""
        if self._busy:
            return
        server = self.chosen()
        problem = self._problem(server)
        if problem is not None:
            self._show_result(problem, "error")
            return
        typed = self.password_edit.text() or None
        self.password_edit.clear()
        data_dir = self.data_dir
        self._set_busy(True)

        def work() -> bool:
            from console.settings import save_server_settings
            from console.sync.config import store_password

            if typed is not None:
                store_password(typed)
            save_server_settings(data_dir, server)
            return typed is not None

        def done(stored: bool) -> None:
            if not isValid(self):
                return
            self.server = server
            self._has_password = self._has_password or stored
            if stored:
                self.password_edit.setPlaceholderText(self.tr("Saved on this PC; type to replace"))
            sentence = (
                self.tr("Saved. This PC now works with the clinic server.")
                if server.enabled
                else self.tr("Saved. This PC works alone, without the clinic server.")
            )
            self._finish(sentence, "ok")
            self.saved.emit(server)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, NoSecretStore):
                self._finish(texts.server_check_text("no_keyring"), "error")
            elif isinstance(exc, OSError):
                self._finish(texts.error_text(StorageError(reason=type(exc).__name__)), "error")
            else:
                self._finish(texts.error_text(exc), "error")

        self.ctx.tasks.network(work, done, failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_fields()

    def _finish(self, sentence: str, state: str) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self._show_result(sentence, state)
        self.checked.emit(sentence)

    def _show_result(self, text: str, state: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        self.result_label.show()

    def result_text(self) -> str:
        """The sentence under the buttons (empty when none is shown)."""
        return self.result_label.text() if not self.result_label.isHidden() else ""
