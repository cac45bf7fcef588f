"""The composer says where a conversation stands in its channel's reply window."""

from __future__ import annotations

import pytest

from console.channels.windows import reply_window
from console.store.models import ChannelAccount, Conversation
from tests.helpers.factory import add_account, add_conversation, now_ms
from tests.unit.ui.conftest import Clinic
from ui.mainwindow import MainWindow

HOUR = 3_600_000


@pytest.mark.parametrize(
    ("hours_ago", "code", "left_h"),
    [(2, "open", 22), (30, "human_agent", 138), (24 * 8, "closed", 0)],
)
def test_meta_windows(hours_ago: int, code: str, left_h: int) -> None:
    now = now_ms()
    state = reply_window("facebook", now, now - hours_ago * HOUR)
    assert (state.code, state.seconds_left // 3600) == (code, left_h)
    assert reply_window("telegram", now, now - hours_ago * HOUR).code == "none"


@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [
        (2, "Reply window closes in 21 h"),  # 21 h 59 min: never overstated
        (30, "Outside the 24-hour window: will be sent with the human-agent tag (5 d left)"),
        (24 * 8, "Cannot reply on this channel now: its reply window has closed"),
    ],
)
def test_the_composer_shows_the_window(
    window: MainWindow, clinic: Clinic, hours_ago: int, expected: str
) -> None:
    account = add_account(clinic.store, "facebook", "소통의원 Facebook")
    cid = add_conversation(clinic.store, account, [("in", "예약 문의요")])
    with clinic.store.write() as s:
        s.get(ChannelAccount, account).connector = "facebook"  # type: ignore[union-attr]
        s.get(Conversation, cid).last_inbound_at = now_ms() - hours_ago * HOUR  # type: ignore[union-attr]
    window.thread_pane.open(cid)
    label = window.thread_pane.window_label
    assert label.text() == expected and not label.isHidden()


def test_channels_without_a_window_say_nothing(window: MainWindow, clinic: Clinic) -> None:
    window.thread_pane.open(clinic.first)
    assert window.thread_pane.window_label.isHidden()
