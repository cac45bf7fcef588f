"""Typed errors raised by services.

Each error carries a stable ``code`` and the values the UI needs to say what went wrong in the
user's language; no sentence is built here.
"""

from __future__ import annotations


class SotongError(Exception):
    """Base of every error a service raises on purpose.

    Args:
        code: Stable machine-readable code, e.g. ``"unknown_department"``.
        **params: Values for the message the UI shows (ids, limits...).
    """

    code = "error"

    def __init__(self, **params: object) -> None:
        self.params = params
        detail = ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))
        super().__init__(f"{self.code}({detail})" if detail else self.code)


class NotFound(SotongError):
    """The thing the call names does not exist."""

    code = "not_found"


class ConversationNotFound(NotFound):
    """No conversation has this id (deleted, or never synced to this PC)."""

    code = "conversation_not_found"


class OperatorNotFound(NotFound):
    """No member of staff has this id."""

    code = "operator_not_found"


class DraftConflictNotFound(NotFound):
    """No conflict copy of the actor's draft with that id (``draft_id``): already restored,
    discarded, or someone else's."""

    code = "draft_conflict_not_found"


class FieldConflictNotFound(NotFound):
    """No note of a concurrent change to that field of that conversation (``conversation_id``,
    ``field``): already restored or dismissed."""

    code = "field_conflict_not_found"


class SavedSearchNotFound(NotFound):
    """No saved search has this id (deleted meanwhile)."""

    code = "saved_search_not_found"


class InvalidInput(SotongError):
    """The call's arguments make no sense."""

    code = "invalid_input"


class UnknownDepartment(InvalidInput):
    """The department code is not one of the clinic's departments."""

    code = "unknown_department"


class EmptyReply(InvalidInput):
    """A reply must have text."""

    code = "empty_reply"


class ReplyTooLong(InvalidInput):
    """A reply is longer than the console or the channel accepts."""

    code = "reply_too_long"


class EmptyNote(InvalidInput):
    """A private note must have text."""

    code = "empty_note"


class InvalidLabel(InvalidInput):
    """A label must be 1..40 characters with no line breaks."""

    code = "invalid_label"


class InvalidStatus(InvalidInput):
    """The status is not one the console knows, or does not fit the call."""

    code = "invalid_status"


class SnoozeInPast(InvalidInput):
    """A conversation can only be snoozed until a time in the future."""

    code = "snooze_in_past"


class StorageError(SotongError):
    """The local database could not be written (full disk, permissions, corruption)."""

    code = "storage_error"


class NoSecretStore(SotongError):
    """This machine has no usable keyring backend, so no secret can be stored."""

    code = "no_keyring"


class NotPermitted(SotongError):
    """The acting member of staff's role does not allow this (``permission``, ``role``)."""

    code = "not_permitted"


class ContactNotFound(NotFound):
    """No contact has this id (``contact_id``)."""

    code = "contact_not_found"


class IdentityNotFound(NotFound):
    """The contact has no such channel identity (``identity_id``)."""

    code = "identity_not_found"


class CannotMergeContact(InvalidInput):
    """Two contacts cannot be merged: they are already the same person (``reason="same"``)."""

    code = "cannot_merge_contact"


class LastIdentity(InvalidInput):
    """A contact's only channel identity cannot be split off: nothing would be left."""

    code = "last_identity"


class InvalidContactName(InvalidInput):
    """A contact's name must be 1 to ``max_chars`` characters."""

    code = "invalid_contact_name"


class ContactNotesTooLong(InvalidInput):
    """Notes on a contact are ``length`` characters, over ``max_chars``."""

    code = "contact_notes_too_long"


class ServerNotConfigured(InvalidInput):
    """The clinic server settings miss something (``field``: host, database, user, ca_file)."""

    code = "server_not_configured"


class ServerCheckFailed(SotongError):
    """The clinic server could not be reached or refused the login.

    ``reason`` is one of: ``login_failed`` (wrong user name or password), ``unreachable``
    (no answer, connection refused, unknown host), ``database_missing``, ``tls_refused``
    (the server or the certificate check refused TLS), ``not_allowed`` (the server's access
    rules do not admit this PC), ``no_password`` (nothing in the keyring), ``other``.
    """

    code = "server_check_failed"


class ServerUnavailable(SotongError):
    """The clinic server cannot be reached right now (``reason``); edits wait on this PC."""

    code = "server_unavailable"


class StaleLeader(SotongError):
    """Another process has become the leader since this one was (``epoch`` is ours,
    ``current`` the one now in charge): the write is refused and this process stands down."""

    code = "stale_leader"
