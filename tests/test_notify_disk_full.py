"""A disk filling up while notices go out: sending stops while the records can still be written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from backorder_desktop.services.notices.notify import DISK_RESERVE_BYTES
from tests.support.notices import notice_rig


def test_sending_stops_before_the_ledger_cannot_be_written_and_resumes_once(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        due = len(rig.plan().due)
        assert due > 5
        checks = iter(range(10_000))
        # Plenty of room for three notices, then the disk is nearly full.
        report = rig.notify(free_bytes=lambda: DISK_RESERVE_BYTES * (10 if next(checks) < 3 else 0))
        assert len(report.sent) == 3
        assert "disk is nearly full" in report.error and "Nothing was lost" in report.error
        assert len(report.not_sent) == due - 3
        assert report.record is not None and report.record.notices == 3  # their records queued
        # Space freed: the rest go, none twice.
        again = rig.notify()
        assert len(again.sent) == due - 3 and not again.error
        sent = Counter((tuple(m.rcpt_tos), m.subject) for m in rig.sink.messages())
        assert sum(sent.values()) == due and max(sent.values()) == 1
