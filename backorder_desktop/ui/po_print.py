"""A purchase order as PDF bytes, rendered by Qt's rich text engine (QTextDocument on QPdfWriter).

Qt is only allowed in ui/ (the layering), so the PDF is made here and handed to the services
as bytes. It runs on a task runner thread: Qt paints text into PDF and QImage devices off the
GUI thread (QThreadPool threads have the event dispatcher QTextDocument's timers need).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from ..domain.purchase_orders import PurchaseOrder, po_html

RESOLUTION_DPI = 300  # QPdfWriter's default of 1200 dpi only makes the numbers larger


class _OfflineDocument(QTextDocument):
    """Loads nothing an <img> or style sheet names: the HTML escapes store text already, and
    this makes sure no file or network path is ever read while printing."""

    def loadResource(self, kind: int, name: QUrl) -> Any:  # noqa: N802 (Qt's name)
        return None


def render_po_pdf(po: PurchaseOrder) -> bytes:
    """The purchase order as an A4 PDF."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"Purchase order {po.number}")
    writer.setCreator("Backorder Desktop")
    document = _OfflineDocument()
    document.setHtml(po_html(po))
    document.print_(writer)
    del writer  # ends the PDF (writes its trailer) before the bytes are read
    buffer.close()
    return bytes(data.data())
