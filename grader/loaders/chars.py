"""Invisible and look-alike characters in what a student typed, named by code point.

A sheet copied from a PDF, a word processor or a chat carries characters that look like the
ones the grader expects and are not: a no-break or thin space, a zero-width space, full-width
digits (``０.５``), Cyrillic or Greek letters drawn like Latin ones (``х`` for ``x``), styled
maths letters (``𝑥``), digits of other scripts (``٣``). Characters maths legitimately uses
(``−``, ``⊙``, ``²``, ``ₖ``, Greek letters) are not suspicious. The grader never rewrites an
answer; it names each such character (``U+0445 CYRILLIC SMALL LETTER HA, which looks like
'x'``) and where it is, so that the student can retype it and the TA can see why an answer did
not read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Letters of other scripts drawn exactly like a Latin letter (Unicode's confusables, the part
# that matters for answers, ids and keys). Greek letters used in maths (α, β, δ, σ, ...) are
# not in it: only the ones that are indistinguishable from Latin capitals and omicron.
_CONFUSABLE = {
    **dict(zip("аеорсухіјѕԁԛԝһӏ", "aeopcyxijsdqwhl", strict=True)),
    **dict(zip("АВЕКМНОРСТХІЈЅԚԜҮ", "ABEKMHOPCTXIJSQWY", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo", strict=True)),
}
_FULL_WIDTH = range(0xFF01, 0xFF5F)  # ！ to ～: ASCII drawn wide (East Asian input methods)
_MATH_LETTERS = range(0x1D400, 0x1D800)  # 𝑥, 𝐱, 𝟎: styled letters and digits pasted from Word
MAX_NAMED = 3  # characters named per text (then "and N more")


@dataclass(frozen=True)
class Odd:
    """One suspicious character of a text: its 0-based position and its description."""

    offset: int
    char: str
    description: str


def describe(char: str) -> str | None:
    """Why `char` is suspicious in typed input (None when it is not): invisible, or looking
    like an ASCII character it is not."""
    code = ord(char)
    name = unicodedata.name(char, "")
    label = f"U+{code:04X}" + (f" {name}" if name else "")
    if char in _CONFUSABLE:
        return f"{label}, which looks like {_CONFUSABLE[char]!r}"
    category = unicodedata.category(char)
    if category == "Zs" and char != " ":
        return f"{label} (a special space, not an ordinary one)"
    if category == "Cf" or char in "\u00ad\u034f\u115f\u1160\u3164\uffa0":
        return f"{label} (an invisible character)"
    if code in _FULL_WIDTH or code in _MATH_LETTERS:
        folded = unicodedata.normalize("NFKC", char)
        if folded.isascii() and len(folded) == 1:
            return f"{label}, which looks like {folded!r}"
    if category == "Nd" and code > 0x7F:
        return f"{label} (a digit of another script, not 0-9)"
    return None


def odd_characters(text: str) -> Iterator[Odd]:
    """Every suspicious character of `text`, in order."""
    for offset, char in enumerate(text):
        if char.isascii():
            continue
        description = describe(char)
        if description is not None:
            yield Odd(offset, char, description)


def name_odd_characters(text: str) -> str | None:
    """One clause naming the suspicious characters of `text` and their positions (1-based),
    or None when there are none: "U+00A0 NO-BREAK SPACE (an invisible space, ...) at character
    12 and 2 more"."""
    found: list[str] = []
    total = 0
    for odd in odd_characters(text):
        total += 1
        if len(found) < MAX_NAMED:
            found.append(f"{odd.description} at character {odd.offset + 1}")
    if not found:
        return None
    more = f" and {total - len(found)} more" if total > len(found) else ""
    return "; ".join(found) + more
