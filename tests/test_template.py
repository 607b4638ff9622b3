"""Templates: every slot is offered, unfilled ones load as missing, filled ones load back by id."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from grader.loaders.notebook import load_notebook
from grader.loaders.tex import load_tex
from grader.loaders.yaml_sheet import load_yaml_sheet
from grader.model import AssignmentInfo, PartInfo, QuestionInfo, Reason, Submission
from grader.template import render_template

INFO = AssignmentInfo(
    id="demo-7",
    title="Demo: a small\nassignment",
    max_total=10,
    questions=(
        QuestionInfo(
            "q1",
            "Question one",
            6,
            False,
            (
                PartInfo("q1.a", "q1", 1, "symbolic", hint="f'(x) * x_1 # not a comment"),
                PartInfo("q1.b", "q1", 2, "numeric", shape="2 x 2", hint="a matrix:\nrows first"),
                PartInfo("q1.c", "q1", 2.5, "text", hint="explain", review=True),
                PartInfo("q1.deep.x", "q1", 0.5, "numeric", shape="3"),
            ),
        ),
        QuestionInfo(
            "q2",
            "Question two",
            4,
            True,
            (
                PartInfo(
                    "q2.mode",
                    "q2",
                    0,
                    "choice",
                    hint="optional",
                    scored=False,
                    choices=("sum", "mean"),
                ),
                PartInfo("q2.g", "q2", 4, "symbolic", hint="one expression"),
                PartInfo("q2.g_a", "q2", 0, "symbolic", scored=False, alternative_of="q2.g"),
                PartInfo("q2.g_b", "q2", 0, "symbolic", scored=False, alternative_of="q2.g"),
                PartInfo("q2.9lives", "q2", 0, "numeric", shape="1"),
                PartInfo("extra", "q2", 0, "text"),
            ),
        ),
    ),
)
ALTERNATIVES = {"q2.g_a", "q2.g_b"}
ALL_IDS = {p.answer_id for p in INFO.slots()}

# What a student writes into each kind of slot, and what the loader must deliver for it.
FILL_YAML = {
    "numeric": ("[[1.50, -2], [3e-1, 4]]", (("1.50", "-2"), ("3e-1", "4"))),
    "symbolic": ('"x^2 + y_{1}"', "x^2 + y_{1}"),
    "text": ("some words here", "some words here"),
    "choice": ("mean", "mean"),
}
FILL_NOTEBOOK = {
    "numeric": ("[[1.50, -2], [3e-1, 4]]", (("1.50", "-2"), ("3e-1", "4"))),
    "symbolic": ("$x^2 + y_{1}$", "x^2 + y_{1}"),
    "text": ("some words here", "some words here"),
    "choice": ("mean", "mean"),
}


def values(sub: Submission) -> dict[str, object]:
    return {k: v.value for k, v in sub.answers.items()}


def only_identity_fallback(sub: Submission) -> bool:
    return [m.reason for m in sub.messages] == [Reason.IDENTITY_FALLBACK]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        render_template(INFO, "pdf")


@pytest.mark.parametrize("fmt", ["yaml", "ipynb"])
def test_rendering_is_deterministic(fmt: str) -> None:
    assert render_template(INFO, fmt) == render_template(INFO, fmt)


def test_yaml_mentions_every_slot_hint_and_choice() -> None:
    text = render_template(INFO, "yaml")
    for part in INFO.slots():
        key = part.answer_id.split(".", 1)[-1] if part.answer_id != "extra" else "extra"
        assert key in text
        assert " ".join(part.hint.split()) in text
    assert "sum | mean" in text
    assert "2 x 2" in text


def test_unfilled_yaml_loads_with_every_answer_missing() -> None:
    sub = load_yaml_sheet(render_template(INFO, "yaml").encode(), "pen_paper_x.yaml")
    assert sub.readable and sub.assignment == "demo-7"
    assert only_identity_fallback(sub)
    # alternatives are commented out, so only the main slots are there, all empty
    assert values(sub) == {i: None for i in ALL_IDS - ALTERNATIVES}


def fill_yaml(text: str) -> str:
    """Fill every entry as a student would, uncommenting the alternatives."""
    kinds = {p.answer_id.rsplit(".", 1)[-1]: p.kind for p in INFO.slots()}
    kinds["deep.x"] = "numeric"
    out = []
    for line in text.splitlines():
        match = re.fullmatch(r'(\s+)(# )?("[^"]+"|[\w-]+):(\s+#.*)', line)
        key = match and match.group(3).strip('"')
        if match and key in kinds and not line.lstrip().startswith("# or"):
            value = FILL_YAML[kinds[key]][0]
            out.append(f"{match.group(1)}{match.group(3)}: {value}{match.group(4)}")
        else:
            out.append(line)
    return "\n".join(out).replace('  id: ""', "  id: s123").replace('name: ""', "name: Ada") + "\n"


def test_filled_yaml_loads_back_with_the_rubric_ids() -> None:
    sub = load_yaml_sheet(fill_yaml(render_template(INFO, "yaml")).encode(), "pen_paper_x.yaml")
    assert sub.readable and sub.messages == ()
    assert (sub.student_id, sub.name, sub.assignment) == ("s123", "Ada", "demo-7")
    assert values(sub) == {p.answer_id: FILL_YAML[p.kind][1] for p in INFO.slots()}


def test_notebook_validates_and_has_one_answer_cell_per_slot() -> None:
    nb = nbformat.reads(render_template(INFO, "ipynb"), as_version=4)
    nbformat.validate(nb)
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert sorted(t for t in tags if t.startswith("answer:")) == sorted(
        f"answer:{i}" for i in ALL_IDS
    )
    assert tags.count("student") == 1
    kinds = {f"answer:{p.answer_id}": p.kind for p in INFO.slots()}
    for cell in nb.cells:
        for tag in cell.metadata.get("tags", []):
            if tag in kinds:
                assert cell.cell_type == ("code" if kinds[tag] == "numeric" else "markdown")


def test_notebook_hint_cell_precedes_each_answer_cell() -> None:
    nb = nbformat.reads(render_template(INFO, "ipynb"), as_version=4)
    for before, cell in zip(nb.cells, nb.cells[1:], strict=False):
        for tag in cell.metadata.get("tags", []):
            if tag.startswith("answer:"):
                assert before.cell_type == "markdown"
                assert tag.removeprefix("answer:") in before.source


def test_unfilled_notebook_loads_with_every_answer_missing() -> None:
    sub = load_notebook(render_template(INFO, "ipynb").encode(), "pen_paper_x.ipynb")
    assert sub.readable and sub.fmt == "ipynb" and sub.assignment == "demo-7"
    assert only_identity_fallback(sub)
    assert values(sub) == {i: None for i in ALL_IDS}


def test_filled_notebook_loads_back_with_the_rubric_ids() -> None:
    nb = json.loads(render_template(INFO, "ipynb"))
    kinds = {f"answer:{p.answer_id}": p.kind for p in INFO.slots()}
    for cell in nb["cells"]:
        tags = cell["metadata"].get("tags", [])
        if "student" in tags:
            cell["source"] = "".join(cell["source"]).replace('id: ""', "id: s123")
        for tag in tags:
            if tag in kinds:
                text = FILL_NOTEBOOK[kinds[tag]][0]
                if cell["cell_type"] == "code":
                    cell["source"] = "".join(cell["source"]).replace("None", text)
                else:
                    cell["source"] = text
    sub = load_notebook(json.dumps(nb).encode(), "pen_paper_x.ipynb")
    assert sub.readable and sub.messages == ()
    assert (sub.student_id, sub.assignment) == ("s123", "demo-7")
    assert values(sub) == {p.answer_id: FILL_NOTEBOOK[p.kind][1] for p in INFO.slots()}


# What a student writes into each kind of slot of the LaTeX template, and what is read back.
FILL_TEX = {
    "numeric": ("\\begin{bmatrix} 1.50 & -2 \\\\ 3e-1 & 4 \\end{bmatrix}", (("1.50", "-2"), ("3e-1", "4"))),
    "symbolic": ("x^2 + y_1", "x^{2} + y_{1}"),
    "text": ("some words here", "some words here"),
    "choice": ("\\text{mean}", "mean"),
}


def test_tex_rendering_is_deterministic() -> None:
    assert render_template(INFO, "tex") == render_template(INFO, "tex")


def test_unfilled_tex_loads_with_every_answer_missing() -> None:
    sub = load_tex(render_template(INFO, "tex").encode(), "pen_paper_x.tex")
    assert sub.readable and sub.assignment == "demo-7"
    assert only_identity_fallback(sub)
    assert values(sub) == {i: None for i in ALL_IDS - ALTERNATIVES}


def test_filled_tex_loads_back_with_the_rubric_ids() -> None:
    text = render_template(INFO, "tex").replace("\\student{}{}", "\\student{s123}{Ada}")
    for part in INFO.slots():
        fill = FILL_TEX[part.kind][0]
        text = text.replace(f"% \\answer{{{part.answer_id}}}{{}}", f"\\answer{{{part.answer_id}}}{{}}")
        text = text.replace(f"\\answer{{{part.answer_id}}}{{}}", f"\\answer{{{part.answer_id}}}{{{fill}}}")
        opening = f"\\begin{{answertext}}{{{part.answer_id}}}"
        text = text.replace(f"% {opening}\n% \n% \\end", f"{opening}\n\n\\end")
        text = text.replace(f"{opening}\n\n", f"{opening}\n{fill}\n")
    sub = load_tex(text.encode(), "pen_paper_x.tex")
    assert sub.messages == ()
    assert (sub.student_id, sub.name, sub.assignment) == ("s123", "Ada", "demo-7")
    assert values(sub) == {p.answer_id: FILL_TEX[p.kind][1] for p in INFO.slots()}
