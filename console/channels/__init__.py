"""Channel connectors over one contract (see :mod:`console.channels.base`)."""

from console.channels.base import (
    AuthExpired,
    Capabilities,
    Channel,
    ChannelError,
    FetchResult,
    InboundMessage,
    OutgoingReply,
    RateLimited,
    Rejected,
    Transient,
    make_client,
)

__all__ = [
    "AuthExpired",
    "Capabilities",
    "Channel",
    "ChannelError",
    "FetchResult",
    "InboundMessage",
    "OutgoingReply",
    "RateLimited",
    "Rejected",
    "Transient",
    "make_client",
]
