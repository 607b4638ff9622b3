"""Run time and peak memory of `grade` over the whole hostile corpus (tests/hostile).

The issue's bar: the whole corpus in under 2 minutes, peak memory under 2 GiB. This script
builds the corpus exactly as the tests do (committed files plus the generated 30 MB files,
links, FIFO and hostile file names) in a temporary folder, runs `python -m grader.cli FOLDER
--out OUT --quiet` once (or --runs N times) and prints wall time, CPU time, the largest single
process (getrusage) and the peak of main process + workers together (sampled from /proc).

Run from the repository root:  PYTHONPATH=. python benchmarks/hostile_corpus.py [--runs 3]
No assertions: speed and memory are reported here, never tested.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hostile"))

from hostile_build import (  # noqa: E402 - after the path set-up above
    build_corpus,
    grade_command,
    grade_env,
    make_run_dirs,
)

SAMPLE_SECONDS = 0.05
GIB = 1 << 30


def _children(pid: int) -> list[int]:
    """`pid` and every process descending from it (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    family, changed = {pid}, True
    while changed:
        more = {child for child, parent in parents.items() if parent in family}
        changed = not more <= family
        family |= more
    return sorted(family)


def _rss(pid: int) -> int:
    """Resident set size of one process in bytes (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(folder: Path, out: Path, cwd: Path, home: Path) -> dict[str, float]:
    """One run: wall seconds, child CPU seconds, largest process and peak total RSS (bytes)."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        grade_command(folder, out, "--quiet"),
        cwd=cwd,
        env=grade_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak_total = 0
    while process.poll() is None:
        peak_total = max(peak_total, sum(_rss(pid) for pid in _children(process.pid)))
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else b""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime + usage.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    if process.returncode != 0:
        sys.stderr.write(stderr.decode("utf-8", "replace")[-2000:])
    return {
        "exit": float(process.returncode),
        "wall": wall,
        "cpu": cpu,
        "largest": usage.ru_maxrss * 1024.0,  # kilobytes on Linux
        "total": float(peak_total),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        root = Path(tmp)
        expect = build_corpus(root / "corpus", root / "outside")
        cwd, home = make_run_dirs(root)
        size = sum(p.lstat().st_size for p in (root / "corpus").iterdir())
        print(f"corpus: {len(expect)} files, {size / 2**20:.1f} MiB")
        for index in range(1, args.runs + 1):
            out = root / f"out{index}"
            result = measure(root / "corpus", out, cwd, home)
            rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8"))))
            statuses = Counter(row["status"] for row in rows)
            print(
                f"run {index}: exit {result['exit']:.0f}, wall {result['wall']:.1f} s "
                f"(bar 120 s), CPU {result['cpu']:.1f} s, largest process "
                f"{result['largest'] / 2**20:.0f} MiB, peak of all processes "
                f"{result['total'] / 2**20:.0f} MiB (bar {2 * GIB / 2**20:.0f} MiB), "
                f"{len(rows)} rows: {dict(sorted(statuses.items()))}"
            )
    print(f"cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
