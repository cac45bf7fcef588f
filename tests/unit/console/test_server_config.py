"""The clinic server's settings and URL: a ``[server]`` table, the password only in the keyring,
never in the URL's text, and libpq's TLS options."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from console.errors import ServerNotConfigured, StorageError
from console.settings import ServerSettings, Settings, load_settings, save_settings
from console.sync.config import (
    SECRET_KEY,
    classify,
    read_password,
    server_url,
    store_password,
)
from tests.conftest import MemoryKeyring

PASSWORD = "s3cret-Pw-9d1c"
SERVER = ServerSettings(
    enabled=True,
    host="db.clinic",
    port=6543,
    database="sotong",
    user="desk",
    tls="verify-full",
    ca_file="/etc/sotong/clinic-ca.pem",
)


def test_the_server_table_round_trips_and_bad_values_fall_back(tmp_path: Path) -> None:
    save_settings(tmp_path, Settings(language="ko", server=SERVER))
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert "[server]" in text and 'host = "db.clinic"' in text
    assert load_settings(tmp_path) == Settings(language="ko", server=SERVER)
    (tmp_path / "settings.toml").write_text(
        '[settings]\nlanguage = "en"\n[server]\nenabled = true\nhost = "x"\ntls = "maybe"\n'
        'port = "6000"\n',
        encoding="utf-8",
    )
    loaded = load_settings(tmp_path).server
    assert (loaded.enabled, loaded.host, loaded.tls, loaded.port) == (True, "x", "require", 5432)


def test_the_url_carries_tls_and_timeout_and_hides_the_password() -> None:
    url = server_url(SERVER, PASSWORD)
    assert url.password == PASSWORD
    assert PASSWORD not in str(url) and PASSWORD not in repr(url)
    assert dict(url.query) == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/sotong/clinic-ca.pem",
        "connect_timeout": "5",
    }
    assert (url.drivername, url.host, url.port, url.database, url.username) == (
        "postgresql+psycopg",
        "db.clinic",
        6543,
        "sotong",
        "desk",
    )
    plain = server_url(ServerSettings(enabled=True, host="h", tls="require"), None)
    assert plain.password is None and "sslrootcert" not in plain.query
    with pytest.raises(ServerNotConfigured) as missing:
        server_url(ServerSettings(enabled=True, host=" "), PASSWORD)
    assert missing.value.params == {"field": "host"}
    assert PASSWORD not in str(missing.value)


def test_the_password_lives_under_its_keyring_entry(memory_keyring: MemoryKeyring) -> None:
    assert read_password() is None
    store_password(PASSWORD)
    assert memory_keyring.secrets == {("sotong", SECRET_KEY): PASSWORD}
    assert read_password() == PASSWORD


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ('connection failed: FATAL:  password authentication failed for user "u"', "login_failed"),
        ("connection failed: fe_sendauth: no password supplied", "login_failed"),
        ('connection failed: FATAL:  database "x" does not exist', "database_missing"),
        ("connection failed: server does not support SSL, but SSL was required", "tls_refused"),
        ("connection failed: SSL error: certificate verify failed", "tls_refused"),
        ('FATAL:  no pg_hba.conf entry for host "10.0.0.5", user "u"', "not_allowed"),
        ("connection failed: Connection refused", "unreachable"),
        ("connection failed: timeout expired", "unreachable"),
        ("failed to resolve host 'x': Name or service not known", "unreachable"),
        ("something else entirely", "other"),
    ],
)
def test_libpq_messages_become_reasons(message: str, reason: str) -> None:
    assert classify(psycopg.OperationalError(message)) == reason
    assert classify(StorageError(reason=message)) == reason
