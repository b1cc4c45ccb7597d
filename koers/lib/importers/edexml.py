"""EDEXML 1.03, 2.0 and 2.1 rosters, and the same element set inside a UWLR
`leerlinggegevens_antwoord` (namespaced, usually wrapped in a SOAP envelope).

Only regular groups become `GroupRecord`s: a `samengestelde_groep` (a cluster such
as a music group) is never a pupil's class. BSN-like elements are counted and
dropped; the count is reported once in the notes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from xml.etree.ElementTree import Element

from koers.lib.importers import _xml
from koers.lib.importers._tables import RowError, incomplete
from koers.lib.records import (
    GroupRecord,
    ImportRejected,
    ParsedFile,
    PupilRecord,
    PupilRef,
    SkippedRow,
    SourcePosition,
    TeacherRecord,
)
from koers.lib.values import (
    ValueFormatError,
    clean_prefix,
    dropped_bsn_note,
    optional_text,
    parse_date,
    parse_grade,
    parse_school_year,
)

logger = logging.getLogger(__name__)

FORMAT = "edexml"
UWLR_FORMAT = "uwlr-leerlinggegevens"

EDEX_ROOT = "EDEX"
UWLR_ANSWER = "leerlinggegevens_antwoord"
UWLR_BODY = "leerlinggegevens"

# A combination group: the grade of each pupil is on the pupil.
COMBINATION_GRADE = "C"


def parse(file_name: str, data: bytes) -> ParsedFile:
    root = _xml.parse(file_name, data)
    container, format_name = _container(file_name, root)

    parsed = ParsedFile(file_name=file_name, format=format_name)
    _read_school(file_name, container, parsed)
    groups = _read_groups(container, parsed)
    _read_pupils(file_name, container, groups, parsed)
    _read_teachers(container, parsed)
    _note_dropped_bsn(container, parsed)

    logger.info(
        "%s: %d groups, %d pupils, %d teachers, %d skipped",
        format_name,
        len(parsed.groups),
        len(parsed.pupils),
        len(parsed.teachers),
        len(parsed.skipped),
    )
    return parsed


def _container(file_name: str, root: Element) -> tuple[Element, str]:
    """The element holding `school`, `groepen`, `leerlingen` and `leerkrachten`."""
    if _xml.local_name(root.tag) == EDEX_ROOT:
        return root, FORMAT

    for answer in _xml.descendants(root, UWLR_ANSWER):
        body = _xml.child(answer, UWLR_BODY)
        if body is not None:
            return body, UWLR_FORMAT
    raise ImportRejected(
        file_name, "verwacht een EDEXML-bestand (EDEX) of UWLR-leerlinggegevens"
    )


def _field[T](element: Element, name: str, parser: Callable[[str], T]) -> T:
    try:
        return parser(_xml.text(element, name))
    except ValueFormatError as error:
        raise RowError(error.message, name, malformed=True) from error


def _skip(parsed: ParsedFile, path: str, error: RowError) -> None:
    parsed.skipped.append(
        SkippedRow(SourcePosition(column=error.column, path=path), error.message)
    )


# --- school -----------------------------------------------------------------------


def _read_school(file_name: str, container: Element, parsed: ParsedFile) -> None:
    school = _xml.child(container, "school")
    if school is None:
        return

    try:
        parsed.school_year = _field(school, "schooljaar", parse_school_year)
    except RowError as error:
        raise ImportRejected(
            file_name, error.message, SourcePosition(column="schooljaar", path="school")
        ) from error
    parsed.brin = optional_text(_xml.text(school, "brincode"))
    parsed.branch_code = optional_text(_xml.text(school, "dependancecode"))


# --- groups -----------------------------------------------------------------------


def _read_groups(container: Element, parsed: ParsedFile) -> dict[str, GroupRecord]:
    groups: dict[str, GroupRecord] = {}
    group_list = _xml.child(container, "groepen")
    if group_list is None:
        return groups

    composite = _xml.children(group_list, "samengestelde_groep")
    parsed.rows_read += len(composite)
    for index, element in enumerate(_xml.children(group_list, "groep"), start=1):
        parsed.rows_read += 1
        path = _xml.indexed("groepen", "groep", index)
        try:
            group = _group(element, parsed.school_year)
        except RowError as error:
            _skip(parsed, path, error)
            continue
        if group.key in groups:
            _skip(
                parsed, path, incomplete(f"groep-key '{group.key}' komt twee keer voor")
            )
            continue
        groups[group.key] = group

    parsed.groups.extend(groups.values())
    logger.debug("%d composite groups not imported as groups", len(composite))
    return groups


def _group(element: Element, school_year: int | None) -> GroupRecord:
    key = (element.get("key") or "").strip()
    if not key:
        raise incomplete("groep zonder key")
    return GroupRecord(
        key=key,
        name=_xml.text(element, "naam"),
        grade=_field(element, "jaargroep", parse_grade),
        school_year=school_year,
    )


# --- pupils -----------------------------------------------------------------------


def _read_pupils(
    file_name: str,
    container: Element,
    groups: dict[str, GroupRecord],
    parsed: ParsedFile,
) -> None:
    pupil_list = _xml.child(container, "leerlingen")
    if pupil_list is None:
        return

    paths_by_key: dict[str, str] = {}
    unknown_group_refs = 0
    for index, element in enumerate(_xml.children(pupil_list, "leerling"), start=1):
        parsed.rows_read += 1
        path = _xml.indexed("leerlingen", "leerling", index)
        try:
            pupil = _pupil(element, path)
        except RowError as error:
            _skip(parsed, path, error)
            continue

        _reject_duplicate(file_name, pupil, path, paths_by_key)
        unknown_group_refs += _link_group(pupil, element, groups)
        parsed.pupils.append(pupil)

    if unknown_group_refs:
        parsed.notes.append(
            f"{unknown_group_refs} leerlingen verwijzen naar een groep die niet in het "
            "bestand staat; die koppeling is niet overgenomen."
        )


def _pupil(element: Element, path: str) -> PupilRecord:
    ref = PupilRef(
        eck_id=optional_text(element.get("eckid")),
        key=optional_text(element.get("key")),
    )
    if not (ref.key or ref.eck_id):
        raise incomplete("leerling zonder key of ECK-iD")

    return PupilRecord(
        ref=ref,
        surname=_xml.text(element, "achternaam"),
        prefix=clean_prefix(_xml.text(element, "voorvoegsel")),
        preferred_name=_xml.text(element, "roepnaam"),
        given_names=_xml.text(element, "voornamen"),
        initials=_xml.text(element, "voorletters-1"),
        birth_date=_field(element, "geboortedatum", parse_date),
        grade=_field(element, "jaargroep", parse_grade),
        entry_date=_field(element, "instroomdatum", parse_date),
        exit_date=_field(element, "uitstroomdatum", parse_date),
        position=SourcePosition(path=path),
    )


def _reject_duplicate(
    file_name: str, pupil: PupilRecord, path: str, paths_by_key: dict[str, str]
) -> None:
    identity = pupil.ref.key or pupil.ref.eck_id or ""
    first_path = paths_by_key.setdefault(identity, path)
    if first_path != path:
        raise ImportRejected(
            file_name,
            f"leerling-key '{identity}' komt twee keer voor ({first_path} en {path})",
            SourcePosition(path=path),
        )


def _link_group(
    pupil: PupilRecord, element: Element, groups: dict[str, GroupRecord]
) -> int:
    """Set the pupil's class; returns 1 when the reference points nowhere."""
    reference = _xml.child(element, "groep")
    if reference is None:
        return 0

    key = (reference.get("key") or "").strip()
    group = groups.get(key)
    if group is None:
        return 1

    pupil.group_key = key
    if pupil.grade is None and group.grade != COMBINATION_GRADE:
        pupil.grade = group.grade
    return 0


