"""`variants:` and `extends:` in a rubric: what loads, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checkers.registry import REGISTRY
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
assignment: demo
solver: practical_1
data:
  W: [["0.60", "0.70", "0.00"], ["0.01", "0.43", "0.88"]]
  w: ["0.02", "0.03", "0.09"]
  X: [["0.75", "0.80"], ["0.20", "0.05"], ["-0.75", "0.80"], ["0.20", "-0.05"]]
  y: ["1", "1", "-1", "-1"]
  lr: "0.5"
questions:
  - id: q1
    parts:
      - {id: a, points: 1, check: numeric, reference: [1]}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(RubricError) as caught:
        load_rubric(path, REGISTRY)
    return [p[len(str(path)) + 2 :] for p in caught.value.problems]


def test_every_kind_of_datum_loads(tmp_path: Path) -> None:
    text = BASE + """\
variants:
  secret: {env: DEMO_SECRET, file: ~/.demo.secret}
  accept: [both_classes]
  max_draws: 50
  data:
    W: {shape: [2, 3], range: ["-1.00", "1.00"]}
    w: {shape: [3], grid: {from: "0.01", to: "0.10", step: "0.01"}}
    X: {choice: [[["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]]]}
    y: {shape: [4], choice: ["1", "-1"]}
    lr: {fixed: "0.5"}
"""
    spec = load_rubric(_write(tmp_path, "demo.yaml", text), REGISTRY).variants
    assert spec is not None
    assert [d.name for d in spec.data] == ["W", "w", "X", "y", "lr"]
    W, w, X, y, lr = spec.data
    assert W.lattice is not None and (W.lattice.count, W.lattice.decimals) == (201, 2)
    assert W.lattice.value(0) == "-1.00" and W.lattice.value(200) == "1.00"
    assert w.lattice is not None and w.lattice.count == 10 and w.lattice.value(9) == "0.10"
    assert X.shape is None and len(X.choices) == 1  # a whole matrix is one choice
    assert y.entries == 4 and y.options == 2
    assert lr.kind == "fixed" and lr.value == "0.5"
    assert (spec.accept, spec.max_draws, spec.secret.env) == (("both_classes",), 50, "DEMO_SECRET")


def test_a_rubric_without_variants_has_none(tmp_path: Path) -> None:
    rubric = load_rubric(_write(tmp_path, "demo.yaml", BASE), REGISTRY)
    assert rubric.variants is None and rubric.sheet == {}


def test_every_problem_of_a_variants_block_is_reported(tmp_path: Path) -> None:
    text = BASE + """\
variants:
  max_draws: 0
  colour: red
  secret: {env: "not a name"}
  accept: [ok, ok]
  data:
    W: {shape: [3, 2], range: ["-1.00", "1.00"]}
    w: {shape: [3], grid: {from: "0.10", to: "0.01", step: "0.01"}}
    X: {shape: [4, 2], grid: {from: "0", to: "1", step: "0"}}
    y: {shape: [4], choice: []}
    lr: {fixed: "0.5", range: ["0", "1"]}
    z: {fixed: "1"}
    q: {shape: [2], range: ["0.125", "1"], decimals: 2}
"""
    where = [p.split(":")[0] for p in _problems(_write(tmp_path, "demo.yaml", text))]
    for expected in (
        "variants.max_draws", "variants.colour", "variants.secret.env", "variants.accept",
        "variants.data.W.shape",  # not the shape of data.W
        "variants.data.w.grid",  # upper end below the lower end
        "variants.data.X.grid.step",  # zero step
        "variants.data.y.choice",  # empty
        "variants.data.lr",  # two kinds
        "variants.data.z",  # not in data:
        "variants.data.q.range",  # a bound with more places than `decimals`
    ):  # fmt: skip
        assert expected in where, expected


def test_sheet_names_text_files_per_format(tmp_path: Path) -> None:
    ok = load_rubric(_write(tmp_path, "a.yaml", BASE + "sheet: {markdown: a.md}\n"), REGISTRY)
    assert ok.sheet == {"markdown": "a.md"}
    assert "sheet" in [p.split(":")[0] for p in _problems(
        _write(tmp_path, "b.yaml", BASE + "sheet: {word: a.docx}\n")
    )]  # fmt: skip


def test_extends_replaces_top_level_keys_of_the_base(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", BASE)
    child = _write(tmp_path, "child.yaml", 'extends: base.yaml\nassignment: child\ntitle: "C"\n')
    rubric = load_rubric(child, REGISTRY)
    assert (rubric.id, rubric.title, rubric.path) == ("child", "C", str(child))
    assert rubric.data["lr"] == "0.5" and [q.id for q in rubric.questions] == ["q1"]


def test_extends_refuses_cycles_strangers_and_missing_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "extends: b.yaml\n" + BASE)
    _write(tmp_path, "b.yaml", "extends: a.yaml\n")
    assert any("cycle" in p for p in _problems(tmp_path / "a.yaml"))
    inner = tmp_path / "inner"
    inner.mkdir()
    assert any("outside" in p for p in _problems(_write(inner, "c.yaml", "extends: ../a.yaml\n")))
    assert any("no rubric file" in p for p in _problems(_write(inner, "d.yaml", "extends: x.yaml\n")))


def test_a_base_rubric_problem_names_the_base_file(tmp_path: Path) -> None:
    base = _write(tmp_path, "base.yaml", "assignment: [unclosed\n")
    child = _write(tmp_path, "child.yaml", "extends: base.yaml\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(child, REGISTRY)
    assert any(p.startswith(f"{base.resolve()}: ") for p in caught.value.problems)


def test_the_practical_1_variant_edition_loads_on_the_default_rubric() -> None:
    default = load_rubric(ROOT / "rubrics" / "practical-1.yaml", REGISTRY)
    edition = load_rubric(ROOT / "rubrics" / "practical-1-variants.yaml", REGISTRY)
    assert default.variants is None
    assert edition.variants is not None and edition.id == "practical-1-variants"
    assert edition.questions == default.questions and edition.data == default.data
    assert {d.name for d in edition.variants.data} == {"W", "w", "X", "y", "lr"}
    lr = edition.variants.datum("lr")
    assert lr is not None and lr.kind == "fixed" and lr.value == default.data["lr"]
