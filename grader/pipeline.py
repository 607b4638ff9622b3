"""Grade a folder: discover -> load -> check (deduplicated jobs, worker pool) -> score -> Gradebook.

One bad file never stops the batch: every file discovered gets a row, unreadable ones with a
message naming the file and the position. Identical answers to the same part are judged once.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.checkers.prepare import PreparedRubric, prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.checkers.sheet_messages import unknown_answers, with_answer_errors, wrong_assignment
from grader.checkers.steps import annotate_steps
from grader.checkers.variants import PreparedVariants, VariantJob, prepare_variants
from grader.copysignal import flag_copies
from grader.dask_backend import run_dask
from grader.judgement_cache import JudgementCache, code_digest, solver_digest
from grader.late import apply_late, submission_time
from grader.loaders import load_submission
from grader.loaders.common import unreadable_submission
from grader.loaders.discover import Discovery, discover_all
from grader.loaders.identity import FileNameRule, reidentify
from grader.loaders.notes import bounded, odd_character_notes
from grader.mathlang import parse
from grader.model import (
    VARIANT_DETAIL,
    CheckResult,
    Gradebook,
    GradedSubmission,
    Location,
    Message,
    PartScore,
    Reason,
    Severity,
    Status,
    Submission,
    frozen_mapping,
)
from grader.parallel import SheetWork, map_sheets, pack, run_jobs
from grader.rubric.draw import Variant
from grader.rubric.errors import RubricError
from grader.rubric.load import find_rubric, load_rubric, no_rubric
from grader.rubric.solvers import load_solvers
from grader.rubric.spec import Rubric
from grader.sandbox import JobLimits, Packed, check_failed, run_inline
from grader.scoring import (
    TAScoreLike,
    empty_row,
    graded_row,
    internal_error_messages,
    with_ta_scores,
)
from grader.sheet_cache import (
    SheetCache,
    head_of,
    keepable,
    load_key,
    row_key,
    rubric_print,
    storable,
    storable_load,
    submission_of,
    transient,
)
from grader.staff_inputs import Refusals, ScoreInputs, UsageError, read_scores, with_roster

Progress = Callable[[str, int, int], None]
DEFAULT_LIMITS = JobLimits()


@dataclass(frozen=True)
class BatchOptions:
    """Everything `grade FOLDER` needs to know."""

    folder: Path
    rubric: Path | None = None
    rubric_dirs: tuple[Path, ...] = (Path("rubrics"),)
    assignment: str | None = None
    workers: int = 2
    limits: JobLimits = field(default_factory=JobLimits)
    scores: Path | None = None
    roster: Path | None = None
    submitted_from: tuple[str, ...] = ("sheet", "git")
    ta_file: Path | None = None  # the gradebook's scores.csv (None: no TA file)
    cache: Path | None = None  # the judgement cache to read (None: no cache, none written)
    sheet_cache: Path | None = None  # the sheet cache to read (None: no cache, none written)
    scheduler: str | None = None  # "dask" or a Dask scheduler address: checks run there


class EmptyFolder(Exception):
    """The folder holds no submission file at all (nothing is graded or written)."""


@dataclass(frozen=True)
class Batch:
    """A graded folder: the gradebook plus the messages meant for course staff."""

    gradebook: Gradebook
    prepared: PreparedRubric
    staff: tuple[Message, ...]
    scores: ScoreInputs = field(default_factory=lambda: ScoreInputs({}))
    refused: Refusals = field(default_factory=Refusals)
    not_searched: int = 0  # paths discovery met but could not search or read (no row)
    cache: bytes | None = None  # the next judgement cache file (None: run without a cache)
    sheet_cache: SheetCache | None = None  # the next sheet cache (None: run without it)

    def counts(self) -> Mapping[str, int]:
        """How many rows have each status."""
        counts = Counter(row.status.value for row in self.gradebook.rows)
        return {s.value: counts.get(s.value, 0) for s in Status}

    def flagged(self) -> Mapping[str, int]:
        """How many rows carry each flag (duplicate id, not on the roster)."""
        counts = Counter(flag.value for row in self.gradebook.rows for flag in row.flags)
        return dict(sorted(counts.items()))


def _duplicates(submissions: Sequence[Submission]) -> list[Message]:
    """One staff message per student id carried by more than one submission."""
    by_id: dict[str, list[str]] = {}
    for sub in submissions:
        by_id.setdefault(sub.student_id, []).append(sub.source)
    return [
        Message(
            Severity.WARNING,
            f"student id {student_id!r} has {len(sources)} submissions"
            f" ({', '.join(sorted(sources))}): both rows are kept and marked needs_review",
            Location(sorted(sources)[0]),
            Reason.DUPLICATE_ID,
        )
        for student_id, sources in sorted(by_id.items())
        if len(sources) > 1
    ]


def choose_rubric(options: BatchOptions, submissions: Sequence[Submission]) -> Path:
    """The rubric file: given explicitly, or the one the most sheets name."""
    if options.rubric is not None:
        return options.rubric
    named = options.assignment
    if named is None:
        counts = Counter(s.assignment for s in submissions if s.assignment)
        for assignment, _ in counts.most_common():
            if find_rubric(assignment, list(options.rubric_dirs)) is not None:
                named = assignment
                break
    if named is None:
        raise UsageError(
            "no sheet names an assignment with a rubric in "
            + ", ".join(str(d) for d in options.rubric_dirs)
            + "; pass --rubric FILE or --assignment ID"
        )
    path = find_rubric(named, list(options.rubric_dirs))
    if path is None:
        raise UsageError(no_rubric(named, list(options.rubric_dirs)))
    return path


def load_all(
    folder: Path,
    progress: Progress | None = None,
    *,
    workers: int = 0,
    limits: JobLimits = DEFAULT_LIMITS,
) -> list[Submission]:
    """Every submission file under `folder`, read (on `workers` processes; never raises for a
    bad file: one the loader cannot survive gets an unreadable row naming it)."""
    return read_folder(folder, progress, workers=workers, limits=limits)[0]


def read_folder(
    folder: Path,
    progress: Progress | None = None,
    *,
    workers: int = 0,
    limits: JobLimits = DEFAULT_LIMITS,
) -> tuple[list[Submission], Discovery]:
    """:func:`load_all`, with what discovery met but did not read (files refused get their row
    here; the notes are for course staff)."""
    loaded, found = _read_folder(folder, progress, workers=workers, limits=limits)
    return [_as_read(entry) for entry in loaded], found


@dataclass(frozen=True)
class _Loaded:
    """A sheet as read: its submission, its sheet-cache load key (None: not cacheable), whether
    the cache gave it, and its cache entries when newly read and storable. What is worked out
    across sheets reads no answers, so a sheet is held as its head (no answers, see
    grader.sheet_cache) where the whole is held elsewhere: as `packed`, its entry in the sheet
    cache's codec (made on the reading worker: a class's sheets as objects would be most of
    this process's heap, which every worker forked later shares, where the entries are a
    tenth of it), or, for a sheet the cache gave in this process (`head`), in the cache. A
    sheet the codec cannot hold stays whole. One to check, score or compare with others is
    made whole first (:func:`_whole`)."""

    submission: Submission
    key: str | None = None
    hit: bool = False
    data: list[str] | None = None
    head: bool = False
    packed: str | None = None


def _held(submission: Submission, key: str | None, data: list[str] | None) -> _Loaded:
    """The entry of a sheet just read (see :class:`_Loaded`): its head beside its whole in the
    codec (its sheet-cache entry when it has one), or the whole sheet if the codec cannot
    hold it."""
    packed = data[1] if data is not None else storable(submission) if submission.answers else None
    if packed is None:
        return _Loaded(submission, key, data=data)
    return _Loaded(head_of(submission), key, data=data, packed=packed)


def _unpacked(packed: str) -> Submission:
    """The sheet `packed` holds (made by :func:`_held` in this run: it reads back)."""
    sheet = submission_of(packed)
    if sheet is None:
        raise RuntimeError("internal: a sheet held in the codec does not read back")
    return sheet


def _as_read(entry: _Loaded) -> Submission:
    """The whole sheet of `entry` as it was read (no sheet cache needed: see :func:`_whole`)."""
    return _unpacked(entry.packed) if entry.packed is not None else entry.submission


class _StaleLoad(Exception):
    """A cached sheet whose head decoded but whose whole does not (a forged entry: zlib's
    checksum passed): the run is made again with that sheet read from its file."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _whole(
    loaded: Sequence[_Loaded],
    submissions: Sequence[Submission],
    indices: Iterable[int],
    sheets: SheetCache | None,
    identity: FileNameRule,
) -> list[Submission]:
    """`submissions` with those at `indices` that are heads made whole from the sheet cache
    (and identified by the course's rule like every sheet). _StaleLoad when one does not
    decode."""
    out = list(submissions)
    for index in indices:
        if not out[index].answers:  # else whole already
            out[index] = _whole_one(loaded[index], out[index], sheets, identity)
    return out


