"""No course knowledge in grader/: Practical-1's names, rules and wording live in rubrics/ and
reference_solutions/ (issue 9). Scans every string literal of the package that is not a
docstring (docstrings may use Practical-1 as an example) for the course's own vocabulary."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "grader"
# Words only Practical-1 uses: its file-name rule, its conventions, its answer ids.
COURSE_WORDS = ("pen_paper", "batch-sum", "batch-mean", "practical-1", "ex2.", "y_out", "W_new")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_practical_1_words_in_the_package_code() -> None:
    found = []
    paths = sorted(PACKAGE.rglob("*.py"))
    assert len(paths) > 50  # the package itself, not an empty folder
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant):
                continue
            text = node.value
            if isinstance(text, str) and id(node) not in skip:
                hits = [w for w in COURSE_WORDS if w in text]
                if hits:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {hits}")
    assert found == []
