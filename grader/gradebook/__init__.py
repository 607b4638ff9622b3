"""The gradebook: writing grades.csv, parts.csv, review.csv, results.json and feedback files,
and reading the CSVs course staff write back (TA scores, the roster).

The contract (file names, columns, statuses, outcomes) is /work/shared/spec/gradebook.md.
"""

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
