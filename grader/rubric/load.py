"""Read and validate a rubric file; every problem is reported at once as `file: location: message`.

The rubric is course content (trusted), but it is still read with PyYAML's safe loader (parsed
by libyaml when installed) and checked field by field, so a typo gives a clear message instead
of a crash in the middle of a batch.
Which checkers and question graders exist is decided by the registry (`grader.checkers.registry`);
an unknown name lists the valid ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from grader.rubric.course import identity_rule, template_hints
from grader.rubric.errors import RubricError
from grader.rubric.extends import resolve_extends
from grader.rubric.kinds import Registry
from grader.rubric.spec import (
    BonusRule,
    LatePolicy,
    PartSpec,
    QuestionSpec,
    Rubric,
    freeze,
    parse_time,
)
from grader.rubric.variants import parse_variants

MAX_RUBRIC_BYTES = 2_000_000
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
TOP_KEYS = frozenset(
    {
        "assignment",
        "title",
        "max_total",
        "solver",
        "data",
        "contexts",
        "tolerances",
        "rounding",
        "feedback",
        "show_reference",
        "bonus",
        "late",
        "questions",
        "decisions",
        "variants",
        "sheet",
        "extends",
        "identity",
        "template",
    }
)
QUESTION_KEYS = frozenset({"id", "title", "points", "bonus", "grader", "parts", "notes"})
PART_KEYS = frozenset(
    {
        "id",
        "points",
        "check",
        "kind",
        "shape",
        "shapes",
        "hint",
        "scored",
        "alternative_of",
        "choices",
        "notes",
    }
)
FEEDBACK_LEVELS = ("none", "scores")
# grades.csv has a column per question beside these: a question may not take their names.
RESERVED_QUESTION_IDS = frozenset(
    {"student_id", "name", "base", "bonus", "total", "max_total", "status", "source", "message",
     "submitted_at", "days_late", "raw_total", "late_penalty"}
)  # fmt: skip
SHEET_FORMATS = ("markdown", "latex")


class _Problems:
    """Collects `file: location: message` lines; carries the registry names are checked against."""

    def __init__(self, path: str, registry: Registry) -> None:
        self.path = path
        self.registry = registry
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(
            f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}"
        )

    def extend(self, messages: list[str]) -> None:
        # Checker messages already start with their location inside the file.
        self.items.extend(f"{self.path}: {m}" for m in messages)


def load_rubric(path: Path, registry: Registry) -> Rubric:
    """Read and validate the rubric at `path` against the registered checkers and graders
    (``grader.checkers.registry.REGISTRY``); raise RubricError with every problem."""
    shown = str(path)
    problems = _Problems(shown, registry)
    data = _read_yaml(path, problems)
    if data is None:
        raise RubricError(problems.items)
    data = resolve_extends(data, path, lambda base: _read_base(base, problems), problems.add)
    rubric = _build(data, shown, problems)
    if problems.items or rubric is None:
        raise RubricError(problems.items or [f"{shown}: the rubric is empty"])
    return rubric


def find_rubric(assignment: str, search: list[Path]) -> Path | None:
    """The rubric file for `assignment` in the first search folder that has one."""
    if not ID_PATTERN.match(assignment):
        return None
    for folder in search:
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{assignment}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def available_rubrics(search: list[Path]) -> list[str]:
    """The assignment ids that have a rubric in the search folders, sorted."""
    found: set[str] = set()
    for folder in search:
        if folder.is_dir():
            found.update(p.stem for p in folder.iterdir()
                         if p.suffix in (".yaml", ".yml") and ID_PATTERN.match(p.stem))  # fmt: skip
    return sorted(found)


def no_rubric(assignment: str, search: list[Path]) -> str:
    """Why `assignment` has no rubric, with a did-you-mean and the rubrics there are."""
    import difflib

    known = available_rubrics(search)
    close = difflib.get_close_matches(assignment, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    where = ", ".join(str(folder) for folder in search)
    there = f"; rubrics there: {', '.join(known)}" if known else "; there are no rubrics there"
    return f"no rubric for assignment {assignment!r}{hint} in {where}{there}; pass --rubric FILE"


def _read_yaml(path: Path, problems: _Problems) -> Mapping[str, Any] | None:
    try:
        if path.stat().st_size > MAX_RUBRIC_BYTES:
            problems.add("", f"the file is larger than {MAX_RUBRIC_BYTES} bytes")
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add("", f"cannot read the rubric: {exc}")
        return None
    try:
        data = _safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(where, f"YAML syntax error: {getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(data, Mapping):
        problems.add("", "the rubric must be a mapping with `assignment:` and `questions:`")
        return None
    return data


def _safe_load(text: str) -> Any:
    """`yaml.safe_load`, parsed by libyaml when PyYAML has it (a seventh of the time: a third of
    what `grade check` spent at run time). The same safe constructor builds the values; a text
    libyaml refuses is parsed again by the pure-Python parser, whose error is the one reported."""
    if yaml.__with_libyaml__:
        loader = yaml.CSafeLoader(text)  # libyaml's parser, PyYAML's safe constructor
        try:
            return loader.get_single_data()
        except yaml.YAMLError:
            pass  # reported as the pure-Python parser words it
        finally:
            loader.dispose()
    return yaml.safe_load(text)


def _read_base(path: Path, problems: _Problems) -> Mapping[str, Any] | None:
    """A rubric that another one extends; its own problems are reported under its own name."""
    own = _Problems(str(path), problems.registry)
    data = _read_yaml(path, own)
    problems.items.extend(own.items)
    return data


def _sheet(raw: Any, problems: _Problems) -> Mapping[str, str]:
    """`sheet: {markdown: a.sheet.md, latex: a.sheet.tex}`: the exercise text beside the rubric
    (its files are read by `grade handout`, not here: a student's copy of the rubric has none)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not raw or not all(
        k in SHEET_FORMATS and isinstance(v, str) and v.strip() for k, v in raw.items()
    ):
        problems.add("sheet", f"a mapping from {' / '.join(SHEET_FORMATS)} to a file name")
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _build(data: Mapping[str, Any], shown: str, problems: _Problems) -> Rubric | None:
    for key in sorted(set(map(str, data)) - TOP_KEYS):
        problems.add(key, f"unknown key; valid keys: {', '.join(sorted(TOP_KEYS))}")
    assignment = data.get("assignment")
    if not isinstance(assignment, str) or not ID_PATTERN.match(assignment):
        problems.add("assignment", "required: an id such as `lab-3`")
        assignment = "?"
    questions = _questions(data.get("questions"), problems)
    scored_total = sum(q.points for q in questions if not q.bonus)
    max_total = _number(data.get("max_total", scored_total), "max_total", problems)
    if questions and max_total is not None and abs(max_total - scored_total) > 1e-9:
        problems.add(
            "max_total",
            f"is {max_total:g} but the non-bonus questions add up to {scored_total:g}",
        )
    feedback = data.get("feedback", "none")
    if feedback not in FEEDBACK_LEVELS:
        problems.add("feedback", f"must be one of {', '.join(FEEDBACK_LEVELS)}")
    rounding = data.get("rounding", 2)
    if not isinstance(rounding, int) or isinstance(rounding, bool) or not 0 <= rounding <= 6:
        problems.add("rounding", "must be an integer number of decimals (0..6)")
        rounding = 2
    solver = data.get("solver")
    if solver is not None and (not isinstance(solver, str) or not ID_PATTERN.match(solver)):
        problems.add("solver", "must be the name of a module in reference_solutions/")
        solver = None
    for key in ("data", "contexts", "tolerances"):
        if key in data and not isinstance(data[key], Mapping):
            problems.add(key, "must be a mapping")
    bonus = _bonus(data.get("bonus"), questions, max_total, problems)
    late = _late(data.get("late"), problems)
    given = data.get("data")
    variants = parse_variants(
        data.get("variants"), given if isinstance(given, Mapping) else {}, problems.add
    )
    if variants is not None and feedback == "scores":
        problems.add("feedback", "`scores` needs the course secret, which `grade check` in a "
                     "student's CI must not have: use `none` with variants")  # fmt: skip
    if not questions:
        problems.add("questions", "required: a list of questions")
        return None
    return Rubric(
        id=str(assignment),
        title=str(data.get("title", assignment)),
        path=shown,
        max_total=max_total if max_total is not None else scored_total,
        questions=tuple(questions),
        bonus=bonus,
        solver=solver,
        data=freeze(data.get("data") or {}),
        contexts=freeze(data.get("contexts") or {}),
        tolerances=freeze(data.get("tolerances") or {}),
        rounding=rounding,
        feedback=str(feedback),
        show_reference=bool(data.get("show_reference", False)),
        late=late,
        variants=variants,
        sheet=freeze(_sheet(data.get("sheet"), problems)),
        identity=identity_rule(data.get("identity"), problems.add),
        template=freeze(template_hints(data.get("template"), problems.add)),
    )


