"""The student's own macros: reading their definitions and expanding them, bounded.

Definitions understood (anywhere in the document, in document order; a later one replaces an
earlier one, `\\providecommand` only defines a name that is still free):

- `\\newcommand`, `\\renewcommand`, `\\providecommand` (also starred, braced or not):
  `\\newcommand{\\dd}[2]{\\frac{\\partial #1}{\\partial #2}}`, with an optional first argument's
  default: `\\newcommand{\\vect}[2][x]{#1_{#2}}`;
- `\\def`, `\\gdef`, `\\edef`, `\\xdef` with undelimited parameters `#1#2...` (a parameter text
  with delimiters is recorded as unsupported: using that macro in an answer is an error);
- `\\let\\a\\b` and `\\let\\a=\\b`;
- `\\DeclareMathOperator{\\tr}{tr}` (and starred): `\\operatorname{tr}`;
- `\\NewDocumentCommand` and friends with an argument spec of `m` and a leading `O{default}`.

Expansion replaces only these macros; every other command is left for the answer language.
It is bounded (:class:`ExpansionLimits`): a macro that expands forever or to megabytes is an
:class:`ExpansionError` for that answer, found in linear time, never a hang.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.latex.tokens import Cat, Token

DEFINERS = frozenset(
    {
        "newcommand",
        "renewcommand",
        "providecommand",
        "def",
        "gdef",
        "edef",
        "xdef",
        "let",
        "DeclareMathOperator",
        "NewDocumentCommand",
        "RenewDocumentCommand",
        "ProvideDocumentCommand",
        "DeclareDocumentCommand",
    }
)
_MAX_OPTIONAL = 2_000  # tokens in an optional argument
_PROVIDERS = frozenset({"providecommand", "ProvideDocumentCommand"})


@dataclass(frozen=True)
class Macro:
    """A student macro: `params` arguments, the first optional with `default` when that is
    not None, and its replacement text. `unsupported` says why it cannot be expanded."""

    name: str
    params: int
    body: tuple[Token, ...]
    default: tuple[Token, ...] | None = None
    unsupported: str = ""


@dataclass(frozen=True)
class ExpansionLimits:
    """Bounds of one answer's expansion."""

    max_expansions: int = 5_000  # macro calls replaced
    max_depth: int = 64  # macros expanding to macros ...
    max_tokens: int = 20_000  # tokens produced and pending at once


DEFAULT_LIMITS = ExpansionLimits()


class ExpansionError(Exception):
    """Why an answer's macros could not be expanded; `token` locates it. `kind` is
    "too_deep", "too_large" or "syntax"."""

    def __init__(self, kind: str, message: str, token: Token) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.token = token


# -- reading tokens ----------------------------------------------------------------------------


def skip_spaces(tokens: Sequence[Token], index: int) -> int:
    """The index of the next token that is not a space (or `len(tokens)`)."""
    while index < len(tokens) and tokens[index].cat is Cat.SPACE:
        index += 1
    return index


def read_group(tokens: Sequence[Token], index: int) -> tuple[list[Token], int] | None:
    """A TeX argument at `index` (spaces skipped): a balanced `{...}` group without its braces,
    or one token. None when there is none (end of input, a closing brace, or no matching `}`)."""
    index = skip_spaces(tokens, index)
    if index >= len(tokens) or tokens[index].cat is Cat.END:
        return None
    if tokens[index].cat is not Cat.BEGIN:
        return [tokens[index]], index + 1
    depth = 0
    for end in range(index, len(tokens)):
        cat = tokens[end].cat
        if cat is Cat.BEGIN:
            depth += 1
        elif cat is Cat.END:
            depth -= 1
            if depth == 0:
                return list(tokens[index + 1 : end]), end + 1
    return None


def read_optional(tokens: Sequence[Token], index: int) -> tuple[list[Token] | None, int]:
    """A LaTeX optional argument `[...]` at `index` (spaces skipped; `]` inside braces does not
    close it): its tokens and the index after it, or (None, index) when there is none."""
    start = skip_spaces(tokens, index)
    if start >= len(tokens) or not tokens[start].is_char("["):
        return None, index
    depth = 0
    for end in range(start + 1, len(tokens)):
        token = tokens[end]
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        elif depth == 0 and token.is_char("]"):
            return list(tokens[start + 1 : end]), end + 1
    return None, index


