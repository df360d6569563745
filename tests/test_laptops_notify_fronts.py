"""Never twice across laptops, through both front ends: another laptop has claimed every due
notice in BigCommerce (it was about to send them, then stopped) and this laptop presses Notify,
in the window or on the command line. Both run services/notices/notify_now.py: its claim step is what
stops the second send (the notice logs alone still say "due")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.mail_setup import load_templates
from backorder_desktop.services.notices.notice_claims import claim_notices
from backorder_desktop.services.notices.notify import NoticeOptions
from backorder_desktop.services.notices.notify_now import due_notices
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import sync_store
from backorder_desktop.ui.dialogs.notify_preview import NotifyPreviewDialog
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.tabs.backorders import BackordersPanel
from tests.support.cli import run_cli
from tests.support.gui import make_shell, open_and_sync

TIMEOUT = 30_000


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=11, rate_limit=(1000, 30.0)) as demo:
        yield demo


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as mail:
        yield mail


def _other_laptop_claims_everything_due(store: DemoStore, data_dir: Path) -> int:
    """Laptop B syncs and claims every due notice, as notify_now does right before sending,
    and stops there (killed mid-batch): no email, no notice log, only the claims."""
    connection = StoreConnection(store.store_hash, store.api_url)
    with StoreSession(data_dir, connection, store.token) as laptop_b:
        sync_store(laptop_b)
        renderer = NoticeRenderer(load_templates(data_dir))
        due = due_notices(laptop_b, renderer, NoticeOptions(store_name="Shop"))
        claims = claim_notices(laptop_b, due.prepared)
    assert claims.won and not claims.lost
    return len(claims.won)


@pytest.fixture
def shell(qtbot: Any, tmp_path: Path, sink: MailSink) -> Iterator[AppShell]:
    app_shell = make_shell(tmp_path / "a")
    app_shell.controller.apply_settings(
        replace(
            app_shell.settings,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_security="none",
            mail_from="orders@shop.example",
        )
    )
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.stop()


def test_the_window_does_not_send_what_another_laptop_claimed(
    qtbot: Any, tmp_path: Path, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    if True:
        open_and_sync(qtbot, shell, store)
        panel = shell.window.backorders_panel
        assert isinstance(panel, BackordersPanel)
        plan = panel.due_plan()
        assert plan is not None and len(plan.due) >= 5
        claimed = _other_laptop_claims_everything_due(store, tmp_path / "b")
        assert claimed == len(plan.due)

        panel.open_notify_preview()
        dialog = panel.dialog
        assert isinstance(dialog, NotifyPreviewDialog)
        qtbot.addWidget(dialog)
        dialog.send_button.click()
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=TIMEOUT)
        assert dialog.report is not None
        assert dialog.report.sent == []
        assert dialog.report.skipped_duplicates == len(plan.due)
        assert sink.messages() == []
        dialog.close()


def test_the_cli_does_not_send_what_another_laptop_claimed(
    tmp_path: Path, store: DemoStore, sink: MailSink
) -> None:
    base = ["--data-dir", str(tmp_path / "a"), "--api-url", store.api_url,
            "--store-hash", store.store_hash]  # fmt: skip
    smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
            "--mail-from", "orders@shop.example"]  # fmt: skip
    assert run_cli(*base, "sync", token=store.token).code == 0
    due = run_cli(*base, *smtp, "notify", "--dry-run", "--json", token=store.token).json()
    claimed = _other_laptop_claims_everything_due(store, tmp_path / "b")
    assert claimed == len(due["notices"]) >= 5

    result = run_cli(*base, *smtp, "notify", "--json", token=store.token)
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["sent"] == 0 and doc["skipped_duplicates"] == claimed
    assert sink.messages() == []
