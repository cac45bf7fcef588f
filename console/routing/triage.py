"""Routing conversations as they arrive, and learning from staff on this PC.

:class:`Triage` holds the rules, the classifier and the threshold. Ingest asks it about each
new conversation; the app tells it about every department a person chooses
(:meth:`Triage.learn_from`), and the learned model is kept in the data folder, so each PC gets
better at its clinic's messages. Nothing leaves the PC.

A triage that follows the store (:meth:`Triage.for_data_dir`, the app's) takes its rules and
threshold from the clinic's database: ingest calls :meth:`Triage.refresh` in its transaction,
which re-reads them only when a rule or the threshold was written since (one small query).
:meth:`Triage.explain` answers the settings' "try a message" box with the stored rules and
threshold as they are now.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.routing._router import DEFAULT_THRESHOLD, Decision, route, starter_model
from console.routing.classifier import Classifier, InvalidModel
from console.routing.rules import Rule
from console.store.engine import Store
from console.store.models import Message

log = logging.getLogger(__name__)

MODEL_FILE = Path("routing") / "model.json.gz"
#: How much of a conversation the classifier reads (its first customer messages).
LEARN_CHARS = 2000


class Triage:
    """Decides departments for new conversations and learns from staff corrections.

    Thread-safe: ingest runs on a worker while the app may teach it.

    Args:
        model: The classifier (learned copy or the starter model).
        rules: Rules in priority order.
        threshold: Confidence from which the classifier's choice is applied automatically.
        model_path: Where :meth:`save` keeps the learned model (None: not kept).
        follow_store: Take the rules and the threshold from the store (:meth:`refresh`)
            instead of ``rules`` and ``threshold``.
    """

    def __init__(
        self,
        model: Classifier,
        rules: Sequence[Rule] = (),
        threshold: float = DEFAULT_THRESHOLD,
        model_path: Path | None = None,
        follow_store: bool = False,
    ) -> None:
        self.model = model
        self.rules = tuple(rules)
        self.threshold = threshold
        self.model_path = model_path
        self.follow_store = follow_store
        self._lock = threading.Lock()
        self._dirty = False
        self._version: object = None

    @classmethod
    def for_data_dir(cls, data_dir: Path, threshold: float = DEFAULT_THRESHOLD) -> Triage:
        """The PC's learned model from ``data_dir``, or the starter model."""
        path = data_dir / MODEL_FILE
        model = None
        if path.exists():
            try:
                model = Classifier.load(path)
            except (InvalidModel, OSError, ValueError) as exc:
                log.warning("learned routing model unreadable (%s); using the starter model", exc)
        return cls(
            model or starter_model(), threshold=threshold, model_path=path, follow_store=True
        )

    def refresh(self, s: Session) -> None:
        """Take up the stored rules and threshold if they changed (when following the store).

        Args:
            s: An open session (ingest's transaction).
        """
        if not self.follow_store:
            return
        from console.routing.stored import load_rules, routing_threshold, rules_version

        version = rules_version(s)
        if version == self._version:
            return
        rules, threshold = load_rules(s), routing_threshold(s)
        with self._lock:
            self.rules, self.threshold, self._version = tuple(rules), threshold, version

    def explain(
        self,
        store: Store,
        text: str,
        channel: str | None = None,
        account_id: str | None = None,
        handle: str | None = None,
    ) -> Decision:
        """What would happen to ``text`` now, with the stored rules and threshold: the rule
        that fires and why, or the classifier's proposal and whether it would be applied."""
        from console.routing.stored import load_rules, routing_threshold

        with store.read() as s:
            rules, threshold = load_rules(s), routing_threshold(s)
        with self._lock:
            return route(
                text,
                channel,
                account_id=account_id,
                handle=handle,
                rules=rules,
                model=self.model,
                threshold=threshold,
            )

    def decide(
        self, text: str, channel: str | None, account_id: str | None, handle: str | None
    ) -> Decision:
        """Where a new conversation should go."""
        with self._lock:
            return route(
                text,
                channel,
                account_id=account_id,
                handle=handle,
                rules=self.rules,
                model=self.model,
                threshold=self.threshold,
            )

    def learn(self, text: str, department: str) -> None:
        """Take one staff decision into account."""
        if not text.strip():
            return
        with self._lock:
            self.model.learn(text[:LEARN_CHARS], department)
            self._dirty = True

    def learn_from(self, store: Store, conversation_id: str, department: str) -> None:
        """Learn from a department a person chose for a conversation (its customer's text)."""
        with store.read() as s:
            bodies = s.scalars(
                select(Message.body)
                .where(Message.conversation_id == conversation_id, Message.direction == "in")
                .order_by(Message.sent_at)
                .limit(3)
            ).all()
        self.learn("\n".join(bodies), department)

    def save(self) -> bool:
        """Keep the learned model (only if it changed). Returns whether it wrote."""
        if self.model_path is None:
            return False
        with self._lock:
            if not self._dirty:
                return False
            self.model_path.parent.mkdir(parents=True, exist_ok=True)
            self.model.save(self.model_path)
            self._dirty = False
        return True
