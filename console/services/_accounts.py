"""Channel accounts: connect, enable/disable and remove, for Settings and the admin CLI.

The account's secret (token, password) goes to the OS keyring under the account id; the
database keeps only the reference. An account is never deleted (its conversations stay): a
removed account is disabled, its secret forgotten.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from console import errors, secrets
from console.domain import ChannelKind
from console.ids import new_id
from console.services._changes import Actor
from console.services._commands import record
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import ChannelAccount


class UnknownConnector(errors.InvalidInput):
    """No connector of that name."""

    code = "unknown_connector"


class UnknownChannel(errors.InvalidInput):
    """Not a channel kind Sotong knows."""

    code = "unknown_channel"


class AccountExists(errors.InvalidInput):
    """An account with this connector and external id is already connected."""

    code = "account_exists"


class AccountNotFound(errors.NotFound):
    """No account has this id."""

    code = "account_not_found"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _record(
    store: Store, s: Any, actor: Actor, action: str, account_id: str, changes: Mapping[str, Any]
) -> None:
    record(
        s,
        store,
        actor,
        action,
        None,
        [("channel_account", account_id, name, value, None) for name, value in changes.items()],
        {"account_id": account_id, **changes},
    )


def add_account(
    store: Store,
    actor: Actor,
    *,
    kind: str,
    connector: str,
    external_id: str,
    display_name: str,
    config: Mapping[str, Any],
    secret: str | None,
) -> str:
    """Connect an account; its secret goes to the keyring first.

    Returns:
        The new account id.

    Raises:
        NotPermitted: the actor may not manage accounts (checked before the keyring is used).
        UnknownChannel, UnknownConnector, AccountExists: bad input.
        NoSecretStore: a secret was given but the machine has no keyring (nothing is saved).
    """
    try:
        ChannelKind(kind)
    except ValueError:
        raise UnknownChannel(kind=kind) from None
    from console.channels.registry import CONNECTORS  # the connectors load only when needed

    if connector not in CONNECTORS:
        raise UnknownConnector(connector=connector)
    if not display_name.strip() or not external_id.strip():
        raise errors.InvalidInput(field="display_name" if external_id.strip() else "external_id")
    with store.read() as s:
        require(s, actor, Permission.MANAGE_ACCOUNTS)  # before the secret reaches the keyring
        taken = s.execute(
            select(ChannelAccount.id, ChannelAccount.removed_at).where(
                ChannelAccount.connector == connector, ChannelAccount.external_id == external_id
            )
        ).first()
    if taken is not None and taken[1] is None:
        raise AccountExists(account_id=taken[0])
    # A removed account comes back under its old id, with its conversations.
    account_id = taken[0] if taken is not None else new_id()
    if secret:
        secrets.set_secret(account_id, secret)
    try:
        with store.write() as s:
            require(s, actor, Permission.MANAGE_ACCOUNTS)
            account = s.get(ChannelAccount, account_id)
            if account is None:
                account = ChannelAccount(id=account_id, created_at=_now_ms())
                s.add(account)
            account.kind, account.connector, account.external_id = kind, connector, external_id
            account.display_name, account.config = display_name.strip(), dict(config)
            account.secret_ref = account_id if secret else None
            account.enabled, account.removed_at, account.last_error = True, None, None
            _record(
                store,
                s,
                actor,
                "add_account",
                account_id,
                {"kind": kind, "connector": connector, "enabled": True},
            )
    except BaseException:
        if secret:
            secrets.delete_secret(account_id)
        raise
    return account_id


def set_account_enabled(store: Store, actor: Actor, account_id: str, enabled: bool) -> None:
    """Turn polling and sending for an account on or off."""
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ACCOUNTS)
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise AccountNotFound(account_id=account_id)
        account.enabled = enabled
        _record(
            store,
            s,
            actor,
            "enable_account" if enabled else "disable_account",
            account_id,
            {"enabled": enabled},
        )


def remove_account(store: Store, actor: Actor, account_id: str) -> None:
    """Disconnect an account: disabled, secret forgotten, conversations kept."""
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ACCOUNTS)
        account = s.get(ChannelAccount, account_id)
        if account is None:
            raise AccountNotFound(account_id=account_id)
        ref = account.secret_ref
        account.enabled, account.secret_ref, account.removed_at = False, None, _now_ms()
        _record(store, s, actor, "remove_account", account_id, {"enabled": False})
    if ref:
        secrets.delete_secret(ref)


def reconnect_account(store: Store, actor: Actor, account_id: str, secret: str) -> None:
    """Replace an account's token or password (after it expired or was revoked).

    The secret goes to the keyring; the row forgets its last error so polling resumes.

    Raises:
        AccountNotFound: no such account.
        InvalidInput: an empty secret.
        NoSecretStore: no keyring on this machine (nothing changes).
    """
    if not secret:
        raise errors.InvalidInput(field="secret")
    with store.read() as s:
        require(s, actor, Permission.MANAGE_ACCOUNTS)  # before the secret reaches the keyring
        if s.get(ChannelAccount, account_id) is None:
            raise AccountNotFound(account_id=account_id)
    secrets.set_secret(account_id, secret)
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ACCOUNTS)
        account = s.get(ChannelAccount, account_id)
        assert account is not None
        account.secret_ref, account.last_error = account_id, None
        _record(store, s, actor, "reconnect_account", account_id, {"enabled": account.enabled})
