"""Drive the real main window in a subprocess: type a draft, say when it is saved.

``python -m tests.helpers.draft_driver DATA_DIR [TEXT]`` opens the store in DATA_DIR (made by
the test, with one operator and a conversation), shows the main window offscreen with the real
worker threads, opens the first conversation and types TEXT into the composer the way a Korean
input method delivers it (committed syllables, a few at a time). The moment the autosave
indicator says "saved" for the whole text it prints ``SAVED`` and keeps running, so the test
can kill it there. It exits by itself after 60 seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_TEXT = (
    "안녕하세요 고객님, 소통의원입니다. 문의하신 쌍꺼풀 상담은 이번 주 토요일 오전 10시에 "
    "가능합니다. 방문 전에 복용 중인 약이 있으면 알려 주세요.\n감사합니다."
)


def main(argv: list[str]) -> int:
    """Run the driver; returns the exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    from console.store import open_store
    from ui.app import build_window, choose_operator, install_translators
    from ui.composer import DraftState

    data_dir = Path(argv[1])
    text = argv[2] if len(argv) > 2 else DEFAULT_TEXT
    app = QApplication(argv[:1])
    install_translators(app, "en")
    store = open_store(data_dir)
    ctx, window = build_window(store, choose_operator(store, "", None))
    window.show()
    window.move_selection(0)
    pane = window.thread_pane
    composer = pane.composer
    composer.setFocus()
    chunks = [text[i : i + 3] for i in range(0, len(text), 3)]
    announced = False

    def on_state(state: str) -> None:
        nonlocal announced
        if state == DraftState.SAVED.value and composer.toPlainText() == text and not announced:
            announced = True
            print("SAVED", flush=True)

    pane.autosave.state_changed.connect(on_state)

    def type_next() -> None:
        if not chunks:
            print("TYPED", flush=True)
            return
        event = QInputMethodEvent("", [])
        event.setCommitString(chunks.pop(0))
        QApplication.sendEvent(composer, event)
        QTimer.singleShot(15, type_next)

    QTimer.singleShot(100, type_next)
    QTimer.singleShot(60_000, app.quit)
    code = app.exec()
    ctx.tasks.shutdown()
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
