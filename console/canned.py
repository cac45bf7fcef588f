"""Canned responses: filling their placeholders (a pure function) and reading them.

A response's body may hold placeholders in braces:

- ``{고객명}`` the contact's display name,
- ``{지점}`` the clinic branch's name (a clinic setting, e.g. "강남점"),
- ``{담당자}`` the conversation's assignee, else the member of staff writing the reply.

:func:`fill` replaces the ones it has a value for. A placeholder it does not know (a typo such
as ``{고객 명}``), or one whose value is empty (no branch name set yet), is left in the text
exactly as written, so the person sending sees it, and it is reported so the settings preview
can say so. The result is plain text.

Changes go through :mod:`console.services` (``add_canned`` …); the reads here return frozen
rows ordered for the composer's picker: the conversation's department first, then the front
desk's (원무) and clinic-wide ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, select

from console.store.engine import Store
from console.store.models import CannedResponse, Contact, Conversation, Operator

__all__ = [
    "ASSIGNEE",
    "BRANCH",
    "CONTACT",
    "GENERAL_DEPARTMENT",
    "PLACEHOLDERS",
    "CannedRow",
    "Filled",
    "canned_for",
    "canned_responses",
    "fill",
    "placeholder_values",
    "values_for_conversation",
]

CONTACT, BRANCH, ASSIGNEE = "고객명", "지점", "담당자"
#: The placeholders :func:`fill` knows, in the order the editor offers them.
PLACEHOLDERS = (CONTACT, BRANCH, ASSIGNEE)
#: The front desk's department: its responses follow every department's own.
GENERAL_DEPARTMENT = "general"

_PLACEHOLDER = re.compile(r"\{([^{}\n]{1,30})\}")


@dataclass(frozen=True, slots=True)
class Filled:
    """A response with its placeholders filled.

    Attributes:
        text: The text to insert (plain text).
        unknown: Placeholders that are not known, left as written (in order, once each).
        empty: Known placeholders with no value yet, left as written.
    """

    text: str
    unknown: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()


def fill(body: str, values: Mapping[str, str]) -> Filled:
    """Replace the known placeholders of ``body`` with ``values``.

    Args:
        body: The response's text.
        values: Placeholder name (without braces) to its value; an empty value counts as
            missing.

    Returns:
        The text and what was left as written.
    """
    unknown: list[str] = []
    empty: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        key = name.strip()
        if key not in PLACEHOLDERS:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        value = values.get(key, "")
        if not value:
            if key not in empty:
                empty.append(key)
            return match.group(0)
        return value

    return Filled(_PLACEHOLDER.sub(replace, body), tuple(unknown), tuple(empty))


def placeholder_values(
    contact: str | None, branch: str | None, assignee: str | None, operator: str | None
) -> dict[str, str]:
    """The values of the placeholders: ``{담당자}`` is the assignee, else the operator."""
    return {
        CONTACT: (contact or "").strip(),
        BRANCH: (branch or "").strip(),
        ASSIGNEE: (assignee or "").strip() or (operator or "").strip(),
    }


def values_for_conversation(
    store: Store, conversation_id: str | None, operator_id: str | None
) -> dict[str, str]:
    """The placeholder values for a reply in a conversation, written by ``operator_id``."""
    from console.routing.stored import BRANCH_KEY, clinic_setting

    with store.read() as s:
        branch = clinic_setting(s, BRANCH_KEY, "")
        contact = assignee = None
        if conversation_id is not None:
            conv = s.get(Conversation, conversation_id)
            if conv is not None:
                person = s.get(Contact, conv.contact_id)
                contact = person.display_name if person is not None else None
                if conv.assignee_id:
                    op = s.get(Operator, conv.assignee_id)
                    assignee = op.name if op is not None else None
        me = s.get(Operator, operator_id) if operator_id else None
    return placeholder_values(
        contact, branch if isinstance(branch, str) else "", assignee, me.name if me else None
    )


@dataclass(frozen=True, slots=True)
class CannedRow:
    """A canned response as lists show it.

    Attributes:
        id: Its id.
        department: Its department code (None: the whole clinic).
        title: Short title.
        body: The text with placeholders.
        shortcut: A word to find it by ("" when none).
        sort_order: Its place within its department.
    """

    id: str
    department: str | None
    title: str
    body: str
    shortcut: str
    sort_order: int


def _row(r: CannedResponse) -> CannedRow:
    return CannedRow(r.id, r.department, r.title, r.body, r.shortcut, r.sort_order)


def canned_responses(store: Store, department: str | None = None) -> list[CannedRow]:
    """The responses of one department in order (``None``: every response, by department)."""
    query = select(CannedResponse).where(CannedResponse.deleted.is_(False))
    if department is not None:
        query = query.where(CannedResponse.department == department)
    query = query.order_by(
        CannedResponse.department, CannedResponse.sort_order, CannedResponse.title
    )
    with store.read() as s:
        return [_row(r) for r in s.scalars(query)]


def canned_for(store: Store, department: str | None) -> list[CannedRow]:
    """The responses offered in a conversation of ``department``: its own first, then the
    front desk's and clinic-wide ones. An untriaged conversation (``None``) is offered the
    front desk's first, then every department's."""
    first = department if department is not None else GENERAL_DEPARTMENT
    rank = case(
        (CannedResponse.department == first, 0),
        (CannedResponse.department == GENERAL_DEPARTMENT, 1),
        (CannedResponse.department.is_(None), 1),
        else_=2,
    )
    query = select(CannedResponse).where(CannedResponse.deleted.is_(False))
    if department is not None:
        query = query.where(
            (CannedResponse.department.in_((department, GENERAL_DEPARTMENT)))
            | CannedResponse.department.is_(None)
        )
    query = query.order_by(
        rank, CannedResponse.department, CannedResponse.sort_order, CannedResponse.title
    )
    with store.read() as s:
        return [_row(r) for r in s.scalars(query)]
