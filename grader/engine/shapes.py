"""Shapes in the matrix interpretation, decided once per expression with symbolic dimensions.

Every value is a matrix whose two dimensions are dimension names from the context (`n1`) or
literal integers (a scalar is 1 x 1, a column vector n x 1). Planning walks the resolved tree,
checks that every operation fits, and rewrites each written product into the product it
means: "scale" (one side 1 x 1), "matmul", or "emul" (elementwise: a hadamard product, or `*`
between two IDENTICAL n x 1 vectors, which earns a note). Because random instances give every
dimension a distinct size, a plan that fits symbolically fits every instance, and a misfit is
a definite shape mismatch, reported with the clashing operands ("W2 (n2 x n1) times ...").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from grader.engine.functions import ELEMENTWISE, NORMS
from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Cond,
    Const,
    Constant,
    Delta,
    Family,
    FiniteSum,
    IndexValue,
    Indicator,
    Local,
    MatrixLit,
    Summation,
    Sym,
    Unary,
)
from grader.mathlang import to_text

if TYPE_CHECKING:
    from grader.engine.context import Context

Dim = str | int
Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)


class ShapeError(Exception):
    """An operation whose operands do not fit. `message` names the operands and their shapes."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Plan:
    """A tree ready for matrix evaluation, its result shape, and notes for the student."""

    ir: IR
    shape: Shape
    notes: tuple[str, ...]


def format_shape(shape: Shape) -> str:
    """`n2 x n1`; a 1 x 1 shape reads `scalar`."""
    if shape == SCALAR:
        return "scalar"
    return f"{shape[0]} x {shape[1]}"


def transposed(shape: Shape) -> Shape:
    """The shape of the transpose."""
    return (shape[1], shape[0])


def plan(node: IR, context: Context) -> Plan:
    """Check every operation of `node` against the context's declared shapes and decide every
    product. Raises ShapeError naming the first clash (in evaluation order)."""
    planner = _Planner(context)
    ir, shape = planner.visit(node)
    return Plan(ir, shape, tuple(dict.fromkeys(planner.notes)))


def _describe(node: IR, shape: Shape) -> str:
    return f"{to_text(node.src)} ({format_shape(shape)})"


