"""report-totals.png: a valid PNG, the same bytes on every render, no version or date inside."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import matplotlib
import matplotlib.image

from grader.report.bins import total_bins
from grader.report.histogram import DPI, FIGURE_SIZE, render_histogram

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[2]
TOTALS = [3.5, 4, 14.17, 20.38, 28, 30, 30]


def _png() -> bytes:
    return render_histogram(total_bins(TOTALS, 30), 30, "Totals: practical-1 (n = 7)")


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, payload) chunks of a PNG, checking each CRC."""
    chunks = []
    offset = len(PNG_MAGIC)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + payload) == crc
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


def test_the_histogram_is_a_valid_png_of_the_fixed_size() -> None:
    data = _png()
    assert data.startswith(PNG_MAGIC)
    chunks = _chunks(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert image.shape[:2] == (round(FIGURE_SIZE[1] * DPI), round(FIGURE_SIZE[0] * DPI))
    assert image.min() < image.max()  # something is drawn


def test_no_software_version_or_date_is_embedded() -> None:
    data = _png()
    text_chunks = [
        payload for kind, payload in _chunks(data) if kind in (b"tEXt", b"iTXt", b"zTXt")
    ]
    assert not any(p.startswith((b"Software", b"Creation Time")) for p in text_chunks)
    assert b"matplotlib" not in data.lower()
    assert not any(kind == b"tIME" for kind, _ in _chunks(data))


def test_two_renders_are_byte_identical() -> None:
    assert _png() == _png()


def test_a_users_matplotlib_settings_do_not_change_the_picture() -> None:
    plain = _png()
    with matplotlib.rc_context({"axes.facecolor": "red", "font.size": 20, "figure.dpi": 50}):
        assert _png() == plain


def test_a_fresh_interpreter_renders_the_same_bytes() -> None:
    code = (
        "import sys\n"
        "from grader.report.bins import total_bins\n"
        "from grader.report.histogram import render_histogram\n"
        f"data = render_histogram(total_bins({TOTALS!r}, 30), 30, 'Totals: practical-1 (n = 7)')\n"
        "sys.stdout.buffer.write(data)\n"
    )
    result = subprocess.run(  # noqa: S603 -- our own code, no student input
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True, timeout=120
    )
    assert result.stdout == _png()


def test_different_totals_give_a_different_picture() -> None:
    other = render_histogram(total_bins([1, 2, 3], 30), 30, "Totals: practical-1 (n = 7)")
    assert other != _png()


def test_an_empty_class_and_a_mathtext_title_still_render() -> None:
    data = render_histogram(total_bins([], 0), 0, "Totals: $\\frac{ (n = 0)")
    assert data.startswith(PNG_MAGIC)
