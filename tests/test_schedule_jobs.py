"""The nightly job's files for each OS scheduler: contents parsed back as the OS tool reads them."""

from __future__ import annotations

import configparser
import plistlib
import re
import shlex
import subprocess
from collections.abc import Sequence
from datetime import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from backorder_desktop.services.sync_control import schedule_jobs as jobs
from backorder_desktop.services.sync_control.schedule import (
    LaunchAgent,
    TaskScheduler,
    nightly_spec,
)

# Awkward on purpose: a space, a quote, a percent sign (cron's newline) and a dollar.
DATA_DIR = Path("/home/ann/Shop data/it's 100% $HOME")
ARGV = jobs.job_argv(
    ["/opt/Backorder Desktop/backorder-desktop"], data_dir=DATA_DIR, store_hash="abc123"
)
SPEC = jobs.JobSpec(argv=ARGV, at=time(2, 30), log_dir=DATA_DIR / "logs")
NS = {"t": jobs.TASK_NS}


def test_the_job_runs_the_app_once_with_data_dir_and_store_and_no_secret() -> None:
    assert ARGV == (
        "/opt/Backorder Desktop/backorder-desktop",
        "--data-dir", str(DATA_DIR), "--store-hash", "abc123", "schedule", "--run",
    )  # fmt: skip
    demo = jobs.job_argv(["python", "-m", "backorder_desktop"], data_dir=None, store_hash=None,
                         demo=True)  # fmt: skip
    assert demo == ("python", "-m", "backorder_desktop", "--demo", "schedule", "--run")
    with pytest.raises(ValueError, match="needs a store"):
        jobs.job_argv(["app"], data_dir=None, store_hash=None)
    spec = nightly_spec(time(1, 5), data_dir=DATA_DIR, explicit_data_dir=False, store_hash="h1",
                        api_url="https://api.bigcommerce.com")  # fmt: skip
    # The default folders resolve by themselves when the job runs; the default API is implied.
    assert "--data-dir" not in spec.argv and "--api-url" not in spec.argv
    assert spec.argv[-4:] == ("--store-hash", "h1", "schedule", "--run")
    assert not any("token" in word.lower() for word in spec.argv)


@pytest.mark.parametrize("text", ["24:00", "2:60", "two", "", "02:30:00", "-1:00"])
def test_a_time_that_is_not_hh_mm_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        jobs.parse_at(text)


def test_windows_task_xml_parses_and_runs_daily_as_the_signed_in_user() -> None:
    xml = jobs.windows_task_xml(SPEC, "ann")
    root = ElementTree.fromstring(xml.encode("utf-16"))  # schtasks reads a UTF-16 file
    assert root.tag == f"{{{jobs.TASK_NS}}}Task"
    trigger = root.find("t:Triggers/t:CalendarTrigger", NS)
    assert trigger is not None
    assert trigger.findtext("t:StartBoundary", namespaces=NS).endswith("T02:30:00")
    assert trigger.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=NS) == "1"
    assert root.findtext("t:Principals/t:Principal/t:LogonType", namespaces=NS) == (
        "InteractiveToken"  # no stored password; the keychain is the user's
    )
    assert root.findtext("t:Settings/t:StartWhenAvailable", namespaces=NS) == "true"
    assert root.findtext("t:RegistrationInfo/t:URI", namespaces=NS) == (
        "\\BackorderDesktop\\Nightly-ann"
    )
    command = root.findtext("t:Actions/t:Exec/t:Command", namespaces=NS)
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS)
    assert command == "\\opt\\Backorder Desktop\\backorder-desktop"
    # Windows splits Arguments by the MSVCRT rules list2cmdline writes for.
    assert arguments == subprocess.list2cmdline(ARGV[1:])
    assert f'"{DATA_DIR}"' in arguments


