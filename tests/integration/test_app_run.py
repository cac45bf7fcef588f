"""The app end to end in fresh processes: the demo screenshot and the first-paint measurement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtGui import QImage

from console.store import open_store
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.ui_data import bulk_conversations

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.slow

SHOT = """
import sys
from pathlib import Path
from ui.app import AppOptions, run
sys.exit(run(AppOptions(Path(sys.argv[1]), demo=True, screenshot=Path(sys.argv[2]),
                        quit_after=2.0, language="ko", demo_interval_s=0)))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_demo_screenshot_is_a_full_window(tmp_path: Path) -> None:
    png = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-c", SHOT, str(tmp_path / "demo"), str(png)],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(png))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 40, "the window painted more than a blank surface"
    # The demo's conversations were fetched and the thread of the first one is open.
    store = open_store(tmp_path / "demo")
    try:
        assert len(store.departments()) == 5
        from console.store.queries import ListFilter, conversation_ids

        assert len(conversation_ids(store, ListFilter(), limit=1000)) > 50
    finally:
        store.close()


def test_demo_screenshot_of_the_dashboard_shows_its_whole_page(tmp_path: Path) -> None:
    """The README's dashboard picture command: `sotong demo --screenshot F --show dashboard`."""
    png = tmp_path / "dashboard.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "demo",
            "--data-dir",
            str(tmp_path / "demo"),
            "--screenshot",
            str(png),
            "--quit-after",
            "4",
            "--interval",
            "0",
            "--language",
            "ko",
            "--show",
            "dashboard",
        ],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(png))
    assert not image.isNull()
    # The whole page (cards, two tables, three charts, staff), not the window's first screen.
    assert image.width() >= 1100 and image.height() > 1300
    colours = {image.pixel(x, y) for x in range(0, image.width(), 16) for y in range(0, 1300, 16)}
    assert len(colours) > 40, "the dashboard painted more than a blank surface"


def test_run_quits_after_the_time_asked_and_saves_geometry(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    add_operator(store)
    add_conversation(store, add_account(store), [("in", "안녕하세요")])
    store.close()
    code = """
import sys
from pathlib import Path
from ui.app import AppOptions, run
sys.exit(run(AppOptions(Path(sys.argv[1]), quit_after=0.5, language="en")))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    from console.settings import load_settings

    assert load_settings(data_dir).window_geometry, "the window geometry was saved"


def test_first_paint_prints_one_json_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    add_operator(store)
    bulk_conversations(store, add_account(store), 500)
    store.close()
    done = subprocess.run(
        [sys.executable, "-m", "ui.firstpaint", "--data-dir", str(data_dir)],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert set(figures) == {"first_paint_ms", "rss_mb"}
    assert 0 < figures["first_paint_ms"] < 30_000
    assert figures["rss_mb"] > 10


def test_first_paint_refuses_a_folder_without_a_store(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.firstpaint", "--data-dir", str(tmp_path)],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
