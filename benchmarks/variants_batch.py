"""Per-student numbers: what drawing, preparing, grading and the copy signal cost, and find.

    PYTHONPATH=. python benchmarks/variants_batch.py [--size 300] [--jobs 2] [--copies 15]

Prints numbers and asserts nothing. With a benchmark secret:

- draws: how many draws the acceptance conditions rejected (overall and per condition), and the
  time per student;
- preparation: the base rubric, the data-dependence probe, one variant's PreparedRubric;
- grading: the class of benchmarks/classgen.py twice, with the same answers generator: on the
  printed numbers (rubrics/practical-1.yaml) and on each student's own numbers
  (rubrics/practical-1-variants.yaml), each by `grade FOLDER --jobs N` in a fresh process (wall
  and CPU of the process and its workers);
- the copy signal: flags on the honest variant class (all false), then after replacing
  `--copies` sheets by a classmate's sheet under the copier's own id and `--copies` by the same
  student's sheet worked on the printed numbers: how many are flagged naming the right source.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from classgen import write_class  # noqa: E402

from grader.checkers.prepare import prepare_rubric  # noqa: E402
from grader.checkers.registry import REGISTRY  # noqa: E402
from grader.checkers.variants import data_dependent, prepare_variant  # noqa: E402
from grader.copysignal import PRINTED_SHEET, SIGNAL_DETAIL  # noqa: E402
from grader.model import Reason  # noqa: E402
from grader.pipeline import BatchOptions, grade_folder  # noqa: E402
from grader.rubric.draw import Drawer, load_drawer  # noqa: E402
from grader.rubric.load import load_rubric  # noqa: E402

SECRET = "benchmark: variants_batch secret (not a course's)"
DEFAULT = ROOT / "rubrics" / "practical-1.yaml"
EDITION = ROOT / "rubrics" / "practical-1-variants.yaml"
_ID = re.compile(r'id: "(b\d+)"')


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def draws(drawer: Drawer, count: int) -> None:
    """Rejection rates of the acceptance conditions, and the time per student."""
    rejected: Counter[str] = Counter()
    attempts = 0
    start = time.perf_counter()
    for index in range(count):
        student = f"b{index:06d}"
        variant = drawer.variant(student)
        attempts += variant.attempt + 1
        for attempt in range(variant.attempt):
            failed = drawer.failed(drawer.candidate(student, attempt))
            rejected[failed or "?"] += 1
    elapsed = time.perf_counter() - start  # includes re-checking the rejected draws
    print(f"draws: {count} students, {attempts} draws, {attempts - count} rejected "
          f"({(attempts - count) / attempts:.1%}); max redraws "
          f"{max(drawer.variant(f'b{i:06d}').attempt for i in range(count))}")
    for name, n in rejected.most_common():
        print(f"  rejected by {name}: {n} ({n / attempts:.1%} of draws)")
    print(f"  {_ms(elapsed / count)} per student (with the rejected draws checked twice)")


def preparation(count: int) -> None:
    """The base rubric, the probe and one variant's PreparedRubric."""
    rubric = load_rubric(EDITION, REGISTRY)
    start = time.perf_counter()
    base = prepare_rubric(rubric)
    middle = time.perf_counter()
    dependent = data_dependent(base)
    probe = time.perf_counter()
    drawer = load_drawer(rubric, SECRET.encode())
    loaded = time.perf_counter()
    datas = [drawer.variant(f"p{i}").data for i in range(count)]
    drawn = time.perf_counter()
    for data in datas:
        prepare_variant(base, dependent, data)
    done = time.perf_counter()
    print(f"preparation: base rubric {_ms(middle - start)} (warm imports), probe "
          f"{_ms(probe - middle)} -> dependent {sorted(dependent)}, drawer with validation "
          f"{_ms(loaded - probe)}, one variant {_ms((done - drawn) / count)}")


