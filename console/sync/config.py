"""How this PC reaches the clinic server: the URL from settings and the keyring, and a check.

The ``[server]`` settings (:class:`console.settings.ServerSettings`) hold the address, the
database, the login name and the TLS mode; the password is only in the OS keyring, under
:data:`SECRET_KEY`. :func:`server_url` joins them into a SQLAlchemy URL with libpq's
``sslmode``, ``sslrootcert`` and ``connect_timeout``. SQLAlchemy's ``URL`` hides its password
in ``str()`` and ``repr()``; nothing here logs a URL or puts the password into an error.

:func:`check_server` is the Settings tab's "Test connection": one plain connection, the
server's version on success, else a :class:`ServerCheckFailed` whose ``reason`` code the UI
turns into a sentence (wrong password, host unreachable, database missing, TLS refused, …).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from sqlalchemy import URL, func, select

from console.errors import ServerCheckFailed, ServerNotConfigured
from console.secrets import delete_secret, get_secret, set_secret
from console.settings import TLS_MODES, ServerSettings
from console.store.engine import Store
from console.store.models import PendingOp

__all__ = [
    "CONNECT_TIMEOUT_S",
    "SECRET_KEY",
    "ServerCheck",
    "ServerCheckFailed",
    "ServerNotConfigured",
    "check_server",
    "classify",
    "forget_password",
    "pending_changes",
    "read_password",
    "server_url",
    "store_password",
]

log = logging.getLogger(__name__)

#: The keyring entry (service ``sotong``) holding the clinic server's password.
SECRET_KEY = "clinic-server"  # noqa: S105 - the entry's name, not a password

#: Seconds to wait for the server to answer a connection.
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class ServerCheck:
    """A successful connection test.

    Attributes:
        version: The server's version (``server_version``, e.g. "16.4").
        schema_ready: The Sotong tables are there already (False: the first PC to connect
            creates them).
    """

    version: str
    schema_ready: bool


def read_password() -> str | None:
    """The clinic server's password from the keyring, or None if none is stored.

    Raises:
        NoSecretStore: no keyring backend.
    """
    return get_secret(SECRET_KEY)


def store_password(password: str) -> None:
    """Keep the clinic server's password in the keyring (the only place it is written).

    Raises:
        NoSecretStore: no keyring backend.
    """
    set_secret(SECRET_KEY, password)


def forget_password() -> None:
    """Remove the clinic server's password from the keyring.

    Raises:
        NoSecretStore: no keyring backend.
    """
    delete_secret(SECRET_KEY)


def _check_settings(server: ServerSettings) -> None:
    for name in ("host", "database", "user"):
        if not getattr(server, name).strip():
            raise ServerNotConfigured(field=name)
    if server.tls not in TLS_MODES:
        raise ServerNotConfigured(field="tls")


def server_url(
    server: ServerSettings, password: str | None, connect_timeout: int = CONNECT_TIMEOUT_S
) -> URL:
    """The SQLAlchemy URL (psycopg driver) for the clinic server.

    Args:
        server: The ``[server]`` settings.
        password: The password from the keyring (None: none, e.g. a trusted network).
        connect_timeout: Seconds libpq waits for the server.

    Returns:
        The URL; its ``str()`` and ``repr()`` hide the password.

    Raises:
        ServerNotConfigured: host, database or user is empty, or the TLS mode is unknown.
    """
    _check_settings(server)
    query: dict[str, str] = {"sslmode": server.tls, "connect_timeout": str(connect_timeout)}
    if server.tls == "verify-full" and server.ca_file.strip():
        query["sslrootcert"] = server.ca_file.strip()
    return URL.create(
        "postgresql+psycopg",
        username=server.user.strip(),
        password=password or None,
        host=server.host.strip(),
        port=server.port,
        database=server.database.strip(),
        query=query,
    )


#: Fragments of libpq's messages (English, as the client library writes them) and the reason
#: each one means. Checked in order; the first that matches wins.
_MESSAGE_REASONS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "login_failed"),
    ("no password supplied", "login_failed"),
    ("fe_sendauth", "login_failed"),
    ('role "', "login_failed"),  # role "x" does not exist
    ("does not exist", "database_missing"),  # database "x" does not exist
    ("no pg_hba.conf entry", "not_allowed"),
    ("ssl", "tls_refused"),  # SSL off/required, handshake, certificate, root certificate file
    ("certificate", "tls_refused"),
    ("connection refused", "unreachable"),
    ("timeout expired", "unreachable"),
    ("could not translate host name", "unreachable"),
    ("name or service not known", "unreachable"),
    ("no route to host", "unreachable"),
    ("network is unreachable", "unreachable"),
    ("connection timed out", "unreachable"),
    ("server closed the connection", "unreachable"),
    ("could not connect", "unreachable"),
)

#: SQLSTATE codes a refused login carries (when the server sent one).
_SQLSTATE_REASONS = {
    "28P01": "login_failed",  # invalid_password
    "3D000": "database_missing",  # invalid_catalog_name
}


def classify(exc: BaseException) -> str:
    """The reason code for a failed connection (see :class:`ServerCheckFailed`)."""
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate in _SQLSTATE_REASONS:
        return _SQLSTATE_REASONS[str(sqlstate)]
    message = str(exc).lower()
    for fragment, reason in _MESSAGE_REASONS:
        if fragment in message:
            return reason
    return "other"


def check_server(
    server: ServerSettings, password: str | None, connect_timeout: int = CONNECT_TIMEOUT_S
) -> ServerCheck:
    """Try one connection to the clinic server (the Settings tab's "Test connection").

    Args:
        server: The settings to try (not necessarily saved yet).
        password: The password to try (from the form, or from the keyring).
        connect_timeout: Seconds to wait.

    Returns:
        The server's version and whether Sotong's tables are there.

    Raises:
        ServerNotConfigured: a required field is empty.
        ServerCheckFailed: the reason the connection failed, as a code.
    """
    _check_settings(server)
    params: dict[str, str | int] = {
        "host": server.host.strip(),
        "port": server.port,
        "dbname": server.database.strip(),
        "user": server.user.strip(),
        "sslmode": server.tls,
        "connect_timeout": connect_timeout,
        "application_name": "sotong-check",
    }
    if server.tls == "verify-full" and server.ca_file.strip():
        params["sslrootcert"] = server.ca_file.strip()
    if password:
        params["password"] = password
    try:
        with psycopg.connect(**params, autocommit=True) as conn:  # type: ignore[arg-type]
            version = conn.execute("SHOW server_version").fetchone()
            ready = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
    except psycopg.Error as exc:
        reason = classify(exc)
        # The message names host, user and database, never the password; keep it out anyway.
        log.info("clinic server check failed: %s", reason)
        raise ServerCheckFailed(reason=reason) from None
    except OSError:
        log.info("clinic server check failed: unreachable")
        raise ServerCheckFailed(reason="unreachable") from None
    return ServerCheck(
        version=str(version[0]) if version else "", schema_ready=bool(ready and ready[0])
    )


def pending_changes(store: Store) -> int:
    """How many local changes wait to be sent to the clinic server (``pending_op`` rows)."""
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(PendingOp)) or 0)
