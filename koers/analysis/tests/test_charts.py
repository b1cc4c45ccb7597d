"""The charts: served as SVG to a school's own staff only, safe to embed, and
showing the figures of the page in Dutch formats."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import defusedxml.ElementTree as safe_et
import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis import charts
from koers.lib.analysis.outcomes import (
    OutcomeReport,
    SignalSource,
    ThreeYear,
    ThresholdVerdict,
    YearOutcome,
)
from koers.tests.helpers import make_school, member_of, small_school

pytestmark = pytest.mark.django_db

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def chart_urls(data: dict[str, Any]) -> list[str]:
    return [
        reverse("analysis:school-chart", args=[data["school"].pk, "rekenen"])
        + "?jaar=2024&moment=M",
        reverse("analysis:outcomes-chart", args=[data["school"].pk]),
        reverse("analysis:group-chart", args=[data["group"].pk, "rekenen"])
        + "?moment=M",
        reverse("analysis:pupil-chart", args=[data["anna"].pk]),
    ]


def assert_safe_svg(svg: str) -> None:
    """WEB-12: no script, no event attributes, no reference outside the image."""
    root = safe_et.fromstring(svg)

    assert root.tag == f"{SVG_NAMESPACE}svg"
    for element in root.iter():
        assert not element.tag.endswith("script")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name in ("href", XLINK_HREF):
                assert value.startswith("#"), value


def test_charts_need_a_login() -> None:
    data = small_school()

    for url in chart_urls(data)[:1] + chart_urls(data)[2:]:
        response = Client().get(url)
        assert response.status_code == 302


def test_charts_of_another_school_answer_404() -> None:
    data = small_school()
    client = member_of(make_school("22BB", "Andere school"))

    for url in chart_urls(data):
        assert client.get(url).status_code == 404


def test_the_school_group_and_pupil_charts_are_safe_svg() -> None:
    data = small_school()
    client = member_of(data["school"])
    urls = [url for number, url in enumerate(chart_urls(data)) if number != 1]

    for url in urls:
        response = client.get(url)

        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/svg+xml"
        assert response["Cache-Control"] == "no-store"
        assert_safe_svg(response.content.decode())


def test_a_subject_or_moment_without_results_answers_404() -> None:
    data = small_school()
    client = member_of(data["school"])
    school = data["school"].pk

    assert (
        client.get(
            reverse("analysis:school-chart", args=[school, "spelling"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("analysis:school-chart", args=[school, "geen_vak"])
        ).status_code
        == 404
    )
    # The school has no end-of-school results yet.
    assert (
        client.get(reverse("analysis:outcomes-chart", args=[school])).status_code == 404
    )


def test_the_school_chart_shows_each_grade_and_the_ambition_legend() -> None:
    data = small_school()
    client = member_of(data["school"])

    svg = client.get(chart_urls(data)[0]).content.decode()

    assert "Groep 5" in svg
    assert "Niveau I t/m V" in svg
    assert "ambitie" in svg


def test_the_pupil_chart_rings_the_results_behind_a_flag() -> None:
    data = small_school()
    client = member_of(data["school"])

    # Anna's indexes 5, 6 and 7 set off `persistently_low`; Bram has no flag.
    anna = client.get(reverse("analysis:pupil-chart", args=[data["anna"].pk]))
    bram = client.get(reverse("analysis:pupil-chart", args=[data["bram"].pk]))

    assert "signaal" in anna.content.decode()
    assert "signaal" not in bram.content.decode()
    assert "Rekenen" in anna.content.decode()


def test_the_outcomes_chart_labels_the_bars_in_dutch() -> None:
    # 23 of 24 pupils reach 1F (95,83...%) and 12 of 24 reach 1S/2F (50%).
    pct_1f, pct_1s2f = Fraction(100 * 23, 24), Fraction(100 * 12, 24)
    year = YearOutcome(2024, 24, 23, 12, pct_1f, pct_1s2f)
    report = OutcomeReport(
        years=(year,),
        three_year=ThreeYear((2024,), 24, pct_1f, pct_1s2f),
        school_weighting=Decimal("30.00"),
        weighting_band=(30, 31),
        signal_value_1f=Decimal("85.0"),
        signal_value_1s2f=Decimal("45.5"),
        signal_source=SignalSource.SHIPPED_TABLE,
        signal_status="",
        verdict_1f=ThresholdVerdict.ABOVE,
        equal_1f=False,
        verdict_1s2f=ThresholdVerdict.ABOVE,
        equal_1s2f=False,
        reason="",
    )

    svg = charts.outcomes_chart(report)

    assert_safe_svg(svg)
    assert "95,8%" in svg
    assert "50,0%" in svg
    assert "2024-2025" in svg
    assert "signaleringswaarde 1S/2F" in svg


def test_the_same_data_gives_the_same_svg() -> None:
    data = small_school()
    client = member_of(data["school"])
    url = chart_urls(data)[2]

    assert client.get(url).content == client.get(url).content
