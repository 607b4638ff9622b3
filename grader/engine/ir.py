"""The resolved tree: a student's (or a reference's) expression after name resolution.

The parser's tree (`grader.mathlang.ast`) keeps names unresolved. `grader.engine.resolve` turns it
into these nodes, where every name has been looked up in a rubric context: a declared symbol (in an
open context, any free name), a declared function, a built-in function, a named constant, an
index (free, label or bound), an element of an index family, a Kronecker delta, the variable of
a finite sum, or a matrix literal. The numeric interpreters (`evaluate` with floats, `precise`
with mpmath), the shape planner (`shapes`), the symbolic prover (`exact`) and the structural
comparison (`structural`) all work on this tree only.

Every node keeps `src`, the parser node it came from (for messages via `to_text`); `src` takes
no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from grader.mathlang.ast import NO_SPAN, Node, Number


def _src() -> Node:
    placeholder: Node = Number("0", Fraction(0), NO_SPAN)
    return field(default=placeholder, compare=False, repr=False)


class IndexRole(StrEnum):
    """What an index stands for."""

    FREE = "free"  # the context's free index (`j`)
    LABEL = "label"  # a declared label such as the true class `y_i`
    BOUND = "bound"  # the index of an enclosing sum (`l`)


@dataclass(frozen=True)
class Index:
    """An index (0-based class number at evaluation time). `axis` is the array axis of a free
    (0) or bound index in the vectorised index interpretation; labels have no axis."""

    name: str
    role: IndexRole
    axis: int = 0
    src: Node = _src()


@dataclass(frozen=True)
class Const:
    """An exact numeric constant."""

    value: Fraction
    src: Node = _src()


# Named constants: Euler's number, pi, the imaginary unit.
CONSTANTS = frozenset({"e", "pi", "i"})


@dataclass(frozen=True)
class Constant:
    """A named constant (one of CONSTANTS): `e` and `pi` when the context declares no symbol
    of that name, the imaginary unit only where the context names one."""

    name: str
    src: Node = _src()


@dataclass(frozen=True)
class Sym:
    """A declared scalar, vector, matrix or count symbol, by its declared name."""

    name: str
    src: Node = _src()


@dataclass(frozen=True)
class Local:
    """The variable of an enclosing finite sum (`k` in `Sum(k^2, (k, 1, n))`)."""

    name: str
    src: Node = _src()


@dataclass(frozen=True)
class IndexValue:
    """An index used as a number: its 1-based class number (classes are 1..k to students)."""

    index: Index
    src: Node = _src()


@dataclass(frozen=True)
class Family:
    """One element of a declared family (`p_j`, `o_{y_i}`, `p_l`)."""

    name: str
    index: Index
    src: Node = _src()


@dataclass(frozen=True)
class Delta:
    """The Kronecker delta of two indices."""

    left: Index
    right: Index
    src: Node = _src()


@dataclass(frozen=True)
class Apply:
    """A function application. `builtin` is False for declared (random, differentiable)
    functions, where `primes` counts derivatives; built-ins never carry primes."""

    func: str
    args: tuple[IR, ...]
    primes: int = 0
    builtin: bool = False
    src: Node = _src()


# Unary operators.
UNARY_OPS = frozenset({"neg", "transpose"})

# Binary operators. "mul" is the written product whose kind the interpretation decides; the
# matrix planner replaces it (and "had") with one of "matmul", "scale" or "emul".
BINARY_OPS = frozenset({"add", "sub", "mul", "had", "div", "pow", "matmul", "scale", "emul"})


@dataclass(frozen=True)
class Unary:
    """A unary operation; `op` is one of UNARY_OPS."""

    op: str
    operand: IR
    src: Node = _src()


@dataclass(frozen=True)
class Binary:
    """A binary operation; `op` is one of BINARY_OPS."""

    op: str
    left: IR
    right: IR
    src: Node = _src()


@dataclass(frozen=True)
class Cond:
    """A relation inside an indicator or a sum condition; sides are numbers (indices as their
    class numbers), `op` one of "=", "!=", "<", "<=", ">", ">="."""

    op: str
    left: IR
    right: IR
    src: Node = _src()


@dataclass(frozen=True)
class Indicator:
    """1 when every condition holds, else 0."""

    conds: tuple[Cond, ...]
    src: Node = _src()


@dataclass(frozen=True)
class Bool:
    """Statements joined by "and" or "or" (a whole answer `x > 1 and x < 5`); the items are
    Conds or Bools."""

    op: str
    items: tuple[IR, ...]
    src: Node = _src()


@dataclass(frozen=True)
class SetOf:
    """A finite set of values written out (`\\{2, -2\\}`, open contexts)."""

    items: tuple[IR, ...]
    src: Node = _src()


@dataclass(frozen=True)
class Summation:
    """A sum over the classes of a bound index at array axis `axis`, restricted by `conds` and
    by the range `lower`..`upper` when written (1-based unless `lower` is 0)."""

    var: str
    axis: int
    body: IR
    conds: tuple[Cond, ...] = ()
    lower: IR | None = None
    upper: IR | None = None
    src: Node = _src()


@dataclass(frozen=True)
class FiniteSum:
    """`sum_{var = lower}^{upper} body` over whole numbers (open contexts): defined where both
    bounds are whole numbers; an upper bound below the lower one gives the empty sum's Karr
    convention, -sum_{upper+1}^{lower-1}."""

    var: str
    lower: IR
    upper: IR
    body: IR
    src: Node = _src()


@dataclass(frozen=True)
class MatrixLit:
    """A matrix written out entry by entry (`Matrix([[1, x], [2, y]])`), rows of equal length."""

    rows: tuple[tuple[IR, ...], ...]
    src: Node = _src()

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self.rows), len(self.rows[0])


IR = (
    Const
    | Constant
    | Sym
    | Local
    | IndexValue
    | Family
    | Delta
    | Apply
    | Unary
    | Binary
    | Cond
    | Indicator
    | Summation
    | FiniteSum
    | MatrixLit
    | Bool
    | SetOf
)


def ir_children(node: IR) -> tuple[IR, ...]:
    """The direct value sub-nodes of `node` (indices excluded)."""
    if isinstance(node, Apply):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Cond)):
        return (node.left, node.right)
    if isinstance(node, Indicator):
        return node.conds
    if isinstance(node, (Bool, SetOf)):
        return node.items
    if isinstance(node, Summation):
        extra = tuple(n for n in (node.lower, node.upper) if n is not None)
        return (*node.conds, *extra, node.body)
    if isinstance(node, FiniteSum):
        return (node.lower, node.upper, node.body)
    if isinstance(node, MatrixLit):
        return tuple(entry for row in node.rows for entry in row)
    return ()


def ir_walk(node: IR) -> list[IR]:
    """All nodes in pre-order, iteratively."""
    out: list[IR] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(ir_children(current)))
    return out


MATRIX_FUNCTIONS = frozenset({"diag", "norm", "norm1", "norm2", "norminf"})


def uses_matrix_notation(node: IR) -> bool:
    """True when the tree uses a transpose, an elementwise product, `diag` or a norm: such an
    answer is judged only in the matrix interpretation (so that a missing transpose is caught,
    and \\|v\\|_1 is not |v|)."""
    for item in ir_walk(node):
        if isinstance(item, Unary) and item.op == "transpose":
            return True
        if isinstance(item, Binary) and item.op == "had":
            return True
        if isinstance(item, Apply) and item.builtin and item.func in MATRIX_FUNCTIONS:
            return True
    return False


def max_axis(node: IR) -> int:
    """The largest index axis used by sums in the tree (0 when there is no sum)."""
    return max((n.axis for n in ir_walk(node) if isinstance(n, Summation)), default=0)
