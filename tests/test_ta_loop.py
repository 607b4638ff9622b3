"""The README's TA loop, run as written: grade, fill in review.csv, hand it back, three rounds.

The commands come from the README's walkthrough block, so the README cannot drift from what
works. Between runs the test plays the TA: it edits review.csv the way a spreadsheet saves it
(rows re-quoted, CRLF) and changes earlier scores. After every round every score the TA typed
last counts, nothing of the TA's is lost, the handed-back file is byte-identical, scores.csv
only grows by appending, and re-running the same command changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.gradebook import format_points

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _walkthrough() -> list[list[str]]:
    """The `grade` commands of the README's TA-loop block, as argument lists."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The TA loop") :]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the TA loop section has no bash block"
    commands = []
    for line in block.group(1).splitlines():
        command = line.split("#", 1)[0].strip()
        if command.startswith("grade "):
            commands.append(shlex.split(command)[1:])
    return commands


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, out, err)
    return status, out.getvalue(), err.getvalue()


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _edit_review(
    path: Path, shares: dict[tuple[str, str], float], round_: int
) -> dict[tuple[str, str], str]:
    """Fill in (or change) points -- a share of each part's maximum -- the way a TA does, saving
    as a spreadsheet would (CRLF); return the points typed."""
    rows = _table(path)
    typed = {}
    for row in rows:
        keys = [(student, row["part"]) for student in row["student_id"].split()]
        share = next((shares[key] for key in keys if key in shares), None)
        if share is not None:
            points = format_points(share * float(row["max_points"]))
            row["points"], row["grader"] = points, "tb"
            row["comment"] = f"round {round_}"
            typed.update(dict.fromkeys(keys, points))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return typed


def _overridden(gradebook: Path) -> dict[tuple[str, str], str]:
    return {
        (row["student_id"], row["part"]): row["points"]
        for row in _table(gradebook / "parts.csv")
        if row["outcome"] == "overridden"
    }


def test_the_readme_ta_loop_three_times_keeps_every_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, hand_back = _walkthrough()
    assert first == ["submissions/"] and hand_back == [
        "submissions/", "--scores", "gradebook/review.csv",
    ]  # fmt: skip
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    monkeypatch.chdir(tmp_path)
    gradebook = tmp_path / "gradebook"

    status, _, _ = _run(first)
    assert status == 0
    queue = [(s, r["part"]) for r in _table(gradebook / "review.csv") for s in r["student_id"].split()]
    assert len(queue) >= 6
    assert (gradebook / "scores.csv").read_text(encoding="utf-8").startswith("student_id,part,")

    typed: dict[tuple[str, str], str] = {}
    rounds = [
        {key: 1.0 for key in queue[:3]},  # a first few
        {**{key: 0.5 for key in queue[3:]}, queue[0]: 0.25},  # the rest, and a change
        {queue[1]: 0.75, queue[-1]: 0.0},  # second thoughts
    ]
    for number, edits in enumerate(rounds, 1):
        typed.update(_edit_review(gradebook / "review.csv", edits, number))
        handed = (gradebook / "review.csv").read_bytes()
        ta_before = (gradebook / "scores.csv").read_bytes()
        status, out, err = _run(hand_back)
        assert status == 0, err
        assert (gradebook / "review.csv").read_bytes() == handed  # the input is never overwritten
        ta_after = (gradebook / "scores.csv").read_bytes()
        assert ta_after.startswith(ta_before)  # only ever appended to
        assert _overridden(gradebook) == typed
        again = {p.name: p.read_bytes() for p in gradebook.rglob("*") if p.is_file()}
        assert _run(hand_back)[0] == 0  # the same command again: the same gradebook
        assert {p.name: p.read_bytes() for p in gradebook.rglob("*") if p.is_file()} == again

    statuses = {row["student_id"]: row["status"] for row in _table(gradebook / "grades.csv")}
    assert set(statuses.values()) == {"graded", "unreadable"}
    assert "0 need review" in out

    # A run without --scores keeps every score (they live in scores.csv) and a fresh, empty queue.
    status, out, _ = _run(first)
    assert status == 0 and "0 need review" in out
    assert _overridden(gradebook) == typed
    assert _table(gradebook / "review.csv") == []
