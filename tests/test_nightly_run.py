"""The unattended run (services.sync_control.nightly) on the demo store with a real SMTP sink: it follows the
window's rules (never a notice twice, from any front end) and records what it did."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.mail.smtp import PLAIN, SmtpConfig
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.errors import UserError
from backorder_desktop.services.notices.notify import NoticeOptions
from backorder_desktop.services.notices.notify_now import notify_now
from backorder_desktop.services.sync_control.nightly import last_record, results_path, run_nightly
from backorder_desktop.services.sync_control.session import StoreSession
from tests.support.notices import STORE_NAME, notice_rig


def _sender(config: SmtpConfig, only: set[str] | None = None):  # type: ignore[no-untyped-def]
    def send(session: StoreSession):  # type: ignore[no-untyped-def]
        options = NoticeOptions(store_name=STORE_NAME)
        return notify_now(session, config, NoticeRenderer(), options, only=only)

    return send


def test_the_nightly_run_sends_only_what_the_window_left_and_records_it(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        due = rig.plan().due
        assert len(due) >= 6
        # The merchant sent two by hand in the window this afternoon (the same use case).
        by_hand = {due[0].key, due[1].key}
        notify_now(rig.session, rig.config, NoticeRenderer(),
                   NoticeOptions(store_name=STORE_NAME), only=by_hand)  # fmt: skip
        assert len(rig.sink.messages()) == 2
        rig.sink.clear()

        record = run_nightly(rig.session, rig.data_dir, _sender(rig.config))
        mail = rig.sink.messages()
        assert record.ok and record.sent == len(mail) == len(due) - 2
        assert {(n["order_id"], n["kind"]) for n in record.notices} == {
            (d.order_id, d.kind) for d in due[2:]
        }
        # The preview holds each email as the customer saw it, and only the user can read it.
        assert record.preview is not None
        page = Path(record.preview).read_text(encoding="utf-8")
        assert page.count("<iframe") == record.sent
        assert all(m.subject in page for m in mail)
        if os.name == "posix":
            assert stat.S_IMODE(Path(record.preview).stat().st_mode) == 0o600
            assert stat.S_IMODE(results_path(rig.data_dir).stat().st_mode) == 0o600

        second = run_nightly(rig.session, rig.data_dir, _sender(rig.config))
        assert second.ok and second.sent == 0 and second.preview is None
        assert len(rig.sink.messages()) == len(mail)
        assert last_record(rig.data_dir) == second
        assert len(results_path(rig.data_dir).read_text().splitlines()) == 2


def test_a_night_without_a_mail_server_is_recorded_as_failed_and_sends_nothing(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        # The merchant's relay is down tonight: nothing listens on this port.
        closed = SmtpConfig("127.0.0.1", 9, PLAIN, sender="orders@shop.example")
        record = run_nightly(rig.session, rig.data_dir, _sender(closed))
        assert not record.ok and record.sent == 0 and record.failed == len(rig.plan().due) > 0
        assert record.error and rig.sink.messages() == []
        assert "failed" in record.summary()
        # Nothing was claimed: tomorrow's run (relay back) sends every one of them.
        tomorrow = run_nightly(rig.session, rig.data_dir, _sender(rig.config))
        assert tomorrow.ok and tomorrow.sent == record.failed == len(rig.sink.messages())


def test_a_run_that_stops_on_an_error_still_leaves_a_record(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:

        def refuse(_session: StoreSession):  # type: ignore[no-untyped-def]
            raise UserError("The SMTP host is not set: Mail settings.")

        clock = iter(
            [datetime(2026, 12, 7, 2, 30, tzinfo=UTC), datetime(2026, 12, 7, 2, 31, tzinfo=UTC)]
        )
        with pytest.raises(UserError):
            run_nightly(rig.session, rig.data_dir, refuse, now=lambda: next(clock))
        record = last_record(rig.data_dir)
        assert record is not None and not record.ok
        assert record.error == "The SMTP host is not set: Mail settings."
        assert record.orders > 0  # the sync before it went through
        assert datetime.fromisoformat(record.finished) - datetime.fromisoformat(
            record.started
        ) == timedelta(minutes=1)
        # A damaged line (a disk filled mid-write) does not hide the last good record.
        with results_path(rig.data_dir).open("a") as handle:
            handle.write('{"started": "2026-12-08T02')
        assert last_record(rig.data_dir) == record
        assert json.loads(results_path(rig.data_dir).read_text().splitlines()[0])["ok"] is False


def test_the_nightly_time_counts_as_passed_only_inside_the_window_s_open_minutes() -> None:
    from backorder_desktop.services.sync_control.nightly import time_crossed

    tz = datetime(2026, 12, 7, tzinfo=UTC).astimezone().tzinfo
    t = lambda d, h, m, s=0: datetime(2026, 12, d, h, m, s, tzinfo=tz)  # noqa: E731
    assert time_crossed("02:30", t(7, 2, 29, 30), t(7, 2, 30, 10))
    assert not time_crossed("02:30", t(7, 2, 30, 10), t(7, 2, 31, 10))  # already passed
    assert not time_crossed("02:30", t(7, 2, 28), t(7, 2, 29))  # not yet
    assert time_crossed("00:00", t(7, 23, 59, 30), t(8, 0, 0, 30))  # over midnight
    assert time_crossed("02:30", t(7, 9, 0), t(8, 9, 0))  # a laptop asleep all night, then woken
    assert not time_crossed("", t(7, 2, 29), t(7, 2, 31))  # the job is off
    assert not time_crossed("02:30", t(7, 2, 31), t(7, 2, 29))  # the clock went back
