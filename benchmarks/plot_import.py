"""What importing matplotlib for report-totals.png costs a fresh process, by font list.

grade gives matplotlib a new private config folder every run (it writes nothing outside
`--out`). Each run below is a fresh interpreter that imports what the histogram draws with
(grader.report.histogram.import_plotting) under a new, empty config folder:

- seeded: the folder holds grade's seed (grader.plot_fonts), what `grade` does now;
- built: the folder is empty, so matplotlib builds its list from every font of the machine
  (what `grade` did before the seed);
- cached: the folder holds the list matplotlib built in an earlier process (what a caller who
  sets MPLCONFIGDIR to a folder of their own pays from the second run on).

Prints the median and maximum wall and CPU time (user + system, from wait4) of N runs each,
interleaved so that a neighbour's load falls on all three alike. No assertions.

    PYTHONPATH=. python benchmarks/plot_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CODE = "from grader.report.histogram import import_plotting; import_plotting()"


def one_run(folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh process importing the plotting modules."""
    env = dict(os.environ, MPLCONFIGDIR=str(folder), PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CODE], cwd=ROOT, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the import failed (exit {child.returncode})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    """Command line (see the module docstring)."""
    from grader.plot_fonts import seed_font_list

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    times: dict[str, list[tuple[float, float]]] = {"seeded": [], "built": [], "cached": []}
    with tempfile.TemporaryDirectory(prefix="grader-plot-import-") as tmp:
        warm = Path(tmp, "warm")
        warm.mkdir()
        one_run(warm)  # matplotlib builds and keeps its list there (file cache warmed too)
        for index in range(args.runs):
            seeded, built = Path(tmp, f"seeded-{index}"), Path(tmp, f"built-{index}")
            seeded.mkdir()
            built.mkdir()
            if not seed_font_list(seeded):
                raise SystemExit("no seed written: is matplotlib (the plots extra) installed?")
            times["seeded"].append(one_run(seeded))
            times["built"].append(one_run(built))
            times["cached"].append(one_run(warm))
    print(f"importing the plotting modules in a fresh process, {args.runs} runs each "
          f"(load average before: {os.getloadavg()[0]:.2f})")  # fmt: skip
    for label, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"  {label:<7} wall median {statistics.median(walls):5.2f} s  max {max(walls):5.2f} s"
              f"   CPU median {statistics.median(cpus):5.2f} s  max {max(cpus):5.2f} s")


if __name__ == "__main__":
    main()
