"""Connector for the demo channel API (see :mod:`console.demo.server` for the API).

It takes the same path as the real connectors: the shared client factory, one error mapping,
cursor paging, deduplicating sends keyed by the reply id.
"""

from __future__ import annotations

from typing import Any

import httpx

from console.channels.base import (
    Capabilities,
    Channel,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    Rejected,
    checked,
    make_client,
    raise_for_status,
)

PAGE_SIZE = 200


def _message(item: Any) -> InboundMessage:
    """Normalise one API message; raises Rejected on a malformed one."""
    try:
        sender = item["from"]
        body = item["text"]
        if not isinstance(body, str) or item["direction"] not in ("in", "out"):
            raise TypeError
        return InboundMessage(
            external_id=str(item["id"]),
            thread_id=str(item["thread_id"]),
            handle=str(sender["id"]),
            contact_name=str(sender.get("name") or sender["id"]),
            direction=item["direction"],
            body=body,
            sent_at=int(item["created_time"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise Rejected("malformed_message") from None


class DemoChannel(Channel):
    """One channel of the demo server.

    Args:
        base_url: The server's address.
        channel: The channel id on the server (``kakaotalk``, ``instagram`` ...).
        token: Access token.
        transport: Injected transport for tests.
    """

    capabilities = Capabilities(max_length=2000, dedupes=True)

    def __init__(
        self,
        base_url: str,
        channel: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.channel = channel
        self._client = make_client(base_url, token=token, transport=transport)

    def fetch(self, cursor: str | None) -> FetchResult:
        params = {"limit": str(PAGE_SIZE)}
        if cursor:
            params["after"] = cursor
        with checked():
            response = self._client.get(f"/v1/channels/{self.channel}/messages", params=params)
        raise_for_status(response)
        try:
            payload = response.json()
            items = payload["data"]
            paging = payload["paging"]
            next_cursor = str(paging["cursor"])
            more = bool(paging.get("has_more"))
        except (ValueError, KeyError, TypeError):
            raise Rejected("malformed_page") from None
        if not isinstance(items, list):
            raise Rejected("malformed_page")
        return FetchResult([_message(i) for i in items], next_cursor, more)

    def send(self, reply: OutgoingReply) -> str:
        if len(reply.body) > self.capabilities.max_length:
            raise Rejected("text_too_long")
        with checked(sending=True):
            response = self._client.post(
                f"/v1/channels/{self.channel}/messages",
                json={
                    "thread_id": reply.thread_id,
                    "text": reply.body,
                    "client_id": reply.reply_id,
                },
            )
        raise_for_status(response)
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise Rejected("malformed_response") from None

    def close(self) -> None:
        self._client.close()
