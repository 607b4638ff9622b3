"""The sheet cache: each sheet's loaded submission and scored row, kept for the next run.

A TA re-run after a few review edits changes no sheet: with this cache an unchanged sheet is
neither parsed nor scored again. Two kinds of entry, in `cache/sheets.json` beside the
judgement cache (:mod:`grader.judgement_cache`):

- a *load*, keyed by a digest of the grader's code, the sheet's format, its path in the folder
  and its bytes: the Submission the loader made of them (only YAML sheets and notebooks, whose
  reading depends on nothing else; LaTeX and PDF sheets are always read), as two entries: its
  *head* (the submission without its answers: all a run needs of a sheet whose row it takes
  from the cache, a tenth of the decoding) and the whole submission;
- a *row*, keyed by a digest of the load key, the whole rubric, the grader's and the solver's
  source, the student's variant and the other files carrying the same student id: the sheet's
  automatic row (before TA scores, which are applied to every row afterwards, so changing a TA
  score re-scores nothing), with the judgement-cache keys of the checks it used, so the next
  judgement cache keeps them;
- a *rendered* row, keyed by a digest of the grader's code, the writer's context (the
  assignment, the row's feedback file) and the final row's whole content (after TA scores,
  late penalties, the roster...): its four gradebook pieces (:mod:`grader.gradebook.rendered`),
  copied by the next run's writer when the row is the same.

Everything across sheets (duplicates, late penalties, the roster, copy signals, steps) is
worked out again on every run from the cached submissions. A row whose check failed for want of
time or memory, or raised, is not kept (the next run tries again).

The cache is never trusted blindly. It is plain JSON (never pickle: it holds student text) with
its own small codec for the model's frozen dataclasses and enums (anything else is not stored);
an entry is stored only when it reads back equal, so a cached run writes the same bytes as a
cold one; a file that is not valid JSON, not ours or of another version is ignored with a
warning. `grade --no-cache` neither reads nor writes it. The next file holds exactly the entries
this run used.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from grader.model import (
    CheckResult,
    FrozenDict,
    GradedSubmission,
    Location,
    Message,
    Method,
    Outcome,
    PartScore,
    RawAnswer,
    Reason,
    Severity,
    Status,
    Submission,
)
from grader.rubric.spec import Rubric

CACHE_FILE = "cache/sheets.json"
FORMAT = "grader-sheet-cache"
VERSION = 4  # 2: entries deflated; 3: rendered rows; 4: a load's head beside it
MAX_CACHE_BYTES = 1 << 30  # a cache larger than this is not read (it would be foreign)
MAX_ENTRY_BYTES = 16 << 20  # an entry inflating to more than this is not ours
CACHED_FORMATS = frozenset({"yaml", "ipynb"})  # read from their own bytes alone

_CLASSES: Mapping[str, type] = {
    cls.__name__: cls
    for cls in (Location, Message, RawAnswer, Submission, PartScore, GradedSubmission)
}
_ENUMS: Mapping[str, type[Enum]] = {
    cls.__name__: cls for cls in (Outcome, Status, Severity, Method, Reason)
}
_FIELDS: Mapping[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in _CLASSES.values()
}
_ENUM_TYPES = frozenset(_ENUMS.values())
_SCALARS = frozenset({str, int, float, bool, type(None)})  # read back as they are
_MEMBERS: Mapping[tuple[str, Any], Enum] = MappingProxyType(
    {(cls.__name__, member.value): member for cls in _ENUMS.values() for member in cls}
)  # an enum member by (class, value), without the cost of calling the class
# Classes whose instances must go through __init__ (none of the model's today).
_INITIALISED = frozenset(
    cls for cls in _CLASSES.values()
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__")
    or not dataclasses.is_dataclass(cls)
)  # fmt: skip
# Whether an entry whose value reads back equal also encodes again to the same text, so that
# storable() need not encode it twice. It does when no class is built through its __init__
# (which may normalise what it is given), every enum value is a plain str and the dataclasses'
# == compares every field. Then, for `back`, read from the text of `value`:
# - at every place back holds a value of the same type as value's: to_data tags tuples, lists,
#   dicts, read-only mappings, enums and dataclasses, refuses subclasses of the scalars, and
#   JSON keeps str, int, float, bool and None apart ("1" is read as an int, "1.0" as a float);
# - back == value compares every place (element-wise, every field, dict keys as sets; equal
#   members of one enum are one member), so each scalar of back equals value's and has its
#   type (a str is never an enum member there, nor 1 a True): equal str,
#   int, bool or None of one type have one JSON text; equal floats do too but for 0.0 and
#   -0.0, and a float is written as its repr, which reads back as the very float (-0.0
#   included); a dict's keys come back in the text's order, which was value's;
# - so to_data(back) is to_data(value), and its text is the same text.
# What does not read back as written fails back == value, which is kept: two lone surrogates
# of a pair are read back as one character, duplicate keys of a text keep one value.
_EXACT = (
    not _INITIALISED
    and all(type(member.value) is str for cls in _ENUMS.values() for member in cls)
    and all(
        cls.__dataclass_params__.eq and all(f.compare for f in fields(cls))  # type: ignore[attr-defined]
        for cls in _CLASSES.values()
    )
)
_INF = float("inf")
# A check that ran out of time or memory, or raised: another run may decide it.
_TRANSIENT = frozenset({Reason.TIMEOUT, Reason.TOO_LARGE, Reason.TOO_DEEP, Reason.UNDECIDED})


class _NotStorable(Exception):
    """A value the codec does not store (the entry is then left out)."""


# ----- the codec ---------------------------------------------------------------------------------


def to_data(value: Any, *, mappings_alike: bool = False) -> Any:
    """`value` as JSON data, every type tagged so it reads back as it was (_NotStorable for a
    value of any other type than the model's dataclasses, enums, tuples, lists, dicts, str,
    int, float, bool and None): a tuple is a JSON array, a list ``{"l": [...]}``, a read-only
    mapping ``{"f": {...}}``, a dict ``{"d": {...}}``, an enum ``{"e": [class, value]}`` and a
    dataclass ``{"c": [class, field values in order...]}``. With `mappings_alike` a read-only
    mapping is tagged as a dict (the row's name for its rendered pieces: a FrozenDict is a dict
    to every writer, and a judgement read back holds the one where a fresh one holds the other)."""
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool:
        return value
    alike = mappings_alike
    if kind is tuple:
        return [to_data(v, mappings_alike=alike) for v in value]
    if kind is float:
        if value != value or value in (_INF, -_INF):
            raise _NotStorable("not a finite number")
        return value
    fields_of = _FIELDS.get(kind)
    if fields_of is not None:
        data = [to_data(getattr(value, n), mappings_alike=alike) for n in fields_of]
        return {"c": [kind.__name__, *data]}
    if kind in _ENUM_TYPES:
        return {"e": [kind.__name__, value.value]}
    if kind is FrozenDict or kind is dict:
        if any(type(k) is not str for k in value):
            raise _NotStorable("a mapping key that is not text")
        tag = "f" if kind is FrozenDict and not alike else "d"
        return {tag: {k: to_data(v, mappings_alike=alike) for k, v in value.items()}}
    if kind is list:
        return {"l": [to_data(v, mappings_alike=alike) for v in value]}
    raise _NotStorable(f"a {kind.__name__}")


def from_data(data: Any) -> Any:
    """The value :func:`to_data` encoded (KeyError, TypeError or ValueError when it is not)."""
    kind = type(data)
    if kind is list:
        return tuple([v if type(v) in _SCALARS else from_data(v) for v in data])
    if kind is not dict:
        return data
    ((tag, body),) = data.items()
    if tag == "c":
        cls = _CLASSES[body[0]]
        names = _FIELDS[cls]
        if type(body) is not list or len(body) != len(names) + 1:
            raise ValueError(f"the fields of a {body[0]}")
        return _build(cls, names, [v if type(v) in _SCALARS else from_data(v) for v in body[1:]])
    if tag == "e":
        member = _MEMBERS.get((body[0], body[1]))
        return member if member is not None else _ENUMS[body[0]](body[1])
    if tag == "f":
        return FrozenDict({str(k): from_data(v) for k, v in body.items()})
    if tag == "d":
        return {str(k): from_data(v) for k, v in body.items()}
    if tag == "l":
        return [from_data(v) for v in body]
    raise ValueError(f"unknown tag {tag!r}")


def _build(cls: type, names: tuple[str, ...], values: list[Any]) -> Any:
    """`cls(*values)`, for a dataclass of the model without a __post_init__ built as its
    __init__ would (its fields set in order), without the cost of a frozen dataclass's
    __init__ setting each field through object.__setattr__ (most of reading a class's cache)."""
    if cls in _INITIALISED:
        return cls(*values)
    value: Any = object.__new__(cls)
    value.__dict__.update(zip(names, values, strict=True))
    return value


def _text(data: Any) -> str:
    # ASCII escapes: a lone surrogate in a file name survives the round trip.
    return json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def storable(value: Submission | GradedSubmission) -> str | None:
    """The entry of `value` if it reads back equal (and so writes the same bytes), else None:
    its JSON text, deflated and in base64 (a string each, not a tree of small objects, and a
    fifth of the text: the entries of a 10,000-sheet class are held until the set is written),
    read back when looked up.

    The entry is read back and compared with `value`; it is encoded a second time from what
    was read back (and refused unless that gives the same text) only when the codec is not
    exact (:data:`_EXACT`): when it is, the second text is the first (see the argument there),
    and encoding it was a third of this function's cost (tests compare this with the double
    check on generated values)."""
    try:
        text = _text(to_data(value))
        if len(text) > MAX_ENTRY_BYTES:  # it would not be read back (see _inflate)
            return None
        back = from_data(json.loads(text))
        if back != value or (not _EXACT and _text(to_data(back)) != text):
            return None
    except (_NotStorable, TypeError, ValueError, KeyError, RecursionError):
        return None
    return base64.b64encode(zlib.compress(text.encode("ascii"), 6)).decode("ascii")


def storable_load(submission: Submission) -> list[str] | None:
    """A load's entries, the head and the whole (see the module docstring), each as
    :func:`storable` gives it; None when either would not read back equal."""
    whole = storable(submission)
    head = storable(head_of(submission)) if whole is not None else None
    return [head, whole] if head is not None and whole is not None else None


def submission_of(entry: object) -> Submission | None:
    """The submission an entry of :func:`storable` holds (None when it does not decode to
    one)."""
    try:
        value = _read(entry)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, Submission) else None


