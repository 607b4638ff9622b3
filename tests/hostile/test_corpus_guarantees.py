"""The guarantees of gradebook.md and docs/security.md, on ONE run of `grade` over the corpus.

The whole hostile corpus (committed files plus the generated 30 MB files, links, a FIFO and
hostile file names) is graded by `python -m grader.cli FOLDER --out OUT --quiet` in a
subprocess whose working directory, HOME and TMPDIR are separate temporary folders; then again
over the same --out. Every assertion below is about that run's exit status, files and output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_build import (
    MARKER,
    SECRET,
    Expectation,
    build_corpus,
    canaries,
    make_run_dirs,
    read_tree,
    run_grade,
    snapshot,
)

from grader.gradebook.text import clean_text, unneutralise

CSV_FILES = ("grades.csv", "parts.csv", "review.csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
STUDENT_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")  # grader/loaders/identity.py
FEEDBACK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,79}\.md")  # gradebook/paths.py
RIGHT = frozenset({"correct", "partial", "carried"})


@dataclass(frozen=True)
class CorpusRun:
    """Everything observed around the two runs."""

    root: Path
    out: Path
    expect: dict[str, Expectation]
    returncode: int
    stdout: bytes
    stderr: bytes
    before: dict[str, tuple[str, ...]]
    after: dict[str, tuple[str, ...]]
    outputs: dict[str, bytes]
    second_returncode: int
    second_outputs: dict[str, bytes]
    canaries: tuple[Path, ...]


def _remove_stale_canaries() -> None:
    # Left by an earlier, failed run of this test (no payload may create one): start clean.
    for path in canaries():
        if path.is_file() and not path.is_symlink():
            path.unlink()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    root = tmp_path_factory.mktemp("hostile")
    expect = dict(build_corpus(root / "corpus", root / "outside"))
    cwd, home = make_run_dirs(root)
    out = root / "out" / "gradebook"
    _remove_stale_canaries()
    before = snapshot(root)
    first = run_grade(root / "corpus", out, cwd, home)
    after = snapshot(root)
    outputs = read_tree(out)
    found = tuple(canaries())
    second = run_grade(root / "corpus", out, cwd, home)
    result = CorpusRun(
        root, out, expect, first.returncode, first.stdout, first.stderr, before, after,
        outputs, second.returncode, read_tree(out), found,
    )  # fmt: skip
    yield result
    shutil.rmtree(root / "corpus", ignore_errors=True)  # 60 MB of generated files


def _csv(run: CorpusRun, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run.outputs[name].decode("utf-8"))))


def _unescape(cell: str) -> str:
    """A CSV text cell without the formula-escaping apostrophes (the grader's own inverse)."""
    return unneutralise(cell)


def _rows_by_source(run: CorpusRun) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    for row in _csv(run, "grades.csv"):
        rows.setdefault(_unescape(row["source"]), []).append(row)
    return rows


def _shown(name: str) -> str:
    """A file name as every output shows it: bidi and invisible controls made visible."""
    return clean_text(name)


def _row(run: CorpusRun, name: str) -> dict[str, str]:
    return _rows_by_source(run)[_shown(name)][0]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ----- the batch ------------------------------------------------------------------------------
def test_the_corpus_is_large_and_described() -> None:
    from hostile_build import CORPUS, GENERATED, load_manifest

    manifest = load_manifest()
    committed = {p.name for p in CORPUS.iterdir() if not p.name.startswith(".")}
    assert committed == set(manifest)
    assert len(committed) >= 60
    assert all(entry.attacks.strip() for entry in manifest.values())
    assert all(item.expect.attacks.strip() for item in GENERATED)
    assert all(e.status in ("readable", "unreadable", "any") for e in manifest.values())


def test_the_batch_succeeds(run: CorpusRun) -> None:
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-3000:]
    assert run.second_returncode == 0


