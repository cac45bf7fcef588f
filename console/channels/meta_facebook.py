"""Connector for a Facebook Page: Messenger conversations and comments on the Page's posts in,
Messenger replies and private replies to comments out (Graph API v21.0).

Shared machinery (paging, cursor, windows, errors, rate budget) is in
:mod:`console.channels.meta`. Endpoints specific to the Page, with the pages they follow:

``GET /{page-id}/feed?since=...&fields=id,created_time,updated_time,comments...``
    https://developers.facebook.com/docs/graph-api/reference/page/feed/ (``since`` applies to
    ``updated_time``, so a post that got a comment comes back); comments are read as
    the nested edge ``comments.filter(stream).order(reverse_chronological).limit(n){...}`` and
    continued with ``GET /{post-id}/comments``:
    https://developers.facebook.com/docs/graph-api/reference/object/comments ("to get all
    comments ... set the filter parameter to stream"; replies then come flat with ``parent``).
``POST /{page-id}/messages`` with ``recipient: {"comment_id": ...}`` (private replies)
    https://developers.facebook.com/docs/messenger-platform/discovery/private-replies: one
    message per comment, within 7 days of the comment; the conversation continues in Messenger
    once the person answers.

Threads: a Messenger conversation is the thread ``{conversation-id}``; the comments one person
left on one post form the thread ``comment:{post-id}:{person-id}`` (the Page's replies to them
are ``"out"`` messages in it). Answering a comment thread sends a private reply to the person's
newest comment that can still take one (``can_reply_privately``).

``dedupes`` is False: Messenger echoes ``message.metadata`` (our reply id) only in webhooks,
which a polling connector never receives, and the Send API has no idempotency key. A send whose
outcome is unknown raises ``Transient(ambiguous=True)`` and the outbox marks it for a person.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from console.channels.base import InboundMessage, OutgoingReply, Rejected
from console.channels.meta import (
    PRIVATE_REPLY_WINDOW_S,
    SEND_MARGIN_S,
    Container,
    Edge,
    MetaChannel,
    TokenBucket,
    common_settings,
    config_id,
    graph_url,
    item_time_ms,
    parse_fb_comment,
    path_id,
    requests_per_s,
    shared_bucket,
)

COMMENTS_PER_PAGE = 50
COMMENT_FIELDS = "id,message,from,created_time,parent{id,from},attachment"
_COMMENT_EDGE = "comments.filter(stream).order(reverse_chronological)"


class FacebookPageChannel(MetaChannel):
    """One Facebook Page: Messenger and post comments.

    Use :meth:`from_config`; the constructor arguments are those of
    :class:`console.channels.meta.MetaChannel`.
    """

    platform = "messenger"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._private_replied: set[str] = set()

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        secret: str | None,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Callable[[], float] = time.time,
        bucket: TokenBucket | None = None,
    ) -> FacebookPageChannel:
        """Build the connector from an account's settings.

        Args:
            config: ``page_id`` (required); optional ``graph_url``, ``max_pages``,
                ``page_size``, ``backfill_days``, ``comments``, ``comment_days``,
                ``human_agent``, ``timeout_s``, ``proxy``.
            secret: The Page access token.
            transport: Injected HTTP transport for tests.
            clock: Wall-clock seconds, for tests.
            bucket: Rate budget, for tests (default: shared per Page).

        Raises:
            ValueError: a setting is missing or out of range.
        """
        page_id = config_id(config, "page_id")
        return cls(
            graph_url(config),
            secret or "",
            page_id,
            own_ids=frozenset({page_id}),
            bucket=bucket or shared_bucket(f"page:{page_id}", requests_per_s(config)),
            transport=transport,
            clock=clock,
            max_length=2000,
            **common_settings(config),
        )

    # -- comments ----------------------------------------------------------------------------

    def _list_comments(self, after: str | None) -> dict[str, Any]:
        params = {
            "fields": (
                "id,created_time,updated_time,"
                f"{_COMMENT_EDGE}.limit({COMMENTS_PER_PAGE}){{{COMMENT_FIELDS}}}"
            ),
            "limit": str(self.page_size),
            "since": self._since(),
        }
        if after:
            params["after"] = after
        return self._get(f"/{self.page_id}/feed", params)

    def _comment_container(self, raw: Any) -> Container | None:
        post_id = path_id(raw.get("id")) if isinstance(raw, dict) else None
        if post_id is None:
            self._skip("malformed_post")
            return None
        activity = item_time_ms({"created_time": raw.get("updated_time")})
        return Container(post_id, activity, {"post": post_id}, Edge.of(raw.get("comments")))

    def _comment_edge_page(self, cid: str, ctx: dict[str, str], after: str) -> dict[str, Any]:
        params = {
            "filter": "stream",
            "order": "reverse_chronological",
            "fields": COMMENT_FIELDS,
            "limit": str(COMMENTS_PER_PAGE),
            "after": after,
        }
        return self._get(f"/{cid}/comments", params)

    def _parse_comments(self, ctx: dict[str, str], items: list[Any]) -> Iterator[InboundMessage]:
        return self._parse_each(
            items, lambda item: parse_fb_comment(item, post_id=ctx["post"], own_ids=self.own_ids)
        )

    # -- private replies ---------------------------------------------------------------------

    def _send_comment_reply(self, reply: OutgoingReply, object_id: str, commenter: str) -> str:
        """A private reply to the person's newest comment on the post, once per comment and
        within 7 days of it."""
        limit_ms = (PRIVATE_REPLY_WINDOW_S - SEND_MARGIN_S) * 1000
        now = self._now_ms()
        if reply.customer_last_at is not None and now - reply.customer_last_at >= limit_ms:
            raise Rejected("outside_window")
        page = self._get(
            f"/{object_id}/comments",
            {
                "filter": "stream",
                "order": "reverse_chronological",
                "fields": "id,from,created_time,can_reply_privately",
                "limit": str(COMMENTS_PER_PAGE),
            },
        )
        newest: tuple[int, dict[str, Any]] | None = None
        for item in Edge.of(page).items:
            sender = item.get("from") if isinstance(item, dict) else None
            at = item_time_ms(item)
            mine = isinstance(sender, dict) and sender.get("id") == commenter
            if mine and at is not None and (newest is None or at > newest[0]):
                newest = (at, item)
        if newest is None or not isinstance(newest[1].get("id"), str):
            raise Rejected("comment_not_found")
        at, comment = newest
        if now - at >= limit_ms:
            raise Rejected("outside_window")
        if comment.get("can_reply_privately") is False or comment["id"] in self._private_replied:
            raise Rejected("already_replied")
        answer = self._post(
            f"/{self.page_id}/messages",
            json_body={"recipient": {"comment_id": comment["id"]}, "message": self._message(reply)},
        )
        self._private_replied.add(comment["id"])
        return self._message_id(answer)
