"""`variants:` in a rubric: how each datum of `data:` is drawn per student, validated on load.

```yaml
data:                       # the printed sheet's numbers: the default variant
  W: [["0.60", "0.70", "0.00"], ["0.01", "0.43", "0.88"]]
  lr: "0.5"
variants:
  secret: {env: GRADER_VARIANT_SECRET, file: ~/.config/grader/course.secret}
  accept: [hidden_units_mixed]        # CONDITIONS of the solver module, all must hold
  max_draws: 200                      # redraws before giving up (an error, never a silent default)
  data:
    W:  {shape: [2, 3], range: ["-1.00", "1.00"], decimals: 2}
    w:  {shape: [3], grid: {from: "0.01", to: "0.10", step: "0.01"}}
    y:  {shape: [4], choice: ["1", "-1"]}
    lr: {fixed: "0.5"}
```

A datum is `fixed` (the value as written), a `range` of decimals (`decimals:` places, by default
as many as its bounds are written with), a `grid` (`from`, `to`, `step`) or a `choice` among
values; with `shape:` every entry is drawn on its own, without it the datum is one draw (so a
`choice` may pick a whole matrix). Keys of `data:` that `variants.data` does not name are the
same for every student. A drawn datum must exist in `data:` with the declared shape, so the
printed sheet stays a valid variant. Numbers are exact (`Fraction`) and drawn values are written
as decimal text with a fixed number of places ("0.60"), as the solvers read `data:`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

DEFAULT_SECRET_ENV = "GRADER_VARIANT_SECRET"
DEFAULT_MAX_DRAWS = 100
MAX_DRAWS_LIMIT = 10_000
MAX_ENTRIES = 10_000  # entries of one drawn datum
MAX_DECIMALS = 12
KINDS = ("fixed", "range", "grid", "choice")
VARIANT_KEYS = frozenset({"secret", "accept", "max_draws", "data", "notes"})
DATUM_KEYS = frozenset({*KINDS, "shape", "decimals", "notes"})
SECRET_KEYS = frozenset({"env", "file"})
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")

Report = Callable[[str, str], None]  # (location, message)


@dataclass(frozen=True)
class Lattice:
    """Evenly spaced numbers `start + k * step` for k in 0..count-1, written with `decimals`
    places (a `range` is a lattice with step 10^-decimals)."""

    start: Fraction
    step: Fraction
    count: int
    decimals: int

    def value(self, index: int) -> str:
        """The index-th number as decimal text with exactly `decimals` places."""
        return decimal_places(self.start + index * self.step, self.decimals)


@dataclass(frozen=True)
class DatumSpec:
    """How one datum is drawn: `kind` is fixed, range, grid or choice."""

    name: str
    kind: str
    shape: tuple[int, ...] | None = None  # None: the datum is a single draw
    value: Any = None  # fixed: the value
    lattice: Lattice | None = None  # range, grid
    choices: tuple[Any, ...] = ()  # choice

    @property
    def entries(self) -> int:
        """How many independent draws the datum takes."""
        count = 1
        for size in self.shape or ():
            count *= size
        return count

    @property
    def options(self) -> int:
        """How many values one draw chooses among (1 for fixed)."""
        if self.lattice is not None:
            return self.lattice.count
        return len(self.choices) if self.kind == "choice" else 1


@dataclass(frozen=True)
class SecretSpec:
    """Where the course secret is read: an environment variable first, then a file (which
    must lie outside the course folder, so that it is never committed with the rubric)."""

    env: str | None = DEFAULT_SECRET_ENV
    file: str | None = None


@dataclass(frozen=True)
class VariantSpec:
    """A rubric's `variants:` block, validated."""

    data: tuple[DatumSpec, ...]
    accept: tuple[str, ...] = ()
    max_draws: int = DEFAULT_MAX_DRAWS
    secret: SecretSpec = SecretSpec()

    def datum(self, name: str) -> DatumSpec | None:
        """The declaration of datum `name`, or None when it is shared by every student."""
        return next((d for d in self.data if d.name == name), None)


