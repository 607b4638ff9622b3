"""The gradebook: writing grades.csv, parts.csv, review.csv, results.json and feedback files,
and reading the CSVs course staff write back (TA scores, the roster).

The contract (file names, columns, statuses, outcomes) is /work/shared/spec/gradebook.md.

The names below are imported from their modules when first asked for: `grade check` formats
text and numbers with this package and never loads the writer or the CSV readers.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from grader.lazy import export_lazily

if TYPE_CHECKING:
    from grader.gradebook.errors import GradebookError, GradebookWriteError
    from grader.gradebook.markdown import code_span, escape_markdown
    from grader.gradebook.numbers import format_points, json_points, parse_points
    from grader.gradebook.paths import feedback_names, safe_filename
    from grader.gradebook.roster import Roster, RosterEntry, read_roster
    from grader.gradebook.scores import TAScore, read_ta_scores
    from grader.gradebook.text import neutralise, unneutralise
    from grader.gradebook.writer import (
        FEEDBACK_DIR,
        GRADES_FILE,
        PARTS_FILE,
        RESULTS_FILE,
        REVIEW_FILE,
        write_gradebook,
    )

# Each exported name -> the module that defines it (the imports above, for type checkers).
_HOMES = MappingProxyType(
    {
        **dict.fromkeys(("GradebookError", "GradebookWriteError"), "errors"),
        **dict.fromkeys(("code_span", "escape_markdown"), "markdown"),
        **dict.fromkeys(("format_points", "json_points", "parse_points"), "numbers"),
        **dict.fromkeys(("feedback_names", "safe_filename"), "paths"),
        **dict.fromkeys(("Roster", "RosterEntry", "read_roster"), "roster"),
        **dict.fromkeys(("TAScore", "read_ta_scores"), "scores"),
        **dict.fromkeys(("neutralise", "unneutralise"), "text"),
        **dict.fromkeys(
            ("FEEDBACK_DIR", "GRADES_FILE", "PARTS_FILE", "RESULTS_FILE", "REVIEW_FILE"), "writer"
        ),
        "write_gradebook": "writer",
    }
)


export_lazily(__name__)


__all__ = [
    "FEEDBACK_DIR",
    "GRADES_FILE",
    "PARTS_FILE",
    "RESULTS_FILE",
    "REVIEW_FILE",
    "GradebookError",
    "GradebookWriteError",
    "Roster",
    "RosterEntry",
    "TAScore",
    "code_span",
    "escape_markdown",
    "feedback_names",
    "format_points",
    "json_points",
    "neutralise",
    "parse_points",
    "read_roster",
    "read_ta_scores",
    "safe_filename",
    "unneutralise",
    "write_gradebook",
]
