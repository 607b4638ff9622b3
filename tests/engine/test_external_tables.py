"""Answer-test tables from other systems' public suites (tests/engine/external/*.yaml), judged
by the one judge: agreement per family of notation, and the rows that disagree.

The families whose notation the language claimed before statements and sets were added
(expressions, functions, matrices, sums, derivatives, structure) and the newer ones
(equations, inequalities, sets, and/or, relations under EqualComAss) must each agree on at
least 97% of their rows; every disagreement is a documented decision (see LANGUAGE.md)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "external"))

from runner import Row, families, run_tables  # noqa: E402

NEWER = frozenset({"equations", "equation_sets", "inequalities", "sets", "structure_relations"})


@cache
def rows() -> tuple[Row, ...]:
    return tuple(run_tables())


def test_the_tables_are_substantial() -> None:
    assert len(rows()) >= 250
    assert len({row.source for row in rows()}) >= 2


def test_expression_families_agree() -> None:
    judged = [row for row in rows() if row.family not in NEWER]
    wrong = [(r.student, r.teacher, r.expected, r.got) for r in judged if not r.agrees]
    assert len(wrong) * 100 <= 3 * len(judged), wrong


def test_statement_and_set_families_agree() -> None:
    judged = [row for row in rows() if row.family in NEWER]
    wrong = [(r.student, r.teacher, r.expected, r.got) for r in judged if not r.agrees]
    assert len(judged) >= 50
    assert len(wrong) * 100 <= 3 * len(judged), wrong


def test_every_family_is_reported() -> None:
    counts = families(list(rows()))
    assert sum(total for _, total in counts.values()) == len(rows())
    assert {"equations", "inequalities", "sets", "functions", "structure"} <= set(counts)