def head_of(submission: Submission) -> Submission:
    """`submission` without its answers (everything else as it is)."""
    return dataclasses.replace(submission, answers=FrozenDict())


def _read(entry: object) -> Any:
    """The value of an entry (ValueError or TypeError for one that is not ours); the inflated
    text is bounded, so a hostile entry cannot blow up in memory."""
    return from_data(json.loads(_inflate(entry).decode("ascii")))


def _inflate(entry: object) -> bytes:
    """The JSON text of an entry, inflated (bounded) and checked by zlib's checksum."""
    if not isinstance(entry, str):
        raise TypeError("an entry that is not text")
    try:
        packed = base64.b64decode(entry.encode("ascii"), validate=True)
        inflate = zlib.decompressobj()
        raw = inflate.decompress(packed, MAX_ENTRY_BYTES)
    except (binascii.Error, zlib.error, UnicodeEncodeError) as exc:
        raise ValueError("an entry that is not deflated base64") from exc
    if inflate.unconsumed_tail or not inflate.eof:
        raise ValueError("an entry that is too large or cut short")
    return raw


# ----- keys --------------------------------------------------------------------------------------


def _digest(*pieces: str | bytes) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        raw = piece if isinstance(piece, bytes) else piece.encode("utf-8", "surrogatepass")
        h.update(len(raw).to_bytes(8, "big") + raw)
    return h.hexdigest()


