"""The report's files on hand-made and real gradebooks, published with the gradebook, and
through the grade command."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from report_builders import book, part, row

from grader.cli import main
from grader.gradebook import write_gradebook
from grader.gradebook.publish import GradebookFolder, publish_folder
from grader.model import Outcome, Status
from grader.pipeline import BatchOptions, grade_folder
from grader.report import (
    REPORT_HTML,
    REPORT_MD,
    REPORT_PNG,
    GroupKind,
    build_report,
    report_files,
    write_outputs,
)

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = (ROOT / "rubrics",)


def _small_book():
    return book(
        row("a", [part("q1.num", Outcome.INCORRECT, answer="0.7")]),
        row("b", [part("q1.num", Outcome.CORRECT, 3, answer="0.5")], status=Status.NEEDS_REVIEW),
        row("c", status=Status.UNREADABLE),
    )


def write_report(book, out: Path) -> list[Path]:
    return list(publish_folder(out, report_files(book)).files)


def test_writes_three_files_into_the_folder_itself(tmp_path: Path) -> None:
    out = tmp_path / "new" / "gradebook"
    written = write_report(_small_book(), out)
    names = [path.name for path in written]
    assert sorted(names) == sorted([REPORT_MD, REPORT_HTML, REPORT_PNG])
    assert all(path.parent == out.resolve() and path.is_file() for path in written)
    assert not (out / "feedback").exists()
    md = (out / REPORT_MD).read_text(encoding="utf-8")
    assert f"]({REPORT_PNG})" in md
    assert f'src="{REPORT_PNG}"' in (out / REPORT_HTML).read_text(encoding="utf-8")


def test_rewriting_gives_identical_bytes_and_leaves_no_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    write_report(_small_book(), out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    write_report(_small_book(), out)
    second = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first == second
    assert sorted(first) == sorted([REPORT_MD, REPORT_HTML, REPORT_PNG, ".gradebook-manifest.json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gradebook"]


def _children() -> set[int]:
    """This process's child processes (Linux; empty elsewhere)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").glob("*/children"):
        found |= {int(pid) for pid in task.read_text().split()}
    return found


def test_a_png_drawn_aside_is_the_png_drawn_here_and_the_process_ends(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from grader.report.writer import Aside

    here = dict(report_files(_small_book()))
    before = _children()
    with Aside() as aside:
        files = report_files(_small_book(), aside=aside)
        assert [name for name, _ in files] == [REPORT_PNG, REPORT_MD, REPORT_HTML]
        drawn = {name: content() if callable(content) else content for name, content in files}
    assert drawn == here
    with Aside() as aside:  # a PNG never waited for (the run stopped): its process is ended
        report_files(_small_book(), aside=aside)
    with Aside():  # no PNG to draw: its process is ended too
        pass
    assert _children() == before
    out = tmp_path / "gradebook"
    with Aside() as aside, GradebookFolder(out).locked() as folder:
        write_outputs(_small_book(), folder, aside=aside)
    assert (out / REPORT_PNG).read_bytes() == here[REPORT_PNG]
    assert _children() == before


def test_a_drawing_process_told_to_warm_up_draws_the_same_png_and_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    import os

    from grader.report import writer

    here = dict(report_files(_small_book()))[REPORT_PNG]
    real, mark = writer.import_plotting, tmp_path / "warmed"

    def noted() -> None:  # runs in the drawing process: it leaves a trace on disk
        with mark.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        real()

    monkeypatch.setattr(writer, "import_plotting", noted)
    before = _children()
    with writer.Aside() as aside:
        aside.warm()
        png = dict(report_files(_small_book(), aside=aside))[REPORT_PNG]
        assert callable(png) and png() == here  # drawn there, after the warm-up line
    with writer.Aside() as aside:  # warmed up for a PNG never asked: its process ends too
        aside.warm()
    assert _children() == before
    warmed = mark.read_text(encoding="utf-8").split() if mark.exists() else []
    assert str(os.getpid()) not in warmed and len(warmed) >= 1  # warmed there, not here
    with writer.Aside() as aside:  # not told: nothing imported ahead
        png = dict(report_files(_small_book(), aside=aside))[REPORT_PNG]
        assert callable(png) and png() == here
    assert mark.read_text(encoding="utf-8").split() == warmed


def test_a_png_is_expected_on_a_rerun_after_staff_inputs_changed(tmp_path: Path) -> None:
    import os

    from grader.report.writer import PLOT_CACHE, drawing_likely

    out, scores = tmp_path / "gradebook", tmp_path / "scores.csv"
    scores.write_text("student_id,part,points\n", encoding="utf-8")
    assert not drawing_likely(out, [scores], cache=True)  # no gradebook yet: a first run
    (out / "cache").mkdir(parents=True)
    (out / REPORT_PNG).write_bytes(b"png")
    assert not drawing_likely(out, [scores], cache=True)  # a PNG without its plot cache
    (out / PLOT_CACHE).write_bytes(b"{}")
    published = out.stat().st_mtime_ns
    os.utime(scores, ns=(published - 10**9, published - 10**9))
    assert not drawing_likely(out, [scores, tmp_path / "no roster"], cache=True)
    os.utime(scores, ns=(published + 10**9, published + 10**9))
    assert drawing_likely(out, [scores, tmp_path / "no roster"], cache=True)  # saved since
    assert not drawing_likely(out, [scores], cache=False)  # without the cache: drawn late


def test_a_drawing_process_that_hangs_is_killed_and_the_png_drawn_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("matplotlib")
    import os
    import time

    from grader.report import writer

    here = dict(report_files(_small_book()))[REPORT_PNG]
    parent, real = os.getpid(), writer.render_histogram

    def hanging(*args: object) -> bytes:
        if os.getpid() != parent:  # in the drawing process
            time.sleep(60)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "render_histogram", hanging)
    monkeypatch.setattr(writer, "DRAW_SECONDS", 0.5)
    before = _children()
    with writer.Aside() as aside:
        png = dict(report_files(_small_book(), aside=aside))[REPORT_PNG]
        assert callable(png) and png() == here
        assert _children() == before  # killed and reaped at once


