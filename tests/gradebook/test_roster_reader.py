"""read_roster: student_id and name required, every other column kept, duplicates reported."""

from __future__ import annotations

import pickle
from pathlib import Path

from grader.gradebook import Roster, read_roster
from grader.model import Reason, Severity

CANVAS = (
    "student_id,name,ID,SIS User ID,SIS Login ID,Section,Email\n"
    's1,"Lovelace, Ada",4411,S1,ada,MATH 221 A,ada@uni.edu\n'
    "s2,Bob,4412,S2,bob,MATH 221 B,\n"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_keep_every_extra_column(tmp_path: Path) -> None:
    roster, messages = read_roster(_write(tmp_path, CANVAS))
    assert messages == []
    assert [(e.student_id, e.name) for e in roster] == [("s1", "Lovelace, Ada"), ("s2", "Bob")]
    ada = roster.get("s1")
    assert ada is not None
    assert dict(ada.extra) == {
        "ID": "4411", "SIS User ID": "S1", "SIS Login ID": "ada", "Section": "MATH 221 A",
        "Email": "ada@uni.edu",
    }  # fmt: skip
    assert ada.location.line == 2
    assert "s2" in roster and "s3" not in roster and roster.get("s3") is None
    assert roster.ids() == frozenset({"s1", "s2"}) and len(roster) == 2


def test_duplicates_are_reported_and_the_first_kept(tmp_path: Path) -> None:
    roster, messages = read_roster(_write(tmp_path, "student_id,name\ns1,A\ns2,B\ns1,C\n"))
    assert [(e.student_id, e.name) for e in roster] == [("s1", "A"), ("s2", "B")]
    assert [(m.severity, m.reason, m.location.line) for m in messages] == [
        (Severity.WARNING, Reason.DUPLICATE_ID, 4)
    ]


def test_rows_without_an_id_are_refused(tmp_path: Path) -> None:
    roster, messages = read_roster(_write(tmp_path, "student_id,name\n  ,Ghost\ns1,A\n"))
    assert [e.student_id for e in roster] == ["s1"]
    assert [(m.severity, m.reason, m.location.line) for m in messages] == [
        (Severity.ERROR, Reason.IDENTITY_INVALID, 2)
    ]


def test_missing_name_column_gives_an_empty_roster(tmp_path: Path) -> None:
    roster, messages = read_roster(_write(tmp_path, "student_id,email\ns1,a@b\n"))
    assert len(roster) == 0
    assert [(m.severity, m.reason) for m in messages] == [(Severity.ERROR, Reason.MISSING_COLUMN)]


def test_same_tolerance_as_ta_scores(tmp_path: Path) -> None:
    text = "\ufeffStudent ID;Name;Section\r\n s1 ;Ada;A\r\n\r\n'=s2;'+Bob;B\r\n"
    roster, messages = read_roster(_write(tmp_path, text))
    assert messages == []
    assert [(e.student_id, e.name, dict(e.extra)) for e in roster] == [
        ("s1", "Ada", {"Section": "A"}), ("=s2", "+Bob", {"Section": "B"}),
    ]  # fmt: skip


def test_short_rows_and_repeated_columns(tmp_path: Path) -> None:
    roster, messages = read_roster(_write(tmp_path, "student_id,name,Email,email\ns1\n"))
    assert [(e.student_id, e.name, dict(e.extra)) for e in roster] == [("s1", "", {"Email": ""})]
    assert [m.severity for m in messages] == [Severity.WARNING]


def test_roster_is_frozen_and_pickles(tmp_path: Path) -> None:
    roster, _ = read_roster(_write(tmp_path, CANVAS))
    copy = pickle.loads(pickle.dumps(roster))
    assert copy == roster and copy.get("s2") == roster.get("s2")
    assert isinstance(copy, Roster)
