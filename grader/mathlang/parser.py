"""`parse`: answer text -> tree, through bounded, linear-time stages.

1. length check (TOO_LARGE before any other work);
2. bounds: outer `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`, white space and a trailing `.` or `,`
   are not part of the answer;
3. `lexer.prescan`: braces matched, nesting depth checked (TOO_DEEP) in one linear pass;
4. `lexer.Lexer`: characters -> tokens; `classify.classify`: tokens settled by context;
5. LALR(1) parse: lark builds the table from grammar.lark (strict: conflict-free; shipped
   prebuilt with the grammar's compiled rules as grammar-table.json), `lalr.run` drives it, and
   the `builder.Builder` callbacks build the tree during the parse;
6. `checks.check_tree`: node count, tree depth, constant exponents and factorials.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import lark
from lark import Lark, Tree
from lark.grammar import Rule
from lark.lexer import Lexer as LarkLexer
from lark.load_grammar import load_grammar
from lark.parse_tree_builder import ParseTreeBuilder

from grader.mathlang import lalr
from grader.mathlang import tokens as tk
from grader.mathlang.ast import Node
from grader.mathlang.builder import Builder
from grader.mathlang.checks import check_tree
from grader.mathlang.classify import classify
from grader.mathlang.errors import Failure, ParseError
from grader.mathlang.lexer import Lexer, prescan
from grader.mathlang.limits import DEFAULT_LIMITS, Limits
from grader.model import Reason

_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))

# Extra words for the message when a token of this kind stands where it cannot.
_HINTS = MappingProxyType(
    {
        tk.SUB: " A subscript '_' must follow a name or a sum.",
        tk.RELOP: " A comparison may appear once at the top level (an equation), or inside an "
        "indicator 1[...] or a sum's subscript.",
        tk.AND: " 'and' can only join conditions inside an indicator or a sum's subscript.",
        tk.COMMA: " Commas separate arguments, list items and conditions.",
        tk.POW: " A power needs a base before '^'.",
        tk.MUL: " Something is missing before this operator.",
        tk.DIV: " Something is missing before this operator.",
        tk.HAD: " Something is missing before this operator.",
        tk.BANG: " '!' must follow what it applies to, as in n!.",
        tk.TRANSPOSE: " A transpose must follow what it applies to, as in W^T.",
        tk.RPAR: " Something is missing before it.",
        tk.RSQB: " Something is missing before it.",
        tk.RGROUP: " Something is missing before it.",
        tk.BARCLOSE: " Something is missing before it.",
    }
)


class _TokenFeed(LarkLexer):
    """Declares that lark gets tokens, not characters (lark never sees the text)."""

    def __init__(self, lexer_conf: Any) -> None:  # lark passes its configuration
        pass

    def lex(self, data: Any, *_: Any) -> Iterator[Any]:
        return iter(data)


TABLE_FILE = "grammar-table.json"  # the LALR table of grammar.lark, built by write_table()


def _grammar() -> str:
    return resources.files("grader.mathlang").joinpath("grammar.lark").read_text("utf-8")


def grammar_digest(grammar: str) -> str:
    """What the shipped table was built from: the grammar's text and lark's version."""
    return hashlib.sha256(f"{lark.__version__}\0{grammar}".encode()).hexdigest()


def _lark(grammar: str) -> Lark:
    return Lark(
        grammar,
        parser="lalr",
        lexer=_TokenFeed,
        transformer=Builder(),
        strict=True,
        maybe_placeholders=False,
    )


def _rules(grammar: str) -> list[Any]:
    # The grammar's rules as Lark compiles them (same order), without the LALR analysis.
    compiled, _ = load_grammar(grammar, "<string>", None, False)
    return list(compiled.compile(["start"], set())[1])


def shipped_rules(data: Any) -> list[Any]:
    """The compiled rules stored in the table file (lark's own serialisation of each rule):
    compiling grammar.lark with lark's grammar parser would cost 0.04 s of every `grade check`."""
    rules = [Rule.deserialize(item, {}) for item in data]
    for rule in rules:  # JSON has no tuples: lark's own rules hold this field as one
        rule.options.empty_indices = tuple(rule.options.empty_indices)
    return rules


@functools.lru_cache(maxsize=1)
def _tables() -> lalr.Tables:
    """The LALR(1) table and callbacks, once per process: the shipped table and rules when they
    were built from this grammar by this lark (building them costs 0.15 s, half of `grade
    check`), else built by lark (strict: conflict-free) as the shipped ones were."""
    grammar = _grammar()
    try:
        data = json.loads(resources.files("grader.mathlang").joinpath(TABLE_FILE).read_bytes())
        if data.get("grammar") == grammar_digest(grammar):
            rules = shipped_rules(data["rules"])
            builder = ParseTreeBuilder(rules, Tree, False, False, False)
            return lalr.tables_from_data(data, rules, builder.create_callback(Builder()))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        pass  # no usable table shipped: build it
    return lalr.compile_tables(_lark(grammar))


def table_document() -> dict[str, Any]:
    """The shipped table file's content for the current grammar (see :func:`_tables`): the
    table, and the compiled rules its reductions name by index."""
    grammar = _grammar()
    rules = _rules(grammar)
    data = lalr.table_data(_lark(grammar), rules)
    return {"grammar": grammar_digest(grammar), "rules": [r.serialize() for r in rules], **data}


def write_table(path: Path) -> None:
    """Write :func:`table_document` to `path` (the grammar's maintainer runs this after editing
    grammar.lark: ``python -c "from pathlib import Path; from grader.mathlang.parser import
    write_table; write_table(Path('grader/mathlang/grammar-table.json'))"``)."""
    text = json.dumps(table_document(), sort_keys=True, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> Node:
    """Read an answer written in plain maths or LaTeX into a tree (see LANGUAGE.md).

    Raises ParseError (reason SYNTAX, TOO_LARGE or TOO_DEEP) with the offset of the problem.
    Nothing in `text` is ever executed.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a string, not {type(text).__name__}")
    try:
        return _parse(text, limits)
    except Failure as failure:
        raise ParseError(failure.reason, failure.message, failure.offset, text) from None


def _parse(text: str, limits: Limits) -> Node:
    if len(text) > limits.max_length:
        raise Failure(
            Reason.TOO_LARGE,
            f"The answer is too long ({len(text)} characters; at most {limits.max_length}).",
            limits.max_length,
        )
    lo, hi = content_bounds(text)
    if lo >= hi:
        raise Failure(Reason.SYNTAX, "The answer is empty.", 0)
    braces = prescan(text, lo, hi, limits)
    root = parse_range(text, lo, hi, braces, limits, nested=False)
    check_tree(root, limits)
    return root


def parse_range(
    text: str, lo: int, hi: int, braces: Mapping[int, int], limits: Limits, nested: bool
) -> Node:
    """Parse text[lo:hi]. A nested parse (a subscript such as `k-1`) reads no deeper subscript
    expressions, so this recursion is at most two levels deep."""

    def subparse(a: int, b: int) -> Node:
        return parse_range(text, a, b, braces, limits, nested=True)

    raw = Lexer(text, lo, hi, braces, limits, None if nested else subparse).run()
    if not raw:
        raise Failure(Reason.SYNTAX, "The answer is empty.", lo)
    try:
        node: Node = lalr.run(_tables(), classify(raw, limits))
    except lalr.Unexpected as error:
        raise _unexpected(error.token, text, hi) from None
    return node


def _unexpected(tok: tk.Tok | None, text: str, hi: int) -> Failure:
    """A student-facing message for a token the grammar did not expect (None: the end)."""
    if tok is None:
        return Failure(
            Reason.SYNTAX, "The answer is incomplete: something is missing at its end.", hi
        )
    shown = text[tok.start : tok.end] or str(tok)
    return Failure(
        Reason.SYNTAX, f"Unexpected {shown!r} here.{_HINTS.get(tok.kind, '')}", tok.start
    )


def content_bounds(text: str) -> tuple[int, int]:
    """[lo, hi) of the answer inside white space, math delimiters and final punctuation."""
    lo, hi = 0, len(text)
    while True:
        before = (lo, hi)
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if hi > lo and text[hi - 1] == ",":
            hi -= 1
        elif (
            hi > lo and text[hi - 1] == "." and not (hi - 2 >= lo and text[hi - 2] in "0123456789")
        ):
            hi -= 1  # `100.` keeps its point: it is part of the number
        elif text.startswith("\\\\", hi - 2) and hi - 2 >= lo:
            hi -= 2  # a LaTeX line break at the very end
        for opening, closing in _DELIMITERS:
            if (
                hi - lo >= len(opening) + len(closing)
                and text.startswith(opening, lo)
                and (text.startswith(closing, hi - len(closing)))
            ):
                lo, hi = lo + len(opening), hi - len(closing)
                break
        if (lo, hi) == before:
            return lo, hi
