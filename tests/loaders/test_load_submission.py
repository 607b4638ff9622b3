"""The single entry point: dispatch on suffix, refuse unsafe files, never raise for bad input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from p1_identity import load_notebook, load_submission, load_yaml_sheet

from grader.loaders import discover
from grader.loaders.notebook import MAX_NOTEBOOK_BYTES
from grader.loaders.safe_yaml import MAX_YAML_BYTES
from grader.model import Reason, Severity, Submission

DATA = Path(__file__).parent.parent / "data" / "loaders"


def errors(sub: Submission) -> list[tuple[Reason | None, str]]:
    return [(m.reason, m.location.file) for m in sub.messages if m.severity is Severity.ERROR]


def test_dispatch_on_suffix_with_relative_sources(tmp_path: Path) -> None:
    (tmp_path / "ta" / "group").mkdir(parents=True)
    shutil.copy(
        DATA / "pen_paper_lovelace.yaml", tmp_path / "ta" / "group" / "pen_paper_lovelace.yml"
    )
    shutil.copy(DATA / "pen_paper_hopper.ipynb", tmp_path / "pen_paper_hopper.IPYNB")
    paths, _ = discover(tmp_path)
    subs = [load_submission(p, tmp_path) for p in paths]
    assert [(s.source, s.fmt, s.student_id, s.readable) for s in subs] == [
        ("pen_paper_hopper.IPYNB", "ipynb", "s0000042", True),
        ("ta/group/pen_paper_lovelace.yml", "yaml", "s1234567", True),
    ]
    assert subs[1].answers["ex2.y_out"].location.file == "ta/group/pen_paper_lovelace.yml"


def test_two_megabyte_sheet_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_big.yaml"
    path.write_bytes(b"answers:\n  ex1:\n    a: '" + b"x" * 2_000_000 + b"'\n")
    sub = load_submission(path, tmp_path)
    assert not sub.readable
    assert errors(sub) == [(Reason.FILE_TOO_LARGE, "pen_paper_big.yaml")]
    assert str(MAX_YAML_BYTES) in sub.messages[0].text  # the limit is named
    assert sub.student_id == "big"


def test_huge_notebook_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_big.ipynb"
    with path.open("wb") as handle:  # sparse: the size check must come first
        handle.truncate(MAX_NOTEBOOK_BYTES + 1)
    sub = load_submission(path, tmp_path)
    assert errors(sub) == [(Reason.FILE_TOO_LARGE, "pen_paper_big.ipynb")]


def test_sheet_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    head = b"student: {id: s1}\nanswers: {ex1: {a: x}}\n#"
    path = tmp_path / "a.yaml"
    path.write_bytes(head + b"c" * (MAX_YAML_BYTES - len(head)))
    sub = load_submission(path, tmp_path)
    assert sub.readable and sub.answers["ex1.a"].value == "x"


def test_link_outside_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("student: {id: leaked}\n")
    os.symlink(secret, root / "pen_paper_evil.yaml")
    sub = load_submission(root / "pen_paper_evil.yaml", root)
    assert not sub.readable
    assert sub.student_id == "evil"
    assert errors(sub) == [(Reason.FILE_UNREADABLE, "pen_paper_evil.yaml")]


def test_fifo_does_not_block_and_is_unreadable(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pen_paper_pipe.yaml")
    sub = load_submission(tmp_path / "pen_paper_pipe.yaml", tmp_path)
    assert errors(sub) == [(Reason.FILE_UNREADABLE, "pen_paper_pipe.yaml")]


def test_folder_or_missing_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    for name in ("dir.yaml", "gone.yaml"):
        sub = load_submission(tmp_path / name, tmp_path)
        assert errors(sub) == [(Reason.FILE_UNREADABLE, name)]


def test_other_suffix_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "pen_paper_x.txt").write_text("student: {id: s1}\n")
    sub = load_submission(tmp_path / "pen_paper_x.txt", tmp_path)
    assert not sub.readable and sub.student_id == "x"


def test_every_discovered_file_gets_exactly_one_submission(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("student: {id: s1}\n")
    (tmp_path / "bad.yaml").write_bytes(b"\x00\x01")
    (tmp_path / "list.yml").write_text("- 1\n")
    (tmp_path / "broken.ipynb").write_text("{")
    paths, _ = discover(tmp_path)
    subs = [load_submission(p, tmp_path) for p in paths]
    assert [(s.source, s.readable) for s in subs] == [
        ("bad.yaml", False),
        ("broken.ipynb", False),
        ("good.yaml", True),
        ("list.yml", False),
    ]


_YAML_PIECES = st.sampled_from(
    [
        "student:",
        "  id: s1",
        "answers:",
        "  ex1:",
        "    a: [1, 2",
        "    b: &x 1",
        "    c: *x",
        "    d: !!python/object:os.system x",
        "- a",
        "  - [[[",
        "{a: {b: {c:",
        "'",
        '"\\x',
        "\t",
        "? [a]",
        ": v",
        "---",
        "...",
        "%YAML 1.1",
        "%TAG ! tag:x,2000:",
        "|",
        ">-",
        "#",
        "\u2028",
        "\ufeff",
    ]
)


def _well_formed(sub: Submission) -> bool:
    plain = all(isinstance(a.value, str | tuple | type(None)) for a in sub.answers.values())
    explained = sub.readable or any(m.severity is Severity.ERROR for m in sub.messages)
    return plain and explained


# The inner loaders have no safety net (load_submission's catch-all): a bug would raise here.
@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_YAML_PIECES, max_size=12))
def test_hostile_yaml_never_raises(lines: list[str]) -> None:
    sub = load_yaml_sheet(("\n".join(lines) + "\n").encode(), "pen_paper_fuzz.yaml")
    assert _well_formed(sub)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert _well_formed(load_yaml_sheet(data, "pen_paper_fuzz.yaml"))
    assert _well_formed(load_notebook(data, "pen_paper_fuzz.ipynb"))


_CELL = st.fixed_dictionaries(
    {
        "cell_type": st.sampled_from(["code", "markdown", "raw"]),
        "metadata": st.fixed_dictionaries(
            {"tags": st.lists(st.sampled_from(["answers", "student", "answer:ex1.a", "answer:"]))}
        ),
        "source": st.text(max_size=60),
    }
)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_CELL, max_size=6), student=st.one_of(st.none(), st.text(max_size=20)))
def test_random_notebooks_never_raise(cells: list[dict[str, object]], student: str | None) -> None:
    nb = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {"student": {"id": student}},
        "cells": [
            dict(c, outputs=[], execution_count=None) if c["cell_type"] == "code" else c
            for c in cells
        ],
    }
    assert _well_formed(load_notebook(json.dumps(nb).encode(), "pen_paper_fuzz.ipynb"))
