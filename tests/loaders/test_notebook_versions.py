"""Notebooks of every format and shape a student may hand in are read as far as their answers
are plain; what cannot be read is said in one located message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grader.loaders.nbjson import MAX_CELLS, MAX_JSON_CONTAINERS, MAX_TAGS_PER_CELL
from grader.loaders.notebook import load_notebook
from grader.model import Reason, Severity, Submission

STUDENT = "student:\n  id: s42\n  name: Ada\nassignment: practical-1\n"


def _v4_cell(kind: str, text: str, tags: list[str], minor: int, index: int) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {"tags": tags}, "source": text}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    if minor >= 5:
        cell["id"] = f"cell-{index}"
    if minor >= 1 and kind == "markdown":
        cell["attachments"] = {}
    return cell


def _v4(minor: int, cells: list[tuple[str, str, list[str]]]) -> bytes:
    document = {
        "nbformat": 4, "nbformat_minor": minor, "metadata": {"kernelspec": {"name": "python3"}},
        "cells": [_v4_cell(k, t, g, minor, i) for i, (k, t, g) in enumerate(cells)],
    }  # fmt: skip
    return json.dumps(document).encode()


def _v3(version: int, cells: list[tuple[str, str, list[str]]]) -> bytes:
    def cell(kind: str, text: str, tags: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"cell_type": kind, "metadata": {"tags": tags}}
        if kind == "code":
            return body | {"input": text, "language": "python", "outputs": []}
        return body | {"source": text}

    document = {
        "nbformat": version, "nbformat_minor": 0, "metadata": {"name": ""},
        "worksheets": [{"cells": [cell(*c) for c in cells[:1]]}, {"cells": [cell(*c) for c in cells[1:]]}],
    }  # fmt: skip
    return json.dumps(document).encode()


CELLS = [
    ("raw", STUDENT, ["student"]),
    ("markdown", "$f'(x) z_2$", ["answer:ex1.dL_dWout"]),
    ("code", "s = [1.5, 2]", ["answer:ex2.s"]),
]


def _values(sub: Submission) -> dict[str, object]:
    return {k: v.value for k, v in sub.answers.items()}


def _errors(sub: Submission) -> list[Any]:
    return [m for m in sub.messages if m.severity is Severity.ERROR]


@pytest.mark.parametrize(
    "data",
    [_v4(minor, CELLS) for minor in range(6)] + [_v3(3, CELLS), _v3(2, CELLS)],
    ids=[f"v4.{m}" for m in range(6)] + ["v3", "v2"],
)
def test_every_format_gives_the_same_answers(data: bytes) -> None:
    sub = load_notebook(data, "pen_paper_x.ipynb")
    assert sub.readable and sub.student_id == "s42" and sub.name == "Ada"
    assert _values(sub) == {"ex1.dL_dWout": "f'(x) z_2", "ex2.s": ("1.5", "2")}
    assert sub.messages == ()


def _document(data: bytes) -> dict[str, Any]:
    return json.loads(data)


@pytest.mark.parametrize("metadata", ["missing", None, "a string"])
def test_missing_or_null_metadata_is_read_with_one_warning(metadata: object) -> None:
    document = _document(_v4(5, CELLS))
    if metadata == "missing":
        del document["metadata"]
    else:
        document["metadata"] = metadata
    for cell in document["cells"]:
        cell["metadata"] = None
    document["cells"][1]["metadata"] = {"tags": ["answer:ex1.dL_dWout"]}
    sub = load_notebook(json.dumps(document).encode(), "pen_paper_x.ipynb")
    assert sub.readable
    assert _values(sub) == {"ex1.dL_dWout": "f'(x) z_2"}
    warnings = [m for m in sub.messages if m.reason is Reason.NOTEBOOK_FORMAT]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING


def test_a_notebook_without_a_format_version_is_read() -> None:
    document = _document(_v4(5, CELLS))
    del document["nbformat"], document["nbformat_minor"]
    sub = load_notebook(json.dumps(document).encode(), "pen_paper_x.ipynb")
    assert sub.readable and len(_values(sub)) == 2
    assert "no format version" in sub.messages[0].text


def test_the_same_tag_twice_on_one_cell_counts_once() -> None:
    tags = ["answer:ex2.s", "answer:ex2.s", " answer: ex2.s ", "student", "student"]
    sub = load_notebook(_v4(5, [("raw", STUDENT, ["student"]), ("code", "[1]", tags)]), "x.ipynb")
    assert _values(sub) == {"ex2.s": ("1",)} and _errors(sub) == []


def test_the_answers_tag_twice_reads_the_cell_once() -> None:
    cell = ("raw", "answers:\n  ex2:\n    s: [1]\n", ["answers", "answers"])
    sub = load_notebook(_v4(5, [cell]), "x.ipynb")
    assert _values(sub) == {"ex2.s": ("1",)} and _errors(sub) == []


@pytest.mark.parametrize("where", ["markdown", "code", "tag"])
def test_lone_surrogates_are_replaced_and_said(where: str) -> None:
    cells: list[tuple[str, str, list[str]]] = [("raw", STUDENT, ["student"])]
    if where == "markdown":
        cells.append(("markdown", "z_2 \ud800", ["answer:ex1.dL_dWout"]))
    elif where == "code":
        cells.append(("code", "s = ['1', '\udfff']", ["answer:ex2.s"]))
    else:
        cells.append(("markdown", "z_2", ["answer:ex1.\ud83d"]))
    data = json.dumps(_document(_v4(5, [])) | {"cells": [_v4_cell(*c, 5, i) for i, c in
                                                         enumerate(cells)]}).encode()  # fmt: skip
    assert b"\\ud8" in data or b"\\udf" in data or b"\\ud83d" in data
    sub = load_notebook(data, "pen_paper_x.ipynb")
    assert sub.readable and sub.student_id == "s42"
    (warning,) = [m for m in sub.messages if m.reason is Reason.NOTEBOOK_FORMAT]
    assert "U+FFFD" in warning.text and "cell 2" in warning.text
    texts = [str(v.value) for v in sub.answers.values()] + list(sub.answers)
    assert any("\ufffd" in text for text in texts)
    for text in texts:
        text.encode("utf-8")  # never a lone surrogate again


@pytest.mark.parametrize("identity", ["student cell", "metadata"])
def test_an_answers_cell_with_an_alias_is_unreadable_but_keeps_the_identity(identity: str) -> None:
    answers = ("raw", "answers:\n  ex2:\n    s: &a [1]\n    z: *a\n", ["answers"])
    if identity == "student cell":
        data = _v4(5, [("raw", STUDENT, ["student"]), answers])
    else:
        document = _document(_v4(5, [answers]))
        document["metadata"]["student"] = {"id": "s42", "name": "Ada"}
        data = json.dumps(document).encode()
    sub = load_notebook(data, "pen_paper_lovelace.ipynb")
    assert not sub.readable
    assert (sub.student_id, sub.name) == ("s42", "Ada")
    (error,) = _errors(sub)
    assert error.reason is Reason.YAML_FORBIDDEN and error.location.cell is not None
    assert "alias" in error.text


def test_too_many_json_containers_are_refused_before_parsing() -> None:
    data = ('{"cells": [' + ",".join(["{}"] * (MAX_JSON_CONTAINERS + 1)) + "]}").encode()
    sub = load_notebook(data, "pen_paper_x.ipynb")
    assert not sub.readable
    assert [e.reason for e in _errors(sub)] == [Reason.FILE_TOO_LARGE]


def test_braces_inside_strings_are_not_counted() -> None:
    text = "{[" * (MAX_JSON_CONTAINERS // 2 + 10)
    sub = load_notebook(_v4(5, [*CELLS, ("markdown", text, [])]), "pen_paper_x.ipynb")
    assert sub.readable and len(_values(sub)) == 2


def test_cells_and_tags_beyond_the_limits_are_ignored_and_said() -> None:
    many_tags = [f"answer:q{i}" for i in range(MAX_TAGS_PER_CELL + 5)]
    cells = [*CELLS, ("markdown", "t", many_tags)] + [("markdown", "", [])] * MAX_CELLS
    sub = load_notebook(_v4(5, cells), "pen_paper_x.ipynb")
    assert sub.readable
    assert len([k for k in sub.answers if k.startswith("q")]) == MAX_TAGS_PER_CELL
    (warning,) = [m for m in sub.messages if m.reason is Reason.NOTEBOOK_FORMAT]
    assert f"only the first {MAX_CELLS}" in warning.text
    assert f"only the first {MAX_TAGS_PER_CELL}" in warning.text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty (0 bytes)"),
        (b"\n\n  ", "empty (only white space)"),
        (json.dumps({"cells": []}).encode("utf-16"), "UTF-16"),
        (json.dumps({"cells": []}).encode("utf-32"), "UTF-32"),
        ('{"cells": [], "x": "é"}'.encode("latin-1"), "Windows-1252 or Latin-1"),
        (b'{"nbformat": 5, "cells": []}', "format 5"),
        (b'{"cells": [}', "broken JSON"),
    ],
)
def test_what_is_not_a_notebook_is_said_in_one_message(data: bytes, words: str) -> None:
    sub = load_notebook(data, "pen_paper_x.ipynb")
    assert not sub.readable
    (error,) = _errors(sub)
    assert words in error.text
