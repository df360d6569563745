"""`schedule (--at HH:MM | --show | --remove | --run)`: the OS's nightly sync + notify job."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from ..services.context import AppContext
from ..services.errors import EXPECTED_ERRORS, describe_error
from ..services.instance import AlreadyRunning, DataDirLock, lock_wait_s
from ..services.sync_control.nightly import (
    NightlyRecord,
    append_record,
    last_record,
    notices_sender,
    run_nightly,
)
from ..services.sync_control.schedule import JobState, apply_nightly, job_state, remove_job
from ..services.sync_control.schedule_jobs import parse_at
from .cmd_notify import mail_config, notify_settings
from .connection import NO_STORE, UserError, context_of, open_session
from .output import print_json


def _at(text: str) -> str:
    try:
        parse_at(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    schedule = subparsers.add_parser(
        "schedule", help="the operating system's nightly sync + notify job"
    )
    schedule.set_defaults(handler=cmd_schedule, schedule_command=None)
    what = schedule.add_mutually_exclusive_group(required=True)
    what.add_argument("--at", type=_at, metavar="HH:MM", help="install (or move) the job")
    what.add_argument(
        "--show", dest="schedule_command", action="store_const", const="show",
        help="whether it is installed, and its last run",
    )  # fmt: skip
    what.add_argument(
        "--remove", dest="schedule_command", action="store_const", const="remove",
        help="remove the job",
    )  # fmt: skip
    what.add_argument(
        "--run", dest="schedule_command", action="store_const", const="run",
        help="run the job now, as the scheduler does: sync, then send the due notices",
    )  # fmt: skip
    json_flag(schedule)


def _show(context: AppContext, state: JobState) -> dict[str, Any]:
    record = last_record(context.data_dir)
    return {
        "installed": state.installed,
        "kind": state.kind,
        "at": state.at,
        "last_run": record.started if record else None,
        "last_result": asdict(record) if record else None,
    }


def _print_show(args: argparse.Namespace, shown: dict[str, Any], record: Any) -> None:
    if args.json:
        print_json(shown)
        return
    if shown["installed"]:
        print(f"Nightly sync and notices at {shown['at']} ({shown['kind']}).")
    else:
        print(
            f"No nightly job ({shown['kind']} would hold it): set one with 'schedule --at HH:MM'."
        )
    if record is not None:
        print(f"Last run {record.started}: {record.summary()}.")
        if record.preview:
            print(f"What it sent: {record.preview}")


def _install(args: argparse.Namespace, context: AppContext) -> JobState:
    settings = context.settings
    entry = settings.store(settings.current_store)
    if args.demo:
        store_hash, api_url, demo = None, None, True
    elif args.store_hash:
        store_hash, api_url, demo = args.store_hash, args.api_url, False
    elif entry is not None:
        store_hash, api_url, demo = entry.store_hash, entry.api_url, entry.demo
    else:
        raise UserError(NO_STORE)
    state = apply_nightly(
        parse_at(args.at),
        data_dir=context.data_dir,
        explicit_data_dir=context.data_dir_chosen,
        store_hash=store_hash,
        api_url=api_url,
        demo=demo,
    )
    context.save_settings(replace(settings, nightly_at=state.at or ""))
    return state


def _run(args: argparse.Namespace, context: AppContext) -> int:
    try:
        lock = DataDirLock(context.data_dir).hold(lock_wait_s())
    except AlreadyRunning:
        # The window (or a long command) has the data dir: say so where the merchant looks.
        _record_failure(
            context,
            "Backorder Desktop was open, so this job did not start; an open window runs the "
            "nightly job itself at its time.",
        )
        raise
    with lock:
        return _run_locked(args, context)


def _record_failure(context: AppContext, error: str) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    append_record(context.data_dir, NightlyRecord(started=now, finished=now, error=error))


def _run_locked(args: argparse.Namespace, context: AppContext) -> int:
    settings = notify_settings(args)
    started: list[bool] = []  # run_nightly records its own outcome, failures included
    try:
        with open_session(args) as session, mail_config(args, settings) as config:
            send = notices_sender(settings, context.settings_folder, lambda: config)
            started.append(True)
            record = run_nightly(session, context.data_dir, send)
    except EXPECTED_ERRORS as exc:
        if not started:  # no token in the keychain, a locked keychain, a bad data dir...
            _record_failure(context, describe_error(exc))
        raise
    if args.json:
        print_json(asdict(record))
    else:
        print(f"Nightly run: {record.summary()}.")
        if record.preview:
            print(f"What it sent: {record.preview}")
    for note in record.notes:
        sys.stderr.write(note + "\n")
    return 0 if record.ok else 1


def cmd_schedule(args: argparse.Namespace) -> int:
    context = context_of(args)
    command = args.schedule_command
    if command == "run":
        return _run(args, context)
    if command == "remove":
        state = remove_job()
        context.save_settings(replace(context.settings, nightly_at=""))
    elif command == "show":
        state = job_state()
    else:
        state = _install(args, context)
    _print_show(args, _show(context, state), last_record(context.data_dir))
    return 0
