"""Codes become sentences: every service error, every channel and status, waiting times."""

from __future__ import annotations

import inspect

import pytest

from console import errors
from console.domain import ChannelKind, Status
from ui import texts

NOW = 1_700_000_000_000


def _error_classes() -> list[type[errors.SotongError]]:
    return [
        cls
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.SotongError)
    ]


def test_every_error_code_has_its_own_sentence(qapp: object) -> None:
    generic = texts.error_code_text("error")
    sentences = {}
    for cls in _error_classes():
        sentence = texts.error_code_text(cls.code, {})
        assert sentence.strip(), cls.code
        if cls is not errors.SotongError:
            assert sentence != generic, f"{cls.code} falls back to the generic sentence"
        sentences[cls.code] = sentence
    assert len(set(sentences.values())) == len(sentences), "two codes share a sentence"


def test_error_sentences_fill_in_their_values(qapp: object) -> None:
    too_long = texts.error_text(errors.ReplyTooLong(length=20_123, max_chars=20_000))
    assert "20123" in too_long and "20000" in too_long and "{" not in too_long
    dept = texts.error_text(errors.UnknownDepartment(department="ophthalmology"))
    assert "ophthalmology" in dept
    storage = texts.error_text(errors.StorageError(reason="database or disk is full"))
    assert "database or disk is full" in storage


def test_unexpected_exceptions_still_get_a_sentence(qapp: object) -> None:
    assert "KeyError" in texts.error_text(KeyError("x"))


def test_every_channel_and_status_has_a_name(qapp: object) -> None:
    for kind in ChannelKind:
        assert texts.channel_name(kind.value)
    assert texts.channel_name("kakaotalk") == "KakaoTalk"
    assert texts.channel_name("naver_talktalk") == "Naver TalkTalk"
    assert texts.channel_name("unknown-network") == "unknown-network"
    assert {texts.status_name(s.value) for s in Status} == {
        "Open",
        "Waiting on customer",
        "Snoozed",
        "Resolved",
    }


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "just now"), (12, "12 min"), (59, "59 min"), (60 * 3 + 5, "3 h"), (60 * 49, "2 d")],
)
def test_waiting_time(qapp: object, minutes: int, expected: str) -> None:
    assert texts.waiting_text(NOW - minutes * 60_000, now=NOW) == expected


def test_outbox_state_lines(qapp: object) -> None:
    assert texts.outbox_state_text("queued", None) == "Waiting to send"
    assert texts.outbox_state_text("sending", None) == "Sending…"
    assert texts.outbox_state_text("failed", "text_too_long") == (
        "Not sent: too long for this channel"
    )
    assert texts.outbox_state_text("unknown", "interrupted").startswith("Sending uncertain")
    assert "will retry" in texts.outbox_state_text("queued", "transient")


def test_the_ui_font_draws_hangul_not_boxes(qapp: object) -> None:
    """Screenshots and staff see glyphs: some family in the UI font covers Hangul syllables."""
    from PySide6.QtGui import QFontMetrics

    from ui.theme import ui_font

    metrics = QFontMetrics(ui_font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "소통한글미분류")
