"""Labelled routing examples: reading ``train.jsonl`` and ``test.jsonl``.

Each line is ``{"text": ..., "department": ..., "channel": ...}`` in UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

from console import errors
from console.resources import resource
from console.routing.classifier import DEPARTMENTS

__all__ = ["CHANNELS", "Example", "read_examples", "shipped_examples"]

#: Channels the labelled data comes from.
CHANNELS = frozenset(
    {"kakaotalk", "instagram", "naver_talktalk", "facebook", "sms", "email", "webform", "x"}
)


class Example(NamedTuple):
    """One labelled message."""

    text: str
    department: str
    channel: str


def read_examples(lines: Iterable[str]) -> list[Example]:
    """Parse labelled JSON Lines; blank lines are skipped.

    Raises:
        console.errors.InvalidInput: A line is not a valid example (``line`` is its number,
            counting from 1, and ``reason`` says what is wrong).
    """
    out: list[Example] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise errors.InvalidInput(line=number, reason="invalid_json") from None
        if not isinstance(row, dict) or set(row) != {"text", "department", "channel"}:
            raise errors.InvalidInput(line=number, reason="fields")
        text, department, channel = row["text"], row["department"], row["channel"]
        if not isinstance(text, str) or not text.strip():
            raise errors.InvalidInput(line=number, reason="text")
        if department not in DEPARTMENTS:
            raise errors.InvalidInput(line=number, reason="department")
        if channel not in CHANNELS:
            raise errors.InvalidInput(line=number, reason="channel")
        out.append(Example(text, department, channel))
    return out


def shipped_examples(name: str) -> list[Example]:
    """The examples of a shipped data file, ``"train"`` or ``"test"``."""
    text = resource("routing", f"{name}.jsonl").read_text(encoding="utf-8")
    return read_examples(text.splitlines())