def _whole_one(
    entry: _Loaded, submission: Submission, sheets: SheetCache | None, identity: FileNameRule
) -> Submission:
    """The whole sheet of `entry`, identified by the course's rule, or `submission` (its head,
    or a sheet without answers) when there is no more to it."""
    return reidentify(_read_whole(entry, sheets), identity) if _more(entry, sheets) else submission


def _more(entry: _Loaded, sheets: SheetCache | None) -> bool:
    """Whether `entry` holds more than its head (in the codec, or in the sheet cache)."""
    return entry.packed is not None or (entry.head and entry.key is not None and sheets is not None)


def _read_whole(entry: _Loaded, sheets: SheetCache | None) -> Submission:
    """The whole sheet of `entry` as read (:func:`_more` is true); _StaleLoad when the sheet
    cache's entry does not decode."""
    if entry.packed is not None:
        return _unpacked(entry.packed)
    whole = sheets.submission(entry.key) if sheets is not None else None
    if whole is None or head_of(whole) != entry.submission:
        raise _StaleLoad(entry.key or "")
    return whole


def _read_folder(
    folder: Path,
    progress: Progress | None = None,
    *,
    workers: int = 0,
    limits: JobLimits = DEFAULT_LIMITS,
    cache: SheetCache | None = None,
    code: str = "",
) -> tuple[list[_Loaded], Discovery]:
    if not folder.is_dir():
        problem = "no such folder" if not folder.exists() else "is not a folder"
        raise UsageError(f"{folder}: {problem} (grade FOLDER grades the sheets in FOLDER)")
    found = discover_all(folder)
    if not found.paths and not found.refused and not found.notes:
        raise EmptyFolder(folder)
    paths = found.paths

    def failed(index: int, reason: Reason, text: str) -> _Loaded:
        source = paths[index].relative_to(folder).as_posix()
        fmt = "ipynb" if paths[index].suffix == ".ipynb" else "yaml"
        text = f"the file could not be read: {text}"
        return _Loaded(unreadable_submission(source, fmt, reason, text))

    def load(index: int) -> _Loaded:
        keys: list[str | None] = []
        hits: list[Submission] = []

        def known(fmt: str, source: str, data: bytes) -> Submission | None:
            key = load_key(code, fmt, source, data) if cache is not None else None
            keys.append(key)
            # Taken only when both entries are good: the hit's entries are carried over as
            # they are.
            head = cache.head(key) if cache is not None else None
            hit = cache.submission(key) if cache is not None and head is not None else None
            hit = hit if hit is not None and head_of(hit) == head else None
            hit = hit if hit is not None and hit.source == source else None  # another sheet's
            hits.extend([hit] if hit is not None else [])
            return hit

        submission = load_submission(paths[index], folder, known)
        key = keys[0] if keys else None
        if key is not None and hits and hits[0] is submission:
            return _Loaded(submission, key, hit=True)
        submission = with_answer_errors(submission)
        # A plain read-only dict: loaders may hand a mappingproxy, which cannot cross to the
        # parent process (the same type either way keeps --jobs 0 and --jobs 2 identical).
        submission = replace(submission, answers=frozen_mapping(submission.answers))
        data = storable_load(submission) if key is not None else None
        return _held(submission, key if data is not None else None, data)

    # Without a previous sheet (a first run) every file would be read and hashed here to miss.
    known = (
        _cached_sheets(paths, folder, cache, code)
        if cache is not None and cache.holds_loads else {}
    )  # fmt: skip
    todo = [i for i in range(len(paths)) if i not in known]
    task = SheetWork(lambda k: load(todo[k]), lambda k, r, t: failed(todo[k], r, t), "reading")
    read = map_sheets(task, len(todo), workers=workers, limits=limits, progress=progress)
    known.update(zip(todo, read, strict=True))
    out = [known[index] for index in range(len(paths))]  # in the order of the paths
    out.extend(_Loaded(s) for s in _discovery_rows(found.refused))
    return out, found


