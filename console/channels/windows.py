"""Reply windows: how long after a customer's last message a channel lets the clinic answer.

Plain functions with no network code, so the composer can show "window closes in 3 h" at
drafting time cheaply; connectors check the same rule again at send time.

Meta (Messenger, Instagram): a standard 24-hour window after the customer's last message,
then up to 7 days for a human agent with the ``HUMAN_AGENT`` message tag, then nothing
(https://developers.facebook.com/docs/messenger-platform/policy/policy-overview/#24hours_window).
Channels not listed here have no window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DAY_S = 24 * 3600
STANDARD_WINDOW_S = DAY_S
HUMAN_AGENT_WINDOW_S = 7 * DAY_S


@dataclass(frozen=True)
class WindowState:
    """Where a conversation stands in its channel's reply window.

    Attributes:
        code: ``"none"`` (the channel has no window), ``"open"`` (standard window),
            ``"human_agent"`` (only a human agent may answer, with the HUMAN_AGENT tag) or
            ``"closed"``.
        seconds_left: Seconds until the current window closes (0 when closed or none).
    """

    code: str
    seconds_left: int


def meta_window(now_ms: int, customer_last_at_ms: int | None) -> WindowState:
    """Meta's windows: ``open`` within 24 h of the customer's last message, ``human_agent``
    from 24 h to 7 days, ``closed`` after that (or with no customer message)."""
    if customer_last_at_ms is None:
        return WindowState("closed", 0)
    elapsed_ms = max(0, now_ms - customer_last_at_ms)
    for code, limit_s in (("open", STANDARD_WINDOW_S), ("human_agent", HUMAN_AGENT_WINDOW_S)):
        if elapsed_ms < limit_s * 1000:
            return WindowState(code, (limit_s * 1000 - elapsed_ms) // 1000)
    return WindowState("closed", 0)


#: Connector name -> its window rule.
WINDOW_RULES: dict[str, Callable[[int, int | None], WindowState]] = {
    "facebook": meta_window,
    "instagram": meta_window,
}


def reply_window(connector: str, now_ms: int, customer_last_at_ms: int | None) -> WindowState:
    """The reply window of a conversation on an account with this connector."""
    rule = WINDOW_RULES.get(connector)
    return rule(now_ms, customer_last_at_ms) if rule else WindowState("none", 0)