def _run(folder: Path, rubric: Path, jobs: int, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `grade FOLDER` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "grader.cli", str(folder), "--rubric", str(rubric), "--out",
         str(out), "--jobs", str(jobs), "--quiet"],
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
        env={**os.environ, "GRADER_VARIANT_SECRET": SECRET, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _replace(folder: Path, paths: list[Path], printed: list[Path], copies: int) -> dict[str, str]:
    """Make `copies` sheets copies of the next classmate's and `copies` worked on the printed
    numbers; return copier id -> whose numbers it holds."""
    expected: dict[str, str] = {}
    rng = random.Random(15)
    picks = rng.sample(range(len(paths) - 1), 4 * copies)
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    for index in picks:
        target, source = paths[index], paths[index + 1]
        own, theirs = _ID.search(texts[target]), _ID.search(texts[source])
        if target.suffix != ".yaml" or own is None or own.group(1) in expected:
            continue
        if len(expected) < copies and theirs and source.suffix == ".yaml" and len(
                texts[source]) > 400 and theirs.group(1) not in expected:  # fmt: skip
            target.write_text(texts[source].replace(theirs.group(0), own.group(0)), "utf-8")
            expected[own.group(1)] = theirs.group(1)
        elif copies <= len(expected) < 2 * copies and len(texts[target]) > 400:
            text = printed[index].read_text(encoding="utf-8")  # (a whole sheet, not a broken one)
            target.write_text(text.replace("assignment: practical-1", "assignment: "
                                           "practical-1-variants"), "utf-8")  # fmt: skip
            expected[own.group(1)] = PRINTED_SHEET
    return expected


def signal(folder: Path, expected: dict[str, str], label: str) -> None:
    """How many sheets the copy signal flags, against the ones expected."""
    os.environ["GRADER_VARIANT_SECRET"] = SECRET
    start = time.perf_counter()
    batch = grade_folder(BatchOptions(folder=folder, rubric=EDITION, workers=2))
    wall = time.perf_counter() - start
    flagged: dict[str, object] = {}
    for row in batch.gradebook.rows:
        evidence = row.detail.get(SIGNAL_DETAIL)
        if Reason.FITS_OTHER_VARIANT in row.flags and isinstance(evidence, dict):
            flagged[row.student_id] = evidence.get("fits")
    right = sum(1 for s, whose in expected.items() if flagged.get(s) == whose)
    false = sorted(s for s in flagged if s not in expected)
    print(f"copy signal, {label}: {len(flagged)} flagged; {right} of {len(expected)} expected "
          f"found naming the right source; {len(false)} false ({', '.join(false) or 'none'}); "
          f"grading in-process {wall:.1f} s")
    rows = {row.student_id: row for row in batch.gradebook.rows}
    for student, whose in sorted(expected.items()):
        found = rows.get(student)
        if flagged.get(student) != whose and found is not None:
            answered = sum(p.question == "ex2" and p.outcome != "missing" for p in found.parts)
            print(f"  missed {student} ({whose}; {answered} Exercise-2 parts answered, "
                  f"{found.question_points.get('ex2')} points on its own numbers)")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--copies", type=int, default=15)
    args = parser.parse_args()
    rubric = load_rubric(EDITION, REGISTRY)
    drawer = load_drawer(rubric, SECRET.encode())
    draws(drawer, args.size)
    preparation(20)
    work = Path(tempfile.mkdtemp(prefix="variants-bench-"))
    try:
        printed = write_class(work / "printed", args.size)
        own = write_class(work / "own", args.size, variant_of=lambda s: drawer.variant(s).data,
                          assignment="practical-1-variants")  # fmt: skip
        for name, folder, path in (("printed numbers", work / "printed", DEFAULT),
                                   ("own numbers", work / "own", EDITION)):  # fmt: skip
            wall, cpu = _run(folder, path, args.jobs, work / f"gb-{folder.name}")
            print(f"grade {args.size} sheets on the {name} (--jobs {args.jobs}): "
                  f"wall {wall:.1f} s, cpu {cpu:.1f} s")
        signal(work / "own", {}, "honest class")
        expected = _replace(work / "own", own, printed, args.copies)
        signal(work / "own", expected, f"{len(expected)} copies planted")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
