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
        "draft_conflict_not_found": translate(
            "Texts", "That other version of the draft is gone: it was already restored or removed."
        ),
        "field_conflict_not_found": translate(
            "Texts", "That change was already put back or dismissed."
        ),
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
        "storage_error": translate(
            "Texts",
            "Could not save on this PC. Check the free disk space and permissions. ({reason})",
        ),
        "no_keyring": no_secret_store_text(),
        "server_unavailable": translate(
            "Texts",
            "The clinic server cannot be reached. Changes are kept on this PC and sent when "
            "it is back.",
        ),
        "unknown_channel": translate("Texts", "Sotong does not know the channel “{kind}”."),
        "unknown_connector": translate(
            "Texts", "This version of Sotong has no connector called “{connector}”."
        ),
        "account_exists": translate(
            "Texts", "This account is already connected (same connector and id on the channel)."
        ),
        "account_not_found": translate("Texts", "That channel account no longer exists."),
        "not_permitted": translate(
            "Texts", "Your role does not allow this. Ask a manager or the administrator."
        ),
        "last_admin": translate(
            "Texts", "The clinic needs at least one administrator: make someone else one first."
        ),
        "invalid_rule": translate("Texts", "The routing rule is not valid ({field})."),
        "invalid_rule_pattern": translate(
            "Texts", "The routing rule's regular expression is not valid."
        ),
        "rule_pattern_too_slow": translate(
            "Texts", "The routing rule's regular expression is too long or too slow."
        ),
        "rule_without_condition": translate(
            "Texts", "A routing rule needs at least one condition."
        ),
        "rule_not_found": translate("Texts", "That routing rule no longer exists."),
        "canned_not_found": translate("Texts", "That canned response no longer exists."),
        "invalid_canned": translate("Texts", "The canned response is not valid ({field})."),
        "stale_leader": translate(
            "Texts",
            "Another computer now fetches and sends messages for the clinic;"
            " this one has stopped doing so.",
        ),
        "contact_not_found": translate(
            "Texts", "That contact could not be found. It may not be synchronised to this PC yet."
        ),
        "identity_not_found": translate(
            "Texts", "That channel account is no longer part of this contact."
        ),
        "cannot_merge_contact": translate("Texts", "These two are already the same contact."),
        "last_identity": translate(
            "Texts", "This is the contact's only channel account, so it cannot be split off."
        ),
        "invalid_contact_name": translate(
            "Texts", "A contact's name must be 1 to {max_chars} characters."
        ),
        "contact_notes_too_long": translate(
            "Texts",
            "The notes are too long: {length} characters. Shorten them to {max_chars} or fewer.",
        ),
        "saved_search_not_found": translate(
            "Texts", "That saved search no longer exists. It may have been deleted."
        ),
    }
    if code == "server_check_failed":
        return server_check_text(str((params or {}).get("reason", "other")))
    if code == "server_not_configured":
        return server_field_missing_text(str((params or {}).get("field", "")))
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
        "no_keyring": translate("Texts", "no secure password store on this PC"),
        "no_secret": translate("Texts", "no token on this PC — enter it in Settings → Channels"),
        "unknown_connector": translate("Texts", "not supported by this version"),
        "bad_config": translate("Texts", "connector settings incomplete"),
    }
    return phrases.get(code, code)


# -- channel accounts --------------------------------------------------------------------


def leader_no_secret_text(leader: str | None) -> str:
    """The status bar's phrase for an account the leader (another machine) left out because
    its keyring lacks the token."""
    if not leader:
        return translate("Texts", "no token on the leader: the channel is not checked")
    return _fill(
        translate("Texts", "no token on the leader ({leader}): the channel is not checked"),
        {"leader": leader},
    )


def leader_no_secret_help() -> str:
    """How to give the leader the token it lacks (a tooltip)."""
    return translate(
        "Texts",
        "The computer that checks the channels and sends replies (the leader) has no token "
        "for this account, so nothing is received or sent on it. If the agent leads, store "
        "the token on its machine: sotong agent secret set ACCOUNT. If a PC leads, enter it "
        "there in Settings → Channels (Enter token…).",
    )


def token_missing_here_text() -> str:
    """The Channels tab's mark on an account whose token is not in this PC's keyring."""
    return translate("Texts", "No token on this PC")


def token_missing_here_help() -> str:
    """Why an account is marked as having no token on this PC, and what to do."""
    return translate(
        "Texts",
        "This PC has no token for this account — enter it in Settings → Channels (select "
        "it and press Enter token…). It is needed when this PC checks the channels (when it "
        "leads); with the agent leading, store it on the agent's machine instead.",
    )


def no_secret_store_text() -> str:
    """Why a token cannot be saved on a PC without a keyring backend."""
    return translate(
        "Texts",
        "This PC has no secure password store, so the token cannot be saved. "
        "(Linux: install gnome-keyring or KWallet)",
    )