def test_task_names_keep_two_windows_accounts_apart() -> None:
    assert jobs.task_name("ann") != jobs.task_name("bob")
    assert jobs.task_name("DOMAIN\\ann smith") == "BackorderDesktop\\Nightly-DOMAIN_ann smith"


def test_the_windows_uninstaller_deletes_the_task_under_the_name_the_app_gives_it() -> None:
    iss = Path(__file__).resolve().parent.parent / "packaging" / "windows" / "backorder-desktop.iss"
    section = iss.read_text(encoding="utf-8").split("[UninstallRun]", 1)[1].split("\n[", 1)[0]
    [entry] = [line for line in section.splitlines() if line.startswith("Filename:")]
    fields = dict(re.findall(r'(\w+): ("(?:[^"]|"")*"|[^;]+)', entry))
    assert fields["Filename"] == '"{sys}\\schtasks.exe"'
    parameters = fields["Parameters"][1:-1].replace('""', '"')  # Inno's quote doubling
    # {username} is what Inno expands to the user's name; the app names the task the same way.
    assert parameters == f'/Delete /TN "{jobs.task_name("{username}")}" /F'
    assert "runhidden" in fields["Flags"] and fields["RunOnceId"]


def test_launchd_plist_parses_with_the_calendar_interval_and_argv_unquoted() -> None:
    content = jobs.launchd_plist(SPEC)
    plist = plistlib.loads(content)
    assert plist["Label"] == jobs.LAUNCHD_LABEL
    assert plist["ProgramArguments"] == list(ARGV)  # no shell: every word exactly
    assert plist["StartCalendarInterval"] == {"Hour": 2, "Minute": 30}
    assert plist["RunAtLoad"] is False
    assert plist["StandardErrorPath"].startswith(str(DATA_DIR / "logs"))
    assert jobs.launchd_at(content) == time(2, 30)
    assert jobs.launchd_at(b"not a plist") is None


def _systemd_words(exec_start: str) -> list[str]:
    # Double-quoted words with \\ and \" escapes (as shlex reads them), then the specifier
    # and variable doubling undone.
    return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(exec_start)]


def test_systemd_service_and_timer_parse_and_quote_every_word() -> None:
    units = jobs.systemd_units(SPEC)
    assert set(units) == {f"{jobs.SYSTEMD_UNIT}.service", f"{jobs.SYSTEMD_UNIT}.timer"}
    service = configparser.ConfigParser(interpolation=None)
    service.read_string(units[f"{jobs.SYSTEMD_UNIT}.service"])
    assert service["Service"]["Type"] == "oneshot"
    exec_start = service["Service"]["ExecStart"]
    assert "100%% $$HOME" in exec_start  # a lone % or $ would be expanded by systemd
    assert _systemd_words(exec_start) == list(ARGV)
    timer = configparser.ConfigParser(interpolation=None)
    timer.read_string(units[f"{jobs.SYSTEMD_UNIT}.timer"])
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Timer"]["Persistent"] == "true"  # a night switched off runs at the next boot
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert jobs.systemd_at(units[f"{jobs.SYSTEMD_UNIT}.timer"]) == time(2, 30)


def test_cron_line_runs_daily_at_the_time_and_the_shell_gets_the_argv_back() -> None:
    entry = jobs.cron_entry(SPEC, uid=1000)
    marker, line = entry.splitlines()
    assert marker == jobs.CRON_MARKER
    minute, hour, dom, month, dow, command = line.split(None, 5)
    assert (minute, hour, dom, month, dow) == ("30", "2", "*", "*", "*")
    assert "100\\%" in command and "100%" not in command.replace("\\%", "")  # cron's newline
    assert "unix:path=/run/user/1000/bus" in command  # the keychain's bus under cron
    shell = jobs.cron_command(entry)
    assert shell is not None
    words = shlex.split(shell)
    assert words[0].startswith("DBUS_SESSION_BUS_ADDRESS=")
    assert words[1 : 1 + len(ARGV)] == list(ARGV)
    assert jobs.cron_at(entry) == time(2, 30)


