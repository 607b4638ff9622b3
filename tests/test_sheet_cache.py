"""The sheet cache: an unchanged sheet is neither read nor scored again, a re-run writes the
files of a run without the cache (TA scores changed in between included), a changed sheet or
rubric is scored anew, and a corrupt or foreign cache is ignored with a warning."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from grader import pipeline
from grader import sheet_cache as sc
from grader.checkers.prepare import PreparedRubric
from grader.checkers.registry import REGISTRY
from grader.cli import main
from grader.gradebook import rendered
from grader.judgement_cache import solver_digest
from grader.model import (
    FrozenDict,
    GradedSubmission,
    Location,
    Message,
    Outcome,
    PartScore,
    RawAnswer,
    Severity,
    Status,
    Submission,
)
from grader.pipeline import BatchOptions, grade_folder
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric
from grader.rubric.solvers import solver_folder

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"
ALWAYS_READ = ["pen_paper_fourier.pdf", "pen_paper_riemann.tex"]


@pytest.fixture()
def sheets(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for sheet in (ROOT / "submissions").iterdir():
        shutil.copy(sheet, folder)
    return folder


def _grade(sheets: Path, out: Path, *extra: str | Path, rubric: Path = RUBRIC) -> dict[str, bytes]:
    sink = io.StringIO()
    argv = [str(sheets), "--out", str(out), "--rubric", str(rubric), "--jobs", "0", "--quiet"]
    assert main([*argv, *map(str, extra)], sink, sink) in (0, 1), sink.getvalue()
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix != ".png" and not p.name.startswith(".")
    }


def _gradebook(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith("cache/")}


class _Counted:
    """Counts the sheets the loaders read and the sheets scored (patched into the pipeline)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.scored: list[str] = []
        real_load = pipeline.load_submission
        real_score = pipeline._score_one

        def load(path: Path, root: Path, known: object = None) -> Submission:
            def counted(fmt: str, source: str, data: bytes) -> Submission | None:
                hit = known(fmt, source, data) if callable(known) else None
                if hit is None:
                    self.read.append(source)
                return hit

            return real_load(path, root, counted)

        def score(*args: object) -> GradedSubmission:
            row = real_score(*args)  # type: ignore[arg-type]
            self.scored.append(row.source)
            return row

        monkeypatch.setattr(pipeline, "load_submission", load)
        monkeypatch.setattr(pipeline, "_score_one", score)


def _ta_scores(gradebook: Path, target: Path) -> None:
    with open(gradebook / "review.csv", newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if " " not in r["student_id"]][:3]
    assert rows
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "part", "points", "grader", "comment"])
        for row in rows:
            writer.writerow([row["student_id"], row["part"], row["max_points"], "ta", "ok"])


