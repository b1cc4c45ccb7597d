"""EDEXML 2.1 roster per school year (formats.md section 1).

Root `EDEX` without namespace; child elements follow the order of the 2.1 schema.
The roster is the end-of-year export: it lists every pupil enrolled at some time
during the year, with `instroomdatum` and, for pupils who left, `uitstroomdatum`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET

from koers.lib.demo import schoolyear
from koers.lib.demo.names import PersonName
from koers.lib.demo.school import Pupil, YearRoster
from koers.lib.demo.spec import DemoSpec
from koers.lib.demo.xmlout import child, iso, optional_child, write_xml

XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
AUTHOR = "Koers demo-generator"


def write_edexml(spec: DemoSpec, roster: YearRoster, path: Path) -> None:
    root = ET.Element(
        "EDEX",
        {
            "xmlns:xsi": XSI_NAMESPACE,
            "xsi:noNamespaceSchemaLocation": "EDEXML.structuur.xsd",
        },
    )
    _school(root, spec, roster.year)
    _groups(root, roster)
    _pupils(root, roster)
    _teachers(root, roster)
    write_xml(root, path)


def _school(root: ET.Element, spec: DemoSpec, year: int) -> None:
    school = child(root, "school")
    child(school, "schooljaar", schoolyear.label(year))
    child(school, "brincode", spec.brin)
    child(school, "dependancecode", spec.branch)
    # Exported on the last school day, so the grade-8 leavers are in it.
    created = dt.datetime.combine(schoolyear.last_school_day(year), dt.time(16, 5))
    child(school, "aanmaakdatum", created.isoformat())
    child(school, "auteur", AUTHOR)
    child(school, "xsdversie", "2.1")
    comment = f"Demo-export van {spec.school_name} ({spec.board_name})"
    child(school, "commentaar", f"{comment}; alle gegevens verzonnen")


def _groups(root: ET.Element, roster: YearRoster) -> None:
    groups = child(root, "groepen")
    for group in roster.groups:
        element = child(groups, "groep", key=group.key)
        child(element, "naam", group.name)
        child(element, "jaargroep", group.jaargroep)


def _pupils(root: ET.Element, roster: YearRoster) -> None:
    pupils = child(root, "leerlingen")
    for pupil in roster.pupils:
        _pupil(pupils, pupil, roster.year)


def _pupil(parent: ET.Element, pupil: Pupil, year: int) -> None:
    attributes = {"key": pupil.key}
    if pupil.eckid:
        attributes["eckid"] = pupil.eckid
    element = ET.SubElement(parent, "leerling", attributes)

    _names(element, pupil.name, given_names=True)
    child(element, "geboortedatum", iso(pupil.birth_date))
    child(element, "geslacht", pupil.sex)
    child(element, "jaargroep", str(pupil.grades[year]))
    child(element, "groep", key=pupil.groups[year].key)
    optional_child(element, "bsn", pupil.bsn)
    child(element, "instroomdatum", iso(pupil.entry_date))
    if pupil.exit_date is not None:
        child(element, "uitstroomdatum", iso(pupil.exit_date))


def _names(element: ET.Element, name: PersonName, given_names: bool) -> None:
    child(element, "achternaam", name.surname)
    optional_child(element, "voorvoegsel", name.prefix)
    if given_names:
        child(element, "voornamen", name.given_names)
    child(element, "voorletters-1", name.initials)
    child(element, "roepnaam", name.preferred_name)


def _teachers(root: ET.Element, roster: YearRoster) -> None:
    groups_of: dict[str, list[str]] = {teacher.key: [] for teacher in roster.staff}
    for group in roster.groups:
        for teacher in group.teachers:
            groups_of[teacher.key].append(group.key)

    teachers = child(root, "leerkrachten")
    for teacher in roster.staff:
        element = child(teachers, "leerkracht", key=teacher.key)
        _names(element, teacher.name, given_names=False)
        child(element, "rol", teacher.role)
        if groups_of[teacher.key]:
            groups = child(element, "groepen")
            for group_key in groups_of[teacher.key]:
                child(groups, "groep", key=group_key)
