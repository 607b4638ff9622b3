"""GitHub Actions output: annotation escaping (GitHub's rules), annotations only under Actions,
the job summary appended and escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from check_helpers import SheetMaker, run_grade

from grader.model import Location
from grader.selfcheck.github import (
    MAX_ANNOTATIONS,
    annotation,
    escape_data,
    escape_property,
)

# GitHub's escaping, written out as a table (the @actions/core rules).
DATA_CASES = [
    ("plain", "plain"),
    ("100%", "100%25"),
    ("a\nb", "a%0Ab"),
    ("a\r\nb", "a%0D%0Ab"),
    ("%0A", "%250A"),
    ("x::y, z: w", "x::y, z: w"),
]
PROPERTY_CASES = [
    ("plain", "plain"),
    ("a,b", "a%2Cb"),
    ("a:b", "a%3Ab"),
    ("a::b", "a%3A%3Ab"),
    ("50%,\n:", "50%25%2C%0A%3A"),
]
COMMAND = re.compile(r"^::(?P<level>error|warning) (?P<props>[^:]*)::(?P<message>.*)$")


def unescape(text: str) -> str:
    """Undo GitHub's escaping (what the runner does when it reads a command)."""
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match is not None, line
    props = dict(item.split("=", 1) for item in match.group("props").split(","))
    return (
        match.group("level"),
        {k: unescape(v) for k, v in props.items()},
        unescape(match.group("message")),
    )


@pytest.mark.parametrize(("raw", "escaped"), DATA_CASES)
def test_escape_data(raw: str, escaped: str) -> None:
    assert escape_data(raw) == escaped


@pytest.mark.parametrize(("raw", "escaped"), PROPERTY_CASES)
def test_escape_property(raw: str, escaped: str) -> None:
    assert escape_property(raw) == escaped


def test_annotation_round_trip() -> None:
    where = Location("dir,1/pen:paper.yaml", "ex1.a", line=7, column=15)
    line = annotation("error", "bad: 50%\nsecond line", where, "ex1.a, ::title")
    assert "\n" not in line
    level, props, message = parse_command(line)
    assert level == "error"
    assert props == {
        "file": "dir,1/pen:paper.yaml",
        "line": "7",
        "col": "15",
        "title": "ex1.a, ::title",
    }
    assert message == "bad: 50%\nsecond line"


def test_annotation_without_position() -> None:
    _, props, _ = parse_command(annotation("warning", "m", Location("a.yaml"), "t"))
    assert set(props) == {"file", "title"}
    # Notebook lines count within a cell: no file line is claimed.
    _, props, _ = parse_command(annotation("error", "m", Location("a.ipynb", "x", 2, 3, 5), "t"))
    assert set(props) == {"file", "title"}


def annotation_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


def test_annotations_only_under_github_actions(
    make_sheet: SheetMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = make_sheet({"ex2.s": "oops", "ex9.q": "1"}, drop=("ex1.dL_dW2",))
    assert annotation_lines(run_grade(["check", str(sheet)]).out) == []
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = run_grade(["check", str(sheet)])
    assert run.code == 1
    parsed = [parse_command(line) for line in annotation_lines(run.out)]
    errors = {
        props["title"]: (props, message) for level, props, message in parsed if level == "error"
    }
    warnings = {props["title"] for level, props, _ in parsed if level == "warning"}
    assert set(errors) == {"ex2.s", "ex1.dL_dW2"}
    assert "ex9.q" in warnings
    assert errors["ex2.s"][0]["file"] == sheet.as_posix()
    assert int(errors["ex2.s"][0]["line"]) > 0
    assert "line" not in errors["ex1.dL_dW2"][0]  # a missing answer has no line
    # The summary is appended, not overwritten.
    run_grade(["check", str(sheet)])
    text = summary.read_text("utf-8")
    assert text.count("## grade check") == 2
    # JSON format keeps standard output one document: the annotations go to standard error.
    run = run_grade(["check", str(sheet), "--format", "json"])
    assert annotation_lines(run.out) == []
    assert len(annotation_lines(run.err)) == len(parsed)


def test_hostile_answers_cannot_inject_commands(
    make_sheet: SheetMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = make_sheet(
        {
            "ex1.dL_dWout": "z2 *\n::error::injected",
            "ex2.loss": "::add-mask::x",
            "ex3.gradient": "p_j + (",
            "x::y,z.q\nr": "1",
        }
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    run = run_grade(["check", str(sheet)])
    commands = annotation_lines(run.out)
    assert commands
    for line in run.out.splitlines():
        if line.lstrip().startswith("::"):
            assert line in commands  # every command-looking line is one of ours
            parse_command(line)  # ... and well-formed: properties cannot be broken out of
    # Each of ours names a real answer or the sheet as its title.
    titles = {parse_command(line)[1]["title"] for line in commands}
    assert {"ex1.dL_dWout", "ex2.loss", "ex3.gradient"} <= titles


def test_annotations_are_capped(make_sheet: SheetMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = make_sheet({f"extra.a{i}": "1" for i in range(MAX_ANNOTATIONS + 10)})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = run_grade(["check", str(sheet)])
    assert len(annotation_lines(run.out)) == MAX_ANNOTATIONS


def test_summary_escapes_markdown(
    make_sheet: SheetMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = make_sheet({"q|<b>x</b>.a": "1"})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_grade(["check", str(sheet)])
    text = summary.read_text("utf-8")
    assert "<b>" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    # Every table row has exactly the four cells of the header: no pipe escaped its cell.
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row


def test_a_path_starting_with_colons_cannot_inject(
    key_text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = key_text.replace('dW_k: "delta_k * z_{k-1}^T"', 'dW_k: "delta_k *"', 1)
    assert broken != key_text
    (tmp_path / "::warning::x.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = run_grade(["check", "::warning::x.yaml"])
    assert run.code == 1
    commands = [line for line in run.out.splitlines() if line.lstrip().startswith("::")]
    assert commands  # the annotation for mini.dW_k
    for line in commands:
        level, props, _ = parse_command(line)
        assert level == "error" and props["file"] == "::warning::x.yaml"
