"""The ideas a free-text answer may mention (Exercise 3 (i) and the Exercise 4 bonus).

Each `Idea` has an id, a model sentence for TAs, and regular expressions meant to be searched
case-insensitively (`re.IGNORECASE`); any match counts. The score they give is provisional: a TA
reviews every free-text answer.

Patterns look for the words of an idea NEAR each other: `_near(a, b)` allows up to `gap`
characters between them, but never a sentence end (`.`, `!`, `?`) or a line break, so two
unrelated sentences cannot make a match together. Gaps and word endings are bounded repeats
(`\\w{0,20}`, never `\\w*`: an unbounded ending before a gap backtracks quadratically on text
such as "penalpenalpenal..."), so the matching time stays linear in the text.
"""

from __future__ import annotations

from grader.references import Data, Idea


def _gap(limit: int) -> str:
    return rf"[^.!?\n]{{0,{limit}}}"


def _near(first: str, second: str, gap: int = 60) -> str:
    """`first` then `second` within one sentence, at most `gap` characters apart."""
    return f"(?:{first}){_gap(gap)}(?:{second})"


def _either_order(first: str, second: str, gap: int = 60) -> tuple[str, str]:
    return _near(first, second, gap), _near(second, first, gap)


# ---------------------------------------------------------------------------------------------
# Exercise 3 (i): what the softmax + multiclass hinge loss is designed to achieve

_MARGIN = r"margin|\\delta\b|\\Delta\b|Δ"
_ZERO = (
    r"\bzero\b|\b0\b|\bno (?:loss|penalty|cost|error)\b|\bvanish\w{0,20}"
    r"|\bnot (?:penali[sz]ed|contribut\w{0,20})|\bnothing\b"
)
_INSIDE = (
    r"within|inside|closer than|violat\w{0,20}|less than|smaller than"
    r"|not (?:exceed|beat)\w{0,20}"
)
_PENALTY = (
    r"penal\w{0,20}|contribut\w{0,20}|\badds?\b|adding|\bcosts?\b|increas\w{0,20} the loss"
    r"|positive loss"
)
_EACH_WRONG = (
    r"(?:each|every|any|all) (?:of the )?(?:other|wrong|incorrect|competing|false|non-?target)"
    r"(?: \w{1,20})? class(?:es)?"
)

_UP = (
    r"increas\w{0,20}|rais\w{0,20}|push\w{0,20} (?:it |them )?up\w{0,20}|boost\w{0,20}"
    r"|maximi[sz]\w{0,20}|pull\w{0,20} up"
    r"|go(?:es|ing)? up|higher|larger|bigger|grow\w{0,20}|\bup(?:wards)?\b"
)
_DOWN = (
    r"decreas\w{0,20}|lower\w{0,20}|reduc\w{0,20}|push\w{0,20} (?:it |them )?down\w{0,20}"
    r"|suppress\w{0,20}|minimi[sz]\w{0,20}"
    r"|pull\w{0,20} down|go(?:es|ing)? down|smaller|shrink\w{0,20}|\bdown(?:wards)?\b"
)
_TRUE = (
    r"(?:true|correct|right|ground[- ]?truth|target|gt|actual|label(?:'s|ed)?) class"
    r"|p_\{?y|p_\{?gt|\bp_y\b|\by_i\b"
)
_OTHERS = (
    r"(?:other|wrong|incorrect|competing|rival|false|remaining|non-?target)(?: \w{1,20})?"
    r" (?:class|classes|probabilit\w{0,20}|scores?|ones)|\bothers\b|p_\{?[jl]\b"
)


def _up_and_down() -> tuple[str, ...]:
    """The true class going up and the others going down, in any order of the two halves."""
    ups = (_near(_UP, _TRUE, 40), _near(_TRUE, _UP, 40))
    downs = (_near(_DOWN, _OTHERS, 40), _near(_OTHERS, _DOWN, 40))
    return tuple(_near(a, b, 120) for a in ups for b in downs) + tuple(
        _near(b, a, 120) for a in ups for b in downs
    )


_EX3_IDEAS = (
    Idea(
        id="zero_beyond_margin",
        text=(
            "The loss is zero once the true class's probability p_{y_i} beats every other "
            "class's probability by at least the margin."
        ),
        patterns=_either_order(_ZERO, _MARGIN, 120),
    ),
    Idea(
        id="penalty_within_margin",
        text=(
            "Each other class whose probability comes within the margin of the true class's "
            "(p_j > p_{y_i} - margin) adds a penalty, growing with how far it is inside."
        ),
        patterns=(
            _near(_near(_INSIDE, _MARGIN, 40), _PENALTY, 80),
            _near(_PENALTY, _near(_INSIDE, _MARGIN, 40), 80),
            _near(r"penali[sz]\w{0,20}", _EACH_WRONG, 40),
            _near(_EACH_WRONG, _PENALTY, 80),
            r"margin violation",
        ),
    ),
    Idea(
        id="push_true_up_others_down",
        text=(
            "Minimising it pushes the true class's probability p_{y_i} up and the competing "
            "probabilities p_j down."
        ),
        patterns=_up_and_down(),
    ),
)


# ---------------------------------------------------------------------------------------------
# Exercise 4 (bonus): training a model that does not fit in memory

