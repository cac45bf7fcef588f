"""Settings → Routing: the clinic's ordered rules, the rule editor, the confidence threshold and
the "try a message" box.

The list shows the stored rules in the order they are tried. Keys: Alt+Up / Alt+Down move the
selected rule, Enter edits it, Delete deletes it (after asking), Space turns it on or off; rules
can also be dragged. Every change goes through :mod:`console.services` on the write worker and
takes effect at once (new conversations are routed with it); reads run on the read worker.
Members of staff whose role may not manage routing see everything but cannot change it.

"Try a message" asks :meth:`console.routing.triage.Triage.explain` on the read worker: the rule
that fires and what it matched, or the classifier's proposal with its confidence and whether it
would be applied at the current threshold.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from shiboken6 import isValid

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console import errors, services
from console.domain import ChannelKind, Priority
from ui import icons, texts, theme
from ui.context import AppContext
from ui.texts import translate
from ui.threadpane import plain_label

if TYPE_CHECKING:
    from console.routing import Decision, Rule
    from console.routing.stored import RuleRow

#: The rule's id (str).
RuleIdRole = Qt.ItemDataRole.UserRole + 1
#: Whether the rule is on (bool).
EnabledRole = Qt.ItemDataRole.UserRole + 2

RULE_MIME = "application/x-sotong-rule-id"
THRESHOLD_MIN, THRESHOLD_MAX = 50, 100
#: Quiet time after the threshold moves before it is saved.
THRESHOLD_SAVE_MS = 500

ModelIndex = QModelIndex | QPersistentModelIndex
#: What "try a message" found: the decision, the threshold, who would be assigned, staff names.
_Tried = tuple["Decision", float, "services.AssignPreview | None", dict[str, str]]


def split_list(text: str) -> tuple[str, ...]:
    """Words typed one after another, separated by commas or line breaks (blanks dropped)."""
    parts = text.replace("\n", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def _department_names(ctx: AppContext) -> dict[str, str]:
    return {d.code: texts.department_name(d.name_ko, d.name_en) for d in ctx.store.departments()}


def may_manage(ctx: AppContext, permission: services.Permission) -> bool:
    """Whether the member of staff using this PC may do ``permission`` (the services check
    again; this only decides what the UI offers)."""
    for op in ctx.operators():
        if op.id == ctx.operator_id:
            return services.permitted(op.role, permission)
    return ctx.operator_id is None


def rule_problem_text(exc: BaseException) -> str:
    """A sentence saying what is wrong with a rule, naming the field."""
    params: dict[str, Any] = getattr(exc, "params", {}) or {}
    code = getattr(exc, "code", "")
    if code == "invalid_rule_pattern":
        return translate(
            "RuleTexts",
            "The regular expression is not valid near character %1. Check brackets and "
            "special characters such as ( ) [ ] + * ?.",
        ).replace("%1", str((params.get("offset") or 0) + 1))
    if code == "rule_pattern_too_slow":
        if params.get("reason") == "too_long":
            return translate(
                "RuleTexts", "The regular expression is too long (at most %1 characters)."
            ).replace("%1", str(params.get("limit", "")))
        return translate(
            "RuleTexts",
            "The regular expression could take very long on some messages (nested repetition "
            "such as (a+)+). Write it more simply.",
        )
    if code == "rule_without_condition":
        return translate(
            "RuleTexts",
            "Set at least one condition: a channel, an account, keywords, a pattern or a contact.",
        )
    if code == "unknown_department":
        return translate("RuleTexts", "Choose the department the rule sends messages to.")
    if code == "invalid_label":
        return translate("RuleTexts", "A label must be 1 to 40 characters on one line.")
    if code == "operator_not_found":
        return translate(
            "RuleTexts", "The assignee is no longer a member of staff. Choose another."
        )
    if code == "invalid_rule":
        field, reason = params.get("field"), params.get("reason")
        if reason == "duplicate_name":
            return translate(
                "RuleTexts", "Another rule already has this name. Choose a different name."
            )
        if field == "name":
            return translate("RuleTexts", "Give the rule a name of 1 to 80 characters.")
        return translate("RuleTexts", "The rule's “%1” is not valid.").replace(
            "%1", str(field or "")
        )
    return texts.error_text(exc) if isinstance(exc, BaseException) else ""


# -- model ---------------------------------------------------------------------------------


class RuleListModel(QAbstractListModel):
    """The stored rules in order: "1. name → department", greyed when off, drag to reorder.

    Signals:
        move_requested(str, int): a rule was dropped at a new place (its id, the new index).
    """

    move_requested = Signal(str, int)

    def __init__(self, departments: dict[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RuleRow] = []
        self._departments = departments

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The number of rules."""
        return 0 if parent.isValid() else len(self._rows)

    def rule_at(self, row: int) -> RuleRow | None:
        """The rule on a row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, rule_id: str) -> int:
        """The row of a rule, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.id == rule_id), -1)

    def set_rows(self, rows: Sequence[RuleRow]) -> None:
        """Show these rules (in order)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, colour and raw values of a rule."""
        row = self.rule_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        enabled = row.rule is not None and row.rule.enabled
        if role == RuleIdRole:
            return row.id
        if role == EnabledRole:
            return enabled
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), row)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.rule is None:
                return theme.colour("danger")
            if not enabled:
                return theme.colour("text_muted")
        if role == Qt.ItemDataRole.ToolTipRole and row.rule is not None:
            return describe_conditions(row.rule)
        return None

    def _text(self, number: int, row: RuleRow) -> str:
        if row.rule is None:
            return (
                self.tr("%1. %2 — not valid, never fires (%3)")
                .replace("%1", str(number + 1))
                .replace("%2", row.name)
                .replace("%3", row.problem or "")
            )
        department = self._departments.get(row.rule.department, row.rule.department)
        text = f"{number + 1}. {row.name} → {department}"
        if not row.rule.enabled:
            text += "  " + self.tr("(off)")
        return text

    # -- drag and drop ---------------------------------------------------------------------

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Rules can be dragged; dropping goes between rules."""
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        """Rules are moved, never copied."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """A dragged rule carries its id."""
        return [RULE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rule's id."""
        data = QMimeData()
        if indexes:
            rule = self.rule_at(indexes[0].row())
            if rule is not None:
                data.setData(RULE_MIME, QByteArray(rule.id.encode()))
        return data

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: ModelIndex,
    ) -> bool:
        """Ask for the move; the list is re-read after the service stored it."""
        if action != Qt.DropAction.MoveAction or not data.hasFormat(RULE_MIME):
            return False
        rule_id = bytes(data.data(RULE_MIME).data()).decode()
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
        current = self.row_of(rule_id)
        if current < 0:
            return False
        target = row - 1 if row > current else row
        if target != current:
            self.move_requested.emit(rule_id, target)
        return False  # nothing for the view to remove: the re-read shows the new order


