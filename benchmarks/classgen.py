"""A realistic generated Practical-1 class, for benchmarks (never for tests' expected values).

    PYTHONPATH=. python benchmarks/classgen.py FOLDER [N] [--seed S]

Every sheet is different, as in a real class: each student picks a convention (and names it,
a synonym of it, a misspelling of it, or nothing), rounds to their own number of decimals or
significant figures, sometimes slips in one entry of Exercise 2 and then carries the error
correctly into every later part (recomputed from their own rounded values by the reference
solver), writes the weight matrices in either orientation and vectors as rows or columns, and
leaves parts out. Symbolic answers come in many equivalent forms (factor order, multiplication
signs, spacing, name aliases, plain text or LaTeX, scalar or matrix notation, `dL/dW = ...`),
with the typical mistakes (sign, a missing activation derivative, a missing transpose) and
mistyped forms that do not parse. Free text mixes sentences that carry the ideas with ones that
do not. About 5% of the sheets are notebooks, a few files are broken or lack a student block.

The class is a pure function of (N, seed): the same call writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reference_solutions.practical_1.ex2 import PARTS, Ex2Chain

RUBRIC_DATA = {
    "W": [["0.60", "0.70", "0.00"], ["0.01", "0.43", "0.88"]],
    "w": ["0.02", "0.03", "0.09"],
    "X": [["0.75", "0.80"], ["0.20", "0.05"], ["-0.75", "0.80"], ["0.20", "-0.05"]],
    "y": ["1", "1", "-1", "-1"],
    "lr": "0.5",
}
CONVENTIONS = ("batch-sum", "batch-mean", "sequential")
NAMES = {
    "batch-sum": ("batch-sum", "sum", "batch", "Batch-Sum", "full-batch", "bacth-sum"),
    "batch-mean": ("batch-mean", "mean", "average", "averaged", "Batch mean", "mena"),
    "sequential": ("sequential", "online", "sgd", "per-sample", "Sequential", "seqential"),
}
FIRST = ("Ada", "Alan", "Emmy", "Carl", "Grace", "Kurt", "Sofia", "Niels", "Marie", "Srinivasa",
         "Hedy", "John", "Mary", "Paul", "Lise", "Henri", "Rosa", "Felix", "Olga", "Yuki")
LAST = ("Lovelace", "Turing", "Noether", "Gauss", "Hopper", "Goedel", "Kovalevskaya", "Bohr",
        "Curie", "Ramanujan", "Lamarr", "Neumann", "Somerville", "Dirac", "Meitner", "Poincare",
        "Luxemburg", "Klein", "Taussky", "Tanaka")


# ---------------------------------------------------------------------------------------------
# symbolic answers


def _mul(rng: random.Random, latex: bool) -> str:
    if latex:
        return rng.choice((" ", "\\, ", " \\cdot ", ""))
    return rng.choice((" * ", "*", " ", " * ", "·"))


def _product(rng: random.Random, factors: Sequence[str], latex: bool, shuffle: bool) -> str:
    order = list(factors)
    if shuffle:
        rng.shuffle(order)
    out = order[0]
    for factor in order[1:]:
        sep = _mul(rng, latex)
        # Juxtaposition needs a separator between two plain names (`z2f3` is one name).
        if sep == "" and not (out.endswith(")") or factor.startswith("(")):
            sep = " "
        out += sep + factor
    return out


def _names(rng: random.Random, latex: bool) -> dict[str, str]:
    """One spelling per quantity, as a student would pick it for the whole sheet."""
    if latex:
        return {
            "err": rng.choice(("(y_{out}-y_{gt})", "(y_{out} - y_{gt})", "(\\hat{y} - y)")),
            "nerr": rng.choice(("(y_{gt}-y_{out})", "(y - y_{out})")),
            "f3": rng.choice(("f_3'(s_{out})", "f_3^{\\prime}(s_{out})", "f_{3}'(s_3)")),
            "f2": rng.choice(("f_2'(s_2)", "f_{2}'(s_{2})", "f_2^{\\prime}(s_2)")),
            "f1": rng.choice(("f_1'(s_1)", "f_{1}'(s_{1})")),
            "z2": rng.choice(("z_2", "z_{2}", "f_2(s_2)")),
            "z1": rng.choice(("z_1", "z_{1}", "f_1(s_1)")),
            "x": rng.choice(("x_{in}", "x", "x_{0}")),
            "Wout": rng.choice(("W_{out}", "W_3", "w_{out}")),
            "W2": rng.choice(("W_2", "W_{2}", "w_2")),
            "T": rng.choice(("^{T}", "^T", "^{\\top}")),
            "odot": rng.choice((" \\odot ", "\\odot ")),
        }
    return {
        "err": rng.choice(("(y_out - y_gt)", "(y_out-y_gt)", "(yhat - y)", "(z_out - y_gt)",
                           "(z3 - y)")),
        "nerr": rng.choice(("(y_gt - y_out)", "(y - yhat)")),
        "f3": rng.choice(("f3'(s_out)", "f_3'(s_out)", "f3'(s3)", "f3'(W_out z2)")),
        "f2": rng.choice(("f2'(s2)", "f_2'(s_2)", "f2'(W2 z1)")),
        "f1": rng.choice(("f1'(s1)", "f_1'(s_1)", "f1'(W1 x_in)")),
        "z2": rng.choice(("z2", "z_2", "f2(s2)")),
        "z1": rng.choice(("z1", "z_1", "f1(s1)")),
        "x": rng.choice(("x_in", "x", "x_0")),
        "Wout": rng.choice(("W_out", "W3", "w_out")),
        "W2": rng.choice(("W2", "W_2", "w2")),
        "T": "^T",
        "odot": rng.choice((" .* ", " ⊙ ", ".*")),
    }


def _ex1(rng: random.Random, latex: bool, n: dict[str, str]) -> dict[str, str]:
    """Exercise 1: scalar products in any order, or the matrix forms; mistakes on purpose."""
    matrix = rng.random() < 0.3
    err = n["err"]
    mistake = rng.random()
    if mistake < 0.08:
        err = n["nerr"]  # sign
    drop = 0.08 <= mistake < 0.16  # a missing activation derivative
    scalar = {
        "dL_dWout": [err, n["f3"], n["z2"]],
        "dL_dW2": [err, n["f3"], n["Wout"], n["f2"], n["z1"]],
        "dL_dW1": [err, n["f3"], n["Wout"], n["f2"], n["W2"], n["f1"], n["x"]],
    }
    out = {}
    for part, factors in scalar.items():
        factors = list(factors)
        if drop and len(factors) > 3 and rng.random() < 0.5:
            factors.remove(n["f2"])
        if matrix:
            out[part] = _matrix_form(part, rng, latex, n, err, factors)
        else:
            out[part] = _product(rng, factors, latex, shuffle=rng.random() < 0.6)
        if rng.random() < 0.1:
            out[part] = ("\\frac{\\partial L}{\\partial W} = " if latex else "dL/dW = ") + out[part]
    return out


def _matrix_form(
    part: str, rng: random.Random, latex: bool, n: dict[str, str], err: str, factors: list[str]
) -> str:
    T, od = n["T"], n["odot"]
    miss_t = rng.random() < 0.1  # the typical missing transpose
    t_or = "" if miss_t else T
    if part == "dL_dWout":
        return f"{err}{_mul(rng, latex)}{n['f3']}{_mul(rng, latex)}{n['z2']}{T}"
    head = f"({n['Wout']}{t_or} {err} {n['f3']})"
    inner = f"({head}{od}{n['f2']})" if n["f2"] in factors else head
    if part == "dL_dW2":
        return f"{inner} {n['z1']}{T}"
    return f"(({n['W2']}{T} {inner}){od}{n['f1']}) {n['x']}{T}"


def _mini(rng: random.Random, latex: bool) -> str:
    delta, z = ("\\delta_k", "z_{k-1}") if latex else (rng.choice(("delta_k", "δ_k")), "z_{k-1}")
    T = rng.choice(("^{T}", "^{\\top}")) if latex else "^T"
    roll = rng.random()
    if roll < 0.55:
        return _product(rng, [delta, z + T], latex, shuffle=False)
    if roll < 0.75:
        return _product(rng, [z, delta + T], latex, shuffle=False)
    if roll < 0.85:
        return f"W_k{T} {delta}"  # wrong
    if roll < 0.92:
        return f"{delta} {z}{T}{T}"  # wrong: z z^TT is z
    return rng.choice(("delta_k * z_{k-1^T", "dz/dW", "delta_k z_{k-1}^T)"))  # mistyped


def _ex3(rng: random.Random, latex: bool) -> dict[str, str]:
    """Exercise 3: one expression or the two cases, plain or LaTeX; some wrong, some broken."""
    y = rng.choice(("y_i", "y")) if not latex else rng.choice(("y_i", "{y_i}"))
    m = rng.choice(("margin", "m", "Delta")) if not latex else rng.choice(("m", "\\Delta"))
    if latex:
        ind = f"\\mathbb{{1}}[p_l - p_{{{y}}} + {m} > 0]"
        sum_ = f"\\sum_{{l \\neq {y}}}"
        sign = "-" if rng.random() > 0.1 else ""
        if rng.random() < 0.5:
            return {"gradient": f"{sum_} {ind} \\left( p_l (\\delta_{{lj}} - p_j) - p_{{{y}}} "
                                f"(\\delta_{{{y} j}} - p_j) \\right)"}
        return {
            "gradient_j_ne_y": f"p_j \\left( \\mathbb{{1}}[p_j - p_{{{y}}} + {m} > 0] - {sum_} "
                               f"{ind}\\,(p_l - p_{{{y}}}) \\right)",
            "gradient_j_eq_y": f"{sign}p_{{{y}}} {sum_} {ind}\\,(1 + p_l - p_{{{y}}})",
        }
    ind = f"1[p_l - p_{{{y}}} + {m} > 0]"
    sum_ = rng.choice((f"sum_{{l != {y}}}", f"sum_{{l != {y}}} "))
    py = f"p_{{{y}}}"
    roll = rng.random()
    if roll < 0.45:
        inner = rng.choice((f"p_l * (delta_{{lj}} - p_j) - {py} * (delta_{{{y} j}} - p_j)",
                            f"p_l*(delta_{{lj}} - p_j) - {py}*(delta_{{{y} j}} - p_j)"))
        return {"gradient": f"{sum_} {ind} * ({inner})"}
    if roll < 0.9:
        sign = "-" if rng.random() > 0.12 else ""  # a sign error in one case
        return {
            "gradient_j_ne_y": f"p_j (1[p_j - {py} + {m} > 0] - {sum_} {ind} (p_l - {py}))",
            "gradient_j_eq_y": f"{sign}{py} {sum_} {ind} (1 + p_l - {py})",
        }
    if roll < 0.95:
        return {"gradient": f"{sum_} {ind} * (p_l - {py})"}  # wrong (forgot the softmax)
    return {"gradient": f"sum_{{l != {y}}} 1[p_l - {py} + {m} > 0 * (p_l - {py}"}  # broken


# ---------------------------------------------------------------------------------------------
# Exercise 2


def _round(rng: random.Random) -> Callable[[float], float]:
    if rng.random() < 0.6:
        digits = rng.choice((2, 3, 4, 4, 4, 5))
        return lambda v: round(v, digits)
    figures = rng.choice((3, 3, 4))
    return lambda v: float(f"{v:.{figures}g}")


def _ex2(
    rng: random.Random, solver: Ex2Chain, keys: dict[str, dict[str, np.ndarray]],
    data: Mapping[str, Any] = RUBRIC_DATA,
) -> dict:
    convention = rng.choice(CONVENTIONS)
    rounding = _round(rng)
    key = keys[convention]
    slip = rng.choice(PARTS[:8]) if rng.random() < 0.3 else None
    values: dict[str, np.ndarray] = {}
    changed = False
    for part in PARTS:
        if changed:
            given = {u: values.get(u) for u in solver.upstream(part, convention)}
            exact = solver.recompute(part, given, data, convention)
        else:
            exact = key[part]
        value = np.vectorize(rounding, otypes=[float])(np.asarray(exact, dtype=float))
        if part == slip:
            value = _slip(rng, part, value, values)
            changed = True
        values[part] = value
    out: dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.75:
        out["convention"] = rng.choice(NAMES[convention])
    stop = len(PARTS) - rng.choice((1, 2, 3)) if rng.random() < 0.12 else len(PARTS)
    for part in PARTS[:stop]:
        value = values[part]
        if part in ("grad_W", "W_new") and value.ndim >= 2 and rng.random() < 0.3:
            value = np.swapaxes(value, -1, -2)
        if value.ndim == 1 and rng.random() < 0.1:
            value = value[:, None]
        out[part] = _listed(rng, value)
    return out


def _slip(
    rng: random.Random, part: str, value: np.ndarray, upstream: dict[str, np.ndarray]
) -> np.ndarray:
    if part == "z" and "s" in upstream:
        return upstream["s"].copy()  # forgot the ReLU
    out = value.copy()
    flat = out.reshape(-1)
    index = rng.randrange(flat.size)
    flat[index] = -flat[index] if flat[index] and rng.random() < 0.5 else flat[index] * 1.5 + 0.1
    return out


def _listed(rng: random.Random, value: np.ndarray) -> Any:
    data = value.tolist()
    if rng.random() < 0.05:  # a few numbers written as strings, in exponent form
        return _strings(data)
    return data


def _strings(data: Any) -> Any:
    if isinstance(data, list):
        return [_strings(v) for v in data]
    return f"{data:.3e}" if data else "0"


# ---------------------------------------------------------------------------------------------
# free text

EX3_SENTENCES = (
    "The loss is zero once the true class beats every other class by at least the margin.",
    "Each other class whose probability comes within the margin of the true class adds a penalty.",
    "Minimising it pushes p_{y_i} up and the competing p_j down.",
    "It makes the network confident.",
    "It is like an SVM on top of the softmax.",
    "Wrong classes that are too close to the correct one are penalised.",
    "The gradient only flows through the violated margins.",
    "It wants the softmax probability of the correct class to be larger than the others.",
)
EX4_SENTENCES = (
    "Gradient checkpointing: keep only some activations and recompute the rest.",
    "Use smaller micro-batches and accumulate the gradients.",
    "Train in mixed precision (fp16 / bf16).",
    "Offload optimizer state to CPU memory.",
    "Buy a bigger GPU.",
    "Free activations as soon as their gradient has been computed.",
    "Shard the model over several devices (model parallelism).",
    "Use a smaller model.",
)


def _text(rng: random.Random, sentences: Sequence[str], most: int) -> str | None:
    if rng.random() < 0.1:
        return None
    chosen = rng.sample(list(sentences), rng.randint(1, most))
    return "\n".join(chosen) + "\n"


# ---------------------------------------------------------------------------------------------
# one sheet


def student_answers(
    index: int, rng: random.Random, solver: Ex2Chain, keys: dict,
    data: Mapping[str, Any] = RUBRIC_DATA,
) -> dict:
    """The answers block of student `index` (Exercise 2 worked on `data`)."""
    latex = rng.random() < 0.3
    names = _names(rng, latex)
    answers: dict[str, Any] = {}
    ex1 = _ex1(rng, latex, names)
    if rng.random() < 0.05:
        ex1.pop(rng.choice(sorted(ex1)))
    if rng.random() < 0.04:  # mistyped: unbalanced bracket or a stray character
        part = rng.choice(sorted(ex1))
        ex1[part] = ex1[part].replace(")", "", 1) if ")" in ex1[part] else ex1[part] + " $"
    answers["ex1"] = ex1
    if rng.random() < 0.95:
        answers["mini"] = {"dW_k": _mini(rng, latex)}
    answers["ex2"] = _ex2(rng, solver, keys, data)
    ex3: dict[str, Any] = {}
    explanation = _text(rng, EX3_SENTENCES, 3)
    if explanation:
        ex3["explanation"] = explanation
    if rng.random() < 0.93:
        ex3.update(_ex3(rng, latex))
    answers["ex3"] = ex3
    bonus = _text(rng, EX4_SENTENCES, 4) if rng.random() < 0.6 else None
    if bonus:
        answers["ex4"] = {"answer": bonus}
    return answers


def _identity(index: int, rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"b{index:06d}", f"{first} {last}", f"pen_paper_{last.lower()}_{index:06d}"


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string
    return json.dumps(value)


def yaml_sheet(
    student: tuple[str, str] | None, answers: dict, assignment: str = "practical-1"
) -> str:
    """The sheet as YAML text (flow lists, quoted strings, block text for free text)."""
    lines = []
    if student is not None:
        lines += ["student:", f'  id: "{student[0]}"', f"  name: {_yaml_scalar(student[1])}"]
    lines += [f"assignment: {assignment}", "answers:"]
    for question, parts in answers.items():
        lines.append(f"  {question}:")
        for part, value in parts.items():
            if isinstance(value, str) and "\n" in value:
                lines.append(f"    {part}: |")
                lines += [f"      {line}" for line in value.rstrip("\n").split("\n")]
            else:
                lines.append(f"    {part}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def notebook_sheet(
    student: tuple[str, str], answers: dict, assignment: str = "practical-1"
) -> str:
    """The sheet as a notebook: a tagged raw student cell, markdown and code answer cells."""
    cells: list[dict[str, Any]] = [
        _cell("markdown", "# Practical-1: pen and paper exercises", []),
        _cell("raw", f'student:\n  id: "{student[0]}"\n  name: {_yaml_scalar(student[1])}\n'
                     f"assignment: {assignment}\n", ["student"]),
    ]
    for question, parts in answers.items():
        for part, value in parts.items():
            tag = [f"answer:{question}.{part}"]
            if isinstance(value, str):
                text = value if question != "ex1" and question != "mini" else f"${value}$"
                cells.append(_cell("markdown", text.replace("$dL/dW = ", "$"), tag))
            else:
                cells.append(_cell("code", f"{part} = {json.dumps(value)}", tag))
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3",
                "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    for number, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{number:03d}"
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _cell(kind: str, source: str, tags: list[str]) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {"tags": tags} if tags else {},
                            "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def write_class(
    folder: Path,
    count: int,
    seed: int = 0,
    variant_of: Callable[[str], Mapping[str, Any]] | None = None,
    assignment: str = "practical-1",
) -> list[Path]:
    """Write `count` sheets into `folder` (created); return their paths. With `variant_of`
    (student id -> data block) each student works Exercise 2 on their own numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    solver = Ex2Chain()
    keys = {c: solver.key(RUBRIC_DATA, c) for c in CONVENTIONS}
    paths = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        student_id, name, stem = _identity(index, rng)
        data = RUBRIC_DATA if variant_of is None else variant_of(student_id)
        own = keys if variant_of is None else {c: solver.key(data, c) for c in CONVENTIONS}
        answers = student_answers(index, rng, solver, own, data)
        roll = rng.random()
        who = (student_id, name)
        if roll < 0.05:
            path, text = folder / f"{stem}.ipynb", notebook_sheet(who, answers, assignment)
        elif roll < 0.053:
            path, text = folder / f"{stem}.yaml", yaml_sheet(who, answers, assignment)[:300]
        elif roll < 0.06:
            path, text = folder / f"{stem}.yaml", yaml_sheet(None, answers, assignment)
        else:
            path, text = folder / f"{stem}.yaml", yaml_sheet(who, answers, assignment)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write a class into a folder."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path)
    p.add_argument("count", type=int, nargs="?", default=1000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    paths = write_class(args.folder, args.count, args.seed)
    print(f"wrote {len(paths)} sheets to {args.folder}")


if __name__ == "__main__":
    main()
