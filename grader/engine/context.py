"""Rubric contexts: the quantities a symbolic answer may use, read from the rubric's YAML.

A context declares symbols (scalar, vector, matrix, function, family, label, count) with
shapes over named dimensions, spelling aliases and definitions (`z2 = f2(s2)`), optionally a
free index and the name of a solver-supplied instance sampler. `context_from_mapping` checks
everything and reports ALL problems at once as "where.symbols.x: message" lines.
Names match by loose spelling (see `grader.engine.symbols.name_key`).

An OPEN context (`open: true`, or `open_context()`) also accepts names it does not declare:
each is a real scalar, spelled exactly (`x1` and `x_1` differ, as in a CAS), optionally with an
assumption (`assume: {a: positive}`); a name used as a function in the answer or the reference
(with a prime, or with several arguments) is an arbitrary function. Open contexts are judged
in the scalar interpretation with high-precision (mpmath) evaluation, complex values allowed.
`constants` maps spellings to named constants (default: `e` and `pi`; a CAS-style table adds
`E` and the imaginary unit `I`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grader.engine.ir import CONSTANTS, IR, Sym, ir_walk
from grader.engine.resolve import ResolveError, resolve
from grader.engine.shapes import SCALAR, Dim, Shape, ShapeError, format_shape, plan
from grader.engine.symbols import SymbolInfo, SymbolKind, key_of, name_key, spelling_key
from grader.mathlang import ParseError, parse
from grader.mathlang.ast import Name, Node
from grader.model import frozen_mapping

Sampler = Callable[[np.random.Generator], Mapping[str, Any]]

# Kinds with a value that can be computed from a `define:`.
_DEFINABLE = frozenset({SymbolKind.SCALAR, SymbolKind.VECTOR, SymbolKind.MATRIX})
# Kinds whose values only a sampler can provide.
_SAMPLED_ONLY = frozenset({SymbolKind.FAMILY, SymbolKind.LABEL, SymbolKind.COUNT})
_SYMBOL_KEYS = frozenset({"kind", "shape", "aliases", "define"})
_CONTEXT_KEYS = frozenset(
    {"dims", "symbols", "sampler", "free_index", "open", "assume", "constants"}
)

# Assumptions an open name may carry (what it is known to be).
ASSUMPTIONS = frozenset({"positive", "negative", "nonnegative", "nonpositive", "integer"})
DEFAULT_CONSTANTS: Mapping[str, str] = frozen_mapping({"e": "e", "pi": "pi"})
CAS_CONSTANTS: Mapping[str, str] = frozen_mapping({"e": "e", "E": "e", "pi": "pi", "I": "i"})


class ContextError(Exception):
    """A context or reference that cannot be used at judging time (a rubric or solver bug,
    never the student's fault): e.g. a sampler returning a malformed instance."""


@dataclass(frozen=True)
class Context:
    """A checked context. `keys` maps every loose-spelling key (names and aliases) to the
    declared name; `definitions` holds the resolved `define:` trees, `matrix_definitions` the
    same planned for the matrix interpretation; `define_order` lists defined symbols so that
    each comes after everything its definition uses."""

    name: str
    symbols: Mapping[str, SymbolInfo]
    keys: Mapping[str, str]
    dims: tuple[str, ...] = ()
    free_index: str | None = None
    free_index_key: str | None = None
    sampler_name: str | None = None
    sampler: Sampler | None = field(default=None, compare=False)
    define_order: tuple[str, ...] = ()
    definitions: Mapping[str, IR] = field(default_factory=frozen_mapping)
    matrix_definitions: Mapping[str, IR] = field(default_factory=frozen_mapping)
    open: bool = False
    assumptions: Mapping[str, str] = field(default_factory=frozen_mapping)
    constants: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CONSTANTS)

    def lookup(self, key: str) -> SymbolInfo | None:
        """The symbol whose name or alias has this key, or None."""
        name = self.keys.get(key)
        return None if name is None else self.symbols[name]

    def shape_of(self, name: str) -> Shape:
        """The matrix-interpretation shape of a declared symbol (counts and labels: scalar)."""
        return self.symbols[name].shape or SCALAR

    @property
    def has_arrays(self) -> bool:
        """True when some symbol is a vector or a matrix."""
        return any(s.kind in (SymbolKind.VECTOR, SymbolKind.MATRIX) for s in self.symbols.values())

    def functions(self) -> tuple[str, ...]:
        """The declared function names, in declaration order."""
        return tuple(n for n, s in self.symbols.items() if s.kind is SymbolKind.FUNCTION)

    def declaring_functions(self, names: Iterable[str]) -> Context:
        """This context with `names` (exact spellings) declared as functions too: an open
        context's reading of names used as functions in an answer or a reference."""
        new = [n for n in sorted(set(names)) if n not in self.symbols]
        if not new:
            return self
        symbols = dict(self.symbols)
        keys = dict(self.keys)
        for name in new:
            symbols[name] = SymbolInfo(name, SymbolKind.FUNCTION)
            keys.setdefault(name_key(name), name)
        return replace(self, symbols=frozen_mapping(symbols), keys=frozen_mapping(keys))


