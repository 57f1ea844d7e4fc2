"""XML with line numbers: the only module of longwing.jsbsim that opens files.

Every element read here is a ``LineElement`` (an ElementTree element) carrying ``source``
(the file) and ``line`` (where its start tag is), so later errors can name both. Files are
resolved as JSBSim resolves them (``name`` or ``name.xml`` in the folders it searches).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from longwing.jsbsim.errors import JSBSimModelError, error_at


class LineElement(ET.Element):
    """An element that knows its file and line."""

    source: str = ""
    line: int = 0


def parse_xml(path: str | Path) -> LineElement:
    """The root element of an XML file, every element with its source and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JSBSimModelError(f"cannot read the file ({exc.strerror})", str(path)) from None
    parser = expat.ParserCreate()
    stack: list[LineElement] = []
    root: list[LineElement] = []
    last: list[LineElement | None] = [None]  # the element whose tail collects text

    def start(tag: str, attrs: dict[str, str]) -> None:
        el = LineElement(tag, attrs)
        el.source = str(path)
        el.line = parser.CurrentLineNumber
        el.text = ""
        el.tail = ""
        if stack:
            stack[-1].append(el)
        else:
            root.append(el)
        stack.append(el)
        last[0] = None

    def end(tag: str) -> None:
        last[0] = stack.pop()

    def chars(text: str) -> None:
        if last[0] is not None:
            last[0].tail = (last[0].tail or "") + text
        elif stack:
            stack[-1].text = (stack[-1].text or "") + text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise JSBSimModelError(
            f"not well-formed XML ({expat.errors.messages[exc.code]})", str(path), exc.lineno
        ) from None
    return root[0]


def resolve_file(name: str, folders: list[Path], element: LineElement) -> Path:
    """The file JSBSim reads for a ``file=`` reference: the first folder holding ``name``
    (with ``.xml`` added unless it ends so)."""
    fname = name if name.endswith(".xml") else name + ".xml"
    for folder in folders:
        candidate = folder / fname
        if candidate.is_file():
            return candidate
    where = ", ".join(str(f) for f in folders)
    raise error_at(element, f"file '{name}' not found (looked in {where})")


def number(element: LineElement) -> float:
    """The element's text as a number (JSBSim's GetDataAsNumber)."""
    text = (element.text or "").strip()
    try:
        return float(text)
    except ValueError:
        raise error_at(element, f"<{element.tag}> holds '{text}', not a number") from None


def data_line(element: LineElement) -> str:
    """The element's text stripped (a property name)."""
    return (element.text or "").strip()
