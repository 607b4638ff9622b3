"""Judging a student's symbolic answer against a reference, in a rubric context.

`judge` reads the answer's right-hand side (`dL/dW = ...`), resolves its names, picks the
interpretation (index when the context has a free index; else matrix when the answer uses
matrix notation -- a transpose, an elementwise product, diag -- else scalar), and decides:
1. matrix: plan shapes (a misfit is a definite SHAPE_MISMATCH naming the clash); the result
   must have the reference's shape (or its transpose with orientation "either");
2. scalar: try an exact sympy proof (method EXACT);
3. otherwise seeded random testing (method RANDOM, `grader.engine.trials`): the same instances
   for the answer and the reference; no comparable instance means `undecided` (a TA decides);
   an exact proof that they differ (rational functions) overrides a random "equal";
4. if not equivalent, the rubric's mistakes (`grader.engine.mistakes`) are tried in order;
   matching one earns its credit, with feedback naming it.
In index contexts the answer is a vector over the free index, compared per split (`j != y_i`
entries, the `j = y_i` entry) so that each case earns its own weight.

An open context (no declared names, `grader.engine.context.open_context`) is judged the same
way in the scalar interpretation, with random testing at exact points in high precision
(`grader.engine.precise_trials`); matrix literals are compared entry by entry. With
`equality: structural` the answer must equal the reference up to commutativity and
associativity (`grader.engine.structural`, STACK's EqualComAss).

The pieces: `spec` (what is judged against, the verdict), `resolve` and `calls` (names),
`calculus` (derivatives), `shapes` (matrix plans), `exact` (proofs), `trials` and
`precise_trials` (random testing), `structural`, `statements` and `statement_judge`
(equations and inequalities as answers), `matrices`, `mistakes` (partial credit), `validate`
(rubric-time checks).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.engine import mistakes
from grader.engine.bank import Bank
from grader.engine.calls import called_as_functions
from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Interpretation
from grader.engine.ir import IR, MatrixLit, SetOf, Unary, uses_matrix_notation
from grader.engine.precise_trials import PreciseTrials
from grader.engine.resolve import ResolveError, is_statement, resolve
from grader.engine.shapes import ShapeError, format_shape, plan, transposed
from grader.engine.spec import UNDECIDED_SENTENCE, Judgement, Mistake, Split, SymbolicSpec
from grader.engine.structural import equal_com_ass
from grader.engine.trials import MAX_SAMPLES, Series, Trials
from grader.engine.validate import split_condition
from grader.mathlang import ParseError, final_rhs, to_text
from grader.mathlang.ast import Node
from grader.model import Method, Reason, frozen_mapping

NOT_EQUAL_SENTENCE = (
    "Your answer does not equal the expected expression "
    "(they differ for random values of the quantities)."
)


def judge(
    student: Node, spec: SymbolicSpec, context: Context, *, seed: int, samples: int = 6
) -> Judgement:
    """Judge `student` against `spec` in `context`. Raises ResolveError for unknown names and
    functions (the answer is then unparseable), ContextError for an unusable rubric."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be in 1..{MAX_SAMPLES}")
    if context.open and spec.reference is not None and is_statement(spec.reference):
        # Imported here: statements need sympy, which `grade check` and `--help` must not load.
        from grader.engine.statement_judge import judge_statement

        return judge_statement(student, spec, open_reading(context, student, spec.reference), seed)
    if context.open:
        context = open_reading(context, final_rhs(student)[0], spec.reference)
    return _judged(Bank(spec, context, seed, samples), student)


def judge_in(bank: Bank, student: Node) -> Judgement:
    """`judge(student, bank.spec, bank.context, seed=bank.seed, samples=bank.samples)` for a
    declared context, sharing the bank's instances, rubric-side values and judgements with
    every other answer judged in it (the result is the same whatever was judged before)."""
    if bank.context.open:
        raise ValueError("an open context's reading depends on the answer: use judge")
    return _judged(bank, student)


