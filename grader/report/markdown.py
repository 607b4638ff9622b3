"""report.md: the class report as Markdown for course staff.

Every piece of text that is not ours -- answers, expressions read from them, ids and titles from
the rubric, mistake and convention names -- goes through the gradebook's Markdown escaping
(:func:`grader.gradebook.markdown.escape_markdown`) or into a code span
(:func:`grader.gradebook.markdown.code_span`), so no HTML, link, emphasis, heading or table syntax
a student writes takes effect. Answers are only ever shown in code spans in list items, never in
table cells (a `|` would end the cell even inside a code span).
"""

from __future__ import annotations

from grader.gradebook.markdown import code_span, escape_markdown
from grader.report.groups import AnswerGroup, GroupKind
from grader.report.summary import ClassReport, ConventionSummary, PartSummary
from grader.report.words import (
    CONVENTIONS_NOTE,
    COPIES_TITLE,
    GROUPS_NOTE,
    KIND_LABELS,
    NO_PLOTS,
    NO_SIGNALS,
    OUTCOME_LABELS,
    PNG_ALT,
    REPORT_PNG,
    SHARED_TITLE,
    STAFF_NOTE,
    STAFF_TITLE,
    STATUS_LABELS,
    STEPS_NOTE,
    TOTALS_NOTE,
    bin_range,
    copy_line,
    points,
    variant_note,
)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(report: ClassReport) -> list[str]:
    statuses = ", ".join(f"{STATUS_LABELS[s]} {n}" for s, n in report.statuses)
    stats = report.totals
    lines = [
        f"# Class report: {escape_markdown(report.title or report.assignment)}",
        "",
        f"- Assignment: {escape_markdown(report.assignment)}",
        f"- Submissions: {report.rows} ({report.students} distinct student ids)",
        f"- By status: {statuses}",
    ]
    if stats.count:
        lines.append(
            f"- Totals of {stats.count} read submissions (out of {points(report.max_total)}): "
            f"mean {points(stats.mean)}, median {points(stats.median)}, "
            f"min {points(stats.minimum)}, max {points(stats.maximum)}"
        )
    else:
        lines.append("- Totals: no submission was read")
    return [*lines, "", TOTALS_NOTE]


def _distribution(report: ClassReport, image: bool) -> list[str]:
    lines = ["", "## Distribution of totals", ""]
    lines += [f"![{PNG_ALT}]({REPORT_PNG})", ""] if image else [NO_PLOTS, ""]
    lines += [_row(["range", "students"]), _row(["---", "---:"])]
    lines += [_row([escape_markdown(bin_range(b)), str(b.count)]) for b in report.bins]
    return lines


def _parts_table(report: ClassReport) -> list[str]:
    head = ["part", "mean / max", "scored", *OUTCOME_LABELS.values()]
    lines = ["", "## Parts", "", _row(head), _row(["---"] + ["---:"] * (len(head) - 1))]
    for part in report.parts:
        lines.append(
            _row([
                escape_markdown(part.answer_id),
                f"{points(part.mean_points)} / {points(part.max_points)}",
                str(part.scored),
                *(str(count) for _, count in part.outcomes),
            ])
        )  # fmt: skip
    if not report.parts:
        lines.append(_row(["(no scored parts)"] + [""] * (len(head) - 1)))
    return lines


def _group(group: AnswerGroup) -> str:
    kind = KIND_LABELS[group.key.kind]
    text = f"- **{group.count}** \u00d7 {escape_markdown(kind)}"
    if group.key.kind is GroupKind.MISTAKE:
        text += f" {code_span(group.key.label)}"
        if group.key.note:
            text += f": {escape_markdown(group.key.note)}"
    elif group.key.label:
        text += f" {code_span(group.key.label)}"
    if group.example:
        text += f" \u2014 example: {code_span(group.example)}"
    return text


def _wrong(part: PartSummary) -> list[str]:
    wrong = part.wrong
    shown = len(wrong.top)
    title = f"### {escape_markdown(part.answer_id)}"
    if not wrong.total:
        return ["", title, "", "- no wrong answers"]
    counted = f"{wrong.total} wrong answer(s) in {wrong.group_count} group(s)" + (
        f", the {shown} largest shown" if shown < wrong.group_count else ""
    )
    return ["", title, "", counted, "", *(_group(g) for g in wrong.top)]


def _wrong_answers(report: ClassReport) -> list[str]:
    lines = ["", "## Most common wrong answers", "", GROUPS_NOTE]
    if report.staff is not None:
        lines += ["", STEPS_NOTE]
    for part in report.parts:
        if part.kind != "text":
            lines += _wrong(part)
    return lines


def _convention(summary: ConventionSummary) -> list[str]:
    title = f": {escape_markdown(summary.title)}" if summary.title else ""
    qid = escape_markdown(summary.question)
    head = ["convention", "students", "named it", "not named", "unknown", f"mean points on {qid}"]
    lines = ["", f"### {qid}{title}", "", _row(head), _row(["---"] + ["---:"] * 5)]
    for use in summary.uses:
        lines.append(
            _row([
                escape_markdown(use.convention), str(use.students), str(use.named),
                str(use.not_named), str(use.unknown), points(use.mean_points),
            ])
        )  # fmt: skip
    return lines


def _conventions(report: ClassReport) -> list[str]:
    if not report.conventions:
        return []
    lines = ["", "## Conventions", "", CONVENTIONS_NOTE]
    for summary in report.conventions:
        lines += _convention(summary)
    return lines


def _staff(report: ClassReport) -> list[str]:
    signals = report.staff
    if signals is None:
        return []
    lines = ["", f"## {STAFF_TITLE}", "", STAFF_NOTE, "", f"### {COPIES_TITLE}", ""]
    for c in signals.copies:
        evidence = copy_line(c)
        lines.append(f"- {code_span(c.student_id)} ({escape_markdown(c.source)}): "
                     f"{escape_markdown(evidence)}")  # fmt: skip
    lines += [f"- {NO_SIGNALS}"] if not signals.copies else []
    lines += ["", f"### {SHARED_TITLE}", ""]
    for shared in signals.shared:
        who = ", ".join(
            (code_span(h.student_id) + " " + escape_markdown(variant_note(h.variant))).rstrip()
            for h in shared.holders
        )
        lines.append(f"- {escape_markdown(shared.answer_id)}, {len(shared.holders)} students: "
                     f"{who} \u2014 answer: {code_span(shared.example)}")  # fmt: skip
    lines += [f"- {NO_SIGNALS}"] if not signals.shared else []
    return lines


def render_markdown(report: ClassReport, image: bool = True) -> str:
    """The text of report.md (ends with a newline); `image`: link the histogram PNG."""
    lines = (
        _header(report)
        + _distribution(report, image)
        + _parts_table(report)
        + _wrong_answers(report)
        + _conventions(report)
        + _staff(report)
    )
    return "\n".join(lines) + "\n"