# --- teachers ---------------------------------------------------------------------


def _read_teachers(container: Element, parsed: ParsedFile) -> None:
    teacher_list = _xml.child(container, "leerkrachten")
    if teacher_list is None:
        return

    for index, element in enumerate(_xml.children(teacher_list, "leerkracht"), start=1):
        parsed.rows_read += 1
        key = (element.get("key") or "").strip()
        if not key:
            path = _xml.indexed("leerkrachten", "leerkracht", index)
            _skip(parsed, path, incomplete("leerkracht zonder key"))
            continue
        parsed.teachers.append(_teacher(key, element))


def _teacher(key: str, element: Element) -> TeacherRecord:
    references = _xml.children(_xml.child(element, "groepen"), "groep")
    group_keys = [ref.get("key", "").strip() for ref in references]
    return TeacherRecord(
        key=key,
        surname=_xml.text(element, "achternaam"),
        prefix=clean_prefix(_xml.text(element, "voorvoegsel")),
        preferred_name=_xml.text(element, "roepnaam"),
        initials=_xml.text(element, "voorletters-1"),
        group_keys=[group_key for group_key in group_keys if group_key],
    )


def _note_dropped_bsn(root: Element, parsed: ParsedFile) -> None:
    dropped = _xml.count_bsn_values(root)
    if dropped:
        parsed.notes.append(dropped_bsn_note(dropped))
