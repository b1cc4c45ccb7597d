"""Doorstroomtoets `leerlingresultaat` messages per school year (formats.md section 5).

One JSON array per year with one message per grade-8 pupil, shaped like the
OpenAPI example of the Doorstroomtoetsketen. The score scales and test advice are
invented for the demo.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from koers.lib.demo import schoolyear
from koers.lib.demo.scores import TransitionResult
from koers.lib.records import Domain

JsonObject = dict[str, object]

CHAIN_VERSION = "Doorstroomtoetsketen_v1.0"
PROFILE = "Leerlingtoetsresultaat"

DOMAIN_UNIT = {
    Domain.MATH: "REKENEN",
    Domain.READING: "LEZEN",
    Domain.LANGUAGE: "TAALVERZORGING",
}

SUPPLIER_TEST_NAME = {
    "ROUTE_8": "Route 8 doorstroomtoets",
    "ICE": "IEP Doorstroomtoets",
    "DIA": "Dia doorstroomtoets",
}


def _timestamp(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def transition_messages(results: list[TransitionResult], year: int) -> list[JsonObject]:
    # The supplier delivers all results of the year in one go, in March.
    delivered = schoolyear.weekday_on_or_after(
        dt.date(year + 1, 3, 11), schoolyear.MONDAY
    )
    return [_message(result, delivered) for result in results if result.year == year]


def _message(result: TransitionResult, delivered: dt.date) -> JsonObject:
    pupil = result.pupil
    reference = (
        {"label": "ECK-iD", "onderwijsdeelnemerID": pupil.eckid}
        if pupil.eckid
        else {"label": "LAS-key", "onderwijsdeelnemerID": pupil.key}
    )
    suffix = f"{result.year}-{pupil.key}"
    return {
        "datumtijd": _timestamp(delivered, 10),
        "auteur": f"{SUPPLIER_TEST_NAME[result.supplier]} (demo)",
        "versie": CHAIN_VERSION,
        "profiel": PROFILE,
        "schooljaar": schoolyear.label(result.year),
        "resultatenscores": {
            "id": f"resultatenscores-{suffix}",
            "deelnemerref": [reference],
            "versie": "Definitief",
            "datumtijd": _timestamp(delivered - dt.timedelta(days=4), 15, 30),
            "toetsdefinitie": result.supplier,
            "afnamecontext": {
                "afname": {
                    "id": f"afname-{suffix}",
                    "afnametijdstip": _timestamp(result.administered, 8, 30),
                }
            },
            "scores": {
                "id": f"scores-{suffix}",
                "scores": [
                    {
                        "label": "Toetsscore",
                        "id": f"score-{suffix}",
                        "waarde": result.score,
                    }
                ],
            },
            "resultaten": {"resultaten": _outcomes(result)},
        },
        "toets": _test_description(result.supplier),
    }


def _outcomes(result: TransitionResult) -> list[JsonObject]:
    outcomes: list[JsonObject] = [{"label": "Toetsadvies", "waarde": result.advice}]
    for domain, unit in DOMAIN_UNIT.items():
        outcomes.append(
            {
                "label": "Referentieniveau",
                "toetseenheid": unit,
                "waarde": result.levels[domain],
            }
        )
    return outcomes


def _test_description(supplier: str) -> JsonObject:
    return {
        "label": "Doorstroomtoets",
        "id": supplier,
        "naam": SUPPLIER_TEST_NAME[supplier],
        "versie": "digitaal",
        "omschrijving": "Demo: verzonnen resultaten",
        "toetsonderdelen": [
            {"label": "Onderdeel", "id": "REKENEN", "omschrijving": "Rekenen"},
            {
                "label": "Onderdeel",
                "id": "NEDERLANDSE_TAAL",
                "toetsonderdelen": [
                    {"label": "Domein", "id": "LEZEN", "omschrijving": "Lezen"},
                    {
                        "label": "Domein",
                        "id": "TAALVERZORGING",
                        "omschrijving": "Taalverzorging",
                    },
                ],
            },
        ],
    }


def write_transition_messages(messages: list[JsonObject], path: Path) -> None:
    text = json.dumps(messages, ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
