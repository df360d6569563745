"""Turn a shipment into a purchase order: supplier address, PO number, date wanted, supplier
codes; preview the document, then send it to the supplier or save it as PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QDate,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain.purchase_orders import PoLine, PurchaseOrder, po_html
from ...services.dock.purchase_orders import PoDraft
from ..keyboard import keyboard_friendly
from ..plain_text import OfflineTextBrowser, PlainLabel
from ..theme import colours
from ..widgets import DateField, fit_to_screen
from .dock_common import button
from .lines_model import AnyIndex, LinesModel, lines_table

HEADERS = ("SKU", "Product", "Supplier code", "Quantity")
SKU, PRODUCT, CODE, QTY = range(4)


class PoLinesTableModel(LinesModel):
    """The PO's lines; the supplier code is typed here (remembered for the supplier)."""

    def __init__(self, lines: tuple[PoLine, ...], parent: Any = None) -> None:
        super().__init__(HEADERS, lines, parent)

    def cell_flags(self, row: int, column: int) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEditable if column == CODE else Qt.ItemFlag.NoItemFlags

    def text(self, line: PoLine, column: int) -> str:
        return (line.sku, line.name, line.supplier_code, str(line.qty))[column]

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() != CODE:
            return False
        code = " ".join(str(value).split())[:100]
        self.lines[index.row()] = replace(self.lines[index.row()], supplier_code=code)
        self.dataChanged.emit(index, index)
        return True


class PurchaseOrderDialog(QDialog):
    """`send_requested(order, codes, email)` and `save_requested(order, codes, email)` go to
    the owner, which calls `busy()`, then `finished_with()` or `show_error()`;
    `preview_requested(order)` asks it for the ETA moves (`show_moves()`)."""

    send_requested = Signal(object, object, str)
    save_requested = Signal(object, object, str)
    preview_requested = Signal(object)

    def __init__(self, draft: PoDraft, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.today = today
        order = draft.order
        self.setWindowTitle(self.tr("Purchase order for {0}").format(draft.shipment.reference))
        self.setAccessibleName(self.tr("Purchase order"))
        intro = PlainLabel(
            self.tr(
                "Sending (or saving) the purchase order marks the shipment Ordered, under this "
                "PO number and expected on the date wanted: its units then count towards "
                "waiting customers' ETAs. When the supplier confirms a date, use "
                '"Supplier confirmed…".'
            ),
            self,
        )
        intro.setWordWrap(True)
        already = draft.shipment.purchase_order
        if already is not None:  # sending again is allowed (a correction), but never unawares
            intro.setText(
                intro.text()
                + " "
                + self.tr(
                    "A purchase order already went out on {0} ({1}): this sends a new copy."
                ).format(f"{already.at:%Y-%m-%d}", already.to)
            )
        self.email = QLineEdit(order.supplier_email, self)
        self.email.setAccessibleName(self.tr("Supplier email"))
        self.email.setPlaceholderText(self.tr("orders@supplier.example (kept on the supplier)"))
        self.number = QLineEdit(order.number, self)
        self.number.setAccessibleName(self.tr("PO number"))
        self.wanted = DateField(self)
        self.wanted.setAccessibleName(self.tr("Date wanted"))
        if order.wanted is not None:
            self.wanted.setDate(QDate(order.wanted.year, order.wanted.month, order.wanted.day))
        self.note = QLineEdit("", self)
        self.note.setAccessibleName(self.tr("Note to the supplier"))
        self.note.setPlaceholderText(self.tr("optional, printed on the order"))
        self.model = PoLinesTableModel(order.lines, self)
        self.table = lines_table(self.model, self.tr("Lines"), self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(SKU, 130)
        self.table.setColumnWidth(CODE, 130)
        self.table.setColumnWidth(QTY, 70)
        self.preview = OfflineTextBrowser(self)
        self.preview.setAccessibleName(self.tr("Purchase order preview"))
        self.moves = PlainLabel("", self)
        self.moves.setAccessibleName(self.tr("ETA changes"))
        self.moves.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: one message, no steps to count
        self.progress.setVisible(False)
        self.result = PlainLabel("", self)
        self.result.setAccessibleName(self.tr("Result"))
        self.result.setWordWrap(True)
        self.send_button = button(self, self.tr("Send to supplier"))
        self.send_button.clicked.connect(lambda: self._request(self.send_requested))
        self.save_button = button(self, self.tr("Save PDF…"))
        self.save_button.clicked.connect(lambda: self._request(self.save_requested))
        close = button(self, self.tr("Close"))
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Supplier"), PlainLabel(order.supplier_name, self))
        form.addRow(self.tr("Send to"), self.email)
        form.addRow(self.tr("PO number"), self.number)
        form.addRow(self.tr("Wanted by"), self.wanted)
        form.addRow(self.tr("Note"), self.note)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(intro)
        left_layout.addLayout(form)
        left_layout.addWidget(
            PlainLabel(self.tr("Lines (type the supplier's code: it is remembered)"), self)
        )
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.moves)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([560, 520])
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

        # Edits redraw the preview (and re-ask for the ETA moves) once typing pauses.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        for edit in (self.email, self.number, self.note):
            edit.textEdited.connect(lambda _=None: self._refresh_timer.start())
        self.wanted.date_changed.connect(lambda _=None: self._refresh_timer.start())
        self.model.dataChanged.connect(lambda *_: self._refresh_timer.start())
        keyboard_friendly(self)
        fit_to_screen(self, 1100, 640)
        self.refresh()

    # --- what the merchant typed ---------------------------------------------------------------
    def order(self) -> PurchaseOrder:
        return replace(
            self.draft.order,
            number=" ".join(self.number.text().split()),
            supplier_email=self.email.text().strip(),
            wanted=self.wanted.py_date(),
            note=self.note.text().strip(),
            lines=tuple(self.model.lines),
        )

    def codes(self) -> dict[str, str]:
        """The codes that differ from what the supplier record holds (empty forgets one)."""
        known = self.draft.supplier
        return {
            line.sku: line.supplier_code
            for line in self.model.lines
            if line.supplier_code != known.code(line.sku)
        }

    def problem(self, *, sending: bool = True) -> str:
        order = self.order()
        if sending and not order.supplier_email:
            return self.tr("Give the supplier's email address (or save the PDF instead).")
        if not order.number:
            return self.tr("Give a PO number.")
        if order.wanted is None or order.wanted < self.today:
            return self.tr("The date wanted has passed: give today or later.")
        return ""

    def refresh(self) -> None:
        order = self.order()
        self.preview.setHtml(po_html(order))
        self.preview_requested.emit(order)

    def show_moves(self, text: str) -> None:
        self.moves.setText(text)

    # --- the owner's answers --------------------------------------------------------------------
    def _request(self, signal: Any) -> None:
        problem = self.problem(sending=signal is self.send_requested)
        if problem:
            self.show_error(problem)
            return
        self.result.setText("")
        signal.emit(self.order(), self.codes(), self.email.text().strip())

    def busy(self, text: str) -> None:
        self.result.setStyleSheet("")
        self.result.setText(text)
        self.progress.setVisible(True)
        self.send_button.setEnabled(False)
        self.save_button.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.progress.setVisible(False)
        self.result.setStyleSheet(f"color: {colours().failed.name()}")
        self.result.setText(message)
        self.send_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def finished_with(self, text: str) -> None:
        """Done: say what happened; the buttons stay off (the shipment is Ordered now)."""
        self.progress.setVisible(False)
        self.result.setStyleSheet("")
        self.result.setText(text)
