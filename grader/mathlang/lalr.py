"""A lean driver for the LALR(1) table that lark builds from grammar.lark.

lark compiles the grammar (with strict=True: no conflicts) and provides the reduction callbacks;
this module copies its parse table once into plain dictionaries keyed by terminal and rule names,
and runs the standard shift/reduce loop over our own tokens. lark's generic loop hashes its rule
objects at every reduction; here a reduction is a dictionary lookup, and the many one-child
reductions of `?rule`s (atom -> postfix -> power -> ...) pass their child through without a call.
The loop is iterative: deep input uses the value stack, not Python's call stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lark import Lark
from lark.parsers.lalr_analysis import Shift

from grader.mathlang import tokens as tk

END = "$END"


# Reduce `size` values to the rule named `origin`, building the value with `callback`
# (None: a one-child `?rule`, whose value is its child). Every rule has at least one symbol.
Reduce = tuple[int, Callable[[list[Any]], Any] | None, str]

# Per state: terminal or rule name -> the next state (a shift or goto) or a reduction.
Action = int | Reduce


@dataclass(frozen=True)
class Tables:
    """The compiled parse table."""

    states: Mapping[int, Mapping[str, Action]]
    start: int
    end: int


class Unexpected(Exception):
    """The grammar cannot continue with `token` (None at the end of the input)."""

    def __init__(self, token: tk.Tok | None, expected: frozenset[str]) -> None:
        super().__init__(token, expected)
        self.token = token
        self.expected = expected


def compile_tables(lark: Lark) -> Tables:
    """Copy the LALR table and callbacks of a Lark(parser="lalr", transformer=...) instance."""
    inner = lark.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> its parse loop
    table, callbacks = inner.parse_table, inner.callbacks
    states: dict[int, Mapping[str, Action]] = {}
    for state, actions in table.states.items():
        row: dict[str, Action] = {}
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[str(symbol)] = arg
            elif not arg.expansion:  # `run` relies on every rule having a symbol
                raise ValueError(f"empty grammar rule {arg} is not supported")
            else:
                passthrough = arg.options.expand1 and arg.alias is None and len(arg.expansion) == 1
                callback = None if passthrough else callbacks[arg]
                row[str(symbol)] = (len(arg.expansion), callback, str(arg.origin.name))
        states[state] = MappingProxyType(row)
    return Tables(MappingProxyType(states), table.start_states["start"], table.end_states["start"])


def table_data(lark: Lark, rules: Sequence[Any]) -> dict[str, Any]:
    """The parse table of `lark` as JSON data, each reduction naming its rule by its index in
    `rules` (the grammar's compiled rules, in compile order) and its text (checked on loading)."""
    inner = lark.parser.parser.parser
    table = inner.parse_table
    index = {rule: i for i, rule in enumerate(rules)}
    states: dict[str, dict[str, Any]] = {}
    for state, actions in table.states.items():
        row: dict[str, Any] = {}
        for symbol, (action, arg) in actions.items():
            row[str(symbol)] = arg if action is Shift else [index[arg], str(arg)]
        states[str(state)] = row
    return {"states": states, "start": table.start_states["start"],
            "end": table.end_states["start"]}  # fmt: skip


def tables_from_data(
    data: Mapping[str, Any], rules: Sequence[Any], callbacks: Mapping[Any, Callable[..., Any]]
) -> Tables:
    """The Tables :func:`compile_tables` builds, from :func:`table_data` output (ValueError,
    KeyError, TypeError or IndexError when it does not fit `rules`)."""
    states: dict[int, Mapping[str, Action]] = {}
    for state, actions in data["states"].items():
        row: dict[str, Action] = {}
        for symbol, action in actions.items():
            if type(action) is int:
                row[symbol] = action
                continue
            rule = rules[action[0]]
            if str(rule) != action[1] or not rule.expansion:
                raise ValueError(f"the table's rule {action[1]} is not the grammar's {rule}")
            passthrough = rule.options.expand1 and rule.alias is None and len(rule.expansion) == 1
            callback = None if passthrough else callbacks[rule]
            row[symbol] = (len(rule.expansion), callback, str(rule.origin.name))
        states[int(state)] = MappingProxyType(row)
    return Tables(MappingProxyType(states), int(data["start"]), int(data["end"]))


def run(tables: Tables, tokens: Sequence[tk.Tok]) -> Any:
    """Parse `tokens`; returns the value of the start rule or raises Unexpected."""
    states, end = tables.states, tables.end
    state_stack = [tables.start]
    value_stack: list[Any] = []
    for token in (*tokens, None):
        kind = END if token is None else token.kind
        while True:
            action = states[state_stack[-1]].get(kind)
            if type(action) is int:  # shift
                state_stack.append(action)
                value_stack.append(token)
                break
            if action is None:
                row = states[state_stack[-1]]
                raise Unexpected(token, frozenset(s for s in row if s.isupper() or s == END))
            size, callback, origin = action  # type: ignore[misc]
            if callback is None:  # a one-child `?rule`: the value stays, only the state changes
                del state_stack[-1]
            else:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
                value_stack.append(callback(children))
            goto: int = states[state_stack[-1]][origin]  # type: ignore[assignment]
            state_stack.append(goto)
            if token is None and goto == end:
                return value_stack[-1]
    raise Unexpected(None, frozenset())  # unreachable: $END either reduces to the end or fails