class _Rendered:
    """Counts the rows whose gradebook pieces are rendered (patched into the writer)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.feedback: list[str] = []
        self.results: list[str] = []
        real_feedback, real_text = rendered.render_feedback, rendered.row_text

        def feedback(row: GradedSubmission, *args: object, **kwargs: bool) -> str:
            self.feedback.append(row.source)
            return real_feedback(row, *args, **kwargs)  # type: ignore[arg-type]

        def text(row: GradedSubmission, *args: object, **kwargs: bool) -> str:
            self.results.append(row.source)
            return real_text(row, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(rendered, "render_feedback", feedback)
        monkeypatch.setattr(rendered, "row_text", text)


def test_a_rerun_reads_and_scores_no_unchanged_sheet_and_writes_the_files_of_a_cold_run(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _grade(sheets, tmp_path / "gb")
    assert sc.CACHE_FILE in cold
    scores = tmp_path / "scores.csv"
    _ta_scores(tmp_path / "gb", scores)
    changed = {r["student_id"] for r in csv.DictReader(io.StringIO(scores.read_text()))}
    counted = _Counted(monkeypatch)
    drawn = _Rendered(monkeypatch)
    warm = _grade(sheets, tmp_path / "gb", "--scores", scores)
    # every sheet came from the cache but LaTeX and PDF ones (read from more than one file)
    assert sorted(counted.read) == sorted(counted.scored) == ALWAYS_READ
    # ... and only the rows a TA score changed were rendered again (and the fresh LaTeX and
    # PDF rows, unless they are the very rows of the cold run: then they are copied too)
    sources = {row["source"] for row in json.loads(warm["results.json"])["rows"]
               if row["student_id"] in changed}  # fmt: skip
    assert sources <= set(drawn.feedback) <= sources | set(ALWAYS_READ)
    assert sorted(drawn.feedback) == sorted(drawn.results)
    fresh = _grade(sheets, tmp_path / "fresh", "--scores", scores, "--no-cache")
    assert counted.read and counted.scored  # without the cache every sheet is read again
    assert not any(name.startswith("cache/") for name in fresh)
    assert _gradebook(warm) == fresh  # TA scores applied to cached rows as to fresh ones
    assert _gradebook(warm) != _gradebook(cold)  # ... and they did change the gradebook
    again = _grade(sheets, tmp_path / "gb", "--scores", scores)
    assert again == warm  # the caches of a re-run are those of the run before


def test_a_first_run_opens_each_sheet_once_and_a_rerun_looks_it_up_first(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_load = pipeline.load_submission

    def load(path: Path, root: Path, known: object = None) -> Submission:
        opened.append(path.name)
        return real_load(path, root, known)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_submission", load)
    _grade(sheets, tmp_path / "gb")  # a fresh --out: no sheet to look up beforehand
    names = sorted(p.name for p in sheets.iterdir())
    assert sorted(opened) == names
    opened.clear()
    _grade(sheets, tmp_path / "gb")  # each looked up in the cache, those it cannot hold read
    assert sorted(opened) == sorted([*names, *ALWAYS_READ])


def test_a_changed_sheet_is_read_and_scored_again(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _grade(sheets, tmp_path / "gb")
    sheet = sheets / "pen_paper_curie.yaml"
    assert sheet.is_file()
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    counted = _Counted(monkeypatch)
    warm = _grade(sheets, tmp_path / "gb")
    assert sorted(counted.read) == sorted(counted.scored) == sorted(["pen_paper_curie.yaml",
                                                                      *ALWAYS_READ])
    assert _gradebook(warm) == _grade(sheets, tmp_path / "fresh", "--no-cache")


def test_a_changed_rubric_scores_every_sheet_again(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _grade(sheets, tmp_path / "gb")
    edited = tmp_path / "practical-1.yaml"
    text = RUBRIC.read_text(encoding="utf-8")
    edited.write_text(text.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    counted = _Counted(monkeypatch)
    _grade(sheets, tmp_path / "gb", rubric=edited)
    assert sorted(counted.read) == ALWAYS_READ  # reading a sheet does not depend on the rubric
    assert sorted(counted.scored) == sorted(p.name for p in sheets.iterdir())


@pytest.mark.parametrize(
    "content",
    [b"\x00\xffnot json", b'{"format": "something-else"}',
     b'{"format": "grader-sheet-cache", "version": 99, "loads": {}, "rows": {}}',
     b'{"format": "grader-sheet-cache", "version": 4, "loads": [], "rows": {}, "rendered": {}}',
     b'{"format": "grader-sheet-cache", "version": 4, "loads": {}, "rows": {}, "rendered": []}'],
    ids=["garbage", "foreign", "other-version", "bad-entries", "bad-rendered"],
)  # fmt: skip
def test_a_corrupt_or_foreign_cache_is_ignored_with_a_warning(
    sheets: Path, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "sheets.json"
    path.write_bytes(content)
    options = BatchOptions(folder=sheets, rubric=RUBRIC, workers=0, sheet_cache=path)
    batch = grade_folder(options)
    warnings = [m for m in batch.staff if "sheet cache" in m.text]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    clean = grade_folder(dataclasses.replace(options, sheet_cache=None))
    assert batch.gradebook.rows == clean.gradebook.rows


def test_entries_that_do_not_decode_are_scored_anew(sheets: Path, tmp_path: Path) -> None:
    path = tmp_path / "sheets.json"
    options = BatchOptions(folder=sheets, rubric=RUBRIC, workers=0, sheet_cache=path)
    first = grade_folder(options)
    assert first.sheet_cache is not None
    written = first.sheet_cache.content()
    document = json.loads(written)
    bomb = base64.b64encode(zlib.compress(b" " * (sc.MAX_ENTRY_BYTES + 1))).decode()
    foreign = sc.storable(Submission("x.yaml", "x", "X", None))  # an entry of another kind
    assert foreign is not None
    spoilt = ["not base64!", base64.b64encode(b"not deflated").decode(), bomb, foreign]
    for index, key in enumerate(sorted(document["loads"])):
        document["loads"][key] = spoilt[index % len(spoilt)]
    for index, key in enumerate(sorted(document["rows"])):
        document["rows"][key]["row"] = spoilt[index % len(spoilt)]
    path.write_text(json.dumps(document), encoding="utf-8")
    again = grade_folder(options)
    assert again.gradebook.rows == first.gradebook.rows
    assert again.sheet_cache is not None
    assert again.sheet_cache.content() == written  # everything was read and kept anew


def test_rendered_rows_that_are_not_ours_are_rendered_anew(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "gb"
    _grade(sheets, out)
    cold = _grade(sheets, out)  # (a judgement read back may differ in type from a fresh one)
    path = out / sc.CACHE_FILE
    document = json.loads(path.read_bytes())
    assert len(document["rendered"]) == len(json.loads(cold["results.json"])["rows"])
    bomb = base64.b64encode(zlib.compress(b" " * (rendered.MAX_PIECE_BYTES + 1))).decode()
    spoilt: list[object] = ["not a list", ["too", "short"], [bomb] * 4, ["not base64!"] * 4,
                            [base64.b64encode(b"not deflated").decode()] * 4, [1, 2, 3, 4]]  # fmt: skip
    keys = sorted(document["rendered"])
    for index, key in enumerate(keys):
        entry = document["rendered"][key]
        if index % 2:  # one piece spoilt only: the row is rendered anew for it
            document["rendered"][key] = [*entry[:index % 4], "!", *entry[index % 4 + 1:]]
        else:
            document["rendered"][key] = spoilt[index // 2 % len(spoilt)]
    path.write_text(json.dumps(document), encoding="utf-8")
    drawn = _Rendered(monkeypatch)
    warm = _grade(sheets, out)
    assert warm == cold  # the same files, the cache rewritten whole
    assert len(drawn.feedback) == len(keys)


def test_rendered_pieces_are_named_by_the_whole_row() -> None:
    part = PartScore("ex1.x", "ex1", 1.0, 2.0, Outcome.PARTIAL, ("half",))
    row = GradedSubmission("s1", "S", "a.yaml", Status.GRADED, FrozenDict({"ex1": 1.0}),
                           1.0, 0.0, 1.0, 2.0, (part,))  # fmt: skip
    cache = sc.SheetCache({}, {}, code="c")
    key = cache.render_key(row, "context")
    assert key is not None and key == cache.render_key(dataclasses.replace(row), "context")
    assert key != cache.render_key(row, "other context")
    assert key != sc.SheetCache({}, {}, code="d").render_key(row, "context")
    other = dataclasses.replace(row, parts=(dataclasses.replace(part, comment="ok"),))
    assert cache.render_key(other, "context") not in (None, key)
    assert cache.render_key(dataclasses.replace(row, total=1), "context") != key  # int, not float
    nested = dataclasses.replace(part, detail=FrozenDict({"splits": FrozenDict({"a": True})}))
    plain = dataclasses.replace(part, detail=FrozenDict({"splits": {"a": True}}))
    listed = dataclasses.replace(part, detail=FrozenDict({"ids": ["a"]}))
    tupled = dataclasses.replace(part, detail=FrozenDict({"ids": ("a",)}))
    key_of = [cache.render_key(dataclasses.replace(row, parts=(p,)), "context")
              for p in (nested, plain, listed, tupled)]  # fmt: skip
    assert key_of[0] == key_of[1]  # a read-only mapping is a dict to every writer...
    assert key_of[2] != key_of[3]  # ... but a list is written otherwise than a tuple
    entry = sc.storable(row)
    assert entry is not None
    cache.origin(row, entry)  # the very row read from an entry is named by the entry
    named = cache.render_key(row, "context")
    assert named not in (None, key)
    assert cache.render_key(dataclasses.replace(row), "context") == key  # an equal copy is not
    odd = dataclasses.replace(row, base=float("nan"))
    assert cache.render_key(odd, "context") is None


def test_only_values_that_read_back_equal_are_stored() -> None:
    where = Location("a.yaml", "ex1.x", 3, 4)
    part = PartScore("ex1.x", "ex1", 1.0, 2.0, Outcome.PARTIAL, ("half",),
                     detail=FrozenDict({"ids": ("a", "b"), "values": [1, 2.5], "n": None}))  # fmt: skip
    row = GradedSubmission("s1", "S", "a.yaml", Status.GRADED, FrozenDict({"ex1": 1.0}),
                           1.0, 0.0, 1.0, 2.0, (part,),
                           (Message(Severity.WARNING, "w", where),))  # fmt: skip
    entry = sc.storable(row)
    assert entry is not None and sc._read(entry) == row
    back = sc._read(entry)
    assert type(back.parts) is tuple and type(back.parts[0].detail["values"]) is list
    assert type(back.parts[0].detail["ids"]) is tuple
    assert sc.storable(dataclasses.replace(row, base=float("nan"))) is None
    odd = dataclasses.replace(part, detail=FrozenDict({"x": object()}))
    assert sc.storable(dataclasses.replace(row, parts=(odd,))) is None
    with pytest.raises(KeyError):
        sc.from_data({"c": ["Path", {}]})  # only the model's classes are ever built


def test_an_entry_too_large_to_be_read_back_is_not_stored_and_its_sheet_stays_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    where = Location("a.yaml", "ex1.x", 3, 4)
    answer = RawAnswer("ex1.x", "x", where)
    short = Submission("a.yaml", "s1", "S", None, FrozenDict({"ex1.x": answer}))
    many = FrozenDict({"ex1.x": dataclasses.replace(answer, value="x" * 400)})
    long = dataclasses.replace(short, answers=many)
    monkeypatch.setattr(sc, "MAX_ENTRY_BYTES", 300)
    entry = sc.storable(short)
    assert entry is not None and sc.submission_of(entry) == short
    assert sc.storable(long) is None  # its text would pass the bound: _inflate refuses it
    held = pipeline._held(long, None, None)
    assert held.packed is None and held.submission is long  # nothing to read back: kept whole
    assert pipeline._held(short, None, None).submission == sc.head_of(short)


def test_the_report_png_is_drawn_again_only_when_its_data_or_bytes_changed(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    from grader.report import writer
    from grader.report.words import REPORT_PNG

    out = tmp_path / "gb"
    _grade(sheets, out)
    png = (out / REPORT_PNG).read_bytes()
    drawn: list[str] = []
    real = writer.render_histogram

    def counted(*args: object) -> bytes:
        drawn.append("png")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "render_histogram", counted)
    _grade(sheets, out)
    assert drawn == [] and (out / REPORT_PNG).read_bytes() == png  # the same data: reused
    (out / REPORT_PNG).write_bytes(png + b"tampered")
    _grade(sheets, out)
    assert drawn == ["png"] and (out / REPORT_PNG).read_bytes() == png  # bytes checked
    (sheets / "pen_paper_euler.yaml").unlink()
    _grade(sheets, out)
    assert drawn == ["png", "png"]  # another class: drawn anew
    _grade(sheets, tmp_path / "fresh", "--no-cache")
    assert drawn == ["png", "png", "png"]  # without the cache always drawn


_PROBE = """
import io, json, sys
from grader.cli import main
out = io.StringIO()
code = main(sys.argv[1:], out, out)
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
# What preparing Practical-1's rubric imports: a re-run that scores nothing needs none of it.
PREPARING = ("sympy", "mpmath", "reference_solutions.practical_1", "grader.engine.exact")


