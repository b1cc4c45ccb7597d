"""Safe, namespace-tolerant XML reading for the EDEXML, UWLR and OSO importers.

Elements are matched on their local name only: the same element set arrives with no
namespace (EDEXML), with a prefix (UWLR) or with one of several OSO namespaces.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import lru_cache
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml
import defusedxml.ElementTree as safe_et

from koers.lib.records import ImportRejected
from koers.lib.values import clean, is_bsn_field, is_missing

# expat raises LookupError for an unknown declared encoding and UnicodeDecodeError
# (a ValueError) when the bytes do not fit the declared one.
_XML_ERRORS = (ParseError, LookupError, ValueError, defusedxml.DefusedXmlException)

# How many start tags detection may read before giving up looking for a known root,
# and how much of the file it reads: a short head first, since parsing the head
# costs more than anything else in recognising a small file.
SNIFF_ELEMENTS = 8
SNIFF_HEADS = (2 * 1024, 16 * 1024)


def local_name(tag: object) -> str:
    return _local_name(tag) if isinstance(tag, str) else ""


@lru_cache(maxsize=1024)
def _local_name(tag: str) -> str:
    # A document uses a few dozen distinct tags, each read thousands of times.
    return tag.rsplit("}", 1)[-1]


def _is_named(tag: object, name: str, suffix: str) -> bool:
    # The local name matches when the tag is the bare name or ends in `}name`;
    # comments and processing instructions have a function as their tag.
    return tag == name or (isinstance(tag, str) and tag.endswith(suffix))


def children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    suffix = "}" + name
    return [item for item in element if _is_named(item.tag, name, suffix)]


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    suffix = "}" + name
    for item in element:
        if _is_named(item.tag, name, suffix):
            return item
    return None


def text(element: Element | None, name: str) -> str:
    """The cleaned text of the first child called `name`, or `` when absent."""
    found = child(element, name)
    return clean(found.text) if found is not None else ""


def child_elements(element: Element | None) -> dict[str, Element]:
    """The children by local name, the first of each name; for reading several
    children of one element without a scan per name."""
    found: dict[str, Element] = {}
    if element is None:
        return found
    for item in element:
        if isinstance(item.tag, str):
            found.setdefault(_local_name(item.tag), item)
    return found


def child_texts(element: Element | None) -> dict[str, str]:
    """The cleaned text of the children by local name, the first of each name."""
    found: dict[str, str] = {}
    if element is None:
        return found
    for item in element:
        if isinstance(item.tag, str):
            name = _local_name(item.tag)
            if name not in found:
                found[name] = clean(item.text)
    return found


def descendants(element: Element, name: str) -> Iterator[Element]:
    return (item for item in element.iter() if local_name(item.tag) == name)


def count_bsn_values(root: Element) -> int:
    """How many BSN-like elements carry a value (they are never copied to a record)."""
    # A document has a few dozen distinct tags: look at those, and at the
    # elements only when one of them is a BSN.
    tags = {element.tag for element in root.iter()}
    bsn_tags = {tag for tag in tags if is_bsn_field(local_name(tag))}
    if not bsn_tags:
        return 0
    return sum(
        1
        for element in root.iter()
        if element.tag in bsn_tags and not is_missing(element.text)
    )


def indexed(parent_path: str, name: str, index: int) -> str:
    """An element path for messages, 1-based like XPath: `toetslijst/toets[3]`."""
    step = f"{name}[{index}]"
    return f"{parent_path}/{step}" if parent_path else step


def parse(file_name: str, data: bytes) -> Element:
    """Parse the whole document. DTDs are refused outright, which also stops
    entity-expansion bombs.

    The document is parsed in one call rather than streamed: a stream costs a
    Python step per element, which on a folder of dossiers is most of the import.
    Attachments (base64 in an OSO dossier) stay in memory until the file is
    read, which the upload limit bounds.
    """
    try:
        root = _DefusedTree().feed_all(data)
    except _XML_ERRORS as error:
        raise ImportRejected(file_name, _describe(error)) from error
    return root


class _DefusedTree:
    """defusedxml's parser, building ElementTree's C elements.

    defusedxml guards expat with its handlers for DTDs and entity declarations;
    those stay as they are. Its base class, the pure-Python `XMLParser`, also
    routes every start and end tag through a Python method that only renames
    the tag before calling the tree builder. Here expat calls the C tree builder
    directly, which halves the parse of a folder of OSO dossiers. The tags then
    read `namespace}name` instead of `{namespace}name`; Koers matches elements on
    their local name only (`local_name`), which is the same in both.
    """

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.parser = safe_et.XMLParser(target=self.builder, forbid_dtd=True)
        expat = self.parser.parser
        expat.ordered_attributes = False
        expat.StartElementHandler = self.builder.start
        expat.EndElementHandler = self.builder.end

    def feed_all(self, data: bytes) -> Element:
        self.parser.feed(data)
        root: Element = self.parser.close()
        return root


def first_element_names(data: bytes) -> list[str]:
    """Local names of the first start tags, for format detection; [] when unreadable."""
    names: list[str] = []
    for size in SNIFF_HEADS:
        names = _start_names(data[:size])
        if len(names) >= SNIFF_ELEMENTS or size >= len(data):
            break
    return names


def _start_names(head: bytes) -> list[str]:
    # A head cut off mid-document only ends the list early.
    names: list[str] = []
    try:
        events = safe_et.iterparse(io.BytesIO(head), events=("start",), forbid_dtd=True)
        for _, element in events:
            names.append(local_name(element.tag))
            if len(names) >= SNIFF_ELEMENTS:
                break
    except _XML_ERRORS:
        pass
    return names


def _describe(error: Exception) -> str:
    if isinstance(error, defusedxml.DefusedXmlException):
        return (
            "het XML-bestand bevat een DTD of entiteiten; "
            "die worden om veiligheidsredenen niet gelezen"
        )
    if isinstance(error, LookupError):
        return "het XML-bestand noemt een onbekende tekenset (encoding)"
    position = getattr(error, "position", None)
    where = f" (regel {position[0]}, kolom {position[1]})" if position else ""
    return f"het XML-bestand is niet goed gevormd{where}"
