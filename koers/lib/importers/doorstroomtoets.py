"""Doorstroomtoets result message (`POST /leerlingresultaat`, Doorstroomtoetsketen v1).

A file holds one message or a JSON array of messages. Anything next to the message
fields (such as a `_bron` provenance field) is ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from koers.lib.importers._tables import RowError, incomplete
from koers.lib.records import (
    Domain,
    ImportRejected,
    ParsedFile,
    PupilRef,
    ReferenceLevel,
    SkippedRow,
    SourcePosition,
    TransitionRecord,
)
from koers.lib.textfile import UnreadableText, decode_text
from koers.lib.values import (
    UNKNOWN_SUPPLIER,
    ValueFormatError,
    clean,
    parse_date,
    parse_reference_level,
    parse_school_year,
    parse_score,
    school_year_of,
)

logger = logging.getLogger(__name__)

FORMAT = "doorstroomtoets"
MESSAGE_KEY = "resultatenscores"

SUPPLIERS = {
    "ROUTE_8": "Route 8",
    "ICE": "IEP",
    "DIA": "DIA",
    "AMN": "AMN",
    "LEERLING_IN_BEELD": "Cito",
    "DOE": "Dé Doorstroomtoets",
    "OCW_DOORSTROOMTOETS": "OCW",
}
DOMAINS = {
    "REKENEN": Domain.MATH,
    "LEZEN": Domain.READING,
    "TAALVERZORGING": Domain.LANGUAGE,
}
ECK_ID_LABEL = "eck-id"
LAS_KEY_LABEL = "las-key"

SHAPE_MESSAGE = (
    "verwacht een doorstroomtoets-leerlingresultaat: een JSON-object met "
    "'resultatenscores', of een lijst van zulke objecten"
)


def parse(file_name: str, data: bytes) -> ParsedFile:
    messages = _messages(file_name, _load(file_name, data))
    parsed = ParsedFile(file_name=file_name, format=FORMAT)

    for path, message in messages:
        parsed.rows_read += 1
        position = SourcePosition(path=f"{path}{MESSAGE_KEY}")
        try:
            parsed.transition_results.append(_transition(message, position))
        except RowError as error:
            skipped_at = SourcePosition(column=error.column, path=position.path)
            parsed.skipped.append(SkippedRow(skipped_at, error.message))

    years = {record.school_year for record in parsed.transition_results}
    parsed.school_year = years.pop() if len(years) == 1 else None
    logger.info(
        "doorstroomtoets: %d messages, %d results, %d skipped",
        parsed.rows_read,
        len(parsed.transition_results),
        len(parsed.skipped),
    )
    return parsed


def _load(file_name: str, data: bytes) -> object:
    try:
        return json.loads(decode_text(data), parse_float=Decimal)
    except (UnreadableText, ValueError, RecursionError) as error:
        raise ImportRejected(file_name, "het bestand is geen geldige JSON") from error


def _messages(file_name: str, document: object) -> list[tuple[str, dict[str, Any]]]:
    """(path prefix, message) pairs; the whole file is refused when one is misshapen."""
    if isinstance(document, dict) and _is_message(document):
        return [("", document)]
    if not isinstance(document, list) or not document:
        raise ImportRejected(file_name, SHAPE_MESSAGE)

    messages = []
    for index, item in enumerate(document):
        if not (isinstance(item, dict) and _is_message(item)):
            raise ImportRejected(
                file_name, SHAPE_MESSAGE, SourcePosition(path=f"[{index}]")
            )
        messages.append((f"[{index}]/", item))
    return messages


def _is_message(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get(MESSAGE_KEY), dict)


def _get(value: object, *keys: str) -> object:
    """Walk nested objects; None as soon as a step is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _text(value: object) -> str:
    """Scalars as text (the spec sends scores as numbers); anything else is empty."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return ""
    return clean(str(value))


def _items(value: object) -> list[dict[str, Any]]:
    return (
        [item for item in value if isinstance(item, dict)]
        if isinstance(value, list)
        else []
    )


def _transition(message: dict[str, Any], position: SourcePosition) -> TransitionRecord:
    result = message[MESSAGE_KEY]
    ref = _pupil_ref(result)
    timestamp = _get(result, "afnamecontext", "afname", "afnametijdstip")
    administered_on = _parse(parse_date, timestamp, "afnametijdstip")
    school_year = _parse(parse_school_year, message.get("schooljaar"), "schooljaar")
    if school_year is None and administered_on is not None:
        school_year = school_year_of(administered_on)
    if school_year is None:
        raise incomplete("geen schooljaar en geen afnametijdstip", "schooljaar")

    outcomes = _items(_get(result, "resultaten", "resultaten"))
    return TransitionRecord(
        ref=ref,
        school_year=school_year,
        supplier=SUPPLIERS.get(
            _text(result.get("toetsdefinitie")).upper(), UNKNOWN_SUPPLIER
        ),
        administered_on=administered_on,
        levels=_levels(outcomes),
        advice=_first_outcome(outcomes, "toetsadvies"),
        standard_score=_standard_score(result),
        position=position,
    )


def _pupil_ref(result: dict[str, Any]) -> PupilRef:
    """Both ids are kept; when they disagree the matcher must trust the ECK-iD first."""
    ids: dict[str, str] = {}
    for reference in _items(result.get("deelnemerref")):
        label = _text(reference.get("label")).lower()
        value = _text(reference.get("onderwijsdeelnemerID"))
        if value and label in (ECK_ID_LABEL, LAS_KEY_LABEL):
            ids.setdefault(label, value)

    ref = PupilRef(eck_id=ids.get(ECK_ID_LABEL), key=ids.get(LAS_KEY_LABEL))
    if ref.is_empty():
        raise incomplete(
            "geen bruikbare leerlingverwijzing (ECK-iD of LAS-key)", "deelnemerref"
        )
    return ref


def _parse[T](parser: Callable[[str], T], value: object, column: str) -> T:
    try:
        return parser(_text(value))
    except ValueFormatError as error:
        raise RowError(error.message, column, malformed=True) from error


def _levels(outcomes: list[dict[str, Any]]) -> dict[Domain, ReferenceLevel | None]:
    levels: dict[Domain, ReferenceLevel | None] = dict.fromkeys(Domain)
    for outcome in outcomes:
        domain = DOMAINS.get(_text(outcome.get("toetseenheid")).upper())
        if (
            _text(outcome.get("label")).lower() == "referentieniveau"
            and domain is not None
        ):
            levels[domain] = _parse(
                parse_reference_level, outcome.get("waarde"), "waarde"
            )
    return levels


def _first_outcome(outcomes: list[dict[str, Any]], label: str) -> str:
    for outcome in outcomes:
        if _text(outcome.get("label")).lower() == label:
            return _text(outcome.get("waarde"))
    return ""


def _standard_score(result: dict[str, Any]) -> Decimal | None:
    for score in _items(_get(result, "scores", "scores")):
        if _text(score.get("label")).lower() == "toetsscore":
            return _parse(parse_score, score.get("waarde"), "waarde")
    return None