def _modules_of_a_run(sheets: Path, out: Path, *extra: str | Path) -> set[str]:
    argv = [str(sheets), "--out", str(out), "--rubric", str(RUBRIC), "--jobs", "0", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv, *map(str, extra)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, 1), done.stderr
    return set(result["modules"]) | {m.split(".")[0] for m in result["modules"]}


def test_a_rerun_that_scores_no_sheet_neither_imports_the_solver_nor_prepares_the_rubric(
    sheets: Path, tmp_path: Path
) -> None:
    for name in ALWAYS_READ:  # read (and scored) on every run: they would need the rubric
        (sheets / name).unlink()
    cold = _grade(sheets, tmp_path / "gb")
    assert PREPARING[0] in _modules_of_a_run(sheets, tmp_path / "gb-2")  # a cold run does
    scores = tmp_path / "scores.csv"
    _ta_scores(tmp_path / "gb", scores)
    modules = _modules_of_a_run(sheets, tmp_path / "gb", "--scores", scores)
    assert modules.isdisjoint(PREPARING), sorted(modules & set(PREPARING))
    warm = _grade(sheets, tmp_path / "gb", "--scores", scores)
    fresh = _grade(sheets, tmp_path / "fresh", "--scores", scores, "--no-cache")
    assert _gradebook(warm) == fresh and _gradebook(warm) != _gradebook(cold)
    (sheets / "pen_paper_curie.yaml").write_text(
        (sheets / "pen_paper_curie.yaml").read_text(encoding="utf-8") + "\n# edited\n",
        encoding="utf-8",
    )
    modules = _modules_of_a_run(sheets, tmp_path / "gb", "--scores", scores)
    assert "reference_solutions.practical_1" in modules  # one sheet to score: prepared
    warm = _grade(sheets, tmp_path / "gb", "--scores", scores)
    assert _gradebook(warm) == _grade(sheets, tmp_path / "fresh", "--scores", scores, "--no-cache")


