"""Uploaded files on disk, between the upload and the import.

Files are stored under a generated name in `KOERS_UPLOAD_DIR`, outside the
static files, so that a name chosen by the uploader never becomes a path and no
upload can be fetched through a URL. The name as uploaded is kept only for the
report.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

logger = logging.getLogger(__name__)

STORED_NAME = re.compile(r"[0-9a-f]{32}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class StoredFile(TypedDict):
    name: str
    stored: str
    size: int
    format: str


def upload_dir() -> Path:
    folder = Path(settings.KOERS_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def display_name(uploaded_name: str | None) -> str:
    """The last part of the name the browser sent, without control characters."""
    name = re.split(r"[\\/]", uploaded_name or "")[-1]
    name = CONTROL_CHARACTERS.sub("", name).strip()
    return name[:255] or "bestand"


def store(upload: UploadedFile[bytes]) -> tuple[str, bytes]:
    """Write the upload under a new generated name; that name and the content."""
    data = b"".join(upload.chunks())
    stored = secrets.token_hex(16)
    path = upload_dir() / stored
    path.touch(mode=0o600)
    path.write_bytes(data)
    return stored, data


def path_of(stored: str) -> Path:
    # The stored name comes from our own record, but is checked anyway: it is
    # the only thing that decides which file on disk is read or deleted.
    if not STORED_NAME.fullmatch(stored):
        raise ValueError("not a generated upload name")
    return upload_dir() / stored


def read(file: StoredFile) -> bytes:
    return path_of(file["stored"]).read_bytes()


def delete(files: list[StoredFile]) -> None:
    for file in files:
        path_of(file["stored"]).unlink(missing_ok=True)
    logger.debug("uploads deleted files=%d", len(files))
