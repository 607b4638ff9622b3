"""Tokens passed from the lexer to the grammar.

The lexer (`lexer.py`) turns text into `Tok`s; `classify.py` settles context-dependent kinds
(a name followed by `(` is a function call, `|` opens or closes, `1[...]` is an indicator); the LALR
grammar (`grammar.lark`) consumes the result. Offsets always refer to the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from grader.mathlang.ast import Node

# Kinds seen by the grammar.
NUMBER = "NUMBER"  # value: the literal as written
NAME = "NAME"  # value: canonical base; sub, sub_expr: the subscript
FNAME = "FNAME"  # a NAME followed by `(`, i.e. a call; primes: derivative order
FUNC = "FUNC"  # a LaTeX function (`\exp`) applied to the following factor
FUNCB = "FUNCB"  # a LaTeX function followed by a bracket (its argument list)
IND = "IND"  # an indicator head: `1` before a bracket holding a relation, `\mathbb{1}`, `𝟙`
SUM = "SUM"
DERIV = "DERIV"  # `\\frac{d}` of `\\frac{d}{dx} f`; primes: the order
SUB = "SUB"  # `_` that is not part of a name (after a sum or indicator)
POW = "POW"
MUL = "MUL"
DIV = "DIV"
HAD = "HAD"
PLUS = "PLUS"
MINUS = "MINUS"
BANG = "BANG"
TRANSPOSE = "TRANSPOSE"
LPAR, RPAR = "LPAR", "RPAR"
LSQB, RSQB = "LSQB", "RSQB"
LBRACE, RBRACE = "LBRACE", "RBRACE"  # `\{ \}`
LGROUP, RGROUP = "LGROUP", "RGROUP"  # LaTeX braces `{ }`
BAROPEN, BARCLOSE = "BAROPEN", "BARCLOSE"
NORMOPEN, NORMCLOSE = "NORMOPEN", "NORMCLOSE"  # `\|x\|`, `\lVert x \rVert`, `‖x‖`
LFLOOR, RFLOOR = "LFLOOR", "RFLOOR"  # `\lfloor x \rfloor`, `⌊x⌋`
LCEIL, RCEIL = "LCEIL", "RCEIL"  # `\lceil x \rceil`, `⌈x⌉`
DOTS = "DOTS"  # `\\dots`, `...`: inside a set such as \\{1, \\dots, k\\}
SETMINUS = "SETMINUS"  # `\\setminus`: in a sum's range
ASSIGN = "ASSIGN"  # `:=`, `\leftarrow`, `\gets`, `←`: an assignment (judged on its right side)
COMMA = "COMMA"
RELOP = "RELOP"  # value: "=", "!=", "<", "<=", ">", ">="
AND = "AND"
OR = "OR"  # `or`, `\\lor`, `\\vee`, `∨`: between the relations of a whole answer
FRAC = "FRAC"
SQRT = "SQRT"
BINOM = "BINOM"
MATBEGIN, MATEND = "MATBEGIN", "MATEND"  # value: the environment name
CELL = "CELL"  # `&`
ROWSEP = "ROWSEP"  # `\\`

# Kinds that only exist between the lexer and classify.py.
PRIME = "PRIME"  # primes: how many
BAR = "BAR"  # value: "open", "close" or "" (decided from the context)
NORM = "NORM"  # `\|`: like BAR, for norms
INDCMD = "INDCMD"  # `\mathbb{1}` and friends; value: what it means without a bracket

OPENERS = MappingProxyType(
    {
        LPAR: RPAR,
        LSQB: RSQB,
        LBRACE: RBRACE,
        LGROUP: RGROUP,
        MATBEGIN: MATEND,
        BAROPEN: BARCLOSE,
        NORMOPEN: NORMCLOSE,
        LFLOOR: RFLOOR,
        LCEIL: RCEIL,
    }
)
CLOSERS = MappingProxyType({close: open_ for open_, close in OPENERS.items()})


@dataclass(frozen=True, slots=True)
class Tok:
    """One token: its kind, its [start, end) offsets in the text and its payload."""

    kind: str
    start: int
    end: int
    value: str = ""
    sub: str | None = None
    sub_expr: Node | None = None
    primes: int = 0

    def __str__(self) -> str:
        return self.value or self.kind
