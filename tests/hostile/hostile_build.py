"""The hostile corpus, assembled in a temporary folder, and `grade` run on it as a subprocess.

The committed files live in corpus/ and are described in MANIFEST.yaml. What cannot or should
not be committed is generated here, at test time: the 30 MB answer file and notebook, files
just under the size limits, 10^5-deep nesting, 10^5-row arrays, a link to a file outside the
folder and one to /etc/passwd, a FIFO, and files whose NAMES are the attack (formulas, a
newline). Shared by the tests in this folder and by benchmarks/hostile_corpus.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from hostile_cases import CASES

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = HERE / "corpus"
MANIFEST = HERE / "MANIFEST.yaml"

CANARY_DIR = Path("/tmp")
CANARY_PREFIX = "grader-canary-"
# Assembled here so that this module never holds the text an executed payload would print.
MARKER = "HOSTILE-PAYLOAD" + "-RAN"
SECRET = "SECRET-OUTSIDE" + "-THE-FOLDER"
RUN_TIMEOUT = 900.0  # seconds: a guard against a hung batch, never a speed assertion
MIB = 1 << 20
YAML_LIMIT = 1 * MIB  # grader.loaders.safe_yaml.MAX_YAML_BYTES, written down independently
NOTEBOOK_LIMIT = 16 * MIB  # grader.loaders.notebook.MAX_NOTEBOOK_BYTES
ROWS = 100_000
DEPTH = 100_000


@dataclass(frozen=True)
class Expectation:
    """What the specification promises for one corpus file (see MANIFEST.yaml's header)."""

    attacks: str
    status: str = "readable"
    zero: tuple[str, ...] = ()
    message: bool = False
    student_id: str | None = None
    id_not: tuple[str, ...] = ()
    full_marks: tuple[str, ...] = ()
    says: tuple[str, ...] = ()  # what the row's message must contain (the cause, by name)


def load_manifest() -> Mapping[str, Expectation]:
    """MANIFEST.yaml as file name -> Expectation (our own file, read with safe_load)."""
    raw = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    out = {}
    for name, entry in raw.items():
        fields = dict(entry)
        for key in ("zero", "id_not", "full_marks", "says"):
            fields[key] = tuple(fields.get(key, ()))
        out[name] = Expectation(**fields)
    return MappingProxyType(out)


# ----- generated files ----------------------------------------------------------------------------
Builder = Callable[[Path, Path], None]  # (the file to create, a folder outside the corpus)


def _header(student_id: str, attack: str) -> str:
    return (
        f"# attack: {attack}\nstudent:\n  id: {student_id}\n  name: Generated\n"
        "assignment: practical-1\nanswers:\n"
    )


def _sheet_of_size(path: Path, size: int, student_id: str) -> None:
    """A well-formed sheet whose ex4 free-text answer fills it to `size` bytes."""
    line = "      " + "memory " * 13 + "\n"
    with path.open("w", encoding="utf-8") as handle:
        written = handle.write(_header(student_id, f"a {size}-byte sheet"))
        written += handle.write("  ex4:\n    answer: |\n")
        while written + len(line) <= size:
            written += handle.write(line)


def _notebook_of_size(path: Path, size: int, student_id: str) -> None:
    """A notebook carrying `size` bytes of image output, one payload cell and one answer."""
    picture = "iVBORw0KGgo" + "A" * max(0, size - 4096)
    cells = [
        {"cell_type": "raw", "id": "c1", "metadata": {"tags": ["student"]},
         "source": f"student:\n  id: {student_id}\nassignment: practical-1\n"},
        {"cell_type": "code", "id": "c2", "metadata": {"tags": ["answer:ex2.y_out"]},
         "execution_count": 1, "source": "y_out = [0.0986, 0.0112, 0.0634, 0.0059]",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": picture, "text/plain": "<Figure>"}}]},
        {"cell_type": "code", "id": "c3", "metadata": {"tags": ["answer:ex2.loss"]},
         "execution_count": None, "outputs": [],
         "source": f"import os; os.system('touch {CANARY_DIR}/{CANARY_PREFIX}big-notebook')"},
    ]  # fmt: skip
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document), encoding="utf-8")


