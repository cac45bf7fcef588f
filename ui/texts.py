"""Every user-visible word the UI builds from the core's codes: view, channel, status and
department names, error sentences, waiting times.

The core speaks in codes (``SotongError.code``, ``Status``, channel kinds); this module turns
them into sentences in the user's language through Qt Linguist (context ``Texts``). Source
strings are English; ``resources/translations/sotong_ko.ts`` holds the Korean.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from console import errors
from console.domain import ChannelKind, OutboxState, Status
from console.store.queries import View

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

_language = "en"


def set_language(language: str) -> None:
    """Record the UI language ("ko" or "en"); department names follow it."""
    global _language  # noqa: PLW0603 - one process-wide UI language
    _language = "ko" if language == "ko" else "en"


def language() -> str:
    """The UI language in use: "ko" or "en"."""
    return _language


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, params: Mapping[str, Any]) -> str:
    return template.format_map(_Missing(params))


# -- navigation --------------------------------------------------------------------------


def view_name(view: View) -> str:
    """The navigation label of a fixed view (departments and channels have their own)."""
    names = {
        View.ALL_OPEN: translate("Texts", "All open"),
        View.MINE: translate("Texts", "Mine"),
        View.UNASSIGNED: translate("Texts", "Unassigned"),
        View.UNTRIAGED: translate("Texts", "Untriaged"),
        View.SNOOZED: translate("Texts", "Snoozed"),
        View.RESOLVED: translate("Texts", "Resolved"),
        View.DEPARTMENT: translate("Texts", "Departments"),
        View.CHANNEL: translate("Texts", "Channels"),
    }
    return names[view]


def untriaged_chip() -> str:
    """The chip shown on a conversation with no department."""
    return translate("Texts", "Untriaged")


def department_name(name_ko: str, name_en: str) -> str:
    """A department's name in the UI language."""
    return name_ko if _language == "ko" else name_en


def channel_name(kind: str) -> str:
    """The human name of a channel kind ("kakaotalk" -> "KakaoTalk" / "카카오톡")."""
    names = {
        ChannelKind.FACEBOOK: translate("Texts", "Facebook"),
        ChannelKind.INSTAGRAM: translate("Texts", "Instagram"),
        ChannelKind.X: translate("Texts", "X"),
        ChannelKind.KAKAOTALK: translate("Texts", "KakaoTalk"),
        ChannelKind.NAVER_TALKTALK: translate("Texts", "Naver TalkTalk"),
        ChannelKind.LINE: translate("Texts", "LINE"),
        ChannelKind.TELEGRAM: translate("Texts", "Telegram"),
        ChannelKind.EMAIL: translate("Texts", "E-mail"),
        ChannelKind.SMS: translate("Texts", "Text message"),
        ChannelKind.WEBFORM: translate("Texts", "Web form"),
        ChannelKind.DEMO: translate("Texts", "Demo"),
    }
    try:
        return names[ChannelKind(kind)]
    except ValueError:
        return kind


def status_name(status: str) -> str:
    """The label of a conversation status."""
    names = {
        Status.OPEN: translate("Texts", "Open"),
        Status.PENDING: translate("Texts", "Waiting on customer"),
        Status.SNOOZED: translate("Texts", "Snoozed"),
        Status.RESOLVED: translate("Texts", "Resolved"),
    }
    try:
        return names[Status(status)]
    except ValueError:
        return status


def outbox_state_text(state: str | None, error: str | None) -> str:
    """The line under a reply that has not been sent yet."""
    if state == OutboxState.QUEUED:
        if error:
            return _fill(
                translate("Texts", "Waiting to send, will retry ({reason})"),
                {"reason": channel_error_text(error)},
            )
        return translate("Texts", "Waiting to send")
    if state == OutboxState.SENDING:
        return translate("Texts", "Sending…")
    if state == OutboxState.FAILED:
        return _fill(
            translate("Texts", "Not sent: {reason}"), {"reason": channel_error_text(error or "")}
        )
    if state == OutboxState.UNKNOWN:
        return translate("Texts", "Sending uncertain: check on the channel before sending again")
    return ""


# -- errors ------------------------------------------------------------------------------


def error_text(exc: BaseException) -> str:
    """One sentence saying what went wrong, for any exception a service raises."""
    if isinstance(exc, errors.SotongError):
        return error_code_text(exc.code, exc.params)
    return _fill(
        translate("Texts", "Something unexpected went wrong ({name}). Please try again."),
        {"name": type(exc).__name__},
    )


