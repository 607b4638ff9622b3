"""Rendering trees: `to_text` (canonical ASCII that parses back to an equal tree) and `to_latex`.

Parentheses are minimal but safe: an operand is bracketed when its precedence is lower than its
place needs, a negative right operand is bracketed for readability (`a - (-b)`), and a prefix sum
that is followed by more factors is bracketed because its body would swallow them
(`(sum_{l}(x)) * y`). Products are always written `*` (juxtaposition is never re-created), so
`f(x)` in the output is always a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from grader.mathlang import tables as tb
from grader.mathlang.ast import (
    Abs,
    BinOp,
    Call,
    Derivative,
    Dots,
    Factorial,
    Indicator,
    ListLit,
    Logic,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    SetLit,
    Sum,
    Transpose,
    TupleLit,
)
from grader.mathlang.builder import reads_as_derivative

# Precedence levels, loosest first.
_REL, _ADD, _MUL, _UNARY, _POW, _POSTFIX, _ATOM = range(7)
_PLAIN_SUB = re.compile(r"[A-Za-z0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_LETTER_DIGITS = re.compile(r"[A-Za-z][0-9]*")
_GREEK_DIGITS = re.compile(r"([A-Za-z]+)([0-9]+)")
_RELATIONS_LATEX = MappingProxyType(
    {"=": "=", "!=": "\\neq", "<": "<", "<=": "\\leq", ">": ">", ">=": "\\geq", ":=": ":="}
)
_SYMBOLS_LATEX = MappingProxyType({"oo": "\\infty", "partial": "\\partial", "nabla": "\\nabla"})
_ACCENTS_LATEX = (("hat", "\\hat"), ("bar", "\\bar"), ("tilde", "\\tilde"))


@dataclass(frozen=True)
class _Out:
    """Rendered text, its precedence level, and whether it ends with an open prefix sum."""

    text: str
    level: int
    open_sum: bool = False


class _Printer:
    """Plain-text rendering; `_LatexPrinter` changes how each construct is spelled."""

    mul = " * "
    hadamard = " .* "
    transpose = "^T"

    # ------------------------------------------------------------- dispatch
    def show(self, node: Node, in_list: bool = False) -> _Out:
        """Render `node`; `in_list` marks list items and call arguments (`[a]` is a list)."""
        if isinstance(node, Number):
            return _Out(node.text, _ATOM)
        if isinstance(node, Name):
            return _Out(self.name(node), _ATOM)
        if isinstance(node, Call):
            return _Out(self.call(node), _ATOM)
        if isinstance(node, BinOp):
            return self.binop(node)
        if isinstance(node, Neg):
            return self.neg(node)
        if isinstance(node, (Transpose, Factorial)):
            return self.postfix(node)
        if isinstance(node, Abs):
            return _Out(self.abs(self.full(node.operand)), _ATOM)
        if isinstance(node, Relation):
            return self.relation(node)
        if isinstance(node, Indicator):
            return _Out(self.indicator(node), _ATOM)
        if isinstance(node, Sum):
            return _Out(self.sum(node), _MUL, open_sum=True)
        if isinstance(node, TupleLit):
            return _Out(self.paren(", ".join(self.full(item) for item in node.items)), _ATOM)
        if isinstance(node, ListLit):
            return _Out(self.listlit(node, in_list), _ATOM)
        if isinstance(node, Derivative):
            return self.derivative(node)
        if isinstance(node, SetLit):
            items = ", ".join(self.full(item, in_list=True) for item in node.items)
            return _Out(f"\\{{{items}\\}}", _ATOM)
        if isinstance(node, Dots):
            return _Out("\\dots", _ATOM)
        if isinstance(node, Logic):
            word = f" {self.logic_word(node.op)} "
            return _Out(word.join(self.full(item) for item in node.items), _REL)
        raise TypeError(f"not an answer-language node: {node!r}")

    def full(self, node: Node, in_list: bool = False) -> str:
        return self.show(node, in_list).text

    def wrapped(self, out: _Out) -> _Out:
        return _Out(self.paren(out.text), _ATOM)

    # ------------------------------------------------------------- operators
    def binop(self, node: BinOp) -> _Out:
        if node.op == "^":
            return self.power(node)
        if node.op in ("+", "-"):
            left = self.show(node.left)
            right = self.show(node.right)
            if left.level < _ADD:
                left = self.wrapped(left)
            if right.level <= _ADD or isinstance(node.right, Neg):
                right = self.wrapped(right)
            return _Out(f"{left.text} {node.op} {right.text}", _ADD)
        return self.product(node)

    def product(self, node: BinOp) -> _Out:
        if node.op == "setminus":
            left, right = self.show(node.left), self.show(node.right)
            return _Out(f"{left.text} \\setminus {right.text}", _ADD)
        left, right = self.show(node.left), self.show(node.right)
        if left.level < _MUL or left.open_sum:
            left = self.wrapped(left)
        open_sum = isinstance(node.right, Sum)
        if not open_sum and right.level < _POW:
            right = self.wrapped(right)
        op = {"*": self.mul, "hadamard": self.hadamard}.get(node.op, " / ")
        return _Out(f"{left.text}{op}{right.text}", _MUL, open_sum)

    def power(self, node: BinOp) -> _Out:
        base = self.show(node.left)
        if base.level < _POSTFIX:
            base = self.wrapped(base)
        exponent = self.show(node.right)
        if exponent.level < _POW or isinstance(node.right, Neg) or _reads_as_transpose(exponent):
            exponent = self.wrapped(exponent)
        return _Out(f"{base.text}^{exponent.text}", _POW)

    def neg(self, node: Neg) -> _Out:
        inner = self.show(node.operand)
        if isinstance(node.operand, Sum):
            return _Out(f"-{inner.text}", _UNARY, open_sum=True)
        if inner.level < _POW:
            inner = self.wrapped(inner)
        return _Out(f"-{inner.text}", _UNARY)

    def postfix(self, node: Transpose | Factorial) -> _Out:
        inner = self.show(node.operand)
        if inner.level < _POSTFIX:
            inner = self.wrapped(inner)
        return _Out(inner.text + (self.transpose if isinstance(node, Transpose) else "!"), _POSTFIX)

    def relation(self, node: Relation) -> _Out:
        left, right = self.show(node.left), self.show(node.right)
        if left.level <= _REL and not isinstance(node.left, Relation):
            left = self.wrapped(left)
        if right.level <= _REL:
            right = self.wrapped(right)
        return _Out(f"{left.text} {self.relop(node.op)} {right.text}", _REL)

    # ------------------------------------------------------------ spellings
    def relop(self, op: str) -> str:
        return op

    def logic_word(self, op: str) -> str:
        return op

    def paren(self, text: str) -> str:
        return f"({text})"

    def name(self, node: Name) -> str:
        if node.sub is None:
            return node.base
        if _PLAIN_SUB.fullmatch(node.sub):
            return f"{node.base}_{node.sub}"
        return f"{node.base}_{{{node.sub}}}"

    def call(self, node: Call) -> str:
        args = ", ".join(self.full(arg, in_list=True) for arg in node.args)
        return f"{self.name(node.func)}{chr(39) * node.primes}({args})"

    def abs(self, inner: str) -> str:
        return f"|{inner}|"

    def conditions(self, relations: tuple[Relation, ...]) -> str:
        return ", ".join(self.relation(rel).text for rel in relations)

    def indicator(self, node: Indicator) -> str:
        return f"1[{self.conditions(node.conditions)}]"

    def listlit(self, node: ListLit, in_list: bool) -> str:
        items = [self.full(item, in_list=True) for item in node.items]
        # A lone item needs a trailing comma, or `[a]` would read as a grouping.
        comma = len(items) == 1 and not in_list and not isinstance(node.items[0], ListLit)
        return self.brackets(", ".join(items) + ("," if comma else ""))

    def brackets(self, text: str) -> str:
        return f"[{text}]"

    def sum_spec(self, node: Sum) -> str:
        index = self.name(node.index)
        conditions = [self.relation(rel).text for rel in node.conditions]
        first = node.conditions[0] if node.conditions else None
        if node.lower is not None:
            parts = [f"{index} {self.relop('=')} {self.full(node.lower)}", *conditions]
        elif first is not None and first.left == node.index and first.op != "=":
            parts = conditions
        else:
            parts = [index, *conditions]
        return ", ".join(parts)

    def upper(self, node: Node) -> str:
        text = self.full(node)
        return self.paren(text) if text == "T" else text

    def sum(self, node: Sum) -> str:
        upper = "" if node.upper is None else f"^{{{self.upper(node.upper)}}}"
        return f"sum_{{{self.sum_spec(node)}}}{upper}({self.full(node.body)})"

    def derivative(self, node: Derivative) -> _Out:
        var = self.name(node.var)
        spec = var if node.order == 1 else f"({var}, {node.order})"
        return _Out(f"Derivative({self.full(node.body, in_list=True)}, {spec})", _ATOM)


class _LatexPrinter(_Printer):
    """LaTeX spellings of the same structure."""

    mul = " \\cdot "
    hadamard = " \\odot "
    transpose = "^{\\top}"

    def relop(self, op: str) -> str:
        return _RELATIONS_LATEX[op]

    def logic_word(self, op: str) -> str:
        return "\\land" if op == "and" else "\\lor"

    def paren(self, text: str) -> str:
        return f"\\left({text}\\right)"

    def brackets(self, text: str) -> str:
        return f"\\left[{text}\\right]"

    def abs(self, inner: str) -> str:
        return f"\\left|{inner}\\right|"

    def product(self, node: BinOp) -> _Out:
        if node.op == "/" and not reads_as_derivative(node.left, node.right):
            return _Out(f"\\frac{{{self.full(node.left)}}}{{{self.full(node.right)}}}", _ATOM)
        return super().product(node)  # `d y / d x` as a \frac would read as a derivative

    def power(self, node: BinOp) -> _Out:
        base = self.show(node.left)
        if base.level < _POSTFIX:
            base = self.wrapped(base)
        return _Out(f"{base.text}^{{{self.upper(node.right)}}}", _POW)

    def name(self, node: Name) -> str:
        return _latex_base(node.base) + self.subscript(node)

    def subscript(self, node: Name) -> str:
        if node.sub is None:
            return ""
        sub = node.sub
        if sub.isalpha() and len(sub) > 1:
            sub = f"\\mathrm{{{sub}}}"
        return f"_{{{sub}}}"

    def call(self, node: Call) -> str:
        special = self.special_call(node)
        if special is not None:
            return special
        func = node.func
        if node.primes == 0 and func.base in tb.FUNCTION_COMMANDS:
            head = f"\\{func.base}{self.subscript(func)}"
        elif node.primes == 0 and _latex_base(func.base).startswith("\\mathrm{"):
            head = f"\\operatorname{{{func.base}}}{self.subscript(func)}"
        else:
            head = self.name(func) + "'" * node.primes
        args = ", ".join(self.full(arg, in_list=True) for arg in node.args)
        return f"{head}{self.paren(args)}"

    def special_call(self, node: Call) -> str | None:
        """`\\sqrt{x}`, `\\sqrt[n]{x}`, `\\binom{n}{k}` and bmatrix for Matrix([[...], ...])."""
        func, args = node.func, node.args
        if func.base == "norm" and not node.primes and len(args) == 1 and func.sub is not None:
            return f"\\left\\| {self.full(args[0])} \\right\\|_{{{func.sub}}}"
        if func.sub is not None or node.primes:
            return None
        if func.base == "sqrt" and len(args) == 1:
            return f"\\sqrt{{{self.full(args[0])}}}"
        if func.base == "root" and len(args) == 2:
            return f"\\sqrt[{self.full(args[1])}]{{{self.full(args[0])}}}"
        if func.base in _DELIMITED and len(args) == 1:
            left, right = _DELIMITED[func.base]
            return f"\\left{left} {self.full(args[0])} \\right{right}"
        if func.base == "binomial" and len(args) == 2:
            return f"\\binom{{{self.full(args[0])}}}{{{self.full(args[1])}}}"
        if func.base == "Matrix" and len(args) == 1 and _is_table(args[0]):
            rows = args[0].items  # type: ignore[union-attr]
            body = " \\\\ ".join(
                " & ".join(self.full(cell) for cell in row.items)  # type: ignore[union-attr]
                for row in rows
            )
            return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"
        return None

    def indicator(self, node: Indicator) -> str:
        return f"\\mathbb{{1}}\\left[{self.conditions(node.conditions)}\\right]"

    def sum(self, node: Sum) -> str:
        upper = "" if node.upper is None else f"^{{{self.upper(node.upper)}}}"
        return f"\\sum_{{{self.sum_spec(node)}}}{upper} {self.paren(self.full(node.body))}"

    def derivative(self, node: Derivative) -> _Out:
        power = "" if node.order == 1 else f"^{{{node.order}}}"
        head = f"\\frac{{\\partial{power}}}{{\\partial {self.name(node.var)}{power}}}"
        return _Out(f"{head} {self.paren(self.full(node.body))}", _MUL, open_sum=True)


# Functions written as delimiters in LaTeX.
_DELIMITED = MappingProxyType(
    {"norm": ("\\|", "\\|"), "floor": ("\\lfloor", "\\rfloor"), "ceil": ("\\lceil", "\\rceil")}
)


def _reads_as_transpose(exponent: _Out) -> bool:
    """After `^`, a `T` standing alone would be read as a transpose (`x^T`, `x^T!`)."""
    text = exponent.text
    return text.startswith("T") and not (len(text) > 1 and (text[1].isalnum() or text[1] == "_"))


def _is_table(node: Node) -> bool:
    """A non-empty list of non-empty lists of equal length (a matrix written as rows)."""
    if not (isinstance(node, ListLit) and node.items):
        return False
    rows = node.items
    if not all(isinstance(row, ListLit) and row.items for row in rows):
        return False
    return len({len(row.items) for row in rows if isinstance(row, ListLit)}) == 1


def _latex_base(base: str) -> str:
    """LaTeX for a canonical base: `\\delta`, `\\hat{y}`, `z2`, `\\infty`, `\\mathrm{margin}`."""
    if base in tb.GREEK_LATEX:
        return tb.GREEK_LATEX[base]
    if base in _SYMBOLS_LATEX:
        return _SYMBOLS_LATEX[base]
    if _LETTER_DIGITS.fullmatch(base):
        return base
    greek = _GREEK_DIGITS.fullmatch(base)
    if greek and greek.group(1) in tb.GREEK_LATEX:
        return tb.GREEK_LATEX[greek.group(1)] + greek.group(2)
    for suffix, accent in _ACCENTS_LATEX:
        stem = base[: -len(suffix)]
        if (
            base.endswith(suffix)
            and stem
            and (stem in tb.GREEK_LATEX or _IDENTIFIER.fullmatch(stem))
        ):
            return f"{accent}{{{tb.GREEK_LATEX.get(stem, stem)}}}"
    return f"\\mathrm{{{base}}}"


def to_text(node: Node) -> str:
    """Canonical ASCII plain text for `node`; `parse(to_text(t)) == t` for parsed trees."""
    return _Printer().full(node)


def to_latex(node: Node) -> str:
    """LaTeX for `node`, for markdown feedback (it also parses back to an equal tree)."""
    return _LatexPrinter().full(node)
