"""Recognise the format of an uploaded file from its content, never from its name."""

from __future__ import annotations

from koers.lib.importers import (
    _xml,
    doorstroomtoets,
    edexml,
    esis,
    oso,
    parnassys,
    tabular,
)
from koers.lib.importers._tables import load_table
from koers.lib.records import ImportRejected, SourcePosition
from koers.lib.textfile import UTF8_BOM, UTF16_BOMS, Table, looks_like_spreadsheet
from koers.lib.values import header_key

MAX_FILE_BYTES = 50 * 1024 * 1024

UWLR_RESULTS_REQUEST = "leerresultaten_verzoek"

KNOWN_HEADER_KEYS = (
    esis.known_header_keys()
    | parnassys.known_header_keys()
    | tabular.known_header_keys()
)
INSTRUMENT_KEYS = frozenset(
    header_key(name)
    for field in tabular.INSTRUMENT_FIELDS
    for name in tabular.ALIASES[field]
)

UNKNOWN_TABLE_MESSAGE = (
    "onbekend soort tabel: verwacht een leerlingenlijst (kolommen Leerlingnummer en "
    "Huidige groep) of toetsresultaten (kolommen Leerlingnummer, Toets en Afnamedatum)"
)


def detect_format(data: bytes, *, file_name: str = "bestand") -> str:
    """The format name of `data`, or `ImportRejected` when no supported format fits."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(file_name, "het bestand is groter dan 50 MB")
    if looks_like_spreadsheet(data):
        return _table_format(file_name, data)

    first = _first_character(data)
    if not first:
        raise ImportRejected(file_name, "het bestand is leeg")
    if first == "<":
        return _xml_format(file_name, data)
    if first in "{[":
        return doorstroomtoets.FORMAT
    return _table_format(file_name, data)


def _first_character(data: bytes) -> str:
    """The first non-blank character, looking past a byte-order mark; "" when blank."""
    if data.startswith(UTF16_BOMS):
        head = data[:256].decode("utf-16", errors="ignore")
    else:
        head = data.removeprefix(UTF8_BOM).lstrip()[:1].decode("latin-1")
    return head.lstrip("\ufeff \t\r\n")[:1]


def _xml_format(file_name: str, data: bytes) -> str:
    names = _xml.first_element_names(data)
    if not names:
        _xml.parse(file_name, data)  # raises with the parser's own explanation
        raise ImportRejected(file_name, "het XML-bestand bevat geen elementen")

    if names[0] == edexml.EDEX_ROOT:
        return edexml.FORMAT
    if names[0] == oso.ROOT:
        return oso.FORMAT
    if edexml.UWLR_ANSWER in names:
        return edexml.UWLR_FORMAT
    if UWLR_RESULTS_REQUEST in names:
        raise ImportRejected(
            file_name,
            "UWLR-leerresultaten (BrengLeerresultaten) worden niet ondersteund; "
            "lever de resultaten aan als export van het leerlingvolgsysteem",
        )
    raise ImportRejected(
        file_name,
        f"onbekend XML-bestand (hoofdelement '{names[0]}'): verwacht EDEXML, "
        "UWLR-leerlinggegevens of een OSO-dossier",
    )


# The header sits in the first rows: detection reads only the start of a large
# text file, so the file is not read twice in full.
HEAD_BYTES = 64 * 1024


def _head(data: bytes) -> bytes:
    """The first whole lines of a text file; spreadsheets and UTF-16 whole."""
    if len(data) <= HEAD_BYTES or data.startswith((b"PK", b"\xff\xfe", b"\xfe\xff")):
        return data
    cut = data.rfind(b"\n", 0, HEAD_BYTES)
    return data[: cut + 1] if cut > 0 else data


def _head_table(file_name: str, data: bytes) -> Table:
    head = _head(data)
    try:
        return load_table(file_name, head, KNOWN_HEADER_KEYS)
    except ImportRejected:
        # A first data row longer than the head leaves the head without rows:
        # only the whole file can tell whether it has any.
        if len(head) == len(data):
            raise
    return load_table(file_name, data, KNOWN_HEADER_KEYS)


def _table_format(file_name: str, data: bytes) -> str:
    table = _head_table(file_name, data)
    keys = set(table.header_keys)

    if keys >= esis.SIGNATURE:
        return esis.FORMAT
    if parnassys.is_staff_list(keys):
        raise ImportRejected(
            file_name,
            parnassys.STAFF_LIST_MESSAGE,
            SourcePosition(row=table.header_row),
        )
    is_pupil_list = keys & parnassys.PUPIL_ID_KEYS and keys & parnassys.GROUP_KEYS
    if is_pupil_list and not keys & INSTRUMENT_KEYS:
        return parnassys.FORMAT
    if keys & INSTRUMENT_KEYS:
        return tabular.FORMAT
    raise ImportRejected(
        file_name, UNKNOWN_TABLE_MESSAGE, SourcePosition(row=table.header_row)
    )
