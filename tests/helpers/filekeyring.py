"""A keyring backend for test subprocesses: a JSON file named by ``$SOTONG_TEST_KEYRING``.

The in-memory keyring of ``tests/conftest.py`` lives in the test process only; a process a
test starts (``sotong agent``) is given this one with
``PYTHON_KEYRING_BACKEND=tests.helpers.filekeyring.FileKeyring``, so it reads its secrets
through ``console.secrets`` as in the product. Test use only: the file is plain text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


def _path() -> Path:
    return Path(os.environ["SOTONG_TEST_KEYRING"])


def _load() -> dict[str, str]:
    try:
        loaded: dict[str, str] = json.loads(_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return loaded


def write_keyring(path: Path, secrets: dict[tuple[str, str], str]) -> None:
    """Write ``(service, name) -> secret`` entries for a subprocess to read."""
    path.write_text(json.dumps({f"{s}\0{n}": v for (s, n), v in secrets.items()}), "utf-8")


class FileKeyring(KeyringBackend):
    """Secrets in the JSON file ``$SOTONG_TEST_KEYRING``."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return _load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = _load()
        data[f"{service}\0{username}"] = password
        _path().write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = _load()
        data.pop(f"{service}\0{username}", None)
        _path().write_text(json.dumps(data), encoding="utf-8")
