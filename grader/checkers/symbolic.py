"""`check: symbolic`: an expression judged equal to the reference as a function of the context.

The student's text is parsed by our own grammar (`grader.mathlang`) and judged by the engine
(`grader.engine.judge`), in a worker process with a deadline. Parts may declare partial-credit
mistakes (a missing derivative factor, a flipped sign, a buggy expression), form requirements,
splits judged separately (the j != y_i and j = y_i entries of an index answer) and
alternative slots answering one split each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from grader.checkers import mistakes as declared
from grader.checkers.base import (
    Answers,
    Job,
    PartChecker,
    PreparedPart,
    PrepareEnv,
    is_blank,
    missing,
    unreadable_answer,
)
from grader.checkers.forms import FormRequirement, forms_from, validate_forms, with_forms
from grader.engine import ContextError, Judgement, ResolveError, Split, SymbolicSpec
from grader.engine.mistakes import problems as mistake_problems
from grader.mathlang import ParseError, parse
from grader.mathlang.ast import Node
from grader.model import CheckResult, Method, Outcome, RawAnswer, Reason, frozen_mapping
from grader.references import ExpressionForms, IndexReference
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec

if TYPE_CHECKING:
    from grader.engine.bank import Bank

NOT_AN_EXPRESSION = "This answer should be an expression (text), not a list or a mapping."

# How the random instances of a judgement are drawn: in a declared context from one bank per
# part and split (seeded by the rubric, the answer id and the split, whatever the answer),
# in an open context seeded by the answer's text too. Part of the judgement cache's
# fingerprint, so a cache written under another scheme is not reused.
INSTANCE_SCHEME = "bank-per-part-1"
SAMPLES = 6  # instances compared per judgement


def seed_for(*parts: str) -> int:
    """A stable seed from text: the same answer to the same part always gets the same draws."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


class PreparedSymbolic(PreparedPart):
    """A symbolic part bound to its context and reference."""

    def __init__(
        self,
        spec: PartSpec,
        rubric_id: str,
        context: Any,
        sym: SymbolicSpec,
        display: str,
        alternatives: Mapping[str, str],
        forms: tuple[FormRequirement, ...] = (),
    ) -> None:
        super().__init__(spec)
        self.forms = forms
        self.rubric_id = rubric_id
        self.context = context
        self.sym = sym
        self.display = display
        self.alternatives = alternatives  # split id -> dotted answer id of the alternative slot
        self.banks: dict[str, Bank] = {}  # split id -> the part's shared judging side

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        return tuple(self._job(split, a) for split, a in self._given(answers) if not a.error)

    def _given(self, answers: Answers) -> list[tuple[str, RawAnswer]]:
        """The answers this part judges: the main slot, or else its alternative slots."""
        main = answers.get(self.spec.answer_id)
        if main is not None and not is_blank(main):
            return [("", main)]
        found = [(split, answers.get(answer_id)) for split, answer_id in self.alternatives.items()]
        return [(split, a) for split, a in found if a is not None and not is_blank(a)]

    def _job(self, split_id: str, answer: RawAnswer) -> Job:
        text = answer.value if isinstance(answer.value, str) else None
        return Job(self.spec.question, self.spec.id, (split_id, text))

    def execute(self, job: Job) -> CheckResult:
        split_id, text = job.payload
        if not isinstance(text, str):
            return CheckResult(
                fraction=0.0,
                outcome=Outcome.UNPARSEABLE,
                reasons=(Reason.WRONG_TYPE,),
                feedback=(NOT_AN_EXPRESSION,),
            )
        try:
            tree = parse(text)
        except ParseError as exc:
            return _unreadable(
                exc.reason, f"Could not read the expression: {exc.message}", exc.pointer()
            )
        try:
            verdict = self._judge(str(split_id), tree, text)
        except ResolveError as exc:
            return _unreadable(exc.reason, exc.message, "")
        except ContextError as exc:
            # The rubric's or solver's fault, not the student's: a TA must look.
            return CheckResult(
                fraction=0.0,
                outcome=Outcome.NEEDS_REVIEW,
                reasons=(Reason.UNDECIDED,),
                feedback=("This answer could not be checked automatically; a TA will mark it.",),
                staff=(f"rubric/solver problem while judging: {exc}",),
                needs_review=True,
            )
        return with_forms(from_judgement(verdict), tree, self.forms, self.context)

    def _judge(self, split_id: str, tree: Node, text: str) -> Judgement:
        """The engine's judgement: in a declared context against the split's bank (every
        answer on the same instances, a tree judged once), in an open context on instances
        of its own."""
        # Imported here: `grade check` never judges.
        from grader.engine.bank import Bank
        from grader.engine.judge import judge, judge_in

        sym = replace(self.sym, only_split=split_id) if split_id else self.sym
        if self.context.open:
            seed = seed_for(self.rubric_id, self.spec.answer_id, split_id, text)
            return judge(tree, sym, self.context, seed=seed)
        bank = self.banks.get(split_id)
        if bank is None:
            seed = seed_for(self.rubric_id, self.spec.answer_id, split_id)
            bank = self.banks[split_id] = Bank(sym, self.context, seed, SAMPLES)
        return judge_in(bank, tree)

    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        given = self._given(answers)
        if not given:
            return missing(self.spec)
        checked = [unreadable_answer(a) or results[self._job(split, a)] for split, a in given]
        if len(checked) == 1:
            return checked[0]
        return _combine(checked)

    def key_value(self, convention: str | None) -> Any:
        return self.display


