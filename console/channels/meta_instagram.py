"""Connector for an Instagram professional account linked to a Facebook Page (Instagram API with
Facebook Login, Graph API v21.0): direct messages and comments on the account's media in,
direct replies and public comment replies out.

Shared machinery (paging, cursor, windows, errors, rate budget) is in
:mod:`console.channels.meta`. Endpoints specific to Instagram, with the pages they follow:

``GET /{page-id}/conversations?platform=instagram`` and ``POST /{page-id}/messages``
    https://developers.facebook.com/docs/messenger-platform/conversations and
    https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
    (the same 24-hour window and HUMAN_AGENT tag as Messenger).
``GET /{ig-user-id}/media?since=...&fields=id,timestamp,comments.limit(n){...}``
    https://developers.facebook.com/docs/graph-api/reference/shadow-ig-user/media/ and, for the
    comments (top-level, with their ``replies``),
    https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments
``POST /{ig-comment-id}/replies`` (form field ``message``)
    https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/replies
    ("you can only reply to top-level comments"; not to hidden ones).
Comment moderation overview
    https://developers.facebook.com/docs/instagram-api/guides/comment-moderation

Threads: a conversation is ``{conversation-id}``; one person's comments on one media form
``comment:{media-id}:{igsid or username}`` and the account's replies to them are ``"out"`` in
it. Answering a comment thread posts a public reply under the person's newest visible
top-level comment. Comment lists are assumed to come newest first, and replies are read only as
embedded in their comment (their own further pages are not followed).

Direct text messages are capped at 1000 characters here (Instagram's limit is smaller than
Messenger's); the Send API has no idempotency key, so ``dedupes`` is False.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import httpx

from console.channels.base import InboundMessage, OutgoingReply, Rejected
from console.channels.meta import (
    Container,
    Edge,
    MetaChannel,
    TokenBucket,
    common_settings,
    config_id,
    graph_url,
    ig_commenter,
    item_time_ms,
    parse_ig_comment,
    path_id,
    requests_per_s,
    shared_bucket,
)

COMMENTS_PER_PAGE = 50
IG_MAX_TEXT = 1000
COMMENT_FIELDS = "id,text,timestamp,from,username"
_THREAD_FIELDS = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"


class InstagramChannel(MetaChannel):
    """One Instagram professional account: direct messages and media comments.

    Use :meth:`from_config`.

    Args:
        ig_user_id: The Instagram professional account's id.
        *args: As :class:`console.channels.meta.MetaChannel`.
        **kwargs: As :class:`console.channels.meta.MetaChannel`.
    """

    platform = "instagram"

    def __init__(self, ig_user_id: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ig_user_id = ig_user_id

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        secret: str | None,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Callable[[], float] = time.time,
        bucket: TokenBucket | None = None,
    ) -> InstagramChannel:
        """Build the connector from an account's settings.

        Args:
            config: ``page_id`` (the linked Page) and ``ig_user_id`` (required); optional
                ``ig_username`` (to recognise the account's own comments without an id),
                ``graph_url``, ``max_pages``, ``page_size``, ``backfill_days``, ``comments``,
                ``comment_days``, ``human_agent``, ``timeout_s``, ``proxy``.
            secret: The Page access token.
            transport: Injected HTTP transport for tests.
            clock: Wall-clock seconds, for tests.
            bucket: Rate budget, for tests (default: shared per Instagram account).

        Raises:
            ValueError: a setting is missing or out of range.
        """
        page_id = config_id(config, "page_id")
        ig_user_id = config_id(config, "ig_user_id")
        own = {page_id, ig_user_id}
        username = str(config.get("ig_username") or "").strip().lstrip("@")
        if username:
            own.add(username)
        return cls(
            ig_user_id,
            graph_url(config),
            secret or "",
            page_id,
            own_ids=frozenset(own),
            bucket=bucket or shared_bucket(f"ig:{ig_user_id}", requests_per_s(config)),
            transport=transport,
            clock=clock,
            max_length=IG_MAX_TEXT,
            **common_settings(config),
        )

    def _message(self, reply: OutgoingReply) -> dict[str, str]:
        return {"text": reply.body}

    # -- comments ----------------------------------------------------------------------------

    def _list_comments(self, after: str | None) -> dict[str, Any]:
        params = {
            "fields": f"id,timestamp,comments.limit({COMMENTS_PER_PAGE}){{{_THREAD_FIELDS}}}",
            "limit": str(self.page_size),
            "since": self._since(),
        }
        if after:
            params["after"] = after
        return self._get(f"/{self.ig_user_id}/media", params)

    def _comment_container(self, raw: Any) -> Container | None:
        media_id = path_id(raw.get("id")) if isinstance(raw, dict) else None
        if media_id is None:
            self._skip("malformed_media")
            return None
        return Container(media_id, None, {"media": media_id}, Edge.of(raw.get("comments")))

    def _comment_edge_page(self, cid: str, ctx: dict[str, str], after: str) -> dict[str, Any]:
        params = {"fields": _THREAD_FIELDS, "limit": str(COMMENTS_PER_PAGE), "after": after}
        return self._get(f"/{cid}/comments", params)

    def _parse_comments(self, ctx: dict[str, str], items: list[Any]) -> Iterator[InboundMessage]:
        media = ctx["media"]
        for item in items:
            yield from self._parse_each(
                [item], lambda c: parse_ig_comment(c, media_id=media, own_ids=self.own_ids)
            )
            if not isinstance(item, dict):
                continue
            replies = partial(
                parse_ig_comment, media_id=media, own_ids=self.own_ids, parent=ig_commenter(item)
            )
            yield from self._parse_each(Edge.of(item.get("replies")).items, replies)

    # -- comment replies ---------------------------------------------------------------------

    def _send_comment_reply(self, reply: OutgoingReply, object_id: str, commenter: str) -> str:
        """A public reply under the person's newest visible top-level comment on the media."""
        page = self._get(
            f"/{object_id}/comments",
            {"fields": "id,timestamp,from,username,hidden", "limit": str(COMMENTS_PER_PAGE)},
        )
        newest: tuple[int, str] | None = None
        for item in Edge.of(page).items:
            if not isinstance(item, dict) or item.get("hidden") is True:
                continue
            author = ig_commenter(item)
            at = item_time_ms(item)
            cid = path_id(item.get("id"))
            if author is None or commenter not in author or at is None:
                continue
            if cid is not None and (newest is None or at > newest[0]):
                newest = (at, cid)
        if newest is None:
            raise Rejected("comment_not_found")
        answer = self._post(f"/{newest[1]}/replies", form={"message": reply.body})
        return self._message_id(answer)


__all__ = ["InstagramChannel"]
