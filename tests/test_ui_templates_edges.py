"""The template editor keeps unsaved edits until the merchant decides, and signs its preview
with the store's name (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.notices.mail_setup import (
    SHARED_TEMPLATES_KEY,
    load_templates,
    save_template,
    share_templates,
)
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from backorder_desktop.ui.dialogs.templates import TemplatesDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import make_shell, open_and_sync

WAIT_MS = 30_000

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


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5, products=30, orders=30).start() as demo:
        yield demo


@pytest.fixture
def shell(qtbot, tmp_path: Path) -> Iterator[AppShell]:
    app_shell = make_shell(tmp_path / "a")
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.stop()
    qtbot.wait(50)


def test_templates_are_shared_with_the_other_laptops(
    qtbot, tmp_path: Path, store: DemoStore, shell: AppShell
) -> None:
    open_and_sync(qtbot, shell, store)
    dialog = TemplatesDialog(tmp_path / "a", controller=shell.controller)
    qtbot.addWidget(dialog)
    first = dialog.current_kind()
    dialog.subject.setText("Laptop A: order {{ order_id }}")
    assert dialog.save()
    session = shell.controller.session

    def shared() -> list:
        fields = list(store.state.metafields.values())
        return [m for m in fields if m.key == SHARED_TEMPLATES_KEY]

    qtbot.waitUntil(lambda: len(shared()) == 1, timeout=WAIT_MS)
    assert "Laptop A" in shared()[0].value

    # Laptop B, another computer with its own settings folder, syncs and uses them.
    connection = StoreConnection(store.store_hash, store.api_url)
    folder_b = tmp_path / "b-settings"
    with StoreSession(tmp_path / "b", connection, store.token) as laptop_b:
        sync_store(laptop_b)
        templates = load_templates(folder_b, laptop_b.cache)
        assert templates[first].subject == "Laptop A: order {{ order_id }}"
        # B edits another kind: A's edit stays in what B shares.
        second = next(k for k in templates if k != first)
        changed = replace(templates[second], subject="Laptop B {{ order_id }}")
        save_template(folder_b, second, changed, laptop_b.cache)
        share_templates(laptop_b.cache, folder_b)
        push_outbox(laptop_b)
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=WAIT_MS):
        shell.controller.refresh()
    both = load_templates(tmp_path / "a", session.cache)
    assert both[first].subject.startswith("Laptop A")
    assert both[second].subject.startswith("Laptop B")
