"""report.html: the class report as one self-contained HTML page (plus the PNG it links).

Every piece of text that is not a literal of this module is escaped with the standard library's
``html.escape`` (quotes included) after the gradebook's cleaning (control characters and lone
surrogates replaced), so no raw student text ever reaches the page. A Content-Security-Policy
forbids scripts and any resource but the histogram next to the page, as a second line of defence.
"""

from __future__ import annotations

from html import escape

from grader.gradebook.text import clean_text
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

_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.2em .5em}td.n{text-align:right}"
    "code{background:#f4f4f4;padding:0 .2em;word-break:break-all}"
)


def esc(text: object) -> str:
    """`text` as HTML text: cleaned of unencodable characters, then entity-escaped."""
    return escape(clean_text(str(text)), quote=True)


def _table(head: list[str], rows: list[list[str]], numeric_from: int = 1) -> list[str]:
    """A table of already-escaped cells; columns from `numeric_from` on are right-aligned."""
    lines = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = [
            f'<td class="n">{cell}</td>' if i >= numeric_from else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        ]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return [*lines, "</table>"]


def _header(report: ClassReport) -> list[str]:
    statuses = ", ".join(f"{esc(STATUS_LABELS[s])} {n}" for s, n in report.statuses)
    stats = report.totals
    if stats.count:
        totals = (
            f"Totals of {stats.count} read submissions (out of {esc(points(report.max_total))}): "
            f"mean {esc(points(stats.mean))}, median {esc(points(stats.median))}, "
            f"min {esc(points(stats.minimum))}, max {esc(points(stats.maximum))}"
        )
    else:
        totals = "Totals: no submission was read"
    return [
        f"<h1>Class report: {esc(report.title or report.assignment)}</h1>",
        "<ul>",
        f"<li>Assignment: {esc(report.assignment)}</li>",
        f"<li>Submissions: {report.rows} ({report.students} distinct student ids)</li>",
        f"<li>By status: {statuses}</li>",
        f"<li>{totals}</li>",
        "</ul>",
        f"<p>{esc(TOTALS_NOTE)}</p>",
    ]


def _distribution(report: ClassReport, image: bool) -> list[str]:
    rows = [[esc(bin_range(b)), str(b.count)] for b in report.bins]
    picture = f'<img src="{esc(REPORT_PNG)}" alt="{esc(PNG_ALT)}">' if image else esc(NO_PLOTS)
    return [
        "<h2>Distribution of totals</h2>",
        f"<p>{picture}</p>",
        *_table(["range", "students"], rows),
    ]


def _parts_table(report: ClassReport) -> list[str]:
    head = ["part", "mean / max", "scored", *(esc(label) for label in OUTCOME_LABELS.values())]
    rows = [
        [esc(p.answer_id), f"{esc(points(p.mean_points))} / {esc(points(p.max_points))}",
         str(p.scored), *(str(count) for _, count in p.outcomes)]
        for p in report.parts
    ]  # fmt: skip
    return ["<h2>Parts</h2>", *_table(head, rows)]


def _group(group: AnswerGroup) -> str:
    text = f"<li><strong>{group.count}</strong> \u00d7 {esc(KIND_LABELS[group.key.kind])}"
    if group.key.label:
        text += f" <code>{esc(group.key.label)}</code>"
    if group.key.kind is GroupKind.MISTAKE and group.key.note:
        text += f": {esc(group.key.note)}"
    if group.example:
        text += f" \u2014 example: <code>{esc(group.example)}</code>"
    return text + "</li>"


def _wrong(part: PartSummary) -> list[str]:
    wrong = part.wrong
    lines = [f"<h3>{esc(part.answer_id)}</h3>"]
    if not wrong.total:
        return [*lines, "<p>No wrong answers.</p>"]
    shown = len(wrong.top)
    counted = f"{wrong.total} wrong answer(s) in {wrong.group_count} group(s)" + (
        f", the {shown} largest shown" if shown < wrong.group_count else ""
    )
    return [*lines, f"<p>{counted}</p>", "<ul>", *(_group(g) for g in wrong.top), "</ul>"]


def _wrong_answers(report: ClassReport) -> list[str]:
    lines = ["<h2>Most common wrong answers</h2>", f"<p>{esc(GROUPS_NOTE)}</p>"]
    if report.staff is not None:
        lines.append(f"<p>{esc(STEPS_NOTE)}</p>")
    for part in report.parts:
        if part.kind != "text":
            lines += _wrong(part)
    return lines


def _convention(summary: ConventionSummary) -> list[str]:
    title = f": {esc(summary.title)}" if summary.title else ""
    qid = esc(summary.question)
    head = ["convention", "students", "named it", "not named", "unknown", f"mean points on {qid}"]
    rows = [
        [esc(u.convention), str(u.students), str(u.named), str(u.not_named), str(u.unknown),
         esc(points(u.mean_points))]
        for u in summary.uses
    ]  # fmt: skip
    return [f"<h3>{qid}{title}</h3>", *_table(head, rows)]


def _conventions(report: ClassReport) -> list[str]:
    if not report.conventions:
        return []
    lines = [
        "<h2>Conventions</h2>",
        f"<p>{esc(CONVENTIONS_NOTE)}</p>",
    ]
    for summary in report.conventions:
        lines += _convention(summary)
    return lines


def _staff(report: ClassReport) -> list[str]:
    signals = report.staff
    if signals is None:
        return []
    copies = [
        f"<li><code>{esc(c.student_id)}</code> ({esc(c.source)}): "
        + esc(copy_line(c))
        + "</li>"
        for c in signals.copies
    ] or [f"<li>{esc(NO_SIGNALS)}</li>"]
    shared = [
        f"<li>{esc(s.answer_id)}, {len(s.holders)} students: "
        + ", ".join(
            f"<code>{esc(h.student_id)}</code> {esc(variant_note(h.variant))}".rstrip()
            for h in s.holders
        )
        + f" \u2014 answer: <code>{esc(s.example)}</code></li>"
        for s in signals.shared
    ] or [f"<li>{esc(NO_SIGNALS)}</li>"]
    return [
        f"<h2>{esc(STAFF_TITLE)}</h2>", f"<p>{esc(STAFF_NOTE)}</p>",
        f"<h3>{esc(COPIES_TITLE)}</h3>", "<ul>", *copies, "</ul>",
        f"<h3>{esc(SHARED_TITLE)}</h3>", "<ul>", *shared, "</ul>",
    ]  # fmt: skip


def render_html(report: ClassReport, image: bool = True) -> str:
    """The text of report.html (ends with a newline); `image`: show the histogram PNG."""
    title = esc(f"Class report: {report.title or report.assignment}")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
    ]
    body = (
        _header(report)
        + _distribution(report, image)
        + _parts_table(report)
        + _wrong_answers(report)
        + _conventions(report)
        + _staff(report)
    )
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