def error_code_text(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence for a :class:`console.errors.SotongError` code.

    Args:
        code: The error's ``code``.
        params: The error's ``params`` (placeholders such as ``{max_chars}``).
    """
    sentences = {
        "error": translate("Texts", "The request could not be completed."),
        "not_found": translate("Texts", "That item no longer exists. It may have been deleted."),
        "conversation_not_found": translate(
            "Texts",
            "This conversation could not be found. It may have been deleted or not yet "
            "synchronised to this PC.",
        ),
        "operator_not_found": translate("Texts", "That member of staff could not be found."),
        "invalid_input": translate("Texts", "The value entered is not valid."),
        "unknown_department": translate("Texts", "There is no department called “{department}”."),
        "empty_reply": translate("Texts", "Write a reply before sending."),
        "reply_too_long": translate(
            "Texts",
            "The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.",
        ),
        "empty_note": translate("Texts", "Write something in the note first."),
        "invalid_label": translate(
            "Texts", "A label must be 1 to {max_chars} characters on one line."
        ),
        "invalid_status": translate("Texts", "That status cannot be set here."),
        "snooze_in_past": translate("Texts", "Choose a snooze time in the future."),
        "stale_draft": translate(
            "Texts",
            "The draft was changed elsewhere before this save. Check the text and save again.",
        ),
        "storage_error": translate(
            "Texts",
            "Could not save on this PC. Check the free disk space and permissions. ({reason})",
        ),
    }
    template = sentences.get(code)
    if template is None:
        log.warning("no sentence for error code %r", code)
        template = sentences["error"]
    return _fill(template, params or {})


def channel_error_text(code: str) -> str:
    """A short phrase for a channel or send error code (account errors, failed replies)."""
    phrases = {
        "auth_expired": translate("Texts", "login expired, reconnect the account"),
        "rate_limited": translate("Texts", "too many requests, waiting"),
        "transient": translate("Texts", "connection problem"),
        "rejected": translate("Texts", "refused by the channel"),
        "channel_error": translate("Texts", "channel error"),
        "interrupted": translate("Texts", "interrupted while sending"),
        "text_too_long": translate("Texts", "too long for this channel"),
        "empty_text": translate("Texts", "empty message"),
        "unknown_thread": translate("Texts", "the conversation no longer exists on the channel"),
        "outside_window": translate("Texts", "the channel's reply window has closed"),
        "invalid_token": translate("Texts", "login expired, reconnect the account"),
    }
    return phrases.get(code, code)


# -- time --------------------------------------------------------------------------------


def now_ms() -> int:
    """The current time in milliseconds (UTC)."""
    return time.time_ns() // 1_000_000


def waiting_text(since_ms: int, now: int | None = None) -> str:
    """How long a customer has waited: "just now", "12 min", "3 h", "2 d"."""
    minutes = max(0, ((now if now is not None else now_ms()) - since_ms) // 60_000)
    if minutes < 1:
        return translate("Texts", "just now")
    if minutes < 60:
        return _fill(translate("Texts", "{n} min"), {"n": minutes})
    hours = minutes // 60
    if hours < 24:
        return _fill(translate("Texts", "{n} h"), {"n": hours})
    return _fill(translate("Texts", "{n} d"), {"n": hours // 24})


def clock_text(at_ms: int) -> str:
    """A local wall-clock time with seconds, e.g. "12:31:05"."""
    return _dt.datetime.fromtimestamp(at_ms / 1000).strftime("%H:%M:%S")


def short_time(at_ms: int, now: int | None = None) -> str:
    """A compact local time for lists and bubbles: "14:02" today, else "11/24 14:02"."""
    when = _dt.datetime.fromtimestamp(at_ms / 1000)
    today = _dt.datetime.fromtimestamp((now if now is not None else now_ms()) / 1000).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    if when.year == today.year:
        return _fill(
            translate("Texts", "{month}/{day} {time}"),
            {"month": when.month, "day": when.day, "time": when.strftime("%H:%M")},
        )
    return when.strftime("%Y-%m-%d %H:%M")


def short_date(at_ms: int, now: int | None = None) -> str:
    """A compact local date for list rows of answered conversations: "14:02" or "11/24"."""
    when = _dt.datetime.fromtimestamp(at_ms / 1000)
    today = _dt.datetime.fromtimestamp((now if now is not None else now_ms()) / 1000).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    if when.year == today.year:
        return _fill(translate("Texts", "{month}/{day}"), {"month": when.month, "day": when.day})
    return when.strftime("%Y-%m-%d")
