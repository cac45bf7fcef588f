"""A throwaway PostgreSQL server on 127.0.0.1 for the clinic-server tests.

:class:`PgServer` runs ``initdb`` and ``pg_ctl start`` on a data folder in a temporary
directory (owned by the ``postgres`` user when the tests run as root, since PostgreSQL refuses
to run as root), listening on a free port of 127.0.0.1 only, its unix socket in that folder,
with ``fsync`` off. The superuser's password is made up per server and set by ``initdb``; TCP
logins use SCRAM, so the password really travels as in the product. The server is stopped by
the postmaster's PID (SIGINT, PostgreSQL's fast shutdown), always.

Fixtures (import ``pg_server_fixture``, ``pg_url_fixture`` and ``fresh_pg_server_fixture``
into a test module; tests ask for them by these names):

- ``pg_server``: one server for the whole test session.
- ``pg_url``: a fresh database on it for one test (``CREATE DATABASE ... TEMPLATE
  template0``), dropped afterwards; a SQLAlchemy URL (``str()`` of it hides the password).
- ``fresh_pg_server``: a server of its own for one test, which may stop and start it.

Without the PostgreSQL server binaries the tests skip, or fail when ``CI`` is set. The binaries
are looked for in ``$SOTONG_PG_BIN``, then the newest ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package), then ``PATH``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psutil
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import URL

HOST = "127.0.0.1"
SUPERUSER = "sotong_test"
RUN_AS = "postgres"  # the account the server runs under when the tests run as root
_databases = itertools.count(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> NoReturn:
    reason += " (apt-get install postgresql-15, or postgresql)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", folder.parent.name)) or (0,)


def pg_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``; skips (fails under CI) without them."""
    candidates: list[Path] = []
    if os.environ.get("SOTONG_PG_BIN"):
        candidates.append(Path(os.environ["SOTONG_PG_BIN"]))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    _unavailable("the PostgreSQL server is not installed")


def _exited(proc: psutil.Process, timeout: float) -> bool:
    """Wait for a process that is not our child (pg_ctl detaches the postmaster): gone, or a
    zombie that whoever adopted it has yet to reap."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.01)
    return False


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        _unavailable(f"no {RUN_AS!r} user to run PostgreSQL as (root cannot)")
    return ["runuser", "-u", RUN_AS, "--", *argv]


@dataclass
class PgServer:
    """A throwaway PostgreSQL cluster in its own folder.

    Attributes:
        root: The temporary folder (data directory, socket, log).
        port: TCP port on 127.0.0.1.
        user: The superuser.
        password: The superuser's password, made up for this server.
        pid: The postmaster's PID while it runs.
        initdb_s: How long ``initdb`` took.
        started_in_s: How long the last ``pg_ctl start`` took, until connections are accepted.
    """

    root: Path
    port: int = 0
    user: str = SUPERUSER
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    pid: int | None = None
    initdb_s: float = 0.0
    started_in_s: float = 0.0

    host = HOST

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        done = subprocess.run(
            _as_server_user(list(argv)),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")

    def init(self) -> None:
        """Create the cluster: UTF-8, C collation (byte order, as SQLite compares text)."""
        binary = pg_bin()
        if os.geteuid() == 0:
            shutil.chown(self.root, RUN_AS, RUN_AS)
        self.root.chmod(0o700)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(pwfile, RUN_AS, RUN_AS)
        try:
            self._run(
                str(binary / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                self.user,
                "--pwfile",
                str(pwfile),
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# Test server: loopback only, speed over durability.\n"
                f"listen_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 32MB\nmax_connections = 50\n"
            )

    def start(self) -> None:
        """Start the server (on a free port the first time) and wait until it accepts
        connections."""
        binary = pg_bin()
        if not self.data.exists():
            began = time.monotonic()
            self.init()
            self.initdb_s = time.monotonic() - began
        began = time.monotonic()
        for attempt in range(3):
            # A restart keeps its port, so clients reconnect to the same address.
            self.port = self.port if attempt == 0 and self.port else free_port()
            try:
                self._run(
                    str(binary / "pg_ctl"),
                    "start",
                    "--pgdata",
                    str(self.data),
                    "--wait",
                    "--timeout=30",
                    "--log",
                    str(self.root / "server.log"),
                    "-o",
                    f"-p {self.port}",
                )
                break
            except RuntimeError:
                self.stop()  # a postmaster that came up halfway
                if attempt == 2 or "could not bind" not in self.log_tail():
                    raise
        self.pid = self._postmaster_pid()
        self.started_in_s = time.monotonic() - began

    def _postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text(encoding="utf-8").split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Fast shutdown by the postmaster's PID (SIGINT), then SIGQUIT, then SIGKILL."""
        pid, self.pid = self.pid or self._postmaster_pid(), None
        if pid is None:
            return
        try:
            proc = psutil.Process(pid)
            if proc.name() not in ("postgres", "postmaster"):
                return  # the PID file is stale and the number belongs to someone else now
        except psutil.NoSuchProcess:
            return
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.send_signal(sig)
            if _exited(proc, timeout=15):
                return

    def log_tail(self) -> str:
        path = self.root / "server.log"
        if not path.exists():
            return ""
        return path.read_text(encoding="utf-8", errors="replace")[-2000:]

    def url(self, database: str = "postgres") -> URL:
        """A SQLAlchemy URL for a database as the superuser (password included)."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            database=database,
        )

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the ``postgres`` database (the caller closes it)."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def create_database(self, template: str = "template0") -> str:
        """A new database, empty (``template0``) or a copy of ``template``; returns its name.

        A template must have no open connections while it is copied.
        """
        name = f"sotong_{os.getpid()}_{next(_databases)}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any session still connected to it."""
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _server() -> Iterator[PgServer]:
    pg_bin()
    root = Path(tempfile.mkdtemp(prefix="sotong-pg-"))
    server = PgServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session", name="pg_server")
def pg_server_fixture() -> Iterator[PgServer]:
    """One PostgreSQL server for the test session; tests get databases with ``pg_url``."""
    yield from _server()


@pytest.fixture(name="fresh_pg_server")
def fresh_pg_server_fixture() -> Iterator[PgServer]:
    """A PostgreSQL server for one test (which may stop and restart it)."""
    yield from _server()


@pytest.fixture(name="pg_url")
def pg_url_fixture(pg_server: PgServer) -> Iterator[URL]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