def test_the_report_and_the_gradebook_are_published_as_one_set(tmp_path: Path) -> None:
    gradebook = _small_book()
    out = tmp_path / "gradebook"
    folder = GradebookFolder(out)
    with folder.locked():
        published = write_outputs(gradebook, folder, extra=[("grade.log", b"a log\n")])
    names = {p.relative_to(out.resolve()).as_posix() for p in published.files}
    assert {"grades.csv", "results.json", REPORT_MD, REPORT_HTML, "grade.log"} <= names
    assert any(name.startswith("feedback/") for name in names)
    assert all((out / name).is_file() for name in names)
    write_gradebook(gradebook, out)  # the gradebook alone: the report of the old set goes
    assert not (out / REPORT_MD).exists() and not (out / "grade.log").exists()
    assert (out / "grades.csv").is_file()


@pytest.fixture(scope="module")
def samples():
    return grade_folder(
        BatchOptions(folder=ROOT / "submissions", rubric_dirs=RUBRICS, workers=0)
    ).gradebook


def test_the_sample_submissions_report_agrees_with_the_gradebook(samples) -> None:
    report = build_report(samples)
    expected = {s: sum(1 for r in samples.rows if r.status is s) for s in Status}
    assert dict(report.statuses) == expected
    read = [r for r in samples.rows if r.status in (Status.GRADED, Status.NEEDS_REVIEW)]
    assert report.totals.count == len(read)
    assert report.totals.maximum == max(r.total for r in read)
    assert sum(b.count for b in report.bins) == len(read)
    for summary in report.parts:
        outcomes = Counter(
            p.outcome for r in read for p in r.parts if p.answer_id == summary.answer_id
        )
        assert {o: n for o, n in summary.outcomes if n} == dict(outcomes)


def test_the_sample_mistakes_are_grouped_by_name(samples) -> None:
    # pen_paper_turing.yaml drops f2'(s2) in dL_dW2 and flips the sign of dL_dWout
    parts = {p.answer_id: p for p in build_report(samples).parts}
    (group,) = parts["ex1.dL_dW2"].wrong.top
    assert (group.key.kind, group.key.label, group.count) == (
        GroupKind.MISTAKE, "missing_derivative", 1
    )  # fmt: skip
    assert "f2'(s2)" in group.key.note
    assert parts["ex1.dL_dWout"].wrong.top[0].key.label == "sign"


def test_the_sample_conventions_match_the_rows(samples) -> None:
    (summary,) = build_report(samples).conventions
    expected = Counter(r.detail["ex2"]["convention"] for r in samples.rows if "ex2" in r.detail)
    assert {u.convention: u.students for u in summary.uses} == dict(expected)
    named = sum(1 for r in samples.rows if r.detail.get("ex2", {}).get("named") is True)
    assert sum(u.named for u in summary.uses) == named


def _sheet(student: str, answers: str) -> str:
    return (
        f'student:\n  id: "{student}"\n  name: "Student {student}"\n'
        f"assignment: practical-1\nanswers:\n{answers}"
    )