class _Planner:
    """One planning pass (holds the notes it produces)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.notes: list[str] = []
        self.handlers = self._handlers()

    def visit(self, node: IR) -> tuple[IR, Shape]:
        handler = self.handlers.get(type(node))
        if handler is None:
            # Families, deltas and sums only occur in index contexts, never planned.
            raise ShapeError(f"{to_text(node.src)} has no meaning in matrix notation")
        return handler(node)

    def _handlers(self) -> dict[type, Callable[..., tuple[IR, Shape]]]:
        return {
            Const: self._scalar_leaf,
            Constant: self._scalar_leaf,
            IndexValue: self._scalar_leaf,
            Sym: self._sym,
            Apply: self._apply,
            Unary: self._unary,
            Binary: self._binary,
            Indicator: self._indicator,
            Family: self._unsupported,
            Delta: self._unsupported,
            Summation: self._unsupported,
            Cond: self._unsupported,
            Local: self._unsupported,
            FiniteSum: self._unsupported,
            MatrixLit: self._unsupported,
        }

    def _unsupported(self, node: IR) -> tuple[IR, Shape]:
        raise ShapeError(f"{to_text(node.src)} has no meaning in matrix notation")

    def _scalar_leaf(self, node: IR) -> tuple[IR, Shape]:
        return node, SCALAR

    def _sym(self, node: Sym) -> tuple[IR, Shape]:
        return node, self.context.shape_of(node.name)

    def _unary(self, node: Unary) -> tuple[IR, Shape]:
        operand, shape = self.visit(node.operand)
        if node.op == "transpose":
            shape = transposed(shape)
        return replace(node, operand=operand), shape

    def _indicator(self, node: Indicator) -> tuple[IR, Shape]:
        conds = []
        for cond in node.conds:
            left, lshape = self.visit(cond.left)
            right, rshape = self.visit(cond.right)
            for side, shape in ((cond.left, lshape), (cond.right, rshape)):
                if shape != SCALAR:
                    raise ShapeError(f"a condition compares {_describe(side, shape)}")
            conds.append(replace(cond, left=left, right=right))
        return replace(node, conds=tuple(conds)), SCALAR

    def _apply(self, node: Apply) -> tuple[IR, Shape]:
        planned = [self.visit(arg) for arg in node.args]
        args = tuple(ir for ir, _ in planned)
        shapes = [shape for _, shape in planned]
        new = replace(node, args=args)
        if not node.builtin:
            return new, shapes[0]  # declared functions act elementwise
        if node.func == "diag":
            return new, self._diag_shape(node, shapes[0])
        if node.func in ("max", "min"):
            return new, self._broadcast(node, planned)
        if node.func in NORMS.values():
            return new, SCALAR
        if node.func in ELEMENTWISE or len(shapes) == 1 and node.func in ("log", "lg"):
            return new, shapes[0]
        if node.func in ("log", "lg", "root"):
            if shapes[1] != SCALAR:
                raise ShapeError(f"{_describe(node.args[1], shapes[1])} must be a scalar")
            return new, shapes[0]
        for arg, shape in zip(node.args, shapes, strict=True):
            if shape != SCALAR:
                raise ShapeError(f"{_describe(arg, shape)} must be a scalar here")
        return new, SCALAR

    def _diag_shape(self, node: Apply, shape: Shape) -> Shape:
        rows, cols = shape
        if cols == 1:
            return (rows, rows)
        if rows == 1:
            return (cols, cols)
        if rows == cols:
            return (rows, 1)  # the diagonal of a square matrix, as a column
        raise ShapeError(f"diag of {_describe(node.args[0], shape)}: not a vector")

    def _broadcast(self, node: Apply, planned: list[tuple[IR, Shape]]) -> Shape:
        shapes = {shape for _, shape in planned if shape != SCALAR}
        if len(shapes) > 1:
            described = ", ".join(_describe(arg, s) for arg, s in planned)
            raise ShapeError(f"{node.func} of operands of different shapes: {described}")
        return shapes.pop() if shapes else SCALAR

    def _binary(self, node: Binary) -> tuple[IR, Shape]:
        left, lshape = self.visit(node.left)
        right, rshape = self.visit(node.right)
        op, shape = self._combine(node, lshape, rshape)
        return replace(node, op=op, left=left, right=right), shape

    def _combine(self, node: Binary, lshape: Shape, rshape: Shape) -> tuple[str, Shape]:
        if node.op == "mul":
            return self._product(node, lshape, rshape)
        if node.op == "had":
            if lshape == SCALAR or rshape == SCALAR:
                return "scale", rshape if lshape == SCALAR else lshape
            if lshape == rshape:
                return "emul", lshape
            raise ShapeError(self._clash(node, lshape, rshape, "elementwise times"))
        if node.op in ("add", "sub"):
            if lshape == rshape or rshape == SCALAR:
                return node.op, lshape
            if lshape == SCALAR:
                return node.op, rshape
            word = "plus" if node.op == "add" else "minus"
            raise ShapeError(self._clash(node, lshape, rshape, word))
        if node.op == "div":
            if rshape != SCALAR:
                raise ShapeError(self._clash(node, lshape, rshape, "divided by"))
            return "div", lshape
        # "pow": only scalars have powers in this language
        if lshape != SCALAR or rshape != SCALAR:
            raise ShapeError(self._clash(node, lshape, rshape, "to the power"))
        return "pow", SCALAR

    def _product(self, node: Binary, lshape: Shape, rshape: Shape) -> tuple[str, Shape]:
        if lshape == SCALAR or rshape == SCALAR:
            return "scale", rshape if lshape == SCALAR else lshape
        if lshape[1] == rshape[0]:
            return "matmul", (lshape[0], rshape[1])
        if lshape == rshape and lshape[1] == 1:
            self.notes.append(
                f"{to_text(node.left.src)} * {to_text(node.right.src)} multiplies two "
                f"{format_shape(lshape)} vectors: read as an elementwise product."
            )
            return "emul", lshape
        raise ShapeError(self._clash(node, lshape, rshape, "times") + ": check your transposes")

    def _clash(self, node: Binary, lshape: Shape, rshape: Shape, word: str) -> str:
        return f"{_describe(node.left, lshape)} {word} {_describe(node.right, rshape)}"
