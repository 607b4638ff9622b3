"""Judging a student's symbolic answer against a reference, in a rubric context.

`judge` reads the answer's right-hand side (`dL/dW = ...`), resolves its names, picks the
interpretation (index when the context has a free index; else matrix when the answer uses
matrix notation -- a transpose, an elementwise product, diag -- else scalar), and decides:
1. matrix: plan shapes (a misfit is a definite SHAPE_MISMATCH naming the clash); the result
   must have the reference's shape (or its transpose with orientation "either");
2. scalar: try an exact sympy proof (method EXACT);
3. otherwise seeded random testing (method RANDOM): the same instances for the answer and the
   reference, instances where either is not finite are skipped (at most ATTEMPTS_PER_SAMPLE
   draws per wanted sample), and no comparable instance means `undecided` (a TA decides);
4. if not equivalent, the rubric's mistakes (reference with one derivative factor dropped, or
   negated) are tried in order; matching one earns its credit, with feedback naming it.
In index contexts the answer is a vector over the free index, compared per split (`j != y_i`
entries, the `j = y_i` entry) so that each case earns its own weight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Instance, Interpretation, evaluate_unguarded
from grader.engine.exact import prove_equal
from grader.engine.ir import IR, Apply, Unary, ir_walk, uses_matrix_notation
from grader.engine.resolve import ResolveError, resolve
from grader.engine.sample import draw_instance
from grader.engine.shapes import ShapeError, format_shape, plan, transposed
from grader.engine.variants import replace_node
from grader.mathlang import ParseError, final_rhs, parse, to_text
from grader.mathlang.ast import Indicator as AstIndicator
from grader.mathlang.ast import Node, Relation
from grader.model import Method, Reason, frozen_mapping

MISTAKE_KINDS = frozenset({"drop_factor", "negate"})
ORIENTATIONS = frozenset({"exact", "either"})
MAX_SAMPLES = 100
ATTEMPTS_PER_SAMPLE = 4
RELATIVE_TOLERANCE = 1e-9
_TINY = 1e-300


@dataclass(frozen=True)
class Mistake:
    """A partial-credit pattern: "drop_factor" (one derivative factor of the reference missing)
    or "negate" (the reference with its overall sign flipped)."""

    id: str
    kind: str
    credit: float
    feedback: str = ""


@dataclass(frozen=True)
class Split:
    """A case of an index answer: the entries where `condition` (e.g. "j != y_i") holds."""

    id: str
    condition: str
    weight: float


@dataclass(frozen=True)
class SymbolicSpec:
    """What a symbolic answer is judged against. `reference` is an expression (for matrix
    contexts, the MATRIX form: its scalar reading is the scalar form); index contexts may give
    `reference_fn(instance) -> vector over the free index` instead. With `only_split` the answer
    covers only that split (a two-case answer)."""

    reference: Node | None = None
    reference_fn: Callable[[Mapping[str, Any]], np.ndarray] | None = None
    orientation: str = "exact"
    mistakes: tuple[Mistake, ...] = ()
    splits: tuple[Split, ...] = ()
    only_split: str | None = None


@dataclass(frozen=True)
class Judgement:
    """The verdict on one answer. `credit` is 1 when equivalent, a mistake's credit, or (index
    answers with splits) the weight of the correct judged splits over the total weight."""

    credit: float
    equivalent: bool
    method: Method
    interpretation: str
    mistake: Mistake | None
    split_results: Mapping[str, bool]
    reasons: tuple[Reason, ...]
    feedback: tuple[str, ...]
    undecided: bool
    parsed: str


# ----- random testing ---------------------------------------------------------------------------
Series = Callable[[int], Any]


class _Trials:
    """The instances of one judgement, drawn lazily and deterministically from the seed (the
    i-th instance depends only on (seed, i)), and cached values of expressions on them."""

    def __init__(
        self, context: Context, interpretation: Interpretation, seed: int, samples: int
    ) -> None:
        self.context = context
        self.interpretation = interpretation
        self.seed = seed % 2**63
        self.samples = samples
        self.attempts = samples * ATTEMPTS_PER_SAMPLE
        self.instances: dict[int, Instance] = {}

    def instance(self, i: int) -> Instance:
        if i not in self.instances:
            rng = np.random.default_rng([self.seed, i])
            self.instances[i] = draw_instance(self.context, self.interpretation, rng)
        return self.instances[i]

    def series(self, node: IR) -> Series:
        cache: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in cache:
                cache[i] = evaluate_unguarded(node, self.instance(i), self.interpretation)
            return cache[i]

        return value

    def function_series(self, fn: Callable[[Mapping[str, Any]], Any]) -> Series:
        cache: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in cache:
                vector = np.asarray(fn(self.instance(i).values), dtype=float)
                if vector.shape != (self.instance(i).k,):
                    raise ContextError(
                        f"reference_fn returned shape {vector.shape}, expected "
                        f"({self.instance(i).k},)"
                    )
                cache[i] = vector
            return cache[i]

        return value

    def compare(self, answer: Series, reference: Series, mask: Series | None = None) -> _Verdict:
        """Compare on the first `samples` comparable instances (both finite where judged)."""
        with np.errstate(all="ignore"):
            return self._compare(answer, reference, mask)

    def _compare(self, answer: Series, reference: Series, mask: Series | None) -> _Verdict:
        compared = 0
        for i in range(self.attempts):
            ref = reference(i)
            if not np.all(np.isfinite(ref)):
                continue
            got = answer(i)
            if np.shape(got) != np.shape(ref):
                return _Verdict(False, compared + 1)
            where = np.ones(np.shape(ref), dtype=bool) if mask is None else mask(i)
            if not np.all(np.isfinite(got[where])):
                continue
            compared += 1
            if not _close(got[where], ref[where], np.max(np.abs(ref), initial=0.0)):
                return _Verdict(False, compared)
            if compared >= self.samples:
                break
        return _Verdict(None if compared == 0 else True, compared)


@dataclass(frozen=True)
class _Verdict:
    equal: bool | None  # None: no comparable instance
    compared: int


def _close(got: Any, ref: Any, scale: float) -> bool:
    """Entrywise |got - ref| <= 1e-9 * scale, scale = the largest |reference| entry of the
    whole instance (so tiny entries are judged against the vector's scale)."""
    bound = RELATIVE_TOLERANCE * max(_TINY, float(scale))
    return bool(np.all(np.abs(np.asarray(got) - np.asarray(ref)) <= bound))


# ----- entry points -----------------------------------------------------------------------------
def judge(
    student: Node, spec: SymbolicSpec, context: Context, *, seed: int, samples: int = 6
) -> Judgement:
    """Judge `student` against `spec` in `context`. Raises ResolveError for unknown names and
    functions (the answer is then unparseable), ContextError for an unusable rubric."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be in 1..{MAX_SAMPLES}")
    node, from_equation = final_rhs(student)
    resolved = resolve(node, context)
    lead = ["Judged the right-hand side of your equation."] if from_equation else []
    lead += resolved.notes
    if context.free_index is not None:
        return _IndexJudge(node, resolved.ir, spec, context, seed, samples, lead).run()
    return _SymbolicJudge(node, resolved.ir, spec, context, seed, samples, lead).run()


def validate_reference(node: Node, context: Context) -> list[str]:
    """Rubric-time check of a reference expression: names resolve, shapes fit (matrix
    contexts), and it can be evaluated on random instances. Returns problems (empty if fine)."""
    try:
        ir = resolve(final_rhs(node)[0], context).ir
    except ResolveError as exc:
        return [f"reference: {exc.message}"]
    interpretations = [Interpretation.INDEX] if context.free_index else [Interpretation.SCALAR]
    if context.free_index is None and context.has_arrays:
        try:
            ir_matrix = plan(ir, context).ir
        except ShapeError as exc:
            return [f"reference: the shapes do not fit: {exc.message}"]
        interpretations.append(Interpretation.MATRIX)
    for interpretation in interpretations:
        tree = ir_matrix if interpretation is Interpretation.MATRIX else ir
        trials = _Trials(context, interpretation, 0, 3)
        try:
            series = trials.series(tree)
            with np.errstate(all="ignore"):
                finite = any(np.all(np.isfinite(series(i))) for i in range(trials.attempts))
        except ContextError as exc:
            return [f"reference: {exc}"]
        if not finite:
            return [f"reference: not finite on any random {interpretation.value} instance"]
    return []


def validate_spec(spec: SymbolicSpec, context: Context) -> list[str]:
    """Rubric-time check of a whole spec (reference, orientation, mistakes, splits)."""
    problems: list[str] = []
    if (spec.reference is None) == (spec.reference_fn is None):
        problems.append("give exactly one of a reference expression and a reference_fn")
    if spec.reference_fn is not None and context.free_index is None:
        problems.append("reference_fn needs a context with a free index")
    if spec.orientation not in ORIENTATIONS:
        problems.append(f"orientation must be one of {sorted(ORIENTATIONS)}")
    problems += _mistake_problems(spec)
    problems += _split_problems(spec, context)
    if spec.reference is not None:
        problems += validate_reference(spec.reference, context)
    return problems


def _mistake_problems(spec: SymbolicSpec) -> list[str]:
    problems = []
    ids = [m.id for m in spec.mistakes]
    if len(set(ids)) != len(ids):
        problems.append("mistake ids must be unique")
    for mistake in spec.mistakes:
        if mistake.kind not in MISTAKE_KINDS:
            problems.append(f"mistake {mistake.id}: kind must be one of {sorted(MISTAKE_KINDS)}")
        if not 0.0 <= mistake.credit <= 1.0:
            problems.append(f"mistake {mistake.id}: credit must be within 0..1")
        if mistake.kind == "drop_factor" and spec.reference is None:
            problems.append(f"mistake {mistake.id}: drop_factor needs a reference expression")
    if spec.mistakes and spec.splits:
        problems.append("mistakes are not tried for answers judged per split")
    return problems


def _split_problems(spec: SymbolicSpec, context: Context) -> list[str]:
    problems = []
    if spec.splits and context.free_index is None:
        problems.append("splits need a context with a free index")
    ids = [s.id for s in spec.splits]
    if len(set(ids)) != len(ids):
        problems.append("split ids must be unique")
    for split in spec.splits:
        if not split.weight > 0:
            problems.append(f"split {split.id}: weight must be positive")
        if context.free_index is not None:
            try:
                _split_condition(split, context)
            except (ParseError, ResolveError) as exc:
                problems.append(f"split {split.id}: {exc}")
    if spec.only_split is not None and spec.only_split not in ids:
        problems.append(f"only_split {spec.only_split!r} is not a split id")
    return problems


def _split_condition(split: Split, context: Context) -> IR:
    relation = parse(split.condition)
    if not isinstance(relation, Relation):
        raise ResolveError(Reason.SYNTAX, f"condition {split.condition!r} is not a relation")
    return resolve(AstIndicator((relation,)), context).ir


def _reference_ir(spec: SymbolicSpec, context: Context) -> IR:
    if spec.reference is None:
        raise ContextError("this answer needs a reference expression")
    try:
        return resolve(final_rhs(spec.reference)[0], context).ir
    except ResolveError as exc:
        raise ContextError(f"the reference does not resolve: {exc.message}") from exc


def _variants(mistake: Mistake, reference: IR) -> list[tuple[IR, str]]:
    """The reference as the mistake would make it, with a sentence naming the mistake."""
    if mistake.kind == "negate":
        return [(Unary("neg", reference, reference.src), "Your answer has the wrong overall sign.")]
    if mistake.kind != "drop_factor":
        return []
    out = []
    for node in ir_walk(reference):
        if isinstance(node, Apply) and not node.builtin and node.primes > 0:
            variant = replace_node(reference, node)
            out.append((variant, f"Your answer is missing the factor {to_text(node.src)}."))
    return out


def _mistake_feedback(mistake: Mistake, sentence: str) -> list[str]:
    """The rubric's sentence for a mistake, plus ours when it adds something: the missing
    factor is always named; our sign sentence only stands in for a missing rubric sentence."""
    if not mistake.feedback:
        return [sentence]
    if mistake.kind == "drop_factor":
        return [mistake.feedback, sentence]
    return [mistake.feedback]


# ----- scalar and matrix answers -----------------------------------------------------------------
@dataclass(frozen=True)
class _Outcome:
    equal: bool | None
    method: Method
    compared: int = 0
    transposed: bool = False
    notes: tuple[str, ...] = ()


class _SymbolicJudge:
    """Judging one answer in the scalar or matrix interpretation."""

    def __init__(
        self,
        node: Node,
        ir: IR,
        spec: SymbolicSpec,
        context: Context,
        seed: int,
        samples: int,
        lead: list[str],
    ) -> None:
        self.node = node
        self.ir = ir
        self.spec = spec
        self.context = context
        self.reference = _reference_ir(spec, context)
        matrix = uses_matrix_notation(ir)
        self.interpretation = Interpretation.MATRIX if matrix else Interpretation.SCALAR
        self.trials = _Trials(context, self.interpretation, seed, samples)
        self.feedback = list(lead)
        if context.has_arrays:
            self.feedback.append(
                "Read as a matrix expression (it uses transposes, elementwise products or diag)."
                if matrix
                else "Read with every quantity a scalar (no matrix notation)."
            )

    def run(self) -> Judgement:
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
            return self._undecided(outcome)
        for mistake in self.spec.mistakes:
            for variant, sentence in _variants(mistake, self.reference):
                found = self._against(answer, variant, strict=False)
                if found.equal:
                    texts = _mistake_feedback(mistake, sentence)
                    return self._verdict(
                        False, found.method, [Reason.MISTAKE], texts, mistake.credit, mistake
                    )
        if outcome.method is Method.STRUCTURAL:
            reasons = [Reason.SHAPE_MISMATCH]
            return self._verdict(False, Method.STRUCTURAL, reasons, list(outcome.notes))
        text = (
            "Your answer does not equal the expected expression "
            "(they differ for random values of the quantities)."
        )
        return self._verdict(False, outcome.method, [Reason.NOT_EQUIVALENT], [text])

    def _planned(self, ir: IR) -> _Planned:
        if self.interpretation is Interpretation.SCALAR:
            return _Planned(ir, None, ())
        result = plan(ir, self.context)
        return _Planned(result.ir, result.shape, result.notes)

    def _against(self, answer: _Planned, reference: IR, strict: bool = True) -> _Outcome:
        """Compare the answer with one reference tree: the true one (`strict`: its shapes must
        fit) or a mistake variant (one that does not fit simply does not match)."""
        if self.interpretation is Interpretation.SCALAR:
            if prove_equal(answer.ir, reference, self.context):
                return _Outcome(True, Method.EXACT)
            verdict = self.trials.compare(self.trials.series(answer.ir), self._series(reference))
            return _Outcome(verdict.equal, Method.RANDOM, verdict.compared)
        try:
            ref = plan(reference, self.context)
        except ShapeError as exc:
            if not strict:
                return _Outcome(False, Method.STRUCTURAL)
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
            return _Outcome(False, Method.STRUCTURAL, notes=(note,))
        return self._best(answer, candidates)

    def _best(self, answer: _Planned, candidates: list[tuple[IR, bool]]) -> _Outcome:
        results = []
        for tree, flipped in candidates:
            verdict = self.trials.compare(self.trials.series(answer.ir), self._series(tree))
            if verdict.equal:
                return _Outcome(True, Method.RANDOM, verdict.compared, flipped)
            results.append(verdict)
        undecided = any(v.equal is None for v in results)
        compared = max(v.compared for v in results)
        return _Outcome(None if undecided else False, Method.RANDOM, compared)

    def _series(self, tree: IR) -> Series:
        return self.trials.series(tree)

    def _equivalent(self, outcome: _Outcome) -> Judgement:
        reasons = [Reason.EQUIVALENT]
        if outcome.method is Method.EXACT:
            texts = ["Your answer equals the expected expression (shown symbolically)."]
        else:
            texts = [
                "Your answer equals the expected expression on "
                f"{outcome.compared} random instances."
            ]
        if outcome.transposed:
            reasons.append(Reason.ORIENTATION)
            texts.append("Accepted in the transposed layout.")
        return self._verdict(True, outcome.method, reasons, texts, 1.0)

    def _undecided(self, outcome: _Outcome) -> Judgement:
        text = (
            "Your answer could not be evaluated on any random instance (for example a logarithm "
            "or square root of a negative value, or a division by zero); a TA will check it."
        )
        return self._verdict(False, Method.NONE, [Reason.UNDECIDED], [text], undecided=True)

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
            parsed=to_text(self.node),
        )


@dataclass(frozen=True)
class _Planned:
    ir: IR
    shape: tuple[Any, Any] | None
    notes: tuple[str, ...]


# ----- index answers ---------------------------------------------------------------------------
class _IndexJudge:
    """Judging one answer in the index interpretation (a vector over the free index)."""

    def __init__(
        self,
        node: Node,
        ir: IR,
        spec: SymbolicSpec,
        context: Context,
        seed: int,
        samples: int,
        lead: list[str],
    ) -> None:
        self.node = node
        self.spec = spec
        self.context = context
        self.trials = _Trials(context, Interpretation.INDEX, seed, samples)
        self.answer = self.trials.series(ir)
        self.reference_ir: IR | None = None
        if spec.reference_fn is not None:
            self.reference = self.trials.function_series(spec.reference_fn)
        else:
            self.reference_ir = _reference_ir(spec, context)
            self.reference = self.trials.series(self.reference_ir)
        self.feedback = list(lead)

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
        try:
            condition = self.trials.series(_split_condition(split, self.context))
        except (ParseError, ResolveError) as exc:
            raise ContextError(f"split {split.id}: {exc}") from exc
        return lambda i: np.asarray(condition(i)) > 0.5

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
        for mistake in self.spec.mistakes:
            for series, sentence in self._variant_series(mistake):
                if self.trials.compare(self.answer, series).equal:
                    self.feedback += _mistake_feedback(mistake, sentence)
                    return self._verdict(
                        mistake.credit, False, Method.RANDOM, [Reason.MISTAKE], mistake=mistake
                    )
        self.feedback.append("Your answer does not equal the expected expression.")
        return self._verdict(0.0, False, Method.RANDOM, [Reason.NOT_EQUIVALENT])

    def _variant_series(self, mistake: Mistake) -> list[tuple[Series, str]]:
        if self.reference_ir is not None:
            return [
                (self.trials.series(tree), sentence)
                for tree, sentence in _variants(mistake, self.reference_ir)
            ]
        if mistake.kind == "negate":
            reference = self.reference
            return [(lambda i: -reference(i), "Your answer has the wrong overall sign.")]
        return []

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
            parsed=to_text(self.node),
        )
