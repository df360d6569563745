"""Pick list output through Qt print support: a printer chosen by the user, or a PDF file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from ..services.exports import private_file


def _document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def save_pdf(html: str, path: Path) -> Path:
    """Write the pick list as an A4 PDF; returns the path."""
    writer = QPdfWriter(str(private_file(path)))  # readable by the user only: names, addresses
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    writer.setTitle("Pick list")
    writer.setCreator("Backorder Desktop")
    _document(html).print_(writer)
    return path


def print_html(html: str, parent: QWidget | None = None) -> bool:
    """Ask for a printer and print; False when the user cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print pick list")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    _document(html).print_(printer)
    return True
