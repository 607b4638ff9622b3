"""Arithmetic on matrix literals (open contexts), folded into one literal at resolve time.

`Matrix([[1, 2], [3, 4]]) * Matrix([[x], [1]])` becomes the literal whose entries are the
resolved trees 1*x + 2*1 and 3*x + 4*1, so that comparing matrices is comparing entries. Sums,
differences and elementwise products need equal shapes, products fitting ones; a scalar scales
every entry; `^T` transposes; a whole-number power of a square matrix is repeated
multiplication; `det(A)` and `|A|` are the determinant (Laplace expansion, at most MAX_DET
rows). Anything else with a matrix in it (`sin(A)`, `1/A`, `A + 1`) is a WRONG_SHAPE error.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import permutations

from grader.engine.calculus import ZERO, add, mul, neg, sub
from grader.engine.errors import ResolveError
from grader.engine.ir import IR, Binary, Const, MatrixLit
from grader.mathlang.ast import Node
from grader.model import Reason

MAX_DET = 5  # rows of a determinant (5! = 120 products)
MAX_POWER = 10  # exponent of a matrix power


def _shape(m: MatrixLit) -> str:
    return "{} x {}".format(*m.shape)


def _error(message: str, src: Node) -> ResolveError:
    return ResolveError(Reason.WRONG_SHAPE, message, src.span)


def _entries(m: MatrixLit, fn: Callable[[IR], IR]) -> MatrixLit:
    rows = tuple(tuple(fn(e) for e in row) for row in m.rows)
    return MatrixLit(rows, m.src)


def transpose(m: MatrixLit) -> MatrixLit:
    """The transposed literal."""
    return MatrixLit(tuple(zip(*m.rows, strict=True)), m.src)


def negate(m: MatrixLit) -> MatrixLit:
    """Every entry negated."""
    return _entries(m, neg)


def combine(op: str, left: IR, right: IR, src: Node) -> IR:
    """`left op right` where at least one side is a matrix literal (`op` as in ir.Binary)."""
    if isinstance(left, MatrixLit) and isinstance(right, MatrixLit):
        return _both(op, left, right, src)
    if isinstance(left, MatrixLit):
        if op == "mul":
            return _entries(left, lambda e: mul(e, right))
        if op == "div":
            return _entries(left, lambda e: Binary("div", e, right, src))
        if op == "pow":
            return _power(left, right, src)
    elif isinstance(right, MatrixLit) and op == "mul":
        return _entries(right, lambda e: mul(left, e))
    raise _error("this operation has no meaning for a matrix and a number", src)


def _both(op: str, left: MatrixLit, right: MatrixLit, src: Node) -> MatrixLit:
    if op == "mul":
        return product(left, right, src)
    if op not in ("add", "sub", "had"):
        raise _error("this operation has no meaning for two matrices", src)
    if left.shape != right.shape:
        raise _error(f"matrices of shapes {_shape(left)} and {_shape(right)} do not fit", src)
    join = {"add": add, "sub": sub, "had": mul}[op]
    rows = tuple(
        tuple(join(a, b) for a, b in zip(ra, rb, strict=True))
        for ra, rb in zip(left.rows, right.rows, strict=True)
    )
    return MatrixLit(rows, src)


def product(left: MatrixLit, right: MatrixLit, src: Node) -> MatrixLit:
    """The matrix product."""
    (n, k), (k2, m) = left.shape, right.shape
    if k != k2:
        raise _error(f"a {_shape(left)} matrix times a {_shape(right)} matrix", src)
    rows = []
    for i in range(n):
        row = []
        for j in range(m):
            total: IR = ZERO
            for t in range(k):
                total = add(total, mul(left.rows[i][t], right.rows[t][j]))
            row.append(total)
        rows.append(tuple(row))
    return MatrixLit(tuple(rows), src)


def _power(m: MatrixLit, exponent: IR, src: Node) -> MatrixLit:
    rows, cols = m.shape
    if not (isinstance(exponent, Const) and exponent.value.denominator == 1):
        raise _error("a matrix can only be raised to a whole-number power", src)
    count = int(exponent.value)
    if rows != cols or not 1 <= count <= MAX_POWER:
        raise _error(f"only square matrices have powers 1..{MAX_POWER}", src)
    result = m
    for _ in range(count - 1):
        result = product(result, m, src)
    return result


def determinant(m: MatrixLit, src: Node) -> IR:
    """The determinant of a square literal, by the Leibniz formula."""
    rows, cols = m.shape
    if rows != cols:
        raise _error(f"a {_shape(m)} matrix has no determinant", src)
    if rows > MAX_DET:
        raise ResolveError(Reason.TOO_LARGE, f"determinants of more than {MAX_DET} rows", src.span)
    total: IR = ZERO
    for perm in permutations(range(rows)):
        term: IR = Const(Fraction(_sign(perm)))
        for i, j in enumerate(perm):
            term = mul(term, m.rows[i][j])
        total = add(total, term)
    return total


def _sign(perm: tuple[int, ...]) -> int:
    inversions = sum(1 for i in range(len(perm)) for j in range(i) if perm[j] > perm[i])
    return -1 if inversions % 2 else 1
