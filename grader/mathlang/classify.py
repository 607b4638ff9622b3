"""Pass 2 of reading an answer: settle what tokens mean from their neighbours.

- Brackets are matched (every kind, with the nesting limit) and `|` becomes an opening or a
  closing bar: it closes when an absolute value is open and the previous token ends an operand.
- A name followed by primes and `(` becomes a call (FNAME); primes anywhere else are an error.
- A LaTeX function followed by a bracket takes that bracket as its argument list (FUNCB).
- `1` before a bracket that holds a relation, and `\\mathbb{1}`/`𝟙` before a bracket or `_`,
  become indicator heads (IND).
Both loops are linear in the number of tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from grader.mathlang import tokens as tk
from grader.mathlang.errors import Failure
from grader.mathlang.limits import Limits
from grader.model import Reason

_OPERAND_END = frozenset(
    (
        tk.NUMBER,
        tk.NAME,
        tk.RPAR,
        tk.RSQB,
        tk.RBRACE,
        tk.RGROUP,
        tk.BARCLOSE,
        tk.NORMCLOSE,
        tk.RFLOOR,
        tk.RCEIL,
        tk.BANG,
        tk.TRANSPOSE,
        tk.MATEND,
        tk.INDCMD,
    )
)
_BRACKET_OPEN = frozenset((tk.LPAR, tk.LSQB, tk.LBRACE))
_SHOWN = MappingProxyType(
    {
        tk.LPAR: "(",
        tk.RPAR: ")",
        tk.LSQB: "[",
        tk.RSQB: "]",
        tk.LBRACE: "\\{",
        tk.RBRACE: "\\}",
        tk.LGROUP: "{",
        tk.RGROUP: "}",
        tk.BAROPEN: "|",
        tk.BARCLOSE: "|",
        tk.NORMOPEN: "\\|",
        tk.NORMCLOSE: "\\|",
        tk.LFLOOR: "\\lfloor",
        tk.RFLOOR: "\\rfloor",
        tk.LCEIL: "\\lceil",
        tk.RCEIL: "\\rceil",
        tk.MATBEGIN: "\\begin",
        tk.MATEND: "\\end",
    }
)


@dataclass(frozen=True)
class _Matched:
    """Tokens with bars resolved, the opener of every closer, and brackets holding a relation."""

    toks: tuple[tk.Tok, ...]
    opener_of: dict[int, int]
    has_relation: frozenset[int]


def classify(raw: Sequence[tk.Tok], limits: Limits) -> list[tk.Tok]:
    """The grammar's tokens for the lexer's tokens (see the module docstring)."""
    return _coefficient_arguments(_settle(_match(raw, limits)))


def _coefficient_arguments(toks: list[tk.Tok]) -> list[tk.Tok]:
    """`\\sin 2x`, `\\cos 2\\pi t`: a LaTeX function followed by a number and names written
    together takes all of them, as LaTeX authors mean it (`\\sin 2x` is sin(2x)); the
    argument ends at an operator, another function or a bracket."""
    out: list[tk.Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        end = _coefficient_run(toks, i) if tok.kind == tk.FUNC else None
        if end is None:
            out.append(tok)
            i += 1
            continue
        first, last = toks[i + 1], toks[end - 1]
        out.append(replace(tok, kind=tk.FUNCB))
        out.append(tk.Tok(tk.LPAR, first.start, first.start, "("))
        out.extend(toks[i + 1 : end])
        out.append(tk.Tok(tk.RPAR, last.end, last.end, ")"))
        i = end
    return out


def _coefficient_run(toks: Sequence[tk.Tok], i: int) -> int | None:
    """For a function at i followed by a number and a name, the end of the run of names (and
    simple powers of them); None otherwise."""
    if not (i + 2 < len(toks) and toks[i + 1].kind == tk.NUMBER and toks[i + 2].kind == tk.NAME):
        return None
    j = i + 2
    while j < len(toks) and toks[j].kind == tk.NAME:
        power = j + 2 < len(toks) and toks[j + 1].kind == tk.POW
        j += 3 if power and toks[j + 2].kind in (tk.NUMBER, tk.NAME) else 1
    return j


def _fail(message: str, offset: int, reason: Reason = Reason.SYNTAX) -> Failure:
    return Failure(reason, message, offset)


def _unaligned(raw: Sequence[tk.Tok]) -> list[tk.Tok]:
    """Without the alignment marks pasted from an `align` environment: outside a matrix, an
    `&` right before a relation (`a &= b`) and a line break `\\` before such a one."""
    out: list[tk.Tok] = []
    matrices = 0
    for i, tok in enumerate(raw):
        matrices += (tok.kind == tk.MATBEGIN) - (tok.kind == tk.MATEND)
        following = raw[i + 1].kind if i + 1 < len(raw) else None
        if matrices == 0 and tok.kind == tk.CELL and following in (tk.RELOP, tk.ASSIGN):
            continue
        after = raw[i + 2].kind if i + 2 < len(raw) else None
        if matrices == 0 and tok.kind == tk.ROWSEP and following == tk.CELL and after in (
            tk.RELOP,
            tk.ASSIGN,
        ):
            continue
        out.append(tok)
    return out


def _match(raw: Sequence[tk.Tok], limits: Limits) -> _Matched:
    out: list[tk.Tok] = []
    stack: list[int] = []
    opener_of: dict[int, int] = {}
    has_relation: set[int] = set()
    for tok in _unaligned(raw):
        if tok.kind == tk.BAR:
            tok = _resolve_bar(tok, out, stack)
        elif tok.kind == tk.NORM:
            tok = _resolve_norm(tok, out, stack)
        index = len(out)
        out.append(tok)
        kind = tok.kind
        if kind in tk.OPENERS:
            stack.append(index)
            if len(stack) > limits.max_depth:
                raise _fail(
                    f"Brackets are nested more than {limits.max_depth} levels deep.",
                    tok.start,
                    Reason.TOO_DEEP,
                )
        elif kind in tk.CLOSERS:
            opener_of[index] = _close(tok, out, stack)
        elif kind in (tk.RELOP, tk.AND) and stack:
            has_relation.add(stack[-1])
        elif kind in (tk.CELL, tk.ROWSEP) and not (stack and out[stack[-1]].kind == tk.MATBEGIN):
            shown = "&" if kind == tk.CELL else "\\\\"
            raise _fail(
                f"'{shown}' can only be used inside a matrix (\\begin{{bmatrix}}).", tok.start
            )
    if stack:
        opener = out[stack[-1]]
        raise _fail(f"This '{_SHOWN[opener.kind]}' is never closed.", opener.start)
    return _Matched(tuple(out), opener_of, frozenset(has_relation))


def _resolve_bar(tok: tk.Tok, out: list[tk.Tok], stack: list[int]) -> tk.Tok:
    """`|` closes when forced (`\\right|`, `\\rvert`) or when an absolute value is open and the
    previous token ends an operand (`|a|b|c|` reads |a| b |c|); otherwise it opens."""
    if tok.value == "close":
        closing = True
    elif tok.value == "open":
        closing = False
    else:
        inside = bool(stack) and out[stack[-1]].kind == tk.BAROPEN
        closing = inside and bool(out) and out[-1].kind in _OPERAND_END
    return replace(tok, kind=tk.BARCLOSE if closing else tk.BAROPEN, value="|")


def _resolve_norm(tok: tk.Tok, out: list[tk.Tok], stack: list[int]) -> tk.Tok:
    """`\\|` as `|` (see `_resolve_bar`), for norms."""
    if tok.value in ("open", "close"):
        closing = tok.value == "close"
    else:
        inside = bool(stack) and out[stack[-1]].kind == tk.NORMOPEN
        closing = inside and bool(out) and out[-1].kind in _OPERAND_END
    return replace(tok, kind=tk.NORMCLOSE if closing else tk.NORMOPEN, value="\\|")


def _close(tok: tk.Tok, out: list[tk.Tok], stack: list[int]) -> int:
    """Pop the opener that `tok` closes, checking that the two match."""
    if not stack:
        raise _fail(f"This '{_SHOWN[tok.kind]}' closes nothing.", tok.start)
    index = stack.pop()
    opener = out[index]
    if tk.OPENERS[opener.kind] != tok.kind or (tok.kind == tk.MATEND and opener.value != tok.value):
        raise _fail(
            f"This '{_SHOWN[tok.kind]}' does not match the '{_SHOWN[opener.kind]}' opened at "
            f"character {opener.start + 1}.",
            tok.start,
        )
    return index


def _settle(matched: _Matched) -> list[tk.Tok]:
    toks = matched.toks
    result: list[tk.Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        following = toks[i + 1].kind if i + 1 < len(toks) else None
        if tok.kind == tk.NAME:
            call_end = _call_end(toks, i, matched)
            if call_end is not None:
                primes = sum(t.primes for t in toks[i + 1 : call_end])
                result.append(replace(tok, kind=tk.FNAME, primes=primes))
                i = call_end
                continue
        elif tok.kind == tk.PRIME:
            raise _fail("A prime (') can only follow a function name, as in f'(x).", tok.start)
        elif tok.kind == tk.FUNC:
            tok = _settle_function(tok, following)
        elif tok.kind == tk.NUMBER and tok.value == "1":
            if following in _BRACKET_OPEN and i + 1 in matched.has_relation:
                tok = replace(tok, kind=tk.IND)
        elif tok.kind == tk.INDCMD:
            tok = _settle_indicator(tok, i, following, matched)
        result.append(tok)
        i += 1
    return result


def _call_end(toks: Sequence[tk.Tok], i: int, matched: _Matched) -> int | None:
    """For a name at i followed by primes and `(`, the index of the `(`; else None.

    The index of a sum (`\\sum_l (...)`, `\\sum_{l=1}^k (...)`) is never called."""
    j = i + 1
    while j < len(toks) and toks[j].kind == tk.PRIME:
        j += 1
    if j < len(toks) and toks[j].kind == tk.LPAR and not _is_sum_argument(toks, i, matched):
        return j
    if j > i + 1:
        raise _fail(
            "A prime (') must be followed by the function's argument in parentheses, as in f'(x).",
            toks[i + 1].start,
        )
    return None


def _is_sum_argument(toks: Sequence[tk.Tok], i: int, matched: _Matched) -> bool:
    """Whether the name at i is the unbraced subscript or superscript of a sum head."""
    if i >= 1 and toks[i - 1].kind == tk.SUB:
        return True
    if i < 2 or toks[i - 1].kind != tk.POW:
        return False
    k = i - 2
    before = toks[k].kind
    if before == tk.SUM:
        return True
    if before == tk.NAME:
        return k >= 1 and toks[k - 1].kind == tk.SUB
    if before == tk.RGROUP:
        opener = matched.opener_of.get(k, 0)
        return opener >= 1 and toks[opener - 1].kind == tk.SUB
    return False


def _settle_function(tok: tk.Tok, following: str | None) -> tk.Tok:
    if following in _BRACKET_OPEN:
        return replace(tok, kind=tk.FUNCB)
    return tok  # a power after it (`\\sin^2 x`) is the grammar's business


def _settle_indicator(tok: tk.Tok, i: int, following: str | None, matched: _Matched) -> tk.Tok:
    """`\\mathbb{1}[...]` is an indicator; without a condition, `\\mathbf{1}` is the number 1
    and `\\mathbb{I}` the name I, while `\\mathbb{1}` and `𝟙` alone are errors."""
    if following == tk.SUB or (
        following in _BRACKET_OPEN and (tok.value != "1" or i + 1 in matched.has_relation)
    ):
        return replace(tok, kind=tk.IND)
    if tok.value == "1":
        return replace(tok, kind=tk.NUMBER)
    if tok.value == "I":
        return replace(tok, kind=tk.NAME)
    raise _fail(
        "An indicator must be followed by its condition, as in \\mathbb{1}[a > b].", tok.start
    )
