"""Random instances of a context, for random testing.

- SCALAR: every undefined scalar, vector and matrix symbol gets one normal number (both signs);
- MATRIX: the context's dimensions get DISTINCT sizes in 2..7 (so every weight matrix is
  non-square and a missing transpose cannot fit by accident), symbols get normal entries of
  their declared shapes;
- INDEX: the solver's sampler (`sampler:` in the rubric) produces the instance (class count,
  true label, families, margin), which is checked here.
In every interpretation each declared function gets its own RandomFunction, and defined symbols
(`z2 = f2(s2)`) are computed from their definitions in dependency order, so `z2` and `f2(s2)`
agree on every instance.

Open contexts are tested at exact points instead (`draw_points`): continuous values on both
signs and a lattice of simple values, within the names' assumptions.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Instance, Interpretation, evaluate_unguarded
from grader.engine.functions import RandomFunction
from grader.engine.symbols import SymbolInfo, SymbolKind

_MIN_DIM = 2
_MAX_DIM = 7
# Index answers are evaluated on arrays of k^(1 + sum nesting) cells: bound k.
MAX_CLASSES = 30


def draw_instance(
    context: Context, interpretation: Interpretation, rng: np.random.Generator
) -> Instance:
    """One random instance of `context` in `interpretation`."""
    if interpretation is Interpretation.INDEX:
        return _index_instance(context, rng)
    dims = _draw_dims(context.dims, rng) if interpretation is Interpretation.MATRIX else {}
    values: dict[str, Any] = {}
    for info in context.symbols.values():
        if info.kind is SymbolKind.FUNCTION:
            values[info.name] = RandomFunction.draw(rng)
        elif info.define is None:
            values[info.name] = _draw_value(info, interpretation, dims, rng)
    return _with_definitions(context, values, interpretation, dims)


def _draw_dims(names: tuple[str, ...], rng: np.random.Generator) -> dict[str, int]:
    top = max(_MAX_DIM, _MIN_DIM + len(names) - 1)
    sizes = rng.permutation(top - _MIN_DIM + 1)[: len(names)] + _MIN_DIM
    return {name: int(size) for name, size in zip(names, sizes, strict=True)}


def _draw_value(
    info: SymbolInfo,
    interpretation: Interpretation,
    dims: Mapping[str, int],
    rng: np.random.Generator,
) -> Any:
    if interpretation is Interpretation.SCALAR:
        return np.float64(rng.normal())
    rows, cols = info.shape or (1, 1)
    shape = (_size(rows, dims), _size(cols, dims))
    return rng.normal(size=shape)


def _size(dim: str | int, dims: Mapping[str, int]) -> int:
    return dim if isinstance(dim, int) else dims[dim]


def _with_definitions(
    context: Context,
    values: dict[str, Any],
    interpretation: Interpretation,
    dims: Mapping[str, int],
) -> Instance:
    matrix = interpretation is Interpretation.MATRIX
    trees = context.matrix_definitions if matrix else context.definitions
    with np.errstate(all="ignore"):
        for name in context.define_order:
            tree = trees[name]
            values[name] = evaluate_unguarded(tree, Instance(values, 0, dims), interpretation)
    return Instance(values, 0, dims)


def _index_instance(context: Context, rng: np.random.Generator) -> Instance:
    if context.sampler is None:
        raise ContextError(f"context {context.name}: an index context needs a sampler")
    raw = context.sampler(rng)
    if not isinstance(raw, Mapping):
        raise ContextError(f"sampler {context.sampler_name} did not return a mapping")
    k = _class_count(context, raw)
    values: dict[str, Any] = {}
    for info in context.symbols.values():
        if info.kind is SymbolKind.FUNCTION:
            values[info.name] = RandomFunction.draw(rng)
            continue
        if info.name not in raw:
            raise ContextError(f"sampler {context.sampler_name} gave no value for {info.name}")
        values[info.name] = _checked(info, raw[info.name], k, context)
    return Instance(values, k)


def _class_count(context: Context, raw: Mapping[str, Any]) -> int:
    counts = [n for n, s in context.symbols.items() if s.kind is SymbolKind.COUNT]
    families = [n for n, s in context.symbols.items() if s.kind is SymbolKind.FAMILY]
    if counts and counts[0] in raw:
        k = raw[counts[0]]
    elif families and families[0] in raw:
        k = len(raw[families[0]])
    else:
        raise ContextError(f"sampler {context.sampler_name}: no class count")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_CLASSES:
        raise ContextError(
            f"sampler {context.sampler_name}: class count {k!r} is not within 1..{MAX_CLASSES}"
        )
    return int(k)


def _checked(info: SymbolInfo, value: Any, k: int, context: Context) -> Any:
    where = f"sampler {context.sampler_name}, {info.name}"
    if info.kind is SymbolKind.FAMILY:
        array = np.asarray(value, dtype=float)
        if array.shape != (k,):
            raise ContextError(f"{where}: expected {k} values, got shape {array.shape}")
        return array
    if info.kind in (SymbolKind.LABEL, SymbolKind.COUNT):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ContextError(f"{where}: expected an integer")
        if info.kind is SymbolKind.LABEL and not 0 <= int(value) < k:
            raise ContextError(f"{where}: label {value} outside 0..{k - 1}")
        return int(value)
    array = np.asarray(value, dtype=float)
    if info.kind is SymbolKind.SCALAR and array.shape != ():
        raise ContextError(f"{where}: expected a number")
    return np.float64(array) if array.shape == () else array


# ----- points for open contexts (precise random testing) -------------------------------------
CONTINUOUS_POINTS = 12
LATTICE = tuple(
    Fraction(v) for v in ("-3", "-2", "-3/2", "-1", "-1/2", "1/2", "1", "3/2", "2", "3")
)
MAX_LATTICE = 400
LATTICE_WORK = 60_000  # points x tree size for the lattice


def draw_points(
    names: Sequence[str],
    assumptions: Mapping[str, str],
    integers: frozenset[str],
    seed: int,
    size: int,
) -> list[dict[str, Fraction]]:
    """Points for an open context's free names, as exact fractions: CONTINUOUS_POINTS
    continuous points on BOTH signs (magnitudes 0.2..3.2; the sign pattern of the first four
    names runs through every combination), then a lattice of simple values (+-1/2, +-1, +-3/2,
    +-2, +-3: all combinations when few enough, else a seeded sample within a work budget),
    which reaches the real slices continuous sampling misses ((a^2)^(1/2) = |a| at a = -2).
    Assumptions restrict the values (positive, integer...); `integers` (bounds of sums) get
    whole numbers 1..4."""
    rng = random.Random(seed)
    points: list[dict[str, Fraction]] = []
    for j in range(CONTINUOUS_POINTS if names else 0):
        point = {}
        for k, name in enumerate(names):
            sign = (-1 if (j >> k) & 1 else 1) if k < 4 else rng.choice((-1, 1))
            point[name] = _continuous(assumptions.get(name), name in integers, rng, sign)
        points.append(point)
    grids = [_lattice(assumptions.get(name), name in integers) for name in names]
    total = math.prod(len(g) for g in grids)
    budget = max(24, min(MAX_LATTICE, LATTICE_WORK // max(1, size)))
    if total <= budget:
        combos = list(itertools.product(*grids))
    else:
        combos = [tuple(rng.choice(g) for g in grids) for _ in range(budget)]
    points.extend(dict(zip(names, combo, strict=True)) for combo in combos)
    return points or [{}]


def _lattice(assumption: str | None, integer: bool) -> tuple[Fraction, ...]:
    values = LATTICE
    if assumption == "integer" or integer:
        values = tuple(v for v in values if v.denominator == 1)
    if assumption == "positive":
        values = tuple(v for v in values if v > 0)
    elif assumption == "negative":
        values = tuple(v for v in values if v < 0)
    elif assumption == "nonnegative":
        values = (*(v for v in values if v >= 0), Fraction(0))
    elif assumption == "nonpositive":
        values = (*(v for v in values if v <= 0), Fraction(0))
    return values


def _continuous(assumption: str | None, integer: bool, rng: random.Random, sign: int) -> Fraction:
    if assumption == "integer" or integer:
        value = Fraction(rng.randint(1, 4))
    else:
        value = Fraction(round(10 ** rng.uniform(-0.7, 0.5) * 10**6), 10**6)
    if assumption in ("positive", "nonnegative"):
        return value
    if assumption in ("negative", "nonpositive"):
        return -value
    return value * sign
