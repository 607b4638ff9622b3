"""TeX's tokenisation of a LaTeX source, with LaTeX's usual category codes, never running TeX.

What TeX does and we do too (The TeXbook, chapter 8):

- `%` starts a comment to the end of the line; the line break and the next line's leading
  blanks are dropped with it (a commented-out answer is not an answer).
- `\\` followed by letters is a control word, and the blanks after it are eaten (`\\had f` is
  `\\had` then `f`); `\\` followed by any other character is a control symbol (`\\,`, `\\\\`).
- Blanks and one line break are one space token; a blank line is `\\par`.
- `^^` followed by two lowercase hex digits, or by one character, is that character.
- `\\verb|...|` and the `verbatim`, `verbatim*`, `lstlisting`, `minted` and `comment`
  environments are read raw: nothing inside them is a command (`comment` content is dropped).

Category codes are never changed: `\\catcode` is a token like any other, and the document reader
warns that it is not followed. Every token knows its 1-based line and column in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Cat(IntEnum):
    """The category codes of LaTeX's document catcode table that tokens can carry."""

    BEGIN = 1  # {
    END = 2  # }
    MATH = 3  # $
    ALIGN = 4  # &
    PARAM = 6  # #
    SUP = 7  # ^
    SUB = 8  # _
    SPACE = 10
    LETTER = 11
    OTHER = 12
    ACTIVE = 13  # ~
    CS = 16  # a control sequence (not a catcode: TeX's "cs token")
    RAW = 17  # verbatim text kept as one token (\verb, verbatim environments)


_CATS = {"{": Cat.BEGIN, "}": Cat.END, "$": Cat.MATH, "&": Cat.ALIGN, "#": Cat.PARAM}
_CATS.update({"^": Cat.SUP, "_": Cat.SUB, "~": Cat.ACTIVE, " ": Cat.SPACE, "\t": Cat.SPACE})
RAW_ENVIRONMENTS = frozenset({"verbatim", "verbatim*", "lstlisting", "minted", "comment"})
_HEX = "0123456789abcdef"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: a control sequence (`cat` CS, `text` its name without the backslash) or a
    character with its category code. `depth` counts the macro expansions that produced it."""

    cat: Cat
    text: str
    line: int
    column: int
    depth: int = 0

    def is_cs(self, *names: str) -> bool:
        """True for a control sequence named one of `names` (any control sequence if none)."""
        return self.cat is Cat.CS and (not names or self.text in names)

    def is_char(self, text: str) -> bool:
        """True for the character token `text` (of any category)."""
        return self.cat is not Cat.CS and self.cat is not Cat.RAW and self.text == text

    def at_depth(self, depth: int) -> Token:
        """This token as produced by a macro expansion `depth` levels deep."""
        return Token(self.cat, self.text, self.line, self.column, depth)


def category(char: str) -> Cat:
    """The LaTeX document category code of one character."""
    if char in _CATS:
        return _CATS[char]
    if ("a" <= char <= "z") or ("A" <= char <= "Z"):
        return Cat.LETTER
    return Cat.OTHER


class _Reader:
    """A cursor over the source that keeps line and column (both 1-based)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def column(self) -> int:
        return self.pos - self.line_start + 1

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def char(self) -> str:
        """The next character after `^^` folding, consumed."""
        c = self.text[self.pos]
        if c == "^" and self.peek(1) == "^" and self.peek(2):
            a, b = self.peek(2), self.peek(3)
            if a in _HEX and b and b in _HEX:
                self.pos += 4
                return chr(int(a + b, 16))
            if ord(a) < 128 and a != "\n":
                self.pos += 3
                return chr(ord(a) + 64 if ord(a) < 64 else ord(a) - 64)
        self.pos += 1
        if c == "\n":
            self.line += 1
            self.line_start = self.pos
        return c

    def skip_line(self) -> None:
        """Drop the rest of the line, its line break and the next line's leading blanks."""
        end = self.text.find("\n", self.pos)
        if end < 0:
            self.pos = len(self.text)
            return
        self.pos = end
        self.char()
        self.skip_blanks()

    def skip_blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.pos += 1