def connection_check_text(code: str | None) -> str:
    """The sentence for the result of testing an account's connection (None: it worked).

    Args:
        code: None, or a channel error code (auth_expired, rate_limited, transient, rejected)
            or a reason the connector could not be built (no_keyring, no_secret,
            unknown_connector, bad_config).
    """
    if code is None:
        return translate("Texts", "Connected.")
    sentences = {
        "auth_expired": translate(
            "Texts",
            "The login has expired or the token was refused. Reconnect the account with a "
            "new token.",
        ),
        "rate_limited": translate(
            "Texts", "The channel asks Sotong to slow down. Try again in a few minutes."
        ),
        "transient": translate(
            "Texts",
            "The channel could not be reached. Check the internet connection and try again.",
        ),
        "rejected": translate(
            "Texts", "The channel refused the request. Check the account's id and settings."
        ),
        "no_keyring": no_secret_store_text(),
        "no_secret": translate(
            "Texts",
            "The token of this account is missing from this PC's password store. Reconnect "
            "the account.",
        ),
        "unknown_connector": translate(
            "Texts", "This version of Sotong cannot connect this kind of account."
        ),
        "bad_config": translate(
            "Texts", "The account's connector settings are incomplete or wrong."
        ),
    }
    sentence = sentences.get(code)
    if sentence is None:
        return _fill(
            translate("Texts", "The connection test failed ({reason})."),
            {"reason": channel_error_text(code)},
        )
    return sentence


# -- clinic server -----------------------------------------------------------------------


def server_check_text(reason: str) -> str:
    """Why this PC could not connect to the clinic server (a ``ServerCheckFailed`` reason)."""
    sentences = {
        "login_failed": translate(
            "Texts",
            "The clinic server refused the login: the user name or password is wrong.",
        ),
        "unreachable": translate(
            "Texts",
            "The clinic server could not be reached. Check the server address and port, that "
            "the server is on, and this PC's network.",
        ),
        "database_missing": translate(
            "Texts",
            "The clinic server has no database by that name. Check the database name with "
            "the clinic's IT.",
        ),
        "tls_refused": translate(
            "Texts",
            "The secure connection (TLS) failed: the server does not offer it, or its "
            "certificate could not be checked against the CA file. Check the TLS setting and "
            "the CA file.",
        ),
        "not_allowed": translate(
            "Texts",
            "The clinic server does not admit connections from this PC (pg_hba.conf). Ask the "
            "clinic's IT to allow it.",
        ),
        "no_password": translate(
            "Texts", "No password for the clinic server is saved on this PC. Enter it and save."
        ),
        "no_keyring": translate(
            "Texts",
            "This PC has no secure password store, so the clinic server's password cannot be "
            "kept. (Linux: install gnome-keyring or KWallet)",
        ),
    }
    return sentences.get(
        reason,
        translate("Texts", "The clinic server could not be reached (unexpected error)."),
    )


def server_field_missing_text(field: str) -> str:
    """The sentence for clinic server settings with a required field empty."""
    names = {
        "host": translate("Texts", "the server address"),
        "database": translate("Texts", "the database name"),
        "user": translate("Texts", "the user name"),
        "tls": translate("Texts", "the TLS mode"),
        "ca_file": translate("Texts", "the CA file"),
    }
    return _fill(
        translate("Texts", "Fill in {field} of the clinic server."),
        {"field": names.get(field, field)},
    )


def server_version_text(version: str) -> str:
    """The sentence after a successful connection test."""
    return _fill(
        translate("Texts", "Connected to the clinic server (PostgreSQL {version})."),
        {"version": version.split(" ", maxsplit=1)[0]},
    )


def account_state_name(state: str) -> str:
    """The label of an account's state: "active", "paused" or "removed"."""
    names = {
        "active": translate("Texts", "Active"),
        "paused": translate("Texts", "Paused"),
        "removed": translate("Texts", "Removed"),
    }
    return names.get(state, state)


def expired_banner_text(names: list[str]) -> str:
    """The banner over the list when accounts' logins expired, naming them."""
    return _fill(
        translate(
            "Texts",
            "The connection of {names} has expired. Reconnect it in Settings → Channels.",
        ),
        {"names": ", ".join(names)},
    )


# -- time --------------------------------------------------------------------------------


def duration_text(seconds: int) -> str:
    """A remaining time: "45 min", "3 h", "5 d"."""
    minutes = max(1, seconds // 60)
    if minutes < 60:
        return _fill(translate("Texts", "{n} min"), {"n": minutes})
    hours = minutes // 60
    if hours < 24:
        return _fill(translate("Texts", "{n} h"), {"n": hours})
    return _fill(translate("Texts", "{n} d"), {"n": hours // 24})


def window_text(code: str, seconds_left: int) -> str:
    """What the composer says about the channel's reply window ("" when it has none)."""
    if code == "open":
        return _fill(
            translate("Texts", "Reply window closes in {left}"),
            {"left": duration_text(seconds_left)},
        )
    if code == "human_agent":
        return _fill(
            translate(
                "Texts",
                "Outside the 24-hour window: will be sent with the human-agent tag ({left} left)",
            ),
            {"left": duration_text(seconds_left)},
        )
    if code == "closed":
        return translate("Texts", "Cannot reply on this channel now: its reply window has closed")
    return ""


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


def breached_text(count: int) -> str:
    """Beside a navigation entry: how many waiting customers are past the SLA target."""
    return _fill(translate("Texts", "{n} past the response target"), {"n": count})


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
