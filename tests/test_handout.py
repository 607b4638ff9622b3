"""`grade handout`, `grade key --student`, `grade template --student`: each student's own
sheet, key and template, checked placeholders, nothing written for a bad sheet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from grader.checkers.registry import REGISTRY
from grader.cli import main
from grader.handout import Sheet, Student, check_sheet, render_sheet
from grader.loaders import load_submission
from grader.rubric.draw import Variant, load_drawer
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[1]
EDITION = "practical-1-variants"
SECRET = "handout tests: a course secret"
DATA = {"W": (("0.60", "0.70"), ("0.01", "0.43")), "w": ("0.02", "0.03"), "lr": "0.5"}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_VARIANT_SECRET", SECRET)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue(), err.getvalue()


def _roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(
        'student_id,name\ns1000101,Ada Lovelace\ns1000102,"Rosalind & Co_ $1"\n../x,Eve\n',
        encoding="utf-8",
    )
    return path


def test_placeholders_are_checked_with_their_positions() -> None:
    text = "ok {{ W | bmatrix }} {{ w | row }}\n{{ Q }} {{ W | cubic }} {{ W[5][0] }}\n{{ lr | list }} {{ W }} {{oops"
    problems = check_sheet(Sheet("markdown", Path("s.md"), text), DATA)
    where = sorted(p.split(": ")[0] for p in problems)
    assert where == ["s.md:2:1", "s.md:2:25", "s.md:2:9", "s.md:3:17", "s.md:3:25"]
    assert any("unknown name 'Q'" in p for p in problems)
    assert any("choose | list" in p for p in problems)  # W without a filter


def test_a_sheet_gets_the_variant_numbers_and_the_escaped_identity() -> None:
    text = "{{ student.name }}: $W = {{ W | bmatrix }}$, $w = {{ w | list }}$, {{ W[1][0] }}, {{ lr }}"
    variant = Variant("v12345678", DATA, "s1")
    student = Student("s1", "A & B_ $x")
    md = render_sheet(Sheet("markdown", Path("s.md"), text), variant, student)
    assert r"\begin{bmatrix} 0.60 & 0.70 \\ 0.01 & 0.43 \end{bmatrix}" in md
    assert "$w = [0.02, 0.03]$, 0.01, 0.5" in md and "\\$x" in md
    tex = render_sheet(Sheet("latex", Path("s.tex"), text), variant, student)
    assert tex.startswith(r"A \& B\_ \$x: ")
    column = render_sheet(Sheet("latex", Path("s.tex"), "{{ w | bmatrix }}"), variant, student)
    assert column == r"\begin{bmatrix} 0.02 \\ 0.03 \end{bmatrix}"


def test_handouts_hold_each_students_numbers_and_filled_in_templates(tmp_path: Path) -> None:
    out = tmp_path / "handouts"
    code, text, err = _run("handout", EDITION, "--roster", str(_roster(tmp_path)), "--out", str(out))
    assert code == 0, err
    assert "../x" in err and "skipped" in err  # an id that cannot name a row gets no handout
    assert sorted(p.name for p in out.iterdir()) == ["index.csv", "s1000101", "s1000102"]
    for student in ("s1000101", "s1000102"):
        names = sorted(p.name for p in (out / student).iterdir())
        assert {"sheet.md", "sheet.tex", "answers.yaml", "answers.ipynb", "answers.tex",
                "grader.sty"} <= set(names)  # fmt: skip
        for template in ("answers.yaml", "answers.ipynb", "answers.tex"):
            sheet = load_submission(out / student / template, out)
            assert sheet.student_id == student and sheet.assignment == EDITION
    first = (out / "s1000101" / "sheet.md").read_text(encoding="utf-8")
    second = (out / "s1000102" / "sheet.md").read_text(encoding="utf-8")
    assert "{{" not in first and first != second
    drawn = load_drawer(load_rubric(ROOT / "rubrics" / f"{EDITION}.yaml", REGISTRY), SECRET.encode())
    W = drawn.variant("s1000101").data["W"]
    assert " \\\\ ".join(" & ".join(row) for row in W) in first  # the student's own weights
    assert "Rosalind \\& Co\\_ \\$1" in (out / "s1000102" / "sheet.tex").read_text()
    index = (out / "index.csv").read_text(encoding="utf-8").splitlines()
    assert index[0] == "student_id,name,variant,folder" and len(index) == 3


def test_handouts_are_byte_identical_when_written_again(tmp_path: Path) -> None:
    roster = _roster(tmp_path)
    for folder in ("a", "b"):
        assert _run("handout", EDITION, "--roster", str(roster), "--out", str(tmp_path / folder))[0] == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all(
        (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files
    )


def test_a_rubric_without_a_sheet_writes_nothing(tmp_path: Path) -> None:
    code, _, err = _run("handout", "practical-1", "--roster", str(_roster(tmp_path)),
                        "--out", str(tmp_path / "h"))  # fmt: skip
    assert code == 2 and "sheet" in err and not (tmp_path / "h").exists()


def test_the_key_of_a_student_is_their_own_and_says_so() -> None:
    one = _run("key", EDITION, "--student", "s1000101", "--convention", "batch-mean")[1]
    two = _run("key", EDITION, "--student", "s1000102", "--convention", "batch-mean")[1]
    default = _run("key", "practical-1", "--convention", "batch-mean")[1]
    sheets = [yaml.safe_load(t) for t in (one, two, default)]
    assert sheets[0]["student"]["id"] == "s1000101" and "s1000101" in one.splitlines()[2]
    ex2 = [s["answers"]["ex2"]["W_new"] for s in sheets]
    assert ex2[0] != ex2[1] and ex2[0] != ex2[2]
    assert sheets[0]["answers"]["ex1"] == sheets[2]["answers"]["ex1"]  # ex1 has no numbers


def test_without_the_secret_there_is_no_key_of_a_student(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADER_VARIANT_SECRET")
    monkeypatch.setenv("HOME", "/nonexistent")
    code, _, err = _run("key", EDITION, "--student", "s1000101")
    assert code == 2 and "GRADER_VARIANT_SECRET" in err


def test_a_template_for_a_student_has_their_identity() -> None:
    code, text, _ = _run("template", EDITION, "--student", "s1000101", "--name", "Ada Lovelace")
    sheet = yaml.safe_load(text)
    assert code == 0 and sheet["student"] == {"id": "s1000101", "name": "Ada Lovelace"}
    assert _run("template", EDITION, "--student", "a/b")[0] == 2
