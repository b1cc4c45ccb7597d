"""Importers: exchange-format files → `koers.lib.records.ParsedFile`.

`parse_file` is the entry point. It recognises the format from the content and
raises only `ImportRejected` for bad input; rows it cannot use are reported in
`ParsedFile.skipped`.
"""

from __future__ import annotations

from collections.abc import Callable

from koers.lib.importers import doorstroomtoets, edexml, esis, oso, parnassys, tabular
from koers.lib.importers.detect import detect_format
from koers.lib.records import ParsedFile

__all__ = ["FORMATS", "detect_format", "parse_file"]

_PARSERS: dict[str, Callable[[str, bytes], ParsedFile]] = {
    edexml.FORMAT: edexml.parse,
    edexml.UWLR_FORMAT: edexml.parse,
    oso.FORMAT: oso.parse,
    esis.FORMAT: esis.parse,
    doorstroomtoets.FORMAT: doorstroomtoets.parse,
    parnassys.FORMAT: parnassys.parse,
    tabular.FORMAT: tabular.parse,
}

FORMATS = frozenset(_PARSERS)


def parse_file(file_name: str, data: bytes) -> ParsedFile:
    """Parse an uploaded file of any supported format.

    Raises `ImportRejected` (Dutch message, with position where known) when the file
    is unreadable or of the wrong shape.
    """
    format_name = detect_format(data, file_name=file_name)
    return _PARSERS[format_name](file_name, data)
