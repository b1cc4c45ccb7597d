"""`koers.results.services.import_file`: every sample file, atomicity, idempotency,
the BSN rule, school resolution and the index stored with each result.

Expected counts come from reading the sample files by hand; each test says how.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

import pytest

from koers.lib.records import ImportRejected
from koers.lib.tests.files import own_file
from koers.results.models import (
    ImportBatch,
    Instrument,
    TransitionTestResult,
)
from koers.results.models import TestResult as Result
from koers.results.norms import load_norm_table
from koers.results.services import import_file
from koers.schools.models import Enrolment, Group, Pupil, School, Teacher
from koers.tests.helpers import (
    DOORSTROOMTOETS,
    EDEXML_21,
    EDEXML_103,
    ESIS,
    OSO,
    PARNASSYS_PUPILS,
    PARNASSYS_STAFF,
    all_text,
    dump_database,
    make_school,
    sample_bytes,
)

pytestmark = pytest.mark.django_db


def nonzero(counts: Counter[str]) -> dict[str, int]:
    return {name: count for name, count in counts.items() if count}


# The value of the <bsn> element of leerling 00002 in the EDEXML 2.1 sample.
SAMPLE_BSN = "123456782"
BATCH_TABLE = ImportBatch._meta.db_table


def test_it_imports_the_edexml_21_sample_and_creates_its_school() -> None:
    summary = import_file(EDEXML_21, sample_bytes(EDEXML_21))

    # <groepen> holds five <groep> (001, 002, 003, GRP4A, GRP4B) and three
    # <samengestelde_groep>, which are clusters, not classes. Three <leerling>, of
    # which only 00001 points at a class (GRP4B). Three <leerkracht>.
    assert summary.format == "edexml"
    assert nonzero(summary.counts) == {
        "schools_created": 1,
        "groups_created": 5,
        "pupils_created": 3,
        "enrolments_created": 1,
        "teachers_created": 3,
    }
    school = School.objects.get()
    assert (school.brin, school.branch_code) == ("99ZZ", "00")
    assert any("99ZZ00" in note and "aangemaakt" in note for note in summary.notes)
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "4A",
        "4B",
        "Kabouters",
        "Muizen",
        "Vlinders",
    ]
    # <schooljaar>2014-2015</schooljaar>
    assert set(Group.objects.values_list("school_year__start_year", flat=True)) == {
        2014
    }
    enrolment = Enrolment.objects.select_related("pupil", "group").get()
    assert (enrolment.pupil.key, enrolment.group.name, enrolment.grade) == (
        "00001",
        "4B",
        "4",
    )
    daan = Pupil.objects.get(key="12345")
    assert (daan.preferred_name, daan.prefix, daan.surname) == (
        "Daan",
        "van 't",
        "Berg",
    )
    assert daan.birth_date == dt.date(2006, 6, 21)
    # LK1 → GRP4A; LK2 → 002 and 001 (its samengestelde groepen do not count);
    # LK3 → GRP4A.
    links = {
        teacher.key: sorted(group.name for group in teacher.groups.all())
        for teacher in Teacher.objects.all()
    }
    assert links == {"LK1": ["4A"], "LK2": ["Kabouters", "Muizen"], "LK3": ["4A"]}
    assert summary.batch_id == ImportBatch.objects.get().pk


def test_it_drops_every_bsn_and_says_so() -> None:
    summary = import_file(EDEXML_21, sample_bytes(EDEXML_21))

    # Pupil 00002 has <bsn>, pupil 12345 has <bsn_ondwnr-4>: two BSN-like values.
    assert any(note.startswith("2 BSN-waarden") for note in summary.notes)
    dumped = all_text(dump_database())
    assert SAMPLE_BSN not in dumped
    assert "2731" not in dumped  # the bsn_ondwnr-4 value
    assert Pupil.objects.filter(key="00002").exists()


def test_it_imports_the_edexml_103_sample() -> None:
    summary = import_file(EDEXML_103, sample_bytes(EDEXML_103))

    # Six <groep> (49, 50, 57, 64, 189, 192); four pupils, of which 990, 10 and
    # 1279 point at a group (3580 has a grade but no group); two teachers.
    assert nonzero(summary.counts) == {
        "schools_created": 1,
        "groups_created": 6,
        "pupils_created": 4,
        "enrolments_created": 3,
        "teachers_created": 2,
    }
    # <brincode>99XX</brincode> <dependancecode>99</dependancecode>
    assert School.objects.filter(brin="99XX", branch_code="99").exists()
    placed = dict(Enrolment.objects.values_list("pupil__key", "group__name"))
    assert placed == {"990": "5A", "10": "Dolfijnen", "1279": "8B Juf Anna"}
    # Yasmina el Amrani has no <geboortedatum>.
    assert Pupil.objects.get(key="10").birth_date is None


def test_it_imports_the_esis_sample_with_level_band_indexes() -> None:
    summary = import_file(ESIS, sample_bytes(ESIS))

    # Five data rows; the AVI row (100236) has no score at all and is skipped.
    # Pupils 100234, 100235 and 100237; instruments Rekenen-Wiskunde 2.0,
    # Spelling 2.0 and Begrijpend lezen 2.0. BrinVest 99XX00 is a new school.
    assert nonzero(summary.counts) == {
        "schools_created": 1,
        "pupils_created": 3,
        "instruments_created": 3,
        "results_created": 4,
    }
    assert len(summary.skipped) == 1
    assert summary.skipped[0]["where"] == "rij 5"
    assert School.objects.filter(brin="99XX", branch_code="00").exists()
    assert Instrument.objects.count() == 3
    # No percentile and no norm table: the I-V band midpoint (II = 70, III = 50,
    # IV = 30), marked coarse.
    indexes = {
        (r.pupil.key, r.instrument.name): (
            r.index_value,
            r.index_source,
            r.index_coarse,
        )
        for r in Result.objects.select_related("pupil", "instrument")
    }
    assert indexes == {
        ("100234", "Rekenen-Wiskunde"): (70.0, "level_band", True),
        ("100234", "Spelling"): (50.0, "level_band", True),
        ("100235", "Begrijpend lezen"): (30.0, "level_band", True),
        ("100237", "Rekenen-Wiskunde"): (30.0, "level_band", True),
    }
    # The row without a school year was taken on 12-06-2011: school year 2010-2011.
    late = Result.objects.get(pupil__key="100237")
    assert late.school_year.start_year == 2010
    assert late.administered_on == dt.date(2011, 6, 12)
    assert late.ability_score == Decimal(55)


def test_it_imports_the_oso_sample_into_the_chosen_school() -> None:
    school = make_school("11AA")

    summary = import_file(OSO, sample_bytes(OSO), school=school)

    # The dossier's own BRIN (00YY) is the sending school and is ignored. One pupil
    # (no key or ECK-iD: matched on surname + birth date), five <toets>; the three
    # <schoolloopbaan> lines are not stored, and the <eindtoetsresultaat> belongs
    # to the sending school, so it does not count for 11AA.
    assert not School.objects.filter(brin="00YY").exists()
    assert summary.counts["pupils_created"] == 1
    assert summary.counts["results_created"] == 5
    assert summary.counts["transition_results_created"] == 0
    assert any("andere school" in note for note in summary.notes)
    assert summary.counts["instruments_created"] == 5
    assert any("schoolloopbaan" in note and "(3" in note for note in summary.notes)
    pupil = Pupil.objects.get()
    assert pupil.school == school
    assert (pupil.surname, pupil.preferred_name, pupil.prefix) == (
        "Voorbeeld",
        "Noor",
        "van de",
    )
    assert pupil.birth_date == dt.date(2003, 3, 17)
    assert Result.objects.filter(pupil=pupil).count() == 5
    assert not TransitionTestResult.objects.exists()
    assert Enrolment.objects.count() == 0


def test_it_keeps_the_end_test_of_a_dossier_the_school_sent_itself() -> None:
    school = make_school("00YY")

    import_file(OSO, sample_bytes(OSO), school=school)

    # Lezen and taalverzorging code 01 (< 1F), rekenen code 04 (2F); taken
    # 2015-04-28, so school year 2014-2015.
    transition = TransitionTestResult.objects.get()
    assert (
        transition.level_reading,
        transition.level_language,
        transition.level_math,
    ) == ("<1F", "<1F", "2F")
    assert transition.school_year.start_year == 2014


def test_it_rejects_an_oso_file_without_a_school_when_several_exist() -> None:
    make_school("11AA")
    make_school("22BB", "Tweede school")
    before = dump_database()

    with pytest.raises(ImportRejected, match="--school"):
        import_file(OSO, sample_bytes(OSO))

    assert dump_database() == before


def test_it_imports_the_doorstroomtoets_sample_and_creates_the_pupil() -> None:
    school = make_school("11AA")

    summary = import_file(DOORSTROOMTOETS, sample_bytes(DOORSTROOMTOETS))

    # The only school is the target. The ECK-iD "leerling-abc123" is unknown, so
    # the pupil is created; REKENEN 1S, LEZEN 1F, TAALVERZORGING L1F (= < 1F).
    assert nonzero(summary.counts) == {
        "pupils_created": 1,
        "transition_results_created": 1,
    }
    pupil = Pupil.objects.get()
    assert (pupil.school, pupil.eck_id, pupil.key) == (school, "leerling-abc123", None)
    result = TransitionTestResult.objects.get()
    assert (result.level_math, result.level_reading, result.level_language) == (
        "1S",
        "1F",
        "<1F",
    )
    assert result.school_year.start_year == 2023
    assert result.advice == "vwo"
    assert result.supplier == "IEP"


def test_it_matches_a_doorstroomtoets_message_to_a_known_eck_id() -> None:
    school = make_school("11AA")
    known = Pupil.objects.create(school=school, eck_id="leerling-abc123", key="7")

    summary = import_file(DOORSTROOMTOETS, sample_bytes(DOORSTROOMTOETS))

    assert summary.counts["pupils_created"] == 0
    assert TransitionTestResult.objects.get().pupil == known
    assert Pupil.objects.count() == 1


def test_it_imports_the_parnassys_pupil_list() -> None:
    school = make_school("11AA")

    summary = import_file(PARNASSYS_PUPILS, sample_bytes(PARNASSYS_PUPILS))

    # Five pupils (10482-10486) in four groups: Groep 4/5 (two pupils), 8B,
    # Structuurklas Bovenbouw and Groep 1/2a. One pupil is "Aangemeld".
    assert nonzero(summary.counts) == {
        "groups_created": 4,
        "pupils_created": 5,
        "enrolments_created": 5,
    }
    assert any(
        note.endswith("'Volgt onderwijs': 1; zij zijn wel ingelezen.")
        for note in summary.notes
    )
    assert Group.objects.filter(school=school).count() == 4
    assert Enrolment.objects.filter(group__name="Groep 4/5").count() == 2
    # The list carries no grade: groups and enrolments get none.
    assert set(Enrolment.objects.values_list("grade", flat=True)) == {""}
    assert Pupil.objects.get(key="10486").preferred_name == "Zoë"


def test_it_reports_an_earlier_import_of_the_same_file_and_changes_nothing() -> None:
    first = import_file(ESIS, sample_bytes(ESIS))
    before = dump_database()

    again = import_file(ESIS, sample_bytes(ESIS))

    assert again.already_imported
    assert again.batch_id == first.batch_id
    assert dump_database() == before


def test_it_changes_nothing_when_the_same_content_comes_under_another_name() -> None:
    import_file(ESIS, sample_bytes(ESIS))
    before = dump_database(exclude=[BATCH_TABLE])

    # A trailing empty line defeats the checksum; the content is the same.
    summary = import_file("esis-kopie.csv", sample_bytes(ESIS) + b"\r\n")

    assert not summary.already_imported
    assert summary.counts["results_unchanged"] == 4
    assert summary.counts["results_created"] == 0
    assert summary.counts["results_updated"] == 0
    assert summary.counts["pupils_created"] == 0
    assert dump_database(exclude=[BATCH_TABLE]) == before
    assert ImportBatch.objects.count() == 2


def test_it_changes_nothing_when_a_roster_comes_again_under_another_name() -> None:
    import_file(EDEXML_21, sample_bytes(EDEXML_21))
    before = dump_database(exclude=[BATCH_TABLE])

    summary = import_file("kopie.xml", sample_bytes(EDEXML_21) + b"\n")

    assert sum(summary.counts.values()) == 0
    assert dump_database(exclude=[BATCH_TABLE]) == before


def test_it_writes_nothing_on_a_dry_run_but_reports_the_counts() -> None:
    make_school("11AA")
    before = dump_database()

    summary = import_file(
        PARNASSYS_PUPILS, sample_bytes(PARNASSYS_PUPILS), dry_run=True
    )

    assert summary.dry_run
    assert summary.batch_id is None
    # The same counts as a real import (see the ParnasSys test above).
    assert nonzero(summary.counts) == {
        "groups_created": 4,
        "pupils_created": 5,
        "enrolments_created": 5,
    }
    assert dump_database() == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("kapot.xml", own_file("not_well_formed.xml")),
        (
            "esis-zonder-datum.csv",
            b'"BrinVest";"EsisIdentificatienummer";"Vormingsgebied";"Toets";'
            b'"Vaardigheidsscore"\r\n"99XX00";"100234";"Spelling";"Spelling";"118"\r\n',
        ),
        (PARNASSYS_STAFF, sample_bytes(PARNASSYS_STAFF)),
    ],
)
def test_it_rejects_a_bad_file_and_leaves_the_database_as_it_was(
    name: str, data: bytes
) -> None:
    make_school("11AA")
    import_file(EDEXML_103, sample_bytes(EDEXML_103))
    before = dump_database()

    with pytest.raises(ImportRejected):
        import_file(name, data)

    assert dump_database() == before


def test_it_rejects_a_file_of_another_school_than_the_chosen_one() -> None:
    school = make_school("11AA")
    before = dump_database()

    with pytest.raises(ImportRejected, match="99XX"):
        import_file(ESIS, sample_bytes(ESIS), school=school)

    assert dump_database() == before


def test_it_accepts_a_results_file_for_the_chosen_school() -> None:
    school = School.objects.create(brin="99XX", branch_code="00", name="Bekend")

    summary = import_file(ESIS, sample_bytes(ESIS), school=school)

    assert summary.counts["schools_created"] == 0
    assert School.objects.count() == 1
    assert Result.objects.filter(pupil__school=school).count() == 4


def test_it_updates_a_result_that_a_later_file_corrects() -> None:
    import_file(ESIS, sample_bytes(ESIS))
    corrected = sample_bytes(ESIS).replace(b'"21";"118"', b'"21";"121"')
    assert corrected != sample_bytes(ESIS)

    summary = import_file("esis-correctie.csv", corrected)

    # Only the Spelling row of pupil 100234 changed (118 → 121).
    assert summary.counts["results_updated"] == 1
    assert summary.counts["results_unchanged"] == 3
    assert summary.counts["results_created"] == 0
    spelling = Result.objects.get(pupil__key="100234", instrument__name="Spelling")
    assert spelling.ability_score == Decimal(121)
    assert Result.objects.count() == 4


NORM_TABLE = (
    b"instrument;generation;norm_version;moment;population;national_mean;national_sd\n"
    b"Spelling;2.0;proef;M5;pupils;108;10\n"
)


def test_it_says_when_a_norm_table_replaces_another_norm_version() -> None:
    load_norm_table(NORM_TABLE)
    other = NORM_TABLE.replace(b";108;", b";100;").replace(b";proef;", b";nieuw;")

    loaded = load_norm_table(other)

    assert loaded.replaced == [
        "Spelling 2.0 M5: normversie 'proef' vervangen door 'nieuw'"
    ]


def test_it_reindexes_stored_results_after_a_norm_table_is_loaded() -> None:
    import_file(ESIS, sample_bytes(ESIS))
    spelling = Result.objects.get(instrument__name="Spelling")
    assert (spelling.index_value, spelling.index_source) == (50.0, "level_band")

    rows, changed, replaced = load_norm_table(NORM_TABLE)

    # Spelling M5 of pupil 100234 scored 118: z = (118 - 108) / 10 = 1, and
    # Φ(1) x 100 = 84.134. The other three results have no norm row.
    assert (rows, changed, replaced) == (1, 1, [])
    spelling.refresh_from_db()
    assert spelling.index_source == "norm_table"
    assert not spelling.index_coarse
    assert spelling.index_value == pytest.approx(84.134, abs=0.001)
    assert Result.objects.filter(index_source="level_band").count() == 3


def test_it_indexes_with_the_loaded_norm_table_while_importing() -> None:
    load_norm_table(NORM_TABLE)

    import_file(ESIS, sample_bytes(ESIS))

    spelling = Result.objects.get(instrument__name="Spelling")
    # Φ(1) x 100 = 84.13 (see above); computed here with math.erf as a check.
    expected = 50 * (1 + math.erf(1 / math.sqrt(2)))
    assert spelling.index_source == "norm_table"
    assert spelling.index_value == pytest.approx(expected)
    assert round(spelling.index_value or 0, 2) == 84.13


def test_it_prefers_a_delivered_percentile_over_the_level() -> None:
    make_school("11AA")
    table = (
        b"Leerlingnummer;Toets;Afnamedatum;Percentiel;Niveau I-V\n"
        b"501;Rekenen-Wiskunde;20-01-2025;37;II\n"
    )

    import_file("resultaten.csv", table)

    result = Result.objects.get()
    # A delivered percentile of 37 is the index itself.
    assert (result.index_value, result.index_source, result.index_coarse) == (
        37.0,
        "percentile",
        False,
    )


def test_it_never_erases_a_stored_score_with_an_empty_column() -> None:
    import_file(ESIS, sample_bytes(ESIS))
    # The same export without its Vaardigheidsscore values (the cells are empty).
    lines = sample_bytes(ESIS).decode("utf-8").splitlines()
    emptied = [
        ";".join('""' if i == 12 else cell for i, cell in enumerate(line.split(";")))
        for line in lines[1:]
    ]
    stripped = "\n".join([lines[0], *emptied]).encode("utf-8")

    summary = import_file("esis-zonder-vaardigheid.csv", stripped)

    # Every row is known and nothing it delivers differs from what is stored.
    assert summary.counts["results_updated"] == 0
    spelling = Result.objects.get(pupil__key="100234", instrument__name="Spelling")
    assert spelling.ability_score == Decimal(118)


def test_it_rejects_a_roster_whose_brin_is_not_a_brin() -> None:
    data = sample_bytes(EDEXML_21).replace(
        b"<brincode>99ZZ</brincode>", b"<brincode>ZZZZ</brincode>"
    )
    before = dump_database()

    with pytest.raises(ImportRejected, match="geen BRIN"):
        import_file("rooster.xml", data)

    assert dump_database() == before


def test_it_says_when_results_get_no_index() -> None:
    school = make_school("11AA", "OBS De Proef")
    # An ability score only, for a test without a norm table: no percentile and
    # no level to fall back on, so there is no index.
    data = (
        b"Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore;Percentiel\n"
        b"1;Rekenen-Wiskunde;20-01-2025;150;\n"
        b"2;Rekenen-Wiskunde;20-01-2025;160;40\n"
    )

    summary = import_file("scores.csv", data, school=school)

    assert summary.counts["results_created"] == 2
    assert any(note.startswith("Resultaten zonder index: 1.") for note in summary.notes)
    assert Result.objects.filter(index_value__isnull=True).count() == 1


def test_it_counts_a_pupil_who_moves_to_another_group_in_the_same_year() -> None:
    school = make_school("11AA", "OBS De Proef")
    roster = """<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school><schooljaar>2024-2025</schooljaar><brincode>11AA</brincode>
    <dependancecode>00</dependancecode></school>
  <groepen><groep key="G"><naam>{group}</naam><jaargroep>5</jaargroep></groep></groepen>
  <leerlingen>
    <leerling key="9001"><achternaam>Appel</achternaam><roepnaam>Anna</roepnaam>
      <geboortedatum>2015-02-03</geboortedatum><jaargroep>5</jaargroep>
      <groep key="G"/></leerling>
  </leerlingen>
</EDEX>
"""

    first = import_file("a.xml", roster.format(group="5A").encode(), school=school)
    second = import_file("b.xml", roster.format(group="5B").encode(), school=school)

    assert first.counts["pupils_moved"] == 0
    assert second.counts["pupils_moved"] == 1
    assert second.counts["enrolments_created"] == 1