def _unreadable(reason: Reason, message: str, pointer: str) -> CheckResult:
    feedback = (message, pointer) if pointer else (message,)
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.UNPARSEABLE,
        reasons=(reason,),
        feedback=feedback,
        needs_review=True,
        staff=("The expression could not be read; a TA may score it by hand.",),
    )


def from_judgement(verdict: Judgement) -> CheckResult:
    """A CheckResult from the engine's judgement."""
    credit = max(0.0, min(1.0, verdict.credit))
    if verdict.undecided:
        outcome = Outcome.NEEDS_REVIEW
    elif verdict.equivalent or credit >= 1.0:
        outcome = Outcome.CORRECT
    elif credit > 0:
        outcome = Outcome.PARTIAL
    else:
        outcome = Outcome.INCORRECT
    feedback = [f"Read as: {verdict.parsed}"] if verdict.parsed else []
    feedback.extend(verdict.feedback)
    detail: dict[str, Any] = {"interpretation": verdict.interpretation}
    if verdict.mistake is not None:
        detail["mistake"] = verdict.mistake.id
    if verdict.split_results:
        detail["splits"] = dict(sorted(verdict.split_results.items()))
    return CheckResult(
        fraction=credit,
        outcome=outcome,
        method=verdict.method,
        reasons=verdict.reasons,
        feedback=tuple(feedback),
        parsed=verdict.parsed,
        needs_review=verdict.undecided,
        detail=frozen_mapping(detail),
    )


def _combine(results: list[CheckResult]) -> CheckResult:
    """Two alternative slots (one per split) make one part."""
    fraction = min(1.0, sum(r.fraction for r in results))
    review = any(r.needs_review for r in results)
    if review:
        outcome = Outcome.NEEDS_REVIEW
    elif fraction >= 1.0:
        outcome = Outcome.CORRECT
    else:
        outcome = Outcome.PARTIAL if fraction > 0 else Outcome.INCORRECT
    splits: dict[str, bool] = {}
    for r in results:
        found = r.detail.get("splits", {})
        if isinstance(found, Mapping):
            splits.update({str(k): bool(v) for k, v in found.items()})
    return CheckResult(
        fraction=fraction,
        outcome=outcome,
        method=next((r.method for r in results if r.method != Method.NONE), Method.NONE),
        reasons=tuple(dict.fromkeys(x for r in results for x in r.reasons)),
        feedback=tuple(f for r in results for f in r.feedback),
        needs_review=review,
        detail=frozen_mapping({"splits": dict(sorted(splits.items()))}),
    )


