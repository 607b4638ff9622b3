"""Reading a LaTeX answer document (the `grader` package's interface) without running TeX.

    doc = read_document(source_text)

The document is tokenised as TeX would (:mod:`.tokens`) and walked once, in document order:

- `\\student{<id>}{<name>}`, `\\assignment{<assignment>}`: identity and assignment (last wins);
- `\\answer{<id>}{<math>}`: one answer; its content has the student's macros expanded
  (:mod:`.macros`) and becomes a value (:mod:`.values`);
- `\\begin{answertext}{<id>} ... \\end{answertext}`: a text answer (plain text: commands
  dropped, their arguments kept, `\\item` as a list dash, math kept as written);
- `\\newcommand` and the other definitions of :data:`grader.latex.macros.DEFINERS`: recorded,
  for the answers that follow;
- `\\input`, `\\include`, `\\subfile`, `\\import`: not followed (a warning);
- `\\catcode`: not followed (a warning: the file is read with LaTeX's usual catcodes);
- `\\iffalse ... \\fi` is skipped (a common way to comment out), and so is everything after
  `\\end{document}` or `\\endinput`.

Everything else (the preamble, derivations, `\\write18`, `\\csname`, ...) is ignored: it is
never executed, only tokenised. Every answer and note carries its 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.latex.emit import environment_name
from grader.latex.macros import (
    DEFINERS,
    ExpansionError,
    ExpansionLimits,
    Macro,
    expand,
    read_definition,
    read_group,
)
from grader.latex.text import plain_text
from grader.latex.tokens import Cat, Token, tokenize
from grader.latex.values import AnswerFormError, answer_value

MAX_DEFINITIONS = 2_000
MAX_ANSWERS = 2_000
INPUTS = frozenset({"input", "include", "subfile", "import", "subimport", "InputIfFileExists"})
TEXT_ENVIRONMENT = "answertext"
_TEXT_DROPPED = frozenset({"begin", "end", "par", "noindent", "centering", "label", "hline"})


@dataclass(frozen=True)
class TexAnswer:
    """One answer as found: its value (text, tuples of cell texts), or `error` (then value is
    None) with `kind` ("syntax", "too_deep", "too_large") and the error's position."""

    answer_id: str
    value: object
    line: int
    column: int
    text: bool = False  # from an answertext environment
    error: str = ""
    kind: str = ""
    error_line: int = 0
    error_column: int = 0
    source: str = ""  # the answer as written (for messages naming duplicates)


@dataclass(frozen=True)
class TexNote:
    """A note about the document: `level` "warning" or "error", `kind` as for TexAnswer plus
    "input", "catcode" and "structure"."""

    level: str
    kind: str
    message: str
    line: int
    column: int


@dataclass(frozen=True)
class TexDocument:
    """What a LaTeX answer document says."""

    student_id: str | None
    name: str | None
    student_line: int
    student_column: int
    assignment: str | None
    answers: tuple[TexAnswer, ...]
    notes: tuple[TexNote, ...]
    uses_package: bool  # \usepackage{grader} (or {..., grader, ...}) is there


@dataclass
class _Walk:
    tokens: list[Token]
    limits: ExpansionLimits
    macros: dict[str, Macro] = field(default_factory=dict)
    answers: list[TexAnswer] = field(default_factory=list)
    notes: list[TexNote] = field(default_factory=list)
    student: tuple[str, str, int, int] | None = None
    assignment: str | None = None
    uses_package: bool = False
    warned: set[str] = field(default_factory=set)

    def note(self, level: str, kind: str, message: str, token: Token, once: str = "") -> None:
        if once:
            if once in self.warned:
                return
            self.warned.add(once)
        self.notes.append(TexNote(level, kind, message, token.line, token.column))


def read_document(text: str, limits: ExpansionLimits | None = None) -> TexDocument:
    """Read a LaTeX source's identity, assignment, answers and notes (never raises for bad
    input: problems are notes, or errors of the answers they concern)."""
    walk = _Walk(tokenize(text), limits or ExpansionLimits())
    _walk(walk)
    sid, name, line, column = walk.student or (None, None, 0, 0)
    return TexDocument(
        student_id=sid,
        name=name,
        student_line=line,
        student_column=column,
        assignment=walk.assignment,
        answers=tuple(walk.answers),
        notes=tuple(walk.notes),
        uses_package=walk.uses_package,
    )