def _number(value: Any, where: str, problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(where, f"must be a number, not {value!r}")
        return None
    if value < 0:
        problems.add(where, "must not be negative")
        return None
    return float(value)


def _questions(raw: Any, problems: _Problems) -> list[QuestionSpec]:
    if not isinstance(raw, list):
        return []
    out: list[QuestionSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"questions[{index}]"
        if not isinstance(item, Mapping):
            problems.add(where, "must be a mapping with `id:` and `parts:`")
            continue
        qid = item.get("id")
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            problems.add(f"{where}.id", "required: an id such as `ex1`")
            continue
        where = f"questions[{qid}]"
        if qid in RESERVED_QUESTION_IDS:
            problems.add(f"{where}.id", f"{qid!r} is a column of grades.csv already; "
                         "choose another question id")  # fmt: skip
        if qid in seen:
            problems.add(where, "duplicate question id")
        seen.add(qid)
        question = _question(item, qid, where, problems)
        if question is not None:
            out.append(question)
    return out


def _question(
    item: Mapping[str, Any], qid: str, where: str, problems: _Problems
) -> QuestionSpec | None:
    grader_name = item.get("grader", "parts")
    graders = problems.registry.questions
    grader = graders.get(str(grader_name))
    if grader is None:
        problems.add(
            f"{where}.grader",
            f"unknown question grader {grader_name!r};"
            f" valid: {', '.join(sorted(graders))}",
        )
        return None
    allowed = QUESTION_KEYS | grader.options
    for key in sorted(set(map(str, item)) - allowed):
        problems.add(f"{where}.{key}", f"unknown key; valid keys: {', '.join(sorted(allowed))}")
    parts = _parts(item.get("parts"), qid, where, grader.name, problems)
    scored = sum(p.points for p in parts if p.scored)
    points = item.get("points", scored)
    declared = _number(points, f"{where}.points", problems)
    if declared is not None and abs(declared - scored) > 1e-9:
        problems.add(f"{where}.points", f"is {declared:g} but its parts add up to {scored:g}")
    options = {k: v for k, v in item.items() if k in grader.options}
    question = QuestionSpec(
        id=qid,
        title=str(item.get("title", qid)),
        points=scored,
        bonus=bool(item.get("bonus", False)),
        grader=grader.name,
        parts=tuple(parts),
        options=freeze(options),
        where=where,
    )
    problems.extend(grader.validate(question))
    return question


def _parts(raw: Any, qid: str, qwhere: str, grader: str, problems: _Problems) -> list[PartSpec]:
    if not isinstance(raw, list) or not raw:
        problems.add(f"{qwhere}.parts", "required: a non-empty list of parts")
        return []
    out: list[PartSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{qwhere}.parts[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            problems.add(where, "must be a mapping with an `id:`")
            continue
        pid = str(item["id"])
        where = f"{qwhere}.parts[{pid}]"
        if not ID_PATTERN.match(pid):
            problems.add(where, "part ids are letters, digits, `_` and `-`")
        if pid in seen:
            problems.add(where, "duplicate part id")
        seen.add(pid)
        part = _part(item, pid, qid, where, grader, problems)
        if part is not None:
            out.append(part)
    local_ids = {p.id for p in out}
    for part in out:
        if part.alternative_of and part.alternative_of not in local_ids:
            problems.add(
                f"{part.where}.alternative_of", f"names no part of {qid}: {part.alternative_of!r}"
            )
    return out


def _part(
    item: Mapping[str, Any], pid: str, qid: str, where: str, grader: str, problems: _Problems
) -> PartSpec | None:
    check_name = item.get("check")
    if check_name is None:
        if item.get("kind") == "choice":
            check_name = "choice"
        elif item.get("alternative_of"):
            check_name = "alternative"
        elif grader == "chain":
            check_name = "numeric"
    checkers = problems.registry.parts
    checker = checkers.get(str(check_name))
    question_kind = problems.registry.questions.get(grader)
    extra = question_kind.part_options if question_kind is not None else frozenset()
    if checker is None:
        problems.add(
            f"{where}.check",
            f"unknown check {check_name!r}; valid: {', '.join(sorted(checkers))}",
        )
        return None
    allowed = PART_KEYS | checker.options | extra
    for key in sorted(set(map(str, item)) - allowed):
        problems.add(f"{where}.{key}", f"unknown key; valid keys: {', '.join(sorted(allowed))}")
    for key in sorted(checker.required - set(map(str, item))):
        problems.add(f"{where}.{key}", f"required by check {checker.name!r}")
    scored = bool(
        item.get("scored", item.get("alternative_of") is None and checker.kind != "choice")
    )
    points = _number(item.get("points", 0), f"{where}.points", problems) or 0.0
    if scored and points <= 0:
        problems.add(f"{where}.points", "a scored part needs points > 0")
    choices = item.get("choices", ())
    if not isinstance(choices, (list, tuple)) or not all(isinstance(c, str) for c in choices):
        problems.add(f"{where}.choices", "must be a list of strings")
        choices = ()
    shapes = _shapes(item.get("shapes", ()), f"{where}.shapes", problems)
    part = PartSpec(
        id=pid,
        question=qid,
        points=points if scored else 0.0,
        check=checker.name,
        kind=str(item.get("kind", checker.kind)),
        options=freeze({k: v for k, v in item.items() if k in checker.options | extra}),
        shape=str(item["shape"]) if "shape" in item else None,
        hint=str(item.get("hint", "")),
        scored=scored,
        alternative_of=str(item["alternative_of"]) if item.get("alternative_of") else None,
        choices=tuple(choices),
        shapes=shapes,
        where=where,
    )
    problems.extend(checker.validate(part))
    return part


def _shapes(raw: Any, where: str, problems: _Problems) -> tuple[tuple[int, ...], ...]:
    """`shapes: [[4, 3]]` or `[[2, 3], [3, 2]]`: the array shapes a numeric slot accepts."""
    if not isinstance(raw, (list, tuple)) or not all(
        isinstance(s, (list, tuple))
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in s)
        for s in raw
    ):
        problems.add(where, "a list of shapes such as [[4, 3]] or [[4]]")
        return ()
    return tuple(tuple(s) for s in raw)


def _bonus(
    raw: Any, questions: list[QuestionSpec], max_total: float | None, problems: _Problems
) -> BonusRule | None:
    bonus_ids = tuple(q.id for q in questions if q.bonus)
    if raw is None:
        return BonusRule(bonus_ids, max_total or 0.0) if bonus_ids else None
    if not isinstance(raw, Mapping):
        problems.add("bonus", "must be a mapping with `cap:`")
        return None
    cap = _number(raw.get("cap", max_total), "bonus.cap", problems)
    return BonusRule(bonus_ids, cap if cap is not None else 0.0)


def _late(raw: Any, problems: _Problems) -> LatePolicy | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("deadline"), str):
        problems.add("late", "must be a mapping with a `deadline:` (ISO 8601 with time zone)")
        return None
    per_day = _number(raw.get("penalty_per_day", 0), "late.penalty_per_day", problems)
    cap = _number(raw.get("max_penalty", per_day or 0), "late.max_penalty", problems)
    grace = _number(raw.get("grace_hours", 0), "late.grace_hours", problems)
    if parse_time(str(raw["deadline"])) is None:
        problems.add("late.deadline", "an ISO 8601 date and time with a time zone")
    return LatePolicy(
        deadline=str(raw["deadline"]),
        penalty_per_day=per_day or 0.0,
        max_penalty=cap or 0.0,
        grace_hours=grace or 0.0,
        relative=bool(raw.get("relative", False)),
    )