def _name_argument(tokens: Sequence[Token], index: int) -> tuple[Token | None, int]:
    """The control sequence being defined: `\\name` or `{\\name}`."""
    index = skip_spaces(tokens, index)
    if index < len(tokens) and tokens[index].is_char("*"):
        index = skip_spaces(tokens, index + 1)
    found = read_group(tokens, index)
    if found is None:
        return None, index
    group, after = found
    group = [t for t in group if t.cat is not Cat.SPACE]
    if len(group) == 1 and group[0].cat in (Cat.CS, Cat.ACTIVE):
        return group[0], after
    return None, after


# -- definitions -------------------------------------------------------------------------------


def read_definition(
    tokens: Sequence[Token], index: int, macros: Mapping[str, Macro]
) -> tuple[Macro | None, int]:
    """The definition starting at `tokens[index]` (a command of DEFINERS) and the index after
    it. None (with the index moved past what was read) when it is malformed; then nothing is
    defined, as TeX would stop with an error."""
    command = tokens[index].text
    if command == "let":
        return _let(tokens, index + 1, macros)
    name, after = _name_argument(tokens, index + 1)
    if name is None:
        return None, after
    if command in ("def", "gdef", "edef", "xdef"):
        macro, after = _def(tokens, after, name)
    elif command == "DeclareMathOperator":
        macro, after = _operator(tokens, after, name)
    elif command.endswith("DocumentCommand"):
        macro, after = _document_command(tokens, after, name)
    else:
        macro, after = _newcommand(tokens, after, name)
    if macro is not None and command in _PROVIDERS and name.text in macros:
        return None, after
    return macro, after


def _newcommand(tokens: Sequence[Token], index: int, name: Token) -> tuple[Macro | None, int]:
    count, after = read_optional(tokens, index)
    params = 0
    if count is not None:
        digits = "".join(t.text for t in count if t.cat is not Cat.SPACE)
        if not (digits.isdigit() and len(digits) == 1):
            return None, after
        params = int(digits)
    default, after = read_optional(tokens, after) if params else (None, after)
    body = read_group(tokens, after)
    if body is None:
        return None, after
    return Macro(
        name.text, params, tuple(body[0]), None if default is None else tuple(default)
    ), body[1]


def _def(tokens: Sequence[Token], index: int, name: Token) -> tuple[Macro | None, int]:
    params = 0
    unsupported = ""
    while index < len(tokens) and tokens[index].cat is not Cat.BEGIN:
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.cat is Cat.PARAM and nxt is not None and nxt.text == str(params + 1):
            params += 1
            index += 2
            continue
        unsupported = "its parameters are delimited (\\def with text between the #n)"
        index += 1
    body = read_group(tokens, index)
    if body is None:
        return None, index
    return Macro(name.text, params, tuple(body[0]), unsupported=unsupported), body[1]


def _operator(tokens: Sequence[Token], index: int, name: Token) -> tuple[Macro | None, int]:
    text = read_group(tokens, index)
    if text is None:
        return None, index
    at = (name.line, name.column)
    body = [
        Token(Cat.CS, "operatorname", *at),
        Token(Cat.BEGIN, "{", *at),
        *text[0],
        Token(Cat.END, "}", *at),
    ]
    return Macro(name.text, 0, tuple(body)), text[1]


def _document_command(tokens: Sequence[Token], index: int, name: Token) -> tuple[Macro | None, int]:
    spec = read_group(tokens, index)
    if spec is None:
        return None, index
    items = [t for t in spec[0] if t.cat is not Cat.SPACE]
    default: tuple[Token, ...] | None = None
    unsupported = ""
    if items and items[0].is_char("O"):
        found = read_group(items, 1)
        default = tuple(found[0]) if found else ()
        items = items[found[1] :] if found else items[1:]
    if any(not t.is_char("m") for t in items):
        unsupported = "its argument specification uses more than m and a leading O{...}"
    body = read_group(tokens, spec[1])
    if body is None:
        return None, spec[1]
    params = len(items) + (default is not None)
    return Macro(name.text, params, tuple(body[0]), default, unsupported), body[1]


def _let(
    tokens: Sequence[Token], index: int, macros: Mapping[str, Macro]
) -> tuple[Macro | None, int]:
    index = skip_spaces(tokens, index)
    if index >= len(tokens) or tokens[index].cat not in (Cat.CS, Cat.ACTIVE):
        return None, index
    name = tokens[index]
    index = skip_spaces(tokens, index + 1)
    if index < len(tokens) and tokens[index].is_char("="):
        index = skip_spaces(tokens, index + 1)
    if index >= len(tokens):
        return None, index
    target = tokens[index]
    if target.cat is Cat.CS and target.text in macros:
        old = macros[target.text]
        return Macro(name.text, old.params, old.body, old.default, old.unsupported), index + 1
    return Macro(name.text, 0, (target,)), index + 1