def _walk(walk: _Walk) -> None:
    tokens = walk.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.cat is not Cat.CS:
            index += 1
            continue
        handler = _HANDLERS.get(token.text)
        if handler is None:
            index += 1
            continue
        next_index = handler(walk, index)
        if next_index < 0:
            return
        index = max(next_index, index + 1)


def _definition(walk: _Walk, index: int) -> int:
    macro, after = read_definition(walk.tokens, index, walk.macros)
    if macro is None:
        return after
    if len(walk.macros) >= MAX_DEFINITIONS and macro.name not in walk.macros:
        walk.note(
            "warning",
            "too_large",
            f"more than {MAX_DEFINITIONS} macro definitions: the rest are not read",
            walk.tokens[index],
            once="definitions",
        )
        return after
    if walk.tokens[index].text in ("edef", "xdef"):
        try:
            body = tuple(expand(macro.body, walk.macros, walk.limits))
        except ExpansionError as exc:
            macro = Macro(macro.name, macro.params, macro.body, None, exc.message)
        else:
            macro = Macro(macro.name, macro.params, body, macro.default, macro.unsupported)
    walk.macros[macro.name] = macro
    return after


def _plain(tokens: Sequence[Token]) -> str:
    """A short argument (an id, a name) as plain text: characters kept, accents folded."""
    return plain_text(tokens)


def _arguments(walk: _Walk, index: int, count: int) -> tuple[list[list[Token]], int] | None:
    args: list[list[Token]] = []
    at = index + 1
    if at < len(walk.tokens) and walk.tokens[at].is_char("*"):
        at += 1
    for _ in range(count):
        # a braced argument is required for ids and content: `\answer x y` is not an answer
        start = at
        while start < len(walk.tokens) and walk.tokens[start].cat is Cat.SPACE:
            start += 1
        found = read_group(walk.tokens, start)
        if found is None or walk.tokens[start].cat is not Cat.BEGIN:
            return None
        args.append(found[0])
        at = found[1]
    return args, at


def _answer(walk: _Walk, index: int) -> int:
    token = walk.tokens[index]
    found = _arguments(walk, index, 2)
    if found is None:
        walk.note(
            "error",
            "structure",
            "\\answer needs two braced arguments: "
            "\\answer{<answer id>}{<math>}; this one is not read",
            token,
        )
        return index + 1
    (id_tokens, content), after = found
    answer_id = _plain(id_tokens).strip()
    if not answer_id:
        walk.note("error", "structure", "\\answer with an empty answer id is not read", token)
        return after
    if len(walk.answers) >= MAX_ANSWERS:
        walk.note(
            "warning",
            "too_large",
            f"more than {MAX_ANSWERS} answers: the rest are not read",
            token,
            once="answers",
        )
        return after
    walk.answers.append(_math_answer(walk, answer_id, token, content))
    return after


def _math_answer(walk: _Walk, answer_id: str, token: Token, content: list[Token]) -> TexAnswer:
    source = _source_text(content)
    try:
        expanded = expand(content, walk.macros, walk.limits)
        value = answer_value(expanded)
    except ExpansionError as exc:
        return _failed(answer_id, token, exc.message, exc.kind, exc.token, source)
    except AnswerFormError as exc:
        return _failed(answer_id, token, exc.message, "syntax", exc.token, source)
    if value == "" or value == ():
        value = None
    return TexAnswer(answer_id, value, token.line, token.column, source=source)


def _failed(
    answer_id: str, token: Token, message: str, kind: str, at: Token, source: str
) -> TexAnswer:
    return TexAnswer(
        answer_id,
        None,
        token.line,
        token.column,
        error=message,
        kind=kind,
        error_line=at.line,
        error_column=at.column,
        source=source,
    )


def _source_text(tokens: Sequence[Token]) -> str:
    out: list[str] = []
    for token in tokens[:400]:
        if token.cat is Cat.CS:
            out.append("\\" + token.text + (" " if token.text.isalpha() else ""))
        else:
            out.append(token.text)
    return " ".join("".join(out).split())


