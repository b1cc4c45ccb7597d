"""Bounds on a zipped spreadsheet (xlsx, ods) before calamine opens it.

A zip bomb is a small upload that unpacks to gigabytes, or a zip with millions
of members. calamine would inflate it in full, so the archive is measured here
first (security.md IMP-4). The sizes in the zip directory are written by the
sender and may lie: every member is inflated once, bounded, and what it
really unpacks to is what counts.
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib

from koers.lib.records import ImportRejected

logger = logging.getLogger(__name__)

# An xlsx or ods holds a dozen members, a workbook with many sheets a few hundred.
MAX_MEMBERS = 1000
# A results export of 100,000 rows unpacks to about 80 MB of sheet XML.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

CHUNK_BYTES = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DIRECTORY_SIGNATURE = b"PK\x01\x02"

TOO_LARGE_MESSAGE = (
    "het spreadsheet is uitgepakt groter dan 256 MB of bevat meer dan 1000 "
    "onderdelen; sla het opnieuw op of splits het"
)
DAMAGED_MESSAGE = "het spreadsheet kan niet worden geopend (verwacht xlsx, xls of ods)"


def check_archive(file_name: str, data: bytes) -> None:
    """Raise `ImportRejected` unless the zip's members really unpack within bounds."""
    # Counted on the bytes before `zipfile` reads the directory: a directory of a
    # million entries would cost more memory than the sheet itself.
    entries = data.count(_DIRECTORY_SIGNATURE)
    if entries > MAX_MEMBERS:
        _refuse(file_name, "members", entries)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise ImportRejected(file_name, DAMAGED_MESSAGE) from error

    if len(members) > MAX_MEMBERS:
        _refuse(file_name, "members", len(members))

    budget = MAX_UNPACKED_BYTES
    for member in members:
        if member.file_size > budget:
            _refuse(file_name, "declared size", member.file_size)
        budget -= _unpacked_size(file_name, data, member, budget)


def _unpacked_size(
    file_name: str, data: bytes, member: zipfile.ZipInfo, budget: int
) -> int:
    raw = _raw_member(file_name, data, member)
    if member.compress_type == zipfile.ZIP_STORED:
        size = len(raw)
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        size = _inflated_size(file_name, raw, budget)
    else:
        # xlsx and ods only ever store or deflate; other methods are refused
        # rather than trusted.
        raise ImportRejected(file_name, DAMAGED_MESSAGE)

    if size > budget:
        _refuse(file_name, "unpacked size", size)
    return size


def _raw_member(file_name: str, data: bytes, member: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, found through its local header."""
    start = member.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise ImportRejected(file_name, DAMAGED_MESSAGE)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        raise ImportRejected(file_name, DAMAGED_MESSAGE)

    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    return data[begin : begin + member.compress_size]


def _inflated_size(file_name: str, raw: bytes, budget: int) -> int:
    """How many bytes a raw deflate stream gives, counting no further than the
    budget plus one chunk."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    pending = raw
    try:
        while pending and size <= budget:
            size += len(inflater.decompress(pending, CHUNK_BYTES))
            pending = inflater.unconsumed_tail
        if size <= budget:
            size += len(inflater.flush())
    except zlib.error as error:
        raise ImportRejected(file_name, DAMAGED_MESSAGE) from error
    return size


def _refuse(file_name: str, reason: str, amount: int) -> None:
    logger.warning("spreadsheet refused: %s %d over the limit", reason, amount)
    raise ImportRejected(file_name, TOO_LARGE_MESSAGE)
