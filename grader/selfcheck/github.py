"""GitHub Actions output: workflow-command annotations and a Markdown job summary.

Annotations follow GitHub's escaping (as in @actions/core): in the message `%`, CR and LF
become %25, %0D, %0A; in property values also `:` and `,` become %3A and %2C. So a student's
text can neither end the command early nor start another one. The summary is Markdown with
every piece of text escaped (grader.gradebook.markdown).
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.gradebook.markdown import code_span, escape_markdown
from grader.gradebook.text import clean_text
from grader.model import Location, Message, Severity
from grader.selfcheck.render import STATUS_WORDS, question_points, slot_points, summary_line
from grader.selfcheck.report import CheckReport, SlotReport, SlotStatus

MAX_ANNOTATIONS = 50  # GitHub shows 10 per kind and step; more only lengthens the log
MAX_MESSAGE_CHARS = 1000
MAX_SUMMARY_ROWS = 300


def in_github_actions(env: Mapping[str, str]) -> bool:
    """True when running as a GitHub Actions step."""
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, location: Location, title: str) -> str:
    """One `::error file=..,line=..,col=..,title=..::message` line (level error|warning|notice)."""
    properties = [("file", location.file)]
    if location.line is not None and location.cell is None:  # notebook lines are per cell
        properties.append(("line", str(location.line)))
        if location.column is not None:
            properties.append(("col", str(location.column)))
    properties.append(("title", title))
    text = ",".join(f"{key}={escape_property(clean_text(value))}" for key, value in properties)
    body = clean_text(message)
    if len(body) > MAX_MESSAGE_CHARS:
        body = body[: MAX_MESSAGE_CHARS - 3] + "..."
    return f"::{level} {text}::{escape_data(body)}"


def annotation_lines(report: CheckReport) -> list[str]:
    """Error annotations for what fails, warnings for what is not graded; at most
    MAX_ANNOTATIONS, errors first."""
    errors: list[str] = []
    warnings: list[str] = []
    for message in report.messages:
        _add(errors, warnings, message, "", "sheet")
    for slot in report.slots:
        for index, message in enumerate(slot.messages):
            pointer = slot.pointer if index == len(slot.messages) - 1 else ""
            _add(errors, warnings, message, pointer, slot.answer_id)
    return (errors + warnings)[:MAX_ANNOTATIONS]


def _add(
    errors: list[str], warnings: list[str], message: Message, pointer: str, title: str
) -> None:
    text = message.text + (f"\n{pointer}" if pointer else "")
    if message.severity is Severity.ERROR:
        errors.append(annotation("error", text, message.location, title))
    elif message.severity is Severity.WARNING:
        warnings.append(annotation("warning", text, message.location, title))


def step_summary(report: CheckReport) -> str:
    """A Markdown section for $GITHUB_STEP_SUMMARY (ends with a newline)."""
    lines = [
        f"## grade check: {code_span(report.file)} ({escape_markdown(report.assignment)})",
        "",
        f"**{escape_markdown(summary_line(report))}**",
        "",
        "| answer | status | points | problem |",
        "|---|---|---|---|",
    ]
    for error in report.file_errors:
        lines.append(f"| (file) | unreadable | | {escape_markdown(error.text)} |")
    for slot in report.slots[:MAX_SUMMARY_ROWS]:
        lines.append(_row(slot, report.scoring))
    if len(report.slots) > MAX_SUMMARY_ROWS:
        lines.append(f"| ... | {len(report.slots) - MAX_SUMMARY_ROWS} more | | |")
    if report.totals is not None:
        totals = ", ".join(
            f"{escape_markdown(q.id)} {escape_markdown(question_points(q))}"
            for q in report.questions
        )
        lines += ["", f"Questions: {totals}"]
    return "\n".join(lines) + "\n\n"


def _row(slot: SlotReport, scoring: bool) -> str:
    errors = [m.text for m in slot.messages if m.severity is Severity.ERROR]
    notes = [m.text for m in slot.messages if m.severity is Severity.WARNING]
    problem = (errors or notes or [""])[-1]
    status = STATUS_WORDS[slot.status]
    if slot.status is SlotStatus.NOT_GIVEN:
        status += " (optional)"
    cells = [
        escape_markdown(slot.answer_id),
        escape_markdown(status),
        escape_markdown(slot_points(slot, scoring)),
        escape_markdown(problem),
    ]
    return "| " + " | ".join(cells) + " |"
