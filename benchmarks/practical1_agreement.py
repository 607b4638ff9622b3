"""Agreement of the grader with the independently labelled Practical-1 answer corpus.

Prints, per part and in total, how the grader marked the variants of each label (right, half,
wrong) and the two figures issue 11 asks for: wrong answers accepted, and right answers left
unread (per 200). The corpus and its labels are built in tests/engine/practical1_corpus.py.

Run from the repository root:  PYTHONPATH=.:tests/engine python benchmarks/practical1_agreement.py
No assertions: the test of the same name asserts the thresholds.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from practical1_corpus import Label  # noqa: E402
from test_practical1_corpus import results  # noqa: E402  (the test's own corpus and grading)


def main() -> None:
    table: Counter[tuple[str, str, str]] = Counter()
    styles: Counter[tuple[str, str]] = Counter()
    for variant, got in results():
        table[(variant.part, variant.label.value, got)] += 1
        styles[(variant.style, "agree" if got == variant.label.value else "disagree")] += 1
    parts = sorted({part for part, _, _ in table})
    verdicts = ("right", "half", "wrong", "unread", "other")
    print(f"{'part':<10} {'label':<6} " + " ".join(f"{v:>7}" for v in verdicts))
    for part in parts:
        for label in Label:
            row = [table[(part, label.value, v)] for v in verdicts]
            if sum(row):
                print(f"{part:<10} {label.value:<6} " + " ".join(f"{n:>7}" for n in row))
    total = sum(table.values())
    agree = sum(n for (_, label, got), n in table.items() if label == got)
    right = sum(n for (_, label, _), n in table.items() if label == "right")
    unread = sum(n for (_, label, got), n in table.items() if label == "right" and got == "unread")
    accepted = sum(
        n for (_, label, got), n in table.items() if label == "wrong" and got in ("right", "half")
    )
    print(f"\nvariants {total}, agreeing with their label {agree} ({100 * agree / total:.1f}%)")
    for style in ("plain", "latex", "unicode"):
        a, d = styles[(style, "agree")], styles[(style, "disagree")]
        print(f"  {style:<8} {a}/{a + d}")
    print(f"wrong answers accepted: {accepted}")
    print(f"right answers left unread: {unread} of {right} ({200 * unread / right:.2f} per 200)")


if __name__ == "__main__":
    main()
