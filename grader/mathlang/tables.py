"""Fixed vocabularies of the answer language: Greek letters, LaTeX commands and Unicode symbols.

All tables are read-only (`MappingProxyType`, `frozenset`).
"""

from __future__ import annotations

from types import MappingProxyType

_LOWER = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
_UPPER = [name.capitalize() for name in _LOWER]

# Unicode Greek letters -> spelled-out base ("δ" -> "delta", "Δ" -> "Delta").
GREEK_CHARS = MappingProxyType(
    {
        **{chr(0x3B1 + i + (i >= 17)): name for i, name in enumerate(_LOWER)},  # skips final sigma
        **{chr(0x391 + i + (i >= 17)): name for i, name in enumerate(_UPPER)},  # skips U+03A2
        "ς": "sigma",
        "ϵ": "epsilon",
        "ϑ": "theta",
        "ϕ": "phi",
        "ϱ": "rho",
        "ϰ": "kappa",
        "ϖ": "varpi",
        "µ": "mu",  # the micro sign
    }
)

# LaTeX Greek commands -> base. `\Alpha` etc. are not LaTeX but harmless to accept.
GREEK_COMMANDS = MappingProxyType(
    {
        **{name: name for name in _LOWER if name != "omicron"},
        **{name: name for name in _UPPER},
        "varepsilon": "epsilon",
        "vartheta": "theta",
        "varphi": "phi",
        "varsigma": "sigma",
        "varrho": "rho",
        "varkappa": "kappa",
        "varpi": "varpi",
        **{f"var{name}": name for name in _UPPER},  # \varGamma, \varDelta, ...
    }
)

# Base -> LaTeX command, for rendering (only commands that LaTeX defines).
GREEK_LATEX = MappingProxyType(
    {
        **{name: "\\" + name for name in _LOWER if name != "omicron"},
        **{
            name: "\\" + name
            for name in "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
        },
        "varpi": "\\varpi",
    }
)

# Other symbols that read as names.
SYMBOL_COMMANDS = MappingProxyType(
    {"infty": "oo", "partial": "partial", "ell": "l", "imath": "i"}
)
SYMBOL_CHARS = MappingProxyType({"∞": "oo", "∂": "partial", "ℓ": "l"})

# LaTeX function commands: `\exp x`, `\max(0, x)`; `\nabla_w L` is the gradient of L by w.
FUNCTION_COMMANDS = frozenset(
    (
        "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg ln log "
        "max min Pr sec sin sinh sup tan tanh nabla"
    ).split()
)
FUNCTION_CHARS = MappingProxyType({"∇": "nabla"})

# Commands that are ignored: spacing, style and limits placement.
IGNORED_COMMANDS = frozenset(
    (
        ", ; : ! quad qquad displaystyle textstyle scriptstyle limits nolimits rm it bf sf cal "
        "enspace thinspace medspace thickspace negthinspace"
    ).split()
    + [" ", "\t", "\n"]
)

# Size modifiers before a delimiter, with the side they force on `|`.
SIZE_COMMANDS = MappingProxyType(
    {
        "left": "open",
        "right": "close",
        **{size: "" for size in ("big", "Big", "bigg", "Bigg", "bigm", "Bigm", "biggm", "Biggm")},
        **{size + "l": "open" for size in ("big", "Big", "bigg", "Bigg")},
        **{size + "r": "close" for size in ("big", "Big", "bigg", "Bigg")},
    }
)

# Commands whose argument is a name in another dress (`\mathbf{W}` is W).
WRAPPER_COMMANDS = frozenset(
    "mathbf boldsymbol bm vec mathrm mathit mathsf mathcal mathscr mathfrak mathbb mathbbm "
    "mathds pmb mathnormal".split()
)
TEXT_COMMANDS = frozenset("text textrm textit textbf textsf textnormal mbox".split())
# Accents that become a suffix of the name (`\hat{y}` is "yhat").
ACCENT_COMMANDS = MappingProxyType(
    {
        "hat": "hat",
        "widehat": "hat",
        "bar": "bar",
        "overline": "bar",
        "tilde": "tilde",
        "widetilde": "tilde",
    }
)
# Wrappers that make an indicator out of `1` (and `\mathbb{I}`).
INDICATOR_WRAPPERS = frozenset("mathbb mathbbm mathds mathbf bm boldsymbol".split())

BINARY_COMMANDS = MappingProxyType(
    {
        "cdot": ("MUL", "*"),
        "times": ("MUL", "*"),
        "ast": ("MUL", "*"),
        "odot": ("HAD", "hadamard"),
        "circ": ("HAD", "hadamard"),
        "div": ("DIV", "/"),
        "neq": ("RELOP", "!="),
        "ne": ("RELOP", "!="),
        "leq": ("RELOP", "<="),
        "le": ("RELOP", "<="),
        "leqslant": ("RELOP", "<="),
        "geq": ("RELOP", ">="),
        "ge": ("RELOP", ">="),
        "geqslant": ("RELOP", ">="),
        "lt": ("RELOP", "<"),
        "gt": ("RELOP", ">"),
        "land": ("AND", "and"),
        "wedge": ("AND", "and"),
        "lor": ("OR", "or"),
        "vee": ("OR", "or"),
        "in": ("RELOP", "in"),
        "setminus": ("SETMINUS", "setminus"),
        "smallsetminus": ("SETMINUS", "setminus"),
    }
)