def _sheet_30mb(path: Path, outside: Path) -> None:
    _sheet_of_size(path, 30 * MIB, "hx-sheet-30mb")


def _sheet_under_limit(path: Path, outside: Path) -> None:
    _sheet_of_size(path, YAML_LIMIT - 512, "hx-sheet-1mb")


def _notebook_30mb(path: Path, outside: Path) -> None:
    _notebook_of_size(path, 30 * MIB, "hx-notebook-30mb")


def _notebook_under_limit(path: Path, outside: Path) -> None:
    _notebook_of_size(path, NOTEBOOK_LIMIT - 64 * 1024, "hx-notebook-16mb")


def _yaml_deep(path: Path, outside: Path) -> None:
    text = _header("hx-yaml-deep", "10^5-deep nesting") + "  ex2:\n    s: "
    path.write_text(text + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")


def _brackets_deep(path: Path, outside: Path) -> None:
    answer = "(" * DEPTH + "z2" + ")" * DEPTH
    text = _header("hx-brackets-deep", "10^5 nested brackets") + "  ex1:\n"
    path.write_text(text + f"    dL_dWout: '{answer}'\n", encoding="utf-8")


def _rows_yaml(path: Path, outside: Path) -> None:
    text = _header("hx-rows-yaml", "a 10^5-row array") + "  ex2:\n    y_out: ["
    path.write_text(text + ", ".join(["0.0986"] * ROWS) + "]\n", encoding="utf-8")


def _rows_notebook(path: Path, outside: Path) -> None:
    source = "s = [" + ", ".join(["[0.458, 0.869, 0.704]"] * ROWS) + "]"
    cells = [
        {"cell_type": "raw", "id": "c1", "metadata": {"tags": ["student"]},
         "source": "student:\n  id: hx-rows-notebook\n"},
        {"cell_type": "code", "id": "c2", "metadata": {"tags": ["answer:ex2.s"]},
         "execution_count": None, "outputs": [], "source": source},
    ]  # fmt: skip
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document), encoding="utf-8")


def _json_deep(path: Path, outside: Path) -> None:
    body = "[" * DEPTH + "]" * DEPTH
    path.write_text(
        '{"cells": ' + body + ', "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        encoding="utf-8",
    )


def _fence_bait(path: Path, outside: Path) -> None:
    """Cells whose blank runs make a backtracking fence/delimiter regex quadratic."""
    canary = f"{CANARY_DIR}/{CANARY_PREFIX}fence-bait"
    cells = [
        {"cell_type": "raw", "id": "c1", "metadata": {"tags": ["student"]},
         "source": "student:\n  id: hx-fence-bait\nassignment: practical-1\n"},
        {"cell_type": "markdown", "id": "c2", "metadata": {"tags": ["answer:ex3.explanation"]},
         "source": "```\n" + " " * 60_000 + "\n" * 60_000 + "x\n```"},
        {"cell_type": "markdown", "id": "c3", "metadata": {"tags": ["answer:ex1.dL_dWout"]},
         "source": "$" * 50_000 + f"$(touch {canary})"},
        {"cell_type": "raw", "id": "c4", "metadata": {"tags": ["answers"]},
         "source": "```yaml\n" + "\n" * 60_000 + f"answers:\n  mini:\n    dW_k: '`touch {canary}`'\n```"},
    ]  # fmt: skip
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document), encoding="utf-8")


def _link_outside(path: Path, outside: Path) -> None:
    """A link to a readable, valid sheet outside the graded folder, holding a secret."""
    target = outside / "secret_sheet.yaml"
    target.write_text(
        f"student:\n  id: s-secret\n  name: {SECRET}\nassignment: practical-1\n"
        f"answers:\n  ex3:\n    explanation: {SECRET}\n",
        encoding="utf-8",
    )
    path.symlink_to(target)


