"""Parse + check time per symbolic answer, and the effect of deciding repeated answers once.

Run from the repository root:  PYTHONPATH=. python benchmarks/symbolic_batch.py [copies]
Prints medians; asserts nothing (speed is measured here, never in the test suite).

1. Every symbolic answer of the sample sheets (plain, LaTeX, matrix, index notation; right and
   wrong) is parsed and judged from cold (sympy's cache cleared, a fresh job), 5 times each:
   the median per answer is the number the issue's 20 ms goal is about.
2. A batch of `copies` x the sample sheets (distinct student ids, identical answers, as in a
   class where many students write the same thing) is graded in-process: the number of
   symbolic answers, the number of distinct jobs actually judged, and the wall time.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sympy.core.cache import clear_cache

from grader.checkers.base import Job
from grader.checkers.prepare import PreparedRubric
from grader.pipeline import BatchOptions, grade_folder, load_all, prepare

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"


def _symbolic(prepared: PreparedRubric, jobs: list[Job]) -> list[Job]:
    """The distinct jobs of symbolic parts (free-text matching is a job too, and cheap)."""
    kinds = {(p.question, p.id): p.kind for p in prepared.rubric.parts()}
    return list(dict.fromkeys(j for j in jobs if kinds.get((j.question, j.part)) == "symbolic"))


def per_answer() -> None:
    """Median parse + check time of each distinct symbolic answer in the samples."""
    options = BatchOptions(folder=ROOT / "submissions", rubric=RUBRIC, workers=0)
    submissions = [s for s in load_all(options.folder) if s.readable]
    prepared = prepare(options, submissions)
    jobs = _symbolic(prepared, [j for s in submissions for j in prepared.requests(s.answers)])
    medians = []
    for job in jobs:
        runs = []
        for _ in range(5):
            clear_cache()
            start = time.perf_counter()
            prepared.execute(job)
            runs.append(time.perf_counter() - start)
        medians.append(statistics.median(runs))
    medians.sort()
    print(f"distinct symbolic answers in the samples: {len(jobs)}")
    print(
        f"parse + check per answer: median {1000 * statistics.median(medians):.2f} ms, "
        f"90th percentile {1000 * medians[int(0.9 * (len(medians) - 1))]:.2f} ms, "
        f"max {1000 * medians[-1]:.2f} ms"
    )


def batch(copies: int) -> None:
    """Grade `copies` copies of the samples; report answers, distinct jobs and time."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index in range(copies):
            for sheet in sorted((ROOT / "submissions").glob("*.yaml")):
                text = sheet.read_text(encoding="utf-8").replace(
                    'id: "s100', f'id: "c{index:04d}s100'
                )
                (folder / f"{sheet.stem}_{index:04d}.yaml").write_text(text, encoding="utf-8")
        options = BatchOptions(folder=folder, rubric=RUBRIC, workers=0)
        submissions = [s for s in load_all(folder) if s.readable]
        prepared = prepare(options, submissions)
        every = [j for s in submissions for j in prepared.requests(s.answers)]
        kinds = {(p.question, p.id): p.kind for p in prepared.rubric.parts()}
        answers = [j for j in every if kinds.get((j.question, j.part)) == "symbolic"]
        distinct = set(answers)
        for workers in (0, 2):
            start = time.perf_counter()
            graded = grade_folder(BatchOptions(folder=folder, rubric=RUBRIC, workers=workers))
            wall = time.perf_counter() - start
            print(
                f"batch of {len(graded.gradebook.rows)} sheets, workers={workers}: "
                f"{len(answers)} symbolic answers, {len(distinct)} judged, {wall:.2f} s wall "
                f"({1000 * wall / max(1, len(graded.gradebook.rows)):.1f} ms per sheet)"
            )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    per_answer()
    batch(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
