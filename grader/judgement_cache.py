"""The judgement cache: decided answer checks kept in the gradebook folder for the next run.

A re-run after a few TA edits or late submissions decides only what changed. Each entry is the
CheckResult of one distinct job (a symbolic judgement, a free-text match), keyed by

- the question's fingerprint: a digest of the grader's own code, the scheme by which symbolic
  judgements draw their random instances (`INSTANCE_SCHEME`), the solver package's source,
  the rubric-wide settings (data, contexts, tolerances, rounding, variants) and that question's
  spec. A changed rubric question or solver invalidates exactly the judgements it can change
  (another question's stay valid; a change to the grader or the solver invalidates all);
- the job itself: its variant (when the question depends on the student's numbers), part and
  payload (the answer as the checker normalised it for the job).

The cache is never trusted blindly. It is plain JSON (never pickle: it holds student text); a
file that is not valid JSON, is not ours, or has another format version is ignored with a
warning; an entry is stored only when it reads back equal to the result it records, so a
cached run writes the same bytes as a cold one. `grade --no-cache` neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.checkers.prepare import PreparedRubric
from grader.checkers.symbolic import INSTANCE_SCHEME
from grader.checkers.variants import VariantJob
from grader.model import (
    CheckResult,
    FrozenDict,
    Location,
    Message,
    Method,
    Outcome,
    Reason,
    Severity,
)
from grader.rubric.solvers import solver_folder
from grader.rubric.spec import Rubric

CACHE_FILE = "cache/judgements.json"
FORMAT = "grader-judgement-cache"
VERSION = 1
MAX_CACHE_BYTES = 256 << 20  # a cache larger than this is not read (it would be foreign)


@dataclass(frozen=True)
class Loaded:
    """The entries of a previous run (fingerprint -> job key -> the result as JSON data, read
    back when looked up) and any warning."""

    entries: Mapping[str, Mapping[str, Mapping[str, Any]]]
    warnings: tuple[Message, ...] = ()


def _digest_files(paths: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def code_digest() -> str:
    """A digest of the grader's own source (a new version of the engine decides anew)."""
    root = Path(__file__).resolve().parent
    files = [p for p in root.rglob("*") if p.suffix in (".py", ".lark", ".yaml") and p.is_file()]
    return _digest_files(files, root)


def solver_digest(rubric: Rubric) -> str:
    """A digest of the source of the rubric's solver package (empty without a solver), from
    its files: the solver is not imported (a re-run that scores nothing never imports it)."""
    root = solver_folder(rubric.solver, Path(rubric.path))
    if root is None:
        return ""
    return _digest_files([p for p in root.rglob("*.py") if p.is_file()], root)


def fingerprints(prepared: PreparedRubric, code: str, solver: str) -> dict[str, str]:
    """Each question's fingerprint (see the module docstring)."""
    rubric = prepared.rubric
    shared = repr(
        (rubric.data, rubric.contexts, rubric.tolerances, rubric.rounding, rubric.variants)
    )
    out = {}
    for question in rubric.questions:
        h = hashlib.sha256()
        pieces = (FORMAT, str(VERSION), INSTANCE_SCHEME, code, solver, shared, repr(question))
        for piece in pieces:
            h.update(piece.encode("utf-8", "surrogatepass") + b"\0")
        out[question.id] = h.hexdigest()
    return out


def job_key(keyed: VariantJob) -> str | None:
    """The job as a JSON text key (None when its payload is not plain JSON data)."""
    job = keyed.job
    try:
        return json.dumps([keyed.variant, job.part, list(job.payload)], ensure_ascii=False)
    except (TypeError, ValueError):
        return None


