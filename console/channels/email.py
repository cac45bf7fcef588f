"""The e-mail connector: IMAP polling by UID, IMAP IDLE, SMTP sending with safe retries.

Receiving follows IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051): the mailbox is opened
read-only (EXAMINE) and messages are read with ``BODY.PEEK[]``, so nothing is marked read for
the clinic's other mail programs. The cursor is a JSON string
``{"uidvalidity": V, "last_uid": N}``; UIDs only mean something within one UIDVALIDITY, so a
changed UIDVALIDITY starts again from the first message and the store drops what it already
has by external id (the Message-ID, or a hash of the raw message when there is none). New mail
can be waited for with IMAP IDLE (RFC 2177) through :meth:`EmailChannel.idle`, which the
standard library's ``imaplib`` lacks, hence IMAPClient.

Sending uses SMTP (RFC 5321) with STARTTLS or implicit TLS. The reply's Message-ID is
``<{reply_id}@{domain of the from address}>`` and a copy goes to the Sent folder; before sending,
the Sent folder is searched for that Message-ID and a reply already there is not sent again.
That makes a retry after a crash or an ambiguous failure safe (``capabilities.dedupes``).
Messages are parsed by :mod:`console.channels._mime` (RFC 5322, RFC 2045, RFC 2047).

The password is handed to the servers and nowhere else: it is never logged and never appears
in an exception's text. Errors carry short codes (``imap_login``, ``smtp_550`` ...).
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, TypeVar

from imapclient import IMAPClient, SocketTimeout  # type: ignore[import-untyped]
from imapclient.exceptions import (  # type: ignore[import-untyped]
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from console.channels._mime import (
    ParsedMail,
    clean_text,
    parse_message,
    raw_hash,
    subject_key,
)
from console.channels.base import (
    AuthExpired,
    Capabilities,
    Channel,
    ChannelError,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    Rejected,
    Transient,
)

__all__ = ["EmailChannel", "EmailConfig", "InvalidEmailConfig"]

log = logging.getLogger(__name__)

BATCH_SIZE = 100
"""UIDs fetched per page; a bigger backlog comes back with ``more=True``."""

FETCH_BYTES = 16 * 1024 * 1024
"""Most message bytes asked for in one IMAP FETCH command."""

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
"""Larger messages are read only this far (their text comes first; attachments are metadata)."""

IDLE_MAX_S = 25 * 60.0
"""Longest single IDLE (RFC 2177 asks clients to re-issue IDLE at least every 29 minutes)."""

NOOP_POLL_S = 30.0
"""How often :meth:`EmailChannel.idle` polls with NOOP on a server without IDLE."""

MAX_REPLY_CHARS = 20_000

TLS_MODES = ("ssl", "starttls", "none")
_LOOPBACK = "127.0.0.1"
_DEFAULT_PORTS = {
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
}
_AUTH_CODES = frozenset({530, 534, 535, 538})
_EMAIL = re.compile(r"[^\s@<>\"(),;:\\]+@[^\s@<>\"(),;:\\]+")

T = TypeVar("T")


class InvalidEmailConfig(ValueError):
    """The account's e-mail settings are unusable.

    Args:
        setting: The name of the offending setting (``imap_host``, ``imap_tls`` ...).
    """

    code = "email_config_invalid"

    def __init__(self, setting: str) -> None:
        super().__init__(f"{self.code}:{setting}")
        self.setting = setting


@dataclass(frozen=True)
class EmailConfig:
    """One mailbox's non-secret settings.

    Attributes:
        imap_host: IMAP server name.
        imap_port: IMAP port (993 for ``ssl``, 143 otherwise).
        imap_tls: ``ssl`` (implicit TLS), ``starttls`` or ``none`` (only on 127.0.0.1).
        username: Login name for IMAP (and SMTP unless ``smtp_username`` is set).
        mailbox: The folder that is polled.
        smtp_host: SMTP submission server (defaults to the IMAP host).
        smtp_port: SMTP port (465 for ``ssl``, 587 for ``starttls``, 25 for ``none``).
        smtp_tls: ``ssl``, ``starttls`` or ``none`` (only on 127.0.0.1).
        smtp_username: Login name for SMTP.
        from_address: The clinic's address; mail from it is outbound.
        from_name: Display name on replies.
        sent_folder: Where a copy of each reply is kept (created when missing).
        timeout_s: Network timeout for one operation.
        batch_size: UIDs per fetched page.
    """

    imap_host: str
    username: str
    from_address: str
    imap_port: int = 993
    imap_tls: str = "ssl"
    mailbox: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_username: str = ""
    from_name: str = ""
    sent_folder: str = "Sent"
    timeout_s: float = 20.0
    batch_size: int = BATCH_SIZE
    own_addresses: frozenset[str] = field(default_factory=frozenset)

    @property
    def domain(self) -> str:
        """The domain of the from address, for Message-IDs."""
        return self.from_address.rsplit("@", 1)[-1]

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> EmailConfig:
        """Read and check settings as stored on the account.

        Raises:
            InvalidEmailConfig: A setting is missing or unusable.
        """

        def text(key: str, default: str = "") -> str:
            value = config.get(key, default)
            if value is None:
                value = default
            if not isinstance(value, str) or any(c in value for c in "\r\n\x00"):
                raise InvalidEmailConfig(key)
            return value.strip()

        def number(key: str, default: float, low: float, high: float) -> float:
            value = config.get(key, default)
            if value is None:
                value = default
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidEmailConfig(key)
            try:
                result = float(value)
            except ValueError:
                raise InvalidEmailConfig(key) from None
            if not low <= result <= high:
                raise InvalidEmailConfig(key)
            return result

        def tls(key: str, default: str, host: str) -> str:
            mode = text(key, default).lower()
            if mode not in TLS_MODES:
                raise InvalidEmailConfig(key)
            if mode == "none" and host != _LOOPBACK:
                raise InvalidEmailConfig(key)  # no plain text over any real network
            return mode

        imap_host = text("imap_host")
        username = text("username")
        if not imap_host:
            raise InvalidEmailConfig("imap_host")
        if not username:
            raise InvalidEmailConfig("username")
        from_address = text("from_address", username if "@" in username else "").lower()
        if not _EMAIL.fullmatch(from_address):
            raise InvalidEmailConfig("from_address")
        smtp_host = text("smtp_host", imap_host) or imap_host
        imap_tls = tls("imap_tls", "ssl", imap_host)
        smtp_tls = tls("smtp_tls", "starttls", smtp_host)
        imap_port = int(number("imap_port", _DEFAULT_PORTS["imap"][imap_tls], 1, 65535))
        smtp_port = int(number("smtp_port", _DEFAULT_PORTS["smtp"][smtp_tls], 1, 65535))
        own = {from_address}
        if "@" in username:
            own.add(username.lower())
        return cls(
            imap_host=imap_host,
            imap_port=imap_port,
            imap_tls=imap_tls,
            username=username,
            mailbox=text("mailbox", "INBOX") or "INBOX",
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            smtp_tls=smtp_tls,
            smtp_username=text("smtp_username", username) or username,
            from_address=from_address,
            from_name=clean_text(text("from_name")).strip(),
            sent_folder=text("sent_folder", "Sent") or "Sent",
            timeout_s=number("timeout_s", 20.0, 0.05, 600.0),
            batch_size=int(number("batch_size", BATCH_SIZE, 1, 1000)),
            own_addresses=frozenset(own),
        )


@dataclass(frozen=True)
class _Cursor:
    uidvalidity: int
    last_uid: int

    @classmethod
    def parse(cls, cursor: str | None) -> _Cursor | None:
        """The cursor, or None to start from the first message (missing or unreadable)."""
        if not cursor:
            return None
        try:
            data = json.loads(cursor)
            validity, last = int(data["uidvalidity"]), int(data["last_uid"])
        except (ValueError, TypeError, KeyError):
            return None
        return cls(validity, last) if validity > 0 and last >= 0 else None

    def dump(self) -> str:
        return json.dumps({"uidvalidity": self.uidvalidity, "last_uid": self.last_uid})


# -- error mapping -------------------------------------------------------------------------


@contextmanager
def _imap_errors() -> Iterator[None]:
    """Map IMAP and socket failures to the channel error tree (codes only, no server text)."""
    try:
        yield
    except ChannelError:
        raise
    except LoginError as exc:
        if "UNAVAILABLE" in str(exc).upper():
            raise Transient("imap_unavailable") from None
        raise AuthExpired("imap_login") from None
    except CapabilityError:
        raise Rejected("imap_capability") from None
    except IMAPClientAbortError:
        raise Transient("imap_connection") from None
    except ssl.SSLError:
        raise Transient("imap_tls") from None
    except TimeoutError:
        raise Transient("imap_timeout") from None
    except OSError:
        raise Transient("imap_connect") from None
    except IMAPClientError:
        raise Transient("imap_command") from None


def _smtp_error(code: int, phase: str) -> ChannelError:
    """The channel error for an SMTP reply code (RFC 5321 section 4.2)."""
    if code in _AUTH_CODES:
        return AuthExpired(f"smtp_{code}")
    if 500 <= code < 600:
        return Rejected(f"smtp_{code}")
    # A 4xx is a definite "not now"; anything else is a reply we cannot read.
    return Transient(f"smtp_{code}", ambiguous=phase == "data" and not 400 <= code < 500)


# -- the connector -------------------------------------------------------------------------


class EmailChannel(Channel):
    """One mailbox: IMAP for receiving, SMTP for replies.

    ``fetch`` and ``send`` share one IMAP connection (kept open between calls and re-opened
    when it dropped); :meth:`idle` has a connection of its own so it can wait in another
    thread.

    Args:
        config: The mailbox's settings.
        password: The password for IMAP and SMTP (None: the account must be reconnected).
    """

    capabilities = Capabilities(max_length=MAX_REPLY_CHARS, attachments=False, dedupes=True)

    def __init__(self, config: EmailConfig, password: str | None) -> None:
        self.config = config
        self._password = password
        self._lock = threading.Lock()
        self._idle_lock = threading.Lock()
        self._imap: Any = None
        self._idle_imap: Any = None
        self._caught_up: tuple[int, int] | None = None  # (uidvalidity, uidnext) when drained

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], secret: str | None, transport: object = None
    ) -> EmailChannel:
        """The registry's factory: ``transport`` is unused (e-mail does not speak HTTP).

        Raises:
            InvalidEmailConfig: A setting is missing or unusable.
        """
        del transport
        return cls(EmailConfig.from_mapping(config), secret)

    def __repr__(self) -> str:
        return f"EmailChannel({self.config.username!r}@{self.config.imap_host!r})"

    # -- IMAP connections ----------------------------------------------------------------

    def _open_imap(self) -> Any:
        """A logged-in IMAP connection (raises the mapped channel errors)."""
        cfg = self.config
        if not self._password:
            raise AuthExpired("no_password")
        timeout = SocketTimeout(connect=min(10.0, cfg.timeout_s), read=cfg.timeout_s)
        context = ssl.create_default_context()
        with _imap_errors():
            client = IMAPClient(
                cfg.imap_host,
                cfg.imap_port,
                ssl=cfg.imap_tls == "ssl",
                ssl_context=context if cfg.imap_tls == "ssl" else None,
                timeout=timeout,
            )
            try:
                client.normalise_times = False
                if cfg.imap_tls == "starttls":
                    client.starttls(context)
                client.login(cfg.username, self._password)
            except BaseException:
                _shutdown(client)
                raise
        return client

    def _with_imap(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on the shared connection; if a kept connection had dropped, run it
        once more on a new one (``work`` only reads, or appends a copy)."""
        with self._lock:
            reused = self._imap is not None
            try:
                return self._run_imap(work)
            except Transient:
                if not reused:
                    raise
            return self._run_imap(work)

    def _run_imap(self, work: Callable[[Any], T]) -> T:
        if self._imap is None:
            self._imap = self._open_imap()
        try:
            with _imap_errors():
                return work(self._imap)
        except Transient:
            _shutdown(self._imap)
            self._imap = None
            raise

    def close(self) -> None:
        """Log out of both IMAP connections; a waiting :meth:`idle` ends with Transient."""
        if self._idle_lock.acquire(blocking=False):
            try:
                client, self._idle_imap = self._idle_imap, None
                if client is not None:
                    _shutdown(client)
            finally:
                self._idle_lock.release()
        elif (waiting := self._idle_imap) is not None:
            # Another thread is reading this connection. Closing its file under it would
            # fail that read with a bare ValueError, so only cut the socket: the read ends
            # with an IMAP abort, and the waiter closes its own connection.
            _interrupt(waiting)
        client, self._imap = self._imap, None
        if client is not None:
            _shutdown(client)

    # -- receiving -----------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Fetch the next batch of messages after ``cursor`` (None: from the first).

        Returns:
            Up to ``batch_size`` messages, the cursor after them, and ``more`` when further
            messages are waiting.
        """
        state = _Cursor.parse(cursor)
        return self._with_imap(lambda client: self._fetch(client, state))

    def _fetch(self, client: Any, state: _Cursor | None) -> FetchResult:
        cfg = self.config
        try:
            info = client.select_folder(cfg.mailbox, readonly=True)
        except IMAPClientAbortError:
            raise
        except IMAPClientError:
            raise Rejected("imap_mailbox") from None
        validity = int(info.get(b"UIDVALIDITY", 0))
        uidnext = int(info.get(b"UIDNEXT", 0))
        last = state.last_uid if state is not None and state.uidvalidity == validity else 0
        # "UID n:*" always matches the newest message, even below n: keep only UIDs above.
        uids = sorted(int(u) for u in client.search(["UID", f"{last + 1}:*"]) if int(u) > last)
        batch = uids[: cfg.batch_size]
        more = len(uids) > len(batch)
        messages: list[InboundMessage] = []
        for raw, received in self._read(client, batch):
            messages.append(self._inbound(raw, received))
        last = batch[-1] if batch else last
        self._caught_up = None if more else (validity, uidnext)
        return FetchResult(messages, _Cursor(validity, last).dump(), more)

    def _read(self, client: Any, uids: list[int]) -> Iterator[tuple[bytes, int | None]]:
        """(raw bytes, INTERNALDATE in ms) for each UID in order, in FETCHes of bounded size."""
        if not uids:
            return
        sizes = {
            int(k): int(v.get(b"RFC822.SIZE", 0))
            for k, v in client.fetch(uids, ["RFC822.SIZE"]).items()
        }
        groups: list[list[int]] = []
        total = 0
        for uid in uids:
            if uid not in sizes:
                continue  # expunged since the SEARCH
            size = min(sizes[uid], MAX_MESSAGE_BYTES)
            if not groups or total + size > FETCH_BYTES:
                groups.append([])
                total = 0
            groups[-1].append(uid)
            total += size
        for group in groups:
            whole = [u for u in group if sizes[u] <= MAX_MESSAGE_BYTES]
            big = [u for u in group if sizes[u] > MAX_MESSAGE_BYTES]
            data: dict[int, Any] = {}
            if whole:
                data.update(client.fetch(whole, ["BODY.PEEK[]", "INTERNALDATE"]))
            if big:
                part = f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"
                data.update(client.fetch(big, [part, "INTERNALDATE"]))
            for uid in group:
                item = data.get(uid)
                if item is None:
                    continue
                raw = item.get(b"BODY[]") or item.get(b"BODY[]<0>") or b""
                yield bytes(raw), _internaldate_ms(item.get(b"INTERNALDATE"))

    def _inbound(self, raw: bytes, received_ms: int | None) -> InboundMessage:
        """Normalise one message: ids, thread, direction, sender and text."""
        mail = parse_message(raw)
        own = self.config.own_addresses
        customer = _customer(mail, own)
        outbound = mail.sender[1] in own
        external_id = mail.message_id or raw_hash(raw)
        root = (mail.references[0] if mail.references else "") or mail.in_reply_to or external_id
        refs = [external_id, *mail.references, mail.in_reply_to]
        key = subject_key(customer[1], mail.subject) if customer[1] else None
        if key:
            refs.append(key)
        now = time.time_ns() // 1_000_000
        received = received_ms or now
        sent_at = mail.date_ms
        if sent_at is None or sent_at > max(received, now) + 86_400_000:
            sent_at = received  # no date, or one far in the future: trust the server's
        return InboundMessage(
            external_id=external_id,
            thread_id=root,
            handle=customer[1],
            contact_name=customer[0] or customer[1],
            direction="out" if outbound else "in",
            body=mail.body,
            sent_at=sent_at,
            author=mail.sender[0] or mail.sender[1],
            thread_refs=tuple(dict.fromkeys(r for r in refs if r and r != root)),
            attachments=mail.attachments,
            subject=mail.subject,
        )

    def idle(self, timeout_s: float) -> bool:
        """Wait until the server signals new mail, or ``timeout_s`` passes (RFC 2177 IDLE).

        Uses a connection of its own, kept between calls. Mail that arrived since the last
        ``fetch`` drained the mailbox, or between two calls, is reported at once, so no
        arrival is missed between IDLE commands. On a server without IDLE it polls with
        NOOP. The caller fetches after every return either way.

        Args:
            timeout_s: Longest wait in seconds (capped at 25 minutes).

        Returns:
            True if new mail was signalled, False on timeout.

        Raises:
            AuthExpired: The login was refused.
            Transient: The connection failed (or :meth:`close` was called meanwhile).
        """
        deadline = time.monotonic() + max(0.0, min(timeout_s, IDLE_MAX_S))
        with self._idle_lock:
            try:
                return self._idle(deadline)
            except Transient:
                client, self._idle_imap = self._idle_imap, None
                if client is not None:
                    _shutdown(client)
                raise

    def _idle(self, deadline: float) -> bool:
        client = self._idle_imap
        if client is None:
            client = self._open_imap()
            self._idle_imap = client
            with _imap_errors():
                info = client.select_folder(self.config.mailbox, readonly=True)
            seen = (int(info.get(b"UIDVALIDITY", 0)), int(info.get(b"UIDNEXT", 0)))
            if seen != self._caught_up:
                return True  # mail the last fetch has not covered
        with _imap_errors():
            if _has_news(client.noop()[1]):
                return True
            if not client.has_capability("IDLE"):
                while (left := deadline - time.monotonic()) > 0:
                    time.sleep(min(NOOP_POLL_S, left))
                    if _has_news(client.noop()[1]):
                        return True
                return False
            client.idle()
            news = _wait_in_idle(client, deadline)
            _text, rest = client.idle_done()
            return news or _has_news(rest)

    # -- sending -------------------------------------------------------------------------

    def send(self, reply: OutgoingReply) -> str:
        """Send one reply by SMTP and keep a copy in the Sent folder.

        A reply whose Message-ID is already in the Sent folder is not sent again.

        Returns:
            The reply's Message-ID (without angle brackets), as ``fetch`` would name it.

        Raises:
            Rejected: The reply is unusable or the server refused it for good (``smtp_550``).
            AuthExpired: IMAP or SMTP refused the login.
            Transient: A connection failed or the server said "try later"; ``ambiguous``
                when the message may have been accepted.
        """
        cfg = self.config
        body = clean_text(reply.body)
        to = reply.handle.strip().lower()
        if not body.strip():
            raise Rejected("empty_reply")
        if len(body) > self.capabilities.max_length:
            raise Rejected("text_too_long")
        if not _EMAIL.fullmatch(to):
            raise Rejected("bad_recipient")
        message_id = f"{reply.reply_id}@{cfg.domain}"
        if not re.fullmatch(r"[A-Za-z0-9._+-]{1,100}@[^\s<>@]+", message_id):
            raise Rejected("bad_reply_id")
        if self._with_imap(lambda client: self._in_sent(client, message_id)):
            return message_id
        raw = self._compose(reply, to, body, message_id)
        self._smtp_send(to, raw)
        try:
            self._with_imap(lambda client: self._store_sent(client, raw))
        except ChannelError as exc:  # sent all the same; only the copy is missing
            log.warning("sent copy not stored: %s", exc.code)
        return message_id

    def _in_sent(self, client: Any, message_id: str) -> bool:
        folder = self.config.sent_folder
        if not client.folder_exists(folder):
            return False
        client.select_folder(folder, readonly=True)
        return bool(client.search(["HEADER", "Message-ID", f"<{message_id}>"]))

    def _store_sent(self, client: Any, raw: bytes) -> None:
        folder = self.config.sent_folder
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.append(folder, raw, flags=[b"\\Seen"])

    def _compose(self, reply: OutgoingReply, to: str, body: str, message_id: str) -> bytes:
        """The reply as RFC 5322 bytes: UTF-8 text, encoded-word subject, thread headers."""
        cfg = self.config
        msg = EmailMessage(policy=policy.SMTP)
        local, _at, domain = cfg.from_address.rpartition("@")
        msg["From"] = Address(display_name=cfg.from_name, username=local, domain=domain)
        msg["To"] = to
        msg["Subject"] = _reply_subject(reply.subject)
        msg["Date"] = format_datetime(datetime.now().astimezone())
        msg["Message-ID"] = f"<{message_id}>"
        thread = reply.thread_id.strip().strip("<>")
        if "@" in thread and not thread.startswith(("subj:", "sha256:", "mid-sha256:")):
            msg["In-Reply-To"] = f"<{thread}>"
            msg["References"] = f"<{thread}>"
        msg.set_content(body, charset="utf-8", cte="base64")
        return msg.as_bytes()

    def _smtp_send(self, to: str, raw: bytes) -> None:
        """One SMTP transaction; failures are mapped by the phase they happened in."""
        cfg = self.config
        phase = "connect"
        context = ssl.create_default_context()
        server: smtplib.SMTP | None = None
        try:
            if cfg.smtp_tls == "ssl":
                server = smtplib.SMTP_SSL(
                    cfg.smtp_host,
                    cfg.smtp_port,
                    local_hostname=cfg.domain,
                    timeout=cfg.timeout_s,
                    context=context,
                )
            else:
                server = smtplib.SMTP(
                    cfg.smtp_host, cfg.smtp_port, local_hostname=cfg.domain, timeout=cfg.timeout_s
                )
            phase = "hello"
            server.ehlo()
            if cfg.smtp_tls == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if server.has_extn("auth"):
                if not self._password:
                    raise AuthExpired("no_password")
                phase = "auth"
                server.login(cfg.smtp_username, self._password)
            phase = "envelope"
            code, _msg = server.mail(cfg.from_address)
            if code != 250:
                raise _smtp_error(code, phase)
            code, _msg = server.rcpt(to)
            if code not in (250, 251):
                raise _smtp_error(code, phase)
            phase = "data"
            # DATA refused raises SMTPDataError; the reply after the message is returned.
            code, _msg = server.data(raw)
            if code != 250:
                raise _smtp_error(code, phase)
            phase = "done"
        except ChannelError:
            raise
        except smtplib.SMTPAuthenticationError:
            raise AuthExpired("smtp_login") from None
        except smtplib.SMTPNotSupportedError:
            raise Rejected("smtp_not_supported") from None
        except smtplib.SMTPResponseException as exc:
            raise _smtp_error(int(exc.smtp_code), phase) from None
        except ssl.SSLError:
            raise Transient("smtp_tls", ambiguous=phase == "data") from None
        except (smtplib.SMTPException, OSError):
            # The message may have reached the server if the failure came during DATA.
            raise Transient(f"smtp_{phase}", ambiguous=phase == "data") from None
        finally:
            if server is not None:
                _quit(server, polite=phase == "done")


# -- helpers -------------------------------------------------------------------------------


def _customer(mail: ParsedMail, own: frozenset[str]) -> tuple[str, str]:
    """(name, address) of the customer: who wrote, or for the clinic's own mail, to whom.

    A customer's Reply-To wins over From (web forms and relays put the real address there).
    """
    if mail.sender[1] in own:
        for pair in mail.recipients:
            if pair[1] not in own:
                return pair
        return mail.sender
    if mail.reply_to is not None and mail.reply_to[1] not in own:
        name = mail.reply_to[0] or (mail.sender[0] if mail.reply_to[1] == mail.sender[1] else "")
        return name, mail.reply_to[1]
    return mail.sender


def _reply_subject(subject: str) -> str:
    subject = " ".join(clean_text(subject).split())[:900]
    if not subject or re.match(r"^(re|답장|회신)\s*[:：]", subject, re.IGNORECASE):
        return subject
    return f"Re: {subject}"


def _internaldate_ms(value: object) -> int | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.astimezone()
        return int(value.timestamp() * 1000)
    return None


def _has_news(responses: object) -> bool:
    """Whether untagged IMAP responses announce new mail (``* n EXISTS`` or ``RECENT``)."""
    if not isinstance(responses, list | tuple):
        return False
    return any(
        isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses
    )


def _wait_in_idle(client: Any, deadline: float) -> bool:
    """Read IDLE responses until one says there is new mail or ``deadline`` passes.

    imapclient's ``idle_check`` reports a closed connection (the server hung up, or
    :meth:`EmailChannel.close` cut the socket) as an empty answer before its timeout, and
    would do so again at once for ever. Two such answers in a row end the wait.

    Raises:
        Transient: The connection is gone (``imap_connection``).
    """
    early_empty = 0
    while (left := deadline - time.monotonic()) > 0:
        answered = client.idle_check(timeout=left)
        if _has_news(answered):
            return True
        if answered or deadline - time.monotonic() <= 0:
            early_empty = 0
            continue
        early_empty += 1
        if early_empty >= 2:
            raise Transient("imap_connection")
    return False


def _interrupt(client: Any) -> None:
    """Wake a thread blocked reading ``client``'s socket, leaving the socket for it to close."""
    try:
        # The plain socket's shutdown even on TLS: SSLSocket.shutdown would also drop the TLS
        # state the reading thread is still using.
        socket.socket.shutdown(client.socket(), socket.SHUT_RDWR)
    except OSError:
        log.debug("imap connection already closed")


def _shutdown(client: Any) -> None:
    """Close an IMAP connection, politely if possible; never raises."""
    try:
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            log.debug("imap connection already closed")


def _quit(server: smtplib.SMTP, *, polite: bool) -> None:
    """End the SMTP session: QUIT after success, just close after a failure."""
    try:
        if polite:
            server.quit()
    except Exception:
        log.debug("smtp quit failed")
    finally:
        server.close()
