"""Reading channel accounts and turning them into working connectors.

Changing accounts goes through :mod:`console.services`; this module reads them, builds each
enabled account's connector with its secret from the keyring, and tests a connection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from console import secrets
from console.channels.base import Channel, ChannelError
from console.channels.registry import UnknownConnector, build_channel
from console.routing.triage import Triage
from console.runtime import Fence, Runtime
from console.store.engine import Store
from console.store.models import ChannelAccount

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountRow:
    """An account as lists show it (no secret, only whether one is stored)."""

    id: str
    kind: str
    connector: str
    external_id: str
    display_name: str
    enabled: bool
    has_secret: bool
    last_error: str | None
    last_fetch_at: int | None
    config: dict[str, Any]
    removed: bool = False
    monthly_requests: int | None = None  # billed-per-request APIs (X): reads a month
    skipped_items: int = 0  # malformed or unsupported items left out
    last_skip_reason: str | None = None


def list_accounts(store: Store) -> list[AccountRow]:
    """Every account, by name."""
    with store.read() as s:
        rows = s.scalars(select(ChannelAccount).order_by(ChannelAccount.display_name)).all()
        return [
            AccountRow(
                a.id,
                a.kind,
                a.connector,
                a.external_id,
                a.display_name,
                a.enabled,
                a.secret_ref is not None,
                a.last_error,
                a.last_fetch_at,
                dict(a.config),
                a.removed_at is not None,
                _monthly_requests(a.connector, a.config),
                a.skipped_items,
                a.last_skip_reason,
            )
            for a in rows
        ]


def _monthly_requests(connector: str, config: dict[str, Any]) -> int | None:
    if connector != "x":
        return None
    from console.channels.x import DEFAULT_POLL_INTERVAL_S, estimate_monthly_requests

    try:
        interval = float(config.get("poll_interval_s", DEFAULT_POLL_INTERVAL_S))
    except (TypeError, ValueError):
        interval = DEFAULT_POLL_INTERVAL_S
    return estimate_monthly_requests(interval, bool(config.get("dms", True)))


class AccountUnusable(Exception):
    """An account's connector cannot be built: ``code`` says why (no_keyring, no_secret,
    unknown_connector, bad_config)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def channel_for(
    account: AccountRow,
    transport: httpx.BaseTransport | None = None,
    proxy: str = "",
) -> Channel:
    """The connector of one account, with its secret from the keyring.

    Raises:
        AccountUnusable: no keyring, secret missing, unknown connector, or bad config.
    """
    secret = None
    if account.has_secret:
        try:
            secret = secrets.get_secret(account.id)
        except secrets.NoSecretStore:
            raise AccountUnusable("no_keyring") from None
        if secret is None:
            raise AccountUnusable("no_secret")
    try:
        config = dict(account.config)
        if proxy and not config.get("proxy"):
            config["proxy"] = proxy  # the clinic's proxy from settings, unless the account has one
        return build_channel(account.connector, config, secret, transport)
    except UnknownConnector:
        raise AccountUnusable("unknown_connector") from None
    except (KeyError, ValueError, TypeError):
        raise AccountUnusable("bad_config") from None


def build_runtime(
    store: Store,
    only: str | None = None,
    transport: httpx.BaseTransport | None = None,
    triage: Triage | None = None,
    proxy: str = "",
    fence: Fence | None = None,
) -> Runtime:
    """A runtime over every enabled account (or just ``only``); an account whose connector
    cannot be built gets its reason recorded and is left out, the others keep working.

    ``fence`` is the leader's on the clinic server: every write the runtime makes checks it
    (see :class:`console.runtime.Runtime`)."""
    channels: dict[str, Channel] = {}
    broken: dict[str, str] = {}
    for account in list_accounts(store):
        if not account.enabled or (only is not None and account.id != only):
            continue
        if account.config.get("demo"):
            continue  # the demo's local servers live only as long as `sotong demo`
        try:
            channels[account.id] = channel_for(account, transport, proxy)
        except AccountUnusable as exc:
            broken[account.id] = exc.code
    if broken:
        with (store if fence is None else store.fenced(fence.check)).write() as s:
            for account_id, code in broken.items():
                row = s.get(ChannelAccount, account_id)
                if row is not None:
                    row.last_error = code
        log.warning("accounts left out: %s", broken)
    return Runtime(store, channels, triage=triage, fence=fence)


def check_connection(
    account: AccountRow,
    transport: httpx.BaseTransport | None = None,
    connected: Channel | None = None,
) -> str | None:
    """Try the account's credentials and API with one fetch (nothing is stored).

    Args:
        account: The account.
        transport: Injected transport (tests).
        connected: The account's connector already in use, if the runtime has one (the demo's
            accounts have no token of their own to build another from).

    Returns:
        None if it worked, else an error code.
    """
    try:
        channel = connected or channel_for(account, transport)
    except AccountUnusable as exc:
        return exc.code
    try:
        channel.fetch(None)
    except ChannelError as exc:
        return exc.code
    finally:
        if connected is None:
            channel.close()
    return None
