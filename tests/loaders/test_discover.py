"""Discovery: deterministic order, hidden things skipped, links never leave the folder, bounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.loaders import discover
from grader.loaders.discover import MAX_FOLDER_DEPTH, MAX_NOTES, Discovery, discover_all
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


def test_hidden_folders_and_checkpoints_are_skipped_and_hidden_sheets_named(
    tmp_path: Path,
) -> None:
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
    assert [(m.severity, m.location.file) for m in messages] == [(Severity.WARNING, ".hidden.yaml")]


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


def _found(root: Path) -> Discovery:
    found = discover_all(root)
    assert found.not_searched == len([m for m in found.notes if "more paths" not in m.text]) or (
        found.not_searched > MAX_NOTES
    )
    return found


def _noted(found: Discovery) -> list[tuple[str, Reason | None]]:
    return [(m.location.file, m.reason) for m in found.notes]


def test_a_folder_that_cannot_be_listed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "ok.yaml", "locked/a.yaml", "locked/b.yaml")
    real = os.scandir

    def scandir(path: object) -> object:
        if (
            isinstance(path, int)
            and os.path.basename(os.readlink(f"/proc/self/fd/{path}")) == ("locked")
            or str(path).endswith("locked/")
        ):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    found = _found(tmp_path)
    assert rel(list(found.paths), tmp_path) == ["ok.yaml"]
    assert _noted(found) == [("locked", Reason.FILE_UNREADABLE)]
    assert "Permission denied" in found.notes[0].text and found.not_searched == 1


def test_a_folder_deeper_than_the_limit_is_named_and_counted(tmp_path: Path) -> None:
    deep = "/".join(f"d{i}" for i in range(MAX_FOLDER_DEPTH + 2))
    touch(tmp_path, "top.yaml", f"{deep}/lost.yaml")
    found = _found(tmp_path)
    assert rel(list(found.paths), tmp_path) == ["top.yaml"]
    cut = "/".join(f"d{i}" for i in range(MAX_FOLDER_DEPTH + 1))
    assert _noted(found) == [(cut, Reason.TOO_DEEP)]
    assert found.not_searched == 1


def test_a_path_longer_than_path_max_gets_a_row(tmp_path: Path) -> None:
    """Folders of 200-character names, 25 deep: the file's path passes 4096 bytes, which no
    program can open by name; it is still found (through folder descriptors) and refused."""
    names = ["n" * 200 + str(i) for i in range(25)]
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for name in names:  # mkdir relative to a descriptor: no long path is ever built
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        handle = os.open("far.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(handle, b"student: {id: s1}\n")
        os.close(handle)
    finally:
        os.close(fd)
    touch(tmp_path, "near.yaml")
    found = _found(tmp_path)
    assert rel(list(found.paths), tmp_path) == ["near.yaml"]
    assert [m.location.file for m in found.refused] == ["/".join(names) + "/far.yaml"]
    assert "more than the system allows" in found.refused[0].text
    assert found.notes == ()


def test_links_to_folders_are_named_inside_or_outside(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    touch(root, "in/a.yaml")
    touch(tmp_path, "elsewhere/b.yaml")
    os.symlink(tmp_path / "elsewhere", root / "out")
    os.symlink(root / "in", root / "again")
    found = _found(root)
    texts = {m.location.file: m.text for m in found.notes}
    assert "outside the graded folder" in texts["out"]
    assert "inside the graded folder" in texts["again"]
    assert found.not_searched == 2


def test_named_notes_are_capped_and_the_rest_counted(tmp_path: Path) -> None:
    for i in range(MAX_NOTES + 30):
        touch(tmp_path, f".hidden{i:03d}.yaml")
    found = discover_all(tmp_path)
    assert found.not_searched == MAX_NOTES + 30
    assert len(found.notes) == MAX_NOTES + 1
    assert "and 30 more paths not searched" in found.notes[-1].text
