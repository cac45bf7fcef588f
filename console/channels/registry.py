"""Which code talks to which kind of account: connector name -> factory.

A factory takes the account's non-secret ``config``, its secret from the keyring (or None)
and, for tests, an injected HTTP transport, and returns a ready :class:`Channel`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from console.channels.base import Channel
from console.channels.demo import DemoChannel
from console.channels.email import EmailChannel
from console.channels.meta_facebook import FacebookPageChannel
from console.channels.meta_instagram import InstagramChannel
from console.channels.telegram import TelegramChannel
from console.channels.x import XChannel

Factory = Callable[[Mapping[str, Any], str | None, httpx.BaseTransport | None], Channel]


def _demo(
    config: Mapping[str, Any], secret: str | None, transport: httpx.BaseTransport | None
) -> Channel:
    return DemoChannel(str(config["base_url"]), str(config["channel"]), secret or "", transport)


CONNECTORS: dict[str, Factory] = {
    "demo": _demo,
    "email": EmailChannel.from_config,
    "facebook": FacebookPageChannel.from_config,
    "instagram": InstagramChannel.from_config,
    "x": XChannel.from_config,
    "telegram": TelegramChannel.from_config,
}


class UnknownConnector(KeyError):
    """No code for this connector name (an account made by a newer version)."""


def build_channel(
    connector: str,
    config: Mapping[str, Any],
    secret: str | None,
    transport: httpx.BaseTransport | None = None,
) -> Channel:
    """A connector for one account.

    Raises:
        UnknownConnector: the name is not registered.
    """
    try:
        factory = CONNECTORS[connector]
    except KeyError:
        raise UnknownConnector(connector) from None
    return factory(config, secret, transport)
