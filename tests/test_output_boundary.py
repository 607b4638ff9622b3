"""Every output column, every file: nothing a student or a TA typed reaches a spreadsheet as a
formula -- whatever delimiter the spreadsheet splits on -- or a reader as an invisible control.

One gradebook whose every text field (name, source, answer, feedback, messages, grader,
comment) holds a payload is written as the gradebook's CSVs, the Canvas, Moodle and plain CSV
exports, the feedback Markdown and the class report; each CSV is then split as an English
(","), a German or French (";") and a tab-pasting spreadsheet would split it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest

from grader.export.canvas import CanvasOptions, canvas_csv
from grader.export.lms_ids import Directory
from grader.export.moodle import MoodleOptions, moodle_csv
from grader.export.table import table_csv
from grader.gradebook.publish import Content
from grader.gradebook.writer import gradebook_files
from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Location,
    Message,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Severity,
    Status,
)
from grader.report.writer import report_files

PAYLOAD = "Ada;=cmd|' /C calc'!A0\t+1\u202egpj.exe\u200b\u061c\u2067x,@SUM(A1)"
FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _book() -> Gradebook:
    info = AssignmentInfo(
        id="demo", title="Demo", max_total=10,
        questions=(QuestionInfo("q1", "Q", 10, False, (
            PartInfo("q1.a", "q1", 5, "symbolic"), PartInfo("q1.b", "q1", 5, "text", review=True),
        )),),
    )  # fmt: skip
    parts = (
        PartScore("q1.a", "q1", 5, 5, Outcome.OVERRIDDEN, (PAYLOAD,), answer_text=PAYLOAD,
                  grader=PAYLOAD, comment=PAYLOAD),
        PartScore("q1.b", "q1", 1, 5, Outcome.NEEDS_REVIEW, (PAYLOAD,), needs_review=True,
                  answer_text="-" + PAYLOAD),
    )  # fmt: skip
    messages = (Message(Severity.WARNING, PAYLOAD, Location(PAYLOAD, line=3)),)
    rows = tuple(
        GradedSubmission(sid, "=" + PAYLOAD, f"{PAYLOAD}.yaml", status, {"q1": 6}, 6, 0, 6, 10,
                         parts, messages)  # fmt: skip
        for sid, status in (("s1", Status.NEEDS_REVIEW), ("s2", Status.GRADED))
    )
    return Gradebook(info, rows, messages)


def _bytes(content: Content) -> bytes:
    data = content() if callable(content) else content
    return data if isinstance(data, bytes) else b"".join(data)  # a file written in pieces


def _outputs() -> dict[str, str]:
    book = _book()
    files = [*gradebook_files(book), *report_files(book)]
    texts = {name: _bytes(content).decode("utf-8") for name, content in files
             if name.endswith((".csv", ".md", ".html"))}  # fmt: skip
    texts["exports/canvas.csv"] = canvas_csv(book, Directory(), CanvasOptions("Demo")).decode()
    texts["exports/moodle.csv"] = moodle_csv(book, Directory(), MoodleOptions("Demo")).decode()
    texts["exports/table.csv"] = table_csv(book, Directory()).decode()
    return texts


OUTPUTS = _outputs()
CSVS = sorted(name for name in OUTPUTS if name.endswith(".csv"))


def test_every_csv_and_column_is_covered() -> None:
    assert {"grades.csv", "parts.csv", "review.csv", "exports/canvas.csv"} <= set(CSVS)
    assert "<U+202E>" in OUTPUTS["grades.csv"]  # the payload did reach the files


@pytest.mark.parametrize("name", CSVS)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_no_cell_is_a_formula_whatever_the_delimiter(name: str, delimiter: str) -> None:
    formulas = []
    for row in csv.reader(io.StringIO(OUTPUTS[name], newline=""), delimiter=delimiter):
        for cell in row:
            start = cell.lstrip(" \u00a0")
            if start.startswith(FORMULA) and not NUMBER.fullmatch(cell):
                formulas.append(cell[:40])
    assert formulas == []


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_no_invisible_or_bidi_control_survives(name: str) -> None:
    hidden = {f"U+{ord(c):04X}" for c in OUTPUTS[name] if unicodedata.category(c) == "Cf"}
    assert hidden == set()


@pytest.mark.parametrize("name", CSVS)
def test_rows_keep_their_width(name: str) -> None:
    widths = {len(row) for row in csv.reader(io.StringIO(OUTPUTS[name], newline=""))}
    assert len(widths) == 1
