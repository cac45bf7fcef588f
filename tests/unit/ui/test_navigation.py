"""The navigation model: entries in order, department colours, counts from the store."""

from __future__ import annotations

from PySide6.QtCore import Qt

from console import services
from console.store.queries import nav_counts
from tests.unit.ui.conftest import Clinic
from ui.navigation import (
    ColourRole,
    CountRole,
    HeadingRole,
    NavigationModel,
    ValueRole,
    ViewRole,
)


def _model(clinic: Clinic) -> NavigationModel:
    return NavigationModel(clinic.store.departments(), ["instagram", "kakaotalk"])


def _labels(model: NavigationModel) -> list[str]:
    return [model.index(r).data() for r in range(model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester: object, clinic: Clinic) -> None:
    model = _model(clinic)
    model.set_counts(nav_counts(clinic.store, clinic.operator_id))
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_entries_in_design_order(qapp: object, clinic: Clinic) -> None:
    labels = [x for x in _labels(_model(clinic)) if x]
    assert labels == [
        "All open",
        "Mine",
        "Unassigned",
        "Untriaged",
        "Departments",
        "Plastic surgery",
        "Dental",
        "Dermatology",
        "Obesity clinic",
        "Front desk",
        "Channels",
        "Instagram",
        "KakaoTalk",
        "Snoozed",
        "Resolved",
    ]


def test_headings_cannot_be_selected_and_departments_carry_colours(
    qapp: object, clinic: Clinic
) -> None:
    model = _model(clinic)
    heading = model.index(model.row_of("all_open") + 4)
    assert heading.data(HeadingRole) is True
    assert not model.flags(heading) & Qt.ItemFlag.ItemIsSelectable
    dental = model.index(model.row_of("department", "dental"))
    assert dental.data(ValueRole) == "dental"
    assert dental.data(ViewRole) == "department"
    assert dental.data(ColourRole) == "#1f8fd1"
    assert model.flags(dental) & Qt.ItemFlag.ItemIsSelectable


def test_counts_follow_the_store(qapp: object, clinic: Clinic) -> None:
    model = _model(clinic)
    count = lambda view, value="": model.index(model.row_of(view, value)).data(CountRole)  # noqa: E731
    assert count("all_open") == -1  # unknown until counted
    model.set_counts(nav_counts(clinic.store, clinic.operator_id))
    assert (count("all_open"), count("untriaged"), count("mine")) == (3, 3, 0)
    assert (count("channel", "kakaotalk"), count("channel", "instagram")) == (2, 1)

    me = services.Actor(clinic.operator_id)
    services.tag_department(clinic.store, me, clinic.first, "dental")
    services.assign(clinic.store, me, clinic.first, clinic.operator_id)
    services.set_status(clinic.store, me, clinic.second, "resolved")
    changed: list[object] = []
    model.dataChanged.connect(lambda *args: changed.append(args))
    model.set_counts(nav_counts(clinic.store, clinic.operator_id))
    assert changed, "new counts must be announced"
    assert count("department", "dental") == 1
    assert (count("all_open"), count("untriaged"), count("mine"), count("resolved")) == (2, 1, 1, 1)


def test_a_new_channel_gets_an_entry(qapp: object, clinic: Clinic) -> None:
    model = NavigationModel(clinic.store.departments(), ["kakaotalk"])
    assert model.row_of("channel", "instagram") == -1
    model.set_counts(nav_counts(clinic.store, clinic.operator_id))
    assert model.row_of("channel", "instagram") == model.row_of("channel", "kakaotalk") - 1
    assert model.index(model.row_of("channel", "instagram")).data() == "Instagram"
