"""Nothing vanishes: every path with a submission suffix that discovery meets is a row of
grades.csv or is named in a message to course staff, and the summary counts the latter.

One folder holds every file-system oddity: a folder and a file nobody may read, a tree deeper
than the folder limit, a path longer than PATH_MAX, links to folders inside and outside, links
to files outside and to nothing, a FIFO, a socket, a device, a hidden sheet, a file name that
is not UTF-8. `grade` runs on it as a subprocess; when the test runs as root, the grader runs
without the capabilities that let root read anything (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
so that permissions bite as they do for a TA.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_build import RUN_TIMEOUT, grade_command, grade_env, make_run_dirs

from grader.loaders.discover import MAX_FOLDER_DEPTH

SHEET = "student:\n  id: {id}\nassignment: practical-1\nanswers:\n  ex2:\n    s: [1, 2, 3]\n"
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


@dataclass(frozen=True)
class Tree:
    """The oddities: files that must get a row, paths that must be named to staff."""

    root: Path
    rows: frozenset[str]
    named: frozenset[str]


def _sheet(path: Path, student_id: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHEET.format(id=student_id), encoding="utf-8")


def _long_path(root: Path) -> str:
    """A sheet whose path is longer than PATH_MAX, made through folder descriptors."""
    names = ["p" * 200 + str(i) for i in range(22)]
    fd = os.open(root, os.O_RDONLY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        handle = os.open("far.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(handle, SHEET.format(id="far").encode())
        os.close(handle)
    finally:
        os.close(fd)
    return "/".join(names) + "/far.yaml"


def _build(root: Path, outside: Path) -> Tree:
    rows, named = {"ok.yaml", "empty.yaml"}, set()
    _sheet(root / "ok.yaml", "ok")
    (root / "empty.yaml").write_bytes(b"")
    _sheet(root / "locked" / "inside.yaml", "inside")
    named.add("locked")
    _sheet(root / "secret.yaml", "secret")
    rows.add("secret.yaml")
    deep = "/".join(f"d{i}" for i in range(MAX_FOLDER_DEPTH + 3))
    _sheet(root / deep / "lost.yaml", "lost")
    named.add("/".join(f"d{i}" for i in range(MAX_FOLDER_DEPTH + 1)))
    rows.add(_long_path(root))
    _sheet(outside / "x.yaml", "outside")
    (root / "out_link").symlink_to(outside, target_is_directory=True)
    (root / "in_link").symlink_to(root / "d0", target_is_directory=True)
    named |= {"out_link", "in_link"}
    (root / "link_out.yaml").symlink_to(outside / "x.yaml")
    (root / "broken.yaml").symlink_to(root / "missing.yaml")
    os.mkfifo(root / "fifo.yaml")
    rows |= {"link_out.yaml", "broken.yaml", "fifo.yaml"}
    with contextlib.closing(socket.socket(socket.AF_UNIX)) as sock:
        sock.bind(str(root / "socket.ipynb"))
    rows.add("socket.ipynb")
    if os.geteuid() == 0:
        os.mknod(root / "device.yaml", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        rows.add("device.yaml")
    _sheet(root / ".hidden.yaml", "hidden")
    named.add(".hidden.yaml")
    odd_name = os.fsencode(root) + b"/pen_paper_caf\xe9.yaml"  # Latin-1 bytes, not UTF-8
    with open(odd_name, "wb") as handle:
        handle.write(SHEET.format(id="cafe").encode())
    rows.add(os.fsdecode(b"pen_paper_caf\xe9.yaml"))
    (root / "locked").chmod(0)
    (root / "secret.yaml").chmod(0)
    return Tree(root, frozenset(rows), frozenset(named))


def _without_root_powers() -> None:
    """In the child, before exec: root loses the right to ignore permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tree]:
    base = tmp_path_factory.mktemp("vanish")
    built = _build(base / "submissions", base / "outside")
    yield built
    for folder in ("locked", "secret.yaml"):
        with contextlib.suppress(OSError):
            (built.root / folder).chmod(0o755)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    sources: list[str]


@pytest.fixture(scope="module")
def run(tree: Tree) -> Run:
    cwd, home = make_run_dirs(tree.root.parent / "run")
    out = tree.root.parent / "gradebook"
    result = subprocess.run(
        grade_command(tree.root, out, "--quiet", "--jobs", "1"),
        cwd=cwd,
        env=grade_env(home),
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
        preexec_fn=_without_root_powers,
    )
    grades = (out / "grades.csv").read_text(encoding="utf-8") if out.is_dir() else ""
    sources = [row["source"] for row in csv.DictReader(io.StringIO(grades))]
    return Run(
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
        sources,
    )


def test_the_batch_succeeds(run: Run) -> None:
    assert run.returncode == 0, run.stderr[-3000:]


def test_every_readable_or_refused_file_has_its_row(tree: Tree, run: Run) -> None:
    expected = {name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                for name in tree.rows}  # fmt: skip
    assert sorted(run.sources) == sorted(expected)


def test_every_other_path_is_named_to_staff(tree: Tree, run: Run) -> None:
    named = {line.split(": warning: ", 1)[0] for line in run.stderr.splitlines()}
    assert tree.named <= named, run.stderr


def test_the_summary_counts_what_was_not_searched(tree: Tree, run: Run) -> None:
    assert f"{len(tree.named)} paths not searched" in run.stdout, run.stdout
