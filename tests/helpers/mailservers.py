"""Real mail servers on 127.0.0.1 for the e-mail connector's tests.

- :class:`Dovecot`: Debian's dovecot IMAP server (RFC 3501, with IDLE, RFC 2177) started in the
  foreground (``dovecot -F -c <conf>``) with its own configuration, users (a passwd-file) and
  maildirs in a temporary folder, on a free port; stopped by SIGTERM to its master PID and to
  the children it had (found by PID first).
- :class:`SmtpServer`: an aiosmtpd ``Controller`` (RFC 5321) whose handler records what it
  receives and can refuse mail with 550 or 451, stall in DATA, or insist on AUTH.

Fixtures: ``dovecot`` (one server per test module; each test makes its own user),
``fresh_dovecot`` (one per test, for tests that stop it) and ``smtp_server``. Import them
into a test module under those names. Without dovecot the tests skip, or fail when ``CI`` is
set. Nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

HOST = "127.0.0.1"
MAIL_UID = "nobody"  # mail processes run as this user, never as root
MAIL_GROUP = "nogroup"
USERS_PER_SERVER = 40


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _dovecot_binary() -> str:
    """The dovecot executable; skips the test (fails under CI) when it is not installed."""
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if found is None or os.geteuid() != 0:
        why = "dovecot is not installed" if found is None else "dovecot needs root to start"
        reason = f"{why} (apt-get install dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@dataclass
class MailUser:
    """One mailbox on the test server."""

    address: str
    password: str
    server: Dovecot

    def config(self, **overrides: Any) -> dict[str, Any]:
        """Account settings for :class:`console.channels.email.EmailChannel` (no SMTP)."""
        cfg: dict[str, Any] = {
            "imap_host": HOST,
            "imap_port": self.server.port,
            "imap_tls": "none",
            "username": self.address,
            "from_address": self.address,
            "from_name": "소통 의원",
            "smtp_host": HOST,
            "smtp_port": 9,  # nothing listens: tests that send pass an SMTP server
            "smtp_tls": "none",
            "timeout_s": 5.0,
        }
        cfg.update(overrides)
        return cfg

    def client(self) -> IMAPClient:
        """A logged-in IMAP connection of this user (the caller logs out)."""
        c = IMAPClient(HOST, self.server.port, ssl=False, timeout=5)
        c.login(self.address, self.password)
        return c

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put raw RFC 5322 messages into a folder with IMAP APPEND."""
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for raw in messages:
                c.append(folder, raw)

    def messages(self, folder: str) -> list[bytes]:
        """The raw messages in a folder, oldest first (empty when it does not exist)."""
        with self.client() as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            uids = sorted(c.search(["ALL"]))
            data = c.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [bytes(data[u][b"BODY[]"]) for u in uids]

    def kick(self) -> None:
        """Disconnect every IMAP session of this user, as a server restart would."""
        self.server.doveadm("kick", self.address)

    def set_uidvalidity(self, value: int, folder: str = "INBOX") -> None:
        """Change a folder's UIDVALIDITY, as a server restored from backup would."""
        self.server.doveadm(
            "mailbox", "update", "-u", self.address, "--uid-validity", str(value), folder
        )