# -- expansion ---------------------------------------------------------------------------------


def expand(
    tokens: Sequence[Token],
    macros: Mapping[str, Macro],
    limits: ExpansionLimits = DEFAULT_LIMITS,
) -> list[Token]:
    """`tokens` with every student macro replaced, recursively, as TeX would (arguments are
    read after the call, the result is read again). Raises ExpansionError past the limits,
    for an unsupported macro and for a macro call whose argument is missing."""
    if not macros:
        return list(tokens)
    pending = list(reversed(tokens))  # a stack: the next token is at the end
    out: list[Token] = []
    expansions = 0
    while pending:
        token = pending.pop()
        macro = macros.get(token.text) if token.cat in (Cat.CS, Cat.ACTIVE) else None
        if macro is None:
            out.append(token)
            if len(out) > limits.max_tokens:
                raise ExpansionError("too_large", _too_large(limits), token)
            continue
        expansions += 1
        if expansions > limits.max_expansions:
            raise ExpansionError(
                "too_large",
                f"more than {limits.max_expansions} macro expansions (a macro that calls itself?)",
                token,
            )
        if token.depth >= limits.max_depth:
            raise ExpansionError(
                "too_deep",
                f"macros nested more than {limits.max_depth} levels deep (a macro that "
                f"calls itself?) at \\{token.text}",
                token,
            )
        pending.extend(reversed(_replacement(macro, token, pending)))
        if len(pending) > limits.max_tokens:
            raise ExpansionError("too_large", _too_large(limits), token)
    return out


def _too_large(limits: ExpansionLimits) -> str:
    return f"the macros expand to more than {limits.max_tokens} tokens"


def _replacement(macro: Macro, call: Token, pending: list[Token]) -> list[Token]:
    """The body of `macro` with its arguments (taken off `pending`) substituted."""
    if macro.unsupported:
        raise ExpansionError(
            "syntax", f"the macro \\{macro.name} cannot be read: {macro.unsupported}", call
        )
    args: list[list[Token]] = []
    remaining = macro.params
    if macro.default is not None:
        optional = _pop_optional(pending)
        args.append(list(macro.default) if optional is None else optional)
        remaining -= 1
    for _ in range(remaining):
        argument = _pop_argument(pending)
        if argument is None:
            raise ExpansionError("syntax", f"the macro \\{macro.name} is missing an argument", call)
        args.append(argument)
    depth = call.depth + 1
    out: list[Token] = []
    body = macro.body
    index = 0
    while index < len(body):
        token = body[index]
        if token.cat is Cat.PARAM and index + 1 < len(body):
            nxt = body[index + 1]
            if nxt.cat is Cat.PARAM:
                out.append(nxt.at_depth(depth))
                index += 2
                continue
            if nxt.text.isdigit() and 1 <= int(nxt.text) <= len(args):
                out.extend(t.at_depth(depth) for t in args[int(nxt.text) - 1])
                index += 2
                continue
        out.append(token.at_depth(depth))
        index += 1
    return out


def _pop_spaces(pending: list[Token]) -> None:
    while pending and pending[-1].cat is Cat.SPACE:
        pending.pop()


def _pop_argument(pending: list[Token]) -> list[Token] | None:
    _pop_spaces(pending)
    if not pending or pending[-1].cat is Cat.END:
        return None
    first = pending.pop()
    if first.cat is not Cat.BEGIN:
        return [first]
    depth = 1
    group: list[Token] = []
    while pending:
        token = pending.pop()
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
            if depth == 0:
                return group
        group.append(token)
    return None


def _pop_optional(pending: list[Token]) -> list[Token] | None:
    """An optional `[...]` argument off the stack, or None (the stack then unchanged but for
    spaces, which LaTeX's look-ahead skips too)."""
    _pop_spaces(pending)
    if not pending or not pending[-1].is_char("["):
        return None
    depth = 0
    # Bounded look-ahead, so that a `[` without `]` cannot make every call scan everything.
    for position in range(len(pending) - 2, max(-1, len(pending) - 2 - _MAX_OPTIONAL), -1):
        token = pending[position]
        if token.cat is Cat.BEGIN:
            depth += 1
        elif token.cat is Cat.END:
            depth -= 1
        elif depth == 0 and token.is_char("]"):
            inside = pending[position + 1 : -1]
            del pending[position:]
            return list(reversed(inside))
    return None
