"""`sotong demo --screenshot`, the README's command, in a real window on an X server (Xvfb)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _screenshot(tmp_path: Path, env: dict[str, str]) -> Path:
    out = tmp_path / "shot.png"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "demo",
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(out),
            "--quit-after",
            "2",
            "--interval",
            "0",
            "--language",
            "ko",
        ],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    return out


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A throwaway X server on a free display, stopped by its PID."""
    if shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is not installed: .ci/run must install it")
        pytest.skip("Xvfb not installed")
    for number in range(91, 120):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    display = f":{number}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert proc.poll() is None, "Xvfb exited"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield display
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_screenshot_in_a_real_x_window(tmp_path: Path, xvfb: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": xvfb}
    out = _screenshot(tmp_path, env)
    width, height = _png_size(out)
    assert width >= 1000 and height >= 600
