"""Small PDFs built with pypdf for the loader and hostile tests (no TeX needed)."""

from __future__ import annotations

import io
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

SOURCE_KEY = "/GraderSource"  # grader.sty's catalog entry, written down independently


def pdf_with_stream(data: bytes, flate: bool = True, key: str = SOURCE_KEY) -> bytes:
    """A one-page PDF whose catalog references a stream holding `data` (raw when not flate:
    then `data` is stored as the already-encoded bytes with the Flate filter declared)."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    stream = StreamObject()
    stream._data = data  # the encoded bytes, exactly as given
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    if flate:
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    ref = writer._add_object(stream)
    writer._root_object[NameObject(key)] = ref
    return _bytes(writer)


def pdf_with_source(text: str) -> bytes:
    """A PDF carrying `text` as grader.sty would embed it."""
    return pdf_with_stream(zlib.compress(text.encode("utf-8")))


def plain_pdf(javascript: bool = False) -> bytes:
    """A PDF without embedded answers (optionally with a document-open JavaScript action)."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if javascript:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(
                    "app.launchURL('file:///tmp/grader-canary-pdf-js');"
                ),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = action
    return _bytes(writer)


def encrypted_pdf(text: str) -> bytes:
    """An encrypted PDF that does carry the source stream."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    stream = StreamObject()
    stream._data = zlib.compress(text.encode("utf-8"))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer._root_object[NameObject(SOURCE_KEY)] = writer._add_object(stream)
    writer.encrypt("secret", algorithm="RC4-128")  # RC4: no extra crypto library needed
    return _bytes(writer)


def flate_bomb(inflated: int) -> bytes:
    """Flate data that inflates to `inflated` zero bytes, built by repeating one fully
    flushed block (so that building a gigabyte bomb takes milliseconds)."""
    chunk = 1 << 20
    compressor = zlib.compressobj(9)
    head = compressor.compress(b"\0" * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b"\0" * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    return head + block * (inflated // chunk - 2) + tail


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
