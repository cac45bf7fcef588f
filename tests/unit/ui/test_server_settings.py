"""Settings → Clinic server: saving (the password only in the keyring), testing the connection
against a real PostgreSQL, and what the status bar says about the server."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from pytestqt.qtbot import QtBot

from console.settings import ServerSettings, Settings, load_settings
from console.sync.config import SECRET_KEY, pending_changes
from tests.conftest import MemoryKeyring
from tests.helpers.pg import PgServer, free_port, pg_server_fixture  # noqa: F401
from tests.unit.ui.conftest import Clinic, show_window
from ui import texts
from ui.context import AppContext
from ui.mainwindow import MainWindow
from ui.serversync import ServerMode, ServerState
from ui.settingsdialog import SERVER_TAB, SettingsDialog

PASSWORD = "Pw-소통-7f3a9c21e0"


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext, data_dir: Path) -> Iterator[SettingsDialog]:
    """The settings dialog with its Clinic server tab, over the inline context."""
    d = SettingsDialog(Settings(), ctx.operators(), None, ctx=ctx, data_dir=data_dir)
    qtbot.addWidget(d)
    d.show_tab(SERVER_TAB)
    yield d
    ctx.server_link.close()


def _fill(dialog: SettingsDialog, server: ServerSettings, password: str | None) -> None:
    panel = dialog.server_panel
    assert panel is not None
    panel.enabled_box.setChecked(server.enabled)
    panel.host_edit.setText(server.host)
    panel.port_spin.setValue(server.port)
    panel.database_edit.setText(server.database)
    panel.user_edit.setText(server.user)
    panel.tls_combo.setCurrentIndex(panel.tls_combo.findData(server.tls))
    panel.password_edit.setText(password or "")


def _server_settings(pg: PgServer, **changes: object) -> ServerSettings:
    base = ServerSettings(
        enabled=True,
        host=pg.host,
        port=pg.port,
        database="postgres",
        user=pg.user,
        tls="disable",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_saving_puts_the_password_in_the_keyring_only(
    qtbot: QtBot,
    dialog: SettingsDialog,
    clinic: Clinic,
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    panel = dialog.server_panel
    assert panel is not None and dialog.tabs.currentWidget() is panel
    server = ServerSettings(
        enabled=True, host="127.0.0.1", port=free_port(), database="clinic", user="desk"
    )
    _fill(dialog, server, PASSWORD)
    with qtbot.wait_signal(panel.saved) as saved:
        panel.save_button.click()
    assert saved.args == [server]
    assert panel.password_edit.text() == ""  # the field does not keep it
    assert memory_keyring.secrets == {("sotong", SECRET_KEY): PASSWORD}
    # The settings file has the server but not the password; OK keeps what was saved.
    assert load_settings(data_dir).server == server
    assert dialog.chosen().server == server
    needle = PASSWORD.encode("utf-8")
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "settings.toml" for p in files)
    for path in files:  # settings, the store and its WAL
        assert needle not in path.read_bytes(), path.name
    assert PASSWORD not in caplog.text
    assert "Saved. This PC now works with the clinic server." in panel.result_text()


def test_saving_without_a_keyring_saves_nothing(
    qtbot: QtBot, dialog: SettingsDialog, data_dir: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the fixture restores it
    panel = dialog.server_panel
    assert panel is not None
    _fill(dialog, ServerSettings(enabled=True, host="db", database="d", user="u"), PASSWORD)
    with qtbot.wait_signal(panel.checked) as checked:
        panel.save_button.click()
    assert checked.args == [texts.server_check_text("no_keyring")]
    assert load_settings(data_dir).server == ServerSettings()


def test_a_required_field_is_named(dialog: SettingsDialog, data_dir: Path) -> None:
    panel = dialog.server_panel
    assert panel is not None
    _fill(dialog, ServerSettings(enabled=True, host="", database="d", user="u"), None)
    panel.save_button.click()
    assert panel.result_text() == "Fill in the server address of the clinic server."
    assert load_settings(data_dir).server == ServerSettings()


def test_test_connection_reports_the_version_or_the_reason(
    qtbot: QtBot, dialog: SettingsDialog, pg_server: PgServer
) -> None:
    panel = dialog.server_panel
    assert panel is not None

    def run_test() -> str:
        with qtbot.wait_signal(panel.checked, timeout=15_000) as checked:
            panel.test_button.click()
        return str(checked.args[0])

    _fill(dialog, _server_settings(pg_server), pg_server.password)
    ok = run_test()
    assert ok.startswith("Connected to the clinic server (PostgreSQL 1"), ok

    _fill(dialog, _server_settings(pg_server), "wrong-password")
    assert run_test() == texts.server_check_text("login_failed")
    assert "user name or password is wrong" in texts.server_check_text("login_failed")

    _fill(dialog, _server_settings(pg_server, port=free_port()), pg_server.password)
    assert run_test() == texts.server_check_text("unreachable")

    _fill(dialog, _server_settings(pg_server, database="no_such_db"), pg_server.password)
    assert run_test() == texts.server_check_text("database_missing")

    _fill(dialog, _server_settings(pg_server, tls="require"), pg_server.password)
    assert run_test() == texts.server_check_text("tls_refused")


def test_test_connection_uses_the_saved_password(
    qtbot: QtBot, dialog: SettingsDialog, pg_server: PgServer, memory_keyring: MemoryKeyring
) -> None:
    panel = dialog.server_panel
    assert panel is not None
    _fill(dialog, _server_settings(pg_server), None)
    with qtbot.wait_signal(panel.checked, timeout=15_000) as checked:
        panel.test_button.click()
    assert checked.args == [texts.server_check_text("no_password")]
    memory_keyring.set_password("sotong", SECRET_KEY, pg_server.password)
    with qtbot.wait_signal(panel.checked, timeout=15_000) as checked:
        panel.test_button.click()
    assert str(checked.args[0]).startswith("Connected to the clinic server")


def test_single_pc_mode_shows_nothing_about_a_server(window: MainWindow) -> None:
    assert window.ctx.server is None
    assert window.ctx.server_link.state.mode is ServerMode.OFF
    assert window.server_label.isHidden()
    assert window.sync_label.isHidden()
    assert window.leader_label.isHidden()


def test_the_status_bar_says_where_the_pc_stands(window: MainWindow) -> None:
    link = window.ctx.server_link
    link.state_changed.emit(ServerState(mode=ServerMode.OFFLINE, pending_ops=3))
    assert window.server_label.isVisible()
    assert window.server_label.text() == "● Clinic server offline: changes wait on this PC"
    assert window.sync_label.text() == "Not synced yet · 3 changes not sent"
    assert window.leader_label.text() == "Leader: none"
    at = 1_790_000_000_000
    link.state_changed.emit(
        ServerState(mode=ServerMode.ONLINE, last_sync_at=at, leader="원무-PC1", pending_ops=0)
    )
    assert window.server_label.text() == "● Clinic server online"
    assert window.sync_label.text() == f"Synced {texts.clock_text(at)}"
    assert window.leader_label.text() == "Leader: 원무-PC1"
    link.state_changed.emit(ServerState(mode=ServerMode.ONLINE, leader_is_me=True))
    assert window.leader_label.text() == "Leader: this PC"


def test_configuring_a_server_opens_it_off_the_gui_thread_and_says_so(
    qtbot: QtBot, ctx: AppContext, pg_server: PgServer, memory_keyring: MemoryKeyring
) -> None:
    window = show_window(qtbot, ctx)
    name = pg_server.create_database()
    try:
        memory_keyring.set_password("sotong", SECRET_KEY, pg_server.password)
        ctx.configure_server(_server_settings(pg_server, database=name))
        qtbot.wait_until(lambda: ctx.server_link.state.mode is ServerMode.ONLINE, timeout=30_000)
        assert ctx.server is not None
        assert window.server_label.text() == "● Clinic server online"
        # Back to a single PC: the server store is closed and the status bar says nothing.
        ctx.configure_server(ServerSettings())
        assert ctx.server is None
        assert window.server_label.isHidden()
    finally:
        ctx.server_link.close()
        pg_server.drop_database(name)


def test_an_unreachable_server_leaves_the_pc_working_offline(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic
) -> None:
    window = show_window(qtbot, ctx)
    ctx.configure_server(
        ServerSettings(enabled=True, host="127.0.0.1", port=free_port(), database="d", user="u")
    )
    try:
        assert ctx.server is None
        assert ctx.server_link.state.mode is ServerMode.OFFLINE
        assert ctx.server_link.state.reason == "unreachable"
        assert window.server_label.toolTip() == texts.server_check_text("unreachable")
        # Work goes on, and what waits to be sent is counted.
        before = pending_changes(clinic.store)
        ctx.set_status(clinic.first, "resolved")
        qtbot.wait_until(lambda: ctx.server_link.state.pending_ops > before)
    finally:
        ctx.server_link.close()
