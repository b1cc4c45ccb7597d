"""The suggested ambition profile, against values worked out by hand from the
shipped national shares of 2022/23 (rekenen 7 % below 1F and 45 % at 1S; lezen
2 % and 74 % at 2F; taalverzorging 2 % and 63 % at 2F) and the shipped 1S/2F
signaleringswaarden."""

from __future__ import annotations

from decimal import Decimal

import pytest

from koers.lib.analysis.ambitions import AmbitionMetric, Population
from koers.schoolsettings.suggestion import SuggestedProfile, suggested_profile


def targets(profile: SuggestedProfile) -> dict[tuple[str, str, str], Decimal]:
    return {
        (t.subject, t.metric.value, t.population.value): t.target
        for t in profile.targets
    }


def test_it_suggests_the_national_middle_without_a_schoolweging() -> None:
    profile = suggested_profile(None)

    found = targets(profile)
    for population in ("school_3_8", "school_6_8"):
        for subject in (
            "rekenen",
            "begrijpend_lezen",
            "spelling",
            "technisch_lezen",
            "woordenschat",
            "taalverzorging",
        ):
            assert found[(subject, "p80", population)] == Decimal(20)
            assert found[(subject, "p20", population)] == Decimal(80)
        # 100 - 7 = 93 on course to 1F, 45 to 1S.
        assert found[("rekenen", "pct_1f", population)] == Decimal(93)
        assert found[("rekenen", "pct_1s2f", population)] == Decimal(45)
        assert found[("begrijpend_lezen", "pct_1f", population)] == Decimal(98)
        assert found[("begrijpend_lezen", "pct_1s2f", population)] == Decimal(74)
        # Spelling is judged in the domain taalverzorging.
        assert found[("spelling", "pct_1s2f", population)] == Decimal(63)
        assert found[("taalverzorging", "pct_1f", population)] == Decimal(98)
        assert ("technisch_lezen", "pct_1f", population) not in found
        assert ("woordenschat", "pct_1s2f", population) not in found
    # (93 + 98 + 98) / 3 = 96.33 and (45 + 74 + 63) / 3 = 60.67, one decimal.
    assert found[("", "end_pct_1f", "school_3_8")] == Decimal("96.3")
    assert found[("", "end_pct_1s2f", "school_3_8")] == Decimal("60.7")
    assert profile.signal_value_1s2f is None
    assert profile.band is None
    assert not profile.raised_to_signal_value
    assert profile.national_year == "2022/2023"


def test_it_counts_the_targets_it_suggests() -> None:
    profile = suggested_profile(None)

    # Two populations x (6 subjects x p80/p20 + 4 subjects x two course shares)
    # plus the two end-of-school targets.
    assert len(profile.targets) == 2 * (6 * 2 + 4 * 2) + 2
    assert {t.population for t in profile.targets} == {
        Population.SCHOOL_3_8,
        Population.SCHOOL_6_8,
    }


def test_it_keeps_the_national_middle_above_the_signal_value() -> None:
    # Band [30, 31): shipped signaleringswaarde 45.5, below 60.7.
    profile = suggested_profile(Decimal("30.61"))

    assert profile.band == (30, 31)
    assert profile.signal_value_1s2f == Decimal("45.5")
    assert not profile.signal_is_own
    assert not profile.raised_to_signal_value
    assert targets(profile)[("", "end_pct_1s2f", "school_3_8")] == Decimal("60.7")


def test_it_raises_the_end_target_to_a_higher_signal_value() -> None:
    # Band [20, 21): shipped 68.3, above the national 60.7.
    profile = suggested_profile(Decimal("20.40"))

    assert profile.raised_to_signal_value
    assert targets(profile)[("", "end_pct_1s2f", "school_3_8")] == Decimal("68.3")
    assert targets(profile)[("", "end_pct_1f", "school_3_8")] == Decimal("96.3")
    assert targets(profile)[("rekenen", "p80", "school_3_8")] == Decimal(20)


def test_it_has_no_signal_value_for_a_band_koers_does_not_ship() -> None:
    profile = suggested_profile(Decimal("33.20"))

    assert profile.band == (33, 34)
    assert profile.signal_value_1s2f is None
    assert targets(profile)[("", "end_pct_1s2f", "school_3_8")] == Decimal("60.7")


def test_it_prefers_the_schools_own_signal_value() -> None:
    profile = suggested_profile(Decimal("33.20"), Decimal("62.00"))

    assert profile.signal_value_1s2f == Decimal("62.00")
    assert profile.signal_is_own
    assert profile.raised_to_signal_value
    assert targets(profile)[("", "end_pct_1s2f", "school_3_8")] == Decimal("62.00")


@pytest.mark.parametrize("low", range(20, 39))
def test_a_higher_schoolweging_never_raises_a_suggestion(low: int) -> None:
    lower = targets(suggested_profile(Decimal(low)))
    higher = targets(suggested_profile(Decimal(low + 1)))

    assert all(higher[key] <= lower[key] for key in lower)
    assert AmbitionMetric.END_PCT_1S2F.value in {key[1] for key in lower}
