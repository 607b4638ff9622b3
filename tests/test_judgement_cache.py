"""The judgement cache: a re-run decides nothing it decided before and writes the same files;
a corrupt or foreign cache is ignored with a warning; a changed question invalidates its own
judgements only."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest

from grader import judgement_cache as jc
from grader.checkers.prepare import PreparedRubric, prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.checkers.variants import VariantExecutor, VariantJob
from grader.cli import main
from grader.model import CheckResult, FrozenDict, Method, Outcome, Reason, Severity
from grader.pipeline import BatchOptions, grade_folder
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sheets")
    for sheet in (ROOT / "submissions").iterdir():
        shutil.copy(sheet, folder)
    return folder


def _grade(sheets: Path, out: Path, *extra: str) -> dict[str, bytes]:
    sink = io.StringIO()
    argv = [str(sheets), "--out", str(out), "--rubric", str(RUBRIC), "--jobs", "0", "--quiet"]
    assert main([*argv, *extra], sink, sink) == 0, sink.getvalue()
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix != ".png" and not p.name.startswith(".")
    }


def _without_cache(files: dict[str, bytes]) -> dict[str, bytes]:
    # the judgement cache and the sheet cache (grader.sheet_cache) live under cache/
    return {name: data for name, data in files.items() if not name.startswith("cache/")}


def test_rerun_with_the_cache_writes_the_files_of_a_run_without_it(
    sheets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _grade(sheets, tmp_path / "cached")
    assert jc.CACHE_FILE in cold
    calls: list[object] = []
    real = VariantExecutor.__call__  # what the workers run every job with

    def counted(self: VariantExecutor, job: VariantJob) -> CheckResult:
        calls.append(job)
        return real(self, job)

    monkeypatch.setattr(VariantExecutor, "__call__", counted)
    warm = _grade(sheets, tmp_path / "cached")
    assert calls == []  # every judgement came from the cache
    assert warm == cold
    fresh = _grade(sheets, tmp_path / "fresh", "--no-cache")
    assert calls  # without the cache everything is decided again
    assert jc.CACHE_FILE not in fresh
    assert fresh == _without_cache(warm)


@pytest.mark.parametrize(
    "content",
    [b"\x00\xffnot json", b'{"format": "something-else", "entries": {}}',
     b'{"format": "grader-judgement-cache", "version": 99, "entries": {}}',
     b'{"format": "grader-judgement-cache", "version": 1, "entries": {"x": {"k": {"a": 1}}}}'],
    ids=["garbage", "foreign", "other-version", "bad-entries"],
)  # fmt: skip
def test_a_corrupt_or_foreign_cache_is_ignored_with_a_warning(
    sheets: Path, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "judgements.json"
    path.write_bytes(content)
    options = BatchOptions(folder=sheets, rubric=RUBRIC, workers=0, cache=path)
    batch = grade_folder(options)
    warnings = [m for m in batch.staff if "judgement cache" in m.text]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    clean = grade_folder(dataclasses.replace(options, cache=None))
    assert batch.gradebook.rows == clean.gradebook.rows
    assert batch.cache is not None and json.loads(batch.cache)["format"] == jc.FORMAT


def test_a_changed_question_invalidates_only_its_own_judgements() -> None:
    prepared = prepare_rubric(load_rubric(RUBRIC, REGISTRY))
    before = jc.fingerprints(prepared, "code", "solver")
    rubric = prepared.rubric
    ex1 = rubric.question("ex1")
    assert ex1 is not None
    part = dataclasses.replace(ex1.parts[0], points=ex1.parts[0].points + 1)
    changed = dataclasses.replace(ex1, parts=(part, *ex1.parts[1:]))
    questions = tuple(changed if q.id == "ex1" else q for q in rubric.questions)
    edited_rubric = dataclasses.replace(rubric, questions=questions)
    edited = PreparedRubric(edited_rubric, prepared.questions, prepared.env)
    after = jc.fingerprints(edited, "code", "solver")
    assert {q for q in before if before[q] != after[q]} == {"ex1"}
    # another solver or another version of the grader: nothing holds
    for other in (jc.fingerprints(prepared, "code", "solver 2"),
                  jc.fingerprints(prepared, "code 2", "solver")):  # fmt: skip
        assert all(other[q] != before[q] for q in before)


def test_only_results_that_read_back_equal_are_kept() -> None:
    plain = CheckResult(0.5, Outcome.PARTIAL, Method.RANDOM, (Reason.UNDECIDED,), ("half",),
                        detail=FrozenDict({"mistake": "sign", "ids": ("a", "b")}))  # fmt: skip
    encoded = jc.faithful(plain)
    assert encoded is not None and jc.decode(encoded) == plain
    odd = dataclasses.replace(plain, detail=FrozenDict({"values": ["a list"]}))
    assert jc.faithful(odd) is None  # it would come back as a tuple