def test_a_changed_solver_scores_every_sheet_again(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = tmp_path / "course"
    (course / "rubrics").mkdir(parents=True)
    shutil.copy(RUBRIC, course / "rubrics")
    shutil.copytree(ROOT / "reference_solutions", course / "reference_solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    rubric = course / "rubrics" / RUBRIC.name
    for name in ALWAYS_READ:
        (sheets / name).unlink()
    _grade(sheets, tmp_path / "gb", rubric=rubric)
    # the digest is of the files the solver would be imported from, without importing it
    folder = solver_folder("practical_1", rubric)
    assert folder == (course / "reference_solutions" / "practical_1").resolve()
    before = solver_digest(load_rubric(rubric, REGISTRY))
    source = course / "reference_solutions" / "practical_1" / "ex2.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert solver_digest(load_rubric(rubric, REGISTRY)) != before
    counted = _Counted(monkeypatch)
    _grade(sheets, tmp_path / "gb", rubric=rubric)
    assert counted.read == []  # reading a sheet does not depend on the solver...
    assert sorted(counted.scored) == sorted(p.name for p in sheets.iterdir())  # ... scoring does
    counted.scored.clear()
    _grade(sheets, tmp_path / "gb", rubric=rubric)
    assert counted.scored == []


def test_a_deferred_rubric_is_prepared_on_first_use() -> None:
    rubric = load_rubric(RUBRIC, REGISTRY)
    deferred = PreparedRubric.deferred(rubric)
    assert not deferred.is_prepared and deferred.rubric is rubric
    assert set(deferred.questions) == {q.id for q in rubric.questions}
    assert deferred.is_prepared and deferred.env is not None
    broken = dataclasses.replace(rubric, solver="no_such_solver")
    later = PreparedRubric.deferred(broken)
    with pytest.raises(RubricError):
        later.ready()
    with pytest.raises(RubricError):  # not prepared: every use raises the rubric's problems
        later.questions  # noqa: B018
    assert solver_folder("no_such_solver", RUBRIC) is None


@pytest.mark.parametrize("workers", [0, 2])  # 2: the sheets to score travel as entries
def test_a_load_is_kept_as_its_head_and_its_whole_and_only_good_pairs_are_taken(
    sheets: Path, tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "sheets.json"
    options = BatchOptions(folder=sheets, rubric=RUBRIC, workers=workers, sheet_cache=path)
    first = grade_folder(options)
    assert first.sheet_cache is not None
    written = first.sheet_cache.content()
    path.write_bytes(written)
    document = json.loads(written)
    cache = sc.SheetCache.open(path)
    answered = 0
    for key, (head, whole) in document["loads"].items():
        assert cache.head(key) == sc.head_of(sc._read(whole)) == sc._read(head)
        assert cache.submission(key) == sc._read(whole) and sc._read(head).answers == {}
        answered += bool(sc._read(whole).answers)
    assert answered >= 5  # the sample sheets' answers are in the wholes, not in the heads
    # Forged wholes: each a good entry (zlib's checksum passes) of another sheet, and no row
    # (so every sheet is scored and its answers wanted); or the pair swapped.
    keys = sorted(document["loads"])
    for index, key in enumerate(keys):
        head, whole = document["loads"][key]
        other = document["loads"][keys[(index + 1) % len(keys)]][1]
        document["loads"][key] = [whole, head] if index % 3 == 0 else [head, other]
    document["rows"] = {}
    path.write_text(json.dumps(document), encoding="utf-8")
    again = grade_folder(options)
    assert again.gradebook.rows == first.gradebook.rows
    assert again.sheet_cache is not None
    assert again.sheet_cache.content() == written  # every load read anew and kept right


@pytest.mark.parametrize("jobs", ["0", "2"])  # 2: the cached sheets travel as their entries
def test_rows_scored_again_from_cached_sheets_are_those_of_a_run_without_the_cache(
    sheets: Path, tmp_path: Path, jobs: str
) -> None:
    _grade(sheets, tmp_path / "gb", "--jobs", jobs)
    edited = tmp_path / "practical-1.yaml"
    text = RUBRIC.read_text(encoding="utf-8")
    edited.write_text(text.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
    warm = _grade(sheets, tmp_path / "gb", "--jobs", jobs, rubric=edited)  # rows scored anew
    cold = _grade(sheets, tmp_path / "fresh", "--no-cache", "--jobs", jobs, rubric=edited)
    assert _gradebook(warm) == _gradebook(cold)


def test_a_cached_rerun_with_variants_writes_the_files_of_a_run_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from variant_sheets import EDITION, SAMPLE_SECRET, SAMPLES

    monkeypatch.setenv("GRADER_VARIANT_SECRET", SAMPLE_SECRET)
    rubric = ROOT / "rubrics" / f"{EDITION}.yaml"
    cold = _grade(SAMPLES, tmp_path / "gb", rubric=rubric)
    counted = _Counted(monkeypatch)
    warm = _grade(SAMPLES, tmp_path / "gb", rubric=rubric)
    assert counted.read == [] and counted.scored == []  # every sheet and row from the cache
    assert warm == cold  # steps and copy signals worked out from the whole cached sheets
    assert _gradebook(warm) == _grade(SAMPLES, tmp_path / "fresh", "--no-cache", rubric=rubric)