def _judged(bank: Bank, student: Node) -> Judgement:
    """Resolve the answer, judge each parsed tree once per bank, and add the notes of reading
    it and the canonical text."""
    node, from_equation = final_rhs(student)
    resolved = resolve(node, bank.context)
    lead = ("Judged the right-hand side of your equation.",) if from_equation else ()
    # Keyed by the parsed tree, not the resolved one: messages quote the answer's own
    # spelling (a shape clash names `f_2'(s_2)` or `f2'(s2)` as written).
    core = bank.judged.get(node)
    if core is None:
        if bank.context.free_index is not None:
            core = _IndexJudge(resolved.ir, bank).run()
        else:
            core = _SymbolicJudge(resolved.ir, bank).run()
        bank.judged[node] = core
    feedback = (*lead, *resolved.notes, *core.feedback)
    return replace(core, feedback=feedback, parsed=to_text(node))


def open_reading(context: Context, answer: Node, reference: Node | None) -> Context:
    """An open context reading `answer` against `reference`: the names either uses as a
    function (with a prime, or with several arguments) are functions in both."""
    names = called_as_functions(answer, context)
    if reference is not None:
        names |= called_as_functions(reference, context)
    return context.declaring_functions(names)


@dataclass(frozen=True)
class Comparison:
    """The answer against one reference tree: `equal` is None when undecided; `transposed`
    when it matched the reference's transpose; `notes` explain a structural misfit."""

    equal: bool | None
    method: Method
    compared: int = 0
    transposed: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Planned:
    """The answer ready for evaluation: its tree, its shape (matrix interpretation) and the
    planner's notes."""

    ir: IR
    shape: tuple[Any, Any] | None
    notes: tuple[str, ...]


