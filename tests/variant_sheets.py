"""Answer sheets of variant students, written as a student would (4 significant figures).

Exercise 2 is worked here by plain loops over the samples, from the student's data block, with
no code shared with the solver the grader uses; a `slip` replaces one hidden input s[i][j] by a
wrong value that the student then carries through the rest of the pass. The other exercises
are the correct answers of the sample sheet `submissions/pen_paper_lovelace.yaml`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
EDITION = "practical-1-variants"
CONVENTIONS = ("batch-sum", "batch-mean", "sequential")
PARTS = ("s", "z", "y_out", "loss", "delta_out", "delta_hidden", "grad_W", "grad_w", "W_new",
         "w_new")  # fmt: skip
Slip = tuple[int, int, float]  # sample, hidden unit, the wrong value written for s there


def _array(value: Any) -> np.ndarray:
    return np.array([[float(Fraction(v)) for v in row] for row in value]) if isinstance(
        value[0], (list, tuple)) else np.array([float(Fraction(v)) for v in value])  # fmt: skip


def worked(
    data: Mapping[str, Any], convention: str, slip: Slip | None = None, relu_prime: bool = True
) -> dict[str, Any]:
    """Every Exercise-2 value for `data` under `convention`, by loops over the samples;
    `relu_prime=False` is the student who forgets ReLU' in the backward pass."""
    W0, w0, X, Y = (_array(data[k]) for k in ("W", "w", "X", "y"))
    lr = float(Fraction(data["lr"]))
    W, w = W0.copy(), w0.copy()
    rows: dict[str, list[Any]] = {p: [] for p in PARTS[:8]}
    total_W, total_w = np.zeros_like(W), np.zeros_like(w)
    for i, (x, y) in enumerate(zip(X, Y, strict=True)):
        s = np.array([sum(x[a] * W[a, j] for a in range(len(x))) for j in range(len(w))])
        if slip is not None and slip[0] == i:
            s[slip[1]] = slip[2]
        z = np.where(s > 0, s, 0.0)
        y_out = float(sum(z[j] * w[j] for j in range(len(w))))
        d_out = y_out - y
        d_hid = np.array([d_out * w[j] * (1.0 if s[j] > 0 or not relu_prime else 0.0)
                          for j in range(len(w))])  # fmt: skip
        g_W = np.array([[x[a] * d_hid[j] for j in range(len(w))] for a in range(len(x))])
        g_w = d_out * z
        for key, value in zip(rows, (s, z, y_out, 0.5 * d_out**2, d_out, d_hid, g_W, g_w),
                              strict=True):  # fmt: skip
            rows[key].append(value)
        if convention == "sequential":
            W, w = W - lr * g_W, w - lr * g_w
        else:
            total_W, total_w = total_W + g_W, total_w + g_w
    out: dict[str, Any] = {k: np.array(v) for k, v in rows.items()}
    if convention != "sequential":
        scale = 1.0 if convention == "batch-sum" else 1.0 / len(X)
        out["grad_W"], out["grad_w"] = total_W * scale, total_w * scale
        W, w = W0 - lr * out["grad_W"], w0 - lr * out["grad_w"]
    out["W_new"], out["w_new"] = W, w
    return out


