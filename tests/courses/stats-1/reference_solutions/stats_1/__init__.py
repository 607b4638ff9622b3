"""Stats-1 solvers, written from the course-authoring guide."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grader.engine import MistakeRule
from grader.engine.ir import Binary, Const
from grader.engine.mistakes import Variant


def _xs(data):
    return [Fraction(v) for v in data["x"]]


def mean(data):
    xs = _xs(data)
    return sum(xs) / len(xs)


def deviations(data):
    m = mean(data)
    return [x - m for x in _xs(data)]


def deviations_from(data, given):
    m = given["mean"] if given["mean"] is not None else float(mean(data))
    return [float(x) - float(m) for x in _xs(data)]


def _divisor(data):
    n = len(data["x"])
    return n if data["convention"] == "population" else n - 1


def variance(data):
    return sum(d * d for d in deviations(data)) / _divisor(data)


def variance_from(data, given):
    devs = given["deviations"]
    if devs is None:
        devs = [float(d) for d in deviations(data)]
    return sum(float(d) ** 2 for d in devs) / _divisor(data)


def _halved(reference):
    return [Variant(Binary("div", reference, Const(Fraction(2))), "You divided by 2.")]


MISTAKE_RULES = {"halved": MistakeRule("halved", _halved, on_values=lambda v: v / 2)}

SOLVERS: dict[str, Any] = {
    "mean": mean,
    "deviations": deviations,
    "deviations_from": deviations_from,
    "variance": variance,
    "variance_from": variance_from,
}
