"""Tokens back to text for the answer language, as TeX grouped them.

The answer language reads plain and LaTeX maths, but its own rules for scripts are those of
plain text (`W_2x` is `W` sub `2x`). TeX's are different: an unbraced `_` or `^` takes ONE
token, so `W_2x` is `W_2 x` and `z_1f_2'(s_2)` is `z_1 f_2'(s_2)`. :func:`math_text` therefore
writes every script with explicit braces (`W_{2} x`), a space after a control word that a
letter follows (`\\odot f`, never `\\odotf`), and drops what only affects the typesetting:
`\\phantom{...}`, `\\label`, `\\tag`, `\\nonumber`, alignment `&`, line breaks `\\\\`, `$`,
`aligned`-like wrappers and `\\ensuremath`.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.latex.tokens import Cat, Token

DROPPED_WITH_ARGUMENT = frozenset(
    {"phantom", "hphantom", "vphantom", "label", "tag", "hspace", "vspace", "intertext"}
)
DROPPED = frozenset(
    {
        "nonumber",
        "notag",
        "hline",
        "par",
        "relax",
        "protect",
        "nobreak",
        "allowbreak",
        "ensuremath",
        "[",
        "]",
        "(",
        ")",
        "\\",
        "newline",
        "centering",
        "noindent",
    }
)
WRAPPER_ENVIRONMENTS = frozenset(
    {
        "aligned",
        "alignedat",
        "split",
        "gathered",
        "align",
        "align*",
        "equation",
        "equation*",
        "displaymath",
        "math",
        "gather",
        "gather*",
        "multline",
        "multline*",
        "flalign",
        "flalign*",
    }
)
# Commands whose braced arguments belong to a script that names them: `x_\text{out}`.
_SCRIPT_ARGUMENTS = {
    "text": 1,
    "mathrm": 1,
    "mathbf": 1,
    "mathit": 1,
    "mathsf": 1,
    "mathcal": 1,
    "mathbb": 1,
    "boldsymbol": 1,
    "bm": 1,
    "textrm": 1,
    "textit": 1,
    "textbf": 1,
    "mbox": 1,
    "operatorname": 1,
    "frac": 2,
    "dfrac": 2,
    "tfrac": 2,
    "sqrt": 1,
    "hat": 1,
    "bar": 1,
    "tilde": 1,
    "vec": 1,
    "overline": 1,
    "mathsf*": 1,
}


def environment_name(tokens: Sequence[Token], index: int) -> tuple[str, int] | None:
    """For `\\begin` or `\\end` at `index`: the environment's name and the index after
    `{name}`; None when no braced name follows."""
    at = index + 1
    while at < len(tokens) and tokens[at].cat is Cat.SPACE:
        at += 1
    if at >= len(tokens) or tokens[at].cat is not Cat.BEGIN:
        return None
    name: list[str] = []
    at += 1
    while at < len(tokens) and tokens[at].cat is not Cat.END and len(name) < 40:
        if tokens[at].cat is Cat.BEGIN or tokens[at].cat is Cat.CS:
            return None
        name.append(tokens[at].text)
        at += 1
    if at >= len(tokens) or tokens[at].cat is not Cat.END:
        return None
    return "".join(name).strip(), at + 1


def group_end(tokens: Sequence[Token], index: int) -> int:
    """For a `{` at `index`: the index just after its matching `}` (or the end)."""
    depth = 0
    for at in range(index, len(tokens)):
        if tokens[at].cat is Cat.BEGIN:
            depth += 1
        elif tokens[at].cat is Cat.END:
            depth -= 1
            if depth == 0:
                return at + 1
    return len(tokens)


def argument_end(tokens: Sequence[Token], index: int) -> int:
    """The index after the TeX argument that starts at `index` (spaces skipped)."""
    while index < len(tokens) and tokens[index].cat is Cat.SPACE:
        index += 1
    if index >= len(tokens):
        return index
    if tokens[index].cat is Cat.BEGIN:
        return group_end(tokens, index)
    return index + 1


MATRIX_LIKE = frozenset(
    {
        "bmatrix",
        "pmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "matrix",
        "smallmatrix",
        "array",
        "cases",
        "bmatrix*",
        "pmatrix*",
    }
)


class _Out(list[str]):
    """The text written so far, and how many matrix-like environments are open (where `&`
    and `\\\\` are kept: they separate entries)."""

    matrices = 0


def math_text(tokens: Sequence[Token]) -> str:
    """The answer-language text of math tokens (see the module docstring)."""
    out = _Out()
    _emit(tokens, 0, len(tokens), out)
    return " ".join("".join(out).split())


def _emit(tokens: Sequence[Token], start: int, stop: int, out: _Out, reorder: bool = True) -> None:
    index = start
    while index < stop:
        token = tokens[index]
        if reorder and (token.cat is Cat.SUP or token.is_char("'")):
            index = _superscript(tokens, index, stop, out)
            continue
        index = _emit_one(tokens, index, stop, out)
        if token.cat is Cat.CS and token.text.isalpha() and index < stop:
            if tokens[index].cat is Cat.LETTER or tokens[index].text[:1].isdigit():
                out.append(" ")


def _emit_one(tokens: Sequence[Token], index: int, stop: int, out: _Out) -> int:
    """Write the token at `index` (with what it takes along) and return the next index."""
    token = tokens[index]
    cat = token.cat
    if cat in (Cat.SUB, Cat.SUP):
        return _script(tokens, index, stop, out)
    if cat is Cat.CS:
        return _command(tokens, index, stop, out)
    if cat is Cat.ALIGN and out.matrices:
        out.append(" & ")
    elif cat in (Cat.ALIGN, Cat.MATH):
        out.append(" ")
    elif cat in (Cat.SPACE, Cat.ACTIVE):
        out.append(" ")
    elif cat is Cat.RAW:
        out.append("\\verb")
    elif cat is Cat.PARAM:
        out.append("#")
    else:
        out.append(token.text)
    return index + 1


def _command(tokens: Sequence[Token], index: int, stop: int, out: _Out) -> int:
    name = tokens[index].text
    if name in DROPPED_WITH_ARGUMENT:
        after = index + 1
        if after < stop and tokens[after].is_char("*"):
            after += 1
        return min(stop, argument_end(tokens, after))
    if name == "\\" and out.matrices:
        out.append(" \\\\ ")
        return index + 1
    if name in DROPPED:
        out.append(" ")
        return index + 1
    if name in ("begin", "end"):
        found = environment_name(tokens, index)
        if found is not None and found[0] in WRAPPER_ENVIRONMENTS:
            return min(stop, found[1])
        if found is not None:
            if found[0] in MATRIX_LIKE:
                out.matrices += 1 if name == "begin" else -1
            out.append(f"\\{name}{{{found[0]}}}")
            return min(stop, found[1])
    if name == "operatorname" and index + 1 < stop and tokens[index + 1].is_char("*"):
        out.append("\\operatorname")
        return index + 2
    if name in ("\n", " "):
        out.append("\\ ")
        return index + 1
    out.append("\\" + name)
    return index + 1


def _script_span(tokens: Sequence[Token], index: int, stop: int) -> tuple[int, int]:
    """For `_` or `^` at `index`: where its one argument starts and the index after it."""
    at = index + 1
    while at < stop and tokens[at].cat is Cat.SPACE:
        at += 1
    if at >= stop:
        return at, at
    first = tokens[at]
    if first.cat is Cat.BEGIN:
        return at, min(stop, group_end(tokens, at))
    end = at + 1
    if first.cat is Cat.CS:
        for _ in range(_SCRIPT_ARGUMENTS.get(first.text, 0)):
            end = min(stop, argument_end(tokens, end))
    return at, end


def _script(tokens: Sequence[Token], index: int, stop: int, out: _Out) -> int:
    """`_` or `^` and the one argument TeX gives it, always braced."""
    out.append(tokens[index].text)
    at, end = _script_span(tokens, index, stop)
    if at >= stop:
        return at
    if tokens[at].cat is Cat.BEGIN:
        out.append("{")
        _emit(tokens, at + 1, end - 1, out)
        out.append("}")
    else:
        out.append("{")
        _emit(tokens, at, end, out)
        out.append("}")
    if end < stop and tokens[end].cat in (Cat.LETTER, Cat.OTHER, Cat.CS):
        nxt = tokens[end]
        if nxt.cat is not Cat.OTHER or nxt.text.isdigit():
            out.append(" ")
    return end


def _superscript(tokens: Sequence[Token], index: int, stop: int, out: _Out) -> int:
    """A superscript or primes; a subscript right after them is written first, as TeX sets
    `z^T_2` and `f'_3` (the answer language reads `z_{2}^{T}` and `f_{3}'`)."""
    if tokens[index].cat is Cat.SUP:
        end = _script_span(tokens, index, stop)[1]
    else:
        end = index
        while end < stop and tokens[end].is_char("'"):
            end += 1
    after = end
    while after < stop and tokens[after].cat is Cat.SPACE:
        after += 1
    if after < stop and tokens[after].cat is Cat.SUB:
        sub_end = _script(tokens, after, stop, out)
        _emit(tokens, index, end, out, reorder=False)
        return sub_end
    if tokens[index].cat is Cat.SUP:
        return _script(tokens, index, stop, out)
    out.append("'" * (end - index))
    return end