@dataclass
class Dovecot:
    """A throwaway dovecot on 127.0.0.1, configured and stored in its own folder."""

    root: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    users: list[str] = field(default_factory=list)

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        """Write the configuration and start dovecot in the foreground; wait for its greeting."""
        binary = _dovecot_binary()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root / "mail", MAIL_UID, MAIL_GROUP)
        # Dovecot rereads a changed passwd-file only by whole-second mtimes, so every user is
        # written before it starts rather than as tests ask for them.
        (self.root / "passwd").write_text(
            "".join(
                f"clinic{n}@sotong.test:{{PLAIN}}s3cret-pw-{n}::::\n"
                for n in range(1, USERS_PER_SERVER + 1)
            ),
            encoding="utf-8",
        )
        (self.root / "passwd").chmod(0o644)
        self.port = free_port()
        self.conf.write_text(
            _CONF.format(root=self.root, port=self.port, uid=MAIL_UID, gid=MAIL_GROUP),
            encoding="utf-8",
        )
        log = (self.root / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.conf)], stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not answer: {self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master PID and to each of its children, found by PID beforehand.

        The master alone would leave logged-in ``imap`` processes serving their sessions.
        """
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            children = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        proc.send_signal(signal.SIGTERM)  # the master first, or it lingers for seconds
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.terminate()
        _gone, alive = psutil.wait_procs(children, timeout=5)
        for child in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def log_tail(self) -> str:
        text = ""
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                text += path.read_text(encoding="utf-8", errors="replace")[-2000:]
        return text

    def add_user(self) -> MailUser:
        """The next unused mailbox (all are in the passwd-file from the start)."""
        n = len(self.users) + 1
        if n > USERS_PER_SERVER:
            raise RuntimeError("out of test users")
        user = MailUser(f"clinic{n}@sotong.test", f"s3cret-pw-{n}", self)
        self.users.append(user.address)
        return user

    def doveadm(self, *args: str) -> None:
        subprocess.run(
            ["doveadm", "-c", str(self.conf), *args],
            check=True,
            capture_output=True,
            timeout=10,
        )


_CONF = """\
# A test-only dovecot: loopback, plain text, no delay after a failed login.
base_dir = {root}/run
state_dir = {root}/state
instance_name = sotong-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
shutdown_clients = yes
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No growing delay after failed logins (the auth penalty), so auth tests stay fast.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


def _dovecot() -> Iterator[Dovecot]:
    _dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="sotong-dovecot-"))
    root.chmod(0o755)  # mail processes run as nobody and must reach their maildirs
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module", name="dovecot")
def dovecot_fixture() -> Iterator[Dovecot]:
    """A dovecot shared by a test module; give each test its own user with ``add_user``."""
    yield from _dovecot()


@pytest.fixture(name="fresh_dovecot")
def fresh_dovecot_fixture() -> Iterator[Dovecot]:
    """A dovecot for one test (which may stop it)."""
    yield from _dovecot()


# -- SMTP ------------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None


class Recorder:
    """An aiosmtpd handler that records messages.

    Attributes:
        mode: ``ok``; ``550`` or ``451`` to refuse at the end of DATA; ``stall`` to wait
            ``stall_s`` before answering DATA (longer than the client's timeout).
        require_auth: Refuse MAIL FROM before a successful AUTH (530).
        username, password: The one login the server accepts.
    """

    def __init__(self, username: str, password: str) -> None:
        self.mode = "ok"
        self.require_auth = False
        self.stall_s = 2.0
        self.username = username
        self.password = password
        self.messages: list[Received] = []

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode("utf-8", "replace") == self.username
            and data.password.decode("utf-8", "replace") == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.mode == "550":
            return "550 5.7.1 Message refused"
        if self.mode == "451":
            return "451 4.3.0 Try again later"
        if self.mode == "stall":
            await asyncio.sleep(self.stall_s)
        login = session.auth_data
        self.messages.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(envelope.original_content or b""),
                login=login.decode() if isinstance(login, bytes) else None,
            )
        )
        return "250 Message accepted"


@dataclass
class SmtpServer:
    """An SMTP server on 127.0.0.1 and what it received."""

    controller: Controller
    handler: Recorder
    port: int

    def settings(self) -> dict[str, Any]:
        """The SMTP part of an account's settings."""
        return {"smtp_host": HOST, "smtp_port": self.port, "smtp_tls": "none"}

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self.controller._thread is not None:
            self.controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    """An aiosmtpd server for one test; it accepts the login ``clinic`` / ``smtp-pw``."""
    handler = Recorder("clinic", "smtp-pw")
    port = free_port()
    controller = Controller(
        handler,
        hostname=HOST,
        port=port,
        server_hostname="smtp.sotong.test",
        authenticator=handler.authenticate,
        auth_require_tls=False,  # loopback only: AUTH without TLS is offered
        ready_timeout=10,
    )
    controller.start()
    server = SmtpServer(controller, handler, port)
    try:
        yield server
    finally:
        server.stop()
