"""Numbers: reading them safely from student text, the one tolerance model, STACK's numeric tests.

See README.md in this folder for the model and its formulas.
"""

from grader.numeric.digits import (
    Digits,
    count_digits,
    exact_value,
    round_dec,
    round_half_up,
    round_points,
    round_sig,
)
from grader.numeric.reading import (
    Entries,
    NumberError,
    parse_number,
    read_array,
    read_entries,
    read_number,
)
from grader.numeric.stack import (
    num_absolute,
    num_dec_places,
    num_relative,
    num_sig_figs,
    sig_figs_strict,
)
from grader.numeric.tolerance import (
    PreparedReference,
    Tolerance,
    compare_arrays,
    compare_prepared,
    prepare_reference,
)

__all__ = [
    "Digits",
    "Entries",
    "NumberError",
    "PreparedReference",
    "Tolerance",
    "compare_arrays",
    "compare_prepared",
    "count_digits",
    "exact_value",
    "num_absolute",
    "num_dec_places",
    "num_relative",
    "num_sig_figs",
    "parse_number",
    "prepare_reference",
    "read_array",
    "read_entries",
    "read_number",
    "round_dec",
    "round_half_up",
    "round_points",
    "round_sig",
    "sig_figs_strict",
]
