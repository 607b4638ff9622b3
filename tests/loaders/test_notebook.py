"""Notebook submissions: identity and answers from tagged cells, never executed, located by cell."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from p1_identity import load_notebook

from grader.loaders import answer_errors, is_unparseable
from grader.loaders.notebook import strip_math
from grader.model import Reason, Severity, Submission

DATA = Path(__file__).parent.parent / "data" / "loaders"

Cell = tuple[str, str, tuple[str, ...]]  # (cell type, source, tags)


def notebook(cells: list[Cell], metadata: dict[str, object] | None = None) -> bytes:
    nb = new_notebook(metadata=metadata or {})
    makers = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}
    for index, (kind, source, tags) in enumerate(cells, start=1):
        cell = makers[kind](source)
        cell["id"] = f"c{index}"
        if tags:
            cell["metadata"]["tags"] = list(tags)
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nbformat.writes(nb).encode()


def load(data: bytes, source: str = "pen_paper_test.ipynb") -> Submission:
    return load_notebook(data, source)


def values(sub: Submission) -> dict[str, object]:
    return {k: v.value for k, v in sub.answers.items()}


def test_answers_cell_fixture_with_metadata_identity_and_html_outputs() -> None:
    sub = load((DATA / "pen_paper_turing.ipynb").read_bytes(), "pen_paper_turing.ipynb")
    assert sub.readable and sub.fmt == "ipynb"
    assert (sub.student_id, sub.name, sub.assignment) == ("s7654321", "Alan Turing", "practical-1")
    assert sub.messages == ()
    assert values(sub) == {
        "ex1.dL_dWout": "(y_out - y_gt) * f3'(s_out) * z2",
        "ex2.y_out": ("0.0986", "0.1", "0.2", "0.3"),
        "ex2.z": None,
    }
    where = sub.answers["ex2.y_out"].location
    # the fence line counts: line 6 of cell 3, after "    y_out: "
    assert (where.cell, where.line, where.column, where.answer_id) == (3, 6, 12, "ex2.y_out")


def test_per_answer_cells_fixture() -> None:
    sub = load((DATA / "pen_paper_hopper.ipynb").read_bytes(), "pen_paper_hopper.ipynb")
    assert sub.readable
    assert (sub.student_id, sub.name, sub.assignment) == ("s0000042", "Grace Hopper", "practical-1")
    assert values(sub) == {
        "ex1.dL_dWout": "(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2",
        "mini.dW_k": "delta_k * z_{k-1}^T",
        "ex2.W_new": (("0.6", "0.7", "-0.8"), ("0.01", "0.43", "1000.5")),
        "ex2.s": None,
        "ex2.y_out": None,
        "ex3.explanation": None,
        "ex2.loss": ("0.4063", "-1e-3", "2", "7"),
    }
    assert sub.answers["ex2.W_new"].location.cell == 5
    # only the function call in cell 7 is an error; `s = None` and the empty cell are missing
    assert [
        (m.severity, m.reason, m.location.cell, m.location.answer_id) for m in sub.messages
    ] == [(Severity.ERROR, Reason.WRONG_TYPE, 7, "ex2.y_out")]
    assert is_unparseable(sub, "ex2.y_out")
    assert not is_unparseable(sub, "ex2.s")
    assert "7" in sub.messages[0].text  # the message names the cell


def test_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f'import os; os.system("touch {marker}")'
    data = notebook(
        [
            ("code", payload, ()),  # untagged: ignored
            ("code", payload, ("answer:ex2.s",)),
            ("markdown", "$x$", ("answer:ex1.dL_dWout",)),
            ("code", f"__import__('os').system('touch {marker}')", ("answer:ex2.z",)),
        ]
    )
    sub = load(data)
    assert not marker.exists()
    assert sub.readable
    assert values(sub) == {"ex2.s": None, "ex1.dL_dWout": "x", "ex2.z": None}
    by_id = answer_errors(sub)
    assert [m.location.cell for m in by_id["ex2.s"]] == [2]
    assert [m.location.cell for m in by_id["ex2.z"]] == [4]
    errors = [m for m in sub.messages if m.severity is Severity.ERROR]
    assert [m.reason for m in errors] == [Reason.WRONG_TYPE, Reason.WRONG_TYPE]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("$x^2$", "x^2"),
        ("$$ \\frac{a}{b} $$", "\\frac{a}{b}"),
        ("\\(a+b\\)", "a+b"),
        ("\\[a+b\\]", "a+b"),
        ("  $a$  \n", "a"),
        ("$a$ and $b$", "$a$ and $b$"),
        ("```\np_j - 1[j = y]\n```", "p_j - 1[j = y]"),
        ("plain text", "plain text"),
        ("$$", ""),  # an empty formula: no answer
        ("$", "$"),
    ],
)
def test_strip_math(text: str, answer: str) -> None:
    assert strip_math(text) == answer


def test_student_cell_with_bare_keys_beats_metadata() -> None:
    data = notebook(
        [("raw", "id: s1\nname: Ada\n", ("student",))],
        {"student": {"id": "s2", "name": "Bob"}, "assignment": "practical-1"},
    )
    sub = load(data)
    assert (sub.student_id, sub.name, sub.assignment) == ("s1", "Ada", "practical-1")


@pytest.mark.parametrize(
    "metadata",
    [
        {
            "grader": {
                "student": {"student_id": 1234567, "name": "Ada"},
                "assignment": "practical-1",
            }
        },
        {"student": {"id": "1234567", "name": "Ada"}, "grader": {"assignment": "practical-1"}},
    ],
)
def test_metadata_spellings(metadata: dict[str, object]) -> None:
    sub = load(notebook([], metadata))
    assert (sub.student_id, sub.name, sub.assignment) == ("1234567", "Ada", "practical-1")
    assert sub.messages == ()


def test_no_identity_anywhere_falls_back_on_file_name() -> None:
    sub = load(notebook([("markdown", "x", ("answer:ex1.a",))]), "pen_paper_hopper.ipynb")
    assert (sub.student_id, sub.name) == ("hopper", "Hopper")
    assert [m.reason for m in sub.messages] == [Reason.IDENTITY_FALLBACK]


def test_invalid_metadata_id_is_refused() -> None:
    sub = load(notebook([], {"student": {"id": "../../x"}}), "pen_paper_hopper.ipynb")
    assert sub.student_id == "hopper"
    assert [m.reason for m in sub.messages] == [Reason.IDENTITY_INVALID]


def test_broken_student_cell_warns_and_falls_back() -> None:
    data = notebook([("raw", "student: [unclosed\n", ("student",))])
    sub = load(data, "pen_paper_hopper.ipynb")
    assert sub.readable and sub.student_id == "hopper"
    reasons = [(m.reason, m.location.cell) for m in sub.messages]
    assert (Reason.YAML_SYNTAX, 1) in reasons
    assert (Reason.IDENTITY_FALLBACK, None) in reasons


def test_answers_cell_without_answers_key_and_with_sheet_keys() -> None:
    bare = notebook([("raw", "ex1:\n  dL_dWout: a\n", ("answers",))])
    assert values(load(bare)) == {"ex1.dL_dWout": "a"}
    full = notebook(
        [
            (
                "raw",
                "student: {id: s9}\nassignment: practical-1\nanswers:\n  ex1: {a: b}\n",
                ("answers",),
            )
        ]
    )
    sub = load(full)
    assert (sub.student_id, sub.assignment, values(sub)) == ("s9", "practical-1", {"ex1.a": "b"})


def test_empty_answers_cell_means_no_answers() -> None:
    sub = load(notebook([("raw", "", ("answers",))], {"student": {"id": "s1"}}))
    assert sub.readable and dict(sub.answers) == {} and sub.messages == ()


@pytest.mark.parametrize(
    ("source", "reason", "line"),
    [
        ("answers:\n  ex1: [1, 2\n", Reason.YAML_SYNTAX, 3),
        ("answers:\n  ex1: &a x\n", Reason.YAML_FORBIDDEN, 2),
        ("- a\n- b\n", Reason.NOT_A_MAPPING, 1),
    ],
)
def test_broken_answers_cell_makes_the_notebook_unreadable(
    source: str, reason: Reason, line: int
) -> None:
    data = notebook([("markdown", "intro", ()), ("raw", source, ("answers",))])
    sub = load(data, "pen_paper_hopper.ipynb")
    assert not sub.readable
    assert sub.student_id == "hopper"
    errors = [m for m in sub.messages if m.severity is Severity.ERROR]
    assert [(m.reason, m.location.cell, m.location.line) for m in errors] == [(reason, 2, line)]


def test_same_id_in_answers_cell_and_answer_cell_is_unparseable() -> None:
    data = notebook(
        [
            ("raw", "answers:\n  ex2:\n    s: [1]\n    z: [2]\n", ("answers",)),
            ("code", "s = [3]", ("answer:ex2.s",)),
        ]
    )
    sub = load(data)
    assert is_unparseable(sub, "ex2.s")
    assert sub.answers["ex2.z"].value == ("2",)


def test_tags_are_trimmed_and_empty_answer_tags_ignored() -> None:
    data = notebook([("markdown", "a", (" answer: ex1.x ",)), ("markdown", "b", ("answer:",))])
    assert values(load(data)) == {"ex1.x": "a"}


@pytest.mark.parametrize(
    ("data", "reason", "position"),
    [
        (b'{"cells": [', Reason.NOTEBOOK_FORMAT, (1, 12)),
        (b'{\n  "cells": []\n  "x": 1\n}', Reason.NOTEBOOK_FORMAT, (3, 3)),
        (b"", Reason.FILE_UNREADABLE, (None, None)),
        (b" \n", Reason.FILE_UNREADABLE, (None, None)),
        (b"[]", Reason.NOTEBOOK_FORMAT, (None, None)),
        (b'{"a": 1}', Reason.NOTEBOOK_FORMAT, (None, None)),
        (
            b'{"nbformat": 99, "nbformat_minor": 0, "cells": []}',
            Reason.NOTEBOOK_FORMAT,
            (None, None),
        ),
        (b"[" * 100_000 + b"]" * 100_000, Reason.NOTEBOOK_FORMAT, (None, None)),
        (b'{"cells": "\xff"}', Reason.FILE_UNREADABLE, (1, 12)),
        ('{"cells": []}'.encode("utf-16"), Reason.FILE_UNREADABLE, (1, 1)),
    ],
)
def test_unreadable_notebooks(
    data: bytes, reason: Reason, position: tuple[int | None, int | None]
) -> None:
    sub = load(data, "pen_paper_hopper.ipynb")
    assert not sub.readable and sub.fmt == "ipynb"
    assert sub.student_id == "hopper"
    errors = [m for m in sub.messages if m.severity is Severity.ERROR]
    assert [(m.reason, (m.location.line, m.location.column)) for m in errors] == [
        (reason, position)
    ]


def test_schema_violation_is_a_warning_and_cells_are_still_read() -> None:
    nb = json.loads(notebook([("markdown", "x", ("answer:ex1.a",))], {"student": {"id": "s1"}}))
    nb["cells"][0]["unexpected"] = True
    sub = load(json.dumps(nb).encode())
    assert sub.readable
    assert values(sub) == {"ex1.a": "x"}
    assert [(m.severity, m.reason) for m in sub.messages] == [
        (Severity.WARNING, Reason.NOTEBOOK_FORMAT)
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # tags that are not a list of strings: the string-valued one is ignored
        ({"cell_type": "markdown", "metadata": {"tags": "answer:ex1.b"}, "source": "y"}, {}),
        (
            {"cell_type": "markdown", "metadata": {"tags": [1, None, "answer:ex1.c"]}, "source": 5},
            {"ex1.c": None},
        ),
        (
            {"cell_type": "weird", "metadata": {"tags": ["answer:ex1.c"]}, "source": "$q$"},
            {"ex1.c": "q"},
        ),
        ({"metadata": {"tags": ["answer:ex1.c"]}, "source": "t"}, {"ex1.c": "t"}),
    ],
)
def test_odd_cells_nbformat_tolerates_are_read_defensively(
    extra: dict[str, object], expected: dict[str, object]
) -> None:
    nb = json.loads(notebook([("markdown", "x", ("answer:ex1.a",))], {"student": {"id": "s1"}}))
    nb["cells"].append(extra)
    sub = load(json.dumps(nb).encode())
    assert sub.readable
    assert values(sub) == {"ex1.a": "x", **expected}
    assert [(m.severity, m.reason) for m in sub.messages] == [
        (Severity.WARNING, Reason.NOTEBOOK_FORMAT)
    ]


@pytest.mark.parametrize(
    "extra",
    [
        "not a cell",
        {"cell_type": "markdown", "metadata": [], "source": "z"},
        {"cell_type": "markdown", "metadata": {}, "source": ["a", 1]},
    ],
)
def test_cells_that_are_not_cells_are_skipped_in_one_warning(extra: object) -> None:
    nb = json.loads(notebook([("markdown", "x", ("answer:ex1.a",))], {"student": {"id": "s1"}}))
    nb["cells"].append(extra)
    sub = load(json.dumps(nb).encode())
    assert sub.readable and sub.student_id == "s1"
    assert values(sub) == {"ex1.a": "x"}
    assert [(m.severity, m.reason) for m in sub.messages] == [
        (Severity.WARNING, Reason.NOTEBOOK_FORMAT)
    ]
    assert "cell 2" in sub.messages[0].text


def test_outputs_are_ignored() -> None:
    nb = new_notebook(metadata={"student": {"id": "s1"}})
    cell = new_code_cell(
        "W = [[1, 2]]",
        outputs=[new_output("display_data", data={"text/html": "<script>alert(1)</script>"})],
    )
    cell["id"] = "c1"
    cell["metadata"]["tags"] = ["answer:ex2.W_new"]
    nb.cells.append(cell)
    sub = load(nbformat.writes(nb).encode())
    assert values(sub) == {"ex2.W_new": (("1", "2"),)}


def test_version_3_notebook_is_upgraded() -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"student": {"id": "s3"}},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "markdown",
                        "metadata": {"tags": ["answer:ex1.a"]},
                        "source": "$q$",
                    }
                ]
            }
        ],
    }
    sub = load(json.dumps(v3).encode())
    assert sub.readable and sub.student_id == "s3"
    assert values(sub) == {"ex1.a": "q"}