def describe_conditions(rule: Rule) -> str:
    """The rule's conditions and actions, one per line, in words."""
    lines: list[str] = []
    if rule.channels:
        lines.append(
            translate("RuleTexts", "Channel: %1").replace(
                "%1", ", ".join(map(texts.channel_name, rule.channels))
            )
        )
    if rule.account_ids:
        lines.append(
            translate("RuleTexts", "Accounts: %1").replace("%1", str(len(rule.account_ids)))
        )
    if rule.keywords_any:
        lines.append(
            translate("RuleTexts", "Any of the words: %1").replace(
                "%1", ", ".join(rule.keywords_any)
            )
        )
    if rule.keywords_all:
        lines.append(
            translate("RuleTexts", "All of the words: %1").replace(
                "%1", ", ".join(rule.keywords_all)
            )
        )
    if rule.pattern:
        lines.append(translate("RuleTexts", "Regular expression: %1").replace("%1", rule.pattern))
    if rule.handles:
        lines.append(translate("RuleTexts", "Contact: %1").replace("%1", ", ".join(rule.handles)))
    if rule.labels:
        lines.append(
            translate("RuleTexts", "Adds labels: %1").replace("%1", ", ".join(rule.labels))
        )
    if rule.priority is not None:
        lines.append(
            translate("RuleTexts", "Sets priority: %1").replace("%1", priority_name(rule.priority))
        )
    return "\n".join(lines)


def priority_name(priority: Priority | int) -> str:
    """The priority in words."""
    names = {
        Priority.LOW: translate("RuleTexts", "Low"),
        Priority.NORMAL: translate("RuleTexts", "Normal"),
        Priority.HIGH: translate("RuleTexts", "High"),
        Priority.URGENT: translate("RuleTexts", "Urgent"),
    }
    return names.get(Priority(priority), str(priority))


# -- explaining a decision -----------------------------------------------------------------


def assignment_text(preview: services.AssignPreview, department: str, staff: dict[str, str]) -> str:
    """Who a new conversation would be given, in words (Settings → Routing's "try a message").

    Args:
        preview: What :func:`console.services.assignment_preview` answered.
        department: The department's name.
        staff: Names of the staff by id.
    """

    def name(operator_id: str | None) -> str:
        return staff.get(operator_id or "", operator_id or "")

    lines: list[str] = []
    if preview.rule_assignee_unavailable:
        lines.append(
            rule_assignee_sentence(preview.rule_assignee_problem, department).replace(
                "%1", name(preview.rule_assignee)
            )
        )
    if preview.how == "rule":
        lines.append(
            translate("RuleTexts", "Assigned to %1, as the rule says.").replace(
                "%1", name(preview.operator_id)
            )
        )
    elif preview.how == "round_robin":
        lines.append(
            translate("RuleTexts", "Assigned to %1 (in turn among the staff on duty).").replace(
                "%1", name(preview.operator_id)
            )
        )
    elif preview.how == "least_loaded":
        lines.append(
            translate("RuleTexts", "Assigned to %1 (the fewest open conversations).").replace(
                "%1", name(preview.operator_id)
            )
        )
    elif preview.how == "nobody_on_duty":
        lines.append(
            translate(
                "RuleTexts", "Nobody is on duty for %1: it waits unassigned in the queue."
            ).replace("%1", department)
        )
    else:
        lines.append(
            translate(
                "RuleTexts", "%1 does not assign automatically: it waits unassigned in the queue."
            ).replace("%1", department)
        )
    return "\n".join(lines)


