"""The clinic server over TLS only (a real PostgreSQL with ``ssl = on``, a certificate made by
the test and ``hostssl``-only logins): the sync engine's LISTEN connection uses the same TLS
settings as its store, so another PC's change wakes it at once instead of at the next timer."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import URL

from console import services
from console.settings import ServerSettings
from console.store import open_store
from console.store.models import Conversation
from console.store.server import open_server_store
from console.sync.config import server_url
from console.sync.engine import SyncEngine
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import HOST, RUN_AS, PgServer, pg_bin

pytestmark = pytest.mark.slow


def _certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sotong test clinic CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.crt", folder / "server.crt", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server() -> Iterator[tuple[PgServer, Path]]:
    """A server that accepts TCP logins over TLS only; yields it and its CA file."""
    pg_bin()
    root = Path(tempfile.mkdtemp(prefix="sotong-pg-tls-"))
    server = PgServer(root)
    try:
        server.init()
        ca_file, cert_file, key_file = _certificate(server.data)
        key_file.chmod(0o600)
        if os.geteuid() == 0:
            for path in (cert_file, key_file):
                shutil.chown(path, RUN_AS, RUN_AS)
        client_ca = root.parent / f"{root.name}-ca.crt"
        shutil.copy(ca_file, client_ca)
        with (server.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        (server.data / "pg_hba.conf").write_text(
            "local all all peer\nhostssl all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
        )
        server.start()
        yield server, client_ca
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        (root.parent / f"{root.name}-ca.crt").unlink(missing_ok=True)


def test_listen_uses_tls_and_wakes_at_once(
    tls_server: tuple[PgServer, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_file = tls_server
    database = server.create_database()
    settings = ServerSettings(
        enabled=True,
        host=HOST,
        port=server.port,
        database=database,
        user=server.user,
        tls="verify-full",
        ca_file=str(ca_file),
    )
    url: URL = server_url(settings, server.password)
    # libpq's own default for anything not passed explicitly: no TLS, which this server
    # refuses. Only settings that are really passed on get through.
    monkeypatch.setenv("PGSSLMODE", "disable")
    seed = open_server_store(url)
    opened = [seed]
    engines: list[SyncEngine] = []
    try:
        account = add_account(seed)
        operator = add_operator(seed)
        cid = add_conversation(seed, account, [("in", "레이저 토닝 가격 문의")])

        def pc(name: str) -> tuple[object, SyncEngine]:
            local, remote = open_store(tmp_path / name), open_server_store(url)
            opened.extend([local, remote])
            engine = SyncEngine(local, remote)
            engines.append(engine)
            engine.sync_once()
            return local, engine

        a, sync_a = pc("a")
        b, sync_b = pc("b")
        assert sync_b.wait_for_hint(0.1)  # the listening connection is made (a fresh start)
        listener = sync_b._listener
        assert listener is not None and listener.pgconn.ssl_in_use
        params = listener.info.get_parameters()
        assert params.get("sslmode") == "verify-full"
        assert params.get("sslrootcert") == str(ca_file)
        while sync_b.wait_for_hint(0.0):  # drain what the first rounds notified
            pass

        services.tag_department(a, services.Actor(operator), cid, "derm")  # type: ignore[arg-type]
        sync_a.sync_once()
        began = time.monotonic()
        assert sync_b.wait_for_hint(20.0)
        assert time.monotonic() - began < 5.0  # the NOTIFY, not a timer
        sync_b.sync_once()
        with b.read() as s:  # type: ignore[attr-defined]
            conv = s.get(Conversation, cid)
            assert conv is not None and conv.department == "derm"
    finally:
        for engine in engines:
            engine.close()
        for store in opened:
            store.close()
