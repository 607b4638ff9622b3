"""A notebook file's cells, from its JSON, for every notebook format a student may hand in.

Read by our own code from the parsed JSON (no nbformat, no schema library): format 4 (4.0 to
4.5: `cells` at the top) and formats 2 and 3 (`worksheets[].cells`, code in `input`, heading
cells), a notebook that does not say its format, `metadata` missing or null, cells with odd
fields. Everything that deviates from the Jupyter format but leaves the answers plain is read,
and said in ONE warning listing what was odd (with cell numbers); only a file that is not a
notebook at all (not UTF-8, not JSON, not an object, no cells, an unknown format version) is
refused, in ONE located error.

Bounded before anything large is built: the file size, the number of JSON objects and arrays
(counted on the text, strings excluded, before parsing: 16 MiB of ``{}`` would otherwise cost
gigabytes of dicts), the number of cells and of tags per cell. Lone UTF-16 surrogates (``"\\ud800"``
in the JSON: text no program can write out) are replaced by U+FFFD, and said.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.loaders.encoding import TextProblem, decode_text
from grader.model import Location, Message, Reason, Severity

MAX_NOTEBOOK_BYTES = 16 << 20  # notebooks carry outputs (plots), so more than a sheet
MAX_JSON_CONTAINERS = 200_000  # objects and arrays; a 1000-cell notebook has ~10 000
MAX_CELLS = 10_000
MAX_TAGS_PER_CELL = 64
MAX_LISTED = 5  # odd things named in the one warning
KNOWN_VERSIONS = (2, 3, 4)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CELL_KEYS = frozenset(
    {"id", "cell_type", "metadata", "source", "attachments", "outputs", "execution_count",
     "input", "prompt_number", "language", "collapsed", "level"}
)  # fmt: skip
_CELL_TYPES = frozenset({"code", "markdown", "raw", "heading"})


class NotebookError(Exception):
    """Why a file is not a notebook at all (one located message)."""

    def __init__(self, reason: Reason, message: str, where: Location) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Cell:
    """One cell: 1-based index, type (markdown for v3 headings), text, distinct trimmed tags."""

    index: int
    cell_type: str
    text: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class NotebookDoc:
    """The cells of a notebook, its top-level metadata (None when absent) and the one warning
    about what was odd (if anything)."""

    cells: tuple[Cell, ...]
    metadata: Mapping[str, object] | None
    messages: tuple[Message, ...] = ()


@dataclass
class _Oddities:
    """What deviated from the Jupyter format, collected for the one warning."""

    source: str
    items: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.items) < MAX_LISTED:
            self.items.append(text)

    def message(self) -> tuple[Message, ...]:
        if not self.count:
            return ()
        more = f" and {self.count - len(self.items)} more" if self.count > len(self.items) else ""
        text = (
            "the notebook does not match the Jupyter format ("
            + "; ".join(self.items)
            + more
            + "): what could be read was read"
        )
        return (Message(Severity.WARNING, text, Location(self.source), Reason.NOTEBOOK_FORMAT),)


def _refuse(source: str, why: str, reason: Reason = Reason.NOTEBOOK_FORMAT) -> NotebookError:
    return NotebookError(reason, why, Location(source))


def _text(data: bytes, source: str) -> str:
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise _refuse(
            source,
            f"the notebook is larger than the limit of {MAX_NOTEBOOK_BYTES} bytes",
            Reason.FILE_TOO_LARGE,
        )
    try:
        return decode_text(data, "the notebook")
    except TextProblem as exc:
        where = Location(source, line=exc.line, column=exc.column)
        raise NotebookError(Reason.FILE_UNREADABLE, exc.message, where) from None


def _parse(text: str, source: str) -> object:
    containers = sum(_STRING.sub("", text).count(c) for c in "{[")
    if containers > MAX_JSON_CONTAINERS:
        raise _refuse(
            source,
            f"the notebook holds {containers} JSON objects and arrays, more than the limit of "
            f"{MAX_JSON_CONTAINERS}",
            Reason.FILE_TOO_LARGE,
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = Location(source, line=exc.lineno, column=exc.colno)
        raise NotebookError(
            Reason.NOTEBOOK_FORMAT, f"broken JSON: {exc.msg} (the notebook cannot be read)", where
        ) from None
    except (RecursionError, ValueError):
        raise _refuse(source, "the JSON is nested too deeply or too large") from None


def _repair(text: str, odd: _Oddities, where: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD (each one said)."""
    if not _SURROGATE.search(text):
        return text
    for match in _SURROGATE.finditer(text):
        head = text[: match.start()]
        line, column = head.count("\n") + 1, match.start() - (head.rfind("\n") + 1) + 1
        odd.add(
            f"{where}, line {line}, column {column}: the invalid character \\u"
            f"{ord(match.group()):04x} (half of a UTF-16 pair) was replaced by U+FFFD"
        )
    return _SURROGATE.sub("\ufffd", text)


