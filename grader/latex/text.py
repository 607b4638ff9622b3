"""LaTeX text (identity, free-text answers) as plain text: commands dropped, arguments kept.

`Fr\\'echet` is `Fréchet`, `\\item` starts a `- ` line, `\\\\` and `\\par` break lines, `~` is a
space, `\\%` `\\&` `\\_` `\\#` `\\$` are their characters; inside `$...$` the math is kept as
written (a free-text answer's formulas stay readable for a TA).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from grader.latex.tokens import Cat, Token

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    '"': "\u0308",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "%": "%",
    "&": "&",
    "_": "_",
    "#": "#",
    "$": "$",
    "{": "{",
    "}": "}",
    " ": " ",
    "\n": " ",
    ",": " ",
    "textendash": "–",
    "textemdash": "—",
    "ldots": "...",
    "dots": "...",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
_SKIPPED_ENV = frozenset({"begin", "end"})


def plain_text(tokens: Sequence[Token], paragraphs: bool = False) -> str:
    """The text of `tokens`; with `paragraphs`, line structure is kept (`\\item`, `\\par`)."""
    out: list[str] = []
    math = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.cat is Cat.MATH:
            math = not math
            out.append("$")
        elif token.cat is Cat.CS:
            index = _command(tokens, index, token, out, math, paragraphs)
        elif token.cat in (Cat.BEGIN, Cat.END):
            if math:
                out.append(token.text)
        elif token.cat is Cat.ACTIVE:
            out.append(" ")
        else:
            out.append(token.text)
    text = unicodedata.normalize("NFC", "".join(out))
    if not paragraphs:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _command(
    tokens: Sequence[Token], index: int, token: Token, out: list[str], math: bool, paragraphs: bool
) -> int:
    name = token.text
    if math:
        out.append("\\" + name + (" " if name.isalpha() else ""))
        return index
    if name in _ACCENTS and index < len(tokens):
        base, index = _accent_base(tokens, index)
        out.append(base + _ACCENTS[name])
        return index
    if name in _LETTERS:
        out.append(_LETTERS[name])
    elif name == "item":
        out.append("\n- " if paragraphs else " ")
    elif name in ("par", "\\", "newline"):
        out.append("\n" if paragraphs else " ")
    elif name in _SKIPPED_ENV:
        index = _skip_group(tokens, index)
    elif name in ("(", ")", "[", "]"):
        out.append("$")
    return index


def _accent_base(tokens: Sequence[Token], index: int) -> tuple[str, int]:
    token = tokens[index]
    if token.cat is Cat.BEGIN:
        end = _skip_group(tokens, index)
        inner = "".join(t.text for t in tokens[index + 1 : end - 1] if t.cat is not Cat.CS)
        return inner, end
    if token.cat is Cat.CS and token.text in ("i", "j"):
        return token.text, index + 1
    return (token.text if token.cat is not Cat.CS else ""), index + 1


def _skip_group(tokens: Sequence[Token], index: int) -> int:
    while index < len(tokens) and tokens[index].cat is Cat.SPACE:
        index += 1
    if index >= len(tokens) or tokens[index].cat is not Cat.BEGIN:
        return index
    depth = 0
    for at in range(index, len(tokens)):
        if tokens[at].cat is Cat.BEGIN:
            depth += 1
        elif tokens[at].cat is Cat.END:
            depth -= 1
            if depth == 0:
                return at + 1
    return len(tokens)