def rounded(value: Any, figures: int = 4) -> Any:
    """Nested lists of floats at `figures` significant figures (as a student writes them)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return [rounded(v, figures) for v in value]
    return float(f"{value:.{figures}g}")


def _other_answers() -> dict[str, Any]:
    sample = yaml.safe_load((ROOT / "submissions" / "pen_paper_lovelace.yaml").read_text())
    return {k: v for k, v in sample["answers"].items() if k != "ex2"}


def sheet(student_id: str, name: str, ex2: Mapping[str, Any], convention: str | None,
          assignment: str = EDITION, **changed: str) -> dict[str, Any]:  # fmt: skip
    """A whole answer sheet: the correct other exercises (`ex1__dL_dW1="..."` replaces one)
    and these Exercise-2 values."""
    values: dict[str, Any] = {"convention": convention} if convention else {}
    values.update({part: rounded(ex2[part]) for part in PARTS})
    answers = _other_answers()
    for dotted, text in changed.items():
        question, part = dotted.split("__")
        answers[question] = {**answers[question], part: text}
    return {
        "student": {"id": student_id, "name": name},
        "assignment": assignment,
        "answers": {"ex1": answers["ex1"], "mini": answers["mini"], "ex2": values,
                    "ex3": answers["ex3"], "ex4": answers["ex4"]},
    }  # fmt: skip


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return json.dumps(value)


def _entry(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, str) and "\n" in value.strip():
        return [f"{indent}{key}: |", *(f"{indent}  {line}" for line in value.strip().splitlines())]
    return [f"{indent}{key}: {_flow(value)}"]


def write(folder: Path, filename: str, content: Mapping[str, Any], comment: str = "") -> Path:
    """Write a sheet as a student would: one line per answer, arrays as nested lists."""
    lines = [f"# {line}" for line in comment.splitlines()]
    student = content["student"]
    lines += ["student:", f"  id: {json.dumps(student['id'])}",
              f"  name: {json.dumps(student['name'])}",
              f"assignment: {content['assignment']}", "answers:"]  # fmt: skip
    for question, answers in content["answers"].items():
        lines.append(f"  {question}:")
        for key, value in answers.items():
            lines += _entry(key, value, "    ")
    path = folder / filename
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SAMPLE_SECRET = "grader samples: a published secret, never a course's own"
SAMPLES = ROOT / "submissions-variants"
UNUSUAL = "(y_out - y_gt) * f3'(s_out) * W_out * W2 * x_in"  # two derivatives missing


def write_samples(folder: Path = SAMPLES) -> None:
    """The sample sheets of the variant edition (numbers keyed with SAMPLE_SECRET)."""
    from grader.checkers.registry import REGISTRY
    from grader.rubric.draw import load_drawer
    from grader.rubric.load import load_rubric

    rubric = load_rubric(ROOT / "rubrics" / f"{EDITION}.yaml", REGISTRY)
    drawer = load_drawer(rubric, SAMPLE_SECRET.encode())

    def own(student: str) -> Mapping[str, Any]:
        return drawer.variant(student).data

    slipped = worked(own("s2000003"), "batch-mean")["s"][1][2]
    samples = [
        ("pen_paper_agnesi.yaml", "s2000001", "Maria Agnesi", worked(own("s2000001"), "batch-sum"),
         "batch-sum", {}, "All correct on her own numbers, batch-sum named."),
        ("pen_paper_bernoulli.yaml", "s2000002", "Daniel Bernoulli",
         worked(own("s2000002"), "sequential"), None, {},
         "All correct, sequential convention not named (the best-scoring one is chosen)."),
        ("pen_paper_cartwright.yaml", "s2000003", "Mary Cartwright",
         worked(own("s2000003"), "batch-mean", slip=(1, 2, -float(slipped))), "batch-mean", {},
         "A sign slip in s (sample 2, unit 3), carried through the rest of her own pass."),
        ("pen_paper_dirac.yaml", "s2000004", "Paul Dirac", worked(own("s2000001"), "batch-sum"),
         "batch-sum", {}, "Exercise 2 worked on Agnesi's numbers, not his own: flagged."),
        ("pen_paper_erdos.yaml", "s2000005", "Paul Erdos", worked(rubric.data, "batch-sum"),
         "batch-sum", {}, "Exercise 2 worked on the printed sheet's numbers: flagged."),
        ("pen_paper_germain.yaml", "s2000006", "Sophie Germain",
         worked(own("s2000006"), "batch-sum", relu_prime=False), "batch-sum",
         {"ex1__dL_dW1": UNUSUAL},
         "Forgot ReLU' in delta_hidden (carried after it); an unusual wrong dL/dW1 that Hypatia\n"
         "also wrote."),
        ("pen_paper_hypatia.yaml", "s2000007", "Hypatia",
         worked(own("s2000007"), "sequential", relu_prime=False), "sequential",
         {"ex1__dL_dW1": UNUSUAL}, "The same two mistakes as Germain, on her own numbers."),
    ]  # fmt: skip
    folder.mkdir(exist_ok=True)
    for filename, student, name, ex2, convention, changed, comment in samples:
        content = sheet(student, name, ex2, convention, **changed)
        write(folder, filename, content, comment)


if __name__ == "__main__":
    write_samples()