class SymbolicChecker(PartChecker):
    """`check: symbolic` with `context:`, `reference:` (solver function) or `expression:`,
    `orientation: exact|either`, `mistakes:`, `form:`, `splits:` and `alternatives:`."""

    name = "symbolic"
    kind = "symbolic"
    options = frozenset(
        {
            "context",
            "reference",
            "expression",
            "orientation",
            "mistakes",
            "splits",
            "alternatives",
            "form",
        }
    )
    required = frozenset({"context"})

    def validate(self, part: PartSpec) -> list[str]:
        problems = []
        opts = part.options
        if ("reference" in opts) == ("expression" in opts):
            problems.append(f"{part.where}: give exactly one of `reference:` or `expression:`")
        if opts.get("orientation", "exact") not in ("exact", "either"):
            problems.append(f"{part.where}.orientation: must be exact or either")
        problems += declared.validate(opts.get("mistakes", ()), f"{part.where}.mistakes", False)
        problems += _validate_splits(opts.get("splits", ()), part, f"{part.where}.splits")
        problems += validate_forms(opts.get("form"), f"{part.where}.form")
        return problems

    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        where = part.where
        name = part.options["context"]
        if name not in env.contexts:
            valid = ", ".join(sorted(env.contexts)) or "(none declared)"
            raise RubricError([f"{where}.context: unknown context {name!r}; valid: {valid}"])
        context = env.contexts[name]
        sym, display = _reference(part, env, context)
        mistakes = declared.symbolic(part, env)
        splits = tuple(
            Split(str(s["id"]), str(s["condition"]), float(s["points"]) / part.points)
            for s in part.options.get("splits", ())
        )
        sym = replace(
            sym,
            orientation=str(part.options.get("orientation", "exact")),
            mistakes=mistakes,
            splits=splits,
        )
        found = mistake_problems(sym.mistakes, sym.reference is not None, context)
        problems = [f"{where}.mistakes: {p}" for p in found]
        if problems:
            raise RubricError(problems)
        alternatives = {
            str(split): f"{part.question}.{local}"
            for split, local in (part.options.get("alternatives") or {}).items()
        }
        forms = forms_from(part.options.get("form"))
        return PreparedSymbolic(part, env.rubric.id, context, sym, display, alternatives, forms)


def _reference(part: PartSpec, env: PrepareEnv, context: Any) -> tuple[SymbolicSpec, str]:
    where = f"{part.where}.reference"
    if "expression" in part.options:
        text = str(part.options["expression"])
    else:
        ref = env.solver(str(part.options["reference"]), where)(env.rubric.data)
        if isinstance(ref, IndexReference):
            return SymbolicSpec(reference_fn=ref.gradient), ref.display
        if not isinstance(ref, ExpressionForms):
            raise RubricError(
                [f"{where}: the solver returned {type(ref).__name__}, not an expression"]
            )
        text = ref.matrix or ref.scalar
    try:
        tree = parse(text)
    except ParseError as exc:
        raise RubricError([f"{where}: the reference does not parse: {exc.message}"]) from exc
    from grader.engine.validate import validate_reference  # here: `grade check` never judges

    problems = [f"{where}: {p}" for p in validate_reference(tree, context)]
    if problems:
        raise RubricError(problems)
    return SymbolicSpec(reference=tree), text


def _validate_splits(raw: Any, part: PartSpec, where: str) -> list[str]:
    if not isinstance(raw, (list, tuple)):
        return [f"{where}: must be a list"]
    problems = []
    total = 0.0
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, Mapping) or not {"id", "condition", "points"} <= set(item):
            problems.append(f"{at}: a split needs `id:`, `condition:` and `points:`")
            continue
        total += float(item["points"])
    if raw and abs(total - part.points) > 1e-9:
        problems.append(f"{where}: split points add up to {total:g}, the part has {part.points:g}")
    alternatives = part.options.get("alternatives") or {}
    split_ids = {str(s.get("id")) for s in raw if isinstance(s, Mapping)}
    if not isinstance(alternatives, Mapping):
        problems.append(f"{part.where}.alternatives: must map split ids to part ids")
    else:
        for split in alternatives:
            if str(split) not in split_ids:
                problems.append(f"{part.where}.alternatives.{split}: names no split of this part")
    return problems
