"""safe_filename, feedback_names and the inside-out_dir check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.gradebook import GradebookWriteError, feedback_names, safe_filename
from grader.gradebook.paths import inside

SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
            *(f"LPT{i}" for i in range(1, 10))}  # fmt: skip
HOSTILE = (
    "../../x", "/etc/passwd", "..", ".", ".hidden", "CON", "con", "CON.txt", "nul", "COM1",
    "LPT9", "", " ", "a" * 500, "Jürgen", "学生", "a/b", "a\\b", "x.", "\x00", "s1\n",
    "\ud800", "ab\u0301c",
)  # fmt: skip


@pytest.mark.parametrize("student_id", ["s1234567", "a.b-c_d", "X" * 80, "2024_s1"])
def test_safe_ids_are_kept(student_id: str) -> None:
    assert safe_filename(student_id) == student_id


@pytest.mark.parametrize("student_id", HOSTILE)
def test_changed_ids_are_portable_and_carry_a_hash(student_id: str) -> None:
    name = safe_filename(student_id)
    assert SAFE.fullmatch(name)
    assert name.split(".")[0].upper() not in RESERVED
    assert re.search(r"-[0-9a-f]{8}$", name)
    assert safe_filename(student_id) == name  # stable


def test_hostile_ids_never_share_a_name() -> None:
    names = [safe_filename(s) for s in HOSTILE]
    assert len(set(names)) == len(HOSTILE)


def test_accents_are_kept_readable() -> None:
    assert safe_filename("Jürgen").startswith("Jurgen-")


@given(st.lists(st.tuples(st.text(max_size=12), st.sampled_from(["a.yaml", "b.yaml"])),
                max_size=12))  # fmt: skip
def test_feedback_names_are_distinct_even_ignoring_case(keys: list[tuple[str, str]]) -> None:
    keys = list(dict.fromkeys(keys))  # one row per (id, source)
    names = feedback_names(keys)
    assert len({n.casefold() for n in names}) == len(keys)
    assert all(n.endswith(".md") and SAFE.fullmatch(n[:-3]) for n in names)


def test_an_id_crafted_to_equal_another_ids_hashed_name_does_not_collide() -> None:
    crafted = safe_filename("a/b")  # "a_b-<hash>", itself a safe id
    names = feedback_names([("a/b", "1.yaml"), (crafted, "2.yaml")])
    assert names[0] != names[1]


def test_duplicate_ids_and_case_twins_get_distinct_stable_names() -> None:
    keys = [("S1", "x.yaml"), ("s1", "a.yaml"), ("s1", "b.yaml"), ("s2", "c.yaml")]
    names = feedback_names(keys)
    assert len({n.casefold() for n in names}) == 4
    assert names[3] == "s2.md"  # untouched when unique
    assert names[1].startswith("s1-") and names[2].startswith("s1-")
    # a row's name does not depend on where it sits in the batch
    assert feedback_names(list(reversed(keys))) == list(reversed(names))


@pytest.mark.parametrize("relative", ["../x", "../../etc/passwd", "/etc/passwd", ".", ""])
def test_inside_refuses_escapes(tmp_path: Path, relative: str) -> None:
    with pytest.raises(GradebookWriteError):
        inside(tmp_path, relative)


def test_inside_follows_planted_links(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(GradebookWriteError):
        inside(tmp_path / "out", "link.md")
    assert inside(tmp_path / "out", "feedback/s1.md") == (tmp_path / "out/feedback/s1.md").resolve()
