"""Channel accounts in the UI: the table model, the Channels tab of Settings, the add and
reconnect dialogs, and the banner that says an account's login expired.

Reads go through :func:`console.accounts.list_accounts` on the read worker; changes go through
:mod:`console.services` on the write worker (:meth:`ui.context.AppContext.account_command`),
after which the context rebuilds its runtime; testing a connection runs on the network worker.

A token or password goes from its password field straight into the job that hands it to the
keyring: the field is cleared when OK is pressed, nothing logs it, and no attribute keeps it.

``console.accounts`` and the connector registry pull in the HTTP stack, so they are imported
where they are used, not when the window starts.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shiboken6 import isValid

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.domain import ChannelKind
from console.services import Permission
from console.store.engine import Store
from ui import icons, texts, theme
from ui.context import AppContext
from ui.threadpane import plain_label

if TYPE_CHECKING:
    from console.accounts import AccountRow
    from console.services import Actor

#: Account id (str).
AccountIdRole = Qt.ItemDataRole.UserRole + 1
#: An :class:`AccountState` value (str).
StateRole = Qt.ItemDataRole.UserRole + 2
#: The account's raw ``last_error`` code, or None.
ErrorCodeRole = Qt.ItemDataRole.UserRole + 3
#: True when the account needs a token this PC's keyring does not hold.
MissingTokenRole = Qt.ItemDataRole.UserRole + 4

#: Keys that mean someone is about to put a secret into the (plain, synced) settings.
SECRET_KEY_WORDS = ("token", "password", "passwd", "secret", "api_key", "apikey")

ModelIndex = QModelIndex | QPersistentModelIndex


class AccountState(enum.StrEnum):
    """Where an account stands, as the list shows it."""

    ACTIVE = "active"  # enabled: polled and used for sending
    PAUSED = "paused"  # disabled, token kept
    REMOVED = "removed"  # disabled and token forgotten (conversations kept)


def account_state(row: AccountRow) -> AccountState:
    """The state of an account."""
    if row.removed:
        return AccountState.REMOVED
    return AccountState.ACTIVE if row.enabled else AccountState.PAUSED


def parse_config(text: str) -> tuple[dict[str, str], int | None]:
    """Read connector settings written one ``KEY=VALUE`` a line (blank lines are skipped).

    Returns:
        The settings, and the number (from 1) of the first line without ``=`` or without a
        key (None if every line is fine).
    """
    config: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            return config, number
        config[key.strip()] = value.strip()
    return config, None


def _store_token(store: Store, actor: Actor, account_id: str, token: str) -> None:
    """Replace an account's token (keyring) and clear its error, through the service."""
    services.reconnect_account(store, actor, account_id, token)


# -- model -----------------------------------------------------------------------------------


class Column(enum.IntEnum):
    """The columns of the account table."""

    CHANNEL = 0
    NAME = 1
    STATE = 2
    ERROR = 3
    FETCHED = 4


