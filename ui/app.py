"""Starting the desktop console: translators, style, store, demo, main window, shutdown.

The command line calls ``run(AppOptions(...))`` for ``sotong`` and ``sotong demo``. With
``screenshot`` the window is grabbed to a PNG after ``quit_after`` seconds (3 by default) and
the app exits; with only ``quit_after`` it simply exits then.

The channel runtime is built by the context on its network worker once the window shows
(:func:`console.accounts.build_runtime` reads the keyring, which can block for a moment), and
again whenever the accounts change in Settings → Channels. ``sotong demo`` starts with the demo
session's runtime; rebuilt, its demo accounts connect to the same demo server.
"""

from __future__ import annotations

import dataclasses
import getpass
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from console import services
from console.domain import Role
from console.errors import SotongError, StorageError
from console.resources import resource
from console.settings import Settings, load_settings, save_settings
from console.store import open_store
from console.store.engine import Store
from console.store.queries import operators, thread_items
from ui import icons, texts, theme
from ui.context import AppContext, RuntimeFactory
from ui.mainwindow import MainWindow
from ui.qtcompat import guard_none_refcount
from ui.settingsdialog import CHANNELS_TAB, GENERAL_TAB, SettingsDialog
from ui.tasks import Tasks

if TYPE_CHECKING:
    from console.demo.session import DemoSession
    from console.routing.triage import Triage
    from console.runtime import Fence, Runtime

log = logging.getLogger(__name__)

DEFAULT_SCREENSHOT_DELAY_S = 3.0


@dataclass(frozen=True)
class AppOptions:
    """How to start the console.

    Attributes:
        data_dir: Folder with the store and the settings.
        demo: Start the demo channel server and connect to it.
        screenshot: Grab the main window to this PNG, then exit.
        quit_after: Seconds before exiting (or before the screenshot).
        language: "ko" or "en" to override the settings and the system locale.
        demo_interval_s: Seconds between the demo's live messages.
        show: What the screenshot shows: "main" (the main window) or "dashboard" (the
            managers' dashboard, its whole page).
    """

    data_dir: Path
    demo: bool = False
    screenshot: Path | None = None
    quit_after: float | None = None
    language: str | None = None
    demo_interval_s: float = 6.0
    show: str = "main"


def choose_language(option: str | None, setting: str, system: QLocale | None = None) -> str:
    """Korean when asked for (option, then settings) or when the system is Korean; else English.

    Returns:
        "ko" or "en".
    """
    for choice in (option, setting):
        if choice in ("ko", "en"):
            return choice
    locale = system if system is not None else QLocale.system()
    return "ko" if locale.language() == QLocale.Language.Korean else "en"


def install_translators(app: QApplication, language: str) -> list[QTranslator]:
    """Install Sotong's translator for ``language`` and Qt's own ``qtbase`` one.

    Returns:
        The installed translators (keep them alive; pass them to :func:`remove_translators`).
    """
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator(app)
    if qt_dir and qtbase.load(f"qtbase_{language}", qt_dir) and app.installTranslator(qtbase):
        installed.append(qtbase)
    try:
        data = resource("translations", f"sotong_{language}.qm").read_bytes()
    except (FileNotFoundError, OSError):
        log.warning("translation sotong_%s.qm missing", language)
        data = b""
    ours = QTranslator(app)
    if data and ours.load(data):
        ours._data = data  # type: ignore[attr-defined]  # QTranslator reads from this buffer
        if app.installTranslator(ours):
            installed.append(ours)
    texts.set_language(language)
    return installed


def remove_translators(app: QApplication, translators: list[QTranslator]) -> None:
    """Uninstall translators installed by :func:`install_translators`."""
    for translator in translators:
        app.removeTranslator(translator)


def choose_operator(store: Store, configured: str, demo_operator: str | None) -> str | None:
    """The member of staff using this PC: the configured one if known, else the demo's,
    else the first by name. A store with no staff yet gets its first member, named after
    this PC's login, as its administrator."""
    staff = operators(store)
    if not staff:
        name = getpass.getuser() or "Sotong"
        services.add_operator(store, services.Actor(None), name, Role.ADMIN.value)
        staff = operators(store)
    known = {op.id for op in staff}
    if configured and configured in known:
        return configured
    if demo_operator and demo_operator in known:
        return demo_operator
    return staff[0].id if staff else None


def build_window(
    store: Store,
    operator_id: str | None,
    tasks: Tasks | None = None,
    runtime: Runtime | None = None,
    poll_interval_s: float = 5.0,
    runtime_factory: RuntimeFactory | None = None,
    triage: Triage | None = None,
) -> tuple[AppContext, MainWindow]:
    """The context and main window over an open store (the QApplication must exist)."""
    ctx = AppContext(
        store,
        operator_id,
        tasks or Tasks(),
        runtime,
        poll_interval_s,
        runtime_factory=runtime_factory,
        triage=triage,
    )
    window = MainWindow(ctx)
    return ctx, window


