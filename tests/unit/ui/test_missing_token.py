"""An account whose token is not on this PC (connected on another computer): Settings →
Channels marks it and takes the token; the status bar says when the leader — another
machine — has no token for a channel, so staff know why it is silent."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from console import services
from console.domain import Role
from console.store.engine import Store
from console.store.models import ChannelAccount, Operator
from tests.conftest import MemoryKeyring
from tests.unit.ui.conftest import Clinic, show_window
from ui import texts
from ui.accounts import AccountsPanel, Column, MissingTokenRole, ReconnectDialog
from ui.context import AppContext
from ui.serversync import ServerMode, ServerState

NAME = "지점 인스타그램"


@pytest.fixture(autouse=True)
def admin_at_this_pc(clinic: Clinic) -> None:
    with clinic.store.write() as s:
        operator = s.get(Operator, clinic.operator_id)
        assert operator is not None
        operator.role = Role.ADMIN.value


def _added_elsewhere(store: Store, memory_keyring: MemoryKeyring) -> str:
    """An account connected on another PC: its row names a secret this keyring lacks."""
    account = services.add_account(
        store,
        services.Actor(None),
        kind="instagram",
        connector="demo",
        external_id="ig-branch",
        display_name=NAME,
        config={"base_url": "http://127.0.0.1:9", "channel": "instagram"},
        secret="token-on-the-other-pc",
    )
    del memory_keyring.secrets[("sotong", account)]
    return account


def test_the_channels_tab_marks_a_missing_token_and_takes_it(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic, memory_keyring: MemoryKeyring
) -> None:
    account = _added_elsewhere(clinic.store, memory_keyring)
    panel = AccountsPanel(ctx)
    qtbot.addWidget(panel)
    row = panel.model.row_of(account)
    cell = panel.model.index(row, Column.ERROR)
    assert cell.data() == "No token on this PC"
    assert cell.data(MissingTokenRole) is True
    assert "enter it in Settings → Channels" in str(cell.data(Qt.ItemDataRole.ToolTipRole))
    # The other accounts have their tokens here (or need none): no mark.
    others = [
        panel.model.index(r, Column.ERROR).data() for r in range(panel.model.rowCount()) if r != row
    ]
    assert "No token on this PC" not in others
    assert panel.select(account)
    assert panel.reconnect_button.text() == "Enter token…"
    assert panel.reconnect_button.isEnabled()
    panel.reconnect_button.click()
    dialog = panel.findChild(ReconnectDialog)
    assert dialog is not None
    assert dialog.windowTitle() == f"Enter the token of {NAME}"
    dialog.secret_edit.setText("the-token")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert memory_keyring.secrets[("sotong", account)] == "the-token"
    qtbot.wait_until(lambda: panel.model.index(row, Column.ERROR).data() == "")
    assert panel.result_text() == "Token saved on this PC."
    assert panel.reconnect_button.text() == "Reconnect…"
    with clinic.store.read() as s:
        stored = s.get(ChannelAccount, account)
        assert stored is not None and "the-token" not in str(stored.config)


def test_the_status_bar_says_the_leader_has_no_token(
    qtbot: QtBot, ctx: AppContext, clinic: Clinic, memory_keyring: MemoryKeyring
) -> None:
    account = _added_elsewhere(clinic.store, memory_keyring)
    with clinic.store.write() as s:  # as the leader recorded it, pulled by sync
        row = s.get(ChannelAccount, account)
        assert row is not None
        row.last_error = "no_secret"
    window = show_window(qtbot, ctx)
    ctx.refresh_health()
    # On a single PC (or where this PC leads) the token is missing here.
    assert window.account_errors_label.text() == (
        f"Account problem: {NAME} (no token on this PC — enter it in Settings → Channels)"
    )
    # With the clinic server, another machine leads: the leader lacks it, and the tooltip
    # says how to give it one.
    ctx.server_link._set_state(ServerState(mode=ServerMode.ONLINE, leader="clinic-server"))
    assert window.account_errors_label.text() == (
        f"Account problem: {NAME} (no token on the leader (clinic-server): "
        "the channel is not checked)"
    )
    assert "sotong agent secret set" in window.account_errors_label.toolTip()
    assert window.account_errors_label.toolTip() == texts.leader_no_secret_help()
    ctx.server_link._set_state(ServerState(mode=ServerMode.ONLINE, leader_is_me=True))
    assert "no token on this PC" in window.account_errors_label.text()
    assert window.account_errors_label.toolTip() == ""