class AccountTableModel(QAbstractTableModel):
    """The channel accounts as a table: channel, display name, state, last error, last fetch.

    Roles beyond the display: :data:`AccountIdRole` (the account id), :data:`StateRole`
    (an :class:`AccountState` value) and :data:`ErrorCodeRole` (the raw ``last_error``).

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []
        self._missing: frozenset[str] = frozenset()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of accounts (a table has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of columns."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            Column.CHANNEL: self.tr("Channel"),
            Column.NAME: self.tr("Name"),
            Column.STATE: self.tr("State"),
            Column.ERROR: self.tr("Last problem"),
            Column.FETCHED: self.tr("Last received"),
        }
        return titles.get(Column(section)) if 0 <= section < len(Column) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The text, icon, colour or raw value of one cell."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        state = account_state(row)
        if role == AccountIdRole:
            return row.id
        if role == StateRole:
            return state.value
        if role == ErrorCodeRole:
            return row.last_error
        if role == MissingTokenRole:
            return row.id in self._missing
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, state)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.CHANNEL:
            return icons.channel_icon(row.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.ERROR and row.id in self._missing and not row.last_error:
                return texts.token_missing_here_help()
            if column is Column.ERROR and (row.last_error or row.skipped_items):
                lines = [texts.connection_check_text(row.last_error)] if row.last_error else []
                if row.skipped_items:
                    lines.append(
                        self.tr("%1 malformed or unsupported items left out (last: %2)")
                        .replace("%1", f"{row.skipped_items:,}")
                        .replace("%2", row.last_skip_reason or "")
                    )
                return "\n".join(lines)
            if column is Column.CHANNEL:
                return self.tr("Connector: %1").replace("%1", row.connector)
            if column is Column.NAME:
                return row.external_id
            if column is Column.STATE and row.monthly_requests:
                return self.tr(
                    "Billed per request: about %1 reads a month at this polling interval"
                ).replace("%1", f"{row.monthly_requests:,}")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is Column.ERROR:
                return theme.colour("danger")
            if column is Column.STATE and state is not AccountState.ACTIVE:
                return theme.colour("text_muted")
        return None

    def _text(self, row: AccountRow, column: Column, state: AccountState) -> str:
        if column is Column.CHANNEL:
            return texts.channel_name(row.kind)
        if column is Column.NAME:
            return row.display_name
        if column is Column.STATE:
            return texts.account_state_name(state.value)
        if column is Column.ERROR:
            if row.last_error:
                return texts.channel_error_text(row.last_error)
            return texts.token_missing_here_text() if row.id in self._missing else ""
        if row.last_fetch_at:
            return texts.short_time(row.last_fetch_at)
        return self.tr("Not yet")

    def set_rows(self, rows: list[AccountRow], missing: frozenset[str] = frozenset()) -> None:
        """Show these accounts (``missing``: the ids whose token this PC's keyring lacks):
        changed cells are updated in place when the same accounts are listed in the same
        order, else the table is reset."""
        old_missing, self._missing = self._missing, frozenset(missing)
        if [r.id for r in rows] != [r.id for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        old, self._rows = self._rows, list(rows)
        last = len(Column) - 1
        for number, (before, after) in enumerate(zip(old, rows, strict=True)):
            flipped = (after.id in old_missing) != (after.id in self._missing)
            if before != after or flipped:
                self.dataChanged.emit(
                    self.index(number, 0),
                    self.index(number, last),
                    [
                        Qt.ItemDataRole.DisplayRole,
                        Qt.ItemDataRole.DecorationRole,
                        Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.ForegroundRole,
                        StateRole,
                        ErrorCodeRole,
                        MissingTokenRole,
                    ],
                )

    def token_missing(self, account_id: str) -> bool:
        """Whether the account needs a token this PC's keyring does not hold."""
        return account_id in self._missing

    def account_at(self, row: int) -> AccountRow | None:
        """The account on a row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, account_id: str) -> int:
        """The row of an account, or -1."""
        for number, row in enumerate(self._rows):
            if row.id == account_id:
                return number
        return -1


# -- the Channels tab ------------------------------------------------------------------------


def _ask(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


class AccountsPanel(QWidget):
    """The Channels tab: the accounts, and Add, Reconnect, Test, Pause/Resume and Remove.

    Changes take effect at once (they do not wait for the dialog's OK).

    Args:
        ctx: The application context.
        parent: Qt parent.

    Signals:
        checked(str): a connection test finished; carries the sentence shown.
    """

    checked = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountsPanel")
        self.ctx = ctx
        # Asks a yes/no question (title, text); tests put their answer here.
        self.confirm: Callable[[str, str], bool] = functools.partial(_ask, self)
        self._testing: str | None = None
        self._select_next: str | None = None

        self.model = AccountTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("accountTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.add_button = QPushButton(self.tr("Add…"), self)
        self.add_button.setObjectName("addAccountButton")
        self.reconnect_button = QPushButton(self.tr("Reconnect…"), self)
        self.reconnect_button.setObjectName("reconnectAccountButton")
        self.reconnect_button.setToolTip(self.tr("Enter a new token or password"))
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("testAccountButton")
        self.pause_button = QPushButton(self.tr("Pause"), self)
        self.pause_button.setObjectName("pauseAccountButton")
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setObjectName("removeAccountButton")
        self.add_button.clicked.connect(self.add_account)
        self.reconnect_button.clicked.connect(self.reconnect)
        self.test_button.clicked.connect(self.test_connection)
        self.pause_button.clicked.connect(self.toggle_enabled)
        self.remove_button.clicked.connect(self.remove)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (
            self.add_button,
            self.reconnect_button,
            self.test_button,
            self.pause_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)

        self.result_label = plain_label(parent=self, name="checkResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.hint_label = plain_label(
            self.tr(
                "Changes here take effect at once. Tokens and passwords are kept only in this "
                "PC's secure password store."
            ),
            self,
            "settingsHint",
        )
        self.hint_label.setWordWrap(True)
        self.role_label = plain_label(
            self.tr("Only an administrator can connect, pause or remove channel accounts."),
            self,
            "settingsHint",
        )
        self.role_label.setWordWrap(True)

        box = QVBoxLayout(self)
        box.addWidget(self.role_label)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        box.addWidget(self.result_label)
        box.addWidget(self.hint_label)

        ctx.accounts_changed.connect(self.reload)
        self._update_buttons()
        self.reload()

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the accounts on the read worker and keep the selected one selected."""
        store = self.ctx.store

        def work() -> tuple[list[AccountRow], frozenset[str]]:
            from console.accounts import list_accounts

            rows = list_accounts(store)
            return rows, _tokens_missing_here(rows)

        self.ctx.tasks.read(work, self._loaded)

    def _loaded(self, result: tuple[list[AccountRow], frozenset[str]]) -> None:
        if not isValid(self):
            return
        rows, missing = result
        current = self.current_account()
        self.model.set_rows(rows, missing)
        wanted = self._select_next or (current.id if current is not None else None)
        if wanted is not None and self.select(wanted):
            self._select_next = None
        self._update_buttons()

    def current_account(self) -> AccountRow | None:
        """The selected account, or None."""
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.account_at(index.row())

    def select(self, account_id: str) -> bool:
        """Select an account's row.

        Returns:
            True if the account is listed.
        """
        row = self.model.row_of(account_id)
        if row < 0:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, Column.NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        account = self.current_account()
        state = account_state(account) if account is not None else None
        manage = self.ctx.can(Permission.MANAGE_ACCOUNTS)  # else only testing is offered
        self.add_button.setEnabled(manage)
        self.reconnect_button.setEnabled(manage and account is not None and account.has_secret)
        missing = account is not None and self.model.token_missing(account.id)
        self.reconnect_button.setText(self.tr("Enter token…") if missing else self.tr("Reconnect…"))
        self.reconnect_button.setToolTip(
            texts.token_missing_here_help() if missing else self.tr("Enter a new token or password")
        )
        self.test_button.setEnabled(account is not None and self._testing is None)
        self.pause_button.setEnabled(manage and account is not None)
        self.pause_button.setText(
            self.tr("Pause") if state in (None, AccountState.ACTIVE) else self.tr("Resume")
        )
        self.remove_button.setEnabled(
            manage and state in (AccountState.ACTIVE, AccountState.PAUSED)
        )
        self.role_label.setVisible(not manage)

    # -- actions -----------------------------------------------------------------------------

    def add_account(self) -> None:
        """Open the dialog that connects a new account."""
        dialog = AddAccountDialog(self.ctx, self)
        dialog.added.connect(self._added)
        dialog.open()

    def _added(self, account_id: str) -> None:
        self._show_result(self.tr("Account added."), "ok")
        if not self.select(account_id):
            self._select_next = account_id  # once the context's re-read lists it

    def reconnect(self) -> None:
        """Ask for a new token for the selected account (after its login expired), or for the
        token this PC lacks (an account added on another PC)."""
        account = self.current_account()
        if account is None or not account.has_secret:
            return
        missing = self.model.token_missing(account.id)
        dialog = ReconnectDialog(self.ctx, account, self, missing=missing)
        saved = self.tr("Token saved on this PC.") if missing else self.tr("New token saved.")
        dialog.reconnected.connect(lambda: self._show_result(saved, "ok"))
        dialog.open()

    def test_connection(self) -> None:
        """Try the selected account's credentials with one fetch on the network worker."""
        account = self.current_account()
        if account is None or self._testing is not None:
            return
        self._testing = account.id
        self._update_buttons()
        name = account.display_name
        self._show_result(self.tr("Testing %1…").replace("%1", name), "busy")

        runtime = self.ctx.runtime
        connected = (
            runtime.channels.get(account.id)
            if runtime is not None and account.config.get("demo")
            else None
        )

        def work() -> str | None:
            from console.accounts import check_connection

            return check_connection(account, connected=connected)

        def done(code: str | None) -> None:
            self._finish_test(name, texts.connection_check_text(code), code is None)

        def failed(exc: BaseException) -> None:
            self._finish_test(name, texts.error_text(exc), False)

        self.ctx.tasks.network(work, done, failed)

    def _finish_test(self, name: str, sentence: str, ok: bool) -> None:
        if not isValid(self):
            return
        self._testing = None
        text = f"{name}: {sentence}"
        self._show_result(text, "ok" if ok else "error")
        self._update_buttons()
        self.checked.emit(text)

    def toggle_enabled(self) -> None:
        """Pause the selected account, or resume it."""
        account = self.current_account()
        if account is None:
            return
        self.ctx.account_command(
            services.set_account_enabled,
            account.id,
            not account.enabled,
            on_failure=self._failed,
        )

    def remove(self) -> None:
        """Remove the selected account after asking; its conversations are kept."""
        account = self.current_account()
        if account is None or account_state(account) is AccountState.REMOVED:
            return
        question = self.tr(
            "Remove “%1”? Sotong stops checking this account and forgets its token on this PC. "
            "Its conversations are kept."
        ).replace("%1", account.display_name)
        if not self.confirm(self.tr("Remove account"), question):
            return
        self.ctx.account_command(services.remove_account, account.id, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._show_result(texts.error_text(exc), "error")

    def _show_result(self, text: str, state: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        self.result_label.show()

    def result_text(self) -> str:
        """The sentence under the buttons (empty when none is shown)."""
        return self.result_label.text() if not self.result_label.isHidden() else ""


def _tokens_missing_here(rows: list[AccountRow]) -> frozenset[str]:
    """The accounts (connected, not the demo's) needing a token this PC's keyring lacks.
    Asks the keyring: call it on a worker, never the GUI thread."""
    from console import secrets

    missing = set()
    for row in rows:
        if not row.has_secret or row.removed or row.config.get("demo"):
            continue
        try:
            if secrets.get_secret(row.id) is None:
                missing.add(row.id)
        except secrets.NoSecretStore:
            return frozenset()  # said elsewhere: no password store on this PC at all
    return frozenset(missing)


# -- dialogs ---------------------------------------------------------------------------------


def _secret_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName("secretEdit")
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return field


def _error_label(parent: QWidget) -> Any:
    label = plain_label(parent=parent, name="formError")
    label.setWordWrap(True)
    label.hide()
    return label


class AddAccountDialog(QDialog):
    """Connect a channel account: channel, connector, names, connector settings and token.

    Args:
        ctx: The application context (the account is added on its write worker).
        parent: The owning widget.

    Signals:
        added(str): the account was saved; carries its id.
    """

    added = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from console.channels.registry import CONNECTORS

        self.setObjectName("addAccountDialog")
        self.setWindowTitle(self.tr("Add a channel account"))
        self.ctx = ctx

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kindCombo")
        for kind in ChannelKind:
            if kind is not ChannelKind.DEMO:
                self.kind_combo.addItem(
                    icons.channel_icon(kind.value), texts.channel_name(kind.value), kind.value
                )
        self.connector_combo = QComboBox(self)
        self.connector_combo.setObjectName("connectorCombo")
        known = {k.value for k in ChannelKind}
        for name in sorted(CONNECTORS):
            self.connector_combo.addItem(texts.channel_name(name) if name in known else name, name)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("displayNameEdit")
        self.name_edit.setPlaceholderText(self.tr("As staff will see it, e.g. 소통의원 Facebook"))
        self.external_edit = QLineEdit(self)
        self.external_edit.setObjectName("externalIdEdit")
        self.config_edit = QPlainTextEdit(self)
        self.config_edit.setObjectName("configEdit")
        self.config_edit.setTabChangesFocus(True)
        self.config_edit.setPlaceholderText(
            self.tr("One setting per line, KEY=VALUE, for example\nbase_url=https://…")
        )
        self.config_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 16)
        self.secret_edit = _secret_field(self)
        self.secret_edit.setPlaceholderText(self.tr("Kept only in this PC's password store"))
        self.error_label = _error_label(self)

        form = QFormLayout()
        form.addRow(self.tr("Channel"), self.kind_combo)
        form.addRow(self.tr("Connector"), self.connector_combo)
        form.addRow(self.tr("Display name"), self.name_edit)
        form.addRow(self.tr("Id on the channel"), self.external_edit)
        form.addRow(self.tr("Connector settings"), self.config_edit)
        form.addRow(self.tr("Token or password"), self.secret_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)
        self.setMinimumWidth(480)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self, _index: int = 0) -> None:
        kind = str(self.kind_combo.currentData())
        connector = self.connector_combo.findData(kind)
        if connector >= 0:
            self.connector_combo.setCurrentIndex(connector)
        hints = {
            ChannelKind.FACEBOOK.value: self.tr("Page id"),
            ChannelKind.INSTAGRAM.value: self.tr("Instagram account id"),
            ChannelKind.X.value: self.tr("Account name, e.g. @sotong_clinic"),
            ChannelKind.TELEGRAM.value: self.tr("Bot name, e.g. @sotong_bot"),
            ChannelKind.EMAIL.value: self.tr("E-mail address"),
            ChannelKind.SMS.value: self.tr("Phone number"),
        }
        self.external_edit.setPlaceholderText(
            hints.get(kind, self.tr("Channel or account id on the network"))
        )

    def _problem(self) -> str | None:
        """What is wrong with the form, as a sentence (None: it can be sent)."""
        if not self.name_edit.text().strip():
            return self.tr("Enter a display name.")
        if not self.external_edit.text().strip():
            return self.tr("Enter the account's id on the channel (page id, bot name, address…).")
        config, bad_line = parse_config(self.config_edit.toPlainText())
        if bad_line is not None:
            return self.tr(
                "Line %1 of the connector settings is not in the form KEY=VALUE."
            ).replace("%1", str(bad_line))
        if any(word in key.lower() for key in config for word in SECRET_KEY_WORDS):
            return self.tr(
                "Put tokens and passwords in the password field, not in the connector settings."
            )
        if self.connector_combo.currentIndex() < 0:
            return self.tr("This version of Sotong has no connectors.")
        return None

    def submit(self) -> None:
        """Check the form, then add the account on the write worker (the token field is
        cleared at once); the dialog closes when the account is saved."""
        problem = self._problem()
        if problem is not None:
            self.show_error(problem)
            return
        config, _ = parse_config(self.config_edit.toPlainText())
        add = functools.partial(
            services.add_account,
            kind=str(self.kind_combo.currentData()),
            connector=str(self.connector_combo.currentData()),
            external_id=self.external_edit.text().strip(),
            display_name=self.name_edit.text().strip(),
            config=config,
            secret=self.secret_edit.text() or None,
        )
        self.secret_edit.clear()
        self.error_label.hide()
        self.buttons.setEnabled(False)
        self.ctx.account_command(add, on_success=self._saved, on_failure=self._failed)

    def _saved(self, account_id: str) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.added.emit(account_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.show_error(texts.error_text(exc))

    def show_error(self, text: str) -> None:
        """Say what is wrong under the form."""
        self.error_label.setText(text)
        self.error_label.show()

    def error_text(self) -> str:
        """The sentence under the form (empty when none is shown)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""


class ReconnectDialog(QDialog):
    """Give an account a new token after its login expired.

    Args:
        ctx: The application context.
        account: The account to reconnect (it must have a stored token).
        parent: The owning widget.
        missing: This PC's keyring has no token for it yet (added on another computer).

    Signals:
        reconnected(): the new token was saved.
    """

    reconnected = Signal()

    def __init__(
        self,
        ctx: AppContext,
        account: AccountRow,
        parent: QWidget | None = None,
        *,
        missing: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reconnectDialog")
        title = self.tr("Enter the token of %1") if missing else self.tr("Reconnect %1")
        self.setWindowTitle(title.replace("%1", account.display_name))
        self.ctx = ctx
        self._account_id = account.id
        words = (
            self.tr(
                "This PC has no token for “%1” (it was connected on another computer). Enter "
                "it to keep it in this PC's password store; it never leaves this PC."
            )
            if missing
            else self.tr(
                "Enter the new token or password for “%1”. Conversations and settings stay as "
                "they are."
            )
        )
        intro = plain_label(words.replace("%1", account.display_name), self)
        intro.setWordWrap(True)
        self.secret_edit = _secret_field(self)
        self.error_label = _error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Token or password"), self.secret_edit)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def submit(self) -> None:
        """Store the new token on the write worker (the field is cleared at once)."""
        if not self.secret_edit.text():
            self.error_label.setText(self.tr("Enter the new token or password."))
            self.error_label.show()
            return
        store_token = functools.partial(
            _store_token, account_id=self._account_id, token=self.secret_edit.text()
        )
        self.secret_edit.clear()
        self.buttons.setEnabled(False)
        self.ctx.account_command(store_token, on_success=self._saved, on_failure=self._failed)

    def _saved(self, _result: object) -> None:
        if not isValid(self):
            return
        self.reconnected.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.error_label.setText(texts.error_text(exc))
        self.error_label.show()


# -- banner ----------------------------------------------------------------------------------


class ExpiredBanner(QFrame):
    """A strip above the conversations naming the accounts whose login expired, with a button
    that opens Settings on the Channels tab. Hidden while no login has expired.

    Args:
        parent: Qt parent.

    Signals:
        reconnect_requested(): the user pressed "Reconnect…".
    """

    reconnect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expiredBanner")
        self._names: list[str] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 12, 8)
        row.setSpacing(12)
        self.label = plain_label(parent=self, name="expiredText")
        self.label.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.setObjectName("reconnectButton")
        self.button.clicked.connect(self.reconnect_requested)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def set_accounts(self, names: list[str]) -> None:
        """Name these accounts (in the current language), or hide when there are none."""
        self._names = list(names)
        self.button.setText(self.tr("Reconnect…"))
        if names:
            self.label.setText(texts.expired_banner_text(self._names))
            self.show()
        else:
            self.label.setText("")
            self.hide()

    def names(self) -> list[str]:
        """The accounts named."""
        return list(self._names)
