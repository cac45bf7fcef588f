"""The commands the UI and the command line call to change anything.

Each command is one transaction that writes the change, an audit event and the ``pending_op``
records sync pushes to the clinic server, and returns a :class:`Changes` value saying what
moved so views can refresh. Invalid input raises a typed :mod:`console.errors` error.
"""

from console.services._accounts import (
    AccountExists,
    AccountNotFound,
    UnknownChannel,
    UnknownConnector,
    add_account,
    reconnect_account,
    remove_account,
    set_account_enabled,
)
from console.services._canned import (
    CannedNotFound,
    InvalidCanned,
    add_canned,
    delete_canned,
    move_canned,
    update_canned,
)
from console.services._changes import Actor, Changes
from console.services._commands import (
    add_label,
    add_note,
    assign,
    auto_tag_in,
    delete_draft,
    mark_read,
    queue_reply,
    remove_label,
    reopen_in,
    save_draft,
    set_priority,
    set_status,
    snooze,
    tag_department,
)
from console.services._conflicts import discard_draft_conflict, restore_draft_conflict
from console.services._contacts import (
    MAX_CONTACT_NAME_CHARS,
    MAX_CONTACT_NOTES_CHARS,
    merge_contacts,
    rename_contact,
    set_contact_notes,
    split_identity,
    surviving_contact,
)
from console.services._roles import Permission, permitted, require, role_of
from console.services._routing import (
    RuleNotFound,
    add_rule,
    delete_rule,
    move_rule,
    rule_actions_in,
    set_branch_name,
    set_routing_threshold,
    set_rule_enabled,
    update_rule,
)
from console.services._saved import (
    delete_saved_search,
    move_saved_search,
    rename_saved_search,
    save_search,
)
from console.services._sla import (
    remove_calendar_day,
    remove_sla_target,
    set_business_hours,
    set_calendar_day,
    set_sla_target,
)
from console.services._staff import add_operator
from console.store.contact_queries import surviving_contacts

__all__ = [
    "MAX_CONTACT_NAME_CHARS",
    "MAX_CONTACT_NOTES_CHARS",
    "AccountExists",
    "AccountNotFound",
    "Actor",
    "CannedNotFound",
    "Changes",
    "InvalidCanned",
    "Permission",
    "RuleNotFound",
    "UnknownChannel",
    "UnknownConnector",
    "add_account",
    "add_canned",
    "add_label",
    "add_note",
    "add_operator",
    "add_rule",
    "assign",
    "auto_tag_in",
    "delete_canned",
    "delete_draft",
    "delete_rule",
    "delete_saved_search",
    "discard_draft_conflict",
    "mark_read",
    "merge_contacts",
    "move_canned",
    "move_rule",
    "move_saved_search",
    "permitted",
    "queue_reply",
    "reconnect_account",
    "remove_account",
    "remove_calendar_day",
    "remove_label",
    "remove_sla_target",
    "rename_contact",
    "rename_saved_search",
    "reopen_in",
    "require",
    "restore_draft_conflict",
    "role_of",
    "rule_actions_in",
    "save_draft",
    "save_search",
    "set_account_enabled",
    "set_branch_name",
    "set_business_hours",
    "set_calendar_day",
    "set_contact_notes",
    "set_priority",
    "set_routing_threshold",
    "set_rule_enabled",
    "set_sla_target",
    "set_status",
    "snooze",
    "split_identity",
    "surviving_contact",
    "surviving_contacts",
    "tag_department",
    "update_canned",
    "update_rule",
]
