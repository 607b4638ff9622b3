"""`grade key`: the reference sheet reproduces an independent derivation and grades full marks."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from grader.cli import main
from grader.pipeline import BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[1]
CONVENTIONS = ("batch-sum", "batch-mean", "sequential")

# The sheet's data, written out here on purpose: this derivation must not share code or data
# with the solver it checks.
W0 = np.array([[0.60, 0.70, 0.00], [0.01, 0.43, 0.88]])
w0 = np.array([0.02, 0.03, 0.09])
X = np.array([[0.75, 0.80], [0.20, 0.05], [-0.75, 0.80], [0.20, -0.05]])
Y = np.array([1.0, 1.0, -1.0, -1.0])
LR = 0.5


def _independent(convention: str) -> dict[str, np.ndarray]:
    """Forward and backward pass by plain loops over samples."""
    W, w = W0.copy(), w0.copy()
    rows: dict[str, list[np.ndarray]] = {
        k: [] for k in ("s", "z", "y_out", "loss", "delta_out", "delta_hidden", "grad_W", "grad_w")
    }
    total_W, total_w = np.zeros_like(W), np.zeros_like(w)
    for x, y in zip(X, Y, strict=True):
        s = np.array([sum(x[a] * W[a, j] for a in range(2)) for j in range(3)])
        z = np.where(s > 0, s, 0.0)
        y_out = float(sum(z[j] * w[j] for j in range(3)))
        d_out = y_out - y
        d_hid = np.array([d_out * w[j] * (1.0 if s[j] > 0 else 0.0) for j in range(3)])
        g_W = np.array([[x[a] * d_hid[j] for j in range(3)] for a in range(2)])
        g_w = d_out * z
        for key, value in zip(
            rows, (s, z, y_out, 0.5 * d_out**2, d_out, d_hid, g_W, g_w), strict=True
        ):
            rows[key].append(np.asarray(value))
        if convention == "sequential":
            W, w = W - LR * g_W, w - LR * g_w
        else:
            total_W, total_w = total_W + g_W, total_w + g_w
    out = {k: np.array(v) for k, v in rows.items()}
    if convention != "sequential":
        scale = 1.0 if convention == "batch-sum" else 1.0 / len(X)
        out["grad_W"], out["grad_w"] = total_W * scale, total_w * scale
        W, w = W0 - LR * out["grad_W"], w0 - LR * out["grad_w"]
    out["W_new"], out["w_new"] = W, w
    return out


def _key(convention: str) -> str:
    buffer = io.StringIO()
    assert main(["key", "practical-1", "--convention", convention], buffer, io.StringIO()) == 0
    return buffer.getvalue()


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_key_reproduces_an_independent_derivation(convention: str) -> None:
    sheet = yaml.safe_load(_key(convention))  # our own output, not student input
    ex2 = sheet["answers"]["ex2"]
    assert ex2["convention"] == convention
    expected = _independent(convention)
    for part, value in expected.items():
        got = np.array(ex2[part], dtype=float)
        assert got.shape == value.shape, part
        np.testing.assert_allclose(got, value, rtol=0, atol=1e-9, err_msg=part)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_the_key_sheet_scores_full_marks(convention: str, tmp_path: Path) -> None:
    (tmp_path / "pen_paper_key.yaml").write_text(_key(convention), encoding="utf-8")
    batch = grade_folder(
        BatchOptions(folder=tmp_path, rubric=ROOT / "rubrics/practical-1.yaml", workers=0)
    )
    (row,) = batch.gradebook.rows
    by_part = {p.answer_id: p for p in row.parts}
    for part in row.parts:
        assert part.points == part.max_points, (part.answer_id, part.feedback)
    assert by_part["ex2.s"].detail["convention"] == convention
    assert row.base == 30 and row.total == 30


def test_unknown_convention_is_a_usage_error() -> None:
    err = io.StringIO()
    assert main(["key", "practical-1", "--convention", "batch-median"], io.StringIO(), err) == 2
    assert "batch-median" in err.getvalue()
