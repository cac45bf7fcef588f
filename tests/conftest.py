"""Root test configuration: offscreen Qt, an in-memory keyring, a fresh store per test.

Tests that use ``qapp`` or ``qtbot`` are marked ``gui`` automatically.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from console.store.engine import Store, open_memory_store

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SOTONG_DATA_DIR", "/nonexistent-tests-must-pass-data-dir")


class MemoryKeyring(KeyringBackend):
    """A keyring that forgets everything when the test process ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store at the schema head."""
    s = open_memory_store()
    yield s
    s.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for a store."""
    d = tmp_path / "data"
    d.mkdir()
    return d


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qapp" in fixtures or "qtbot" in fixtures:
            item.add_marker(pytest.mark.gui)
