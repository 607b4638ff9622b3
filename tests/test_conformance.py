"""The STACK conformance runner: the whole table, and the runner's own behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.conformance import ConformanceError, format_report, run_conformance

TABLE = Path(__file__).resolve().parents[2] / "shared/conformance/stack_answertests.tsv"
HEADER = "test\tstudent\tteacher\texpected\tnote\n"


@pytest.mark.skipif(not TABLE.is_file(), reason=f"the STACK table is not at {TABLE}")
def test_whole_stack_table_agrees() -> None:
    report = run_conformance(TABLE)
    assert report.agreed == len(report.rows) == 161, format_report(report)
    assert dict(report.families()) == {
        "AlgEquiv": (88, 88),
        "EqualComAss": (20, 20),
        "NumRelative": (9, 9),
        "NumAbsolute": (4, 4),
        "NumSigFigs": (28, 28),
        "NumDecPlaces": (7, 7),
        "SigFigsStrict": (5, 5),
    }
    assert format_report(report).splitlines()[-1] == "161/161 agree"


@pytest.mark.skipif(not TABLE.is_file(), reason=f"the STACK table is not at {TABLE}")
def test_symbolic_rows_run_on_the_grading_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    """AlgEquiv and EqualComAss rows go through grader.engine.judge, the judge grading uses."""
    import grader.conformance as conformance

    seen: list[object] = []
    real = conformance.judge

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(conformance, "judge", spy)
    report = run_conformance(TABLE)
    symbolic = [r for r in report.rows if r.family in ("AlgEquiv", "EqualComAss")]
    assert len(seen) == len(symbolic) == 108


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "table.tsv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_small_table_per_family(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "AlgEquiv\t(x+1)^2\tx^2+2*x+1\t1\tsquare\n"
        "AlgEquiv\tx\tx+1\t1\tdeliberately wrong expectation\n"
        "NumRelative:0.1\t1.05\t1\t1\t\n"
        "NumSigFigs:[4,-1]\t0.1429\t1/7\t1\t\n"
        "SigFigsStrict:2\t100\t\t0\t\n"
        "EqualComAss\tx+y\ty+x\t1\t\n",
    )
    report = run_conformance(path)
    assert [row.got for row in report.rows] == [1, 0, 1, 1, 0, 1]
    assert report.agreed == 5
    assert dict(report.families()) == {
        "AlgEquiv": (1, 2),
        "NumRelative": (1, 1),
        "NumSigFigs": (1, 1),
        "SigFigsStrict": (1, 1),
        "EqualComAss": (1, 1),
    }
    text = format_report(report)
    assert "line 3" in text  # the disagreeing row is listed with its line
    assert text.splitlines()[-1] == "5/6 agree"


def test_bad_rows_are_disagreements_not_crashes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "AlgEquiv\t(x+\tx\t0\tdoes not parse\n"
        "Nonsense\t1\t1\t1\tunknown family\n"
        "NumSigFigs:abc\t1.0\t1\t1\tbad option\n"
        "AlgEquiv:assume(a>1)\ta\ta\t1\tunsupported assumption\n"
        "NumRelative\tx\t1\t0\tnot a number\n",
    )
    report = run_conformance(path)
    assert len(report.rows) == 5
    assert all(row.got is None and row.message for row in report.rows)
    assert report.agreed == 0


@pytest.mark.parametrize(
    "content",
    ["", "a\tb\tc\n", HEADER + "AlgEquiv\tx\tx\tyes\t\n"],
)
def test_unreadable_tables(tmp_path: Path, content: str) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConformanceError):
        run_conformance(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConformanceError):
        run_conformance(tmp_path / "absent.tsv")
