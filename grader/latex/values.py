"""An answer's (expanded) math tokens as the value a loader hands on.

- A matrix environment (`bmatrix`, `pmatrix`, `Bmatrix`, `vmatrix`, `matrix`, `smallmatrix`,
  `array`), optionally transposed (`^T`, `^{\\top}`, ...), whose cells are mostly numbers:
  a tuple of rows of cell texts. Several of them (a per-step list, separated by commas,
  spacing or `label =`): a tuple of such matrices. A matrix of symbols stays text, for the
  answer language.
- A bracket list of two or more items, `[0.45, 0.87]` or `(0.45, 0.87)^T`: a tuple (a column
  when transposed); nested lists nest.
- Cases, as students write them: `\\begin{cases} a & j \\neq y_i \\\\ b & j = y_i \\end{cases}`
  (conditions with or without `\\text{if }`, `\\text{for }`, `\\text{otherwise}`) and one case
  with its condition, `p_j \\quad \\text{for } j \\neq y_i`: an Iverson-bracket sum
  `[c_1] \\cdot (a) + [c_2] \\cdot (b)`, which is exactly the function the cases define, so the
  rubric's splits judge each case on its own entries whichever slot holds it (never a product
  of `for` and `j`). `otherwise` is `(1 - [c_1] - ...)`.
- Anything else: text (:func:`grader.latex.emit.math_text`).

A `label =` before the value is dropped when the value is an array (`W_1 = \\begin{bmatrix}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.latex.emit import environment_name, group_end, math_text
from grader.latex.tokens import Cat, Token

MATRIX_ENVIRONMENTS = frozenset(
    {
        "bmatrix",
        "pmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "matrix",
        "smallmatrix",
        "array",
        "bmatrix*",
        "pmatrix*",
    }
)
CASES_ENVIRONMENTS = frozenset({"cases", "dcases", "rcases", "cases*", "dcases*"})
CONNECTIVES = frozenset({"for", "if", "when", "where", "whenever", "falls"})
OTHERWISE = frozenset({"otherwise", "else", "sonst"})
SPACING = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "\n"})
_TRANSPOSE_MARKS = frozenset({"T", "top", "intercal", "mathsf", "mathrm", "mathtt", "text"})


class AnswerFormError(Exception):
    """An answer whose structure cannot be read (a case without a condition, a ragged
    matrix); `token` locates it."""

    def __init__(self, message: str, token: Token) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


@dataclass(frozen=True)
class _Env:
    name: str
    start: int  # index of \begin
    body: int  # first body token
    body_end: int  # index of the matching \end
    end: int  # index after \end{name}


def answer_value(tokens: Sequence[Token]) -> object:
    """The loader value of an answer's math tokens (see the module docstring)."""
    tokens = _strip(tokens)
    words = _only_text(tokens)
    if words is not None:
        return words
    cases = _find_top_env(tokens, CASES_ENVIRONMENTS)
    if cases is not None:
        return _cases_text(tokens, cases)
    split = _condition_start(tokens)
    if split is not None:
        expr, cond = _strip(tokens[:split]), _condition(tokens[split:])
        if expr and cond:
            return f"[{math_text(cond)}] \\cdot \\left( {math_text(expr)} \\right)"
    arrays = _arrays(tokens)
    if arrays is not None:
        return arrays
    return math_text(tokens)


def _only_text(tokens: Sequence[Token]) -> str | None:
    """The words of an answer that is one `\\text{...}` group (a choice such as `batch-mean`)."""
    if not tokens:
        return None
    found = _text_group_words(tokens, 0)
    if found is None or _strip(tokens[found[1] :]) or any(t.cat is Cat.MATH for t in tokens):
        return None
    return found[0]  # "" for an empty \text{}: no answer


# -- helpers over token lists ------------------------------------------------------------------


def _insignificant(token: Token) -> bool:
    return token.cat in (Cat.SPACE, Cat.MATH, Cat.ACTIVE) or (
        token.cat is Cat.CS and token.text in SPACING | {"[", "]", "(", ")", "displaystyle"}
    )


def _strip(tokens: Sequence[Token]) -> list[Token]:
    """Without leading/trailing spaces, `$`, display delimiters, final `\\\\`, `.` or `,`."""
    items = list(tokens)
    while items and (_insignificant(items[0]) or items[0].is_cs("\\")):
        items.pop(0)
    while items and (
        _insignificant(items[-1])
        or items[-1].is_cs("\\")
        or items[-1].is_char(".")
        or items[-1].is_char(",")
    ):
        items.pop()
    return items


def _environments(tokens: Sequence[Token], names: frozenset[str]) -> list[_Env]:
    """Top-level environments (outside braces and other environments) named in `names`."""
    found: list[_Env] = []
    index = 0
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        elif token.is_cs("begin") and depth == 0:
            env = _match_env(tokens, index)
            if env is None:
                return found
            if env.name in names:
                found.append(env)
            index = env.end
            continue
        index += 1
    return found