def _link_passwd(path: Path, outside: Path) -> None:
    path.symlink_to("/etc/passwd")


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _named_sheet(path: Path, outside: Path) -> None:
    """A plain sheet without an id: the (hostile) file name is all the identity there is."""
    path.write_text(
        "assignment: practical-1\nanswers:\n  ex2:\n    y_out: [0.0986, 0.0112, 0.0634, 0.0059]\n",
        encoding="utf-8",
    )


def _named_notebook(path: Path, outside: Path) -> None:
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "id": "c1", "metadata": {"tags": ["answer:ex2.y_out"]},
         "execution_count": None, "outputs": [], "source": "[0.0986, 0.0112, 0.0634, 0.0059]"},
    ]  # fmt: skip
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document), encoding="utf-8")


def _pdf_builders() -> Any:
    """tests/loaders/pdf_builders.py (shared with the loader tests; not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "pdf_builders", HERE.parent / "loaders" / "pdf_builders.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TEX_HEAD = "\\documentclass{article}\n\\usepackage{grader}\n\\assignment{practical-1}\n"


def _tex_5mb(path: Path, outside: Path) -> None:
    filler = "% padding line to make the source large\n" * (5 * MIB // 40)
    body = _TEX_HEAD + "\\student{hx-tex-5mb}{Big}\n" + filler + "\\answer{mini.dW_k}{x}\n"
    path.write_text(body, encoding="utf-8")


def _tex_under_limit(path: Path, outside: Path) -> None:
    """Just under the 1 MiB source limit: 10^5 short macro definitions (over the definition
    cap), thousands of braces and control words, and one right answer at the end."""
    names = ("".join(chr(97 + i // 26**k % 26) for k in range(3)) for i in range(40_000))
    defs = "".join(f"\\newcommand{{\\m{name}}}{{x}}\n" for name in names)
    words = "\\alpha{\\beta{\\gamma}} " * ((YAML_LIMIT - 4096 - len(defs)) // 24)
    body = (
        _TEX_HEAD + "\\student{hx-tex-1mb}{Big}\n" + defs + words[: YAML_LIMIT - 4096 - len(defs)]
    )
    path.write_text(body + "\n\\answer{mini.dW_k}{\\delta_k z_{k-1}^T}\n", encoding="utf-8")


_PAYLOAD_SOURCE = (
    _TEX_HEAD
    + "\\student{hx-pdf-payload}{Embedded}\n\\immediate\\write18{touch "
    + f"{CANARY_DIR}/{CANARY_PREFIX}pdf_payload}}\n\\begin{{document}}\n"
    "\\answer{ex1.dL_dWout}{\\input{/etc/passwd}}\n\\answer{mini.dW_k}{\\delta_k z_{k-1}^T}\n"
)


def _pdf_payload(path: Path, outside: Path) -> None:
    path.write_bytes(_pdf_builders().pdf_with_source(_PAYLOAD_SOURCE))


def _pdf_javascript(path: Path, outside: Path) -> None:
    path.write_bytes(_pdf_builders().plain_pdf(javascript=True))


def _pdf_encrypted(path: Path, outside: Path) -> None:
    path.write_bytes(_pdf_builders().encrypted_pdf(_PAYLOAD_SOURCE))


def _pdf_bomb(path: Path, outside: Path) -> None:
    builders = _pdf_builders()
    path.write_bytes(builders.pdf_with_stream(builders.flate_bomb(4 << 30)))


def _pdf_deep(path: Path, outside: Path) -> None:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /GraderSource 2 0 R /D " + b"[" * DEPTH
        + b"]" * DEPTH + b" >> endobj\n2 0 obj << /A 2 0 R >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )  # fmt: skip


def _pdf_cyclic(path: Path, outside: Path) -> None:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 3 0 R /GraderSource 2 0 R >> endobj\n"
        b"2 0 obj 2 0 R endobj\n3 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>"
        b" endobj\ntrailer << /Root 1 0 R /Prev 0 >>\n%%EOF\n"
    )


def _pdf_not_a_pdf(path: Path, outside: Path) -> None:
    path.write_text("#!/bin/sh\ntouch /tmp/grader-canary-pdf_not_a_pdf\n", encoding="utf-8")


def _pdf_40mb(path: Path, outside: Path) -> None:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.write(b"0" * (40 * MIB))


@dataclass(frozen=True)
class Generated:
    """A corpus file made at test time: its name, how to make it and what must happen."""

    name: str
    build: Builder
    expect: Expectation


def _unreadable(attack: str) -> Expectation:
    return Expectation(attacks=attack, status="unreadable", message=True)


def _named(attack: str) -> Expectation:
    return Expectation(attacks=attack, status="readable", message=True)


GENERATED: tuple[Generated, ...] = (
    Generated("sheet_30mb.yaml", _sheet_30mb, _unreadable("a 30 MB answer sheet")),
    Generated("notebook_30mb.ipynb", _notebook_30mb, _unreadable("a 30 MB notebook")),
    Generated(
        "sheet_just_under_limit.yaml",
        _sheet_under_limit,
        Expectation("a well-formed sheet just under the 1 MiB limit (1 MB of free text)"),
    ),
    Generated(
        "notebook_just_under_limit.ipynb",
        _notebook_under_limit,
        Expectation(
            "a notebook just under the 16 MiB limit (image output) with a payload cell",
            zero=("ex2.loss",),
            message=True,
        ),
    ),
    Generated("yaml_deep_1e5.yaml", _yaml_deep, _unreadable("YAML lists nested 10^5 deep")),
    Generated(
        "bomb_brackets_1e5.yaml",
        _brackets_deep,
        Expectation("10^5 nested brackets in a symbolic answer", zero=("ex1.dL_dWout",)),
    ),
    Generated("num_rows_1e5.yaml", _rows_yaml, _unreadable("a 10^5-entry array in a sheet")),
    Generated(
        "nb_rows_1e5.ipynb",
        _rows_notebook,
        Expectation("a 10^5-row array literal in a code cell", zero=("ex2.s",), message=True),
    ),
    Generated("nb_deep_json_1e5.ipynb", _json_deep, _unreadable("JSON nested 10^5 deep")),
    Generated(
        "nb_markdown_fence_bait.ipynb",
        _fence_bait,
        Expectation(
            "120 KB blank runs inside code fences and $ delimiters (regex backtracking bait)",
            zero=("ex1.dL_dWout", "mini.dW_k"),
        ),
    ),
    Generated(
        "symlink_outside.yaml",
        _link_outside,
        _unreadable("a symbolic link to a valid sheet outside the graded folder"),
    ),
    Generated("pen_paper_passwd.yaml", _link_passwd, _unreadable("a symbolic link to /etc/passwd")),
    Generated("pen_paper_fifo.yaml", _fifo, _unreadable("a FIFO (a read would block forever)")),
    Generated(
        '=HYPERLINK("http:__evil.example","x").yaml',
        _named_sheet,
        _named("a file NAME that is a spreadsheet formula (the source column)"),
    ),
    Generated("+cmd|' _C calc'!A0.yaml", _named_sheet, _named("a file name that is a DDE payload")),
    Generated("@SUM(1+1).ipynb", _named_notebook, _named("a notebook named like a formula")),
    Generated("-rf --out ..yaml", _named_sheet, _named("a file name that looks like options")),
    Generated("pen_paper_new\nline.yaml", _named_sheet, _named("a newline in the file name")),
    Generated("pen_paper_" + "x" * 230 + ".yaml", _named_sheet, _named("a 245-byte file name")),
    Generated("tex_5mb.tex", _tex_5mb, _unreadable("a 5 MB LaTeX source (the limit is 1 MiB)")),
    Generated(
        "tex_just_under_limit.tex",
        _tex_under_limit,
        Expectation(
            "a LaTeX source just under 1 MiB: 40,000 macro definitions and 10^5 nested groups",
            message=True,
            full_marks=("mini",),
        ),
    ),
    Generated(
        "pen_paper_pdf_payload.pdf",
        _pdf_payload,
        Expectation(
            "a PDF whose embedded source carries \\write18 and \\input{/etc/passwd}",
            zero=("ex1.dL_dWout",),
            full_marks=("mini",),
        ),
    ),
    Generated(
        "pen_paper_pdf_javascript.pdf",
        _pdf_javascript,
        _named("a PDF with a document-open JavaScript action and no embedded answers"),
    ),
    Generated("pen_paper_pdf_encrypted.pdf", _pdf_encrypted, _named("an encrypted PDF (RC4)")),
    Generated(
        "pen_paper_pdf_bomb.pdf",
        _pdf_bomb,
        _named("a 4 MB Flate stream that inflates to 4 GiB as the embedded answers"),
    ),
    Generated("pen_paper_pdf_deep.pdf", _pdf_deep, _unreadable("PDF arrays nested 10^5 deep")),
    Generated(
        "pen_paper_pdf_cyclic.pdf",
        _pdf_cyclic,
        Expectation(
            "cyclic PDF objects (a reference to itself, a page tree that loops)",
            status="any",
            message=True,
        ),
    ),  # fmt: skip
    Generated("pen_paper_pdf_fake.pdf", _pdf_not_a_pdf, _unreadable("a shell script named .pdf")),
    Generated(
        "pen_paper_pdf_40mb.pdf", _pdf_40mb, _unreadable("a 40 MB PDF (the limit is 32 MiB)")
    ),
)


def _expectation(fields: Mapping[str, Any]) -> Expectation:
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list | tuple) else v for k, v in fields.items()
    }
    return Expectation(**values)


GENERATED += tuple(Generated(name, build, _expectation(fields)) for name, build, fields in CASES)


def expectations() -> Mapping[str, Expectation]:
    """Every corpus file's expectation: the committed ones and the generated ones."""
    out = dict(load_manifest())
    for item in GENERATED:
        out[item.name] = item.expect
    return MappingProxyType(out)