_STATE = (
    r"activations?|parameters?|weights?|optimi[sz]er(?: states?)?|states?|tensors?|gradients?"
    r"|layers?|moments?|intermediate (?:results|values|outputs)"
)
_SLOW_MEMORY = (
    r"(?:to|on|in|into|onto) (?:the )?(?:cpu|host|ram|disk|ssd|nvme|hard ?drive|main memory"
    r"|system memory|secondary storage)\b"
)
_INTERMEDIATE = r"activations?|intermediate \w{1,20}|tensors?|buffers?|feature maps?|layer outputs?"

_EX4_IDEAS = (
    Idea(
        id="checkpointing",
        text=(
            "Gradient checkpointing: store only some activations in the forward pass and "
            "recompute the others during the backward pass (trading compute for memory)."
        ),
        patterns=(
            r"(?:gradient|activation|memory)[- ]?check-?point\w{0,20}",
            _near(
                r"check-?point\w{0,20}",
                r"activation|recomput\w{0,20}|backward|backprop\w{0,20}|layers?",
                60,
            ),
            _near(r"activations?|layers?", r"check-?point\w{0,20}", 40),
            _near(
                r"re-?(?:comput|calculat|evaluat)\w{0,20}|\bre-?do(?:ing|es|ne)?\b",
                r"activation|forward|intermediate|hidden"
                r"|feature",
                60,
            ),
            _near(r"activations?|forward|intermediate", r"re-?(?:comput|calculat)\w{0,20}", 60),
            r"rematerial\w{0,20}",
        ),
    ),
    Idea(
        id="micro_batches",
        text=(
            "Use smaller (micro-)batches and accumulate their gradients over several steps "
            "before each weight update."
        ),
        patterns=(
            r"micro-? ?batch\w{0,20}",
            _near(
                r"\b(?:smaller|reduc\w{0,20}|decreas\w{0,20}|lower\w{0,20}|small|fewer|halv\w{0,20})\b",
                r"\b(?:mini-? ?)?batch(?:es\b|[- ]?size)",
                30,
            ),
            r"\bsmall(?:er)? (?:mini-? ?)?batch",
            r"batch[- ]?size (?:is |was |gets )?(?:reduced|decreased|lowered|smaller|halved)",
            r"(?:gradients?|grads?) accumulat\w{0,20}",
            _near(r"accumulat\w{0,20}", r"gradients?|grads?", 30),
        ),
    ),
    Idea(
        id="lower_precision",
        text=(
            "Lower numerical precision: fp16/bf16 or mixed-precision training, or quantising "
            "weights and activations (e.g. 8-bit)."
        ),
        patterns=(
            r"\b(?:fp|float|bfloat) ?(?:16|8)\b|\bbf16\b|\bint ?[48]\b",
            r"half[- ]precision|mixed[- ]precision|(?:lower|reduced|low|less|smaller)[- ]precision",
            r"\b(?:16|8|4)[- ]?bits?\b",
            r"quanti[sz]\w{0,20}",
        ),
    ),
    Idea(
        id="offloading",
        text=(
            "Offload activations, parameters or optimizer state to CPU memory or disk and bring "
            "them back to the GPU when needed."
        ),
        patterns=(
            r"off-? ?load\w{0,20}",
            _near(_STATE, _SLOW_MEMORY, 60),
            r"\bzero[- ]?(?:offload|infinity|stage)",
        ),
    ),
    Idea(
        id="free_early",
        text=(
            "Free or overwrite activations as soon as they are no longer needed, e.g. with "
            "in-place operations."
        ),
        patterns=(
            r"in-? ?place",
            _near(
                _INTERMEDIATE,
                r"freed|free(?:ing)? (?:them|it)|deleted|discarded|released"
                r"|overwritten|dropped|deallocated|thrown away|cleared|reused",
                60,
            ),
            _near(
                r"\b(?:free|delet|discard|releas|deallocat|overwrit|clear|reus)\w{0,20}",
                _INTERMEDIATE,
                40,
            ),
            _near(
                r"as soon as|once|when|after",
                r"(?:no longer|not|never) (?:be )?"
                r"(?:needed|required|used)",
                60,
            ),
        ),
    ),
    Idea(
        id="reversible_layers",
        text=(
            "Reversible (invertible) layers, as in RevNets or the Reformer: a layer's inputs are "
            "reconstructed from its outputs in the backward pass, so activations need not be "
            "stored."
        ),
        patterns=(
            r"reversib\w{0,20}|\brev-?nets?\b|\breformer\b",
            _near(r"invertib\w{0,20}", r"layers?|networks?|blocks?|architectures?|residual", 30),
            _near(
                r"(?:reconstruct|recover|invert)\w{0,20}",
                r"(?:inputs?|activations?)"
                + _gap(40)
                + r"(?:from|using) (?:the |its |their )?(?:outputs?|next|later)",
                40,
            ),
        ),
    ),
)


def ex3_explanation_ideas(data: Data) -> tuple[Idea, ...]:
    """The three ideas of Exercise 3 (i), per the marking scheme."""
    return _EX3_IDEAS


def ex4_ideas(data: Data) -> tuple[Idea, ...]:
    """The six ideas of the Exercise 4 bonus, per the marking scheme."""
    return _EX4_IDEAS