# ----- CheckResult <-> JSON ------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _frozen(value: Any) -> Any:
    # Read back the way results hold data: sequences as tuples, mappings read-only.
    if isinstance(value, dict):
        return FrozenDict({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def encode(result: CheckResult) -> dict[str, Any]:
    """A result as JSON data."""
    return {
        "fraction": result.fraction, "outcome": result.outcome.value,
        "method": result.method.value, "reasons": [r.value for r in result.reasons],
        "feedback": list(result.feedback), "staff": list(result.staff), "parsed": result.parsed,
        "needs_review": result.needs_review, "detail": _plain(result.detail),
    }  # fmt: skip


def decode(data: Mapping[str, Any]) -> CheckResult:
    """A result from JSON data (KeyError, ValueError or TypeError when it is not one)."""
    return CheckResult(
        fraction=float(data["fraction"]),
        outcome=Outcome(data["outcome"]),
        method=Method(data["method"]),
        reasons=tuple(Reason(r) for r in data["reasons"]),
        feedback=tuple(str(f) for f in data["feedback"]),
        staff=tuple(str(s) for s in data["staff"]),
        parsed=None if data["parsed"] is None else str(data["parsed"]),
        needs_review=bool(data["needs_review"]),
        detail=_frozen(dict(data["detail"])),
    )


_FIELDS = frozenset(encode(CheckResult(0.0, Outcome.MISSING)))


def faithful(result: CheckResult) -> dict[str, Any] | None:
    """The encoding of `result` if it reads back equal (and so writes the same bytes)."""
    try:
        encoded = encode(result)
        text = json.dumps(encoded, ensure_ascii=False, allow_nan=False)
        return encoded if decode(json.loads(text)) == result else None
    except (TypeError, ValueError, KeyError):
        return None


# ----- the file --------------------------------------------------------------------------------


def _warning(path: Path, why: str) -> Message:
    return Message(
        Severity.WARNING,
        f"the judgement cache {why}; it was ignored (every answer is decided anew)",
        Location(str(path)),
        Reason.FILE_UNREADABLE,
    )


def load(path: Path) -> Loaded:
    """The previous run's entries; nothing (and a warning) for a corrupt or foreign file."""
    try:
        if not path.is_file():
            return Loaded({})
        if path.stat().st_size > MAX_CACHE_BYTES:
            return Loaded({}, (_warning(path, "is too large to be ours"),))
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return Loaded({}, (_warning(path, "is not valid JSON"),))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return Loaded({}, (_warning(path, "is not a grader judgement cache"),))
    if document.get("version") != VERSION:
        return Loaded({}, (_warning(path, f"has version {document.get('version')!r}"),))
    entries = document.get("entries")
    shaped = isinstance(entries, dict) and all(
        isinstance(jobs, dict)
        and all(isinstance(value, dict) and value.keys() == _FIELDS for value in jobs.values())
        for jobs in entries.values()
    )
    if not shaped or not isinstance(entries, dict):
        return Loaded({}, (_warning(path, "holds entries that are not results"),))
    return Loaded(entries)


def dump(entries: Mapping[str, Mapping[str, dict[str, Any]]]) -> bytes:
    """The cache file: sorted keys, so equal judgements give equal bytes."""
    document = {"format": FORMAT, "version": VERSION, "entries": entries}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode("utf-8")


class JudgementCache:
    """One run's view of the cache: the previous entries that still hold, and what this run
    decided (the next file holds exactly the judgements this run used)."""

    def __init__(self, previous: Loaded, prints: Mapping[str, str], solver: str = "") -> None:
        self.previous = previous
        self.prints = prints
        self.solver = solver  # the digest of the solver's source the fingerprints include
        self.hits = 0
        self._next: dict[str, dict[str, dict[str, Any]]] = {}

    @classmethod
    def open(cls, path: Path, prepared: PreparedRubric, code: str | None = None) -> JudgementCache:
        """The cache at `path` for the batch's rubric (`code`: :func:`code_digest`, when the
        caller has it already)."""
        solver = solver_digest(prepared.rubric)
        prints = fingerprints(prepared, code_digest() if code is None else code, solver)
        return cls(load(path), prints, solver)

    def where(self, keyed: VariantJob) -> tuple[str, str] | None:
        """The (fingerprint, key) of a job in the file (None when it cannot be kept)."""
        fingerprint = self.prints.get(keyed.job.question)
        key = job_key(keyed)
        return None if fingerprint is None or key is None else (fingerprint, key)

    def carry(self, fingerprint: str, key: str) -> None:
        """Keep a previous judgement for the next run without looking it up (a row the sheet
        cache gave used it)."""
        if key in self._next.get(fingerprint, {}):
            return  # carried for another row already (rows share their judgements)
        found = self.previous.entries.get(fingerprint, {}).get(key)
        if found is None:
            return
        try:
            decode(found)
        except (KeyError, ValueError, TypeError, AttributeError):
            return  # not a result: not carried
        self._next.setdefault(fingerprint, {})[key] = dict(found)

    def lookup(self, keyed: VariantJob) -> CheckResult | None:
        """The cached result of this job, when the previous run decided it under the same
        fingerprint."""
        where = self.where(keyed)
        if where is None:
            return None
        data = self.previous.entries.get(where[0], {}).get(where[1])
        if data is None:
            return None
        try:
            found = decode(data)
        except (KeyError, ValueError, TypeError, AttributeError):
            return None  # an entry that is not a result: decided anew
        self.hits += 1
        self.record(keyed, found)
        return found

    def record(self, keyed: VariantJob, result: CheckResult) -> None:
        """Keep this run's result for the next run (when it reads back faithfully)."""
        where = self.where(keyed)
        encoded = faithful(result) if where is not None else None
        if where is not None and encoded is not None:
            self._next.setdefault(where[0], {})[where[1]] = encoded

    def content(self) -> bytes:
        """The next cache file."""
        return dump(self._next)