def tokenize(text: str) -> list[Token]:
    """The tokens of a LaTeX source (``\\r\\n`` already folded or not: both work)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = _Reader(text)
    out: list[Token] = []
    while reader.pos < len(text):
        line, column = reader.line, reader.column()
        c = reader.char()
        if c == "%":
            reader.skip_line()
        elif c == "\\":
            _control_sequence(reader, out, line, column)
        elif c == "\n":
            _line_end(reader, out, line, column)
        elif c in (" ", "\t"):
            reader.skip_blanks()
            out.append(Token(Cat.SPACE, " ", line, column))
        elif c in ("\x00", "\x7f"):
            continue  # TeX's ignored and invalid characters
        else:
            out.append(Token(category(c), c, line, column))
            if c == "}" and _raw_environment_begins(out):
                _raw_environment(reader, out)
    return out


def _line_end(reader: _Reader, out: list[Token], line: int, column: int) -> None:
    reader.skip_blanks()
    if reader.peek() == "\n":
        while reader.peek() == "\n":
            reader.char()
            reader.skip_blanks()
        out.append(Token(Cat.CS, "par", line, column))
    elif not out or out[-1].cat is not Cat.SPACE:
        out.append(Token(Cat.SPACE, " ", line, column))


def _control_sequence(reader: _Reader, out: list[Token], line: int, column: int) -> None:
    if reader.pos >= len(reader.text):
        out.append(Token(Cat.CS, "", line, column))
        return
    first = reader.char()
    if category(first) is not Cat.LETTER:
        out.append(Token(Cat.CS, first, line, column))
        return
    name = [first]
    while reader.pos < len(reader.text) and category(reader.peek()) is Cat.LETTER:
        name.append(reader.char())
    word = "".join(name)
    if word == "verb":
        _verb(reader, out, line, column)
        return
    out.append(Token(Cat.CS, word, line, column))
    # TeX's state S: blanks after a control word are skipped, and so is one line break.
    reader.skip_blanks()
    if reader.peek() == "\n":
        reader.char()
        reader.skip_blanks()
        if reader.peek() == "\n":  # a blank line still ends the paragraph
            reader.char()
            reader.skip_blanks()
            out.append(Token(Cat.CS, "par", line, column))


def _verb(reader: _Reader, out: list[Token], line: int, column: int) -> None:
    """`\\verb<d>...<d>` (or `\\verb*`): one RAW token, up to the delimiter on the same line."""
    if reader.peek() == "*":
        reader.char()
    delimiter = reader.peek()
    if not delimiter or delimiter == "\n":
        out.append(Token(Cat.CS, "verb", line, column))
        return
    reader.char()
    end = reader.text.find(delimiter, reader.pos)
    newline = reader.text.find("\n", reader.pos)
    if end < 0 or (0 <= newline < end):
        end = newline if newline >= 0 else len(reader.text)
    body = reader.text[reader.pos : end]
    reader.pos = min(end + 1, len(reader.text)) if end < len(reader.text) else end
    out.append(Token(Cat.RAW, body, line, column))


def _raw_environment_begins(out: list[Token]) -> bool:
    """True when the tokens end with `\\begin{<raw environment>}`."""
    if len(out) < 3:
        return False
    index = len(out) - 2
    name: list[str] = []
    while index >= 0 and out[index].cat is not Cat.BEGIN and len(name) < 20:
        name.append(out[index].text)
        index -= 1
    return (
        index >= 1 and out[index - 1].is_cs("begin") and "".join(reversed(name)) in RAW_ENVIRONMENTS
    )


def _raw_environment(reader: _Reader, out: list[Token]) -> None:
    """The body of a raw environment up to its `\\end{name}` as one RAW token (dropped for
    `comment`, whose content is not part of the document)."""
    index = len(out) - 2
    name: list[str] = []
    while out[index].cat is not Cat.BEGIN:
        name.append(out[index].text)
        index -= 1
    env = "".join(reversed(name))
    closing = "\\end{" + env + "}"
    end = reader.text.find(closing, reader.pos)
    end = len(reader.text) if end < 0 else end
    line, column = reader.line, reader.column()
    body = reader.text[reader.pos : end]
    newlines = body.count("\n")
    if newlines:
        reader.line += newlines
        reader.line_start = reader.pos + body.rfind("\n") + 1
    reader.pos = end
    if env != "comment":
        out.append(Token(Cat.RAW, body, line, column))