def assignee_warning(problem: str | None, department: str) -> str:
    """What the rule editor says beside a rule's assignee who would not be given its
    conversations (``problem`` from :func:`console.services.rule_assignee_problem`), or ""."""
    if problem == services.ASSIGNEE_GONE:
        return translate(
            "RuleTexts",
            "This assignee is no longer a member of staff, so the rule does not assign to them.",
        )
    if problem == services.ASSIGNEE_NOT_IN_DEPARTMENT:
        return translate(
            "RuleTexts",
            "This assignee is not in %1, so the rule does not assign to them; %1's own "
            "assignment decides.",
        ).replace("%1", department)
    if problem == services.ASSIGNEE_OFF_DUTY:
        return translate(
            "RuleTexts",
            "This assignee is off duty now. While they are off duty, %1's own assignment decides.",
        ).replace("%1", department)
    return ""


def rule_assignee_sentence(problem: str | None, department: str) -> str:
    """ "Try a message"'s sentence about a rule's assignee who cannot take it (``%1`` is left
    for their name), the same reasons as :func:`assignee_warning`."""
    if problem == services.ASSIGNEE_GONE:
        return translate(
            "RuleTexts",
            "The rule names %1, who is no longer a member of staff: it does not assign to them.",
        )
    if problem == services.ASSIGNEE_NOT_IN_DEPARTMENT:
        return translate(
            "RuleTexts", "The rule names %1, who is not in %2: it does not assign to them."
        ).replace("%2", department)
    return translate(
        "RuleTexts", "The rule names %1, who is off duty now: %2's own assignment decides."
    ).replace("%2", department)


def explain_text(
    decision: Decision,
    text: str,
    departments: dict[str, str],
    threshold: float,
    assignment: services.AssignPreview | None = None,
    staff: dict[str, str] | None = None,
) -> str:
    """What happens to a message, in words: the rule and what it matched (a pattern's match
    is shown in the message between ⟦ ⟧), or the classifier's proposal and whether it would be
    applied at ``threshold``; then, when the department is applied, who would be given it
    (``assignment``, with ``staff`` names by id)."""
    lines = _decision_lines(decision, text, departments, threshold)
    if assignment is not None and decision.department is not None:
        department = departments.get(decision.department, decision.department)
        lines.append(assignment_text(assignment, department, staff or {}))
    return "\n".join(lines)


def _decision_lines(
    decision: Decision, text: str, departments: dict[str, str], threshold: float
) -> list[str]:
    from console.routing import ConditionKind

    percent = f"{round(decision.confidence * 100)}%"
    name = departments.get(decision.suggestion, decision.suggestion)
    if decision.match is not None:
        lines = [
            translate("RuleTexts", "Rule %1 “%2” fires → %3.")
            .replace("%1", str(decision.match.position + 1))
            .replace("%2", decision.match.rule.name)
            .replace("%3", name)
        ]
        for reason in decision.match.reasons:
            values = ", ".join(f"“{v}”" for v in reason.values)
            if reason.condition is ConditionKind.CHANNEL:
                lines.append(
                    translate("RuleTexts", "Channel matches: %1").replace(
                        "%1", texts.channel_name(reason.values[0])
                    )
                )
            elif reason.condition is ConditionKind.ACCOUNT:
                lines.append(translate("RuleTexts", "Account matches."))
            elif reason.condition is ConditionKind.HANDLE:
                lines.append(translate("RuleTexts", "Contact matches: %1").replace("%1", values))
            elif reason.condition is ConditionKind.KEYWORDS_ANY:
                lines.append(translate("RuleTexts", "Word found: %1").replace("%1", values))
            elif reason.condition is ConditionKind.KEYWORDS_ALL:
                lines.append(translate("RuleTexts", "All words found: %1").replace("%1", values))
            elif reason.condition is ConditionKind.PATTERN:
                line = translate("RuleTexts", "Regular expression matched %1").replace("%1", values)
                if reason.span is not None:
                    start, end = reason.span
                    line += (
                        translate("RuleTexts", " (characters %1–%2)")
                        .replace("%1", str(start + 1))
                        .replace("%2", str(end))
                    )
                    if text[start:end] == reason.values[0]:
                        line += "\n" + text[:start] + "⟦" + text[start:end] + "⟧" + text[end:]
                lines.append(line)
        extra = describe_actions(decision.match.rule)
        if extra:
            lines.append(extra)
        return lines
    lines = [
        translate("RuleTexts", "No rule matches. The classifier proposes %1 (%2 sure).")
        .replace("%1", name)
        .replace("%2", percent)
    ]
    limit = f"{round(threshold * 100)}%"
    if decision.auto_applied:
        lines.append(
            translate(
                "RuleTexts", "At the threshold of %1 it would be applied automatically."
            ).replace("%1", limit)
        )
    else:
        lines.append(
            translate(
                "RuleTexts", "Below the threshold of %1: it would only be suggested to staff."
            ).replace("%1", limit)
        )
    return lines