# ----- scalar and matrix answers -----------------------------------------------------------------
class _SymbolicJudge:
    """Judging one resolved answer in the scalar or matrix interpretation (its feedback
    leaves out the notes of reading it, which `_judged` adds; `parsed` is left empty)."""

    def __init__(self, ir: IR, bank: Bank) -> None:
        self.ir = ir
        self.bank = bank
        self.spec = bank.spec
        self.context = context = bank.context
        self.reference = bank.reference()
        matrix = uses_matrix_notation(ir) and not context.open
        self.interpretation = Interpretation.MATRIX if matrix else Interpretation.SCALAR
        self.trials: Trials | PreciseTrials = (
            PreciseTrials(context, bank.seed) if context.open else bank.trials(self.interpretation)
        )
        self.feedback: list[str] = []
        if context.has_arrays:
            self.feedback.append(
                "Read as a matrix expression (it uses transposes, elementwise products or diag)."
                if matrix
                else "Read with every quantity a scalar (no matrix notation)."
            )

    def run(self) -> Judgement:
        if self.spec.equality == "structural":
            return self._structural()
        try:
            answer = self._planned(self.ir)
        except ShapeError as exc:
            text = f"The shapes do not fit: {exc.message}."
            return self._verdict(False, Method.STRUCTURAL, [Reason.SHAPE_MISMATCH], [text])
        self.feedback += answer.notes
        outcome = self._against(answer, self.reference)
        if outcome.equal:
            return self._equivalent(outcome)
        if outcome.equal is None:
            reasons = [Reason.UNDECIDED]
            return self._verdict(False, Method.NONE, reasons, [UNDECIDED_SENTENCE], undecided=True)
        found = self._mistake(answer)
        if found is not None:
            return found
        if outcome.method is Method.STRUCTURAL:
            reasons = [Reason.SHAPE_MISMATCH]
            return self._verdict(False, Method.STRUCTURAL, reasons, list(outcome.notes))
        return self._verdict(False, outcome.method, [Reason.NOT_EQUIVALENT], [NOT_EQUAL_SENTENCE])

    def _mistake(self, answer: _Planned) -> Judgement | None:
        """The first declared mistake whose variant the answer equals, as a verdict."""
        for index, mistake in enumerate(self.spec.mistakes):
            for variant in self.bank.variants(index):
                found = self._against(answer, variant.tree, strict=False)
                if found.equal:
                    texts = mistakes.feedback(mistake, variant.sentence)
                    return self._verdict(
                        False, found.method, [Reason.MISTAKE], texts, mistake.credit, mistake
                    )
        return None

    def _planned(self, ir: IR) -> _Planned:
        if self.interpretation is Interpretation.SCALAR:
            return _Planned(ir, None, ())
        result = plan(ir, self.context)
        return _Planned(result.ir, result.shape, result.notes)

    def _against(self, answer: _Planned, reference: IR, strict: bool = True) -> Comparison:
        """Compare the answer with one reference tree: the true one (`strict`: its shapes must
        fit) or a mistake variant (one that does not fit simply does not match)."""
        if self.interpretation is Interpretation.SCALAR:
            return self._scalar(answer.ir, reference)
        try:
            ref = self.bank.plan(reference)
        except ShapeError as exc:
            if not strict:
                return Comparison(False, Method.STRUCTURAL)
            raise ContextError(f"the reference's shapes do not fit: {exc.message}") from exc
        candidates = []
        if answer.shape == ref.shape:
            candidates.append((ref.ir, False))
        if self.spec.orientation == "either" and answer.shape == transposed(ref.shape):
            candidates.append((Unary("transpose", ref.ir, ref.ir.src), True))
        if not candidates:
            shown = format_shape(answer.shape or ref.shape)
            note = (
                f"Your result is {shown}, but this answer should be {format_shape(ref.shape)}: "
                "check your transposes."
            )
            return Comparison(False, Method.STRUCTURAL, notes=(note,))
        return self._best(answer, candidates)

    def _scalar(self, answer: IR, reference: IR) -> Comparison:
        """Exact decision first; random testing otherwise; an exact "different" (rational
        functions) overrides a random "equal" (0.333333333333333 is not 1/3)."""
        if isinstance(answer, MatrixLit) or isinstance(reference, MatrixLit):
            return self._matrices(answer, reference)
        if isinstance(answer, SetOf) or isinstance(reference, SetOf):
            return self._sets(answer, reference)
        # The bank imports sympy only here: `grade check` and `--help` must not pay for it (a
        # third of a second of imports) when they never judge an answer.
        exact = self.bank.decider().decide(answer, reference)
        if exact is True:
            return Comparison(True, Method.EXACT)
        verdict = self.trials.compare_trees(answer, reference)
        if exact is False and verdict.equal is not False:
            return Comparison(False, Method.EXACT)
        note = (verdict.note,) if verdict.note else ()
        return Comparison(verdict.equal, Method.RANDOM, verdict.compared, notes=note)

    def _matrices(self, answer: IR, reference: IR) -> Comparison:
        """Matrix literals (open contexts): same shape, then entry by entry."""
        if not (isinstance(answer, MatrixLit) and isinstance(reference, MatrixLit)):
            note = "Your answer and the expected one are not both matrices."
            return Comparison(False, Method.STRUCTURAL, notes=(note,))
        if answer.shape != reference.shape:
            shown = "{} x {}".format(*answer.shape)
            note = f"Your matrix is {shown}, but this answer is " + "{} x {}.".format(
                *reference.shape
            )
            return Comparison(False, Method.STRUCTURAL, notes=(note,))
        results = []
        for got_row, ref_row in zip(answer.rows, reference.rows, strict=True):
            for got, ref in zip(got_row, ref_row, strict=True):
                result = self._scalar(got, ref)
                if result.equal is False:
                    return Comparison(False, result.method, result.compared)
                results.append(result)
        if any(r.equal is None for r in results):
            return Comparison(None, Method.NONE)
        exact = all(r.method is Method.EXACT for r in results)
        compared = max(r.compared for r in results)
        return Comparison(True, Method.EXACT if exact else Method.RANDOM, compared)

    def _sets(self, answer: IR, reference: IR) -> Comparison:
        """Finite sets (open contexts): every element of each equals an element of the
        other (repetitions do not count)."""
        if not (isinstance(answer, SetOf) and isinstance(reference, SetOf)):
            note = "Your answer and the expected one are not both sets."
            return Comparison(False, Method.STRUCTURAL, notes=(note,))
        undecided = False
        compared = 0
        for left, right in ((answer, reference), (reference, answer)):
            for item in left.items:
                results = [self._scalar(item, other) for other in right.items]
                compared = max([compared, *(r.compared for r in results)])
                found = [r.equal for r in results]
                if True in found:
                    continue
                if None in found:
                    undecided = True
                    continue
                note = "An element of one set is not in the other."
                return Comparison(False, Method.RANDOM, notes=(note,))
        return Comparison(None if undecided else True, Method.RANDOM, max(compared, 1))

    def _structural(self) -> Judgement:
        """STACK's EqualComAss: equal up to commutativity and associativity."""
        if equal_com_ass(self.ir, self.reference):
            texts = [
                "Your answer is the expected expression, up to the order of terms and factors."
            ]
            return self._verdict(True, Method.STRUCTURAL, [Reason.EQUIVALENT], texts, 1.0)
        texts = [
            "Your answer is not written as the expected expression (only the order of "
            "terms and factors may differ)."
        ]
        return self._verdict(False, Method.STRUCTURAL, [Reason.NOT_EQUIVALENT], texts)

    def _best(self, answer: _Planned, candidates: list[tuple[IR, bool]]) -> Comparison:
        results = []
        for tree, flipped in candidates:
            verdict = self.trials.compare_trees(answer.ir, tree)
            if verdict.equal:
                return Comparison(True, Method.RANDOM, verdict.compared, flipped)
            results.append(verdict)
        undecided = any(v.equal is None for v in results)
        compared = max(v.compared for v in results)
        return Comparison(None if undecided else False, Method.RANDOM, compared)

    def _equivalent(self, outcome: Comparison) -> Judgement:
        reasons = [Reason.EQUIVALENT]
        if outcome.method is Method.EXACT:
            texts = ["Your answer equals the expected expression (shown symbolically)."]
        else:
            how = f" ({outcome.notes[0]})" if outcome.notes else ""
            texts = [
                "Your answer equals the expected expression on "
                f"{outcome.compared} random instances{how}."
            ]
        if outcome.transposed:
            reasons.append(Reason.ORIENTATION)
            texts.append("Accepted in the transposed layout.")
        return self._verdict(True, outcome.method, reasons, texts, 1.0)

    def _verdict(
        self,
        equivalent: bool,
        method: Method,
        reasons: list[Reason],
        texts: list[str],
        credit: float = 0.0,
        mistake: Mistake | None = None,
        undecided: bool = False,
    ) -> Judgement:
        return Judgement(
            credit=credit,
            equivalent=equivalent,
            method=method,
            interpretation=self.interpretation.value,
            mistake=mistake,
            split_results=frozen_mapping(),
            reasons=tuple(reasons),
            feedback=tuple(self.feedback + texts),
            undecided=undecided,
            parsed="",
        )


