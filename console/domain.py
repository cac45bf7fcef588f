"""Enums and value objects shared by every layer.

The core speaks in codes, never prose: the UI turns each code into translated text.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """Where a conversation stands in the clinic's work."""

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Direction(enum.StrEnum):
    """Whether a message came from the customer or from the clinic."""

    INBOUND = "in"
    OUTBOUND = "out"


class ChannelKind(enum.StrEnum):
    """The networks a clinic hears customers on."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    KAKAOTALK = "kakaotalk"
    NAVER_TALKTALK = "naver_talktalk"
    LINE = "line"
    TELEGRAM = "telegram"
    EMAIL = "email"
    SMS = "sms"
    WEBFORM = "webform"
    DEMO = "demo"


class Role(enum.StrEnum):
    """What a member of staff does; permissions follow from it."""

    FRONT_DESK = "front_desk"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"


class AssignMode(enum.StrEnum):
    """How a department's new conversations find an assignee."""

    OFF = "off"  # they wait in the department's queue until someone takes one
    ROUND_ROBIN = "round_robin"  # in turn among the staff on duty for the department
    LEAST_LOADED = "least_loaded"  # whoever on duty has the fewest active conversations


class OutboxState(enum.StrEnum):
    """Lifecycle of a reply on its way to the channel.

    queued -> sending -> sent | failed | unknown. ``unknown`` means the channel answered
    ambiguously and cannot deduplicate: a person checks, nothing re-sends it automatically.
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Priority(enum.IntEnum):
    """How urgent a conversation is."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3


#: Longest reply body the console accepts, in characters (channels may allow less).
MAX_REPLY_CHARS = 20_000
#: Longest label, in characters.
MAX_LABEL_CHARS = 40
#: Longest name of a saved search, in characters.
MAX_SAVED_SEARCH_NAME_CHARS = 60
