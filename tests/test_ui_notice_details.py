"""Notices name the variant's options, link the order on the storefront and give the shop's
contact details (issue 18), in the preview the merchant sees before sending."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backorder_desktop.ui.shell import AppShell

URL = "https://shop.example.com"
CONTACT = "+1 555 0100, Mon-Fri 9-17"


pytestmark = [
    pytest.mark.demo_store(seed=3, products=60, orders=90),
    pytest.mark.usefixtures("synced"),
]


def test_notice_preview_has_options_order_link_and_contact(qtbot, shell: AppShell) -> None:
    controller = shell.controller
    controller.apply_settings(replace(controller.settings, store_url=URL, shop_contact=CONTACT))
    panel = shell.window.backorders_panel
    panel.open_notify_preview()
    dialog = panel.dialog
    orders = controller.last_rows.notices.state.orders
    labelled = {
        line.id: line.option_label
        for order in orders.values()
        for line in order.lines
        if line.option_label
    }
    rows = dialog.view.model.rows()
    index = next(
        n for n, r in enumerate(rows) if any(x.line_id in labelled for x in r.notice.lines)
    )
    notice = rows[index].notice
    dialog.view.table.selectRow(
        dialog.view.proxy.mapFromSource(dialog.view.model.index(index, 0)).row()
    )
    dialog.render_current()
    text = dialog.text.toPlainText()
    option = next(labelled[x.line_id] for x in notice.lines if x.line_id in labelled)
    assert option in text
    assert f"{URL}/account.php?action=view_order&order_id={notice.order_id}" in text
    assert CONTACT in text
    assert option in dialog.html.toPlainText() and CONTACT in dialog.html.toPlainText()
    dialog.close()
