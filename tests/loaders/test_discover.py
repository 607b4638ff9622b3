"""Discovery: deterministic order, hidden things skipped, links never leave the folder, bounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.loaders import discover
from grader.model import Reason, Severity


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("student: {id: s1}\n")


def rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_finds_submission_files_recursively_in_path_order(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "b.yaml",
        "a.yml",
        "group2/z.ipynb",
        "group1/deep/er/x.YAML",
        "group1/c.yaml",
        "A.Ipynb",
        "notes.txt",
        "yaml",
        "report.yaml.bak",
    )
    paths, messages = discover(tmp_path)
    assert rel(paths, tmp_path) == [
        "A.Ipynb",
        "a.yml",
        "b.yaml",
        "group1/c.yaml",
        "group1/deep/er/x.YAML",
        "group2/z.ipynb",
    ]
    assert messages == []


def test_hidden_files_folders_and_checkpoints_are_skipped(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "s.ipynb",
        ".ipynb_checkpoints/s-checkpoint.ipynb",
        "sub/.ipynb_checkpoints/t-checkpoint.ipynb",
        ".hidden.yaml",
        ".git/x.yaml",
        "sub/t.ipynb",
    )
    paths, messages = discover(tmp_path)
    assert rel(paths, tmp_path) == ["s.ipynb", "sub/t.ipynb"]
    assert messages == []


def test_link_to_a_file_outside_is_refused_with_an_error_naming_it(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    touch(root, "ok.yaml")
    outside = tmp_path / "secret.yaml"
    outside.write_text("x: 1\n")
    (root / "sub").mkdir()
    os.symlink(outside, root / "sub" / "evil.yaml")
    os.symlink("/etc/passwd", root / "passwd.yaml")
    paths, messages = discover(root)
    assert rel(paths, root) == ["ok.yaml"]
    refused = sorted((m.location.file, m.reason) for m in messages if m.severity is Severity.ERROR)
    assert refused == [
        ("passwd.yaml", Reason.FILE_UNREADABLE),
        ("sub/evil.yaml", Reason.FILE_UNREADABLE),
    ]


def test_link_to_a_file_inside_is_kept(tmp_path: Path) -> None:
    touch(tmp_path, "a/real.yaml")
    os.symlink(tmp_path / "a" / "real.yaml", tmp_path / "link.yaml")
    os.symlink("missing.yaml", tmp_path / "broken.yaml")  # dangling, but inside
    paths, messages = discover(tmp_path)
    assert rel(paths, tmp_path) == ["a/real.yaml", "broken.yaml", "link.yaml"]
    assert messages == []


def test_linked_folders_are_never_entered(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    touch(root, "in/a.yaml")
    touch(tmp_path, "elsewhere/b.yaml")
    os.symlink(tmp_path / "elsewhere", root / "out")
    os.symlink(root, root / "in" / "loop")
    paths, messages = discover(root)
    assert rel(paths, root) == ["in/a.yaml"]
    notes = sorted((m.severity, m.location.file) for m in messages)
    assert notes == [(Severity.WARNING, "in/loop"), (Severity.WARNING, "out")]


def test_special_files_are_returned_for_an_unreadable_row(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    paths, messages = discover(tmp_path)
    assert rel(paths, tmp_path) == ["pipe.yaml"]
    assert messages == []


def test_file_cap(tmp_path: Path) -> None:
    touch(tmp_path, "a.yaml", "b.yaml", "c/c.yaml", "d.yaml")
    paths, messages = discover(tmp_path, max_files=3)
    assert len(paths) == 3
    assert [(m.severity, m.reason) for m in messages] == [(Severity.WARNING, Reason.TOO_LARGE)]


def test_exactly_the_cap_is_not_truncated(tmp_path: Path) -> None:
    touch(tmp_path, "a.yaml", "b.yaml", "notes.txt")
    paths, messages = discover(tmp_path, max_files=2)
    assert len(paths) == 2 and messages == []


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_root_that_is_not_a_folder(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "x.yaml"
    if kind == "file":
        root.write_text("a: 1\n")
    paths, messages = discover(root)
    assert paths == []
    assert [m.reason for m in messages] == [Reason.FILE_UNREADABLE]


def test_same_tree_same_answer(tmp_path: Path) -> None:
    touch(tmp_path, *(f"g{i % 7}/s{i}.yaml" for i in range(50)))
    first, _ = discover(tmp_path)
    second, _ = discover(tmp_path)
    assert first == second
    assert rel(first, tmp_path) == sorted(rel(first, tmp_path))