def load_key(code: str, fmt: str, source: str, data: bytes) -> str | None:
    """The key of a sheet's load (None for a format whose reading looks at other files)."""
    if fmt not in CACHED_FORMATS:
        return None
    return _digest(FORMAT, str(VERSION), "load", code, fmt, source, data)


def rubric_print(rubric: Rubric, code: str, solver: str) -> str:
    """What every row depends on beyond its sheet: the whole rubric (but the path it was read
    from, which changes with the working directory and is in no row), the grader, the solver."""
    settings = repr(dataclasses.replace(rubric, path=""))
    return _digest(FORMAT, str(VERSION), "rubric", code, solver, settings)


def row_key(rubric: str, load: str, variant: str, same_id: Sequence[str]) -> str:
    """The key of a sheet's automatic row."""
    return _digest(FORMAT, str(VERSION), "row", rubric, load, variant, *sorted(same_id))


def transient(result: CheckResult) -> bool:
    """True for the result of a check that did not finish (another run may decide it)."""
    return (
        result.outcome is Outcome.NEEDS_REVIEW
        and result.method is Method.NONE
        and bool(result.reasons)
        and set(result.reasons) <= _TRANSIENT
    )


def keepable(row: GradedSubmission, submission: Submission) -> bool:
    """Whether a scored row may be kept: no part raised, and a readable sheet's row has its
    parts (a sheet whose scoring failed gets an empty row, which is not kept)."""
    if submission.readable and not row.parts:
        return False
    return all(part.outcome is not Outcome.INTERNAL_ERROR for part in row.parts)


