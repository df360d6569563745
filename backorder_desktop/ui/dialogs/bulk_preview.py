"""Before a bulk edit is applied: what changes (before -> after), warnings, requests; conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.bulk import Plan
from ...services.bulk.bulk_reread import StaleValue
from ...services.bulk.bulk_results import FIELD_TITLES, value_text
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from ..widgets import fit_to_screen


@dataclass(frozen=True, slots=True)
class PreviewLine:
    key: tuple[str, int, str]
    label: str  # the SKU, or "(product)" for a product-level field
    name: str  # product name and options
    field: str
    before: str
    after: str
    status: str  # "changes" | "unchanged" | "skipped: <why>"


def preview_lines(plan: Plan) -> list[PreviewLine]:
    variants = plan.variants

    def sku_and_name(vid: int) -> tuple[str, str]:
        state = variants.get(vid)
        return (state.sku, state.label) if state else (str(vid), "")

    lines = []
    for c in plan.changes:
        sku, name = sku_and_name(c.id) if c.kind == "variant" else ("(product)", c.label)
        before, after = value_text(c.field, c.before), value_text(c.field, c.after)
        in_force = plan.eta_in_force.get(c.id) if c.kind == "variant" else None
        if in_force is not None:  # the ETA in force and its source, not just the field
            before, after = in_force_text(in_force[0]), in_force_text(in_force[1])
        lines.append(
            PreviewLine(
                (c.kind, c.id, c.field),
                sku,
                name,
                FIELD_TITLES.get(c.field, c.field),
                before,
                after,
                "changes",
            )
        )
    for vid, reason in plan.skipped:
        sku, name = sku_and_name(vid)
        lines.append(
            PreviewLine(("variant", vid, "skipped"), sku, name, "", "", "", f"skipped: {reason}")
        )
    for vid in plan.unchanged:
        sku, name = sku_and_name(vid)
        lines.append(PreviewLine(("variant", vid, "unchanged"), sku, name, "", "", "", "unchanged"))
    return lines


def in_force_text(eta: tuple[object, str]) -> str:
    """'2026-12-19 (PO-1042)', 'to be confirmed: …', 'unknown'."""
    when, label = eta
    if when is None:
        return label or "unknown"
    return f"{value_text('eta', when)} ({label})" if label else value_text("eta", when)


def plan_summary(plan: Plan, location: str) -> str:
    variants = len(plan.changed_variants)
    products = len(plan.changed_products)
    r = plan.requests
    parts = [
        f"{variants:,} variant(s) change",
        f"{len(plan.unchanged):,} unchanged",
    ]
    if plan.skipped:
        parts.append(f"{len(plan.skipped):,} skipped")
    if products:
        parts.append(f"{products:,} product(s) get new storefront fields")
    detail = []
    for count, what in (
        (r.location_items, "inventory settings"),
        (r.eta_create, "new ETA fields"),
        (r.eta_update, "ETA updates"),
        (r.eta_delete, "ETA removals"),
        (r.products, "product updates"),
    ):
        if count:
            detail.append(f"{count} {what}")
    requests = f"{r.total} API request(s)" + (f" ({', '.join(detail)})" if detail else "")
    mode = "" if plan.native else " Pre-order mode (the store has no native backorders)."
    where = f"At {location}: " if location and plan.of("variant", "backorder_limit") else ""
    return f"{where}{', '.join(parts)}. {requests}.{mode}"


def _lines_view(name: str) -> RecordsView:
    columns = [
        Column("label", "SKU", lambda r: r.label),
        Column("name", "Product", lambda r: r.name),
        Column("field", "Field", lambda r: r.field),
        Column("before", "Before", lambda r: r.before),
        Column("after", "After", lambda r: r.after),
        Column("status", "Status", lambda r: r.status),
    ]
    model = RecordsTableModel(
        columns,
        row_key=lambda r: r.key,
        row_colour=lambda r: colours().muted if r.status != "changes" else None,
    )
    quick = [
        QuickFilter("Changes", lambda r: r.status == "changes"),
        QuickFilter("Unchanged or skipped", lambda r: r.status != "changes"),
    ]
    view = RecordsView(name, model, quick)
    view.fit_columns([130, 230, 140, 150, 150, 120])
    return view


class BulkPreviewDialog(QDialog):
    """`apply_requested` when the merchant confirms; nothing is written before that."""

    apply_requested = Signal()

    def __init__(
        self, title: str, plan: Plan, location: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(self.tr("Preview: {0}").format(title))
        self.summary = PlainLabel(plan_summary(plan, location), self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Summary"))
        self.warnings = PlainLabel(
            "\n".join(f"⚠ {w.message}" for w in plan.warnings) or self.tr("No warnings."), self
        )
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName(self.tr("Warnings"))
        if plan.warnings:
            self.warnings.setStyleSheet(f"color: {colours().warning.name()}")
        self.view = _lines_view("Preview")
        self.view.set_rows(preview_lines(plan))
        buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton(self.tr("Apply"), self)
        self.apply_button.setAccessibleName(self.tr("Apply changes"))
        self.apply_button.setEnabled(not plan.empty)
        # Enter must not write to the store: Apply is a deliberate click, or Tab to it and Space.
        self.apply_button.setAutoDefault(False)
        self.apply_button.setDefault(False)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        # ApplyRole, not AcceptRole: a button box makes its first accept button the default
        # when shown, whatever autoDefault says.
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply_button.clicked.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 960, 560)

    def _on_buttons_accepted(self) -> None:
        self.accept()
        self.apply_requested.emit()


@dataclass(frozen=True, slots=True)
class StaleValueLine:
    key: tuple[str, int, str]
    label: str
    field: str
    cached: str
    store: str
    planned: str


class StaleValuesDialog(QDialog):
    """Values someone changed in BigCommerce since the last sync: overwrite them or keep them."""

    resolved = Signal(str)  # "mine" | "theirs"

    def __init__(self, conflicts: list[StaleValue], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflicts = conflicts
        self.setWindowTitle(self.tr("Changed in BigCommerce"))
        intro = PlainLabel(
            self.tr(
                "{0} value(s) were changed in BigCommerce since the last sync (someone edited "
                "them in the control panel). Nothing has been written yet: choose which values "
                "win."
            ).format(len(conflicts)),
            self,
        )
        intro.setWordWrap(True)
        columns = [
            Column("label", "SKU / product", lambda r: r.label),
            Column("field", "Field", lambda r: r.field),
            Column("cached", "At the last sync", lambda r: r.cached),
            Column("store", "Now in BigCommerce", lambda r: r.store),
            Column("planned", "Your change", lambda r: r.planned),
        ]
        model = RecordsTableModel(columns, row_key=lambda r: r.key)
        self.view = RecordsView("Conflicts", model)
        self.view.set_rows(
            [
                StaleValueLine(
                    c.key,
                    c.label,
                    FIELD_TITLES.get(c.field, c.field),
                    value_text(c.field, c.cached),
                    value_text(c.field, c.store),
                    value_text(c.field, c.planned),
                )
                for c in conflicts
            ]
        )
        self.view.fit_columns([200, 150, 180, 180, 180])
        self.mine_button = QPushButton(self.tr("Overwrite with my change"), self)
        self.mine_button.setAccessibleName(self.tr("Overwrite with my change"))
        self.theirs_button = QPushButton(self.tr("Keep BigCommerce's values"), self)
        self.theirs_button.setAccessibleName(self.tr("Keep BigCommerce's values"))
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.theirs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.mine_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.rejected.connect(self.reject)
        self.mine_button.clicked.connect(lambda: self._choose("mine"))
        self.theirs_button.clicked.connect(lambda: self._choose("theirs"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 960, 420)

    def _choose(self, side: str) -> None:
        self.accept()
        self.resolved.emit(side)