def test_every_file_has_exactly_one_row(run: CorpusRun) -> None:
    rows = _rows_by_source(run)
    assert set(rows) == {_shown(name) for name in run.expect}
    assert {name: len(found) for name, found in rows.items() if len(found) != 1} == {}


def test_statuses_follow_the_manifest(run: CorpusRun) -> None:
    wrong = {}
    for name, expect in run.expect.items():
        status = _row(run, name)["status"]
        allowed = {
            "readable": {"graded", "needs_review"},
            "unreadable": {"unreadable"},
            "any": {"graded", "needs_review", "unreadable"},
        }[expect.status]
        if status not in allowed:
            wrong[name] = status
    assert wrong == {}


def test_unreadable_and_flagged_rows_say_what_and_where(run: CorpusRun) -> None:
    silent = []
    for name, expect in run.expect.items():
        row = _row(run, name)
        if row["status"] == "unreadable" or expect.message:
            message = _one_line(_unescape(row["message"]))
            if _one_line(_shown(name)) not in message:
                silent.append(name)
    assert silent == []


def test_messages_name_the_cause(run: CorpusRun) -> None:
    vague = {}
    for name, expect in run.expect.items():
        message = _one_line(_unescape(_row(run, name)["message"]))
        missing = [words for words in expect.says if words not in message]
        if missing:
            vague[name] = (missing, message[:300])
    assert vague == {}


def test_unreadable_rows_score_nothing(run: CorpusRun) -> None:
    for name in run.expect:
        row = _row(run, name)
        if row["status"] == "unreadable":
            assert (row["base"], row["bonus"], row["total"]) == ("0", "0", "0"), name


# ----- answers carrying payloads --------------------------------------------------------------
def test_payload_answers_earn_nothing(run: CorpusRun) -> None:
    parts = {(_unescape(row["student_id"]), row["part"]): row for row in _csv(run, "parts.csv")}
    credited = {}
    for name, expect in run.expect.items():
        student = _unescape(_row(run, name)["student_id"])
        for part in expect.zero:
            row = parts[(student, part)]
            if row["outcome"] in RIGHT or row["points"] != "0":
                credited[(name, part)] = (row["outcome"], row["points"])
    assert credited == {}


def test_the_control_sheet_still_earns_full_marks(run: CorpusRun) -> None:
    document = json.loads(run.outputs["results.json"])
    max_points = {q["id"]: q["max_points"] for q in document["assignment"]["questions"]}
    for name, expect in run.expect.items():
        row = _row(run, name)
        for question in expect.full_marks:
            assert float(row[question]) == pytest.approx(max_points[question]), (name, question)


def test_no_payload_ran(run: CorpusRun) -> None:
    assert run.canaries == ()
    assert canaries() == []
    texts = [run.stdout, run.stderr, *run.outputs.values(), *run.second_outputs.values()]
    assert not any(MARKER.encode() in text for text in texts)


def test_nothing_from_outside_the_folder_is_read(run: CorpusRun) -> None:
    assert not any(SECRET.encode() in data for data in run.outputs.values())


# ----- identity ---------------------------------------------------------------------------------
def test_student_ids_are_plain_tokens(run: CorpusRun) -> None:
    ids = [_unescape(row["student_id"]) for row in _csv(run, "grades.csv")]
    assert [i for i in ids if not STUDENT_ID.fullmatch(i)] == []


def test_identities_follow_the_manifest(run: CorpusRun) -> None:
    for name, expect in run.expect.items():
        student = _unescape(_row(run, name)["student_id"])
        if expect.student_id is not None:
            assert student == expect.student_id, name
        assert student not in expect.id_not, name


def test_duplicate_ids_are_kept_and_flagged(run: CorpusRun) -> None:
    document = json.loads(run.outputs["results.json"])
    counts = Counter(row["student_id"] for row in document["rows"])
    duplicated = [row for row in document["rows"] if counts[row["student_id"]] > 1]
    assert duplicated, "the corpus holds one id in two files"
    assert all("duplicate_id" in row["flags"] for row in duplicated)