class _NotCached(Exception):
    """A sheet the sheet cache does not hold (it is read on the pool)."""


def _cached_sheets(
    paths: Sequence[Path], folder: Path, cache: SheetCache, code: str
) -> dict[int, _Loaded]:
    """The sheets the cache holds, by index, taken in this process: each file's bytes are read
    (bounded, regular files only) and looked up, nothing is parsed; every other sheet (not
    held, unreadable, of a format read from more than its bytes) is left to the pool, whose
    limits guard the parsing. A re-run of an unchanged class starts no worker to read it."""
    taken = {i: _from_cache(path, folder, cache, code) for i, path in enumerate(paths)}
    return {index: entry for index, entry in taken.items() if entry is not None}


def _from_cache(path: Path, folder: Path, cache: SheetCache, code: str) -> _Loaded | None:
    """The sheet at `path` as the cache holds it, or None (see :func:`_cached_sheets`)."""
    hits: list[str] = []

    def known(fmt: str, source: str, data: bytes) -> Submission:
        key = load_key(code, fmt, source, data)
        hit = cache.head(key) if key is not None else None
        if key is None or hit is None or hit.source != source:  # else another sheet's
            raise _NotCached
        hits.append(key)
        return hit

    try:
        submission = load_submission(path, folder, known)
    except Exception:  # noqa: BLE001 - _NotCached, or anything the pool is there for
        return None
    return _Loaded(submission, hits[0], hit=True, head=True) if hits else None


