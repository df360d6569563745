"""The window and the nightly job: the "N due" badge kept fresh by the interval sync (never a
notice sent without a click), and Settings > Every night at… against the real OS scheduler."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.services.sync_control.nightly import (
    NightlyRecord,
    append_record,
    last_record,
)
from backorder_desktop.services.sync_control.schedule import nightly_status, scheduler
from backorder_desktop.ui.dialogs.settings import SettingsDialog
from backorder_desktop.ui.nightly import apply_nightly_choice
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync, unnamed_controls, use_mail_sink
from tests.support.notices import backorder_for
from tests.test_schedule_cli import needs_scheduler, users_crontab  # noqa: F401 (fixture)

TIMEOUT = 60_000
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


pytestmark = pytest.mark.demo_store(seed=11)


@pytest.fixture
def shell(sink: MailSink, shell: AppShell) -> AppShell:
    """Not connected yet, syncing every 5 minutes once it is."""
    # A working mail server is configured: if the window sent anything by itself, it would land.
    use_mail_sink(shell, sink, sync_interval_minutes=5)
    return shell


def _tab_title(shell: AppShell) -> str:
    tabs = shell.window.tabs
    return tabs.tabText(tabs.indexOf(shell.window.backorders_panel))


def test_due_notices_show_as_a_badge_refreshed_on_the_interval_and_never_sent_alone(
    qtbot, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    open_and_sync(qtbot, shell, store)
    due = len(shell.controller.last_rows.notices.due)
    assert due >= 5
    assert _tab_title(shell) == f"Open backorders · {due} due"
    tabs = shell.window.tabs
    tip = tabs.tabToolTip(tabs.indexOf(shell.window.backorders_panel))
    assert "Notify customers" in tip and "nightly" not in tip

    # The merchant's interval (5 minutes) drives the window's sync.
    timer = shell.controller._timer
    assert timer.isActive() and timer.interval() == 5 * 60_000
    backorder_for(store, "Nia", "Night", "nia@example.com")  # a shopper orders meanwhile
    shell.settings.nightly_at = "02:30"  # the nightly job is on: the badge says who sends
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=TIMEOUT):
        timer.timeout.emit()  # the interval elapses
    qtbot.waitUntil(
        lambda: _tab_title(shell) == f"Open backorders · {due + 1} due", timeout=TIMEOUT
    )
    assert "nightly job at 02:30" in tabs.tabToolTip(tabs.indexOf(shell.window.backorders_panel))
    assert sink.messages() == []  # shown, not sent: sending takes a click (or the nightly job)

    shell.window.show_due_badge(0)
    assert _tab_title(shell) == "Open backorders"


def test_settings_show_the_last_run_and_what_it_sent(
    qtbot, shell: AppShell, tmp_path: Path
) -> None:
    data = shell.controller.data_dir
    preview = data / "nightly" / "2026-12-07T023000-abc.html"
    preview.parent.mkdir(parents=True)
    preview.write_text("<html></html>")
    append_record(
        data,
        NightlyRecord(started="2026-12-07T02:30:00+00:00", finished="2026-12-07T02:30:09+00:00",
                      store_hash="abc", ok=True, orders=140, sent=3, preview=str(preview)),
    )  # fmt: skip
    status = nightly_status(data)
    dialog = SettingsDialog(shell.settings, [], shell.window, nightly=status)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    assert "synced 140 open orders, sent 3 notices" in dialog.last_run.text()
    assert dialog.open_preview.isVisible()
    assert dialog.nightly.isChecked() is status.state.installed
    assert ("On:" if status.state.installed else "Off:") in dialog.nightly_state.text()
    dialog.nightly.setChecked(True)
    dialog.nightly_time.setTime(dialog.nightly_time.time().fromString("01:45", "HH:mm"))
    assert dialog.nightly_at() == "01:45" and dialog.result_settings().nightly_at == "01:45"
    if SHOTS is not None:
        dialog.grab().save(str(SHOTS / "settings-nightly.png"))
    dialog.nightly.setChecked(False)
    assert dialog.nightly_at() == "" and not dialog.nightly_time.isEnabled()

    # A failed night says why.
    append_record(data, NightlyRecord(started="2026-12-08T02:30:00+00:00", error="SMTP refused"))
    again = SettingsDialog(shell.settings, [], shell.window, nightly=nightly_status(data))
    qtbot.addWidget(again)
    assert "failed: SMTP refused" in again.last_run.text()
    assert not again.open_preview.isVisibleTo(again)


@pytest.mark.xdist_group("os-scheduler")
@needs_scheduler
def test_turning_the_nightly_job_on_and_off_in_settings_changes_the_os_scheduler(
    qtbot,
    shell: AppShell,
    store: DemoStore,
    users_crontab: str,  # noqa: F811
) -> None:
    open_and_sync(qtbot, shell, store)
    messages: list[str] = []
    shell.controller.message_posted.connect(messages.append)
    status = nightly_status(shell.controller.data_dir)
    assert status.state.installed is False

    apply_nightly_choice(shell.controller, "01:45", status)
    qtbot.waitUntil(lambda: shell.settings.nightly_at == "01:45", timeout=TIMEOUT)
    state = scheduler().state()
    assert state.installed and state.at == "01:45"
    assert any("Every night at 01:45" in m for m in messages)
    on = nightly_status(shell.controller.data_dir)
    dialog = SettingsDialog(shell.settings, [], shell.window, nightly=on)
    qtbot.addWidget(dialog)
    assert dialog.nightly.isChecked() and dialog.nightly_at() == "01:45"
    assert "On:" in dialog.nightly_state.text()

    apply_nightly_choice(shell.controller, "", on)
    qtbot.waitUntil(lambda: shell.settings.nightly_at == "", timeout=TIMEOUT)
    assert scheduler().state().installed is False
    assert any("removed" in m for m in messages)


def test_an_open_window_runs_the_nightly_job_at_its_time_and_only_when_it_is_on(
    qtbot, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    open_and_sync(qtbot, shell, store)
    due = len(shell.controller.last_rows.notices.due)
    nightly = shell.nightly
    nightly.timer.stop()  # the test drives the minute checks
    now = datetime.now().astimezone()
    at = f"{now:%H:%M}"  # the job's time has just passed while the window is open

    nightly._since = now - timedelta(seconds=61)
    nightly._on_timer_timeout()  # the job is off: the window sends nothing by itself
    assert sink.messages() == [] and last_record(shell.controller.data_dir) is None

    shell.settings.nightly_at = at
    nightly._since = now - timedelta(seconds=61)
    with qtbot.waitSignal(nightly.ran, timeout=TIMEOUT) as ran:
        nightly._on_timer_timeout()
    record = ran.args[0]
    assert record.ok and record.sent == due == len(sink.messages())
    assert last_record(shell.controller.data_dir) == record  # what Settings shows next
    qtbot.waitUntil(lambda: _tab_title(shell) == "Open backorders", timeout=TIMEOUT)

    nightly._on_timer_timeout()  # the next minute: the time is behind it, no second run
    assert len(sink.messages()) == due