def _source_text(value: object, odd: _Oddities, where: str) -> str:
    if isinstance(value, str):
        return _repair(value, odd, where)
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            odd.add(f"{where}: its text holds items that are not text (ignored)")
        return _repair("".join(item for item in value if isinstance(item, str)), odd, where)
    if value is not None:
        odd.add(f"{where}: its text is not text (ignored)")
    return ""


def _tags(metadata: object, odd: _Oddities, where: str) -> tuple[str, ...]:
    if metadata is None:
        return ()
    if not isinstance(metadata, Mapping):
        odd.add(f"{where}: its metadata is not an object")
        return ()
    raw = metadata.get("tags")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
        odd.add(f"{where}: its tags are not a list of texts (the texts among them were read)")
        raw = raw if isinstance(raw, list) else []
    tags = list(dict.fromkeys(_repair(t.strip(), odd, where) for t in raw if isinstance(t, str)))
    if len(tags) > MAX_TAGS_PER_CELL:
        odd.add(f"{where}: {len(tags)} tags, only the first {MAX_TAGS_PER_CELL} were read")
        tags = tags[:MAX_TAGS_PER_CELL]
    return tuple(tags)


def _cell(raw: object, index: int, version: int, odd: _Oddities) -> Cell | None:
    where = f"cell {index}"
    if not isinstance(raw, Mapping):
        odd.add(f"{where} is not a notebook cell (ignored)")
        return None
    cell_type = raw.get("cell_type")
    if not isinstance(cell_type, str) or cell_type not in _CELL_TYPES:
        odd.add(f"{where}: unknown cell type {str(cell_type)[:30]!r}")
        cell_type = cell_type if isinstance(cell_type, str) else ""
    unknown = sorted(str(key)[:30] for key in raw if key not in _CELL_KEYS)
    if unknown:
        odd.add(f"{where}: unexpected field {unknown[0]!r}")
    key = "input" if version < 4 and cell_type == "code" else "source"
    text = _source_text(raw.get(key), odd, where)
    kind = "markdown" if cell_type == "heading" else cell_type
    return Cell(index, kind, text, _tags(raw.get("metadata"), odd, where))


def _version(document: Mapping[str, object], source: str, odd: _Oddities) -> int:
    version = document.get("nbformat")
    if isinstance(version, bool) or not isinstance(version, int):
        if isinstance(document.get("cells"), list):
            guess = 4
        elif isinstance(document.get("worksheets"), list):
            guess = 3
        else:
            raise _refuse(source, "not a Jupyter notebook (no format version and no cells)")
        odd.add(f"no format version (nbformat); read as format {guess}")
        return guess
    if version not in KNOWN_VERSIONS:
        raise _refuse(
            source, f"notebook format {version} is not one grade reads (formats 2, 3 and 4)"
        )
    return version


def _raw_cells(document: Mapping[str, object], version: int, source: str) -> list[object]:
    if version >= 4:
        cells = document.get("cells")
        if isinstance(cells, list):
            return cells
        raise _refuse(source, "the notebook has no list of cells")
    worksheets = document.get("worksheets")
    if not isinstance(worksheets, list):
        raise _refuse(source, "the notebook has no list of worksheets (format 3)")
    found: list[object] = []
    for sheet in worksheets:
        cells = sheet.get("cells") if isinstance(sheet, Mapping) else None
        found.extend(cells if isinstance(cells, list) else [])
    return found


def read_cells(data: bytes, source: str) -> NotebookDoc:
    """The cells of a notebook file; NotebookError when it is not a notebook at all."""
    document = _parse(_text(data, source), source)
    if not isinstance(document, Mapping):
        kind = "a list" if isinstance(document, list) else "a single value"
        raise _refuse(source, f"not a Jupyter notebook (the JSON is {kind}, not an object)")
    odd = _Oddities(source)
    version = _version(document, source, odd)
    raw_cells = _raw_cells(document, version, source)
    if len(raw_cells) > MAX_CELLS:
        odd.add(f"{len(raw_cells)} cells, only the first {MAX_CELLS} were read")
    cells = [_cell(raw, i, version, odd) for i, raw in enumerate(raw_cells[:MAX_CELLS], 1)]
    metadata = document.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        odd.add("the notebook's metadata is not an object")
        metadata = None
    elif metadata is None:
        odd.add("no notebook metadata")
    return NotebookDoc(tuple(c for c in cells if c is not None), metadata, odd.message())