def _discovery_rows(messages: Sequence[Message]) -> list[Submission]:
    # A file discovery refused (a link out of the folder, ...) still gets its row.
    rows = []
    for message in messages:
        if message.severity is Severity.ERROR and message.location.file:
            rows.append(
                unreadable_submission(
                    message.location.file,
                    "yaml",
                    message.reason or Reason.FILE_UNREADABLE,
                    message.text,
                    message.location,
                )
            )
    return rows


def _per_variant(prepared: PreparedRubric | PreparedVariants) -> PreparedVariants:
    """Every student's PreparedRubric (one rubric prepared once: every student alike)."""
    return prepared if isinstance(prepared, PreparedVariants) else PreparedVariants(prepared)


def check_answers(
    prepared: PreparedRubric | PreparedVariants,
    submissions: Sequence[Submission],
    options: BatchOptions,
    progress: Progress | None = None,
    cache: JudgementCache | None = None,
    requests: Sequence[Sequence[VariantJob]] | None = None,
) -> dict[VariantJob, CheckResult]:
    """Run every distinct job of the batch (in worker processes, in chunks, unless `workers`
    is 0: see grader.parallel.run_jobs), each sheet's against its student's variant (jobs of
    questions all variants share stay one); jobs the cache holds are not run again.
    `requests`: the sheets' jobs, when the caller has them (:func:`sheet_requests`)."""
    variants = _per_variant(prepared)
    if requests is None:
        requests = sheet_requests(variants, submissions)
    jobs = list(dict.fromkeys(j for sheet in requests for j in sheet))

    def report(done: int, total: int) -> None:
        if progress:
            progress("checking", done, total)

    known: dict[VariantJob, CheckResult] = {}
    if cache is not None:
        for job in jobs:
            hit = cache.lookup(job)
            if hit is not None:
                known[job] = hit
    todo = [job for job in jobs if job not in known]
    if todo and options.workers > 0:
        warm_up()
    execute = variants.executor()  # every variant the jobs need is prepared by now
    if options.scheduler:
        rubric = variants.base.rubric
        decided = run_dask(
            execute, todo, address=options.scheduler, workers=options.workers,
            limits=options.limits, progress=report, failure=check_failed,
            setup=functools.partial(bind_solvers, rubric.solver, Path(rubric.path)),
        )  # fmt: skip
    elif options.workers <= 0:
        decided = run_inline(execute, todo, report)
    else:
        decided = run_jobs(execute, todo, workers=options.workers, limits=options.limits,
                           progress=progress)  # fmt: skip
    if cache is not None:
        for job in todo:
            cache.record(job, decided[job])
    return {**known, **decided}


def sheet_requests(
    prepared: PreparedRubric | PreparedVariants, submissions: Sequence[Submission]
) -> list[tuple[VariantJob, ...]]:
    """The jobs of each sheet (none for an unreadable one), against its student's variant."""
    variants = _per_variant(prepared)
    return [
        variants.requests(variants.variant_of(s.student_id), s.answers) if s.readable else ()
        for s in submissions
    ]


def bind_solvers(solver: str | None, rubric_path: Path) -> None:
    """Import the rubric's solver package from the course folder (on a Dask worker, before
    the prepared rubric that refers to it arrives), and warm the process up."""
    load_solvers(solver, "solver", rubric_path)
    warm_up()


def warm_up() -> None:
    """Pay once, before forking workers, what every check needs: the parse table and the
    exact prover's sympy import (lazy for `grade check`). A forked worker inherits them; one
    that had to build them itself would pay a third of a second each time it is started."""
    import grader.engine.exact  # noqa: F401 - imported for the side effect

    parse("x")


def _checked_ids(prepared: PreparedRubric) -> frozenset[str]:
    """The answer ids whose text is read as maths, numbers or a choice (not free text)."""
    return frozenset(s.answer_id for s in prepared.rubric.info().slots() if s.kind != "text")


