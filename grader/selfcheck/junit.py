"""The report as JUnit XML, in the minimal form every CI reader accepts.

    <testsuites name="practical-1" tests=.. failures=.. errors="0" skipped=.. time="0">
      <testsuite name="sheet">                   one case: the file can be read
      <testsuite name="ex1"> <properties>max_score (and score when scoring)</properties>
        <testcase classname="ex1" name="ex1.dL_dWout [2 pts]" file=.. line=..>
          <properties>max_score (and score)</properties>
          <failure message=.. type="missing|unreadable">located messages</failure>

A case fails for a missing or unreadable answer; optional answers not given, alternatives not
graded and unknown ids are `<skipped>`. Points go into properties (the xunit2-safe suite ones
too) and into the name, for readers that drop properties. Without `feedback: scores` the only
points are what each answer is worth. Written with xml.etree, text cleaned of characters XML
cannot hold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.gradebook.numbers import format_points
from grader.gradebook.text import REPLACEMENT, clean_text, one_line
from grader.model import Severity
from grader.selfcheck.render import STATUS_WORDS, message_lines, slot_points
from grader.selfcheck.report import CheckReport, QuestionReport, SlotReport, SlotStatus

SHEET_SUITE = "sheet"
MAX_ATTRIBUTE_CHARS = 500
# Characters XML 1.0 cannot hold that clean_text() leaves (it handles C0/C1 and surrogates).
_NOT_XML = re.compile("[\ufffe\uffff]")
_SKIPPED = frozenset({SlotStatus.NOT_GIVEN, SlotStatus.IGNORED, SlotStatus.UNKNOWN})


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: control characters and non-characters replaced."""
    return _NOT_XML.sub(REPLACEMENT, clean_text(text))


def xml_attribute(text: str) -> str:
    """One line of XML-safe text, cut to MAX_ATTRIBUTE_CHARS."""
    line = xml_text(one_line(text))
    return line if len(line) <= MAX_ATTRIBUTE_CHARS else line[: MAX_ATTRIBUTE_CHARS - 3] + "..."


def junit_xml(report: CheckReport) -> bytes:
    """The JUnit XML document (UTF-8, with an XML declaration)."""
    root = ET.Element("testsuites", {"name": xml_attribute(report.assignment)})
    suites = [_sheet_suite(report)]
    for question in report.questions:
        suites.append(_question_suite(report, question, report.slots_of(question.id)))
    known = {q.id for q in report.questions}
    for name in dict.fromkeys(s.question for s in report.slots if s.question not in known):
        suites.append(_suite(name, [_case(report, s) for s in report.slots_of(name)]))
    root.extend(suites)
    _counts(root, suites)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _sheet_suite(report: CheckReport) -> ET.Element:
    case = ET.Element(
        "testcase",
        {"classname": SHEET_SUITE, "name": xml_attribute(f"{report.file} can be read"),
         "file": xml_attribute(report.file), "time": "0"},
    )  # fmt: skip
    errors = report.file_errors
    if errors or not report.readable:
        failure = ET.SubElement(
            case,
            "failure",
            {"type": "unreadable", "message": xml_attribute(errors[0].text if errors else "")},
        )
        failure.text = xml_text("\n".join(line for m in errors for line in message_lines(m)))
    return _suite(SHEET_SUITE, [case])


def _question_suite(
    report: CheckReport, question: QuestionReport, slots: tuple[SlotReport, ...]
) -> ET.Element:
    suite = _suite(question.id, [_case(report, s) for s in slots])
    properties = {"max_score": format_points(question.max_points)}
    if question.points is not None:
        properties["score"] = format_points(question.points)
    suite.insert(0, _properties(properties))
    return suite


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": xml_attribute(name)})
    suite.extend(cases)
    return suite


def _case(report: CheckReport, slot: SlotReport) -> ET.Element:
    name = " ".join(p for p in (slot.answer_id, slot_points(slot, report.scoring)) if p)
    attributes = {
        "classname": xml_attribute(slot.question),
        "name": xml_attribute(name),
        "file": xml_attribute(report.file),
        "time": "0",
    }
    if slot.location is not None and slot.location.line is not None and slot.location.cell is None:
        attributes["line"] = str(slot.location.line)
    case = ET.Element("testcase", attributes)
    properties = {"max_score": format_points(slot.max_points)}
    if report.scoring:
        properties["score"] = format_points(slot.points or 0.0)
    case.append(_properties(properties))
    if slot.failed:
        errors = [m.text for m in slot.messages if m.severity is Severity.ERROR]
        first = errors[-1] if errors else STATUS_WORDS[slot.status]
        failure = ET.SubElement(
            case, "failure", {"type": slot.status.value, "message": xml_attribute(first)}
        )
        failure.text = xml_text("\n".join(_body(slot)))
    elif slot.status in _SKIPPED:
        ET.SubElement(case, "skipped", {"message": xml_attribute(_skip_reason(slot))})
    return case


def _body(slot: SlotReport) -> list[str]:
    lines: list[str] = []
    for index, message in enumerate(slot.messages):
        pointer = slot.pointer if index == len(slot.messages) - 1 else ""
        lines += message_lines(message, pointer)
    return lines


def _skip_reason(slot: SlotReport) -> str:
    if slot.status is SlotStatus.NOT_GIVEN:
        return "not given (optional)"
    if slot.status is SlotStatus.IGNORED:
        return f"not graded: {slot.alternative_of} is given"
    return "unknown answer id: not graded"


def _properties(values: dict[str, str]) -> ET.Element:
    element = ET.Element("properties")
    for key, value in values.items():
        ET.SubElement(element, "property", {"name": key, "value": value})
    return element


def _counts(root: ET.Element, suites: list[ET.Element]) -> None:
    """tests/failures/errors/skipped/time on every suite and on the root."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": 0,
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