def open_context(
    name: str = "open",
    *,
    assumptions: Mapping[str, str] | None = None,
    constants: Mapping[str, str] = DEFAULT_CONSTANTS,
) -> Context:
    """An open context: no declared names, every name a real scalar (see the module
    docstring). Raises ContextError for an unknown assumption or constant."""
    assumed = dict(assumptions or {})
    for symbol, kind in assumed.items():
        if kind not in ASSUMPTIONS:
            raise ContextError(
                f"unknown assumption {kind!r} for {symbol} (one of {sorted(ASSUMPTIONS)})"
            )
    for spelling, constant in constants.items():
        if constant not in CONSTANTS:
            raise ContextError(f"unknown constant {constant!r} for {spelling}")
    return Context(
        name=name,
        symbols=frozen_mapping(),
        keys=frozen_mapping(),
        open=True,
        assumptions=frozen_mapping(assumed),
        constants=frozen_mapping(dict(constants)),
    )


def context_from_mapping(
    name: str,
    data: Mapping[str, Any],
    *,
    where: str,
    samplers: Mapping[str, Sampler],
) -> tuple[Context | None, list[str]]:
    """Build a Context from the rubric's plain data; return (context, []) or (None, errors)."""
    errors: list[str] = []
    if not isinstance(data, Mapping):
        return None, [f"{where}: a context must be a mapping"]
    errors += [f"{where}: unknown key '{k}'" for k in data if k not in _CONTEXT_KEYS]
    is_open = data.get("open", False)
    if not isinstance(is_open, bool):
        errors.append(f"{where}.open: true or false")
        is_open = False
    dims = _read_dims(data.get("dims", ()), where, errors)
    symbols = _read_symbols(data.get("symbols"), dims, where, errors, required=not is_open)
    keys = _build_keys(symbols, where, errors)
    sampler_name, sampler = _read_sampler(data.get("sampler"), samplers, where, errors)
    free_index, free_key = _read_free_index(data.get("free_index"), keys, where, errors)
    _check_sampled_kinds(symbols, sampler, where, errors)
    if free_index is not None:
        _check_index_kinds(symbols, where, errors)
    if errors:
        return None, errors
    assumptions = _read_assumptions(data.get("assume"), is_open, where, errors)
    constants = _read_constants(data.get("constants"), where, errors)
    if is_open:
        _check_open(symbols, free_index, where, errors)
    if errors:
        return None, errors
    context = Context(
        name=name,
        symbols=frozen_mapping(symbols),
        keys=frozen_mapping(keys),
        dims=dims,
        free_index=free_index,
        free_index_key=free_key,
        sampler_name=sampler_name,
        sampler=sampler,
        open=is_open,
        assumptions=frozen_mapping(assumptions),
        constants=frozen_mapping(constants),
    )
    context = _with_definitions(context, where, errors)
    return (None, errors) if errors else (context, [])


def _read_dims(raw: Any, where: str, errors: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or not all(_is_identifier(d) for d in raw):
        errors.append(f"{where}.dims: a list of dimension names such as [n0, n1]")
        return ()
    if len(set(raw)) != len(raw):
        errors.append(f"{where}.dims: a dimension name appears twice")
    return tuple(raw)


def _is_identifier(text: Any) -> bool:
    return isinstance(text, str) and text.isidentifier() and not text.startswith("_")


def _read_symbols(
    raw: Any, dims: tuple[str, ...], where: str, errors: list[str], required: bool = True
) -> dict[str, SymbolInfo]:
    if raw is None and not required:
        return {}
    if not isinstance(raw, Mapping) or (required and not raw):
        errors.append(f"{where}.symbols: a mapping from symbol names to declarations")
        return {}
    symbols: dict[str, SymbolInfo] = {}
    for sym_name, entry in raw.items():
        here = f"{where}.symbols.{sym_name}"
        info = _read_symbol(str(sym_name), entry, dims, here, errors)
        if info is not None:
            symbols[info.name] = info
    return symbols


def _read_symbol(
    sym_name: str, entry: Any, dims: tuple[str, ...], here: str, errors: list[str]
) -> SymbolInfo | None:
    if not isinstance(entry, Mapping):
        errors.append(f"{here}: a mapping with at least `kind`")
        return None
    count = len(errors)
    errors += [f"{here}: unknown key '{k}'" for k in entry if k not in _SYMBOL_KEYS]
    try:
        kind = SymbolKind(str(entry.get("kind")))
    except ValueError:
        kinds = ", ".join(k.value for k in SymbolKind)
        errors.append(f"{here}.kind: one of {kinds}")
        return None
    shape = _read_shape(kind, entry.get("shape"), dims, here, errors)
    aliases = entry.get("aliases", ())
    if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases):
        errors.append(f"{here}.aliases: a list of spellings")
        aliases = ()
    define = _read_define(kind, entry.get("define"), here, errors)
    if len(errors) > count:
        return None
    return SymbolInfo(sym_name, kind, shape, tuple(aliases), define)


