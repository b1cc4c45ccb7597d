"""OSO 2019 transfer dossier for each pupil who arrived from another school.

Element names and nesting follow the OSO 2019 example (formats.md section 2): the
sending school is `huidigeschool`, the pupil's earlier groups are in
`schoolloopbaanlijst` and the earlier LVS results in `toetslijst`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET

from koers.lib.demo import schoolyear
from koers.lib.demo.norms import INSTRUMENTS, NOMINAL_DL, percentile_text
from koers.lib.demo.school import OtherSchool, Pupil
from koers.lib.demo.scores import Measurement
from koers.lib.demo.xmlout import child, iso, optional_child, write_xml

OSO_NAMESPACE = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
PACKAGE_NAME = "Demo-LAS"
NO_QUALIFICATION = "Geen nadere kwalificatie"


def write_oso(pupil: Pupil, measurements: list[Measurement], path: Path) -> None:
    """`measurements` are the pupil's results at the previous school."""
    if pupil.origin is None:
        raise ValueError(f"pupil {pupil.key} did not come from another school")

    root = ET.Element("dossier", {"xmlns": OSO_NAMESPACE})
    _metadata(root, pupil.entry_date - dt.timedelta(days=7))
    child(root, "overdrachtsoort", "overstapdossier")

    school = child(root, "huidigeschool")
    child(school, "naam", pupil.origin.name)
    child(school, "brincode", pupil.origin.brin)
    child(school, "vestigingscode", "00")

    leerling = child(school, "leerling")
    _personal(leerling, pupil)
    _school_career(leerling, pupil, pupil.origin)
    if measurements:
        toetslijst = child(leerling, "toetslijst")
        for measurement in measurements:
            _test(toetslijst, measurement)
    write_xml(root, path)


def _metadata(root: ET.Element, made_on: dt.date) -> None:
    metadata = child(root, "metadata")
    child(metadata, "deeldossier", "LASLVS")
    child(metadata, "pakketnaam", PACKAGE_NAME)
    child(metadata, "pakketversie", "1")
    child(metadata, "datum", iso(made_on))
    child(metadata, "standaardversie", "2019.1")
    child(metadata, "overstap", "POPO")


def _personal(leerling: ET.Element, pupil: Pupil) -> None:
    for given_name in pupil.name.given_names.split():
        child(leerling, "voornaam", given_name)
    optional_child(leerling, "voorvoegsel", pupil.name.prefix)
    child(leerling, "achternaam", pupil.name.surname)
    child(leerling, "roepnaam", pupil.name.preferred_name)
    child(leerling, "geboortedatum", iso(pupil.birth_date))
    child(leerling, "geslacht", pupil.sex)
    optional_child(leerling, "eckid", pupil.eckid)


def _school_career(leerling: ET.Element, pupil: Pupil, origin: OtherSchool) -> None:
    """The pupil's groups at the previous school, up to the day before arrival."""
    career = child(leerling, "schoolloopbaanlijst")
    for year in sorted(pupil.grades):
        begin = schoolyear.first_school_day(year)
        if begin >= pupil.entry_date:
            break
        grade = pupil.grades[year]
        end = min(dt.date(year + 1, 7, 31), pupil.entry_date - dt.timedelta(days=1))

        entry = child(career, "schoolloopbaan")
        child(entry, "schooljaar", schoolyear.label(year))
        child(entry, "groepscode", "1/2" if grade <= 2 else str(grade))
        child(entry, "groepsnaam", "kleutergroep" if grade <= 2 else f"groep {grade}")
        child(entry, "jaargroep", str(grade))
        child(entry, "begindatum", iso(begin))
        child(entry, "einddatum", iso(end))
        child(entry, "brincode", origin.brin)
        child(entry, "vestigingscode", "00")


def _test(toetslijst: ET.Element, m: Measurement) -> None:
    instrument = INSTRUMENTS[m.subject]
    test = child(toetslijst, "toets")

    identification = child(test, "toetsidentificatie")
    # The code names the test series; the version (M5, E6, ...) has its own
    # element, so the results of one series form one growth line.
    child(identification, "eldtoetscode", instrument.oso_code)
    child(identification, "leergebied", instrument.oso_area)
    child(identification, "toetsnaam", instrument.oso_name)
    child(identification, "toetsversie", m.version)

    afname = child(test, "afname")
    child(afname, "afnamedatum", iso(m.date))
    child(afname, "jaargroep", str(m.tick.grade))
    child(afname, "dl", str(NOMINAL_DL[m.tick.moment]))

    resultaat = child(test, "resultaat")
    score = child(resultaat, "toetsscore")
    child(score, "aantalgoed", str(m.raw))
    child(score, "vaardigheidsscore", _decimal(m.score))
    child(score, "codevaardigheidsschaal", instrument.oso_code)
    for code, value in (
        ("IV", m.level_iv),
        ("AE", m.level_ae),
        ("Percentiel", percentile_text(m.percentile)),
        ("DLE", str(m.dle)),
    ):
        _reference_score(resultaat, code, value)


def _reference_score(resultaat: ET.Element, code: str, value: str) -> None:
    element = child(resultaat, "referentiescore")
    child(element, "codereferentiescore", code)
    child(element, "codevergelijkingsgroep", "Landelijk")
    child(element, "waarde", value)
    child(element, "kwalificatie", NO_QUALIFICATION)


def _decimal(value: float) -> str:
    # xs:decimal uses a decimal point.
    return str(int(value)) if value == int(value) else f"{value:.1f}"
