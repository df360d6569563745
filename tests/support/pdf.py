"""Reading a PDF the app made: its text and its pages as images, through Qt's own PDF engine
(QtPdf, in the PySide6-Addons wheel the app already depends on: PDFium underneath)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtPdf import QPdfDocument


def _load(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    assert document.status() == QPdfDocument.Status.Ready, document.error()
    return document, buffer  # the buffer must outlive the document's use


def page_count(pdf: bytes) -> int:
    document, _buffer = _load(pdf)
    return document.pageCount()


def pdf_text(pdf: bytes) -> str:
    """Every page's text as a reader copying it would get it, each run of white space (a
    line wrapped in a table cell) as one space."""
    document, _buffer = _load(pdf)
    text = " ".join(document.getAllText(n).text() for n in range(document.pageCount()))
    return " ".join(unicodedata.normalize("NFC", text).split())


def save_page_png(pdf: bytes, path: Path, page: int = 0, width: int = 1240) -> Path:
    """One page as a PNG (A4 proportions), to look at."""
    document, _buffer = _load(pdf)
    size = document.pagePointSize(page)
    image = document.render(page, QSize(width, round(width * size.height() / size.width())))
    assert image.save(str(path)), path
    return path