def score_all(
    prepared: PreparedRubric | PreparedVariants,
    submissions: Sequence[Submission],
    results: Mapping[VariantJob, CheckResult],
    overrides: Mapping[tuple[str, str], TAScoreLike],
    *,
    workers: int = 0,
    limits: JobLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    reuse: Mapping[int, GradedSubmission] | None = None,
) -> list[GradedSubmission]:
    """A row per submission (unreadable files included), duplicates flagged; each sheet is
    scored against its student's variant, which the row's detail names when there are any;
    on `workers` processes (rows in the order of `submissions` either way). `reuse`: rows
    already scored (by submission index, from the sheet cache), taken as they are."""
    scored = _score_rows(
        prepared, submissions, results, overrides, workers=workers, limits=limits,
        progress=progress, reuse=reuse, encode=None,
    )  # fmt: skip
    return [row for row, _ in scored]


def _score_rows(
    prepared: PreparedRubric | PreparedVariants,
    submissions: Sequence[Submission],
    results: Mapping[VariantJob, CheckResult],
    overrides: Mapping[tuple[str, str], TAScoreLike],
    *,
    workers: int,
    limits: JobLimits,
    progress: Progress | None,
    reuse: Mapping[int, GradedSubmission] | None,
    encode: Callable[[int, GradedSubmission, Submission], str | None] | None,
    chunks: Sequence[Packed] | None = None,
    opened: Callable[[str | Submission], Submission] | None = None,
) -> list[tuple[GradedSubmission, str | None]]:
    """:func:`score_all`, each fresh row with `encode(index, row, submission)` worked out where
    it was scored (on the worker: the sheet cache's entry), None for reused and failed rows.
    `chunks`: the sheets to score (those not reused, in order) packed earlier by
    grader.parallel.pack, their items the sheets or, with `opened`, what `opened` makes a
    sheet of; `submissions` may then be their heads (a failure row needs only a sheet's
    names)."""
    variants = _per_variant(prepared)
    reuse = reuse or {}
    for sub in submissions:  # every variant prepared before the workers fork (and inherit it)
        if sub.readable:
            variants.prepared(variants.variant_of(sub.student_id))
    sources = same_id_sources(submissions)
    checked = _checked_ids(variants.base)
    known = frozenset(p.answer_id for p in variants.base.rubric.parts())

    def one(index: int, sub: Submission) -> tuple[GradedSubmission, str | None]:
        row = _score_one(variants, sub, results, overrides, sources, checked)
        row = replace(row, messages=bounded(row.messages, row.source, known))
        return row, encode(index, row, sub) if encode is not None else None

    def failed(index: int, reason: Reason, text: str) -> tuple[GradedSubmission, str | None]:
        sub = submissions[index]
        message = Message(
            Severity.ERROR,
            f"this sheet could not be graded automatically ({text}); a TA must grade it",
            Location(sub.source),
            reason,
        )
        rubric = variants.base.rubric
        status = Status.NEEDS_REVIEW
        return empty_row(rubric, sub.student_id, sub.name, sub.source, status, (message,)), None

    todo = [index for index in range(len(submissions)) if index not in reuse]
    # Each sheet travels to its worker with its chunk: read from the inherited heap, it would
    # copy there every page that holds part of some sheet (see grader.parallel). Each row
    # comes back with its parts as their pickles: equal parts become one object here.
    shared = _SharedParts()
    task = SheetWork(
        lambda k: _pack(one(todo[k], submissions[todo[k]])),
        lambda k, r, t: failed(todo[k], r, t),
        "scoring",
        item=lambda k: submissions[todo[k]],
        work_on=lambda k, sub: _pack(one(todo[k], opened(sub) if opened is not None else sub)),
        arrive=shared.arrive,
    )
    scored = map_sheets(
        task, len(todo), workers=workers, limits=limits, progress=progress, chunks=chunks
    )
    rows: dict[int, tuple[GradedSubmission, str | None]] = {
        i: (r, None) for i, r in reuse.items()
    }
    rows.update(zip(todo, scored, strict=True))
    return [rows[index] for index in range(len(submissions))]


_Sent = tuple[GradedSubmission, tuple[bytes, ...], str | None]


def _pack(scored: tuple[GradedSubmission, str | None]) -> _Sent:
    """A scored row as it crosses from its worker: with a digest of each part's pickle (what
    :class:`_SharedParts` tells parts apart by), and its cache entry."""
    row, data = scored
    digests = tuple(
        hashlib.sha256(pickle.dumps(part, pickle.HIGHEST_PROTOCOL)).digest() for part in row.parts
    )
    return row, digests, data