def _match_env(tokens: Sequence[Token], start: int) -> _Env | None:
    head = environment_name(tokens, start)
    if head is None:
        return None
    name, body = head
    nesting = 0
    index = body
    while index < len(tokens):
        token = tokens[index]
        if token.is_cs("begin"):
            nesting += 1
        elif token.is_cs("end"):
            if nesting == 0:
                tail = environment_name(tokens, index)
                end = tail[1] if tail else index + 1
                return _Env(name, start, body, index, end)
            nesting -= 1
        index += 1
    return None


def _find_top_env(tokens: Sequence[Token], names: frozenset[str]) -> _Env | None:
    found = _environments(tokens, names)
    return found[0] if found else None


def _split_top(tokens: Sequence[Token], separator: str) -> list[list[Token]]:
    """Split at `&` (separator "&") or `\\\\` (separator "\\\\") outside braces and nested
    environments."""
    parts: list[list[Token]] = [[]]
    depth = 0
    nesting = 0
    for token in tokens:
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        elif token.is_cs("begin"):
            nesting += 1
        elif token.is_cs("end"):
            nesting -= 1
        top = depth == 0 and nesting == 0
        is_sep = (
            token.cat is Cat.ALIGN
            if separator == "&"
            else token.is_cs("\\", "cr", "tabularnewline")
        )
        if top and is_sep:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _text_group_words(tokens: Sequence[Token], index: int) -> tuple[str, int] | None:
    """For `\\text{...}` (or `\\mbox`, `\\textrm`, `\\mathrm`, `\\textnormal`) at `index`: the
    plain words inside (math inside is left out) and the index after it."""
    if not tokens[index].is_cs("text", "mbox", "textrm", "textnormal", "mathrm", "textit"):
        return None
    at = index + 1
    while at < len(tokens) and tokens[at].cat is Cat.SPACE:
        at += 1
    if at >= len(tokens) or tokens[at].cat is not Cat.BEGIN:
        return None
    end = group_end(tokens, at)
    words = "".join(
        t.text if t.cat in (Cat.LETTER, Cat.SPACE, Cat.OTHER) else " "
        for t in tokens[at + 1 : end - 1]
        if t.cat is not Cat.MATH
    )
    return " ".join(words.split()), end


# -- conditions --------------------------------------------------------------------------------


def _condition_start(tokens: Sequence[Token]) -> int | None:
    """Where a trailing condition starts at the top level: `\\text{for ...}`, `\\forall`,
    or a plain word `for`/`if`/`when` between spaces."""
    depth = 0
    for index, token in enumerate(tokens):
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        if depth != 0 or index == 0:
            continue
        if token.is_cs("forall"):
            return index
        text = _text_group_words(tokens, index)
        if text is not None and text[0].split()[:1] and text[0].split()[0].lower() in CONNECTIVES:
            return index
        if token.cat is Cat.LETTER and _plain_word(tokens, index) in CONNECTIVES:
            return index
    return None


def _plain_word(tokens: Sequence[Token], index: int) -> str:
    """The letter run starting at `index` when it stands alone between non-letters."""
    if index > 0 and tokens[index - 1].cat is Cat.LETTER:
        return ""
    end = index
    while end < len(tokens) and tokens[end].cat is Cat.LETTER:
        end += 1
    before_ok = index == 0 or _insignificant(tokens[index - 1])
    after_ok = end < len(tokens) and _insignificant(tokens[end])
    if not (before_ok and after_ok):
        return ""
    return "".join(t.text for t in tokens[index:end]).lower()


def _condition(tokens: Sequence[Token]) -> list[Token]:
    """A condition's math: connective words, `\\forall`, spacing and commas removed; the math
    inside a `\\text{if $j \\neq y$}` kept."""
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        text = _text_group_words(tokens, index)
        if text is not None:
            end = text[1]
            inner = list(tokens[index + 2 : end - 1])
            math = _inside_math(inner)
            out.extend(math)
            index = end
            continue
        if token.is_cs("forall") or _insignificant(token):
            out.append(Token(Cat.SPACE, " ", token.line, token.column))
            index += 1
            continue
        word = _plain_word(tokens, index) if token.cat is Cat.LETTER else ""
        if word in CONNECTIVES or word in ("and", "all"):
            index += len(word)
            continue
        out.append(token)
        index += 1
    return _strip(out)


def _inside_math(tokens: Sequence[Token]) -> list[Token]:
    """The tokens between `$` signs of a text group's content."""
    out: list[Token] = []
    inside = False
    for token in tokens:
        if token.cat is Cat.MATH:
            inside = not inside
        elif inside:
            out.append(token)
    return out