# ----- index answers ---------------------------------------------------------------------------
class _IndexJudge:
    """Judging one resolved answer in the index interpretation (a vector over the free index;
    feedback and `parsed` as for `_SymbolicJudge`)."""

    def __init__(self, ir: IR, bank: Bank) -> None:
        self.bank = bank
        self.spec = spec = bank.spec
        self.context = bank.context
        self.trials = trials = bank.trials(Interpretation.INDEX)
        self.answer = trials.series(ir)
        self.reference_ir: IR | None = None
        if spec.reference_fn is not None:
            fn = spec.reference_fn
            self.reference = bank.series("reference", lambda: trials.function_series(fn))
        else:
            self.reference_ir = bank.reference()
            self.reference = trials.kept_series(self.reference_ir)
        self.feedback: list[str] = []

    def run(self) -> Judgement:
        if not self.spec.splits:
            return self._whole()
        judged = [s for s in self.spec.splits if self.spec.only_split in (None, s.id)]
        if not judged:
            raise ContextError(f"only_split {self.spec.only_split!r} is not a split")
        total = sum(s.weight for s in self.spec.splits)
        results: dict[str, bool] = {}
        undecided = False
        for split in judged:
            verdict = self.trials.compare(self.answer, self.reference, self._mask(split))
            undecided = undecided or verdict.equal is None
            results[split.id] = bool(verdict.equal)
            state = {True: "correct", False: "not correct", None: "could not be evaluated"}
            self.feedback.append(f"Case {split.condition}: {state[verdict.equal]}.")
        credit = sum(s.weight for s in judged if results[s.id]) / total
        everything = all(results.values())
        reasons = [Reason.EQUIVALENT if everything else Reason.NOT_EQUIVALENT]
        if undecided:
            reasons.append(Reason.UNDECIDED)
        method = Method.NONE if undecided and not any(results.values()) else Method.RANDOM
        return self._verdict(credit, everything, method, reasons, results, undecided)

    def _mask(self, split: Split) -> Series:
        return self.bank.series(("mask", split.id), lambda: self._new_mask(split))

    def _new_mask(self, split: Split) -> Series:
        try:
            condition = self.trials.series(split_condition(split, self.context))
        except (ParseError, ResolveError) as exc:
            raise ContextError(f"split {split.id}: {exc}") from exc
        cache: dict[int, Any] = {}

        def mask(i: int) -> Any:
            if i not in cache:
                cache[i] = np.asarray(condition(i)) > 0.5
            return cache[i]

        return mask

    def _whole(self) -> Judgement:
        verdict = self.trials.compare(self.answer, self.reference)
        if verdict.equal:
            text = (
                "Your answer equals the expected expression for every class "
                f"({verdict.compared} random instances)."
            )
            self.feedback.append(text)
            return self._verdict(1.0, True, Method.RANDOM, [Reason.EQUIVALENT])
        if verdict.equal is None:
            self.feedback.append(
                "Your answer could not be evaluated on any random instance; a TA will check it."
            )
            return self._verdict(0.0, False, Method.NONE, [Reason.UNDECIDED], undecided=True)
        for index, mistake in enumerate(self.spec.mistakes):
            variants = self.bank.series(
                ("mistake", index), functools.partial(self._variant_series, mistake)
            )
            for series, sentence in variants:
                if self.trials.compare(self.answer, series).equal:
                    self.feedback += mistakes.feedback(mistake, sentence)
                    return self._verdict(
                        mistake.credit, False, Method.RANDOM, [Reason.MISTAKE], mistake=mistake
                    )
        self.feedback.append("Your answer does not equal the expected expression.")
        return self._verdict(0.0, False, Method.RANDOM, [Reason.NOT_EQUIVALENT])

    def _variant_series(self, mistake: Mistake) -> list[tuple[Series, str]]:
        if self.reference_ir is not None:
            return [
                (self.trials.kept_series(v.tree), v.sentence)
                for v in mistakes.variants(mistake, self.reference_ir, self.context)
            ]
        rule = mistakes.rule_of(mistake)
        if mistake.expression is not None or rule is None or rule.on_values is None:
            return []
        reference, change = self.reference, rule.on_values
        cache: dict[int, Any] = {}

        def changed(i: int) -> Any:
            if i not in cache:
                cache[i] = change(reference(i))
            return cache[i]

        return [(changed, rule.sentence)]

    def _verdict(
        self,
        credit: float,
        equivalent: bool,
        method: Method,
        reasons: list[Reason],
        results: Mapping[str, bool] | None = None,
        undecided: bool = False,
        mistake: Mistake | None = None,
    ) -> Judgement:
        return Judgement(
            credit=credit,
            equivalent=equivalent,
            method=method,
            interpretation=Interpretation.INDEX.value,
            mistake=mistake,
            split_results=frozen_mapping(results or {}),
            reasons=tuple(reasons),
            feedback=tuple(self.feedback),
            undecided=undecided,
            parsed="",
        )
