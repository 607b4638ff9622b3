"""How `grade` copes with a huge scores file: time, peak memory and stderr lines.

    PYTHONPATH=. python benchmarks/staff_csv.py [ROWS ...]

Grades the sample submissions with a --scores file of ROWS rows (default 10,000, 199,000 and
400,000), every row naming an unknown student (so every row is refused), in a child process
measured with getrusage. Prints one line per size; asserts nothing.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _scores(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("student_id,part,points,grader,comment\n")
        for i in range(rows):
            handle.write(f"x{i},ex3.explanation,{i % 4},tb,comment {i}\n")


def _run(rows: int, work: Path) -> str:
    scores = work / f"scores-{rows}.csv"
    _scores(scores, rows)
    out = work / f"gb-{rows}"
    command = [sys.executable, "-m", "grader.cli", str(ROOT / "submissions"), "--out", str(out),
               "--scores", str(scores), "--quiet", "--jobs", "0"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = (out / "results.json").stat().st_size if (out / "results.json").exists() else 0
    out_name = str(out)
    return (f"{rows:>8} rows: {seconds:5.1f} s, peak RSS {peak / 1024:6.0f} MiB, "
            f"{len(done.stderr.splitlines()):>3} stderr lines, results.json {size / 1024:.0f} KiB, "
            f"exit {done.returncode}: {done.stdout.strip().replace(out_name, 'gb')}")  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--one"]:  # one size, so that ru_maxrss is this size's own peak
        work = Path(tempfile.mkdtemp(prefix="staff-csv-"))
        try:
            print(_run(int(sys.argv[2]), work), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    for rows in [int(a) for a in sys.argv[1:]] or [10_000, 199_000, 400_000]:
        subprocess.run([sys.executable, __file__, "--one", str(rows)], check=False)


if __name__ == "__main__":
    main()