def _is_otherwise(tokens: Sequence[Token]) -> bool:
    words = []
    for index, token in enumerate(tokens):
        text = _text_group_words(tokens, index)
        if text is not None:
            words.extend(text[0].lower().split())
        elif token.cat is Cat.LETTER:
            words.append(token.text.lower())
    joined = " ".join(words).replace(".", " ").replace(",", " ")
    return any(word in OTHERWISE for word in joined.split()) or "".join(words) in OTHERWISE


def _cases_text(tokens: Sequence[Token], env: _Env) -> str:
    rows = [r for r in _split_top(tokens[env.body : env.body_end], "\\") if _strip(r)]
    if not rows:
        raise AnswerFormError("the cases environment is empty", tokens[env.start])
    pieces: list[str] = []
    conditions: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = _split_top(row, "&")
        expr = _strip(cells[0])
        rest = [t for cell in cells[1:] for t in cell]
        if len(cells) < 2 or not _strip(rest):
            raise AnswerFormError(
                f"case {number} of the cases has no condition (write `expression & condition`)",
                row[0],
            )
        if _is_otherwise(rest):
            guard = "1 - " + " - ".join(f"[{c}]" for c in conditions) if conditions else "1"
            pieces.append(f"\\left( {guard} \\right) \\cdot \\left( {math_text(expr)} \\right)")
            continue
        cond = math_text(_condition(rest))
        if not cond:
            raise AnswerFormError(f"case {number} of the cases has no condition", row[0])
        conditions.append(cond)
        pieces.append(f"[{cond}] \\cdot \\left( {math_text(expr)} \\right)")
    prefix = _strip(tokens[: env.start])
    while prefix and (prefix[-1].is_cs("left") or prefix[-1].is_cs("{")):
        prefix.pop()
    head = math_text(prefix) + " " if prefix else ""
    return head + " + ".join(pieces)


# -- arrays ------------------------------------------------------------------------------------


def _arrays(tokens: Sequence[Token]) -> object | None:
    matrices = _environments(tokens, MATRIX_ENVIRONMENTS)
    if len(matrices) >= 2:  # a per-step list: labels may stand before each matrix
        return _matrix_list(tokens, matrices)
    tokens = _after_label(tokens)
    matrices = _environments(tokens, MATRIX_ENVIRONMENTS)
    if matrices:
        return _matrix_list(tokens, matrices)
    return _bracket_list(tokens)


def _after_label(tokens: Sequence[Token]) -> list[Token]:
    """The tokens after the last top-level `=` (or all of them)."""
    depth = 0
    last = -1
    for index, token in enumerate(tokens):
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        elif depth == 0 and token.is_char("="):
            last = index
    return _strip(tokens[last + 1 :]) if last >= 0 else list(tokens)


def _transposed(tokens: Sequence[Token], index: int) -> int | None:
    """For `^T`, `^{T}`, `^\\top`, `^{\\top}`, `^\\intercal`, `^{\\mathsf{T}}` at `index`: the
    index after it."""
    at = index
    while at < len(tokens) and tokens[at].cat is Cat.SPACE:
        at += 1
    if at >= len(tokens) or tokens[at].cat is not Cat.SUP:
        return None
    at += 1
    if at < len(tokens) and tokens[at].cat is Cat.BEGIN:
        end = group_end(tokens, at)
        inner = [
            t for t in tokens[at + 1 : end - 1] if t.cat not in (Cat.SPACE, Cat.BEGIN, Cat.END)
        ]
    else:
        end = at + 1
        inner = list(tokens[at:end])
    texts = [t.text for t in inner]
    if texts in (["T"], ["top"], ["intercal"]) or (
        len(texts) == 2 and texts[0] in _TRANSPOSE_MARKS and texts[1] == "T"
    ):
        return end
    return None


def _separator_only(tokens: Sequence[Token]) -> bool:
    return all(
        _insignificant(t) or t.is_char(",") or t.is_char(";") or t.is_cs("\\") or t.cat is Cat.ALIGN
        for t in tokens
    )


def _matrix_list(tokens: Sequence[Token], envs: list[_Env]) -> object | None:
    values: list[object] = []
    position = 0
    for env in envs:
        gap = _strip(tokens[position : env.start])
        if gap and not (
            _separator_only(gap) or _label_gap(gap) or (position == 0 and _opener(gap))
        ):
            return None
        matrix = _matrix(tokens, env)
        if matrix is None:
            return None
        after = _transposed(tokens, env.end)
        if after is not None:
            matrix = tuple(zip(*matrix, strict=True)) if matrix else matrix
        values.append(matrix)
        position = after if after is not None else env.end
    tail = _strip(tokens[position:])
    if tail and not (_separator_only(tail) or _closer(tail)):
        return None
    return values[0] if len(values) == 1 else tuple(values)