def account_runtime_factory(triage: Triage | None = None, proxy: str = "") -> RuntimeFactory:
    """Builds the runtime over the store's enabled accounts (run on the network worker),
    routing new conversations with ``triage`` and reaching the APIs through ``proxy``; on
    the clinic server every write it makes is fenced by the leader (``fence``)."""

    def build(store: Store, fence: Fence | None = None) -> Runtime:
        from console.accounts import build_runtime

        return build_runtime(store, triage=triage, proxy=proxy, fence=fence)

    return build


def demo_runtime_factory(session: DemoSession) -> RuntimeFactory:
    """For ``sotong demo``: a factory that connects the enabled demo accounts to the running
    local servers (tokens held by the session) and every other enabled account as usual."""

    def build(store: Store, fence: Fence | None = None) -> Runtime:
        from console.accounts import build_runtime, list_accounts
        from console.runtime import Runtime

        channels = dict(build_runtime(store, fence=fence).channels)
        for row in list_accounts(store):
            if row.enabled and row.id not in channels:
                channel = session.channel_for(row.id)
                if channel is not None:
                    channels[row.id] = channel
        return Runtime(store, channels, triage=session.runtime.triage, fence=fence)

    return build


def _index_history_in_background(store: Store) -> None:
    """Make older messages searchable (a store upgraded from a version without search, or a
    large restore) on a thread of its own: short resumable batches that interleave with the
    app's writes; an exit midway loses nothing, the next start resumes."""
    from console.store import search

    def work() -> None:
        try:
            if not search.index_status(store).ready:
                status = search.ensure_index(store)
                log.info("search index ready: %d messages", status.indexed)
        except Exception:  # derived data: the next start tries again
            log.warning("search index not finished", exc_info=True)

    threading.Thread(target=work, name="sotong-search-index", daemon=True).start()


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1] or ["sotong"])
    return app


def _save_geometry(data_dir: Path, geometry: str) -> None:
    try:
        settings = load_settings(data_dir)
        save_settings(data_dir, dataclasses.replace(settings, window_geometry=geometry))
    except OSError as exc:
        log.warning("could not save the window geometry: %s", exc)


def save_contact_panel(data_dir: Path, visible: bool) -> None:
    """Remember whether the contact panel is shown (a failure to write is only logged)."""
    try:
        settings = load_settings(data_dir)
        save_settings(data_dir, dataclasses.replace(settings, contact_panel=visible))
    except OSError as exc:
        log.warning("could not save the contact panel state: %s", exc)


def run(options: AppOptions) -> int:
    """Run the console until the window closes (or the screenshot is taken).

    Returns:
        The process exit code.
    """
    guard_none_refcount()  # also when ``ui`` was imported as a namespace package
    app = _application()
    app.setApplicationName("Sotong")
    app.setOrganizationName("Sotong")
    app.setWindowIcon(icons.app_icon())
    settings = load_settings(options.data_dir)
    language = choose_language(options.language, settings.language)
    translators = install_translators(app, language)
    theme.apply(app)

    try:
        store = open_store(options.data_dir)
    except SotongError as exc:
        print(texts.error_text(exc), file=sys.stderr)
        remove_translators(app, translators)
        return 1
    session: DemoSession | None = None
    tasks = Tasks()
    window: MainWindow | None = None
    ctx: AppContext | None = None
    try:
        from console.routing.triage import Triage  # the classifier loads with the app only

        triage = Triage.for_data_dir(options.data_dir)
        if options.demo:
            # Imported here: the demo (and the HTTP stack under it) is not needed otherwise.
            from console.demo.session import start_demo

            session = start_demo(store, interval_s=options.demo_interval_s, triage=triage)
        operator_id = choose_operator(
            store, settings.operator_id, session.operator_id if session else None
        )
        ctx, window = build_window(
            store,
            operator_id,
            tasks,
            session.runtime if session else None,
            settings.poll_interval_s,
            (
                demo_runtime_factory(session)
                if session
                else account_runtime_factory(triage, settings.proxy)
            ),
            triage,
        )
        if options.screenshot is None:
            window.restore_geometry_b64(settings.window_geometry)
            window.set_contact_panel_visible(settings.contact_panel)
            window.contact_panel_toggled.connect(
                lambda visible: save_contact_panel(options.data_dir, visible)
            )
        window.settings_requested.connect(
            lambda: _edit_settings(app, window, options.data_dir, translators)
        )
        window.channels_requested.connect(
            lambda: _edit_settings(app, window, options.data_dir, translators, CHANNELS_TAB)
        )
        window.show()
        ctx.start()
        ctx.configure_server(settings.server)  # single-PC mode when none is configured
        _index_history_in_background(store)
        code = _schedule_exit(app, window, options)
        previous, waker = _install_sigint(app)
        try:
            result = app.exec()
        finally:
            waker.stop()
            waker.deleteLater()
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        if options.screenshot is None:
            _save_geometry(options.data_dir, window.geometry_b64())
        return code[0] if code[0] is not None else result
    finally:
        if window is not None:
            window.thread_pane.autosave.flush()
        if ctx is not None:
            ctx.stop()
        tasks.shutdown()
        if ctx is not None:
            ctx.close_runtime()
            ctx.server_link.close()
        if window is not None:
            window.close()
            window.deleteLater()
        if session is not None:
            session.stop()
        store.close()
        remove_translators(app, translators)