class _SharedParts:
    """The parts of a batch's rows, one object per distinct part: most students write one of a
    few answers to a part and get the same PartScore, and a row unpickled on its own would
    hold its own copy of each (most of a class's memory). Parts are told apart by the digest
    of their pickles, so only parts alike to the type (1, 1.0 and True are not) are one."""

    def __init__(self) -> None:
        self._parts: dict[bytes, PartScore] = {}

    def arrive(self, sent: _Sent) -> tuple[GradedSubmission, str | None]:
        """The row of `sent` (from :func:`_pack`), its parts the batch's objects, and its
        cache entry."""
        row, digests, data = sent
        setdefault = self._parts.setdefault
        parts = tuple(setdefault(key, part) for key, part in zip(digests, row.parts, strict=True))
        return replace(row, parts=parts), data


def same_id_sources(submissions: Sequence[Submission]) -> dict[str, list[str]]:
    """The sources of the submissions carrying each student id."""
    sources: dict[str, list[str]] = {}
    for sub in submissions:
        sources.setdefault(sub.student_id, []).append(sub.source)
    return sources


def _score_one(
    variants: PreparedVariants,
    sub: Submission,
    results: Mapping[VariantJob, CheckResult],
    overrides: Mapping[tuple[str, str], TAScoreLike],
    sources: Mapping[str, Sequence[str]],
    checked: frozenset[str],
) -> GradedSubmission:
    flags: tuple[Reason, ...] = ()
    extra: tuple[Message, ...] = ()
    same_id = sources[sub.student_id]
    if len(same_id) > 1:
        flags = (Reason.DUPLICATE_ID,)
        extra = (
            Message(
                Severity.WARNING,
                f"{len(same_id)} submissions carry student id {sub.student_id!r} "
                f"({', '.join(sorted(same_id))}): both are kept; a TA must decide",
                Location(sub.source),
                Reason.DUPLICATE_ID,
            ),
        )
    if not sub.readable:
        return empty_row(
            variants.base.rubric,
            sub.student_id,
            sub.name,
            sub.source,
            Status.UNREADABLE,
            sub.messages + extra,
            flags,
        )
    variant = variants.variant_of(sub.student_id)
    own = variants.prepared(variant)
    extra = (
        unknown_answers(own, sub, summary=True)
        + odd_character_notes(sub, checked)
        + wrong_assignment(own, sub)
        + extra
    )
    graded = own.grade(sub.answers, variants.results_for(variant, results))
    row = graded_row(own.rubric, sub, graded, overrides, extra, flags)
    return with_variant(row, variant, own.rubric) if variants.enabled else row


def with_variant(row: GradedSubmission, variant: Variant, rubric: Rubric) -> GradedSubmission:
    """The row with the variant it was graded against: its label and the drawn numbers."""
    drawn = {d.name: variant.data[d.name] for d in rubric.variants.data} if rubric.variants else {}
    used = frozen_mapping({"label": variant.label, "data": drawn})
    return replace(row, detail=frozen_mapping({**row.detail, VARIANT_DETAIL: used}))


def prepare(options: BatchOptions, submissions: Sequence[Submission]) -> PreparedRubric:
    """Load, validate and prepare the batch's rubric (RubricError lists every problem)."""
    path = choose_rubric(options, submissions)
    return prepare_rubric(load_rubric(path, REGISTRY))


def prepare_batch(
    options: BatchOptions, submissions: Sequence[Submission], *, defer: bool = False
) -> PreparedVariants:
    """The batch's rubric prepared, with its students' variants when it declares them (the
    course secret is then required: RubricError saying where it was looked for). With
    `defer`, a rubric without variants is prepared only when a sheet must be checked or
    scored (see :meth:`PreparedRubric.deferred`); one with variants is prepared now (its
    steps and copy signals are worked out from every sheet on every run)."""
    path = choose_rubric(options, submissions)
    rubric = load_rubric(path, REGISTRY)
    if defer and rubric.variants is None:
        return PreparedVariants(PreparedRubric.deferred(rubric))
    return prepare_variants(rubric)


def _all_cached(loaded: Sequence[_Loaded]) -> bool:
    """Whether the sheet cache gave every readable sheet (the others need no prepared rubric:
    an unreadable sheet's row is empty)."""
    return all(entry.hit for entry in loaded if entry.submission.readable)


