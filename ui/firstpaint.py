"""Cold start to first paint, for the benchmark: ``python -m ui.firstpaint --data-dir DIR``.

Opens the existing store in DIR (no demo, no polling), builds the main window, shows it, and
as soon as the conversation list's viewport has painted rows prints one JSON line
``{"first_paint_ms": X, "rss_mb": Y}`` and exits 0. X counts from the creation of the process
(so interpreter start-up and imports are included); Y is the resident memory then.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import psutil

_PROCESS_START = psutil.Process().create_time()

from PySide6.QtCore import QTimer  # noqa: E402 - the start time is taken before Qt loads
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.settings import load_settings  # noqa: E402
from console.store import open_store  # noqa: E402
from console.store.engine import DB_NAME  # noqa: E402
from console.store.queries import ListFilter, View  # noqa: E402
from ui import app as sotong_app  # noqa: E402
from ui import theme  # noqa: E402
from ui.qtcompat import guard_none_refcount  # noqa: E402

TIMEOUT_S = 60.0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ui.firstpaint", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with sotong.db")
    parser.add_argument(
        "--view",
        default=View.ALL_OPEN.value,
        choices=[v.value for v in View],
        help="navigation view to open (default all_open)",
    )
    parser.add_argument("--value", default=None, help="department code or channel kind")
    parser.add_argument("--language", choices=("ko", "en"), default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure and print; returns the exit code."""
    args = _parse(argv)
    guard_none_refcount()
    if not (args.data_dir / DB_NAME).exists():
        print(f"no store in {args.data_dir}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = load_settings(args.data_dir)
    language = sotong_app.choose_language(args.language, settings.language)
    translators = sotong_app.install_translators(app, language)  # type: ignore[arg-type]
    theme.apply(app)  # type: ignore[arg-type]
    store = open_store(args.data_dir)
    operator_id = sotong_app.choose_operator(store, settings.operator_id, None)
    ctx, window = sotong_app.build_window(store, operator_id)
    view = View(args.view)
    if view is not View.ALL_OPEN or args.value:
        window.set_filter(ListFilter(view, args.value, operator_id))
    result: dict[str, float] = {}

    def painted() -> None:
        if result:
            return
        elapsed = time.time() - _PROCESS_START
        rss = psutil.Process().memory_info().rss / (1024 * 1024)
        result["first_paint_ms"] = round(elapsed * 1000, 1)
        result["rss_mb"] = round(rss, 1)
        app.exit(0)

    def empty() -> None:
        if not result and window.list_model.rowCount() == 0:
            # An empty list paints no rows: report when the window itself has painted.
            painted()

    window.list_view.painted.connect(painted)
    window.show()
    QTimer.singleShot(0, empty)
    QTimer.singleShot(int(TIMEOUT_S * 1000), lambda: app.exit(3))
    code = app.exec()
    window.thread_pane.autosave.flush()
    ctx.stop()
    ctx.tasks.shutdown()
    store.close()
    sotong_app.remove_translators(app, translators)  # type: ignore[arg-type]
    if not result:
        print("the conversation list never painted", file=sys.stderr)
        return code or 3
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
