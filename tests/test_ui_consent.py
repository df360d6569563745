"""Consent in Open backorders (issue 19.1), pytest-qt against the demo store: another laptop's
consent requests arrive with a sync; the Consent column and filter show them; staff record an
answer (shared through the store); "Cancel without consent…" opens the "Cancel and refund…" dialog for the expired orders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.consent import ASKED, CONSENT_KEY, EXPIRED, GIVEN, NONE, POLICY_KEY
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.domain.notice_log import (
    CONSENT,
    DELAY,
    NOTICES_KEY,
    NoticeRecord,
    ToldLine,
    dump_log,
)
from backorder_desktop.ui.dialogs.mail_settings import MailSettingsDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.demo_store_http import DemoApi
from tests.support.gui import open_and_sync, unnamed_controls
from tests.test_ui_backorders import (  # noqa: F401 (the `shell` fixture)
    TIMEOUT,
    panel_of,
    select_rows,
    shell,
)

pytestmark = pytest.mark.demo_store(seed=11)  # the store test_ui_backorders' tests use


def _log(order_id: int, lines: list, *, reply_in: int) -> str:
    """A delay, then a consent request due `reply_in` days from today (negative: passed)."""
    now = datetime.now(UTC)
    today = now.date()
    told = tuple(ToldLine(r.line.line_id, r.line.sku, r.line.qty_waiting, None) for r in lines)
    return dump_log(
        [
            NoticeRecord("d", order_id, DELAY, now - timedelta(days=30), today, told),
            NoticeRecord(
                "q", order_id, CONSENT, now - timedelta(days=20), None, told,
                reply_by=today + timedelta(days=reply_in),
            ),
        ]
    )  # fmt: skip


def _consent_texts(panel) -> dict[int, str]:
    model = panel.view.model
    column = [c.key for c in model.columns].index("consent")
    return {
        model.row(n).line.order_id: model.data(model.index(n, column), Qt.ItemDataRole.DisplayRole)
        for n in range(model.rowCount())
    }


def test_consent_column_filter_answer_and_cancel_refund(
    qtbot,
    shell: AppShell,  # noqa: F811 (the fixture)
    store: DemoStore,  # noqa: F811 (the fixture)
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    column = [c.key for c in panel.view.model.columns].index("consent")
    assert panel.view.model.headerData(column, Qt.Orientation.Horizontal) == "Consent"
    rows = panel.view.model.rows()
    orders = sorted({r.line.order_id for r in rows})
    expired, asked = orders[0], orders[1]
    # Another laptop asked both customers for consent; one's reply-by day has passed.
    with DemoApi(store) as api:
        reply = api.post(
            "/v3/orders/metafields",
            [
                {
                    "resource_id": order_id,
                    "namespace": METAFIELD_NAMESPACE,
                    "key": NOTICES_KEY,
                    "value": _log(
                        order_id,
                        [r for r in rows if r.line.order_id == order_id],
                        reply_in=reply_in,
                    ),
                    "permission_set": "write",
                }
                for order_id, reply_in in ((expired, -1), (asked, 10))
            ],
        )
        assert reply.status_code == 200, reply.text
    # The sync re-reads the orders whose records it brought (a patch, not a full reload).
    shell.controller.refresh()
    qtbot.waitUntil(lambda: _consent_texts(panel)[expired] == "consent expired", timeout=TIMEOUT)

    texts = _consent_texts(panel)
    assert texts[expired] == "consent expired"
    assert texts[asked].startswith("asked, reply by ")
    assert texts[orders[2]] == ""  # never delayed: consent not needed
    states = {r.line.order_id: r.consent_state for r in panel.view.model.rows()}
    assert (states[expired], states[asked]) == (EXPIRED, ASKED)

    # The filter shows the expired order's lines only; one click hands them on.
    box = panel.view.filter_box
    box.setCurrentIndex(box.findText("Consent expired"))
    shown = {r.line.order_id for r in panel.view.visible_rows()}
    assert shown == {expired}
    qtbot.waitUntil(lambda: panel.consent.cancel_button.isEnabled(), timeout=TIMEOUT)
    with qtbot.waitSignal(panel.consent.cancel_refund_requested, timeout=TIMEOUT) as signal:
        panel.consent.cancel_button.click()
    assert signal.args == [[expired]]
    assert type(panel.dialog).__name__ == "CancelDialog"  # the refunds dialog (issue 19.2)
    panel.dialog.close()
    box.setCurrentIndex(box.findText("Consent asked"))
    assert {r.line.order_id for r in panel.view.visible_rows()} == {asked}
    # Nothing to cancel among them.
    qtbot.waitUntil(lambda: not panel.consent.cancel_button.isEnabled(), timeout=TIMEOUT)

    # Staff record the asked customer's consent by hand; it reaches the store.
    select_rows(panel, lambda r: r.line.order_id == asked)
    assert panel.consent.record_button.isEnabled()
    panel.consent.given_action.trigger()
    qtbot.waitUntil(lambda: _consent_texts(panel)[asked] == "given", timeout=TIMEOUT)
    box.setCurrentIndex(box.findText("Consent asked"))
    assert panel.view.visible_rows() == []

    def stored() -> list[dict]:
        return [
            json.loads(m.value)
            for m in store.state.metafields.values()
            if m.key == CONSENT_KEY and m.resource_id == asked
        ]

    qtbot.waitUntil(lambda: bool(stored()), timeout=TIMEOUT)
    (answers,) = stored()
    assert [(a["state"], a["source"], a["request"]) for a in answers["answers"]] == [
        (GIVEN, "staff", "q")
    ]


def test_mail_settings_delay_policy_follows_the_country_and_is_shared(
    qtbot,
    shell: AppShell,  # noqa: F811 (the fixture)
    store: DemoStore,  # noqa: F811 (the fixture)
) -> None:
    open_and_sync(qtbot, shell, store)
    dialog = MailSettingsDialog(shell.controller, shell.window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    assert dialog.policy.currentData() is None
    assert "United States" in dialog.policy.currentText()
    assert "US rule" in dialog.policy.currentText()
    dialog.policy.setCurrentIndex(dialog.policy.findData(NONE))
    with qtbot.waitSignal(shell.controller.rows_loaded, timeout=TIMEOUT):
        dialog.save()

    def stored() -> list[str]:
        return [m.value for m in store.state.metafields.values() if m.key == POLICY_KEY]

    qtbot.waitUntil(lambda: stored() == [NONE], timeout=TIMEOUT)
    assert shell.controller.last_rows is not None
    assert shell.controller.last_rows.notices.state.policy == NONE
