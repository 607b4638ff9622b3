"""Where the time of `grade` goes on a generated class: wall time per stage, then cProfile.

    PYTHONPATH=. python benchmarks/class_profile.py [N] [--top 30] [--rerun [--again]]

Prints numbers and asserts nothing. The class (benchmarks/classgen.py, N sheets, default 1000)
is graded in this process with `--jobs 0` (so every stage is visible to the profiler): the
command-line entry point is profiled as a whole, and the cumulative time of the pipeline's
stages is read off the profile (each stage is a function the pipeline calls once).

With `--rerun` the profiled run is the cached re-run after 10 TA scores (benchmarks/
class_batch.py's): the class is generated, graded cold and given its TA scores in other
processes (so this one has imported nothing of grading yet: the imports a re-run pays show),
then re-graded here; `--again` profiles the identical re-run after that one instead. The heavy
modules the profiled run imported are listed (a re-run that scores nothing needs no sympy).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"
sys.path.insert(0, str(ROOT))

# (label, module file suffix, function name): the pipeline's stages, as the profile names them.
# Each is a function a run calls once (or, indented, a part of the stage above it); a stage the
# profile does not hold is listed as such, so a renamed function shows here instead of hiding.
STAGES = (
    ("load sheets", "pipeline.py", "_read_folder"),
    ("  cached sheets (heads)", "pipeline.py", "_cached_sheets"),
    ("prepare rubric", "pipeline.py", "prepare_batch"),
    ("check distinct answers", "pipeline.py", "check_answers"),
    ("rows (cached, else scored)", "pipeline.py", "_scored_rows"),
    ("  cached rows decoded", "sheet_cache.py", "row"),
    ("  score sheets (incl. chain)", "pipeline.py", "_score_rows"),
    ("    chain (Exercise 2)", "checkers/chain.py", "grade"),
    ("  sheet cache entries", "sheet_cache.py", "storable"),
    ("write outputs (publish)", "report/writer.py", "write_outputs"),
    ("  results.json", "gradebook/results.py", "results_chunks"),
    ("  feedback files", "gradebook/feedback.py", "render_feedback"),
    ("  report", "report/writer.py", "report_files"),
    ("  histogram (this process)", "histogram.py", "render_histogram"),
    ("  sheet cache file", "sheet_cache.py", "chunks"),
)


def stage_times(stats: pstats.Stats) -> dict[str, float | None]:
    """Cumulative seconds of each stage function in the profile (None: not in it)."""
    table = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float | None] = {}
    for label, suffix, name in STAGES:
        found = [
            value[3]
            for (file, _, function), value in table.items()
            if function == name and file.endswith(suffix)
        ]
        out[label] = sum(found) if found else None
    return out


HEAVY = ("sympy", "mpmath", "matplotlib", "nbformat", "pandas", "dask")


def _rerun_setup(folder: Path, out: Path, count: int, again: bool) -> list[str]:
    """The class, its cold run and its 10 TA scores, each in another process; the extra
    arguments of the re-run to profile."""
    from benchmarks.class_batch import ta_scores

    def run(*argv: str | Path) -> None:
        subprocess.run([sys.executable, *map(str, argv)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    run(ROOT / "benchmarks" / "classgen.py", folder, str(count))
    grade = ("-m", "grader.cli", folder, "--rubric", RUBRIC, "--out", out, "--quiet", "--jobs", "2")
    run(*grade)
    scores = out.parent / "scores.csv"
    ta_scores(out, scores)
    if again:
        run(*grade, "--scores", scores)
    return ["--scores", str(scores)]


def main() -> None:
    """Command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("count", type=int, nargs="?", default=1000)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--rerun", action="store_true", help="profile a cached re-run (see above)")
    p.add_argument("--again", action="store_true", help="with --rerun: the identical one after")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="grader-profile-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "gb"
        extra: list[str] = []
        if args.rerun:
            extra = _rerun_setup(folder, out, args.count, args.again)
        else:
            from benchmarks.classgen import write_class

            write_class(folder, args.count)
        before = set(sys.modules)
        from grader.cli import main as grade

        argv = [str(folder), "--rubric", str(RUBRIC), "--out", str(out), "--quiet", *extra]
        profile = cProfile.Profile()
        sink = io.StringIO()
        start = time.perf_counter()
        profile.enable()
        grade([*argv, "--jobs", "0"], sink, sink)
        profile.disable()
        wall = time.perf_counter() - start
    stats = pstats.Stats(profile)
    kind = ("the identical re-run" if args.again else "re-run after 10 TA scores") if args.rerun \
        else "cold"  # fmt: skip
    print(f"{args.count} sheets, {kind}, --jobs 0, in-process: {wall:.2f} s under the profiler")
    imported = sorted({m.split(".")[0] for m in set(sys.modules) - before} & set(HEAVY))
    print(f"  heavy modules imported: {', '.join(imported) or 'none'}")
    for label, seconds in stage_times(stats).items():
        if seconds is None:
            print(f"  {label:<30}       - (not in the profile)")
        else:
            print(f"  {label:<30} {seconds:7.2f} s  {100 * seconds / wall:5.1f}%")
    print()
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
