"""Student files as text: UTF-8 or a message that names what the file is instead.

Submissions must be UTF-8 (a UTF-8 byte-order mark is allowed). What a student's editor saved
instead is named, with the position of the first offending byte and the fix ("save it as
UTF-8"): UTF-16 and UTF-32 (by their byte-order marks, or by the NUL bytes between ASCII
letters when there is none), an empty file, binary data, and text in a legacy 8-bit encoding
(the byte is shown as Windows-1252 reads it, the usual culprit). Nothing is ever guessed into
an answer: a file that is not UTF-8 is refused, with the reason.
"""

from __future__ import annotations

_UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)
_SAMPLE = 4096  # bytes looked at to recognise UTF-16/32 without a byte-order mark
SAVE_AS_UTF8 = "save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)"


class TextProblem(Exception):
    """Why bytes are not usable text, with a 1-based position when one is known; `empty`
    marks an empty (or blank) file."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        empty: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.empty = empty


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and (byte) column of a 0-based byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 recognised by its byte-order mark or by the zero bytes that ASCII
    letters carry in it."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:_SAMPLE]
    if len(sample) < 4:
        return None
    quarters = [sample[i::4].count(0) / max(1, len(sample[i::4])) for i in range(4)]
    if quarters[1] > 0.9 and quarters[2] > 0.9 and quarters[3] > 0.9:
        return "UTF-32 (little-endian, without a byte-order mark)"
    if quarters[0] > 0.9 and quarters[1] > 0.9 and quarters[2] > 0.9:
        return "UTF-32 (big-endian, without a byte-order mark)"
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.4 and even < 0.05:
        return "UTF-16 (little-endian, without a byte-order mark)"
    if even > 0.4 and odd < 0.05:
        return "UTF-16 (big-endian, without a byte-order mark)"
    return None


def decode_text(data: bytes, what: str = "the file") -> str:
    """`data` as text, without a UTF-8 byte-order mark; TextProblem saying what it is otherwise.

    `what` names the file in messages ("the file", "the notebook").
    """
    if not data.strip():
        size = "0 bytes" if not data else "only white space"
        raise TextProblem(f"{what} is empty ({size})", empty=True)
    wide = _wide_encoding(data)
    if wide is not None:
        raise TextProblem(f"{what} is {wide} text, not UTF-8: {SAVE_AS_UTF8}", 1, 1)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_col(data, nul)
        raise TextProblem(f"{what} is binary (it contains a NUL byte), not text", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col(data, exc.start)
        byte = data[exc.start]
        shown = bytes([byte]).decode("cp1252", "replace")
        raise TextProblem(
            f"{what} is not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} is "
            f"not UTF-8 (the file is probably Windows-1252 or Latin-1, where that byte is "
            f"{shown!r}): {SAVE_AS_UTF8}",
            line,
            column,
        ) from None
