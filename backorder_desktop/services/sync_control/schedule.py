"""Installing, finding and removing the nightly job with the OS's own scheduler.

Windows: Task Scheduler (`schtasks`); macOS: a LaunchAgent (`launchctl`); Linux: a systemd user
timer when `systemctl --user` answers, else the user's crontab. The files come from
schedule_jobs (pure builders); this module writes them and runs the tools.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from xml.etree import ElementTree

from backorder_desktop.services.errors import UserError
from backorder_desktop.services.paths import ensure_private_dir
from backorder_desktop.services.sync_control import schedule_jobs as jobs
from backorder_desktop.services.sync_control.nightly import NightlyRecord, last_record

Runner = Callable[[Sequence[str], str | None], subprocess.CompletedProcess[str]]


class ScheduleError(UserError):
    """The OS scheduler refused or is missing: the message says which and what to do."""


@dataclass(frozen=True)
class JobState:
    installed: bool
    kind: str
    at: str | None  # "HH:MM" when installed


def run_tool(argv: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run one scheduler tool; a missing program is a ScheduleError, not a crash."""
    try:
        return subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise ScheduleError(f"'{argv[0]}' was not found on this computer.") from exc
    except subprocess.TimeoutExpired as exc:
        raise ScheduleError(f"'{argv[0]}' did not answer within a minute.") from exc