def _read_shape(
    kind: SymbolKind, raw: Any, dims: tuple[str, ...], here: str, errors: list[str]
) -> Shape | None:
    if kind is SymbolKind.SCALAR:
        if raw not in (None, [], [1], [1, 1]):
            errors.append(f"{here}.shape: a scalar has no shape")
        return SCALAR
    if kind not in (SymbolKind.VECTOR, SymbolKind.MATRIX):
        if raw is not None:
            errors.append(f"{here}.shape: a {kind.value} has no shape")
        return None
    want = 1 if kind is SymbolKind.VECTOR else 2
    if not isinstance(raw, (list, tuple)) or len(raw) != want:
        errors.append(f"{here}.shape: a {kind.value} needs a shape of {want} entries")
        return None
    entries = [_read_dim(d, dims) for d in raw]
    if any(d is None for d in entries):
        errors.append(f"{here}.shape: entries are declared dimensions ({', '.join(dims)}) or 1")
        return None
    if kind is SymbolKind.VECTOR:
        return (entries[0], 1)  # type: ignore[return-value]
    return (entries[0], entries[1])  # type: ignore[return-value]


def _read_dim(raw: Any, dims: tuple[str, ...]) -> Dim | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int) and raw >= 1:
        return raw
    if isinstance(raw, str) and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    if isinstance(raw, str) and raw in dims:
        return raw
    return None


def _read_define(kind: SymbolKind, raw: Any, here: str, errors: list[str]) -> Node | None:
    if raw is None:
        return None
    if kind not in _DEFINABLE:
        errors.append(f"{here}.define: only scalars, vectors and matrices can be defined")
        return None
    if not isinstance(raw, str):
        errors.append(f"{here}.define: an expression in the answer language")
        return None
    try:
        return parse(raw)
    except ParseError as exc:
        errors.append(f"{here}.define: {exc.message}")
        return None


def _parse_name(text: str) -> Name | None:
    """A declared name, read with the answer-language parser (so LaTeX spellings such as
    `\\Delta` or `z_{k-1}` get the same key as what students write)."""
    try:
        node = parse(text)
    except ParseError:
        return None
    return node if isinstance(node, Name) else None


def _spelling_key(text: str) -> str | None:
    """The key of a declared name or alias: a name, or a derivative or layer-indexed name
    (`\\frac{\\partial L}{\\partial w}`, `\\nabla_w L`, `\\delta^{(k)}`)."""
    try:
        return spelling_key(parse(text))
    except ParseError:
        return None


