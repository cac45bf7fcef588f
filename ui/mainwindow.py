"""The main window: navigation, conversation list and thread side by side, with the status bar.

Keyboard: j/k move down/up the list, e resolves (or reopens) the open conversation,
d opens the department picker, a the assignee picker, h the hand-off dialog, / the search
box, Ctrl+Shift+D puts the operator on or off duty; Ctrl+Enter in the
composer queues the reply. Single-letter shortcuts are window shortcuts, and editors claim
printable keys before shortcuts see them, so typing "j" in the composer or the search box
types a "j".
"""

from __future__ import annotations

import base64
import dataclasses
import functools

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.sla import Snapshot
from console.store.queries import (
    Health,
    ListFilter,
    NavCounts,
    Order,
    View,
    channel_kinds,
)
from ui import icons, texts
from ui.accounts import ExpiredBanner
from ui.contactpanel import ContactPanel
from ui.context import AppContext, Connection
from ui.conversations import ConversationListModel, ConversationListView, IdRole
from ui.dashboard import DashboardWindow
from ui.navigation import SAVED, NavigationModel, ValueRole, ViewRole, make_nav_view
from ui.savedsearches import SavedSearches
from ui.serversync import ServerMode, ServerState
from ui.threadpane import ThreadPane, plain_label

SEARCH_DELAY_MS = 250
DEFAULT_SIZE = (1280, 800)
#: The account error that the banner over the conversations reports.
EXPIRED = "auth_expired"
#: The ``last_error`` of an account whose token the leader's keyring lacks.
NO_SECRET = "no_secret"  # noqa: S105 - an error code, not a secret


class SearchBox(QLineEdit):
    """The search field: Escape clears it (or returns to the list), Down goes to the list.

    Signals:
        leave(): the user wants to go back to the list.
    """

    leave = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape and Down hand focus back to the list."""
        if event.key() == Qt.Key.Key_Escape:
            if self.text():
                self.clear()
            else:
                self.leave.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.leave.emit()
            return
        super().keyPressEvent(event)


def _order_group(view: View) -> str:
    """Which remembered order a view uses: a department's queue, or the other lists."""
    return "queue" if view is View.DEPARTMENT else "list"