def decimal_places(value: Fraction, places: int) -> str:
    """`value` (a multiple of 10^-places) as decimal text with exactly `places` places."""
    scaled = value * 10**places
    if scaled.denominator != 1:
        raise ValueError(f"{value} has more than {places} decimal places")
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    sign = "-" if scaled.numerator < 0 else ""
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def parse_variants(raw: Any, data: Mapping[str, Any], report: Report) -> VariantSpec | None:
    """The `variants:` block checked against `data:`; every problem goes to `report`."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        report("variants", "must be a mapping with `data:` (how each datum is drawn)")
        return None
    for key in sorted(set(map(str, raw)) - VARIANT_KEYS):
        report(f"variants.{key}", f"unknown key; valid keys: {', '.join(sorted(VARIANT_KEYS))}")
    declared = raw.get("data")
    if not isinstance(declared, Mapping) or not declared:
        report("variants.data", "required: a mapping from data names to how each is drawn")
        declared = {}
    datums = []
    for name, item in declared.items():
        datum = _datum(str(name), item, data, report)
        if datum is not None:
            datums.append(datum)
    return VariantSpec(
        data=tuple(datums),
        accept=_accept(raw.get("accept", ()), report),
        max_draws=_max_draws(raw.get("max_draws", DEFAULT_MAX_DRAWS), report),
        secret=_secret(raw.get("secret"), report),
    )


def _accept(raw: Any, report: Report) -> tuple[str, ...]:
    if not isinstance(raw, (list, tuple)) or not all(
        isinstance(n, str) and _NAME.match(n) for n in raw
    ):
        report("variants.accept", "a list of condition names from the solver's CONDITIONS")
        return ()
    if len(set(raw)) != len(raw):
        report("variants.accept", "names a condition twice")
    return tuple(dict.fromkeys(raw))


def _max_draws(raw: Any, report: Report) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_DRAWS_LIMIT:
        report("variants.max_draws", f"an integer from 1 to {MAX_DRAWS_LIMIT}")
        return DEFAULT_MAX_DRAWS
    return raw


def _secret(raw: Any, report: Report) -> SecretSpec:
    if raw is None:
        return SecretSpec()
    if not isinstance(raw, Mapping) or not set(map(str, raw)) <= SECRET_KEYS or not raw:
        report("variants.secret", "a mapping with `env:` (a variable name) and/or `file:`")
        return SecretSpec()
    env, file = raw.get("env"), raw.get("file")
    if env is not None and not (isinstance(env, str) and _ENV_NAME.match(env)):
        report("variants.secret.env", "an environment variable name such as GRADER_SECRET")
        env = None
    if file is not None and not (isinstance(file, str) and file.strip()):
        report("variants.secret.file", "a path, e.g. ~/.config/grader/course.secret")
        file = None
    return SecretSpec(env=env, file=file)


def _datum(name: str, item: Any, data: Mapping[str, Any], report: Report) -> DatumSpec | None:
    where = f"variants.data.{name}"
    if not isinstance(item, Mapping):
        report(where, f"must be a mapping with one of: {', '.join(KINDS)}")
        return None
    for key in sorted(set(map(str, item)) - DATUM_KEYS):
        report(f"{where}.{key}", f"unknown key; valid keys: {', '.join(sorted(DATUM_KEYS))}")
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        report(where, f"needs exactly one of: {', '.join(KINDS)}")
        return None
    if name not in data:
        report(where, "names no entry of `data:` (the printed sheet's numbers are a variant too)")
    shape = _shape(item.get("shape"), f"{where}.shape", report)
    kind = kinds[0]
    datum: DatumSpec | None
    if "decimals" in item and kind != "range":
        report(f"{where}.decimals", "only a `range` takes `decimals`")
    if kind == "fixed":
        datum = DatumSpec(name, kind, shape, value=item["fixed"])
    elif kind == "choice":
        datum = _choice(name, item["choice"], shape, where, report)
    else:
        lattice = (_range if kind == "range" else _grid)(item, f"{where}.{kind}", report)
        datum = DatumSpec(name, kind, shape, lattice=lattice) if lattice else None
    if datum is not None and name in data and kind != "fixed":
        _same_shape(datum, data[name], where, report)
    return datum


def _shape(raw: Any, where: str, report: Report) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, (list, tuple))
        or not 1 <= len(raw) <= 4
        or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in raw)
    ):
        report(where, "a list of 1 to 4 positive sizes, e.g. [2, 3]")
        return None
    count = 1
    for size in raw:
        count *= size
    if count > MAX_ENTRIES:
        report(where, f"more than {MAX_ENTRIES} entries")
        return None
    return tuple(raw)


def _choice(
    name: str, raw: Any, shape: tuple[int, ...] | None, where: str, report: Report
) -> DatumSpec | None:
    if not isinstance(raw, (list, tuple)) or not raw:
        report(f"{where}.choice", "a non-empty list of values")
        return None
    if shape is not None and not all(_is_number(v) for v in raw):
        report(f"{where}.choice", "with `shape:` every choice is a number (one per entry)")
        return None
    return DatumSpec(name, "choice", shape, choices=tuple(raw))


def _exact(raw: Any, where: str, report: Report) -> tuple[Fraction, int] | None:
    """A number written in the rubric, exactly, with the decimal places it is written with."""
    if not _is_number(raw):
        report(where, f"must be a number (best written as a string, e.g. \"0.05\"), not {raw!r}")
        return None
    text = str(raw).strip()
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        report(where, f"is not a decimal number: {raw!r}")
        return None
    places = _places(text)
    if places is None or places > MAX_DECIMALS:
        report(where, f"must be a decimal with at most {MAX_DECIMALS} places, not {raw!r}")
        return None
    return value, places


def _places(text: str) -> int | None:
    match = re.fullmatch(r"[+-]?\d+(?:\.(\d*))?", text)
    if match is None:
        return None
    return len(match.group(1) or "")


def _range(item: Mapping[str, Any], where: str, report: Report) -> Lattice | None:
    raw = item["range"]
    if not isinstance(raw, (list, tuple)) or len(raw) != 2:
        report(where, 'a pair [low, high], e.g. ["-1.00", "1.00"]')
        return None
    low, high = _exact(raw[0], f"{where}[0]", report), _exact(raw[1], f"{where}[1]", report)
    if low is None or high is None:
        return None
    places = item.get("decimals", max(low[1], high[1]))
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= MAX_DECIMALS:
        report(where.replace(".range", ".decimals"), f"an integer from 0 to {MAX_DECIMALS}")
        return None
    step = Fraction(1, 10**places)
    return _lattice(low[0], high[0], step, places, where, report)


def _grid(item: Mapping[str, Any], where: str, report: Report) -> Lattice | None:
    raw = item["grid"]
    if not isinstance(raw, Mapping) or set(map(str, raw)) != {"from", "to", "step"}:
        report(where, 'a mapping {from: "-0.80", to: "0.80", step: "0.05"}')
        return None
    ends = [_exact(raw[k], f"{where}.{k}", report) for k in ("from", "to", "step")]
    if any(e is None for e in ends):
        return None
    (start, p1), (stop, p2), (step, p3) = (e for e in ends if e is not None)
    if step <= 0:
        report(f"{where}.step", "must be positive")
        return None
    return _lattice(start, stop, step, max(p1, p2, p3), where, report)


def _lattice(
    low: Fraction, high: Fraction, step: Fraction, places: int, where: str, report: Report
) -> Lattice | None:
    if high < low:
        report(where, "the upper end is below the lower end")
        return None
    if (low * 10**places).denominator != 1:
        report(where, f"the lower end has more than {places} decimal places")
        return None
    count = int((high - low) // step) + 1
    return Lattice(low, step, count, places)


def _same_shape(datum: DatumSpec, value: Any, where: str, report: Report) -> None:
    """The declared shape must be that of the printed sheet's value (None: a single value)."""
    actual = shape_of(value)
    if datum.shape is None and datum.kind != "choice" and actual != ():
        report(f"{where}.shape", f"`data:` holds an array of shape {list(actual)}; declare it")
    elif datum.shape is not None and actual != datum.shape:
        shown = list(actual) if actual else "a single value"
        report(f"{where}.shape", f"is {list(datum.shape)} but `data:` holds {shown}")


def shape_of(value: Any) -> tuple[int, ...]:
    """The shape of nested lists (() for a scalar; ragged lists report their first row)."""
    shape: list[int] = []
    while isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _is_number(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)
