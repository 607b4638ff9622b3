"""Progress on stderr: one line rewritten in place on a terminal, a few lines when piped, an
ETA once a stage has run a few seconds."""

from __future__ import annotations

import io

from grader.cli import _Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _run(stream: io.StringIO, clock: _Clock, total: int = 400) -> _Progress:
    progress = _Progress(stream, clock)
    for stage in ("reading", "checking", "scoring"):
        for done in range(1, total + 1):
            clock.now += 0.05  # 20 s per stage
            progress(stage, done, total)
            if done == total:
                progress(stage, done, total)  # reported twice: printed once
    progress("report", 0, 1)
    progress("report", 1, 1)
    return progress


def test_piped_output_is_a_few_lines_with_an_eta() -> None:
    stream = io.StringIO()
    _run(stream, _Clock())
    lines = stream.getvalue().splitlines()
    assert len(lines) <= 4 * 4  # per stage: at most three quarter lines and the end
    assert [line for line in lines if line.startswith("checking 400/400")] == [
        "checking 400/400 in 20 s"
    ]
    assert any("checking 200/400 (50%), about 10.0 s left" == line for line in lines)
    assert "\r" not in stream.getvalue()
    assert lines[-1].startswith("report 1/1")


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    stream = _Terminal()
    progress = _run(stream, _Clock())
    text = stream.getvalue()
    assert "\n" not in text
    assert text.count("\r") < 3 * 400  # rate-limited, not one write per item
    assert "about" in text and "left" in text
    progress.close()
    assert stream.getvalue().endswith("\r")
    last = stream.getvalue().rstrip("\r").rsplit("\r", 1)[-1]
    assert last.strip() == ""  # the line is cleared before the summary