def test_spellings_of_one_wrong_answer_group_through_the_real_checkers(tmp_path: Path) -> None:
    spellings = ["W_k^T delta_k", "W_k^{T}\\\\,\\\\delta_k", "W_k^T * delta_k"]
    for i, spelling in enumerate(spellings):
        answers = f'  mini:\n    dW_k: "{spelling}"\n'
        answers += '  ex1:\n    dL_dW2: "(y_out - y_gt) * f3\'(s_out) * W_out * z1"\n'
        (tmp_path / f"sheet_{i}.yaml").write_text(_sheet(f"s{i}", answers), encoding="utf-8")
    (tmp_path / "sheet_x.yaml").write_text(
        _sheet("sx", '  ex1:\n    dL_dW2: "z1 W_out f3\'(s_out) (y_out - y_gt)"\n'),
        encoding="utf-8",
    )
    gradebook = grade_folder(
        BatchOptions(folder=tmp_path, rubric_dirs=RUBRICS, workers=0)
    ).gradebook
    parts = {p.answer_id: p for p in build_report(gradebook).parts}
    mini = parts["mini.dW_k"].wrong
    assert (mini.total, mini.group_count, mini.top[0].count) == (3, 1, 3)
    assert mini.top[0].key.kind is GroupKind.EXPRESSION
    dw2 = parts["ex1.dL_dW2"].wrong
    assert (dw2.total, dw2.group_count, dw2.top[0].count) == (4, 1, 4)
    assert dw2.top[0].key.kind is GroupKind.MISTAKE


def test_the_grade_command_writes_the_report(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    status = main(["submissions", "--out", str(tmp_path), "--quiet", "--jobs", "0"], out, err)
    assert status == 0, err.getvalue()
    for name in (REPORT_MD, REPORT_HTML, REPORT_PNG, "grades.csv"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / REPORT_PNG).read_bytes().startswith(b"\x89PNG")


def test_without_the_plots_extra_the_reports_keep_the_table_and_name_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grader.report.writer as writer

    monkeypatch.setattr(writer, "plots_available", lambda: False)
    out = tmp_path / "gradebook"
    written = write_report(_small_book(), out)
    assert sorted(p.name for p in written) == sorted([REPORT_MD, REPORT_HTML])
    assert not (out / REPORT_PNG).exists()
    for name in (REPORT_MD, REPORT_HTML):
        text = (out / name).read_text(encoding="utf-8")
        assert REPORT_PNG not in text and "plots" in text and "students" in text


def test_a_png_is_certain_on_a_first_run_or_without_the_cache(tmp_path: Path) -> None:
    from grader.report.writer import PLOT_CACHE, drawing_certain

    out = tmp_path / "gradebook"
    assert drawing_certain(out, cache=True)  # a first run
    (out / "cache").mkdir(parents=True)
    (out / REPORT_PNG).write_bytes(b"png")
    assert drawing_certain(out, cache=True)  # a PNG without its plot cache: drawn anew
    (out / PLOT_CACHE).write_bytes(b"{}")
    assert not drawing_certain(out, cache=True)  # the previous PNG may be taken again
    assert drawing_certain(out, cache=False)  # without the cache it never is


def test_a_cold_run_of_a_small_class_warms_the_drawing_process_after_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    import os

    from grader.report import writer

    real, mark = writer.import_plotting, tmp_path / "warmed"

    def noted() -> None:  # runs in the drawing process: it leaves a trace on disk
        with mark.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        real()

    def grade(out: Path, *extra: str) -> dict[str, bytes]:
        sink = io.StringIO()
        argv = [str(ROOT / "submissions"), "--out", str(out), "--rubric",
                str(ROOT / "rubrics" / "practical-1.yaml"), "--quiet", *extra]  # fmt: skip
        assert main(argv, sink, sink) in (0, 1), sink.getvalue()
        return {p.relative_to(out).as_posix(): p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}  # fmt: skip

    def warmed() -> list[str]:
        return mark.read_text(encoding="utf-8").split() if mark.exists() else []

    monkeypatch.setattr(writer, "import_plotting", noted)
    inline = grade(tmp_path / "inline", "--jobs", "0")
    assert warmed() == []  # --jobs 0: drawn in grade's process, nothing warmed ahead
    assert grade(tmp_path / "small", "--jobs", "2") == inline
    assert len(warmed()) == 1 and str(os.getpid()) not in warmed()  # there, not here
    assert grade(tmp_path / "small", "--jobs", "2") == inline  # the previous PNG is taken
    assert len(warmed()) == 1  # ... so nothing is imported for it
    monkeypatch.setattr(writer, "WARM_SHEETS", 1)  # a class too large to warm up early
    assert grade(tmp_path / "large", "--jobs", "2") == inline
    assert len(warmed()) == 1
