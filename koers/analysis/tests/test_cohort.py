"""One cohort followed through its grades: the figures, the page and the chart."""

from __future__ import annotations

from statistics import NormalDist

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.services import SchoolResults
from koers.analysis.tests.test_charts import assert_safe_svg
from koers.lib.records import Period, Subject
from koers.tests.helpers import make_school, member_of, small_school

pytestmark = pytest.mark.django_db


def test_the_cohort_of_a_group_is_followed_back_through_its_grades() -> None:
    data = small_school()

    overview = SchoolResults.load(data["school"]).cohort(data["group"])

    # Group 5A (2024-2025) holds Anna and Bram. Anna was tested in grade 4 at M
    # (index 5) and E (6), both in 5A at M5: Anna 7, Bram 60.
    moments = [
        (p.subject, p.school_year, p.period, p.grade, p.summary.n)
        for p in overview.points
    ]
    assert moments == [
        (Subject.MATH, 2023, Period.MIDDLE, "4", 1),
        (Subject.MATH, 2023, Period.END, "4", 1),
        (Subject.MATH, 2024, Period.MIDDLE, "5", 2),
    ]
    assert overview.points[0].summary.mean_index == pytest.approx(5.0)
    # The mean of two indexes is taken on normal scores:
    # z = (Φ⁻¹(0.07) + Φ⁻¹(0.60)) / 2 = (-1.475791 + 0.253347) / 2 = -0.611222,
    # and Φ(-0.611222) x 100 = 27.05.
    expected = 100 * NormalDist().cdf(
        (NormalDist().inv_cdf(0.07) + NormalDist().inv_cdf(0.60)) / 2
    )
    assert overview.points[2].summary.mean_index == pytest.approx(expected)
    assert expected == pytest.approx(27.05, abs=0.01)


def test_the_cohort_page_and_chart_are_for_the_own_school_only() -> None:
    data = small_school()
    page = reverse("analysis:cohort", args=[data["group"].pk])
    chart = reverse("analysis:cohort-chart", args=[data["group"].pk])

    assert Client().get(page).status_code == 302
    other = member_of(make_school("22BB", "Andere school"))
    assert other.get(page).status_code == 404
    assert other.get(chart).status_code == 404


def test_the_cohort_page_shows_the_moments_and_a_safe_chart() -> None:
    data = small_school()
    client = member_of(data["school"])

    page = client.get(reverse("analysis:cohort", args=[data["group"].pk]))
    chart = client.get(reverse("analysis:cohort-chart", args=[data["group"].pk]))

    text = page.content.decode()
    assert '<th scope="row">M4</th><td>2023-2024</td>' in text
    assert '<th scope="row">M5</th><td>2024-2025</td>' in text
    assert "Bekijk de cijfers in de tabel" in text
    assert chart.status_code == 200
    svg = chart.content.decode()
    assert_safe_svg(svg)
    assert "E4" in svg
