"""Start-up time of the commands student CI runs: `grade --help` and `grade check` on one sheet.

Each run is a fresh process (what CI pays). For every command it prints the median and the
maximum of N runs, wall time and the child's CPU time (user + system, from wait4), and the load
average before the runs, since on a shared machine the wall time depends on the neighbours.

    python benchmarks/cli_startup.py [--runs N] [--source]

By default the package is run as installed (its bytecode cached in __pycache__ when Python may
write it). `--source` runs a copy of the package without bytecode and with
PYTHONDONTWRITEBYTECODE=1, so that every run also compiles every module it imports (what a run
costs where no .pyc exists or may be written).

Run from the repository root. No assertions: speed is reported here, never tested.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ("grade --help", ("--help",)),
    ("grade check <yaml>", ("check", "submissions/pen_paper_curie.yaml")),
    ("grade check <ipynb>", ("check", "submissions/pen_paper_hamilton.ipynb")),
    ("grade check <tex>", ("check", "submissions/pen_paper_riemann.tex")),
)
# What the `grade` console script runs (-P: like the script, the current folder is not on the
# path; the package is found as installed, or in the copy on PYTHONPATH).
ENTRY = ("-P", "-c", "import sys; from grader.cli import main; sys.exit(main())")


def one_run(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh `grade` process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *ENTRY, *argv],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = 0  # reaped by wait4 above
    return wall, usage.ru_utime + usage.ru_stime


def measure(argv: Sequence[str], runs: int, env: dict[str, str]) -> list[tuple[float, float]]:
    """`runs` timed runs after one untimed warm-up (file cache, bytecode)."""
    one_run(argv, env)
    return [one_run(argv, env) for _ in range(runs)]


def source_copy(where: Path) -> dict[str, str]:
    """An environment running a bytecode-free copy of the package placed in `where`."""
    shutil.copytree(ROOT / "grader", where / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(where), env.get("PYTHONPATH")]))
    return env


def report(runs: int, env: dict[str, str], mode: str) -> None:
    """Print one line per command."""
    print(f"{mode}; {runs} runs each; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'command':<22} {'wall median':>11} {'wall max':>9} {'CPU median':>11} {'CPU max':>8}")
    for name, argv in COMMANDS:
        times = measure(argv, runs, env)
        wall = [w for w, _ in times]
        cpu = [c for _, c in times]
        print(
            f"{name:<22} {statistics.median(wall):>10.3f}s {max(wall):>8.3f}s"
            f" {statistics.median(cpu):>10.3f}s {max(cpu):>7.3f}s"
        )


def main() -> None:
    """Parse the options and print the table."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=9, help="timed runs per command")
    options.add_argument("--source", action="store_true", help="no bytecode: compile every run")
    args = options.parse_args()
    if not args.source:
        cached = any((ROOT / "grader" / "__pycache__").glob("cli.*.pyc"))
        report(args.runs, dict(os.environ), f"installed (bytecode cached: {cached})")
        return
    with tempfile.TemporaryDirectory() as where:
        report(args.runs, source_copy(Path(where)), "source copy, no bytecode")


if __name__ == "__main__":
    main()
