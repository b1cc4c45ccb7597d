"""Small helpers to build and write XML with `xml.etree.ElementTree`.

Only building happens here (our own data); nothing parses untrusted input.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET


def child(
    parent: ET.Element, tag: str, text: str | None = None, **attributes: str
) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def optional_child(parent: ET.Element, tag: str, text: str | None) -> None:
    """Add `<tag>text</tag>` only when there is a value (optional elements)."""
    if text:
        child(parent, tag, text)


def iso(day: dt.date) -> str:
    return day.isoformat()


def write_xml(root: ET.Element, path: Path) -> None:
    """UTF-8 with an XML declaration, two-space indentation and a final newline."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', encoding="utf-8"
    )
