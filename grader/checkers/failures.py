"""An exception inside a check is a bug of the grader, never the student's fault.

It must neither stop the batch nor become a silent 0: the part gets the `internal_error`
outcome, waits for a TA (`needs_review`), course staff get a sentence naming the exception, and
the traceback travels in the part's detail (`TRACEBACK_KEY`) to the gradebook's errors log.
Tracebacks are made deterministic (paths inside this repository are written relative to it),
so that a re-run gives the same log byte for byte.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from grader.model import CheckResult, Outcome, Reason, frozen_mapping

TRACEBACK_KEY = "internal_error"
STUDENT_SENTENCE = (
    "This part could not be checked because of an error in the grader (not in your answer); "
    "a TA will mark it."
)
_ROOT = str(Path(__file__).resolve().parents[2]) + "/"
_MAX_TRACEBACK_CHARS = 20_000


def describe(exc: BaseException) -> str:
    """`ValueError: Calling nonzero on 0d arrays` (one line, bounded)."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:300] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def traceback_text(exc: BaseException) -> str:
    """The traceback of `exc`, with this repository's paths relative to it."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = text.replace(_ROOT, "")
    if len(text) > _MAX_TRACEBACK_CHARS:
        text = "...\n" + text[-_MAX_TRACEBACK_CHARS:]
    return text


def internal_error(exc: BaseException, where: str) -> CheckResult:
    """The result of a part whose check raised `exc` (`where`: what was being done)."""
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.INTERNAL_ERROR,
        reasons=(Reason.INTERNAL_ERROR,),
        feedback=(STUDENT_SENTENCE,),
        staff=(f"internal error while {where}: {describe(exc)} (traceback in errors.log)",),
        needs_review=True,
        detail=frozen_mapping({TRACEBACK_KEY: traceback_text(exc)}),
    )
