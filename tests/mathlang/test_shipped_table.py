"""The shipped LALR table (grammar-table.json) is the one lark builds from grammar.lark today:
the same automaton up to the numbering of states, so parsing with it is parsing with lark's."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from grader.mathlang import lalr, parser


def _same_automaton(a: lalr.Tables, b: lalr.Tables) -> bool:
    """Both tables accept the same way: states matched from the start by the same symbols,
    each pair with the same symbols, the same reductions and matched next states."""
    matched = {a.start: b.start}
    todo = deque([a.start])
    while todo:
        state = todo.popleft()
        row_a, row_b = a.states[state], b.states[matched[state]]
        if row_a.keys() != row_b.keys():
            return False
        for symbol, action in row_a.items():
            other = row_b[symbol]
            if isinstance(action, int):
                if not isinstance(other, int):
                    return False
                if action not in matched:
                    matched[action] = other
                    todo.append(action)
                elif matched[action] != other:
                    return False
            elif isinstance(other, int) or (action[0], action[2], action[1] is None) != (
                other[0], other[2], other[1] is None
            ):
                return False
    return matched.get(a.end) == b.end and len(matched) == len(a.states) == len(b.states)


def test_the_shipped_table_is_the_grammars() -> None:
    grammar = parser._grammar()
    shipped = parser._tables()
    built = lalr.compile_tables(parser._lark(grammar))
    # Regenerate after editing grammar.lark: see grader.mathlang.parser.write_table.
    document = parser.table_document()
    assert document["grammar"] == parser.grammar_digest(grammar)
    assert _same_automaton(shipped, built)
    assert _same_automaton(built, shipped)


def test_a_stale_table_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[lalr.Tables] = []
    real = lalr.compile_tables

    def counted(lark: Any) -> lalr.Tables:
        built.append(real(lark))
        return built[-1]

    monkeypatch.setattr(lalr, "compile_tables", counted)
    parser._tables.cache_clear()
    try:
        parser._tables()
        assert built == []  # the shipped table fits this grammar: lark's analysis never ran
        monkeypatch.setattr(parser, "grammar_digest", lambda grammar: "another grammar")
        parser._tables.cache_clear()
        assert parser._tables() is built[0]  # a table of another grammar: lark builds it
    finally:
        parser._tables.cache_clear()


def test_the_shipped_rules_are_the_grammars() -> None:
    # The callbacks are built from the shipped rules: every field lark serialises must match
    # the rules lark compiles from grammar.lark today (same order, names, options, filters).
    compiled = parser._rules(parser._grammar())
    data = json.loads((Path(parser.__file__).parent / parser.TABLE_FILE).read_text("utf-8"))
    shipped = parser.shipped_rules(data["rules"])
    assert [r.serialize() for r in shipped] == [r.serialize() for r in compiled]
    assert [(s.name, getattr(s, "filter_out", None)) for r in shipped for s in r.expansion] == [
        (s.name, getattr(s, "filter_out", None)) for r in compiled for s in r.expansion
    ]
