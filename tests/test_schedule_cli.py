"""`schedule --at/--show/--remove` against this machine's real scheduler (crontab, or a systemd
user timer where one runs), and the installed job run once, as the scheduler would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store.mail_sink import read_messages
from backorder_desktop.services.sync_control import schedule_jobs as jobs
from backorder_desktop.services.sync_control.schedule import Crontab, SystemdTimer, scheduler
from tests.support.cli import run_cli

SECRET = "tok-nightly-must-never-be-written-1234"


def _linux_scheduler_kind() -> str | None:
    if os.name != "posix" or os.uname().sysname != "Linux":
        return None
    if SystemdTimer().available():
        return "systemd"
    return "cron" if shutil.which("crontab") else None


KIND = _linux_scheduler_kind()
needs_scheduler = pytest.mark.skipif(
    KIND is None,
    reason="no systemd user session and no crontab here (.ci/run installs Debian's cron)",
)


@pytest.fixture
def users_crontab() -> Iterator[str]:
    """The user's crontab as it was, put back afterwards whatever the test did; a foreign line
    is added so the test sees it kept."""
    cron = Crontab()
    before = cron.read() if shutil.which("crontab") else ""
    if jobs.CRON_MARKER in before:
        pytest.skip("this user already has a Backorder Desktop nightly job: not touching it")
    foreign = "17 4 * * 2 /usr/bin/true # someone else's job\n"
    if shutil.which("crontab"):
        cron.write(before + foreign)
    try:
        yield foreign
    finally:
        if shutil.which("crontab"):
            cron.write(before) if before else cron.run(["crontab", "-r"], None)
        SystemdTimer().remove()


def _job_text(kind: str) -> str:
    if kind == "cron":
        return Crontab().read()
    folder = SystemdTimer().folder
    return "".join(p.read_text() for p in sorted(folder.glob(f"{jobs.SYSTEMD_UNIT}.*")))


def _run_installed_job_once(kind: str, home: Path) -> None:
    """What the scheduler does at the time: cron hands its line to /bin/sh with a bare
    environment; systemd starts the service."""
    if kind == "systemd":
        name = f"{jobs.SYSTEMD_UNIT}.service"
        subprocess.run(["systemctl", "--user", "start", name], check=True, timeout=300)
        return
    command = Crontab().command()
    assert command is not None
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": "nightly"}
    # The test's in-memory keychain: the job itself must not need it (demo store, demo sink).
    env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    subprocess.run(["/bin/sh", "-c", command], env=env, check=True, timeout=300)


@pytest.mark.slow
@pytest.mark.xdist_group("os-scheduler")  # the user's crontab is one file
@needs_scheduler
def test_nightly_job_installed_run_once_shown_and_removed(
    tmp_path: Path, users_crontab: str
) -> None:
    assert KIND is not None
    data = tmp_path / "data dir"  # a space: the job's quoting must hold
    base = ["--data-dir", str(data), "--demo"]
    # Bad input first: a clear error, nothing installed (one test: the crontab is one file).
    bad = run_cli(*base, "schedule", "--at", "25:00")
    assert bad.code == 2 and "HH:MM" in bad.err
    no_store = run_cli("--data-dir", str(tmp_path / "empty"), "schedule", "--at", "02:00")
    assert no_store.code == 1 and "No store chosen" in no_store.err
    assert scheduler().state().installed is False

    installed = run_cli(*base, "schedule", "--at", "02:30", "--json", token=SECRET)
    assert installed.code == 0, installed.err
    assert installed.json() == {
        "installed": True, "kind": KIND, "at": "02:30", "last_run": None, "last_result": None,
    }  # fmt: skip
    text = _job_text(KIND)
    assert str(data) in text and "schedule" in text and "--run" in text
    assert SECRET not in text  # the token is read from the keychain when the job runs
    if KIND == "cron":
        assert users_crontab in text  # the user's own lines stay

    moved = run_cli(*base, "schedule", "--at", "03:15", "--json")
    assert moved.code == 0 and moved.json()["at"] == "03:15"
    assert _job_text(KIND).count("schedule --run") == 1  # moved, not doubled
    settings = json.loads((data / "settings.json").read_text())
    assert settings["nightly_at"] == "03:15"

    _run_installed_job_once(KIND, tmp_path)
    mail = read_messages(data / "demo-mail")
    shown = run_cli("--data-dir", str(data), "schedule", "--show", "--json")
    assert shown.code == 0, shown.err
    report = shown.json()
    assert report["installed"] is True and report["at"] == "03:15"
    result = report["last_result"]
    assert report["last_run"] == result["started"] and result["ok"] is True
    assert result["sent"] == len(mail) > 0 and result["failed"] == 0
    assert result["orders"] > 0  # it synced first
    # What it sent, as the customers saw it: one HTML page for the run, in the data dir.
    preview = Path(result["preview"])
    assert preview.parent == data / "nightly" and preview.suffix == ".html"
    page = preview.read_text(encoding="utf-8")
    subjects = {m.subject for m in mail}
    assert all(s.replace("&", "&amp;") in page for s in subjects)
    assert {n["subject"] for n in result["notices"]} == subjects

    # The next night sends nothing again: the same once-only rules as the window's Send.
    time.sleep(1.1)  # a distinct start second, so the record below is the second run's
    _run_installed_job_once(KIND, tmp_path)
    assert len(read_messages(data / "demo-mail")) == len(mail)
    again = run_cli("--data-dir", str(data), "schedule", "--show", "--json").json()
    assert again["last_result"]["sent"] == 0 and again["last_result"]["preview"] is None
    assert again["last_run"] != report["last_run"]
    lines = (data / "logs" / "nightly.jsonl").read_text().splitlines()
    assert len(lines) == 2

    removed = run_cli(*base, "schedule", "--remove", "--json")
    assert removed.code == 0, removed.err
    assert removed.json()["installed"] is False and removed.json()["at"] is None
    assert "schedule --run" not in _job_text(KIND)
    if KIND == "cron":
        assert users_crontab in _job_text(KIND)
    assert json.loads((data / "settings.json").read_text())["nightly_at"] == ""
    human = run_cli("--data-dir", str(data), "schedule", "--show")
    assert "No nightly job" in human.out and "sent 0 notices" in human.out


def test_a_night_when_the_window_holds_the_data_dir_is_recorded_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backorder_desktop.services.instance import DataDirLock

    data = tmp_path / "data"
    monkeypatch.setenv("BACKORDER_LOCK_WAIT_S", "0")
    with DataDirLock(data).hold():  # the window is open
        result = run_cli("--data-dir", str(data), "--demo", "schedule", "--run", "--json")
    assert result.code == 1 and "already running" in result.err and result.out == ""
    shown = run_cli("--data-dir", str(data), "schedule", "--show", "--json").json()
    assert shown["last_result"]["ok"] is False
    assert "open window runs the nightly job itself" in shown["last_result"]["error"]
    assert not (data / "demo-mail").exists()  # nothing was sent, nothing synced


def test_a_night_without_the_token_in_the_keychain_says_so_in_the_record(tmp_path: Path) -> None:
    from backorder_desktop.demo_store import DemoStore

    data = tmp_path / "data"
    with DemoStore(seed=5) as store:
        base = ["--data-dir", str(data), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        result = run_cli(*base, "schedule", "--run", "--json")  # no token anywhere
        assert result.code == 1 and "No access token" in result.err
        assert store.token not in result.err
    shown = run_cli("--data-dir", str(data), "schedule", "--show").out
    assert "failed: No access token for store" in shown