# ----- the file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A cached row: the automatic row and the judgement-cache keys it used."""

    row: GradedSubmission
    jobs: tuple[tuple[str, str], ...]


def _warning(path: Path, why: str) -> Message:
    return Message(
        Severity.WARNING,
        f"the sheet cache {why}; it was ignored (every sheet is read and scored anew)",
        Location(str(path)),
        Reason.FILE_UNREADABLE,
    )


class SheetCache:
    """One run's view of the sheet cache: the previous entries (decoded when looked up) and
    what this run used (the next file)."""

    def __init__(
        self,
        loads: Mapping[str, Any],
        rows: Mapping[str, Any],
        warnings: tuple[Message, ...] = (),
        rendered: Mapping[str, Any] | None = None,
        code: str = "",
    ) -> None:
        self._loads = loads
        self._rows = rows
        self._rendered = rendered or {}
        self.warnings = warnings
        self.code = code  # the grader's code digest: rendered rows are keyed by it too
        self._next_loads: dict[str, Any] = {}
        self._next_rows: dict[str, Any] = {}
        self._next_rendered: dict[str, Any] = {}
        # Rows this run took from (or gave to) the cache, by id, with their entry: such a row,
        # while it is the very same object, is named by its entry without being encoded again.
        self._origins: dict[int, tuple[GradedSubmission, str]] = {}
        self.hits = 0

    @classmethod
    def open(cls, path: Path, code: str = "") -> SheetCache:
        """The cache at `path`; an empty one (and a warning) for a corrupt or foreign file.
        `code`: the grader's code digest (rendered rows are keyed by it)."""

        def empty(why: str | None = None) -> SheetCache:
            return cls({}, {}, (_warning(path, why),) if why else (), code=code)

        try:
            if not path.is_file():
                return empty()
            if path.stat().st_size > MAX_CACHE_BYTES:
                return empty("is too large to be ours")
            document = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return empty("is not valid JSON")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return empty("is not a grader sheet cache")
        if document.get("version") != VERSION:
            return empty(f"has version {document.get('version')!r}")
        loads, rows = document.get("loads"), document.get("rows")
        rendered = document.get("rendered")
        if not (isinstance(loads, dict) and isinstance(rows, dict) and isinstance(rendered, dict)):
            return empty("holds entries that are not sheets")
        return cls(loads, rows, rendered=rendered, code=code)

    @property
    def holds_loads(self) -> bool:
        """Whether the previous run left any sheet here (a first run into a fresh --out, or
        after a warning, has none: nothing is worth looking up)."""
        return bool(self._loads)

    def submission(self, key: str | None) -> Submission | None:
        """The cached load of `key`, whole (None when there is none or it does not decode)."""
        return self._load(key, 1)

    def head(self, key: str | None) -> Submission | None:
        """The head of the cached load of `key` (see :func:`head_of`), when it decodes and its
        whole entry inflates (passes zlib's checksum); None otherwise. The whole is decoded
        only when the answers are wanted (:meth:`submission`)."""
        head = self._load(key, 0)
        if key is None or head is None or head.answers:
            return None
        try:
            _inflate(self._loads[key][1])
        except (TypeError, ValueError):
            return None
        return head

    def _load(self, key: str | None, which: int) -> Submission | None:
        entry = self._loads.get(key) if key is not None else None
        if type(entry) is not list or len(entry) != 2:
            return None
        return submission_of(entry[which])

    def whole_entry(self, key: str) -> str | None:
        """The entry of the whole cached load of `key` (:meth:`submission` decodes it), or None."""
        entry = self._loads.get(key)
        if type(entry) is not list or len(entry) != 2 or not isinstance(entry[1], str):
            return None
        return entry[1]

    def forget_load(self, key: str) -> None:
        """Drop a previous load whose head decoded but whose whole did not (forged: a zlib
        checksum passed): the sheet is read anew."""
        self._loads = {k: v for k, v in self._loads.items() if k != key}

    def row(self, key: str) -> Row | None:
        """The cached row of `key` (None when there is none or it does not decode)."""
        entry = self._rows.get(key)
        if not isinstance(entry, dict):
            return None
        try:
            value = _read(entry["row"])
            jobs = tuple((str(fp), str(job)) for fp, job in entry["jobs"])
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
            return None
        if not isinstance(value, GradedSubmission):
            return None
        self.origin(value, entry["row"])
        return Row(value, jobs)

    def origin(self, row: GradedSubmission, text: str) -> None:
        """Note that `row` reads back from the entry `text` (so it need not be encoded again
        to be named, while it is the very same object)."""
        self._origins[id(row)] = (row, text)

    # ----- rendered rows (grader.gradebook.rendered) --------------------------------------------

    def render_key(self, row: GradedSubmission, context: str) -> str | None:
        """The key of `row`'s rendered pieces in `context` (the writer's: the assignment, the
        feedback file...): a digest of the grader's code, the context and the row's whole
        content as this cache encodes it (None: a row the codec does not store)."""
        origin = self._origins.get(id(row))
        if origin is not None and origin[0] is row:
            content = "entry\0" + origin[1]  # the deflated text it was read from: the same row
        else:
            try:
                content = "row\0" + _text(to_data(row, mappings_alike=True))
            except (_NotStorable, TypeError, ValueError, RecursionError):
                return None
        return _digest(FORMAT, str(VERSION), "rendered", self.code, context, content)

    def rendered(self, key: str) -> object | None:
        """The previous run's rendered entry of `key` (checked by the writer), or None."""
        return self._rendered.get(key)

    def keep_rendered(self, key: str, entry: list[str]) -> None:
        """Keep a rendered entry for the next run."""
        self._next_rendered[key] = entry

    def keep_load(self, key: str, entries: list[str]) -> None:
        """Keep a load (the entries from :func:`storable_load`) for the next run."""
        self._next_loads[key] = entries

    def keep_row(self, key: str, text: str, jobs: Iterable[tuple[str, str]]) -> None:
        """Keep a row (JSON text from :func:`storable`) and the judgements it used."""
        self._next_rows[key] = {"row": text, "jobs": sorted(set(jobs))}

    def reuse_load(self, key: str) -> None:
        """Carry a previous load over to the next file."""
        self._next_loads[key] = self._loads[key]

    def reuse_row(self, key: str) -> None:
        """Carry a previous row over to the next file."""
        self.hits += 1
        self._next_rows[key] = self._rows[key]

    def chunks(self) -> Iterator[bytes]:
        """The next cache file in pieces, an entry at a time (never the whole document at
        once): one JSON object, keys sorted, so equal runs give equal bytes."""

        def encoded(value: Any) -> str:
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

        yield f'{{"format":{encoded(FORMAT)},"loads":{{'.encode()
        for index, key in enumerate(sorted(self._next_loads)):
            comma = "," if index else ""
            yield f"{comma}{encoded(key)}:{encoded(self._next_loads[key])}".encode()
        yield b'},"rendered":{'
        for index, key in enumerate(sorted(self._next_rendered)):
            comma = "," if index else ""
            yield f"{comma}{encoded(key)}:{encoded(self._next_rendered[key])}".encode()
        yield b'},"rows":{'
        for index, key in enumerate(sorted(self._next_rows)):
            comma = "," if index else ""
            yield f"{comma}{encoded(key)}:{encoded(self._next_rows[key])}".encode()
        yield f'}},"version":{VERSION}}}\n'.encode()

    def content(self) -> bytes:
        """The next cache file (:meth:`chunks` joined)."""
        return b"".join(self.chunks())