def _opener(tokens: Sequence[Token]) -> bool:
    texts = [t.text for t in tokens if not _insignificant(t)]
    return texts in (["left", "("], ["left", "["], ["("], ["["], ["left", "{"], ["{"])


def _closer(tokens: Sequence[Token]) -> bool:
    texts = [t.text for t in tokens if not _insignificant(t) and not t.is_char(",")]
    return texts in (["right", ")"], ["right", "]"], [")"], ["]"], ["right", "}"], ["}"])


def _label_gap(tokens: Sequence[Token]) -> bool:
    """`, \\nabla W^{(2)} =` between two matrices of a per-step list."""
    return any(t.is_char("=") for t in tokens) and _strip(tokens)[-1].is_char("=")


def _matrix(tokens: Sequence[Token], env: _Env) -> tuple[tuple[str, ...], ...] | None:
    body = list(tokens[env.body : env.body_end])
    if env.name == "array" and body and body[0].cat is Cat.BEGIN:
        body = body[group_end(body, 0) :]  # the column specification
    rows = _split_top(body, "\\")
    if rows and not _strip(rows[-1]):
        rows.pop()
    table = [tuple(math_text(_strip(cell)) for cell in _split_top(row, "&")) for row in rows]
    if not table:
        raise AnswerFormError("the matrix is empty", tokens[env.start])
    cells = [c for row in table for c in row]
    if sum(_numeric_looking(c) for c in cells) * 2 < len(cells):
        return None
    width = len(table[0])
    for number, row in enumerate(table, start=1):
        if len(row) != width:
            raise AnswerFormError(
                f"row {number} of the matrix has {len(row)} entries, row 1 has {width}",
                tokens[env.start],
            )
    return tuple(table)


_NUMBER_WORDS = (
    "\\times",
    "\\cdot",
    "\\frac",
    "\\dfrac",
    "\\tfrac",
    "\\left",
    "\\right",
    "\\,",
    "\\!",
    "\\;",
    "\\ ",
    "\\mathbf",
    "\\text",
    "\\mathrm",
)


def _numeric_looking(text: str) -> bool:
    """True for a cell that reads as a number (digits, signs, `\\times 10^{-3}`, `\\frac`)."""
    rest = text
    for word in _NUMBER_WORDS:
        rest = rest.replace(word, "")
    rest = rest.replace("e", "").replace("E", "")
    return any(c.isdigit() for c in rest) and all(c in "0123456789.,+-(){}^/ *·×−[]" for c in rest)


def _bracket_list(tokens: Sequence[Token]) -> object | None:
    """`[a, b, c]`, `\\left[a, b\\right]`, `(a, b)^T` and nested `[[a, b], [c, d]]`."""
    found = _bracketed(tokens, 0)
    if found is None:
        return None
    items, end = found
    after = _transposed(tokens, end)
    rest = _strip(tokens[after if after is not None else end :])
    if rest or len(items) < 2:
        return None
    values: list[object] = []
    for item in items:
        nested = _bracketed(item, 0)
        if nested is not None and not _strip(item[nested[1] :]) and len(nested[0]) >= 2:
            values.append(tuple(math_text(_strip(i)) for i in nested[0]))
        else:
            text = math_text(_strip(item))
            if not _numeric_looking(text):
                return None
            values.append(text)
    if after is not None:
        return tuple((v,) for v in values)
    return tuple(values)


_PAIRS = {"[": "]", "(": ")"}


def _bracketed(tokens: Sequence[Token], index: int) -> tuple[list[list[Token]], int] | None:
    """The comma-separated items of a bracket pair starting at `index` and the index after it."""
    at = index
    while at < len(tokens) and _insignificant(tokens[at]) and not tokens[at].is_cs("[", "("):
        at += 1
    left = at < len(tokens) and tokens[at].is_cs("left")
    if left:
        at += 1
    if at >= len(tokens) or tokens[at].text not in _PAIRS or tokens[at].cat is Cat.CS:
        return None
    closing = _PAIRS[tokens[at].text]
    items: list[list[Token]] = [[]]
    depth = 0
    for position in range(at + 1, len(tokens)):
        token = tokens[position]
        if token.cat is Cat.BEGIN or (token.cat is Cat.OTHER and token.text in _PAIRS):
            depth += 1
        elif token.cat is Cat.END or (token.cat is Cat.OTHER and token.text in _PAIRS.values()):
            if depth == 0 and token.text == closing:
                if left and items[-1] and items[-1][-1].is_cs("right"):
                    items[-1].pop()
                return items, position + 1
            depth -= 1
        if depth == 0 and token.is_char(","):
            items.append([])
        else:
            items[-1].append(token)
    return None
