"""Sheets per second and peak memory of `grade` on a generated class, against the read+write floor.

    PYTHONPATH=. python benchmarks/class_batch.py [--sizes 1000,10000] [--jobs 0,1,2]
                                                  [--no-cache-runs] [--no-dask] [--repeat 1]

Prints numbers and asserts nothing (speed is measured here, never in the test suite). For each
class size a class is generated (benchmarks/classgen.py, not timed), then, in the same run:

- the floor: a plain-Python program that only reads and parses every sheet (the YAML event
  stream through PyYAML's C parser, json for notebooks) and writes files of the gradebook's
  shape (grades.csv, parts.csv with a row per answer, a feedback file per sheet, a compact
  results.json), with one fsync. No grader can do less, so `ratio` = wall / floor wall;
- `grade FOLDER --jobs N` from cold (a fresh gradebook folder), for each N;
- with the judgement cache: a re-run after 10 TA scores changed (`--scores`), and the same
  re-run with `--no-cache`; both must write the files of a cold run with the same scores;
- on a Dask LocalCluster (`--scheduler dask`, when dask.distributed is installed).

Every run is a separate process (`grade` as a student or TA runs it: interpreter start and
imports included). Wall time is measured around the process; peak memory is the largest sum
of the proportional set sizes (PSS, so pages shared by forked workers count once) of the
process and all its descendants, sampled every 100 ms (in brackets: grade's own PSS at that
moment; the rest is its workers and the report's drawing process); `cpu` is the user + system
time of the process and its workers (on a machine shared with other work, compare cpu as well
as wall).
`identical` compares every file of the gradebook (report PNG excluded: matplotlib's output is
not ours) with the first run's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"
sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------------------------------------
# measuring a process tree


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mib(pid: int) -> float:
    """PSS of `pid` and every descendant, in MiB."""
    todo, total = [pid], 0
    while todo:
        current = todo.pop()
        total += _pss_kib(current)
        todo += _children(current)
    return total / 1024


@dataclass(frozen=True)
class Run:
    """One measured process."""

    wall: float
    cpu: float
    peak_mib: float
    code: int
    stderr: str
    peak_own_mib: float = 0.0  # at the peak, the PSS of the process itself (not its workers)


def measure(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run `argv`, sampling the PSS of its process tree; wall time and peak memory."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    peak = [0.0, 0.0]  # the tree's largest PSS, and grade's own share of it then
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = tree_pss_mib(process.pid)
            if total > peak[0]:
                peak[:] = [total, _pss_kib(process.pid) / 1024]
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    return Run(wall, cpu, peak[0], process.returncode, err.decode("utf-8", "replace"), peak[1])


# ---------------------------------------------------------------------------------------------
# the floor


def floor(source: Path, out: Path) -> None:
    """Read and parse every sheet, write gradebook-shaped files, one fsync (see the docstring)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    grades, parts, rows = ["student_id,total,status"], ["student_id,part,points,outcome"], []
    for path in sorted(p for p in source.rglob("*") if p.suffix in (".yaml", ".ipynb")):
        text = path.read_text(encoding="utf-8")
        scalars: list[str] = []
        if path.suffix == ".ipynb":
            for cell in json.loads(text)["cells"]:
                scalars.append(str(cell["source"]))
        else:
            try:
                for event in yaml.parse(text, Loader=loader):
                    value = getattr(event, "value", None)
                    if isinstance(value, str):
                        scalars.append(value)
            except yaml.YAMLError:
                pass
        name = path.stem
        grades.append(f"{name},0,graded")
        parts += [f"{name},p{i},0,correct" for i in range(min(20, len(scalars)))]
        feedback = "\n".join(f"- {s[:80]}: correct" for s in scalars)
        (out / "feedback" / f"{name}.md").write_text(feedback, encoding="utf-8")
        rows.append({"student_id": name, "answers": scalars[:40]})
    (out / "grades.csv").write_text("\n".join(grades) + "\n", encoding="utf-8")
    (out / "parts.csv").write_text("\n".join(parts) + "\n", encoding="utf-8")
    with open(out / "results.json", "w", encoding="utf-8") as handle:
        json.dump({"rows": rows}, handle, separators=(",", ":"), ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


# ---------------------------------------------------------------------------------------------
# the runs


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".png" and not path.name.startswith("."):
            if "cache" in path.relative_to(folder).parts[0]:
                continue  # the judgement cache is not part of the gradebook
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def _grade(*args: str | Path | int) -> list[str]:
    return [sys.executable, "-m", "grader.cli", *map(str, args), "--quiet"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def ta_scores(gradebook: Path, target: Path, count: int = 10) -> None:
    """Ten TA scores: the first `count` rows of review.csv, each given its maximum points."""
    import csv

    with open(gradebook / "review.csv", newline="", encoding="utf-8") as handle:
        # one student per row (review.csv groups identical answers of several students)
        rows = [r for r in csv.DictReader(handle) if " " not in r["student_id"]][:count]
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "part", "points", "grader", "comment"])
        for row in rows:
            writer.writerow([row["student_id"], row["part"], row["max_points"], "ta", "ok"])