def _build_keys(symbols: dict[str, SymbolInfo], where: str, errors: list[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for info in symbols.values():
        for spelling in (info.name, *info.aliases):
            parsed = _parse_name(spelling) if spelling == info.name else None
            key = key_of(parsed) if parsed is not None else _spelling_key(spelling)
            if key is None:
                errors.append(f"{where}.symbols.{info.name}: '{spelling}' is not a name")
                continue
            other = keys.get(key)
            if other is not None and other != info.name:
                errors.append(
                    f"{where}.symbols.{info.name}: '{spelling}' has the same key '{key}' as {other}"
                )
            keys[key] = info.name
    return keys


def _read_assumptions(raw: Any, is_open: bool, where: str, errors: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not is_open:
        errors.append(f"{where}.assume: only an open context makes assumptions about names")
        return {}
    if not isinstance(raw, Mapping) or not all(_is_identifier(k) for k in raw):
        errors.append(f"{where}.assume: a mapping from names to assumptions such as positive")
        return {}
    bad = [f"{k}: {v!r}" for k, v in raw.items() if v not in ASSUMPTIONS]
    if bad:
        errors.append(f"{where}.assume: {', '.join(bad)} (one of {', '.join(sorted(ASSUMPTIONS))})")
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _read_constants(raw: Any, where: str, errors: list[str]) -> dict[str, str]:
    if raw is None:
        return dict(DEFAULT_CONSTANTS)
    if (
        not isinstance(raw, Mapping)
        or not all(_is_identifier(k) for k in raw)
        or not all(v in CONSTANTS for v in raw.values())
    ):
        known = ", ".join(sorted(CONSTANTS))
        errors.append(f"{where}.constants: a mapping from spellings to constants ({known})")
        return dict(DEFAULT_CONSTANTS)
    return {str(k): str(v) for k, v in raw.items()}


def _check_open(
    symbols: dict[str, SymbolInfo], free_index: str | None, where: str, errors: list[str]
) -> None:
    """An open context holds scalars and functions only (it is judged as scalars)."""
    if free_index is not None:
        errors.append(f"{where}.free_index: an open context has no free index")
    for info in symbols.values():
        if info.kind not in (SymbolKind.SCALAR, SymbolKind.FUNCTION) or info.define is not None:
            errors.append(
                f"{where}.symbols.{info.name}: an open context declares only scalars (without "
                "definitions) and functions"
            )


def _read_sampler(
    raw: Any, samplers: Mapping[str, Sampler], where: str, errors: list[str]
) -> tuple[str | None, Sampler | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, str) or raw not in samplers:
        known = ", ".join(sorted(samplers)) or "none"
        errors.append(f"{where}.sampler: unknown sampler {raw!r} (known: {known})")
        return None, None
    return raw, samplers[raw]


def _read_free_index(
    raw: Any, keys: dict[str, str], where: str, errors: list[str]
) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    parsed = _parse_name(raw) if isinstance(raw, str) else None
    if parsed is None:
        errors.append(f"{where}.free_index: a name such as j")
        return None, None
    key = name_key(parsed.base, parsed.sub)
    if key in keys:
        errors.append(f"{where}.free_index: '{raw}' is already the symbol {keys[key]}")
    return raw, key


def _check_sampled_kinds(
    symbols: dict[str, SymbolInfo], sampler: Sampler | None, where: str, errors: list[str]
) -> None:
    if sampler is not None:
        return
    for info in symbols.values():
        if info.kind in _SAMPLED_ONLY:
            errors.append(
                f"{where}.symbols.{info.name}: a {info.kind.value} needs a `sampler` "
                "to give it values"
            )


def _check_index_kinds(symbols: dict[str, SymbolInfo], where: str, errors: list[str]) -> None:
    """Index contexts hold numbers per class: no vectors, matrices or definitions."""
    for info in symbols.values():
        if info.kind in (SymbolKind.VECTOR, SymbolKind.MATRIX):
            errors.append(
                f"{where}.symbols.{info.name}: a context with a free index has no "
                f"{info.kind.value}s (use a family)"
            )
        if info.define is not None:
            errors.append(
                f"{where}.symbols.{info.name}.define: a context with a free index takes its "
                "values from the sampler"
            )


def _with_definitions(context: Context, where: str, errors: list[str]) -> Context:
    """Resolve and order the definitions, and plan them for the matrix interpretation."""
    resolved: dict[str, IR] = {}
    for info in context.symbols.values():
        if info.define is None:
            continue
        try:
            resolved[info.name] = resolve(info.define, context).ir
        except ResolveError as exc:
            errors.append(f"{where}.symbols.{info.name}.define: {exc.message}")
    order = _definition_order(resolved, where, errors)
    planned = _plan_definitions(context, resolved, order, where, errors)
    return replace(
        context,
        define_order=order,
        definitions=frozen_mapping(resolved),
        matrix_definitions=frozen_mapping(planned),
    )


def _definition_order(resolved: dict[str, IR], where: str, errors: list[str]) -> tuple[str, ...]:
    """Definitions in dependency order (Kahn's algorithm); a cycle is reported."""
    deps = {
        name: {n.name for n in ir_walk(ir) if isinstance(n, Sym) and n.name in resolved}
        for name, ir in resolved.items()
    }
    order: list[str] = []
    ready = [n for n, d in deps.items() if not d]
    remaining = {n: set(d) for n, d in deps.items() if d}
    while ready:
        current = ready.pop(0)
        order.append(current)
        for name, needs in list(remaining.items()):
            needs.discard(current)
            if not needs:
                ready.append(name)
                del remaining[name]
    for name in remaining:
        errors.append(
            f"{where}.symbols.{name}.define: the definitions form a cycle "
            f"({', '.join(sorted(remaining))})"
        )
    return tuple(order)


def _plan_definitions(
    context: Context, resolved: dict[str, IR], order: tuple[str, ...], where: str, errors: list[str]
) -> dict[str, IR]:
    planned: dict[str, IR] = {}
    if context.free_index is not None:
        return planned  # index contexts are never evaluated as matrices
    for name in order:
        here = f"{where}.symbols.{name}.define"
        try:
            result = plan(resolved[name], context)
        except ShapeError as exc:
            errors.append(f"{here}: {exc.message}")
            continue
        declared = context.shape_of(name)
        if result.shape != declared:
            errors.append(
                f"{here}: the definition is {format_shape(result.shape)}, "
                f"the symbol is declared {format_shape(declared)}"
            )
        planned[name] = result.ir
    return planned
