"""Secrets (channel tokens, passwords) live in the OS keyring only, under the service ``sotong``.

Nothing here falls back to a file: on a machine with no keyring backend the caller gets
:class:`NoSecretStore` and tells the user plainly.
"""

from __future__ import annotations

import keyring
import keyring.errors

from console.errors import NoSecretStore

__all__ = ["SERVICE", "NoSecretStore", "delete_secret", "get_secret", "set_secret"]

SERVICE = "sotong"


def get_secret(ref: str) -> str | None:
    """The secret stored under ``ref`` (an account id), or None.

    Raises:
        NoSecretStore: no keyring backend.
    """
    try:
        return keyring.get_password(SERVICE, ref)
    except keyring.errors.NoKeyringError as exc:
        raise NoSecretStore() from exc


def set_secret(ref: str, value: str) -> None:
    """Store a secret under ``ref``.

    Raises:
        NoSecretStore: no keyring backend.
    """
    try:
        keyring.set_password(SERVICE, ref, value)
    except keyring.errors.NoKeyringError as exc:
        raise NoSecretStore() from exc


def delete_secret(ref: str) -> None:
    """Remove the secret under ``ref``; a missing one is fine."""
    try:
        keyring.delete_password(SERVICE, ref)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.NoKeyringError as exc:
        raise NoSecretStore() from exc