def _supports(flag: str) -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "grader.cli", "FOLDER", "--help"],
        capture_output=True, text=True, env=_env(), cwd=ROOT, check=False,
    ).stdout  # fmt: skip
    return flag in help_text


def _dask_available() -> bool:
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _line(label: str, sheets: int, run: Run, floor_wall: float, same: str) -> None:
    status = "" if run.code == 0 else f"  EXIT {run.code}: {run.stderr.strip()[-200:]}"
    print(
        f"  {label:<28} {run.wall:7.2f} s  cpu {run.cpu:6.2f} s  {sheets / run.wall:6.0f} sheets/s"
        f"  peak {run.peak_mib:6.0f} MiB (grade {run.peak_own_mib:4.0f})"
        f"  ratio {run.wall / floor_wall:5.1f}  identical {same}"
        f"{status}",
        flush=True,
    )


def bench(size: int, jobs: Sequence[int], cache: bool, dask: bool, work: Path) -> None:
    """Every run for one class size."""
    from benchmarks.classgen import write_class

    source = work / f"class-{size}"
    write_class(source, size)
    print(f"{size} sheets ({sum(1 for _ in source.iterdir())} files):", flush=True)
    floor_out = work / "floor"
    shutil.rmtree(floor_out, ignore_errors=True)
    base = measure([sys.executable, __file__, "--floor", str(source), str(floor_out)], _env())
    if base.code != 0:
        print(base.stderr)
        return
    print(
        f"  {'floor (read + write)':<28} {base.wall:7.2f} s  cpu {base.cpu:6.2f} s"
        f"  {size / base.wall:6.0f} sheets/s"
        f"  peak {base.peak_mib:6.0f} MiB",
        flush=True,
    )
    reference = ""
    for n in jobs:
        out = work / f"gb-{n}"
        shutil.rmtree(out, ignore_errors=True)
        run = measure(_grade(source, "--rubric", RUBRIC, "--out", out, "--jobs", n), _env())
        digest = _digest(out) if run.code == 0 else "-"
        reference = reference or digest
        _line(f"--jobs {n} (cold)", size, run, base.wall, "yes" if digest == reference else "NO")
    if cache and _supports("--no-cache"):
        _cache_runs(size, source, work, base.wall, max(jobs))
    if dask and _dask_available() and _supports("--scheduler"):
        out = work / "gb-dask"
        shutil.rmtree(out, ignore_errors=True)
        argv = _grade(source, "--rubric", RUBRIC, "--out", out, "--scheduler", "dask", "--jobs", 2)
        run = measure(argv, _env())
        same = "yes" if run.code == 0 and _digest(out) == reference else "NO"
        _line("dask LocalCluster (2 workers)", size, run, base.wall, same)


def _cache_runs(size: int, source: Path, work: Path, floor_wall: float, jobs: int) -> None:
    """A TA re-run with 10 changed scores: with the cache, without it, against a cold run."""
    warm = work / f"gb-{jobs}"
    scores = work / "scores.csv"
    ta_scores(warm, scores)
    common = ("--rubric", RUBRIC, "--jobs", jobs, "--scores", scores)
    cold = work / "gb-scored-cold"
    shutil.rmtree(cold, ignore_errors=True)
    run = measure(_grade(source, "--out", cold, *common, "--no-cache"), _env())
    reference = _digest(cold)
    _line("10 TA scores, no cache", size, run, floor_wall, "yes")
    for label in ("10 TA scores, cache", "same again, cache"):
        run = measure(_grade(source, "--out", warm, *common), _env())
        _line(label, size, run, floor_wall, "yes" if _digest(warm) == reference else "NO")


def main(argv: Sequence[str] | None = None) -> None:
    """Command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--jobs", default="0,1,2")
    p.add_argument("--no-cache-runs", action="store_true")
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--keep", type=Path, help="work in this folder and keep it")
    p.add_argument("--floor", nargs=2, type=Path, metavar=("SHEETS", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.floor:
        floor(*args.floor)
        return
    jobs = [int(j) for j in args.jobs.split(",")]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            bench(size, jobs, not args.no_cache_runs, not args.no_dask, work)


if __name__ == "__main__":
    main()
