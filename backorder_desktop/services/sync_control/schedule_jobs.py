"""The nightly job's files for each OS scheduler, built as text (pure: no I/O, testable anywhere).

One job per computer user: it runs the app once (`schedule --run`: sync, then notify) for the
store and data dir it was set up for. The command line carries the data dir and the store hash,
never a secret: the token and the mail password come from the keychain when it runs.
"""

from __future__ import annotations

import plistlib
import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import time
from pathlib import Path, PureWindowsPath
from xml.sax.saxutils import escape

KINDS = ("schtasks", "launchd", "systemd", "cron")
TASK_FOLDER = "BackorderDesktop"  # Task Scheduler folder; the task is TASK_FOLDER\Nightly-<user>
LAUNCHD_LABEL = "com.backorderdesktop.nightly"
SYSTEMD_UNIT = "backorder-desktop-nightly"
CRON_MARKER = (
    "# backorder-desktop nightly job (Settings > Every night at; remove: schedule --remove)"
)
DESCRIPTION = "Backorder Desktop: nightly sync and customer notices"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_at(text: str) -> time:
    """'02:30' -> time(2, 30); anything else is a ValueError saying what is expected."""
    match = _AT.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a time of day: use HH:MM, 24-hour, e.g. 02:30")
    return time(int(match.group(1)), int(match.group(2)))


def at_text(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


@dataclass(frozen=True)
class JobSpec:
    """What the scheduler runs and when. `argv` is the full command (program first)."""

    argv: tuple[str, ...]
    at: time
    log_dir: Path  # where the job's own stdout/stderr go (the app logs its result itself)


def job_argv(
    program: list[str],
    *,
    data_dir: Path | None,
    store_hash: str | None,
    api_url: str | None = None,
    demo: bool = False,
) -> tuple[str, ...]:
    """The one command the job runs: `program` is the app's own executable (frozen) or
    `python -m backorder_desktop`. `data_dir` only when the merchant chose one (the default
    folders resolve the same way when the job runs as that user)."""
    argv = list(program)
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    if demo:
        argv.append("--demo")
    else:
        if not store_hash:
            raise ValueError("the nightly job needs a store: connect one first")
        argv += ["--store-hash", store_hash]
        if api_url:
            argv += ["--api-url", api_url]
    return (*argv, "schedule", "--run")


# --- Windows: Task Scheduler ------------------------------------------------------------------
def task_name(user: str) -> str:
    """Task names are machine-wide: the user's name keeps two accounts' jobs apart. The
    uninstaller deletes `BackorderDesktop\\Nightly-{username}` (packaging/windows), so only what a
    task name cannot hold is replaced (Windows user names hold none of it)."""
    safe = re.sub(r'[\\/:*?"<>|]', "_", user).strip() or "user"
    return f"{TASK_FOLDER}\\Nightly-{safe}"


def windows_task_xml(spec: JobSpec, user: str) -> str:
    """A Task Scheduler 1.2 definition for `schtasks /Create /XML` (written as UTF-16).

    Runs as the signed-in user only (InteractiveToken: no stored password, and the token is
    read from that user's Credential Manager); a night the PC was off runs at the next start
    (StartWhenAvailable)."""
    command, *arguments = spec.argv
    start = f"2026-01-01T{spec.at.hour:02d}:{spec.at.minute:02d}:00"
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{TASK_NS}">
  <RegistrationInfo>
    <Description>{escape(DESCRIPTION)}</Description>
    <URI>\\{escape(task_name(user))}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>{start}</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT2H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(str(PureWindowsPath(command)))}</Command>
      <Arguments>{escape(subprocess.list2cmdline(arguments))}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