def _begin(walk: _Walk, index: int) -> int:
    found = environment_name(walk.tokens, index)
    if found is None:
        return index + 1
    name, after = found
    if name == "document":
        return after
    if name != TEXT_ENVIRONMENT:
        return after
    token = walk.tokens[index]
    id_group = read_group(walk.tokens, after)
    end = _environment_end(walk.tokens, after, TEXT_ENVIRONMENT)
    if id_group is None or end is None:
        walk.note(
            "error",
            "structure",
            "\\begin{answertext}{<answer id>} ... "
            "\\end{answertext} is not complete; this one is not read",
            token,
        )
        return after
    answer_id = _plain(id_group[0]).strip()
    body = walk.tokens[id_group[1] : end[0]]
    try:
        expanded = expand(body, walk.macros, walk.limits)
    except ExpansionError as exc:
        walk.answers.append(_failed(answer_id, token, exc.message, exc.kind, exc.token, ""))
        return end[1]
    text = plain_text(expanded, paragraphs=True).strip()
    walk.answers.append(
        TexAnswer(answer_id, text or None, token.line, token.column, text=True, source=text[:200])
    )
    return end[1]


def _environment_end(tokens: Sequence[Token], start: int, name: str) -> tuple[int, int] | None:
    """The index of `\\end{name}` closing an environment begun before `start`, and the index
    after it."""
    nesting = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.is_cs("begin") or token.is_cs("end"):
            found = environment_name(tokens, index)
            if found is None or found[0] != name:
                continue
            if token.text == "begin":
                nesting += 1
            elif nesting == 0:
                return index, found[1]
            else:
                nesting -= 1
    return None


def _end(walk: _Walk, index: int) -> int:
    found = environment_name(walk.tokens, index)
    if found is not None and found[0] == "document":
        return -1
    return index + 1


def _student(walk: _Walk, index: int) -> int:
    token = walk.tokens[index]
    found = _arguments(walk, index, 2)
    if found is None:
        walk.note(
            "warning",
            "structure",
            "\\student needs two braced arguments: \\student{<id>}{<name>}",
            token,
        )
        return index + 1
    (sid, name), after = found
    walk.student = (_plain(sid).strip(), _plain(name).strip(), token.line, token.column)
    return after


def _assignment(walk: _Walk, index: int) -> int:
    found = _arguments(walk, index, 1)
    if found is None:
        return index + 1
    walk.assignment = _plain(found[0][0]).strip() or None
    return found[1]


def _input(walk: _Walk, index: int) -> int:
    token = walk.tokens[index]
    after = index + 1
    target = ""
    found = read_group(walk.tokens, after)
    if found is not None and walk.tokens[min(len(walk.tokens) - 1, after)].cat is Cat.BEGIN:
        target = _plain(found[0])[:80]
        after = found[1]
    walk.note(
        "warning",
        "input",
        f"\\{token.text}{{{target}}} is not followed: answers and macros must be in this file",
        token,
    )
    return after


def _catcode(walk: _Walk, index: int) -> int:
    walk.note(
        "warning",
        "catcode",
        f"\\{walk.tokens[index].text} is not followed: the file is "
        "read with LaTeX's usual category codes",
        walk.tokens[index],
        once="catcode",
    )
    return index + 1


def _iffalse(walk: _Walk, index: int) -> int:
    nesting = 0
    for at in range(index + 1, len(walk.tokens)):
        token = walk.tokens[at]
        if token.cat is Cat.CS and token.text.startswith("if"):
            nesting += 1
        elif token.is_cs("fi"):
            if nesting == 0:
                return at + 1
            nesting -= 1
    return len(walk.tokens)


def _usepackage(walk: _Walk, index: int) -> int:
    at = index + 1
    while at < len(walk.tokens) and walk.tokens[at].cat is Cat.SPACE:
        at += 1
    if at < len(walk.tokens) and walk.tokens[at].is_char("["):
        while at < len(walk.tokens) and not walk.tokens[at].is_char("]"):
            at += 1
        at += 1
    found = read_group(walk.tokens, at)
    if found is not None:
        names = [n.strip() for n in _plain(found[0]).split(",")]
        walk.uses_package = walk.uses_package or "grader" in names
        return found[1]
    return index + 1


def _stop(walk: _Walk, index: int) -> int:
    return -1


_HANDLERS = {
    **{name: _definition for name in DEFINERS},
    "answer": _answer,
    "begin": _begin,
    "end": _end,
    "student": _student,
    "assignment": _assignment,
    **{name: _input for name in INPUTS},
    "catcode": _catcode,
    "iffalse": _iffalse,
    "usepackage": _usepackage,
    "endinput": _stop,
}
