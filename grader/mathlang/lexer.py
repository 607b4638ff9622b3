"""Pass 1 of reading an answer: characters -> tokens.

Plain text, LaTeX and Unicode are normalised here into one token vocabulary (`tokens.py`):
`\\cdot`, `·` and `*` all give MUL; `\\delta`, `δ` and `delta` all give the name "delta";
`s_{\\text{out}}` and `s_out` give the same NAME token (subscripts are absorbed into names);
`^T`, `^{\\top}` give TRANSPOSE; `^{\\prime}` gives PRIME. Nothing is evaluated. The parts of
names (identifiers, Greek letters, subscripts, `\\mathbf{...}`) are read by `names.NameReader`.

The scan is a single left-to-right loop over the text (linear time). The only nesting is the
reading of an arithmetic subscript (`z_{k-1}`), which calls back into the parser once, and that
inner parse never reads a subscript as an expression again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from grader.mathlang import tables as tb
from grader.mathlang import tokens as tk
from grader.mathlang.ast import Node
from grader.mathlang.errors import Failure
from grader.mathlang.limits import Limits
from grader.mathlang.names import (
    ASCII_ALNUM,
    ASCII_DIGITS,
    ASCII_LETTERS,
    IDENT,
    NameReader,
    SubParse,
    fail,
    match_at,
)
from grader.model import Reason

# `2.*x` is 2 .* x (hadamard), so a decimal point followed by `*` does not belong to the number.
_NUMBER = re.compile(r"(?:[0-9]+(?:\.(?!\*)[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SAFE_INT_DIGITS = 4000  # below Python's int <-> str conversion limit
_DELIMITER_KINDS = frozenset(
    (
        tk.LPAR,
        tk.RPAR,
        tk.LSQB,
        tk.RSQB,
        tk.LBRACE,
        tk.RBRACE,
        tk.BAR,
        tk.NORM,
        tk.LFLOOR,
        tk.RFLOOR,
        tk.LCEIL,
        tk.RCEIL,
    )
)
_FRACS = frozenset(("frac", "dfrac", "tfrac", "cfrac"))
# The numerator of a derivative operator `\frac{d}{dx}` (spaces removed) -> its order.
_DIFFERENTIALS = MappingProxyType(
    {
        f"{mark}{power}": order
        for mark in ("d", "\\partial", "∂", "\\mathrm{d}", "\\text{d}", "\\operatorname{d}")
        for power, order in (("", 1), ("^2", 2), ("^{2}", 2), ("^3", 3), ("^{3}", 3))
    }
)
_BINOMS = frozenset(("binom", "dbinom", "tbinom"))
# What makes a subscript a sum's range or condition (for `Σ_{...}`).
_CONDITION_MARKS = ("=", "≠", "<", ">", "≤", "≥", "\\ne", "\\le", "\\ge", "\\lt", "\\gt",
                    "\\in", "∈")


def prescan(text: str, lo: int, hi: int, limits: Limits) -> dict[int, int]:
    """Match LaTeX braces and reject deep nesting before any other work.

    Returns the position of the matching `}` for every `{` in text[lo:hi]. Counts every kind of
    bracket towards the nesting depth, so 10 000 nested brackets fail here, in linear time.
    """
    braces: dict[int, int] = {}
    stack: list[int] = []
    depth = 0  # brackets other than LaTeX braces
    i = lo
    while i < hi:
        c = text[i]
        if c == "\\":
            if i + 1 < hi and text[i + 1] in "{}":
                depth = depth + 1 if text[i + 1] == "{" else max(0, depth - 1)
                _check_depth(len(stack) + depth, i, limits)
            i += 2
            continue
        if c == "{":
            stack.append(i)
            _check_depth(len(stack) + depth, i, limits)
        elif c == "}":
            if not stack:
                raise fail("This '}' closes nothing.", i)
            braces[stack.pop()] = i
        elif c in "([":
            depth += 1
            _check_depth(len(stack) + depth, i, limits)
        elif c in ")]":
            depth = max(0, depth - 1)
        i += 1
    if stack:
        raise fail("This '{' is never closed.", stack[-1])
    return braces


def _check_depth(depth: int, offset: int, limits: Limits) -> None:
    if depth > limits.max_depth:
        raise fail(
            f"Brackets are nested more than {limits.max_depth} levels deep.",
            offset,
            Reason.TOO_DEEP,
        )


class Lexer(NameReader):
    """Turns text[lo:hi] into tokens; one instance per reading (it holds the scan position)."""

    def __init__(
        self,
        text: str,
        lo: int,
        hi: int,
        braces: Mapping[int, int],
        limits: Limits,
        subparse: SubParse | None,
    ) -> None:
        super().__init__(text, hi, braces, subparse)
        self.pos = lo
        self.limits = limits
        self.out: list[tk.Tok] = []
        self.wrap: set[int] = set()  # single-character arguments of \frac, \sqrt, \binom
        self.sized: tuple[int, str] | None = None  # a pending \left or \big: offset, name
        self.bar_hint = ""
        self.drop_delimiter = False  # the pending \right closes a `\left.`: drop its delimiter
        self.lefts: list[bool] = []  # open \left's, True for the invisible `\left.`
        self.transparent: set[int] = set()  # braces of \substack, not groups
        self.stacks: list[tuple[int, int]] = []  # \substack{...} ranges: `\\` is a comma

    # ----------------------------------------------------------------- driver
    def run(self) -> list[tk.Tok]:
        """All tokens of the range, in order."""
        while True:
            self.pos = self.skip_blank(self.pos, self.hi)
            if self.pos >= self.hi:
                break
            if self.pos in self.wrap:
                self.single_argument()
            elif self.pos in self.transparent:
                self.pos += 1  # a brace of \substack{...}
            else:
                self.step()
        if self.sized is not None:
            raise self.sized_error()
        return self.out

    def step(self) -> None:
        """Read one token (or skip one ignorable item) at `self.pos`."""
        text, pos = self.text, self.pos
        c = text[pos]
        if c in ASCII_DIGITS or (c == "." and pos + 1 < self.hi and text[pos + 1] in ASCII_DIGITS):
            self.number()
        elif c in ASCII_LETTERS:
            m = match_at(IDENT, text, pos, self.hi)
            self.name_token(m.group(), pos, m.end())
        elif c == "\\":
            self.command()
        elif c == "^" or text.startswith("**", pos):
            self.superscript(pos, pos + (1 if c == "^" else 2))
        elif c == "Σ" and self.sigma_sum(pos):
            self.emit(tk.SUM, pos, pos + 1, "sum")
        elif c in tb.GREEK_CHARS:
            base, end = self.greek(tb.GREEK_CHARS[c], pos + 1)
            self.name_token(base, pos, end)
        elif c in tb.SYMBOL_CHARS:
            self.name_token(tb.SYMBOL_CHARS[c], pos, pos + 1)
        elif c in tb.FUNCTION_CHARS:
            sub, sub_expr, end = self.subscript(pos + 1, self.hi)
            self.emit(tk.FUNC, pos, end, tb.FUNCTION_CHARS[c], sub, sub_expr)
        else:
            self.symbol(c, pos)

    def symbol(self, c: str, pos: int) -> None:
        """Punctuation, operators and other single symbols."""
        if c in tb.PRIME_CHARS:
            self.emit(tk.PRIME, pos, pos + 1, primes=tb.PRIME_CHARS[c])
        elif c in tb.INDICATOR_CHARS:
            self.emit(tk.INDCMD, pos, pos + 1)
        elif c in tb.SUPERSCRIPT_CHARS:
            self.unicode_power(pos)
        elif c == "_" and self.starts_name(pos):
            raise fail("A name cannot start with '_'.", pos)
        elif c in tb.CHAR_TOKENS:
            kind, value = tb.CHAR_TOKENS[c]
            self.emit(kind, pos, pos + 1, "" if kind in (tk.BAR, tk.NORM) else value)
        else:
            for op, (kind, value) in tb.OPERATORS:
                if self.text.startswith(op, pos):
                    self.emit(kind, pos, pos + len(op), value)
                    return
            shown = repr(c)
            if self.text.startswith("...", pos):
                self.emit(tk.DOTS, pos, pos + 3, "...")
                return
            if c == ".":
                raise fail("A '.' can only be part of a number or of the operator '.*'.", pos)
            raise fail(f"The character {shown} cannot be used in an answer.", pos)

    def sigma_sum(self, pos: int) -> bool:
        """A capital sigma is a sum when a braced subscript with a range or condition follows
        (`Σ_{l≠y_i}`, `Σ_{l=1}^k`); otherwise it is the letter (a covariance Σ, `Σ_{11}`)."""
        text = self.text
        if not text.startswith("_{", pos + 1):
            return False
        inner = text[pos + 3 : self.braces[pos + 2]]
        return any(mark in inner for mark in _CONDITION_MARKS)

    def starts_name(self, pos: int) -> bool:
        """Whether a `_` at pos that no name absorbed would start an identifier (`__import__`).
        After a sum or an indicator, `_` introduces their subscript instead."""
        following = self.text[pos + 1 : pos + 2]
        after_head = bool(self.out) and self.out[-1].kind in (tk.SUM, tk.INDCMD)
        return (following in ASCII_LETTERS or following == "_") and not after_head

    # --------------------------------------------------------------- emitting
    def emit(
        self,
        kind: str,
        start: int,
        end: int,
        value: str = "",
        sub: str | None = None,
        sub_expr: Node | None = None,
        primes: int = 0,
    ) -> None:
        """Append a token and move past it."""
        if self.sized is not None:
            if kind not in _DELIMITER_KINDS:
                raise self.sized_error()
            if kind in (tk.BAR, tk.NORM) and not value:
                value = self.bar_hint
            self.sized = None
            if self.drop_delimiter:
                self.drop_delimiter = False
                self.pos = end
                return
        self.out.append(tk.Tok(kind, start, end, value, sub, sub_expr, primes))
        self.pos = end

    def sized_error(self) -> Failure:
        offset, name = self.sized or (self.pos, "left")
        return fail(f"\\{name} must be followed by a bracket such as ( or |.", offset)

    def name_token(
        self,
        base: str,
        start: int,
        end: int,
        sub: str | None = None,
        sub_expr: Node | None = None,
    ) -> None:
        """A name at text[start:end], with its subscript (read here unless already given).

        `and` is the conjunction and `sum_` starts a sum, wherever the word comes from."""
        if sub is None and base in ("and", "or"):
            self.emit(tk.AND if base == "and" else tk.OR, start, end, base)
            return
        if sub is None and base == "sum" and self.text.startswith("_", end):
            self.emit(tk.SUM, start, end, "sum")
            return
        if sub is None and base in tb.FUNCTION_COMMANDS and self.text.startswith("^", end):
            self.emit(tk.FUNC, start, end, base)  # plain `sin^2(x)`, as `\\sin^2(x)`
            return
        upper_of_sum = [t.kind for t in self.out[-2:]] == [tk.SUM, tk.POW]
        if sub is None and not upper_of_sum:  # in `\sum^k_{l=1}` the `_` belongs to the sum
            sub, sub_expr, end = self.subscript(end, self.hi)
            if sub is None and self.primed_subscript(base, start, end):
                return
        self.emit(tk.NAME, start, end, base, sub, sub_expr)

    def primed_subscript(self, base: str, start: int, end: int) -> bool:
        """`f'_3(x)`: primes written before the subscript read as `f_3'(x)`."""
        text, q = self.text, end
        while q < self.hi and text[q] in tb.PRIME_CHARS:
            q += 1
        if q == end or q >= self.hi or text[q] != "_":
            return False
        sub, sub_expr, after = self.subscript(q, self.hi)
        if sub is None:
            return False
        primes = sum(tb.PRIME_CHARS[c] for c in text[end:q])
        self.emit(tk.NAME, start, end, base, sub, sub_expr)
        self.emit(tk.PRIME, end, q, primes=primes)
        self.pos = after
        return True

    # ---------------------------------------------------------------- numbers
    def number(self) -> None:
        """A decimal literal: `0.0986`, `.5`, `100.`, `5.1e-2`, `1E3` (ASCII digits only)."""
        start = self.pos
        m = match_at(_NUMBER, self.text, start, self.hi)
        literal, end = m.group(), m.end()
        if end < self.hi and self.text[end] == "." and not self.text.startswith(".*", end):
            raise fail(f"{literal}. starts a malformed number (two decimal points?).", start)
        mantissa, _, exponent = literal.lower().partition("e")
        digits = sum(ch in ASCII_DIGITS for ch in mantissa)
        if digits > min(self.limits.max_digits, _SAFE_INT_DIGITS):
            raise fail(
                f"This number has {digits} digits; at most {self.limits.max_digits} are allowed.",
                start,
                Reason.TOO_LARGE,
            )
        if exponent and (len(exponent) > 9 or abs(int(exponent)) > self.limits.max_exponent):
            raise fail(
                f"The exponent of {literal!r} is larger than {self.limits.max_exponent}.",
                start,
                Reason.TOO_LARGE,
            )
        self.emit(tk.NUMBER, start, end, literal)

    def unicode_power(self, start: int) -> None:
        """`x²`, `x⁻¹`: a run of superscript characters is a power."""
        end = start
        while end < self.hi and self.text[end] in tb.SUPERSCRIPT_CHARS:
            end += 1
        chars = "".join(tb.SUPERSCRIPT_CHARS[c] for c in self.text[start:end])
        negative = chars.startswith("-")
        digits = chars.lstrip("-")
        if not digits.isdigit() or "-" in digits:
            raise fail("This superscript is not a whole number.", start)
        self.emit(tk.POW, start, start, "^")
        if negative:
            self.emit(tk.MINUS, start, start + 1, "-")
        self.emit(tk.NUMBER, end - len(digits), end, digits)

    # ------------------------------------------------------------ subscripts

    # --------------------------------------------------------------- commands

    def command(self) -> None:
        """A LaTeX command at `self.pos`."""
        start = self.pos
        name, end = self.command_name(start)
        if name in tb.IGNORED_COMMANDS:
            self.pos = end
        elif name in tb.SIZE_COMMANDS:
            self.size(name, start, end)
        elif name in tb.DELIMITER_COMMANDS:
            kind, hint = tb.DELIMITER_COMMANDS[name]
            self.emit(kind, start, end, hint)
        elif name == "\\":
            inside = any(a < start < b for a, b in self.stacks)
            self.emit(tk.COMMA if inside else tk.ROWSEP, start, end, "," if inside else "\\\\")
        elif name in tb.BINARY_COMMANDS:
            kind, value = tb.BINARY_COMMANDS[name]
            self.emit(kind, start, end, value)
        elif name in tb.ASSIGN_COMMANDS:
            self.emit(tk.ASSIGN, start, end, ":=")
        elif name in tb.DOTS_COMMANDS:
            self.emit(tk.DOTS, start, end, "...")
        elif name == "substack":
            self.substack(start, end)
        elif name == "not":
            self.negated(start, end)
        elif name in _FRACS or name in _BINOMS or name == "sqrt" or name == "sum":
            self.structure(name, start, end)
        elif name in ("begin", "end"):
            self.environment(name, start, end)
        else:
            self.named_command(name, start, end)

    def named_command(self, name: str, start: int, end: int) -> None:
        """Commands that make names, functions, transposes and primes."""
        if name in tb.FUNCTION_COMMANDS:
            sub, sub_expr, end = self.subscript(end, self.hi)
            self.emit(tk.FUNC, start, end, name, sub, sub_expr)
        elif name == "operatorname":
            self.operatorname(start, end)
        elif name in tb.GREEK_COMMANDS:
            base, end = self.greek(tb.GREEK_COMMANDS[name], end)
            self.name_token(base, start, end)
        elif name in tb.SYMBOL_COMMANDS:
            self.name_token(tb.SYMBOL_COMMANDS[name], start, end)
        elif name in ("top", "intercal"):
            self.emit(tk.TRANSPOSE, start, end, "T")
        elif name == "prime":
            self.emit(tk.PRIME, start, end, primes=1)
        elif name in tb.ACCENT_COMMANDS:
            self.accent(name, start, end)
        elif name in tb.WRAPPER_COMMANDS or name in tb.TEXT_COMMANDS:
            self.wrapper(name, start, end)
        else:
            raise fail(
                f"Unknown LaTeX command \\{name}: it is not part of the answer language.", start
            )

    def size(self, name: str, start: int, end: int) -> None:
        """`\\left`, `\\right`, `\\big`...: decoration of the next delimiter.

        `\\left.` is an invisible delimiter; the `\\right|` that closes it (as in an evaluation bar
        `\\left. f \\right|`) is dropped too."""
        r = self.skip_blank(end, self.hi)
        invisible = self.text.startswith(".", r)
        if name == "left":
            self.lefts.append(invisible)
        elif name == "right" and self.lefts and self.lefts.pop():
            self.drop_delimiter = not invisible
        if name in ("left", "right") and invisible:
            self.pos = r + 1
            return
        self.sized = (start, name)
        self.bar_hint = tb.SIZE_COMMANDS[name]
        self.pos = end

    def substack(self, start: int, end: int) -> None:
        """`\\substack{l=1 \\\\ l \\neq y_i}` under a sum: its lines are conditions, as if
        separated by commas; its braces group nothing."""
        r = self.skip_blank(end, self.hi)
        if not self.text.startswith("{", r):
            raise fail("\\substack must be followed by its lines in braces.", start)
        close = self.braces[r]
        self.transparent.update((r, close))
        self.stacks.append((r, close))
        self.pos = r

    def negated(self, start: int, end: int) -> None:
        """`\\not=` is `!=`."""
        r = self.skip_blank(end, self.hi)
        if not self.text.startswith("=", r):
            raise fail("\\not is only understood in \\not= (use \\neq).", start)
        self.emit(tk.RELOP, start, r + 1, "!=")

    def structure(self, name: str, start: int, end: int) -> None:
        """\\frac, \\binom, \\sqrt and \\sum."""
        if name == "sum":
            self.emit(tk.SUM, start, end, "sum")
        elif name == "sqrt":
            self.emit(tk.SQRT, start, end, "sqrt")
            if not self.text.startswith("[", self.skip_blank(end, self.hi)):
                self.arguments(name, start, end, 1)
        elif name in _FRACS and self.derivative_operator(start, end):
            return
        else:
            self.emit(tk.FRAC if name in _FRACS else tk.BINOM, start, end, name)
            self.arguments(name, start, end, 2)

    def derivative_operator(self, start: int, end: int) -> bool:
        """`\\frac{d}{dx}`, `\\frac{\\partial^2}{\\partial x^2}`: a DERIV token for the command and
        its numerator (the denominator is read as an ordinary group), so that the operator takes
        the product term that follows, as a sum does."""
        r = self.skip_blank(end, self.hi)
        if not self.text.startswith("{", r):
            return False
        close = self.braces[r]
        inner = "".join(self.text[r + 1 : close].split())
        order = _DIFFERENTIALS.get(inner)
        below = self.skip_blank(close + 1, self.hi)
        if order is None or not self.text.startswith("{", below):
            return False
        mark = "d" if inner[:1] == "d" else inner.split("^")[0]
        denominator = "".join(self.text[below + 1 : self.braces[below]].split())
        if not (denominator.startswith(mark) and len(denominator) > len(mark)):
            return False  # `\frac{d}{x}` is a quotient
        self.emit(tk.DERIV, start, close + 1, inner, primes=order)
        return True

    def arguments(self, name: str, start: int, p: int, count: int) -> None:
        """Check that \\frac and friends have their arguments; mark unbraced ones (`\\frac12`)."""
        for _ in range(count):
            r = self.skip_blank(p, self.hi)
            if r >= self.hi:
                raise fail(f"\\{name} needs {count} argument(s) in braces.", start)
            if self.text[r] == "{":
                p = self.braces[r] + 1
                continue
            end = self.single_end(r)
            if end is None:
                raise fail(f"Write the arguments of \\{name} in braces, e.g. \\{name}{{a}}.", r)
            self.wrap.add(r)
            p = end

    def single_end(self, r: int) -> int | None:
        """The end of a one-character LaTeX argument at r (a digit, letter or Greek letter)."""
        c = self.text[r]
        if c in ASCII_ALNUM or c in tb.GREEK_CHARS:
            return r + 1
        if c == "\\":
            name, end = self.command_name(r)
            if name in tb.GREEK_COMMANDS or name in tb.SYMBOL_COMMANDS:
                return end
        return None

    def single_argument(self) -> None:
        """An unbraced argument marked by `arguments`, read as if it had braces."""
        r = self.pos
        self.wrap.discard(r)
        c = self.text[r]
        end = self.single_end(r)
        if end is None:  # cannot happen: `arguments` checked this position
            raise fail("Write the arguments of this command in braces.", r)
        self.emit(tk.LGROUP, r, r, "{")
        if c in ASCII_DIGITS:
            self.emit(tk.NUMBER, r, end, c)
        elif c in ASCII_LETTERS or c in tb.GREEK_CHARS:
            self.emit(tk.NAME, r, end, tb.GREEK_CHARS.get(c, c))
        else:
            name, _ = self.command_name(r)
            base = tb.GREEK_COMMANDS.get(name) or tb.SYMBOL_COMMANDS[name]
            self.emit(tk.NAME, r, end, base)
        self.emit(tk.RGROUP, end, end, "}")

    def environment(self, name: str, start: int, end: int) -> None:
        """`\\begin{bmatrix}` / `\\end{bmatrix}` (also pmatrix, matrix, Bmatrix)."""
        r = self.skip_blank(end, self.hi)
        if not self.text.startswith("{", r):
            raise fail(f"\\{name} must name an environment, e.g. \\{name}{{bmatrix}}.", start)
        close = self.braces[r]
        env = self.text[r + 1 : close].strip()
        if env not in tb.MATRIX_ENVIRONMENTS:
            raise fail(f"The environment {env!r} is not supported (use bmatrix or pmatrix).", start)
        self.emit(tk.MATBEGIN if name == "begin" else tk.MATEND, start, close + 1, env)

    def operatorname(self, start: int, end: int) -> None:
        """`\\operatorname{diag}` is the function diag."""
        r = self.skip_blank(end, self.hi)
        if self.text.startswith("{", r):
            close = self.braces[r]
            word = self.text[r + 1 : close].strip()
            if IDENT.fullmatch(word):
                sub, sub_expr, q = self.subscript(close + 1, self.hi)
                self.emit(tk.FUNC, start, q, word, sub, sub_expr)
                return
        raise fail(
            "\\operatorname must be followed by a name in braces, e.g. \\operatorname{diag}.", start
        )

    # ------------------------------------------------------- dressed-up names
    def accent(self, name: str, start: int, end: int) -> None:
        """`\\hat{y}` is the name "yhat"; `\\bar{x}` "xbar"; `\\tilde{x}` "xtilde"."""
        got = self.dressed_name(end)
        if got is None:
            raise fail(
                f"\\{name} must be applied to one letter or name, e.g. \\{name}{{y}}.", start
            )
        base, sub, sub_expr, q = got
        self.name_token(base + tb.ACCENT_COMMANDS[name], start, q, sub, sub_expr)

    def wrapper(self, name: str, start: int, end: int) -> None:
        """`\\mathbf{W}`, `\\text{margin}`, `\\mathcal{L}`...: the name inside; `\\mathbb{1}`."""
        r = self.skip_blank(end, self.hi)
        braced = self.text.startswith("{", r)
        inner = self.text[r + 1 : self.braces[r]].strip() if braced else ""
        blackboard = name in ("mathbb", "mathbbm", "mathds")
        if name in tb.INDICATOR_WRAPPERS and (inner == "1" or (inner == "I" and blackboard)):
            # Without a condition after it, \mathbf{1} is the number 1 and \mathbb{I} the name I;
            # \mathbb{1} alone is an error (value "").
            fallback = "" if (inner == "1" and blackboard) else inner
            self.emit(tk.INDCMD, start, self.braces[r] + 1, fallback)
            return
        if name in tb.TEXT_COMMANDS and inner in ("and", "or"):
            self.emit(tk.AND if inner == "and" else tk.OR, start, self.braces[r] + 1, inner)
            return
        got = self.dressed_name(end)
        if got is not None:
            self.name_token(*_split_dressed(got, start))
        elif braced and name in tb.WRAPPER_COMMANDS:
            self.pos = r  # transparent: the braces are read as a group
        elif name in tb.TEXT_COMMANDS:
            raise fail(f"\\{name}{{...}} may only hold a name, e.g. \\{name}{{margin}}.", start)
        else:
            raise fail(f"\\{name} must be followed by its argument in braces.", start)

    # ------------------------------------------------------------ superscripts
    def superscript(self, start: int, after: int) -> None:
        """`^`/`**`: a transpose (`^T`, `^{\\top}`...), primes (`^{\\prime}`) or a power."""
        text = self.text
        r = self.skip_blank(after, self.hi)
        if r < self.hi and text[r] == "{":
            close = self.braces[r]
            inner = "".join(text[r + 1 : close].split())
            if inner in tb.TRANSPOSE_MARKS:
                self.transposed(start, close + 1)
                return
            primes = _count_primes(inner)
            if primes:
                self.emit(tk.PRIME, start, close + 1, primes=primes)
                return
        elif r < self.hi:
            end = self.transpose_mark(r)
            if end is not None:
                self.transposed(start, end)
                return
            if text.startswith("\\prime", r) and not text[r + 6 : r + 7].isalpha():
                self.emit(tk.PRIME, start, r + 6, primes=1)
                return
        self.emit(tk.POW, start, after, "^()" if self.bracketed_superscript(r) else "^")

    def transposed(self, start: int, end: int) -> None:
        """A transpose mark at text[start:end]; a subscript right after it belongs to the name
        before it when that name has none (`z^T_{k-1}` is `z_{k-1}^T`, `W^\\top_{out}`)."""
        last = self.out[-1] if self.out else None
        if last is not None and last.kind == tk.NAME and last.sub is None:
            sub, sub_expr, after = self.subscript(end, self.hi)
            if sub is not None:
                self.out[-1] = tk.Tok(tk.NAME, last.start, last.end, last.value, sub, sub_expr)
                self.emit(tk.TRANSPOSE, start, end, "T")
                self.pos = after
                return
        self.emit(tk.TRANSPOSE, start, end, "T")

    def bracketed_superscript(self, r: int) -> bool:
        """Whether the superscript at r is one bracket, as layer indices are written:
        `^{(k)}`, `^{[2]}`, `^(k-1)`."""
        text = self.text
        if r < self.hi and text[r] == "{":
            inner = text[r + 1 : self.braces[r]].strip()
            return len(inner) >= 3 and (inner[0], inner[-1]) in (("(", ")"), ("[", "]"))
        return r < self.hi and text[r] == "("

    def transpose_mark(self, r: int) -> int | None:
        """The end of an unbraced transpose mark at r: `T` alone, `\\top`, `\\intercal`, `⊤`."""
        text = self.text
        if text[r] == "T":
            following = text[r + 1 : r + 2]
            if following == "_":  # `z^T_{k-1}`: a transpose when the subscript can move
                last = self.out[-1] if self.out else None
                bare = last is not None and last.kind == tk.NAME and last.sub is None
                return r + 1 if bare else None
            return None if following and following in ASCII_ALNUM else r + 1
        if text[r] in "⊤ᵀ":
            return r + 1
        if text[r] == "\\":
            name, end = self.command_name(r)
            if name in ("top", "intercal"):
                return end
        return None

    # ---------------------------------------------------------------- helpers


def _count_primes(inner: str) -> int:
    """How many primes `^{...}` holds (`\\prime\\prime` or `''`), else 0."""
    marks = inner.replace("\\prime", "'")
    return len(marks) if marks and set(marks) == {"'"} else 0


def _split_dressed(
    got: tuple[str, str | None, Node | None, int], start: int
) -> tuple[str, int, int, str | None, Node | None]:
    """Arguments for `Lexer.name_token` from `Lexer.dressed_name`'s result."""
    base, sub, sub_expr, end = got
    return base, start, end, sub, sub_expr