def grade_folder(
    options: BatchOptions,
    progress: Progress | None = None,
    *,
    read: Callable[[int], None] | None = None,
) -> Batch:
    """Grade every submission under `options.folder`. Raises UsageError or RubricError.
    `read` is told how many sheets there are once they are read, before the rubric is
    prepared (the parent's stretch alone: see grader.report.writer.WARM_SHEETS)."""
    code = code_digest()
    stale: set[str] = set()
    while True:
        try:
            return _grade_folder(options, progress, code, stale, read)
        except _StaleLoad as exc:  # a forged sheet cache only: that sheet is read anew
            stale.add(exc.key)


def _grade_folder(
    options: BatchOptions,
    progress: Progress | None,
    code: str,
    stale: Set[str],
    read: Callable[[int], None] | None = None,
) -> Batch:
    workers, limits = options.workers, options.limits
    sheets = SheetCache.open(options.sheet_cache, code) if options.sheet_cache else None
    for key in stale:
        if sheets is not None:
            sheets.forget_load(key)
    loaded, found = _read_folder(
        options.folder, progress, workers=workers, limits=limits, cache=sheets, code=code
    )
    submissions = [entry.submission for entry in loaded]
    if read is not None:
        read(len(submissions))
    # Prepared now unless the cache gave every sheet: then only when a row must be scored.
    defer = sheets is not None and _all_cached(loaded)
    variants = prepare_batch(options, submissions, defer=defer)
    prepared = variants.base
    submissions = [reidentify(s, prepared.rubric.identity) for s in submissions]
    if variants.enabled:  # steps and copy signals compare every sheet's answers
        indices = range(len(submissions))
        submissions = _whole(loaded, submissions, indices, sheets, prepared.rubric.identity)
    scores = read_scores(options.scores, prepared, submissions, options.ta_file)
    staff = [*found.notes, *scores.messages]
    refused = scores.refused
    cache = JudgementCache.open(options.cache, prepared, code) if options.cache else None
    staff += cache.previous.warnings if cache else ()
    staff += sheets.warnings if sheets else ()
    rows = _scored_rows(options, variants, loaded, submissions, progress, cache, sheets, code)
    rubric = prepared.rubric
    rows = [with_ta_scores(rubric, row, scores.overrides) for row in rows]
    staff += _duplicates(submissions)
    staff += [m for row in rows for m in internal_error_messages(row)]
    rows = _late(options, prepared, submissions, rows)
    if options.roster is not None:
        rows, roster_staff, roster_refused = with_roster(options.roster, prepared, rows)
        staff += roster_staff
        refused += roster_refused
    rows = annotate_steps(variants, submissions, rows)
    rows, copies = flag_copies(variants, submissions, rows)  # roster students are candidates too
    staff += copies
    book = Gradebook(prepared.rubric.info(), tuple(rows), _for_outputs(staff, options))
    cached = cache.content() if cache else None
    return Batch(book, prepared, tuple(staff), scores, refused, found.not_searched, cached, sheets)


