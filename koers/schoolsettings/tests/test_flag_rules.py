"""The flag rules page: every rule with its Dutch text, defaults and ranges; what
is saved is what `rules_for` reads."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.models import FlagRuleSetting
from koers.analysis.services import rules_for
from koers.lib.analysis.flags import (
    RULE_TYPES,
    BelowExpected,
    OffCourse,
    PersistentlyLow,
    SharpDrop,
    default_rules,
)
from koers.schools.models import School
from koers.schoolsettings.rules import PARAMETER_RANGES, RULE_EXPLANATIONS
from koers.schoolsettings.tests.support import member_of
from koers.tests.helpers import dump_database, make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def client(school: School) -> Client:
    return member_of(school)


def page_url(school: School) -> str:
    return reverse("schoolsettings:flag-rules", args=[school.pk])


def default_data() -> dict[str, str]:
    """The form as Koers's defaults fill it: a checked box is sent, an unchecked
    one is left out."""
    data = {}
    for rule in default_rules():
        for field in dataclasses.fields(rule):
            value = getattr(rule, field.name)
            name = f"{rule.name}-{field.name}"
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            else:
                data[name] = str(value).replace(".", ",")
    return data


def by_name(school: School) -> dict[str, object]:
    return {rule.name: rule for rule in rules_for(school)}


def test_every_rule_parameter_has_a_range_and_every_rule_an_explanation() -> None:
    for rule in default_rules():
        assert rule.name in RULE_EXPLANATIONS
        for field in dataclasses.fields(rule):
            if field.name != "enabled":
                assert (rule.name, field.name) in PARAMETER_RANGES
    assert {rule for rule, _ in PARAMETER_RANGES} <= set(RULE_TYPES)


def test_it_shows_each_rule_with_its_explanation_and_defaults(
    school: School, client: Client
) -> None:
    page = client.get(page_url(school)).content.decode()

    for rule in default_rules():
        assert rule.label_nl in page
    assert "Standaard: 10." in page
    assert "Standaard: 0,8." in page
    assert "Standaard: uit." in page
    assert "regressie naar het gemiddelde" in page


def test_saving_changes_what_rules_for_returns(school: School, client: Client) -> None:
    data = default_data()
    data["sharp_drop-enabled"] = "on"
    data["sharp_drop-min_drop"] = "35"
    data["persistently_low-threshold"] = "15,5"
    del data["off_course-enabled"]

    response = client.post(page_url(school), data)

    assert response.status_code == 302
    rules = by_name(school)
    assert rules["sharp_drop"] == SharpDrop(enabled=True, min_drop=35.0)
    assert rules["persistently_low"] == PersistentlyLow(threshold=15.5)
    assert rules["off_course"] == OffCourse(enabled=False)
    assert rules["below_expected"] == BelowExpected()
    # Only what differs from Koers's default is stored.
    stored = {
        s.rule: s.parameters for s in FlagRuleSetting.objects.filter(school=school)
    }
    assert stored == {
        "sharp_drop": {"enabled": True, "min_drop": 35.0},
        "persistently_low": {"threshold": 15.5},
        "off_course": {"enabled": False},
    }


def test_saving_the_defaults_removes_every_override(
    school: School, client: Client
) -> None:
    FlagRuleSetting.objects.create(
        school=school, rule="sharp_drop", parameters={"enabled": True, "min_drop": 40}
    )

    client.post(page_url(school), default_data())

    assert not FlagRuleSetting.objects.filter(school=school).exists()
    assert rules_for(school) == default_rules()


def test_it_shows_the_schools_own_values(school: School, client: Client) -> None:
    FlagRuleSetting.objects.create(
        school=school, rule="persistently_low", parameters={"measurements": 4}
    )

    response = client.get(page_url(school))

    assert response.context["form"].initial["persistently_low-measurements"] == 4
    assert response.context["form"].initial["persistently_low-threshold"] == 10.0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "below_expected-correlation",
            "1,5",
            "Kies een waarde van 0,5 tot en met 0,95.",
        ),
        ("below_expected-percentile", "0", "Kies een waarde van 1 tot en met 25."),
        ("below_expected-steps", "2,5", "Vul een geheel getal in."),
        ("persistently_low-measurements", "1", "Kies een waarde van 2 tot en met 6."),
        ("sharp_drop-min_drop", "veel", "Vul een getal in."),
        ("persistent_decline-min_total_drop", "", "Dit veld is verplicht."),
    ],
)
def test_it_refuses_a_value_out_of_range_and_changes_nothing(
    school: School, client: Client, field: str, value: str, message: str
) -> None:
    FlagRuleSetting.objects.create(
        school=school, rule="sharp_drop", parameters={"enabled": True}
    )
    before = dump_database()
    data = default_data()
    data["persistently_low-threshold"] = "20"
    data[field] = value

    response = client.post(page_url(school), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Er is niets opgeslagen." in page
    assert dump_database() == before