def apply_settings(
    app: QApplication,
    window: MainWindow,
    old: Settings,
    new: Settings,
    translators: list[QTranslator],
) -> None:
    """Put changed settings into effect at once.

    Args:
        app: The application (its translators are swapped for a new language).
        window: The main window.
        old: The settings in effect.
        new: The settings chosen.
        translators: The installed translators; replaced in place on a language change.
    """
    if new.language != old.language:
        language = choose_language(None, new.language)
        remove_translators(app, translators)
        translators[:] = install_translators(app, language)  # widgets get LanguageChange
    if new.operator_id and new.operator_id != window.ctx.operator_id:
        window.set_operator(new.operator_id)
    if new.poll_interval_s != old.poll_interval_s:
        window.ctx.set_poll_interval(new.poll_interval_s)


def _edit_settings(
    app: QApplication,
    window: MainWindow,
    data_dir: Path,
    translators: list[QTranslator],
    tab: str = GENERAL_TAB,
) -> None:
    current = load_settings(data_dir)
    if not current.operator_id and window.ctx.operator_id:
        current = dataclasses.replace(current, operator_id=window.ctx.operator_id)
    dialog = SettingsDialog(
        current, window.ctx.operators(), window, ctx=window.ctx, data_dir=data_dir
    )
    if dialog.server_panel is not None:
        dialog.server_panel.saved.connect(window.ctx.configure_server)
    dialog.show_tab(tab)
    try:
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        chosen = dialog.chosen()
    finally:
        dialog.deleteLater()  # the Channels tab stops following the accounts
    try:
        save_settings(data_dir, chosen)
    except OSError as exc:
        window.show_error(texts.error_text(StorageError(reason=type(exc).__name__)))
        return
    apply_settings(app, window, current, chosen, translators)


def _schedule_exit(app: QApplication, window: MainWindow, options: AppOptions) -> list[int | None]:
    """Arrange the timed exit or screenshot; returns a cell the exit code is put in."""
    code: list[int | None] = [None]
    if options.screenshot is not None:
        delay = (
            options.quit_after if options.quit_after is not None else (DEFAULT_SCREENSHOT_DELAY_S)
        )
        target = options.screenshot

        def shoot() -> None:
            if window.list_model.rowCount() and not window.current_conversation():
                window.move_selection(0)
            app.processEvents()
            target.parent.mkdir(parents=True, exist_ok=True)
            board = window.dashboard
            if options.show == "dashboard" and board is not None:
                ok = board.page.grab().save(str(target), "PNG")
            else:
                ok = window.grab().save(str(target), "PNG")
            if not ok:
                log.error("could not write the screenshot to %s", target)
            code[0] = 0 if ok else 1
            app.exit(code[0])

        # Open the first conversation a moment before the shot so its thread is painted.
        QTimer.singleShot(int(max(0.0, delay - 0.5) * 1000), _open_first(window))
        if options.show == "dashboard":  # time for the figures of what the demo fetched
            QTimer.singleShot(int(max(0.0, delay - 2.0) * 1000), window.open_dashboard)
        QTimer.singleShot(int(delay * 1000), shoot)
    elif options.quit_after is not None:
        QTimer.singleShot(int(options.quit_after * 1000), app.quit)
    return code


def _open_first(window: MainWindow) -> Callable[[], None]:
    """For the screenshot: open the first of the top rows with a real exchange (messages both
    ways), so the picture shows the thread as staff see it; else the first row."""

    def go() -> None:
        model = window.list_model
        if not model.rowCount() or window.current_conversation():
            return
        row = 0
        for candidate in range(min(15, model.rowCount())):
            cid = model.id_at(candidate)
            items = thread_items(window.ctx.store, cid) if cid else []
            if len(items) >= 3 and {i.direction for i in items} == {"in", "out"}:
                row = candidate
                break
        window.list_view.setFocus()
        window.list_view.selectionModel().setCurrentIndex(
            model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    return go


def _install_sigint(app: QApplication) -> tuple[Any, QTimer]:
    """Let Ctrl+C in the terminal close the app (Python handlers need the loop to wake up).

    Returns:
        The previous handler (None if it could not be replaced) and the waking timer.
    """
    previous: Any = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda *_: app.quit())
    waker = QTimer(app)
    waker.setInterval(300)
    waker.timeout.connect(lambda: None)
    waker.start()
    return previous, waker
