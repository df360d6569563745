"""The flag for lines that promise nothing until staff give a date, with the action that gives it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ...domain.eta import OVERDUE
from ...domain.eta_moves import DateNeeded, dates_needed
from ...domain.models import BackorderLine
from ...services.dock.shipments import find_shipment
from ..plain_text import PlainLabel
from ..shipment_actions import ShipmentActions
from ..store_controller import StoreController
from ..theme import colours
from .dock_common import run_read


class DatesNeededBar(QWidget):
    """Overdue shipments and passed dates among the waiting lines (issue 14): their customers
    are told nothing until staff give a new date; one button per overdue shipment gives it."""

    def __init__(
        self,
        controller: StoreController,
        queue: Sequence[BackorderLine],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.needed: list[DateNeeded] = dates_needed(queue)
        self.buttons: dict[str, QPushButton] = {}
        self.actions = ShipmentActions(controller, self)
        self.setVisible(bool(self.needed))
        parts = [
            self.tr("{0} ({1} lines, {2} customers)").format(d.label, d.lines, d.customers)
            for d in self.needed
        ]
        self.flag = PlainLabel(
            self.tr(
                "A new date is needed before these customers are told anything (no date that "
                "has passed is ever sent): {0}."
            ).format("; ".join(parts)),
            self,
        )
        self.flag.setAccessibleName(self.tr("New dates needed"))
        self.flag.setWordWrap(True)
        self.flag.setStyleSheet(f"color: {colours().failed.name()}; font-weight: bold")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.flag, 1)
        for needed in self.needed:
            if needed.source != OVERDUE:
                continue
            new_date = QPushButton(self.tr("New date for {0}…").format(needed.ref), self)
            new_date.setAccessibleName(self.tr("New expected date for {0}").format(needed.ref))
            new_date.clicked.connect(lambda _=False, ref=needed.ref: self.ask_new_date(ref))
            self.buttons[needed.ref] = new_date
            row.addWidget(new_date)

    def ask_new_date(self, reference: str) -> None:
        def open_dialog(shipment: Any) -> None:
            self.actions.new_date(
                shipment.id, shipment.reference, shipment.expected_date,
                shipment.units_outstanding,
            )  # fmt: skip

        run_read(
            self.controller,
            "shipment",
            lambda cache: find_shipment(cache, reference),
            open_dialog,
            self.controller.message_posted.emit,
        )