class MainWindow(QMainWindow):
    """The operator console's window.

    Args:
        ctx: The application context.
        parent: Qt parent.

    Signals:
        closing(): the window is closing (the pending draft has been handed to the worker).
        settings_requested(): the user asked for the settings (button or Ctrl+,).
        channels_requested(): the user asked for the Channels tab of the settings (the
            expired-login banner's "Reconnect…").
        contact_panel_toggled(bool): the contact panel was shown (True) or hidden (Ctrl+I).
    """

    closing = Signal()
    settings_requested = Signal()
    channels_requested = Signal()
    contact_panel_toggled = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.departments = ctx.store.departments()
        # A department's list is its queue: longest waiting first, unless staff choose
        # otherwise there (remembered apart from the other lists' order).
        self._orders = {"queue": Order.WAITING, "list": Order.RECENT}
        self._health: Health | None = None
        self.picker_menu: QMenu | None = None
        #: The saved search the list shows, if it shows one.
        self.saved_id: str | None = None
        #: The managers' dashboard, once opened (Ctrl+D).
        self.dashboard: DashboardWindow | None = None
        self._title_override = ""
        self._nav_guard = False
        self.setWindowIcon(icons.app_icon())
        self.resize(*DEFAULT_SIZE)

        self.nav_model = NavigationModel(self.departments, channel_kinds(ctx.store), self)
        self.list_model = ConversationListModel(
            ctx.store,
            self.departments,
            ListFilter(view=View.ALL_OPEN, operator_id=ctx.operator_id),
            self,
            tasks=ctx.tasks,
        )
        self.list_model.search_started.connect(self._search_started)
        self.list_model.search_finished.connect(self._search_finished)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        splitter.addWidget(self._build_nav())
        splitter.addWidget(self._build_list())
        self.thread_pane = ThreadPane(ctx, self.departments, splitter)
        splitter.addWidget(self.thread_pane)
        self.contact_panel = ContactPanel(ctx, self.departments, splitter)
        self.contact_panel.hide()
        splitter.addWidget(self.contact_panel)
        splitter.setStretchFactor(3, 0)
        self.thread_pane.opened.connect(self.contact_panel.show_conversation)
        self.contact_panel.open_requested.connect(self.open_conversation)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 0)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([220, 400, 660])
        self.splitter = splitter
        central = QWidget(self)
        central.setObjectName("central")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.expired_banner = ExpiredBanner(central)
        self.expired_banner.reconnect_requested.connect(self.channels_requested)
        column.addWidget(self.expired_banner)
        column.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_shortcuts()

        ctx.changed.connect(self.list_model.on_changed)
        ctx.changed.connect(self.thread_pane.on_changed)
        ctx.changed.connect(self.contact_panel.on_changed)
        ctx.changed.connect(self._after_change)
        ctx.error.connect(self.show_error)
        ctx.counts_changed.connect(self._counts_changed)
        ctx.sla_changed.connect(self._sla_changed)
        ctx.saved_searches_changed.connect(self._saved_searches_changed)
        ctx.health_changed.connect(self._health_changed)
        ctx.connection_changed.connect(self._connection_changed)
        ctx.server_link.state_changed.connect(self._server_changed)
        ctx.staff_changed.connect(self._show_duty)
        ctx.server_link.dialog_parent = self
        ctx.server_link.initial_sync_finished.connect(self._after_initial_sync)

        self._minute = QTimer(self)
        self._minute.setInterval(60_000)
        self._minute.timeout.connect(self.list_model.refresh_times)
        self._minute.timeout.connect(ctx.refresh_counts)  # SLA breaches grow with time
        self._minute.timeout.connect(self.thread_pane.update_window)
        self._minute.start()

        self.retranslate_ui()
        self.nav_view.setCurrentIndex(self.nav_model.index(self.nav_model.row_of("all_open")))
        self.list_view.setFocus()

    # -- building ----------------------------------------------------------------------------

    def _build_nav(self) -> QWidget:
        pane = QFrame(self)
        pane.setObjectName("navPane")
        box = QVBoxLayout(pane)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        brand = QFrame(pane)
        brand.setObjectName("brand")
        row = QHBoxLayout(brand)
        row.setContentsMargins(16, 14, 12, 10)
        row.setSpacing(8)
        logo = plain_label(parent=brand, name="logo")
        logo.setPixmap(icons.svg_pixmap("sotong", 26, self.devicePixelRatioF()))
        self.brand_label = plain_label(parent=brand, name="brandName")
        self.settings_button = QToolButton(brand)
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.clicked.connect(self.settings_requested)
        row.addWidget(logo)
        self.dashboard_button = QToolButton(brand)
        self.dashboard_button.setObjectName("dashboardButton")
        self.dashboard_button.setIcon(icons.icon("dashboard"))
        self.dashboard_button.clicked.connect(self.open_dashboard)
        row.addWidget(self.brand_label, 1)
        row.addWidget(self.dashboard_button)
        row.addWidget(self.settings_button)
        box.addWidget(brand)
        who = QHBoxLayout()
        who.setContentsMargins(18, 0, 12, 8)
        who.setSpacing(6)
        self.operator_label = plain_label(parent=pane, name="operatorName")
        self.operator_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # On or off duty: auto-assignment gives work only to staff on duty (Ctrl+Shift+D).
        self.duty_button = QToolButton(pane)
        self.duty_button.setObjectName("dutyButton")
        self.duty_button.setCheckable(True)
        self.duty_button.clicked.connect(lambda _checked: self.ctx.toggle_duty())
        who.addWidget(self.operator_label, 1)
        who.addWidget(self.duty_button)
        box.addLayout(who)
        self.nav_view = make_nav_view(pane)
        self.nav_view.setModel(self.nav_model)
        self.nav_view.selectionModel().currentChanged.connect(self._nav_changed)
        self.saved = SavedSearches(self.ctx, self.nav_view, self.nav_model, self)
        # A new channel rebuilds the entries: keep the view that is shown selected.
        self.nav_model.modelReset.connect(lambda: self._select_nav(self.list_model.list_filter))
        box.addWidget(self.nav_view, 1)
        pane.setMinimumWidth(180)
        return pane

    def _build_list(self) -> QWidget:
        pane = QFrame(self)
        pane.setObjectName("listPane")
        box = QVBoxLayout(pane)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        head = QFrame(pane)
        head.setObjectName("listHeader")
        hbox = QVBoxLayout(head)
        hbox.setContentsMargins(14, 12, 14, 10)
        hbox.setSpacing(8)
        title_row = QHBoxLayout()
        self.list_title = plain_label(parent=head, name="listTitle")
        self.order_combo = QComboBox(head)
        self.order_combo.setObjectName("orderCombo")
        self.order_combo.activated.connect(self._order_changed)
        title_row.addWidget(self.list_title, 1)
        title_row.addWidget(self.order_combo)
        hbox.addLayout(title_row)
        self.search_box = SearchBox(head)
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.leave.connect(self._focus_list)
        self.save_search_button = QToolButton(head)
        self.save_search_button.setObjectName("saveSearchButton")
        self.save_search_button.setEnabled(False)
        self.save_search_button.clicked.connect(self.save_search)
        self.search_box.textChanged.connect(
            lambda t: self.save_search_button.setEnabled(bool(t.strip()))
        )
        search_row = QHBoxLayout()
        search_row.setSpacing(6)
        search_row.addWidget(self.search_box, 1)
        search_row.addWidget(self.save_search_button)
        hbox.addLayout(search_row)
        box.addWidget(head)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_box.textChanged.connect(lambda _t: self._search_timer.start())

        self.list_view = ConversationListView(pane)
        self.list_view.setModel(self.list_model)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        self.list_view.selectionModel().selectionChanged.connect(self._selection_changed)
        box.addWidget(self.list_view, 1)
        pane.setMinimumWidth(320)
        return pane

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        bar.setSizeGripEnabled(False)
        self.connection_label = plain_label(parent=bar, name="connectionState")
        self.outbox_label = plain_label(parent=bar, name="outboxState")
        self.fetch_label = plain_label(parent=bar, name="fetchState")
        self.account_errors_label = plain_label(parent=bar, name="accountErrors")
        self.account_errors_label.hide()
        self.search_state_label = plain_label(parent=bar, name="searchState")
        self.search_state_label.hide()
        bar.addWidget(self.search_state_label)
        # The clinic server (hidden on a single PC): online, last sync and unsent changes, leader.
        self.server_label = plain_label(parent=bar, name="serverState")
        self.sync_label = plain_label(parent=bar, name="syncState")
        self.leader_label = plain_label(parent=bar, name="leaderState")
        for label in (
            self.account_errors_label,
            self.outbox_label,
            self.fetch_label,
            self.connection_label,
            self.sync_label,
            self.leader_label,
            self.server_label,
        ):
            bar.addPermanentWidget(label)

    def _build_shortcuts(self) -> None:
        keys = {
            "j": (Qt.Key.Key_J, lambda: self.move_selection(1)),
            "k": (Qt.Key.Key_K, lambda: self.move_selection(-1)),
            "e": (Qt.Key.Key_E, self.resolve_current),
            "d": (Qt.Key.Key_D, self.open_department_picker),
            "a": (Qt.Key.Key_A, self.open_assign_picker),
            "h": (Qt.Key.Key_H, self.thread_pane.open_hand_off),
            "/": (Qt.Key.Key_Slash, self.focus_search),
        }
        self.shortcuts: dict[str, QShortcut] = {}
        for name, (key, slot) in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(functools.partial(self._shortcut, slot))
            self.shortcuts[name] = shortcut
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        self.shortcuts["find"] = find
        duty = QShortcut(QKeySequence("Ctrl+Shift+D"), self)
        duty.activated.connect(self.ctx.toggle_duty)
        self.shortcuts["duty"] = duty
        board = QShortcut(QKeySequence("Ctrl+D"), self)
        board.activated.connect(self.open_dashboard)
        self.shortcuts["dashboard"] = board
        save = QShortcut(QKeySequence("Ctrl+Shift+S"), self)
        save.activated.connect(self.save_search)
        self.shortcuts["save_search"] = save
        preferences = QShortcut(QKeySequence("Ctrl+,"), self)
        preferences.activated.connect(self.settings_requested)
        self.shortcuts["settings"] = preferences
        contact = QShortcut(QKeySequence("Ctrl+I"), self)
        contact.setContext(Qt.ShortcutContext.WindowShortcut)
        contact.activated.connect(self.toggle_contact_panel)
        self.shortcuts["contact"] = contact

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        name = self.ctx.operator_name(self.ctx.operator_id)
        title = self.tr("Sotong")
        self.setWindowTitle(f"{title} — {name}" if name else title)
        self.brand_label.setText(self.tr("Sotong"))
        self.settings_button.setText(self.tr("Settings"))
        # An icon: the header is as narrow as the navigation pane.
        self.dashboard_button.setAccessibleName(self.tr("Dashboard"))
        self.dashboard_button.setToolTip(
            self.tr("Dashboard: queues, response times and trends (Ctrl+D)")
        )
        self.settings_button.setToolTip(self.tr("Language, who uses this PC (Ctrl+,)"))
        self.operator_label.setText(
            self.tr("Signed in as %1").replace("%1", name)
            if name
            else self.tr("No member of staff chosen")
        )
        self._show_duty()
        self.search_box.setPlaceholderText(self.tr("Search names and messages  ( / )"))
        self.save_search_button.setText(self.tr("Save"))
        self.save_search_button.setToolTip(
            self.tr("Keep this search in the navigation pane (Ctrl+Shift+S)")
        )
        self.order_combo.clear()
        self.order_combo.addItem(self.tr("Latest activity"), Order.RECENT.value)
        self.order_combo.addItem(self.tr("Longest waiting"), Order.WAITING.value)
        self.order_combo.setCurrentIndex(
            self.order_combo.findData(self.list_model.list_filter.order.value)
        )
        self.list_view.empty_text = self.tr("No conversations here.")
        self.nav_model.retranslate()
        self._select_nav(self.list_model.list_filter)
        self._update_title()
        self._connection_changed(self.ctx.connection.value)
        self._server_changed(self.ctx.server_link.state)
        if self._health is not None:
            self._health_changed(self._health)
        else:
            self.outbox_label.setText("")
            self.fetch_label.setText("")

    def _show_duty(self) -> None:
        """Show whether the acting member of staff is on duty."""
        on = self.ctx.on_duty()
        self.duty_button.setChecked(on)
        self.duty_button.setText(self.tr("On duty") if on else self.tr("Off duty"))
        self.duty_button.setToolTip(
            self.tr("Auto-assignment gives you conversations while you are on duty (Ctrl+Shift+D)")
        )
        self.duty_button.setEnabled(self.ctx.operator_id is not None)
        self._restyle(self.duty_button, "on" if on else "off")

    def set_operator(self, operator_id: str | None) -> None:
        """Act as another member of staff: their drafts, their "Mine", their name."""
        if operator_id == self.ctx.operator_id:
            return
        current = self.current_conversation()
        self.thread_pane.autosave.flush()
        self.thread_pane.open(None)
        self.ctx.operator_id = operator_id
        self.list_model.set_filter(
            dataclasses.replace(self.list_model.list_filter, operator_id=operator_id)
        )
        self.retranslate_ui()
        self.ctx.refresh_counts()
        if current is not None:
            self.thread_pane.open(current)

    def changeEvent(self, event: QEvent) -> None:
        """Follow a change of UI language."""
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "nav_model"):
            self.retranslate_ui()
        super().changeEvent(event)

    # -- navigation and list -----------------------------------------------------------------

    def _select_nav(self, flt: ListFilter) -> None:
        row = self.nav_model.row_of(SAVED, self.saved_id) if self.saved_id else -1
        if row < 0:
            self.saved_id = None
            row = self.nav_model.row_of(flt.view.value, flt.value or "")
        if row >= 0:
            self.nav_view.selectionModel().setCurrentIndex(
                self.nav_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _nav_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._nav_guard:
            return
        self._title_override = ""
        view = str(current.data(ViewRole) or "")
        if not view:
            return
        value = str(current.data(ValueRole) or "") or None
        old = self.list_model.list_filter
        if view == SAVED:
            self._open_saved(value or "")
            return
        text = old.text
        if self.saved_id is not None:  # leaving a saved search leaves its text behind
            self.saved_id = None
            text = ""
            self._set_search_text("")
        order = self._orders[_order_group(View(view))]
        flt = ListFilter(View(view), value, self.ctx.operator_id, text, order)
        if flt != old:
            self.set_filter(flt)
        else:
            self._update_title()

    def _open_saved(self, search_id: str) -> None:
        row = self.nav_model.saved_row(search_id)
        if row is None:
            return
        self.saved_id = row.id
        self._set_search_text(row.query)
        flt = row.list_filter(self.ctx.operator_id, self.list_model.list_filter.order)
        if flt != self.list_model.list_filter:
            self.set_filter(flt)
        else:
            self._update_title()

    def _set_search_text(self, text: str) -> None:
        """Put text in the search box without searching again (the list is set apart)."""
        self.search_box.blockSignals(True)
        self.search_box.setText(text)
        self.search_box.blockSignals(False)
        self.save_search_button.setEnabled(bool(text.strip()))
        if not text:
            self.search_state_label.hide()

    def open_dashboard(self) -> None:
        """Show the managers' dashboard (a window of its own)."""
        if self.dashboard is None:
            self.dashboard = DashboardWindow(self.ctx, self.departments, self)
            self.dashboard.open_list.connect(self.show_list)
        self.dashboard.show()
        self.dashboard.raise_()
        self.dashboard.activateWindow()

    def show_list(self, flt: ListFilter, title: str) -> None:
        """Show exactly the conversations of ``flt`` (from the dashboard) under ``title``;
        the navigation marks the view they belong to, and choosing any entry leaves them."""
        flt = dataclasses.replace(flt, operator_id=flt.operator_id or self.ctx.operator_id)
        self.saved_id = None
        self._set_search_text(flt.text)
        self._nav_guard = True
        try:
            self._select_nav(flt)
        finally:
            self._nav_guard = False
        self._title_override = title
        self.set_filter(flt)
        self.raise_()
        self.activateWindow()

    def save_search(self) -> None:
        """Keep the search in the box (on the list shown) in the navigation pane."""
        self.apply_search()
        self.saved.save(self.list_model.list_filter)

    def _saved_searches_changed(self, rows: object, counts: object) -> None:
        self.nav_model.set_saved(rows, counts)  # type: ignore[arg-type]
        wanted = self.saved.pending_select
        if wanted and self.nav_model.row_of(SAVED, wanted) >= 0:
            self.saved.pending_select = None
            self.nav_view.setCurrentIndex(
                self.nav_model.index(self.nav_model.row_of(SAVED, wanted))
            )

    def set_filter(self, flt: ListFilter) -> None:
        """Show another view, search or order, keeping the open conversation selected."""
        self.list_model.set_filter(flt)
        self._orders[_order_group(flt.view)] = flt.order
        self.order_combo.setCurrentIndex(self.order_combo.findData(flt.order.value))
        self._update_title()
        self._reselect()

    def _update_title(self) -> None:
        if self._title_override:
            self.list_title.setText(self._title_override)
            return
        index = self.nav_view.currentIndex()
        self.list_title.setText(str(index.data() or "") if index.isValid() else "")

    def _reselect(self) -> None:
        cid = self.thread_pane.conversation_id
        row = self.list_model.row_of(cid) if cid else -1
        if row >= 0:
            self.list_view.setCurrentIndex(self.list_model.index(row))
            self.list_view.scrollTo(self.list_model.index(row))

    def _order_changed(self, index: int) -> None:
        order = Order(self.order_combo.itemData(index))
        old = self.list_model.list_filter
        if order != old.order:
            self.set_filter(dataclasses.replace(old, order=order))

    def apply_search(self) -> None:
        """Filter the list by the search box's text now."""
        self._search_timer.stop()
        text = self.search_box.text().strip()
        old = self.list_model.list_filter
        if not text:
            self.search_state_label.hide()
        if text != old.text:
            flt = dataclasses.replace(old, text=text)
            if self.saved_id is not None:  # the search was changed: no longer the saved one
                self.saved_id = None
                self._select_nav(flt)
            self.set_filter(flt)

    def _search_started(self) -> None:
        self.search_state_label.setText(self.tr("Searching…"))
        self.search_state_label.show()

    def _search_finished(self, count: int, more: bool) -> None:
        if more:
            text = self.tr("More than %1 found").replace("%1", f"{count:,}")
        else:
            text = self.tr("%n found", "", count)
        self.search_state_label.setText(text)
        self.search_state_label.show()
        self._reselect()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.list_view.focus_landing:
            return
        selection = self.list_view.selectionModel()
        if not selection.isSelected(current):
            selection.select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.thread_pane.open(str(current.data(IdRole)))

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.thread_pane.open(str(indexes[0].data(IdRole)))

    def _focus_list(self) -> None:
        self.list_view.setFocus()
        if not self.list_view.selectionModel().hasSelection():
            self.move_selection(0)

    def _after_change(self, _changes: object) -> None:
        if not self.list_view.currentIndex().isValid():
            self._reselect()

    # -- keyboard ----------------------------------------------------------------------------

    def _typing(self) -> bool:
        focus = self.focusWidget()
        return isinstance(focus, QLineEdit) or focus is self.thread_pane.composer

    def _shortcut(self, slot: object) -> None:
        if self._typing():  # editors normally claim these keys first; never act while typing
            return
        slot()  # type: ignore[operator]

    def move_selection(self, delta: int) -> None:
        """Select the conversation ``delta`` rows below (j: +1) or above (k: -1)."""
        model = self.list_model
        if model.rowCount() == 0:
            return
        current = self.list_view.currentIndex()
        if not current.isValid():
            row = 0
        elif not self.list_view.selectionModel().isSelected(current):
            row = current.row()  # the focus landed here; choosing it comes first
        else:
            row = current.row() + delta
        if row >= model.rowCount() - 1 and model.canFetchMore():
            model.fetchMore()
        row = max(0, min(model.rowCount() - 1, row))
        index = model.index(row)
        if index == current:
            self._current_changed(index, current)
        else:
            self.list_view.setCurrentIndex(index)
        self.list_view.scrollTo(index)

    def toggle_contact_panel(self) -> None:
        """Show the contact panel and put the keyboard in it, or hide it (Ctrl+I)."""
        self.set_contact_panel_visible(not self.contact_panel.isVisible(), focus=True)

    def set_contact_panel_visible(self, visible: bool, focus: bool = False) -> None:
        """Show or hide the contact panel beside the thread.

        Args:
            visible: Show it.
            focus: Move the keyboard into it (shown) or back to the list (hidden).
        """
        if visible == self.contact_panel.isVisible():
            return
        if visible:
            sizes = self.splitter.sizes()
            width = 300
            sizes[2] = max(360, sizes[2] - width)
            self.contact_panel.show_conversation(self.thread_pane.conversation_id)
            self.contact_panel.show()
            self.splitter.setSizes([*sizes[:3], width])
            if focus:
                self.contact_panel.conversations.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.contact_panel.notes_edit.save_now()
            self.contact_panel.hide()
            if focus:
                self.list_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.contact_panel_toggled.emit(visible)

    def open_conversation(self, conversation_id: str) -> None:
        """Open a conversation in the thread and select it in the list if the list has it."""
        self.thread_pane.open(conversation_id)
        row = self.list_model.row_of(conversation_id)
        if row >= 0:
            index = self.list_model.index(row)
            self.list_view.setCurrentIndex(index)
            self.list_view.scrollTo(index)
        else:
            self.list_view.selectionModel().clearSelection()

    def current_conversation(self) -> str | None:
        """The open conversation's id."""
        return self.thread_pane.conversation_id

    def resolve_current(self) -> None:
        """Resolve the open conversation (or reopen it if it is resolved)."""
        self.thread_pane.toggle_resolved()

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _picker_position(self) -> QPoint:
        index = self.list_view.currentIndex()
        if index.isValid():
            rect = self.list_view.visualRect(index)
            if self.list_view.viewport().rect().intersects(rect):
                return self.list_view.viewport().mapToGlobal(rect.bottomLeft() + QPoint(58, 0))
        return self.thread_pane.mapToGlobal(QPoint(24, 80))

    def _popup(self, menu: QMenu) -> None:
        if self.picker_menu is not None:
            self.picker_menu.close()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.destroyed.connect(lambda *_: self._forget_menu(menu))
        self.picker_menu = menu
        menu.popup(self._picker_position())

    def _forget_menu(self, menu: QMenu) -> None:
        if self.picker_menu is menu:
            self.picker_menu = None

    def open_department_picker(self) -> None:
        """A menu of the departments (keys 1-5) and Untriaged (key 0) for the open conversation."""
        cid = self.current_conversation()
        if cid is None:
            return
        row = self.thread_pane.current_row()
        current = row.department if row else None
        menu = QMenu(self)
        menu.setObjectName("departmentPicker")
        menu.setTitle(self.tr("Department"))
        first: QAction | None = None
        for number, dept in enumerate(self.departments, start=1):
            label = texts.department_name(dept.name_ko, dept.name_en)
            action = menu.addAction(icons.dot_icon(dept.colour), f"&{number}  {label}")
            action.setData(dept.code)
            action.setCheckable(True)
            action.setChecked(dept.code == current)
            action.triggered.connect(functools.partial(self.ctx.tag_department, cid, dept.code))
            if first is None or dept.code == current:
                first = action
        menu.addSeparator()
        none = menu.addAction(f"&0  {texts.untriaged_chip()}")
        none.setData(None)
        none.setCheckable(True)
        none.setChecked(current is None)
        none.triggered.connect(functools.partial(self.ctx.tag_department, cid, None))
        if current is None:
            first = none
        self._popup(menu)
        if first is not None:
            menu.setActiveAction(first)

    def open_assign_picker(self) -> None:
        """A menu of the staff (me first) and "Unassign" for the open conversation."""
        cid = self.current_conversation()
        if cid is None:
            return
        row = self.thread_pane.current_row()
        current = row.assignee_id if row else None
        menu = QMenu(self)
        menu.setObjectName("assignPicker")
        staff = sorted(self.ctx.operators(), key=lambda o: o.id != self.ctx.operator_id)
        active: QAction | None = None
        for number, op in enumerate(staff[:9], start=1):
            label = op.name
            if op.id == self.ctx.operator_id:
                label = self.tr("%1 (me)").replace("%1", op.name)
            action = menu.addAction(f"&{number}  {label}")
            action.setData(op.id)
            action.setCheckable(True)
            action.setChecked(op.id == current)
            action.setEnabled(self.ctx.may_assign(current, op.id))
            action.triggered.connect(functools.partial(self.ctx.assign, cid, op.id))
            if action.isEnabled() and (active is None or op.id == current):
                active = action
        for op in staff[9:]:
            action = menu.addAction(op.name)
            action.setData(op.id)
            action.setEnabled(self.ctx.may_assign(current, op.id))
            action.triggered.connect(functools.partial(self.ctx.assign, cid, op.id))
        menu.addSeparator()
        unassign = self.tr("Unassign")
        none = menu.addAction(f"&0  {unassign}")
        none.setData(None)
        none.setEnabled(self.ctx.may_assign(current, None))
        none.triggered.connect(functools.partial(self.ctx.assign, cid, None))
        self._popup(menu)
        if active is not None:
            menu.setActiveAction(active)

    # -- status ------------------------------------------------------------------------------

    def show_error(self, text: str) -> None:
        """Say what went wrong, in the thread pane's message bar and the status bar."""
        self.thread_pane.show_error(text)
        self.statusBar().showMessage(text, 10_000)

    def _counts_changed(self, counts: NavCounts) -> None:
        self.nav_model.set_counts(counts)

    def _sla_changed(self, marks: Snapshot) -> None:
        self.nav_model.set_breaches(marks.breaches)
        self.list_model.set_cutoffs(marks.cutoffs)

    def _connection_changed(self, state: str) -> None:
        words = {
            Connection.NOT_CONNECTED.value: self.tr("No channels connected"),
            Connection.BY_LEADER.value: self.tr("Channels checked by the leader"),
            Connection.CHECKING.value: self.tr("Connecting…"),
            Connection.ONLINE.value: self.tr("● Online"),
            Connection.OFFLINE.value: self.tr("● Offline: replies wait on this PC"),
        }
        self.connection_label.setText(words.get(state, state))
        self._restyle(self.connection_label, state)

    def _health_changed(self, health: Health) -> None:
        self._health = health
        text = self.tr("%n replies waiting to send", "", health.waiting_to_send)
        if health.failed_replies:
            text += " · " + self.tr("%n not sent", "", health.failed_replies)
        if health.unknown_replies:
            text += " · " + self.tr("%n to check", "", health.unknown_replies)
        self.outbox_label.setText(text)
        self.outbox_label.setToolTip(
            self.tr(
                "A reply to check may or may not have reached the customer (the channel's "
                "answer was lost): open its conversation and look before sending it again."
            )
            if health.unknown_replies
            else ""
        )
        trouble = health.failed_replies or health.unknown_replies
        self._restyle(self.outbox_label, "failed" if trouble else "ok")
        if health.last_fetch_at:
            self.fetch_label.setText(
                self.tr("Last received %1").replace("%1", texts.clock_text(health.last_fetch_at))
            )
        else:
            self.fetch_label.setText(self.tr("Nothing received yet"))
        # Expired logins also get the banner over the conversations; every problem stays
        # listed here.
        self.expired_banner.set_accounts(
            [name for name, code in health.accounts_in_error if code == EXPIRED]
        )
        if health.accounts_in_error:
            names = ", ".join(
                f"{name} ({self._account_problem(code)})" for name, code in health.accounts_in_error
            )
            self.account_errors_label.setText(self.tr("Account problem: %1").replace("%1", names))
            silent = any(code == NO_SECRET for _, code in health.accounts_in_error)
            self.account_errors_label.setToolTip(
                texts.leader_no_secret_help() if silent and self._another_leads() else ""
            )
            self.account_errors_label.show()
        else:
            self.account_errors_label.hide()

    def _another_leads(self) -> bool:
        """A clinic server is configured and this PC does not lead (the leader is elsewhere)."""
        state = self.ctx.server_link.state
        return state.mode is not ServerMode.OFF and not state.leader_is_me

    def _account_problem(self, code: str) -> str:
        """The phrase for an account's error code; ``no_secret`` recorded by a leader on
        another machine names that machine, not this PC."""
        if code == NO_SECRET and self._another_leads():
            return texts.leader_no_secret_text(self.ctx.server_link.state.leader)
        return texts.channel_error_text(code)

    def _after_initial_sync(self, ok: bool) -> None:
        """After a first full copy from the clinic server every list is read afresh."""
        if not ok:
            return
        self.list_model.set_filter(self.list_model.list_filter)
        self.ctx.load_counts_now()
        self.ctx.refresh_health()
        self.ctx.accounts_changed.emit()
        current = self.thread_pane.conversation_id
        if current is not None:
            self.thread_pane.open(None)
            self.thread_pane.open(current)

    def _server_changed(self, state: ServerState) -> None:
        """Show where this PC stands with the clinic server (nothing on a single PC)."""
        shown = state.mode is not ServerMode.OFF
        for label in (self.server_label, self.sync_label, self.leader_label):
            label.setVisible(shown)
        if not shown:
            return
        words = {
            ServerMode.CONNECTING: self.tr("Clinic server: connecting…"),
            ServerMode.ONLINE: self.tr("● Clinic server online"),
            ServerMode.OFFLINE: self.tr("● Clinic server offline: changes wait on this PC"),
        }
        self.server_label.setText(words[state.mode])
        self.server_label.setToolTip(texts.server_check_text(state.reason) if state.reason else "")
        self._restyle(self.server_label, state.mode.value)
        synced = (
            self.tr("Synced %1").replace("%1", texts.clock_text(state.last_sync_at))
            if state.last_sync_at
            else self.tr("Not synced yet")
        )
        if state.pending_ops:
            synced += " · " + self.tr("%n changes not sent", "", state.pending_ops)
        self.sync_label.setText(synced)
        if state.leader_is_me:
            self.leader_label.setText(self.tr("Leader: this PC"))
        elif state.leader:
            self.leader_label.setText(self.tr("Leader: %1").replace("%1", state.leader))
        else:
            self.leader_label.setText(self.tr("Leader: none"))
        self.leader_label.setToolTip(
            self.tr("The leader checks the channels and sends the replies of every PC.")
        )
        if self._health is not None:
            self._health_changed(self._health)  # a leader's missing token names the leader

    @staticmethod
    def _restyle(widget: QWidget, state: str) -> None:
        widget.setProperty("state", state)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # -- geometry and closing ----------------------------------------------------------------

    def restore_geometry_b64(self, value: str) -> bool:
        """Restore a geometry saved by :meth:`geometry_b64`.

        Returns:
            True if it was valid and applied.
        """
        if not value:
            return False
        try:
            data = base64.b64decode(value.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            return False
        return bool(self.restoreGeometry(QByteArray(data)))

    def geometry_b64(self) -> str:
        """The window geometry as base64 text for the settings file."""
        return base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Hand the pending draft to the worker, then let the app shut down."""
        self.thread_pane.autosave.flush()
        self.closing.emit()
        event.accept()
