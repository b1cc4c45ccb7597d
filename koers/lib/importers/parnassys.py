"""ParnasSys pupil list (an Excel download, sometimes saved as CSV).

`Huidige groep` is a free-text group name such as `Groep 4/5` or `Structuurklas
Bovenbouw`. It is never read as a grade: the list carries no grade, so groups get
their name as key and no grade.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from koers.lib.importers._tables import (
    Columns,
    incomplete,
    load_table,
    note_dropped_bsn,
    read_rows,
    require_columns,
)
from koers.lib.records import (
    GroupRecord,
    ImportRejected,
    ParsedFile,
    PupilRecord,
    PupilRef,
    SourcePosition,
)
from koers.lib.textfile import Row, Table
from koers.lib.values import clean_prefix, header_key, parse_grade

logger = logging.getLogger(__name__)

FORMAT = "parnassys-pupils"

ACTIVE_STATUS = "volgt onderwijs"

ALIASES: Mapping[str, Collection[str]] = {
    "external_id": ("Leerlingnummer", "Leerling nummer", "Leerlingnr", "Studentnummer"),
    "group": ("Huidige groep", "Huidigegroep"),
    "grade": ("Jaargroep", "Leerjaar"),
    "preferred_name": ("Roepnaam",),
    "prefix": ("Voorvoegsel", "Tussenvoegsel"),
    "surname": ("Achternaam",),
    "status": ("Huidige status", "Status"),
}

REQUIRED = {"external_id": "Leerlingnummer", "group": "Huidige groep"}

PUPIL_ID_KEYS = frozenset(header_key(name) for name in ALIASES["external_id"])
GROUP_KEYS = frozenset(header_key(name) for name in ALIASES["group"])
STAFF_GROUPS_KEY = header_key("Gekoppelde groepen")


def known_header_keys() -> frozenset[str]:
    return frozenset(
        header_key(name) for names in ALIASES.values() for name in names
    ) | {STAFF_GROUPS_KEY}


class _PupilListReader:
    def __init__(self, file_name: str, columns: Columns, parsed: ParsedFile) -> None:
        self.file_name = file_name
        self.columns = columns
        self.parsed = parsed
        self.rows_by_id: dict[str, int] = {}
        self.groups: dict[str, GroupRecord] = {}
        self.inactive = 0

    def handle_row(self, position: int, row: Row) -> bool:
        values = self.columns.values(row)
        pupil_id = values["external_id"]
        if not pupil_id:
            raise incomplete("geen leerlingnummer", self.columns.name("external_id"))

        group_name = values["group"]
        pupil = PupilRecord(
            ref=PupilRef(key=pupil_id),
            surname=values["surname"],
            prefix=clean_prefix(values["prefix"]),
            preferred_name=values["preferred_name"],
            grade=self.columns.parse(values, "grade", parse_grade),
            group_key=group_name or None,
            position=SourcePosition(row=row.number),
        )
        self.check_unique(pupil_id, row)

        if group_name and group_name not in self.groups:
            self.groups[group_name] = GroupRecord(key=group_name, name=group_name)
        status = values["status"]
        if status and status.lower() != ACTIVE_STATUS:
            self.inactive += 1
        self.parsed.pupils.append(pupil)
        return True

    def check_unique(self, pupil_id: str, row: Row) -> None:
        """Two rows with one pupil number mean a broken export: refuse the file."""
        first_row = self.rows_by_id.setdefault(pupil_id, row.number)
        if first_row != row.number:
            raise ImportRejected(
                self.file_name,
                f"leerlingnummer '{pupil_id}' komt twee keer voor "
                f"(rij {first_row} en rij {row.number}); elk leerlingnummer mag "
                "maar één keer voorkomen",
                SourcePosition(row=row.number, column=self.columns.name("external_id")),
            )


def parse(file_name: str, data: bytes) -> ParsedFile:
    table = load_table(file_name, data, known_header_keys())
    _reject_staff_list(file_name, table)
    columns = Columns(table, ALIASES)
    require_columns(file_name, table, columns, REQUIRED)

    parsed = ParsedFile(file_name=file_name, format=FORMAT)
    reader = _PupilListReader(file_name, columns, parsed)
    read_rows(file_name, table, parsed, reader.handle_row)
    parsed.groups.extend(reader.groups.values())
    if reader.inactive:
        parsed.notes.append(
            "Leerlingen met een andere status dan 'Volgt onderwijs': "
            f"{reader.inactive}; zij zijn wel ingelezen."
        )

    note_dropped_bsn(table, parsed)
    logger.info(
        "parnassys pupils: %d rows, %d pupils, %d groups, %d skipped",
        parsed.rows_read,
        len(parsed.pupils),
        len(parsed.groups),
        len(parsed.skipped),
    )
    return parsed


def is_staff_list(header_keys: Collection[str]) -> bool:
    keys = set(header_keys)
    return STAFF_GROUPS_KEY in keys and not keys & PUPIL_ID_KEYS


def _reject_staff_list(file_name: str, table: Table) -> None:
    if is_staff_list(table.header_keys):
        raise ImportRejected(
            file_name, STAFF_LIST_MESSAGE, SourcePosition(row=table.header_row)
        )


STAFF_LIST_MESSAGE = (
    "dit is een medewerkerslijst (kolom 'Gekoppelde groepen', geen 'Leerlingnummer'); "
    "Koers verwacht een leerlingenlijst of een bestand met toetsresultaten"
)