def test_crontab_edits_keep_the_users_own_lines_and_hold_one_job() -> None:
    own = "MAILTO=ann@example.com\n0 5 * * 1 /usr/bin/backup --weekly\n"
    once = jobs.crontab_with(own, jobs.cron_entry(SPEC, 1000))
    moved = jobs.crontab_with(
        once, jobs.cron_entry(SPEC.__class__(ARGV, time(4, 0), SPEC.log_dir), 1000)
    )
    assert moved.startswith(own)
    assert moved.count(jobs.CRON_MARKER) == 1 and jobs.cron_at(moved) == time(4, 0)
    assert jobs.crontab_without(moved) == own
    assert jobs.cron_at(own) is None and jobs.crontab_without(own) == own


class Recorder:
    """Stands in for the OS tools this machine does not have (schtasks, launchctl): records
    each call and what the file it names holds at that moment."""

    def __init__(self, returncode: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.files: dict[str, bytes] = {}
        self.returncode = returncode

    def __call__(self, argv: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        for word in argv:
            if word.endswith((".xml", ".plist")) and Path(word).exists():
                self.files[word] = Path(word).read_bytes()
        return subprocess.CompletedProcess(list(argv), self.returncode, "", "")


def test_schtasks_gets_a_utf16_definition_file_that_is_gone_afterwards() -> None:
    run = Recorder()
    TaskScheduler(run, user="ann").install(SPEC)
    create = run.calls[0]
    assert create[:4] == ["schtasks", "/Create", "/TN", "BackorderDesktop\\Nightly-ann"]
    assert create[-1] == "/F"  # replaces an older job: one job, however often it is set
    path = create[create.index("/XML") + 1]
    content = run.files[path]
    assert content[:2] in (b"\xff\xfe", b"\xfe\xff")  # a BOM: UTF-16 as Task Scheduler writes
    root = ElementTree.fromstring(content)
    assert root.findtext(".//t:Arguments", namespaces=NS) == subprocess.list2cmdline(ARGV[1:])
    assert not Path(path).exists()


def test_launch_agent_is_written_to_the_users_folder_and_bootstrapped(tmp_path: Path) -> None:
    run = Recorder()
    agent = LaunchAgent(run, home=tmp_path)
    agent.install(SPEC)
    plist = tmp_path / "Library" / "LaunchAgents" / f"{jobs.LAUNCHD_LABEL}.plist"
    assert plistlib.loads(plist.read_bytes())["ProgramArguments"] == list(ARGV)
    assert run.calls[-1][:2] == ["launchctl", "bootstrap"] and run.calls[-1][-1] == str(plist)
    assert agent.state().at == "02:30"
    assert agent.remove() is True and not plist.exists()
    assert run.calls[-1][:2] == ["launchctl", "bootout"]
    assert agent.state().installed is False and agent.remove() is False


def test_a_frozen_windows_app_schedules_its_console_twin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backorder_desktop.services.sync_control import schedule

    text = (Path(__file__).resolve().parent.parent / "packaging" / "metadata.py").read_text()
    assert f'CONSOLE_EXE_NAME = "{schedule.CONSOLE_EXE.removesuffix(".exe")}"' in text
    gui = tmp_path / "backorder-desktop.exe"
    (tmp_path / schedule.CONSOLE_EXE).write_bytes(b"")  # the windowed exe has no stdout
    monkeypatch.setattr(schedule.sys, "frozen", True, raising=False)
    monkeypatch.setattr(schedule.sys, "executable", str(gui))
    monkeypatch.setattr(schedule.sys, "platform", "win32")
    assert schedule.app_program() == [str(tmp_path / schedule.CONSOLE_EXE)]
    monkeypatch.setattr(schedule.sys, "platform", "darwin")
    assert schedule.app_program() == [str(gui)]
