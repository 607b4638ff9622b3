"""The keyed draw: deterministic per student, different between students and between secrets,
on the declared lattice, accepted by the solver's conditions, with a bounded number of redraws."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from grader.checkers.registry import REGISTRY
from grader.rubric.draw import KeyedStream, Variant, draw_stats, load_drawer, variant_label
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric
from grader.rubric.secret import read_secret
from grader.rubric.spec import Rubric
from grader.rubric.variants import SecretSpec

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "rubrics" / "practical-1-variants.yaml"
SECRET = b"a course secret of the tests, 32b"
STUDENTS = [f"s{2000000 + i}" for i in range(60)]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(EDITION, REGISTRY)


def _variants(rubric: Rubric, secret: bytes) -> list[Variant]:
    drawer = load_drawer(rubric, secret)
    return [drawer.variant(s) for s in STUDENTS]


def test_the_same_student_always_gets_the_same_numbers(rubric: Rubric) -> None:
    first = load_drawer(rubric, SECRET).variant("s1234567")
    again = load_drawer(load_rubric(EDITION, REGISTRY), SECRET).variant("s1234567")
    assert first == again and first.label == variant_label(first.data)


def test_different_students_get_different_numbers(rubric: Rubric) -> None:
    variants = _variants(rubric, SECRET)
    assert len({v.label for v in variants}) == len(STUDENTS)
    for datum in ("W", "X", "w"):  # each drawn matrix differs too, not just the whole block
        assert len({v.data[datum] for v in variants}) == len(STUDENTS)


def test_a_changed_secret_changes_everything(rubric: Rubric) -> None:
    old = _variants(rubric, SECRET)
    new = _variants(rubric, SECRET[:-1] + b"c")
    for a, b in zip(old, new, strict=True):
        assert a.data["W"] != b.data["W"] and a.data["X"] != b.data["X"]


def test_drawn_numbers_follow_the_declaration(rubric: Rubric) -> None:
    for variant in _variants(rubric, SECRET):
        data = variant.data
        assert data["lr"] == "0.5"  # fixed
        W = [Fraction(v) for row in data["W"] for v in row]
        assert len(data["W"]) == 2 and all(len(r) == 3 for r in data["W"])
        assert all(-1 <= v <= 1 and len(t.split(".")[1]) == 2 for v, t in zip(
            W, [t for row in data["W"] for t in row], strict=True))  # fmt: skip
        assert all(Fraction(v) * 20 == int(Fraction(v) * 20) for row in data["X"] for v in row)
        assert all(Fraction("-0.8") <= Fraction(v) <= Fraction("0.8") for r in data["X"] for v in r)
        assert set(data["y"]) == {"1", "-1"}  # both_classes holds


def test_every_accepted_draw_meets_the_practical_1_conditions(rubric: Rubric) -> None:
    from reference_solutions.practical_1.conditions import CONDITIONS

    for variant in _variants(rubric, SECRET):
        assert all(condition(variant.data) for condition in CONDITIONS.values())


def test_rejected_draws_are_redrawn_a_bounded_number_of_times(rubric: Rubric) -> None:
    drawer = load_drawer(rubric, SECRET)
    stats = draw_stats(drawer, STUDENTS)
    assert stats.attempts > stats.students  # the conditions do reject some draws
    assert 0 < stats.rejection_rate < 0.9
    redrawn = next(s for s in STUDENTS if drawer.variant(s).attempt > 0)
    rejected = drawer.candidate(redrawn, 0)
    assert drawer.failed(rejected) is not None


def _edition_problems(tmp_path: Path, old: str, new: str) -> list[str]:
    """The drawer's problems with the variant edition edited (beside a copy of its base)."""
    base = (ROOT / "rubrics" / "practical-1.yaml").read_text(encoding="utf-8")
    (tmp_path / "practical-1.yaml").write_text(base, encoding="utf-8")
    path = tmp_path / "edition.yaml"
    path.write_text(EDITION.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_drawer(load_rubric(path, REGISTRY), SECRET)
    return caught.value.problems


def test_conditions_that_reject_too_much_are_a_rubric_error(tmp_path: Path) -> None:
    problems = _edition_problems(tmp_path, "max_draws: 200", "max_draws: 2")
    assert any("variants.max_draws" in p for p in problems)


def test_an_unknown_condition_lists_the_valid_ones(tmp_path: Path) -> None:
    (problem,) = _edition_problems(tmp_path, "both_classes,", "both_klasses,")
    assert "both_klasses" in problem and "hidden_units_mixed" in problem


def test_the_stream_is_uniform_and_keyed() -> None:
    stream = KeyedStream(SECRET, "label")
    counts = Counter(stream.below(7) for _ in range(7000))
    assert set(counts) == set(range(7)) and all(850 < n < 1150 for n in counts.values())
    first = [KeyedStream(SECRET, "label").below(1000) for _ in range(1)]
    again = KeyedStream(SECRET, "label")
    drawn = [again.below(1000) for _ in range(20)]
    assert drawn[:1] == first  # the same key and label: the same numbers
    other_label = KeyedStream(SECRET, "label2")
    other_key = KeyedStream(SECRET + b"!", "label")
    assert drawn != [other_label.below(1000) for _ in range(20)]
    assert drawn != [other_key.below(1000) for _ in range(20)]


# -- the secret ---------------------------------------------------------------------------------


def _course(tmp_path: Path) -> Path:
    rubric = tmp_path / "course" / "rubrics" / "a.yaml"
    rubric.parent.mkdir(parents=True)
    rubric.write_text("", encoding="utf-8")
    return rubric


def test_the_secret_comes_from_the_environment_first(tmp_path: Path) -> None:
    rubric = _course(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_text("from the file, 16+ chars\n", encoding="utf-8")
    spec = SecretSpec(env="S", file=str(outside))
    assert read_secret(spec, rubric, {"S": " from the environment "}) == b"from the environment"
    assert read_secret(spec, rubric, {}) == b"from the file, 16+ chars"


def test_a_secret_inside_the_course_folder_is_refused(tmp_path: Path) -> None:
    rubric = _course(tmp_path)
    inside = rubric.parent.parent / "secret.txt"
    inside.write_text("a long enough secret text", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        read_secret(SecretSpec(env=None, file="../secret.txt"), rubric, {})
    assert "inside the course folder" in caught.value.problems[0]


def test_no_secret_or_a_short_one_is_an_error_saying_where_to_put_it(tmp_path: Path) -> None:
    rubric = _course(tmp_path)
    spec = SecretSpec(env="COURSE_SECRET", file=str(tmp_path / "none.txt"))
    with pytest.raises(RubricError) as caught:
        read_secret(spec, rubric, {})
    assert "$COURSE_SECRET" in caught.value.problems[0] and "none.txt" in caught.value.problems[0]
    with pytest.raises(RubricError):
        read_secret(spec, rubric, {"COURSE_SECRET": "short"})


def test_the_secret_never_shows_in_a_repr(rubric: Rubric) -> None:
    drawer = load_drawer(rubric, SECRET)
    assert SECRET.decode() not in repr(drawer) and SECRET.decode() not in str(drawer)
