"""Tests for the demo generator: determinism, counts and the exchange formats."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from statistics import NormalDist
from xml.etree import ElementTree as ET

import pytest

from koers.lib.demo import (
    FORMAT_DOORSTROOMTOETS,
    FORMAT_EDEXML,
    FORMAT_ESIS,
    FORMAT_OSO,
    DemoManifest,
    DemoSpec,
    generate_school,
)

OSO = "{http://www.edustandaard.nl/oso_gegevensset/2019/dossier}"
ESIS_HEADER = (
    '"DatumExport";"BrinVest";"EsisIdentificatienummer";"Vormingsgebied";"Toets";'
    '"Toetsversie";"Schooljaar";"Afnamedatum";"Leerjaar";"Afnamemoment";"DL";'
    '"Ruwescore";"Vaardigheidsscore";"DLE";"AE";"IV";"Norm"'
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_school(tmp_path_factory.mktemp("demo"))


# --- helpers --------------------------------------------------------------------------


def parse_xml(path: Path) -> ET.Element:
    # Our own freshly generated files, not untrusted input.
    return ET.parse(path).getroot()  # noqa: S314


def roster(manifest: DemoManifest, year: int) -> ET.Element:
    (file,) = [f for f in manifest.files_of(FORMAT_EDEXML) if f.school_year == year]
    return parse_xml(file.path)


def esis_rows(manifest: DemoManifest, year: int | None = None) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for file in manifest.files_of(FORMAT_ESIS):
        if year is None or file.school_year == year:
            with file.path.open(encoding="utf-8", newline="") as handle:
                rows += list(csv.DictReader(handle, delimiter=";"))
    return rows


def transition_messages(manifest: DemoManifest) -> Iterator[dict[str, object]]:
    for file in manifest.files_of(FORMAT_DOORSTROOMTOETS):
        yield from json.loads(file.path.read_text(encoding="utf-8"))


def dutch_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d-%m-%Y").date()


def keys(root: ET.Element) -> set[str]:
    return {pupil.attrib["key"] for pupil in root.iter("leerling")}


def iv_level(percentile: float) -> str:
    bounds = ((80, "I"), (60, "II"), (40, "III"), (20, "IV"))
    return next((level for bound, level in bounds if percentile >= bound), "V")


def ae_level(percentile: float) -> str:
    bounds = ((75, "A"), (50, "B"), (25, "C"), (10, "D"))
    return next((level for bound, level in bounds if percentile >= bound), "E")


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


# --- determinism and counts -----------------------------------------------------------


def test_same_seed_gives_identical_files(demo: DemoManifest, tmp_path: Path) -> None:
    again = generate_school(tmp_path / "again")
    assert snapshot(again.target_dir) == snapshot(demo.target_dir)


def test_other_seed_gives_other_files(tmp_path: Path) -> None:
    spec = DemoSpec(years=1)
    first = snapshot(generate_school(tmp_path / "a", spec).target_dir)
    other = snapshot(
        generate_school(tmp_path / "b", DemoSpec(years=1, seed=7)).target_dir
    )
    assert first["edexml_2023-2024.xml"] != other["edexml_2023-2024.xml"]
    assert first["esis_lvs_2023-2024.csv"] != other["esis_lvs_2023-2024.csv"]


def test_manifest_counts_match_the_files(demo: DemoManifest) -> None:
    assert sorted(f.path.name for f in demo.files) == sorted(snapshot(demo.target_dir))
    assert len(demo.files_of(FORMAT_OSO)) == demo.oso_dossiers
    messages = Counter(str(m["schooljaar"]) for m in transition_messages(demo))

    for year in demo.years:
        root = roster(demo, year.school_year)
        assert len(root.findall("leerlingen/leerling")) == year.pupils
        assert len(root.findall("groepen/groep")) == year.groups
        assert len(esis_rows(demo, year.school_year)) == year.result_rows
        assert (
            messages[f"{year.school_year}-{year.school_year + 1}"]
            == year.transition_results
        )

    all_keys = set().union(*(keys(roster(demo, y.school_year)) for y in demo.years))
    assert demo.distinct_pupils == len(all_keys)
    assert demo.result_rows == len(esis_rows(demo))


def test_default_school_size_and_groups(demo: DemoManifest) -> None:
    assert [year.school_year for year in demo.years] == [2023, 2024, 2025]
    for year in demo.years:
        assert 220 <= year.pupils <= 280
        assert 8 <= year.groups <= 12


def test_larger_spec_scales(tmp_path: Path) -> None:
    manifest = generate_school(tmp_path, DemoSpec(pupils=400, years=5))
    assert len(manifest.files_of(FORMAT_EDEXML)) == 5
    for year in manifest.years:
        assert 360 <= year.pupils <= 440


def test_spec_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="years"):
        DemoSpec(years=0)
    with pytest.raises(ValueError, match="pupils"):
        DemoSpec(pupils=10)


# --- EDEXML ---------------------------------------------------------------------------


def test_edexml_header(demo: DemoManifest) -> None:
    root = roster(demo, 2023)
    assert root.tag == "EDEX"
    schema = root.attrib[
        "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
    ]
    assert schema == "EDEXML.structuur.xsd"
    assert root.findtext("school/schooljaar") == "2023-2024"
    assert root.findtext("school/brincode") == "99KW"
    assert root.findtext("school/dependancecode") == "00"
    assert root.findtext("school/xsdversie") == "2.1"


def test_combination_and_kleuter_groups(demo: DemoManifest) -> None:
    for year in demo.years:
        root = roster(demo, year.school_year)
        group_names = {
            g.attrib["key"]: g.findtext("naam") for g in root.findall("groepen/groep")
        }
        grades_in: dict[str | None, set[str]] = {}
        for pupil in root.iter("leerling"):
            name = group_names[pupil.find("groep").attrib["key"]]  # type: ignore[union-attr]
            grades_in.setdefault(name, set()).add(pupil.findtext("jaargroep") or "")

        assert grades_in["4/5"] == {"4", "5"}
        assert grades_in["1/2a"] == grades_in["1/2b"] == {"1", "2"}
        combined = {
            g.findtext("naam")
            for g in root.findall("groepen/groep")
            if g.findtext("jaargroep") == "C"
        }
        assert {"1/2a", "1/2b", "4/5"} <= combined


def test_parallel_groups_exist(demo: DemoManifest) -> None:
    names = {g.findtext("naam") for g in roster(demo, 2023).findall("groepen/groep")}
    assert any(name and name[-1] in "AB" for name in names)


def test_pupil_identity_fields(demo: DemoManifest) -> None:
    pupils = list(roster(demo, 2023).iter("leerling"))
    eckids = [p.attrib["eckid"] for p in pupils if "eckid" in p.attrib]
    assert 0.9 * len(pupils) <= len(eckids) < len(pupils)
    assert all(re.fullmatch(r"https://id\.school/LL_[0-9a-f]{40}", e) for e in eckids)
    assert len(set(eckids)) == len(eckids)

    # The BSNs are there only to be dropped; none of them passes the eleven test.
    bsns = [p.findtext("bsn") or "" for p in pupils if p.find("bsn") is not None]
    assert len(bsns) == 3
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    assert all(
        sum(w * int(d) for w, d in zip(weights, b, strict=True)) % 11 for b in bsns
    )

    text = " ".join(p.findtext("roepnaam") or "" for p in pupils)
    assert any(ord(char) > 127 for char in text)
    assert {p.findtext("voorvoegsel") for p in pupils} >= {"de", "van der"}


def test_pupils_leave_and_arrive_between_years(demo: DemoManifest) -> None:
    first, second = roster(demo, 2023), roster(demo, 2024)
    gone = keys(first) - keys(second)
    came = keys(second) - keys(first)
    grade = {p.attrib["key"]: p.findtext("jaargroep") for p in first.iter("leerling")}
    exit_date = {
        p.attrib["key"]: p.findtext("uitstroomdatum") for p in first.iter("leerling")
    }

    mid_year_leavers = {key for key in gone if grade[key] != "8"}
    assert mid_year_leavers
    assert all(exit_date[key] for key in gone)

    second_grades = {
        p.attrib["key"]: p.findtext("jaargroep") for p in second.iter("leerling")
    }
    assert {second_grades[key] for key in came} - {
        "1"
    }  # arrivals beyond the new kleuters


# --- ESIS -----------------------------------------------------------------------------


def test_esis_file_layout(demo: DemoManifest) -> None:
    raw = demo.files_of(FORMAT_ESIS)[0].path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8").split("\r\n")
    assert lines[0] == ESIS_HEADER
    assert lines[-1] == ""
    assert all(re.fullmatch(r'"[^"]*"(;"[^"]*"){16}', line) for line in lines[1:-1])
    assert "\n" not in raw.decode("utf-8").replace("\r\n", "")


def test_esis_values(demo: DemoManifest) -> None:
    rows = esis_rows(demo)
    assert {r["BrinVest"] for r in rows} == {"99KW00"}
    assert {r["Toets"] for r in rows} == {
        "Rekenen-Wiskunde",
        "Begrijpend lezen",
        "Spelling",
        "DMT",
    }
    assert {r["Toetsversie"] for r in rows} == {"3.0"}
    assert {r["Norm"] for r in rows} == {""}
    assert {r["Vormingsgebied"] for r in rows if r["Toets"] == "DMT"} == {
        "Technisch lezen"
    }
    assert any("," in r["Vaardigheidsscore"] for r in rows)
    assert not any("." in r["Vaardigheidsscore"] for r in rows)

    dl = {
        f"{p}{g}": 5 + 10 * (g - 3) + (5 if p == "E" else 0)
        for g in range(3, 9)
        for p in "ME"
    }
    assert all(int(r["DL"]) == dl[r["Afnamemoment"] + r["Leerjaar"]] for r in rows)


def test_moments_per_grade(demo: DemoManifest) -> None:
    rows = esis_rows(demo)
    assert {r["Afnamemoment"] for r in rows if r["Leerjaar"] == "8"} == {"M"}
    assert {r["Afnamemoment"] for r in rows if r["Leerjaar"] == "5"} == {"M", "E"}
    assert not [
        r for r in rows if r["Leerjaar"] == "3" and r["Toets"] == "Begrijpend lezen"
    ]
    for row in rows:
        month = dutch_date(row["Afnamedatum"]).month
        assert month in ((1, 2) if row["Afnamemoment"] == "M" else (6,))


def test_no_results_outside_enrolment(demo: DemoManifest) -> None:
    for year in demo.years:
        enrolled = {}
        for pupil in roster(demo, year.school_year).iter("leerling"):
            entry = dt.date.fromisoformat(pupil.findtext("instroomdatum") or "")
            exit_text = pupil.findtext("uitstroomdatum")
            leave = dt.date.fromisoformat(exit_text) if exit_text else dt.date.max
            enrolled[pupil.attrib["key"]] = (entry, leave)

        rows = esis_rows(demo, year.school_year)
        for row in rows:
            entry, leave = enrolled[row["EsisIdentificatienummer"]]
            assert entry <= dutch_date(row["Afnamedatum"]) < leave

        late_arrivals = {
            k for k, (entry, _) in enrolled.items() if entry.month in (9, 10, 11, 12)
        }
        assert (
            late_arrivals
        )  # the check above did cover pupils who came during the year


def test_two_rows_are_exact_duplicates(demo: DemoManifest) -> None:
    for file in demo.files_of(FORMAT_ESIS):
        lines = file.path.read_text(encoding="utf-8").splitlines()[1:]
        repeated = [count for count in Counter(lines).values() if count > 1]
        assert repeated == ([2, 2] if file.school_year == 2023 else [])


def test_levels_follow_the_percentile_rule(demo: DemoManifest) -> None:
    norms: dict[tuple[str, str], NormalDist] = {}
    with (demo.target_dir / "normen_demo.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        for line in csv.DictReader(handle, delimiter=";"):
            mean = float(line["national_mean"].replace(",", "."))
            sd = float(line["national_sd"].replace(",", "."))
            norms[(line["instrument"], line["moment"])] = NormalDist(mean, sd)

    for row in esis_rows(demo, 2024)[:200]:
        score = float(row["Vaardigheidsscore"].replace(",", "."))
        norm = norms[(row["Toets"], row["Afnamemoment"] + row["Leerjaar"])]
        percentile = 100 * norm.cdf(score)
        assert row["IV"] == iv_level(percentile)
        assert row["AE"] == ae_level(percentile)


def test_norm_table(demo: DemoManifest) -> None:
    lines = (
        (demo.target_dir / "normen_demo.csv").read_text(encoding="utf-8").splitlines()
    )
    assert lines[0] == (
        "instrument;generation;norm_version;moment;population;"
        "national_mean;national_sd;sem;source"
    )
    rows = [line.split(";") for line in lines[1:]]
    assert len(rows) == 11 + 9 + 11 + 11  # begrijpend lezen starts at M4
    assert {(r[1], r[2], r[4], r[8]) for r in rows} == {
        ("3.0", "demo", "pupils", "Koers demo (verzonnen normen, niet van Cito)")
    }
    assert any("," in r[5] for r in rows)


# --- doorstroomtoets ------------------------------------------------------------------


def test_doorstroomtoets_messages(demo: DemoManifest) -> None:
    messages = list(transition_messages(demo))
    assert len(messages) == demo.transition_results > 0
    levels: list[str] = []
    for message in messages:
        assert message["versie"] == "Doorstroomtoetsketen_v1.0"
        assert message["profiel"] == "Leerlingtoetsresultaat"
        assert str(message["datumtijd"]).startswith(
            str(message["schooljaar"])[5:] + "-03-"
        )
        scores = message["resultatenscores"]
        assert isinstance(scores, dict)
        assert scores["toetsdefinitie"] in {"ROUTE_8", "ICE", "DIA"}
        assert scores["afnamecontext"]["afname"]["afnametijdstip"][5:7] == "02"
        (reference,) = scores["deelnemerref"]
        assert reference["label"] in {"ECK-iD", "LAS-key"}

        outcomes = scores["resultaten"]["resultaten"]
        per_unit = [o for o in outcomes if o["label"] == "Referentieniveau"]
        assert sorted(o["toetseenheid"] for o in per_unit) == [
            "LEZEN",
            "REKENEN",
            "TAALVERZORGING",
        ]
        levels += [o["waarde"] for o in per_unit]

    assert set(levels) <= {"L1F", "1F", "1S", "2F"}
    at_least_1f = sum(level != "L1F" for level in levels) / len(levels)
    at_target = sum(level in {"1S", "2F"} for level in levels) / len(levels)
    assert 0.90 <= at_least_1f <= 0.99
    assert 0.45 <= at_target <= 0.70


def test_doorstroomtoets_only_grade_8(demo: DemoManifest) -> None:
    for year in demo.years:
        root = roster(demo, year.school_year)
        grade_8 = {
            p.attrib.get("eckid", p.attrib["key"])
            for p in root.iter("leerling")
            if p.findtext("jaargroep") == "8"
        }
        label = f"{year.school_year}-{year.school_year + 1}"
        for message in transition_messages(demo):
            if message["schooljaar"] == label:
                reference = message["resultatenscores"]["deelnemerref"][0]  # type: ignore[index]
                assert reference["onderwijsdeelnemerID"] in grade_8


# --- OSO ------------------------------------------------------------------------------


def test_oso_dossiers_for_arrivals(demo: DemoManifest) -> None:
    dossiers = {
        f.path.stem.removeprefix("oso_"): f.path for f in demo.files_of(FORMAT_OSO)
    }
    arrived = keys(roster(demo, 2024)) - keys(roster(demo, 2023))
    later_arrivals = {
        p.attrib["key"]
        for p in roster(demo, 2024).iter("leerling")
        if p.attrib["key"] in arrived and p.findtext("jaargroep") != "1"
    }
    assert later_arrivals and later_arrivals <= set(dossiers)

    with_tests = 0
    for path in dossiers.values():
        root = parse_xml(path)
        assert root.tag == f"{OSO}dossier"
        assert root.findtext(f"{OSO}metadata/{OSO}overstap") == "POPO"
        assert root.findtext(f"{OSO}huidigeschool/{OSO}brincode") != "99KW"
        tests = root.findall(f".//{OSO}toets")
        if tests:
            with_tests += 1
        for test in tests:
            codes = test.findall(
                f"{OSO}resultaat/{OSO}referentiescore/{OSO}codereferentiescore"
            )
            assert {code.text for code in codes} == {"IV", "AE", "Percentiel", "DLE"}
    assert with_tests


def test_oso_has_a_test_op_maat(demo: DemoManifest) -> None:
    op_maat = []
    for file in demo.files_of(FORMAT_OSO):
        for test in parse_xml(file.path).iter(f"{OSO}toets"):
            version = test.findtext(f"{OSO}toetsidentificatie/{OSO}toetsversie")
            grade = test.findtext(f"{OSO}afname/{OSO}jaargroep")
            if version == "M6" and grade == "7":
                op_maat.append(test)
    assert len(op_maat) == 1
