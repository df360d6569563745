"""The template editor keeps unsaved edits until the merchant decides, and signs its preview
with the store's name (issue 18)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from backorder_desktop.services.mail_setup import load_templates
from backorder_desktop.ui.dialogs.templates import TemplatesDialog

Button = QMessageBox.StandardButton


def test_preview_signs_with_the_store_name(qtbot, tmp_path: Path) -> None:
    dialog = TemplatesDialog(tmp_path, store_name="Fjord Outfitters")
    qtbot.addWidget(dialog)
    assert "Fjord Outfitters" in dialog.preview_text.toPlainText()
    assert "Your Store" not in dialog.preview_text.toPlainText()


def test_unsaved_edits_are_never_thrown_away_without_a_word(qtbot, tmp_path: Path) -> None:
    dialog = TemplatesDialog(tmp_path, store_name="Fjord Outfitters")
    qtbot.addWidget(dialog)
    dialog.show()
    answers: list[Button] = []
    asked: list[str] = []

    def answer() -> Button:
        asked.append(dialog.current_kind())
        return answers.pop(0)

    dialog.ask_unsaved = answer
    first = dialog.current_kind()
    dialog.subject.setText("Changed subject {{ order_id }}")

    answers.append(Button.Cancel)  # change the kind, then think better of it
    dialog.kind.setCurrentIndex(1)
    assert asked and dialog.current_kind() == first
    assert dialog.subject.text() == "Changed subject {{ order_id }}"

    answers.append(Button.Cancel)  # Close: stays open, edits kept
    dialog.reject()
    assert dialog.isVisible() and dialog.subject.text().startswith("Changed subject")

    answers.append(Button.Save)  # change the kind and save on the way
    dialog.kind.setCurrentIndex(1)
    assert dialog.current_kind() != first
    assert load_templates(tmp_path)[first].subject == "Changed subject {{ order_id }}"

    second = dialog.current_kind()
    dialog.subject.setText("Dropped")
    answers.append(Button.Discard)
    dialog.reject()
    assert not dialog.isVisible()
    assert load_templates(tmp_path)[second].subject != "Dropped"
    assert len(asked) == 4

    # Nothing edited: no question at all.
    again = TemplatesDialog(tmp_path)
    qtbot.addWidget(again)
    again.ask_unsaved = lambda: (_ for _ in ()).throw(AssertionError("asked for nothing"))
    again.show()
    again.kind.setCurrentIndex(2)
    again.reject()
    assert not again.isVisible()
