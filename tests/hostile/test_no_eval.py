"""No code in grader/ or reference_solutions/ calls anything that executes or unpickles text.

The promise of docs/security.md ("never executes student input") rests on never calling:
eval(, exec(, compile(, sympify(, parse_expr(, parse_latex(, lambdify(, S("..."),
yaml.load( / yaml.unsafe_load / yaml.full_load, pickle.load(s), marshal.loads,
ast.literal_eval -- nor importing those names under another name. The scan reads each module's
syntax tree, so comments and docstrings that mention the names (to explain why they are never
used) do not count, and `re.compile(` or `x.evalf(` are not confused with the builtins.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("grader", "reference_solutions")

BARE_BUILTINS = frozenset({"eval", "exec", "compile", "__import__"})
ANY_CALL = frozenset(
    {"sympify", "parse_expr", "parse_latex", "lambdify", "literal_eval", "unsafe_load",
     "full_load", "unsafe_load_all", "full_load_all"}
)  # fmt: skip
MODULE_CALLS = {
    "yaml": frozenset({"load", "load_all", "unsafe_load", "full_load", "unsafe_load_all"}),
    "pickle": frozenset({"load", "loads", "Unpickler"}),
    "marshal": frozenset({"load", "loads"}),
    "ast": frozenset({"literal_eval"}),
    "builtins": BARE_BUILTINS,
}
IMPORTS = {
    "yaml": MODULE_CALLS["yaml"],
    "pickle": MODULE_CALLS["pickle"],
    "marshal": MODULE_CALLS["marshal"],
    "ast": MODULE_CALLS["ast"],
    "builtins": BARE_BUILTINS,
    "sympy": frozenset({"sympify", "parse_expr", "lambdify", "S"}),
}


def _call_problem(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in BARE_BUILTINS or func.id in ANY_CALL:
            return f"{func.id}("
        if func.id == "S" and node.args and isinstance(node.args[0], ast.Constant):
            return 'S("...")'
    if isinstance(func, ast.Attribute):
        if func.attr in ANY_CALL:
            return f".{func.attr}("
        if func.attr == "S" and node.args and isinstance(node.args[0], ast.Constant):
            return '.S("...")'
        owner = func.value
        if isinstance(owner, ast.Name) and func.attr in MODULE_CALLS.get(owner.id, ()):
            return f"{owner.id}.{func.attr}("
    return None


def _import_problem(node: ast.ImportFrom) -> str | None:
    root = (node.module or "").split(".")[0]
    banned = IMPORTS.get(root, frozenset())
    names = [alias.name for alias in node.names if alias.name in banned]
    return f"from {node.module} import {', '.join(names)}" if names else None


def forbidden_calls(source: str) -> list[tuple[int, str]]:
    """(line, what) for every forbidden call or import in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            problem = _call_problem(node)
        elif isinstance(node, ast.ImportFrom):
            problem = _import_problem(node)
        else:
            continue
        if problem:
            found.append((node.lineno, problem))
    return found


def _modules() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (REPO / folder).rglob("*.py"))


def test_the_scan_finds_every_forbidden_form() -> None:
    source = "\n".join(
        [
            "eval(x)", "exec(x)", "compile(x, 'f', 'exec')", "__import__('os')",
            "sympy.sympify(x)", "sympify(x)", "parse_expr(x)", "lambdify(x, y)",
            "sympy.S('x')", "S(\"x\")", "yaml.load(x)", "yaml.unsafe_load(x)", "yaml.full_load(x)",
            "pickle.loads(x)", "marshal.loads(x)", "ast.literal_eval(x)", "builtins.eval(x)",
            "from yaml import load", "from pickle import loads", "from sympy import sympify",
            "from sympy.parsing.sympy_parser import parse_expr",
        ]
    )  # fmt: skip
    assert len(forbidden_calls(source)) == 21


def test_the_scan_ignores_docs_comments_and_look_alikes() -> None:
    source = '''
"""Never eval(x), exec(x), sympify(x) or yaml.load(x) anything."""
import re
# lambdify( would exec generated code
pattern = re.compile("x")
value = expr.evalf(subs={})
data = yaml.safe_load(text)
one = sympy.S.One
text = "pickle.loads(x)"
'''
    assert forbidden_calls(source) == []


def test_there_are_modules_to_scan() -> None:
    assert len(_modules()) > 20


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_calls_an_interpreter(path: Path) -> None:
    assert forbidden_calls(path.read_text(encoding="utf-8")) == []
