"""Issue 18's rough edges, each as a merchant meets it: dates, money, status bar, search, files."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt

from backorder_desktop.ui.dialogs.bulk_action import SET_ETA, BulkActionDialog


def test_eta_field_takes_a_typed_date_after_select_all(qtbot) -> None:
    dialog = BulkActionDialog(
        SET_ETA, selected=1, in_filter=1, locations=[], location_id=None, native=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.eta.setDate(QDate(2026, 12, 21))
    dialog.eta.setFocus()
    qtbot.keyClick(dialog.eta.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.eta.edit, "2027-01-15")
    assert dialog.eta.date() == QDate(2027, 1, 15)
    assert dialog.edit().eta is not None and dialog.edit().eta.isoformat() == "2027-01-15"
    # Half a date typed and left: the field shows the last whole date, nothing in between.
    qtbot.keyClick(dialog.eta.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.eta.edit, "2028-0")
    dialog.eta.edit.editingFinished.emit()
    assert dialog.eta.edit.text() == "2027-01-15"