# --- macOS: launchd ---------------------------------------------------------------------------
def launchd_plist(spec: JobSpec) -> bytes:
    """A LaunchAgent (~/Library/LaunchAgents): launchd runs a calendar job missed while the
    Mac slept when it wakes."""
    return plistlib.dumps(
        {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": list(spec.argv),
            "StartCalendarInterval": {"Hour": spec.at.hour, "Minute": spec.at.minute},
            "RunAtLoad": False,
            "ProcessType": "Background",
            "StandardOutPath": str(spec.log_dir / "nightly-job.out.log"),
            "StandardErrorPath": str(spec.log_dir / "nightly-job.err.log"),
        }
    )


def launchd_at(content: bytes) -> time | None:
    try:
        interval = plistlib.loads(content).get("StartCalendarInterval") or {}
        return time(int(interval["Hour"]), int(interval["Minute"]))
    except (plistlib.InvalidFileException, ValueError, KeyError, TypeError, AttributeError):
        return None


# --- Linux: systemd user timer ----------------------------------------------------------------
def _systemd_word(word: str) -> str:
    # systemd.service(5) "Command lines": quotes and backslashes escaped inside double quotes;
    # `%` is a specifier and `$` a variable, so both are doubled.
    quoted = word.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + quoted.replace("%", "%%").replace("$", "$$") + '"'


def systemd_units(spec: JobSpec) -> dict[str, str]:
    """{file name: content} for ~/.config/systemd/user: a oneshot service and its timer.
    Persistent=true: a night the computer was off runs at the next boot."""
    service = f"""[Unit]
Description={DESCRIPTION}

[Service]
Type=oneshot
ExecStart={" ".join(_systemd_word(w) for w in spec.argv)}
"""
    timer = f"""[Unit]
Description={DESCRIPTION} (timer)

[Timer]
OnCalendar=*-*-* {spec.at.hour:02d}:{spec.at.minute:02d}:00
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{SYSTEMD_UNIT}.service": service, f"{SYSTEMD_UNIT}.timer": timer}


def systemd_at(timer: str) -> time | None:
    match = re.search(r"^OnCalendar=\*-\*-\* (\d\d):(\d\d):00$", timer, re.MULTILINE)
    return time(int(match.group(1)), int(match.group(2))) if match else None


# --- Linux: crontab ---------------------------------------------------------------------------
def cron_entry(spec: JobSpec, uid: int) -> str:
    """Two crontab lines: our marker, then the job. cron runs it with /bin/sh and no session
    bus, so the keychain's (Secret Service) bus address is given; `%` is a newline to cron."""
    command = " ".join(shlex.quote(w) for w in spec.argv)
    out = shlex.quote(str(spec.log_dir / "nightly-job.out.log"))
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{uid}/bus"
    line = f"{spec.at.minute} {spec.at.hour} * * * {bus} {command} >>{out} 2>&1"
    return f"{CRON_MARKER}\n{line.replace('%', chr(92) + '%')}\n"


def crontab_without(existing: str) -> str:
    """`existing` without our job (the marker and the line after it); the rest untouched."""
    lines = existing.splitlines()
    kept: list[str] = []
    skip = False
    for line in lines:
        if skip:
            skip = False
            continue
        if line.strip() == CRON_MARKER:
            skip = True
            continue
        kept.append(line)
    return "".join(line + "\n" for line in kept)


def crontab_with(existing: str, entry: str) -> str:
    """`existing` with our job replaced by `entry` (one job, however often it is set)."""
    return crontab_without(existing) + entry


def cron_at(crontab: str) -> time | None:
    lines = crontab.splitlines()
    for index, line in enumerate(lines[:-1]):
        if line.strip() == CRON_MARKER:
            fields = lines[index + 1].split()
            try:
                return time(int(fields[1]), int(fields[0]))
            except (IndexError, ValueError):
                return None
    return None


def cron_command(crontab: str) -> str | None:
    """The shell command of our crontab line, as cron hands it to /bin/sh."""
    lines = crontab.splitlines()
    for index, line in enumerate(lines[:-1]):
        if line.strip() == CRON_MARKER:
            parts = lines[index + 1].split(None, 5)
            return parts[5].replace("\\%", "%") if len(parts) == 6 else None
    return None
