"""A draft the screen calls saved survives the process being killed at that very moment."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from console.store import open_store
from console.store.queries import draft_for
from tests.helpers.draft_driver import DEFAULT_TEXT
from tests.helpers.factory import add_account, add_conversation, add_operator

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.slow


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line.strip())
    out.put("<eof>")


def test_saved_draft_survives_sigkill(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    operator = add_operator(store, "김지현")
    account = add_account(store, "kakaotalk", "소통의원 카카오톡 채널")
    cid = add_conversation(store, account, [("in", "쌍꺼풀 상담 가능할까요?")], contact="김민지")
    store.close()

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.draft_driver", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    seen = []
    try:
        while True:
            line = lines.get(timeout=30)
            seen.append(line)
            if line == "SAVED":
                os.kill(proc.pid, signal.SIGKILL)
                break
            assert line != "<eof>", f"driver ended early: {seen}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        reader.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    store = open_store(data_dir)
    try:
        draft = draft_for(store, cid, operator)
        assert draft is not None, "the draft the screen called saved is gone"
        assert draft.body == DEFAULT_TEXT
    finally:
        store.close()