def build_corpus(folder: Path, outside: Path) -> Mapping[str, Expectation]:
    """Copy the committed corpus into `folder`, generate the rest; return the expectations."""
    folder.mkdir(parents=True)
    outside.mkdir(parents=True, exist_ok=True)
    for name in load_manifest():
        shutil.copyfile(CORPUS / name, folder / name)
    for item in GENERATED:
        item.build(folder / item.name, outside)
    return expectations()


# ----- running and observing --------------------------------------------------------------------
def grade_command(folder: Path, out: Path, *extra: str) -> list[str]:
    """The command line of `grade FOLDER --out OUT ...` run from source."""
    return [sys.executable, "-m", "grader.cli", str(folder), "--out", str(out), *extra]


def grade_env(home: Path) -> dict[str, str]:
    """The environment for a grading subprocess: the repository importable, HOME and TMPDIR in
    the observed tree (so a write to either is caught), no bytecode written into the repo."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["HOME"] = str(home)
    env["TMPDIR"] = str(home / "tmp")
    return env


def make_run_dirs(root: Path) -> tuple[Path, Path]:
    """A working directory and a HOME (with its TMPDIR) for grading subprocesses, under root."""
    cwd, home = root / "cwd", root / "home"
    cwd.mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return cwd, home


def run_grade(
    folder: Path, out: Path, cwd: Path, home: Path, *extra: str
) -> subprocess.CompletedProcess[bytes]:
    """Run `grade` as a subprocess (quiet), capturing its output."""
    return subprocess.run(
        grade_command(folder, out, "--quiet", *extra),
        cwd=cwd,
        env=grade_env(home),
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


Entry = tuple[str, ...]


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under `root` with its kind and, for regular files, size and sha256.

    Links are recorded by target and never followed; FIFOs are never opened.
    """
    out: dict[str, Entry] = {}
    for directory, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(directory, name)
            out[str(path.relative_to(root))] = _entry(path)
    return out


def _entry(path: Path) -> Entry:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return ("dir",)
    if stat.S_ISREG(info.st_mode):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return ("file", str(info.st_size), digest)
    return ("other", stat.filemode(info.st_mode))


def read_tree(root: Path) -> dict[str, bytes]:
    """The bytes of every regular file under `root`, by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def canaries() -> list[Path]:
    """Canary files a payload that ran would have created."""
    return sorted(CANARY_DIR.glob(CANARY_PREFIX + "*"))