def describe_actions(rule: Rule) -> str:
    """What a rule does besides the department, in words ("" when nothing)."""
    parts: list[str] = []
    if rule.labels:
        parts.append(
            translate("RuleTexts", "Adds labels: %1").replace("%1", ", ".join(rule.labels))
        )
    if rule.priority is not None:
        parts.append(
            translate("RuleTexts", "Sets priority: %1").replace("%1", priority_name(rule.priority))
        )
    return "\n".join(parts)


# -- the Routing tab -----------------------------------------------------------------------


def _ask(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


class RoutingPanel(QWidget):
    """The Routing tab: the ordered rules, the threshold and "try a message".

    Args:
        ctx: The application context.
        parent: Qt parent.

    Signals:
        explained(str): "try a message" finished; carries the explanation shown.
        reloaded(): the rules and the threshold were read again.
    """

    explained = Signal(str)
    reloaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routingPanel")
        self.ctx = ctx
        self.confirm: Callable[[str, str], bool] = functools.partial(_ask, self)
        #: Opens the rule editor; tests replace it to fill the dialog themselves.
        self.open_editor: Callable[[RuleDialog], None] = lambda dialog: dialog.open()
        self._departments = _department_names(ctx)
        self._select_next: str | None = None
        self._threshold = 0.85
        self.can_edit = may_manage(ctx, services.Permission.MANAGE_ROUTING)

        self.model = RuleListModel(self._departments, self)
        self.model.move_requested.connect(self.move_rule)
        self.list = QListView(self)
        self.list.setObjectName("ruleList")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        if self.can_edit:
            self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
            self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.list.setDropIndicatorShown(True)
        self.list.installEventFilter(self)
        self.list.doubleClicked.connect(lambda _i: self.edit_rule())
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.add_button = QPushButton(self.tr("Add…"), self)
        self.add_button.setObjectName("addRuleButton")
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("editRuleButton")
        self.up_button = QPushButton(self.tr("Up"), self)
        self.up_button.setToolTip(self.tr("Try this rule earlier (Alt+Up)"))
        self.down_button = QPushButton(self.tr("Down"), self)
        self.down_button.setToolTip(self.tr("Try this rule later (Alt+Down)"))
        self.toggle_button = QPushButton(self.tr("Turn off"), self)
        self.toggle_button.setObjectName("toggleRuleButton")
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("deleteRuleButton")
        self.add_button.clicked.connect(self.add_rule)
        self.edit_button.clicked.connect(self.edit_rule)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.up_button,
            self.down_button,
            self.toggle_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)

        self.result_label = plain_label(parent=self, name="routingResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        hint = self.tr(
            "Rules are tried from the top; the first that matches decides the department. "
            "Keys: Enter edits, Space turns on or off, Alt+Up/Down moves, Delete deletes."
        )
        if not self.can_edit:
            hint += " " + self.tr("Your role may look at the rules but not change them.")
        self.hint_label = plain_label(hint, self, "settingsHint")
        self.hint_label.setWordWrap(True)

        box = QVBoxLayout(self)
        box.addWidget(self.list, 1)
        box.addLayout(buttons)
        box.addWidget(self.result_label)
        box.addWidget(self.hint_label)
        box.addWidget(self._build_threshold())
        box.addWidget(self._build_try())
        self._update_buttons()
        self.reload()

    def _build_threshold(self) -> QGroupBox:
        group = QGroupBox(self.tr("Automatic sorting"), self)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal, group)
        self.threshold_slider.setObjectName("thresholdSlider")
        self.threshold_slider.setRange(THRESHOLD_MIN, THRESHOLD_MAX)
        self.threshold_spin = QSpinBox(group)
        self.threshold_spin.setObjectName("thresholdSpin")
        self.threshold_spin.setRange(THRESHOLD_MIN, THRESHOLD_MAX)
        self.threshold_spin.setSuffix("%")
        for widget in (self.threshold_slider, self.threshold_spin):
            widget.setEnabled(self.can_edit)
        self.threshold_slider.valueChanged.connect(self.threshold_spin.setValue)
        self.threshold_spin.valueChanged.connect(self.threshold_slider.setValue)
        self.threshold_spin.valueChanged.connect(self._threshold_moved)
        self._threshold_timer = QTimer(self)
        self._threshold_timer.setSingleShot(True)
        self._threshold_timer.setInterval(THRESHOLD_SAVE_MS)
        self._threshold_timer.timeout.connect(self.save_threshold)
        explanation = plain_label(
            self.tr(
                "When no rule matches, the classifier guesses the department. From this "
                "confidence on, its guess is applied at once; below it, the guess is only "
                "suggested and staff decide. Lower means more automatic sorting and more "
                "mistakes; 100% means it only ever suggests. Shared by every PC of the clinic."
            ),
            group,
            "settingsHint",
        )
        explanation.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(plain_label(self.tr("Apply automatically from"), group))
        row.addWidget(self.threshold_slider, 1)
        row.addWidget(self.threshold_spin)
        box = QVBoxLayout(group)
        box.addLayout(row)
        box.addWidget(explanation)
        return group

    def _build_try(self) -> QGroupBox:
        group = QGroupBox(self.tr("Try a message"), self)
        self.try_edit = QPlainTextEdit(group)
        self.try_edit.setObjectName("tryMessageEdit")
        self.try_edit.setTabChangesFocus(True)
        self.try_edit.setPlaceholderText(self.tr("Type a message as a customer would write it…"))
        self.try_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.try_channel = QComboBox(group)
        self.try_channel.setObjectName("tryChannelCombo")
        self.try_channel.addItem(self.tr("Any channel"), None)
        for kind in ChannelKind:
            if kind is not ChannelKind.DEMO:
                self.try_channel.addItem(
                    icons.channel_icon(kind.value), texts.channel_name(kind.value), kind.value
                )
        self.try_button = QPushButton(self.tr("Try"), group)
        self.try_button.setObjectName("tryButton")
        self.try_button.clicked.connect(self.try_message)
        self.try_result = plain_label(parent=group, name="tryResult")
        self.try_result.setWordWrap(True)
        self.try_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.try_channel, 1)
        row.addWidget(self.try_button)
        box = QVBoxLayout(group)
        box.addWidget(self.try_edit)
        box.addLayout(row)
        box.addWidget(self.try_result)
        return group

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the rules and the threshold on the read worker."""
        store = self.ctx.store

        def work() -> tuple[list[RuleRow], float]:
            from console.routing.stored import routing_threshold, rule_rows

            return rule_rows(store), routing_threshold(store)

        self.ctx.tasks.read(work, self._loaded)

    def _loaded(self, result: tuple[list[RuleRow], float]) -> None:
        if not isValid(self):
            return
        rows, threshold = result
        current = self.current_rule()
        self.model.set_rows(rows)
        wanted = self._select_next or (current.id if current is not None else None)
        self._select_next = None
        if wanted is not None:
            self.select(wanted)
        self._threshold = threshold
        if not self._threshold_timer.isActive():
            self.threshold_spin.blockSignals(True)
            self.threshold_spin.setValue(round(threshold * 100))
            self.threshold_slider.setValue(round(threshold * 100))
            self.threshold_spin.blockSignals(False)
        self._update_buttons()
        self.reloaded.emit()

    def current_rule(self) -> RuleRow | None:
        """The selected rule, or None."""
        index = self.list.currentIndex()
        return self.model.rule_at(index.row()) if index.isValid() else None

    def select(self, rule_id: str) -> bool:
        """Select a rule by id; False if it is not listed."""
        row = self.model.row_of(rule_id)
        if row < 0:
            return False
        self.list.setCurrentIndex(self.model.index(row))
        return True

    def _update_buttons(self) -> None:
        rule = self.current_rule()
        has = rule is not None
        row = self.list.currentIndex().row()
        self.add_button.setEnabled(self.can_edit)
        self.edit_button.setEnabled(has and self.can_edit)
        self.delete_button.setEnabled(has and self.can_edit)
        self.toggle_button.setEnabled(has and self.can_edit and rule.rule is not None)
        self.up_button.setEnabled(has and self.can_edit and row > 0)
        self.down_button.setEnabled(has and self.can_edit and row < self.model.rowCount() - 1)
        on = rule is not None and rule.rule is not None and rule.rule.enabled
        self.toggle_button.setText(self.tr("Turn off") if on else self.tr("Turn on"))

    # -- keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Alt+Up/Down, Enter, Delete and Space on the list."""
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers()
            alt = bool(mods & Qt.KeyboardModifier.AltModifier)
            if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_selected(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.edit_rule()
                return True
            if key == Qt.Key.Key_Delete:
                self.delete_selected()
                return True
            if key == Qt.Key.Key_Space:
                self.toggle_selected()
                return True
        return super().eventFilter(watched, event)

    # -- changes -----------------------------------------------------------------------------

    def _command(self, fn: Callable[..., Any], *args: Any, select: str | None = None) -> None:
        def done(result: Any) -> None:
            if not isValid(self):
                return
            self._select_next = select or (result if isinstance(result, str) else None)
            self.result_label.hide()
            self.reload()

        self.ctx.command(fn, *args, on_success=done, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.show_result(rule_problem_text(exc))
            self.reload()

    def show_result(self, text: str) -> None:
        """Say something under the buttons (an error, usually)."""
        self.result_label.setText(text)
        self.result_label.show()

    def result_text(self) -> str:
        """The sentence under the buttons ("" when none)."""
        return self.result_label.text() if not self.result_label.isHidden() else ""

    def add_rule(self) -> None:
        """Open the editor for a new rule (added after the selected one, else last)."""
        if not self.can_edit:
            return
        dialog = RuleDialog(self.ctx, None, self)
        current = self.list.currentIndex()
        position = current.row() + 1 if current.isValid() else None
        dialog.accepted_rule.connect(lambda rule: self._command(services.add_rule, rule, position))
        self.open_editor(dialog)

    def edit_rule(self) -> None:
        """Open the editor on the selected rule."""
        row = self.current_rule()
        if row is None or not self.can_edit:
            return
        dialog = RuleDialog(self.ctx, row.rule, self)
        rule_id = row.id
        dialog.accepted_rule.connect(
            lambda rule: self._command(services.update_rule, rule_id, rule, select=rule_id)
        )
        self.open_editor(dialog)

    def move_selected(self, step: int) -> None:
        """Move the selected rule up (-1) or down (+1)."""
        row = self.current_rule()
        if row is None or not self.can_edit:
            return
        target = self.list.currentIndex().row() + step
        if 0 <= target < self.model.rowCount():
            self.move_rule(row.id, target)

    def move_rule(self, rule_id: str, index: int) -> None:
        """Put a rule at ``index`` in the order."""
        if self.can_edit:
            self._command(services.move_rule, rule_id, index, select=rule_id)

    def toggle_selected(self) -> None:
        """Turn the selected rule on or off."""
        row = self.current_rule()
        if row is None or row.rule is None or not self.can_edit:
            return
        self._command(services.set_rule_enabled, row.id, not row.rule.enabled, select=row.id)

    def delete_selected(self) -> None:
        """Delete the selected rule after asking."""
        row = self.current_rule()
        if row is None or not self.can_edit:
            return
        question = self.tr("Delete the rule “%1”? Conversations it sorted keep their department.")
        if not self.confirm(self.tr("Delete rule"), question.replace("%1", row.name)):
            return
        self._command(services.delete_rule, row.id)

    def _threshold_moved(self, _value: int) -> None:
        if self.can_edit:
            self._threshold_timer.start()

    def save_threshold(self) -> None:
        """Store the threshold shown (called shortly after it stops moving)."""
        self._threshold_timer.stop()
        value = self.threshold_spin.value() / 100
        if abs(value - self._threshold) < 1e-9:
            return
        self._threshold = value
        self._command(services.set_routing_threshold, value)

    # -- trying --------------------------------------------------------------------------------

    def try_message(self) -> None:
        """Explain what would happen to the typed message, on the read worker."""
        text = self.try_edit.toPlainText()
        if not text.strip():
            self.try_result.setText(self.tr("Type a message first."))
            return
        channel = self.try_channel.currentData()
        store, triage = self.ctx.store, self.ctx.triage

        def work() -> _Tried:
            from console.routing import starter_model
            from console.routing.stored import routing_threshold
            from console.routing.triage import Triage
            from console.store.queries import operators

            judge = triage if triage is not None else Triage(starter_model())
            decision = judge.explain(store, text, channel)
            preview = None
            if decision.department is not None:
                preview = services.assignment_preview(
                    store, decision.department, decision.assignee_id
                )
            staff = {op.id: op.name for op in operators(store)}
            return decision, routing_threshold(store), preview, staff

        def done(result: _Tried) -> None:
            if not isValid(self):
                return
            decision, threshold, preview, staff = result
            sentence = explain_text(decision, text, self._departments, threshold, preview, staff)
            self.try_result.setText(sentence)
            self.explained.emit(sentence)

        self.try_result.setText(self.tr("Checking…"))
        self.ctx.tasks.read(work, done)


# -- the rule editor -----------------------------------------------------------------------


class RuleDialog(QDialog):
    """Make or change a rule: name, conditions and actions, checked in words on OK.

    Args:
        ctx: The application context (departments, staff, accounts).
        rule: The rule to change, or None for a new one.
        parent: The owning widget.

    Signals:
        accepted_rule(object): OK with a valid rule (a :class:`console.routing.Rule`).
    """

    accepted_rule = Signal(object)

    def __init__(self, ctx: AppContext, rule: Rule | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ruleDialog")
        self.setWindowTitle(self.tr("Edit rule") if rule is not None else self.tr("New rule"))
        self.ctx = ctx

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("ruleNameEdit")
        self.name_edit.setMaxLength(80)
        self.enabled_check = QCheckBox(self.tr("On"), self)
        self.enabled_check.setObjectName("ruleEnabledCheck")
        self.enabled_check.setChecked(True)

        conditions = QGroupBox(self.tr("When a new conversation's first message…"), self)
        self.channel_checks: dict[str, QCheckBox] = {}
        channels = QGridLayout()
        kinds = [k for k in ChannelKind if k is not ChannelKind.DEMO]
        for n, kind in enumerate(kinds):
            check = QCheckBox(texts.channel_name(kind.value), conditions)
            check.setObjectName(f"channel_{kind.value}")
            self.channel_checks[kind.value] = check
            channels.addWidget(check, n // 5, n % 5)
        self.account_combo = QComboBox(conditions)
        self.account_combo.setObjectName("ruleAccountCombo")
        self.account_combo.addItem(self.tr("Any account"), None)
        self._account_ids: list[str] = []
        self.any_edit = QLineEdit(conditions)
        self.any_edit.setObjectName("keywordsAnyEdit")
        self.any_edit.setPlaceholderText(self.tr("e.g. 쌍수, 쌍꺼풀, 눈매교정"))
        self.all_edit = QLineEdit(conditions)
        self.all_edit.setObjectName("keywordsAllEdit")
        self.all_edit.setPlaceholderText(self.tr("e.g. 실비, 서류"))
        self.pattern_edit = QLineEdit(conditions)
        self.pattern_edit.setObjectName("patternEdit")
        self.pattern_edit.setPlaceholderText(self.tr(r"e.g. 010-?\d{4}-?\d{4}"))
        self.pattern_note = plain_label(parent=conditions, name="patternNote")
        self.pattern_note.setWordWrap(True)
        self.pattern_edit.textChanged.connect(self._check_pattern)
        self.handles_edit = QLineEdit(conditions)
        self.handles_edit.setObjectName("handlesEdit")
        self.handles_edit.setPlaceholderText(self.tr("Handles on the channel, e.g. @minji"))
        cform = QFormLayout(conditions)
        cform.addRow(self.tr("comes in on"), channels)
        cform.addRow(self.tr("through the account"), self.account_combo)
        cform.addRow(self.tr("contains any of"), self.any_edit)
        cform.addRow(self.tr("contains all of"), self.all_edit)
        cform.addRow(self.tr("matches the regular expression"), self.pattern_edit)
        cform.addRow("", self.pattern_note)
        cform.addRow(self.tr("is from the contact"), self.handles_edit)

        actions = QGroupBox(self.tr("…then"), self)
        self.department_combo = QComboBox(actions)
        self.department_combo.setObjectName("ruleDepartmentCombo")
        for d in ctx.store.departments():
            self.department_combo.addItem(
                icons.dot_icon(d.colour), texts.department_name(d.name_ko, d.name_en), d.code
            )
        self.labels_edit = QLineEdit(actions)
        self.labels_edit.setObjectName("ruleLabelsEdit")
        self.labels_edit.setPlaceholderText(self.tr("e.g. 서류, VIP"))
        self.priority_combo = QComboBox(actions)
        self.priority_combo.setObjectName("rulePriorityCombo")
        self.priority_combo.addItem(self.tr("Leave as it is"), None)
        for priority in Priority:
            self.priority_combo.addItem(priority_name(priority), int(priority))
        self.assignee_combo = QComboBox(actions)
        self.assignee_combo.setObjectName("ruleAssigneeCombo")
        self.assignee_combo.addItem(self.tr("Nobody (assignment decides)"), None)
        for op in ctx.operators():
            self.assignee_combo.addItem(op.name, op.id)
        # Said while editing, and saving is still allowed: the rule stays valid, ingest
        # just passes the person by (the same reasons "try a message" gives).
        self.assignee_note = plain_label(parent=actions, name="assigneeNote")
        self.assignee_note.setWordWrap(True)
        self.assignee_note.hide()
        aform = QFormLayout(actions)
        aform.addRow(self.tr("send it to"), self.department_combo)
        aform.addRow(self.tr("add labels"), self.labels_edit)
        aform.addRow(self.tr("set priority"), self.priority_combo)
        aform.addRow(self.tr("assign to"), self.assignee_combo)
        aform.addRow("", self.assignee_note)
        self.department_combo.currentIndexChanged.connect(self._check_assignee)
        self.assignee_combo.currentIndexChanged.connect(self._check_assignee)
        ctx.staff_changed.connect(self._check_assignee)

        self.error_label = plain_label(parent=self, name="formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        top = QFormLayout()
        top.addRow(self.tr("Name"), self.name_edit)
        top.addRow("", self.enabled_check)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(conditions)
        box.addWidget(actions)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)
        self.setMinimumWidth(640)
        self._load_accounts(rule)
        if rule is not None:
            self._show(rule)
        self._check_assignee()

    def _load_accounts(self, rule: Rule | None) -> None:
        from console.accounts import list_accounts

        for row in list_accounts(self.ctx.store):
            if not row.removed:
                self.account_combo.addItem(icons.channel_icon(row.kind), row.display_name, row.id)
        if rule is not None:
            for account_id in rule.account_ids:
                if self.account_combo.findData(account_id) < 0:
                    self.account_combo.addItem(account_id, account_id)

    def _show(self, rule: Rule) -> None:
        self.name_edit.setText(rule.name)
        self.enabled_check.setChecked(rule.enabled)
        for kind, check in self.channel_checks.items():
            check.setChecked(kind in rule.channels)
        if rule.account_ids:
            self.account_combo.setCurrentIndex(
                max(0, self.account_combo.findData(rule.account_ids[0]))
            )
        self.any_edit.setText(", ".join(rule.keywords_any))
        self.all_edit.setText(", ".join(rule.keywords_all))
        self.pattern_edit.setText(rule.pattern or "")
        self.handles_edit.setText(", ".join(rule.handles))
        self.department_combo.setCurrentIndex(
            max(0, self.department_combo.findData(rule.department))
        )
        self.labels_edit.setText(", ".join(rule.labels))
        priority = int(rule.priority) if rule.priority is not None else None
        self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(priority)))
        if rule.assignee_id is not None and self.assignee_combo.findData(rule.assignee_id) < 0:
            # Kept (and said) rather than silently dropped: someone no longer on the staff.
            self.assignee_combo.addItem(self.tr("(no longer a member of staff)"), rule.assignee_id)
        self.assignee_combo.setCurrentIndex(max(0, self.assignee_combo.findData(rule.assignee_id)))

    def _check_assignee(self, *_args: object) -> None:
        """Say beside the assignee when the rule would not give them its conversations: not
        in the department or no longer on the staff (a warning), off duty now (a note: the
        department's mode decides meanwhile). Reads the staff the context has."""
        if not isValid(self):
            return
        operator_id = self.assignee_combo.currentData()
        department = self.department_combo.currentData()
        text = ""
        if operator_id and department:
            staff = {op.id: op for op in self.ctx.operators()}
            op = staff.get(str(operator_id))
            problem = services.rule_assignee_problem(
                str(department),
                op.departments if op is not None else None,
                op.on_duty if op is not None else False,
            )
            name = self.department_combo.currentText()
            text = assignee_warning(problem, name)
            state = "note" if problem == services.ASSIGNEE_OFF_DUTY else "warning"
            self.assignee_note.setProperty("state", state)
            self.assignee_note.style().unpolish(self.assignee_note)
            self.assignee_note.style().polish(self.assignee_note)
        self.assignee_note.setText(text)
        self.assignee_note.setVisible(bool(text))

    def assignee_warning_text(self) -> str:
        """What is said beside the assignee ("" when nothing)."""
        return self.assignee_note.text() if not self.assignee_note.isHidden() else ""

    def _check_pattern(self, text: str) -> None:
        """Say at once whether the pattern is valid (compiled off the rule, same checks)."""
        from console.routing import Rule

        if not text:
            self.pattern_note.setText("")
            return
        try:
            Rule("check", "general", pattern=text)
        except errors.SotongError as exc:
            self.pattern_note.setText(rule_problem_text(exc))
            self.pattern_note.setProperty("state", "error")
        else:
            self.pattern_note.setText(self.tr("The regular expression is valid."))
            self.pattern_note.setProperty("state", "ok")

    def rule(self) -> Rule:
        """The rule as the form shows it.

        Raises:
            console.errors.SotongError: a field is not valid (see :func:`rule_problem_text`).
        """
        from console.routing import Rule

        account = self.account_combo.currentData()
        priority = self.priority_combo.currentData()
        return Rule(
            name=self.name_edit.text().strip(),
            department=str(self.department_combo.currentData() or ""),
            channels=tuple(k for k, c in self.channel_checks.items() if c.isChecked()),
            account_ids=(str(account),) if account else (),
            handles=split_list(self.handles_edit.text()),
            keywords_any=split_list(self.any_edit.text()),
            keywords_all=split_list(self.all_edit.text()),
            pattern=self.pattern_edit.text() or None,
            labels=split_list(self.labels_edit.text()),
            priority=Priority(priority) if priority is not None else None,
            assignee_id=self.assignee_combo.currentData() or None,
            enabled=self.enabled_check.isChecked(),
        )

    def submit(self) -> None:
        """Check the form; emit the rule and close, or say what is wrong."""
        try:
            rule = self.rule()
        except errors.SotongError as exc:
            self.show_error(rule_problem_text(exc))
            return
        self.accepted_rule.emit(rule)
        self.accept()

    def show_error(self, text: str) -> None:
        """Say what is wrong under the form."""
        self.error_label.setText(text)
        self.error_label.show()

    def error_text(self) -> str:
        """The sentence under the form ("" when none)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""
