"""The contract every channel connector implements, its error tree and the shared HTTP client.

A connector turns one network's API into :class:`InboundMessage` values (``fetch``) and sends
one reply (``send``). Everything that can go wrong on the wire is raised as one of four
:class:`ChannelError` subclasses; httpx errors are mapped into them in exactly one place,
:func:`checked`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from console import __version__

USER_AGENT = f"Sotong/{__version__} (+clinic operator console)"


class ChannelError(Exception):
    """Base of every error a connector raises. ``code`` is stable; no prose for users."""

    code = "channel_error"


class AuthExpired(ChannelError):
    """The token was revoked or expired; staff must reconnect the account."""

    code = "auth_expired"


class RateLimited(ChannelError):
    """The API asked us to slow down.

    Args:
        retry_after: Seconds to wait before the next call.
    """

    code = "rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:g}s")
        self.retry_after = retry_after


class Transient(ChannelError):
    """A timeout, a dropped connection or a 5xx: the same call may succeed later.

    Args:
        ambiguous: True if the request may have reached the API (a send may have happened).
    """

    code = "transient"

    def __init__(self, detail: str, ambiguous: bool = False) -> None:
        super().__init__(detail)
        self.ambiguous = ambiguous


class Rejected(ChannelError):
    """The API refused the request for good (outside the reply window, too long, bad payload).

    Args:
        reason: A short stable reason code from the API or the connector.
    """

    code = "rejected"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do.

    Attributes:
        can_poll: Messages can be fetched by polling.
        can_reply: Replies can be sent through the API.
        reply_window_s: Seconds after the customer's last message during which a reply is
            allowed (None: no window).
        max_length: Longest reply in characters.
        attachments: Attachments can be sent.
        dedupes: The API recognises a repeated send by our reply id, so retrying is safe.
        min_poll_interval_s: The least time between two polls of the account (APIs billed
            per call, such as X, set a longer one).
    """

    can_poll: bool = True
    can_reply: bool = True
    reply_window_s: int | None = None
    max_length: int = 2000
    attachments: bool = False
    dedupes: bool = False
    min_poll_interval_s: float = 0.0


@dataclass(frozen=True)
class Attachment:
    """An attachment kept as metadata only (the file stays on the channel)."""

    name: str
    mime_type: str
    size: int


@dataclass(frozen=True)
class InboundMessage:
    """One message as a connector normalises it.

    Attributes:
        external_id: The channel's id of the message (unique per account).
        thread_id: The channel's id of the conversation.
        handle: The customer's handle on the channel.
        contact_name: The customer's display name.
        direction: ``"in"`` from the customer, ``"out"`` sent by the clinic elsewhere.
        body: Plain text.
        sent_at: Milliseconds since the epoch.
        author: Who wrote it, as the channel names them.
        thread_refs: Other thread ids this message may belong to (e-mail References and
            subject keys): it joins an existing conversation with any of them.
        attachments: Attachments, as metadata.
        subject: The subject line, for channels that have one (e-mail, web form).
    """

    external_id: str
    thread_id: str
    handle: str
    contact_name: str
    direction: str
    body: str
    sent_at: int
    author: str = ""
    thread_refs: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class FetchResult:
    """A page of messages and the cursor to continue from (stored only after commit)."""

    messages: list[InboundMessage]
    next_cursor: str | None
    more: bool = False


@dataclass(frozen=True)
class OutgoingReply:
    """One reply to send. ``reply_id`` is the idempotency key.

    Attributes:
        reply_id: Idempotency key (uuid5 of the draft revision).
        thread_id: The conversation's id on the channel.
        handle: The customer's handle.
        body: Plain text.
        customer_last_at: When the customer last wrote (ms), for reply-window rules.
        subject: For channels with subjects (e-mail): the conversation's subject.
        reply_to_external_id: The customer's latest message on the channel (what a threaded
            reply answers, e.g. the post an X reply is attached to).
    """

    reply_id: str
    thread_id: str
    handle: str
    body: str
    customer_last_at: int | None = None
    subject: str = ""
    reply_to_external_id: str = ""


class Channel(abc.ABC):
    """A connector for one channel account."""

    capabilities: Capabilities = Capabilities()

    @abc.abstractmethod
    def fetch(self, cursor: str | None) -> FetchResult:
        """Fetch messages after ``cursor`` (None: from the beginning). Safe to repeat."""

    @abc.abstractmethod
    def send(self, reply: OutgoingReply) -> str:
        """Send one reply and return the channel's id for the sent message."""

    def skipped_counts(self) -> Mapping[str, int]:
        """Items left out so far because they were malformed or unsupported, by reason
        (connectors that skip keep a ``skipped`` counter)."""
        counts: Mapping[str, int] = getattr(self, "skipped", {})
        return counts

    def max_length_for(self, thread_id: str) -> int:
        """The longest reply this thread accepts (a DM may allow more than a public post)."""
        del thread_id
        return self.capabilities.max_length

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release network resources."""


def make_client(
    base_url: str = "",
    *,
    token: str | None = None,
    proxy: str | None = None,
    timeout_s: float = 15.0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The one way connectors get an HTTP client: timeouts, limits, User-Agent, proxy.

    Args:
        base_url: Prefix for relative request URLs.
        token: Bearer token (kept in the client only; never logged).
        proxy: Proxy URL from settings, if the clinic uses one.
        timeout_s: Read/write timeout; connecting gets at most 5 s.
        transport: Injected transport (tests use ``httpx.MockTransport``).
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        proxy=proxy,
        transport=transport,
        trust_env=False,
        follow_redirects=False,
    )


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 30.0


@contextmanager
def checked(*, sending: bool = False) -> Iterator[None]:
    """Map transport failures inside the block to the channel error tree.

    Args:
        sending: The block sends something; a failure after the request left is ambiguous.
    """
    try:
        yield
    except httpx.ConnectError as exc:
        raise Transient(f"connect: {type(exc).__name__}") from None
    except httpx.ConnectTimeout:
        raise Transient("connect timeout") from None
    except httpx.TimeoutException as exc:
        raise Transient(f"timeout: {type(exc).__name__}", ambiguous=sending) from None
    except httpx.TransportError as exc:
        raise Transient(f"transport: {type(exc).__name__}", ambiguous=sending) from None


def raise_for_status(response: httpx.Response) -> None:
    """Map an HTTP error status to the channel error tree (2xx passes)."""
    status = response.status_code
    if status < 400:
        return
    if status in (401, 403):
        raise AuthExpired(f"http {status}")
    if status == 429:
        raise RateLimited(_retry_after(response))
    if status >= 500:
        raise Transient(f"http {status}", ambiguous=True)
    reason = f"http_{status}"
    try:
        payload = response.json()
        if isinstance(payload, dict):
            err = payload.get("error")
            if isinstance(err, dict):
                err = err.get("code") or err.get("type")
            if isinstance(err, str | int) and str(err):
                reason = str(err)[:80]
    except ValueError:
        pass
    raise Rejected(reason)