def _scored_rows(
    options: BatchOptions,
    variants: PreparedVariants,
    loaded: list[_Loaded],
    submissions: list[Submission],
    progress: Progress | None,
    cache: JudgementCache | None,
    sheets: SheetCache | None,
    code: str,
) -> list[GradedSubmission]:
    """Every sheet's automatic row (no TA scores yet): from the sheet cache where it holds the
    sheet, else checked and scored; the sheet cache keeps what this run used for the next."""
    reuse: dict[int, GradedSubmission] = {}
    keys: dict[int, str] = {}
    if sheets is not None:
        solver = cache.solver if cache else solver_digest(variants.base.rubric)
        printed = rubric_print(variants.base.rubric, code, solver)
        sources = same_id_sources(submissions)
        for index, (entry, sub) in enumerate(zip(loaded, submissions, strict=True)):
            if entry.key is None:
                continue
            if entry.hit:
                sheets.reuse_load(entry.key)
            elif entry.data is not None:
                sheets.keep_load(entry.key, entry.data)
            label = variants.variant_of(sub.student_id).label if variants.enabled else ""
            keys[index] = row_key(printed, entry.key, label, sources[sub.student_id])
            found = sheets.row(keys[index])
            if found is not None and found.row.source == sub.source:  # else another sheet's
                reuse[index] = found.row
                sheets.reuse_row(keys[index])
                for fingerprint, job in found.jobs:
                    if cache is not None:
                        cache.carry(fingerprint, job)
    todo = [i for i in range(len(submissions)) if i not in reuse]
    identity = variants.base.rubric.identity
    if any(submissions[i].readable for i in todo):
        variants.base.ready()  # here, before any worker forks (RubricError: the rubric's)
    if variants.enabled or options.workers <= 0 or len(todo) <= 1:  # no scoring pool
        whole = _whole(loaded, submissions, todo, sheets, identity)  # their answers: scored
        fresh = [whole[i] for i in todo]
        requests = sheet_requests(variants, fresh)
        chunks, opened = None, None
    else:
        # Nothing after this reads a sheet's answers unless variants are declared (steps and
        # copy signals), and the parent never holds the class's sheets as objects: each is
        # made whole here only to list its jobs, then travels to its scoring worker in the
        # codec it is held in, inside its chunk (made whole there).
        whole, fresh = submissions, [submissions[i] for i in todo]
        requests, chunks = _requests_and_chunks(variants, loaded, todo, sheets, options.workers)
        loaded[:] = [replace(entry, packed=None) for entry in loaded]  # in the chunks now
        opened = functools.partial(_opened, identity)
    results = check_answers(variants, fresh, options, progress, cache, requests)
    def encode(index: int, row: GradedSubmission, sub: Submission) -> str | None:
        # On the worker that scored the row: only rows the next run may take as they are.
        return storable(row) if index in keys and keepable(row, sub) else None

    scored = _score_rows(
        variants, whole, results, {}, workers=options.workers, limits=options.limits,
        progress=progress, reuse=reuse, encode=encode if sheets is not None else None,
        chunks=chunks, opened=opened,
    )  # fmt: skip
    if sheets is not None:
        for index, jobs in zip(todo, requests, strict=True):
            row, data = scored[index]
            if data is None or any(transient(results[job]) for job in jobs):
                continue
            sheets.origin(row, data)
            where = [cache.where(job) for job in jobs] if cache is not None else []
            sheets.keep_row(keys[index], data, [w for w in where if w is not None])
    return [row for row, _ in scored]


def _requests_and_chunks(
    variants: PreparedVariants,
    loaded: Sequence[_Loaded],
    todo: Sequence[int],
    sheets: SheetCache | None,
    workers: int,
) -> tuple[list[tuple[VariantJob, ...]], list[Packed]]:
    """Without variants: the jobs of the sheets at `todo` (each made whole in turn, then let
    go) and the chunks of the scoring pool, whose items are the sheets as read, in the codec
    where it holds them (see :func:`_opened`)."""
    raw: list[str | Submission] = []
    requests: list[tuple[VariantJob, ...]] = []
    for index in todo:
        entry = loaded[index]
        sheet = _read_whole(entry, sheets) if _more(entry, sheets) else entry.submission
        held = entry.packed
        if held is None and entry.head and entry.key is not None and sheets is not None:
            held = sheets.whole_entry(entry.key)  # it decoded to `sheet` just now
        raw.append(held if held is not None else sheet)
        # Without variants a sheet's jobs do not depend on its id: not identified here (its
        # scoring worker does that, see _opened).
        requests.extend(sheet_requests(variants, [sheet]))
    return requests, pack(raw.__getitem__, len(raw), workers)


def _opened(identity: FileNameRule, raw: str | Submission) -> Submission:
    """A sheet to score from what :func:`_requests_and_chunks` sent (on the scoring worker)."""
    return reidentify(_unpacked(raw) if isinstance(raw, str) else raw, identity)


def _for_outputs(staff: Sequence[Message], options: BatchOptions) -> tuple[Message, ...]:
    """Staff messages as the gradebook files hold them: a message about a staff file (the
    roster, TA scores) names it by its file name, not as it was spelt on the command line, so
    results.json does not change with the working directory (stderr keeps the spelling)."""
    given = [p for p in (options.roster, options.scores, options.ta_file) if p is not None]
    names = {str(path): path.name for path in given}
    return tuple(
        replace(m, location=replace(m.location, file=names[m.location.file]))
        if m.location.file in names else m
        for m in staff
    )  # fmt: skip


def _late(
    options: BatchOptions,
    prepared: PreparedRubric,
    submissions: Sequence[Submission],
    rows: list[GradedSubmission],
) -> list[GradedSubmission]:
    policy = prepared.rubric.late
    if policy is None:
        return rows
    by_source = {s.source: s for s in submissions}
    out = []
    for row in rows:
        sub = by_source.get(row.source)
        if sub is None or row.status is Status.UNREADABLE:
            out.append(row)
            continue
        stamp = submission_time(sub, options.folder, options.submitted_from)
        rubric = prepared.rubric
        out.append(apply_late(row, policy, stamp, rubric.max_total, rubric.rounding))
    return out


__all__ = ["Batch", "BatchOptions", "EmptyFolder", "RubricError", "UsageError", "grade_folder"]