DELIMITER_COMMANDS = MappingProxyType(
    {
        "{": ("LBRACE", ""),
        "}": ("RBRACE", ""),
        "lbrace": ("LBRACE", ""),
        "rbrace": ("RBRACE", ""),
        "lbrack": ("LSQB", ""),
        "rbrack": ("RSQB", ""),
        "lvert": ("BAR", "open"),
        "rvert": ("BAR", "close"),
        "vert": ("BAR", ""),
        "|": ("NORM", ""),
        "Vert": ("NORM", ""),
        "lVert": ("NORM", "open"),
        "rVert": ("NORM", "close"),
        "lfloor": ("LFLOOR", ""),
        "rfloor": ("RFLOOR", ""),
        "lceil": ("LCEIL", ""),
        "rceil": ("RCEIL", ""),
    }
)

# `\{1, \dots, k\}`: the elided part of a range.
DOTS_COMMANDS = frozenset(("dots", "ldots", "cdots", "dotsc", "dotsb"))

# Assignments: `w \leftarrow w - \eta g`, `a := b`.
ASSIGN_COMMANDS = frozenset(("leftarrow", "gets", "coloneqq", "coloneq", "Leftarrow"))

MATRIX_ENVIRONMENTS = frozenset(("bmatrix", "pmatrix", "matrix", "Bmatrix"))

# Single characters with a fixed meaning: kind and canonical value.
CHAR_TOKENS = MappingProxyType(
    {
        "+": ("PLUS", "+"),
        "-": ("MINUS", "-"),
        "−": ("MINUS", "-"),
        "/": ("DIV", "/"),
        "÷": ("DIV", "/"),
        "(": ("LPAR", "("),
        ")": ("RPAR", ")"),
        "[": ("LSQB", "["),
        "]": ("RSQB", "]"),
        "{": ("LGROUP", "{"),
        "}": ("RGROUP", "}"),
        ",": ("COMMA", ","),
        "|": ("BAR", ""),
        "·": ("MUL", "*"),
        "⋅": ("MUL", "*"),
        "∙": ("MUL", "*"),
        "×": ("MUL", "*"),
        "∗": ("MUL", "*"),
        "⊙": ("HAD", "hadamard"),
        "∘": ("HAD", "hadamard"),
        "≠": ("RELOP", "!="),
        "≤": ("RELOP", "<="),
        "≥": ("RELOP", ">="),
        "⩽": ("RELOP", "<="),
        "⩾": ("RELOP", ">="),
        "∑": ("SUM", "sum"),
        "∧": ("AND", "and"),
        "∨": ("OR", "or"),
        "⊤": ("TRANSPOSE", "T"),
        "‖": ("NORM", ""),
        "⌊": ("LFLOOR", ""),
        "⌋": ("RFLOOR", ""),
        "⌈": ("LCEIL", ""),
        "⌉": ("RCEIL", ""),
        "←": ("ASSIGN", ":="),
        "∈": ("RELOP", "in"),
        "∖": ("SETMINUS", "setminus"),
        "…": ("DOTS", "..."),
        "≔": ("ASSIGN", ":="),
        "ᵀ": ("TRANSPOSE", "T"),
        "_": ("SUB", "_"),
    }
)

# Two-character operators first, then their one-character prefixes.
OPERATORS = (
    (":=", ("ASSIGN", ":=")),
    ("**", ("POW", "^")),
    (".*", ("HAD", "hadamard")),
    ("==", ("RELOP", "=")),
    ("!=", ("RELOP", "!=")),
    ("<=", ("RELOP", "<=")),
    (">=", ("RELOP", ">=")),
    ("&&", ("AND", "and")),
    ("*", ("MUL", "*")),
    ("=", ("RELOP", "=")),
    ("<", ("RELOP", "<")),
    (">", ("RELOP", ">")),
    ("!", ("BANG", "!")),
    ("&", ("CELL", "&")),
    ("^", ("POW", "^")),
)

# Primes, with the apostrophes word processors put in their place (’, ʹ).
PRIME_CHARS = MappingProxyType({"'": 1, "′": 1, "″": 2, "‴": 3, "’": 1, "ʹ": 1, "ʺ": 2})
INDICATOR_CHARS = frozenset("𝟙")
SUPERSCRIPT_CHARS = MappingProxyType({**{c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}, "⁻": "-"})
SUBSCRIPT_CHARS = MappingProxyType(
    {
        **{c: str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")},
        **dict(zip("ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "aeoxhklmnpstijruv", strict=True)),
        "₋": "-",
        "₊": "+",
    }
)

# What `^{...}` holds when it means a transpose (spaces removed).
TRANSPOSE_MARKS = frozenset(
    (
        "T",
        "\\top",
        "\\intercal",
        "⊤",
        "ᵀ",
        "\\mathsf{T}",
        "\\mathrm{T}",
        "\\mathbf{T}",
        "\\text{T}",
        "\\textsf{T}",
        "\\mathsfT",
        "\\mathrmT",
        "\\mathbfT",
        "\\textT",
        "\\rmT",
        "\\sfT",
        "{T}",
    )
)
