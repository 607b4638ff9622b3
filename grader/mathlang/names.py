"""Reading the parts of a name: identifiers, Greek letters, subscripts, LaTeX-dressed names.

`NameReader` holds the text and reads these pieces without producing tokens; `lexer.Lexer` builds
on it. Subscripts are canonicalised here: `s_out`, `s_{out}`, `s_{\\text{out}}`, `s_{\\rm out}`
all give "out" (see LANGUAGE.md, "Names").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from grader.mathlang import tables as tb
from grader.mathlang.ast import Node
from grader.mathlang.errors import Failure
from grader.model import Reason

# Parses text[lo:hi] as an expression (a subscript such as `k-1`).
SubParse = Callable[[int, int], Node]

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
LETTERS = re.compile(r"[A-Za-z]+")
ALNUM = re.compile(r"[A-Za-z0-9]+")
DIGITS = re.compile(r"[0-9]+")
ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
ASCII_DIGITS = frozenset("0123456789")
ASCII_ALNUM = ASCII_LETTERS | ASCII_DIGITS
_WORD = r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*"
_SUB_TEXT = re.compile(rf"-?{_WORD}(?:[,+\-*/]-?{_WORD})*")
_SPACING = frozenset((",", ";", ":", "!", " ", "\t", "\n", "quad", "qquad"))


def fail(message: str, offset: int | None, reason: Reason = Reason.SYNTAX) -> Failure:
    """A located reading error (raised by the caller)."""
    return Failure(reason, message, offset)


class NameReader:
    """The text being read and the readers for the parts of names."""

    def __init__(
        self, text: str, hi: int, braces: Mapping[int, int], subparse: SubParse | None
    ) -> None:
        self.text = text
        self.hi = hi
        self.braces = braces  # position of the matching `}` for every `{`
        self.subparse = subparse  # None while reading a subscript expression

    def skip_blank(self, p: int, limit: int) -> int:
        """The first offset from p that is not white space (or LaTeX's `~`)."""
        text = self.text
        while p < limit and (text[p].isspace() or text[p] == "~"):
            p += 1
        return p

    def command_name(self, i: int) -> tuple[str, int]:
        """The name of the command whose backslash is at i, and the offset after it."""
        j = i + 1
        if j >= self.hi:
            raise fail("A lone backslash '\\' ends the answer.", i)
        if self.text[j] in ASCII_LETTERS:
            m = match_at(LETTERS, self.text, j, self.hi)
            return m.group(), m.end()
        return self.text[j], j + 1

    def greek(self, base: str, end: int) -> tuple[str, int]:
        """A Greek letter absorbs digits written right after it (`\\delta2` is "delta2")."""
        m = DIGITS.match(self.text, end, self.hi)
        return (base + m.group(), m.end()) if m else (base, end)

    def subscript(self, p: int, limit: int) -> tuple[str | None, Node | None, int]:
        """The subscript after a name at p, canonicalised: (text, expression or None, end).

        `_out`, `_{out}`, `_{\\text{out}}`, `_{\\rm out}` give "out"; an unbraced subscript takes
        the whole alphanumeric run and chains (`p_y_i` gives "y_i"); `z_{k - 1}` gives "k-1" and
        the expression k - 1; a space between two words becomes a comma (`_{y_i j}` -> "y_i,j").
        """
        text = self.text
        if p < limit and text[p] in tb.SUBSCRIPT_CHARS:
            end = p
            while end < limit and text[end] in tb.SUBSCRIPT_CHARS:
                end += 1
            return "".join(tb.SUBSCRIPT_CHARS[c] for c in text[p:end]), None, end
        q = self.skip_blank(p, limit)
        if not (q < limit and text[q] == "_"):
            return None, None, p
        pieces: list[str] = []
        braced: tuple[int, int] | None = None
        has_ops = False
        while q < limit and text[q] == "_":
            piece, end, ops, inner = self.subscript_piece(self.skip_blank(q + 1, limit), q, limit)
            pieces.append(piece)
            has_ops = has_ops or ops
            braced = inner if len(pieces) == 1 else None
            q = end
            if not (
                q + 1 < limit
                and text[q] == "_"
                and (text[q + 1] in ASCII_ALNUM or text[q + 1] == "{")
            ):
                break
        sub = "_".join(pieces)
        if not _SUB_TEXT.fullmatch(sub):
            raise fail(f"The subscript {sub!r} is not a valid subscript.", p)
        if has_ops and braced is None:
            raise fail("Write an arithmetic subscript in one pair of braces, e.g. z_{k-1}.", p)
        sub_expr = None
        if has_ops and "," not in sub and self.subparse is not None and braced is not None:
            sub_expr = self.subparse(*braced)
        return sub, sub_expr, q

    def subscript_piece(
        self, r: int, underscore: int, limit: int
    ) -> tuple[str, int, bool, tuple[int, int] | None]:
        """One `_...` piece: (canonical text, end, has arithmetic, inner range if braced)."""
        text = self.text
        if r >= limit:
            raise _missing_subscript(underscore)
        c = text[r]
        if c == "{":
            close = self.braces[r]
            canon, ops = self.canonical_subscript(r + 1, close)
            return canon, close + 1, ops, (r + 1, close)
        if c in ASCII_ALNUM:
            m = match_at(ALNUM, text, r, limit)
            return m.group(), m.end(), False, None
        if c in tb.GREEK_CHARS:
            return tb.GREEK_CHARS[c], r + 1, False, None
        if c == "\\":
            name, end = self.command_name(r)
            if name in tb.GREEK_COMMANDS:
                return tb.GREEK_COMMANDS[name], end, False, None
            brace = self.skip_blank(end, limit)
            if (name in tb.TEXT_COMMANDS or name in tb.WRAPPER_COMMANDS) and text.startswith(
                "{", brace
            ):
                close = self.braces[brace]
                canon, ops = self.canonical_subscript(brace + 1, close)
                return canon, close + 1, ops, (brace + 1, close)
        raise _missing_subscript(underscore)

    def canonical_subscript(self, a: int, b: int) -> tuple[str, bool]:
        """The canonical text of a braced subscript text[a:b] and whether it has arithmetic."""
        text = self.text
        out: list[str] = []
        space = has_ops = False
        i = a
        while i < b:
            c = text[i]
            if c.isspace() or c == "~":
                space, i = True, i + 1
                continue
            if c in "{}":
                i += 1
                continue
            if c == "\\":
                space, i = self.subscript_command(out, i, b, space)
                continue
            if c in ASCII_ALNUM or c in tb.GREEK_CHARS:
                _add_word(out, c if c in ASCII_ALNUM else tb.GREEK_CHARS[c], space)
            elif c in "_,":
                out.append(c)
            elif c in "+-*/−":
                out.append("-" if c == "−" else c)
                has_ops = True
            else:
                raise fail(f"The character {c!r} cannot be used in a subscript.", i)
            space, i = False, i + 1
        if not out:
            raise fail("This subscript is empty.", a)
        return "".join(out), has_ops

    def subscript_command(self, out: list[str], i: int, b: int, space: bool) -> tuple[bool, int]:
        """A command inside a braced subscript: spacing, a text wrapper or a Greek letter."""
        name, end = self.command_name(i)
        if name in _SPACING:
            return True, end
        if name in tb.IGNORED_COMMANDS or name in tb.TEXT_COMMANDS or name in tb.WRAPPER_COMMANDS:
            # LaTeX ignores the spaces after a command word (`\rm out`).
            return space, self.skip_blank(end, b) if name[:1].isalpha() else end
        word = tb.GREEK_COMMANDS.get(name) or tb.SYMBOL_COMMANDS.get(name)
        if word is None:
            raise fail(f"The command \\{name} cannot be used in a subscript.", i)
        _add_word(out, word, space)
        return False, self.skip_blank(end, b)

    def dressed_name(self, p: int) -> tuple[str, str | None, Node | None, int] | None:
        """The name argument of an accent or wrapper at p: base, subscript, end; else None."""
        r = self.skip_blank(p, self.hi)
        if r >= self.hi:
            return None
        if self.text[r] != "{":
            got = self.base_at(r, self.hi, single=True)
            if got is None:
                return None
            sub, sub_expr, q = self.subscript(got[1], self.hi)
            return got[0], sub, sub_expr, q
        close = self.braces[r]
        a = self.skip_blank(r + 1, close)
        got = self.base_at(a, close, single=False) if a < close else None
        if got is None:
            return None
        sub, sub_expr, q = self.subscript(got[1], close)
        if self.skip_blank(q, close) != close:
            return None
        if sub is None:
            sub, sub_expr, after = self.subscript(close + 1, self.hi)
            return got[0], sub, sub_expr, after
        return got[0], sub, sub_expr, close + 1

    def base_at(self, a: int, limit: int, single: bool) -> tuple[str, int] | None:
        """An identifier (one letter when `single`) or a Greek letter at a: (base, end)."""
        c = self.text[a]
        if c in ASCII_LETTERS:
            if single:
                return c, a + 1
            m = match_at(IDENT, self.text, a, limit)
            return m.group(), m.end()
        if c in tb.GREEK_CHARS:
            return tb.GREEK_CHARS[c], a + 1
        if c == "\\":
            name, end = self.command_name(a)
            if name in tb.GREEK_COMMANDS:
                return tb.GREEK_COMMANDS[name], end
            if name in tb.SYMBOL_COMMANDS:
                return tb.SYMBOL_COMMANDS[name], end
        return None


def _missing_subscript(underscore: int) -> Failure:
    return fail("'_' must be followed by a subscript, e.g. s_out or s_{out}.", underscore)


def match_at(pattern: re.Pattern[str], text: str, pos: int, limit: int) -> re.Match[str]:
    """`pattern` matched at pos; callers have checked the first character already."""
    m = pattern.match(text, pos, limit)
    if m is None:
        raise fail(f"Unexpected character {text[pos : pos + 1]!r}.", pos)
    return m


def _add_word(out: list[str], word: str, space: bool) -> None:
    """Append a subscript word; a space between two words becomes a comma (`y_i j` -> y_i,j)."""
    if space and out and out[-1][-1:].isalnum():
        out.append(",")
    out.append(word)
