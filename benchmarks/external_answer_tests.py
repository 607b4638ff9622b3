"""Agreement of the one judge with answer-test tables drawn from other systems' public suites
(tests/engine/external/*.yaml: STACK's fixtures beyond the shared table, the MITx grading
library, lambda-feedback's compareExpressions), per family of notation, and the rows that
disagree with what the source system decides.

Run from the repository root:  PYTHONPATH=. python benchmarks/external_answer_tests.py
No assertions: tests/engine/test_external_tables.py asserts the thresholds.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine" / "external")]

from runner import families, run_tables  # noqa: E402


def main() -> None:
    rows = run_tables()
    counts = families(rows)
    width = max(len(family) for family in counts)
    for family, (agree, total) in sorted(counts.items()):
        print(f"  {family:<{width}}  {agree}/{total}")
    agreed = sum(row.agrees for row in rows)
    print(f"{agreed}/{len(rows)} agree ({100 * agreed / len(rows):.1f}%)")
    for row in rows:
        if not row.agrees:
            print(
                f"  [{row.source}] {row.test} {row.student!r} vs {row.teacher!r}: "
                f"expected {row.expected}, got {row.got}"
            )


if __name__ == "__main__":
    main()
