"""One literal from a notebook code cell, read with `ast.parse` and walked by our own code.

A code cell tagged `answer:<id>` may hold ONE literal or ONE assignment of a literal to a
single name (`W_new = [[0.6, 0.7], [0.01, 0.43]]`). Nothing is evaluated: the syntax tree is
walked here, and only these nodes are accepted: Module, Expr, Assign (one Name target), List,
Tuple, Constant (str, int, float, None) and a unary `-`/`+` directly on a number. Numbers are
delivered as their SOURCE TEXT (`ast.get_source_segment`, digit-group underscores removed) so
that significant figures survive and nothing is computed; `-0.9` arrives as "-0.9". A cell with
no statement (empty, comments only) and `None` mean "no answer" (value None).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from grader.model import Reason

MAX_CODE_CHARS = 64 * 1024
MAX_LITERAL_DEPTH = 8
MAX_LITERAL_ITEMS = 100_000

EXPECTED = "one literal or one assignment `name = literal` (numbers, strings, lists)"


class LiteralError(Exception):
    """Why a code cell is not one literal; line/column are 1-based within the cell."""

    def __init__(
        self, reason: Reason, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.line = line
        self.column = column


def _refuse(node: ast.AST, what: str, reason: Reason = Reason.WRONG_TYPE) -> LiteralError:
    line = getattr(node, "lineno", None)
    offset = getattr(node, "col_offset", None)
    column = None if offset is None else offset + 1
    return LiteralError(reason, f"expected {EXPECTED}, found {what}", line, column)


_NODE_NAMES: Mapping[type, str] = MappingProxyType(
    {
        ast.Call: "a function call",
        ast.Name: "a variable name",
        ast.Attribute: "an attribute access",
        ast.BinOp: "an arithmetic operation (write the number itself)",
        ast.Import: "an import",
        ast.ImportFrom: "an import",
        ast.Dict: "a dictionary",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.Subscript: "an indexing operation",
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
    }
)


def _describe(node: ast.AST) -> str:
    return _NODE_NAMES.get(type(node), f"Python code ({type(node).__name__})")


@dataclass
class _Walk:
    source: str
    items: int = 0

    def value(self, node: ast.expr, depth: int) -> object:
        self.items += 1
        if self.items > MAX_LITERAL_ITEMS:
            raise _refuse(node, f"more than {MAX_LITERAL_ITEMS} values", Reason.TOO_LARGE)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return self._signed(node)
        if isinstance(node, ast.List | ast.Tuple):
            if depth >= MAX_LITERAL_DEPTH:
                raise _refuse(
                    node, f"lists nested deeper than {MAX_LITERAL_DEPTH}", Reason.TOO_DEEP
                )
            return tuple(self.value(item, depth + 1) for item in node.elts)
        raise _refuse(node, _describe(node))

    def _constant(self, node: ast.Constant) -> object:
        value = node.value
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(node, f"a {type(value).__name__} constant")
        return self._number_text(node)

    def _number_text(self, node: ast.Constant) -> str:
        text = ast.get_source_segment(self.source, node) or ""
        text = text.replace("_", "")
        if isinstance(node.value, int) and not text.isdigit():
            text = str(node.value)  # 0x10, 0o7, 0b1: the parser already read the digits
        return text

    def _signed(self, node: ast.UnaryOp) -> str:
        operand = node.operand
        if not (
            isinstance(operand, ast.Constant)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            raise _refuse(node, "a sign in front of something that is not a number")
        sign = "-" if isinstance(node.op, ast.USub) else ""
        return sign + self._number_text(operand)


def read_literal(source: str) -> object:
    """The answer a code cell holds, as plain data (str / None / nested tuples of them).

    Raises :class:`LiteralError` (SYNTAX, WRONG_TYPE, TOO_LARGE, TOO_DEEP) for anything else.
    """
    if len(source) > MAX_CODE_CHARS:
        raise LiteralError(Reason.TOO_LARGE, f"the cell is longer than {MAX_CODE_CHARS} characters")
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        raise LiteralError(
            Reason.SYNTAX, f"Python syntax error: {exc.msg}", exc.lineno, exc.offset or None
        ) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        # null bytes, absurd nesting or huge numbers: the parser's own limits
        raise LiteralError(Reason.TOO_LARGE, "the cell cannot be read as Python") from None
    if not tree.body:
        return None
    if len(tree.body) > 1:
        raise _refuse(tree.body[1], f"{len(tree.body)} statements")
    statement = tree.body[0]
    if isinstance(statement, ast.Expr):
        expression = statement.value
    elif (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        expression = statement.value
    else:
        raise _refuse(statement, _describe(statement))
    return _Walk(source).value(expression, 0)