# ----- what was written, and where ---------------------------------------------------------------
def _outside_out(run: CorpusRun, tree: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out = str(run.out.relative_to(run.root))
    return {
        path: entry
        for path, entry in tree.items()
        if path != out
        and not path.startswith(out + "/")
    }


def test_nothing_is_written_outside_the_out_folder(run: CorpusRun) -> None:
    before = _outside_out(run, run.before)
    after = _outside_out(run, run.after)
    # The --out folder's parent is created for it; nothing else may appear or change.
    after.pop(str(run.out.parent.relative_to(run.root)), None)
    assert after == before


def test_outputs_are_plain_files_with_safe_names(run: CorpusRun) -> None:
    tree = snapshot(run.out)
    assert {path for path, entry in tree.items() if entry[0] not in ("file", "dir")} == set()
    assert [path for path in tree if path.endswith(".gbtmp")] == []
    feedback = [path.split("/", 1)[1] for path in tree if path.startswith("feedback/")]
    assert [name for name in feedback if not FEEDBACK_NAME.fullmatch(name)] == []
    assert len({name.casefold() for name in feedback}) == len(feedback)
    assert len(feedback) == len(_csv(run, "grades.csv"))
    assert all(path.count("/") <= 1 for path in tree)


def _is_number(cell: str) -> bool:
    return NUMBER.fullmatch(cell) is not None


def test_no_csv_cell_is_a_formula(run: CorpusRun) -> None:
    formulas = []
    for name in sorted(path for path in run.outputs if path.endswith(".csv")):
        text = run.outputs[name].decode("utf-8")
        for line, cells in enumerate(csv.reader(io.StringIO(text)), 1):
            for cell in cells:
                if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                    formulas.append((name, line, cell[:60]))
    assert formulas == []


def test_csv_files_are_well_formed(run: CorpusRun) -> None:
    for name in CSV_FILES:
        rows = list(csv.reader(io.StringIO(run.outputs[name].decode("utf-8"))))
        assert len({len(row) for row in rows}) == 1, name


def _without_code_spans(line: str) -> str:
    line = line.replace("\\`", "")
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


def _markdown_outside_code(text: str) -> str:
    """The Markdown a reader's renderer interprets: fenced code blocks and code spans removed
    (CommonMark shows their content literally, HTML included)."""
    kept: list[str] = []
    fence = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not fence:
            opening = re.match(r"(?:[-*+]\s+|\d+[.)]\s+)?(`{3,}|~{3,})", stripped)
            if opening:  # also as the first thing in a list item ("- ```")
                fence = opening.group(1)
            else:
                kept.append(_without_code_spans(line))
        elif stripped.startswith(fence) and set(stripped) == {fence[0]}:
            fence = ""
    return "\n".join(kept)


def test_student_markup_never_reaches_feedback_or_reports_raw(run: CorpusRun) -> None:
    raw = re.compile(r"<\s*(script|img|iframe|svg|a\s)", re.IGNORECASE)
    found = []
    for name, data in run.outputs.items():
        if name.endswith(".md"):
            text = _markdown_outside_code(data.decode())
        elif name.endswith(".html"):
            text = re.sub(r"<img src=\"report-[a-z-]+\.png\"", "", data.decode())
        else:
            continue
        found += [(name, m.group(0)) for m in raw.finditer(text)]
    assert found == []


def test_results_json_is_strict_json(run: CorpusRun) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(constant)

    document = json.loads(run.outputs["results.json"], parse_constant=refuse)
    assert len(document["rows"]) == len(run.expect)


def test_a_second_run_gives_byte_identical_outputs(run: CorpusRun) -> None:
    assert sorted(run.second_outputs) == sorted(run.outputs)
    changed = [name for name in run.outputs if run.outputs[name] != run.second_outputs[name]]
    assert changed == []
