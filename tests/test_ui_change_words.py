"""The outbox and the conflicts view speak the merchant's words: which order, which SKU, which
fields differ, never an HTTP path or raw JSON (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.cache.write_bases import ConflictItem
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.backorders import change_priority
from backorder_desktop.services.sync_control.change_words import value_words
from backorder_desktop.services.sync_control.conflicts import ConflictRow
from backorder_desktop.services.sync_control.outbox_view import outbox_entries
from backorder_desktop.ui.dialogs.conflicts import build_conflicts_view
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import make_shell, open_and_sync

WAIT_MS = 30_000


@pytest.fixture
def shell(qtbot, tmp_path: Path) -> Iterator[AppShell]:
    with DemoStore(seed=6, products=40, orders=60).start() as store:
        app_shell = make_shell(tmp_path / "data")
        qtbot.addWidget(app_shell.window)
        open_and_sync(qtbot, app_shell, store)
        yield app_shell
        app_shell.stop()
        qtbot.wait(50)


def test_outbox_names_the_order_not_the_path(qtbot, shell: AppShell) -> None:
    order = shell.window.backorders.model.rows()[0].line.order_id
    done: list[object] = []
    shell.controller.run_action(
        "priority",
        lambda s: change_priority(s.cache, [order], +1),
        on_success=done.append,
        push=False,  # it stays in the outbox, as when offline
    )
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
    entries = outbox_entries(shell.controller.session.cache)
    assert entries
    text = entries[-1].summary
    assert f"order #{order}" in text and "Priority" in text
    assert "/v3/" not in text and "POST" not in text

    shell.records.show_outbox()
    dialog = shell.records.outbox_dialog
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == len(entries), timeout=WAIT_MS)
    shown = [dialog.view.model.columns[2].display(e) for e in dialog.view.model.rows()]
    assert any(f"order #{order}" in t for t in shown)
    dialog.close()


def test_conflicts_show_the_differing_fields_in_words(qtbot) -> None:
    item = ConflictItem(
        field_id=5, resource_type="order", resource_id=217, key="queue",
        mine='{"priority": 2, "partial": true}', theirs='{"priority": 1, "partial": true}',
        theirs_modified="2026-12-01T10:30:00.000000Z", base='{"priority": 0, "partial": true}',
    )  # fmt: skip
    assert value_words(item.theirs, (item.mine,)) == "priority: 1"
    assert value_words(item.mine, (item.theirs,)) == "priority: 2"
    assert value_words('{"partial": false}') == "partial: no"
    assert value_words("2031-02-01", ("2031-03-01",)) == "2031-02-01"
    view = build_conflicts_view()
    qtbot.addWidget(view)
    view.set_rows([ConflictRow("1:5", 1, "Order #217: Priority / partial shipment", item)])
    row = view.model.rows()[0]
    cells = {c.key: c.display(row) for c in view.model.columns}
    assert cells["theirs"] == "priority: 1" and cells["mine"] == "priority: 2"
    assert "{" not in cells["theirs"] + cells["mine"] + cells["was"]
    assert cells["when"].startswith("2026-12-01")
