"""OSO transfer dossier (Overstapservice Onderwijs), any OSO namespace or none.

Delivers per pupil: the school career (`schoolloopbaan` → enrolments), the end-of-
primary test (`eindtoetsresultaat` → a transition record) and the test list
(`toetslijst/toets` → results). Attachments (`bestandsinhoud`, base64) are dropped
while parsing; sub-tests (`toetsonderdeel`) are not separate results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from xml.etree.ElementTree import Element

from koers.lib.importers import _xml
from koers.lib.importers._tables import RowError, incomplete
from koers.lib.records import (
    DerivedScore,
    Domain,
    EnrolmentRecord,
    ImportRejected,
    ParsedFile,
    PupilRecord,
    PupilRef,
    ReferenceLevel,
    ResultRecord,
    SkippedRow,
    SourcePosition,
    TransitionRecord,
)
from koers.lib.values import (
    UNKNOWN_SUPPLIER,
    ValueFormatError,
    clean_prefix,
    dropped_bsn_note,
    moment_from_test_version,
    optional_text,
    parse_bounded_int,
    parse_date,
    parse_grade,
    parse_level_ae,
    parse_level_iv,
    parse_percentile,
    parse_reference_level,
    parse_school_year,
    parse_score,
    school_year_of,
    subject_of,
    supplier_of,
)

logger = logging.getLogger(__name__)

FORMAT = "oso"
ROOT = "dossier"

END_TEST_SUPPLIERS = {"0011": "Centrale Eindtoets", "0012": "Route 8", "0013": "IEP"}
PART_DOMAINS = {"8001": Domain.MATH}
SUBDOMAIN_DOMAINS = {"8050": Domain.READING, "8051": Domain.LANGUAGE}
EXEMPT = "J"


def parse(file_name: str, data: bytes) -> ParsedFile:
    root = _xml.parse(file_name, data)
    if _xml.local_name(root.tag) != ROOT:
        raise ImportRejected(file_name, "verwacht een OSO-dossier (element 'dossier')")

    parsed = ParsedFile(file_name=file_name, format=FORMAT)
    school = _xml.child(root, "huidigeschool")
    pupils = _xml.children(school, "leerling")
    if not pupils:
        raise ImportRejected(file_name, "het OSO-dossier bevat geen leerling")

    _read_school(school, parsed)
    for index, element in enumerate(pupils, start=1):
        prefix = _xml.indexed("", "leerling", index) if len(pupils) > 1 else ""
        _read_pupil(element, prefix, parsed)
    _note_dropped_bsn(root, parsed)

    logger.info(
        "oso: %d pupils, %d enrolments, %d results, %d transition, %d skipped",
        len(parsed.pupils),
        len(parsed.enrolments),
        len(parsed.results),
        len(parsed.transition_results),
        len(parsed.skipped),
    )
    return parsed


def _read_school(school: Element | None, parsed: ParsedFile) -> None:
    parsed.school_name = optional_text(_xml.text(school, "naam"))
    parsed.brin = optional_text(_xml.text(school, "brincode"))
    parsed.branch_code = optional_text(_xml.text(school, "vestigingscode"))


def _field[T](element: Element | None, name: str, parser: Callable[[str], T]) -> T:
    try:
        return parser(_xml.text(element, name))
    except ValueFormatError as error:
        raise RowError(error.message, name, malformed=True) from error


def _lenient[T](parser: Callable[[str], T | None], value: str) -> T | None:
    """Parse a derived score; a value outside the code list stays only in `derived`."""
    try:
        return parser(value)
    except ValueFormatError:
        return None


def _skip(parsed: ParsedFile, path: str, error: RowError) -> None:
    position = SourcePosition(column=error.column, path=path)
    parsed.skipped.append(SkippedRow(position, error.message))


def _join(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix else path


def _read_list[T](
    parent: Element,
    names: tuple[str, str],
    prefix: str,
    parsed: ParsedFile,
    build: Callable[[Element, str], T],
    into: list[T],
) -> None:
    """Each item of a pupil's list (`names`: the list and its items) becomes a
    record; an item that cannot be used is skipped with its path."""
    list_name, item_name = names
    items = _xml.children(_xml.child(parent, list_name), item_name)
    for index, item in enumerate(items, start=1):
        parsed.rows_read += 1
        path = _join(prefix, _xml.indexed(list_name, item_name, index))
        try:
            into.append(build(item, path))
        except RowError as error:
            _skip(parsed, path, error)


# --- pupil ------------------------------------------------------------------------


def _read_pupil(element: Element, prefix: str, parsed: ParsedFile) -> None:
    parsed.rows_read += 1
    path = prefix or "leerling"
    try:
        pupil = _pupil(element, path)
    except RowError as error:
        _skip(parsed, path, error)
        return
    if pupil.ref.is_empty():
        reason = "geen leerlingnummer, ECK-iD of achternaam met geboortedatum"
        _skip(parsed, path, incomplete(reason))
        return

    parsed.pupils.append(pupil)
    _read_career(element, pupil.ref, prefix, parsed)
    _read_end_test(element, pupil.ref, prefix, parsed)
    _read_tests(element, pupil.ref, prefix, parsed)


def _pupil(element: Element, path: str) -> PupilRecord:
    surname = _xml.text(element, "achternaam")
    birth_date = _field(element, "geboortedatum", parse_date)
    given_names = " ".join(
        name.text.strip() for name in _xml.children(element, "voornaam") if name.text
    )
    return PupilRecord(
        ref=PupilRef(
            eck_id=optional_text(_xml.text(element, "eckid")),
            key=optional_text(_xml.text(element, "leerlingid")),
            surname=surname or None,
            birth_date=birth_date,
        ),
        surname=surname,
        prefix=clean_prefix(_xml.text(element, "voorvoegsel")),
        preferred_name=_xml.text(element, "roepnaam"),
        given_names=given_names,
        initials=_xml.text(element, "voorletters-1"),
        birth_date=birth_date,
        position=SourcePosition(path=path),
    )


# --- school career ----------------------------------------------------------------


def _read_career(
    element: Element, ref: PupilRef, prefix: str, parsed: ParsedFile
) -> None:
    _read_list(
        element,
        ("schoolloopbaanlijst", "schoolloopbaan"),
        prefix,
        parsed,
        lambda item, _path: _enrolment(item, ref),
        parsed.enrolments,
    )


def _enrolment(item: Element, ref: PupilRef) -> EnrolmentRecord:
    school_year = _field(item, "schooljaar", parse_school_year)
    if school_year is None:
        raise incomplete("geen schooljaar", "schooljaar")
    return EnrolmentRecord(
        ref=ref,
        school_year=school_year,
        # The group code (`1a`, `1/2`) is the group's name in the LAS; `groepsnaam`
        # is often a description such as `combinatieklas`.
        group_name=_xml.text(item, "groepscode") or _xml.text(item, "groepsnaam"),
        grade=_field(item, "jaargroep", parse_grade),
        start_date=_field(item, "begindatum", parse_date),
        end_date=_field(item, "einddatum", parse_date),
        brin=optional_text(_xml.text(item, "brincode")),
    )


# --- end test ---------------------------------------------------------------------


def _read_end_test(
    element: Element, ref: PupilRef, prefix: str, parsed: ParsedFile
) -> None:
    _read_list(
        element,
        ("eindtoets_basisonderwijs", "eindtoetsresultaat"),
        prefix,
        parsed,
        lambda result, path: _transition(result, ref, path),
        parsed.transition_results,
    )


def _transition(result: Element, ref: PupilRef, path: str) -> TransitionRecord:
    administered_on = _field(result, "datum_afname", parse_date)
    if administered_on is None:
        raise incomplete("geen afnamedatum", "datum_afname")
    return TransitionRecord(
        ref=ref,
        school_year=school_year_of(administered_on),
        supplier=END_TEST_SUPPLIERS.get(
            _xml.text(result, "toetssoort"), UNKNOWN_SUPPLIER
        ),
        administered_on=administered_on,
        levels=_end_test_levels(result),
        exempt=_xml.text(result, "wettelijke_ontheffing").upper() == EXEMPT,
        advice=_xml.text(result, "toets_advies"),
        standard_score=_field(result, "standaardscore", parse_score),
        position=SourcePosition(path=path),
    )


def _end_test_levels(result: Element) -> dict[Domain, ReferenceLevel | None]:
    """Rekenen is a part (`onderdeel`); lezen and taalverzorging are domains of taal."""
    levels: dict[Domain, ReferenceLevel | None] = dict.fromkeys(Domain)
    for part in _xml.children(_xml.child(result, "onderdelen"), "onderdeel"):
        domain = PART_DOMAINS.get(_xml.text(part, "onderdeelcode"))
        if domain is not None:
            levels[domain] = _field(part, "ond_referentieniveau", parse_reference_level)

        for item in _xml.children(_xml.child(part, "domeinen"), "domein"):
            domain = SUBDOMAIN_DOMAINS.get(_xml.text(item, "domeincode"))
            if domain is not None:
                levels[domain] = _field(
                    item, "dom_referentieniveau", parse_reference_level
                )
    return levels


# --- test list --------------------------------------------------------------------


def _read_tests(
    element: Element, ref: PupilRef, prefix: str, parsed: ParsedFile
) -> None:
    _read_list(
        element,
        ("toetslijst", "toets"),
        prefix,
        parsed,
        lambda test, path: _result(test, ref, path),
        parsed.results,
    )


def _result(test: Element, ref: PupilRef, path: str) -> ResultRecord:
    # Every test of every dossier passes here: each element's children are read
    # once into a dictionary instead of being searched for each field.
    parts = _xml.child_elements(test)
    identification = _xml.child_texts(parts.get("toetsidentificatie"))
    code = identification.get("eldtoetscode", "")
    name = identification.get("toetsnaam", "")
    version = identification.get("toetsversie", "")
    if not (name or code):
        raise incomplete("geen toetsnaam of toetscode", "toetsidentificatie")

    administration = _xml.child_texts(parts.get("afname"))
    administered_on = _value(administration, "afnamedatum", parse_date)
    if administered_on is None:
        raise incomplete("geen afnamedatum", "afnamedatum")

    result = parts.get("resultaat")
    score = _xml.child_texts(_xml.child(result, "toetsscore"))
    derived = _derived_scores(result)
    first = _first_values(derived)
    moment = moment_from_test_version(version)
    return ResultRecord(
        ref=ref,
        supplier=supplier_of(name),
        subject=subject_of(identification.get("leergebied", ""), name),
        instrument=name or code,
        generation=code,
        administered_on=administered_on,
        school_year=school_year_of(administered_on),
        period=moment[0] if moment else None,
        moment_grade=moment[1] if moment else None,
        grade_at_test=_value(administration, "jaargroep", parse_grade),
        test_version=version,
        raw_score=_value(score, "aantalgoed", parse_score),
        ability_score=_value(score, "vaardigheidsscore", parse_score),
        scale=score.get("codevaardigheidsschaal", ""),
        level_iv=_lenient(parse_level_iv, first("IV", "CIV")) or "",
        level_ae=_lenient(parse_level_ae, first("AE", "CAE")) or "",
        percentile=_lenient(parse_percentile, first("PERCENTIEL")),
        dle=_lenient(parse_bounded_int, first("DLE")),
        didactic_age=_value(administration, "dl", parse_bounded_int),
        functioning_level=first("FN"),
        reference_level=_lenient(parse_reference_level, first("RNTRM")),
        derived=derived,
        position=SourcePosition(path=path),
    )


def _value[T](texts: dict[str, str], name: str, parser: Callable[[str], T]) -> T:
    try:
        return parser(texts.get(name, ""))
    except ValueFormatError as error:
        raise RowError(error.message, name, malformed=True) from error


def _derived_scores(result: Element | None) -> list[DerivedScore]:
    scores = []
    for item in _xml.children(result, "referentiescore"):
        texts = _xml.child_texts(item)
        code = texts.get("codereferentiescore", "")
        if code:
            scores.append(
                DerivedScore(
                    code=code,
                    value=texts.get("waarde", ""),
                    comparison_group=texts.get("codevergelijkingsgroep", ""),
                )
            )
    return scores


def _first_values(scores: list[DerivedScore]) -> Callable[..., str]:
    """The value of the first of the given codes (upper case) that is present."""
    values: dict[str, str] = {}
    for score in scores:
        if score.value:
            values.setdefault(score.code.upper(), score.value)

    def first(*codes: str) -> str:
        return next((values[code] for code in codes if code in values), "")

    return first


def _note_dropped_bsn(root: Element, parsed: ParsedFile) -> None:
    dropped = _xml.count_bsn_values(root)
    if dropped:
        parsed.notes.append(dropped_bsn_note(dropped))
