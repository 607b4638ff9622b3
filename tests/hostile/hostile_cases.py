"""The second part of the hostile corpus, generated at test time (issue 14): encodings, empty
files, invisible and look-alike characters, notebooks of every format and shape, bounds on what
grows with input, hostile file names.

Each case is (file name, builder, expectation); `says` lists what the row's message must
contain: the encoding by name, the code point of a look-alike character, the cause. Answers
are built from the control sheet's right answers, so that a readable case proves it was read by
earning the points of `full_marks`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

MINI = "delta_k * z_{k-1}^T"  # right: Exercise mini earns its 2 points
EX1 = "(y_out - y_gt) * f3'(s_out) * z2"  # right for ex1.dL_dWout
Y_OUT = ["0.0986", "0.0112", "0.0634", "0.0059"]


def _sheet_text(student_id: str, answers: str, name: str = "Generated") -> str:
    return (
        f"student:\n  id: {student_id}\n  name: {name}\nassignment: practical-1\n"
        f"answers:\n{answers}"
    )


def _mini(student_id: str) -> str:
    return _sheet_text(student_id, f'  mini:\n    dW_k: "{MINI}"\n', "Müller Ñandú")


# ----- encodings ------------------------------------------------------------------------------
def _encoded(encoding: str, bom: bytes = b"") -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        path.write_bytes(bom + _mini(f"hx-{path.stem}").encode(encoding))

    return build


def _notebook(cells: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells} | top


def _cell(kind: str, text: str, tags: list[str], index: int = 0) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": f"c{index}", "metadata": {"tags": tags},
                            "source": text}  # fmt: skip
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def _student_cell(student_id: str) -> dict[str, Any]:
    return _cell("raw", f"student:\n  id: {student_id}\nassignment: practical-1\n", ["student"])


def _mini_notebook(student_id: str) -> dict[str, Any]:
    return _notebook([_student_cell(student_id), _cell("markdown", f"${MINI}$", ["answer:mini.dW_k"], 1)])


def _encoded_notebook(encoding: str) -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        document = _mini_notebook(f"hx-{path.stem}")
        document["metadata"]["note"] = "Müller"
        path.write_bytes(json.dumps(document, ensure_ascii=False).encode(encoding))

    return build


def _raw(data: bytes) -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        path.write_bytes(data)

    return build


# ----- characters -----------------------------------------------------------------------------
def _sheet_with(student_id: str, answers: str) -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        text = _sheet_text(student_id, answers) + f'  mini:\n    dW_k: "{MINI}"\n'
        path.write_text(text, encoding="utf-8")

    return build


def _y_out(first: str) -> str:
    values = ", ".join([first, *Y_OUT[1:]])
    return f"  ex2:\n    y_out: [{values}]\n"


# ----- notebooks ------------------------------------------------------------------------------
def _json(document: object) -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        path.write_text(json.dumps(document), encoding="utf-8")

    return build


def _v4_minor(minor: int, student_id: str) -> dict[str, Any]:
    cells = []
    for index, cell in enumerate(_mini_notebook(student_id)["cells"]):
        if minor < 5:
            del cell["id"]
        if minor >= 1 and cell["cell_type"] == "markdown":
            cell["attachments"] = {}
        cells.append(cell | {"metadata": cell["metadata"] | {"n": index}})
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": {"language_info": {}}, "cells": cells}


def _v3(version: int, student_id: str) -> dict[str, Any]:
    return {
        "nbformat": version, "nbformat_minor": 0, "metadata": {"name": "x"},
        "worksheets": [
            {"cells": [{"cell_type": "heading", "level": 1, "metadata": {}, "source": "Practical"},
                       {"cell_type": "raw", "metadata": {"tags": ["student"]},
                        "source": f"student:\n  id: {student_id}\n"}]},
            {"cells": [{"cell_type": "code", "language": "python", "outputs": [],
                        "metadata": {"tags": ["answer:mini.dW_k"]}, "input": f"dW_k = '{MINI}'"}]},
        ],
    }  # fmt: skip


def _without(key: str, student_id: str, value: object = "delete") -> dict[str, Any]:
    document = _mini_notebook(student_id)
    if value == "delete":
        del document[key]
    else:
        document[key] = value
    return document


def _cells_metadata_null(student_id: str) -> dict[str, Any]:
    document = _mini_notebook(student_id)
    document["cells"].append({"cell_type": "markdown", "metadata": None, "source": "notes"})
    document["cells"].append({"cell_type": "code", "source": "x = 1", "outputs": []})
    return document


def _repeated_tags(student_id: str) -> dict[str, Any]:
    document = _mini_notebook(student_id)
    document["cells"][0]["metadata"]["tags"] = ["student", "student"]
    document["cells"][1]["metadata"]["tags"] = ["answer:mini.dW_k", " answer:mini.dW_k", "answer: mini.dW_k"]
    return document


def _answers_twice(student_id: str) -> dict[str, Any]:
    cell = _cell("raw", f'answers:\n  mini:\n    dW_k: "{MINI}"\n', ["answers", "answers"])
    return _notebook([_student_cell(student_id), cell])


def _surrogate(where: str, student_id: str) -> dict[str, Any]:
    document = _mini_notebook(student_id)
    if where == "markdown":
        document["cells"].append(_cell("markdown", "z2 \ud800", ["answer:ex1.dL_dWout"], 2))
    elif where == "code":
        document["cells"].append(_cell("code", "y_out = ['0.0986', '\udc00']", ["answer:ex2.y_out"], 2))
    elif where == "tag":
        document["cells"].append(_cell("markdown", EX1, ["answer:ex1.\udbff"], 2))
    else:
        document["metadata"]["student"] = {"id": student_id, "name": "Ada \udfff"}
    return document


def _alias(identity: str, student_id: str) -> dict[str, Any]:
    answers = _cell("raw", "answers:\n  ex2:\n    s: &rows [[1, 2]]\n    z: *rows\n", ["answers"], 1)
    if identity == "cell":
        return _notebook([_student_cell(student_id), answers])
    return _notebook([answers], metadata={"student": {"id": student_id, "name": "Meta Data"}})


def _junk_cells(student_id: str) -> dict[str, Any]:
    document = _mini_notebook(student_id)
    document["cells"] += ["a string", 42, None, [], {"cell_type": "weird", "source": 7},
                          {"cell_type": "markdown", "metadata": [], "source": ["a", 1]}]  # fmt: skip
    return document


# ----- bounds ---------------------------------------------------------------------------------
def _many_tags_one_cell(path: Path, outside: Path) -> None:
    document = _mini_notebook("hx-tags-one-cell")
    document["cells"].append(_cell("markdown", "a", [f"answer:q{i}" for i in range(600_000)], 2))
    path.write_text(json.dumps(document), encoding="utf-8")


def _tags_over_many_cells(path: Path, outside: Path) -> None:
    document = _mini_notebook("hx-tags-many-cells")
    document["cells"] += [{"cell_type": "markdown", "metadata": {"tags": [f"answer:q{i}"]},
                           "source": "1"} for i in range(12_000)]  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")


def _many_containers(path: Path, outside: Path) -> None:
    body = ",".join(["{}"] * 250_000)
    path.write_text('{"nbformat": 4, "metadata": {}, "cells": [' + body + "]}", encoding="utf-8")


def _many_unknown_code_cells(path: Path, outside: Path) -> None:
    document = _mini_notebook("hx-many-messages")
    document["cells"] += [_cell("code", f"import os  # {i}", [f"answer:ex9.p{i}"], i)
                          for i in range(3000)]  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")


def _many_yaml_answers(path: Path, outside: Path) -> None:
    answers = "".join(f"  q{i}: {i}\n" for i in range(4000))
    text = _sheet_text("hx-yaml-answers", f'  mini:\n    dW_k: "{MINI}"\n' + answers)
    path.write_text(text, encoding="utf-8")


def _huge_markdown_answer(path: Path, outside: Path) -> None:
    document = _mini_notebook("hx-huge-markdown")
    essay = "Recompute activations in the backward pass instead of storing them. " * 200_000
    document["cells"].append(_cell("markdown", essay, ["answer:ex4.answer", "answer:ex3.explanation"], 2))
    path.write_text(json.dumps(document), encoding="utf-8")


def _plain_sheet(path: Path, outside: Path) -> None:
    text = "assignment: practical-1\nanswers:\n  mini:\n    dW_k: \"" + MINI + "\"\n"
    path.write_text(text, encoding="utf-8")


def _latin1_name(path: Path, outside: Path) -> None:
    raw = bytes(path.parent) + b"/pen_paper_caf\xe9.yaml"  # the name's bytes are not UTF-8
    with open(raw, "wb") as handle:
        handle.write(_mini("hx-latin1-name").encode())


def _doc(make: Callable[[str], dict[str, Any]]) -> Callable[[Path, Path], None]:
    def build(path: Path, outside: Path) -> None:
        path.write_text(json.dumps(make(f"hx-{path.stem}")), encoding="utf-8")

    return build


def _read(attack: str, **more: Any) -> dict[str, Any]:
    """A case that must be read: its mini answer earns full marks."""
    return {"attacks": attack, "status": "readable", "full_marks": ("mini",)} | more


def _refused(attack: str, *says: str, **more: Any) -> dict[str, Any]:
    return {"attacks": attack, "status": "unreadable", "message": True, "says": says} | more


Case = tuple[str, Callable[[Path, Path], None], dict[str, Any]]
UTF8 = "save it as UTF-8"

CASES: tuple[Case, ...] = (
    # encodings: named, with the fix
    ("enc_utf16le_bom.yaml", _encoded("utf-16-le", b"\xff\xfe"),
     _refused("a sheet saved as UTF-16 LE with a BOM", "UTF-16 (little-endian)", UTF8)),
    ("enc_utf16be_bom.yaml", _encoded("utf-16-be", b"\xfe\xff"),
     _refused("a sheet saved as UTF-16 BE with a BOM", "UTF-16 (big-endian)", UTF8)),
    ("enc_utf16le_nobom.yaml", _encoded("utf-16-le"),
     _refused("UTF-16 LE without a BOM", "UTF-16 (little-endian, without a byte-order mark)")),
    ("enc_utf16be_nobom.yaml", _encoded("utf-16-be"),
     _refused("UTF-16 BE without a BOM", "UTF-16 (big-endian, without a byte-order mark)")),
    ("enc_utf32le_bom.yaml", _encoded("utf-32-le", b"\xff\xfe\x00\x00"),
     _refused("a sheet saved as UTF-32 LE", "UTF-32 (little-endian)", UTF8)),
    ("enc_utf32be_bom.yaml", _encoded("utf-32-be", b"\x00\x00\xfe\xff"),
     _refused("a sheet saved as UTF-32 BE", "UTF-32 (big-endian)", UTF8)),
    ("enc_cp1252.yaml", _encoded("cp1252"),
     _refused("a sheet saved as Windows-1252 (Müller)", "Windows-1252 or Latin-1", "line 3", UTF8)),
    ("enc_shift_jis.yaml", _raw(_sheet_text("hx-sjis", "  ex4:\n    answer: 勾配\n").encode("shift_jis")),
     _refused("a sheet saved as Shift-JIS", "not UTF-8", UTF8)),
    ("enc_gb18030.yaml", _raw(_sheet_text("hx-gb", "  ex4:\n    answer: 梯度下降\n").encode("gb18030")),
     _refused("a sheet saved as GB18030", "not UTF-8", UTF8)),
    ("enc_utf8_bom.yaml", _encoded("utf-8", b"\xef\xbb\xbf"),
     _read("a UTF-8 sheet with a byte-order mark (allowed)")),
    ("enc_utf16_notebook.ipynb", _encoded_notebook("utf-16"),
     _refused("a notebook saved as UTF-16", "UTF-16", UTF8)),
    ("enc_cp1252_notebook.ipynb", _encoded_notebook("cp1252"),
     _refused("a notebook saved as Windows-1252", "Windows-1252 or Latin-1", UTF8)),
    ("enc_binary_nul.yaml", _raw(b"student:\n  id: x\x00\x01\x02\n"),
     _refused("binary bytes (NUL) in a sheet", "binary")),
    # empty files: said to be empty
    ("empty_whitespace.ipynb", _raw(b"\n \n\t\n"), _refused("a notebook of blank lines", "empty")),
    ("empty_whitespace.yaml", _raw(b"   \n\n"), _refused("a sheet of blank lines", "empty")),
    ("empty_json_object.ipynb", _raw(b"{}"), _refused("a notebook that is {}", "no cells")),
    # invisible and look-alike characters: named by code point and position
    ("chars_nbsp_number.yaml", _sheet_with("hx-nbsp", _y_out("0.0986\u00a0")),
     _read("a no-break space after a number", message=True, says=("U+00A0 NO-BREAK SPACE",))),
    ("chars_thin_space.yaml", _sheet_with("hx-thin", f'  ex1:\n    dL_dWout: "{EX1[:9]}\u2009{EX1[9:]}"\n'),
     _read("a thin space inside an expression", message=True, says=("U+2009 THIN SPACE",))),
    ("chars_zero_width.yaml", _sheet_with("hx-zwsp", '  ex1:\n    dL_dWout: "z\u200b2"\n'),
     _read("a zero-width space splitting a name", message=True, says=("U+200B ZERO WIDTH SPACE",))),
    ("chars_fullwidth_digits.yaml", _sheet_with("hx-fullwidth", _y_out("\uff10.\uff10\uff19\uff18\uff16")),
     _read("full-width digits in a number", message=True, says=("U+FF10 FULLWIDTH DIGIT ZERO", "looks like '0'"))),
    ("chars_cyrillic_answer.yaml", _sheet_with("hx-cyrillic", '  ex1:\n    dL_dW1: "f1\'(s1) * \u0445_in"\n'),
     _read("a Cyrillic x in a symbolic answer", message=True,
           says=("U+0445 CYRILLIC SMALL LETTER HA", "looks like 'x'"))),
    ("chars_cyrillic_key.yaml", _sheet_with("hx-cyrillic-key", "  \u0435x3:\n    gradient: x\n"),
     _read("a question key with a Cyrillic e", message=True,
           says=("U+0435 CYRILLIC SMALL LETTER IE", "did you mean"))),
    ("pen_paper_cyrid.yaml", _sheet_with("s1000\u0430", ""),
     _read("a student id with a Cyrillic a", message=True, student_id="cyrid",
           says=("U+0430 CYRILLIC SMALL LETTER A",))),
    ("chars_arabic_digits.yaml", _sheet_with("hx-arabic", _y_out("\u0660.\u0660\u0669\u0668\u0666")),
     _read("Arabic-Indic digits in a number", message=True, says=("U+0660 ARABIC-INDIC DIGIT ZERO",))),
    ("chars_math_italic.yaml", _sheet_with("hx-italic", '  ex1:\n    dL_dWout: "\U0001d467"\n'),
     _read("a mathematical italic z pasted from Word", message=True,
           says=("U+1D467 MATHEMATICAL ITALIC SMALL Z", "looks like 'z'"))),
    ("chars_bidi_answer.yaml", _sheet_with("hx-bidi", '  ex1:\n    dL_dWout: "z2\u202e1"\n'),
     _read("a right-to-left override inside an answer", message=True, says=("U+202E",))),
    ("chars_nbsp_notebook.ipynb", _doc(lambda i: _mini_notebook(i) | {"cells": [
        *_mini_notebook(i)["cells"], _cell("markdown", f"${EX1[:9]}\u00a0{EX1[9:]}$", ["answer:ex1.dL_dWout"], 2)]}),
     _read("a no-break space in a notebook answer", message=True, says=("U+00A0",))),
    # notebooks of every format and shape
    *((f"nb_v4_{m}.ipynb", _doc(partial(_v4_minor, m)),
       _read(f"a notebook in format 4.{m}", student_id=f"hx-nb_v4_{m}")) for m in range(6)),
    ("nb_v3_headings.ipynb", _doc(lambda i: _v3(3, i)),
     _read("format 3: two worksheets, a heading cell, code in input", student_id="hx-nb_v3_headings")),
    ("nb_v2.ipynb", _doc(lambda i: _v3(2, i)), _read("format 2 (worksheets)")),
    ("nb_no_nbformat.ipynb", _doc(lambda i: {k: v for k, v in _mini_notebook(i).items()
                                              if not k.startswith("nbformat")}),
     _read("no nbformat fields", message=True, says=("no format version",))),
    ("nb_no_metadata.ipynb", _doc(lambda i: _without("metadata", i)),
     _read("no notebook metadata at all", message=True, says=("no notebook metadata",))),
    ("nb_null_metadata.ipynb", _doc(lambda i: _without("metadata", i, None)),
     _read("metadata: null", message=True, says=("no notebook metadata",))),
    ("nb_metadata_string.ipynb", _doc(lambda i: _without("metadata", i, "oops")),
     _read("metadata that is a string", message=True, says=("metadata is not an object",))),
    ("nb_cell_metadata_null.ipynb", _doc(_cells_metadata_null), _read("cells with metadata: null")),
    ("nb_repeated_tags.ipynb", _doc(_repeated_tags),
     _read("the same answer tag three times on one cell", student_id="hx-nb_repeated_tags")),
    ("nb_answers_tag_twice.ipynb", _doc(_answers_twice), _read("an answers cell tagged twice")),
    ("nb_surrogate_markdown.ipynb", _doc(lambda i: _surrogate("markdown", i)),
     _read("a lone surrogate in a markdown answer", message=True, says=("U+FFFD", "cell 3"))),
    ("nb_surrogate_code.ipynb", _doc(lambda i: _surrogate("code", i)),
     _read("a lone surrogate in a code answer", message=True, says=("U+FFFD",))),
    ("nb_surrogate_tag.ipynb", _doc(lambda i: _surrogate("tag", i)),
     _read("a lone surrogate in a tag", message=True, says=("U+FFFD",))),
    ("nb_surrogate_name.ipynb", _doc(lambda i: _surrogate("name", i)), _read("a lone surrogate in the name")),
    ("nb_alias_student_cell.ipynb", _doc(lambda i: _alias("cell", i)),
     _refused("an answers cell with a YAML alias; identity in the student cell", "alias",
              student_id="hx-nb_alias_student_cell")),
    ("nb_alias_metadata.ipynb", _doc(lambda i: _alias("metadata", i)),
     _refused("an answers cell with a YAML alias; identity in the metadata", "alias",
              student_id="hx-nb_alias_metadata")),
    ("nb_junk_cells.ipynb", _doc(_junk_cells),
     _read("cells that are strings, numbers, null, lists, odd types", message=True,
           says=("is not a notebook cell",))),
    ("nb_format_5.ipynb", _doc(lambda i: _mini_notebook(i) | {"nbformat": 5}),
     _refused("an unknown format version", "format 5")),
    # bounds on what grows with input
    ("nb_tags_600k_one_cell.ipynb", _many_tags_one_cell,
     _read("600,000 answer tags on one cell (112 s, 3 GiB, a 341 MiB results.json before)",
           message=True, says=("only the first 64 were read",))),
    ("nb_tags_12k_cells.ipynb", _tags_over_many_cells,
     _read("12,000 cells, each with its own answer tag", message=True,
           says=("only the first 10000 were read", "more unknown answer ids"))),
    ("nb_containers_250k.ipynb", _many_containers,
     _refused("250,000 empty cells ({}) in 1 MB (a memory bomb for a JSON tree)", "JSON objects and arrays")),
    ("nb_3000_bad_code_cells.ipynb", _many_unknown_code_cells,
     _read("3,000 code cells that are not literals, each tagged with its own id", message=True,
           says=("more than 1000 answers", "more messages about this file"))),
    ("yaml_4000_answers.yaml", _many_yaml_answers,
     _read("4,000 answers in one sheet", message=True, says=("more than 1000 answers",))),
    ("nb_15mb_markdown_answer.ipynb", _huge_markdown_answer, _read("a 13 MB free-text answer")),
    # file names
    ("=cmd|' -C calc'!A0.yaml", _plain_sheet,
     {"attacks": "a sheet named =cmd|' -C calc'!A0 (the name becomes the student id)",
      "status": "readable", "message": True, "full_marks": ("mini",)}),
    ("Ada;=cmd|' -C calc'!A0.yaml", _plain_sheet,
     {"attacks": "a ';' then a formula in the file name (split by ';' spreadsheets)",
      "status": "readable", "message": True, "full_marks": ("mini",)}),
    ("pen_paper_caf\ufffd.yaml", _latin1_name,
     {"attacks": "a file name whose bytes are Latin-1, not UTF-8", "status": "readable",
      "full_marks": ("mini",)}),
    ("pen_paper_mu\u0308ller.yaml", _plain_sheet,
     {"attacks": "a decomposed (NFD) umlaut in the file name", "status": "readable",
      "message": True, "full_marks": ("mini",)}),
    ("pen_paper_m\u00fcller.yaml", _plain_sheet,
     {"attacks": "the same name composed (NFC): a second file, a second row", "status": "readable",
      "message": True, "full_marks": ("mini",)}),
    ("pen_paper_\u202eevil.yaml", _plain_sheet,
     {"attacks": "a right-to-left override in the file name", "status": "readable",
      "message": True, "full_marks": ("mini",)}),
)  # fmt: skip