def _checked(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ScheduleError(f"{what} failed: {detail[-1] if detail else result.returncode}")


CONSOLE_EXE = "backorder-desktop-cli.exe"  # packaging/metadata.py CONSOLE_EXE_NAME


def app_program() -> list[str]:
    """The app itself: the frozen executable, or this Python running the package. On Windows
    the windowed exe has no console streams, so the job runs its console twin beside it."""
    if getattr(sys, "frozen", False):
        console = Path(sys.executable).with_name(CONSOLE_EXE)
        return [str(console if sys.platform == "win32" and console.exists() else sys.executable)]
    return [sys.executable, "-m", "backorder_desktop"]


class Scheduler:
    """One OS scheduler. `run` runs a tool (tests and the UI pass the real one)."""

    kind = ""

    def __init__(self, run: Runner = run_tool, home: Path | None = None) -> None:
        self.run = run
        self.home = home or Path.home()

    def install(self, spec: jobs.JobSpec) -> None:
        raise NotImplementedError

    def remove(self) -> bool:
        """True when there was a job to remove."""
        raise NotImplementedError

    def installed_at(self) -> time | None:
        raise NotImplementedError

    def state(self) -> JobState:
        at = self.installed_at()
        return JobState(at is not None, self.kind, jobs.at_text(at) if at else None)


class TaskScheduler(Scheduler):
    kind = "schtasks"

    def __init__(self, run: Runner = run_tool, home: Path | None = None, user: str = "") -> None:
        super().__init__(run, home)
        self.name = jobs.task_name(user or getpass.getuser())

    def install(self, spec: jobs.JobSpec) -> None:
        xml = jobs.windows_task_xml(spec, getpass.getuser())
        # schtasks reads the definition from a file; Task Scheduler's own format is UTF-16.
        fd, path = tempfile.mkstemp(suffix=".xml")
        try:
            with os.fdopen(fd, "w", encoding="utf-16") as handle:
                handle.write(xml)
            result = self.run(["schtasks", "/Create", "/TN", self.name, "/XML", path, "/F"], None)
        finally:
            Path(path).unlink(missing_ok=True)
        _checked(result, "Creating the scheduled task")

    def remove(self) -> bool:
        if self.installed_at() is None:
            return False
        _checked(self.run(["schtasks", "/Delete", "/TN", self.name, "/F"], None), "Deleting it")
        return True

    def installed_at(self) -> time | None:
        result = self.run(["schtasks", "/Query", "/TN", self.name, "/XML", "ONE"], None)
        if result.returncode != 0:
            return None
        try:
            root = ElementTree.fromstring(result.stdout.strip())
        except ElementTree.ParseError:
            return None
        start = root.findtext(f".//{{{jobs.TASK_NS}}}StartBoundary") or ""
        try:
            return jobs.parse_at(start.split("T")[1][:5])
        except (IndexError, ValueError):
            return None


class LaunchAgent(Scheduler):
    kind = "launchd"

    @property
    def path(self) -> Path:
        return self.home / "Library" / "LaunchAgents" / f"{jobs.LAUNCHD_LABEL}.plist"

    @property
    def domain(self) -> str:
        return f"gui/{os.getuid()}"  # type: ignore[attr-defined,unused-ignore]

    def install(self, spec: jobs.JobSpec) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.run(["launchctl", "bootout", f"{self.domain}/{jobs.LAUNCHD_LABEL}"], None)
        self.path.write_bytes(jobs.launchd_plist(spec))
        _checked(
            self.run(["launchctl", "bootstrap", self.domain, str(self.path)], None),
            "Loading the LaunchAgent",
        )

    def remove(self) -> bool:
        if not self.path.exists():
            return False
        self.run(["launchctl", "bootout", f"{self.domain}/{jobs.LAUNCHD_LABEL}"], None)
        self.path.unlink()
        return True

    def installed_at(self) -> time | None:
        return jobs.launchd_at(self.path.read_bytes()) if self.path.exists() else None


class SystemdTimer(Scheduler):
    kind = "systemd"

    @property
    def folder(self) -> Path:
        config = os.environ.get("XDG_CONFIG_HOME") or str(self.home / ".config")
        return Path(config) / "systemd" / "user"

    def available(self) -> bool:
        try:
            return self.run(["systemctl", "--user", "show-environment"], None).returncode == 0
        except ScheduleError:
            return False

    def install(self, spec: jobs.JobSpec) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, content in jobs.systemd_units(spec).items():
            (self.folder / name).write_text(content, encoding="utf-8")
        _checked(self.run(["systemctl", "--user", "daemon-reload"], None), "systemctl")
        _checked(
            self.run(
                ["systemctl", "--user", "enable", "--now", f"{jobs.SYSTEMD_UNIT}.timer"], None
            ),
            "Enabling the timer",
        )

    def remove(self) -> bool:
        timer = self.folder / f"{jobs.SYSTEMD_UNIT}.timer"
        if not timer.exists():
            return False
        self.run(["systemctl", "--user", "disable", "--now", f"{jobs.SYSTEMD_UNIT}.timer"], None)
        for suffix in (".timer", ".service"):
            (self.folder / f"{jobs.SYSTEMD_UNIT}{suffix}").unlink(missing_ok=True)
        self.run(["systemctl", "--user", "daemon-reload"], None)
        return True

    def installed_at(self) -> time | None:
        timer = self.folder / f"{jobs.SYSTEMD_UNIT}.timer"
        return jobs.systemd_at(timer.read_text(encoding="utf-8")) if timer.exists() else None


class Crontab(Scheduler):
    kind = "cron"

    def available(self) -> bool:
        try:
            self.read()
        except ScheduleError:
            return False
        return True

    def read(self) -> str:
        result = self.run(["crontab", "-l"], None)
        if result.returncode != 0:
            if "no crontab" in result.stderr.lower():
                return ""  # the user has none yet
            _checked(result, "Reading your crontab")
        return result.stdout

    def write(self, content: str) -> None:
        _checked(self.run(["crontab", "-"], content), "Writing your crontab")

    def install(self, spec: jobs.JobSpec) -> None:
        uid = os.getuid()  # type: ignore[attr-defined,unused-ignore]
        self.write(jobs.crontab_with(self.read(), jobs.cron_entry(spec, uid)))

    def remove(self) -> bool:
        existing = self.read()
        if jobs.cron_at(existing) is None:
            return False
        self.write(jobs.crontab_without(existing))
        return True

    def installed_at(self) -> time | None:
        try:
            return jobs.cron_at(self.read())
        except ScheduleError:
            return None  # no crontab program: nothing installed with it

    def command(self) -> str | None:
        """Our job's shell command as installed (what cron will run)."""
        return jobs.cron_command(self.read())


NO_SCHEDULER = (
    "No scheduler found for the nightly job: neither a systemd user session "
    "(`systemctl --user`) nor `crontab`. Install cron (e.g. the `cron` package) and try again."
)


def scheduler(platform: str = sys.platform, run: Runner = run_tool) -> Scheduler:
    """The scheduler holding the job if one does, else the one a new job goes to."""
    if platform == "win32":
        return TaskScheduler(run)
    if platform == "darwin":
        return LaunchAgent(run)
    systemd, cron = SystemdTimer(run), Crontab(run)
    if systemd.installed_at() is not None:
        return systemd
    if cron.installed_at() is not None:
        return cron
    if systemd.available():
        return systemd
    return cron


def install_job(spec: jobs.JobSpec, platform: str = sys.platform) -> JobState:
    """Install (or move) the one nightly job; returns what the OS now holds."""
    chosen = scheduler(platform)
    if isinstance(chosen, Crontab) and not chosen.available():
        raise ScheduleError(NO_SCHEDULER)
    # The job's own output goes there (it names customers if something crashes): private.
    ensure_private_dir(spec.log_dir.parent)
    ensure_private_dir(spec.log_dir)
    chosen.install(spec)
    state = chosen.state()
    if not state.installed:
        raise ScheduleError(f"The {chosen.kind} job was written but cannot be found again.")
    return state


def remove_job(platform: str = sys.platform) -> JobState:
    chosen = scheduler(platform)
    chosen.remove()
    return chosen.state()


def job_state(platform: str = sys.platform) -> JobState:
    return scheduler(platform).state()


@dataclass(frozen=True)
class NightlyStatus:
    """What the settings dialog shows: the job as the OS holds it, and its last run."""

    state: JobState
    last: NightlyRecord | None


def nightly_status(data_dir: Path, platform: str = sys.platform) -> NightlyStatus:
    """Asks the OS scheduler (a subprocess): call it off the GUI thread."""
    try:
        state = job_state(platform)
    except ScheduleError:
        kind = {"win32": "schtasks", "darwin": "launchd"}.get(platform, "cron")
        state = JobState(False, kind, None)
    return NightlyStatus(state, last_record(data_dir))


def apply_nightly(
    at: time | None,
    *,
    data_dir: Path,
    explicit_data_dir: bool,
    store_hash: str | None,
    api_url: str | None = None,
    demo: bool = False,
    platform: str = sys.platform,
) -> JobState:
    """Install (or move) the nightly job at `at`, or remove it when `at` is None."""
    if at is None:
        return remove_job(platform)
    spec = nightly_spec(
        at,
        data_dir=data_dir,
        explicit_data_dir=explicit_data_dir,
        store_hash=store_hash,
        api_url=api_url,
        demo=demo,
    )
    return install_job(spec, platform)


def nightly_spec(
    at: time,
    *,
    data_dir: Path,
    explicit_data_dir: bool,
    store_hash: str | None,
    api_url: str | None = None,
    demo: bool = False,
) -> jobs.JobSpec:
    """The job for this store and data dir: `data_dir` goes on the command line only when the
    merchant chose it (`--data-dir`); the default folders resolve the same when the job runs."""
    from backorder_desktop.services.paths import log_dir
    from backorder_desktop.services.sync_control.session import DEFAULT_API_URL

    argv = jobs.job_argv(
        app_program(),
        data_dir=data_dir.expanduser().resolve() if explicit_data_dir else None,
        store_hash=store_hash,
        api_url=api_url if api_url and api_url != DEFAULT_API_URL else None,
        demo=demo,
    )
    return jobs.JobSpec(argv=argv, at=at, log_dir=log_dir(data_dir.expanduser().resolve()))
